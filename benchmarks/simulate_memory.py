"""Monte Carlo at scale: wall time, CPU time and peak memory (RSS) of `simulate` with many draws.

Run: python benchmarks/simulate_memory.py [--draws 10000000] [--agents 47]
Draws are made and priced in chunks and each scenario's results go to a temporary file, so memory should not
grow with the number of draws; the file's size (8 bytes per draw and scenario) is printed too. Prints figures,
asserts nothing. Run it alone: the peak RSS is this process's.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

from tco_xl.analysis import simulate
from tco_xl.assumptions import default_assumptions


def peak_mb() -> float:
    """Peak resident memory of this process so far, MB (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000_000)
    parser.add_argument("--agents", type=int, default=47)
    args = parser.parse_args()
    a = default_assumptions()
    simulate(a, args.agents, draws=1_000).summary()  # imports and caches warm
    before = peak_mb()
    start, start_cpu = time.perf_counter(), time.process_time()
    sim = simulate(a, args.agents, draws=args.draws)
    table = sim.summary()
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"simulate {args.draws:,} draws x {len(sim.scenarios)} scenarios at {args.agents} agents, "
          f"{len(sim.factors)} inputs drawn: wall {wall:.1f} s, CPU {cpu:.1f} s; peak RSS {peak_mb():.0f} MB "
          f"(after imports and a 1,000-draw warm-up: {before:.0f} MB); temporary file "
          f"{args.draws * len(sim.scenarios) * 8 / 1e6:,.0f} MB")
    print(table[["name", "p10", "p50", "p90", "prob_cheapest"]].to_string(index=False))


if __name__ == "__main__":
    main()
