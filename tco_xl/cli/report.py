"""`tco-xl report`: every scenario side by side, or one scenario's line items."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from ..assumptions.keys import readable_key, stable_keys
from ..engine import compare, evaluate, scenario_key
from ..engine.inputs import COMPARISON_METRICS, agent_grid, llm_key, metric_label
from .app import AgentsOpt, Format, FormatOpt, WhatIfOpt, WorkbookOpt, app, console, load, user_errors
from .output import Col, money_col, print_csv, print_json, print_table, records

#: Money fields of `report` output (to the cent in JSON and CSV).
MONEY = frozenset({*COMPARISON_METRICS, "one_time", "margin", "monthly_usd", "one_time_usd", "annual_usd"})
#: Comparison columns left out, in this order, when the terminal is too narrow (Year 1 and N-year TCO never are).
_DROP = {"monthly": 1, "per_agent_month": 2, "annual": 3}


@app.command()
@user_errors
def report(
    agents: AgentsOpt = ["47"],  # noqa: B006 (typer reads the default)
    fmt: FormatOpt = Format.table,
    breakdown: Annotated[str | None, typer.Option(
        "--breakdown", "-b", help="Print this scenario's line items with their derivation.")] = None,
    llm: Annotated[str | None, typer.Option(
        "--llm", help="Price every scenario with this LLM API model (e.g. gpt-4o), or 'self_hosted' where "
                      "Mac Studios run it.")] = None,
    workbook: WorkbookOpt = None,
    what_if: WhatIfOpt = None,
) -> None:
    """Year 1, annual (years 2..N), N-year TCO, monthly and per agent per month for every scenario."""
    a = load(workbook, what_if)
    if llm is not None:
        a = with_llm(a, llm)
    counts = agent_grid(agents, "--agents")
    if breakdown is not None:
        _breakdown(a, scenario_key(a, breakdown, "--breakdown"), counts, fmt)
        return
    df = compare(counts, a)
    if fmt is Format.json:
        print_json({"horizon_years": a.finance.horizon_years, "currency": "USD",
                    "what_ifs": list(a.what_ifs_applied), "rows": records(df)}, MONEY)
    elif fmt is Format.csv:
        print_csv(df, MONEY)
    else:
        horizon = a.finance.horizon_years
        cols = [Col("rank", "#", "d"), Col("name", "Scenario"),
                *(money_col(m, metric_label(m, horizon), _DROP.get(m, 0)) for m in COMPARISON_METRICS)]
        for n, block in df.groupby("agents", sort=False):
            rows = [(r.rank, f"{r.name} ◀ cheapest" if r.cheapest else r.name, *(getattr(r, m) for m in
                     COMPARISON_METRICS)) for r in block.itertuples()]
            print_table(console, f"{n} agents — sorted by {horizon}-year TCO (USD){applied(a)}", cols, rows,
                        ["bold green" if c else None for c in block.cheapest])


def applied(a) -> str:
    """' — what-ifs: SIP trunking, …' for a table title when what-ifs are applied, else ''."""
    return f" — what-if: {' + '.join(a.what_ifs_applied)}" if a.what_ifs_applied else ""


def with_llm(a, value: str):
    """The assumptions with every stack's LLM inference set to ``value`` (checked against the models table)."""
    return a.with_llm(llm_key(a, value, "--llm"))


def _breakdown(a, key, counts, fmt: Format) -> None:
    result = evaluate(a, counts, [key])[key]
    keys = stable_keys(a)
    frames = []
    for i, n in enumerate(counts):
        point = result.at(i)
        df = point.breakdown()
        df.insert(0, "agents", int(n))
        df["assumptions"] = [", ".join(readable_key(keys, k) for k in c.keys) for c in point.components]
        frames.append((int(n), point, df))
    if fmt is Format.json:
        print_json([{"agents": n, "scenario": key, "year1": p.year1, "annual": p.annual, "tco": p.tco,
                     "monthly": p.monthly, "items": records(df.drop(columns="agents"))} for n, p, df in frames], MONEY)
        return
    if fmt is Format.csv:
        print_csv(pd.concat([df for _, _, df in frames]), MONEY)
        return
    cols = [Col("category", "Category", drop=1), Col("item", "Item"), money_col("monthly_usd", "Monthly"),
            money_col("one_time_usd", "One-time"), Col("derivation", "Derivation")]
    for n, p, df in frames:
        rows = [[getattr(r, c.field) for c in cols] for r in df.itertuples()]
        rows.append(["", "Total", p.monthly, p.one_time,
                     f"Year 1 {p.year1:,.2f} · annual {p.annual:,.2f} · {p.horizon}-year TCO {p.tco:,.2f}"])
        print_table(console, f"{p.name} at {n} agents (USD){applied(a)}", cols, rows, [None] * len(df) + ["bold"])
