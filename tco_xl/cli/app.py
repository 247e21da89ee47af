"""The Typer application and what every command shares: workbook option, output format, error exits."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..assumptions import Assumptions, default_assumptions
from ..errors import TcoError, WorkbookError
from .output import output_width

app = typer.Typer(help="Total cost of ownership of contact-center infrastructure.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
console = Console()  # its width is set per command (output_width: $COLUMNS, the terminal, or wide for a file)
err_console = Console(stderr=True)

WorkbookOpt = Annotated[Path | None, typer.Option(
    "--workbook", "-w", help="Read assumptions from this .xlsm/.xlsx (default: the bundled defaults, "
                             "which equal workbook/TCO.xlsm).")]
AgentsOpt = Annotated[list[str], typer.Option(
    "--agents", "-a", help="Headcount (whole number >= 1); repeat for several.")]
WhatIfOpt = Annotated[list[str] | None, typer.Option(
    "--what-if", help="Apply this what-if of the What-ifs sheet (e.g. 'SIP trunking'; `tco-xl levers` lists them); "
                      "repeat to apply several, in order.", metavar="NAME")]


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]


def load(workbook: Path | None, what_ifs: list[str] | None = None) -> Assumptions:
    """Assumptions from ``workbook``, or the bundled defaults, with the what-ifs ``what_ifs`` applied in order;
    a snapshot passed instead is named as such."""
    a = _read(workbook)
    return a.with_what_ifs(what_ifs, "--what-if") if what_ifs else a


def _read(workbook: Path | None) -> Assumptions:
    if workbook is None:
        return default_assumptions()
    from ..io.workbook import load_assumptions
    try:
        return load_assumptions(workbook)
    except WorkbookError:
        from ..io.snapshot import snapshot_metadata
        meta = snapshot_metadata(workbook)
        if meta is None:
            raise
        source = meta.get("assumptions_source") or "the assumptions workbook"
        raise TcoError(f"--workbook: {workbook} is a tco_xl snapshot (what `tco-xl export` writes), not an "
                       f"assumptions workbook. Pass the workbook it was made from instead (its Metadata records: "
                       f"{source}), e.g. --workbook workbook/TCO.xlsm") from None


def user_errors(fn: Callable) -> Callable:
    """Turn tco_xl errors into a clear message on stderr and exit code 1 (no traceback)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TcoError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
            sys.exit(1)
    return wrapper


@app.callback()
def _root() -> None:
    """tco-xl: every command reads the bundled defaults or --workbook, and prints or writes results."""
    console.width = output_width()
