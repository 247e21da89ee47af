"""Bad input is met with an error naming the field, the value and what was expected."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from tco_xl.assumptions import Assumptions, Telephony, default_assumptions
from tco_xl.engine import evaluate, metric_key, price, scenario_key
from tco_xl.errors import InputError

A = default_assumptions()
EXPECTED = "expected a whole number of agents from 1 to 1,000,000"


@pytest.mark.parametrize("bad", [0, -3, 47.5, "abc", None, True, float("nan"), float("inf"), 1_000_001, [47]])
def test_bad_agent_counts(bad):
    with pytest.raises(InputError) as info:
        price("hybrid", bad)
    assert str(info.value) == f"agents: {EXPECTED}, got {'nothing' if bad is None else repr(bad)}"


@pytest.mark.parametrize("bad", [np.str_("0"), np.float64(47.5), np.int64(0)])
def test_numpy_values_are_quoted_as_the_values_they_hold(bad):
    # what a CLI option list or a DataFrame column hands over: never "np.str_('0')" in a message
    with pytest.raises(InputError) as info:
        price("hybrid", bad)
    assert str(info.value) == f"agents: {EXPECTED}, got {bad.item()!r}"
    assert "np." not in str(info.value)


@pytest.mark.parametrize("good, n", [(47, 47), (47.0, 47), ("47", 47), (np.int64(100), 100), (np.float64(500.0), 500)])
def test_excel_shaped_agent_counts(good, n):
    assert price("hybrid", good).agents == n


def test_bad_value_in_a_grid_is_named():
    with pytest.raises(InputError, match=r"agents: expected .*, got 47\.5"):
        evaluate(A, [1, 47.5, 3])


def test_negative_rate_is_rejected_by_the_model():
    with pytest.raises(ValidationError) as info:
        Telephony(inbound_usd_per_min=-0.013)
    err = info.value.errors()[0]
    assert err["loc"] == ("inbound_usd_per_min",) and err["type"] == "greater_than_equal"


def test_share_above_one_is_rejected():
    with pytest.raises(ValidationError, match="inbound_share"):
        Assumptions(usage={"inbound_share": 1.2})


@pytest.mark.parametrize("name, key", [("Hetzner", "hetzner"), ("cloud (aws)", "aws"), ("Fly.io", "flyio"),
                                       ("Self-Hosted", "self_hosted"), ("HYBRID_OPTIMIZED", "hybrid_optimized"),
                                       ("Cloud (Google Cloud)", "gcp")])
def test_scenario_names_a_user_may_type(name, key):
    assert scenario_key(A, name) == key


def test_unknown_scenario_lists_the_valid_ones():
    with pytest.raises(InputError) as info:
        price("linode", 47)
    assert str(info.value).startswith("scenario: expected one of 'self_hosted', 'hybrid', ")
    assert str(info.value).endswith(", got 'linode'")


def test_cloud_only_names_reject_other_kinds():
    with pytest.raises(InputError, match="got 'hybrid'"):
        scenario_key(A, "hybrid", "provider", kinds={"cloud"})


@pytest.mark.parametrize("name, key", [(None, "year1"), ("", "year1"), ("Year 1", "year1"), ("TCO", "tco"),
                                       ("5-year", "tco"), ("per agent per month", "per_agent_month"),
                                       ("Annual", "annual"), ("MONTHLY", "monthly")])
def test_metric_names(name, key):
    assert metric_key(name) == key


def test_unknown_metric():
    with pytest.raises(InputError, match=r"metric: expected one of 'year1', .*got 'weekly'"):
        metric_key("weekly")


def test_unknown_provider_in_a_stack_is_a_reference_error():
    stacks = [s.model_copy(update={"provider": "linode"}) if s.key == "aws" else s for s in A.stacks]
    with pytest.raises(ValidationError, match=r"stacks\.3\.provider: found 'linode', expected a provider"):
        Assumptions(stacks=stacks)
