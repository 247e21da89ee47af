"""One rule that prices every provider and option line from the table's data.

monthly = max(0, driver × quantity − included) × billing factor × unit price × FX × (1 − discount), where
the quantity is rounded up first when the line bills whole units. The row's currency, billing, driver and
whole-units cells are choices read from the row (``expr.Choice``): a spreadsheet follows an edit of them.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..assumptions import Assumptions, PriceLine
from .components import Component, Line, Num
from .expr import Choice, Const, Context, Expr, Input, Named, Param, Quiet, Text, maximum, whole

#: Billing factor per billing period: months per billed period's price (hours/month, 1, 1/12).
_PER = {"hour": "h", "month": "month", "year": "year"}


def price_line(ref: str, line: PriceLine, drivers: Mapping[str, Expr]) -> Line:
    """The rule of table row ``ref`` (e.g. ``providers[3]``): its quantity from ``drivers`` (one expression per
    driver name), its price in USD and its monthly cost."""
    def cell(field: str, show: str = "{}") -> Input:
        return Input(f"{ref}.{field}", show)

    unit, name = line.unit, line.line
    driven = Named(f"{name}: {unit} by driver × quantity", Choice(Text(f"{ref}.driver"), drivers)
                   * cell("quantity"), unit=unit)
    included = cell("included", "{} " + unit + " included")
    billable = Named(f"{name}: billable {unit}", maximum(
        Choice(Text(f"{ref}.whole_units"), {True: whole(driven), False: driven}) - included, 0),
        unit=unit, derive=included > 0)
    per = unit if line.billing == "month" else _PER[line.billing]
    price = cell("unit_price", ("{:$}/" if line.currency == "USD" else "€{}/") + per)
    fx = Choice(Text(f"{ref}.currency"), {"USD": Const(1), "EUR": Input("finance.eur_usd", "{} USD/EUR")})
    usd = Named(f"{name}: USD/{unit}", price * fx, unit=f"USD/{unit}", inline=True)
    factor = Choice(Text(f"{ref}.billing"), {
        "hour": Input("finance.hours_per_month", "{} h"), "month": Const(1), "year": Const(1) / Const(12, "12")})
    discount = Quiet(1 - cell("discount", "{:.4%} discount"))
    return Line(line.category, name, unit, billable, usd, monthly=billable * factor * usd * discount,
                requires=((f"{ref}.group", line.group), (f"{ref}.category", line.category)))


def group_lines(refs: list[tuple[str, PriceLine]], drivers: Mapping[str, Expr]) -> list[Line]:
    """Rules for (row reference, line) pairs from the Providers or Options table (``Assumptions.line_refs``)."""
    return [price_line(ref, line, drivers) for ref, line in refs]


def group_components(a: Assumptions, refs: list[tuple[str, PriceLine]], drivers: dict[str, Num]) -> list[Component]:
    """Components for (row reference, line) pairs from the Providers or Options table (``Assumptions.line_refs``),
    with ``drivers`` the quantity of each driver (as ``capacity.drivers`` gives them)."""
    params = {name: Param(f"driver:{name}", "{} " + name) for name in drivers}
    ctx = Context(a, {f"driver:{name}": value for name, value in drivers.items()})
    return [line.component(ctx) for line in group_lines(refs, params)]
