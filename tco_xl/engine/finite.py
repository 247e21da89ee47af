"""Every result the engine hands out is a finite number: an overflow is an error naming its line item and inputs.

Valid but extreme inputs (1e308 calls a day, an absurdly small capacity) can make a product overflow to
infinity, and infinity × 0 is NaN. ``finite_results`` wraps the functions that produce results
(``evaluate``, the per-call price): it computes them with numpy's overflow warnings off, then checks
every line item (quantity, unit price, monthly, one-time) and every total,
and raises ``NonFiniteResult`` naming the scenario, the headcount, the line item and the value of each
assumption it came from (``Component.keys``), the most extreme first, with its cell when the assumptions
were read from a workbook.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from ..assumptions import Assumptions
from ..errors import NonFiniteResult
from .components import Component

F = TypeVar("F", bound=Callable[..., Any])

_TOTALS = {"monthly": "USD/month", "one_time": "USD", "year1": "USD", "tco": "USD",
           "per_agent_month": "USD/agent/month"}
_CELL_KEY = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")


def finite_results(fn: F) -> F:
    """Decorate a function ``fn(a, ...)`` returning a ScenarioResult or a dict of them: its results are
    computed with numpy's overflow warnings off and checked; a non-finite one raises NonFiniteResult."""
    @functools.wraps(fn)
    def wrapper(a: Assumptions, *args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = fn(a, *args, **kwargs)
            for result in out.values() if isinstance(out, dict) else (out,):
                _check(a, result)
        return out
    return wrapper  # type: ignore[return-value]


def _check(a: Assumptions, r: Any) -> None:
    """Raise NonFiniteResult for the first line item, then the first total, of ``r`` that is not finite."""
    checked: set[int] = set()  # arrays shared by several items (the headcounts, a quantity in its terms)
    for c in r.components:
        for what, value in _numbers(c):
            if isinstance(value, np.ndarray):
                if id(value) in checked:
                    continue
                checked.add(id(value))
            if not _finite(value):
                array = np.asarray(value, dtype=float)
                bad = ~np.isfinite(array)
                raise NonFiniteResult(
                    f"{r.key} at {_agents_at(r.agents, bad)} agents: the line item '{c.name}' has a {what} of "
                    f"{_first(array, bad)}, not a finite number: an input is too large or too small for it. "
                    f"{_inputs(a, c.keys)}")
    for total, unit in _TOTALS.items():
        if not _finite(getattr(r, total)):
            value = np.asarray(getattr(r, total), dtype=float)
            bad = ~np.isfinite(value)
            largest = sorted(r.components, key=lambda c: -float(np.max(np.abs(np.asarray(c.monthly, dtype=float))
                                                                         + np.abs(np.asarray(c.one_time)))))[:3]
            items = "; ".join(f"'{c.name}' (up to {np.max(np.abs(c.monthly)):.3g} USD/month, "
                              f"{np.max(np.abs(c.one_time)):.3g} USD one-time)" for c in largest)
            keys = tuple(dict.fromkeys(k for c in largest for k in c.keys))
            raise NonFiniteResult(
                f"{r.key} at {_agents_at(r.agents, bad)} agents: the {total.replace('_', ' ')} total comes to "
                f"{_first(value, bad)} {unit}, not a finite number: the line items are too large to add up. "
                f"Largest: {items}. {_inputs(a, keys)}")


def _finite(value: Any) -> bool:
    if isinstance(value, (float, int)):
        return math.isfinite(value)
    return bool(np.isfinite(value).all())


def _numbers(c: Component) -> list[tuple[str, Any]]:
    """The numeric parts of a line item: its amounts, quantity and unit price."""
    return [("monthly amount", c.monthly), ("one-time amount", c.one_time), ("quantity", c.quantity),
            ("unit price", c.unit_price)]


def _agents_at(agents: Any, bad: np.ndarray) -> str:
    """The headcount at the first non-finite point of a result's grid."""
    grid = np.broadcast_to(np.asarray(agents, dtype=float), bad.shape) if bad.ndim else np.asarray(agents)
    first = grid[np.unravel_index(np.argmax(bad), bad.shape)] if bad.ndim else grid
    return f"{float(np.asarray(first).flat[0]):,.0f}"


def _first(value: np.ndarray, bad: np.ndarray) -> str:
    return str(float(value[np.unravel_index(np.argmax(bad), bad.shape)] if bad.ndim else value))


def _inputs(a: Assumptions, keys: tuple[str, ...]) -> str:
    """'Its inputs: key = value (Sheet!cell); …', the most extreme value (furthest from 1 in magnitude) first."""
    found = []
    for key in keys:
        value = _value(a, key)
        if value is None or isinstance(value, str):  # text (a currency, a billing period) is not a magnitude
            continue
        where = a.origins.get(key)
        found.append((_extremeness(value), f"{key} = {_shown(value)}" + (f" ({where})" if where else "")))
    if not found:
        return ""
    return "Its inputs: " + "; ".join(text for _, text in sorted(found, key=lambda x: -x[0]))


def _value(a: Assumptions, key: str) -> Any:
    """The value of an assumption key or table cell ('providers[3].unit_price'); None if there is none."""
    if match := _CELL_KEY.fullmatch(key):
        table, index, field = match.groups()
        rows = getattr(a, table, None)
        return getattr(rows[int(index)], field, None) if rows is not None and int(index) < len(rows) else None
    try:
        return a.value(key)
    except KeyError:
        return None


def _extremeness(value: Any) -> float:
    """How far from ordinary a value is: |log10 |v|| of its largest or smallest non-zero magnitude."""
    magnitudes = np.abs(np.asarray(value, dtype=float)).ravel()
    magnitudes = magnitudes[(magnitudes > 0) & np.isfinite(magnitudes)]
    if magnitudes.size == 0:
        return 0.0
    return max(abs(math.log10(magnitudes.max())), abs(math.log10(magnitudes.min())))


def _shown(value: Any) -> str:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.6g}"
    return f"{arr.min():.6g}..{arr.max():.6g} (drawn)"
