"""Decision analysis on the engine's grids: break-even, sensitivity, Monte Carlo, cash flows and currency.

Every function takes an ``Assumptions`` and returns plain values or DataFrames; the UDFs, the CLI and
the snapshot sheets are thin views on them. Money is USD unless a ``currency`` (USD, EUR, BGN) is given;
a ``currency`` of None means the workbook's ``finance.currency``.
"""

from .breakeven import Crossing, breakeven_table, cheaper_throughout, crossings, metric_grid
from .cashflow import cash_flows, npv, npv_table
from .currency import CURRENCIES, convert, currency_code, per_usd
from .factors import Factor, factors, ranged_factors, with_factors
from .montecarlo import Simulation, cached_simulation, percentile, prob_cheapest, simulate
from .sensitivity import cheapest_flips, tornado

__all__ = [
    "CURRENCIES", "Crossing", "Factor", "Simulation", "breakeven_table", "cached_simulation", "cash_flows",
    "cheaper_throughout",
    "cheapest_flips", "convert", "crossings", "currency_code", "factors", "metric_grid", "npv", "npv_table",
    "per_usd", "percentile", "prob_cheapest", "ranged_factors", "simulate", "tornado", "with_factors",
]
