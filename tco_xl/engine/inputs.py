"""Checked arguments shared by the API, the CLI and the UDFs: agents, metric names, scenario names."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from numbers import Real
from typing import Any, Callable, Iterable

import numpy as np

from ..assumptions import Assumptions
from ..errors import InputError

MAX_AGENTS = 1_000_000

#: metric key -> (label, unit, aliases a finance user may type)
METRICS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "year1": ("Year 1", "USD", ("year 1", "y1", "first year", "year one", "yr1")),
    "annual": ("Annual (years 2..N)", "USD/year", ("annual recurring", "recurring", "yearly", "per year", "yr2")),
    "tco": ("N-year TCO", "USD", ("total", "n-year", "n-year tco", "5-year", "5yr", "5-yr tco", "lifetime")),
    "monthly": ("Monthly", "USD/month", ("month", "per month", "mrr", "monthly recurring")),
    "per_agent_month": ("Per agent per month", "USD/agent/month",
                        ("per agent", "per agent per month", "agent month", "per-agent", "cost per agent")),
    "one_time": ("One-time", "USD", ("one time", "upfront", "capex", "setup")),
}


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_METRIC_ALIASES = {_norm(alias): key for key, (label, _, aliases) in METRICS.items()
                   for alias in (key, label, *aliases)}


def checked_number(value: Any, field: str, expected: str, valid: Callable[[float], bool]) -> float:
    """``value`` as a finite float for which ``valid`` holds; text that reads as a number is accepted,
    booleans are not. Otherwise InputError(field, value, expected)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, expected) from None
    if isinstance(value, bool) or not math.isfinite(number) or not valid(number):
        raise InputError(field, value, expected)
    return number


def agent_count(value: Any, field: str = "agents") -> int:
    """A headcount: a whole number from 1 to 1,000,000; 47.0 (as Excel sends it) and '47' are 47."""
    expected = f"a whole number of agents from 1 to {MAX_AGENTS:,}"
    number = value
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise InputError(field, value, expected) from None
    if isinstance(number, bool) or not isinstance(number, Real) or not math.isfinite(number):
        raise InputError(field, value, expected)
    if number != int(number) or not 1 <= number <= MAX_AGENTS:
        raise InputError(field, value, expected)
    return int(number)


def agent_grid(values: Any, field: str = "agents") -> np.ndarray:
    """Headcounts as a float array of the same shape (at least 1-D), each checked like ``agent_count``."""
    arr = np.atleast_1d(np.asarray(values))
    if arr.dtype.kind not in "iuf":
        return np.array([agent_count(v, field) for v in arr.ravel()], dtype=float).reshape(arr.shape)
    grid = arr.astype(float)
    ok = np.isfinite(grid) & (grid == np.round(grid)) & (grid >= 1) & (grid <= MAX_AGENTS)
    if not ok.all():
        agent_count(arr[~ok].flat[0].item(), field)  # raises the standard message for the first bad one
    return grid


def metric_key(value: Any, field: str = "metric") -> str:
    """Canonical metric key from a name a finance user may type (case and punctuation ignored)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "year1"
    key = _METRIC_ALIASES.get(_norm(str(value)))
    if key is None:
        raise InputError(field, value, "one of " + ", ".join(f"'{k}'" for k in METRICS))
    return key


def scenario_key(a: Assumptions, value: Any, field: str = "scenario", kinds: Iterable[str] | None = None) -> str:
    """Stack key from a key or name ('Hetzner', 'cloud (aws)', 'Fly.io', 'self-hosted'), case-insensitive."""
    kinds = set(kinds) if kinds else None
    stacks = [s for s in a.stacks if kinds is None or s.kind in kinds]
    if isinstance(value, str) and value.strip():
        wanted = _norm(value)
        for stack in stacks:
            if wanted in {_norm(stack.key), _norm(stack.name), "cloud" + _norm(stack.key)}:
                return stack.key
    raise InputError(field, value, "one of " + ", ".join(f"'{s.key}'" for s in stacks))


def llm_key(a: Assumptions, value: Any, field: str = "model") -> str:
    """LLM model key ('gpt-4o', 'Claude 3.5 Sonnet', …) or 'self_hosted', case-insensitive."""
    from ..assumptions import SELF_HOSTED_LLM
    options = [SELF_HOSTED_LLM, *(m.key for m in a.llm_models)]
    names = {_norm(m.key): m.key for m in a.llm_models} | {_norm(m.name): m.key for m in a.llm_models}
    names[_norm(SELF_HOSTED_LLM)] = SELF_HOSTED_LLM
    if isinstance(value, str) and _norm(value) in names:
        return names[_norm(value)]
    raise InputError(field, value, "one of " + ", ".join(f"'{o}'" for o in options))
