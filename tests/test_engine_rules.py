"""Each engine rule at non-default assumptions and headcounts outside 47–500, expected values derived by hand.

The defaults hide mistakes (a 50/50 call split hides swapped shares, a failover ratio of 0 hides unrounded
spares, 730 h/month everywhere hides an ignored setting), so every test here moves the assumptions its rule
reads. Black-box: assumptions are built and validated like any user's, results come from ``tco_xl.price``
and ``tco_xl.evaluate``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tco_xl
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.engine.inputs import MAX_AGENTS
from tco_xl.errors import InputError

A = default_assumptions()


def edited(changes: dict[str, object] | None = None, **tables: list) -> Assumptions:
    """The defaults with scalars ({'usage.inbound_share': 0.7}) and whole tables replaced, validated."""
    data = A.model_dump()
    data["ranges"] = {}
    for key, value in (changes or {}).items():
        group, field = key.split(".")
        data[group][field] = value
    data.update({name: [row.model_dump() if hasattr(row, "model_dump") else row for row in rows]
                 for name, rows in tables.items()})
    return Assumptions.model_validate(data)


def item(result, name: str):
    """The line item called ``name`` (exactly one)."""
    found = [c for c in result.components if c.name == name]
    assert len(found) == 1, [c.name for c in result.components]
    return found[0]


def test_calls_split_by_the_inbound_share_at_their_own_rates():
    a = edited({"usage.inbound_share": 0.7, "telephony.inbound_usd_per_min": 0.02,
                "telephony.outbound_usd_per_min": 0.01})
    r = tco_xl.price("aws", 10, a)
    # 10 agents × 40 calls × 8 min × 22 days = 70,400 min; 70% in = 49,280 min × $0.02 = $985.60;
    # 30% out = 21,120 min × $0.01 = $211.20
    inbound, outbound = item(r, "Twilio inbound calls"), item(r, "Twilio outbound calls")
    assert (inbound.quantity, inbound.monthly) == pytest.approx((49_280, 985.60))
    assert (outbound.quantity, outbound.monthly) == pytest.approx((21_120, 211.20))


def test_the_minutes_discount_lowers_both_call_rates():
    a = edited({"usage.inbound_share": 0.7, "telephony.inbound_usd_per_min": 0.02,
                "telephony.outbound_usd_per_min": 0.01, "telephony.minutes_discount": 0.25})
    r = tco_xl.price("aws", 10, a)
    # the minutes above, each rate less 25%: 49,280 × $0.02 × 0.75 = $739.20; 21,120 × $0.01 × 0.75 = $158.40
    inbound, outbound = item(r, "Twilio inbound calls"), item(r, "Twilio outbound calls")
    assert (inbound.monthly, outbound.monthly) == pytest.approx((739.20, 158.40))
    # each line derives its minutes from the cells (the outbound share is 1 − 70%)
    assert outbound.derivation() == ("10 agents × 40 calls/day × 8 min × 22 days × 30% outbound = 21,120 min × "
                                     "$0.01/min × (1 − 25.00% discount) = $158.40/month")
    assert inbound.derivation().startswith("10 agents × 40 calls/day × 8 min × 22 days × 70% inbound = 49,280 min")


def test_included_units_above_the_usage_bill_nothing():
    # DigitalOcean Spaces: 1,000 GB of recordings at 47 agents; 1 agent: 1,000 / 47 = 21.28 GB, under the 250 GB
    # the subscription includes: max(21.28 − 250, 0) = 0 GB billed (not a negative charge, not a minimum of 1)
    spaces = item(tco_xl.price("digitalocean", 1), "Spaces storage above 250 GB")
    assert (spaces.quantity, spaces.monthly) == (0, 0)
    # 94 agents: 1,000 × 94 / 47 = 2,000 GB − 250 = 1,750 GB × $0.02 = $35.00
    spaces = item(tco_xl.price("digitalocean", 94), "Spaces storage above 250 GB")
    assert (spaces.quantity, spaces.monthly) == pytest.approx((1_750, 35.00))


def test_failover_spares_are_rounded_up_per_active_unit():
    a = edited({"capacity.failover_ratio": 0.1})
    # 47 agents: active = max(2 minimum, ceil(47 / 25) = 2, ceil(163.2 tokens/s / 150) = 2) = 2,
    # where tokens/s = 47 × 100 × 2,000 × 22 / (22 days × 16 h × 3,600 s) = 163.19; spares ceil(2 × 0.1) = 1
    assert item(tco_xl.price("self_hosted", 47, a), "Mac Studio M3 Ultra 512GB/8TB").quantity == 3
    # 1,200 agents: active = max(2, ceil(1,200 / 25) = 48, ceil(4,166.7 / 150) = 28) = 48; spares ceil(4.8) = 5
    hardware = item(tco_xl.price("self_hosted", 1_200, a), "Mac Studio M3 Ultra 512GB/8TB")
    assert (hardware.quantity, hardware.one_time) == (53, 53 * 11_999)


def test_llm_throughput_sets_the_units_when_it_needs_more_than_the_agents():
    a = edited({"llm.tokens_per_request": 4_000})
    # 2,000 agents × 100 requests × 4,000 tokens = 800M tokens a day over 16 h × 3,600 s = 13,888.9 tokens/s;
    # / 150 per unit = 92.6 -> 93 units, more than ceil(2,000 / 25) = 80
    assert item(tco_xl.price("hybrid", 2_000, a), "Mac Studio M3 Ultra 512GB/8TB").quantity == 93
    # an API model instead: the agents rule alone, 80 units
    assert item(tco_xl.price("hybrid", 2_000, a.with_llm("gpt-4o")), "Mac Studio M3 Ultra 512GB/8TB").quantity == 80


def test_sites_have_a_minimum_and_hold_several_units():
    a = edited({"capacity.min_sites": 3, "capacity.mac_studios_per_site": 4})
    # 1 agent: 2 units (the minimum) need ceil(2 / 4) = 1 site, but at least 3: 3 × $60 = $180/month
    assert item(tco_xl.price("self_hosted", 1, a), "Fiber 2.5 Gbps per site").monthly == pytest.approx(180)
    # 1,200 agents: 48 units / 4 per site = 12 sites × $60 = $720/month
    assert item(tco_xl.price("self_hosted", 1_200, a), "Fiber 2.5 Gbps per site").monthly == pytest.approx(720)


def test_database_servers_are_rounded_up_above_one_server_of_agents():
    # Hetzner AX102 at €165 × 1.068 USD/EUR = $176.22 per server
    for agents, servers in ((501, 2), (1_200, 3), (2_000, 4)):  # ceil(agents / 500)
        db = item(tco_xl.price("hetzner", agents), "AX102 (self-managed PostgreSQL)")
        assert (db.quantity, db.monthly) == pytest.approx((servers, servers * 165 * 1.068))
    a = edited({"capacity.min_db_servers": 2, "capacity.agents_per_db_server": 300})
    assert item(tco_xl.price("hetzner", 1, a), "AX102 (self-managed PostgreSQL)").quantity == 2  # the minimum
    assert item(tco_xl.price("hetzner", 1_000, a), "AX102 (self-managed PostgreSQL)").quantity == 4  # ceil(3.33)


def test_hourly_lines_bill_the_hours_per_month_setting():
    a = edited({"finance.hours_per_month": 720})
    r = tco_xl.price("aws", 1_000, a)
    # 1,000 agents: max(3, ceil(1,000 / 25)) = 40 servers × 720 h × $0.357 × (1 − 0.3348938 reserved discount)
    assert item(r, "EC2 c7i.2xlarge (1-yr reserved)").monthly == pytest.approx(40 * 720 * 0.357 * (1 - 0.3348938))
    # ceil(1,000 / 500) = 2 database servers × 720 h × $0.488
    assert item(r, "RDS PostgreSQL db.m6i.xlarge Multi-AZ").monthly == pytest.approx(2 * 720 * 0.488)


def test_included_units_never_make_a_charge_negative():
    # DigitalOcean Spaces includes 250 GB; recordings are 1,000 GB at 47 agents, scaled with agents
    assert item(tco_xl.price("digitalocean", 1), "Spaces storage above 250 GB").monthly == 0  # 21.3 GB < 250
    # 20 agents: 1,000 × 20 / 47 = 425.53 GB; (425.53 − 250) × $0.02 = $3.51
    assert item(tco_xl.price("digitalocean", 20), "Spaces storage above 250 GB").monthly == pytest.approx(
        (1_000 * 20 / 47 - 250) * 0.02)
    # Cloudflare Workers: 50M requests at 47 agents, 10M included: 3 agents use 50 × 3 / 47 = 3.19M -> $0
    assert item(tco_xl.price("cloudflare", 3), "Workers requests above 10M").monthly == 0


def test_whole_units_eur_prices_and_the_exchange_rate():
    a = edited({"finance.eur_usd": 1.10})
    # 5,000 agents: 1,000 GB × 5,000 / 47 = 106,383 GB of recordings; one 1 TB box per 1,000 GB: ceil(106.38) = 107
    # boxes × €3.81 × 1.10 USD/EUR = $448.437
    box = item(tco_xl.price("hybrid", 5_000, a), "Storage Box 1 TB")
    assert (box.quantity, box.monthly) == pytest.approx((107, 107 * 3.81 * 1.10))


def test_yearly_lines_are_spread_over_twelve_months():
    lines = [line.model_copy(update={"unit_price": 4_800}) if line.group == "security_pentest" else line
             for line in A.options]
    a = edited({"services.security": "security_pentest"}, options=lines)
    with_test = tco_xl.price("ovh", 2_000, a)
    assert item(with_test, "Penetration test (annual, outsourced)").monthly == pytest.approx(400)  # $4,800 / 12


def test_api_tokens_split_by_the_input_share_at_a_small_headcount():
    a = edited({"llm.input_share": 0.6}).with_llm("gpt-4-turbo")
    r = tco_xl.price("vultr", 3, a)
    # 3 agents × 100 requests × 2,000 tokens × 22 days = 13.2M tokens: 60% = 7,920K input × $0.01/1K = $79.20;
    # 40% = 5,280K output × $0.03/1K = $158.40
    assert item(r, "OpenAI GPT-4 Turbo input tokens").monthly == pytest.approx(79.20)
    assert item(r, "OpenAI GPT-4 Turbo output tokens").monthly == pytest.approx(158.40)


def test_power_and_cooling_follow_the_hardware_assumptions():
    a = edited({"hardware.hours_per_day": 24, "hardware.days_per_month": 31, "hardware.watts_average": 200,
                "hardware.electricity_usd_per_kwh": 0.30, "hardware.cooling_overhead": 0.35})
    r = tco_xl.price("self_hosted", 2_000, a)
    # units: max(2, ceil(2,000 / 25) = 80, ceil(2,000 × 100 × 2,000 / 86,400 s / 150) = 31) = 80;
    # 80 × 0.2 kW × 24 h × 31 days = 11,904 kWh × $0.30 = $3,571.20; cooling 35% of it = $1,249.92
    assert item(r, "Power").monthly == pytest.approx(3_571.20)
    assert item(r, "Cooling").monthly == pytest.approx(1_249.92)
    # the kWh are derived in the line's text, from the same cells
    assert item(r, "Power").derivation() == ("(80 units × 200 W ÷ 1,000 W/kW) × 24 h/day × 31 days = 11,904 kWh × "
                                             "$0.30/kWh = $3,571.20/month")


def test_a_derivation_shows_a_one_time_amount_alone_and_a_free_line_as_zero_a_month():
    a = edited({"hardware.mac_studio_usd": 9_500, "llm.requests_per_agent_per_day": 30})
    r = tco_xl.price("self_hosted", 260, a)
    # units: max(2, ceil(260 / 25) = 11, ceil(260 × 30 × 2,000 / 86,400 s / 150) = ceil(1.2) = 2) = 11;
    # bought once: 11 × $9,500 = $104,500, nothing a month (so no "$0.00/month" beside it)
    assert item(r, "Mac Studio M3 Ultra 512GB/8TB").derivation() == "11 units × $9,500 = $104,500.00 one-time"
    # the LLM runs on those Mac Studios: 260 × 30 × 2,000 × 22 days ÷ 1,000 = 343,200K tokens at $0, neither
    # monthly nor one-time: shown as $0.00/month, never as an empty amount
    assert item(r, "Self-hosted LLM (Ollama on the Mac Studios)").derivation().endswith(
        "= 343,200K tokens × $0 (run on the Mac Studios) = $0.00/month")


def test_support_hours_scale_with_the_exponent_and_the_rate():
    a = edited({"support.scale_exponent": 0.5, "support.usd_per_hour": 80})
    support = item(tco_xl.price("hybrid_optimized", 1_200, a), "System administration")
    # the stack states 10 h at 47 agents and no point beyond: 10 × (1,200 / 47)^0.5 = 10 × 5.05291 = 50.53 h × $80
    assert (support.quantity, support.monthly) == pytest.approx((10 * math.sqrt(1_200 / 47), 80 * 10 * math.sqrt(
        1_200 / 47)))


def test_a_whole_scenario_at_3_agents():
    r = tco_xl.price("cloudflare", 3)
    f = 3 / 47  # volumes stated at 47 agents, scaled
    expected = (
        5                                  # Workers Paid plan
        + 0                                # Workers requests: 50M × 3/47 = 3.2M, under the 10M included
        + 1_000 * f * 0.015                # R2: 63.8 GB
        + 100 * f * 0.75                   # D1: 6.4M rows read
        + 10 * f * 0.15                    # Durable Objects: 0.64M requests
        + 10_560 * 0.013 + 10_560 * 0.014  # 3 × 40 × 8 × 22 = 21,120 min, half in, half out
        + 3 * 1.0                          # 3 phone numbers
        + 5_000 * f * 0.0079               # SMS
        + 100 * f * 0.25                   # Twilio recording storage
        + 9_240 * 0.0025 + 3_960 * 0.01    # GPT-4o: 13.2M tokens, 70% input (9,240K), 30% output (3,960K)
        + 10_000 * f / 1_000 * 0.10        # SES emails
        + (1_000 + 50) * f * 0.005         # Backblaze B2 backups
    )
    assert r.monthly == pytest.approx(expected)
    assert r.one_time == 0 and r.year1 == pytest.approx(12 * expected)
    assert r.tco == pytest.approx(60 * expected) and r.per_agent_month == pytest.approx(expected / 3)


def test_the_horizon_sets_the_tco_and_the_per_agent_figure():
    a = edited({"finance.horizon_years": 3})
    r = tco_xl.price("self_hosted", 2_500, a)
    # 3-year TCO = Year 1 + 2 × annual; per agent per month = TCO / (12 × 3 × 2,500)
    assert r.tco == pytest.approx(r.year1 + 2 * r.annual)
    assert r.per_agent_month == pytest.approx(r.tco / (36 * 2_500))
    assert r.year1 == pytest.approx(12 * r.monthly + r.one_time)


# -- boundaries ----------------------------------------------------------------------------------------

def test_one_agent_and_a_million_agents_price_every_scenario():
    for agents in (1, MAX_AGENTS):
        for r in tco_xl.compare([agents]).itertuples():
            assert all(math.isfinite(getattr(r, m)) and getattr(r, m) > 0 for m in ("year1", "tco", "monthly"))
    # 1,000,000 agents: ceil(1e6 / 25) = 40,000 units; the LLM needs 1e6 × 100 × 2,000 / 57,600 s / 150 = 23,149
    assert item(tco_xl.price("self_hosted", MAX_AGENTS), "Mac Studio M3 Ultra 512GB/8TB").quantity == 40_000
    # 1 agent: the minimum of 2 units
    assert item(tco_xl.price("self_hosted", 1), "Mac Studio M3 Ultra 512GB/8TB").quantity == 2


@pytest.mark.parametrize("agents", [0, -1, MAX_AGENTS + 1, 2.5, float("nan"), float("inf"), "many", None, True])
def test_headcounts_outside_1_to_a_million_are_refused(agents):
    with pytest.raises(InputError) as err:
        tco_xl.price("aws", agents)
    assert err.value.field == "agents"
    with pytest.raises(InputError):
        tco_xl.evaluate(A, [1, agents, 3])


def test_a_grid_refuses_zero_agents_anywhere_in_it():
    with pytest.raises(InputError, match="from 1 to 1,000,000, got 0"):
        tco_xl.evaluate(A, np.array([[5, 10], [0, 20]]))


def test_phone_numbers_per_agent_and_their_rent():
    a = edited({"telephony.numbers_per_agent": 2, "telephony.number_usd_per_month": 1.15})
    numbers = item(tco_xl.price("gcp", 30, a), "Twilio phone numbers")
    assert (numbers.quantity, numbers.monthly) == pytest.approx((60, 69))  # 30 agents × 2 numbers × $1.15


def test_setup_is_one_project_paid_once():
    setup = item(tco_xl.price("hybrid_optimized", 800), "Setup (one-time)")
    # the stack's setup, $500, whatever the headcount, nothing monthly
    assert (setup.quantity, setup.unit_price, setup.one_time, setup.monthly) == (1, 500, 500, 0)


def test_speech_to_text_streams_decide_the_mac_studios_at_60_minutes_an_hour():
    a = edited({"usage.transcribed_share": 0.7, "capacity.stt_streams_per_mac": 2}).with_llm("gpt-4o")
    # the LLM through an API, voice AI on the Mac Studios: 130 agents × 40 calls × 8 min × 22 days = 915,200 min
    # × 70% transcribed = 640,640 min ÷ (22 days × 16 h × 60 min/h = 21,120 operating min) = 30.333 streams
    # ÷ 2 per unit = 15.17 → 16 active units (the agents rule: ⌈130 / 25⌉ = 6; minimum 2; no spares);
    # at 61 min/h it would be 640,640 ÷ 21,472 = 29.84 streams ÷ 2 = 14.92 → 15. Bought once at the Hardware
    # sheet's price a unit: 16 × hardware.mac_studio_usd
    hardware = item(tco_xl.price("self_hosted", 130, a), "Mac Studio M3 Ultra 512GB/8TB")
    assert (hardware.quantity, hardware.one_time) == (16, 16 * a.hardware.mac_studio_usd)


@pytest.mark.parametrize(("stack", "hosts"), [
    # no provider: the Mac Studios only, no application or database server priced: max(2, ⌈130 / 25⌉ = 6,
    # ⌈LLM 130 × 100 × 2,000 tokens ÷ 57,600 s = 451.4 tokens/s ÷ 150 = 3.01⌉ = 4) = 6 units
    ("self_hosted", 6),
    # Hetzner's database lines only (its app runs on the Mac Studios): 6 units + ⌈130 / 50⌉ = 3 database servers
    ("hybrid_optimized", 6 + 3),
    # Cloudflare prices no line by servers (Workers, D1): no host at all
    ("cloudflare", 0),
])
def test_monitored_hosts_count_only_the_servers_a_stack_prices(stack, hosts):
    what_ifs = [w for w in A.what_ifs if w.value != "monitoring_datadog"]  # Datadog from 100 agents: chosen already
    a = edited({"services.monitoring": "monitoring_datadog", "capacity.agents_per_db_server": 50}, what_ifs=what_ifs)
    r = tco_xl.price(stack, 130, a)
    # Datadog: $15 infrastructure + $31 APM per host a month
    infra, apm = item(r, "Datadog infrastructure"), item(r, "Datadog APM")
    assert (infra.quantity, infra.monthly, apm.monthly) == pytest.approx((hosts, 15 * hosts, 31 * hosts))
