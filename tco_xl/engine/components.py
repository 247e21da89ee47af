"""The cost component: the unit of explanation. Every money figure is a sum of these."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Num = float | np.ndarray


@dataclass(frozen=True)
class Component:
    """One line item of a scenario, evaluated over a grid (scalars or broadcastable numpy arrays).

    ``monthly`` is recurring USD/month, ``one_time`` USD paid once in year 1. ``basis`` is a format
    string over ``terms`` that says how the quantity and price were derived; ``keys`` are the
    assumptions (scalar keys or table cells such as ``providers[3].unit_price``) it came from.
    """

    category: str
    name: str
    quantity: Num
    unit: str
    unit_price: Num
    monthly: Num = 0.0
    one_time: Num = 0.0
    keys: tuple[str, ...] = ()
    basis: str = ""
    terms: Mapping[str, Any] = field(default_factory=dict)

    def at(self, index: tuple[int, ...] | int = ()) -> Component:
        """This component at one grid point (scalars throughout)."""
        def pick(x: Any) -> Any:
            arr = np.asarray(x)
            return float(arr[index]) if arr.ndim else float(arr)
        return Component(self.category, self.name, pick(self.quantity), self.unit, pick(self.unit_price),
                         pick(self.monthly), pick(self.one_time), self.keys, self.basis,
                         {k: pick(v) if isinstance(v, (int, float, np.ndarray, np.generic)) else v
                          for k, v in self.terms.items()})

    def derivation(self) -> str:
        """Plain-text derivation at a single point (call on ``at(...)``)."""
        amount = (f"${self.monthly:,.2f}/month" if self.monthly or not self.one_time else "")
        once = f"${self.one_time:,.2f} one-time" if self.one_time else ""
        result = " + ".join(x for x in (amount, once) if x)
        return f"{_FORMAT.format(self.basis, **self.terms)} = {result}" if self.basis else result


def money(x: float) -> str:
    """USD as a price list shows it: $1,500 / $2,150.72 / $0.10 / $0.013 / $0.0079."""
    if x == round(x):
        return f"${x:,.0f}"
    if abs(x) >= 1 or round(x, 2) == x:
        return f"${x:,.2f}"
    return f"${x:.4g}"


def qty(x: float) -> str:
    """A quantity without float noise: 165,440 / 2.13 / 0.5."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.1f}"


class _Formatter(string.Formatter):
    """Numbers without an explicit format spec print as quantities (no float noise)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "$":
            return money(float(value))
        if not format_spec and isinstance(value, (int, float, np.floating)):
            return qty(float(value))
        return super().format_field(value, format_spec)


_FORMAT = _Formatter()
