"""Monte Carlo: every ranged assumption drawn at once, every scenario priced per draw, in bounded memory.

Each factor Monte Carlo draws (``ranged_factors``: a range from the workbook or a band, read by some
scenario) comes from a triangular distribution (low, base, high). Draws are made and priced chunk by
chunk with one seeded numpy generator (row after row, so a result depends only on the assumptions, the
headcount, the number of draws and the seed, not on the chunk size). Only one chunk of draws exists at a
time; each scenario's results go to an anonymous temporary file (8 bytes per draw and scenario, deleted
when the simulation is) and are read back one scenario at a time for its percentiles, so memory stays
bounded whatever the number of draws. Means and the chance of being cheapest are summed as chunks pass.

A scenario whose base value (every input at its value) lies outside its own P10–P90 is flagged with the
reason: the ranges that are not centred on their base values, and how far each moves its mean.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Any

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..assumptions.keys import readable_key, stable_keys
from ..engine import agent_count, evaluate, metric_key, scenario_key
from ..engine.cache import by_content
from ..engine.inputs import checked_number, whole_number
from .currency import convert, currency_code, per_usd
from .factors import SPREAD, Factor, ranged_factors, with_factors
from .sensitivity import one_at_a_time

DRAWS = 100_000
CHUNK = 5_000  # draws priced per engine pass: bounds memory (and is as fast as larger chunks)
MAX_DRAWS = 10_000_000
PERCENTILES = (10, 50, 90)
SKEW_SHOWN = 3  # inputs named in the reason a base lies outside its P10–P90

#: progress(done draws, total draws), called after each chunk.
Progress = Callable[[int, int], None]


class _Draws:
    """Each scenario's value in every draw, in an anonymous temporary file, scenario after scenario."""

    def __init__(self, scenarios: int, draws: int):
        self.scenarios, self.draws = scenarios, draws
        # open as long as the simulation lives; the OS deletes it when closed (garbage-collected)
        self.file: IO[bytes] = tempfile.TemporaryFile(prefix="tco-xl-draws-")  # noqa: SIM115

    def write(self, start: int, values: np.ndarray) -> None:
        """``values``: (scenarios, n) for draws start..start + n."""
        for i, row in enumerate(values):
            self.file.seek((i * self.draws + start) * 8)
            self.file.write(np.ascontiguousarray(row, dtype=np.float64).tobytes())

    def row(self, i: int) -> np.ndarray:
        """Scenario ``i``'s value in every draw (a fresh read-only array)."""
        self.file.flush()
        self.file.seek(i * self.draws * 8)
        out = np.fromfile(self.file, dtype=np.float64, count=self.draws)
        out.flags.writeable = False
        return out


@dataclass(frozen=True)
class Simulation:
    """Results of ``simulate``: per scenario (in stack order) its base value, mean and number of draws in which it
    is cheapest; its values draw by draw through ``values(scenario)``; metric in ``currency``."""

    agents: int
    draws: int
    seed: int
    metric: str
    currency: str
    scenarios: tuple[str, ...]
    names: tuple[str, ...]
    factors: tuple[Factor, ...]
    base: np.ndarray
    mean: np.ndarray
    wins: np.ndarray
    #: Expected change of each scenario's metric (columns) from each drawn factor's range (rows, stable keys):
    #: (Δ at low + Δ at high) / 3, exact for a cost linear in that input.
    skew: pd.DataFrame = field(repr=False)
    _draws: _Draws = field(repr=False)

    def values(self, scenario: str) -> np.ndarray:
        """The metric of ``scenario`` (key) in every draw, in draw order."""
        return self._draws.row(self.scenarios.index(scenario))

    @cached_property
    def percentiles(self) -> pd.DataFrame:
        """scenario, name, p10, p50, p90, mean, base (in ``currency``), ordered by p50."""
        p = np.array([np.percentile(self._draws.row(i), PERCENTILES) for i in range(len(self.scenarios))])
        df = pd.DataFrame({"scenario": self.scenarios, "name": self.names,
                           **{f"p{q}": p[:, j] for j, q in enumerate(PERCENTILES)}, "mean": self.mean,
                           "base": self.base})
        return df.sort_values("p50", kind="stable", ignore_index=True)

    @cached_property
    def prob_cheapest(self) -> pd.Series:
        """Share of draws in which each scenario has the lowest metric (ties go to the first in stack order)."""
        return pd.Series(self.wins / self.draws, index=pd.Index(self.scenarios, name="scenario"),
                         name="prob_cheapest")

    def percentile(self, scenario: str, p: float) -> float:
        """The ``p`` quantile (a fraction, 0.9 = P90) of one scenario's draws."""
        return float(np.percentile(self.values(scenario), 100 * p))

    def base_note(self, scenario: str) -> str:
        """'' when the scenario's base value lies within its P10–P90, else where it lies and why."""
        row = self.percentiles.set_index("scenario").loc[scenario]
        if row.p10 <= row.base <= row.p90:
            return ""
        below = row.base < row.p10
        text = (f"base {row.base:,.2f} lies {'below P10' if below else 'above P90'} "
                f"({row.p10 if below else row.p90:,.2f})")
        shifts = self.skew[scenario] if scenario in self.skew else pd.Series(dtype=float)
        pushing = shifts[shifts > 0] if below else shifts[shifts < 0]
        top = pushing.abs().sort_values(ascending=False, kind="stable").head(SKEW_SHOWN)
        if top.empty:
            return f"{text}: its cost moves in whole-unit steps within the ranges"
        factor = dict(zip(self.skew.index, self.factors, strict=True))
        parts = [f"{key} {factor[key].base:g} in {factor[key].low:g}–{factor[key].high:g} ({shifts[key]:+,.0f})"
                 for key in top.index]
        return (f"{text}: these ranges are not centred on their base values and move its mean "
                f"{'up' if below else 'down'} — {'; '.join(parts)}")

    def summary(self) -> pd.DataFrame:
        """``percentiles`` with the probability of being cheapest and the base note beside each scenario."""
        df = self.percentiles.join(self.prob_cheapest, on="scenario")
        return df.assign(note=[self.base_note(s) for s in df.scenario])


