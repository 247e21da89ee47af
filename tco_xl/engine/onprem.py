"""On-premise Mac Studios: hardware (one-time), internet per site, power and cooling."""

from __future__ import annotations

from functools import cache

from .capacity import mac_studios_rule, sites_rule
from .components import Line
from .expr import Const, Input, Named


@cache
def onprem_lines(self_hosted_llm: bool, self_hosted_voice: bool) -> tuple[Line, ...]:
    """Hardware (USD one-time), fiber per site, power and cooling (USD/month) of a stack with Mac Studios (which
    run the LLM when ``self_hosted_llm``, voice AI when ``self_hosted_voice``)."""
    units = mac_studios_rule(self_hosted_llm, self_hosted_voice)
    price = Input("hardware.mac_studio_usd", "{:$}")
    site_count = sites_rule(units)
    fiber = Input("network.internet_usd_per_site_month", "{:$}/month")
    kwh = Named("Power (kWh/month)", units * Input("hardware.watts_average", "{} W") / Const(1000, "1,000 W/kW")
                * Input("hardware.hours_per_day", "{} h/day") * Input("hardware.days_per_month", "{} days"),
                unit="kWh", derive=True)
    rate = Input("hardware.electricity_usd_per_kwh", "{:$}/kWh")
    power = Named("Power (USD/month)", kwh * rate, unit="USD/month", show="{:$}/month of power")
    cooling = Input("hardware.cooling_overhead", "{:.0%}")
    return (
        Line("hardware", "Mac Studio M3 Ultra 512GB/8TB", "unit", units, price, one_time=units * price),
        Line("internet", "Fiber 2.5 Gbps per site", "site", site_count, fiber, monthly=site_count * fiber),
        Line("power", "Power", "kWh", kwh, rate, monthly=power),
        Line("power", "Cooling", "USD of power", power, cooling, monthly=power * cooling),
    )

