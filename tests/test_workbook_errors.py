"""Bad workbooks: every problem reported at once, each naming sheet!cell, assumption, value found and expected."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest
from typer.testing import CliRunner

from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.cli import app
from tco_xl.errors import CellProblem, WorkbookError
from tco_xl.io.layout import ASSUMPTION_SHEETS
from tco_xl.io.workbook import load_assumptions

# (sheet, cell, edit) -> the problem it must produce: (assumption, found, expected).
CELL_CASES = {
    "text in a number cell": ("Telephony", "C3", "abc",
                              "telephony.outbound_usd_per_min", "abc", "a number, not text (USD/min)"),
    "empty required cell": ("Telephony", "C4", None, "telephony.numbers_per_agent", None, "a value (numbers/agent)"),
    "negative price": ("Providers", "D5", -3, "providers[3].unit_price", -3,
                       "a number greater than or equal to 0"),
    "share above 1": ("Usage", "C6", 1.5, "usage.inbound_share", 1.5, "a number less than or equal to 1 (share)"),
    "provider row with a missing price": ("Providers", "D6", None, "providers[4].unit_price", None,
                                          "a value (this column is required)"),
    "whole number expected": ("Finance", "C2", 5.5, "finance.horizon_years", 5.5, "a whole number (years)"),
    "text in a price list number": ("LLM models", "C2", "cheap", "llm_models[0].input_usd_per_1k", "cheap",
                                    "a number, not text"),
    "not a boolean": ("Stacks", "D2", "maybe", "stacks[0].mac_studios", "maybe", "TRUE or FALSE (or yes/no)"),
    "unknown provider of a stack": ("Stacks", "E3", "nowhere", "stacks[1].provider", "nowhere",
                                    "a provider on the Providers sheet (aws, azure, cloudflare, digitalocean, flyio, "
                                    "gcp, hetzner, ovh, vultr)"),
    "unknown option group": ("Services", "C2", "email_foo", "services.email", "email_foo",
                             "'none' or a group on the Options sheet"),
    "low above the value": ("Network", "E2", 70, "network.internet_usd_per_site_month (low)", 70,
                            "low <= value (60.0) <= high"),
    "negative low of a share": ("LLM", "E4", -0.1, "llm.input_share (low)", -0.1,
                                "a number greater than or equal to 0 (share)"),
    "unknown column": ("Options", "P1", "Comment", "options columns", "Comment",
                       "one of the headers Group, Line item, Category, Unit price, Currency, Billing, Unit, Driver, "
                       "Quantity, Included, Discount, Whole units, Price low, Price high, Source"),
    "duplicated key": ("Hardware", "A3", "hardware.mac_studio_usd", "hardware.mac_studio_usd",
                       "hardware.mac_studio_usd", "each key once (first in row 2)"),
    "unknown key": ("Capacity", "A2", "capacity.agents_per_mac", "capacity.agents_per_mac", "capacity.agents_per_mac",
                    "one of this sheet's keys: capacity.agents_per_mac_studio, capacity.min_mac_studios, "
                    "capacity.failover_ratio, capacity.llm_tokens_per_sec_per_mac, capacity.mac_studios_per_site, "
                    "capacity.min_sites, capacity.agents_per_db_server, capacity.min_db_servers, "
                    "capacity.stt_streams_per_mac, capacity.tts_chars_per_sec_per_mac, capacity.min_gpu_servers, "
                    "capacity.gpu_capacity_range, capacity.at_scale_agents"),
}
# Problems that follow from the edits above: the rows whose key was overwritten are missing.
CONSEQUENCES = {
    ("Hardware", "A8"): ("hardware.watts_average", None, "a row with the key 'hardware.watts_average'"),
    ("Capacity", "A15"): ("capacity.agents_per_mac_studio", None,
                          "a row with the key 'capacity.agents_per_mac_studio'"),
}


@pytest.fixture(scope="module")
def bad_workbook(tmp_path_factory, built_workbook):
    """One copy of the built workbook with every CELL_CASES edit."""
    path = tmp_path_factory.mktemp("bad") / "bad.xlsm"
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    for sheet, cell, value, *_ in CELL_CASES.values():
        wb[sheet][cell] = value
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def problems(bad_workbook):
    with pytest.raises(WorkbookError) as exc:
        load_assumptions(bad_workbook)
    return {(p.sheet, p.cell): p for p in exc.value.problems}


def test_every_problem_is_reported_at_once(problems):
    expected = {(sheet, cell) for sheet, cell, *_ in CELL_CASES.values()} | CONSEQUENCES.keys()
    assert set(problems) == expected


@pytest.mark.parametrize("case", CELL_CASES)
def test_each_problem_names_the_cell_the_value_and_what_was_expected(problems, case):
    sheet, cell, _, assumption, found, expected = CELL_CASES[case]
    assert problems[sheet, cell] == CellProblem(sheet, cell, assumption, found, expected)


@pytest.mark.parametrize("where", CONSEQUENCES)
def test_a_missing_row_is_reported_below_the_sheet(problems, where):
    assert problems[where] == CellProblem(*where, *CONSEQUENCES[where])


def test_the_loader_never_writes_the_workbook_it_reads(bad_workbook):
    before = (bad_workbook.read_bytes(), bad_workbook.stat().st_mtime_ns)
    with pytest.raises(WorkbookError):
        load_assumptions(bad_workbook)
    assert (bad_workbook.read_bytes(), bad_workbook.stat().st_mtime_ns) == before


def test_cli_exits_1_with_the_list_and_no_traceback(bad_workbook):
    run = subprocess.run([sys.executable, "-c", "from tco_xl.cli import main; main()", "workbook", "check",
                          str(bad_workbook)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    assert f"{len(CELL_CASES) + len(CONSEQUENCES)} problem(s)" in run.stderr
    for sheet, cell, *_ in CELL_CASES.values():
        assert f"{sheet}!{cell} " in run.stderr


def test_every_command_refuses_a_bad_workbook(bad_workbook):
    result = CliRunner().invoke(app, ["report", "--workbook", str(bad_workbook)])
    assert result.exit_code == 1
    assert "Telephony!C3 (telephony.outbound_usd_per_min): found 'abc'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _problems(path):
    with pytest.raises(WorkbookError) as exc:
        load_assumptions(path)
    return exc.value


def test_a_missing_sheet_and_a_missing_row(built_workbook, tmp_path):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    del wb["Network"]
    wb["Telephony"].delete_rows(5)  # telephony.number_usd_per_month
    wb["Telephony"]["C2"] = "x"
    wb.save(path := tmp_path / "structure.xlsm")

    problems = {(p.sheet, p.cell): p for p in _problems(path).problems}

    assert set(problems) == {("Network", "A1"), ("Telephony", "A10"), ("Telephony", "C2")}
    assert problems["Network", "A1"].expected.startswith("a sheet named 'Network' (the workbook has: README, Scenarios, ")
    assert problems["Telephony", "A10"].expected == "a row with the key 'telephony.number_usd_per_month'"


def test_table_structure_problems(built_workbook, tmp_path):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    wb["Providers"]["D1"] = None  # the Unit price header
    for cell in wb["Options"][8]:  # a blank row inside the table
        cell.value = None
    wb["LLM models"]["A301"] = "extra"  # below the block the Excel functions read
    wb.save(path := tmp_path / "tables.xlsm")

    problems = {(p.sheet, p.cell): (p.found, p.expected) for p in _problems(path).problems}

    assert problems == {
        ("Providers", "P1"): (None, "a column headed 'Unit price'"),  # next to the last header, O1
        ("Providers", "D2"): (default_assumptions().providers[0].unit_price,  # the first line's price, as built
                              "nothing in a column without a header (add the header or clear the column)"),
        ("Options", "A9"): ("email_sendgrid_pro", "nothing below the blank row 8: a table ends at its first blank row"),
        ("LLM models", "A301"): ("extra", "inputs within A1:E300 (the block the Excel functions read)"),
    }


def test_a_bad_value_does_not_also_blame_its_range_and_a_range_end_offers_blank_where_allowed(built_workbook,
                                                                                               tmp_path):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    # usage.inbound_share: 1.5 breaks the share's rule (at most 1); its range 0.4..0.6 is fine as such
    wb["Usage"]["C6"], wb["Usage"]["E6"], wb["Usage"]["F6"] = 1.5, 0.4, 0.6
    wb["Finance"]["E3"] = "abc"  # finance.hours_per_month (low): text where a number (or nothing) belongs
    wb["Finance"]["E6"] = 0.9  # finance.currency (low): a choice (USD, EUR or BGN) has no range
    wb.save(path := tmp_path / "ranges.xlsm")

    problems = sorted(_problems(path).problems, key=lambda p: (p.sheet, p.cell))

    # One problem per mistake: the value 1.5, not also its range's high 0.6 below it (the range is not to blame);
    # a number's range end may be blank, a choice's must be.
    assert problems == [
        CellProblem("Finance", "E3", "finance.hours_per_month (low)", "abc", "a number or blank"),
        CellProblem("Finance", "E6", "finance.currency (low)", 0.9, "blank (a choice has no range)"),
        CellProblem("Usage", "C6", "usage.inbound_share", 1.5, "a number less than or equal to 1 (share)"),
    ]


def test_an_xlsx_without_the_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(path := tmp_path / "other.xlsx")
    error = _problems(path)
    assert [(p.sheet, p.cell) for p in error.problems] == [(sheet, "A1") for sheet in ASSUMPTION_SHEETS]
    assert error.problems[0].expected == "a sheet named 'Usage' (the workbook has: Sheet)"


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x03\x04 truncated zip"])
def test_a_file_that_is_not_a_workbook(tmp_path, content):
    path = tmp_path / "TCO.xlsm"
    path.write_bytes(content)
    error = _problems(path)
    assert error.problems == []
    assert str(error).startswith(f"{path}: not an Excel workbook (.xlsx/.xlsm): ")


def test_a_missing_file_or_a_folder(tmp_path):
    assert str(_problems(tmp_path / "nope.xlsm")) == f"{tmp_path / 'nope.xlsm'}: no such workbook file"
    assert str(_problems(tmp_path)) == f"{tmp_path}: a folder, not a workbook file"


def test_every_rule_of_the_whole_model_has_a_cell_level_check_in_the_loader():
    """The loader builds ``Assumptions`` without catching ``ValidationError``: its one whole-model rule,
    ``reference_problems``, runs first on the same values and places each problem at a cell. A new
    model-level rule would reach users as a raw pydantic error; give it a cell-level check in
    ``assumptions_from_grids`` and list it here."""
    decorators = Assumptions.__pydantic_decorators__
    assert list(decorators.model_validators) == ["_references_resolve"]
    assert list(decorators.field_validators) == []
