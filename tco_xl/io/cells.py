"""The cells of a workbook file's sheets, read with openpyxl's own parser, every kind of damage named.

A .xlsx/.xlsm file is a zip package of XML parts. ``sheet_cells`` reads the sheets asked for into
sparse grids ({(row, column): value}) and never raises anything but ``WorkbookError``:

- a file that is not a workbook package (text, an old .xls, a password-protected workbook, a truncated
  zip) or whose package is damaged (a part that cannot be unpacked, a part listed twice, XML that is not
  well formed) is refused with the file, the part and the reason;
- damage inside a sheet is located: XML that breaks off names the sheet and the last cell read, and a
  cell whose content cannot be used becomes an ``Unreadable`` value in the grid (a number cell holding
  text, a shared string the file does not have, an error value, a formula with no saved result, a cell
  written twice), so the assumption parser reports it at its cell with the assumption it holds.
"""

from __future__ import annotations

import functools
import re
import warnings
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import fromstring, iterparse

import openpyxl
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, ROW_TAG, VALUE_TAG, WorkSheetParser

from ..errors import CellProblem, WorkbookError

__all__ = ["MAX_UNPACKED_BYTES", "Cells", "Unreadable", "sheet_cells"]

#: (row, column) -> value of every cell a sheet's XML holds (1-based; a blank cell may be present as None).
Cells = dict[tuple[int, int], Any]

#: Largest total unpacked size of a package read (TCO.xlsm unpacks to about 0.3 MB).
MAX_UNPACKED_BYTES = 200 * 2**20
_MAX_ROW, _MAX_COLUMN = 1_048_576, 16_384  # Excel's sheet size
_COORDINATE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: .xls, or a workbook saved with a password
# What reading a damaged package can raise from zipfile, zlib, the XML parser and openpyxl's readers.
# (RuntimeError covers NotImplementedError: an unknown compression; LookupError covers KeyError and IndexError.)
_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, SyntaxError, ValueError, LookupError,
           TypeError, AttributeError, OverflowError)
_REPAIR = "the file is damaged: open it in Excel (which offers to repair it) and save it again, or use a backup"


@dataclass(frozen=True)
class Unreadable:
    """A cell whose content cannot be used: ``text`` is what the file holds, ``expected`` what would fix it."""

    text: str
    expected: str

    def __repr__(self) -> str:
        return self.text


class _SheetDamage(Exception):
    """XML of a sheet that cannot be read on from this point."""


def sheet_cells(path: Path, wanted: Collection[str]) -> dict[str, Cells | None]:
    """Cells of every sheet of ``path`` named in ``wanted``, None for its other sheets (in workbook order).

    Raises WorkbookError naming the file and the reason when it is not a readable workbook, and listing
    each sheet whose XML breaks off (sheet, last cell read, parser message).
    """
    _check_package(path)
    try:
        with open(path, "rb") as handle:  # a file object: openpyxl would refuse a path by its extension alone (and
            # the read-only workbook's archive needs no closing: it closes with the handle)
            return _sheets(path, handle, wanted)
    except _DAMAGE as exc:
        raise WorkbookError(str(path), message=f"{path}: not a readable Excel workbook: {_diagnosis(path, exc)}") \
            from None


