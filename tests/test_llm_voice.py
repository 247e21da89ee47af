"""LLM inference three ways (API, Mac Studios, rented GPU servers), voice AI, and support points: hand-derived.

Every expected value is derived in a comment from the inputs: tokens/month = agents × 100 requests × 2,000
tokens × 22 days; the operating time is 22 days × 16 h = 352 h/month = 1,267,200 s = 21,120 min.
"""

from __future__ import annotations

import math

import pytest

from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.engine import capacity, price
from tco_xl.engine.support import support_hours
from tco_xl.io.layout import cell_of
from tco_xl.io.workbook import load_assumptions

A = default_assumptions()


def with_stacks(a: Assumptions, **updates: dict) -> Assumptions:
    """``a`` with Stacks rows updated by key: ``with_stacks(a, aws={"llm": "gpu_aws"})``."""
    stacks = [s.model_copy(update=updates.get(s.key, {})) for s in a.stacks]
    return Assumptions.model_validate({**a.model_dump(), "stacks": [s.model_dump() for s in stacks]})


def with_values(a: Assumptions, **groups: dict) -> Assumptions:
    """``a`` with scalar assumptions updated by group: ``with_values(a, usage={"transcribed_share": 1})``."""
    return Assumptions.model_validate({**a.model_dump(), **{g: {**getattr(a, g).model_dump(), **v}
                                                             for g, v in groups.items()}})


def with_gpu(a: Assumptions, group: str, **fields: float) -> Assumptions:
    """``a`` with the first row of GPU group ``group`` updated."""
    rows = [r.model_dump() for r in a.gpu_servers]
    rows[a.gpu_server(group)].update(fields)
    return Assumptions.model_validate({**a.model_dump(), "gpu_servers": rows})


def lines(result, *categories: str) -> dict[str, float]:
    return {c.name: c.monthly for c in result.components if c.category in categories}


# -- LLM on rented GPU servers ----------------------------------------------------------------------------

def test_a_gpu_server_at_900_tokens_per_second_and_40_agents():
    # 40 agents × 100 requests × 20,000 tokens × 22 days = 1,760,000,000 tokens/month
    # ÷ 1,267,200 s = 1,388.9 tokens/s; ÷ 900 tokens/s per server = 1.54 → 2 servers
    a = with_gpu(with_values(A, llm={"tokens_per_request": 20_000}), "gpu_aws", tokens_per_sec=900)
    gpu = with_stacks(a, aws={"llm": "gpu_aws"})
    assert capacity.gpu_servers(gpu, gpu.stack("aws"), 40) == {"gpu_aws": 2}
    on_gpu, on_api = price("aws", 40, gpu), price("aws", 40, a)
    # 2 servers × 730 h × $1.861/h = $2,717.06/month, and no GPT-4o lines
    assert lines(on_gpu, "gpu") == {"EC2 g6e.xlarge (1× NVIDIA L40S 48 GB, on demand)": pytest.approx(2_717.06)}
    assert not lines(on_gpu, "llm")
    # GPT-4o instead: 1,760M tokens × (70% × $2.50 + 30% × $10) per 1M = 1,760 × $4.75 = $8,360/month
    assert sum(lines(on_api, "llm").values()) == pytest.approx(8_360)
    assert on_api.monthly - on_gpu.monthly == pytest.approx(8_360 - 2_717.06)


def test_the_minimum_gpu_servers_hold_at_low_load_and_eur_monthly_rows_convert():
    # 47 agents: 163.2 tokens/s ÷ 260 per GEX44 = 0.63 → 1 server (the minimum is 1 too); minimum 2 → 2
    a = with_stacks(A, hetzner={"llm": "gpu_hetzner"})
    gex = "GEX44 dedicated (NVIDIA RTX 4000 SFF Ada 20 GB)"
    # €184/month × 1.068 USD/EUR = $196.512/month
    assert lines(price("hetzner", 47, a), "gpu") == {gex: pytest.approx(196.512)}
    two = with_values(a, capacity={"min_gpu_servers": 2})
    assert lines(price("hetzner", 47, two), "gpu") == {gex: pytest.approx(2 * 196.512)}


