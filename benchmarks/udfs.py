"""Excel functions, Python side: calls and milliseconds per edit on the shipped sheets, bytes and COM reads per call.

Run: python benchmarks/udfs.py   (prints medians; nothing is asserted — machines here are shared and noisy)

No Excel runs here. The shipped Scenarios and Compare sheets hold 10 function calls (array formulas), each
passing TCO_INPUTS; none is volatile, so an assumption edit recalculates those 10 and an edit elsewhere none.
The block is built from workbook/TCO.xlsm as its mirror formulas define it (tests/test_udfs_workbook.py proves
the formulas compute exactly that). For comparison in the same run: the same figures priced one cell at a
time (162 calls, the layout before TCO_INPUTS), and a call without ``inputs`` reading the workbook through a
stand-in Book that counts COM round trips (tests/fixtures/xlbook.py). Excel's own cost per call (about 4 to
13 ms with classic xlwings, one call at a time) comes on top and is not measured here.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
from timing import median_seconds

from tco_xl import udfs
from tco_xl.assumptions import overrides
from tco_xl.io import layout, live

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
from xlbook import Book  # noqa: E402

WORKBOOK = layout.DEFAULT_WORKBOOK
INBOUND = "telephony.inbound_usd_per_min"
CALL = re.compile(r"=(?P<name>[A-Z_]+)\((?P<args>.*)\)")
FIRST_CALL = """
import time
start = time.perf_counter()
from tco_xl import udfs
imported = time.perf_counter()
value = udfs.TCO_HYBRID(47.0)
print(imported - start, time.perf_counter() - imported, value)
"""
INPUTS = object()  # where a call passes TCO_INPUTS (filled in per run)


def inputs_block(wb: openpyxl.Workbook) -> list[list[object]]:
    """TCO_INPUTS as the mirror formulas compute it: each read cell's value, blank as None (as Excel hands it)."""
    rows, columns = layout.inputs_shape()
    block: list[list[object]] = [[None] * columns for _ in range(rows)]
    for m in layout.mirrors():
        ws = wb[m.sheet]
        for offset, col in enumerate(m.columns):
            for r in range(m.rows):
                value = ws.cell(r + 1, col).value
                block[m.top - 1 + r][m.left - 1 + offset] = float(value) if type(value) is int else value
    return block


def shipped_calls(wb: openpyxl.Workbook) -> list[tuple]:
    """(function, arguments as Excel passes them) of every function call on the Scenarios and Compare sheets;
    TCO_INPUTS stands as INPUTS (filled in per run)."""
    calls = []
    for sheet in (layout.SCENARIOS, layout.COMPARE):
        ws = wb[sheet]
        for row in ws.iter_rows():
            for cell in row:
                text = getattr(cell.value, "text", None)
                if not (text and (match := CALL.fullmatch(text))):
                    continue
                args = []
                for arg in re.findall(r'"[^"]*"|[^,]+', match["args"]):
                    if arg.startswith('"'):
                        args.append(arg.strip('"'))
                    elif arg == layout.INPUTS_NAME:
                        args.append(INPUTS)
                    elif arg == "":
                        args.append(None)
                    else:
                        found = ws[arg.replace("$", "")]
                        grid = found if isinstance(found, tuple) else ((found,),)
                        values = [[float(c.value) if type(c.value) is int else c.value for c in r] for r in grid]
                        args.append(values[0][0] if len(values) == 1 and len(values[0]) == 1 else values)
                calls.append((getattr(udfs, match["name"]), args))
    return calls


def recalculation(calls: list[tuple], block: list[list[object]]) -> float:
    start = time.perf_counter()
    for fn, args in calls:
        fn(*[block if a is INPUTS else a for a in args])
    return time.perf_counter() - start


def one_cell_at_a_time(calls: list[tuple]) -> list[tuple]:
    """The same Scenarios figures as one call per cell (the layout before TCO_INPUTS: 162 cells)."""
    cells = []
    for fn, args in calls:
        if fn is udfs.TCO:
            keys, headcounts, metric = args[0], args[1][0], args[2]
            cells += [(fn, [k[0], n, metric, None]) for k in keys for n in headcounts]
        elif fn is udfs.LLM_API_COST:
            cells += [(fn, [k[0], n, args[2], None]) for k in args[0] for n in args[1][0]]
        elif fn in (udfs.TCO_CHEAPEST, udfs.MAC_STUDIOS_NEEDED, udfs.TWILIO_COST):
            cells += [(fn, [n, *args[1:]]) for n in args[0][0]]
    return cells


