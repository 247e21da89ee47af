"""`tco-xl breakeven`, `sensitivity`, `simulate`, `cashflow`: the decision analyses on the command line."""

from __future__ import annotations

import json
import time
from itertools import combinations
from typing import Annotated, Any, Self

import pandas as pd
import typer
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..analysis import breakeven_table, cash_flows, cheapest_flips, currency_code, npv_table, simulate, tornado
from ..analysis.breakeven import AGENTS_MAX
from ..analysis.cashflow import discount_rate
from ..analysis.montecarlo import DRAWS
from ..engine import compare, metric_key, scenario_key
from ..engine.inputs import agent_grid, metric_label
from ..errors import InputError
from .app import AgentsOpt, Format, FormatOpt, WorkbookOpt, app, console, err_console, load, user_errors

CurrencyOpt = Annotated[str | None, typer.Option(
    "--currency", "-c", help="USD, EUR or BGN (default: the workbook's Finance currency, USD).")]
MetricOpt = Annotated[str, typer.Option("--metric", "-m", help="tco (N-year TCO) or year1, annual, monthly, ...")]

#: Number formats of table cells (money is in the currency named in each table's title).
_MONEY, _COUNT, _SHARE, _VALUE = ",.2f", ",.0f", ".1%", ",.6g"


@app.command()
@user_errors
def breakeven(
    scenarios: Annotated[list[str] | None, typer.Argument(
        help="Two or more scenarios (default: all); every pair among them is compared.")] = None,
    metric: MetricOpt = "tco",
    agents_max: Annotated[int, typer.Option("--agents-max", help="Scan headcounts 1..this.")] = AGENTS_MAX,
    currency: CurrencyOpt = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
) -> None:
    """Every headcount where the cheaper of two scenarios changes (exact, on the step-wise cost curves)."""
    a = load(workbook)
    keys = [s.key for s in a.stacks] if not scenarios else [scenario_key(a, s, "SCENARIOS") for s in scenarios]
    keys = list(dict.fromkeys(keys))  # 'hybrid Hybrid' is one scenario
    if len(keys) < 2:
        raise InputError("SCENARIOS", scenarios, "two or more scenarios (or none for every pair)")
    m, code = metric_key(metric, "--metric"), currency_code(currency, a, "--currency")
    df = breakeven_table(a, list(combinations(keys, 2)), agents_max, m, code)
    _emit(df, fmt, f"Break-even on {_metric_label(a, m)} over 1..{agents_max:,} agents ({code})", [
        ("scenario_a", "Scenario A", None), ("scenario_b", "Scenario B", None), ("agents", "Crosses at", _COUNT),
        ("cheaper_before", "Cheaper before", None), ("cheaper_after", "Cheaper from", None),
        ("gap_before", "Gap before", _MONEY), ("gap_after", "Gap after", _MONEY)])


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
) -> None:
    """Tornado: each assumption moved to its workbook low/high (else ±20%), the change in N-year TCO, ranked."""
    a = load(workbook)
    code = currency_code(currency, a, "--currency")
    m = metric_key(metric, "--metric")
    frames = []
    for n in agent_grid(agents, "--agents").astype(int):
        if flips:
            df = cheapest_flips(a, n, metric=m, currency=code)
            title = (f"{n} agents: moves that change the cheapest {_metric_label(a, m)} "
                     f"(now {df.attrs['cheapest']}, {df.attrs['base_tco']:,.2f} {code})")
        else:
            key = scenario_key(a, scenario) if scenario else _cheapest(a, n, m)
            df = tornado(a, key, n, metric=m, currency=code)
            title = (f"{key} at {n} agents: {_metric_label(a, m)} {df.attrs['base_tco']:,.2f} {code}, "
                     "each assumption at its low / high")
        frames.append((title, df.head(top) if top > 0 else df, n))
    columns = [("assumption", "Assumption", None), ("base", "Base", _VALUE), ("low", "Low", _VALUE),
               ("high", "High", _VALUE), ("unit", "Unit", None), ("range", "Range", None)]
    columns += ([("moved_to", "Moved to", None), ("cheapest_after", "Cheapest after", None),
                 ("tco_after", "Its total", _MONEY), ("margin", "Margin", _MONEY)] if flips else
                [("delta_low", "Δ at low", _MONEY), ("delta_high", "Δ at high", _MONEY), ("swing", "Swing", _MONEY)])
    _emit_many(frames, fmt, columns)


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
) -> None:
    """Monte Carlo over every assumption with a workbook range (triangular low/base/high), all scenarios at
    once: P10/P50/P90 and mean of the N-year TCO, and the probability that each scenario is cheapest."""
    a = load(workbook)
    code = currency_code(currency, a, "--currency")
    m = metric_key(metric, "--metric")
    frames = []
    for n in agent_grid(agents, "--agents").astype(int):
        with _LazyProgress(f"Simulating {n} agents") as progress:
            sim = simulate(a, n, draws, seed, progress, metric=m, currency=code)
        ranged = ", ".join(f.key for f in sim.factors) or "none (every range is a single point)"
        title = (f"{n} agents: {sim.draws:,} draws (seed {sim.seed}) of {_metric_label(a, m)} in {code}; "
                 f"ranged: {ranged}")
        frames.append((title, sim.summary(), n))
    _emit_many(frames, fmt, [("name", "Scenario", None), ("p10", "P10", _MONEY), ("p50", "P50", _MONEY),
                             ("p90", "P90", _MONEY), ("mean", "Mean", _MONEY),
                             ("prob_cheapest", "P(cheapest)", _SHARE)])


