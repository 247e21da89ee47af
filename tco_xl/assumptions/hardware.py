"""Hardware and power: the Mac Studio and what it costs to run."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption
from .bands import ESTIMATE, USAGE_VOLUME, VENDOR_PRICE

_P = "Report §3 Power & Cooling"


class Hardware(BaseModel):
    """Mac Studio M3 Ultra price and power draw; electricity in USD as the report computes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mac_studio_usd: float = assumption(11_999, unit="USD/unit", label="Mac Studio M3 Ultra 512GB/8TB",
                                       source="Report §Hardware Specifications", band=VENDOR_PRICE)
    watts_average: float = assumption(180, unit="W", label="Average power draw (70% load)", source=_P,
                                  band=ESTIMATE)
    hours_per_day: float = assumption(16, unit="h/day", gt=0, le=24, label="Operating hours per day", source=_P,
                                  band=USAGE_VOLUME)
    days_per_month: float = assumption(30, unit="days/month", le=31, label="Powered days per month", source=_P)
    electricity_usd_per_kwh: float = assumption(0.26, unit="USD/kWh", label="Electricity (Bulgaria, business)",
                                                source=_P, note="Report: €0.245/kWh = $0.26/kWh", band=VENDOR_PRICE)
    cooling_overhead: float = assumption(0.20, unit="share", le=5, label="Cooling on top of power", source=_P,
                                        band=ESTIMATE)
