"""Sensitivity: tornado bars against the engine re-run with one validated assumption moved; cheapest flips."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from tco_xl.analysis import cheapest_flips, factors, tornado
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.cli import app
from tco_xl.engine import compare, evaluate
from tco_xl.errors import InputError

A = default_assumptions()


def moved(a: Assumptions, key: str, value: float) -> Assumptions:
    """A validated copy of ``a`` with one scalar ('group.field') or table cell ('table[i].field') set."""
    data = a.model_dump()
    if match := re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", key):
        table, index, field = match.groups()
        data[table][int(index)][field] = value
    else:
        group, field = key.split(".")
        data[group][field] = value
    return Assumptions.model_validate(data)


def tco(a: Assumptions, scenario: str, agents: int) -> float:
    return float(evaluate(a, [agents], [scenario])[scenario].tco[0])


@pytest.mark.parametrize(("scenario", "agents"), [("hybrid", 47), ("aws", 500)])
def test_every_bar_equals_the_engine_rerun_with_that_assumption_moved(scenario, agents):
    df = tornado(A, scenario, agents)
    base = tco(A, scenario, agents)
    assert df.attrs["base_tco"] == pytest.approx(base, rel=1e-12)
    for row in df.itertuples():
        assert row.tco_low == pytest.approx(tco(moved(A, row.assumption, row.low), scenario, agents), rel=1e-12)
        assert row.tco_high == pytest.approx(tco(moved(A, row.assumption, row.high), scenario, agents), rel=1e-12)
        assert row.delta_low == pytest.approx(row.tco_low - base, abs=1e-6)
        assert row.swing == pytest.approx(abs(row.tco_high - row.tco_low), abs=1e-6)


def test_bars_are_ranked_by_swing_and_leave_out_assumptions_that_change_nothing():
    df = tornado(A, "aws", 47)
    assert list(df.swing) == sorted(df.swing, reverse=True)
    assert ((df.delta_low != 0) | (df.delta_high != 0)).all()
    assert "hardware.mac_studio_usd" not in set(df.assumption)  # AWS runs no Mac Studios


def test_the_workbook_range_is_used_where_given_else_the_band_of_the_inputs_kind_else_twenty_percent():
    df = tornado(A, "self_hosted", 47).set_index("assumption")
    fiber = df.loc["network.internet_usd_per_site_month"]
    assert (fiber.low, fiber.high, fiber.range) == (53, 64, "workbook")
    # 2 sites × ($53 − $60) × 12 months × 5 years = −$840; 2 × ($64 − $60) × 60 = +$480
    assert (fiber.delta_low, fiber.delta_high) == pytest.approx((-840, 480))
    mac = df.loc["hardware.mac_studio_usd"]
    assert mac.range == "±10% vendor list prices"
    # 47 agents → ceil(47 / 25) = 2 Mac Studios; ±10% of $11,999 = ±$1,199.90 each → ±$2,399.80 one-time
    assert (mac.delta_low, mac.delta_high) == pytest.approx((-2_399.80, 2_399.80))
    # a band follows the value: $9,000 Mac Studios range over $8,100..$9,900
    cheaper = tornado(moved(A, "hardware.mac_studio_usd", 9_000), "self_hosted", 47).set_index("assumption")
    assert (cheaper.loc["hardware.mac_studio_usd"].low, cheaper.loc["hardware.mac_studio_usd"].high) == (8_100, 9_900)
    # no range and no band: the minimum of 2 Mac Studios moves ±20% (sensitivity only; Monte Carlo leaves it)
    assert df.loc["capacity.min_mac_studios"].range == "±20%"


def test_moves_stay_inside_the_field_bounds_and_counts_stay_whole():
    by_key = {f.key: f for f in factors(A)}
    assert by_key["hardware.days_per_month"].high == 31  # 30 × 1.2 = 36 exceeds the 31-day bound
    assert by_key["finance.hours_per_month"].high == 744  # 730 × 1.2 = 876 exceeds 744 h
    assert (by_key["capacity.min_mac_studios"].low, by_key["capacity.min_mac_studios"].high) == (1, 3)
    assert "finance.horizon_years" not in by_key


def test_tornado_in_another_currency_scales_every_amount():
    usd, eur = tornado(A, "hybrid", 47), tornado(A, "hybrid", 47, currency="EUR")
    assert list(eur.assumption) == list(usd.assumption)
    np.testing.assert_allclose(eur.swing, usd.swing / 1.068, rtol=1e-9, atol=1e-6)  # 1.068 USD per EUR


def cheapest(a: Assumptions, agents: int) -> str:
    """The scenario with the lowest N-year TCO (the first in stack order on a tie)."""
    results = evaluate(a, [agents])
    return min(results, key=lambda key: float(results[key].tco[0]))


def test_flips_equal_a_brute_force_over_every_single_move():
    agents = 100
    base_winner = cheapest(A, agents)
    assert base_winner == compare([agents], A).iloc[0].scenario
    expected = set()
    for f in factors(A):
        for side in ("low", "high"):
            value = getattr(f, side)
            if value == f.base:
                continue
            winner = cheapest(moved(A, f.key, value), agents)
            if winner != base_winner:
                expected.add((f.key, side, winner))
    df = cheapest_flips(A, agents)
    assert df.attrs["cheapest"] == base_winner
    assert set(zip(df.assumption, df.moved_to, df.cheapest_after)) == expected
    assert (df.margin > 0).all() and list(df.margin) == sorted(df.margin, reverse=True)


def test_flips_exist_where_the_race_is_close():
    # At 100 agents Cloudflare leads the optimized hybrid by under 2% of the TCO: some ±20% move flips it.
    assert len(cheapest_flips(A, 100)) > 0


def test_bad_scenario_is_named():
    with pytest.raises(InputError) as err:
        tornado(A, "mainframe", 47)
    assert err.value.field == "scenario"


def test_cli_prints_the_top_bars_and_the_flips():
    runner = CliRunner()
    out = runner.invoke(app, ["sensitivity", "hybrid", "-a", "47", "--top", "3", "-f", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 4 and lines[0].startswith("assumption,")
    assert lines[1].split(",")[0] == tornado(A, "hybrid", 47).assumption.iat[0]
    flips = runner.invoke(app, ["sensitivity", "--flips", "-a", "100"])
    assert flips.exit_code == 0 and "cheapest" in flips.output
    bad = runner.invoke(app, ["sensitivity", "hybrid", "-a", "0"])
    assert bad.exit_code == 1 and "--agents" in bad.output and "Traceback" not in bad.output
