"""Excel functions (xlwings UDFs): ``=TCO_HYBRID(47)`` in a cell prices a scenario with the engine.

Each function takes what Excel sends (47 arrives as 47.0, an empty cell as None, a range as a list
of rows), prices with the assumptions of the workbook it is called from (``tco_xl.io.live``) and
returns USD rounded to cents as Excel's ROUND does. Nothing here computes money: arguments are
checked by ``tco_xl.engine.inputs``, figures come from the engine. A function never raises: a bad
argument or assumption cell shows ``#TCO! <what, where, expected>`` in the cell and the full detail
goes to the log (``%TEMP%\\tco_xl_udfs.log`` in Excel, or ``$TCO_XL_LOG``).

Every function is volatile (Excel re-runs it after any edit, so no cell keeps a stale figure) and
takes a ``caller`` parameter, which xlwings fills with the calling cell and leaves out of the
Excel signature. Parameters carry no type hints on purpose: xlwings reads them as converters.
Headcount arguments of single-value functions also take a range (``=TCO_HYBRID(A2:A20)``) and
return one result per cell, spilling like Excel's own functions: one call instead of one per cell.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any

import xlwings as xw

from .analysis import cheaper_throughout, crossings, npv, percentile, prob_cheapest, tornado
from .analysis.breakeven import AGENTS_MAX
from .assumptions import SELF_HOSTED_LLM, Assumptions
from .engine import ScenarioResult, agent_count, metric_key, price, ranked, scenario_key
from .engine.capacity import mac_studios
from .engine.components import Component
from .engine.inputs import COMPARISON_METRICS, llm_key, metric_label
from .engine.llm import api_components
from .engine.twilio import twilio_components
from .errors import InputError, TcoError, WorkbookError
from .io.live import assumptions_for
from .rounding import excel_round

__all__ = ["LLM_API_COST", "MAC_STUDIOS_NEEDED", "TCO", "TCO_BREAKDOWN", "TCO_BREAKEVEN", "TCO_CHEAPEST",
           "TCO_CLOUD", "TCO_COMPARE", "TCO_EXPLAIN", "TCO_HYBRID", "TCO_NPV", "TCO_PERCENTILE", "TCO_PROB_CHEAPEST",
           "TCO_SELF_HOSTED", "TCO_SENSITIVITY", "TWILIO_COST", "cell_error"]

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
_CURRENCY = "USD, EUR or BGN (default: the Finance sheet's currency)"
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
    """'TCO_CLOUD('IBM', 47.0, <Range [TCO.xlsm]Scenarios!$C$10>)' for the log (a failing repr shows its type)."""
    def text(arg: Any) -> str:
        try:
            return repr(arg)  # the caller's repr asks Excel for its address
        except Exception:  # noqa: BLE001 - logging must not make the UDF raise
            return f"<{type(arg).__name__}>"
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


def _each(agents: Any, value: Callable[[int], Any]) -> Any:
    """``value(headcount)`` for one headcount, or for every cell of a range (same rows and columns).

    A range of one cell gives a single value; a bad cell in a range shows its own error text.
    """
    if isinstance(agents, (list, tuple)):
        cells = [_each(item, value) for item in agents]
        return cells[0][0] if len(cells) == 1 and isinstance(cells[0], list) and len(cells[0]) == 1 else cells
    try:
        return value(agent_count(agents))
    except Exception as exc:  # noqa: BLE001 - one cell of a spill shows its own error
        return _logged(f"{_RUNNING.get()} at agents={_shown(agents)}", exc)


def _money(x: Any) -> float:
    """USD rounded to cents, half away from zero like Excel's ROUND."""
    return excel_round(float(x), CENTS)


def _part(a: Assumptions, name: str, components: list[Component], agents: int) -> ScenarioResult:
    """Totals of some line items (e.g. telephony only) over the assumptions' horizon."""
    return ScenarioResult(name, name, "part", float(agents), a.finance.horizon_years, tuple(components))


