"""The decision-analysis UDFs as plain Python, with Excel-shaped arguments."""

from __future__ import annotations

import numpy as np
import pytest

from tco_xl import udfs
from tco_xl.assumptions import default_assumptions
from tco_xl.engine import evaluate

A = default_assumptions()


def test_breakeven_equals_a_brute_force_scan():
    agents = np.arange(1, 10_001)
    r = evaluate(A, agents, ["hybrid", "hetzner"])
    diff = r["hybrid"].tco - r["hetzner"].tco
    sign = np.sign(np.where(np.abs(diff) < 0.005, 0, diff))
    strict = np.flatnonzero(sign)
    changes = [int(agents[j]) for i, j in zip(strict, strict[1:]) if sign[i] != sign[j]]
    assert udfs.TCO_BREAKEVEN("Hybrid", "Cloud (Hetzner)") == [[n] for n in changes]


def test_breakeven_without_crossing_names_the_cheaper_scenario():
    assert udfs.TCO_BREAKEVEN("aws", "gcp", "Year 1") == "No crossing in 1..10,000 agents: aws is cheaper throughout"


def test_npv_at_zero_rate_is_the_tco():
    # no escalation, no salvage, hardware life 5 = horizon: undiscounted cash flows sum to the N-year TCO
    assert udfs.TCO_NPV("hybrid", 47.0, 0) == pytest.approx(round(udfs.TCO_HYBRID(47, "tco"), 2))


def test_percentiles_are_ordered_and_bad_p_is_named():
    p10, p50, p90 = (udfs.TCO_PERCENTILE("hybrid", 47, p) for p in (0.1, 0.5, 0.9))
    assert p10 <= p50 <= p90
    assert udfs.TCO_PERCENTILE("hybrid", 47, 90).startswith("#TCO! p: expected a fraction from 0 to 1")


def test_probabilities_of_being_cheapest_sum_to_one():
    total = sum(udfs.TCO_PROB_CHEAPEST(s.key, 47) for s in A.stacks)
    assert total == pytest.approx(1.0)


def test_sensitivity_spills_a_table_ranked_by_swing():
    table = udfs.TCO_SENSITIVITY("hybrid", 47)
    assert table[0] == udfs.SENSITIVITY_HEADER
    swings = [row[-1] for row in table[1:]]
    assert swings == sorted(swings, reverse=True) and swings[0] > 0


def test_bad_arguments_show_in_the_cell():
    assert udfs.TCO_NPV("hybrid", -3).startswith("#TCO! agents: expected a whole number")
    assert udfs.TCO_BREAKEVEN("linode", "aws").startswith("#TCO! scenario_a: expected one of")


def test_sensitivity_names_table_cells_by_their_row_not_its_position():
    # The hybrid's support hours (Stacks sheet, row "hybrid") move its TCO: 15 h/month at 47 agents × $75/h,
    # ±25% → ±3.75 h × $75 × 12 × 5 years = ±$16,875 over 5 years (the README's hybrid support line).
    rows = {row[0]: row for row in udfs.TCO_SENSITIVITY("hybrid", 47)[1:]}
    assert rows["stacks[hybrid].support_hours"][9:11] == [-16875.0, 16875.0]
    assert not [k for k in rows if k.split("[")[-1].split("]")[0].isdigit()]  # no stacks[1]-style positions
