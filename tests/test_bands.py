"""Default uncertainty bands: every uncertain input gets a range, bands are data, the guide lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tco_xl.assumptions import default_assumptions, scalar_specs
from tco_xl.assumptions.bands import BANDS, FX, GROWTH, USAGE_VOLUME, VENDOR_PRICE

A = default_assumptions()
DOC = Path(__file__).resolve().parents[1] / "docs" / "uncertainty.md"
#: Not uncertain (definitions, design rules, settings): docs/uncertainty.md lists them as such.
NOT_UNCERTAIN = {
    "usage.reference_agents", "usage.working_days_per_month", "telephony.numbers_per_agent", "hardware.days_per_month",
    "capacity.min_mac_studios", "capacity.mac_studios_per_site", "capacity.min_sites", "capacity.min_db_servers",
    "finance.horizon_years", "finance.hours_per_month", "finance.eur_bgn", "finance.discount_rate",
    "finance.hardware_life_years", "finance.hardware_salvage_share",
    "usage.scaled_quantity_range", "llm.api_price_range", "support.stack_range",  # ranges of table cells
    "support.mid_agents", "support.high_agents", "capacity.min_gpu_servers", "capacity.gpu_capacity_range",
    "telephony.minutes_discount", "capacity.at_scale_agents",  # settings the what-ifs change (0 and unused by default)
}


def test_every_uncertain_scalar_has_the_reports_range_or_a_band_and_its_source_says_which():
    for spec in scalar_specs():
        if spec.is_text or spec.key in NOT_UNCERTAIN:
            assert spec.band is None, spec.key
            continue
        reported = spec.low is not None or spec.high is not None
        assert reported != (spec.band is not None), spec.key  # one or the other
        if spec.band is not None:
            assert spec.source.endswith(f"range {spec.band.shown}: default band for {spec.band.kind}, not from "
                                        "the report"), spec.key


def test_every_priced_line_without_the_reports_range_is_marked_with_the_vendor_price_band():
    for line in A.providers + A.options:
        if line.unit_price and line.price_low is None and line.price_high is None:
            assert VENDOR_PRICE.source in line.source, line.line
    pentest = next(line for line in A.options if line.group == "security_pentest")
    assert (pentest.price_low, pentest.price_high) == (3000, 5000) and VENDOR_PRICE.source not in pentest.source


@pytest.mark.parametrize(("band", "value", "expected"), [
    (VENDOR_PRICE, 0.013, (0.0117, 0.0143)),  # $0.013/min ± 10%
    (USAGE_VOLUME, 40, (30, 50)),  # 40 calls ± 25%
    (GROWTH, 0, (-0.03, 0.03)),  # 0%/year ± 3 points: an amount, a share of 0 would be no range
    (FX, 1.068, (0.9612, 1.1748)),  # 1.068 × 0.9 and × 1.1
])
def test_a_band_is_a_width_around_the_value(band, value, expected):
    assert band.bounds(value) == pytest.approx(expected)


def test_a_band_stays_within_the_inputs_bounds():
    # a share of 0.9 ± 25% would reach 1.125: kept at the share's ceiling of 1
    assert USAGE_VOLUME.bounds(0.9, 0, 1) == (0.675, 1)


def test_the_guide_lists_every_band_with_its_width():
    text = DOC.read_text(encoding="utf-8")
    for band in BANDS:
        assert f"| {band.kind} | {band.shown}" in text, band.kind