def _scenario_cells(a: Assumptions, key: str, agents: Any, metric: Any) -> Any:
    """``metric`` of scenario ``key`` in USD (cents) for one headcount or each cell of a range."""
    m = metric_key(metric)
    return _each(agents, lambda n: _money(price(key, n, a).metric(m)))


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
    if key == SELF_HOSTED_LLM:
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


# -- the functions Excel calls ------------------------------------------------------------------------
@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@_in_cell
def TCO(scenario, agents, metric=None, caller=None):
    """Cost of any scenario in USD at a headcount: Year 1 by default, or the metric named."""
    a = assumptions_for(caller)
    return _scenario_cells(a, scenario_key(a, scenario), agents, metric)


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@xw.arg("variant", doc="Base (default: Mac Studios + Hetzner servers) or Optimized (Hetzner database only)")
@_in_cell
def TCO_HYBRID(agents, metric=None, variant=None, caller=None):
    """Cost of the hybrid scenario (Mac Studios on premise + Hetzner cloud) in USD: Year 1 by default."""
    return _scenario_cells(assumptions_for(caller), _hybrid_key(variant), agents, metric)


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@_in_cell
def TCO_SELF_HOSTED(agents, metric=None, caller=None):
    """Cost of the self-hosted scenario (Mac Studios only) in USD: Year 1 by default, or the metric named."""
    return _scenario_cells(assumptions_for(caller), "self_hosted", agents, metric)


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("provider", doc="Cloud provider, e.g. AWS, GCP, Azure, Hetzner, OVH, Vultr, DigitalOcean, Cloudflare, Fly.io")
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@_in_cell
def TCO_CLOUD(provider, agents, metric=None, caller=None):
    """Cost of running everything at one cloud provider in USD: Year 1 by default, or the metric named."""
    a = assumptions_for(caller)
    return _scenario_cells(a, scenario_key(a, provider, "provider", kinds=("cloud",)), agents, metric)


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@_in_cell
def TWILIO_COST(agents, metric=None, caller=None):
    """Twilio telephony (call minutes, numbers, SMS, recordings) in USD, the same in every scenario."""
    a, m = assumptions_for(caller), metric_key(metric)
    return _each(agents, lambda n: _money(_part(a, "Twilio", twilio_components(a, float(n)), n).metric(m)))


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("model", doc="LLM model key or name from the LLM models sheet, e.g. gpt-4o, claude-3.5-sonnet")
@xw.arg("agents", ndim=2, doc=_AGENTS)
@xw.arg("metric", doc=_METRIC)
@_in_cell
def LLM_API_COST(model, agents, metric=None, caller=None):
    """What the LLM requests would cost through a paid API model, in USD: Year 1 by default."""
    a, m = assumptions_for(caller), metric_key(metric)
    key = _api_model(a, model)
    return _each(agents, lambda n: _money(_part(a, key, api_components(a, key, float(n)), n).metric(m)))


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@_in_cell
def MAC_STUDIOS_NEEDED(agents, caller=None):
    """Mac Studios to buy for a headcount: active units (by agents and LLM load) plus failover spares."""
    a = assumptions_for(caller)
    return _each(agents, lambda n: int(mac_studios(a, float(n))))


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("agents", ndim=2, doc=_AGENTS)
@_in_cell
def TCO_CHEAPEST(agents, caller=None):
    """Name of the scenario with the lowest N-year TCO at a headcount."""
    a = assumptions_for(caller)
    return _each(agents, lambda n: ranked(n, a)[0].name)


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("agents", doc=_AGENT)
@_in_cell
def TCO_COMPARE(agents, caller=None):
    """Every scenario at a headcount, cheapest N-year TCO first: a table with headers that spills."""
    a, n = assumptions_for(caller), agent_count(agents)
    horizon = a.finance.horizon_years
    labels = [metric_label(m, horizon) for m in COMPARISON_METRICS]
    order = ranked(n, a)
    return [["Scenario", *labels, "Cheapest"]] + [
        [r.name, *(_money(r.metric(m)) for m in COMPARISON_METRICS), r.tco == order[0].tco] for r in order]


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@_in_cell
def TCO_BREAKDOWN(scenario, agents, caller=None):
    """Line items of a scenario at a headcount, with quantities, unit prices and derivations: a table that spills."""
    a = assumptions_for(caller)
    result = price(scenario_key(a, scenario), agent_count(agents), a)
    return [BREAKDOWN_HEADER] + [
        [c.category, c.name, c.quantity, c.unit, c.unit_price, _money(c.monthly), _money(c.one_time),
         c.derivation()] for c in result.components]


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("item", doc="Line item number (1 = first row of TCO_BREAKDOWN) or name, e.g. Twilio inbound calls")
@_in_cell
def TCO_EXPLAIN(scenario, agents, item, caller=None):
    """How one line item of a scenario was computed, and the assumption cells it came from, as text."""
    a = assumptions_for(caller)
    c = _line_item(price(scenario_key(a, scenario), agent_count(agents), a), item)
    return f"{c.name}: {c.derivation()}. Assumptions: {_sources(a, c.keys)}"


