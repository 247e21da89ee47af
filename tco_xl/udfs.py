"""Excel functions (xlwings UDFs): ``=TCO_HYBRID(47)`` in a cell prices a scenario with the engine.

One implementation for classic xlwings (Excel on Windows with a local Python) and xlwings Lite (Excel on
Windows, Mac and the web; Python in the browser): ``lite/main.py`` imports these functions, whose
decorators are xlwings' own for the runtime they run in (plain functions where xlwings is not installed).

Each function takes what Excel sends (47 arrives as 47.0, an empty cell as None, a range as a list of
rows) and, last but one, ``inputs``: the workbook's ``TCO_INPUTS`` block, every assumption cell as a value. The
shipped formulas pass it, so Excel recalculates a call exactly when an assumption changes and the call
reads nothing from the workbook (``tco_xl.io.live``). A call without it works in classic Excel only: its
VBA wrapper makes that one cell volatile and the workbook is read through COM. Last, ``whatif`` names a
what-if of the What-ifs sheet (or a range of them, applied in order) to price with.

Results are USD rounded to cents as Excel's ROUND does. Nothing here computes money: arguments are
checked by ``tco_xl.engine.inputs``, figures come from the engine. A function never raises: a bad
argument or assumption cell shows ``#TCO! <what, where, expected>`` in the cell and the full detail goes
to the log (``%TEMP%\\tco_xl_udfs.log`` in classic Excel, or ``$TCO_XL_LOG``).

Arguments marked for spilling (a headcount, a scenario, a provider, a model) also take a range and combine
as Excel's own functions do: a column of scenarios and a row of headcounts give one result per pair, in
one call. Parameters carry no type hints on purpose: xlwings reads them as converters.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

try:
    import xlwings as xw
except ImportError:  # tco_xl without its excel extra: the functions are plain Python functions
    def _unchanged(*args: Any, **kwargs: Any) -> Callable[[Callable], Callable]:
        return lambda f: f

    xw = SimpleNamespace(func=_unchanged, arg=_unchanged)  # type: ignore[assignment]

from .analysis import cheaper_throughout, crossings, npv, percentile, prob_cheapest, tornado
from .analysis.breakeven import AGENTS_MAX
from .analysis.llm_breakeven import DRIVERS, driver_key, like_for_like, llm_breakeven
from .assumptions import Assumptions
from .assumptions.keys import readable_key, stable_keys
from .engine import ScenarioResult, agent_count, metric_key, price, ranked, scenario_key
from .engine.capacity import mac_studios
from .engine.components import Component
from .engine.inputs import COMPARISON_METRICS, llm_key, metric_label
from .engine.llm import api_components
from .engine.twilio import twilio_components
from .errors import InputError, RangeSize, TcoError, WorkbookError
from .io.live import assumptions_for
from .rounding import excel_round

__all__ = ["LLM_API_COST", "MAC_STUDIOS_NEEDED", "TCO", "TCO_BREAKDOWN", "TCO_BREAKEVEN", "TCO_CHEAPEST",
           "TCO_CLOUD", "TCO_COMPARE", "TCO_EXPLAIN", "TCO_HYBRID", "TCO_LLM_BREAKEVEN", "TCO_NPV", "TCO_PERCENTILE",
           "TCO_PROB_CHEAPEST", "TCO_SELF_HOSTED", "TCO_SENSITIVITY", "TWILIO_COST", "cell_error"]

CATEGORY = "TCO"
LOG_ENV = "TCO_XL_LOG"
CENTS = 2
HYBRID_VARIANTS = {"base": "hybrid", "optimized": "hybrid_optimized"}
BREAKDOWN_HEADER = ["Category", "Item", "Quantity", "Unit", "Unit price (USD)", "Monthly (USD)",
                    "One-time (USD)", "Derivation"]

log = logging.getLogger(__name__)
_RUNNING: contextvars.ContextVar[str] = contextvars.ContextVar("udf", default="UDF")  # the UDF being run, for the log

_AGENTS = "Agents (headcount), a whole number from 1 to 1,000,000, or a range of them"
_AGENT = "Agents (headcount), a whole number from 1 to 1,000,000"
_METRIC = "Year 1 (default), Annual, TCO (N-year), Monthly, Per agent (per agent per month) or One-time"
_SCENARIO = "Scenario name or key, e.g. Hybrid, Self-hosted, AWS, Cloud (Hetzner); see TCO_COMPARE"
_SCENARIOS = _SCENARIO + "; or a range of them"
_CURRENCY = "USD, EUR or BGN (default: the Finance sheet's currency)"
_INPUTS = ("The workbook's assumptions: TCO_INPUTS. Leave it out only in classic Excel (the cell then "
           "recalculates after every edit and reads the sheets itself)")
_WHATIF = ("What-if from the What-ifs sheet, e.g. SIP trunking; or a range of them, applied in order (blank: "
           "none)")
SENSITIVITY_HEADER = ["Assumption", "Label", "Unit", "Base", "Low", "High", "Range", "TCO at low",
                      "TCO at high", "Change at low", "Change at high", "Swing"]


# -- errors as cell text -----------------------------------------------------------------------------
def _shown(value: Any) -> str:
    """A value as the user typed it: -3 (Excel sends -3.0), 47.5, 'abc', TRUE, an empty cell."""
    if value is None:
        return "an empty cell"
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def cell_error(exc: Exception) -> str:
    """The short text a cell shows for ``exc``: which argument or sheet!cell, what was expected."""
    if isinstance(exc, InputError):
        return f"#TCO! {exc.field}: expected {exc.expected}, got {_shown(exc.value)}"
    if isinstance(exc, WorkbookError) and exc.problems:
        more = f" (+{len(exc.problems) - 1} more, see log)" if len(exc.problems) > 1 else ""
        return f"#TCO! {exc.problems[0]}{more}"
    if isinstance(exc, TcoError):
        return f"#TCO! {str(exc).splitlines()[0]}"
    return f"#TCO! internal error ({type(exc).__name__}: {exc}); see log"


def _call(name: str, args: tuple) -> str:
    """'TCO_CLOUD('IBM', 47.0, <301 × 61 range>)' for the log: a range of several rows by its size."""
    def text(arg: Any) -> str:
        if isinstance(arg, (list, tuple)) and len(arg) > 1:
            return f"<{len(arg)} × {len(arg[0]) if isinstance(arg[0], (list, tuple)) else 1} range>"
        return repr(arg)
    return f"{name}({', '.join(map(text, args))})"


def _logged(call: str, exc: Exception) -> str:
    """Log ``exc`` in full (traceback for anything but a user error) and return its cell text.

    Bad assumption cells are logged once, when the workbook is parsed (``tco_xl.io.live``), not per cell.
    """
    if isinstance(exc, WorkbookError) and exc.problems:
        log.debug("%s: %s", call, exc)
    elif isinstance(exc, TcoError):
        log.warning("%s: %s", call, exc)
    else:
        log.error("%s failed", call, exc_info=exc)  # what log.exception does, with the traceback of exc
    return cell_error(exc)


def _in_cell(fn: Callable) -> Callable:
    """Run a UDF so that it never raises: errors become cell text (the xlwings signature is kept)."""
    @functools.wraps(fn)
    def udf(*args: Any, **kwargs: Any) -> Any:
        token = _RUNNING.set(fn.__name__)
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a cell must show text, never a traceback
            return _logged(_call(fn.__name__, args + tuple(kwargs.values())), exc)
        finally:
            _RUNNING.reset(token)
    return udf


def _rows(value: Any) -> list[list[Any]]:
    """An argument as rows of cells: a single value is one cell, a flat list one row."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and all(isinstance(row, (list, tuple)) for row in value):
        return [list(row) for row in value]
    return [list(value)]


