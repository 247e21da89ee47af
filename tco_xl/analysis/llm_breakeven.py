"""Break-even over the LLM's drivers at a given headcount: the API price, or the tokens per agent per day, from which
the cheaper of two scenarios changes — where self-hosting (Mac Studios or rented GPU servers) pays off against
paying an API.

A driver is one number the LLM's cost follows:

- ``price``: the API model's blended price, USD per 1M tokens = 1,000 × (input share × input USD/1K + output share ×
  output USD/1K); its input and output prices move together (their ratio and the input share held). The model is
  the one the pair pays through an API (the LLM column of the Stacks sheet).
- ``tokens``: LLM tokens per agent per working day = requests/agent/day × tokens/request (tokens/request moves).

The pair is priced over a grid of the driver's values in one engine pass (numpy arrays stand in for the
assumption, as for Monte Carlo); each change of sign of the difference is narrowed by bisection to the driver's
resolution (a cent per 1M tokens, one token per agent per day) and reported as the first value of the new order.
On the API side the cost is linear in either driver; on the self-hosting side it is a step function of tokens
(whole Mac Studios and servers), so a pair can cross more than once.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import SELF_HOSTED_LLM, Assumptions
from ..engine import agent_count, evaluate, metric_key, scenario_key
from ..engine.inputs import checked_number
from ..errors import InputError
from .breakeven import TIE_USD
from .factors import with_factors

#: Values of the driver priced in the first pass (then each crossing is narrowed by bisection).
GRID = 2_001
#: The scan runs from 0 to this multiple of the driver's current value unless an upper bound is given.
SPAN = 10


@dataclass(frozen=True)
class Driver:
    """An LLM driver: its key, what it is, its unit and the resolution its break-even is found to."""

    key: str
    label: str
    unit: str
    resolution: float
    aliases: tuple[str, ...]


DRIVERS = {d.key: d for d in (
    Driver("price", "API price", "USD/1M tokens", 0.01, ("api-price", "api price", "price per million", "usd")),
    Driver("tokens", "LLM tokens per agent per day", "tokens/agent/day", 1.0,
           ("tokens per agent per day", "tokens/agent/day", "volume", "usage")),
)}


def driver_key(value: Any, field: str = "driver") -> str:
    """'price' or 'tokens' from a name a user may type (case ignored; empty: 'price')."""
    text = "" if value is None else str(value).strip().lower()
    if not text:
        return "price"
    for d in DRIVERS.values():
        if text in (d.key, *d.aliases):
            return d.key
    raise InputError(field, value, "'price' (the API price per 1M tokens) or 'tokens' (LLM tokens per agent per day)")


@dataclass(frozen=True)
class DriverCrossing:
    """From ``value`` (the driver's first value of the new order) ``cheaper_after`` is the cheaper scenario."""

    value: float
    cheaper_before: str
    cheaper_after: str


@dataclass(frozen=True)
class LlmBreakeven:
    """Where the cheaper of two scenarios changes as one LLM driver moves, at one headcount.

    ``current`` is the driver's value in the assumptions; ``model`` the API model whose price moves (``price``);
    ``crossings`` every change in 0..``upper``; ``cheaper_now`` the cheaper scenario at the current value.
    """

    scenario_a: str
    scenario_b: str
    agents: int
    metric: str
    driver: str
    current: float
    upper: float
    model: str | None
    crossings: tuple[DriverCrossing, ...]
    cheaper_now: str

    @property
    def unit(self) -> str:
        return DRIVERS[self.driver].unit


def self_hosts(a: Assumptions, key: str) -> bool:
    """Whether the stack runs its LLM itself (Mac Studios or rented GPU servers) rather than paying an API."""
    llm = a.stack(key).llm
    return llm == SELF_HOSTED_LLM or llm in a.gpu_groups()


def blended_price(a: Assumptions, model: str) -> float:
    """USD per 1M tokens of API ``model`` at the assumptions' input share."""
    m, share = a.llm_model(model), a.llm.input_share
    return 1000 * (share * m.input_usd_per_1k + (1 - share) * m.output_usd_per_1k)


def _paid_model(a: Assumptions, keys: tuple[str, str]) -> str:
    """The one API model the pair pays (an error when neither or two different ones)."""
    models = list(dict.fromkeys(a.stack(k).llm for k in keys if not self_hosts(a, k)))
    if not models:
        raise InputError("scenarios", " and ".join(keys),
                         "a pair where one scenario pays an LLM API (LLM column): the API price moves neither")
    if len(models) > 1:
        raise InputError("scenarios", " and ".join(keys), f"a pair paying one API model, not two ({', '.join(models)})")
    return models[0]


def _setter(a: Assumptions, driver: str, keys: tuple[str, str]) -> tuple[float, str | None, Callable[[Any], Any]]:
    """(the driver's current value, the API model it prices or None, values -> assumptions with the driver set)."""
    if driver == "price":
        model = _paid_model(a, keys)
        i, row, p0 = a.llm_models.index(a.llm_model(model)), a.llm_model(model), blended_price(a, model)
        if p0 <= 0:
            raise InputError("model", model, "an API model with a price above $0 (LLM models sheet), to scale it")
        cells = {f"llm_models[{i}].input_usd_per_1k": row.input_usd_per_1k,
                 f"llm_models[{i}].output_usd_per_1k": row.output_usd_per_1k}
        return p0, model, lambda v: with_factors(a, {cell: price * v / p0 for cell, price in cells.items()})
    requests = a.llm.requests_per_agent_per_day
    if requests <= 0:
        raise InputError("llm.requests_per_agent_per_day", requests, "more than 0 requests per agent per day")
    return requests * a.llm.tokens_per_request, None, lambda v: a.with_values({"llm.tokens_per_request": v / requests})


def llm_breakeven(a: Assumptions, scenario_a: str, scenario_b: str, agents: Any, driver: Any = "price",
                  metric: str = "tco", upper: Any = None) -> LlmBreakeven:
    """Every value of an LLM ``driver`` in 0..``upper`` (default 10 × its current value) where the cheaper of the
    two scenarios' ``metric`` changes, at ``agents``."""
    keys = (scenario_key(a, scenario_a, "scenario_a"), scenario_key(a, scenario_b, "scenario_b"))
    if keys[0] == keys[1]:
        raise InputError("scenario_b", scenario_b, "a scenario other than scenario_a")
    n, d, m = agent_count(agents), DRIVERS[driver_key(driver)], metric_key(metric)
    current, model, at = _setter(a, d.key, keys)
    top = SPAN * current if upper is None else checked_number(upper, "upper", f"a number above 0 ({d.unit})",
                                                              lambda x: x > 0)
    if top <= 0:
        raise InputError("upper", upper, f"a number above 0 ({d.unit}): the current value is 0, give the range")

    def gap(values: Any) -> np.ndarray:
        """metric(a) − metric(b) at each driver value."""
        results = evaluate(at(np.asarray(values, dtype=float)), [n], list(keys))
        first, second = (np.broadcast_to(results[k].metric(m), np.shape(values)) for k in keys)
        return np.asarray(first - second, dtype=float)

    grid = np.linspace(0.0, top, GRID)
    sign = _signs(gap(grid))
    found = []
    strict = np.flatnonzero(sign)
    for lo, hi in itertools.pairwise(strict):
        if sign[lo] != sign[hi]:
            value = _bisect(gap, grid[lo], grid[hi], sign[lo], d.resolution)
            found.append(DriverCrossing(value, keys[0] if sign[lo] < 0 else keys[1],
                                        keys[1] if sign[lo] < 0 else keys[0]))
    now = _signs(gap(np.array([current])))[0]
    return LlmBreakeven(keys[0], keys[1], n, m, d.key, current, top, model, tuple(found),
                        "tie" if now == 0 else keys[0] if now < 0 else keys[1])


def _signs(diff: np.ndarray) -> np.ndarray:
    return np.where(np.abs(diff) < TIE_USD, 0, np.sign(diff)).astype(int)


def _bisect(gap: Callable[[Any], np.ndarray], lo: float, hi: float, before: int, resolution: float) -> float:
    """The first value, on the resolution's grid, where the sign of ``gap`` is no longer ``before`` (lo has it)."""
    lo, hi = math.floor(lo / resolution) * resolution, math.ceil(hi / resolution) * resolution
    while hi - lo > resolution * 1.5:
        mid = round((lo + hi) / 2 / resolution) * resolution
        if _signs(gap(np.array([mid])))[0] == before:
            lo = mid
        else:
            hi = mid
    return round(hi / resolution) * resolution


SELF, API = ":self-hosted", ":api"


def like_for_like(a: Assumptions, keys: Iterable[str] | None = None) -> tuple[Assumptions, list[tuple[str, str]]]:
    """Each stack (of ``keys``, default all) twice, as two more Stacks rows: running its LLM itself (its Mac Studios,
    else the GPU servers of its GPU column) and paying an API (the model it pays, else the one most stacks pay);
    with the pairs (self-hosted key, API key). A stack with no way to self-host (no Macs, no GPU column) is left
    out."""
    paid = [s.llm for s in a.stacks if not self_hosts(a, s.key)]
    common = max(dict.fromkeys(paid), key=paid.count) if paid else None
    rows, pairs = [], []
    for key in (keys if keys is not None else [s.key for s in a.stacks]):
        s = a.stack(key)
        own = SELF_HOSTED_LLM if s.mac_studios else s.gpu
        api = s.llm if not self_hosts(a, key) else common
        if not own or api is None:
            continue
        where = "its Mac Studios" if own == SELF_HOSTED_LLM else f"{own} servers"
        rows += [s.model_copy(update={"key": key + SELF, "name": f"{s.name}, LLM on {where}", "llm": own}),
                 s.model_copy(update={"key": key + API, "name": f"{s.name}, LLM via {api}", "llm": api})]
        pairs.append((key + SELF, key + API))
    variants = Assumptions.model_validate({**a.model_dump(), "stacks": [x.model_dump() for x in [*a.stacks, *rows]],
                                           "origins": a.origins})
    return variants, pairs


COLUMNS = ["agents", "scenario_a", "scenario_b", "metric", "driver", "unit", "model", "current", "breakeven",
           "cheaper_below", "cheaper_from", "cheaper_now"]


def llm_breakeven_table(a: Assumptions, pairs: Iterable[tuple[str, str]], agents: Iterable[Any],
                        driver: Any = "price", metric: str = "tco", upper: Any = None) -> pd.DataFrame:
    """One row per crossing of each pair at each headcount (a pair that does not cross: one row, breakeven empty).

    Columns: agents, scenario_a, scenario_b, metric, driver, unit, model (the API model priced), current (the
    driver's value now), breakeven (its first value of the new order), cheaper_below, cheaper_from, cheaper_now.
    """
    rows = []
    for n in agents:
        for first, second in pairs:
            r = llm_breakeven(a, first, second, n, driver, metric, upper)
            base = {"agents": r.agents, "scenario_a": r.scenario_a, "scenario_b": r.scenario_b, "metric": r.metric,
                    "driver": r.driver, "unit": r.unit, "model": r.model, "current": r.current,
                    "cheaper_now": r.cheaper_now}
            if r.crossings:
                rows += [{**base, "breakeven": c.value, "cheaper_below": c.cheaper_before,
                          "cheaper_from": c.cheaper_after} for c in r.crossings]
            else:
                rows.append({**base, "breakeven": None, "cheaper_below": r.cheaper_now, "cheaper_from": r.cheaper_now})
    return pd.DataFrame(rows, columns=COLUMNS).astype({"breakeven": float, "current": float})
