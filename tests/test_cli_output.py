"""The command line as people and tools meet it: tables that fit a real terminal without cutting money, strict
JSON to the cent, CSV that cannot run formulas, plain error messages, readable assumption keys, progress only
where someone watches."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tco_xl.analysis import npv
from tco_xl.assumptions import default_assumptions
from tco_xl.cli import app
from tco_xl.engine import compare
from tco_xl.engine.inputs import COMPARISON_METRICS
from tco_xl.io.snapshot import export_snapshot, provenance, snapshot_data

A = default_assumptions()
runner = CliRunner()
INDEXED_KEY = re.compile(r"\b\w+\[\d+\]")


def run_in_terminal(args: list[str], columns: int, **kw) -> tuple[str, str]:
    """fixtures.terminal.run_in_terminal: a real pseudo-terminal (POSIX only; skipped where there is none)."""
    pytest.importorskip("termios")
    from fixtures.terminal import run_in_terminal as run
    return run(args, columns, **kw)


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as strict parsers (JavaScript's JSON.parse) do."""
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def decimals(x: float) -> int:
    text = repr(x)
    return len(text.partition(".")[2]) if "." in text and "e" not in text else 0


# -- tables in a real terminal ------------------------------------------------------------------------------
@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("agents", [47, 500])
def test_report_in_a_terminal_never_cuts_money(columns, agents):
    shown, _ = run_in_terminal(["report", "-a", str(agents)], columns)
    lines = shown.splitlines()
    assert lines and max(len(line.rstrip()) for line in lines) <= columns
    assert "…" not in shown
    rows = compare([agents], A)
    # every figure shown is whole: Year 1 and the 5-year TCO of every scenario always are
    for r in rows.itertuples():
        for metric in ("year1", "tco"):
            assert f"{getattr(r, metric):,.2f}" in shown, (r.name, metric)
    if columns == 80:
        assert "Not shown at 80 columns: Monthly" in shown
    else:
        assert "Not shown" not in shown and f"{rows.iloc[0].monthly:,.2f}" in shown


def test_report_at_500_agents_shows_the_hybrid_optimized_total_in_full_at_80_columns():
    shown, _ = run_in_terminal(["report", "-a", "500"], 80)
    # the example: '3,429,4…' before; the engine's 5-year TCO of the optimized hybrid at 500 agents
    tco = compare([500], A).set_index("scenario").tco["hybrid_optimized"]
    assert f"{tco:,.2f}".startswith("3,429,4") and f"{tco:,.2f}" in shown


def test_columns_from_the_environment_set_the_width_of_piped_output():
    narrow = runner.invoke(app, ["report", "-a", "500"], env={"COLUMNS": "80"})
    wide = runner.invoke(app, ["report", "-a", "500"], env={"COLUMNS": "200"})
    assert max(map(len, narrow.stdout.splitlines())) <= 80 < max(map(len, wide.stdout.splitlines()))
    assert "…" not in narrow.stdout and "Not shown at 80 columns" in narrow.stdout


@pytest.mark.parametrize("args", [
    ["sensitivity", "-a", "47"], ["simulate", "-a", "47", "--draws", "2000"], ["cashflow", "hybrid", "-a", "47"],
    ["breakeven", "hybrid", "hetzner", "aws"], ["report", "-a", "47", "-b", "hybrid"],
])
def test_every_table_fits_80_columns_without_cutting_a_number(args):
    out = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert out.exit_code == 0, out.output
    assert max(map(len, out.stdout.splitlines())) <= 80
    assert "…" not in out.stdout


# -- JSON ----------------------------------------------------------------------------------------------------
def test_report_json_is_strict_and_money_is_to_the_cent():
    out = runner.invoke(app, ["report", "-a", "47", "-a", "500", "-f", "json"])
    data = strict_json(out.stdout)
    rows = data["rows"]
    assert len(rows) == 2 * len(A.stacks)
    for row in rows:
        for metric in (*COMPARISON_METRICS, "one_time"):
            assert decimals(row[metric]) <= 2, (row["scenario"], metric, row[metric])
    # the last-ranked scenario has no one behind it: its margin is null, not NaN
    assert [r["margin"] for r in rows if r["rank"] == len(A.stacks)] == [None, None]
    # Cloudflare at 47 agents: 12 × $5,683.43/month (the report's own Cloudflare total) = $68,201.16 (not ...997)
    cloudflare = next(r for r in rows if r["agents"] == 47 and r["scenario"] == "cloudflare")
    assert cloudflare["year1"] == 68_201.16


@pytest.mark.parametrize("args, money", [
    (["sensitivity", "-a", "47", "-f", "json"], ("swing", "delta_low", "tco_low")),
    (["simulate", "-a", "47", "--draws", "2000", "-f", "json"], ("p10", "p50", "mean", "base")),
    (["cashflow", "-a", "47", "-f", "json"], ("tco", "npv")),
    (["breakeven", "hybrid", "hetzner", "-f", "json"], ("gap_before", "gap_after")),
    (["report", "-a", "47", "-b", "aws", "-f", "json"], ("monthly_usd", "one_time_usd")),
])
def test_every_json_output_is_strict_with_money_to_the_cent(args, money):
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    data = strict_json(out.stdout)
    rows = [r for block in data for r in block.get("rows", block.get("items", []))]
    assert rows
    for row in rows:
        for field in money:
            if row.get(field) is not None:
                assert decimals(row[field]) <= 2, (field, row[field])


