"""Snapshot export speed: the default snapshot (47, 100, 500 agents), 300 headcounts and a large one (every
scenario × 1..1,000).

Run: python benchmarks/snapshot.py [--repeat 5] [--medium-max 300] [--large-max 1000]
Prints the median wall and CPU time of an export, cells written, cells per second (of CPU time, the steadier
figure on a shared machine) and file size; asserts nothing. Files go to a temporary folder removed afterwards.
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


def timed_export(agents, analysis: bool, out: Path, repeat: int) -> tuple[float, float, int, int]:
    """Median wall and CPU seconds of ``repeat`` full exports (engine, sheets, zip, atomic write), cells, bytes."""
    a, source = default_assumptions(), provenance(None)
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = export_snapshot(snapshot_data(a, agents, source, CREATED, analysis), out)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result.cells, result.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of the default snapshot (median)")
    parser.add_argument("--medium-max", type=int, default=300, help="largest headcount of the medium snapshot")
    parser.add_argument("--large-max", type=int, default=1000, help="largest headcount of the large snapshot")
    args = parser.parse_args()
    print(f"openpyxl {openpyxl.__version__}, lxml {'on' if openpyxl.LXML else 'off'}")
    cases = [("default 47/100/500 with analysis sheets", [47, 100, 500], True, args.repeat),
             ("default 47/100/500, --no-analysis", [47, 100, 500], False, args.repeat),
             (f"medium: all scenarios × 1..{args.medium_max:,}", range(1, args.medium_max + 1), False, 1),
             (f"large: all scenarios × 1..{args.large_max:,}", range(1, args.large_max + 1), False, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        for label, agents, analysis, repeat in cases:
            wall, cpu, cells, size = timed_export(agents, analysis, Path(tmp), repeat)
            print(f"{label:42s} wall {wall:7.2f} s  CPU {cpu:7.2f} s (medians of {repeat})  {cells:>10,} cells  "
                  f"{cells / cpu:>7,.0f} cells/CPU-s  {size / 1e6:6.2f} MB", flush=True)


if __name__ == "__main__":
    main()
