"""Cash flows and NPV: against a hand-computed schedule, the TCO invariant, and the CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tco_xl.analysis import cash_flows, npv, npv_table
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.cli import app
from tco_xl.engine import price
from tco_xl.errors import InputError

A = default_assumptions()


def with_finance(**fields) -> Assumptions:
    data = A.model_dump()
    data["finance"].update(fields)
    return Assumptions.model_validate(data)


def test_npv_equals_a_hand_computed_cash_flow():
    a = with_finance(discount_rate=0.10, hardware_life_years=3, hardware_salvage_share=0.10,
                     twilio_escalation=0.05, cloud_escalation=0.03, opex_escalation=0.02)
    # Self-hosted, 47 agents (report §Scenario 1):
    hardware = 2 * 11_999                        # ceil(47 / 25) = 2 Mac Studios = $23,998, bought in year 0 and 3
    setup = 800
    # Twilio: 47 agents × 40 calls × 8 min × 22 days = 330,880 min, half in at $0.013 ($2,150.72), half out at
    # $0.014 ($2,316.16); 47 numbers × $1; 5,000 SMS × $0.0079 = $39.50; 100 GB recordings × $0.25 = $25
    twilio = 12 * (2_150.72 + 2_316.16 + 47 + 39.50 + 25)  # $4,578.38/month = $54,940.56/year
    # Cloudflare Business, Argo + 500 GB, SES 10,000 emails, B2 (1,000 + 50) GB = $261.25/month = $3,135/year
    cloud = 12 * (200 + 5 + 500 * 0.10 + 10_000 / 1_000 * 0.10 + 1_050 * 0.005)
    # 2 sites × $60 fiber; 2 units × 180 W × 16 h/day × 30 days × $0.26/kWh + 20% cooling; 20 h support × $75/h
    opex = 12 * (2 * 60 + 2 * 0.180 * 16 * 30 * 0.26 * 1.2 + 20 * 75)  # fiber, power + 20% cooling, support = $20,086.96
    recurring = [twilio * 1.05 ** k + cloud * 1.03 ** k + opex * 1.02 ** k for k in range(5)]
    flows = [hardware + setup,
             recurring[0], recurring[1],
             recurring[2] + hardware - 0.10 * hardware,  # end of life: buy again, sell the old pair at 10%
             recurring[3],
             recurring[4] - hardware * (1 - 0.9 * 2 / 3)]  # residual: 2 of 3 years depreciated → 40% = $9,599.20
    df = cash_flows(a, "self_hosted", 47)
    assert list(df.net) == pytest.approx(flows, rel=1e-12)
    assert npv(a, "self_hosted", 47) == pytest.approx(sum(cf / 1.1 ** y for y, cf in enumerate(flows)), rel=1e-12)
    assert list(df.book_value) == pytest.approx([hardware, hardware * 0.7, hardware * 0.4, hardware,
                                                 hardware * 0.7, hardware * 0.4])
    assert list(df.depreciation[1:]) == pytest.approx([hardware * 0.9 / 3] * 5)


@settings(max_examples=25, deadline=None)
@given(horizon=st.integers(1, 12), agents=st.integers(1, 3_000),
       scenario=st.sampled_from([s.key for s in A.stacks]))
def test_flat_prices_and_a_life_equal_to_the_horizon_add_up_to_the_engine_tco(horizon, agents, scenario):
    a = with_finance(horizon_years=horizon, hardware_life_years=horizon, hardware_salvage_share=0)
    df = cash_flows(a, scenario, agents, rate=0)
    assert df.net.sum() == pytest.approx(price(scenario, agents, a).tco, rel=1e-12)
    assert df.present_value.sum() == pytest.approx(df.net.sum(), rel=1e-12)
    assert len(df) == horizon + 1


def test_escalation_and_discounting_leave_the_engine_tco_alone():
    a = with_finance(twilio_escalation=0.2, cloud_escalation=0.1, opex_escalation=0.05, discount_rate=0.3)
    for key in ("self_hosted", "aws"):
        assert price(key, 100, a).tco == price(key, 100, A).tco


def test_npv_table_ranks_every_scenario_and_converts_currency():
    usd, bgn = npv_table(A, 47), npv_table(A, 47, currency="BGN")
    assert len(usd) == len(A.stacks) and list(usd.npv) == sorted(usd.npv)
    # BGN per USD = 1.95583 BGN/EUR ÷ 1.068 USD/EUR
    assert list(bgn.npv) == pytest.approx(list(usd.npv * 1.95583 / 1.068), rel=1e-12)
    assert list(bgn.tco) == pytest.approx(list(usd.tco * 1.95583 / 1.068), rel=1e-12)
    assert list(usd.index) == list(range(len(usd)))  # ranked rows numbered from 0
    assert (usd.npv < usd.tco).all()  # costs paid later are worth less today at 8%


@pytest.mark.parametrize("rate", [-1, "eight", float("nan")])
def test_bad_rate_is_named(rate):
    with pytest.raises(InputError) as err:
        npv(A, "hybrid", 47, rate)
    assert err.value.field == "rate"


def test_a_rate_of_1_is_100_percent_and_just_above_1_is_refused():
    # 1 is the most the Discount rate cell takes (finance.discount_rate ≤ 1): 100% a year, so year y's cash flow
    # is worth 1 / 2^y today: 1, 0.5, 0.25, ... 1/32 over the 5-year horizon
    df = cash_flows(A, "hybrid", 30, rate=1)
    assert list(df.discount_factor) == [1, 0.5, 0.25, 0.125, 0.0625, 0.03125]
    assert list(cash_flows(A, "hybrid", 30, rate="100%").discount_factor) == list(df.discount_factor)
    # 1.0001 is above the cell's maximum (100.01% as a fraction, or 1.0001% mistyped): refused, saying how to write it
    with pytest.raises(InputError, match=r"1\.0001 would mean 100%: write 1\.0001% or 0\.010001") as err:
        npv(A, "hybrid", 30, 1.0001)
    assert err.value.field == "rate"


def test_cli_year_by_year_and_npv_of_every_scenario():
    runner = CliRunner()
    out = runner.invoke(app, ["cashflow", "hybrid", "-a", "47", "--rate", "0.05", "-f", "json"])
    assert out.exit_code == 0, out.output
    block = json.loads(out.output)[0]
    assert [r["year"] for r in block["rows"]] == list(range(A.finance.horizon_years + 1))
    assert sum(r["present_value"] for r in block["rows"]) == pytest.approx(npv(A, "hybrid", 47, 0.05))
    table = runner.invoke(app, ["cashflow", "-a", "47"])
    assert table.exit_code == 0 and "NPV" in table.output
