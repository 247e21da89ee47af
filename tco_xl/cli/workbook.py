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
def check(path: Annotated[Path, typer.Argument(help="Workbook to validate (.xlsm/.xlsx).")]) -> None:
    """Read every assumption of a workbook and price every scenario at 1 and 1,000,000 agents; print OK and
    warnings (price lines no scenario prices), or every problem with its sheet!cell (exit 1)."""
    from ..assumptions import reference_warnings
    from ..engine import evaluate
    from ..engine.inputs import MAX_AGENTS
    from ..io.workbook import load_assumptions
    a = load_assumptions(path)
    evaluate(a, [1, MAX_AGENTS])  # every scenario prices to finite numbers from 1 to the largest headcount
    tables = ", ".join(f"{len(getattr(a, t.table))} {t.name}" for t in TABLE_SHEETS)
    console.print(f"OK {path}: {len(a.scalars())} assumptions; {tables} rows; content hash {a.content_hash()[:12]}",
                  highlight=False)
    by_why: dict[str, list[str]] = {}
    for w in reference_warnings(a):
        key = ".".join(map(str, w.loc)).replace(".", "[", 1).replace(".", "].", 1)  # options[6].group
        by_why.setdefault(w.why, []).append(f"{w.name} ({a.origins.get(key, key)})")
    for why, names in by_why.items():
        console.print(f"warning: {len(names)} {why}: {', '.join(names)}", highlight=False, soft_wrap=True)