def _sheets(path: Path, handle: Any, wanted: Collection[str]) -> dict[str, Cells | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it drops; they are not assumptions
        book = openpyxl.load_workbook(handle, read_only=True)
    titles = [ws.title for ws in book.worksheets]
    twice = sorted({t for t in titles if [u.casefold() for u in titles].count(t.casefold()) > 1})
    if twice:
        raise WorkbookError(str(path), message=f"{path}: {_REPAIR} (sheet names listed twice: {', '.join(twice)})")
    grids: dict[str, Cells | None] = {}
    problems = []
    for ws in book.worksheets:
        grids[ws.title] = None
        if ws.title in wanted:
            grids[ws.title], problem = _read_sheet(ws)
            if problem is not None:
                problems.append(problem)
    if problems:
        raise WorkbookError(str(path), problems)
    return grids


def _check_package(path: Path) -> None:
    """Refuse what is not a zip package, and packages that list a part twice or unpack to an implausible size."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(_OLE_MAGIC))
    except OSError as exc:
        raise WorkbookError(str(path), message=f"{path}: cannot be read ({exc.strerror})") from None
    if head == _OLE_MAGIC:
        raise WorkbookError(str(path), message=f"{path}: not a readable Excel workbook: an old .xls workbook or one "
                                               "saved with a password to open; save it as .xlsm without a password")
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookError(str(path), message=f"{path}: not an Excel workbook (.xlsx/.xlsm): {exc}") from None
    names = [info.filename for info in infos]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise WorkbookError(str(path), message=f"{path}: {_REPAIR} (parts listed twice: {', '.join(twice)})")
    size = sum(info.file_size for info in infos)
    if size > MAX_UNPACKED_BYTES:
        raise WorkbookError(str(path), message=f"{path}: not read: its parts unpack to {size:,} bytes, more than "
                                               f"{MAX_UNPACKED_BYTES:,} (an assumptions workbook needs under 1 MB)")


def _diagnosis(path: Path, exc: BaseException) -> str:
    """Why a package could not be read: the first part that cannot be unpacked or is not well-formed XML,
    else what the reader said."""
    try:
        with zipfile.ZipFile(path) as package:
            for info in package.infolist():
                try:
                    data = package.read(info)
                except _DAMAGE as bad:
                    return f"the part {info.filename} cannot be unpacked ({_text(bad)}); {_REPAIR}"
                if info.filename.endswith((".xml", ".rels")):
                    try:
                        fromstring(data)
                    except SyntaxError as bad:
                        return f"the part {info.filename} is not well-formed XML ({_text(bad)}); {_REPAIR}"
    except _DAMAGE as bad:
        return _text(bad)
    cause = exc.__cause__ or exc
    return f"{_text(cause)} (the package is not a complete Excel workbook)"


def _text(exc: BaseException) -> str:
    """An exception as one line: its message, or its type when it has none."""
    message = " ".join(str(exc).split())
    if isinstance(exc, KeyError) and exc.args:
        message = str(exc.args[0])
    return message or type(exc).__name__


def _read_sheet(ws: Any) -> tuple[Cells, CellProblem | None]:
    """The cells of a read-only worksheet, and a problem where its XML breaks off."""
    cells: Cells = {}
    last = "A1"
    book = ws.parent
    with ws._get_source() as source:  # openpyxl's read-only worksheet: the sheet's XML part
        parser = _CellParser(source, ws._shared_strings, data_only=True, epoch=book.epoch,
                             date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        try:
            for cell in parser.cells():
                where = (cell["row"], cell["column"])
                if where in cells:
                    cell["value"] = Unreadable(f"{cells[where]!r} and {cell['value']!r}",
                                               f"one value: the cell is written twice in the file; {_REPAIR}")
                cells[where] = cell["value"]
                last = cell["coordinate"]
        except (_SheetDamage, SyntaxError, ValueError) as exc:
            return cells, CellProblem(ws.title, last, "sheet XML", _text(exc),
                                      f"readable cells after {last}; {_REPAIR}")
    return cells, None


class _CellParser(WorkSheetParser):
    """openpyxl's sheet parser, reading only cells, that turns a cell it cannot convert into ``Unreadable``."""

    row_counter: int
    col_counter: int
    shared_strings: list[str]

    def cells(self) -> Iterator[dict[str, Any]]:
        """Every cell element in file order: row, column, coordinate, value."""
        for _, element in iterparse(self.source):
            if element.tag == ROW_TAG:
                try:
                    _, cells = self.parse_row(element)
                except ValueError as exc:  # the row's own number (a cell's problems are _SheetDamage or values)
                    raise _SheetDamage(f"a row numbered {element.get('r')!r} ({exc})") from None
                yield from cells
                element.clear()

    def parse_cell(self, element: Any) -> dict[str, Any]:
        reference = element.get("r")
        if reference is not None:
            position = _position(reference)
            if position is None:
                raise _SheetDamage(f"a cell reference {reference!r} that is not a cell of a sheet")
            row, column = position
        else:
            row, column = self.row_counter, self.col_counter + 1
            if not (1 <= row <= _MAX_ROW and column <= _MAX_COLUMN):
                raise _SheetDamage(f"a cell without a reference in row {row}, column {column}")
        kind, stored, inline = element.get("t", "n"), element.find(VALUE_TAG), element.find(INLINE_STRING)
        value: Any
        if kind not in _KINDS or (inline is not None and kind != "inlineStr") or (
                kind == "inlineStr" and stored is not None):
            value = Unreadable(f"{_content(stored, inline)!r} in a cell of type {kind!r}",
                               f"a value stored as its type says; {_REPAIR}")
        elif kind == "s" and stored is not None and not _valid_index(stored.text, len(self.shared_strings)):
            value = Unreadable(f"shared string #{stored.text} (the file has {len(self.shared_strings)})",
                               f"a value the file holds; {_REPAIR}")
        elif kind == "b" and stored is not None and stored.text not in ("0", "1"):
            value = Unreadable(f"{stored.text!r} stored as TRUE/FALSE", f"1 or 0 for TRUE or FALSE; {_REPAIR}")
        else:
            try:
                value = super().parse_cell(element)["value"]
            except (ValueError, IndexError, TypeError, OverflowError, KeyError):
                value = Unreadable(f"{(stored.text if stored is not None else '')!r} stored as "
                                   f"{_KINDS.get(kind, repr(kind))}", f"a value the file can hold there; {_REPAIR}")
            if kind == "e":
                value = Unreadable(f"{value} (an error value)", "a value, not an error: correct the formula")
            elif element.find(FORMULA_TAG) is not None and (stored is None or (not stored.text and kind != "str")):
                value = Unreadable(f"={element.findtext(FORMULA_TAG) or ''} (a formula with no saved result)",
                                   "a saved value: open the workbook in Excel or LibreOffice, recalculate and save")
        self.col_counter = column
        return {"row": row, "column": column, "value": value, "coordinate": reference or _name(row, column)}


_KINDS = {"n": "a number", "s": "a shared string", "b": "TRUE/FALSE", "d": "a date", "str": "text",
          "inlineStr": "text", "e": "an error"}


def _content(stored: Any, inline: Any) -> str:
    """What a cell element holds, as text (its value, else its inline text)."""
    if stored is not None:
        return stored.text or ""
    return "".join(inline.itertext()) if inline is not None else ""


def _valid_index(text: str | None, count: int) -> bool:
    return text is not None and text.strip().isdigit() and int(text) < count


@functools.lru_cache(maxsize=1 << 16)
def _position(reference: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, None if it is not a cell of an Excel sheet."""
    match = _COORDINATE.fullmatch(reference)
    if match is None:
        return None
    row, column = int(match[2]), column_index_from_string(match[1].upper())
    return (row, column) if row <= _MAX_ROW and column <= _MAX_COLUMN else None


def _name(row: int, column: int) -> str:
    return f"{openpyxl.utils.get_column_letter(column)}{row}"
