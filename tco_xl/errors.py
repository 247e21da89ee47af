"""Errors users see: each names the field (or sheet!cell), the value found and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TcoError(Exception):
    """Base of every tco_xl error shown to a user."""


def shown(value: Any, nothing: str = "nothing") -> str:
    """A value as an error message quotes it: '0', 47.5, 'abc' — numpy scalars as the Python values they hold
    (never ``np.str_('0')``), and None as ``nothing`` ('an empty cell' for a workbook cell)."""
    if value is None:
        return nothing
    item = getattr(value, "item", None)
    if type(value).__module__ == "numpy" and callable(item):
        value = item()
    return repr(value)


class RangeSize:
    """A range argument as an error shows it: 'a range of 2 × 1 cells' (a single value counts as one cell)."""

    def __init__(self, value: Any):
        rows = value if isinstance(value, (list, tuple)) else [[value]]
        self.rows = len(rows)
        self.columns = max((len(r) if isinstance(r, (list, tuple)) else 1 for r in rows), default=1)

    def __repr__(self) -> str:
        return f"a range of {self.rows} × {self.columns} cells"


class InputError(TcoError, ValueError):
    """A bad argument: ``field`` got ``value``, expected ``expected``."""

    def __init__(self, field: str, value: Any, expected: str):
        self.field, self.value, self.expected = field, value, expected
        super().__init__(f"{field}: expected {expected}, got {shown(value)}")


@dataclass(frozen=True)
class CellProblem:
    """One bad workbook cell."""

    sheet: str
    cell: str
    assumption: str
    found: Any
    expected: str

    def __str__(self) -> str:
        found = shown(self.found, "an empty cell")
        return f"{self.sheet}!{self.cell} ({self.assumption}): found {found}, expected {self.expected}"


class WorkbookError(TcoError):
    """Every problem found while reading a workbook, reported at once."""

    def __init__(self, path: str, problems: list[CellProblem] | None = None, message: str | None = None):
        self.path, self.problems = path, list(problems or [])
        lines = [message or f"{path}: {len(self.problems)} problem(s) in the assumptions"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class NonFiniteResult(TcoError):
    """A result that is not a finite number (an overflow): the message names the line item and its inputs."""


class WriteError(TcoError):
    """A file that could not be written: the message names the file, its folder and the reason."""
