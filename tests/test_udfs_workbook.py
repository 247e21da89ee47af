"""The Excel functions in the shipped workbook/TCO.xlsm, without Excel.

1. Dependencies: ``formulas`` loads TCO.xlsm whole (the TCO_INPUTS mirror block included) with the functions
   bound to their names, and recalculates after an edit as Excel does: the cells downstream of the edited
   cell in the dependency graph, nothing else (``recalculated``). Editing the Twilio inbound rate calls each of
   the 10 function cells once and every Scenarios/Compare cell then equals the engine at the new rate;
   editing a cell no function depends on calls none.
2. COM reads: a call with ``inputs`` reads nothing from the workbook; a call without reads the calling
   workbook's assumption sheets (a recording stand-in Book, tests/fixtures/xlbook.py): 61 round trips.
3. A real spreadsheet (LibreOffice) computes TCO_INPUTS; priced from that block the functions agree with the
   loader; a cell outside the input blocks is not read (and the loader's check names it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import openpyxl
import pytest
import schedula as sh

from tco_xl import udfs
from tco_xl.engine import compare, price
from tco_xl.engine.capacity import mac_studios
from tco_xl.engine.llm import api_components
from tco_xl.errors import WorkbookError
from tco_xl.io import layout, live
from tco_xl.io.workbook import load_assumptions
from tco_xl.rounding import excel_round

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from xlbook import Book  # noqa: E402

WORKBOOK = layout.DEFAULT_WORKBOOK
BOOK = f"[{WORKBOOK.name}]"
INBOUND = "telephony.inbound_usd_per_min"
UDF_NAMES = [name for name in udfs.__all__ if name.isupper()]
CALL = re.compile(r"=(?P<name>[A-Z_]+)\((?P<args>.*)\)")


def cents(x: float) -> float:
    return excel_round(x, 2)


def key(ref: str) -> str:
    """'Telephony!C2' -> formulas' node name "'[TCO.xlsm]TELEPHONY'!C2"."""
    sheet, _, cell = ref.rpartition("!")
    return f"'{BOOK}{sheet.strip(chr(39)).upper()}'!{cell}"


# -- the workbook as formulas sees it --------------------------------------------------------------------
def _python(value: Any) -> Any:
    """A formulas value as a classic VBA wrapper hands it to Python: a single cell as a scalar, a range as
    rows, an empty cell (or "") as None, an error as its text."""
    array = np.asarray(value, dtype=object)

    def cell(x: Any) -> Any:
        if x is sh.EMPTY or (isinstance(x, str) and x == ""):
            return None
        if isinstance(x, formulas.tokens.operand.XlError):
            return str(x)
        return x.item() if isinstance(x, np.generic) else x

    if array.ndim == 0:
        return cell(array.item())
    if array.shape == (1, 1):
        return cell(array[0, 0])
    return [[cell(x) for x in row] for row in array]


class Calls(list):
    """The names of the functions called, in order."""


@pytest.fixture(scope="module")
def excel(tmp_path_factory: pytest.TempPathFactory):
    """(model, its values after a full recalculation, the calls made): TCO.xlsm compiled by ``formulas``."""
    if not WORKBOOK.is_file():
        pytest.fail(f"{WORKBOOK} is missing: run `tco-xl workbook build`")
    calls = Calls()
    with pytest.MonkeyPatch.context() as mp:
        functions = formulas.get_functions()
        for name in UDF_NAMES:
            def bound(*args: Any, fn=getattr(udfs, name), name=name) -> Any:
                calls.append(name)
                out = fn(*map(_python, args))
                return np.asarray(out if isinstance(out, list) else [[out]], object).view(formulas.functions.Array)
            mp.setitem(functions, name, formulas.functions.wrap_func(bound))
        model = formulas.ExcelModel().loads(str(WORKBOOK)).finish()
        values = model.calculate()
        yield model, values, calls