def _spill(value: Callable[..., Any], **args: Any) -> Any:
    """``value(*cells)`` for each cell of the arguments combined as Excel does: a single cell repeats, a
    column and a row give a table. Single cells give a single value; a bad cell shows its own error text.
    """
    grids = {name: _rows(arg) for name, arg in args.items()}
    for name, g in grids.items():
        if not g[0]:
            raise InputError(name, None, "a value, or a range of them")
    rows = max(len(g) for g in grids.values())
    columns = max(len(g[0]) for g in grids.values())
    for name, g in grids.items():
        if len(g) not in (1, rows) or len(g[0]) not in (1, columns) or any(len(row) != len(g[0]) for row in g):
            raise InputError(name, RangeSize(g), f"a single cell, or a range of {rows} row(s) or {columns} column(s) "
                                                 "like the other arguments")

    if rows == columns == 1:
        return value(*(g[0][0] for g in grids.values()))  # an error is the whole call's

    def cell(i: int, j: int) -> Any:
        here = [g[i if len(g) > 1 else 0][j if len(g[0]) > 1 else 0] for g in grids.values()]
        try:
            return value(*here)
        except Exception as exc:  # noqa: BLE001 - one cell of a spill shows its own error
            at = ", ".join(f"{name}={_shown(v)}" for name, v in zip(grids, here, strict=True))
            return _logged(f"{_RUNNING.get()} at {at}", exc)

    return [[cell(i, j) for j in range(columns)] for i in range(rows)]


