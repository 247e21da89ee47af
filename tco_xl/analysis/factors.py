"""Factors: the numeric assumptions an analysis may move, each with a base, a low and a high.

A factor is a scalar assumption (``network.internet_usd_per_site_month``) or a table cell
(``options[15].unit_price``), named as ``Assumptions.origins`` and ``Component.keys`` name them.
Its low/high is the workbook's range where one is given (the Low/High of scalar assumptions,
``price_low``/``price_high`` of price lines: the report's range); where they are blank, the default band
of the input's kind around its value (``ScalarSpec.band``, ``PRICE_BAND``); for table cells without range
columns ± the share held in a scalar assumption (``TABLE_RANGES``). Otherwise base ± ``spread`` (20%,
sensitivity only). Ranges are kept inside the field's bounds. Monte Carlo draws the ranged factors that
some scenario's line items read (``ranged_factors``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..assumptions import GROUPS, Assumptions, PriceLine, scalar_specs
from ..assumptions._field import range_bounds
from ..assumptions.bands import Band, around
from ..assumptions.pricelist import PRICE_BAND
from ..engine import evaluate
from ..engine.cache import by_content

#: Share an assumption without a workbook range moves down and up.
SPREAD = 0.20
#: Table cells without Low/High columns: the scalar assumption whose share (±) gives their range.
TABLE_RANGES: dict[tuple[str, str], str] = {
    ("providers", "quantity"): "usage.scaled_quantity_range", ("options", "quantity"): "usage.scaled_quantity_range",
    ("llm_models", "input_usd_per_1k"): "llm.api_price_range",
    ("llm_models", "output_usd_per_1k"): "llm.api_price_range",
    ("stacks", "support_hours"): "support.stack_range", ("stacks", "setup_usd"): "support.stack_range",
    ("stacks", "support_hours_mid"): "support.stack_range", ("stacks", "support_hours_high"): "support.stack_range",
    ("gpu_servers", "quantity"): "usage.scaled_quantity_range",
    **{("gpu_servers", f): "capacity.gpu_capacity_range" for f in ("tokens_per_sec", "stt_streams",
                                                                   "tts_chars_per_sec")},
}
#: The TCO horizon defines the metric itself and the range shares define ranges: settings, not uncertain inputs.
SETTINGS = frozenset({"finance.horizon_years", *TABLE_RANGES.values()})
#: Units of scalar assumptions that count whole things (moved to whole numbers).
WHOLE_UNITS = frozenset({"units", "sites", "servers"})
#: Numeric table fields a factor may move, per table. Price-line quantities move only where the
#: driver is 'scaled' (an estimated volume); elsewhere they are multipliers of a count.
TABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "providers": ("unit_price", "quantity"), "options": ("unit_price", "quantity"),
    "llm_models": ("input_usd_per_1k", "output_usd_per_1k"),
    "gpu_servers": ("unit_price", "quantity", "tokens_per_sec", "stt_streams", "tts_chars_per_sec"),
    "stacks": ("support_hours", "support_hours_mid", "support_hours_high", "setup_usd"),
}
WORKBOOK, SPREAD_SOURCE = "workbook", f"±{SPREAD:.0%}"
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
    range_source: str  # 'workbook' (Low/High cells or a range share), 'band ±10%' or '±20%' (sensitivity's spread)

    @property
    def ranged(self) -> bool:
        """True when the range is the workbook's or a band (what Monte Carlo may draw), False for base ± spread."""
        return self.range_source != SPREAD_SOURCE


def factors(a: Assumptions, spread: float = SPREAD) -> list[Factor]:
    """Every numeric assumption the engine reads (scalars, then table cells), with its low and high."""
    out = []
    for spec in scalar_specs():
        if spec.is_text or spec.key in SETTINGS:
            continue
        base = float(a.value(spec.key))
        rng = a.ranges.get(spec.key)
        model = GROUPS[spec.group]
        given = None if rng is None else _workbook_range(base, rng.low, rng.high)
        if given is not None:
            out.append(Factor(spec.key, spec.label, spec.unit, base, *given, WORKBOOK))
        elif spec.band is not None:
            out.append(_banded(spec.key, spec.label, spec.unit, base, spec.band, model, spec.field))
        else:
            whole = spec.is_int or spec.unit in WHOLE_UNITS
            out.append(Factor(spec.key, spec.label, spec.unit, base,
                              *_spread(base, spread, model, spec.field, whole), SPREAD_SOURCE))
    for table, fields in TABLE_FIELDS.items():
        for i, row in enumerate(getattr(a, table)):
            for field in fields:
                if isinstance(row, PriceLine) and field == "quantity" and row.driver not in _ESTIMATED_QUANTITY:
                    continue
                share = a.value(TABLE_RANGES[table, field]) if (table, field) in TABLE_RANGES else None
                out.append(_cell_factor(f"{table}[{i}].{field}", row, field, spread, share))
    return out