def test_self_hosting_everywhere_puts_each_cloud_on_its_gpu_column():
    a = A.with_llm("self_hosted")
    assert {s.key: s.llm for s in a.stacks} == {
        "self_hosted": "self_hosted", "hybrid": "self_hosted", "hybrid_optimized": "self_hosted",
        "aws": "gpu_aws", "gcp": "gpu_gcp", "azure": "gpu_azure", "hetzner": "gpu_hetzner", "ovh": "gpu_hetzner",
        "vultr": "gpu_vultr", "digitalocean": "gpu_digitalocean", "cloudflare": "gpu_hetzner",
        "flyio": "gpu_hetzner"}
    gpu = A.with_llm("gpu")  # the GPU column where a stack has one; the self-hosted stack keeps its Macs
    assert gpu.stack("hybrid").llm == "gpu_hetzner" and gpu.stack("self_hosted").llm == "self_hosted"
    # hybrid on rented GPUs: its Macs size by agents only; at 47: max(2, ⌈47/25⌉) = 2 units either way
    assert capacity.mac_studios(gpu, 47, self_hosted_llm=False) == 2
    # one GEX44 at $196.512/month replaces the $0 self-hosted line
    assert price("hybrid", 47, gpu).monthly - price("hybrid", 47).monthly == pytest.approx(196.512)


# -- voice AI ------------------------------------------------------------------------------------------------

def test_voice_through_an_api_prices_minutes_and_characters():
    # 47 agents × 40 calls × 8 min × 22 days = 330,880 min × 50% = 165,440 min × $0.0048 = $794.112/month
    # 47 × 40 × 22 = 41,360 calls × 200 characters = 8,272,000 characters ÷ 1,000 × $0.015 = $124.08/month
    a = with_values(A, usage={"transcribed_share": 0.5, "tts_characters_per_call": 200})
    voice = lines(price("aws", 47, a), "voice")
    assert voice == {"Deepgram Nova-3 speech-to-text (streaming)": pytest.approx(794.112),
                     "Deepgram Aura text-to-speech": pytest.approx(124.08)}
    assert price("aws", 47, a).monthly - price("aws", 47).monthly == pytest.approx(794.112 + 124.08)
    # ElevenLabs bills per audio hour: 165,440 min ÷ 60 = 2,757.33 h × $0.22 = $606.61/month
    eleven = lines(price("aws", 47, with_stacks(a, aws={"voice": "voice_elevenlabs"})), "voice")
    assert eleven["ElevenLabs Scribe speech-to-text"] == pytest.approx(165_440 / 60 * 0.22)


def test_voice_at_the_default_share_of_zero_adds_no_line_and_no_unit():
    for key in ("aws", "cloudflare", "hybrid"):
        assert not lines(price(key, 47), "voice", "gpu")
    assert capacity.mac_studios(A, 47) == 2


def test_voice_on_the_mac_studios_enters_their_unit_count():
    # every call transcribed at 47 agents: 330,880 min ÷ 21,120 operating min = 15.67 streams ÷ 8.5 per unit
    # = 1.843 units, + LLM 163.19 tokens/s ÷ 150 = 1.088 units → ⌈2.931⌉ = 3 active units (2 without voice)
    a = with_values(A, usage={"transcribed_share": 1})
    assert capacity.mac_studios(a, 47) == 3
    assert capacity.mac_studios(a, 47, self_hosted_voice=False) == 2
    hardware = next(c for c in price("self_hosted", 47, a).components if c.category == "hardware")
    assert hardware.quantity == 3 and hardware.one_time == pytest.approx(3 * 11_999)


