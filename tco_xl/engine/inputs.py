"""Checked arguments shared by the API, the CLI and the UDFs: agents, metric names, scenario names."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

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


#: The metrics a side-by-side comparison shows, in order (one-time is folded into Year 1).
COMPARISON_METRICS = ("year1", "annual", "tco", "monthly", "per_agent_month")


def metric_label(metric: str, horizon: int) -> str:
    """A metric's label with the horizon written out: 'Annual (years 2..5)', '5-year TCO'."""
    return METRICS[metric][0].replace("N-year", f"{horizon}-year").replace("..N", f"..{horizon}")


@lru_cache(maxsize=4096)
def norm_text(text: str) -> str:
    """Lower-case letters and digits only: how names typed by users are compared ("Fly.io" ~ "flyio")."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_METRIC_ALIASES = {norm_text(alias): key for key, (label, _, aliases) in METRICS.items()
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


def whole_number(value: Any, field: str, low: int, high: int, expected: str | None = None) -> int:
    """``value`` as an int from ``low`` to ``high`` (47.0, as Excel sends it, is 47)."""
    expected = expected or f"a whole number from {low:,} to {high:,}"
    return int(checked_number(value, field, expected, lambda n: n == int(n) and low <= n <= high))


def agent_count(value: Any, field: str = "agents") -> int:
    """A headcount: a whole number from 1 to 1,000,000; 47.0 (as Excel sends it), '47' and '1,000' are accepted."""
    expected = f"a whole number of agents from 1 to {MAX_AGENTS:,}"
    text = value.strip().replace(",", "") if isinstance(value, str) else value
    try:
        return whole_number(text, field, 1, MAX_AGENTS, expected)
    except InputError:
        raise InputError(field, value, expected) from None


def agent_grid(values: Any, field: str = "agents") -> np.ndarray:
    """Headcounts as a float array of the same shape (at least 1-D), each checked like ``agent_count``."""
    arr = np.atleast_1d(np.asarray(values))
    if arr.dtype.kind not in "iuf":
        return np.array([agent_count(v, field) for v in arr.ravel().tolist()], dtype=float).reshape(arr.shape)
    grid = arr.astype(float)
    ok = np.isfinite(grid) & (grid == np.round(grid)) & (grid >= 1) & (grid <= MAX_AGENTS)
    if not ok.all():
        agent_count(arr[~ok].flat[0].item(), field)  # raises the standard message for the first bad one
    return grid


def metric_key(value: Any, field: str = "metric") -> str:
    """Canonical metric key from a name a finance user may type (case and punctuation ignored)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "year1"
    key = _METRIC_ALIASES.get(norm_text(str(value)))
    if key is None:
        raise InputError(field, value, "one of " + ", ".join(f"'{k}'" for k in METRICS))
    return key


def scenario_key(a: Assumptions, value: Any, field: str = "scenario", kinds: Iterable[str] | None = None) -> str:
    """Stack key from a key or name ('Hetzner', 'cloud (aws)', 'Fly.io', 'self-hosted'), case-insensitive."""
    kinds = set(kinds) if kinds else None
    stacks = [s for s in a.stacks if kinds is None or s.kind in kinds]
    if isinstance(value, str) and value.strip():
        wanted = norm_text(value)
        for stack in stacks:
            if wanted in {norm_text(stack.key), norm_text(stack.name), "cloud" + norm_text(stack.key)}:
                return stack.key
    raise InputError(field, value, "one of " + ", ".join(f"'{s.key}'" for s in stacks))


def llm_key(a: Assumptions, value: Any, field: str = "model") -> str:
    """LLM inference by key or name, case-insensitive: an API model ('gpt-4o', 'Claude 3.5 Sonnet', …), a GPU group
    ('gpu_aws'), 'self_hosted' (each stack's own hardware) or 'gpu' (each stack's GPU column)."""
    from ..assumptions import GPU_LLM, SELF_HOSTED_LLM
    options = [SELF_HOSTED_LLM, GPU_LLM, *(m.key for m in a.llm_models), *a.gpu_groups()]
    names = {norm_text(m.key): m.key for m in a.llm_models} | {norm_text(m.name): m.key for m in a.llm_models}
    names |= {norm_text(o): o for o in (SELF_HOSTED_LLM, GPU_LLM, *a.gpu_groups())}
    if isinstance(value, str) and norm_text(value) in names:
        return names[norm_text(value)]
    raise InputError(field, value, "one of " + ", ".join(f"'{o}'" for o in options))
