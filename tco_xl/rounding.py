"""Rounding as Excel and LibreOffice do it: the 15-significant-digit decimal value, half away from zero."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np


def _round_one(x: float, digits: int) -> float:
    if not math.isfinite(x):
        return x
    shown = Decimal(f"{x:.15g}")  # the value Excel stores and shows: 15 significant digits
    exponent = shown.as_tuple().exponent  # an int: 'n', 'N', 'F' mark non-finite values, excluded above
    if isinstance(exponent, int) and exponent < -digits:  # finer than wanted: round (coarser is already exact)
        shown = shown.quantize(Decimal((0, (1,), -digits)), rounding=ROUND_HALF_UP)
    return float(shown) + 0.0  # + 0.0: no negative zero, as in Excel


_round_many = np.frompyfunc(_round_one, 2, 1)


def excel_round(x: Any, digits: Any = 0) -> Any:
    """``ROUND(x, digits)`` as Excel computes it: 1.005 → 1.01, 2.5 → 3, -2.5 → -3, 125 with -1 → 130.

    ``x`` is a number or an array (rounded element-wise, float array returned); ``digits`` is
    truncated toward zero like Excel's (1.9 → 1) and may be negative (tens, hundreds, ...).
    """
    places = int(digits)
    if np.ndim(x):
        return _round_many(np.asarray(x, dtype=float), places).astype(float)
    return _round_one(float(x), places)
