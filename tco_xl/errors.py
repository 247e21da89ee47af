"""Errors users see: each names the field (or sheet!cell), the value found and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TcoError(Exception):
    """Base of every tco_xl error shown to a user."""


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
        super().__init__(f"{field}: expected {expected}, got {value!r}")


@dataclass(frozen=True)
class CellProblem:
    """One bad workbook cell."""

    sheet: str
    cell: str
    assumption: str
    found: Any
    expected: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell} ({self.assumption}): found {self.found!r}, expected {self.expected}"


class WorkbookError(TcoError):
    """Every problem found while reading a workbook, reported at once."""

    def __init__(self, path: str, problems: list[CellProblem] | None = None, message: str | None = None):
        self.path, self.problems = path, list(problems or [])
        lines = [message or f"{path}: {len(self.problems)} problem(s) in the assumptions"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))
