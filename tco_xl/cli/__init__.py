"""The `tco-xl` command line: thin commands over the engine, the workbook I/O and the analyses."""

from __future__ import annotations

from .app import app
from . import reconcile, report  # noqa: F401  (register commands)


def main() -> None:
    """Entry point of the `tco-xl` console script."""
    app()
