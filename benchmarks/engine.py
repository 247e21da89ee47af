"""Engine speed: one scenario at one headcount, every scenario over 1..10,000 agents, grid vs per-cell loop.

Run: python benchmarks/engine.py   (prints medians; nothing is asserted — machines here are shared and noisy)
"""

from __future__ import annotations


import numpy as np

from timing import median_seconds
from tco_xl.assumptions import default_assumptions
from tco_xl.engine import evaluate, price
from tco_xl.engine.scenarios import ScenarioResult, stack_components



def one_cell(a, stack, agents: float) -> float:
    """N-year TCO of one scenario at one headcount, computed from scratch (no cache)."""
    r = ScenarioResult(stack.key, stack.name, stack.kind, agents, a.finance.horizon_years,
                       tuple(stack_components(a, stack, agents)))
    return float(r.tco)


def main() -> None:
    a = default_assumptions()
    hybrid = a.stack("hybrid")
    price("hybrid", 47, a)  # warm the cache and imports

    cached = median_seconds(lambda: price("hybrid", 47, a), repeat=7, number=2000)
    fresh = median_seconds(lambda: one_cell(a, hybrid, 47.0), repeat=7, number=200)
    agents = np.arange(1, 10_001, dtype=float)
    grid = median_seconds(lambda: [r.tco for r in evaluate(a, agents).values()], repeat=7)

    sample = np.linspace(1, 10_000, 100).round()
    cells = len(sample) * len(a.stacks)
    loop = median_seconds(lambda: [one_cell(a, s, float(n)) for s in a.stacks for n in sample], repeat=5) / cells
    grid_cells = len(agents) * len(a.stacks)

    print(f"one scenario, one headcount, cached price():      {cached * 1e6:10.1f} us/call (median)")
    print(f"one scenario, one headcount, computed afresh:      {fresh * 1e6:10.1f} us/call (median)")
    print(f"all {len(a.stacks)} scenarios x 1..10,000 agents, one grid pass: {grid * 1e3:10.1f} ms "
          f"({grid_cells:,} cells, {grid / grid_cells * 1e9:.0f} ns/cell)")
    print(f"per-cell Python loop (measured on {cells:,} cells):   {loop * 1e6:10.1f} us/cell "
          f"-> {loop * grid_cells:.1f} s for the same {grid_cells:,} cells")
    print(f"grid speed-up over the per-cell loop:              {loop * grid_cells / grid:10.0f}x")


if __name__ == "__main__":
    main()
