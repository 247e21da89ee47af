"""Engine values at the report's inputs, derived by hand from the assumptions in the comments."""

from __future__ import annotations

import numpy as np
import pytest

import tco_xl
from tco_xl.assumptions import default_assumptions
from tco_xl.engine import evaluate, price
from tco_xl.engine.capacity import mac_studios
from tco_xl.engine.twilio import minutes_per_month

A = default_assumptions()
REPORT_SCOPE_EXCLUDED = {"llm", "services", "support", "setup"}  # the report's cloud totals = infra + Twilio


def monthly(result, include=None, exclude=()):
    return sum(c.monthly for c in result.components
               if (include is None or c.category in include) and c.category not in exclude)


def test_twilio_at_47_agents_matches_the_report_to_the_cent():
    # 47 agents × 40 calls × 8 min × 22 days = 330,880 min, 50/50 → 165,440 in + 165,440 out
    # 165,440 × $0.013 = 2,150.72; 165,440 × $0.014 = 2,316.16; 47 numbers × $1 = 47;
    # 5,000 SMS × $0.0079 = 39.50; 100 GB × $0.25 = 25  →  $4,578.38/month
    assert minutes_per_month(A, 47) == 330_880
    r = price("aws", 47)
    assert monthly(r, include={"telephony"}) == pytest.approx(4578.38, abs=1e-9)


@pytest.mark.parametrize("provider, expected", [
    # EC2 3 × 730 h × $0.357 × (1 − 0.3348938) = 520.00; RDS 730 × 0.488 = 356.24; 500 GB × 0.115 = 57.50;
    # S3 1,000 × 0.023 = 23 + 5 requests; CloudFront 500 × 0.085 = 42.50; egress 1,000 × 0.09 = 90
    ("aws", 1094.24),
    # 3 × 730 × 0.388 × (1 − 0.2938851) = 600.00; 730 × 0.416 = 303.68; 500 × (0.17 + 0.08) = 125;
    # 1,000 × 0.02 + 5 = 25; 500 × 0.085 = 42.50; 1,000 × 0.08 = 80
    ("gcp", 1176.18),
    # 3 × 730 × 0.384 × (1 − 0.2984209) = 590.00; 305 + 500 × 0.115 = 362.50; 1,000 × 0.018 + 10 = 28;
    # 500 × 0.08 = 40; 1,000 × 0.087 = 87
    ("azure", 1107.50),
    # 3 × 185 + 240 + 1,000 × 0.10 + Argo (5 + 500 × 0.10) = 555 + 240 + 100 + 55
    ("vultr", 950.00),
    # 3 × 224 + 360 + 5 + (1,000 − 250) × 0.02 + 55 = 672 + 360 + 20 + 55
    ("digitalocean", 1107.00),
    # Workers 5 + (50 − 10) × 0.50 = 25; R2 1,000 × 0.015 = 15; D1 100 × 0.75 = 75; DO 10 × 0.15 = 1.50
    ("cloudflare", 116.50),
    # 3 × 730 × 0.42 = 919.80; 730 × 0.21 = 153.30; 500 × 0.15 = 75; 1,000 × 0.15 = 150
    ("flyio", 1298.10),
    # EUR at 1.068: 3 × 221 × 1.068 = 708.084; 165 × 1.068 = 176.22; 3.81 × 1.068 = 4.06908; Argo 55
    ("hetzner", 943.37308),
    # 3 × 250 × 1.068 = 801; 200 × 1.068 = 213.60; 1,000 × 0.01 = 10; Argo 55
    ("ovh", 1079.60),
])
def test_cloud_infrastructure_subtotals_at_47_agents(provider, expected):
    r = price(provider, 47)
    assert monthly(r, exclude=REPORT_SCOPE_EXCLUDED | {"telephony"}) == pytest.approx(expected, abs=0.005)


