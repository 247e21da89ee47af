"""`tco-xl reconcile`: every figure of the seed report against the engine, as docs/seed-reconciliation.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError, TcoError
from ..io.atomic import write_bytes_atomic
from ..reconcile import markdown
from .app import WorkbookOpt, app, console, load, user_errors

#: The document in the source checkout this package runs from (whatever the current folder).
CHECKOUT_DOC = Path(__file__).resolve().parents[2] / "docs" / "seed-reconciliation.md"


def _target(out: Path | None) -> Path:
    """``out`` (its folder must exist: nothing is created silently), else the checkout's document."""
    if out is None:
        if not CHECKOUT_DOC.parent.is_dir():
            raise InputError("--out", None, f"a file to write: there is no tco_xl source checkout here to hold "
                                            f"{CHECKOUT_DOC.relative_to(CHECKOUT_DOC.parents[1])}")
        return CHECKOUT_DOC
    if not out.parent.is_dir():
        raise InputError("--out", str(out), f"a file in an existing folder ({out.parent} does not exist)")
    return out


@app.command()
@user_errors
def reconcile(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", dir_okay=False, help="Markdown file to write (default: docs/seed-reconciliation.md of the "
                                            "tco_xl checkout, wherever you run it).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; fail if OUT is not up to date.")] = False,
    workbook: WorkbookOpt = None,
    report: Annotated[Path | None, typer.Option(
        "--report", help="The seed report (markdown); default docs/seed-report.md of the repository.")] = None,
) -> None:
    """Write the reconciliation of every figure of the seed report with the engine."""
    out = _target(out)
    text = markdown(load(workbook), report)
    if check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            raise TcoError(f"{out} is not up to date: run `tco-xl reconcile --out {out}`")
        console.print(f"{out} is up to date")
        return
    write_bytes_atomic(out, text.encode("utf-8"))
    console.print(f"wrote {out}")
