"""Scenarios: a stack's components over a grid of headcounts, and the totals every view reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import Assumptions, Stack, default_assumptions
from .cache import by_content
from .components import Component, Line, Num
from .expr import Context
from .expr import evaluate as evaluate_rule
from .finite import finite_results
from .inputs import METRICS, agent_count, agent_grid, metric_key, scenario_key
from .model import METRIC_RULES, stack_model, structure


def stack_components(a: Assumptions, stack: Stack, agents: Num) -> list[Component]:
    """Every line item of one stack at ``agents`` (a number or a numpy array of headcounts)."""
    return _components(Context(a, {"agents": agents}), stack_model(a, stack).lines)


def _components(ctx: Context, lines: Iterable[Line]) -> list[Component]:
    """``lines`` evaluated in ``ctx``, without an optional line that costs nothing anywhere on the grid."""
    pairs = ((line, line.component(ctx)) for line in lines)
    return [c for line, c in pairs if not (line.optional and not np.any(c.monthly) and not np.any(c.one_time))]


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario over a grid of headcounts (or at one headcount). Money in USD.

    Year 1 = 12 × monthly + one-time; annual (years 2..N) = 12 × monthly;
    N-year TCO = Year 1 + (N − 1) × annual; per agent per month = TCO / (12 × N × agents).
    """

    key: str
    name: str
    kind: str
    agents: Num
    horizon: int
    components: tuple[Component, ...]

    @cached_property
    def monthly(self) -> Num:
        return _total(c.monthly for c in self.components) + self.agents * 0

    @cached_property
    def one_time(self) -> Num:
        return _total(c.one_time for c in self.components) + self.agents * 0

    @cached_property
    def annual(self) -> Num:
        return self._metric("annual")

    @cached_property
    def year1(self) -> Num:
        return self._metric("year1")

    @cached_property
    def tco(self) -> Num:
        return self._metric("tco")

    @cached_property
    def per_agent_month(self) -> Num:
        return self._metric("per_agent_month")

    def _metric(self, name: str) -> Num:
        """A total from ``METRIC_RULES`` (the same rules the live workbook's formulas are rendered from)."""
        return evaluate_rule(METRIC_RULES[name], None, monthly=self.monthly, one_time=self.one_time,
                             horizon=self.horizon, agents=self.agents)

    def subtotal(self, include: Iterable[str] | None = None, exclude: Iterable[str] = ()) -> ScenarioResult:
        """The same scenario restricted to component categories (``include`` all when None, minus ``exclude``)."""
        include, exclude = (None if include is None else set(include)), set(exclude)
        kept = tuple(c for c in self.components
                     if (include is None or c.category in include) and c.category not in exclude)
        return ScenarioResult(self.key, self.name, self.kind, self.agents, self.horizon, kept)

    def metric(self, name: str) -> Num:
        """A metric by key or alias ('year1', 'annual', 'tco', 'monthly', 'per agent', 'one_time')."""
        return getattr(self, metric_key(name))

    def at(self, index: int | tuple[int, ...]) -> ScenarioResult:
        """This scenario at one grid point."""
        agents = float(np.asarray(self.agents)[index]) if np.ndim(self.agents) else float(self.agents)
        return ScenarioResult(self.key, self.name, self.kind, agents, self.horizon,
                              tuple(c.at(index) for c in self.components))

    def breakdown(self) -> pd.DataFrame:
        """Line items at one headcount: category, item, quantity, unit, unit price, monthly, one-time, derivation."""
        rows = [{"category": c.category, "item": c.name, "quantity": float(c.quantity), "unit": c.unit,
                 "unit_price_usd": float(c.unit_price), "monthly_usd": float(c.monthly),
                 "one_time_usd": float(c.one_time), "annual_usd": 12 * float(c.monthly),
                 "derivation": c.derivation(), "assumptions": ", ".join(c.keys)}
                for c in self.components]
        return pd.DataFrame(rows)


def _total(values: Iterable[Num]) -> Num:
    total: Any = 0.0
    for v in values:
        total = total + v
    return total


