"""Damaged and mistaken workbooks (issue 13's list, each on a real file): a clear error naming the sheet and
cell, or the file, the part and the reason; exit code 1 and no traceback; never a crash, never a silent
wrong number."""

from __future__ import annotations

import math
import re
import struct
import warnings
import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner

from tco_xl.assumptions import default_assumptions
from tco_xl.cli import app
from tco_xl.engine import price
from tco_xl.errors import NonFiniteResult, WorkbookError
from tco_xl.io import cells
from tco_xl.io.cells import Unreadable
from tco_xl.io.layout import ASSUMPTION_SHEETS, table_sheet
from tco_xl.io.template import fill_workbook
from tco_xl.io.workbook import assumptions_from_grids, load_assumptions

A = default_assumptions()
runner = CliRunner()


def problems(path) -> dict[str, tuple]:
    """'Sheet!Cell' -> (assumption, found, expected) of every problem loading ``path`` reports (a value the file
    cannot hold as its text, e.g. "'abc' stored as a number")."""
    with pytest.raises(WorkbookError) as err:
        load_assumptions(path)
    return {f"{p.sheet}!{p.cell}": (p.assumption, repr(p.found) if isinstance(p.found, Unreadable) else p.found,
                                    p.expected) for p in err.value.problems}


def refused(path) -> str:
    """The message of a file refused as a whole; `tco-xl workbook check` says the same, exit 1, no traceback."""
    with pytest.raises(WorkbookError) as err:
        load_assumptions(path)
    assert err.value.problems == [] and str(err.value).startswith(f"{path}: ")
    check = runner.invoke(app, ["workbook", "check", str(path)])
    assert check.exit_code == 1 and "Traceback" not in check.output
    assert check.stderr.startswith("error: ") and str(path) in check.stderr
    return str(err.value)


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def write_parts(path, content: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in content.items():
            z.writestr(name, data)


def sheet_part(content: dict[str, bytes], sheet: str) -> str:
    """The part holding ``sheet`` (workbook.xml's r:id, then the relationship's target)."""
    rid = re.search(rb'<sheet [^>]*name="' + sheet.encode() + rb'"[^>]*r:id="([^"]+)"', content["xl/workbook.xml"])[1]
    target = re.search(rb'Id="' + rid + rb'"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="' + rid + b'"',
                       content["xl/_rels/workbook.xml.rels"])
    return "xl/" + (target[1] or target[2]).decode().removeprefix("/xl/")


def edit_cell_xml(path, sheet: str, cell: str, new: bytes) -> None:
    """Replace the XML element of ``cell`` on ``sheet`` with ``new``."""
    content = parts(path)
    name = sheet_part(content, sheet)
    content[name], count = re.subn(rb'<c r="' + cell.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', new, content[name],
                                   flags=re.DOTALL)
    assert count == 1
    write_parts(path, content)


# -- damage inside the file ---------------------------------------------------------------------------------

def test_a_shared_string_with_no_shared_strings_part(workbook_copy):
    path = workbook_copy()  # the built workbook stores text inline: it has no shared-strings part
    edit_cell_xml(path, "Stacks", "E3", b'<c r="E3" t="s"><v>0</v></c>')
    assert problems(path) == {"Stacks!E3": ("stacks[1].provider", "shared string #0 (the file has 0)",
                                            "a value the file holds; the file is damaged: open it in Excel (which "
                                            "offers to repair it) and save it again, or use a backup")}


def test_a_number_cell_holding_text_names_the_sheet_and_the_cell(workbook_copy):
    path = workbook_copy()
    edit_cell_xml(path, "Telephony", "C2", b'<c r="C2" t="n"><v>0,013</v></c>')
    (where, (assumption, found, _expected)), = problems(path).items()
    assert (where, assumption, found) == ("Telephony!C2", "telephony.inbound_usd_per_min", "'0,013' stored as a number")


def test_a_formula_with_no_saved_value_is_not_read_as_blank(workbook_copy):
    path = workbook_copy({"Options": {"K2": "=0.1*2"}})  # openpyxl writes the formula, no value
    assert problems(path) == {"Options!K2": ("options[0].discount", "=0.1*2 (a formula with no saved result)",
                                             "a saved value: open the workbook in Excel or LibreOffice, recalculate "
                                             "and save")}


def test_a_formula_with_its_saved_value_is_read(workbook_copy):
    path = workbook_copy()
    edit_cell_xml(path, "Telephony", "C2", b'<c r="C2"><f>0.01+0.005</f><v>0.015</v></c>')
    assert load_assumptions(path).telephony.inbound_usd_per_min == 0.015


def test_the_same_cell_written_twice_is_refused_not_last_one_wins(workbook_copy):
    path = workbook_copy()
    edit_cell_xml(path, "Telephony", "C2", b'<c r="C2"><v>0.013</v></c><c r="C2"><v>0.5</v></c>')
    assert problems(path)["Telephony!C2"][1:] == (
        "0.013 and 0.5", "one value: the cell is written twice in the file; the file is damaged: open it in Excel "
                         "(which offers to repair it) and save it again, or use a backup (USD/min)")


@pytest.mark.parametrize(("damage", "why"), [
    (b"\x01", "not well-formed (invalid token)"),                   # a control character
    (b"<c r='Q", "not well-formed (invalid token)"),                 # broken markup
])
def test_xml_that_breaks_off_names_the_sheet_and_the_last_cell_read(workbook_copy, damage, why):
    path = workbook_copy()
    content = parts(path)
    name = sheet_part(content, "Hardware")
    xml = content[name]
    at = xml.index(b'<c r="C4"')  # after row 3, inside row 4
    content[name] = xml[:at] + damage + xml[at:]
    write_parts(path, content)
    ((where, (assumption, found, expected)),) = problems(path).items()
    assert where == "Hardware!H3" and assumption == "sheet XML" and found.startswith(why)
    assert expected.startswith("readable cells after H3; the file is damaged")


def test_a_truncated_sheet_part(workbook_copy):
    path = workbook_copy()
    content = parts(path)
    name = sheet_part(content, "Providers")
    cut = content[name].rfind(b"</row>", 0, len(content[name]) // 2) + len(b"</row>")  # between two rows
    content[name] = content[name][:cut]
    write_parts(path, content)
    ((where, (assumption, found, _)),) = problems(path).items()
    assert where.startswith("Providers!") and assumption == "sheet XML" and "no element found" in found


def _entry_offsets(data: bytes, name: bytes) -> tuple[int, int]:
    """(local header, central directory entry) offsets of the zip entry ``name``."""
    central = 0
    while True:
        central = data.index(b"PK\x01\x02", central)
        length = struct.unpack("<H", data[central + 28:central + 30])[0]
        if data[central + 46:central + 46 + length] == name:
            return struct.unpack("<I", data[central + 42:central + 46])[0], central
        central += 4


@pytest.mark.parametrize(("damage", "reason"), [
    ("encrypted", "is encrypted, password required for extraction"),
    ("compression", "That compression method is not supported"),
    ("deflate", "Error -3 while decompressing data"),
])
def test_a_damaged_zip_entry_names_the_part_and_the_reason(workbook_copy, damage, reason):
    path = workbook_copy()
    data = bytearray(path.read_bytes())
    local, central = _entry_offsets(bytes(data), b"xl/workbook.xml")
    if damage == "encrypted":
        data[local + 6] |= 1
        data[central + 8] |= 1
    elif damage == "compression":
        data[local + 8:local + 10] = data[central + 10:central + 12] = struct.pack("<H", 99)
    else:
        start = local + 30 + sum(struct.unpack("<HH", data[local + 26:local + 30]))
        data[start:start + 4] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    message = refused(path)
    assert message.startswith(f"{path}: not a readable Excel workbook: the part xl/workbook.xml cannot be unpacked (")
    assert reason in message


def test_a_part_listed_twice_is_refused(workbook_copy):
    path = workbook_copy()
    content = list(parts(path).items())
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "w") as z:
        for name, data in [*content, ("xl/worksheets/sheet5.xml", b"<worksheet/>")]:
            z.writestr(name, data)
    assert "parts listed twice: xl/worksheets/sheet5.xml" in refused(path)


# -- other files --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "says"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "an old .xls workbook or one saved with a password to open"),
    (b"key,value\nusage.reference_agents,47\n", "not an Excel workbook (.xlsx/.xlsm)"),
    (b"", "not an Excel workbook (.xlsx/.xlsm)"),
])
def test_files_that_are_not_workbooks(tmp_path, content, says):
    path = tmp_path / "TCO.xlsm"
    path.write_bytes(content)
    assert says in refused(path)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "TCO.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert refused(path).startswith(f"{path}: not a readable Excel workbook: ")