def test_cloud_scenario_adds_llm_api_email_and_backups_to_the_reports_scope():
    r = price("aws", 47)
    # GPT-4o: 47 × 100 requests × 2,000 tokens × 22 days = 206.8M tokens/month;
    # 70% × 206,800K × $0.0025/1K = 361.90; 30% × 206,800K × $0.01/1K = 620.40  → 982.30
    assert monthly(r, include={"llm"}) == pytest.approx(982.30)
    # SES 10 × $0.10 = 1; Backblaze (1,000 + 50) GB × $0.005 = 5.25
    assert monthly(r, include={"services"}) == pytest.approx(6.25)
    # 1,094.24 + 4,578.38 + 982.30 + 6.25 = 6,661.17/month, no one-time costs
    assert r.monthly == pytest.approx(6661.17)
    assert r.year1 == pytest.approx(12 * 6661.17) == pytest.approx(r.annual)
    assert r.tco == pytest.approx(5 * 12 * 6661.17)


def test_self_hosted_at_47_agents():
    r = price("self_hosted", 47)
    # internet 2 sites × $60 = 120; power 2 × 0.18 kW × 16 h × 30 d = 172.8 kWh × $0.26 = 44.928,
    # cooling 20% = 8.9856; Cloudflare Business 200 + Argo 5 + 500 GB × 0.10 = 255; Twilio 4,578.38;
    # SES 1; Backblaze 5.25; support 20 h × $75 = 1,500  →  6,513.5436/month
    assert r.monthly == pytest.approx(6513.5436)
    # one-time: 2 × $11,999 + setup $800 = 24,798
    assert r.one_time == pytest.approx(24_798)
    assert r.year1 == pytest.approx(12 * 6513.5436 + 24_798)  # 102,960.52
    assert r.tco == pytest.approx(12 * 6513.5436 * 5 + 24_798)  # 415,610.62


def test_hybrid_base_and_optimized_at_47_agents():
    base, opt = price("hybrid", 47), price("hybrid_optimized", 47)
    # base: Macs (120 + 53.9136) + Hetzner 1 × AX162-S 236.028 + AX102 176.22 + Storage Box 4.06908
    # + Cloudflare 255 + Twilio 4,578.38 + SES 1 + Backblaze 5.25 + 15 h × 75 = 1,125
    assert base.monthly == pytest.approx(120 + 53.9136 + 236.028 + 176.22 + 4.06908 + 255 + 4578.38 + 1 + 5.25 + 1125)
    assert base.one_time == pytest.approx(2 * 11_999 + 500)
    # optimized (the report's key changes): DB server only 176.22; Cloudflare Free 0 + LB 50 + Argo 55;
    # backups self-hosted 0; 10 h × 75 = 750
    assert opt.monthly == pytest.approx(120 + 53.9136 + 176.22 + 105 + 4578.38 + 1 + 0 + 750)
    assert opt.year1 == pytest.approx(93_912.16, abs=0.005)


@pytest.mark.parametrize("agents, units", [(1, 2), (25, 2), (47, 2), (50, 2), (51, 3), (100, 4), (500, 20)])
def test_mac_studios_needed(agents, units):
    # max(minimum 2, ceil(agents / 25 agents per unit), ceil(LLM tokens/s / 150)) — the report's 2/4/20
    assert mac_studios(A, agents) == units


def test_llm_throughput_rule_adds_units_when_it_binds():
    # 1,000 tokens/request → at 47 agents: 47 × 100 × 1,000... make throughput bind: 10,000 tokens/request
    # tokens/s = 47 × 100 × 10,000 × 22 / (22 × 16 × 3,600) = 815.97 → ceil(815.97 / 150) = 6 units
    heavy = A.model_copy(update={"llm": A.llm.model_copy(update={"tokens_per_request": 10_000})})
    assert mac_studios(heavy, 47) == 6


def test_support_hours_grow_with_headcount():
    r = price("self_hosted", 500)
    item = next(c for c in r.components if c.category == "support")
    # the report's self-hosted support at 500 agents: $48,000/year = 48,000 / 12 / $75 = 53.33 h/month
    assert item.quantity == pytest.approx(48_000 / 12 / 75)
    # the optimized hybrid states 10 h at 47 only: 10 h × (500 / 47)^0.4 = 10 × 2.57347 = 25.73 h
    optimized = next(c for c in price("hybrid_optimized", 500).components if c.category == "support")
    assert optimized.quantity == pytest.approx(10 * (500 / 47) ** 0.4)


