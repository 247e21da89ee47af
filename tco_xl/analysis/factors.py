"""Factors: the numeric assumptions an analysis may move, each with a base, a low and a high.

A factor is a scalar assumption (``network.internet_usd_per_site_month``) or a table cell
(``options[15].unit_price``), named as ``Assumptions.origins`` and ``Component.keys`` name them.
Its low/high is the workbook's range where one is given (the Ranges of scalar assumptions,
``price_low``/``price_high`` of price lines), else base ± ``spread`` (20%) kept inside the field's bounds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..assumptions import GROUPS, Assumptions, PriceLine, scalar_specs
from ..assumptions._field import range_bounds

#: Share an assumption without a workbook range moves down and up.
SPREAD = 0.20
#: The TCO horizon defines the metric itself; it is a setting, not an uncertain input.
SETTINGS = frozenset({"finance.horizon_years"})
#: Units of scalar assumptions that count whole things (moved to whole numbers).
WHOLE_UNITS = frozenset({"units", "sites", "servers"})
#: Numeric table fields a factor may move, per table. Price-line quantities move only where the
#: driver is 'scaled' (an estimated volume); elsewhere they are multipliers of a count.
TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "providers": ("unit_price", "quantity"), "options": ("unit_price", "quantity"),
    "llm_models": ("input_usd_per_1k", "output_usd_per_1k"), "stacks": ("support_hours", "setup_usd"),
}
_ESTIMATED_QUANTITY = frozenset({"scaled"})
_CELL = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


@dataclass(frozen=True)
class Factor:
    """One movable assumption: key, what it is, and its low / base / high (in its own unit)."""

    key: str
    label: str
    unit: str
    base: float
    low: float
    high: float
    ranged: bool  # True when low/high come from the workbook, False for base ± spread

    @property
    def range_source(self) -> str:
        return "workbook" if self.ranged else f"±{SPREAD:.0%}"


def factors(a: Assumptions, spread: float = SPREAD) -> list[Factor]:
    """Every numeric assumption the engine reads (scalars, then table cells), with its low and high."""
    out = []
    for spec in scalar_specs():
        if spec.is_text or spec.key in SETTINGS:
            continue
        base = float(a.value(spec.key))
        rng = a.ranges.get(spec.key)
        given = None if rng is None else _workbook_range(base, rng.low, rng.high)
        whole = spec.is_int or spec.unit in WHOLE_UNITS
        low, high = given or _spread(base, spread, GROUPS[spec.group], spec.field, whole)
        out.append(Factor(spec.key, spec.label, spec.unit, base, low, high, given is not None))
    for table, fields in TABLE_FIELDS.items():
        for i, row in enumerate(getattr(a, table)):
            for field in fields:
                if isinstance(row, PriceLine) and field == "quantity" and row.driver not in _ESTIMATED_QUANTITY:
                    continue
                out.append(_cell_factor(f"{table}[{i}].{field}", row, field, spread))
    return out


def ranged_factors(a: Assumptions) -> list[Factor]:
    """Factors with a workbook range that is not a single point (what Monte Carlo draws)."""
    return [f for f in factors(a) if f.ranged and f.low < f.high]


def with_factors(a: Assumptions, values: dict[str, Any]) -> Assumptions:
    """A copy of ``a`` with factor ``values`` (numbers or numpy arrays) put in, unvalidated.

    Scalars go through ``Assumptions.with_values``; table cells replace the field on a copy of the row.
    """
    scalars = {k: v for k, v in values.items() if not _CELL.match(k)}
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for key, value in values.items():
        if match := _CELL.match(key):
            table, index, field = match.groups()
            rows.setdefault((table, int(index)), {})[field] = value
    out = a.with_values(scalars) if scalars else a
    tables: dict[str, list[BaseModel]] = {}
    for (table, index), fields in rows.items():
        current = tables.setdefault(table, list(getattr(out, table)))
        row = current[index]
        current[index] = type(row).model_construct(**{**row.__dict__, **fields})
    return out.model_construct(**{**out.__dict__, **tables}) if tables else out


def _cell_factor(key: str, row: BaseModel, field: str, spread: float) -> Factor:
    base = float(getattr(row, field))
    label, unit = _cell_label(row, field)
    given = None
    if isinstance(row, PriceLine) and field == "unit_price":
        given = _workbook_range(base, row.price_low, row.price_high)
    low, high = given or _spread(base, spread, type(row), field, whole=False)
    return Factor(key, label, unit, base, low, high, given is not None)


def _workbook_range(base: float, low: float | None, high: float | None) -> tuple[float, float] | None:
    """The workbook's (low, high), a missing side at the base; None when neither side is given."""
    return None if low is None and high is None else range_bounds(base, low, high)


def _cell_label(row: Any, field: str) -> tuple[str, str]:
    """Label and unit of a table cell, e.g. ('hetzner · AX162-S dedicated server: unit price', 'EUR/server')."""
    if isinstance(row, PriceLine):
        per = {"hour": "/h", "month": "/month", "year": "/year"}[row.billing]
        if field == "unit_price":
            return f"{row.group} · {row.line}: unit price", f"{row.currency}/{row.unit}{per}"
        return f"{row.group} · {row.line}: quantity at reference", row.unit
    name = getattr(row, "name", "")
    text = {"input_usd_per_1k": ("input price", "USD/1K tokens"),
            "output_usd_per_1k": ("output price", "USD/1K tokens"),
            "support_hours": ("support hours at reference", "h/month"), "setup_usd": ("setup", "USD one-time")}
    what, unit = text[field]
    return f"{name}: {what}", unit


def _spread(base: float, spread: float, model: type[BaseModel], field: str, whole: bool) -> tuple[float, float]:
    """base × (1 ∓ spread) (the lower first, for a negative base too), widened to whole numbers when ``whole``,
    clamped to the field's bounds."""
    low, high = sorted((base * (1 - spread), base * (1 + spread)))
    if whole:
        low, high = math.floor(low), math.ceil(high)
    floor, ceiling = _bounds(model, field)
    return max(low, floor), min(high, ceiling)


def _bounds(model: type[BaseModel], field: str) -> tuple[float, float]:
    """The (inclusive) bounds pydantic enforces on ``field``; a strict bound 'gt' is kept as is."""
    floor, ceiling = -math.inf, math.inf
    for item in model.model_fields[field].metadata:
        for name in ("ge", "gt"):
            if getattr(item, name, None) is not None:
                floor = getattr(item, name)
        for name in ("le", "lt"):
            if getattr(item, name, None) is not None:
                ceiling = getattr(item, name)
    return floor, ceiling
