"""The line item: its rule (``Line``, expressions) and its evaluation (``Component``, numbers). Every money
figure is a sum of components."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .expr import Context, Expr, Named, Num, Text, describe, leaves, money, qty, texts

__all__ = ["Component", "Explanation", "Line", "Num", "money", "qty"]


@dataclass(frozen=True, eq=False)
class Line:
    """The rule of one line item: its quantity, unit price (USD) and amounts as expressions.

    ``monthly`` is recurring USD/month, ``one_time`` USD paid once in year 1 (None: none). The printed
    derivation is the amount written out (the quantity first). Assumption keys are the expressions' input
    leaves. ``requires`` lists the text cells and values that put the line in its
    scenario (a provider, an option group, a service choice): structure, fixed when a live workbook is exported.
    """

    category: str
    name: str
    unit: str
    quantity: Expr
    unit_price: Expr
    monthly: Expr | None = None
    one_time: Expr | None = None
    requires: tuple[tuple[str, Any], ...] = ()
    #: Listed only where it costs something somewhere on the grid (a stack's support and setup: the clouds
    #: have none, and a '0 h × $75/h' line would be noise). Totals are the same either way.
    optional: bool = False
    _keys: dict[tuple, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def amounts(self) -> tuple[Expr, ...]:
        """Its expressions: unit price, quantity, monthly and one-time (where present)."""
        return tuple(e for e in (self.unit_price, self.quantity, self.monthly, self.one_time) if e is not None)

    @cached_property
    def choices(self) -> tuple[Text, ...]:
        """The text cells this line's choices branch on (currency, billing, driver, whole units)."""
        found: dict[str, Text] = {}
        for e in self.amounts:
            for t in texts(e):
                found.setdefault(t.key, t)
        return tuple(found.values())

    def keys(self, ctx: Context) -> tuple[str, ...]:
        """Assumption keys this line reads with the text choices of ``ctx`` (cached per choice)."""
        source = ctx.source
        selected = tuple([t.get(source) for t in self.choices])
        try:
            return self._keys[selected]
        except KeyError:
            found: dict[str, None] = {}
            for e in self.amounts:
                found.update(dict.fromkeys(leaves(e, ctx)))
            keys = self._keys[selected] = tuple(found)
            return keys

    def component(self, ctx: Context) -> Component:
        """This line evaluated in ``ctx`` (scalars or numpy arrays over the grid)."""
        value = ctx.value
        return Component(self.category, self.name, value(self.quantity), self.unit, value(self.unit_price),
                         0.0 if self.monthly is None else value(self.monthly),
                         0.0 if self.one_time is None else value(self.one_time),
                         self.keys(ctx), Explanation(self, ctx))

    def derivation(self, ctx: Context) -> str:
        """The amount written out at one grid point: '165,440 min × $0.013/min', before ' = $2,150.72/month'."""
        amount = self.monthly if self.monthly is not None else self.one_time
        if amount is None:
            return describe(self.quantity, ctx)
        return describe(amount.expr if isinstance(amount, Named) else amount, ctx)


@dataclass(frozen=True)
class Explanation:
    """How a component was derived: its rule and the evaluation it came from (at one grid point after ``at``)."""

    line: Line
    ctx: Context

    def at(self, index: tuple[int, ...] | int) -> Explanation:
        return Explanation(self.line, self.ctx.at(index))

    def text(self) -> str:
        return self.line.derivation(self.ctx)


@dataclass(frozen=True)
class Component:
    """One line item of a scenario, evaluated over a grid (scalars or broadcastable numpy arrays).

    ``monthly`` is recurring USD/month, ``one_time`` USD paid once in year 1. ``keys`` are the
    assumptions (scalar keys or table cells such as ``providers[3].unit_price``) it came from, and
    ``explain`` the rule that computed it (what ``derivation()`` writes out).
    """

    category: str
    name: str
    quantity: Num
    unit: str
    unit_price: Num
    monthly: Num = 0.0
    one_time: Num = 0.0
    keys: tuple[str, ...] = ()
    explain: Explanation | None = field(default=None, repr=False, compare=False)

    def at(self, index: tuple[int, ...] | int = ()) -> Component:
        """This component at one grid point (scalars throughout)."""
        def pick(x: Any) -> float:
            arr = np.asarray(x)
            return float(arr[index]) if arr.ndim else float(arr)
        return Component(self.category, self.name, pick(self.quantity), self.unit, pick(self.unit_price),
                         pick(self.monthly), pick(self.one_time), self.keys,
                         None if self.explain is None else self.explain.at(index))

    def derivation(self) -> str:
        """Plain-text derivation at a single point (call on ``at(...)``)."""
        amount = f"${self.monthly:,.2f}/month" if self.monthly or not self.one_time else ""
        once = f"${self.one_time:,.2f} one-time" if self.one_time else ""
        result = " + ".join(x for x in (amount, once) if x)
        return f"{self.explain.text()} = {result}" if self.explain is not None else result
