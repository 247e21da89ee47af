"""Finance settings: horizon, billing hours, currency conversion and the money-over-time view.

The engine's N-year TCO uses only ``horizon_years`` and ``hours_per_month`` (TCO = Year 1 + (N − 1) ×
annual, undiscounted, flat prices). Discounting, escalation, depreciation and residual value live in
the cash-flow view (``tco_xl.analysis.cashflow``) and never change the engine's TCO.
"""

from pydantic import BaseModel, ConfigDict, field_validator

from ._field import assumption
from .bands import FX, GROWTH

#: Currencies results can be shown in; the engine computes in USD.
CURRENCIES = ("USD", "EUR", "BGN")
_NOT_IN_REPORT = "Not in the report"
_FLAT = _NOT_IN_REPORT + " (it holds every price flat for 5 years)"


class Finance(BaseModel):
    """Horizon of the TCO, conversion rates, and the cash-flow view's discounting and escalation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_years: int = assumption(5, unit="years", gt=0, le=30, label="TCO horizon", source="Report: 5-Yr TCO")
    hours_per_month: float = assumption(730, unit="h/month", gt=0, le=744, label="Billed hours per month",
                                        source="Report §AWS '× 730 hours'")
    eur_usd: float = assumption(
        1.068, unit="USD per EUR", gt=0, band=FX, label="EUR to USD",
        source="Implied by the report's conversions (€221→$236, €250→$267, €0.245→$0.26, …)",
        note="1.068 reproduces every server price conversion in the report to the dollar; its fiber "
             "conversion '€50-60 (~$53-64)' implies 1.060-1.067 and its power '€0.245 = $0.26' 1.061: "
             "rounding, not a forecast of the rate")
    eur_bgn: float = assumption(
        1.95583, unit="BGN per EUR", gt=0, label="EUR to BGN",
        source="Fixed conversion rate of the lev to the euro (currency board peg)",
        note="Bulgaria adopted the euro at this rate; BGN is kept for comparison with lev-denominated figures")
    currency: str = assumption("USD", unit="USD, EUR or BGN", label="Currency of results",
                               source="Report: 'All prices in USD'",
                               note="Results are computed in USD and converted with the rates above")
    discount_rate: float = assumption(
        0.08, unit="share/year", le=1, label="Discount rate for NPV",
        source=_NOT_IN_REPORT + " (no discount rate or cost of capital is given)",
        note="8% is a placeholder cost of capital: set your own. Used by NPV only, not by the TCO")
    hardware_life_years: int = assumption(
        5, unit="years", gt=0, le=30, label="Mac Studio useful life (straight-line depreciation)",
        source="Report Key Decision Factors: 'Mac Studios amortize over 5 years'",
        note="Cash-flow view: units are bought again at the end of each life that ends before the horizon")
    hardware_salvage_share: float = assumption(
        0, unit="share of purchase price", le=1, label="Mac Studio value at the end of its life",
        source=_NOT_IN_REPORT + " (amortized to zero)",
        note="Book value declines straight-line to this share; the book value at the horizon is the residual value")
    twilio_escalation: float = assumption(0, unit="share/year", ge=-0.5, le=1, label="Twilio price change per year",
                                          source=_FLAT, note="Cash-flow view only; applies to telephony lines",
                                          band=GROWTH)
    cloud_escalation: float = assumption(
        0, unit="share/year", ge=-0.5, le=1, label="Cloud and SaaS price change per year", source=_FLAT,
        note="Cash-flow view only; applies to provider, option and LLM API lines", band=GROWTH)
    opex_escalation: float = assumption(
        0, unit="share/year", ge=-0.5, le=1, label="On-premise running cost change per year", source=_FLAT,
        note="Cash-flow view only; applies to fiber, power, cooling and support labor", band=GROWTH)

    @field_validator("currency", mode="before")
    @classmethod
    def _known_currency(cls, value: object) -> object:
        code = value.strip().upper() if isinstance(value, str) else value
        if code not in CURRENCIES:
            raise ValueError(f"expected one of {', '.join(CURRENCIES)}, got {value!r}")
        return code
