"""Finance settings: horizon, billing hours and currency conversion."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption


class Finance(BaseModel):
    """Horizon of the TCO and conversion rates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    horizon_years: int = assumption(5, unit="years", gt=0, le=30, label="TCO horizon", source="Report: 5-Yr TCO")
    hours_per_month: float = assumption(730, unit="h/month", gt=0, le=744, label="Billed hours per month",
                                        source="Report §AWS '× 730 hours'")
    eur_usd: float = assumption(
        1.068, unit="USD per EUR", gt=0, label="EUR to USD",
        source="Implied by the report's conversions (€221→$236, €250→$267, €0.245→$0.26, …)",
        note="1.068 reproduces every EUR→USD conversion in the report to the dollar")
