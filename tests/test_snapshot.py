"""Snapshot export: sheets hold the engine's numbers, deterministic bytes, atomic writes, text never a formula."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tco_xl import __version__
from tco_xl.analysis.breakeven import breakeven_table
from tco_xl.assumptions import PriceLine, default_assumptions, scalar_specs
from tco_xl.cli import app
from tco_xl.engine import compare, evaluate
from tco_xl.engine.capacity import mac_studios, sites
from tco_xl.errors import InputError
from tco_xl.io.layout import DEFAULT_WORKBOOK
from tco_xl.io.snapshot import (
    ASSUMPTION_CELLS, BUNDLED, FORMAT, RESULTS, ROW_FIELDS, agents_label, export_snapshot, provenance, results_sheet,
    snapshot_bytes, snapshot_data, snapshot_name, stable_keys, summary_headers,
)
from tco_xl.io.snapshot_summary import spread
from tco_xl.io.xlsx import USD

A = default_assumptions()
MARCH_1 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
AGENTS = [47, 100, 500]
runner = CliRunner()


def export(tmp_path: Path, a=A, agents=AGENTS, created=MARCH_1, analysis=False, workbook=None) -> Path:
    return export_snapshot(snapshot_data(a, agents, provenance(workbook), created, analysis), tmp_path).path


def records(path: Path, sheet: str) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = wb[sheet].iter_rows(values_only=True)
    header = next(rows)
    out = [dict(zip(header, r + (None,) * (len(header) - len(r)))) for r in rows if any(v is not None for v in r)]
    wb.close()
    return out


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    values = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    wb.close()
    return values


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory) -> Path:
    return export(tmp_path_factory.mktemp("snap"), analysis=True)


# -- Results ---------------------------------------------------------------------------------------
def test_results_hold_every_scenario_at_every_headcount_with_the_engines_numbers(snapshot):
    rows = records(snapshot, RESULTS)
    engine = compare(AGENTS, A).set_index(["agents", "scenario"])
    headers = summary_headers(5)
    assert len(rows) == len(A.stacks) * len(AGENTS) == len(engine)
    for row in rows:
        expected = engine.loc[(row["Agents"], row["Key"])]
        assert row["Scenario"] == expected["name"] and row["Rank"] == expected["rank"]
        for metric in ("year1", "annual", "tco", "monthly", "one_time", "per_agent_month"):
            # a number, not text; openpyxl writes 16 significant digits (Excel keeps 15)
            assert row[headers[metric]] == pytest.approx(expected[metric], rel=1e-15)


def test_hybrid_at_47_agents_is_the_hand_checked_year_1(snapshot):
    # Hybrid at 47 agents (tco_xl's doctest): one-time = 2 Mac Studios × $11,999 + $500 setup = $24,498;
    # annual = 12 × $6,554.86/month = $78,658.33 (unrounded monthly); Year 1 = 78,658.33 + 24,498 = $103,156.33
    row = next(r for r in records(snapshot, RESULTS) if r["Agents"] == 47 and r["Key"] == "hybrid")
    assert round(row["Year 1 (USD)"], 2) == 103_156.33
    assert row["One-time (USD)"] == 2 * 11_999 + 500


def test_money_cells_are_numbers_with_a_currency_format(snapshot):
    ws = openpyxl.load_workbook(snapshot)[RESULTS]
    header = [c.value for c in ws[1]]
    col = header.index("5-year TCO (USD)") + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    assert all(c.data_type == "n" and c.number_format == USD for c in cells)
    assert ws.freeze_panes == "D2"
    assert ws.column_dimensions["C"].width >= len("Hybrid optimized (Mac Studios + Hetzner DB)")


def test_cheapest_is_marked_and_the_recommendation_is_read_off_the_numbers(snapshot):
    rows = records(snapshot, RESULTS)
    for n in AGENTS:
        block = sorted((r for r in rows if r["Agents"] == n), key=lambda r: r["5-year TCO (USD)"])
        best, runner_up = block[0], block[1]
        assert [r["Key"] for r in block if r["Cheapest"]] == [best["Key"]]
        gap = runner_up["5-year TCO (USD)"] - best["5-year TCO (USD)"]
        assert best["Recommendation"] == (
            f"{best['Scenario']}: lowest 5-year TCO at {n} agents, ${best['5-year TCO (USD)']:,.2f}; "
            f"${gap:,.2f} ({gap / runner_up['5-year TCO (USD)']:.1%}) below {runner_up['Scenario']}, the next cheapest")
        assert all(r["Recommendation"] is None for r in block[1:])


def test_the_recommendation_follows_the_numbers_when_they_change(tmp_path):
    # Cloudflare is cheapest at 47 agents with the defaults; multiply its Workers plan price by 1,000 and it is not
    lines = [line.model_copy(update={"unit_price": line.unit_price * 1000}) if line.group == "cloudflare" else line
             for line in A.providers]
    dearer = A.model_copy(update={"providers": lines})
    before = next(r for r in records(export(tmp_path / "a", agents=[47]), RESULTS) if r["Cheapest"])
    after = next(r for r in records(export(tmp_path / "b", a=dearer, agents=[47]), RESULTS) if r["Cheapest"])
    assert before["Key"] == "cloudflare"
    assert after["Key"] == compare([47], dearer).iloc[0]["scenario"] != "cloudflare"
    assert after["Recommendation"].startswith(after["Scenario"] + ": lowest 5-year TCO")


# -- Breakdown, Capacity, Assumptions ---------------------------------------------------------------
def test_breakdown_line_items_add_up_to_the_summary_and_carry_their_derivation(snapshot):
    items = records(snapshot, "Breakdown")
    results = evaluate(A, np.array(AGENTS, dtype=float))
    for i, n in enumerate(AGENTS):
        for key, r in results.items():
            lines = [x for x in items if x["Agents"] == n and x["Key"] == key]
            point = r.at(i)
            assert [x["Item"] for x in lines] == [c.name for c in point.components]
            assert sum(x["Monthly (USD/month)"] for x in lines) == pytest.approx(point.monthly, abs=0.005)
            assert sum(x["One-time (USD)"] for x in lines) == pytest.approx(point.one_time, abs=0.005)
            assert [x["Derivation"] for x in lines] == [c.derivation() for c in point.components]


def test_breakdown_twilio_inbound_at_47_agents(snapshot):
    # 47 agents × 40 calls × 8 min × 22 days = 330,880 min × 50% inbound = 165,440 min × $0.013 = $2,150.72/month
    line = next(x for x in records(snapshot, "Breakdown")
                if x["Agents"] == 47 and x["Key"] == "aws" and x["Item"] == "Twilio inbound calls")
    assert line["Quantity"] == 165_440 and line["Unit price (USD)"] == 0.013
    assert line["Monthly (USD/month)"] == pytest.approx(2150.72, abs=1e-9)
    assert "telephony.inbound_usd_per_min" in line["Assumptions"]


def test_breakdown_names_table_assumptions_by_stable_keys(snapshot):
    line = next(x for x in records(snapshot, "Breakdown")
                if x["Agents"] == 47 and x["Key"] == "aws" and x["Item"] == "S3 Standard")
    assert "providers[aws|S3 Standard].unit_price" in line["Assumptions"]
    assert not re.search(r"\w+\[\d+\]", line["Assumptions"])


def test_capacity_matches_the_engines_hardware_line(snapshot):
    rows = {(r["Agents"], r["Key"]): r for r in records(snapshot, "Capacity")}
    hardware = {(x["Agents"], x["Key"]): x["Quantity"] for x in records(snapshot, "Breakdown")
                if x["Category"] == "hardware"}
    for n in AGENTS:
        units = float(mac_studios(A, float(n)))
        assert rows[(n, "self_hosted")]["Mac Studios incl. failover (units)"] == units == hardware[(n, "self_hosted")]
        assert rows[(n, "self_hosted")]["Sites"] == float(sites(A, units))
        assert rows[(n, "aws")]["Mac Studios incl. failover (units)"] == 0
    # 500 agents / 25 agents per AWS application server = 20 servers
    assert rows[(500, "aws")]["Application servers"] == 20


def test_assumption_cells_list_every_value_exactly_as_read_with_unit_range_source_and_cell(snapshot):
    rows = {r["Key"]: r for r in records(snapshot, ASSUMPTION_CELLS)}
    specs = scalar_specs()
    table_values = sum(len([f for f in type(row).model_fields if f not in ROW_FIELDS])
                       for table in ("providers", "options", "llm_models", "gpu_servers", "stacks", "what_ifs")
                       for row in getattr(A, table))
    assert len(rows) == len(specs) + table_values
    for s in specs:
        assert rows[s.key]["Value"] == A.value(s.key) and rows[s.key]["Unit"] == s.unit
        assert rows[s.key]["Source"] == s.source and rows[s.key]["Read from"] == BUNDLED
    inbound = rows["telephony.inbound_usd_per_min"]
    assert (inbound["Value"], inbound["Unit"], inbound["Cell"]) == (0.013, "USD/min", "Telephony!C2")
    # a what-if's value, by the what-if's name and the assumption it sets, at its cell on the What-ifs sheet
    sip = rows["what_ifs[SIP trunking|telephony.inbound_usd_per_min].value"]
    assert (sip["Value"], sip["Cell"]) == (0.008, "'What-ifs'!C3")
    s3 = rows["providers[aws|S3 Standard].unit_price"]
    assert (s3["Value"], s3["Unit"], s3["Cell"]) == (0.023, "USD/GB/month", "Providers!D5")
    pentest = rows["options[security_pentest|Penetration test (annual, outsourced)].unit_price"]
    assert (pentest["Value"], pentest["Low"], pentest["High"], pentest["Unit"]) == (3000, 3000, 5000, "USD/test/year")
    assert pentest["Range used"] == "3,000 – 5,000 (workbook)"  # the report's '$3,000-5,000'
    assert rows["stacks[hybrid].option_groups"]["Value"] == "cloudflare_business, argo"
    # blank Low/High: the band of the input's kind, here calls per agent 40 ± 25% (usage volumes)
    calls = rows["usage.calls_per_agent_per_day"]
    assert (calls["Low"], calls["High"], calls["Range used"]) == (None, None, "30 – 50 (±25% usage volumes)")
    assert "default band for usage volumes, not from the report" in calls["Source"]
    # a design rule has no range: only sensitivity moves it, by ±20% (2 sites → 1.6..2.4, widened to whole sites)
    assert rows["capacity.min_sites"]["Range used"] == "1 – 3 (±20%, sensitivity only)"


def test_stable_keys_survive_a_row_inserted_above():
    new_line = PriceLine(group="aws", line="AWS Business Support", category="services", unit_price=100)
    inserted = A.model_copy(update={"providers": [new_line, *A.providers]})
    before, after = stable_keys(A), stable_keys(inserted)
    assert after["providers[0]"] == "providers[aws|AWS Business Support]"
    assert [after[f"providers[{i + 1}]"] for i in range(len(A.providers))] == \
        [before[f"providers[{i}]"] for i in range(len(A.providers))]


def test_repeated_row_ids_are_numbered():
    twice = A.model_copy(update={"providers": [A.providers[0], *A.providers]})
    keys = stable_keys(twice)
    assert keys["providers[0]"] == "providers[aws|EC2 c7i.2xlarge (1-yr reserved)]"
    assert keys["providers[1]"] == "providers[aws|EC2 c7i.2xlarge (1-yr reserved)#2]"


# -- Charts, analysis, Metadata --------------------------------------------------------------------
def chart_xml(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]


def test_charts_show_tco_and_a_stacked_composition_per_headcount(snapshot):
    charts = chart_xml(snapshot)
    # Charts: the line chart, then 2 per headcount (3); Sensitivity: one tornado per headcount (3)
    assert len(charts) == 1 + 2 * 3 + 3
    assert sum('<grouping val="stacked" />' in c for c in charts) == 3
    assert sum("<scatterChart>" in c for c in charts) == 1
    assert all("<cat><strRef>" in c for c in charts if "<barChart>" in c)  # scenario names are text categories
    rows = sheet_values(snapshot)["Charts"]
    for n in AGENTS:
        top, col = next((r, row.index(f"{n:,} agents")) for r, row in enumerate(rows) if f"{n:,} agents" in row)
        assert rows[top][col + 1] == "5-year TCO (USD)"
        for row in rows[top + 1:top + 1 + len(A.stacks)]:
            name, tco, *parts = (v for v in row[col:] if v is not None)
            assert sum(parts) == pytest.approx(tco, abs=0.005)  # the composition adds up to the TCO


def test_every_value_axis_starts_at_zero_except_the_tornados_changes(snapshot):
    for xml in chart_xml(snapshot):
        value_axes = re.findall(r"<valAx>.*?</valAx>", xml, re.S)
        tornado = "Tornado:" in xml
        for axis in value_axes:
            if tornado:
                assert '<min val="0"' not in axis  # bars of a change run both ways from zero
            elif "<scatterChart>" not in xml or '<axId val="500"' in axis or "Agents" not in axis:
                assert re.search(r'<min val="0(\.0)?" />', axis), axis[:200]


def test_cost_against_headcount_runs_from_1_to_the_largest_headcount_with_every_scenario_and_the_break_evens(
        snapshot):
    [line] = [c for c in chart_xml(snapshot) if "<scatterChart>" in c]
    assert line.count("<ser>") == len(A.stacks) + 1  # every scenario, and the break-even markers
    assert '<max val="500" />' in line
    rows = sheet_values(snapshot)["Charts"]
    header = rows[0]
    col = header.index("Agents")
    xs = [r[col] for r in rows[1:] if len(r) > col and isinstance(r[col], (int, float))]
    assert xs[0] == 1 and xs[-1] == 500 and xs == sorted(xs)
    names = [s.name for s in A.stacks]
    assert list(header[col + 1:col + 1 + len(names)]) == names
    # at 47 agents each line is the engine's 5-year TCO
    at_47 = next(r for r in rows[1:] if len(r) > col and r[col] == 47)
    expected = compare([47], A).set_index("name").tco
    for j, name in enumerate(names):
        assert at_47[col + 1 + j] == pytest.approx(expected[name], abs=0.005)
    # the markers: where the cheapest changes; each is a crossing of that pair in the break-even analysis
    mark = header.index("Break-even (agents)")
    marks = [r[mark] for r in rows[1:] if len(r) > mark and isinstance(r[mark], (int, float))]
    crossings = breakeven_table(A, agents_max=500, currency="USD")
    assert marks and all(n in set(crossings.agents.dropna()) for n in marks)
    grid = compare(list(range(1, 501)), A)
    winners = grid[grid.cheapest].drop_duplicates("agents").set_index("agents").scenario
    changes = [n for n in range(2, 501) if winners[n] != winners[n - 1]]
    assert marks == changes


def test_chart_headcounts_spread_over_a_long_list():
    assert spread(np.array([47.0, 100.0, 500.0]), 6) == [47, 100, 500]
    picks = spread(np.arange(1, 1001, dtype=float), 6)
    assert len(picks) == 6 and picks[0] == 1 and picks[-1] == 1000


def test_analysis_sheets_are_added_for_small_runs_only(snapshot):
    small = snapshot_data(A, AGENTS, provenance(None), MARCH_1)
    large = snapshot_data(A, range(1, 12), provenance(None), MARCH_1)
    assert small.analysis and not large.analysis
    names = openpyxl.load_workbook(snapshot, read_only=True).sheetnames
    assert names == ["Summary", RESULTS, "Charts", "Breakdown", "Assumptions", "Capacity", ASSUMPTION_CELLS,
                     "Levers", "Break-even", "Sensitivity", "Uncertainty", "Metadata"]


def test_sensitivity_and_uncertainty_cover_each_headcount(snapshot):
    sens = records(snapshot, "Sensitivity")
    unc = records(snapshot, "Uncertainty")
    cheapest = compare(AGENTS, A).query("rank == 1").set_index("agents")["name"]
    for n in AGENTS:
        tornado = [r for r in sens if r["Agents"] == n]
        assert {r["Scenario"] for r in tornado} == {cheapest[n]}
        swings = [r["Swing (USD)"] for r in tornado]
        assert swings == sorted(swings, reverse=True) and swings[0] > 0
        probs = [r["P(cheapest)"] for r in unc if r["Agents"] == n]
        assert len(probs) == len(A.stacks) and sum(probs) == pytest.approx(1)


def test_break_even_lists_every_crossing_of_every_pair(snapshot):
    rows = records(snapshot, "Break-even")
    expected = breakeven_table(A, currency="USD")
    names = {s.key: s.name for s in A.stacks}
    assert len(rows) == len(expected)
    first = expected.iloc[0]
    assert (rows[0]["Scenario A"], rows[0]["Scenario B"], rows[0]["Break-even (agents)"]) == (
        names[first.scenario_a], names[first.scenario_b], int(first.agents))
    never = [r for r in rows if r["Break-even (agents)"] is None]
    assert len(never) == int(expected["agents"].isna().sum())
    assert all(r["Cheaper below"] == r["Cheaper from"] for r in never)


def test_metadata_identifies_the_snapshot(snapshot):
    meta = dict(sheet_values(snapshot)["Metadata"][1:])
    assert meta["format"] == FORMAT and meta["tco_xl_version"] == __version__
    assert meta["created"] == "2026-03-01T09:00:00Z" and meta["agents"] == "47, 100, 500"
    assert meta["assumptions_sha256"] == A.content_hash()
    assert meta["assumptions_source"] == BUNDLED
    assert meta["sheets"].split(", ") == openpyxl.load_workbook(snapshot, read_only=True).sheetnames


def test_export_from_a_workbook_records_its_values_cells_and_hash(tmp_path):
    if not DEFAULT_WORKBOOK.is_file():
        pytest.skip("workbook/TCO.xlsm is not built")
    book = tmp_path / "Rates March.xlsm"
    wb = openpyxl.load_workbook(DEFAULT_WORKBOOK, keep_vba=True)
    assert wb["Telephony"]["C2"].value == A.telephony.inbound_usd_per_min  # the cell layout.cell_of names
    wb["Telephony"]["C2"] = 0.015
    wb.save(book)
    result = runner.invoke(app, ["export", "-a", "47", "--workbook", str(book), "--out", str(tmp_path / "out"),
                                 "--no-analysis", "--created", "2026-03-01T09:00:00Z"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    inbound = next(r for r in records(path, ASSUMPTION_CELLS) if r["Key"] == "telephony.inbound_usd_per_min")
    assert (inbound["Value"], inbound["Cell"], inbound["Read from"]) == (0.015, "Telephony!C2", "Rates March.xlsm")
    meta = dict(sheet_values(path)["Metadata"][1:])
    assert meta["source_workbook_sha256"] == hashlib.sha256(book.read_bytes()).hexdigest()
    assert meta["assumptions_source"] == "Rates March.xlsm"
    # 47 agents × 40 calls × 8 min × 22 days × 50% inbound = 165,440 min × $0.015 = $2,481.60/month
    line = next(x for x in records(path, "Breakdown") if x["Key"] == "aws" and x["Item"] == "Twilio inbound calls")
    assert line["Monthly (USD/month)"] == pytest.approx(2481.60, abs=1e-9)


def test_source_workbook_hash_is_of_the_file_bytes(tmp_path):
    book = tmp_path / "Rates.xlsx"
    book.write_bytes(b"any bytes stand in for a workbook here")
    p = provenance(book)
    assert p.workbook_sha256 == hashlib.sha256(book.read_bytes()).hexdigest()
    assert p.source == "Rates.xlsx" and p.from_workbook


# -- names, determinism ----------------------------------------------------------------------------
def test_file_name_sorts_by_date_and_says_what_it_holds(snapshot):
    assert snapshot.name == f"tco-snapshot_2026-03-01T090000Z_47-100-500_{A.content_hash()[:8]}.xlsx"
    later = snapshot_name(snapshot_data(A, AGENTS, provenance(None), datetime(2026, 3, 15, tzinfo=timezone.utc)))
    earlier = snapshot_name(snapshot_data(A, AGENTS, provenance(None), datetime(2025, 12, 31, tzinfo=timezone.utc)))
    assert sorted([later, snapshot.name, earlier]) == [earlier, snapshot.name, later]
    assert "_1..1000_" in snapshot_name(snapshot_data(A, range(1, 1001), provenance(None), MARCH_1))


@given(st.sets(st.integers(1, 5000), min_size=1, max_size=40))
def test_agents_label_lists_every_headcount_once(counts):
    label = agents_label(counts, "-")
    expanded = set()
    for part in label.split("-"):
        first, _, last = part.partition("..")
        expanded |= set(range(int(first), int(last or first) + 1))
    assert expanded == counts


def test_same_inputs_give_the_same_cells_and_with_a_fixed_time_the_same_bytes(tmp_path):
    first, second = (snapshot_data(A, AGENTS, provenance(None), MARCH_1, analysis=True) for _ in range(2))
    assert snapshot_bytes(first)[0] == snapshot_bytes(second)[0]
    a = export(tmp_path / "a", created=MARCH_1)
    b = export(tmp_path / "b", created=datetime(2026, 3, 2, 17, 30, tzinfo=timezone.utc))
    va, vb = sheet_values(a), sheet_values(b)
    assert va.keys() == vb.keys()
    changed = {(sheet, i) for sheet in va for i, (x, y) in enumerate(zip(va[sheet], vb[sheet])) if x != y}
    assert changed == {("Summary", 1), ("Metadata", 3)}  # only the creation time differs
    assert va["Metadata"][3] == ("created", "2026-03-01T09:00:00Z")


def test_separate_processes_write_identical_bytes(tmp_path):
    paths = []
    for seed, out in (("1", tmp_path / "one"), ("2", tmp_path / "two")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1772355600"}  # 2026-03-01T09:00:00Z
        command = [sys.executable, "-c", "from tco_xl.cli import main; main()", "export", "--out", str(out),
                   "--no-analysis"]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        paths.append(Path(done.stdout.strip()))
    assert paths[0].name == paths[1].name
    assert paths[0].name.startswith("tco-snapshot_2026-03-01T090000Z_")
    assert paths[0].read_bytes() == paths[1].read_bytes()


# -- text that looks like a formula ----------------------------------------------------------------
def test_workbook_text_starting_like_a_formula_is_stored_as_text(tmp_path):
    evil = {"=": '=HYPERLINK("http://example.com","click")', "+": "+1+2", "-": "-2+3", "@": "@SUM(A1:A2)"}
    stacks = [A.stacks[0].model_copy(update={"name": evil["="]}), *A.stacks[1:]]
    named = " ".join(f"{w.assumption} {w.value}" for w in A.what_ifs)  # a line a what-if sets must keep its name
    i = next(i for i, line in enumerate(A.providers) if f"{line.group}|{line.line}" not in named)
    lines = [*A.providers[:i], A.providers[i].model_copy(update={"source": evil["+"], "line": evil["@"]}),
             *A.providers[i + 1:]]
    models = [A.llm_models[0].model_copy(update={"name": evil["-"]}), *A.llm_models[1:]]
    a = A.model_copy(update={"stacks": stacks, "providers": lines, "llm_models": models})
    path = export(tmp_path, a=a, agents=[47])
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(path)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in evil:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    found.setdefault(cell.value[:1], cell.value)
    assert set(found) == set(evil)
    assert any(v == evil["="] for v in found.values())


# -- the command ------------------------------------------------------------------------------------
def test_cli_export_prints_the_path_of_the_snapshot(tmp_path):
    result = runner.invoke(app, ["export", "-a", "47", "-a", "100", "--out", str(tmp_path / "new"),
                                 "--created", "2026-03-01T09:00:00Z", "--no-analysis"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path / "new"
    assert path.name == f"tco-snapshot_2026-03-01T090000Z_47-100_{A.content_hash()[:8]}.xlsx"
    assert openpyxl.load_workbook(path, read_only=True).sheetnames[0] == "Summary"


@pytest.mark.parametrize("args, field", [
    (["-a", "0"], "--agents"), (["-a", "4.5"], "--agents"), (["--created", "1 March"], "--created"),
])
def test_cli_export_rejects_bad_input_naming_the_field_and_writes_nothing(tmp_path, args, field):
    result = runner.invoke(app, ["export", "--out", str(tmp_path), *args])
    assert result.exit_code == 1
    assert field in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_export_with_a_bad_workbook_leaves_the_folder_as_it_was(tmp_path):
    previous = export(tmp_path)
    bad = tmp_path.parent / "broken.xlsx"
    bad.write_text("not a workbook")
    result = runner.invoke(app, ["export", "--out", str(tmp_path), "--workbook", str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "broken.xlsx" in result.output
    assert [p.name for p in tmp_path.iterdir()] == [previous.name]


def test_source_date_epoch_sets_the_creation_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772355600")  # 2026-03-01T09:00:00Z
    assert snapshot_data(A, [47], provenance(None)).created == MARCH_1
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        snapshot_data(A, [47], provenance(None))


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=4))
def test_any_headcounts_give_results_with_the_engines_cheapest(tmp_path_factory, counts):
    wb = openpyxl.Workbook(write_only=True)
    results_sheet(wb.create_sheet(RESULTS), snapshot_data(A, counts, provenance(None), MARCH_1, analysis=False))
    path = tmp_path_factory.mktemp("prop") / "results.xlsx"
    wb.save(path)
    rows = records(path, RESULTS)
    expected = compare(sorted(set(counts)), A)
    assert sorted({r["Agents"] for r in rows}) == sorted(set(counts))
    assert {(r["Agents"], r["Key"]) for r in rows if r["Cheapest"]} == \
        {(int(r.agents), r.scenario) for r in expected.itertuples() if r.cheapest}
