"""On-premise Mac Studios: hardware (one-time), internet per site, power and cooling."""

from __future__ import annotations

from ..assumptions import Assumptions
from .capacity import sites
from .components import Component, Num


def onprem_components(a: Assumptions, units: Num) -> list[Component]:
    """Hardware (USD one-time), fiber per site, power and cooling (USD/month) for ``units`` Mac Studios."""
    h, n = a.hardware, a.network
    site_count = sites(a, units)
    kwh = units * h.watts_average / 1000 * h.hours_per_day * h.days_per_month
    power = kwh * h.electricity_usd_per_kwh
    return [
        Component("hardware", "Mac Studio M3 Ultra 512GB/8TB", units, "unit", h.mac_studio_usd,
                  one_time=units * h.mac_studio_usd,
                  keys=("hardware.mac_studio_usd", "capacity.agents_per_mac_studio", "capacity.min_mac_studios",
                        "capacity.failover_ratio", "capacity.llm_tokens_per_sec_per_mac"),
                  basis="{units} units × {price:$}", terms={"units": units, "price": h.mac_studio_usd}),
        Component("internet", "Fiber 2.5 Gbps per site", site_count, "site", n.internet_usd_per_site_month,
                  monthly=site_count * n.internet_usd_per_site_month,
                  keys=("network.internet_usd_per_site_month", "capacity.mac_studios_per_site",
                        "capacity.min_sites"),
                  basis="{sites} sites × {rate:$}/month", terms={"sites": site_count,
                                                               "rate": n.internet_usd_per_site_month}),
        Component("power", "Power", kwh, "kWh", h.electricity_usd_per_kwh, monthly=power,
                  keys=("hardware.watts_average", "hardware.hours_per_day", "hardware.days_per_month",
                        "hardware.electricity_usd_per_kwh"),
                  basis="{units} units × {w} W × {h} h/day × {d} days = {kwh} kWh × {rate:$}/kWh",
                  terms={"units": units, "w": h.watts_average, "h": h.hours_per_day, "d": h.days_per_month,
                         "kwh": kwh, "rate": h.electricity_usd_per_kwh}),
        Component("power", "Cooling", power, "USD of power", h.cooling_overhead, monthly=power * h.cooling_overhead,
                  keys=("hardware.cooling_overhead",),
                  basis="{power:$}/month of power × {share:.0%}", terms={"power": power,
                                                                        "share": h.cooling_overhead}),
    ]