def test_a_workbook_is_read_whatever_its_file_name_ends_with(workbook_copy):
    path = workbook_copy(name="TCO.xlsm.backup")
    assert load_assumptions(path) == A


# -- keys and tables --------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, 42, True])
def test_a_blank_or_numeric_llm_model_key(workbook_copy, key):
    found = problems(workbook_copy({"LLM models": {"A4": key}}))  # gpt-4o, which the clouds use
    expected = "text" if key is not None else "a value (this column is required)"
    assert found == {"LLM models!A4": ("llm_models[2].key", key, expected)}  # no consequence on the stacks


def test_a_merged_llm_model_key_and_name(built_workbook, tmp_path):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    wb["LLM models"].merge_cells("A3:B3")  # the name cell is emptied
    wb.save(path := tmp_path / "merged.xlsm")
    assert problems(path) == {"LLM models!B3": ("llm_models[1].name", None, "a value (this column is required)")}


@pytest.mark.parametrize(("column", "header"), [("K", "LLM"), ("G", "Min app servers")])
def test_a_stacks_column_deleted(built_workbook, tmp_path, column, header):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    wb["Stacks"].delete_cols(openpyxl.utils.column_index_from_string(column))
    wb.save(path := tmp_path / "no-column.xlsm")
    field = {"K": "llm", "G": "app_servers_min"}[column]
    beside = openpyxl.utils.get_column_letter(len(table_sheet("stacks").columns))  # the last header moved left
    assert problems(path) == {f"Stacks!{beside}1": (f"stacks.{field}", None, f"a column headed '{header}'")}


