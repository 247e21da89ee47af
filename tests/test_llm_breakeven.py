"""Break-even over the LLM's drivers (API price, tokens per agent per day): hand-derived values, invariants, and
every way in (Python, `tco-xl breakeven --over`, TCO_LLM_BREAKEVEN, the snapshot Summary, the reconciliation)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tco_xl import udfs
from tco_xl.analysis.llm_breakeven import DRIVERS, like_for_like, llm_breakeven, llm_breakeven_table
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.cli import app
from tco_xl.engine import evaluate
from tco_xl.errors import InputError
from tco_xl.io.snapshot import Provenance, snapshot_data
from tco_xl.io.snapshot_summary import llm_assumption

A = default_assumptions()
runner = CliRunner()


def heavy_aws() -> Assumptions:
    """40 agents' worth of a heavy LLM load on AWS: 20,000 tokens/request, one L40S server at 900 tokens/s."""
    rows = [r.model_dump() for r in A.gpu_servers]
    rows[A.gpu_server("gpu_aws")]["tokens_per_sec"] = 900
    llm = {**A.llm.model_dump(), "tokens_per_request": 20_000}
    return Assumptions.model_validate({**A.model_dump(), "gpu_servers": rows, "llm": llm})


def test_api_price_from_which_renting_gpu_servers_pays_off():
    # AWS at 40 agents, 20,000 tokens/request: 40 × 100 × 20,000 × 22 = 1,760M tokens/month = 1,388.9 tokens/s
    # → ⌈1,388.9 / 900⌉ = 2 servers × 730 h × $1.861 = $2,717.06/month. The API costs 1,760 × p per month at p USD
    # per 1M tokens: equal at p = 2,717.06 / 1,760 = 1.5438 → the GPU servers are cheaper from $1.55 (at $1.54 the
    # API costs $2,710.40 < $2,717.06).
    a, pairs = like_for_like(heavy_aws(), ["aws"])
    r = llm_breakeven(a, *pairs[0], 40, "price")
    assert r.model == "gpt-4o" and r.current == pytest.approx(4.75)  # 70% × $2.50 + 30% × $10 per 1M
    assert [(c.value, c.cheaper_before, c.cheaper_after) for c in r.crossings] == [(1.55, "aws:api", "aws:self-hosted")]
    assert r.cheaper_now == "aws:self-hosted"  # $4.75 > $1.55


def test_tokens_per_agent_per_day_from_which_renting_gpu_servers_pays_off():
    # at 40 agents the API costs 40 × t × 22 × $4.75/1M = $0.00418 × t a month; one GPU server serves up to
    # 900 × 1,267,200 s ÷ (40 × 22) = 1,296,000 tokens/agent/day at $1,358.53/month: equal at t = 1,358.53 /
    # 0.00418 = 325,007.2 → the server is cheaper from 325,008 tokens/agent/day; beyond 1,296,000 a second server
    # ($2,717.06) is still far below the API ($5,417): one crossing in 0..2,000,000 (10 × 200,000)
    a, pairs = like_for_like(heavy_aws(), ["aws"])
    base = Assumptions.model_validate({**a.model_dump(), "llm": A.llm.model_dump()})
    r = llm_breakeven(base, *pairs[0], 40, "tokens")
    assert r.current == 200_000 and r.upper == 2_000_000
    assert [(c.value, c.cheaper_after) for c in r.crossings] == [(325_008, "aws:self-hosted")]
    assert r.cheaper_now == "aws:api"


def test_hetzner_gex44_against_gpt_4o_at_the_report_headcount():
    # one GEX44 at €184 × 1.068 = $196.512/month against 206.8M tokens × p/1M: equal at p = 0.9503 → from $0.96;
    # in tokens: 47 × t × 22 × $4.75/1M = $0.0049115 × t = $196.512 at t = 40,010.9 → from 40,011
    a, pairs = like_for_like(A, ["hetzner"])
    assert llm_breakeven(a, *pairs[0], 47, "price").crossings[0].value == 0.96
    assert llm_breakeven(a, *pairs[0], 47, "tokens").crossings[0].value == 40_011


