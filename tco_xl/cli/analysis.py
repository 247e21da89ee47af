"""`tco-xl breakeven`, `sensitivity`, `simulate`, `cashflow`: the decision analyses on the command line."""

from __future__ import annotations

from itertools import combinations
from typing import Annotated

import pandas as pd
import typer

from ..analysis import breakeven_table, cash_flows, cheapest_flips, currency_code, npv_table, simulate, tornado
from ..analysis.breakeven import AGENTS_MAX
from ..analysis.cashflow import discount_rate
from ..analysis.llm_breakeven import DRIVERS, driver_key, like_for_like, llm_breakeven_table
from ..analysis.montecarlo import DRAWS
from ..assumptions import Assumptions
from ..assumptions.keys import readable_key, stable_keys
from ..engine import compare, metric_key, scenario_key
from ..engine.inputs import agent_grid, metric_label
from ..errors import InputError
from .app import AgentsOpt, Format, FormatOpt, WhatIfOpt, WorkbookOpt, app, console, err_console, load, user_errors
from .output import Col, LazyProgress, money_col, print_csv, print_json, print_table, records
from .report import applied

CurrencyOpt = Annotated[str | None, typer.Option(
    "--currency", "-c", help="USD, EUR or BGN (default: the workbook's Finance currency, USD).")]
MetricOpt = Annotated[str, typer.Option("--metric", "-m", help="tco (N-year TCO) or year1, annual, monthly, ...")]

#: Number formats of table cells (money is in the currency named in each table's title).
_COUNT, _SHARE, _VALUE = ",.0f", ".1%", ",.6g"
#: Money fields of the analyses' output (to the cent in JSON and CSV; an assumption's base/low/high are not money).
MONEY = frozenset({"gap_before", "gap_after", "tco_low", "tco_high", "delta_low", "delta_high", "swing",
                   "tco_after", "margin", "base_tco", "p10", "p50", "p90", "mean", "tco", "cash_total", "npv",
                   "hardware", "setup", "twilio", "cloud", "opex", "resale", "net", "present_value", "depreciation",
                   "book_value"})


@app.command()
@user_errors
def breakeven(
    scenarios: Annotated[list[str] | None, typer.Argument(
        help="Two or more scenarios (default: all); every pair among them is compared. With --over price|tokens "
             "and none named: each scenario self-hosting its LLM against the same scenario paying an API.")] = None,
    metric: MetricOpt = "tco",
    agents_max: Annotated[int, typer.Option("--agents-max", help="Scan headcounts 1..this.")] = AGENTS_MAX,
    over: Annotated[str, typer.Option(
        "--over", help="What moves: agents (the headcount, default), price (the API price per 1M tokens) or "
                       "tokens (LLM tokens per agent per day), at the --agents headcounts.")] = "agents",
    agents: Annotated[list[str] | None, typer.Option(
        "--agents", "-a", help="With --over price|tokens: the headcount (default 47); repeat for several.")] = None,
    upper: Annotated[float | None, typer.Option(
        "--upper", help="With --over price|tokens: scan the driver from 0 to this (default 10 × its value).")] = None,
    currency: CurrencyOpt = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
    what_if: WhatIfOpt = None,
) -> None:
    """Every headcount where the cheaper of two scenarios changes (exact, on the step-wise cost curves); or, with
    --over price|tokens, the API price or the token volume at which self-hosting pays off."""
    a = load(workbook, what_if)
    keys = [s.key for s in a.stacks] if not scenarios else [scenario_key(a, s, "SCENARIOS") for s in scenarios]
    keys = list(dict.fromkeys(keys))  # 'hybrid Hybrid' is one scenario
    if len(keys) < 2:
        raise InputError("SCENARIOS", scenarios, "two or more scenarios (or none for every pair)")
    m = metric_key(metric, "--metric")
    if over.strip().lower() not in ("agents", "headcount"):
        _llm_breakeven(a, scenarios, keys, over, agents, upper, m, fmt)
        return
    if agents or upper is not None:
        raise InputError("--agents" if agents else "--upper", agents or upper, "--over price or --over tokens "
                         "(the headcount break-even scans every headcount 1..--agents-max)")
    code = currency_code(currency, a, "--currency")
    df = breakeven_table(a, list(combinations(keys, 2)), agents_max, m, code)
    title = f"Break-even on {_metric_label(a, m)} over 1..{agents_max:,} agents ({code}){applied(a)}"
    _emit([(title, df, None)], fmt, [
        Col("scenario_a", "Scenario A"), Col("scenario_b", "Scenario B"), Col("agents", "Crosses at", _COUNT),
        Col("cheaper_before", "Cheaper before"), Col("cheaper_after", "Cheaper from"),
        money_col("gap_before", "Gap before", drop=2), money_col("gap_after", "Gap after", drop=1)])