def test_an_informational_column_may_be_deleted(built_workbook, tmp_path):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    wb["Providers"].delete_cols(15)  # Source
    wb.save(path := tmp_path / "no-source.xlsm")
    a = load_assumptions(path)
    assert {line.source for line in a.providers} == {""}
    assert price("aws", 47, a).tco == price("aws", 47).tco


def test_an_empty_stacks_table_is_refused_by_check_and_report(built_workbook, tmp_path):
    wb = openpyxl.load_workbook(built_workbook, keep_vba=True)
    wb["Stacks"].delete_rows(2, len(A.stacks))
    wb.save(path := tmp_path / "no-stacks.xlsm")
    found = problems(path)  # the what-ifs naming stacks find none either: their own problems
    assert found["Stacks!A2"] == ("stacks", None, "at least 1 row(s) below the header")
    assert all(cell.startswith("What-ifs!") for cell in found if cell != "Stacks!A2")
    for args in (["workbook", "check", str(path)], ["report", "--workbook", str(path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "Stacks!A2" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("cell", "field", "default"), [
    ("F2", "billing", "month"), ("K2", "discount", 0.0), ("H2", "driver", "fixed"), ("E2", "currency", "USD"),
])
def test_a_blank_table_cell_is_refused_where_a_default_would_apply(workbook_copy, cell, field, default):
    found = problems(workbook_copy({"Providers": {cell: None}}))
    assert found == {f"Providers!{cell}": (f"providers[0].{field}", None,
                                           f"a value, e.g. {default!r} (a blank cell is not read as a default)")}


def test_a_blank_agents_per_app_server_is_refused(workbook_copy):
    found = problems(workbook_copy({"Stacks": {"H5": None}}))  # aws
    assert found["Stacks!H5"][2] == "a value, e.g. 0 (a blank cell is not read as a default)"


def test_blanks_that_mean_something_are_read(workbook_copy):
    a = load_assumptions(workbook_copy({"Stacks": {"F3": None}, "Providers": {"O2": None}}))
    assert a.stacks[1].provider_categories == []  # hybrid: every Hetzner category
    assert a.providers[0].source == ""


# -- references ------------------------------------------------------------------------------------------

def test_a_renamed_group_is_a_warning_and_a_re_cased_one_an_error(workbook_copy):
    i = next(i for i, line in enumerate(A.providers) if line.group == "gcp" and "Cloud SQL" in line.line)
    cell = f"A{2 + i}"  # Cloud SQL's group, which no what-if names
    renamed = workbook_copy({"Providers": {cell: "gcp-old"}}, name="renamed.xlsm")  # no longer in gcp
    check = runner.invoke(app, ["workbook", "check", str(renamed)])
    assert check.exit_code == 0
    assert f"warning: 1 providers no stack uses (no scenario prices their lines): gcp-old (Providers!{cell})" in \
        check.stdout
    recased = workbook_copy({"Providers": {cell: "Gcp"}}, name="recased.xlsm")
    assert problems(recased) == {f"Providers!{cell}": (
        f"providers[{i}].group", "Gcp", "'gcp' exactly, as the other rows of that group (names are matched as written: "
                                     "these would be two groups)")}


def test_a_category_a_stack_names_and_no_line_has(workbook_copy):
    found = problems(workbook_copy({"Stacks": {"F3": "compute, databse, storage"}}))
    assert found == {"Stacks!F3": ("stacks[1].provider_categories", "databse",
                                   "categories of the hetzner lines (compute, database, storage)")}


def test_an_exact_duplicate_line_is_refused(workbook_copy):
    edits = {f"{column}46": cell.value for column, cell in zip("ABCDEFGHIJKLMNO", openpyxl.load_workbook(
        workbook_copy(), read_only=True)["Providers"][2], strict=False)}  # providers[0] again, below the table
    found = problems(workbook_copy({"Providers": edits}, name="twice.xlsm"))
    assert found == {"Providers!B46": ("providers[44].line", "EC2 c7i.2xlarge (1-yr reserved)",
                                       "a line item not already in group 'aws' (a repeated line is priced twice: "
                                       "delete it, or give it its own name if both are meant)")}


def test_an_option_group_priced_twice_for_a_stack(workbook_copy):
    found = problems(workbook_copy({"Stacks": {"I2": "cloudflare_business, argo, argo"}}))
    assert found == {"Stacks!I2": ("stacks[0].option_groups", "argo", "each group once (it is already priced for "
                                   "this stack: listed twice, or chosen on the Services sheet)")}


def test_a_stack_whose_kind_contradicts_what_it_runs(workbook_copy):
    found = problems(workbook_copy({"Stacks": {"E5": None}}))  # aws without its provider
    assert found == {"Stacks!E5": ("stacks[3].provider", "", "a provider group for a cloud stack")}


def _gpu_row_copy(path, **changes) -> dict[str, object]:
    """Edits putting gpu_servers[0] again below the GPU servers table (row 8: six rows from row 2), ``changes``
    made (column letter -> value)."""
    first = openpyxl.load_workbook(path, read_only=True)["GPU servers"][2]
    return {f"{column}8": changes.get(column, cell.value) for column, cell in zip("ABCDEFGHIJKLMNOPQR", first,
                                                                                   strict=False)}


def test_a_gpu_column_naming_no_gpu_group(workbook_copy):
    found = problems(workbook_copy({"Stacks": {"L5": "gpu_ovh"}}))  # aws: OVH rents no GPU servers here
    assert found == {"Stacks!L5": ("stacks[3].gpu", "gpu_ovh", "'' or a GPU group (gpu_aws, gpu_gcp, gpu_azure, "
                                   "gpu_hetzner, gpu_vultr, gpu_digitalocean)")}


def test_a_voice_api_group_priced_twice_for_a_stack(workbook_copy):
    found = problems(workbook_copy({"Stacks": {"I5": "voice_deepgram"}}))  # aws: its Voice AI column names it too
    assert found == {"Stacks!M5": ("stacks[3].voice", "voice_deepgram", "a voice group not already priced for this "
                                   "stack (in its option groups, backups or on the Services sheet)")}


def test_gpu_servers_lines_are_checked_like_every_price_line(workbook_copy):
    twice = workbook_copy()
    found = problems(workbook_copy({"GPU servers": _gpu_row_copy(twice)}, name="twice.xlsm"))
    assert found == {"GPU servers!B8": ("gpu_servers[6].line", A.gpu_servers[0].line,
                                        "a line item not already in group 'gpu_aws' (a repeated line is priced "
                                        "twice: delete it, or give it its own name if both are meant)")}
    found = problems(workbook_copy({"GPU servers": _gpu_row_copy(twice, A="argo")}, name="argo.xlsm"))
    assert found == {"GPU servers!A8": ("gpu_servers[6].group", "argo",
                                        "a group name not used on the Providers or Options sheet")}
    found = problems(workbook_copy({"GPU servers": _gpu_row_copy(twice, A="GPU_AWS", B="second server")},
                                   name="recased.xlsm"))
    assert found == {"GPU servers!A8": ("gpu_servers[6].group", "GPU_AWS", "'gpu_aws' exactly, as the other rows "
                                        "of that group (names are matched as written: these would be two groups)")}


def test_a_gpu_group_no_stack_names_is_a_warning(workbook_copy):
    path = workbook_copy({"Stacks": {"L5": "gpu_hetzner"}})  # aws rents Hetzner's: gpu_aws is left unused
    check = runner.invoke(app, ["workbook", "check", str(path)])
    assert check.exit_code == 0
    assert ("warning: 1 GPU groups no stack names in its LLM, GPU servers or Voice AI column (no scenario rents "
            "them): gpu_aws ('GPU servers'!A2)") in check.stdout


# -- numbers --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("sheet", "cell", "value", "assumption"), [
    ("Capacity", "C3", 2.5, "capacity.min_mac_studios"), ("Capacity", "C7", 1.5, "capacity.min_sites"),
    ("Usage", "C2", 5e-324, "usage.reference_agents"), ("Stacks", "G5", 3.5, "stacks[3].app_servers_min"),
    ("Capacity", "C12", 1.5, "capacity.min_gpu_servers"), ("Support", "C5", 99.5, "support.mid_agents"),
    ("Support", "C6", 500.25, "support.high_agents"),
])
def test_counts_are_whole_numbers(workbook_copy, sheet, cell, value, assumption):
    found = problems(workbook_copy({sheet: {cell: value}}))
    assert found[f"{sheet}!{cell}"][:2] == (assumption, value)
    assert found[f"{sheet}!{cell}"][2].startswith("a whole number")


