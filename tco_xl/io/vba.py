"""Generate xlwings' ``xlwings_udfs`` VBA module without Excel.

On Windows, xlwings' "Import Functions" button runs ``xlwings.udfs.import_udfs``, which
writes one VBA wrapper per ``@xw.func`` into the workbook's ``xlwings_udfs`` module and
registers descriptions and categories with ``Application.MacroOptions``. On Linux,
``xw.func``/``xw.arg``/``xw.ret`` are identity decorators and ``xlwings.udfs`` cannot be
imported (it needs pywin32). This module runs xlwings' own generator anyway:

1. stand-in ``pythoncom``/``pywintypes``/``win32com`` modules let ``xlwings.udfs`` import;
2. ``xlwings.func``/``arg``/``ret``/``sub``/``script`` temporarily point at the real
   decorators, and the UDF module is executed afresh so they attach ``__xlfunc__``;
3. ``import_udfs`` runs against a stand-in workbook that records the module file it
   imports and every ``MacroOptions`` call.

Importing ``tco_xl.udfs`` where ``xlwings.udfs`` is loaded (classic Excel on Windows, and step 2 here)
makes xlwings' wrapper generator post-process its own output (``conditionally_volatile_wrappers``,
``with_prologue``): a formula that leaves the argument ``inputs`` (last but ``whatif``) out makes that one cell
volatile,
and range arguments reach Python as values. So "Import Functions" in Excel and this module write the
same text.

Everything is undone afterwards: ``sys.modules`` and the ``xlwings`` package look as they
did before, and an already imported UDF module is left untouched. Only the named module is
executed afresh; modules it imports are used as they are already imported. Calls are
serialised; other threads must not import UDF modules meanwhile (the decorators on the
``xlwings`` package are swapped for the duration of a call).
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import logging
import re
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlwings

from tco_xl.errors import InputError
from tco_xl.io.atomic import write_bytes_atomic

__all__ = ["VBA_MODULE", "VB_NAME_HEADER", "bas_bytes", "conditionally_volatile_wrappers", "udf_macro_options",
           "udf_module_text", "with_prologue", "write_bas"]

VBA_MODULE = "xlwings_udfs"
"""The VBA module of the wrappers ("Import Functions" replaces a module of this name)."""
VB_NAME_HEADER = f'Attribute VB_Name = "{VBA_MODULE}"'
"""First line of the module file; the VBA editor turns it into the module's name."""

DEFAULT_WORKBOOK_NAME = "TCO.xlsm"
EXCEL_VERSION = "16.0"  # Excel 2016+/365; xlwings sets Category etc. from version 14 on.
BAS_ENCODING = "cp1252"  # The VBA editor reads .bas files in the Windows ANSI code page.

_STANDIN_MODULE_NAMES = ("pythoncom", "pywintypes", "win32com", "win32com.client")
# Public decorator name -> its real implementation in xlwings.udfs (as on Windows).
_REAL_DECORATORS = {
    "func": "xlfunc",
    "arg": "xlarg",
    "ret": "xlret",
    "sub": "xlsub",
    "script": "xlsub",
}
_MISSING = object()
_LOCK = threading.Lock()

INPUTS_ARG = "inputs"
"""The optional argument whose absence makes a cell volatile (the function then reads the workbook itself)."""
# ``inputs`` is optional and followed by optional arguments only (``whatif``): the functions' last arguments.
_WITH_INPUTS = re.compile(rf"Function \w+\((?P<args>.*\bOptional {INPUTS_ARG}(?:, Optional \w+)*)\)")


def with_prologue(text: str) -> str:
    """xlwings' wrapper module ``text`` with a prologue in every function with an optional ``inputs`` argument
    followed by optional ones only (``whatif``): ``Application.Volatile IsMissing(inputs)`` (Excel treats a cell
    as volatile exactly when its formula leaves ``inputs`` out, and as non-volatile otherwise), then
    ``If IsObject(x) Then x = x.Value2``
    per argument (a range reaches Python as its values, read inside Excel, instead of as a Range that
    xlwings would read with about 10 COM round trips)."""
    lines = []
    for line in text.splitlines(keepends=True):
        lines.append(line)
        body = line.rstrip("\r\n")
        if match := _WITH_INPUTS.fullmatch(body):
            end = line[len(body):]
            args = [arg.split()[-1] for arg in match["args"].split(",")]
            lines.append(f"    Application.Volatile IsMissing({INPUTS_ARG}){end}")
            lines += [f"    If IsObject({arg}) Then {arg} = {arg}.Value2{end}" for arg in args]
    return "".join(lines)