def test_a_tornado_keeps_the_assumptions_own_precision_in_json():
    rows = strict_json(runner.invoke(app, ["sensitivity", "aws", "-a", "47", "-f", "json"]).stdout)[0]["rows"]
    inbound = next(r for r in rows if r["assumption"] == "telephony.inbound_usd_per_min")
    # $0.013/min ± 10% (vendor list price band): not money to round to the cent
    assert (inbound["base"], inbound["low"], inbound["high"]) == (0.013, 0.0117, 0.0143)


# -- CSV -----------------------------------------------------------------------------------------------------
def test_csv_output_neutralises_text_a_spreadsheet_would_run(workbook_copy):
    # (openpyxl would store '=…' in a workbook as a formula: those go through print_csv below)
    # (Providers B3: an AWS line no what-if names; renaming B2, which 'Reserved instances' sets, fails the load)
    book = workbook_copy({"Stacks": {"B2": "-2+3 self-hosted"}, "Providers": {"B3": "@SUM(A1)"}})
    report = runner.invoke(app, ["report", "-a", "47", "-w", str(book), "-f", "csv"])
    assert report.exit_code == 0, report.output
    names = [r["name"] for r in csv.DictReader(io.StringIO(report.stdout))]
    assert "'-2+3 self-hosted" in names
    breakdown = runner.invoke(app, ["report", "-a", "47", "-w", str(book), "-b", "aws", "-f", "csv"])
    items = [r["item"] for r in csv.DictReader(io.StringIO(breakdown.stdout))]
    assert "'@SUM(A1)" in items
    assert not any(i.startswith(("=", "+", "-", "@")) for i in items)


def test_csv_cells_starting_with_any_formula_character_become_text(capsys):
    import pandas as pd

    from tco_xl.cli.output import print_csv
    evil = ['=HYPERLINK("http://example.com","x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "plain"]
    print_csv(pd.DataFrame({"name": evil, "cost": [-1.005, 2.0, 3.0, 4.0, 5.0, float("nan")]}), frozenset({"cost"}))
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == [f"'{e}" for e in evil[:5]] + ["plain"]
    # numbers are not text: a negative amount stays a number (rounded half away from zero, as Excel does); no nan
    assert [r["cost"] for r in rows] == ["-1.01", "2.0", "3.0", "4.0", "5.0", ""]


def test_csv_numbers_stay_numbers_and_money_is_to_the_cent():
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["report", "-a", "47", "-f", "csv"]).stdout)))
    hybrid = next(r for r in rows if r["scenario"] == "hybrid")
    # Hybrid at 47 agents (hand-checked): Year 1 = 12 × $6,554.86 + 2 × $11,999 + $500 = $103,156.33
    assert hybrid["year1"] == "103156.33" and hybrid["rank"] == "12"
    assert next(r for r in rows if r["rank"] == "12")["margin"] == ""  # no one behind the last: empty, not nan


# -- errors --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [
    ["report"], ["export", "--out", "unused"], ["sensitivity"], ["simulate", "--draws", "10"], ["cashflow"],
])
def test_a_bad_headcount_is_quoted_as_typed_never_as_a_numpy_repr(command):
    out = runner.invoke(app, [*command, "-a", "0"])
    assert out.exit_code == 1
    assert "--agents: expected a whole number of agents from 1 to 1,000,000, got '0'" in out.output
    assert "np." not in out.output and "Traceback" not in out.output


def test_an_empty_workbook_cell_is_called_an_empty_cell(workbook_copy):
    out = runner.invoke(app, ["workbook", "check", str(workbook_copy({"Telephony": {"C2": None}}))])
    assert out.exit_code == 1
    assert "Telephony!C2 (telephony.inbound_usd_per_min): found an empty cell, expected" in out.output
    assert "None" not in out.output


def test_cashflow_rate_takes_a_percentage_or_a_fraction_and_refuses_a_bare_number_above_1():
    as_pct, as_fraction = (strict_json(runner.invoke(app, ["cashflow", "-a", "47", "--rate", r, "-f", "json"]).stdout)
                           for r in ("8%", "0.08"))
    assert as_pct == as_fraction
    hybrid = next(r for r in as_pct[0]["rows"] if r["scenario"] == "hybrid")
    assert hybrid["npv"] == pytest.approx(npv(A, "hybrid", 47, 0.08), abs=0.005)
    out = runner.invoke(app, ["cashflow", "-a", "47", "--rate", "8"])
    assert out.exit_code == 1
    assert "--rate:" in out.output and "8 would mean 800%: write 8% or 0.08" in out.output