def test_mac_studios_pay_off_at_any_api_price_when_the_agents_size_them():
    # the hybrid's 2 Mac Studios are sized by agents (⌈47/25⌉ = 2 > ⌈163.2/150⌉): running the LLM on them is free,
    # so against the same stack paying gpt-4o there is no crossing above $0 (a tie at $0)
    a, pairs = like_for_like(A, ["hybrid"])
    r = llm_breakeven(a, *pairs[0], 47, "price")
    assert r.crossings == () and r.cheaper_now == "hybrid:self-hosted"


def test_a_driver_at_0_needs_the_range_and_any_range_above_0_is_scanned():
    # 0 tokens per request: the driver (tokens/agent/day) is 0, and 10 × 0 is no range to scan: asked for
    a, pairs = like_for_like(A.with_values({"llm.tokens_per_request": 0}), ["hetzner"])
    with pytest.raises(InputError, match="the current value is 0, give the range") as err:
        llm_breakeven(a, *pairs[0], 47, "tokens")
    assert err.value.field == "upper"
    # given, a range below 1 token/agent/day is scanned: over 0..0.5 the API costs at most 47 agents × 0.5 × 22 days
    # × 60 months × $4.75/1M = $0.015 against the one GEX44 (the minimum of 1 GPU server) at €184 × 1.068 × 60 =
    # $11,790.72: the API is cheaper throughout, no crossing
    r = llm_breakeven(a, *pairs[0], 47, "tokens", upper=0.5)
    assert (r.current, r.upper, r.crossings, r.cheaper_now) == (0, 0.5, (), "hetzner:api")


def metric(a: Assumptions, key: str, n: int) -> float:
    return float(np.asarray(evaluate(a, [n], [key])[key].tco)[0])


@settings(max_examples=12, deadline=None)
@given(pair=st.sampled_from([("hybrid", "hetzner"), ("self_hosted", "aws"), ("hybrid_optimized", "cloudflare")]),
       driver=st.sampled_from(["price", "tokens"]), agents=st.integers(5, 800))
def test_at_each_break_even_the_order_changes(pair, driver, agents):
    r = llm_breakeven(A, *pair, agents, driver)
    resolution = DRIVERS[driver].resolution
    for c in r.crossings:
        for value, cheaper in ((c.value, c.cheaper_after), (c.value - resolution, c.cheaper_before)):
            moved = (A.with_values({"llm.tokens_per_request": value / 100}) if driver == "tokens" else
                     _priced(value))
            costs = {k: metric(moved, k, agents) for k in pair}
            assert costs[cheaper] <= min(costs.values()) + 0.005, (value, costs)


def _priced(usd_per_million: float) -> Assumptions:
    """A with gpt-4o's prices scaled to a blended ``usd_per_million`` (70% input)."""
    rows = [m.model_dump() for m in A.llm_models]
    i = next(i for i, m in enumerate(A.llm_models) if m.key == "gpt-4o")
    factor = usd_per_million / 4.75
    rows[i].update(input_usd_per_1k=0.0025 * factor, output_usd_per_1k=0.01 * factor)
    return Assumptions.model_validate({**A.model_dump(), "llm_models": rows})


def test_bad_arguments_name_what_was_expected():
    with pytest.raises(Exception, match="driver: expected 'price'"):
        llm_breakeven(A, "hybrid", "hetzner", 47, "weather")
    with pytest.raises(Exception, match="a pair where one scenario pays an LLM API"):
        llm_breakeven(A, "hybrid", "self_hosted", 47, "price")
    with pytest.raises(Exception, match="scenario_b: expected a scenario other than scenario_a"):
        llm_breakeven(A, "aws", "aws", 47, "tokens")


def test_the_table_lists_one_row_per_crossing_or_none():
    df = llm_breakeven_table(A, [("hybrid", "hetzner"), ("hybrid", "self_hosted")], [47], "tokens")
    assert list(df.scenario_b) == ["hetzner", "self_hosted"]
    assert df.breakeven.iloc[0] > 0 and df.cheaper_from.iloc[0] == "hybrid"


# -- every way in ---------------------------------------------------------------------------------------------

