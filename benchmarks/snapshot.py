"""Snapshot export speed: the default snapshot (47, 100, 500 agents) and a large one (every scenario × 1..1,000).

Run: python benchmarks/snapshot.py [--repeat 5] [--large-max 1000]
Prints the median export time, cells written, cells per second and file size; asserts nothing (machines
here are shared and noisy). Files go to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import openpyxl

from tco_xl.assumptions import default_assumptions
from tco_xl.io.snapshot import export_snapshot, provenance, snapshot_data

CREATED = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def timed_export(agents, analysis: bool, out: Path, repeat: int) -> tuple[float, int, int]:
    """Median seconds of ``repeat`` full exports (engine + sheets + zip + atomic write), cells, bytes."""
    a, source = default_assumptions(), provenance(None)
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = export_snapshot(snapshot_data(a, agents, source, CREATED, analysis), out)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result.cells, result.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of the default snapshot (median)")
    parser.add_argument("--large-max", type=int, default=1000, help="largest headcount of the large snapshot")
    args = parser.parse_args()
    print(f"openpyxl {openpyxl.__version__}, lxml {'on' if openpyxl.LXML else 'off'}")
    cases = [("default 47/100/500 with analysis sheets", [47, 100, 500], True, args.repeat),
             ("default 47/100/500, --no-analysis", [47, 100, 500], False, args.repeat),
             (f"large: all scenarios × 1..{args.large_max:,}", range(1, args.large_max + 1), False, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        for label, agents, analysis, repeat in cases:
            seconds, cells, size = timed_export(agents, analysis, Path(tmp), repeat)
            print(f"{label:45s} {seconds:8.2f} s (median of {repeat})  {cells:>10,} cells  "
                  f"{cells / seconds:>9,.0f} cells/s  {size / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
