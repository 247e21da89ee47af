"""Monte Carlo: collapsed ranges give the deterministic result; percentiles and win shares of known
distributions; reproducibility; currency per draw; the cached functions UDFs call; the CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from tco_xl.analysis import cached_simulation, percentile, prob_cheapest, ranged_factors, simulate
from tco_xl.analysis.factors import TABLE_RANGES
from tco_xl.assumptions import Assumptions, default_assumptions, scalar_specs
from tco_xl.cli import app
from tco_xl.engine import compare, evaluate
from tco_xl.errors import InputError

A = default_assumptions()
FIBER = "network.internet_usd_per_site_month"


def only_ranges(a: Assumptions, ranges: dict[str, tuple[float, float]]) -> Assumptions:
    """A validated copy in which only ``ranges`` (scalar key -> (low, high)) are uncertain: every other range is
    collapsed onto its value (Low = High = value, Price low = Price high = unit price, range shares 0)."""
    data = a.model_dump()
    for key in set(TABLE_RANGES.values()):
        group, field = key.split(".")
        data[group][field] = 0
    data["ranges"] = {s.key: {"low": data[s.group][s.field], "high": data[s.group][s.field]}
                      for s in scalar_specs() if not s.is_text}
    data["ranges"].update({k: {"low": lo, "high": hi} for k, (lo, hi) in ranges.items()})
    for row in data["providers"] + data["options"]:
        row["price_low"] = row["price_high"] = row["unit_price"]
    return Assumptions.model_validate(data)


def triangular_quantile(p: float, low: float, mode: float, high: float) -> float:
    """Inverse CDF of the triangular distribution."""
    split = (mode - low) / (high - low)
    if p < split:
        return low + math.sqrt(p * (high - low) * (mode - low))
    return high - math.sqrt((1 - p) * (high - low) * (high - mode))


def test_the_defaults_draw_every_uncertain_input_that_a_scenario_reads():
    by_key = {f.key: f for f in ranged_factors(A)}
    assert {FIBER, "capacity.agents_per_mac_studio", "finance.eur_usd", "usage.calls_per_agent_per_day"} <= set(by_key)
    # the report's own range where it states one: '€50-60/month (~$53-64 USD)'
    assert (by_key[FIBER].low, by_key[FIBER].high) == (53, 64)
    # a vendor list price without one: ±10% of $0.013/min (the band for vendor list prices)
    inbound = by_key["telephony.inbound_usd_per_min"]
    assert (inbound.low, inbound.high) == pytest.approx((0.0117, 0.0143))
    # table cells without range columns: ± their share, e.g. GPT-4o's $0.0025/1K input ± 10%
    gpt4o = A.llm_models.index(A.llm_model("gpt-4o"))
    assert (by_key[f"llm_models[{gpt4o}].input_usd_per_1k"].low,
            by_key[f"llm_models[{gpt4o}].input_usd_per_1k"].high) == pytest.approx((0.00225, 0.00275))
    # settings and inputs no scenario reads are not drawn: the horizon, SendGrid (email is SES), GPT-4 Turbo
    assert "finance.horizon_years" not in by_key and "llm.api_price_range" not in by_key
    sendgrid = next(i for i, line in enumerate(A.options) if line.group == "email_sendgrid_pro")
    assert f"options[{sendgrid}].unit_price" not in by_key
    assert "llm_models[0].input_usd_per_1k" not in by_key
    # every scenario now varies: none has P10 = P90
    sim = simulate(A, 47, draws=2_000)
    assert (sim.percentiles.p90 > sim.percentiles.p10).all()


def test_every_range_collapsed_equals_the_deterministic_result():
    a = only_ranges(A, {})
    assert ranged_factors(a) == []
    sim = simulate(a, 47, draws=1_000)
    expected = compare([47], a).set_index("scenario").tco
    table = sim.percentiles.set_index("scenario")
    for column in ("p10", "p50", "p90", "mean"):
        np.testing.assert_allclose(table[column], expected[table.index], rtol=1e-12)
    assert sim.prob_cheapest[expected.idxmin()] == 1.0


def test_percentiles_of_a_linear_cost_follow_the_triangular_distribution():
    # Only fiber is uncertain: self-hosted at 47 agents runs 2 Mac Studios at 2 sites, so its TCO is
    # c + 2 sites × 12 months × 5 years × fiber = c + 120 × fiber, fiber ~ triangular(53, 60, 64).
    a = only_ranges(A, {FIBER: (53, 64)})
    sim = simulate(a, 47, draws=100_000, seed=7)
    base = float(evaluate(a, [47], ["self_hosted"])["self_hosted"].tco[0])
    row = sim.percentiles.set_index("scenario").loc["self_hosted"]
    for p, column in ((0.1, "p10"), (0.5, "p50"), (0.9, "p90")):
        expected = base + 120 * (triangular_quantile(p, 53, 60, 64) - 60)
        # sample quantile error with 100,000 draws is ~0.02 USD/month of fiber; allow 0.1 (× 120 = $12)
        assert row[column] == pytest.approx(expected, abs=12)
    assert row["mean"] == pytest.approx(base + 120 * ((53 + 60 + 64) / 3 - 60), abs=12)
    assert sim.percentile("self_hosted", 0.9) == pytest.approx(row["p90"])


def test_probability_of_cheapest_follows_the_distribution_of_the_deciding_assumption():
    # At 100 agents Cloudflare leads the optimized hybrid; only fiber moves, over (0, 60, 100) USD/site/month.
    agents, low, mode, high = 100, 0.0, 60.0, 100.0
    a = only_ranges(A, {FIBER: (low, high)})
    base = evaluate(a, [agents], ["cloudflare", "hybrid_optimized"])
    gap = float(base["hybrid_optimized"].tco[0] - base["cloudflare"].tco[0])
    no_fiber = a.with_values({FIBER: 0.0})
    slope = float(base["hybrid_optimized"].tco[0]
                  - evaluate(no_fiber, [agents], ["hybrid_optimized"])["hybrid_optimized"].tco[0]) / mode
    threshold = mode - gap / slope  # the hybrid wins when fiber is below this
    assert low < threshold < mode
    sim = simulate(a, agents, draws=100_000, seed=1)
    # triangular CDF below the mode: (x − low)² / ((high − low)(mode − low))
    expected = (threshold - low) ** 2 / ((high - low) * (mode - low))
    assert sim.prob_cheapest["hybrid_optimized"] == pytest.approx(expected, abs=0.005)  # 6 binomial s.e.
    assert sim.prob_cheapest["hybrid_optimized"] + sim.prob_cheapest["cloudflare"] == pytest.approx(1)
    assert sim.prob_cheapest.sum() == pytest.approx(1)


def test_same_seed_same_draws_whatever_the_chunk_size():
    one = simulate(A, 47, draws=5_000, seed=3, chunk=5_000)
    many = simulate(A, 47, draws=5_000, seed=3, chunk=777)
    for key in one.scenarios:
        np.testing.assert_array_equal(one.values(key), many.values(key))
    other = simulate(A, 47, draws=5_000, seed=4)
    assert not np.array_equal(one.values("hybrid"), other.values("hybrid"))


def test_progress_is_reported_per_chunk_up_to_the_total():
    calls = []
    simulate(A, 47, draws=10_000, chunk=3_000, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(3_000, 10_000), (6_000, 10_000), (9_000, 10_000), (10_000, 10_000)]


def test_each_draw_converts_with_its_own_eur_rate():
    usd = simulate(A, 47, draws=2_000, seed=5)
    eur = simulate(A, 47, draws=2_000, seed=5, currency="EUR")
    # the drawn USD per EUR of each draw, the same for every scenario
    rate = np.stack([usd.values(k) / eur.values(k) for k in usd.scenarios])
    np.testing.assert_allclose(rate, rate[:1].repeat(len(rate), axis=0), rtol=1e-12)
    # 1.068 ± 10% (the exchange-rate band): 0.9612 .. 1.1748
    assert rate.min() >= 0.9612 and rate.max() <= 1.1748 and rate.std() > 0


def test_cached_functions_answer_from_one_simulation():
    sim = cached_simulation(A, 47, 20_000, 0)
    assert cached_simulation(A, 47.0, 20_000.0, 0.0) is sim  # Excel sends 47.0
    assert percentile(A, "Hybrid", 47, 0.5, 20_000) == pytest.approx(sim.percentile("hybrid", 0.5))
    assert prob_cheapest(A, "cloud (cloudflare)", 47, 20_000) == sim.prob_cheapest["cloudflare"]


@pytest.mark.parametrize(("call", "field"), [
    (lambda: percentile(A, "hybrid", 47, 90), "p"),
    (lambda: percentile(A, "hybrid", 47, "high"), "p"),
    (lambda: cached_simulation(A, 47, draws=0), "draws"),
    (lambda: cached_simulation(A, 47, seed=-1), "seed"),
    (lambda: prob_cheapest(A, "abacus", 47), "scenario"),
])
def test_bad_arguments_name_the_field(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


def test_cli_prints_percentiles_and_probabilities():
    out = CliRunner().invoke(app, ["simulate", "-a", "47", "--draws", "2000", "--seed", "2", "-f", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)[0]["rows"]
    sim = simulate(A, 47, draws=2_000, seed=2)
    assert [r["scenario"] for r in rows] == list(sim.percentiles.scenario)
    assert sum(r["prob_cheapest"] for r in rows) == pytest.approx(1)
    assert rows[0]["p50"] == pytest.approx(sim.percentiles.p50.iat[0])


def test_a_base_outside_its_p10_p90_is_flagged_with_the_one_sided_ranges_that_put_it_there():
    # Only the report's two one-sided ranges are uncertain: the support rate $75 in 75-100 and failover 0 in 0-0.25.
    a = only_ranges(A, {"support.usd_per_hour": (75, 100), "capacity.failover_ratio": (0, 0.25)})
    sim = simulate(a, 47, draws=20_000, seed=1)
    table = sim.summary().set_index("scenario")
    hybrid = table.loc["hybrid"]
    # P10 of a triangular(75, 75, 100) rate is 100 − √(0.9 × 25 × 25) = $76.28 > $75: the base is below P10
    assert hybrid.base < hybrid.p10
    note = hybrid.note
    assert note.startswith(f"base {hybrid.base:,.2f} lies below P10 ({hybrid.p10:,.2f})")
    assert "support.usd_per_hour 75 in 75–100" in note and "capacity.failover_ratio 0 in 0–0.25" in note
    # its mean shift: 15 h/month × (75 + 75 + 100) / 3 − 75 = +$8.33/h × 60 months = +$7,500 for the rate
    assert "support.usd_per_hour 75 in 75–100 (+7,500)" in note
    # clouds read neither: P10 = base = P90, nothing to flag
    aws = table.loc["aws"]
    assert aws.p10 == aws.base == aws.p90 and aws.note == ""


def test_the_mean_shift_of_a_one_sided_range_in_euros_at_a_non_default_rate():
    # Every default range drawn, results in EUR at $1.25 per EUR. Fiber $60 in 53–64 a site-month: a triangular
    # mean of (53 + 60 + 64) / 3 = $59, $1 below its base. The Mac Studio stacks at 47 agents run ⌈47 / 25⌉ = 2
    # units, 1 per site, at least 2 sites: 2 sites × 12 months × 5 years = 120 site-months → −$120 = −€96 (× 0.8);
    # the clouds pay no fiber: 0. Fiber alone moves (the other inputs at their base values, as in the base case).
    a = A.with_values({"finance.eur_usd": 1.25})
    skew = simulate(a, 47, draws=100, currency="EUR").skew.loc[FIBER]
    macs = ["self_hosted", "hybrid", "hybrid_optimized"]
    assert list(skew[macs]) == pytest.approx([-96] * 3, abs=1e-6)
    assert (skew.drop(macs) == 0).all()


def test_a_centred_range_leaves_the_base_inside_and_unflagged():
    sim = simulate(only_ranges(A, {FIBER: (50, 70)}), 47, draws=20_000, seed=2)
    assert (sim.summary().note == "").all()


def peak_rss_mb(draws: int) -> float:
    """Peak RSS (MB) of a fresh process that runs a simulation of ``draws`` draws at 47 agents and its summary."""
    code = ("import resource; from tco_xl.analysis import simulate; from tco_xl.assumptions import default_assumptions;"
            f"simulate(default_assumptions(), 47, draws={draws}).summary();"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_memory_does_not_grow_with_the_number_of_draws():
    # Drawing every input up front would hold ~95 inputs × 8 bytes per draw (380 MB more for 600,000 draws than
    # for 100,000) and every result 12 scenarios × 8 bytes (48 MB more). In chunks, only one scenario's results are
    # in memory at a time for its percentiles: 8 bytes per draw, and a copy (8 MB more at most).
    small, large = peak_rss_mb(100_000), peak_rss_mb(600_000)
    assert large - small < 30, (small, large)


def test_defaults_are_100000_draws_and_seed_0():
    sim = simulate(A, 47)
    assert (sim.draws, sim.seed, sim.values("hybrid").shape) == (100_000, 0, (100_000,))
    assert cached_simulation(A, 47, 1_000).seed == 0
    # the cached probability answers from seed 0 too: at 180 agents two scenarios share the wins
    drawn = simulate(A, 180, draws=2_000, seed=0).prob_cheapest
    assert 0 < drawn["hybrid_optimized"] < 1
    assert prob_cheapest(A, "hybrid_optimized", 180, 2_000) == drawn["hybrid_optimized"]


def test_draws_and_seeds_at_their_limits():
    with pytest.raises(InputError, match="from 1 to 10,000,000"):
        cached_simulation(A, 47, draws=10_000_001)
    largest = cached_simulation(A, 47, draws=100, seed=2**63 - 1)  # exact, beyond what a float holds
    assert largest.seed == 2**63 - 1
    with pytest.raises(InputError):
        cached_simulation(A, 47, draws=100, seed=2**63)


def test_the_lowest_and_highest_percentile_are_the_extreme_draws():
    sim = cached_simulation(A, 47, 2_000)
    row = sim.values("hybrid")
    assert percentile(A, "hybrid", 47, 0, 2_000) == row.min()
    assert percentile(A, "hybrid", 47, 1, 2_000) == row.max()


def test_results_are_read_only_and_numbered_from_0():
    sim = cached_simulation(A, 47, 1_000)
    with pytest.raises(ValueError, match="read-only"):
        sim.values("hybrid")[0] = 0.0  # one cached simulation answers many cells: nobody may change it
    assert list(sim.percentiles.index) == list(range(len(A.stacks)))