def _llm_breakeven(a: Assumptions, scenarios: list[str] | None, keys: list[str], over: str,
                   agents: list[str] | None, upper: float | None, metric: str, fmt: Format) -> None:
    """`breakeven --over price|tokens`: the driver's value from which the cheaper of each pair changes."""
    d = DRIVERS[driver_key(over, "--over")]
    if scenarios:
        pairs = list(combinations(keys, 2))
    else:
        a, pairs = like_for_like(a, keys)
    counts = agent_grid(agents or ["47"], "--agents").astype(int)
    frames: list[tuple[str, pd.DataFrame, int | None]] = []
    for n in counts:
        df = llm_breakeven_table(a, pairs, [int(n)], d.key, metric, upper)
        df = df.assign(scenario_a=[_name(a, k) for k in df.scenario_a], scenario_b=[_name(a, k) for k in df.scenario_b],
                       cheaper_below=[_name(a, k) if k != "tie" else k for k in df.cheaper_below],
                       cheaper_from=[_name(a, k) if k != "tie" else k for k in df.cheaper_from])
        frames.append((f"{n:,} agents: break-even on the {d.label} ({d.unit}), {_metric_label(a, metric)}; '—' no "
                       "change in the range scanned", df, int(n)))
    fmt_value = ",.2f" if d.key == "price" else ",.0f"
    _emit(frames, fmt, [
        Col("scenario_a", "Scenario A"), Col("scenario_b", "Scenario B"), Col("model", "API model", drop=2),
        Col("current", "Now", fmt_value, drop=1), Col("breakeven", "Break-even", fmt_value),
        Col("cheaper_below", "Cheaper below"), Col("cheaper_from", "Cheaper from")])


@app.command()
@user_errors
def sensitivity(
    scenario: Annotated[str | None, typer.Argument(
        help="Scenario (default: the cheapest at the headcount).")] = None,
    agents: AgentsOpt = ["47"],  # noqa: B006 (typer reads the default)
    flips: Annotated[bool, typer.Option(
        "--flips", help="List the single-assumption moves that change the cheapest scenario instead.")] = False,
    top: Annotated[int, typer.Option("--top", "-n", help="Show this many assumptions (0 = all).")] = 20,
    metric: MetricOpt = "tco",
    currency: CurrencyOpt = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
    what_if: WhatIfOpt = None,
) -> None:
    """Tornado: each assumption moved to its workbook low/high (else ±20%), the change in N-year TCO, ranked."""
    a = load(workbook, what_if)
    code = currency_code(currency, a, "--currency")
    m = metric_key(metric, "--metric")
    keys = stable_keys(a)
    frames = []
    for n in agent_grid(agents, "--agents").astype(int):
        if flips:
            df = cheapest_flips(a, n, metric=m, currency=code)
            now = f"{_name(a, df.attrs['cheapest'])}, {df.attrs['base_tco']:,.2f} {code}"
            title = f"{n} agents: moves that change the cheapest {_metric_label(a, m)} (now {now})"
            if df.empty:
                df.attrs["note"] = (f"No single assumption moved to its low or high changes the cheapest scenario at "
                                    f"{n:,} agents: {now}.")
        else:
            key = scenario_key(a, scenario) if scenario else _cheapest(a, n, m)
            df = tornado(a, key, n, metric=m, currency=code)
            title = (f"{_name(a, key)} at {n} agents: {_metric_label(a, m)} {df.attrs['base_tco']:,.2f} {code}, "
                     "each assumption at its low / high")
        df = df.assign(assumption=[readable_key(keys, k) for k in df.assumption])
        frames.append((title + applied(a), df.head(top) if top > 0 else df, n))
    columns = [Col("assumption", "Assumption"), Col("base", "Base", _VALUE), Col("low", "Low", _VALUE, drop=4),
               Col("high", "High", _VALUE, drop=4), Col("unit", "Unit", drop=2), Col("range", "Range", drop=1)]
    columns += ([Col("moved_to", "Moved to"), Col("cheapest_after", "Cheapest after"),
                 money_col("tco_after", "Its total", drop=3), money_col("margin", "Margin")] if flips else
                [money_col("delta_low", "Δ at low", drop=3), money_col("delta_high", "Δ at high", drop=3),
                 money_col("swing", "Swing")])
    _emit(frames, fmt, columns)


