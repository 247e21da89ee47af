"""Money over time: year-by-year cash flows with price escalation, hardware replacement and residual
value, and their net present value.

This is a view beside the engine's TCO, not a change to it: the engine's N-year TCO stays
Year 1 + (N − 1) × annual, undiscounted at flat prices. Here, for a scenario at a headcount:

- year 0 (upfront): every one-time cost (Mac Studios, setup);
- year y = 1..N (paid at the end of the year): 12 × monthly of each line × (1 + escalation)^(y − 1),
  escalation by line category: telephony → Twilio, fiber/power/cooling/support → on-premise,
  every other line (providers, options, LLM API) → cloud;
- Mac Studios are bought again at the end of each useful life that ends before the horizon; the old
  units are sold at their salvage value then, and the units held at the horizon count at their
  straight-line book value (residual value, a negative cost in year N);
- present value = cost / (1 + discount rate)^year; NPV = the sum (a cost: lower is better).

With no escalation, salvage or replacement, the undiscounted cash flows add up to the engine's TCO.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..engine import agent_count, price, scenario_key
from ..engine.components import Num
from ..engine.inputs import checked_number
from ..errors import InputError
from .currency import currency_code, per_usd

#: Escalation class of each line category; every other category (provider, option and LLM API lines)
#: is 'cloud'. Class c escalates by the assumption ``finance.<c>_escalation``.
ESCALATION = {"telephony": "twilio", "internet": "opex", "power": "opex", "support": "opex"}
CLASSES = ("twilio", "cloud", "opex")
HARDWARE = "hardware"
_COLUMNS = ["year", "hardware", "setup", "twilio", "cloud", "opex", "resale", "net", "discount_factor",
            "present_value", "depreciation", "book_value"]


def cash_flows(a: Assumptions, scenario: Any, agents: Any, rate: Any = None, currency: Any = None) -> pd.DataFrame:
    """One row per year 0..N: hardware purchases, setup, recurring costs by escalation class (twilio,
    cloud, opex), hardware resale (negative), net cost, discount factor, present value, straight-line
    depreciation and the hardware's book value at the end of the year. Money in ``currency``.
    """
    f = a.finance
    r = discount_rate(f.discount_rate if rate is None else rate)
    code = currency_code(currency, a)
    result = price(scenario_key(a, scenario), agent_count(agents), a)
    monthly: dict[str, Num] = dict.fromkeys(CLASSES, 0.0)
    hardware: Num = 0.0
    setup: Num = 0.0
    for comp in result.components:
        monthly[ESCALATION.get(comp.category, "cloud")] += comp.monthly
        if comp.category == HARDWARE:
            hardware += comp.one_time
        else:
            setup += comp.one_time

    n, life, salvage = f.horizon_years, f.hardware_life_years, f.hardware_salvage_share
    years = np.arange(n + 1)
    bought = np.where(years % life == 0, hardware, 0.0) * (years < n)
    age = years - years // life * life                         # years since the last purchase, before buying
    age = np.where((years > 0) & (age == 0), life, age)        # a replacement year ends the old units' life
    depreciation = np.where(years > 0, hardware * (1 - salvage) / life, 0.0)
    book = np.where(bought > 0, hardware, hardware * (1 - (1 - salvage) * age / life))
    resale = np.where((years > 0) & (years < n) & (bought > 0), -hardware * salvage, 0.0)
    resale[n] = 0.0 - book[n]  # (0.0 − x, not −x: no negative zero)
    df = pd.DataFrame({"year": years, "hardware": bought, "setup": np.where(years == 0, setup, 0.0)})
    for c in CLASSES:
        growth = getattr(f, f"{c}_escalation")
        df[c] = np.where(years > 0, 12 * monthly[c] * (1 + growth) ** np.maximum(years - 1, 0), 0.0)
    df["resale"] = resale
    df["net"] = df[["hardware", "setup", *CLASSES, "resale"]].sum(axis=1)
    df["discount_factor"] = (1 + r) ** -years.astype(float)
    df["present_value"] = df["net"] * df["discount_factor"]
    df["depreciation"], df["book_value"] = depreciation, book
    money = [c for c in _COLUMNS if c not in ("year", "discount_factor")]
    df[money] = df[money] * per_usd(a, code)
    df.attrs.update(scenario=result.key, agents=int(result.agents), rate=r, currency=code)
    return df[_COLUMNS]


def npv(a: Assumptions, scenario: Any, agents: Any, rate: Any = None, currency: Any = None) -> float:
    """Net present value of the cash flows (a cost, in ``currency``) at ``rate`` (default: the workbook's)."""
    return float(cash_flows(a, scenario, agents, rate, currency)["present_value"].sum())


def npv_table(a: Assumptions, agents: Any, rate: Any = None, currency: Any = None) -> pd.DataFrame:
    """Every scenario at ``agents``: scenario, name, tco (engine, undiscounted), cash total, npv; by npv."""
    code = currency_code(currency, a)
    rows = []
    for stack in a.stacks:
        flows = cash_flows(a, stack.key, agents, rate, code)
        tco = price(stack.key, agent_count(agents), a).tco * per_usd(a, code)
        rows.append({"scenario": stack.key, "name": stack.name, "tco": tco, "cash_total": flows["net"].sum(),
                     "npv": flows["present_value"].sum()})
    return pd.DataFrame(rows).sort_values("npv", kind="stable", ignore_index=True)


def discount_rate(value: Any, field: str = "rate") -> float:
    """A yearly discount rate above −100%: a fraction (0.08) or a percentage ('8%'). 1 is 100%, the most the
    Discount rate cell takes; a bare number above 1 is refused, not read as a percentage: 8 would be 800%, and the
    message says to write 8% or 0.08."""
    expected = "a yearly rate above -100%, as a fraction (0.08) or a percentage (8%)"
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        try:
            return checked_number(text[:-1], field, expected, lambda pct: pct > -100) / 100
        except InputError:
            raise InputError(field, value, expected) from None
    rate = checked_number(value, field, expected, lambda r: r > -1)
    if rate > 1:
        raise InputError(field, value, f"{expected}; {rate:g} would mean {rate:.0%}: write {rate:g}% or {rate / 100:g}")
    return rate