def conditionally_volatile_wrappers(udfs: types.ModuleType) -> None:
    """Make ``udfs.generate_vba_wrapper`` (xlwings' generator, which "Import Functions" runs) pass its output
    through ``with_prologue``. Applied once per ``xlwings.udfs`` module; functions without an ``inputs``
    argument come out unchanged."""
    original = udfs.generate_vba_wrapper
    if getattr(original, "with_prologue", False):
        return

    def generate_vba_wrapper(module_name: str, module: types.ModuleType, f: Any, xl_workbook: Any) -> None:
        text = io.StringIO()
        original(module_name, module, text, xl_workbook)
        f.write(with_prologue(text.getvalue()))

    generate_vba_wrapper.with_prologue = True  # type: ignore[attr-defined]
    udfs.generate_vba_wrapper = generate_vba_wrapper  # type: ignore[attr-defined]


def udf_module_text(module_name: str, *, workbook_name: str = DEFAULT_WORKBOOK_NAME) -> str:
    """Return the code of the ``xlwings_udfs`` module that "Import Functions" would create.

    ``module_name`` is an importable module (or several, ``;``-separated like the
    ``UDF Modules`` setting) whose functions carry ``@xw.func``. ``workbook_name`` matters
    because add-ins (``.xlam``) call ``ActiveWorkbook`` instead of ``ThisWorkbook``. The text
    is what the VBA editor shows, without the ``Attribute VB_Name`` header, with ``\\n``
    line endings.
    """
    return _import_udfs(module_name, workbook_name).module_text


def udf_macro_options(
    module_name: str, *, workbook_name: str = DEFAULT_WORKBOOK_NAME
) -> list[dict[str, Any]]:
    """Return the ``Application.MacroOptions`` calls "Import Functions" would make.

    One dict per UDF, holding ``Macro`` (``'<workbook>'!<name>``) and the keyword arguments
    as xlwings passes them: ``Description``, ``Category``, ``ArgumentDescriptions``, ...
    """
    return _import_udfs(module_name, workbook_name).macro_options


def write_bas(
    module_name: str, path: Path, *, workbook_name: str = DEFAULT_WORKBOOK_NAME
) -> None:
    """Write the ``xlwings_udfs`` module to ``path`` for the VBA editor's File > Import File
    (``bas_bytes``), replacing ``path`` atomically."""
    write_bytes_atomic(Path(path), bas_bytes(module_name, workbook_name=workbook_name))


def bas_bytes(module_name: str, *, workbook_name: str = DEFAULT_WORKBOOK_NAME) -> bytes:
    """The ``xlwings_udfs`` module as an exported .bas file: the ``Attribute VB_Name`` header first, CRLF line
    endings, the Windows-1252 encoding."""
    text = f"{VB_NAME_HEADER}\n{udf_module_text(module_name, workbook_name=workbook_name)}"
    try:
        return text.replace("\n", "\r\n").encode(BAS_ENCODING)
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"UDF module {module_name!r} yields VBA code that {BAS_ENCODING} cannot encode "
            f"({exc.object[exc.start:exc.end]!r}); use ASCII names for UDFs and arguments"
        ) from exc


@dataclass
class _Capture:
    """What ``import_udfs`` did to the stand-in workbook."""

    module_text: str = ""
    macro_options: list[dict[str, Any]] = field(default_factory=list)


class _ComError(Exception):
    """Stand-in for ``pywintypes.com_error``."""


def _no_com(*args: Any, **kwargs: Any) -> Any:
    raise _ComError("COM is not available: this is a stand-in for win32com.client.Dispatch")