@app.command()
@user_errors
def cashflow(
    scenario: Annotated[str | None, typer.Argument(
        help="Scenario for year-by-year flows (default: NPV of every scenario).")] = None,
    agents: AgentsOpt = ["47"],  # noqa: B006 (typer reads the default)
    rate: Annotated[float | None, typer.Option(
        "--rate", "-r", help="Discount rate per year as a fraction (default: Finance discount rate).")] = None,
    currency: CurrencyOpt = None,
    fmt: FormatOpt = Format.table,
    workbook: WorkbookOpt = None,
) -> None:
    """Cash flows by year with escalation, hardware replacement and residual value, and their NPV.

    A view beside the TCO: the N-year TCO itself stays Year 1 + (N − 1) × annual, undiscounted at flat prices.
    """
    a = load(workbook)
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
        frames.append((title, df, n))
    columns: list[tuple[str, str, str | None]]
    columns = ([("year", "Year", _COUNT), ("hardware", "Hardware", _MONEY), ("setup", "Setup", _MONEY),
                ("twilio", "Twilio", _MONEY), ("cloud", "Cloud", _MONEY), ("opex", "On-prem opex", _MONEY),
                ("resale", "Resale", _MONEY), ("net", "Net", _MONEY), ("discount_factor", "Factor", ".4f"),
                ("present_value", "Present value", _MONEY), ("depreciation", "Depreciation", _MONEY),
                ("book_value", "Book value", _MONEY)] if scenario else
               [("name", "Scenario", None), ("tco", "TCO", _MONEY), ("cash_total", "Cash total", _MONEY),
                ("npv", "NPV", _MONEY)])
    _emit_many(frames, fmt, columns)


def _cheapest(a, agents: int, metric: str) -> str:
    df = compare([agents], a)
    return str(df.loc[df[metric].idxmin(), "scenario"])


def _metric_label(a, metric: str) -> str:
    return metric_label(metric, a.finance.horizon_years)


def _emit(df: pd.DataFrame, fmt: Format, title: str, columns: list[tuple[str, str, str | None]]) -> None:
    _emit_many([(title, df, None)], fmt, columns)


def _emit_many(frames: list[tuple[str, pd.DataFrame, int | None]], fmt: Format,
               columns: list[tuple[str, str, str | None]]) -> None:
    """Print each (title, frame) as a rich table, or all frames as one JSON list or one CSV (agents column added)."""
    if fmt is Format.json:
        console.print_json(json.dumps([{"title": title, **df.attrs, **({"agents": n} if n is not None else {}),
                                        "rows": json.loads(df.to_json(orient="records"))}
                                       for title, df, n in frames], default=_plain))
    elif fmt is Format.csv:
        parts = [df.assign(agents=n) if n is not None and "agents" not in df else df for _, df, n in frames]
        print(pd.concat(parts, ignore_index=True).to_csv(index=False), end="")
    else:
        for title, df, _ in frames:
            table = Table(title=title, title_justify="left")
            for _, header, spec in columns:
                table.add_column(header, justify="left" if spec is None else "right", overflow="fold")
            for row in df.itertuples(index=False):
                table.add_row(*(_cell(getattr(row, col), spec) for col, _, spec in columns))
            console.print(table)


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers for JSON."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serializable: {value!r}")


def _cell(value: Any, spec: str | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    return format(value, spec) if spec else str(value)


class _LazyProgress:
    """A progress bar on stderr that appears only once the work has taken more than a moment."""

    def __init__(self, description: str, delay: float = 0.5):
        self.description, self.delay = description, delay
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> Self:
        self.start = time.monotonic()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and done < total and time.monotonic() - self.start > self.delay:
            self.bar = bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                      TimeRemainingColumn(), console=err_console, transient=True)
            bar.start()
            self.task = bar.add_task(self.description, total=total)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
