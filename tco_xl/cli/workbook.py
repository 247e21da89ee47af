"""`tco-xl workbook build` and `tco-xl workbook check`: the finance team's workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..io.layout import DEFAULT_WORKBOOK, TABLE_SHEETS
from .app import app, console, user_errors

workbook_app = typer.Typer(help="Build the assumptions workbook (TCO.xlsm) or check one.", no_args_is_help=True)
app.add_typer(workbook_app, name="workbook")


@workbook_app.command()
@user_errors
def build(out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="Workbook to write.")]
          = DEFAULT_WORKBOOK) -> None:
    """Write TCO.xlsm from the bundled defaults and xlwings' template, and xlwings_udfs.bas beside it."""
    from ..io.template import build_workbook
    build_workbook(out)
    console.print(f"wrote {out} and {out.with_name('xlwings_udfs.bas')}", highlight=False)


@workbook_app.command()
@user_errors
def check(path: Annotated[Path, typer.Argument(dir_okay=False, help="Workbook to validate (.xlsm/.xlsx).")]) -> None:
    """Read every assumption of a workbook; print OK, or every problem with its sheet!cell (exit 1)."""
    from ..io.workbook import load_assumptions
    a = load_assumptions(path)
    tables = ", ".join(f"{len(getattr(a, t.table))} {t.name}" for t in TABLE_SHEETS)
    console.print(f"OK {path}: {len(a.scalars())} assumptions; {tables} rows; content hash {a.content_hash()[:12]}",
                  highlight=False)
