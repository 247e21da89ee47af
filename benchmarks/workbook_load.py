"""How long reading TCO.xlsm takes: cold (a fresh Python process), warm (in-process), and the parse alone.

    python benchmarks/workbook_load.py [--runs 7] [--workbook workbook/TCO.xlsm]

Cold = importing tco_xl's loader and loading once, timed inside a fresh interpreter; the process's wall
time (interpreter start included) is printed beside it. Warm = load_assumptions(path) again in one process.
Parse = assumptions_from_grids on grids already read (what a live xlwings read adds after its COM calls).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tco_xl.io.layout import DEFAULT_WORKBOOK

COLD = """
import sys, time
t = time.perf_counter()
from tco_xl.io.workbook import load_assumptions
load_assumptions(sys.argv[1])
print(time.perf_counter() - t)
"""


def cold(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """(in-process seconds, whole-process wall seconds) of ``runs`` fresh interpreters."""
    inside, wall = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD, str(path)], check=True, capture_output=True, text=True)
        wall.append(time.perf_counter() - start)
        inside.append(float(out.stdout))
    return inside, wall


def warm(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """(load seconds, parse-only seconds) of ``runs`` repeated loads in this process."""
    from tco_xl.io.workbook import _path_grids, assumptions_from_grids, load_assumptions
    load_assumptions(path)
    loads, parses = [], []
    for _ in range(runs):
        start = time.perf_counter()
        load_assumptions(path)
        loads.append(time.perf_counter() - start)
        grids = _path_grids(path)
        start = time.perf_counter()
        assumptions_from_grids(grids, str(path))
        parses.append(time.perf_counter() - start)
    return loads, parses


def ms(values: list[float]) -> str:
    low, mid, high = (1000 * f(values) for f in (min, statistics.median, max))
    return f"median {mid:7.1f} ms  (min {low:.1f}, max {high:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workbook", type=Path, default=DEFAULT_WORKBOOK)
    args = parser.parse_args()
    inside, wall = cold(args.workbook, args.runs)
    loads, parses = warm(args.workbook, args.runs * 3)
    print(f"{args.workbook} ({args.workbook.stat().st_size:,} bytes), {args.runs} cold runs, {args.runs * 3} warm")
    print(f"cold: import + load   {ms(inside)}")
    print(f"cold: whole process   {ms(wall)}")
    print(f"warm: load            {ms(loads)}")
    print(f"warm: parse only      {ms(parses)}")
    print(f"cold / warm load      {statistics.median(inside) / statistics.median(loads):.1f}x")


if __name__ == "__main__":
    main()