def test_a_snapshot_passed_as_the_workbook_is_named_once(tmp_path):
    snap = export_snapshot(snapshot_data(A, [47], provenance(None), datetime(2026, 3, 1, tzinfo=UTC),
                                         analysis=False), tmp_path).path
    out = runner.invoke(app, ["report", "-w", str(snap)])
    assert out.exit_code == 1
    lines = [line for line in out.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in out.output
    assert f"{snap} is a tco_xl snapshot" in out.output.replace("\n", "")
    assert "--workbook workbook/TCO.xlsm" in out.output


def test_reconcile_outside_the_repository_creates_no_docs_folder(tmp_path):
    command = [sys.executable, "-c", "from tco_xl.cli import main; main()", "reconcile"]
    missing = subprocess.run([*command, "--out", "docs/seed-reconciliation.md"], cwd=tmp_path, capture_output=True,
                             text=True, check=False)
    assert missing.returncode == 1 and "a file in an existing folder (docs does not exist)" in missing.stderr
    checked = subprocess.run([*command, "--check"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr  # the checkout's own document, wherever it is run from
    assert "docs/seed-reconciliation.md is up to date" in checked.stdout
    assert list(tmp_path.iterdir()) == []


# -- sensitivity and simulate ------------------------------------------------------------------------------------
def test_sensitivity_and_simulate_name_table_cells_by_what_identifies_the_row():
    tornado = strict_json(runner.invoke(app, ["sensitivity", "aws", "-a", "47", "--top", "0", "-f", "json"]).stdout)
    keys = [r["assumption"] for r in tornado[0]["rows"]]
    assert "providers[aws|EC2 c7i.2xlarge (1-yr reserved)].unit_price" in keys
    assert not any(INDEXED_KEY.search(k) for k in keys)
    sim = strict_json(runner.invoke(app, ["simulate", "-a", "47", "--draws", "1000", "-f", "json"]).stdout)[0]
    drawn = [i["assumption"] for i in sim["inputs"]]
    assert sim["inputs_drawn"] == len(drawn) and "llm_models[gpt-4o].input_usd_per_1k" in drawn
    assert not any(INDEXED_KEY.search(k) for k in drawn)
    table = runner.invoke(app, ["sensitivity", "aws", "-a", "47", "--top", "0"], env={"COLUMNS": "200"}).stdout
    assert "providers[aws|" in table and not INDEXED_KEY.search(table)


def test_simulate_states_how_many_inputs_it_drew():
    out = runner.invoke(app, ["simulate", "-a", "47", "--draws", "1000"], env={"COLUMNS": "200"})
    drawn = strict_json(runner.invoke(app, ["simulate", "-a", "47", "--draws", "1000", "-f", "json"]).stdout)[0]
    assert f"{drawn['inputs_drawn']} uncertain inputs drawn" in out.stdout


def test_flips_with_none_say_that_no_single_move_changes_the_cheapest():
    flips = runner.invoke(app, ["sensitivity", "-a", "500", "--flips"], env={"COLUMNS": "200"})
    data = strict_json(runner.invoke(app, ["sensitivity", "-a", "500", "--flips", "-f", "json"]).stdout)[0]
    assert data["rows"] == []  # at 500 agents the optimized hybrid leads whatever single input moves
    assert "No single assumption moved to its low or high changes the cheapest scenario at 500 agents" in flips.stdout
    assert "┏" not in flips.stdout  # no empty table


# -- progress ------------------------------------------------------------------------------------------------------
def test_simulate_shows_progress_in_a_terminal_but_not_in_json_or_a_pipe():
    draws = ["simulate", "-a", "47", "--draws", "150000"]  # over a second: long enough for the bar to appear
    shown, _ = run_in_terminal(draws, 120)
    assert "Simulating 47 agents" in shown
    shown, piped = run_in_terminal([*draws, "-f", "json"], 120, stdout_tty=False)
    assert "Simulating" not in shown
    assert strict_json(piped)[0]["draws"] == 150_000


def test_export_shows_progress_in_a_terminal(tmp_path):
    shown, _ = run_in_terminal(["export", "--out", str(tmp_path), *[f"-a{n}" for n in range(1, 31)]], 120)
    assert "Writing the snapshot of 30 headcounts" in shown
    assert len(list(Path(tmp_path).glob("*.xlsx"))) == 1


# -- wording -----------------------------------------------------------------------------------------------------
def test_breakdowns_count_thousands_of_emails_and_list_no_zero_support_for_clouds():
    rows = strict_json(runner.invoke(app, ["report", "-a", "47", "-b", "aws", "-f", "json"]).stdout)[0]["items"]
    ses = next(r for r in rows if r["item"] == "Amazon SES")
    # 10,000 emails/month at 47 agents = 10 thousands × $0.10 = $1.00/month
    assert ses["derivation"] == "10 × 1,000 emails × $0.10/1,000 emails = $1.00/month"
    assert not any(r["category"] in ("support", "setup") for r in rows)
    hybrid = strict_json(runner.invoke(app, ["report", "-a", "47", "-b", "hybrid", "-f", "json"]).stdout)[0]["items"]
    assert {r["category"] for r in hybrid} >= {"support", "setup"}
