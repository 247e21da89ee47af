"""Default uncertainty bands: the range an input gets when the report states none, one band per kind of input.

The report gives a range for five inputs (fiber, support rate, agents per Mac Studio, failover, pentest).
Every other uncertain input takes the band of its kind, so that sensitivity and Monte Carlo move every
scenario, not only the three that use Mac Studios. A band is data: the kind of input, how far below and
above the value the range reaches, and why. An input whose range comes from a band says so in its Source
("range ±10%: default band for vendor list prices, not from the report"); docs/uncertainty.md lists them.
The widths are judgements, not measurements: set your own in the workbook's Low/High (Price low/Price
high) cells; a range left blank is not drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["BANDS", "ESTIMATE", "FX", "GROWTH", "USAGE_VOLUME", "VENDOR_PRICE", "Band", "around", "share_note",
           "with_note"]


def around(value: float, width: float, relative: bool = True, floor: float = -math.inf,
           ceiling: float = math.inf) -> tuple[float, float]:
    """(low, high) = value × (1 ∓ width), or value ∓ width when not ``relative``; to 6 significant digits,
    within [floor, ceiling]."""
    low, high = (value * (1 - width), value * (1 + width)) if relative else (value - width, value + width)
    return max(float(f"{low:.6g}"), floor), min(float(f"{high:.6g}"), ceiling)


def with_note(source: str, note: str) -> str:
    """``source`` with ``note`` appended ('Report §AWS; price: range ±10%: default band for …')."""
    return f"{source}; {note}" if source else note


@dataclass(frozen=True)
class Band:
    """A default range around a value: ± ``width`` as a share of the value (``relative``), or as an amount in the
    input's own unit (for rates whose value may be 0)."""

    kind: str
    width: float
    relative: bool
    why: str

    def bounds(self, value: float, floor: float = -math.inf, ceiling: float = math.inf) -> tuple[float, float]:
        """(low, high) around ``value``, kept within the input's own bounds."""
        return around(value, self.width, self.relative, floor, ceiling)

    @property
    def shown(self) -> str:
        """'±10%' (relative) or '±0.03' (in the input's unit)."""
        return f"±{self.width:.0%}" if self.relative else f"±{self.width:g}"

    @property
    def source(self) -> str:
        """The text an input's Source carries when its range comes from this band."""
        return f"range {self.shown}: default band for {self.kind}, not from the report"


VENDOR_PRICE = Band(
    "vendor list prices", 0.10, relative=True,
    why="The report quotes list prices of one date (cloud, Twilio, Mac Studio, electricity, LLM APIs). Over a "
        "5-year horizon vendors change them and negotiated discounts vary; ±10% is a default judgement.")
USAGE_VOLUME = Band(
    "usage volumes", 0.25, relative=True,
    why="Call, message, token, storage and traffic volumes are the report's estimates for 47 agents "
        "('~', 'estimate'); ±25% covers a workload a quarter lighter or heavier than planned.")
ESTIMATE = Band(
    "effort and capacity estimates", 0.25, relative=True,
    why="Support hours, setup, power draw and cooling overhead, throughput per Mac Studio, agents per database "
        "server and the fitted growth of support hours are estimates or fits, not quotes: ±25%.")
GROWTH = Band(
    "price growth", 0.03, relative=False,
    why="The report holds every price flat for 5 years; escalation rates (share/year, cash-flow view only) move "
        "±0.03 (3 percentage points a year) around their value.")
FX = Band(
    "exchange rates", 0.10, relative=True,
    why="EUR prices (Hetzner, OVH) convert at one rate; the spread of the report's own conversions "
        "(1.060-1.068) is rounding, not a forecast. ±10% is a default judgement of a 5-year EUR/USD move.")

#: Every band, in the order docs/uncertainty.md lists them.
BANDS = (VENDOR_PRICE, USAGE_VOLUME, ESTIMATE, GROWTH, FX)


def share_note(what: str, key: str) -> str:
    """Source note of table cells that range by ± the share in scalar assumption ``key`` (no Low/High columns)."""
    return f"{what}: range ± {key} (a default band, not from the report)"