def com_bytes(block: list[list[object]]) -> int:
    """Bytes of the block as a COM SAFEARRAY of VARIANTs: 16 per cell, plus each text as a BSTR (4-byte length,
    UTF-16, 2-byte terminator)."""
    return sum(16 + (len(v) * 2 + 6 if isinstance(v, str) else 0) for row in block for v in row)


def main() -> None:
    wb = openpyxl.load_workbook(WORKBOOK)
    block = inputs_block(wb)
    calls = shipped_calls(wb)
    cells = one_cell_at_a_time(calls)
    rows, columns = layout.inputs_shape()
    where = next((m, m.columns.index(3)) for m in layout.mirrors() if m.sheet == "Telephony")  # Value column
    edit_at = (where[0].top - 1 + layout.scalar_row(INBOUND) - 1, where[0].left - 1 + where[1])

    def edited(rate: float) -> list[list[object]]:
        copy = [list(row) for row in block]
        copy[edit_at[0]][edit_at[1]] = rate
        return copy

    recalculation(calls, block)  # warm: imports, the first parse
    after_edit, per_cell, parses = [], [], []
    for i, rate in enumerate((0.0131, 0.0132, 0.0133, 0.0134, 0.0135, 0.0136, 0.0137)):
        before = live.parse_count()
        after_edit.append(recalculation(calls, edited(rate)))
        parses.append(live.parse_count() - before)
        copy = edited(rate + 0.00005)  # a fresh rate for the one-call-per-cell layout, too
        start = time.perf_counter()
        for fn, args in cells:
            fn(*args[:-1], copy)
        per_cell.append(time.perf_counter() - start)
    warm = median_seconds(lambda: udfs.TCO_HYBRID(47.0, None, None, block), repeat=7, number=200)
    key_only = median_seconds(lambda: live.assumptions_for(block), repeat=7, number=200)
    udfs.TCO_HYBRID(47.0, None, None, block, "SIP trunking")
    warm_what_if = median_seconds(lambda: udfs.TCO_HYBRID(47.0, None, None, block, "SIP trunking"), repeat=7,
                                  number=200)
    parsed = live.assumptions_for(block)
    applying = median_seconds(lambda: parsed.with_what_ifs(["SIP trunking"]), repeat=21,
                              setup=overrides._APPLIED.clear)  # every time afresh: validated, references checked

    book = Book(WORKBOOK)
    live.calling_book = lambda: book  # a call without inputs, as in classic Excel
    udfs.TCO_HYBRID(47.0)
    reads = book.com_reads
    without = median_seconds(lambda: udfs.TCO_HYBRID(47.0), repeat=5, number=20)
    imported, first = first_calls(runs=5)

    text_cells = sum(isinstance(v, str) for row in block for v in row)
    print(f"shipped sheets: {len(calls)} function calls (array formulas), none volatile, each passing TCO_INPUTS")
    print(f"  one assumption edit: {len(calls)} Python calls, {statistics.median(after_edit) * 1e3:.1f} ms Python-side "
          f"(median of 7; {statistics.median(parses):.0f} parse each)")
    print(f"  one edit elsewhere:  0 Python calls")
    print(f"  the same figures one cell at a time ({len(cells)} calls): {statistics.median(per_cell) * 1e3:.1f} ms "
          "Python-side per assumption edit")
    print(f"TCO_INPUTS: {rows} x {columns} = {rows * columns:,} cells ({text_cells} texts); per call "
          f"{com_bytes(block) / 1024:.0f} KB as a COM array, {len(json.dumps(block)) / 1024:.0f} KB as Office.js JSON")
    print(f"warm call with TCO_INPUTS (cache hit):             {warm * 1e6:9.1f} us, of which keying the block "
          f"{key_only * 1e6:.1f} us")
    print(f"warm call with TCO_INPUTS and a what-if (cache hit): {warm_what_if * 1e6:7.1f} us; applying the what-if "
          f"afresh (first call after an edit) {applying * 1e3:.1f} ms")
    print("COM round trips from Python per call: 0 with TCO_INPUTS (the VBA wrapper passes values), "
          f"{reads} without (the calling workbook's sheets read)")
    print(f"call without TCO_INPUTS (stand-in Book, no COM latency): {without * 1e3:9.2f} ms")
    print(f"fresh process: import tco_xl.udfs                   {imported * 1e3:9.1f} ms (median of 5)")
    print(f"fresh process: first call (bundled defaults)        {first * 1e3:9.1f} ms (median of 5)")


def first_calls(runs: int) -> tuple[float, float]:
    """Median (import, first call) seconds of fresh processes."""
    times = [tuple(map(float, subprocess.run([sys.executable, "-c", FIRST_CALL], check=True, capture_output=True,
                                             text=True).stdout.split()[:2]))
             for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


if __name__ == "__main__":
    main()
