"""The live workbook against the engine, side by side: LibreOffice recalculating every formula vs the engine
computing the same cells, at 3, 100 and 1,000 headcounts (spread over 1..10,000 agents).

Run: python benchmarks/live_workbook.py [--headcounts 3 100 1000] [--repeat 3]
Prints, per size: formula cells, file size, export time, LibreOffice's time to load, recalculate and save the
file (median of --repeat runs, one soffice start each) and that time less a start-up-and-save baseline (a
one-cell workbook), the engine's time for the same values (every line item, total and named quantity of
every scenario at every headcount), and the ratio. Asserts nothing; machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl

from timing import median_seconds
from tco_xl.assumptions import default_assumptions
from tco_xl.engine import evaluate
from tco_xl.engine.expr import Context
from tco_xl.io.libreoffice import recalculate
from tco_xl.io.live_workbook import export_live, live_layout


def engine_cells(a, agents: np.ndarray, layout) -> None:
    """Every value the live workbook shows, computed by the engine: line items, totals, named quantities."""
    results = evaluate(a, agents)
    ctx = Context(a, {"agents": agents})
    for sheet in layout.scenarios:
        r = results[sheet.model.stack.key]
        _ = r.year1, r.annual, r.tco, r.per_agent_month
        for row in sheet.rows:
            if row.named is not None:
                ctx.value(row.named)


def formula_cells(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                   for v in row if isinstance(v, str) and v.startswith("="))
    finally:
        wb.close()


def soffice_seconds(path: Path, out: Path, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        recalculate([path], out, timeout=3600)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--headcounts", type=int, nargs="+", default=[3, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3, help="LibreOffice runs per size (median)")
    args = parser.parse_args()
    a = default_assumptions()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tiny = folder / "baseline.xlsx"
        wb = openpyxl.Workbook()
        wb.active["A1"] = "=1+1"
        wb.save(tiny)
        baseline = soffice_seconds(tiny, folder / "out", args.repeat)
        print(f"LibreOffice start, load, save of a one-cell workbook (baseline): {baseline:.2f} s")
        print(f"{'headcounts':>10} {'formulas':>10} {'MB':>7} {'export s':>9} {'LibreOffice s':>14} "
              f"{'less baseline':>14} {'engine ms':>10} {'ratio':>9}")
        for count in args.headcounts:
            agents = np.unique(np.linspace(1, 10_000, count).round())
            start = time.perf_counter()
            export = export_live(a, agents, folder / str(count))
            exported = time.perf_counter() - start
            layout = live_layout(a, agents)
            engine = median_seconds(lambda agents=agents, layout=layout: engine_cells(a, agents, layout), repeat=5)
            office = soffice_seconds(export.path, folder / "out", args.repeat)
            net = max(office - baseline, 1e-9)
            print(f"{len(agents):>10,} {formula_cells(export.path):>10,} {export.size / 1e6:>7.2f} {exported:>9.2f} "
                  f"{office:>14.2f} {net:>14.2f} {engine * 1e3:>10.2f} {net / engine:>8,.0f}x")


if __name__ == "__main__":
    main()
