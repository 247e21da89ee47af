"""Monte Carlo: every assumption with a workbook range drawn at once, every scenario priced per draw.

Each ranged factor (see ``factors``) is drawn from a triangular distribution (low, base, high) with a
seeded numpy generator, all draws up front in factor order, so a result depends only on the
assumptions, the headcount, the number of draws and the seed (not on the chunk size). Draws are
priced in chunks: one engine pass per chunk prices every scenario for every draw of the chunk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..engine import agent_count, evaluate, metric_key, scenario_key
from ..engine.cache import by_content
from ..engine.inputs import checked_number, whole_number
from .currency import convert, currency_code
from .factors import Factor, ranged_factors, with_factors

DRAWS = 100_000
CHUNK = 25_000
MAX_DRAWS = 10_000_000
PERCENTILES = (10, 50, 90)

#: progress(done draws, total draws), called after each chunk.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Simulation:
    """``samples``: metric (in ``currency``) per scenario (rows, in stack order) and draw (columns)."""

    agents: int
    draws: int
    seed: int
    metric: str
    currency: str
    scenarios: tuple[str, ...]
    names: tuple[str, ...]
    factors: tuple[Factor, ...]
    samples: np.ndarray

    @cached_property
    def percentiles(self) -> pd.DataFrame:
        """scenario, name, p10, p50, p90, mean (in ``currency``), ordered by p50."""
        p = np.percentile(self.samples, PERCENTILES, axis=1)
        df = pd.DataFrame({"scenario": self.scenarios, "name": self.names,
                           **{f"p{q}": p[i] for i, q in enumerate(PERCENTILES)}, "mean": self.samples.mean(axis=1)})
        return df.sort_values("p50", kind="stable", ignore_index=True)

    @cached_property
    def prob_cheapest(self) -> pd.Series:
        """Share of draws in which each scenario has the lowest metric (ties go to the first in stack order)."""
        wins = np.bincount(self.samples.argmin(axis=0), minlength=len(self.scenarios))
        return pd.Series(wins / self.draws, index=pd.Index(self.scenarios, name="scenario"), name="prob_cheapest")

    def percentile(self, scenario: str, p: float) -> float:
        """The ``p`` quantile (a fraction, 0.9 = P90) of one scenario's draws."""
        return float(np.percentile(self.samples[self.scenarios.index(scenario)], 100 * p))

    def summary(self) -> pd.DataFrame:
        """``percentiles`` with the probability of being cheapest beside each scenario."""
        return self.percentiles.join(self.prob_cheapest, on="scenario")


def simulate(a: Assumptions, agents: int, draws: int = DRAWS, seed: int = 0, progress: Progress | None = None, *,
             metric: str = "tco", currency: str | None = None, chunk: int = CHUNK) -> Simulation:
    """Draw every ranged assumption ``draws`` times (triangular low/base/high) and price every scenario.

    A draw is converted to ``currency`` with its own FX rates (the EUR rate may itself be drawn).
    """
    n, m, code = agent_count(agents), metric_key(metric), currency_code(currency, a)
    count = _draw_count(draws)
    fs = tuple(ranged_factors(a))
    rng = np.random.default_rng(seed)
    drawn = {f.key: rng.triangular(f.low, f.base, f.high, count) for f in fs}
    keys = tuple(s.key for s in a.stacks)
    samples = np.empty((len(keys), count))
    grid = np.array([float(n)])
    for start in range(0, count, chunk):
        stop = min(start + chunk, count)
        b = with_factors(a, {k: v[start:stop] for k, v in drawn.items()})
        results = evaluate(b, grid)
        for i, key in enumerate(keys):
            samples[i, start:stop] = convert(results[key].metric(m), b, code)
        if progress is not None:
            progress(stop, count)
    samples.flags.writeable = False
    return Simulation(n, count, int(seed), m, code, keys, tuple(s.name for s in a.stacks), fs, samples)


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
