"""`tco-xl reconcile`: every figure of the seed report against the engine, as docs/seed-reconciliation.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import TcoError
from ..io.atomic import write_bytes_atomic
from ..reconcile import markdown
from .app import WorkbookOpt, app, console, load, user_errors


@app.command()
@user_errors
def reconcile(
    out: Annotated[Path, typer.Option("--out", "-o", help="Markdown file to write.")] = Path(
        "docs/seed-reconciliation.md"),
    check: Annotated[bool, typer.Option("--check", help="Write nothing; fail if OUT is not up to date.")] = False,
    workbook: WorkbookOpt = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="The seed report (markdown); default docs/seed-report.md of the repository.")] = None,
) -> None:
    """Write the reconciliation of every figure of the seed report with the engine."""
    text = markdown(load(workbook), report)
    if check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            raise TcoError(f"{out} is not up to date: run `tco-xl reconcile --out {out}`")
        console.print(f"{out} is up to date")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(out, text.encode("utf-8"))
    console.print(f"wrote {out}")
