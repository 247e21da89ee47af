"""Building TCO.xlsm: the template's VBA intact, reproducible bytes, the sheets a finance user edits."""

from __future__ import annotations

import re
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings

from tco_xl.assumptions import default_assumptions, scalar_specs
from tco_xl.io.layout import (DEFAULT_WORKBOOK, SCALAR_SHEETS, SHEET_ORDER, STATE, TABLE_SHEETS, cell_of,
                              column_letter, defined_name, state_blocks, table_sheet)
from tco_xl.io.libreoffice import recalculate
from tco_xl.io.template import PERCENT, TEMPLATE, USD, WINDOWS_SETUP, XLWINGS_CONF, workbook_bytes
from tco_xl.io.vba import VB_NAME_HEADER
from tco_xl.io.workbook import load_assumptions

MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
BLUE = "000000FF"


def part(path, name):
    with zipfile.ZipFile(path) as z:
        return z.read(name)


@pytest.fixture(scope="module")
def wb(built_workbook):
    return openpyxl.load_workbook(built_workbook)


def test_the_template_vba_is_carried_byte_for_byte(built_workbook, workbook_copy):
    template_vba = part(TEMPLATE, "xl/vbaProject.bin")
    assert part(built_workbook, "xl/vbaProject.bin") == template_vba
    edited = workbook_copy({"Telephony": {"C2": 0.015}})  # a later write with openpyxl (keep_vba=True)
    assert part(edited, "xl/vbaProject.bin") == template_vba
    for path in (built_workbook, edited):
        types = part(path, "[Content_Types].xml").decode()
        assert f'<Override PartName="/xl/workbook.xml" ContentType="{MACRO_WORKBOOK}"' in types.replace(" />", "/>")


def test_xlwings_is_pinned_to_the_version_whose_template_is_built_in():
    # The template's VBA declares xlwings64-<version>.dll: the workbook works with that xlwings only.
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert f"xlwings=={xlwings.__version__}" in pyproject["project"]["dependencies"]
    assert TEMPLATE.parent == Path(xlwings.__file__).parent


def test_the_build_is_reproducible(built_workbook):
    assert workbook_bytes() == built_workbook.read_bytes()  # same bytes: fixed document and zip entry times
    assert DEFAULT_WORKBOOK.read_bytes() == built_workbook.read_bytes(), "run `tco-xl workbook build`"


def test_the_udf_module_file_is_written_beside_the_workbook(built_workbook):
    bas = built_workbook.with_name("xlwings_udfs.bas").read_bytes().decode("cp1252")
    assert bas.startswith(VB_NAME_HEADER + "\r\n")
    assert "Function TCO_HYBRID(" in bas


def test_sheets_in_order_the_state_sheet_hidden(wb):
    assert wb.sheetnames == list(SHEET_ORDER)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"] == [STATE]


def test_the_xlwings_conf_sheet_is_active_and_names_the_udf_module(wb):
    conf = wb["xlwings.conf"]
    keys = []
    for row in conf.iter_rows(min_col=1, max_col=2, values_only=True):  # xlwings reads down to the first blank
        if row[0] is None:
            break
        keys.append(row)
    assert keys == [(key, value) for key, value, _ in XLWINGS_CONF]
    assert dict(keys)["UDF Modules"] == "tco_xl.udfs"
    assert "_xlwings.conf" not in wb.sheetnames


def test_one_defined_name_per_assumption_and_the_state_name(wb):
    defaults = default_assumptions()
    for spec in scalar_specs():
        [(sheet, cell)] = wb.defined_names[defined_name(spec.key)].destinations
        assert f"{sheet}!{cell.replace('$', '')}" == cell_of(spec.key)
        assert wb[sheet][cell.replace("$", "")].value == defaults.value(spec.key)
    assert wb.defined_names["TCO_STATE"].attr_text == f"'_tco_state'!$A$1:$A${len(state_blocks())}"
    formulas = [wb[STATE].cell(row=i, column=1).value for i in range(1, len(state_blocks()) + 1)]
    assert formulas == [f"=_xlfn.TEXTJOIN(CHAR(31),FALSE,'{sheet}'!{block})" for sheet, block in state_blocks()]
    assert ("Stacks", "A251:Z300") in state_blocks()  # tables: 300 rows in chunks of 50


