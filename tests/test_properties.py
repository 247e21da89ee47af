"""Invariants of the engine over random headcounts and random valid assumptions (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tco_xl.assumptions import Assumptions, default_assumptions, scalar_specs
from tco_xl.engine import evaluate

A = default_assumptions()
# Numeric scalars without a range (a range must bracket the value), scaled by a random factor.
_NUMERIC = [s for s in scalar_specs() if not s.is_text and s.low is None and s.high is None]


@st.composite
def assumptions(draw) -> Assumptions:
    groups: dict[str, dict] = {}
    for spec in draw(st.lists(st.sampled_from(_NUMERIC), max_size=8, unique_by=lambda s: s.key)):
        info = type(getattr(A, spec.group)).model_fields[spec.field]
        upper = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
        if spec.is_int:
            value = draw(st.integers(1, 15 if upper is None else int(upper)))
        else:
            value = spec.default * draw(st.floats(0.05, 3.0))
            value = value if upper is None else min(value, upper)
        groups.setdefault(spec.group, {})[spec.field] = value
    try:  # some draws break a rule between inputs (support headcounts must increase): not valid assumptions
        return Assumptions(**{g: getattr(A, g).model_copy(update=v) for g, v in groups.items()})
    except ValidationError:
        assume(False)
        raise


agent_lists = st.lists(st.integers(1, 5000), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(a=assumptions(), agents=agent_lists)
def test_line_items_sum_to_totals(a, agents):
    for r in evaluate(a, agents).values():
        monthly = sum(np.broadcast_to(c.monthly, r.monthly.shape) for c in r.components)
        one_time = sum(np.broadcast_to(c.one_time, r.monthly.shape) for c in r.components)
        np.testing.assert_allclose(monthly, r.monthly, rtol=1e-12)
        np.testing.assert_allclose(one_time, r.one_time, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(a=assumptions(), agents=agent_lists)
def test_horizon_identity_and_year1_at_least_annual(a, agents):
    h = a.finance.horizon_years
    for r in evaluate(a, agents).values():
        np.testing.assert_allclose(r.tco, r.year1 + (h - 1) * r.annual, rtol=1e-12)
        assert np.all(r.year1 >= r.annual)
        np.testing.assert_allclose(r.per_agent_month * 12 * h * r.agents, r.tco, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(a=assumptions(), start=st.integers(1, 3000), span=st.integers(1, 400))
def test_costs_never_decrease_when_agents_grow(a, start, span):
    agents = np.arange(start, start + span + 1)
    for key, r in evaluate(a, agents).items():
        for metric in ("monthly", "one_time", "year1", "tco"):
            values = np.asarray(getattr(r, metric))
            assert np.all(np.diff(values) >= -1e-9 * np.abs(values[1:])), (key, metric)