def test_an_overflow_is_an_error_naming_the_inputs_that_caused_it(workbook_copy):
    path = workbook_copy({"Usage": {"C3": 1e308}})  # calls per agent per day
    a = load_assumptions(path)  # a valid number...
    with pytest.raises(NonFiniteResult) as err:
        price("aws", 47, a)  # ...that overflows: 47 × 1e308 × 8 × 22 minutes
    assert str(err.value).startswith("aws at 47 agents: the line item 'Twilio inbound calls' has a monthly amount of "
                                     "inf, not a finite number: an input is too large or too small for it. Its "
                                     "inputs: usage.calls_per_agent_per_day = 1e+308 (Usage!C3); ")
    for args in (["workbook", "check", str(path)], ["report", "--workbook", str(path)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "usage.calls_per_agent_per_day = 1e+308 (Usage!C3)" in result.stderr


def test_a_total_too_large_to_add_up_names_its_largest_items(workbook_copy):
    a = load_assumptions(workbook_copy({"Telephony": {"C5": 1e306}}))  # USD per phone number and month
    # 47 numbers × 1e306 = 4.7e307 USD/month is a float; 12 months of it (Year 1) is not
    with pytest.raises(NonFiniteResult, match=r"aws at 47 agents: the year1 total comes to inf USD, not a finite "
                                              r"number: the line items are too large to add up\. Largest: 'Twilio "
                                              r"phone numbers' \(up to 4\.7e\+307 USD/month"):
        price("aws", 47, a)


def test_a_tiny_capacity_is_an_error_naming_it(workbook_copy):
    a = load_assumptions(workbook_copy({"Capacity": {"C5": 1e-300}}))  # LLM tokens/s per Mac Studio
    with pytest.raises(NonFiniteResult, match=r"Its inputs: capacity\.llm_tokens_per_sec_per_mac = 1e-300 "
                                              r"\(Capacity!C5\)"):
        price("hybrid", 47, a)


# -- the parser on grids (what the live Excel reader hands it) ------------------------------------------

def _grids():
    wb = openpyxl.Workbook()
    fill_workbook(wb, A)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets
            if ws.title in ASSUMPTION_SHEETS}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_from_a_live_workbook_are_refused(value):
    grids = _grids()
    grids["Telephony"][1][2] = value  # C2
    grids["Providers"][1][3] = value  # D2
    with pytest.raises(WorkbookError) as err:
        assumptions_from_grids(grids, "live")
    found = {(p.sheet, p.cell): p.expected for p in err.value.problems}
    assert found == {("Telephony", "C2"): "a number (USD/min)", ("Providers", "D2"): "a number"}


@pytest.mark.parametrize("key", [5, 2.5, True])
def test_a_key_that_is_not_text(key):
    grids = _grids()
    grids["Usage"][1][0] = key  # A2
    with pytest.raises(WorkbookError) as err:
        assumptions_from_grids(grids, "live")
    found = {(p.sheet, p.cell): (p.found, p.expected) for p in err.value.problems}
    assert found[("Usage", "A2")] == (key, "an assumption key in this column (or clear the row)")


def test_a_table_filling_every_row_of_its_block_is_read_and_one_more_row_is_not():
    grids = _grids()
    first = grids["Options"][1]
    rows = [[f"extra_{i}", *first[1:]] for i in range(300 - 1 - len(A.options))]  # rows 2..300 in all
    grids["Options"] = [*grids["Options"], *rows]
    a = assumptions_from_grids(grids, "live")
    assert len(a.options) == 299 and a.origins["options[298]"] == "Options!A300:O300"
    grids["Options"].append([f"extra_{len(rows)}", *first[1:]])
    with pytest.raises(WorkbookError) as err:
        assumptions_from_grids(grids, "live")
    assert [(p.sheet, p.cell, p.expected) for p in err.value.problems] == [
        ("Options", "A301", "inputs within A1:O300 (the block the Excel functions read)")]


def test_a_scalar_sheet_holds_inputs_down_to_row_100():
    grids = _grids()
    grids["Usage"] = [*grids["Usage"], *[[None] * 8] * (100 - len(grids["Usage"])), ["usage.extra", None, 1]]
    with pytest.raises(WorkbookError) as err:
        assumptions_from_grids(grids, "live")
    assert next((p.cell, p.expected) for p in err.value.problems) == (
        "A101", "inputs within A1:H100 (the block the Excel functions read)")


def test_the_cli_check_lists_unpriced_options_as_warnings(built_workbook):
    result = runner.invoke(app, ["workbook", "check", str(built_workbook)])
    assert result.exit_code == 0
    unused = sorted({line.group for line in A.options} - {g for s in A.stacks for g in [*s.option_groups, s.backups, s.voice]}
                    - {A.services.email, A.services.monitoring, A.services.security})
    line = next(line for line in result.stdout.splitlines() if line.startswith("warning:"))
    assert line.startswith(f"warning: {len(unused)} options no stack or service uses")
    assert sorted(re.findall(r"(\w+) \(Options!A\d+\)", line)) == unused


# -- the package and the sheet XML, case by case ----------------------------------------------------------

def edit_part(path, name: str, edit) -> None:
    content = parts(path)
    content[name] = edit(content[name])
    write_parts(path, content)


def test_a_sheet_listed_twice_in_the_workbook(workbook_copy):
    path = workbook_copy()
    edit_part(path, "xl/workbook.xml", lambda xml: re.sub(rb'(<sheet [^>]*name="Usage"[^>]*/>)', rb"\1\1", xml))
    assert refused(path).endswith("(sheet names listed twice: Usage)")


def test_a_file_that_cannot_be_opened(workbook_copy, monkeypatch):
    path = workbook_copy()

    def denied(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cells, "open", denied, raising=False)  # root reads any file: refuse as a user's system would
    assert refused(path) == f"{path}: cannot be read (Permission denied)"


def test_a_package_declaring_more_than_200_mb_is_not_unpacked(workbook_copy):
    path = workbook_copy()
    data = bytearray(path.read_bytes())
    total = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    _, central = _entry_offsets(bytes(data), b"xl/workbook.xml")
    size = struct.unpack("<I", data[central + 24:central + 28])[0]
    data[central + 24:central + 28] = struct.pack("<I", size + 200 * 2**20 + 1 - total)  # one byte over the limit
    path.write_bytes(bytes(data))
    assert refused(path) == (f"{path}: not read: its parts unpack to 209,715,201 bytes, more than 209,715,200 (an "
                             "assumptions workbook needs under 1 MB)")


def test_a_part_that_is_not_well_formed_is_named(workbook_copy):
    path = workbook_copy()
    edit_part(path, "xl/styles.xml", lambda xml: xml[:300] + b"<<")
    message = refused(path)
    assert f"{path}: not a readable Excel workbook: the part xl/styles.xml is not well-formed XML (" in message


def test_a_part_openpyxl_cannot_use_is_reported_with_its_reason(workbook_copy):
    path = workbook_copy()
    edit_part(path, "xl/styles.xml", lambda xml: re.sub(rb'numFmtId="\d+"', b'numFmtId="abc"', xml, count=1))
    assert refused(path) == (f"{path}: not a readable Excel workbook: expected <class 'int'> (the package is not a "
                             "complete Excel workbook)")
    content = parts(path)
    del content["[Content_Types].xml"]
    write_parts(path, content)
    assert refused(path) == (f"{path}: not a readable Excel workbook: There is no item named '[Content_Types].xml' in "
                             "the archive (the package is not a complete Excel workbook)")


def test_openpyxl_warnings_stay_inside(workbook_copy):
    path = workbook_copy()
    name = b'<definedName name="usage_reference_agents"'
    local = name.replace(b"name=", b'localSheetId="99" name=')  # a name for a sheet the workbook does not have
    edit_part(path, "xl/workbook.xml", lambda xml: xml.replace(name, local))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_assumptions(path)
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize(("reference", "why"), [
    ("XFE2", "a cell reference 'XFE2' that is not a cell of a sheet"),       # column 16,385
    ("A1048577", "a cell reference 'A1048577' that is not a cell of a sheet"),  # row 1,048,577
    ("2A", "a cell reference '2A' that is not a cell of a sheet"),
])
def test_a_cell_reference_outside_any_sheet(workbook_copy, reference, why):
    path = workbook_copy()
    edit_cell_xml(path, "Network", "H2", f'<c r="{reference}"><v>1</v></c>'.encode())
    # a row's cells are read together: the last cell read is the previous row's last
    assert problems(path) == {"Network!H1": ("sheet XML", why, "readable cells after H1; " + cells._REPAIR)}


def test_the_last_cell_of_a_sheet_is_a_cell_and_outside_the_inputs(workbook_copy):
    path = workbook_copy()
    edit_part(path, sheet_part(parts(path), "Network"), lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'))
    assert problems(path) == {
        "Network!XFD1048576": ("network", 1, "inputs within A1:H100 (the block the Excel functions read)"),
        "Network!A1048576": ("network", None, "an assumption key in this column (or clear the row)")}


def test_a_row_number_that_is_not_a_number(workbook_copy):
    path = workbook_copy()
    edit_part(path, sheet_part(parts(path), "Network"), lambda xml: xml.replace(b'<row r="2"', b'<row r="two"'))
    ((where, (assumption, found, _)),) = problems(path).items()
    assert (where, assumption) == ("Network!H1", "sheet XML") and found.startswith("a row numbered 'two'")


def test_cells_without_references_follow_each_other(workbook_copy):
    path = workbook_copy()
    # Network row 2 without any cell reference: the reader counts columns A, B, C, ... as Excel does
    edit_part(path, sheet_part(parts(path), "Network"), lambda xml: re.sub(
        rb'(<row r="2"[^>]*>.*?</row>)', lambda m: re.sub(rb' r="[A-Z]+2"', b"", m.group(1)), xml, flags=re.DOTALL))
    assert load_assumptions(path) == A
    # ... and a row numbered 0 holds no cell of a sheet
    edit_part(path, sheet_part(parts(path), "Network"), lambda xml: xml.replace(b'<row r="2"', b'<row r="0"'))
    ((where, (_, found, _)),) = problems(path).items()
    assert where == "Network!H1" and found == "a cell without a reference in row 0, column 1"


def test_cells_without_references_in_the_first_row_stay_in_row_1(workbook_copy):
    path = workbook_copy()
    before = cells.sheet_cells(path, {"Network"})["Network"]
    assert before is not None and any(row == 1 for row, _ in before)  # the header row holds cells
    # Network row 1 without any cell reference: its cells are A1, B1, ... (row 1, counted from column A)
    edit_part(path, sheet_part(parts(path), "Network"), lambda xml: re.sub(
        rb'(<row r="1"[^>]*>.*?</row>)', lambda m: re.sub(rb' r="[A-Z]+1"', b"", m.group(1)), xml, flags=re.DOTALL))
    assert b' r="A1"' not in parts(path)[sheet_part(parts(path), "Network")]
    assert cells.sheet_cells(path, {"Network"})["Network"] == before
    assert load_assumptions(path) == A

def test_damage_after_cells_without_references_names_the_cell_counted(workbook_copy):
    path = workbook_copy()
    xml_of = sheet_part(parts(path), "Network")
    edit_part(path, xml_of, lambda xml: re.sub(rb'(<row r="2"[^>]*>.*?</row>)', lambda m: re.sub(
        rb' r="[A-Z]+2"', b"", m.group(1)), xml, flags=re.DOTALL).replace(b"</row></sheetData>", b"</row><bad"))
    assert list(problems(path)) == ["Network!H2"]


@pytest.mark.parametrize(("xml", "found"), [
    (b'<c r="E2" t="s"><is><t>hetzner</t></is></c>', "'hetzner' in a cell of type 's'"),
    (b'<c r="E2" t="inlineStr"><v>3</v></c>', "'3' in a cell of type 'inlineStr'"),
    (b'<c r="E2" t="x"><v>hetzner</v></c>', "'hetzner' in a cell of type 'x'"),
])
def test_content_a_cell_type_does_not_hold(workbook_copy, xml, found):
    path = workbook_copy()
    edit_cell_xml(path, "Stacks", "E3", xml.replace(b"E2", b"E3"))
    assert problems(path)["Stacks!E3"][:2] == ("stacks[1].provider", found)


def test_true_and_false_are_stored_as_1_and_0(workbook_copy):
    path = workbook_copy()
    edit_cell_xml(path, "Stacks", "D3", b'<c r="D3" t="b"><v>2</v></c>')
    assert problems(path)["Stacks!D3"][:2] == ("stacks[1].mac_studios", "'2' stored as TRUE/FALSE")
    edit_cell_xml(path, "Stacks", "D3", b'<c r="D3" t="b"><v>1</v></c>')
    assert load_assumptions(path) == A


def test_shared_strings_are_read_where_the_file_has_them(workbook_copy):
    a = load_assumptions(workbook_copy({"Telephony": {"C2": 0.015}}))  # openpyxl saves text as shared strings
    assert a.telephony.inbound_usd_per_min == 0.015 and a.stacks == A.stacks
