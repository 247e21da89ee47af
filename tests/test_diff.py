"""Snapshot diff: assumptions added/removed/changed, totals per scenario and headcount, cheapest changes, CI gate."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from tco_xl.assumptions import PriceLine, default_assumptions
from tco_xl.cli import app
from tco_xl.cli.snapshot import GATE_FAILED
from tco_xl.engine import compare
from tco_xl.engine.twilio import minutes_per_month
from tco_xl.io.diff import NotASnapshot, diff_snapshots, read_snapshot, render
from tco_xl.io.snapshot import export_snapshot, provenance, snapshot_data

A = default_assumptions()
AGENTS = [47, 100, 500]
runner = CliRunner()


def export(folder: Path, a=A, agents=AGENTS, day: int = 1) -> Path:
    created = datetime(2026, 3, day, 9, tzinfo=timezone.utc)
    return export_snapshot(snapshot_data(a, agents, provenance(None), created, analysis=False), folder).path


def with_inbound(rate: float):
    return A.model_copy(update={"telephony": A.telephony.model_copy(update={"inbound_usd_per_min": rate})})


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("snapshots")


@pytest.fixture(scope="module")
def base(folder) -> Path:
    return export(folder)


@pytest.fixture(scope="module")
def dearer_inbound(folder) -> Path:
    return export(folder, with_inbound(0.015), day=15)


def test_a_changed_rate_is_reported_with_units_and_its_effect_on_every_total(base, dearer_inbound):
    d = diff_snapshots(read_snapshot(base), read_snapshot(dearer_inbound))
    [change] = d.assumptions
    assert (change.change, change.key, change.old, change.new, change.unit) == (
        "changed", "telephony.inbound_usd_per_min", 0.013, 0.015, "USD/min")
    assert change.pct == pytest.approx(0.002 / 0.013)
    # inbound minutes/month = agents × 40 calls × 8 min × 22 days × 50%; 47 agents: 165,440 min
    # Δ annual = 12 × minutes × ($0.015 − $0.013); 47 agents: 12 × 165,440 × 0.002 = $3,970.56
    # Δ Year 1 = Δ annual (no one-time change); Δ 5-year TCO = 5 × Δ annual
    assert d.compared == len(d.totals) == len(A.stacks) * len(AGENTS)
    for t in d.totals:
        annual = 12 * minutes_per_month(A, t.agents) * 0.5 * 0.002
        assert t.annual.delta == pytest.approx(annual, abs=0.005)
        assert t.year1.delta == pytest.approx(annual, abs=0.005)
        assert t.tco.delta == pytest.approx(5 * annual, abs=0.005)
    at_47 = next(t for t in d.totals if t.agents == 47 and t.key == "aws")
    assert at_47.annual.delta == pytest.approx(3970.56, abs=0.005)
    assert at_47.tco.pct == pytest.approx(at_47.tco.delta / at_47.tco.old)
    assert d.cheapest == [] and d.notes == []


def test_identical_snapshots_have_no_changes(base, folder):
    d = diff_snapshots(read_snapshot(base), read_snapshot(export(folder, day=2)))
    assert d.assumptions == [] and d.totals == [] and d.cheapest == [] and d.compared == len(A.stacks) * len(AGENTS)
    assert "unchanged at every headcount" in render(d)


def test_a_new_cheapest_scenario_is_said_plainly(base, folder):
    lines = [line.model_copy(update={"unit_price": line.unit_price * 1000}) if line.group == "cloudflare" else line
             for line in A.providers]
    dearer = A.model_copy(update={"providers": lines})
    d = diff_snapshots(read_snapshot(base), read_snapshot(export(folder, dearer, day=20)))
    old = compare(AGENTS, A).query("cheapest").set_index("agents")["name"]
    new = compare(AGENTS, dearer).query("cheapest").set_index("agents")["name"]
    flipped = [n for n in AGENTS if old[n] != new[n]]
    assert flipped and [c.agents for c in d.cheapest] == flipped
    text = render(d)
    for n in flipped:
        assert f"At {n} agents the cheapest scenario changed from {old[n]} to {new[n]}." in text
    assert f"New recommendation: {new[flipped[0]]}: lowest 5-year TCO" in text
    assert {c.key for c in d.assumptions} == {f"providers[cloudflare|{line.line}].unit_price"
                                              for line in A.providers if line.group == "cloudflare"}


def test_an_inserted_and_a_removed_row_are_reported_as_such_not_as_shifted_rows(base, folder):
    support = PriceLine(group="aws", line="AWS Business Support", category="services", unit_price=100)
    providers = [support, *[line for line in A.providers if line.line != "Fly Postgres storage"]]
    d = diff_snapshots(read_snapshot(base), read_snapshot(export(folder, A.model_copy(
        update={"providers": providers}), agents=[47], day=21)))
    kinds = {(c.change, c.key.split("].")[0] + "]") for c in d.assumptions}
    assert kinds == {("added", "providers[aws|AWS Business Support]"),
                     ("removed", "providers[flyio|Fly Postgres storage]")}
    added = [c for c in d.assumptions if c.change == "added"]
    assert next(c for c in added if c.key.endswith(".unit_price")).new == 100


def test_a_changed_range_is_reported(base, folder):
    fiber = "network.internet_usd_per_site_month"  # the report's '$53-64'
    ranges = {**A.ranges, fiber: A.ranges[fiber].model_copy(update={"low": 50})}
    d = diff_snapshots(read_snapshot(base), read_snapshot(export(folder, A.model_copy(update={"ranges": ranges}),
                                                                 agents=[47], day=22)))
    [change] = d.assumptions
    assert change.key == fiber and change.old == change.new
    assert change.old_range == (53, 64) and change.new_range == (50, 64)
    assert d.totals == []


def test_markdown_is_a_pull_request_comment(base, dearer_inbound):
    md = render(diff_snapshots(read_snapshot(base), read_snapshot(dearer_inbound)), "markdown")
    assert md.startswith("## TCO snapshot diff\n")
    assert "| changed | `telephony.inbound_usd_per_min` | Inbound call rate | 0.013 | 0.015 | USD/min | +15.4% |" in md
    assert "| Agents | Scenario | Δ Year 1 | Δ Annual | Δ 5-year TCO | New 5-year TCO |" in md
    # Cloud (AWS) at 47 agents: Δ annual $3,970.56 on $79,934.04 (+5.0%); Δ 5-year 5 × 3,970.56 = $19,852.80
    row = next(line for line in md.splitlines() if line.startswith("| 47 | Cloud (AWS) |"))
    assert "+3,970.56 (+5.0%)" in row and "+19,852.80 (+5.0%)" in row


def test_json_holds_every_change_with_absolute_and_relative_deltas(base, dearer_inbound):
    data = json.loads(render(diff_snapshots(read_snapshot(base), read_snapshot(dearer_inbound)), "json"))
    assert data["assumptions"][0]["key"] == "telephony.inbound_usd_per_min"
    assert len(data["totals"]) == len(A.stacks) * len(AGENTS)
    tco = data["totals"][0]["tco"]
    assert set(tco) == {"old", "new", "delta", "pct"}
    assert tco["delta"] == pytest.approx(tco["new"] - tco["old"])


def test_cli_fail_above_gates_rises_only(base, dearer_inbound):
    # Every 5-year TCO rises by 4.8% to 6.2%: Δ = 5 × 12 × inbound minutes × $0.002, the same for every scenario
    risen = runner.invoke(app, ["diff", str(base), str(dearer_inbound), "--fail-above", "1"])
    assert risen.exit_code == GATE_FAILED
    assert "rose by more than 1%" in risen.output
    assert runner.invoke(app, ["diff", str(base), str(dearer_inbound), "--fail-above", "10"]).exit_code == 0
    fell = runner.invoke(app, ["diff", str(dearer_inbound), str(base), "--fail-above", "1"])
    assert fell.exit_code == 0 and "-3,970.56" in fell.output


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_cli_formats(base, dearer_inbound, fmt):
    result = runner.invoke(app, ["diff", str(base), str(dearer_inbound), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "telephony.inbound_usd_per_min" in result.stdout


def test_files_that_are_not_snapshots_get_a_clear_error(tmp_path, base):
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    text = tmp_path / "notes.xlsx"
    text.write_text("just text")
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Metadata"
    wb.active.append(["Key", "Value"])
    wb.active.append(["format", "someone-else/3"])
    wb.save(other)
    cases = {plain: "no Metadata sheet", text: "not an .xlsx workbook", other: "format 'someone-else/3'",
             tmp_path / "missing.xlsx": "no such file"}
    for path, reason in cases.items():
        with pytest.raises(NotASnapshot, match=reason):
            read_snapshot(path)
        result = runner.invoke(app, ["diff", str(base), str(path)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert f"{path.name} is not a tco_xl snapshot" in result.output.replace("\n", "")


def test_a_damaged_summary_row_is_named(tmp_path, base):
    damaged = tmp_path / "damaged.xlsx"
    wb = openpyxl.load_workbook(base)
    wb["Results"]["A5"] = "forty"
    wb.save(damaged)
    with pytest.raises(NotASnapshot, match=r"Results row 5, agents: .*valid integer.*found 'forty'"):
        read_snapshot(damaged)


def test_an_older_snapshot_with_fewer_sheets_and_columns_still_diffs(tmp_path, base):
    """A hand-made snapshot of a hypothetical tco_xl 0.0.1: no Assumptions sheet, no Annual or Cheapest column."""
    current = read_snapshot(base)
    old = tmp_path / "tco-snapshot_2025-12-01T000000Z_47_00000000.xlsx"
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Summary"
    summary.append(["Agents", "Key", "Scenario", "Year 1 (USD)", "5-year TCO (USD)"])
    for (n, key), row in current.rows.items():
        if n == 47:
            summary.append([n, key, row.name, row.year1, row.tco + (1000 if key == "hybrid" else 0)])
    meta = wb.create_sheet("Metadata")
    for pair in (("Key", "Value"), ("format", "tco_xl-snapshot/1"), ("tco_xl_version", "0.0.1"),
                 ("horizon_years", 5)):
        meta.append(pair)
    wb.save(old)
    d = diff_snapshots(read_snapshot(old), current)
    assert d.assumptions is None and d.old.version == "0.0.1"
    assert d.agents_added == [100, 500] and d.compared == len(A.stacks)
    [hybrid] = d.totals
    assert hybrid.key == "hybrid" and hybrid.tco.delta == pytest.approx(-1000) and hybrid.annual is None
    assert d.cheapest == []  # the old cheapest is taken as its lowest 5-year TCO: the same scenario
    assert "old snapshot has no Assumptions sheet" in d.notes
    text = render(d)
    assert "not compared" in text and "Headcounts only in new: 100, 500" in text


def test_a_changed_horizon_is_noted(base, folder):
    ten = A.model_copy(update={"finance": A.finance.model_copy(update={"horizon_years": 10})})
    d = diff_snapshots(read_snapshot(base), read_snapshot(export(folder, ten, agents=[47], day=23)))
    assert any("horizon changed from 5 to 10 years" in n for n in d.notes)
    # Year 1 and annual do not depend on the horizon; the N-year TCO column is each snapshot's own (5 vs 10 years)
    assert len(d.totals) == len(A.stacks) and d.agents_removed == [100, 500]
    assert all(not t.year1.changed and not t.annual.changed and t.tco.delta > 0 for t in d.totals)