def test_cli_breakeven_over_the_api_price_compares_each_stack_with_itself_by_default():
    out = runner.invoke(app, ["breakeven", "--over", "price", "-a", "47", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)[0]["rows"]
    hetzner = next(r for r in rows if r["scenario_a"].startswith("Cloud (Hetzner), LLM on"))
    assert hetzner["breakeven"] == 0.96 and hetzner["model"] == "gpt-4o"  # derived above
    assert len(rows) == 12  # every stack can self-host: its Mac Studios or its GPU column


def test_cli_breakeven_over_tokens_between_named_scenarios():
    out = runner.invoke(app, ["breakeven", "hybrid", "hetzner", "--over", "tokens", "-a", "100", "-a", "500",
                              "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("agents,scenario_a,scenario_b") and len(lines) == 3


@pytest.mark.parametrize(("args", "message"), [
    (["breakeven", "--over", "weather"], "--over: expected 'price'"),
    (["breakeven", "-a", "47"], "--agents: expected --over price or --over tokens"),
    (["breakeven", "hybrid", "self_hosted", "--over", "price"], "a pair where one scenario pays an LLM API"),
])
def test_cli_errors_exit_1_with_a_message(args, message):
    out = runner.invoke(app, args)
    assert out.exit_code == 1 and message in out.output, out.output


def test_excel_function():
    assert udfs.TCO_LLM_BREAKEVEN("hetzner", 47.0) == [[0.96]]  # its GEX44 against gpt-4o, derived above
    assert udfs.TCO_LLM_BREAKEVEN("hetzner", 47.0, "tokens") == [[40_011.0]]
    assert udfs.TCO_LLM_BREAKEVEN("Hybrid", 47.0).startswith(
        "No change in 0..47.50 USD/1M tokens: Hybrid (Mac Studios + Hetzner), LLM on its Mac Studios is cheaper")
    crossing = llm_breakeven(A, "hybrid", "hetzner", 100, "tokens").crossings[0].value
    assert udfs.TCO_LLM_BREAKEVEN("hybrid", 100.0, "Tokens", "Cloud (Hetzner)") == [[crossing]]
    assert udfs.TCO_LLM_BREAKEVEN("hybrid", 47.0, "weather").startswith("#TCO! driver: expected 'price'")


def test_the_summary_says_which_llm_assumption_the_recommendation_rests_on():
    d = snapshot_data(A, [47, 500], Provenance("defaults", "", "", False), analysis=False)
    [sentence] = llm_assumption(d)
    assert sentence.startswith("How the LLM is paid for, as shipped: 3 stacks run it on their Mac Studios, 9 stacks "
                               "pay gpt-4o through their API. The recommendation rests on it:")
    # at 500 agents the optimized hybrid is cheapest as shipped; with every stack on gpt-4o, Cloudflare
    assert "if every stack paid gpt-4o, the cheapest would be Cloud (Cloudflare) at 500 agents" in sentence
    everywhere = snapshot_data(A.with_llm("gpt-4o"), [47], Provenance("defaults", "", "", False), analysis=False)
    assert "The recommendation does not rest on it" in llm_assumption(everywhere)[0]


def test_the_reconciliation_puts_the_reports_break_even_beside_the_engines():
    from tco_xl.reconcile import markdown
    section = markdown().split("## Break-even by LLM choice")[1].split("## Every figure")[0]
    # the report's hybrid against Hetzner, 5-year TCO: at 100 agents $773,123 − $706,075 = +$67,048 (lines 848, 850),
    # at 500 $3,526,021 − $3,531,825 = −$5,804 (lines 867, 869): zero at 100 + 400 × 67,048 / 72,852 = 468.1 agents
    row = next(line for line in section.splitlines() if line.startswith("| hybrid vs hetzner |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "~350 stated (line 39); 468 (interpolated)"
    # with the clouds paying nothing for the LLM, or every stack paying gpt-4o, the hybrid never overtakes Hetzner
    assert cells[3] == cells[4] == "—" and cells[2].isdigit()
    # lines 829-830: $71,284 − $68,071 = $3,213 a year of LLM API; ÷ 12 ÷ 9.4M tokens = $28.48 per 1M; at gpt-4o's
    # $4.75 per 1M: 3,213 / 12 / 4.75 = 56.37M tokens a month ÷ (47 agents × 22 days) = 54,515 tokens/agent/day
    assert "| annual | 47 | $28.48 | 54,515 | — |" in section