# -- decision analysis (tco_xl.analysis) ------------------------------------------------------------
@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario_a", doc=_SCENARIO)
@xw.arg("scenario_b", doc=_SCENARIO)
@xw.arg("metric", doc="TCO (N-year, default) or Year 1")
@_in_cell
def TCO_BREAKEVEN(scenario_a, scenario_b, metric=None, caller=None):
    """Every headcount from 1 to 10,000 where the cheaper of two scenarios changes, one per row (spills),
    or a sentence naming the scenario that is cheaper throughout."""
    a = assumptions_for(caller)
    m = metric if metric not in (None, "") else "tco"
    found = crossings(a, scenario_a, scenario_b, m)
    if found:
        return [[c.agents] for c in found]
    winner = cheaper_throughout(a, scenario_a, scenario_b, m)
    return f"No crossing in 1..{AGENTS_MAX:,} agents: {winner} is cheaper throughout"


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("p", doc="Percentile as a fraction: 0.1 for P10, 0.5 for P50, 0.9 for P90")
@xw.arg("currency", doc=_CURRENCY)
@_in_cell
def TCO_PERCENTILE(scenario, agents, p, currency=None, caller=None):
    """The p-th percentile of a scenario's N-year TCO over 100,000 Monte Carlo draws (seed 0) of every
    assumption with a range on the sheets (triangular low/base/high)."""
    return _money(percentile(assumptions_for(caller), scenario, agents, p, currency=currency))


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@_in_cell
def TCO_PROB_CHEAPEST(scenario, agents, caller=None):
    """Probability (0 to 1) that a scenario has the lowest N-year TCO, over 100,000 Monte Carlo draws (seed 0)."""
    return prob_cheapest(assumptions_for(caller), scenario, agents)


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("currency", doc=_CURRENCY)
@_in_cell
def TCO_SENSITIVITY(scenario, agents, currency=None, caller=None):
    """Tornado table (spills): each assumption moved to its low and high (its range on the sheets, else
    ±20%), the N-year TCO at each and the swing, largest first."""
    df = tornado(assumptions_for(caller), scenario, agents, currency=currency)
    money = ("tco_low", "tco_high", "delta_low", "delta_high", "swing")
    return [SENSITIVITY_HEADER] + [
        [r.assumption, r.label, r.unit, r.base, r.low, r.high, r.range, *(_money(getattr(r, c)) for c in money)]
        for r in df.itertuples()]


@xw.func(volatile=True, category=CATEGORY)
@xw.arg("scenario", doc=_SCENARIO)
@xw.arg("agents", doc=_AGENT)
@xw.arg("rate", doc="Discount rate per year as a fraction, e.g. 0.08 (default: the Finance sheet's)")
@xw.arg("currency", doc=_CURRENCY)
@_in_cell
def TCO_NPV(scenario, agents, rate=None, currency=None, caller=None):
    """Net present value of a scenario's cash flows (a cost), with the Finance sheet's escalation, hardware
    life and salvage; unlike the TCO it discounts, escalates and credits residual value."""
    return _money(npv(assumptions_for(caller), scenario, agents, rate, currency))


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