def test_scalar_sheets_rows_inputs_formats_and_validation(wb):
    ws = wb["Telephony"]
    assert [c.value for c in ws[1]] == ["Key", "Assumption", "Value", "Unit", "Low", "High", "Source", "Note"]
    assert ws.freeze_panes == "A2"
    assert [ws.cell(row=r, column=1).value for r in range(2, 10)] == [
        s.key for s in scalar_specs() if s.group == "telephony"]
    value = ws["C2"]
    assert (value.value, value.font.color.rgb, value.number_format) == (
        default_assumptions().telephony.inbound_usd_per_min, BLUE, USD)
    assert wb["Usage"]["C6"].number_format == PERCENT
    assert wb["Network"]["E2"].value == 53 and wb["Network"]["F2"].value == 64  # the report's '$53-64' range

    def rule(sheet, cell):
        [dv] = [dv for dv in wb[sheet].data_validations.dataValidation if cell in dv.sqref]
        return dv.type, dv.operator, dv.formula1, dv.formula2

    assert rule("Usage", "C6") == ("decimal", "between", "0", "1")  # a share
    assert rule("Telephony", "C2") == ("decimal", "greaterThanOrEqual", "0", None)  # a price
    assert rule("Finance", "C2") == ("whole", "between", "0", "30")  # horizon in whole years, > 0 and <= 30
    options = len({line.group for line in default_assumptions().options}) + 1
    assert rule("Services", "C2") == ("list", None, f"'_tco_state'!$D$2:$D${options + 1}", None)
    assert rule("Stacks", "C5") == ("list", None, '"self_hosted,hybrid,cloud"', None)
    assert rule("Stacks", "D300") == ("list", None, '"TRUE,FALSE"', None)  # rows a user adds are guarded too
    assert rule("Providers", "K2") == ("decimal", "between", "0", "1")  # discount


def test_table_sheets_are_excel_tables_a_user_can_extend(wb):
    defaults = default_assumptions()
    for sheet in TABLE_SHEETS:
        ws = wb[sheet.name]
        [table] = ws.tables.values()
        rows = len(getattr(defaults, sheet.table))
        assert table.ref == f"A1:{chr(ord('A') + len(sheet.columns) - 1)}{1 + rows}"
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert ws.cell(row=2, column=1).font.color.rgb == BLUE
    stacks = table_sheet("stacks").columns
    assert wb["Stacks"][f"{column_letter(stacks, 'option_groups')}2"].value == "cloudflare_business, argo"  # a list
    assert wb["Stacks"][f"{column_letter(stacks, 'mac_studios')}2"].value is True


def test_scenarios_sheet_calls_the_udfs_over_the_headcounts(wb):
    ws = wb["Scenarios"]
    stacks = default_assumptions().stacks
    assert [ws[c].value for c in ("C4", "D4", "E4")] == [47, 100, 500]
    assert all(ws[c].font.color.rgb == BLUE for c in ("C4", "D4", "E4"))
    formulas = {(row[1].value, row[2].value) for row in ws.iter_rows(min_row=5) if row[1].value}
    for year1, tco in [("=TCO_HYBRID(C$4,\"year1\")", "=TCO_HYBRID(C$4,\"tco\")"),
                       ("=TCO_SELF_HOSTED(C$4,\"year1\")", "=TCO_SELF_HOSTED(C$4,\"tco\")"),
                       ("=TCO_CLOUD(\"hetzner\",C$4,\"year1\")", "=TCO_CLOUD(\"hetzner\",C$4,\"tco\")")]:
        assert {year1, tco} <= {f for _, f in formulas}
    assert ("hybrid_optimized", '=TCO_HYBRID(C$4,"per_agent_month","optimized")') in formulas
    keys_per_block = [row[1].value for row in ws.iter_rows(min_row=5) if row[1].value]
    assert keys_per_block == [s.key for s in stacks] * 4  # Year 1, annual, N-year TCO, per agent per month
    by_label = {row[0].value: [c.value for c in row[2:5]] for row in ws.iter_rows(min_row=5) if row[0].value}
    assert by_label['="Cheapest by "&finance_horizon_years&"-year TCO"'] == ["=TCO_CHEAPEST(C$4)", "=TCO_CHEAPEST(D$4)", "=TCO_CHEAPEST(E$4)"]
    assert by_label["Mac Studios needed (units)"][2] == "=MAC_STUDIOS_NEEDED(E$4)"
    assert by_label["LLM API, OpenAI GPT-4o (USD/month)"][0] == '=LLM_API_COST("gpt-4o",C$4,"monthly")'
    assert by_label["Twilio telephony (USD/month)"][1] == '=TWILIO_COST(D$4,"monthly")'
    headings = [label for label in by_label if label.startswith(("Year 1", "=", "Per agent"))][:4]
    assert headings == ["Year 1 (USD)", '="Annual (years 2.."&finance_horizon_years&") (USD/year)"',
                        '=finance_horizon_years&"-year TCO (USD)"', "Per agent per month (USD/agent/month)"]


