"""`tco-xl report`: every scenario side by side, or one scenario's line items."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import JustifyMethod
from rich.table import Table

from ..engine import compare, evaluate, scenario_key
from ..engine.inputs import COMPARISON_METRICS, agent_grid, llm_key, metric_label
from .app import AgentsOpt, Format, FormatOpt, WorkbookOpt, app, console, load, user_errors


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
) -> None:
    """Year 1, annual (years 2..N), N-year TCO, monthly and per agent per month for every scenario."""
    a = load(workbook)
    if llm is not None:
        a = with_llm(a, llm)
    counts = agent_grid(agents, "--agents")
    if breakdown is not None:
        _breakdown(a, scenario_key(a, breakdown, "--breakdown"), counts, fmt)
        return
    df = compare(counts, a)
    if fmt is Format.json:
        console.print_json(json.dumps({"horizon_years": a.finance.horizon_years, "currency": "USD",
                                       "rows": df.to_dict(orient="records")}))
    elif fmt is Format.csv:
        print(df.to_csv(index=False, float_format="%.2f"), end="")
    else:
        horizon = a.finance.horizon_years
        for n, block in df.groupby("agents", sort=False):
            table = Table(title=f"{n} agents — sorted by {horizon}-year TCO (USD)", title_justify="left")
            table.add_column("#", justify="right")
            table.add_column("Scenario", no_wrap=True)
            for m in COMPARISON_METRICS:
                table.add_column(metric_label(m, horizon), justify="right")
            for row in block.itertuples():
                mark = " ◀ cheapest" if row.cheapest else ""
                style = "bold green" if row.cheapest else None
                table.add_row(str(row.rank), f"{row.name}{mark}", *(f"{getattr(row, m):,.2f}" for m in
                              COMPARISON_METRICS), style=style)
            console.print(table)


def with_llm(a, value: str):
    """The assumptions with every stack's LLM inference set to ``value`` (checked against the models table)."""
    return a.with_llm(llm_key(a, value, "--llm"))


def _breakdown(a, key, counts, fmt: Format) -> None:
    result = evaluate(a, counts, [key])[key]
    frames = []
    for i, n in enumerate(counts):
        point = result.at(i)
        df = point.breakdown()
        df.insert(0, "agents", int(n))
        frames.append((int(n), point, df))
    if fmt is Format.json:
        console.print_json(json.dumps([{"agents": n, "scenario": key, "year1": p.year1, "annual": p.annual,
                                        "tco": p.tco, "monthly": p.monthly,
                                        "items": df.drop(columns="agents").to_dict(orient="records")}
                                       for n, p, df in frames]))
        return
    if fmt is Format.csv:
        import pandas as pd
        print(pd.concat([df for _, _, df in frames]).to_csv(index=False, float_format="%.4f"), end="")
        return
    for n, p, df in frames:
        table = Table(title=f"{p.name} at {n} agents", title_justify="left", show_lines=False)
        columns: tuple[tuple[str, JustifyMethod], ...] = (
            ("Category", "left"), ("Item", "left"), ("Monthly", "right"), ("One-time", "right"), ("Derivation", "left"))
        for col, just in columns:
            table.add_column(col, justify=just, overflow="fold")
        for row in df.itertuples():
            table.add_row(row.category, row.item, f"{row.monthly_usd:,.2f}", f"{row.one_time_usd:,.2f}",
                          row.derivation)
        table.add_row("", "[b]Total[/b]", f"[b]{p.monthly:,.2f}[/b]", f"[b]{p.one_time:,.2f}[/b]",
                      f"Year 1 {p.year1:,.2f} · annual {p.annual:,.2f} · {p.horizon}-year TCO {p.tco:,.2f}")
        console.print(table)
