"""UDF speed, Python side: one warm call, the first call of a fresh process, a recalculation of 1,000 cells.

Run: python benchmarks/udfs.py   (prints medians; nothing is asserted — machines here are shared and noisy)

Excel adds its own cost per call (xlwings: about 4 to 13 ms of COM round trips, one call at a time), which
no Linux machine can measure; these figures are what Python spends inside each call. The caller's workbook
is workbook/TCO.xlsm as Excel would show it to a UDF: its cells from the file (tests/fixtures/xlbook.py),
and TCO_STATE as Excel computes it, in new string objects on each read (their conversion from COM is
part of the COM cost, not counted here).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from timing import median_seconds
from tco_xl import udfs
from tco_xl.io import layout, live
from tco_xl.io.workbook import load_assumptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fixtures"))
from xlbook import Book, udf_calls  # noqa: E402

WORKBOOK = layout.DEFAULT_WORKBOOK
INBOUND = "telephony.inbound_usd_per_min"
FIRST_CALL = """
import time
start = time.perf_counter()
from tco_xl import udfs
imported = time.perf_counter()
value = udfs.TCO_HYBRID(47.0)
print(imported - start, time.perf_counter() - imported, value)
"""


class StateRange:
    """TCO_STATE's value: equal texts in new string objects on every read, as each COM read hands over."""

    def __init__(self, book: Book) -> None:
        self.refresh(book)

    def refresh(self, book: Book) -> None:
        texts = book.names[layout.STATE_NAME].refers_to_range.value
        self.reads = [[(text + ".")[:-1] for text in texts] for _ in range(2)]  # two sets of copies, alternated

    @property
    def value(self) -> list[str]:
        self.reads.reverse()
        return self.reads[0]


class ExcelBook:
    """What a UDF's ``caller.sheet.book`` offers, without COM costs; ``edit`` recalculates TCO_STATE."""

    def __init__(self, path: Path) -> None:
        self.file = Book(path)
        self.fullname, self.sheets = self.file.fullname, self.file.sheets
        self.state = StateRange(self.file)
        self.names = {layout.STATE_NAME: SimpleNamespace(refers_to_range=self.state)}
        self.sheet = SimpleNamespace(book=self)  # the calling cell's sheet: ``caller.sheet.book`` is this

    def edit(self, ref: str, value: object) -> None:
        self.file.edit(ref, value)
        self.state.refresh(self.file)



def scenario_calls(book: Book) -> list[tuple]:
    """(function, arguments) of every UDF cell on the Scenarios sheet, arguments as Excel sends them."""
    names = [name for name in udfs.__all__ if name.isupper()]
    return [(getattr(udfs, name), args) for _, name, args in udf_calls(book.wb[layout.SCENARIOS], names)]


def first_calls(runs: int) -> tuple[float, float]:
    """Median (import, first call) seconds of fresh processes pricing with TCO.xlsm's assumptions."""
    env = {**os.environ, live.WORKBOOK_ENV: str(WORKBOOK)}
    times = [tuple(map(float, subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, check=True,
                                             capture_output=True, text=True).stdout.split()[:2]))
             for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def recalculation(calls: list[tuple], caller, cells: int) -> float:
    """Seconds to run ``cells`` UDF cells (the Scenarios sheet's, over and over) as one recalculation."""
    batch = (calls * (cells // len(calls) + 1))[:cells]
    start = time.perf_counter()
    for fn, args in batch:
        fn(*args, caller=caller)
    return time.perf_counter() - start


def main() -> None:
    caller = ExcelBook(WORKBOOK)
    calls = scenario_calls(caller.file)
    udfs.TCO_HYBRID(47.0, caller=caller)  # parse once, warm the engine cache

    no_caller = median_seconds(lambda: udfs.TCO_HYBRID(47.0), repeat=7, number=2000)
    with_caller = median_seconds(lambda: udfs.TCO_HYBRID(47.0, caller=caller), repeat=7, number=2000)
    check = median_seconds(lambda: live.assumptions_for(caller), repeat=7, number=2000)
    spill = median_seconds(lambda: udfs.TCO_HYBRID([[47.0], [100.0], [500.0]], caller=caller), repeat=7, number=500)
    parse = median_seconds(lambda: load_assumptions(caller), repeat=5)
    imported, first = first_calls(runs=5)

    steady = statistics.median(recalculation(calls, caller, 1000) for _ in range(5))
    edited = []
    for rate in (0.0131, 0.0132, 0.0133, 0.0134, 0.0135):  # each edit: a new fingerprint, new engine cache keys
        caller.edit(layout.cell_of(INBOUND), rate)
        parses = live.parse_count()
        edited.append(recalculation(calls, caller, 1000))
        assert live.parse_count() - parses == 1
    after_edit = statistics.median(edited)

    print(f"warm call, no caller (bundled defaults):          {no_caller * 1e6:9.1f} us (median)")
    print(f"warm call with a caller (TCO_STATE check):         {with_caller * 1e6:9.1f} us (median)")
    print(f"  of which the fingerprint check (assumptions_for): {check * 1e6:9.1f} us")
    print(f"one call over a 3-cell range (spills 3 results):    {spill * 1e6:9.1f} us")
    print(f"fresh process: import tco_xl.udfs                   {imported * 1e3:9.1f} ms (median of 5)")
    print(f"fresh process: first call, loading TCO.xlsm         {first * 1e3:9.1f} ms (median of 5)")
    print(f"parse the assumption sheets once (Python side):     {parse * 1e3:9.1f} ms")
    print(f"recalculation of 1,000 UDF cells ({len(calls)} distinct):")
    print(f"  nothing edited (every call a cache hit):          {steady * 1e3:9.1f} ms ({steady * 1e3:.0f} us/cell)")
    print(f"  after an edit (1 parse + fresh engine results):   {after_edit * 1e3:9.1f} ms")
    print(f"  re-parsing on every call instead would take:      {(parse * 1000 + steady) * 1e3:9.1f} ms "
          f"({(parse * 1000 + steady) / after_edit:.0f}x)")


if __name__ == "__main__":
    main()