def test_compare_sheet_holds_array_formulas_sized_to_their_results(wb):
    ws = wb["Compare"]
    rows = 1 + len(default_assumptions().stacks)  # header + one row per scenario
    compare = ws["A6"].value
    assert (compare.ref, compare.text) == (f"A6:G{5 + rows}", "=TCO_COMPARE(B4)")
    breakdown = next(c.value for c in ws["A"] if isinstance(c.value, openpyxl.worksheet.formula.ArrayFormula)
                     and "BREAKDOWN" in c.value.text)
    assert re.fullmatch(r"=TCO_BREAKDOWN\(B\d+,B\d+\)", breakdown.text)


def test_readme_sheet_explains_use_recalculation_limits_and_windows_setup(wb):
    text = "\n".join(str(c.value) for c in wb["README"]["A"] if c.value)
    for heading in ("How to use it", "Where to edit", "How to recalculate", "Limits", "One-time setup on Windows"):
        assert f"\n{heading}\n" in text
    assert all(line in text for line in WINDOWS_SETUP)
    assert "A1:Z300" in text and "A1:Z100" in text
    assert all(f"\n{sheet}: " in text for sheet in SCALAR_SHEETS.values())


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_and_computes_the_fingerprint(built_workbook, workbook_copy, tmp_path,
                                                                     soffice):
    original = workbook_copy(name="TCO.xlsm")
    edited = workbook_copy({"Telephony": {"C2": 0.015}}, name="edited.xlsm")
    converted, converted_edit = recalculate([original, edited], tmp_path / "lo", soffice=soffice)

    lo = openpyxl.load_workbook(converted, data_only=True)
    assert lo.sheetnames == list(SHEET_ORDER)
    headings = [c.value for c in lo["Scenarios"]["A"] if c.value and "(USD" in str(c.value)]
    assert headings[1:3] == ["Annual (years 2..5) (USD/year)", "5-year TCO (USD)"]  # the horizon name resolves
    assert load_assumptions(converted).content_hash() == default_assumptions().content_hash()
    assert load_assumptions(converted_edit).telephony.inbound_usd_per_min == 0.015

    def state(path):
        ws = openpyxl.load_workbook(path, data_only=True)[STATE]
        return [ws.cell(row=i, column=1).value for i in range(1, len(state_blocks()) + 1)]

    before, after = state(converted), state(converted_edit)
    changed = [state_blocks()[i] for i, (x, y) in enumerate(zip(before, after)) if x != y]
    assert changed == [("Telephony", "A1:Z50")]  # one input edited: exactly its block's fingerprint moves
    telephony = before[state_blocks().index(("Telephony", "A1:Z50"))]
    assert "telephony.inbound_usd_per_min_x001f_Inbound call rate_x001f_0.013_x001f_" in telephony
    assert all(isinstance(v, str) and v for v in before)
