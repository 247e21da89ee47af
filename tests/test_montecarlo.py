"""Monte Carlo: collapsed ranges give the deterministic result; percentiles and win shares of known
distributions; reproducibility; currency per draw; the cached functions UDFs call; the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from tco_xl.analysis import cached_simulation, percentile, prob_cheapest, ranged_factors, simulate
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.cli import app
from tco_xl.engine import compare, evaluate
from tco_xl.errors import InputError

A = default_assumptions()
FIBER = "network.internet_usd_per_site_month"


def with_ranges(a: Assumptions, ranges: dict[str, tuple[float, float]], lines: bool = True) -> Assumptions:
    """A validated copy whose scalar ranges are exactly ``ranges``; without ``lines``, no price-line range either."""
    data = a.model_dump()
    data["ranges"] = {k: {"low": lo, "high": hi} for k, (lo, hi) in ranges.items()}
    if not lines:
        for row in data["providers"] + data["options"]:
            row["price_low"] = row["price_high"] = None
    return Assumptions.model_validate(data)


def triangular_quantile(p: float, low: float, mode: float, high: float) -> float:
    """Inverse CDF of the triangular distribution."""
    split = (mode - low) / (high - low)
    if p < split:
        return low + math.sqrt(p * (high - low) * (mode - low))
    return high - math.sqrt((1 - p) * (high - low) * (high - mode))


def test_the_defaults_draw_every_workbook_range():
    keys = {f.key for f in ranged_factors(A)}
    assert {FIBER, "capacity.agents_per_mac_studio", "finance.eur_usd"} <= keys
    assert any(k.endswith(".unit_price") for k in keys)  # the pentest's $3,000-5,000


def test_every_range_collapsed_equals_the_deterministic_result():
    data = A.model_dump()
    data["ranges"] = {k: {"low": A.value(k), "high": A.value(k)} for k in A.ranges}
    for row in data["providers"] + data["options"]:
        if row["price_low"] is not None or row["price_high"] is not None:
            row["price_low"] = row["price_high"] = row["unit_price"]
    a = Assumptions.model_validate(data)
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
    a = with_ranges(A, {FIBER: (53, 64)}, lines=False)
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
    a = with_ranges(A, {FIBER: (low, high)}, lines=False)
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
    np.testing.assert_array_equal(one.samples, many.samples)
    other = simulate(A, 47, draws=5_000, seed=4)
    assert not np.array_equal(one.samples, other.samples)


def test_progress_is_reported_per_chunk_up_to_the_total():
    calls = []
    simulate(A, 47, draws=10_000, chunk=3_000, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(3_000, 10_000), (6_000, 10_000), (9_000, 10_000), (10_000, 10_000)]


def test_each_draw_converts_with_its_own_eur_rate():
    usd = simulate(A, 47, draws=2_000, seed=5)
    eur = simulate(A, 47, draws=2_000, seed=5, currency="EUR")
    rate = usd.samples / eur.samples  # the drawn USD per EUR of each draw, the same for every scenario
    np.testing.assert_allclose(rate, rate[:1].repeat(len(rate), axis=0), rtol=1e-12)
    assert rate.min() >= 1.060 and rate.max() <= 1.068 and rate.std() > 0


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


def test_defaults_are_100000_draws_and_seed_0():
    sim = simulate(A, 47)
    assert (sim.draws, sim.seed, sim.samples.shape) == (100_000, 0, (len(A.stacks), 100_000))
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
    row = sim.samples[sim.scenarios.index("hybrid")]
    assert percentile(A, "hybrid", 47, 0, 2_000) == row.min()
    assert percentile(A, "hybrid", 47, 1, 2_000) == row.max()


def test_results_are_read_only_and_numbered_from_0():
    sim = cached_simulation(A, 47, 1_000)
    with pytest.raises(ValueError, match="read-only"):
        sim.samples[0, 0] = 0.0  # one cached simulation answers many cells: nobody may change it
    assert list(sim.percentiles.index) == list(range(len(A.stacks)))
