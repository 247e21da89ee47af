"""Every result is a finite number: an overflow is an error naming the scenario, the headcount, the line item and
its inputs, the most extreme first (black-box, through tco_xl.price and tco_xl.evaluate)."""

from __future__ import annotations

import numpy as np
import pytest

import tco_xl
from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.errors import NonFiniteResult, TcoError

A = default_assumptions()


def edited(changes: dict[str, float]) -> Assumptions:
    data = A.model_dump()
    data["ranges"] = {}
    for key, value in changes.items():
        group, field = key.split(".")
        data[group][field] = value
    return Assumptions.model_validate(data)


def test_an_overflow_at_one_headcount_of_a_grid_names_that_headcount():
    a = edited({"telephony.number_usd_per_month": 1e303})
    # 1e303 per number: finite for 1 and 10 agents, 1e309 (infinite) for a million
    with pytest.raises(NonFiniteResult) as err:
        tco_xl.evaluate(a, [1, 10, 1_000_000])
    assert str(err.value) == (
        "self_hosted at 1,000,000 agents: the line item 'Twilio phone numbers' has a monthly amount of inf, not a "
        "finite number: an input is too large or too small for it. Its inputs: telephony.number_usd_per_month = "
        "1e+303; telephony.numbers_per_agent = 1")
    assert isinstance(err.value, TcoError)
    grid = tco_xl.evaluate(a, [1, 10])["aws"]
    assert np.all(np.isfinite(grid.tco))


def test_inputs_are_listed_most_extreme_first():
    with pytest.raises(NonFiniteResult) as err:
        tco_xl.price("self_hosted", 47, edited({"hardware.mac_studio_usd": 1e308}))  # 2 units × 1e308
    assert str(err.value).endswith(
        "the line item 'Mac Studio M3 Ultra 512GB/8TB' has a one-time amount of inf, not a finite number: an input is "
        "too large or too small for it. Its inputs: hardware.mac_studio_usd = 1e+308; llm.tokens_per_request = 2000; "
        "capacity.tts_chars_per_sec_per_mac = 450; capacity.llm_tokens_per_sec_per_mac = 150; "
        "llm.requests_per_agent_per_day = 100; usage.calls_per_agent_per_day = 40; capacity.agents_per_mac_studio = 25; "
        "usage.working_days_per_month = 22; hardware.hours_per_day = 16; capacity.stt_streams_per_mac = 8.5; "
        "usage.minutes_per_call = 8; capacity.min_mac_studios = 2; usage.transcribed_share = 0; "
        "usage.tts_characters_per_call = 0; capacity.failover_ratio = 0")
    # |log10|: 308, 3.3, 2.65, 2.2, 2, 1.6, 1.4, 1.34, 1.2, 0.93, 0.9, 0.3, then the zeros (sheet order)


def test_a_total_that_overflows_names_the_three_largest_items():
    with pytest.raises(NonFiniteResult) as err:
        tco_xl.price("self_hosted", 47, edited({"telephony.number_usd_per_month": 1e306}))
    # 47 numbers × 1e306 = 4.7e307 USD/month: finite; Year 1 = 12 × that: not. Next largest: the 2 Mac Studios
    # ($23,998 once) and the outbound calls ($2,316.16/month)
    assert "the year1 total comes to inf USD, not a finite number: the line items are too large to add up. Largest: " \
           "'Twilio phone numbers' (up to 4.7e+307 USD/month, 0 USD one-time); 'Mac Studio M3 Ultra 512GB/8TB' " \
           "(up to 0 USD/month, 2.4e+04 USD one-time); 'Twilio outbound calls' (up to 2.32e+03 USD/month, 0 USD " \
           "one-time). Its inputs: " in str(err.value)


def test_huge_but_finite_results_are_results():
    r = tco_xl.price("aws", 47, edited({"telephony.number_usd_per_month": 1e300}))
    assert r.monthly == pytest.approx(47e300) and np.isfinite(r.tco)


def test_a_breakdown_row_per_line_item_with_its_annual_amount():
    df = tco_xl.price("hetzner", 1_200).breakdown()
    db = df[df["item"] == "AX102 (self-managed PostgreSQL)"].iloc[0]
    # ceil(1,200 / 500) = 3 servers × €165 × 1.068 = $528.66/month; × 12 = $6,343.92/year
    assert (db.quantity, db.monthly_usd, db.annual_usd) == pytest.approx((3, 528.66, 6_343.92))
    assert list(df.annual_usd) == pytest.approx(list(12 * df.monthly_usd))


def test_an_overflow_on_a_line_priced_in_euros_names_its_numeric_inputs():
    a = default_assumptions()
    i = next(i for i, line in enumerate(a.gpu_servers) if line.currency == "EUR")  # Hetzner's GPU server, €/month
    servers = [line.model_copy(update={"unit_price": 1e308}) if j == i else line for j, line in enumerate(a.gpu_servers)]
    a = a.model_copy(update={"gpu_servers": servers}).with_llm("gpu")
    # hybrid rents Hetzner's GPU servers: 1 server × 1e308 EUR × finance.eur_usd (> 1) is 1e308 USD/month or more,
    # and a year of it overflows; the line's currency (text) is one of its inputs but no magnitude: left out
    with pytest.raises(NonFiniteResult) as err:
        tco_xl.price("hybrid", 47, a)
    text = str(err.value)
    assert text.startswith("hybrid at 47 agents: ") and "not a finite number" in text
    assert f"Its inputs: gpu_servers[{i}].unit_price = 1e+308; " in text and "EUR" not in text
