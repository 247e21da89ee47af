"""The UDFs against TCO.xlsm: its formulas evaluated headlessly, and the caller workbook's assumption cache.

1. ``formulas`` evaluates every UDF formula of workbook/TCO.xlsm's Scenarios sheet (and the Compare
   sheet's tables) with the Python functions bound to their names; each result equals the engine's.
   ``formulas`` takes ~6 s to compile all 18 sheets (validation lists, 42 TEXTJOIN fingerprints over
   56,000 cells), while the UDF cells only refer to cells of their own sheet; so a copy holding just
   Scenarios and Compare is compiled (~0.3 s), and the UDFs read the assumptions from TCO.xlsm itself
   through $TCO_XL_WORKBOOK.
2. With a caller (an xlwings Book stand-in over the built workbook, tests/fixtures/xlbook.py), 1,000 calls
   parse the assumption sheets once; an edited cell changes the TCO_STATE fingerprint, and the next call
   parses again and returns the new figure.
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import formulas
import numpy as np
import openpyxl
import pytest

from tco_xl import udfs
from tco_xl.engine import compare, price
from tco_xl.engine.capacity import mac_studios
from tco_xl.engine.llm import api_components
from tco_xl.io import layout, live
from tco_xl.io.libreoffice import recalculate
from tco_xl.io.workbook import load_assumptions
from tco_xl.rounding import excel_round

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from xlbook import Book, Caller, udf_calls  # noqa: E402

WORKBOOK = layout.DEFAULT_WORKBOOK
INBOUND = "telephony.inbound_usd_per_min"
UDF_NAMES = [name for name in udfs.__all__ if name.isupper()]
TABLE_UDFS = {"TCO_COMPARE", "TCO_BREAKDOWN"}


def cents(x: float) -> float:
    return excel_round(x, 2)


def expected_value(name: str, args: list, a):
    """What each UDF must show, straight from the engine (money in cents as Excel's ROUND)."""
    metric = lambda i: args[i] if len(args) > i else "year1"  # noqa: E731
    if name == "TCO_SELF_HOSTED":
        return cents(price("self_hosted", args[0], a).metric(metric(1)))
    if name == "TCO_HYBRID":
        key = "hybrid_optimized" if len(args) > 2 and args[2] == "optimized" else "hybrid"
        return cents(price(key, args[0], a).metric(metric(1)))
    if name in ("TCO_CLOUD", "TCO"):
        return cents(price(args[0], args[1], a).metric(metric(2)))
    if name == "TCO_CHEAPEST":
        df = compare(args[0], a)
        return df.loc[df.cheapest, "name"].iloc[0]
    if name == "MAC_STUDIOS_NEEDED":
        return int(mac_studios(a, float(args[0])))
    assert metric(1 if name == "TWILIO_COST" else 2) == "monthly", f"extend the oracle for {name}{args}"
    if name == "TWILIO_COST":
        return cents(sum(c.monthly for c in price("hybrid", args[0], a).components if c.category == "telephony"))
    if name == "LLM_API_COST":
        return cents(sum(c.monthly for c in api_components(a, args[0], float(args[1]))))
    raise AssertionError(f"no oracle for {name}")


def bind(mp: pytest.MonkeyPatch) -> None:
    """The UDFs as ``formulas`` functions: scalar ones element-wise, table ones returning their 2-D array."""
    functions = formulas.get_functions()
    array = formulas.functions.Array
    for name in UDF_NAMES:
        fn = getattr(udfs, name)
        if name in TABLE_UDFS:
            wrapped = formulas.functions.wrap_func(
                lambda *args, fn=fn: np.asarray(fn(*(np.asarray(x).item() for x in args)), object).view(array))
        else:
            wrapped = formulas.functions.wrap_ufunc(fn, input_parser=lambda *args: args, check_nan=False)
        mp.setitem(functions, name, wrapped)


@pytest.fixture(scope="module")
def committed() -> Path:
    if not WORKBOOK.is_file():
        pytest.fail(f"{WORKBOOK} is missing: run `tco-xl workbook build`")
    return WORKBOOK


@pytest.fixture(scope="module")
def evaluated(committed: Path, tmp_path_factory: pytest.TempPathFactory):
    """(model, formula sheets): the Scenarios and Compare sheets of TCO.xlsm compiled by ``formulas``."""
    book = openpyxl.load_workbook(committed)
    for ws in list(book.worksheets):
        if ws.title not in (layout.SCENARIOS, layout.COMPARE):
            book.remove(ws)
    for name in list(book.defined_names):  # they point at the sheets left out
        del book.defined_names[name]
    copy = tmp_path_factory.mktemp("formulas") / "udf_sheets.xlsx"
    book.save(copy)
    with pytest.MonkeyPatch.context() as mp:
        bind(mp)
        model = formulas.ExcelModel().loads(str(copy)).finish()
        yield model, book


def solve(model, workbook: Path, mp: pytest.MonkeyPatch) -> dict[str, object]:
    """Every cell's value ('SCENARIOS!C7' -> value) with the UDFs reading ``workbook``'s assumptions."""
    mp.setenv(live.WORKBOOK_ENV, str(workbook))
    solution = model.calculate()
    return {key.partition("]")[2].replace("'", ""): value.value for key, value in solution.items() if "]" in key}


def test_every_udf_cell_of_the_scenarios_sheet_equals_the_engine(evaluated, committed, monkeypatch) -> None:
    model, book = evaluated
    a = load_assumptions(committed)
    values = solve(model, committed, monkeypatch)
    cells = udf_calls(book[layout.SCENARIOS], UDF_NAMES)
    called = {name for _, name, _ in cells}
    # 4 metric blocks × 12 scenarios × 3 headcounts + 3 × (cheapest, Twilio, Mac Studios, 3 LLM models)
    assert len(cells) == 4 * len(a.stacks) * 3 + 3 * (3 + len(a.llm_models))
    assert called == {"TCO_SELF_HOSTED", "TCO_HYBRID", "TCO_CLOUD", "TCO_CHEAPEST", "TWILIO_COST",
                      "MAC_STUDIOS_NEEDED", "LLM_API_COST"}
    wrong = {cell: (values[f"SCENARIOS!{cell}"][0, 0], expected_value(name, args, a))
             for cell, name, args in cells if values[f"SCENARIOS!{cell}"][0, 0] != expected_value(name, args, a)}
    assert wrong == {}


def test_compare_sheet_tables_equal_the_engine(evaluated, committed, monkeypatch) -> None:
    model, book = evaluated
    a = load_assumptions(committed)
    values = solve(model, committed, monkeypatch)
    ranges = {key.partition("!")[2]: value for key, value in values.items() if key.startswith("COMPARE!")}
    table = next(v for k, v in ranges.items() if k.startswith("A6:"))  # =TCO_COMPARE(B4), B4 = 47
    df = compare(47, a)
    assert table[0].tolist() == ["Scenario", "Year 1", "Annual (years 2..5)", "5-year TCO", "Monthly",
                                 "Per agent per month", "Cheapest"]
    assert table[1:, 0].tolist() == df["name"].tolist()
    assert table[1:, 3].tolist() == [cents(x) for x in df["tco"]]
    lines = next(v for k, v in ranges.items() if k.startswith(f"A{6 + len(a.stacks) + 6}:"))  # TCO_BREAKDOWN
    hybrid = price("hybrid", 47, a).components  # B21 = 'hybrid', B22 = 47
    assert lines[0].tolist() == udfs.BREAKDOWN_HEADER
    assert lines[1:1 + len(hybrid), 1].tolist() == [c.name for c in hybrid]
    assert lines[1:1 + len(hybrid), 5].tolist() == [cents(c.monthly) for c in hybrid]


def test_an_edited_rate_in_the_workbook_moves_the_udf_cells(evaluated, committed, tmp_path, monkeypatch) -> None:
    model, book = evaluated
    where = {(name, *args): cell for cell, name, args in udf_calls(book[layout.SCENARIOS], UDF_NAMES)}
    twilio, hybrid = where["TWILIO_COST", 47, "monthly"], where["TCO_HYBRID", 47, "year1"]
    before = solve(model, committed, monkeypatch)
    edited = tmp_path / "edited.xlsm"
    shutil.copyfile(committed, edited)
    wb = openpyxl.load_workbook(edited, keep_vba=True)
    sheet, cell = layout.cell_of(INBOUND).split("!")
    wb[sheet][cell] = 0.015
    wb.save(edited)
    after = solve(model, edited, monkeypatch)
    moved = lambda cell: after[f"SCENARIOS!{cell}"][0, 0] - before[f"SCENARIOS!{cell}"][0, 0]  # noqa: E731
    # 47 agents × 40 calls × 8 min × 22 days × 50% inbound = 165,440 min × ($0.015 − $0.013) = $330.88/month
    assert moved(twilio) == pytest.approx(330.88, abs=1e-6)
    assert moved(hybrid) == pytest.approx(3970.56, abs=1e-6)  # Year 1: 12 × 330.88


# -- the caller's workbook: parse once per edit ----------------------------------------------------------
@pytest.fixture
def book(built_workbook: Path) -> Book:
    """The built TCO.xlsm as Excel would show it to a UDF (edits stay in memory)."""
    return Book(built_workbook)


def test_a_thousand_calls_parse_the_assumption_sheets_once(book: Book) -> None:
    caller = Caller(book)
    cells = udf_calls(book.wb[layout.SCENARIOS], UDF_NAMES)  # the Scenarios sheet's 162 UDF cells, recalculated ~6 times
    parses = live.parse_count()
    results = [getattr(udfs, name)(*args, caller=caller) for _, name, args in (cells * 7)[:1000]]
    assert live.parse_count() - parses == 1
    a = load_assumptions(book.fullname)
    assert results[:len(cells)] == [expected_value(name, args, a) for _, name, args in cells]
    state = f"{layout.STATE}!A1:A{len(layout.state_blocks())}"
    sheet_reads = {k: n for k, n in book.reads.items() if k != state}
    assert book.reads[state] == 1000  # one read of TCO_STATE per call
    assert sorted(k.partition("!")[0] for k in sheet_reads) == sorted(layout.ASSUMPTION_SHEETS)  # one parse
    assert set(sheet_reads.values()) == {1}


def test_an_edit_changes_the_fingerprint_and_the_next_call_parses_again(book: Book) -> None:
    caller = Caller(book)
    before = udfs.TWILIO_COST(47.0, "monthly", caller)
    parses = live.parse_count()
    book.edit(layout.cell_of(INBOUND), 0.015)
    after = udfs.TWILIO_COST(47.0, "monthly", caller)
    assert live.parse_count() - parses == 1
    assert after == cents(before + 330.88)  # 165,440 inbound min × ($0.015 − $0.013)
    assert udfs.TWILIO_COST([[47.0], [47.0]], "monthly", caller) == [[after], [after]]
    assert live.parse_count() - parses == 1  # unchanged workbook: no further parse


def test_a_bad_cell_shows_in_every_udf_cell_until_fixed(book: Book, caplog) -> None:
    caller, calls = Caller(book), "usage.calls_per_agent_per_day"
    book.edit(layout.cell_of(INBOUND), "abc")
    book.edit(layout.cell_of(calls), -40)
    parses = live.parse_count()
    with caplog.at_level(logging.WARNING, logger="tco_xl"):
        shown = {udfs.TCO_HYBRID(float(n), None, None, caller) for n in range(1, 101)}
    # every cell shows the first problem (sheets in workbook order: Usage before Telephony)
    assert shown == {f"#TCO! {layout.cell_of(calls)} ({calls}): found -40.0, expected a number greater than or "
                     "equal to 0 (calls/agent/day) (+1 more, see log)"}
    assert live.parse_count() - parses == 1  # the error is kept, not re-parsed per cell
    assert len(caplog.records) == 1  # the full detail, logged once for 100 cells
    assert f"{layout.cell_of(INBOUND)} ({INBOUND}): found 'abc', expected a number" in caplog.text
    book.edit(layout.cell_of(calls), 40)
    book.edit(layout.cell_of(INBOUND), 0.013)
    assert udfs.TCO_HYBRID(47.0, None, None, caller) == cents(price("hybrid", 47).year1)


def test_two_open_workbooks_keep_their_own_assumptions(built_workbook: Path) -> None:
    base, edited = Book(built_workbook), Book(built_workbook)
    base.fullname, edited.fullname = "Base.xlsm", "Edited.xlsm"  # as if two files were open
    edited.edit(layout.cell_of(INBOUND), 0.015)
    parses = live.parse_count()
    for _ in range(50):
        assert udfs.TWILIO_COST(47.0, "monthly", Caller(base)) == 4578.38  # as derived in test_udfs
        assert udfs.TWILIO_COST(47.0, "monthly", Caller(edited)) == 4909.26  # + 330.88
    assert live.parse_count() - parses == 2


def test_explain_names_the_cells_of_the_callers_workbook(book: Book) -> None:
    text = udfs.TCO_EXPLAIN("hybrid", 47.0, "Twilio inbound calls", Caller(book))
    assert f"{layout.cell_of(INBOUND)} ({INBOUND})" in text
    assert f"{layout.cell_of('usage.calls_per_agent_per_day')} (usage.calls_per_agent_per_day)" in text


def test_without_a_fingerprint_every_call_parses_but_none_is_stale(book: Book, caplog) -> None:
    del book.wb.defined_names[layout.STATE_NAME]
    caller = Caller(book)
    parses = live.parse_count()
    first = udfs.TWILIO_COST(47.0, "monthly", caller)
    book.edit(layout.cell_of(INBOUND), 0.015)
    assert udfs.TWILIO_COST(47.0, "monthly", caller) == cents(first + 330.88)
    assert live.parse_count() - parses == 2
    assert f"no {layout.STATE_NAME} name" in caplog.text


def test_a_missing_workbook_file_is_a_cell_error(tmp_path, monkeypatch) -> None:
    missing = tmp_path / "gone.xlsm"
    monkeypatch.setenv(live.WORKBOOK_ENV, str(missing))
    assert udfs.TCO_HYBRID(47.0).startswith(f"#TCO! {live.WORKBOOK_ENV}={missing}: cannot read the workbook")


@pytest.mark.libreoffice
def test_the_stand_in_fingerprint_is_what_a_spreadsheet_computes(built_workbook, soffice, tmp_path) -> None:
    """LibreOffice's TEXTJOIN of an edited workbook equals the stand-in's (LibreOffice writes TRUE/FALSE as
    1/0, Excel as TRUE/FALSE), and the edit moved the fingerprint of the edited sheet only."""
    edited = tmp_path / "edited.xlsm"
    shutil.copyfile(built_workbook, edited)
    wb = openpyxl.load_workbook(edited, keep_vba=True)
    sheet, cell = layout.cell_of(INBOUND).split("!")
    wb[sheet][cell] = 0.015
    wb.save(edited)
    (output,) = recalculate([edited], tmp_path / "out", soffice=soffice)
    state = openpyxl.load_workbook(output, data_only=True)[layout.STATE]
    blocks = len(layout.state_blocks())
    spreadsheet = [state.cell(row, 1).value.replace("_x001f_", "\x1f") for row in range(1, blocks + 1)]
    before, after = (Book(path).names[layout.STATE_NAME].refers_to_range.value for path in (built_workbook, edited))
    as_libreoffice = ["\x1f".join({"TRUE": "1", "FALSE": "0"}.get(t, t) for t in text.split("\x1f")) for text in after]
    assert as_libreoffice == spreadsheet
    changed = [i for i in range(blocks) if before[i] != after[i]]
    assert [layout.state_blocks()[i][0] for i in changed] == [sheet]
