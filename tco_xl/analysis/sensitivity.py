"""Sensitivity: each assumption moved to its low and its high, one at a time, in one engine pass.

Every factor (see ``factors``) becomes a numpy array over 2K + 1 cases: case 0 is the base, cases
2j + 1 and 2j + 2 move factor j alone to its low and its high. One ``evaluate`` prices every case of
every scenario, so a tornado equals re-running the engine once per moved assumption.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..engine import agent_count, evaluate, metric_key, scenario_key
from ..engine.cache import by_content
from .currency import currency_code, per_usd
from .factors import SPREAD, Factor, factors, with_factors

_FACTOR_COLUMNS = ["assumption", "label", "unit", "base", "low", "high", "range"]


@by_content(maxsize=32)
def one_at_a_time(a: Assumptions, agents: int, metric: str, spread: float) -> tuple[list[Factor], pd.DataFrame]:
    """The factors and ``metric`` (USD) of every scenario (columns) in every case (rows: base, then factor j
    alone at its low in row 2j + 1 and at its high in row 2j + 2)."""
    fs = factors(a, spread)
    cases = 2 * len(fs) + 1
    values = {}
    for j, f in enumerate(fs):
        column = np.full(cases, f.base)
        column[2 * j + 1], column[2 * j + 2] = f.low, f.high
        values[f.key] = column
    moved = with_factors(a, values)
    results = evaluate(moved, np.array([float(agents)]))
    return fs, pd.DataFrame({key: np.broadcast_to(r.metric(metric), (cases,)) for key, r in results.items()})


def tornado(a: Assumptions, scenario: str, agents: int, *, metric: str = "tco", spread: float = SPREAD,
            currency: str | None = None) -> pd.DataFrame:
    """The change in ``scenario``'s N-year TCO (or ``metric``) at ``agents`` when each assumption moves to its
    low and its high, ranked by swing = |tco_high − tco_low|; assumptions that change nothing are left out.

    Columns: assumption (key), label, unit, base, low, high, range ('workbook' or '±20%'), tco_low,
    tco_high, delta_low, delta_high, swing (money in ``currency``); ``attrs['base_tco']`` is the base value.
    """
    key, n, m = scenario_key(a, scenario), agent_count(agents), metric_key(metric)
    code = currency_code(currency, a)
    fs, cases = one_at_a_time(a, n, m, spread)
    cost = cases[key].to_numpy() * per_usd(a, code)
    base, low, high = cost[0], cost[1::2], cost[2::2]
    df = _factor_frame(fs).assign(tco_low=low, tco_high=high, delta_low=low - base, delta_high=high - base,
                                  swing=np.abs(high - low))
    df = df[(df.delta_low != 0) | (df.delta_high != 0)]
    df = df.sort_values("swing", ascending=False, kind="stable", ignore_index=True)
    df.attrs.update(scenario=key, agents=n, metric=m, currency=code, base_tco=float(base))
    return df


def cheapest_flips(a: Assumptions, agents: int, *, metric: str = "tco", spread: float = SPREAD,
                   currency: str | None = None) -> pd.DataFrame:
    """Single-assumption moves (to the low or the high of its range) that change which scenario is cheapest.

    Columns: assumption, label, unit, base, low, high, range, moved_to ('low'/'high'), value,
    cheapest_before, cheapest_after, tco_after (the new cheapest), margin (how much cheaper it is than
    ``cheapest_before`` after the move), ranked by margin; ``attrs['cheapest']`` is the base winner.
    """
    n, m = agent_count(agents), metric_key(metric)
    code = currency_code(currency, a)
    fs, cases = one_at_a_time(a, n, m, spread)
    cost = cases.to_numpy() * per_usd(a, code)
    winner = cost.argmin(axis=1)
    keys = np.array(cases.columns)
    before = keys[winner[0]]
    frame = _factor_frame(fs)
    rows = []
    for case in np.flatnonzero(winner[1:] != winner[0]) + 1:
        j, moved_to = (case - 1) // 2, ("low", "high")[(case - 1) % 2]
        after_cost, before_cost = cost[case, winner[case]], cost[case, winner[0]]
        rows.append({**frame.iloc[j].to_dict(), "moved_to": moved_to, "value": frame.iloc[j][moved_to],
                     "cheapest_before": before, "cheapest_after": keys[winner[case]], "tco_after": after_cost,
                     "margin": before_cost - after_cost})
    df = pd.DataFrame(rows, columns=[*_FACTOR_COLUMNS, "moved_to", "value", "cheapest_before", "cheapest_after",
                                     "tco_after", "margin"])
    df = df.sort_values("margin", ascending=False, kind="stable", ignore_index=True)
    df.attrs.update(agents=n, metric=m, currency=code, cheapest=str(before), base_tco=float(cost[0, winner[0]]))
    return df


def _factor_frame(fs: list[Factor]) -> pd.DataFrame:
    return pd.DataFrame([(f.key, f.label, f.unit, f.base, f.low, f.high, f.range_source) for f in fs],
                        columns=_FACTOR_COLUMNS)
