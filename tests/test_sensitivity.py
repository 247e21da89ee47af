"""Sensitivity: tornado bars against the engine re-run with one validated assumption moved; cheapest flips."""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from tco_xl.analysis import cheapest_flips, factors, tornado
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.cli import app
from tco_xl.engine import evaluate
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


def test_flips_are_the_single_moves_that_change_the_cheapest(two_clouds):
    a = two_clouds({"unit_price": 950}, {"unit_price": 10, "driver": "agents"})
    # At 90 agents: A = $950/month, B = 90 × $10 = $900: B is cheapest. A price without a range moves by the
    # vendor-price band, ±10%: A at $855 is cheaper than B by 60 months × $45 = $2,700; B at $11 × 90 = $990 loses
    # to A by 60 × $40 = $2,400. A at $1,045 and B at $9 keep B cheapest; nothing else prices anything.
    df = cheapest_flips(a, 90)
    assert df.attrs["cheapest"] == "b"
    assert list(zip(df.assumption, df.moved_to, df.value, df.cheapest_after, strict=True)) == [
        ("providers[0].unit_price", "low", 855, "a"), ("providers[1].unit_price", "high", 11, "a")]
    assert list(df.margin) == pytest.approx([2_700, 2_400])
    assert list(df.tco_after) == pytest.approx([60 * 855, 60 * 950])


def test_a_tornado_lists_only_what_moves_the_scenario(two_clouds):
    a = two_clouds({"unit_price": 950}, {"unit_price": 10, "driver": "agents"})
    df = tornado(a, "b", 90)
    # Only B's price moves B: ±10% of $10 × 90 agents × 60 months = ∓$5,400 around 60 × $900 = $54,000
    assert list(df.assumption) == ["providers[1].unit_price"]
    assert (df.tco_low[0], df.tco_high[0], df.swing[0]) == pytest.approx((48_600, 59_400, 10_800))
    assert df.attrs["base_tco"] == pytest.approx(54_000)


def test_a_range_on_one_side_moves_one_side_only():
    # failover_ratio: 0 with the workbook's high 0.25 (low = the value). Hybrid at 47 agents runs 2 units; at 0.25
    # it adds ceil(2 × 0.25) = 1 spare: $11,999 once, plus a third site ($60), 0.18 kW × 16 h × 30 days × $0.26
    # = $22.464 power and 20% cooling ($4.4928) a month: 11,999 + 60 months × 86.9568 = $17,216.408 more
    row = tornado(A, "hybrid", 47).set_index("assumption").loc["capacity.failover_ratio"]
    assert (row.low, row.high, row.range) == (0, 0.25, "workbook")
    assert (row.delta_low, row.delta_high) == pytest.approx((0, 11_999 + 60 * (60 + 22.464 + 4.4928)))


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


def test_flips_from_the_reference_headcount_a_price_and_a_quantity(two_clouds):
    a = two_clouds({"unit_price": 950}, {"unit_price": 9, "driver": "scaled", "quantity": 100})
    # At 47 agents (the reference): A = $950, B = 100 units × $9 = $900/month: B is cheapest. Moves that flip it,
    # × 60 months: the reference headcount down to floor(0.8 × 47) = 37 (±20%, whole) makes B 900 × 47 / 37 =
    # $1,143.24; B's estimated quantity up 25% (usage.scaled_quantity_range) makes B $1,125; A's price down 10%
    # (the vendor-price band) makes A $855; B's price up 10% makes B $990
    df = cheapest_flips(a, 47)
    assert (df.attrs["cheapest"], df.attrs["base_tco"]) == ("b", pytest.approx(60 * 900))
    assert list(zip(df.assumption, df.moved_to, strict=True)) == [
        ("usage.reference_agents", "low"), ("providers[1].quantity", "high"), ("providers[0].unit_price", "low"),
        ("providers[1].unit_price", "high")]
    assert list(df["value"]) == pytest.approx([37, 125, 855, 9.9])
    assert list(df.margin) == pytest.approx([60 * (900 * 47 / 37 - 950), 60 * (1_125 - 950), 60 * (900 - 855),
                                             60 * (990 - 950)])
    assert set(df.cheapest_after) == {"a"} and list(df.index) == [0, 1, 2, 3]
    eur = cheapest_flips(a, 47, currency="EUR")  # 1.068 USD per EUR
    assert list(eur.margin) == pytest.approx(list(df.margin / 1.068))
    assert list(eur.tco_after) == pytest.approx(list(df.tco_after / 1.068))


def test_factors_of_a_price_line(two_clouds):
    a = two_clouds({"unit_price": 1_000}, {"unit_price": 9, "driver": "scaled", "quantity": 100, "unit": "GB",
                                           "price_low": 8, "price_high": 12})
    by_key = {f.key: f for f in factors(a)}
    price, quantity = by_key["providers[1].unit_price"], by_key["providers[1].quantity"]
    # the price moves over the line's own range; the estimated quantity (driver 'scaled') ± 25%
    # (usage.scaled_quantity_range), a price without a range by the vendor-price band (±10%)
    assert (price.low, price.high, price.ranged, price.label, price.unit) == (
        8, 12, True, "pb · B's line: unit price", "USD/GB/month")
    assert (quantity.low, quantity.high, quantity.label, quantity.unit) == (
        pytest.approx(75), pytest.approx(125), "pb · B's line: quantity at reference", "GB")
    assert (by_key["providers[0].unit_price"].low, by_key["providers[0].unit_price"].high) == pytest.approx((900, 1_100))
    assert "providers[0].quantity" not in by_key  # a fixed line's quantity is a count, not an estimate