def test_voice_on_gpu_servers_shares_them_with_the_llm():
    # Azure runs both on NC24ads A100 v4: 500 agents × 100 × 2,000 × 22 = 2,200M tokens/month ÷ 1,267,200 s
    # = 1,736.1 tokens/s ÷ 1,770 = 0.981; every call transcribed: 3,520,000 min ÷ 21,120 = 166.67 streams ÷ 64
    # = 2.604; → ⌈3.585⌉ = 4 servers (1 for the LLM alone)
    a = with_stacks(with_values(A, usage={"transcribed_share": 1}), azure={"llm": "gpu_azure", "voice": "gpu_azure"})
    assert capacity.gpu_servers(a, a.stack("azure"), 500) == {"gpu_azure": 4}
    llm_only = with_stacks(A, azure={"llm": "gpu_azure"})
    assert capacity.gpu_servers(llm_only, llm_only.stack("azure"), 500) == {"gpu_azure": 1}
    # 4 servers × 730 h × $3.673/h = $10,725.16/month; no voice API lines
    assert lines(price("azure", 500, a), "gpu", "voice") == {
        "NC24ads A100 v4 (1× NVIDIA A100 80 GB, pay as you go)": pytest.approx(10_725.16)}


def test_voice_on_another_gpu_group_than_the_llm_rents_its_own_servers():
    # GCP: LLM through GPT-4o, voice on L4 servers: 166.67 streams ÷ 25 per L4 = 6.67 → 7 servers at 500 agents
    a = with_stacks(with_values(A, usage={"transcribed_share": 1}), gcp={"voice": "gpu_gcp"})
    assert capacity.gpu_servers(a, a.stack("gcp"), 500) == {"gpu_gcp": 7}
    # 7 × 730 h × $0.70/h = $3,577/month
    assert sum(lines(price("gcp", 500, a), "gpu").values()) == pytest.approx(3_577)


# -- support: the report's points per stack ---------------------------------------------------------------

@pytest.mark.parametrize(("stack", "agents", "usd_per_year"), [
    ("self_hosted", 47, 18_000), ("self_hosted", 100, 24_000), ("self_hosted", 500, 48_000),
    ("hybrid", 47, 13_500), ("hybrid", 100, 15_000), ("hybrid", 500, 36_000), ("hybrid_optimized", 47, 9_000)])
def test_support_reproduces_the_report_where_it_states_a_figure(stack, agents, usd_per_year):
    support = next(c for c in price(stack, agents).components if c.category == "support")
    assert 12 * support.monthly == pytest.approx(usd_per_year)  # the report's support lines


def test_support_interpolates_and_extrapolates_as_power_laws_through_the_points():
    hours = lambda key, n, a=A: float(support_hours(a, a.stack(key), n))  # noqa: E731
    # hybrid at 70 agents, between 15 h at 47 and 16.667 h at 100: slope = ln(16.667/15) / ln(100/47)
    # = 0.105361 / 0.755023 = 0.139547; 15 × (70/47)^0.139547 = 15 × 1.057163 = 15.857 h
    assert hours("hybrid", 70) == pytest.approx(15.857, abs=1e-3)
    # self-hosted at 200: slope = ln(53.333/26.667) / ln(500/100) = ln 2 / ln 5 = 0.430677;
    # 26.667 × 2^0.430677 = 26.667 × 1.347900 = 35.944 h
    assert hours("self_hosted", 200) == pytest.approx(35.944, abs=1e-3)
    # beyond the last point the last slope: 53.333 × (1,000/500)^0.430677 = 71.89 h
    assert hours("self_hosted", 1_000) == pytest.approx(53.3333 * 2 ** (math.log(2) / math.log(5)), rel=1e-4)
    # the second headcount moved to 80: the 26.667 h are now reached at 80 agents
    moved = with_values(A, support={"mid_agents": 80})
    assert hours("self_hosted", 80, moved) == pytest.approx(24_000 / 900)