def _money(x: Any) -> float:
    """USD rounded to cents, half away from zero like Excel's ROUND."""
    return excel_round(float(x), CENTS)


def _part(a: Assumptions, name: str, components: list[Component], agents: int) -> ScenarioResult:
    """Totals of some line items (e.g. telephony only) over the assumptions' horizon."""
    return ScenarioResult(name, name, "part", float(agents), a.finance.horizon_years, tuple(components))


def _usd(a: Assumptions, metric: Any, scenario: Callable[[Any], str]) -> Callable[[Any, Any], float]:
    """(scenario cell, headcount cell) -> ``metric`` of that scenario in USD (cents); ``scenario`` turns a
    cell into a stack key."""
    m = metric_key(metric)
    return lambda s, n: _money(price(scenario(s), agent_count(n), a).metric(m))


def _hybrid_key(variant: Any) -> str:
    """'base' (default, also for an empty cell) or 'optimized', case-insensitive -> stack key."""
    name = "base" if variant is None else str(variant).strip().lower() or "base"
    if name not in HYBRID_VARIANTS:
        raise InputError("variant", variant, " or ".join(f"'{v}'" for v in HYBRID_VARIANTS))
    return HYBRID_VARIANTS[name]


def _api_model(a: Assumptions, value: Any) -> str:
    """Key of an LLM API model named by key or name ('gpt-4o', 'Claude 3.5 Sonnet'), case-insensitive."""
    expected = "one of " + ", ".join(f"'{m.key}'" for m in a.llm_models)
    try:
        key = llm_key(a, value)
    except InputError:
        raise InputError("model", value, expected) from None
    if key not in {m.key for m in a.llm_models}:
        raise InputError("model", value, f"an API model ({expected}): self-hosted inference pays no API fees")
    return key


def _line_item(result: ScenarioResult, item: Any) -> Component:
    """A line item by 1-based number or by name (exact, else the one name containing it), case-insensitive."""
    items = result.components
    expected = f"a line item number from 1 to {len(items)} or a line item name (see TCO_BREAKDOWN)"
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        if item == int(item) and 1 <= item <= len(items):
            return items[int(item) - 1]
        raise InputError("item", item, expected)
    wanted = " ".join(str(item).split()).casefold() if item is not None else ""
    exact = [c for c in items if c.name.casefold() == wanted]
    partial = [c for c in items if wanted and wanted in c.name.casefold()]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    if len(partial) > 1:
        expected = "one of " + ", ".join(f"'{c.name}'" for c in partial)
    raise InputError("item", item, expected)


