"""Writing tables into write-only openpyxl sheets that read well on screen and on paper.

Cells carry number formats and styles; text a spreadsheet would run as a formula is stored as text.
Every column is at least as wide as its widest formatted value (never ``###``), headers wrap instead of
widening a column, and every sheet has a print setup: A4, its orientation, fitted to one page wide,
header rows repeated on each page, a footer with the sheet name and page number.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .formula_text import looks_like_formula

USD = '"$"#,##0.00'
WHOLE_USD = '"$"#,##0'
PRICE = '"$"#,##0.00####'
COUNT = "#,##0"
QTY = "#,##0.00"
PERCENT = "0.0%"

Style = tuple[Font, PatternFill]
HEADER: Style = (Font(bold=True), PatternFill("solid", fgColor="D9E1F2"))
CHEAPEST: Style = (Font(bold=True, color="006100"), PatternFill("solid", fgColor="C6EFCE"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="bottom")
LINE_HEIGHT = 15.0  # points per line of 11-point text
MIN_WIDTH = 6  # characters


@dataclass(frozen=True)
class Column:
    """A table column: header, number format (None: as is) and width limit (characters); text longer than the
    limit wraps when ``wrap``."""

    header: str
    fmt: str | None = None
    max_width: int = 50
    wrap: bool = False


def cell(ws, value: Any, fmt: str | None = None, style: Style | None = None,
         align: Alignment | None = None) -> Any:
    """A cell for ``ws.append``: formula-like text stored as text (quote prefix), numbers formatted with ``fmt``."""
    if looks_like_formula(value):
        out = WriteOnlyCell(ws, value)
        out.data_type, out.quotePrefix = "s", True
    elif fmt is None and style is None and align is None:
        return value
    else:
        out = WriteOnlyCell(ws, value)
    if fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        out.number_format = fmt
    if style is not None:
        out.font, out.fill = style
    if align is not None:
        out.alignment = align
    return out


def shown(value: Any, fmt: str | None) -> str:
    """``value`` about as a spreadsheet shows it with number format ``fmt`` (for widths; never narrower)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).upper()
    if not isinstance(value, (int, float)) or fmt is None:
        return str(value)
    if "%" in fmt:
        decimals = len(fmt.partition(".")[2].rstrip("%"))
        return f"{value:.{decimals}%}"
    decimals = len(re.sub(r"[^0#]", "", fmt.partition(".")[2])) if "." in fmt else 0
    return ("$" if "$" in fmt else "") + f"{value:,.{decimals}f}"


def widths(columns: list[Column], rows: Iterable[tuple]) -> list[float]:
    """Column widths (characters): the widest formatted value, at least the longest header word, within limits."""
    widest = [max(len(w) for w in col.header.split()) if col.header.strip() else 0 for col in columns]
    for row in rows:
        for i, (value, col) in enumerate(zip(row, columns, strict=False)):
            widest[i] = max(widest[i], len(shown(value, col.fmt)))
    return [min(max(w + 2, MIN_WIDTH), col.max_width) for w, col in zip(widest, columns, strict=True)]


def lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped at word boundaries within ``width`` characters (for row heights)."""
    return sum(len(textwrap.wrap(part, max(int(width) - 2, 1))) or 1 for part in str(text).split("\n"))


def write_table(ws, columns: list[Column], rows: Iterable[tuple], *, freeze: str = "B2",
                marked: Callable[[tuple], bool] = lambda row: False, measure: Iterable[tuple] = (),
                progress: Callable[[int], None] | None = None, print_columns: int | None = None) -> int:
    """Write a header row (frozen, repeated on printed pages) and ``rows``; return the number of cells with a value.

    Widths come from the first 500 rows and ``measure`` (rows that are not written, e.g. those of the largest
    headcount, where the widest figures are); a row whose wrapping text needs more lines gets the height for
    them. Rows for which ``marked(row)`` is true are highlighted (the cheapest scenario); ``progress(n)`` is told
    every 1,000 rows written; ``print_columns`` limits the print area to the first columns.
    """
    rows = iter(rows)
    head = list(islice(rows, 500))
    sizes = widths(columns, chain(head, measure))
    for i, size in enumerate(sizes, start=1):
        ws.column_dimensions[get_column_letter(i)].width = size
    ws.row_dimensions[1].height = LINE_HEIGHT * max(lines(c.header, w) for c, w in zip(columns, sizes, strict=True))
    ws.freeze_panes = freeze
    ws.print_title_rows = "1:1"
    ws.append([cell(ws, col.header, None, HEADER, HEADER_ALIGN) for col in columns])
    wrapped = [(i, size) for i, (col, size) in enumerate(zip(columns, sizes, strict=True)) if col.wrap]
    cells, written = len(columns), 0
    for row in chain(head, rows):
        style = CHEAPEST if marked(row) else None
        height = max((lines(row[i], size) for i, size in wrapped if isinstance(row[i], str)), default=1)
        if height > 1:
            ws.row_dimensions[written + 2].height = LINE_HEIGHT * height
        ws.append([cell(ws, v, col.fmt, style, WRAP if col.wrap and isinstance(v, str) else TOP if height > 1
                        else None) for v, col in zip(row, columns, strict=False)])
        if height > 1:
            del ws.row_dimensions[written + 2]  # written with its row: keep memory flat on long sheets
        cells += sum(v is not None for v in row)
        written += 1
        if progress is not None and written % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(written % 1000)
    if print_columns is not None:
        ws.print_area = f"A1:{get_column_letter(print_columns)}{written + 1}"
    return cells


def print_setup(ws, *, landscape: bool = True, one_page: bool = False) -> None:
    """A4, fitted to one page wide (and tall when ``one_page``), narrow margins, footer 'sheet — page n of m'.

    Call before the first row is written (write-only sheets write their properties first).
    """
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    ws.oddFooter.center.text = "&A — page &P of &N"
