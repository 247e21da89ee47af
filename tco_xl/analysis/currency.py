"""Currency of results: the engine computes in USD; results convert with the Finance FX assumptions."""

from __future__ import annotations

from typing import Any

from ..assumptions import Assumptions
from ..assumptions.finance import CURRENCIES
from ..engine.components import Num
from ..errors import InputError

__all__ = ["CURRENCIES", "convert", "currency_code", "per_usd"]


def currency_code(value: Any, a: Assumptions, field: str = "currency") -> str:
    """'USD', 'EUR' or 'BGN' from ``value`` (case-insensitive); blank or None is the workbook's currency."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return a.finance.currency
    code = value.strip().upper() if isinstance(value, str) else value
    if code not in CURRENCIES:
        raise InputError(field, value, "one of " + ", ".join(f"'{c}'" for c in CURRENCIES))
    return code


def per_usd(a: Assumptions, currency: str) -> float:
    """Units of ``currency`` per USD: 1 for USD, 1 / (USD per EUR) for EUR, (BGN per EUR) / (USD per EUR) for BGN."""
    f = a.finance
    return {"USD": 1.0, "EUR": 1 / f.eur_usd, "BGN": f.eur_bgn / f.eur_usd}[currency]


def convert(usd: Num, a: Assumptions, currency: str) -> Num:
    """``usd`` (USD, any array shape) in ``currency``."""
    return usd * per_usd(a, currency)
