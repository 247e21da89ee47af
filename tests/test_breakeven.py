"""Break-even: the grid solver against a brute-force scan, crossings' fields, the table and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from tco_xl.analysis import Crossing, breakeven_table, cheaper_throughout, crossings
from tco_xl.assumptions import default_assumptions
from tco_xl.cli import app
from tco_xl.engine import evaluate, price
from tco_xl.errors import InputError

A = default_assumptions()
def test_at_least_one_pair_crosses_several_times_on_the_step_wise_curves():
    # Each Mac Studio (every 25 agents) adds $11,999 at once: near the break-even the cheaper one flips back and forth.
    assert len(crossings(A, "self_hosted", "cloudflare")) >= 3


def test_a_fixed_price_and_a_price_per_agent_cross_once_after_their_tie(two_clouds):
    a = two_clouds({"unit_price": 1_000}, {"unit_price": 10, "driver": "agents"})
    # 5-year TCO = 60 months × monthly: A = 60 × $1,000; B = 60 × $10 × agents. B is cheaper below 100 agents,
    # they tie at 100 (a tie changes nothing), A is cheaper from 101: at 101 by 60 × (1,010 − 1,000) = $600
    assert crossings(a, "a", "b", "tco", 300) == [Crossing(101, "b", "a", gap_before=0.0, gap_after=600.0)]
    assert crossings(a, "b", "a", "tco", 99) == []
    assert cheaper_throughout(a, "a", "b", "tco", 99) == "b"


def test_step_wise_costs_cross_back_and_forth(two_clouds):
    # A: $250 per server of 25 agents = 250 × ceil(n / 25); B: $10.50 per agent. Within the k-th block of 25
    # agents A is cheaper once 10.5 n > 250 k (n > 23.8 k); at the next block's first agent A adds a server.
    a = two_clouds({"unit_price": 250, "driver": "app_servers"}, {"unit_price": 10.5, "driver": "agents"},
                   stack_a={"agents_per_app_server": 25})
    expected = [  # gaps × 60 months: |A − B| one agent before and at the crossing
        (24, "b", "a", 60 * (250 - 241.5), 60 * (252 - 250)),      # 23: B 241.50 < 250; 24: B 252 > 250
        (26, "a", "b", 60 * (262.5 - 250), 60 * (500 - 273)),      # 25: A 250 < 262.50; 26: A 500 > 273
        (48, "b", "a", 60 * (500 - 493.5), 60 * (504 - 500)),      # 47: 493.50 < 500; 48: 504 > 500
        (51, "a", "b", 60 * (525 - 500), 60 * (750 - 535.5)),      # 50: 500 < 525; 51: A 750 > 535.50
        (72, "b", "a", 60 * (750 - 745.5), 60 * (756 - 750)),      # 71: 745.50 < 750; 72: 756 > 750
    ]
    found = [(c.agents, c.cheaper_before, c.cheaper_after, c.gap_before, c.gap_after)
             for c in crossings(a, "a", "b", "tco", 75)]
    assert [f[:3] for f in found] == [e[:3] for e in expected]
    assert [g for f in found for g in f[3:]] == pytest.approx([g for e in expected for g in e[3:]])


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
    assert [c.gap_before for c in eur] == pytest.approx([c.gap_before / 1.068 for c in usd], rel=1e-12)
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


def test_half_a_cent_is_a_tie_and_more_is_not(two_clouds):
    # 5-year TCO = 60 × monthly: a gap of $0.003 is a tie; $0.007 decides; the first difference decides throughout
    tie = two_clouds({"unit_price": 1_000}, {"unit_price": 1_000 + 0.003 / 60})
    assert cheaper_throughout(tie, "a", "b", "tco", 50) == "tie" and crossings(tie, "a", "b", "tco", 50) == []
    decided = two_clouds({"unit_price": 1_000}, {"unit_price": 1_000 + 0.007 / 60})
    assert cheaper_throughout(decided, "a", "b", "tco", 50) == "a"
    dearer = two_clouds({"unit_price": 1_000 + 0.5 / 60}, {"unit_price": 1_000})  # A dearer by 50 cents
    assert cheaper_throughout(dearer, "a", "b", "tco", 50) == "b"
    same = two_clouds({"unit_price": 1_000}, {"unit_price": 1_000})
    assert cheaper_throughout(same, "a", "b", "tco", 50) == "tie"


def test_a_tie_between_stretches_of_the_same_winner_is_no_crossing(two_clouds):
    # A: $10 per agent; B: $250 per 25 agents = 250 × ceil(n / 25): A is cheaper except at 25, 50, ... where they tie
    a = two_clouds({"unit_price": 10, "driver": "agents"}, {"unit_price": 250, "driver": "app_servers"},
                   stack_b={"agents_per_app_server": 25})
    assert crossings(a, "a", "b", "tco", 60) == [] and cheaper_throughout(a, "a", "b", "tco", 60) == "a"


def test_two_headcounts_are_enough_to_compare(two_clouds):
    # A: $150/month; B: $100 per agent: B is cheaper at 1 agent (by $50), A at 2 (by $50): × 60 months
    a = two_clouds({"unit_price": 150}, {"unit_price": 100, "driver": "agents"})
    assert crossings(a, "a", "b", "tco", 2) == [Crossing(2, "b", "a", gap_before=3_000.0, gap_after=3_000.0)]
    assert cheaper_throughout(a, "a", "b", "tco", 2) == "b"  # the first headcount that is not a tie
