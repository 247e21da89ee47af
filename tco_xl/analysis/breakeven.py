"""Break-even: every headcount where the cheaper of two scenarios changes, found on the engine's grid.

Costs are step functions of the headcount (Mac Studios and servers come in whole units), so two
scenarios can cross several times. Every headcount 1..agents_max is priced in one engine pass and
the crossings are the exact headcounts where the sign of the difference changes: no interpolation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..engine import agent_count, evaluate, metric_key, scenario_key
from ..engine.cache import by_content
from ..errors import InputError
from .currency import currency_code, per_usd

AGENTS_MAX = 10_000
#: Differences below half a cent count as a tie (float noise between sums of different lines).
TIE_USD = 0.005


@dataclass(frozen=True)
class Crossing:
    """At ``agents`` (the first headcount of the new order) ``cheaper_after`` becomes the cheaper scenario.

    ``gap_before`` is how much cheaper ``cheaper_before`` was at ``agents`` − 1 (0 after a tie);
    ``gap_after`` is how much cheaper ``cheaper_after`` is at ``agents``. Money in ``currency``.
    """

    agents: int
    cheaper_before: str
    cheaper_after: str
    gap_before: float
    gap_after: float
    currency: str = "USD"


@by_content(maxsize=32)
def metric_grid(a: Assumptions, metric: str = "tco", agents_max: int = AGENTS_MAX) -> pd.DataFrame:
    """``metric`` (USD) of every scenario at every headcount 1..agents_max: one column per scenario key."""
    agents = np.arange(1, agents_max + 1, dtype=float)
    results = evaluate(a, agents)
    return pd.DataFrame({key: np.broadcast_to(r.metric(metric), agents.shape) for key, r in results.items()},
                        index=pd.RangeIndex(1, agents_max + 1, name="agents"))


def crossings(a: Assumptions, scenario_a: str, scenario_b: str, metric: str = "tco",
              agents_max: int = AGENTS_MAX, currency: str | None = None) -> list[Crossing]:
    """Every headcount in 1..agents_max where the cheaper of the two scenarios' ``metric`` changes."""
    key_a, key_b = scenario_key(a, scenario_a, "scenario_a"), scenario_key(a, scenario_b, "scenario_b")
    grid = metric_grid(a, metric_key(metric), _agents_max(agents_max))
    code = currency_code(currency, a)
    return _crossings(grid[key_a].to_numpy(), grid[key_b].to_numpy(), key_a, key_b, per_usd(a, code), code)


def breakeven_table(a: Assumptions, pairs: Iterable[tuple[str, str]] | None = None,
                    agents_max: int = AGENTS_MAX, metric: str = "tco", currency: str | None = None) -> pd.DataFrame:
    """One row per crossing of each pair (all pairs of scenarios by default); a pair that never crosses
    gets one row with ``agents`` empty and the scenario that is cheaper throughout.

    Columns: scenario_a, scenario_b, metric, agents, cheaper_before, cheaper_after, gap_before,
    gap_after, currency.
    """
    key, code = metric_key(metric), currency_code(currency, a)
    if pairs is None:
        pairs = combinations([s.key for s in a.stacks], 2)
    rows = []
    for first, second in pairs:
        key_a, key_b = scenario_key(a, first, "scenario_a"), scenario_key(a, second, "scenario_b")
        found = crossings(a, key_a, key_b, key, agents_max, code)
        pair = {"scenario_a": key_a, "scenario_b": key_b, "metric": key}
        if found:
            rows += [{**pair, **c.__dict__} for c in found]
        else:
            winner = _cheaper_throughout(metric_grid(a, key, _agents_max(agents_max)), key_a, key_b)
            rows.append({**pair, "agents": None, "cheaper_before": winner, "cheaper_after": winner,
                         "gap_before": None, "gap_after": None, "currency": code})
    df = pd.DataFrame(rows, columns=["scenario_a", "scenario_b", "metric", "agents", "cheaper_before",
                                     "cheaper_after", "gap_before", "gap_after", "currency"])
    return df.astype({"agents": "Int64", "gap_before": float, "gap_after": float})


def _crossings(cost_a: np.ndarray, cost_b: np.ndarray, key_a: str, key_b: str, rate: float,
               currency: str) -> list[Crossing]:
    """Headcounts (index + 1) where the strictly cheaper scenario differs from the last strictly cheaper one."""
    diff = cost_a - cost_b
    sign = np.where(np.abs(diff) < TIE_USD, 0, np.sign(diff)).astype(int)
    strict = np.flatnonzero(sign)
    changes = strict[1:][sign[strict[1:]] != sign[strict[:-1]]]
    names = {-1: key_a, 1: key_b}
    return [Crossing(agents=int(i) + 1, cheaper_before=names[-sign[i]], cheaper_after=names[sign[i]],
                     gap_before=float(abs(diff[i - 1])) * rate, gap_after=float(abs(diff[i])) * rate,
                     currency=currency)
            for i in changes]


def cheaper_throughout(a: Assumptions, scenario_a: str, scenario_b: str, metric: str = "tco",
                       agents_max: int = AGENTS_MAX) -> str:
    """Key of the scenario cheaper at the first headcount that is not a tie ('tie' if none is): for a pair
    with no crossing, the one cheaper throughout 1..agents_max."""
    key_a, key_b = scenario_key(a, scenario_a, "scenario_a"), scenario_key(a, scenario_b, "scenario_b")
    return _cheaper_throughout(metric_grid(a, metric_key(metric), _agents_max(agents_max)), key_a, key_b)


def _cheaper_throughout(grid: pd.DataFrame, key_a: str, key_b: str) -> str:
    diff = grid[key_a].to_numpy() - grid[key_b].to_numpy()
    strict = diff[np.abs(diff) >= TIE_USD]
    return "tie" if strict.size == 0 else key_a if strict[0] < 0 else key_b


def _agents_max(value: Any) -> int:
    n = agent_count(value, "agents_max")
    if n < 2:
        raise InputError("agents_max", value, "at least 2 headcounts to compare (a whole number >= 2)")
    return n