def ranged_factors(a: Assumptions) -> list[Factor]:
    """What Monte Carlo draws: factors with a range (the workbook's or a band) that is not a single point
    and that some scenario's line items read (an unused option's price is not drawn)."""
    read = read_keys(a)
    return [f for f in factors(a) if f.ranged and f.low < f.high and f.key in read]


@by_content(maxsize=8)
def read_keys(a: Assumptions) -> frozenset[str]:
    """Every assumption key (scalar or table cell) that some scenario's line items read."""
    return frozenset(k for r in evaluate(a, [1]).values() for c in r.components for k in c.keys)


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


def _cell_factor(key: str, row: BaseModel, field: str, spread: float, share: float | None) -> Factor:
    """A table cell: a price line's unit price ranges over Price low/high, cells of TABLE_RANGES by ± ``share``."""
    base = float(getattr(row, field))
    label, unit = _cell_label(row, field)
    given = None
    if isinstance(row, PriceLine) and field == "unit_price":
        given = _workbook_range(base, row.price_low, row.price_high)
        if given is None:
            return _banded(key, label, unit, base, PRICE_BAND, type(row), field)
    elif share is not None:
        given = around(base, share, True, *_bounds(type(row), field))
    if given is None:
        return Factor(key, label, unit, base, *_spread(base, spread, type(row), field, whole=False), SPREAD_SOURCE)
    return Factor(key, label, unit, base, *given, WORKBOOK)


def _banded(key: str, label: str, unit: str, base: float, band: Band, model: type[BaseModel], field: str) -> Factor:
    """A factor ranged by the default band of its kind, within the field's bounds."""
    return Factor(key, label, unit, base, *band.bounds(base, *_bounds(model, field)), f"{band.shown} {band.kind}")


def _workbook_range(base: float, low: float | None, high: float | None) -> tuple[float, float] | None:
    """The workbook's (low, high), a missing side at the base; None when neither side is given."""
    return None if low is None and high is None else range_bounds(base, low, high)


_CAPACITIES = {"tokens_per_sec": ("LLM tokens/s per server", "tokens/s"),
               "stt_streams": ("speech-to-text streams per server", "streams"),
               "tts_chars_per_sec": ("text-to-speech characters/s per server", "characters/s")}


def _cell_label(row: Any, field: str) -> tuple[str, str]:
    """Label and unit of a table cell, e.g. ('hetzner · AX162-S dedicated server: unit price', 'EUR/server')."""
    if isinstance(row, PriceLine):
        per = {"hour": "/h", "month": "/month", "year": "/year"}[row.billing]
        if field == "unit_price":
            return f"{row.group} · {row.line}: unit price", f"{row.currency}/{row.unit}{per}"
        if field in _CAPACITIES:
            what, unit = _CAPACITIES[field]
            return f"{row.group} · {row.line}: {what}", unit
        return f"{row.group} · {row.line}: quantity at reference", row.unit
    name = getattr(row, "name", "")
    text = {"input_usd_per_1k": ("input price", "USD/1K tokens"),
            "output_usd_per_1k": ("output price", "USD/1K tokens"),
            "support_hours": ("support hours at reference", "h/month"), "setup_usd": ("setup", "USD one-time"),
            "support_hours_mid": ("support hours at the second headcount", "h/month"),
            "support_hours_high": ("support hours at the third headcount", "h/month")}
    what, unit = text[field]
    return f"{name}: {what}", unit


def _spread(base: float, spread: float, model: type[BaseModel], field: str, whole: bool) -> tuple[float, float]:
    """base × (1 ∓ spread), widened to whole numbers when ``whole``, clamped to the field's bounds."""
    low, high = base * (1 - spread), base * (1 + spread)
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
