"""`tco-xl export` (a snapshot workbook of what the model says) and `tco-xl diff` (what changed between two)."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..engine.inputs import agent_grid
from ..errors import InputError
from ..io.diff import TotalChange, diff_snapshots, read_snapshot, render, snapshot_in_memory
from ..io.libreoffice import NOT_INSTALLED, LibreOfficeError, soffice_path, to_pdf
from ..io.live_workbook import export_live
from ..io.snapshot import ANALYSIS_MAX_HEADCOUNTS, creation_time, export_snapshot, provenance, snapshot_data
from .app import AgentsOpt, WhatIfOpt, WorkbookOpt, app, err_console, load, user_errors
from .output import LazyProgress

#: Exit status of `tco-xl diff --fail-above` when an N-year TCO rose by more than the limit (errors exit 1).
GATE_FAILED = 3


def _tco_rise(t: TotalChange) -> float | None:
    """The relative N-year TCO change of a pair, None when there is none (from zero, or no TCO)."""
    return t.tco.pct if t.tco is not None else None


def _created(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError("--created", value, "an ISO 8601 time such as 2026-03-01T09:00:00Z") from None


@app.command()
@user_errors
def export(
    agents: AgentsOpt = ["47", "100", "500"],  # noqa: B006 (typer reads the default)
    workbook: WorkbookOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the snapshot into (created if "
                                                          "missing).", file_okay=False)] = Path("."),
    created: Annotated[str | None, typer.Option(
        help="Creation time to record, ISO 8601 (default: SOURCE_DATE_EPOCH, else now). "
             "A fixed time gives byte-identical snapshots.")] = None,
    analysis: Annotated[bool | None, typer.Option(
        "--analysis/--no-analysis", help="Add break-even, sensitivity and uncertainty sheets "
                                         f"(default: on up to {ANALYSIS_MAX_HEADCOUNTS} headcounts).")] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also write the snapshot as a PDF beside it (LibreOffice headless renders it).")] = False,
    live: Annotated[bool, typer.Option(
        "--live", help="Write the live workbook instead: the whole model as native formulas, editable in Excel, "
                       "LibreOffice or Google Sheets (docs/live-workbook.md).")] = False,
    what_if: WhatIfOpt = None,
) -> None:
    """Write a snapshot .xlsx: a one-page Summary, every scenario × headcount, charts, line items, assumptions,
    capacity, analyses (with what each what-if saves) and metadata; with --pdf also its PDF."""
    if pdf and soffice_path() is None:
        raise LibreOfficeError(f"--pdf: {NOT_INSTALLED} (nothing was written)")
    a = load(workbook, what_if)
    if live:
        if pdf:
            raise InputError("--pdf", "--live",
                             "--pdf without --live (the PDF prints a snapshot, not the live workbook)")
        done = export_live(a, agent_grid(agents, "--agents"), out)
        err_console.print(f"wrote {done.cells:,} cells, {done.size:,} bytes", highlight=False)
        print(done.path)
        return
    data = snapshot_data(a, agents, provenance(workbook), _created(created), analysis)
    with LazyProgress(err_console, f"Writing the snapshot of {len(data.agents):,} headcounts") as progress:
        result = export_snapshot(data, out, progress)
    err_console.print(f"wrote {result.cells:,} cells, {result.size:,} bytes", highlight=False)
    print(result.path)
    if pdf:
        with err_console.status("Rendering the PDF with LibreOffice"):
            print(to_pdf(result.path))


class DiffFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
@user_errors
def diff(
    old: Annotated[Path | None, typer.Argument(help="The earlier snapshot (.xlsx written by `tco-xl export`).",
                                               metavar="OLD.xlsx", dir_okay=False, show_default=False)] = None,
    new: Annotated[Path | None, typer.Argument(help="The later snapshot.", metavar="NEW.xlsx", dir_okay=False,
                                               show_default=False)] = None,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.text,
    fail_above: Annotated[float | None, typer.Option(
        "--fail-above", metavar="PCT", min=0,
        help=f"Exit {GATE_FAILED} when any N-year TCO rose by more than PCT percent (a CI gate).")] = None,
    what_if: Annotated[list[str] | None, typer.Option(
        "--what-if", metavar="NAME", help="Instead of two files: what the what-if NAME changes (repeat to apply "
                                          "several, in order), the workbook's assumptions without it against "
                                          "with it.")] = None,
    workbook: Annotated[Path | None, typer.Option(
        "--workbook", "-w", dir_okay=False, help="With --what-if: the assumptions (default: the bundled "
                                                 "defaults).")] = None,
    agents: Annotated[list[str] | None, typer.Option(
        "--agents", "-a", help="With --what-if: the headcounts compared (repeat; default 47, 100, 500).")] = None,
) -> None:
    """What changed between two snapshots, or what a what-if changes: assumptions, Year 1 / annual / N-year TCO,
    the cheapest scenario."""
    if what_if:
        if old is not None:
            raise InputError("OLD.xlsx", str(old), "no snapshot files with --what-if (it compares the workbook's "
                                                   "assumptions without and with the what-if)")
        base, now = load(workbook), creation_time()
        counts, source = agents or ["47", "100", "500"], provenance(workbook)
        sides = [(base, "without what-ifs"), (base.with_what_ifs(what_if, "--what-if"),
                                              f"with {' + '.join(base.with_what_ifs(what_if).what_ifs_applied)}")]
        result = diff_snapshots(*(snapshot_in_memory(snapshot_data(x, counts, source, now, analysis=False), label)
                                  for x, label in sides))
    elif old is None or new is None:
        raise InputError("NEW.xlsx" if old is not None else "OLD.xlsx", None,
                         "two snapshot files to compare (OLD.xlsx NEW.xlsx), or --what-if NAME")
    elif workbook is not None or agents:
        raise InputError("--workbook" if workbook is not None else "--agents", str(workbook or agents),
                         "nothing when comparing two files (they hold their assumptions and headcounts); "
                         "these go with --what-if")
    else:
        result = diff_snapshots(read_snapshot(old), read_snapshot(new))
    sys.stdout.write(render(result, fmt.value))
    if fail_above is not None:
        risen = result.tco_rises_above(fail_above)
        if risen:
            worst = max(risen, key=lambda t: rise if (rise := _tco_rise(t)) is not None else float("inf"))
            worst_rise = _tco_rise(worst)
            pct = f"{worst_rise:+.1%}" if worst_rise is not None else "from zero"
            err_console.print(f"[bold red]gate:[/] N-year TCO rose by more than {fail_above:g}% for {len(risen)} "
                              f"scenario × headcount pair(s); largest: {worst.name} at {worst.agents:,} agents "
                              f"({pct})", highlight=False)
            raise typer.Exit(GATE_FAILED)
