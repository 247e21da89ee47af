"""One code path that prices every provider and option line from the table's data."""

from __future__ import annotations

import numpy as np

from ..assumptions import Assumptions, PriceLine
from .capacity import whole
from .components import Component, Num

_PER = {"hour": "h", "month": "month", "year": "year"}
#: The usage assumptions behind each volume driver (for traceability).
_USAGE_KEYS = {
    "scaled": ("usage.reference_agents",), "recordings_gb": ("usage.recordings_gb", "usage.reference_agents"),
    "database_gb": ("usage.database_gb", "usage.reference_agents"),
    "cdn_gb": ("usage.cdn_gb", "usage.reference_agents"),
    "egress_gb": ("usage.egress_gb", "usage.reference_agents"),
    "backup_gb": ("usage.recordings_gb", "usage.database_backup_gb", "usage.reference_agents"),
    "emails": ("usage.emails_per_month", "usage.reference_agents"),
}


def line_component(a: Assumptions, line: PriceLine, drivers: dict[str, Num], ref: str) -> Component:
    """Price one line: max(0, driver × quantity − included) × price × FX × billing factor × (1 − discount).

    ``ref`` names the table row (e.g. ``providers[3]``) for traceability.
    """
    raw = drivers[line.driver] * line.quantity
    q = whole(raw) if line.whole_units else raw
    billable = np.maximum(q - line.included, 0)
    fx = a.finance.eur_usd if line.currency == "EUR" else 1.0
    factor = {"hour": a.finance.hours_per_month, "month": 1.0, "year": 1 / 12}[line.billing]
    usd_price = line.unit_price * fx
    monthly = billable * usd_price * factor * (1 - line.discount)

    count = " × " if line.unit[:1].isdigit() else " "  # '10 × 1,000 emails', '3 server'
    parts = ["{billable}" + count + line.unit]
    terms = {"billable": billable, "price": line.unit_price, "usd": usd_price}
    if np.any(line.included):
        parts[0] = "({q} − {included} included)" + count + line.unit
        terms.update(q=q, included=line.included)
    if line.billing == "hour":
        parts.append("{hours} h")
        terms["hours"] = a.finance.hours_per_month
    per = line.unit if line.billing == "month" else _PER[line.billing]
    parts.append("{usd:$}/" + per if line.currency == "USD" else "€{price}/" + per)
    if line.currency == "EUR":
        parts.append("{fx} USD/EUR")
        terms["fx"] = a.finance.eur_usd
    if line.billing == "year":
        parts.append("1/12 month")
    if np.any(line.discount):
        parts.append("(1 − {discount:.4%} discount)")
        terms["discount"] = line.discount
    keys = tuple(f"{ref}.{f}" for f in ("unit_price", "quantity", "included", "discount")) + _USAGE_KEYS.get(
        line.driver, ())
    return Component(line.category, line.line, billable, line.unit, usd_price, monthly=monthly,
                     keys=keys + (("finance.eur_usd",) if line.currency == "EUR" else ()),
                     basis=" × ".join(parts), terms=terms)


def group_components(a: Assumptions, refs: list[tuple[str, PriceLine]], drivers: dict[str, Num]) -> list[Component]:
    """Components for (row reference, line) pairs from the Providers or Options table (``Assumptions.line_refs``)."""
    return [line_component(a, line, drivers, ref) for ref, line in refs]
