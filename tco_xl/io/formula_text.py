"""Text a spreadsheet would run as a formula: the one rule that snapshots and CSV output share.

A name from a workbook such as ``=HYPERLINK(...)`` or ``@SUM(A1)`` must reach a spreadsheet as text. The
snapshot stores such a cell as text with a quote prefix; CSV output, which carries no types, starts it
with an apostrophe, which Excel and LibreOffice show as a text marker and never evaluate.
"""

from __future__ import annotations

from typing import Any

#: A cell starting with one of these is read as a formula by Excel or LibreOffice (tab and carriage return too).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """True for text that a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: formula-like text with an apostrophe in front, anything else as it is."""
    return f"'{value}" if looks_like_formula(value) else value
