"""The xlwings UDFs called as plain Python with what Excel sends: 47.0, None, text, ranges as lists."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tco_xl import udfs
from tco_xl.assumptions import default_assumptions
from tco_xl.engine import METRICS, compare, price
from tco_xl.engine.components import Component
from tco_xl.errors import CellProblem, WorkbookError
from tco_xl.io import layout
from tco_xl.rounding import excel_round

A = default_assumptions()
H = A.finance.horizon_years  # 5
AGENTS_EXPECTED = "agents: expected a whole number of agents from 1 to 1,000,000"
SCALAR_UDFS = [udfs.TCO_HYBRID, udfs.TCO_SELF_HOSTED, udfs.TWILIO_COST, udfs.MAC_STUDIOS_NEEDED, udfs.TCO_CHEAPEST]


def cents(x: float) -> float:
    return excel_round(x, 2)


@pytest.fixture(autouse=True)
def bundled_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """Called from Python without ``inputs``, the functions read the defaults unless $TCO_XL_WORKBOOK names a workbook."""
    monkeypatch.delenv("TCO_XL_WORKBOOK", raising=False)


# -- figures ------------------------------------------------------------------------------------------
def test_twilio_cost_derived_by_hand() -> None:
    # 47 × 40 calls × 8 min × 22 days = 330,880 min: 165,440 in × $0.013 = 2,150.72, 165,440 out × $0.014
    # = 2,316.16; 47 numbers × $1 = 47; 5,000 SMS × $0.0079 = 39.50; 100 GB × $0.25 = 25 → $4,578.38/month
    assert udfs.TWILIO_COST(47.0, "Monthly") == 4578.38
    assert udfs.TWILIO_COST(47.0, "annual") == 54940.56  # 12 × 4,578.38
    assert udfs.TWILIO_COST(47.0) == 54940.56  # Year 1 (default) = annual: no one-time part
    assert udfs.TWILIO_COST(47.0, "TCO") == 274702.80  # 5 years × 54,940.56
    assert udfs.TWILIO_COST(47.0, "per agent") == 97.41  # 4,578.38 / 47 = 97.412...


def test_llm_api_cost_derived_by_hand() -> None:
    # 47 agents × 100 requests × 2,000 tokens × 22 days = 206,800K tokens/month; GPT-4o: 70% input
    # 144,760K × $0.0025 = 361.90, 30% output 62,040K × $0.01 = 620.40 → $982.30/month
    assert udfs.LLM_API_COST("gpt-4o", 47.0, "monthly") == 982.30
    assert udfs.LLM_API_COST("OpenAI GPT-4o", 47.0, "monthly") == 982.30  # by name, too
    # Claude 3.5 Sonnet: 144,760 × 0.003 = 434.28 + 62,040 × 0.015 = 930.60 → 1,364.88/month; × 12
    assert udfs.LLM_API_COST("CLAUDE-3.5-SONNET", 47.0) == 16378.56


def test_mac_studios_needed() -> None:
    # 47: max(ceil(47/25) = 2, ceil(163.2 tok/s / 150) = 2, min 2) = 2, no failover spares (ratio 0)
    # 100: ceil(100/25) = 4; 500: ceil(500/25) = 20 (LLM rule: ceil(1,736 / 150) = 12)
    assert udfs.MAC_STUDIOS_NEEDED(47.0) == 2
    assert udfs.MAC_STUDIOS_NEEDED([[47.0, 100.0, 500.0]]) == [[2, 4, 20]]


@pytest.mark.parametrize("metric", list(METRICS))
def test_scenario_functions_equal_the_engine_in_every_metric(metric: str) -> None:
    label = METRICS[metric][0].upper()  # 'YEAR 1', 'N-YEAR TCO', ...: the finance names work too
    for name in (metric, label):
        assert udfs.TCO_HYBRID([[47.0]], name) == cents(getattr(price("hybrid", 47), metric))
        assert udfs.TCO_HYBRID(47.0, name, "Optimized") == cents(getattr(price("hybrid_optimized", 47), metric))
        assert udfs.TCO_SELF_HOSTED(47.0, name) == cents(getattr(price("self_hosted", 47), metric))
        assert udfs.TCO_CLOUD("Fly.io", 47.0, name) == cents(getattr(price("flyio", 47), metric))
        assert udfs.TCO("Cloud (Hetzner)", "47", name) == cents(getattr(price("hetzner", 47), metric))


def test_metric_defaults_to_year1_for_a_missing_or_empty_argument() -> None:
    year1 = cents(price("hybrid", 47).year1)
    assert udfs.TCO_HYBRID(47.0) == udfs.TCO_HYBRID(47.0, None) == udfs.TCO_HYBRID(47.0, "", "") == year1
    assert udfs.TCO_HYBRID(47.0, None, "BASE") == year1


def test_a_range_of_headcounts_spills_the_same_shape() -> None:
    column = [[47.0], [100.0], [500.0]]  # xlwings with ndim=2: a column range, one list per row
    expected = [[cents(price("aws", n).tco)] for n in (47, 100, 500)]
    assert udfs.TCO_CLOUD("aws", column, "tco") == expected
    assert udfs.TCO_CHEAPEST([[47.0, 500.0]]) == [[udfs.TCO_CHEAPEST(47.0), udfs.TCO_CHEAPEST(500.0)]]


def test_a_bad_cell_in_a_range_shows_its_own_error() -> None:
    result = udfs.TCO_SELF_HOSTED([[47.0], [-3.0]])
    assert result[0] == [cents(price("self_hosted", 47).year1)]
    assert result[1] == [f"#TCO! {AGENTS_EXPECTED}, got -3"]


def test_cheapest_and_compare_agree_with_engine_compare() -> None:
    for n in (47, 350, 2000):
        df = compare(n)
        assert udfs.TCO_CHEAPEST(float(n)) == df.loc[df.cheapest, "name"].iloc[0]
        table = udfs.TCO_COMPARE(float(n))
        assert table[0] == ["Scenario", "Year 1", "Annual (years 2..5)", "5-year TCO", "Monthly",
                            "Per agent per month", "Cheapest"]
        assert [row[0] for row in table[1:]] == df["name"].tolist()
        assert [row[3] for row in table[1:]] == [cents(x) for x in df["tco"]]
        assert [row[6] for row in table[1:]] == df["cheapest"].tolist()


def test_breakdown_lists_every_line_item_with_a_header() -> None:
    result = price("hybrid", 47)
    table = udfs.TCO_BREAKDOWN("hybrid", 47.0)
    assert table[0] == udfs.BREAKDOWN_HEADER
    assert len(table) == 1 + len(result.components)
    inbound = next(row for row in table if row[1] == "Twilio inbound calls")
    # 165,440 min × $0.013 = $2,150.72/month
    assert inbound[:7] == ["telephony", "Twilio inbound calls", 165440.0, "min", 0.013, 2150.72, 0.0]
    assert inbound[7].endswith("= 165,440 min × $0.013/min = $2,150.72/month")
    assert sum(row[5] for row in table[1:]) == pytest.approx(result.monthly, abs=0.01 * len(result.components))


def test_explain_by_name_or_number() -> None:
    by_name = udfs.TCO_EXPLAIN("Hybrid", 47.0, "twilio INBOUND calls")
    assert by_name.startswith("Twilio inbound calls: 47 agents × 40 calls/day × 8 min × 22 days × 50% inbound")
    assert "telephony.inbound_usd_per_min" in by_name
    first = price("hybrid", 47).components[0]
    assert udfs.TCO_EXPLAIN("hybrid", 47.0, 1.0) == udfs.TCO_EXPLAIN("hybrid", 47.0, first.name.lower())
    assert udfs.TCO_EXPLAIN("hybrid", 47.0, "inbound") == by_name  # the one name containing 'inbound'


# -- errors as cell text --------------------------------------------------------------------------------
@pytest.mark.parametrize(("agents", "shown"), [(-3.0, "-3"), ("abc", "'abc'"), (47.5, "47.5"), (None, "an empty cell"),
                                               (True, "TRUE"), (0.0, "0"), (2e6, "2000000"), ("", "''")])
def test_bad_agents(agents, shown: str) -> None:
    for udf in SCALAR_UDFS:
        assert udf(agents) == f"#TCO! {AGENTS_EXPECTED}, got {shown}"
    assert udfs.TCO_COMPARE(agents) == f"#TCO! {AGENTS_EXPECTED}, got {shown}"


def test_bad_names_say_what_was_expected() -> None:
    assert udfs.TCO_CLOUD("IBM", 47.0) == (
        "#TCO! provider: expected one of 'aws', 'gcp', 'azure', 'hetzner', 'ovh', 'vultr', 'digitalocean', "
        "'cloudflare', 'flyio', got 'IBM'")
    assert udfs.TCO_CLOUD("hybrid", 47.0).startswith("#TCO! provider: expected one of 'aws'")  # not a cloud
    assert udfs.TCO_HYBRID(47.0, "weekly") == (
        "#TCO! metric: expected one of 'year1', 'annual', 'tco', 'monthly', 'per_agent_month', 'one_time', "
        "got 'weekly'")
    assert udfs.TCO_HYBRID(47.0, None, "premium") == "#TCO! variant: expected 'base' or 'optimized', got 'premium'"
    assert udfs.TCO("nowhere", 47.0).startswith("#TCO! scenario: expected one of 'self_hosted', 'hybrid'")
    models = ("'gpt-4-turbo', 'claude-3.5-sonnet', 'gpt-4o', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o-mini', 'gpt-5', "
              "'gpt-5-mini', 'claude-sonnet-4', 'claude-haiku-3.5', 'claude-haiku-4.5', 'gemini-2.5-flash', "
              "'gemini-2.5-pro'")
    assert udfs.LLM_API_COST("gpt-9", 47.0) == f"#TCO! model: expected one of {models}, got 'gpt-9'"
    assert udfs.LLM_API_COST("Self-hosted", 47.0) == (
        f"#TCO! model: expected an API model (one of {models}): self-hosted inference pays no API fees, got "
        "'Self-hosted'")
    assert udfs.LLM_API_COST("gpu_aws", 47.0).startswith("#TCO! model: expected an API model (one of 'gpt-4-turbo'")
    assert udfs.TCO_EXPLAIN("hybrid", 47.0, 99.0) == (
        f"#TCO! item: expected a line item number from 1 to {len(price('hybrid', 47).components)} "
        "or a line item name (see TCO_BREAKDOWN), got 99")
    assert udfs.TCO_EXPLAIN("hybrid", 47.0, "twilio").startswith(
        "#TCO! item: expected one of 'Twilio inbound calls', 'Twilio outbound calls'")


def test_bad_assumption_cells_show_the_first_with_a_count(monkeypatch) -> None:
    problems = [CellProblem("Telephony", "C7", "telephony.inbound_usd_per_min", "abc", "a number"),
                CellProblem("Usage", "C5", "usage.calls_per_agent_per_day", -1, "a number >= 0")]

    def broken(inputs=None):
        raise WorkbookError("TCO.xlsm", problems)

    monkeypatch.setattr(udfs, "assumptions_for", broken)
    assert udfs.TCO_HYBRID(47.0) == ("#TCO! Telephony!C7 (telephony.inbound_usd_per_min): found 'abc', expected a "
                                     "number (+1 more, see log)")
    assert udfs.TCO_COMPARE(47.0) == udfs.TCO_HYBRID(47.0)


def test_an_unexpected_failure_is_text_in_the_cell_and_a_traceback_in_the_log(monkeypatch, caplog) -> None:
    def failing(*args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(udfs, "price", failing)
    with caplog.at_level(logging.ERROR, logger="tco_xl.udfs"):
        text = udfs.TCO("aws", 47.0)
    assert text == "#TCO! internal error (ZeroDivisionError: division by zero); see log"
    assert "Traceback" in caplog.text and "TCO('aws', 47.0) failed" in caplog.text


def test_log_to_file_keeps_the_detail(tmp_path, monkeypatch) -> None:
    path = tmp_path / "udfs.log"
    handler = udfs.log_to_file(path)
    try:
        assert udfs.log_to_file(path) is handler  # idempotent: one handler per file
        udfs.TCO_CLOUD("IBM", 47.0)
        handler.flush()
        assert "TCO_CLOUD('IBM', 47.0): provider: expected one of" in path.read_text(encoding="utf-8")
    finally:
        logging.getLogger("tco_xl").removeHandler(handler)
        handler.close()


# -- rounding -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("monthly", "expected"), [(1.005, 1.01), (2.675, 2.68), (-1.005, -1.01), (0.125, 0.13)])
def test_money_rounds_half_cents_away_from_zero_like_excel(monkeypatch, monthly: float, expected: float) -> None:
    # One line item worth exactly half a cent more than a cent value (as typed: 1.005 is stored just below it).
    item = Component("telephony", "stand-in", 1.0, "month", monthly, monthly=monthly)
    monkeypatch.setattr(udfs, "twilio_components", lambda a, agents: [item])
    assert udfs.TWILIO_COST(47.0, "monthly") == expected
    assert round(monthly, 2) != expected  # Python's round would show another cent


# -- properties -----------------------------------------------------------------------------------------
excel_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 3_000_000).map(float), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["47", " 1,000 ", "Year 1", "aws", "Hybrid", "optimized"]),
)


@settings(max_examples=150, deadline=None)
@given(excel_values, excel_values, excel_values)
def test_no_udf_ever_raises(x, y, z) -> None:
    numbers = [udfs.TCO(x, y, z), udfs.TCO_HYBRID(x, y, z), udfs.TCO_SELF_HOSTED(x, y), udfs.TCO_CLOUD(x, y, z),
               udfs.TWILIO_COST(x, y), udfs.LLM_API_COST(x, y, z), udfs.MAC_STUDIOS_NEEDED(x)]
    tables = [udfs.TCO_COMPARE(x), udfs.TCO_BREAKDOWN(x, y)]
    texts = [udfs.TCO_CHEAPEST(x), udfs.TCO_EXPLAIN(x, y, z)]
    for value in numbers + tables:
        assert isinstance(value, list if value in tables else (int, float)) or value.startswith("#TCO! ")
    assert all(isinstance(value, str) for value in texts)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5000))
def test_horizon_identity_holds_to_the_cent(n: int) -> None:
    # N-year TCO = Year 1 + (N − 1) × annual, each rounded to cents: off by at most N half-cents.
    for scenario in ("hybrid", "self_hosted", "aws", "cloudflare"):
        year1, annual, tco = (udfs.TCO(scenario, float(n), m) for m in ("year1", "annual", "tco"))
        assert abs(tco - (year1 + (H - 1) * annual)) <= 0.005 * H + 1e-6


def test_a_column_of_scenarios_and_a_row_of_headcounts_spill_a_table_in_one_call() -> None:
    keys, headcounts = [["aws"], ["Hybrid"], ["nowhere"]], [[47.0, 100.0]]
    table = udfs.TCO(keys, headcounts, "tco")
    assert table[:2] == [[cents(price(k, n).tco) for n in (47, 100)] for k in ("aws", "hybrid")]
    assert all(cell.startswith("#TCO! scenario: expected one of 'self_hosted'") for cell in table[2])  # its own row
    assert udfs.LLM_API_COST([["gpt-4o"], ["claude-3.5-sonnet"]], 47.0, "monthly") == [[982.30], [1364.88]]
    assert udfs.TCO_CLOUD("aws", [[47.0, 100.0]]) == [[cents(price("aws", n).year1) for n in (47, 100)]]


def test_ranges_that_do_not_fit_together_name_the_argument() -> None:
    assert udfs.TCO([["aws"], ["gcp"]], [[47.0], [100.0], [500.0]]) == (
        "#TCO! scenario: expected a single cell, or a range of 3 row(s) or 1 column(s) like the other arguments, "
        "got a range of 2 × 1 cells")


def test_an_inputs_argument_of_the_wrong_size_says_which_block_is_expected() -> None:
    rows, columns = layout.inputs_shape()
    assert udfs.TCO_HYBRID(47.0, None, None, [[None]]) == (
        f"#TCO! inputs: expected the workbook's TCO_INPUTS block ({rows} × {columns} cells), got a range of 1 × 1 cells")
    assert udfs.TWILIO_COST(47.0, None, [[0.0] * columns] * (rows - 1)).startswith(
        f"#TCO! inputs: expected the workbook's TCO_INPUTS block ({rows} × {columns} cells), got a range of {rows - 1}")
