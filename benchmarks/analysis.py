"""Analysis speed: 100,000-draw Monte Carlo of every scenario, break-even of every pair over 1..10,000
agents, a full tornado and the cheapest-flip scan, each timed uncached (caches cleared per run).

Run: python benchmarks/analysis.py   (prints medians; nothing is asserted — machines here are shared and noisy)
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from timing import median_seconds
from tco_xl.analysis import breakeven_table, cheapest_flips, factors, ranged_factors, simulate, tornado
from tco_xl.analysis.breakeven import metric_grid
from tco_xl.analysis.sensitivity import one_at_a_time
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.engine import evaluate



def everything_ranged(a: Assumptions) -> Assumptions:
    """Every numeric scalar and every price-line unit price given a ±20% workbook range (a heavier Monte Carlo than
    the defaults, which range the uncertain inputs only)."""
    data = a.model_dump()
    data["ranges"] = {f.key: {"low": f.low, "high": f.high} for f in factors(a) if "[" not in f.key and f.low < f.high}
    for row in data["providers"] + data["options"]:
        row["price_low"], row["price_high"] = row["unit_price"] * 0.8, row["unit_price"] * 1.2
    return Assumptions.model_validate(data)


def main() -> None:
    a = default_assumptions()
    scenarios = len(a.stacks)
    pairs = len(list(combinations(a.stacks, 2)))
    simulate(a, 47, draws=1_000)  # warm imports

    mc = median_seconds(lambda: simulate(a, 47, draws=100_000), repeat=5)
    heavy = everything_ranged(a)
    mc_heavy = median_seconds(lambda: simulate(heavy, 47, draws=100_000), repeat=3)
    one_draw = median_seconds(lambda: evaluate(a, [47.0]), repeat=21)
    drawn = len(ranged_factors(a))
    be = median_seconds(lambda: breakeven_table(a), repeat=5, setup=metric_grid.cache_clear)
    be_y1 = median_seconds(lambda: breakeven_table(a, metric="year1"), repeat=5, setup=metric_grid.cache_clear)
    grid = median_seconds(lambda: evaluate(a, np.arange(1, 10_001, dtype=float)), repeat=5)
    n_factors = len(factors(a))
    tor = median_seconds(lambda: tornado(a, "hybrid", 47), repeat=7, setup=one_at_a_time.cache_clear)
    flips = median_seconds(lambda: cheapest_flips(a, 100), repeat=7, setup=one_at_a_time.cache_clear)
    tor_cached = median_seconds(lambda: tornado(a, "hybrid", 47), repeat=7)

    print(f"Monte Carlo, 100,000 draws x {scenarios} scenarios at 47 agents ({drawn} ranged assumptions): "
          f"{mc:6.3f} s  ({mc / 100_000 / scenarios * 1e9:.0f} ns per scenario-draw; "
          f"one-at-a-time estimate {one_draw * 100_000:.0f} s = {one_draw * 1e3:.2f} ms x 100,000)")
    print(f"Monte Carlo, same, with {len(ranged_factors(heavy))} ranged assumptions (every scalar and price ±20%): "
          f"{mc_heavy:6.3f} s")
    print(f"Break-even, {pairs} pairs x 1..10,000 agents, N-year TCO:            {be:6.3f} s  "
          f"(of which the 10,000-headcount grid pass {grid:.3f} s)")
    print(f"Break-even, {pairs} pairs x 1..10,000 agents, Year 1:                {be_y1:6.3f} s")
    print(f"Tornado, hybrid at 47 agents, {n_factors} assumptions x low/high ({2 * n_factors + 1} cases, "
          f"every scenario in one pass): {tor * 1e3:7.1f} ms  (cached: {tor_cached * 1e3:.1f} ms)")
    print(f"Cheapest flips at 100 agents (same pass, every scenario):         {flips * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