def test_support_without_stated_points_follows_the_exponent():
    # the optimized hybrid states 10 h at 47 only: 10 × (250/47)^0.4 = 10 × 1.9505 = 19.505 h
    assert float(support_hours(A, A.stack("hybrid_optimized"), 250)) == pytest.approx(10 * (250 / 47) ** 0.4)
    cleared = with_stacks(A, hybrid={"support_hours_mid": 0, "support_hours_high": 0})
    assert float(support_hours(cleared, cleared.stack("hybrid"), 100)) == pytest.approx(15 * (100 / 47) ** 0.4)


# -- bad input: errors naming the cell ----------------------------------------------------------------------

@pytest.mark.parametrize(("sheet", "field", "value", "expected"), [
    ("Stacks", "llm", "gpu_ibm", "expected one of self_hosted, gpt-4-turbo"),
    ("Stacks", "voice", "self_hosted", "expected a voice group on the Options sheet or a GPU group (gpu_aws"),
    ("Stacks", "gpu", "gpu_ibm", "expected '' or a GPU group (gpu_aws, gpu_gcp"),
])
def test_a_bad_reference_in_a_stack_is_an_error_naming_its_cell(workbook_copy, sheet, field, value, expected):
    aws = next(i for i, s in enumerate(A.stacks) if s.key == "aws")
    where = cell_of(f"stacks[{aws}].{field}").split("!")[1]
    with pytest.raises(Exception) as error:
        load_assumptions(workbook_copy({sheet: {where: value}}))
    assert f"{sheet}!{where} (stacks[{aws}].{field}): found '{value}', {expected}" in str(error.value)
    assert "1 problem(s)" in str(error.value)


def test_the_llm_cannot_self_host_on_a_cloud_without_mac_studios():
    with pytest.raises(ValueError, match="'self_hosted' runs on the Mac Studios, and this stack has none"):
        with_stacks(A, aws={"llm": "self_hosted"})


def test_support_headcounts_must_increase_and_points_need_hours_at_the_reference():
    with pytest.raises(ValueError, match=r"support.mid_agents: found 40.0, expected more agents than the reference"):
        with_values(A, support={"mid_agents": 40})
    with pytest.raises(ValueError, match=r"support.high_agents: found 90.0, expected more agents than the second"):
        with_values(A, support={"high_agents": 90})
    with pytest.raises(ValueError, match=r"stacks.3.support_hours_mid: found 5.0, expected 0 while the stack's"):
        with_stacks(A, aws={"support_hours_mid": 5})


def test_a_stack_without_a_voice_choice_is_an_error_once_voice_is_used():
    blank = with_stacks(A, aws={"voice": ""})  # no voice AI: fine while nobody asks for it
    assert price("aws", 47, blank).monthly == pytest.approx(price("aws", 47).monthly)
    with pytest.raises(ValueError, match=r"stacks.3.voice: found '', expected 'self_hosted', a GPU group or a voice"):
        with_values(blank, usage={"transcribed_share": 0.5})


def test_the_command_line_prices_every_scenario_on_one_llm_path():
    import json

    from typer.testing import CliRunner

    from tco_xl.cli import app

    def aws_monthly(*llm: str) -> float:
        out = CliRunner().invoke(app, ["report", "-a", "47", "--format", "json", *llm])
        assert out.exit_code == 0, out.output
        return next(r["monthly"] for r in json.loads(out.stdout)["rows"] if r["scenario"] == "aws")
    # self-hosting everywhere puts AWS on its g6e: 163.2 tokens/s ÷ 790 = 0.21 → 1 server × 730 h × $1.861 =
    # $1,358.53/month instead of GPT-4o's 206.8M tokens × $4.75/1M = $982.30
    assert aws_monthly("--llm", "self_hosted") - aws_monthly() == pytest.approx(1_358.53 - 982.30, abs=0.01)
    assert aws_monthly("--llm", "gpu_aws") == pytest.approx(aws_monthly("--llm", "self_hosted"), abs=0.01)
    bad = CliRunner().invoke(app, ["report", "--llm", "gpu_ibm"])
    assert bad.exit_code == 1 and "--llm: expected one of 'self_hosted', 'gpu', 'gpt-4-turbo'" in bad.output