def simulate(a: Assumptions, agents: int, draws: int = DRAWS, seed: int = 0, progress: Progress | None = None, *,
             metric: str = "tco", currency: str | None = None, chunk: int = CHUNK) -> Simulation:
    """Draw every ranged assumption ``draws`` times (triangular low/base/high) and price every scenario.

    A draw is converted to ``currency`` with its own FX rates (the EUR rate is itself drawn).
    """
    n, m, code = agent_count(agents), metric_key(metric), currency_code(currency, a)
    count = _draw_count(draws)
    fs = tuple(ranged_factors(a))
    keys = tuple(s.key for s in a.stacks)
    low, mode, high = (np.array([getattr(f, end) for f in fs]) for end in ("low", "base", "high"))
    rng = np.random.default_rng(seed)
    store = _Draws(len(keys), count)
    grid = np.array([float(n)])
    sums, wins = np.zeros(len(keys)), np.zeros(len(keys), dtype=np.int64)
    for start in range(0, count, chunk):
        size = min(chunk, count - start)
        drawn = rng.triangular(low, mode, high, size=(size, len(fs))) if fs else np.empty((size, 0))
        b = with_factors(a, {f.key: drawn[:, j] for j, f in enumerate(fs)})
        results = evaluate(b, grid)
        values = np.stack([np.broadcast_to(convert(results[k].metric(m), b, code), (size,)) for k in keys])
        sums += values.sum(axis=1)
        wins += np.bincount(values.argmin(axis=0), minlength=len(keys))
        store.write(start, values)
        if progress is not None:
            progress(start + size, count)
    at_base = evaluate(a, grid)
    base = np.array([float(np.asarray(convert(at_base[k].metric(m), a, code)).item()) for k in keys])
    return Simulation(n, count, int(seed), m, code, keys, tuple(s.name for s in a.stacks), fs, base, sums / count,
                      wins, _skew(a, n, m, code, fs), store)


def _skew(a: Assumptions, agents: int, metric: str, currency: str, drawn: tuple[Factor, ...]) -> pd.DataFrame:
    """(Δ at low + Δ at high) / 3 of each drawn factor (rows, stable keys) for each scenario (columns)."""
    fs, cases = one_at_a_time(a, agents, metric, SPREAD)
    where = {f.key: j for j, f in enumerate(fs)}
    cost = cases.to_numpy() * per_usd(a, currency)
    rows = [where[f.key] for f in drawn]
    low, high = cost[[2 * j + 1 for j in rows]], cost[[2 * j + 2 for j in rows]]
    keys = stable_keys(a)
    return pd.DataFrame((low + high - 2 * cost[0]) / 3, index=[readable_key(keys, f.key) for f in drawn],
                        columns=cases.columns)


@by_content(maxsize=16)
def _cached(a: Assumptions, agents: int, draws: int, seed: int, metric: str, currency: str) -> Simulation:
    return simulate(a, agents, draws, seed, metric=metric, currency=currency)


def cached_simulation(a: Assumptions, agents: Any, draws: Any = DRAWS, seed: Any = 0, *, metric: str = "tco",
                      currency: Any = None) -> Simulation:
    """``simulate`` cached on (assumptions' content, agents, draws, seed, metric, currency): what UDFs call."""
    return _cached(a, agent_count(agents), _draw_count(draws), _seed(seed), metric_key(metric),
                   currency_code(currency, a))


def percentile(a: Assumptions, scenario: Any, agents: Any, p: Any, draws: Any = DRAWS, seed: Any = 0, *,
               currency: Any = None) -> float:
    """The P(100·p) N-year TCO of ``scenario`` at ``agents`` (p a fraction: 0.9 is P90), in ``currency``."""
    return cached_simulation(a, agents, draws, seed, currency=currency).percentile(scenario_key(a, scenario),
                                                                                    fraction(p))


def prob_cheapest(a: Assumptions, scenario: Any, agents: Any, draws: Any = DRAWS, seed: Any = 0) -> float:
    """Probability (0..1) that ``scenario`` has the lowest N-year TCO at ``agents``."""
    return float(cached_simulation(a, agents, draws, seed).prob_cheapest[scenario_key(a, scenario)])


def fraction(value: Any, field: str = "p") -> float:
    """A probability from 0 to 1 (0.9 for P90)."""
    return checked_number(value, field, "a fraction from 0 to 1, e.g. 0.9 for P90", lambda p: 0 <= p <= 1)


def _draw_count(value: Any) -> int:
    return whole_number(value, "draws", 1, MAX_DRAWS)


def _seed(value: Any) -> int:
    return whole_number(value, "seed", 0, 2**63 - 1)