WhatIfs = str | Iterable[str] | None


def with_what_if(a: Assumptions, what_if: WhatIfs) -> Assumptions:
    """``a`` with the what-if named ``what_if`` (or several, applied in order) applied; ``a`` itself for None."""
    if what_if is None:
        return a
    return a.with_what_ifs([what_if] if isinstance(what_if, str) else list(what_if), "what_if")


@finite_results
def evaluate(a: Assumptions, agents: Any, scenarios: Iterable[str] | None = None,
             what_if: WhatIfs = None) -> dict[str, ScenarioResult]:
    """Every scenario (or the named ones) over ``agents`` in one vectorized pass per scenario, with the what-if(s)
    ``what_if`` applied (names from the What-ifs sheet, in order).

    ``agents`` is a headcount or an array of headcounts (any shape; arrays of assumption draws made
    with ``Assumptions.with_values`` broadcast against it).
    """
    a = with_what_if(a, what_if)
    grid = agent_grid(agents)
    keys = [scenario_key(a, s) for s in scenarios] if scenarios is not None else [s.key for s in a.stacks]
    horizon = a.finance.horizon_years
    ctx, shape = Context(a, {"agents": grid}), structure(a)  # one context: quantities shared by stacks, once
    results = {}
    for key in keys:
        stack = a.stack(key)
        lines = stack_model(a, stack, shape).lines
        results[key] = ScenarioResult(key, stack.name, stack.kind, grid, horizon, tuple(_components(ctx, lines)))
    return results


@by_content(maxsize=4096)
@finite_results
def _price_cached(a: Assumptions, key: str, agents: int) -> ScenarioResult:
    stack = a.stack(key)
    return ScenarioResult(key, stack.name, stack.kind, float(agents), a.finance.horizon_years,
                          tuple(c.at(()) for c in stack_components(a, stack, float(agents))))


def price(scenario: str, agents: Any, a: Assumptions | None = None, what_if: WhatIfs = None) -> ScenarioResult:
    """One scenario at one headcount, with its line items (cached on the assumptions' content); ``what_if``: a
    what-if's name (or several, applied in order) from the What-ifs sheet, e.g. 'SIP trunking'."""
    a = with_what_if(a or default_assumptions(), what_if)
    return _price_cached(a, scenario_key(a, scenario), agent_count(agents))


def ranked(agents: Any, a: Assumptions | None = None) -> list[ScenarioResult]:
    """Every scenario at one headcount, cheapest N-year TCO first (ties by key, as ``compare`` sorts)."""
    a = a or default_assumptions()
    return sorted((price(s.key, agents, a) for s in a.stacks), key=lambda r: (r.tco, r.key))


def compare(agents: Any, a: Assumptions | None = None, what_if: WhatIfs = None) -> pd.DataFrame:
    """Every scenario at every headcount: one row each with all metrics, its rank by N-year TCO (ties share a
    rank), the cheapest marked, and ``margin``: USD by which its N-year TCO is below the next rank's (NaN for
    the last rank); with the what-if(s) ``what_if`` applied."""
    a = with_what_if(a or default_assumptions(), what_if)
    counts = agent_grid(agents)
    results = evaluate(a, counts)
    rows = []
    for i, n in enumerate(counts):
        for key, r in results.items():
            rows.append({"agents": int(n), "scenario": key, "name": r.name, "kind": r.kind,
                         **{m: float(np.asarray(getattr(r, m))[i]) for m in METRICS}})
    df = pd.DataFrame(rows)
    df["rank"] = df.groupby("agents")["tco"].rank(method="min").astype(int)
    df["cheapest"] = df["rank"] == 1
    df = df.sort_values(["agents", "tco", "scenario"])  # (the merge below renumbers the rows)
    ranks = df.drop_duplicates(["agents", "rank"])
    following = ranks.assign(next_tco=ranks.groupby("agents")["tco"].shift(-1))[["agents", "rank", "next_tco"]]
    df = df.merge(following, on=["agents", "rank"], how="left")
    df["margin"] = df.pop("next_tco") - df["tco"]
    return df
