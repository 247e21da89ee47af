"""What-ifs: applying one, and `tco-xl levers` (every what-if priced in every scenario, and their combination).

Run: python benchmarks/what_ifs.py   (prints medians; nothing is asserted — machines here are shared and noisy)
"""

from __future__ import annotations

from timing import median_seconds

from tco_xl.analysis.levers import levers
from tco_xl.assumptions import default_assumptions, overrides
from tco_xl.assumptions.overrides import what_if_problems, what_if_sets


def main() -> None:
    a = default_assumptions()
    names = [s.name for s in what_if_sets(a)]
    one = median_seconds(lambda: a.with_what_ifs(["SIP trunking"]), repeat=21, setup=overrides._APPLIED.clear)
    every = median_seconds(lambda: a.with_what_ifs(names[:-1]), repeat=21, setup=overrides._APPLIED.clear)
    cached = median_seconds(lambda: a.with_what_ifs(["SIP trunking"]), repeat=7, number=1000)
    checks = median_seconds(lambda: what_if_problems(a), repeat=7, number=2)
    print(f"{len(names)} what-ifs, {len(a.what_ifs)} rows on the What-ifs sheet")
    print(f"apply one what-if (validated, references checked):   {one * 1e3:8.2f} ms")
    print(f"apply {len(names) - 1} in order (every one but the comparison):    {every * 1e3:8.2f} ms")
    print(f"apply one again (cached per assumptions and names):  {cached * 1e6:8.2f} us")
    print(f"check every what-if on its own (the loader does):     {checks * 1e3:8.2f} ms")
    for agents in ([47, 100, 500], list(range(1, 301))):
        overrides._APPLIED.clear()
        seconds = median_seconds(lambda agents=agents: levers(a, agents), repeat=5, number=1,
                                 setup=overrides._APPLIED.clear)
        rows = len(levers(a, agents))
        label = "47, 100, 500" if len(agents) == 3 else f"1..{len(agents)}"
        print(f"levers at {label:>12} agents: {rows:>7,} rows (what-if × scenario × headcount) in {seconds:6.2f} s")


if __name__ == "__main__":
    main()
