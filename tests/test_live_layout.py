"""The live workbook as a file (no spreadsheet needed): its assumption sheets are TCO.xlsm's, it reads back as
its assumptions, its formulas use only functions every spreadsheet evaluates alike, every line item of the
engine has its row, and the command line writes it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from tco_xl.assumptions import default_assumptions
from tco_xl.cli import app
from tco_xl.engine import evaluate
from tco_xl.io.layout import ASSUMPTION_SHEETS, INPUTS_NAME, cell_of
from tco_xl.io.live_workbook import SUMMARY, export_live, live_layout
from tco_xl.io.workbook import load_assumptions

A = default_assumptions()
BASE = [47, 100, 500]
runner = CliRunner()

ALLOWED = {"IF", "MAX", "MIN", "CEILING", "ROUND", "LN", "CHOOSE", "MATCH", "INDEX", "SUM", "SUMPRODUCT", "LEN",
           "COUNT", "COUNTA", "RANK", "AND", "OR", "NOT", "EXACT", "ISNUMBER", "ISLOGICAL", "ISBLANK", "IFERROR", "INT"}


def test_the_live_workbook_reads_back_as_its_assumptions(tmp_path: Path) -> None:
    export = export_live(A, BASE, tmp_path)
    assert load_assumptions(export.path) == A


def test_formulas_use_only_functions_every_spreadsheet_evaluates_alike(tmp_path: Path) -> None:
    export = export_live(A, BASE, tmp_path)
    wb = openpyxl.load_workbook(export.path)
    used: set[str] = set()
    formulas = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    formulas += 1
                    text = re.sub(r'"[^"]*"', "", c.value)  # not inside string literals
                    used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", text))
                    assert "_xlfn" not in c.value and len(c.value) < 8192  # Excel's formula length limit
    assert formulas > 12 * 40 * len(BASE)
    assert used <= ALLOWED, used - ALLOWED


def test_assumption_sheets_are_tco_xlsm_s(built_workbook: Path, tmp_path: Path) -> None:
    """Same cells, fonts, number formats, data validations and defined names as TCO.xlsm."""
    export = export_live(A, BASE, tmp_path)
    live, xlsm = openpyxl.load_workbook(export.path), openpyxl.load_workbook(built_workbook, keep_vba=True)
    for name in ASSUMPTION_SHEETS:
        a, b = live[name], xlsm[name]
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()], name
        assert [(c.font.color.rgb if c.font.color else None, c.number_format) for r in a.iter_rows() for c in r] == \
            [(c.font.color.rgb if c.font.color else None, c.number_format) for r in b.iter_rows() for c in r], name
        assert sorted(str(v.sqref) + v.type for v in a.data_validations.dataValidation) == \
            sorted(str(v.sqref) + v.type for v in b.data_validations.dataValidation), name
    names = {n: d.attr_text for n, d in xlsm.defined_names.items() if n != INPUTS_NAME}  # the functions' mirror
    assert {n: d.attr_text for n, d in live.defined_names.items()} == names
    assert live[SUMMARY].conditional_formatting
    with zipfile.ZipFile(export.path) as package:
        assert any(name.startswith("xl/charts/chart") for name in package.namelist())


def test_every_line_item_of_the_engine_has_its_row() -> None:
    layout = live_layout(A, BASE)
    results = evaluate(A, BASE)
    for sheet in layout.scenarios:
        lines = sheet.model.lines  # every rule of the stack, also the optional ones that cost nothing here
        rows = sheet.block("monthly") + sheet.block("one_time")
        assert sorted(r.line for r in rows) == list(range(len(lines)))
        assert all(r.label == lines[r.line].name for r in rows)
        assert {c.name for c in results[sheet.model.stack.key].components} <= {r.label for r in rows}


def test_the_command_line_writes_the_live_workbook_of_a_workbook(workbook_copy, tmp_path: Path) -> None:
    sheet, where = cell_of("telephony.inbound_usd_per_min").split("!")
    edited = workbook_copy({sheet: {where: 0.0151}})
    result = runner.invoke(app, ["export", "--live", "-w", str(edited), "-a", "3", "-a", "1,234",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.name.startswith("tco-live_3-1234_") and path.suffix == ".xlsx"
    assert load_assumptions(path) == load_assumptions(edited)
    summary = openpyxl.load_workbook(path)[SUMMARY]
    assert [summary.cell(row=4, column=c).value for c in (3, 4)] == [3, 1234]


def test_the_command_line_refuses_a_bad_headcount(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--live", "-a", "0", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "--agents: expected a whole number of agents from 1 to 1,000,000, got '0'" in result.output
    assert list(tmp_path.iterdir()) == []