def _sources(a: Assumptions, keys: tuple[str, ...]) -> str:
    """The assumptions used, with the cell each was read from: 'Usage!C5 (usage.calls_per_agent_per_day)'."""
    return ", ".join(f"{a.origins[k]} ({k})" if k in a.origins else k for k in keys)


def _assumptions(inputs: Any, whatif: Any) -> Assumptions:
    """The call's assumptions (``inputs``: ``tco_xl.io.live.assumptions_for``) with the what-ifs that ``whatif``
    names applied in order (a name, or a range of names; blank cells skipped). Both steps are cached by content."""
    a = assumptions_for(inputs)
    names = [v for row in _rows(whatif) for v in row if not (v is None or (isinstance(v, str) and not v.strip()))]
    return a.with_what_ifs(names, "whatif") if names else a


# -- the functions Excel calls ------------------------------------------------------------------------
# ``inputs`` (TCO_INPUTS) then ``whatif`` come last in every function: the VBA wrappers rely on it.
@xw.func(category=CATEGORY)
@xw.arg("scenario", ndim=2, doc=_SCENARIOS)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO(scenario, agents, metric=None, inputs=None, whatif=None):
    """Cost of any scenario in USD at a headcount: Year 1 by default, or the metric named."""
    a = _assumptions(inputs, whatif)
    return _spill(_usd(a, metric, lambda s: scenario_key(a, s)), scenario=scenario, agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("variant", doc="Base (default: Mac Studios + Hetzner servers) or Optimized (Hetzner database only)")
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_HYBRID(agents, metric=None, variant=None, inputs=None, whatif=None):
    """Cost of the hybrid scenario (Mac Studios on premise + Hetzner cloud) in USD: Year 1 by default."""
    key = _hybrid_key(variant)
    usd = _usd(_assumptions(inputs, whatif), metric, lambda s: s)
    return _spill(lambda n: usd(key, n), agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_SELF_HOSTED(agents, metric=None, inputs=None, whatif=None):
    """Cost of the self-hosted scenario (Mac Studios only) in USD: Year 1 by default, or the metric named."""
    usd = _usd(_assumptions(inputs, whatif), metric, lambda s: s)
    return _spill(lambda n: usd("self_hosted", n), agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("provider", ndim=2, doc="Cloud provider, e.g. AWS, GCP, Azure, Hetzner, OVH, Vultr, DigitalOcean, "
                                "Cloudflare, Fly.io; or a range of them")
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_CLOUD(provider, agents, metric=None, inputs=None, whatif=None):
    """Cost of running everything at one cloud provider in USD: Year 1 by default, or the metric named."""
    a = _assumptions(inputs, whatif)
    return _spill(_usd(a, metric, lambda s: scenario_key(a, s, "provider", kinds=("cloud",))),
                  provider=provider, agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TWILIO_COST(agents, metric=None, inputs=None, whatif=None):
    """Twilio telephony (call minutes, numbers, SMS, recordings) in USD, the same in every scenario."""
    a, m = _assumptions(inputs, whatif), metric_key(metric)

    def usd(agents: Any) -> float:
        n = agent_count(agents)
        return _money(_part(a, "Twilio", twilio_components(a, float(n)), n).metric(m))
    return _spill(usd, agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("model", ndim=2, doc="LLM model key or name from the LLM models sheet, e.g. gpt-4o, claude-3.5-sonnet; "
                             "or a range of them")
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def LLM_API_COST(model, agents, metric=None, inputs=None, whatif=None):
    """What the LLM requests would cost through a paid API model, in USD: Year 1 by default."""
    a, m = _assumptions(inputs, whatif), metric_key(metric)

    def usd(model: Any, agents: Any) -> float:
        key, n = _api_model(a, model), agent_count(agents)
        return _money(_part(a, key, api_components(a, key, float(n)), n).metric(m))
    return _spill(usd, model=model, agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def MAC_STUDIOS_NEEDED(agents, inputs=None, whatif=None):
    """Mac Studios to buy for a headcount: active units (by agents and LLM load) plus failover spares."""
    a = _assumptions(inputs, whatif)
    return _spill(lambda n: int(mac_studios(a, float(agent_count(n)))), agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_CHEAPEST(agents, inputs=None, whatif=None):
    """Name of the scenario with the lowest N-year TCO at a headcount."""
    a = _assumptions(inputs, whatif)
    return _spill(lambda n: ranked(agent_count(n), a)[0].name, agents=agents)


@xw.func(category=CATEGORY)
@xw.arg("agents", doc=_AGENT)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_COMPARE(agents, inputs=None, whatif=None):
    """Every scenario at a headcount, cheapest N-year TCO first: a table with headers that spills."""
    n = agent_count(agents)
    a = _assumptions(inputs, whatif)
    horizon = a.finance.horizon_years
    labels = [metric_label(m, horizon) for m in COMPARISON_METRICS]
    order = ranked(n, a)
    return [["Scenario", *labels, "Cheapest"]] + [
        [r.name, *(_money(r.metric(m)) for m in COMPARISON_METRICS), r.tco == order[0].tco] for r in order]


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_BREAKDOWN(scenario, agents, inputs=None, whatif=None):
    """Line items of a scenario at a headcount, with quantities, unit prices and derivations: a table that spills."""
    a = _assumptions(inputs, whatif)
    result = price(scenario_key(a, scenario), agent_count(agents), a)
    return [BREAKDOWN_HEADER] + [
        [c.category, c.name, c.quantity, c.unit, c.unit_price, _money(c.monthly), _money(c.one_time),
         c.derivation()] for c in result.components]


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("item", doc="Line item number (1 = first row of TCO_BREAKDOWN) or name, e.g. Twilio inbound calls")
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_EXPLAIN(scenario, agents, item, inputs=None, whatif=None):
    """How one line item of a scenario was computed, and the assumption cells it came from, as text."""
    a = _assumptions(inputs, whatif)
    c = _line_item(price(scenario_key(a, scenario), agent_count(agents), a), item)
    return f"{c.name}: {c.derivation()}. Assumptions: {_sources(a, c.keys)}"


# -- decision analysis (tco_xl.analysis) ------------------------------------------------------------
@xw.func(category=CATEGORY)
@xw.arg("scenario_a", doc=_SCENARIO)
@xw.arg("scenario_b", doc=_SCENARIO)
@xw.arg("metric", doc="TCO (N-year, default) or Year 1")
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_BREAKEVEN(scenario_a, scenario_b, metric=None, inputs=None, whatif=None):
    """Every headcount from 1 to 10,000 where the cheaper of two scenarios changes, one per row (spills),
    or a sentence naming the scenario that is cheaper throughout."""
    a = _assumptions(inputs, whatif)
    m = metric if metric not in (None, "") else "tco"
    found = crossings(a, scenario_a, scenario_b, m)
    if found:
        return [[c.agents] for c in found]
    winner = cheaper_throughout(a, scenario_a, scenario_b, m)
    return f"No crossing in 1..{AGENTS_MAX:,} agents: {winner} is cheaper throughout"


@xw.func(category=CATEGORY)
@xw.arg("scenario_a", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("driver", doc="Price (default: the API price, USD per 1M tokens) or Tokens (LLM tokens per agent per day)")
@xw.arg("scenario_b", doc="Empty (default): scenario_a self-hosting its LLM against scenario_a paying an API; or a "
                          "second scenario")
@xw.arg("metric", doc="TCO (N-year, default), Year 1 or Annual")
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_LLM_BREAKEVEN(scenario_a, agents, driver=None, scenario_b=None, metric=None, inputs=None, whatif=None):
    """API price per 1M tokens (or tokens per agent per day) from which the cheaper scenario changes at a headcount;
    by default a scenario self-hosting its LLM against itself paying an API. One value per change (spills)."""
    a = _assumptions(inputs, whatif)
    d, m = driver_key(driver), metric if metric not in (None, "") else "tco"
    if scenario_b in (None, ""):
        key = scenario_key(a, scenario_a, "scenario_a")
        a, pairs = like_for_like(a, [key])
        if not pairs:
            raise InputError("scenario_a", scenario_a, "a scenario with Mac Studios or a GPU column (to self-host), "
                                                       "or name scenario_b")
        scenario_a, scenario_b = pairs[0]
    r = llm_breakeven(a, scenario_a, scenario_b, agents, d, m)
    if r.crossings:
        return [[c.value] for c in r.crossings]
    throughout = "neither (a tie)" if r.cheaper_now == "tie" else a.stack(r.cheaper_now).name
    return f"No change in 0..{r.upper:,.2f} {DRIVERS[d].unit}: {throughout} is cheaper throughout"


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("p", doc="Percentile as a fraction: 0.1 for P10, 0.5 for P50, 0.9 for P90")
@xw.arg("currency", doc=_CURRENCY)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_PERCENTILE(scenario, agents, p, currency=None, inputs=None, whatif=None):
    """The p-th percentile of a scenario's N-year TCO over 100,000 Monte Carlo draws (seed 0) of every
    assumption with a range on the sheets (triangular low/base/high)."""
    return _money(percentile(_assumptions(inputs, whatif), scenario, agents, p, currency=currency))


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_PROB_CHEAPEST(scenario, agents, inputs=None, whatif=None):
    """Probability (0 to 1) that a scenario has the lowest N-year TCO, over 100,000 Monte Carlo draws (seed 0)."""
    return prob_cheapest(_assumptions(inputs, whatif), scenario, agents)


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("currency", doc=_CURRENCY)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_SENSITIVITY(scenario, agents, currency=None, inputs=None, whatif=None):
    """Tornado table (spills): each assumption moved to its low and high (its range on the sheets, else
    ±20%), the N-year TCO at each and the swing, largest first."""
    a = _assumptions(inputs, whatif)
    df, keys = tornado(a, scenario, agents, currency=currency), stable_keys(a)
    money = ("tco_low", "tco_high", "delta_low", "delta_high", "swing")
    return [SENSITIVITY_HEADER] + [
        [readable_key(keys, r.assumption), r.label, r.unit, r.base, r.low, r.high, r.range,
         *(_money(getattr(r, c)) for c in money)]
        for r in df.itertuples()]


@xw.func(category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("rate", doc="Discount rate per year as a fraction, e.g. 0.08 (default: the Finance sheet's)")
@xw.arg("currency", doc=_CURRENCY)
@xw.arg("inputs", ndim=2, err_to_str=True, doc=_INPUTS)
@xw.arg("whatif", ndim=2, doc=_WHATIF)
@_in_cell
def TCO_NPV(scenario, agents, rate=None, currency=None, inputs=None, whatif=None):
    """Net present value of a scenario's cash flows (a cost), with the Finance sheet's escalation, hardware
    life and salvage; unlike the TCO it discounts, escalates and credits residual value."""
    return _money(npv(_assumptions(inputs, whatif), scenario, agents, rate, currency))


# -- the log a finance user can open -----------------------------------------------------------------
def log_to_file(path: str | os.PathLike[str]) -> logging.Handler:
    """Send tco_xl's warnings and errors (full detail, tracebacks) to ``path``; returns the handler."""
    root = logging.getLogger("tco_xl")
    target = os.path.abspath(path)
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and handler.baseFilename == target:
            return handler
    handler = logging.FileHandler(target, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return handler


if "xlwings.com_server" in sys.modules:  # imported by Excel's Python (Windows): keep a log file
    log_to_file(os.environ.get(LOG_ENV) or os.path.join(tempfile.gettempdir(), "tco_xl_udfs.log"))
if "xlwings.udfs" in sys.modules:  # classic xlwings (or tco_xl.io.vba): "Import Functions" writes our wrappers
    from .io.vba import conditionally_volatile_wrappers
    conditionally_volatile_wrappers(sys.modules["xlwings.udfs"])
