"""`tco-xl levers`: every what-if's saving per scenario, ranked, beside the saving the report claims."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from ..analysis.levers import COMBINED, grouped_levers
from ..analysis.levers import levers as lever_table
from ..engine import scenario_key
from .app import AgentsOpt, Format, FormatOpt, WhatIfOpt, WorkbookOpt, app, console, load, user_errors
from .output import Col, money_col, print_csv, print_json, print_table, records
from .report import applied

#: Money fields of `levers` output (to the cent in JSON and CSV).
MONEY = frozenset({"year1_before", "year1_after", "year1_saving", "tco_before", "tco_after", "tco_saving",
                   "separate_sum"})


@app.command()
@user_errors
def levers(
    agents: AgentsOpt = ["47"],  # noqa: B006 (typer reads the default)
    combine: Annotated[list[str] | None, typer.Option(
        "--combine", metavar="NAME", help="Price these what-ifs together (repeat; default: every what-if that saves "
                                          "money somewhere and is not a comparison between stacks).")] = None,
    scenario: Annotated[list[str] | None, typer.Option(
        "--scenario", "-s", help="Only this scenario (repeat for several; default: every scenario).")] = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
    what_if: WhatIfOpt = None,
) -> None:
    """What each what-if of the What-ifs sheet (the report's savings levers) saves in every scenario, Year 1 and
    N-year TCO, from the largest saving to the largest cost, beside the saving the report claims; and what the
    levers save priced together (not added up: they interact). A negative saving is a cost."""
    a = load(workbook, what_if)
    keys = list(dict.fromkeys(scenario_key(a, s, "--scenario") for s in scenario)) if scenario else None
    df = lever_table(a, agents, combine, keys)
    horizon = a.finance.horizon_years
    if fmt is Format.json:
        print_json({"horizon_years": horizon, "currency": "USD", "what_ifs": list(a.what_ifs_applied),
                    "not_priced": df.attrs["not_priced"], "rows": records(df)}, MONEY)
        return
    if fmt is Format.csv:
        print_csv(df, MONEY)
        return
    cols = [Col("rank", "#"), Col("what_if", "What-if"), Col("scenarios", "Scenarios"),
            money_col("year1_saving", "Year 1 saving"), money_col("tco_saving", f"{horizon}-year saving"),
            Col("claimed", "Report claims", drop=1)]
    for n, block in df.groupby("agents", sort=False):
        rows, notes = _grouped(block, horizon, df.attrs["not_priced"])
        print_table(console, f"{n} agents — what each lever saves (USD; negative: a cost), largest {horizon}-year "
                             f"saving first, costs last{applied(a)}", cols, rows)
        for note in notes:
            console.print(note, highlight=False, markup=False, soft_wrap=True)


def _grouped(block: pd.DataFrame, horizon: int, not_priced: dict[str, str]) -> tuple[list[tuple], list[str]]:
    """Table rows of one headcount (``grouped_levers``: scenarios with the same saving on one row, the rank, name
    and claim on a lever's first row only) and the notes under the table: a comparison's change per cost category,
    the combination against the sum of its what-ifs' separate savings."""
    rows, notes = [], []
    n = int(block.agents.iloc[0])
    for name, lever in grouped_levers(block, not_priced).groupby("what_if", sort=False):
        first = lever.iloc[0]
        rank = "" if pd.isna(first["rank"]) else int(first["rank"])
        combined = first.kind == "combined"
        label = f"{COMBINED.rstrip(': ')} (priced together): {name.removeprefix(COMBINED)}" if combined else name
        claimed = "(each above)" if combined else first.claimed
        for r in lever.itertuples():
            who = r.scenarios if r.scenario_count or r.kind == "not priced" else f"no change at {n:,} agents"
            rows.append((rank, label, who, r.year1_saving, r.tco_saving, claimed))
            rank, label, claimed = "", "", ""
            if r.categories:
                notes.append(f"{name}, {r.scenarios} at {n:,} agents: {r.categories}.")
        if combined:
            whole = block[block.what_if == name]
            best = whole.loc[whole.tco_saving.idxmax()]
            notes.append(f"Priced together in {best['name']}: {best.tco_saving:,.2f} over {horizon} years; the "
                         f"separate savings of the same what-ifs add up to {best.separate_sum:,.2f} (they interact).")
    return rows, notes
