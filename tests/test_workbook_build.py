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
from tco_xl.io.layout import (DEFAULT_WORKBOOK, INPUTS, INPUTS_NAME, SCALAR_SHEETS, SHEET_ORDER, TABLE_SHEETS, cell_of,
                              column_letter, defined_name, inputs_shape, mirrors, table_sheet)
from tco_xl.io.libreoffice import recalculate
import xlwings

from tco_xl.io.template import PERCENT, TEMPLATE, USD, XLWINGS_CONF, _windows_setup, workbook_bytes
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


def test_the_vba_project_survives_later_writes_byte_for_byte(built_workbook, workbook_copy):
    # what the build adds to the template's project: tests/test_vbaproject.py
    built_vba = part(built_workbook, "xl/vbaProject.bin")
    edited = workbook_copy({"Telephony": {"C2": 0.015}})  # a later write with openpyxl (keep_vba=True)
    assert part(edited, "xl/vbaProject.bin") == built_vba
    for path in (built_workbook, edited):
        types = part(path, "[Content_Types].xml").decode()
        assert f'<Override PartName="/xl/workbook.xml" ContentType="{MACRO_WORKBOOK}"' in types.replace(" />", "/>")


def test_xlwings_is_pinned_to_the_version_whose_template_is_built_in():
    # The template's VBA declares xlwings64-<version>.dll: the workbook works with that xlwings only.
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert f"xlwings=={xlwings.__version__}" in pyproject["project"]["optional-dependencies"]["excel"]
    assert TEMPLATE.parent == Path(xlwings.__file__).parent


def test_the_build_is_reproducible(built_workbook):
    assert workbook_bytes() == built_workbook.read_bytes()  # same bytes: fixed document and zip entry times
    assert DEFAULT_WORKBOOK.read_bytes() == built_workbook.read_bytes(), "run `tco-xl workbook build`"


def test_the_udf_module_file_is_written_beside_the_workbook(built_workbook):
    bas = built_workbook.with_name("xlwings_udfs.bas").read_bytes().decode("cp1252")
    assert bas.startswith(VB_NAME_HEADER + "\r\n")
    assert "Function TCO_HYBRID(" in bas