class _VBComponents:
    """Stand-in for ``Workbook.VBProject.VBComponents`` of a workbook without UDF module."""

    def __init__(self, capture: _Capture) -> None:
        self._capture = capture

    def __call__(self, name: str) -> Any:
        raise _ComError(f"the workbook has no VB component named {name!r}")

    def Remove(self, component: Any) -> None:  # noqa: N802 - COM method name
        # Looked up by import_udfs; never reached, as looking up its argument raises.
        raise _ComError("the workbook has no VB component to remove")

    def Import(self, filename: str) -> None:  # noqa: N802 - COM method name
        # xlwings wrote the file with the locale's default encoding; read it back alike.
        text = Path(filename).read_text(encoding="locale")
        header, _, body = text.partition("\n")
        if header != VB_NAME_HEADER:
            raise RuntimeError(
                f"unexpected xlwings output: module file starts with {header!r}, "
                f"expected {VB_NAME_HEADER!r}"
            )
        self._capture.module_text = body


class _Application:
    """Stand-in for the Excel ``Application`` object."""

    Version = EXCEL_VERSION

    def __init__(self, capture: _Capture) -> None:
        self._capture = capture

    def MacroOptions(self, Macro: str, **options: Any) -> None:  # noqa: N802, N803 - COM
        self._capture.macro_options.append({"Macro": Macro, **options})


class _Workbook:
    """Stand-in for the Excel ``Workbook`` that ``import_udfs`` writes into."""

    def __init__(self, name: str, capture: _Capture) -> None:
        self.Name = name
        self.Application = _Application(capture)
        self.VBProject = types.SimpleNamespace(VBComponents=_VBComponents(capture))


def _standin_modules() -> dict[str, types.ModuleType]:
    """Return just enough of pywin32 for ``import xlwings.udfs`` to succeed."""
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = _ComError  # type: ignore[attr-defined]
    client = types.ModuleType("win32com.client")
    client.Dispatch = _no_com  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    win32com.client = client  # type: ignore[attr-defined]
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
    }


@contextmanager
def _saved_state(names: tuple[str, ...], attrs: tuple[str, ...]) -> Iterator[None]:
    """Restore the given ``sys.modules`` entries and ``xlwings`` attributes on exit."""
    modules = {name: sys.modules.get(name, _MISSING) for name in names}
    values = {name: getattr(xlwings, name, _MISSING) for name in attrs}
    try:
        yield
    finally:
        for name, module in modules.items():
            if module is _MISSING:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module  # type: ignore[assignment]
        for name, value in values.items():
            if value is _MISSING:
                if hasattr(xlwings, name):
                    delattr(xlwings, name)
            else:
                setattr(xlwings, name, value)


@contextmanager
def _windows_udfs() -> Iterator[types.ModuleType]:
    """Yield a fresh ``xlwings.udfs`` with the real decorators installed on ``xlwings``."""
    with _saved_state((*_STANDIN_MODULE_NAMES, "xlwings.udfs"), (*_REAL_DECORATORS, "udfs")):
        sys.modules.update(_standin_modules())
        sys.modules.pop("xlwings.udfs", None)
        udfs = importlib.import_module("xlwings.udfs")
        # The PRO branch reads embedded code from the live workbook; there is none here.
        udfs.__pro__ = False  # type: ignore[attr-defined]
        for public, real in _REAL_DECORATORS.items():
            setattr(xlwings, public, getattr(udfs, real))
        yield udfs


def _execute_afresh(module_name: str) -> types.ModuleType:
    """Execute ``module_name`` into a new module object; leave ``sys.modules`` as it was."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(
            f"UDF module {module_name!r} is not importable (check sys.path / PYTHONPATH)",
            name=module_name,
        )
    module = importlib.util.module_from_spec(spec)
    with _saved_state((module_name,), ()):
        sys.modules[module_name] = module  # as during a normal import
        spec.loader.exec_module(module)
    return module


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Stop xlwings from print()ing its "Imported functions" message (it logs instead)."""
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _import_udfs(module_names: str, workbook_name: str) -> _Capture:
    names = [name.strip() for name in module_names.split(";") if name.strip()]
    if not names:
        raise InputError("module_name", module_names, "a module name, or several separated by ';'")
    capture = _Capture()
    with _LOCK, _windows_udfs() as udfs, _quiet(udfs.logger):
        for name in names:
            module = _execute_afresh(name)
            # Pre-seed xlwings' module cache so import_udfs uses the decorated copy.
            udfs.udf_modules[name] = {
                "filename": getattr(module, "__file__", None),
                "filetime": None,  # None: never reloaded from disk
                "module": module,
            }
        udfs.import_udfs(";".join(names), _Workbook(workbook_name, capture))
    return capture
