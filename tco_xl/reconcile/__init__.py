"""Reconciliation with the seed report: every figure it states, read from its markdown, against the engine.

    report.py      the report parsed: tables, rows, columns, every figure in tables, prose and headings
    mapping.toml   which engine quantity each figure is, or why it has none (data, reviewed like code)
    mapping.py     that file read and matched to figures
    quantities.py  the engine quantities the mapping may name (through the engine's public API)
    expressions.py the mapping's expressions and reason templates (every number in a reason is computed)
    rows.py        each figure reconciled: engine value, status, reason (totals decomposed row by row)
    document.py    docs/seed-reconciliation.md
"""

from __future__ import annotations

from pathlib import Path

from ..assumptions import Assumptions, default_assumptions
from ..errors import TcoError
from .document import markdown as _markdown
from .mapping import default_mapping
from .report import Figure, Report
from .rows import DIFFERS, NOT_COMPARABLE, SAME, UNMAPPED, Reconciliation, Row

#: Where the report lives in the repository (docs/ beside the reconciliation it is cited by).
REPORT_NAME = "seed-report.md"


def default_report_path() -> Path:
    """docs/seed-report.md of the repository this package is in, else of the current directory."""
    beside_package = Path(__file__).resolve().parents[2] / "docs" / REPORT_NAME
    return beside_package if beside_package.exists() else Path("docs") / REPORT_NAME


def reconciliation(a: Assumptions | None = None, report: Path | None = None) -> Reconciliation:
    """Every figure of the report (``report``, default docs/seed-report.md) against the engine at ``a``."""
    path = report or default_report_path()
    if not path.exists():
        raise TcoError(f"seed report not found: {path} (run in the repository, or pass --report PATH)")
    return Reconciliation(Report.read(path), a or default_assumptions(), default_mapping())


def markdown(a: Assumptions | None = None, report: Path | None = None) -> str:
    """docs/seed-reconciliation.md as text."""
    return _markdown(reconciliation(a, report))


__all__ = ["DIFFERS", "NOT_COMPARABLE", "SAME", "UNMAPPED", "Figure", "Reconciliation", "Report", "Row",
           "default_report_path", "markdown", "reconciliation"]