def test_sheets_in_order_the_inputs_sheet_hidden(wb):
    assert wb.sheetnames == list(SHEET_ORDER)
    assert [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"] == [INPUTS]


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


def test_one_defined_name_per_assumption_and_the_inputs_name(wb):
    defaults = default_assumptions()
    for spec in scalar_specs():
        [(sheet, cell)] = wb.defined_names[defined_name(spec.key)].destinations
        assert f"{sheet}!{cell.replace('$', '')}" == cell_of(spec.key)
        assert wb[sheet][cell.replace("$", "")].value == defaults.value(spec.key)
    # 9 scalar sheets: Key, Value, Low, High (4 columns) × 100 rows, 3 to a 300-row strip = 12 columns; then the
    # tables side by side, all their columns × 300 rows: Providers 15, Options 15, LLM models 5, GPU servers 18,
    # Stacks 18, What-ifs 6
    assert inputs_shape() == (300, 12 + 15 + 15 + 5 + 18 + 18 + 6)
    assert wb.defined_names[INPUTS_NAME].attr_text == "'_tco_inputs'!$A$1:$CK$300"
    arrays = {(c.value.ref, c.value.text) for row in wb[INPUTS].iter_rows() for c in row
              if isinstance(c.value, openpyxl.worksheet.formula.ArrayFormula)}
    assert ("A1:A100", '=IF(ISBLANK(\'Usage\'!A1:A100),"",\'Usage\'!A1:A100)') in arrays  # Key
    assert ("B101:B200", '=IF(ISBLANK(\'Telephony\'!C1:C100),"",\'Telephony\'!C1:C100)') in arrays  # Value
    assert ("C101:D200", '=IF(ISBLANK(\'Telephony\'!E1:F100),"",\'Telephony\'!E1:F100)') in arrays  # Low, High
    assert ("BN1:CE300", '=IF(ISBLANK(\'Stacks\'!A1:R300),"",\'Stacks\'!A1:R300)') in arrays
    assert ("CF1:CK300", '=IF(ISBLANK(\'What-ifs\'!A1:F300),"",\'What-ifs\'!A1:F300)') in arrays
    assert len(arrays) == sum(len(m.runs()) for m in mirrors()) == 9 * 3 + 6


def test_scalar_sheets_rows_inputs_formats_and_validation(wb):
    ws = wb["Telephony"]
    assert [c.value for c in ws[1]] == ["Key", "Assumption", "Value", "Unit", "Low", "High", "Source", "Note"]
    assert ws.freeze_panes == "A2"
    assert [ws.cell(row=r, column=1).value for r in range(2, 11)] == [
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
    assert rule("Services", "C2") == ("list", None, f"'_tco_inputs'!$CM$2:$CM${options + 1}", None)  # right of the block
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


def test_scenarios_sheet_calls_each_function_once_per_block(wb):
    ws = wb["Scenarios"]
    stacks = default_assumptions().stacks
    assert [ws[c].value for c in ("C4", "D4", "E4")] == [47, 100, 500]
    assert all(ws[c].font.color.rgb == BLUE for c in ("C4", "D4", "E4"))
    arrays = [(c.value.ref, c.value.text) for row in ws.iter_rows() for c in row
              if isinstance(c.value, openpyxl.worksheet.formula.ArrayFormula)]
    n = len(stacks)
    assert arrays[:4] == [(f"C{top}:E{top + n - 1}", f'=TCO($B${top}:$B${top + n - 1},$C$4:$E$4,"{metric}",TCO_INPUTS)')
                          for top, metric in zip(range(7, 7 + 4 * (n + 2), n + 2),
                                                 ("year1", "annual", "tco", "per_agent_month"))]
    drivers = 7 + 4 * (n + 2)  # 4 blocks of a heading, n rows and a blank row; then 'Cost drivers'
    assert arrays[4:] == [(f"C{drivers}:E{drivers}", "=TCO_CHEAPEST($C$4:$E$4,TCO_INPUTS)"),
                          (f"C{drivers + 1}:E{drivers + 1}", '=TWILIO_COST($C$4:$E$4,"monthly",TCO_INPUTS)'),
                          (f"C{drivers + 2}:E{drivers + 2}", "=MAC_STUDIOS_NEEDED($C$4:$E$4,TCO_INPUTS)"),
                          (f"C{drivers + 3}:E{drivers + 15}",  # 13 LLM models: the report's 3, 10 current ones
                           f'=LLM_API_COST($B${drivers + 3}:$B${drivers + 15},$C$4:$E$4,"monthly",TCO_INPUTS)')]
    keys_per_block = [row[1].value for row in ws.iter_rows(min_row=5, max_row=drivers - 1) if row[1].value]
    assert keys_per_block == [s.key for s in stacks] * 4  # Year 1, annual, N-year TCO, per agent per month
    assert [ws.cell(drivers + 3 + i, 2).value for i in range(13)] == [m.key for m in default_assumptions().llm_models]
    labels = [row[0].value for row in ws.iter_rows(min_row=5) if row[0].value]
    headings = [label for label in labels if label.startswith(("Year 1", "=", "Per agent"))][:4]
    assert headings == ["Year 1 (USD)", '="Annual (years 2.."&finance_horizon_years&") (USD/year)"',
                        '=finance_horizon_years&"-year TCO (USD)"', "Per agent per month (USD/agent/month)"]
    assert ws["B3"].value == f'=COUNTIF(C6:E{drivers + 15},"#TCO!*")+SUMPRODUCT(ISERR(C6:E{drivers + 15})*1)'


def test_compare_sheet_holds_array_formulas_sized_to_their_results(wb):
    ws = wb["Compare"]
    rows = 1 + len(default_assumptions().stacks)  # header + one row per scenario
    compare = ws["A6"].value
    assert (compare.ref, compare.text) == (f"A6:G{5 + rows}", "=TCO_COMPARE(B4,TCO_INPUTS,$B$5)")  # B5: a what-if
    breakdown = next(c.value for c in ws["A"] if isinstance(c.value, openpyxl.worksheet.formula.ArrayFormula)
                     and "BREAKDOWN" in c.value.text)
    assert re.fullmatch(r"=TCO_BREAKDOWN\(B\d+,B\d+,TCO_INPUTS,\$B\$5\)", breakdown.text)
    assert ws["B5"].value is None and "What-if" in ws["A5"].value  # none until a user picks one
    [dv] = [dv for dv in ws.data_validations.dataValidation if "B5" in dv.sqref]
    names = list(dict.fromkeys(w.what_if for w in default_assumptions().what_ifs))
    lists = openpyxl.load_workbook(DEFAULT_WORKBOOK)[INPUTS]
    column = dv.formula1.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    assert [lists[f"{column}{r}"].value for r in range(2, 2 + len(names))] == names
    assert ws["B3"].value.startswith('=COUNTIF(A6:H')


def test_readme_sheet_explains_use_recalculation_limits_and_windows_setup(wb):
    text = "\n".join(str(c.value) for c in wb["README"]["A"] if c.value)
    for heading in ("How to use it", "Where to edit", "How the figures stay current", "Limits",
                    "One-time setup on Windows"):
        assert f"\n{heading}\n" in text
    assert all(line in text for line in _windows_setup(xlwings.__version__))
    assert ("Usage A1:H100; Providers A1:O300; Options A1:O300; LLM models A1:E300; GPU servers A1:R300; "
            "Stacks A1:R300") in text
    assert "=TCO_HYBRID(47,,,TCO_INPUTS)" in text
    assert all(f"\n{sheet}: " in text for sheet in SCALAR_SHEETS.values())


@pytest.mark.libreoffice
def test_libreoffice_opens_the_workbook_and_computes_the_inputs_block(built_workbook, workbook_copy, tmp_path,
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

    def block(path):
        rows, columns = inputs_shape()
        ws = openpyxl.load_workbook(path, data_only=True)[INPUTS]
        return [list(r) for r in ws.iter_rows(min_row=1, max_row=rows, max_col=columns, values_only=True)]

    before, after = block(converted), block(converted_edit)
    changed = [(r + 1, c + 1, x[c], y[c]) for r, (x, y) in enumerate(zip(before, after)) for c in range(len(x))
               if x[c] != y[c]]
    # Telephony's Value column is block column B from row 101: its first key's value sits in row 102
    assert changed == [(102, 2, 0.013, 0.015)]
    assert before[101][0] == "telephony.inbound_usd_per_min" and before[0][:4] == ["Key", "Value", "Low", "High"]