def recalculated(excel, ref: str, value: Any, values: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Excel's recalculation after typing ``value`` into ``ref``: every cell downstream of it is recalculated,
    from the values the others already hold (``values``: after an earlier edit; default: the file's). Returns
    (values, the functions called)."""
    model, first, calls = excel
    values = first if values is None else values
    edited, graph = key(ref), model.dsp.dmap
    dirty, todo = set(), [edited]
    while todo:
        for node in graph.succ.get(todo.pop(), ()):  # a cell not in the file has no dependents
            if node not in dirty:
                dirty.add(node)
                todo.append(node)
    calls.clear()
    out = model.dsp.dispatch(inputs={**{k: v for k, v in values.items() if k not in dirty}, edited: value})
    return {k: v.value if hasattr(v, "value") else v for k, v in out.items()}, list(calls)


def shown(values: dict[str, Any], ref: str) -> np.ndarray:
    """The values of ``ref`` ('Scenarios!C7:E18') in a recalculation's results."""
    value = values[key(ref)]
    return np.asarray(getattr(value, "value", value), object)


def array_formulas(sheet: str) -> list[tuple[str, str, list[str]]]:
    """(range, function, argument texts) of every array formula on ``sheet`` of TCO.xlsm."""
    ws = openpyxl.load_workbook(WORKBOOK)[sheet]
    found = []
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, openpyxl.worksheet.formula.ArrayFormula):
                match = CALL.fullmatch(cell.value.text)
                if match and match["name"] in UDF_NAMES:
                    found.append((cell.value.ref, match["name"], re.findall(r'"[^"]*"|[^,]+', match["args"])))
    return found


def expected_block(ws: Any, name: str, args: list[str], a) -> list[list[Any]]:
    """What an array formula of the Scenarios sheet must show, from the engine: rows are the keys of a
    '$B$7:$B$18' argument (or one row), columns the headcounts of '$C$4:$E$4'."""
    def cells(ref: str) -> list[Any]:
        return [c.value for row in ws[ref.replace("$", "")] for c in row]
    headcounts = cells(args[1] if name in ("TCO", "LLM_API_COST") else args[0])
    keys = cells(args[0]) if name in ("TCO", "LLM_API_COST") else [None]
    metric = next((arg.strip('"') for arg in args if arg.startswith('"')), "year1")
    if name == "TCO":
        return [[cents(price(k, n, a).metric(metric)) for n in headcounts] for k in keys]
    if name == "LLM_API_COST":
        return [[cents(sum(c.monthly for c in api_components(a, k, float(n)))) for n in headcounts] for k in keys]
    if name == "TCO_CHEAPEST":
        return [[(df := compare(n, a)).loc[df.cheapest, "name"].iloc[0] for n in headcounts]]
    if name == "TWILIO_COST":
        return [[cents(sum(c.monthly for c in price("hybrid", n, a).components if c.category == "telephony"))
                 for n in headcounts]]
    if name == "MAC_STUDIOS_NEEDED":
        return [[int(mac_studios(a, float(n))) for n in headcounts]]
    raise AssertionError(f"no oracle for {name}")


def scenarios_wrong(values: dict[str, Any], a) -> dict[str, Any]:
    """Scenarios cells that differ from the engine at assumptions ``a``: {range: (shown, expected)}."""
    ws = openpyxl.load_workbook(WORKBOOK)[layout.SCENARIOS]
    wrong = {}
    for ref, name, args in array_formulas(layout.SCENARIOS):
        found = shown(values, f"{layout.SCENARIOS}!{ref}").tolist()
        expected = expected_block(ws, name, args, a)
        if found != expected:
            wrong[ref] = (found, expected)
    return wrong


# -- 1. dependencies ----------------------------------------------------------------------------------------
def test_ten_spilling_calls_fill_the_shipped_sheets_with_the_engines_figures(excel) -> None:
    model, values, calls = excel
    a = load_assumptions(WORKBOOK)
    found = array_formulas(layout.SCENARIOS) + array_formulas(layout.COMPARE)
    # Scenarios: 4 metric blocks (TCO) + cheapest, Twilio, Mac Studios, LLM models; Compare: the two tables
    assert sorted(name for _, name, _ in found) == sorted(["TCO"] * 4 + ["TCO_CHEAPEST", "TWILIO_COST",
                                                          "MAC_STUDIOS_NEEDED", "LLM_API_COST", "TCO_COMPARE",
                                                          "TCO_BREAKDOWN"])
    assert sorted(calls) == sorted(name for _, name, _ in found)  # one call per block, none volatile
    # every call passes TCO_INPUTS; the Compare sheet's then its what-if cell (blank: none)
    assert all(args[-1] == layout.INPUTS_NAME or args[-2:] == [layout.INPUTS_NAME, "$B$5"] for _, _, args in found)
    assert scenarios_wrong(values, a) == {}
    assert shown(values, f"{layout.SCENARIOS}!B3").tolist() == [[0]]  # no cell shows an error
    assert shown(values, f"{layout.COMPARE}!B3").tolist() == [[0]]


def test_an_assumption_edit_recalculates_exactly_the_function_cells_with_the_new_rate(excel) -> None:
    model, values, _ = excel
    ref = layout.cell_of(INBOUND)
    after, called = recalculated(excel, ref, 0.015)
    assert sorted(called) == sorted(name for _, name, _ in array_formulas(layout.SCENARIOS)
                                    + array_formulas(layout.COMPARE))  # each block once: 10 calls, not 162
    edited = load_assumptions(WORKBOOK).with_values({INBOUND: 0.015})
    assert scenarios_wrong(after, edited) == {}
    twilio = next(r for r, name, _ in array_formulas(layout.SCENARIOS) if name == "TWILIO_COST")
    moved = (shown(after, f"{layout.SCENARIOS}!{twilio}").astype(float)
             - shown(values, f"{layout.SCENARIOS}!{twilio}").astype(float))
    # inbound minutes at 47/100/500 agents: agents × 40 calls × 8 min × 22 days × 50% = 165,440 / 352,000 /
    # 1,760,000, each × ($0.015 − $0.013) = $330.88 / $704 / $3,520 more per month
    assert moved.ravel().tolist() == pytest.approx([330.88, 704.0, 3520.0], abs=1e-6)
    compared = shown(after, f"{layout.COMPARE}!{array_formulas(layout.COMPARE)[0][0]}")
    df = compare(47, edited)
    assert compared[1:, 0].tolist() == df["name"].tolist()
    assert compared[1:, 3].tolist() == [cents(x) for x in df["tco"]]


def test_a_what_if_named_on_compare_recalculates_its_two_tables_with_it(excel) -> None:
    after, called = recalculated(excel, f"{layout.COMPARE}!B5", "SIP trunking")
    assert sorted(called) == ["TCO_BREAKDOWN", "TCO_COMPARE"]  # the cells that name B5, nothing else
    a = load_assumptions(WORKBOOK)
    compared = shown(after, f"{layout.COMPARE}!{array_formulas(layout.COMPARE)[0][0]}")
    df = compare(47, a, what_if="SIP trunking")
    assert compared[1:, 0].tolist() == df["name"].tolist()
    assert compared[1:, 3].tolist() == [cents(x) for x in df["tco"]]
    # the what-if's own cells are inputs too: its inbound rate from $0.008 to $0.006 recalculates every call, and
    # the Compare table then saves 165,440 inbound min × $0.002 × 12 × 5 = $19,852.80 more over 5 years
    sip = layout.cell_of("what_ifs[1].value")
    assert sip == "'What-ifs'!C3" and a.what_ifs[1].assumption == INBOUND
    again, called = recalculated(excel, sip, 0.006, after)
    assert len(called) == 10
    moved = shown(again, f"{layout.COMPARE}!{array_formulas(layout.COMPARE)[0][0]}")
    assert sorted(moved[1:, 3].astype(float)) == pytest.approx(sorted(compared[1:, 3].astype(float) - 19_852.80))


@pytest.mark.parametrize("ref", ["Usage!G2", "Telephony!H3", "Telephony!B2", "Scenarios!A1", "README!A1"])
def test_an_edit_no_function_depends_on_calls_none(excel, ref: str) -> None:
    # B, G, H of an assumption sheet: its label, source and note (not read)
    _, called = recalculated(excel, ref, "edited")
    assert called == []


def test_a_bad_assumption_cell_shows_in_every_function_cell_and_in_the_error_count(excel) -> None:
    after, called = recalculated(excel, layout.cell_of(INBOUND), "abc")
    assert len(called) == 10
    assert set(shown(after, f"{layout.SCENARIOS}!C7:E18").ravel()) == {f"#TCO! {layout.cell_of(INBOUND)} ({INBOUND}): found 'abc', expected a number, "
                                  "not text (USD/min)"}
    blocks = array_formulas(layout.SCENARIOS)
    cells = sum(shown(after, f"{layout.SCENARIOS}!{ref}").size for ref, _, _ in blocks)
    # 4 metrics × 12 stacks × 3 headcounts; 3 driver rows; 13 LLM models (the report's 3, 10 current ones) × 3
    assert cells == 4 * 12 * 3 + 3 * 3 + 13 * 3
    assert shown(after, f"{layout.SCENARIOS}!B3").tolist() == [[cells]]


# -- 2. COM reads per call ---------------------------------------------------------------------------------
@pytest.mark.libreoffice
def test_a_call_with_inputs_reads_nothing_from_the_workbook(inputs_block, monkeypatch) -> None:
    block = inputs_block(WORKBOOK)
    book = Book(WORKBOOK)
    monkeypatch.setattr(live, "calling_book", lambda: book)  # as in classic Excel: the calling book is at hand
    for fn, args in ((udfs.TCO_HYBRID, (47.0, None, None)), (udfs.TCO, ([["aws"], ["hybrid"]], [[47.0, 100.0]], "tco")),
                     (udfs.TCO_COMPARE, (47.0,)), (udfs.TWILIO_COST, (47.0, "monthly"))):
        assert not str(fn(*args, block)).startswith("#TCO!")
    assert book.com_reads == 0
    # 47 × 40 × 8 × 22 = 330,880 min, half in at $0.013 and half out at $0.014, + numbers, SMS, recordings
    assert udfs.TWILIO_COST(47.0, "monthly", block) == 4578.38


def test_a_call_without_inputs_reads_each_assumption_sheet_once(monkeypatch) -> None:
    book = Book(WORKBOOK)
    monkeypatch.setattr(live, "calling_book", lambda: book)
    assert udfs.TWILIO_COST(47.0, "monthly") == 4578.38
    sheets = len(layout.ASSUMPTION_SHEETS)
    assert book.reads == {"Workbook.Worksheets": 1, "Worksheets.Item": sheets, "Worksheet.UsedRange": sheets,
                          "Range.Address": sheets, "Range.Value": sheets}
    assert book.com_reads == 1 + 4 * 15 == 61  # what the README and docs/excel-windows.md state


def test_without_inputs_an_edit_is_seen_at_the_next_call_and_parsed_once(monkeypatch) -> None:
    book = Book(WORKBOOK)
    monkeypatch.setattr(live, "calling_book", lambda: book)
    before = udfs.TWILIO_COST(47.0, "monthly")
    book.edit(layout.cell_of(INBOUND), 0.0151)
    parses = live.parse_count()
    after = [udfs.TWILIO_COST(47.0, "monthly") for _ in range(20)]
    assert live.parse_count() - parses == 1  # keyed by what was read: one parse for 20 calls
    assert after == [cents(before + 165_440 * (0.0151 - 0.013))] * 20  # 165,440 inbound min × $0.0021 = 347.42


def test_without_inputs_a_bad_cell_names_it(monkeypatch) -> None:
    book = Book(WORKBOOK)
    monkeypatch.setattr(live, "calling_book", lambda: book)
    book.edit(layout.cell_of(INBOUND), "abc")
    assert udfs.TCO_HYBRID(47.0) == (f"#TCO! {layout.cell_of(INBOUND)} ({INBOUND}): found 'abc', expected a number, "
                                     "not text (USD/min)")


# -- 3. TCO_INPUTS as a real spreadsheet computes it ----------------------------------------------------------
@pytest.mark.libreoffice
def test_priced_from_the_spreadsheets_block_the_functions_agree_with_the_loader(workbook_copy, inputs_block) -> None:
    edits = {"Telephony": {"C2": 0.0171, "E2": None}, "Usage": {"C3": 31}, "Providers": {"D2": 0.5}}
    path = workbook_copy(edits, name="edited.xlsm")
    block = inputs_block(path)
    parses = live.parse_count()
    assert live.assumptions_for(block).content_hash() == load_assumptions(path).content_hash()
    assert live.assumptions_for([list(row) for row in block]) is live.assumptions_for(block)  # cached by content
    assert live.parse_count() - parses == 1


@pytest.mark.libreoffice
def test_a_filled_cell_outside_the_input_blocks_is_not_read_and_the_check_names_it(workbook_copy,
                                                                                    inputs_block) -> None:
    path = workbook_copy({"Usage": {"J5": 99}, "Stacks": {"B400": "stray"}}, name="stray.xlsm")
    block = inputs_block(path)
    assert live.assumptions_for(block).content_hash() == load_assumptions(WORKBOOK).content_hash()
    with pytest.raises(WorkbookError) as checked:  # tco-xl workbook check names the cells
        load_assumptions(path)
    assert [(p.sheet, p.cell, p.expected) for p in checked.value.problems] == [
        ("Usage", "J5", "inputs within A1:H100 (the block the Excel functions read)"),
        ("Stacks", "B400", "inputs within A1:R300 (the block the Excel functions read)")]
