"""A scenario's model: the rules of every line item of a stack, built once per assumptions structure, and
the totals every view reads (Year 1, annual, N-year TCO, ...), as expressions.

Structure is what decides which lines a stack has: the stacks table, the service choices, every text of
the price-line, GPU-server and LLM-model tables. Numbers are inputs of the rules, so arrays of assumption draws and
edited rates reuse a built model; a new structure builds a new one.
"""

from __future__ import annotations

import operator
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace

from ..assumptions import NONE_OPTION, SELF_HOSTED_LLM, Assumptions, Stack
from . import capacity
from .components import Line
from .expr import AGENTS, Const, Expr, Input, Named, Param, where
from .llm import llm_lines
from .onprem import onprem_lines
from .pricelist import group_lines
from .support import support_lines
from .twilio import TWILIO_LINES

MONTHLY, ONE_TIME = Param("monthly", "{:$}/month"), Param("one_time", "{:$} one-time")
HORIZON = Param("horizon", "{} years")
#: The scenario totals, from its monthly and one-time sums (USD). Year 1 = 12 × monthly + one-time;
#: annual (years 2..N) = 12 × monthly; N-year TCO = Year 1 + (N − 1) × annual; per agent per month =
#: TCO / (12 × N × agents).
ANNUAL = Named("Annual (years 2..N)", 12 * MONTHLY, unit="USD/year", show="{:$}/year")
YEAR1 = Named("Year 1", ANNUAL + ONE_TIME, unit="USD", show="{:$}")
TCO = Named("N-year TCO", YEAR1 + (HORIZON - 1) * ANNUAL, unit="USD", show="{:$}")
METRIC_RULES: dict[str, Expr] = {
    "year1": YEAR1, "annual": ANNUAL, "tco": TCO, "monthly": MONTHLY,
    "per_agent_month": Named("Per agent per month", TCO / (12 * HORIZON * AGENTS), unit="USD/agent/month"),
    "one_time": ONE_TIME,
}


@dataclass(frozen=True, eq=False)
class StackModel:
    """The line rules of one stack (row ``index`` of the Stacks table), in the order of its line items."""

    index: int
    stack: Stack
    lines: tuple[Line, ...]
    requires: tuple[tuple[str, object], ...]  # (text key, value): the structure this model was built for


_LINE_TEXTS = operator.attrgetter("group", "line", "category", "currency", "billing", "unit", "driver",
                                  "whole_units")


def structure(a: Assumptions) -> tuple:
    """Every text of the assumptions that decides or labels line items (not numbers): the cache key of models.
    Kept per assumptions object while it lives (assumptions are not changed in place)."""
    entry = _STRUCTURES.get(id(a))
    if entry is not None and entry[0]() is a:
        return entry[1]
    key, ident = _structure(a), id(a)
    _STRUCTURES[ident] = (weakref.ref(a, lambda _: _STRUCTURES.pop(ident, None)), key)
    return key


_STRUCTURES: dict[int, tuple[weakref.ref, tuple]] = {}


def _structure(a: Assumptions) -> tuple:
    stacks = tuple((s.key, s.name, s.kind, s.mac_studios, s.provider, tuple(s.provider_categories),
                    tuple(s.option_groups), s.backups, s.llm, s.voice) for s in a.stacks)
    return (tuple(map(_LINE_TEXTS, a.providers)), tuple(map(_LINE_TEXTS, a.options)),
            tuple(map(_LINE_TEXTS, a.gpu_servers)), tuple((m.key, m.name) for m in a.llm_models), stacks,
            (a.services.email, a.services.monitoring, a.services.security, a.services.at_scale))


_MODELS: OrderedDict[tuple, StackModel] = OrderedDict()
_MAX_MODELS = 512


def stack_model(a: Assumptions, stack: Stack, key: tuple | None = None) -> StackModel:
    """The model of ``stack`` for the structure of ``a`` (``key``: ``structure(a)`` when already computed)."""
    index = a.stacks.index(stack)
    cache_key = (structure(a) if key is None else key, index)
    model = _MODELS.get(cache_key)
    if model is None:
        model = _MODELS[cache_key] = _build(a, stack, index)
        if len(_MODELS) > _MAX_MODELS:
            _MODELS.popitem(last=False)
    return model


#: From this headcount on, the option added at scale is priced (below it, its lines cost nothing).
AT_SCALE = Input("capacity.at_scale_agents", "{} agents") <= AGENTS
_OFF = Input("capacity.at_scale_agents", "off below {} agents") * Const(0)


def at_scale(line: Line) -> Line:
    """``line`` priced from the headcount ``capacity.at_scale_agents`` on (``services.at_scale``'s lines)."""
    def gated(x: Expr | None) -> Expr | None:
        return None if x is None else where(AT_SCALE, x, _OFF)
    return replace(line, quantity=where(AT_SCALE, line.quantity, 0), monthly=gated(line.monthly),
                   one_time=gated(line.one_time), optional=True, _keys={})


def _build(a: Assumptions, stack: Stack, index: int) -> StackModel:
    row = f"stacks[{index}]"
    provider = capacity.provider_lines(a, stack)
    refs = [ref for ref, _ in provider]
    gpu = capacity.gpu_rules(a, stack)
    drivers = capacity.driver_rules(index, stack, refs, gpu)
    requires: list[tuple[str, object]] = [(f"{row}.{f}", getattr(stack, f)) for f in (
        "mac_studios", "provider", "provider_categories", "option_groups", "backups", "llm", "voice")]
    lines: list[Line] = []
    if stack.mac_studios:
        lines += onprem_lines(*capacity.self_hosted(stack))
    own = {**drivers, "app_servers": capacity.app_servers_rule(index), "db_servers": capacity.DB_SERVERS}
    lines += group_lines(provider, own)
    for group in stack.option_groups:
        lines += group_lines(a.line_refs(group), drivers)
    lines += TWILIO_LINES
    lines += llm_lines(a, stack)
    if stack.llm != SELF_HOSTED_LLM and stack.llm not in gpu:
        model = a.llm_model(stack.llm)
        requires.append((f"llm_models[{a.llm_models.index(model)}].key", model.key))
    for group, servers in gpu.items():  # rented GPU servers, sized by what the stack runs on them
        lines += group_lines(a.line_refs(group), {**drivers, "gpu_servers": servers})
        requires.append((f"gpu_servers[{a.gpu_server(group)}].group", group))
    if stack.voice not in ("", SELF_HOSTED_LLM, *gpu):  # voice AI through an API: listed where it costs
        lines += [replace(line, optional=True) for line in group_lines(a.line_refs(stack.voice), drivers)]
    for name in ("email", "monitoring", "security"):
        choice = getattr(a.services, name)
        requires.append((f"services.{name}", choice))
        if choice != NONE_OPTION:
            lines += group_lines(a.line_refs(choice), drivers)
    requires.append(("services.at_scale", a.services.at_scale))
    if a.services.at_scale != NONE_OPTION:
        lines += [at_scale(line) for line in group_lines(a.line_refs(a.services.at_scale), drivers)]
    if stack.backups != NONE_OPTION:
        lines += group_lines(a.line_refs(stack.backups), drivers)
    lines += support_lines(index)
    for line in lines:
        requires.extend(r for r in line.requires if r not in requires)
    return StackModel(index, stack, tuple(lines), tuple(requires))
