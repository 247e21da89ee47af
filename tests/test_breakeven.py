"""Break-even: the grid solver against a brute-force scan, crossings' fields, the table and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tco_xl.analysis import breakeven_table, crossings
from tco_xl.analysis.breakeven import TIE_USD, _crossings
from tco_xl.assumptions import default_assumptions
from tco_xl.cli import app
from tco_xl.engine import evaluate, price
from tco_xl.errors import InputError

A = default_assumptions()
SCAN = 420  # headcounts 1..420 cover the Mac Studio steps where on-premise and cloud curves cross


def brute_force(a, key_a: str, key_b: str, metric: str, agents_max: int) -> list[tuple[int, str, str]]:
    """Price each headcount on its own (one engine call each) and note where the strictly cheaper one changes."""
    found, last = [], None
    for n in range(1, agents_max + 1):
        res = evaluate(a, np.array([float(n)]), [key_a, key_b])
        diff = float(res[key_a].metric(metric)[0] - res[key_b].metric(metric)[0])
        if abs(diff) < TIE_USD:
            continue
        winner = key_a if diff < 0 else key_b
        if last is not None and winner != last:
            found.append((n, last, winner))
        last = winner
    return found


@pytest.mark.parametrize(("key_a", "key_b", "metric"), [
    ("self_hosted", "cloudflare", "tco"), ("hybrid", "hetzner", "tco"), ("self_hosted", "hybrid", "tco"),
    ("hybrid_optimized", "cloudflare", "tco"), ("self_hosted", "hybrid", "year1"), ("aws", "hetzner", "year1"),
])
def test_solver_equals_brute_force_scan(key_a, key_b, metric):
    solved = [(c.agents, c.cheaper_before, c.cheaper_after) for c in crossings(A, key_a, key_b, metric, SCAN)]
    assert solved == brute_force(A, key_a, key_b, metric, SCAN)


def test_at_least_one_pair_crosses_several_times_on_the_step_wise_curves():
    # Each Mac Studio (every 25 agents) adds $11,999 at once: near the break-even the cheaper one flips back and forth.
    assert len(crossings(A, "self_hosted", "cloudflare")) >= 3


@settings(max_examples=6, deadline=None)
@given(mac=st.floats(6_000, 20_000), fiber=st.floats(30, 120), per_mac=st.floats(15, 40))
def test_solver_equals_brute_force_for_other_assumptions(mac, fiber, per_mac):
    data = A.model_dump()
    data["hardware"]["mac_studio_usd"], data["network"]["internet_usd_per_site_month"] = mac, fiber
    data["capacity"]["agents_per_mac_studio"], data["ranges"] = per_mac, {}
    a = type(A).model_validate(data)
    solved = [(c.agents, c.cheaper_before, c.cheaper_after) for c in crossings(a, "hybrid", "hetzner", "tco", 120)]
    assert solved == brute_force(a, "hybrid", "hetzner", "tco", 120)


@given(st.lists(st.sampled_from([-3.0, -1.0, 0.0, 0.001, 2.0, 5.0]), min_size=2, max_size=40))
def test_sign_changes_equal_a_walk_over_the_differences(diffs):
    cost_b = np.zeros(len(diffs))
    cost_a = np.array(diffs)
    expected, last = [], None
    for n, d in enumerate(diffs, start=1):
        if abs(d) < TIE_USD:
            continue
        winner = "a" if d < 0 else "b"
        if last is not None and winner != last:
            expected.append((n, last, winner))
        last = winner
    got = [(c.agents, c.cheaper_before, c.cheaper_after) for c in _crossings(cost_a, cost_b, "a", "b", 1.0, "USD")]
    assert got == expected


def test_crossing_gaps_are_the_differences_either_side():
    for c in crossings(A, "hybrid", "hetzner"):
        before_a, before_b = price("hybrid", c.agents - 1, A).tco, price("hetzner", c.agents - 1, A).tco
        after_a, after_b = price("hybrid", c.agents, A).tco, price("hetzner", c.agents, A).tco
        assert c.gap_before == pytest.approx(abs(before_a - before_b), rel=1e-12)
        assert c.gap_after == pytest.approx(abs(after_a - after_b), rel=1e-12)
        cheaper_after = "hybrid" if after_a < after_b else "hetzner"
        assert c.cheaper_after == cheaper_after != c.cheaper_before


def test_gaps_convert_to_eur_and_headcounts_do_not_move():
    usd, eur = crossings(A, "self_hosted", "aws"), crossings(A, "self_hosted", "aws", currency="EUR")
    assert [c.agents for c in eur] == [c.agents for c in usd]
    # EUR = USD / 1.068 USD per EUR
    assert [c.gap_after for c in eur] == pytest.approx([c.gap_after / 1.068 for c in usd], rel=1e-12)
    assert {c.currency for c in eur} == {"EUR"}


def test_table_has_a_row_per_crossing_and_one_for_a_pair_that_never_crosses():
    df = breakeven_table(A, [("self_hosted", "cloudflare"), ("hybrid_optimized", "hybrid")], agents_max=2_000)
    crossing_rows = df[df.scenario_b == "cloudflare"]
    assert list(crossing_rows.agents) == [c.agents for c in crossings(A, "self_hosted", "cloudflare", "tco", 2_000)]
    never = df[df.scenario_b == "hybrid"]
    assert len(never) == 1 and never.agents.isna().all()
    # the optimized hybrid drops the app server, Cloudflare Business and off-site backups: cheaper at every headcount
    grid = evaluate(A, np.arange(1, 2_001, dtype=float), ["hybrid_optimized", "hybrid"])
    assert (grid["hybrid_optimized"].tco < grid["hybrid"].tco).all()
    assert never.cheaper_before.iat[0] == never.cheaper_after.iat[0] == "hybrid_optimized"


def test_default_table_compares_every_pair():
    df = breakeven_table(A, agents_max=200)
    n = len(A.stacks)
    assert len(df.groupby(["scenario_a", "scenario_b"])) == n * (n - 1) // 2


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"scenario_a": "nope", "scenario_b": "aws"}, "scenario_a"),
    ({"scenario_a": "aws", "scenario_b": "aws", "agents_max": 1}, "agents_max"),
    ({"scenario_a": "aws", "scenario_b": "hybrid", "metric": "profit"}, "metric"),
    ({"scenario_a": "aws", "scenario_b": "hybrid", "currency": "GBP"}, "currency"),
])
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(InputError) as err:
        crossings(A, **kwargs)
    assert err.value.field == field


def test_cli_lists_crossings_as_json_and_rejects_unknown_scenarios():
    runner = CliRunner()
    out = runner.invoke(app, ["breakeven", "hybrid", "hetzner", "--agents-max", "500", "-f", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)[0]["rows"]
    assert [r["agents"] for r in rows] == [c.agents for c in crossings(A, "hybrid", "hetzner", "tco", 500)]
    bad = runner.invoke(app, ["breakeven", "hybrid", "atlantis"])
    assert bad.exit_code == 1
    assert "SCENARIOS" in bad.output and "atlantis" in bad.output and "Traceback" not in bad.output