@app.command("simulate")
@user_errors
def run_simulation(
    agents: AgentsOpt = ["47"],  # noqa: B006 (typer reads the default)
    draws: Annotated[int, typer.Option("--draws", "-d", help="Number of draws.")] = DRAWS,
    seed: Annotated[int, typer.Option(
        "--seed", "-s", help="Seed of the random generator (same seed, same result).")] = 0,
    metric: MetricOpt = "tco",
    currency: CurrencyOpt = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
    what_if: WhatIfOpt = None,
) -> None:
    """Monte Carlo over every uncertain input (its workbook range, else the default band of its kind; triangular
    low/base/high), all scenarios at once: P10/P50/P90, mean and base of the N-year TCO, and the probability
    that each scenario is cheapest. A base outside its P10–P90 is flagged with the reason."""
    a = load(workbook, what_if)
    code = currency_code(currency, a, "--currency")
    m = metric_key(metric, "--metric")
    keys = stable_keys(a)
    frames = []
    for n in agent_grid(agents, "--agents").astype(int):
        with LazyProgress(err_console, f"Simulating {n:,} agents", enabled=fmt is Format.table) as progress:
            sim = simulate(a, n, draws, seed, progress, metric=m, currency=code)
        drawn = len(sim.factors)
        title = (f"{n} agents: {sim.draws:,} draws (seed {sim.seed}) of {_metric_label(a, m)} in {code}; "
                 f"{drawn} uncertain input{'s' if drawn != 1 else ''} drawn"
                 + ("" if drawn else " (every range is a single point)"))
        df = sim.summary()
        df.attrs.update(draws=sim.draws, seed=sim.seed, inputs_drawn=drawn,
                        inputs=[{"assumption": readable_key(keys, f.key), "low": f.low, "base": f.base,
                                 "high": f.high, "range": f.range_source} for f in sim.factors],
                        note="\n".join(f"{r.name}: {r.note}" for r in df.itertuples() if r.note))
        frames.append((title + applied(a), df, n))
    _emit(frames, fmt, [Col("name", "Scenario"), money_col("p10", "P10"), money_col("p50", "P50"),
                        money_col("p90", "P90"), money_col("mean", "Mean", drop=2), money_col("base", "Base", drop=1),
                        Col("prob_cheapest", "P(cheapest)", _SHARE)])


@app.command()
@user_errors
def cashflow(
    scenario: Annotated[str | None, typer.Argument(
        help="Scenario for year-by-year flows (default: NPV of every scenario).")] = None,
    agents: AgentsOpt = ["47"],  # noqa: B006 (typer reads the default)
    rate: Annotated[str | None, typer.Option(
        "--rate", "-r", help="Discount rate per year: 0.08 or 8% (default: the Finance discount rate).")] = None,
    currency: CurrencyOpt = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
    what_if: WhatIfOpt = None,
) -> None:
    """Cash flows by year with escalation, hardware replacement and residual value, and their NPV.

    A view beside the TCO: the N-year TCO itself stays Year 1 + (N − 1) × annual, undiscounted at flat prices.
    """
    a = load(workbook, what_if)
    code = currency_code(currency, a, "--currency")
    r = discount_rate(a.finance.discount_rate if rate is None else rate, "--rate")
    frames = []
    for n in agent_grid(agents, "--agents").astype(int):
        if scenario:
            df = cash_flows(a, scenario, n, r, code)
            title = (f"{df.attrs['scenario']} at {n} agents: cash flows in {code}, discounted at {r:.2%}; "
                     f"NPV {df.present_value.sum():,.2f}")
        else:
            df = npv_table(a, n, r, code)
            title = f"{n} agents: NPV at {r:.2%} in {code} (TCO: undiscounted, flat prices)"
        frames.append((title + applied(a), df, n))
    columns = ([Col("year", "Year", _COUNT), money_col("hardware", "Hardware"), money_col("setup", "Setup", drop=5),
                money_col("twilio", "Twilio"), money_col("cloud", "Cloud"), money_col("opex", "On-prem opex"),
                money_col("resale", "Resale", drop=4), money_col("net", "Net"),
                Col("discount_factor", "Factor", ".4f", drop=3), money_col("present_value", "Present value"),
                money_col("depreciation", "Depreciation", drop=2), money_col("book_value", "Book value", drop=1)]
               if scenario else
               [Col("name", "Scenario"), money_col("tco", "TCO"), money_col("cash_total", "Cash total"),
                money_col("npv", "NPV")])
    _emit(frames, fmt, columns)


def _cheapest(a: Assumptions, agents: int, metric: str) -> str:
    df = compare([agents], a)
    return str(df.loc[df[metric].idxmin(), "scenario"])


def _name(a: Assumptions, key: str) -> str:
    return a.stack(key).name


def _metric_label(a: Assumptions, metric: str) -> str:
    return metric_label(metric, a.finance.horizon_years)


def _emit(frames: list[tuple[str, pd.DataFrame, int | None]], fmt: Format, columns: list[Col]) -> None:
    """Print each (title, frame, agents) as a table that fits the terminal (with ``attrs['note']`` under it), or
    all frames as one JSON list or one CSV (an agents column added)."""
    money = MONEY | {c.field for c in columns if c.money}
    if fmt is Format.json:
        print_json([{"title": title, **df.attrs, **({"agents": n} if n is not None else {}), "rows": records(df)}
                    for title, df, n in frames], money)
    elif fmt is Format.csv:
        parts = [df.assign(agents=n) if n is not None and "agents" not in df else df for _, df, n in frames]
        print_csv(pd.concat(parts, ignore_index=True), money)
    else:
        for title, df, _ in frames:
            if df.empty and df.attrs.get("note"):
                console.print(title, highlight=False, markup=False)
            else:
                print_table(console, title, columns, df[[c.field for c in columns]].itertuples(index=False))
            if df.attrs.get("note"):
                console.print(df.attrs["note"], highlight=False, markup=False)
