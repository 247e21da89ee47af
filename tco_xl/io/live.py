"""Assumptions for an Excel function call: from its ``inputs`` argument, else from the calling workbook.

The shipped formulas pass ``TCO_INPUTS``: a block on the hidden sheet ``_tco_inputs`` that mirrors every
cell the loader reads (``tco_xl.io.layout.mirrors``). Excel sees that dependency, so an assumption edit
recalculates exactly the calls that pass the block and nothing else does; the call reads nothing from the
workbook itself. The assumption sheets' grids are rebuilt from the block and parsed by the loader's one
parser (``assumptions_from_grids``). Parses are cached by content (the last few blocks or workbooks), so
every call after an edit reuses the first call's parse and, through it, the engine's cached results.

Without ``inputs`` (a user typing ``=TCO_HYBRID(47)``):

- classic Excel on Windows: the VBA wrapper made just that cell volatile; the calling workbook's assumption
  sheets are read here through COM (their constants, never a formula's cached value), one used range per
  sheet: 61 COM round trips per call. The cache is keyed by what was read, not by the workbook's path, so
  OneDrive and SharePoint workbooks work;
- xlwings Lite (Pyodide): a function cannot read the workbook: the call reports the missing argument;
- plain Python: the workbook named by ``$TCO_XL_WORKBOOK``, else the bundled defaults.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from ..assumptions import Assumptions, default_assumptions
from ..errors import InputError, RangeSize, WorkbookError
from .layout import INPUTS_NAME, inputs_shape, mirrors
from .workbook import Grid, assumptions_from_grids, book_grids, load_assumptions

__all__ = ["INPUTS_NAME", "WORKBOOK_ENV", "assumptions_for", "calling_book", "inputs_grids", "parse_count"]

WORKBOOK_ENV = "TCO_XL_WORKBOOK"
CACHED_PARSES = 8  # distinct inputs kept parsed (several open workbooks, or undo/redo)
CALLING_WORKBOOK = "the calling workbook"  # how errors name a workbook read through COM

log = logging.getLogger(__name__)

_PARSED: OrderedDict[Hashable, Assumptions | WorkbookError] = OrderedDict()
_PARSES = 0


def parse_count() -> int:
    """How many times assumption sheets were parsed in this process (for tests and benchmarks)."""
    return _PARSES


def assumptions_for(inputs: Any = None) -> Assumptions:
    """Assumptions for a function call: from ``inputs`` (the ``TCO_INPUTS`` block as a list of rows), else
    read from the calling workbook (classic Excel), else ``$TCO_XL_WORKBOOK`` or the defaults (Python).

    Raises ``InputError`` for an ``inputs`` argument of the wrong shape, or a missing one in xlwings Lite,
    and ``WorkbookError`` for bad assumption cells (the same error again, without re-parsing).
    """
    if inputs is not None:
        rows, columns = inputs_shape()
        if not (isinstance(inputs, (list, tuple)) and len(inputs) == rows
                and all(isinstance(row, (list, tuple)) and len(row) == columns for row in inputs)):
            expected = f"the workbook's {INPUTS_NAME} block ({rows} × {columns} cells)"
            raise InputError("inputs", RangeSize(inputs), expected)
        block = tuple(map(tuple, inputs))
        return _parsed(("inputs", block), lambda: inputs_grids(block), INPUTS_NAME)
    book = calling_book()
    if book is not None:
        grids = book_grids(book)
        key = ("book", tuple((name, None if g is None else tuple(map(tuple, g))) for name, g in grids.items()))
        return _parsed(key, lambda: grids, CALLING_WORKBOOK)
    if sys.platform == "emscripten":  # xlwings Lite: a function sees its arguments only
        raise InputError("inputs", None, f"{INPUTS_NAME} (in xlwings Lite a function cannot read the workbook)")
    path = os.environ.get(WORKBOOK_ENV)
    if not path:
        return default_assumptions()
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise WorkbookError(path, message=f"{WORKBOOK_ENV}={path}: cannot read the workbook ({exc.strerror})") from None
    return _parsed(("file", str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size),
                   lambda: load_assumptions(path), path)


def calling_book() -> Any:
    """The workbook whose function Excel is running (classic xlwings on Windows, which sets it before each
    call: the workbook holding the VBA wrappers), else None. Costs no COM round trip."""
    xlwindows = sys.modules.get("xlwings._xlwindows")
    if getattr(xlwindows, "BOOK_CALLER", None) is None:
        return None
    import xlwings as xw
    return xw.Book.caller()


def inputs_grids(block: tuple[tuple[Any, ...], ...]) -> dict[str, Grid | None]:
    """The assumption sheets' grids as the mirror block holds them (cells at their sheet positions), without
    their trailing blank rows (as a file's grid ends at its last used row)."""
    grids: dict[str, Grid | None] = {}
    for m in mirrors():
        width = max(m.columns)
        grid: Grid = [[None] * width for _ in range(m.rows)]
        for offset, col in enumerate(m.columns):
            for r in range(m.rows):
                grid[r][col - 1] = block[m.top - 1 + r][m.left - 1 + offset]
        while grid and all(v is None or v == "" for v in grid[-1]):
            grid.pop()
        grids[m.sheet] = grid
    return grids


def _parsed(key: Hashable, grids: Callable[[], Any], source: str) -> Assumptions:
    """The assumptions (or the error) for ``key``, parsed from ``grids()`` on the first call only."""
    try:
        found = _PARSED.get(key)
    except TypeError:  # an unhashable cell value: parse without caching
        key, found = None, None
    if found is None:
        global _PARSES  # noqa: PLW0603 - a module-wide counter that tests read through parse_count()
        _PARSES += 1
        try:
            built = grids()
            found = built if isinstance(built, Assumptions) else assumptions_from_grids(built, source)
        except WorkbookError as exc:
            log.error("assumptions of %s:\n%s", source, exc)
            found = exc
        if key is not None:
            _PARSED[key] = found
            while len(_PARSED) > CACHED_PARSES:
                _PARSED.popitem(last=False)
    elif key is not None:
        _PARSED.move_to_end(key)
    if isinstance(found, WorkbookError):
        raise found.with_traceback(None)  # the same error again, without growing its traceback
    return found