def test_vectorized_grid_equals_per_call_prices():
    agents = np.array([1, 47, 99, 100, 101, 500, 1234])
    grid = evaluate(A, agents)
    for key, result in grid.items():
        for i, n in enumerate(agents):
            single = price(key, int(n))
            assert result.at(i).tco == pytest.approx(single.tco, rel=1e-12)
            assert np.asarray(result.year1)[i] == pytest.approx(single.year1, rel=1e-12)


def test_breakdown_lines_explain_themselves():
    df = price("aws", 47).breakdown()
    ec2 = df[df["item"].str.startswith("EC2")].iloc[0]
    assert ec2["derivation"] == "3 server × 730 h × $0.357/h × (1 − 33.4894% discount) = $520.00/month"
    assert "providers[0].unit_price" in ec2["assumptions"]
    twilio = df[df["item"] == "Twilio inbound calls"].iloc[0]
    assert twilio["derivation"].startswith("47 agents × 40 calls/day × 8 min × 22 days × 50% inbound = 165,440 min")


def test_editing_one_rate_moves_the_total_by_the_hand_derived_amount():
    edited = A.model_copy(update={"telephony": A.telephony.model_copy(update={"outbound_usd_per_min": 0.015})})
    # 165,440 outbound min × $0.001 more = $165.44/month
    assert price("hetzner", 47, edited).monthly - price("hetzner", 47).monthly == pytest.approx(165.44)


def test_public_api_doctest_value():
    assert round(tco_xl.price("hybrid", 47).year1, 2) == 103_156.33  # see test_hybrid_base_and_optimized


def test_any_scenario_can_be_priced_with_api_inference():
    api = A.with_llm("gpt-4o")
    self_hosted, with_api = price("hybrid", 47), price("hybrid", 47, api)
    # GPT-4o at 206.8M tokens/month: 361.90 + 620.40 = 982.30/month more; same 2 Mac Studios
    assert with_api.monthly - self_hosted.monthly == pytest.approx(982.30)
    assert with_api.one_time == self_hosted.one_time


def test_llm_throughput_rule_applies_only_when_the_macs_run_the_llm():
    heavy = A.model_copy(update={"llm": A.llm.model_copy(update={"tokens_per_request": 10_000})})
    assert mac_studios(heavy, 47, self_hosted_llm=False) == 2  # max(2, ceil(47 / 25))
    hw = [c for c in price("self_hosted", 47, heavy.with_llm("gpt-4o")).components if c.category == "hardware"]
    assert hw[0].quantity == 2


@pytest.mark.parametrize("field, choice, delta", [
    ("email", "email_sendgrid_essentials", 19.95 - 1.00),      # SendGrid Essentials $19.95 instead of SES $1
    ("monitoring", "monitoring_datadog", 4 * (15 + 31)),       # 3 app + 1 database hosts × ($15 + $31)
    ("monitoring", "monitoring_new_relic", 2 * 99),            # 2 users × $99
    ("security", "security_pentest", 3000 / 12),               # $3,000 a year
    ("security", "security_aws_waf", 50),                      # ~$50/month
])
def test_ancillary_options_are_selectable(field, choice, delta):
    chosen = A.model_copy(update={"services": A.services.model_copy(update={field: choice})})
    assert price("aws", 47, chosen).monthly - price("aws", 47).monthly == pytest.approx(delta)


def test_glacier_instead_of_backblaze():
    stacks = [s.model_copy(update={"backups": "backups_glacier"}) if s.key == "aws" else s for s in A.stacks]
    chosen = A.model_copy(update={"stacks": stacks})
    # (1,000 + 50) GB × ($0.00099 − $0.005) = −$4.2105
    assert price("aws", 47, chosen).monthly - price("aws", 47).monthly == pytest.approx(1050 * (0.00099 - 0.005))
