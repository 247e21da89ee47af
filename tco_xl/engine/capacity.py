"""Capacity rules: units, servers, sites and usage volumes for a headcount.

Each rule is an expression (``tco_xl.engine.expr``) over the assumptions and the headcount; the
functions below evaluate them (vectorized over agents and over arrays of assumption draws).
"""

from __future__ import annotations

import operator
from functools import cache, reduce

import numpy as np

from ..assumptions import SELF_HOSTED_LLM, Assumptions, PriceLine, Stack
from .expr import AGENTS, Const, Context, Expr, Input, Named, Num, Param, any_of, evaluate, maximum, text_is, where
from .expr import whole as whole_units

REFERENCE_AGENTS = Input("usage.reference_agents", "{} reference agents")
#: agents / reference agents: volumes stated at the reference headcount scale with it.
SCALE = Named("Agents ÷ reference agents", AGENTS / REFERENCE_AGENTS, unit="×", inline=True)
WORKING_DAYS = Input("usage.working_days_per_month", "{} days")

TOKENS_PER_MONTH = Named(
    "LLM tokens/month",
    AGENTS * Input("llm.requests_per_agent_per_day", "{} requests/day") * Input("llm.tokens_per_request", "{} tokens")
    * WORKING_DAYS, unit="tokens", inline=True)
TOKENS_PER_SECOND = Named(
    "LLM tokens/s (average over the operating hours)",
    TOKENS_PER_MONTH / (WORKING_DAYS * Input("hardware.hours_per_day", "{} h/day") * Const(3600, "3,600 s/h")),
    unit="tokens/s")

_CALLS_PER_DAY = Input("usage.calls_per_agent_per_day", "{} calls/day")
MINUTES = Named("Call minutes/month", AGENTS * _CALLS_PER_DAY * Input("usage.minutes_per_call", "{} min")
                * WORKING_DAYS, unit="min", inline=True)
#: Voice AI volumes (Usage sheet) and their load averaged over the operating hours, as for the LLM's tokens/s.
STT_MINUTES = Named("Speech-to-text minutes/month", MINUTES * Input("usage.transcribed_share", "{:.0%} transcribed"),
                    unit="min", derive=True)
TTS_CHARACTERS = Named("Text-to-speech characters/month", AGENTS * _CALLS_PER_DAY * WORKING_DAYS
                       * Input("usage.tts_characters_per_call", "{} characters/call"), unit="characters", derive=True)
STT_STREAMS = Named(
    "Speech-to-text streams (average over the operating hours)",
    STT_MINUTES / (WORKING_DAYS * Input("hardware.hours_per_day", "{} h/day") * Const(60, "60 min/h")),
    unit="streams")
TTS_PER_SECOND = Named(
    "Text-to-speech characters/s (average over the operating hours)",
    TTS_CHARACTERS / (WORKING_DAYS * Input("hardware.hours_per_day", "{} h/day") * Const(3600, "3,600 s/h")),
    unit="characters/s")


def ai_load(llm: Expr | None, stt: Expr | None, tts: Expr | None) -> Expr | None:
    """The share of hardware an AI workload takes (units, fractional): LLM tokens/s ÷ ``llm`` + speech-to-text
    streams ÷ ``stt`` + text-to-speech characters/s ÷ ``tts``, for the capacities given (None: not run there)."""
    terms = [load / per_unit for load, per_unit in ((TOKENS_PER_SECOND, llm), (STT_STREAMS, stt),
                                                    (TTS_PER_SECOND, tts)) if per_unit is not None]
    return reduce(operator.add, terms) if terms else None


def whole(x: Num) -> Num:
    """Round up to whole units, ignoring float noise below 1e-9 (100/25 is 4, not 5)."""
    return np.ceil(np.round(x, 9))


@cache
def mac_studios_active_rule(self_hosted_llm: bool = True, self_hosted_voice: bool = True) -> Named:
    """Active Mac Studios: the larger of the minimum, the agent rule and the AI load rule: ⌈LLM tokens/s ÷
    tokens/s per unit (when they run the LLM) + speech-to-text streams ÷ streams per unit + text-to-speech
    characters/s ÷ characters/s per unit (when they run voice AI)⌉ (units)."""
    per_unit = whole_units(AGENTS / Input("capacity.agents_per_mac_studio", "{} agents/unit"))
    rules: list[Expr] = [Input("capacity.min_mac_studios", "{} units"), per_unit]
    load = ai_load(Input("capacity.llm_tokens_per_sec_per_mac", "{} tokens/s") if self_hosted_llm else None,
                   Input("capacity.stt_streams_per_mac", "{} streams/unit") if self_hosted_voice else None,
                   Input("capacity.tts_chars_per_sec_per_mac", "{} characters/s") if self_hosted_voice else None)
    if load is not None:
        rules.append(whole_units(load))
    return Named("Mac Studios, active", maximum(*rules), unit="units")


@cache
def mac_studios_rule(self_hosted_llm: bool = True, self_hosted_voice: bool = True) -> Named:
    """Mac Studios needed: active units plus failover spares (ceil(active × failover ratio)) (units)."""
    active = mac_studios_active_rule(self_hosted_llm, self_hosted_voice)
    spares = whole_units(active * Input("capacity.failover_ratio", "{} spares/unit"))
    return Named("Mac Studios incl. failover spares", active + spares, unit="units")


@cache
def gpu_servers_rule(row: int, group: str, llm: bool, voice: bool) -> Named:
    """Rented GPU servers of ``group`` (first line: row ``row`` of the GPU servers sheet) running the LLM and/or
    voice AI: max(minimum, ⌈AI load with that row's capacities⌉) (servers)."""
    ref = f"gpu_servers[{row}]"
    load = ai_load(Input(f"{ref}.tokens_per_sec", "{} tokens/s per server") if llm else None,
                   Input(f"{ref}.stt_streams", "{} streams per server") if voice else None,
                   Input(f"{ref}.tts_chars_per_sec", "{} characters/s per server") if voice else None)
    if load is None:
        raise ValueError(f"GPU group {group!r} runs neither the LLM nor voice AI")
    return Named(f"GPU servers ({group})", maximum(Input("capacity.min_gpu_servers", "{} servers"), whole_units(load)),
                 unit="servers", derive=True)


def gpu_rules(a: Assumptions, stack: Stack) -> dict[str, Named]:
    """The GPU servers ``stack`` rents, per GPU group its LLM or Voice column names (none: {})."""
    groups = a.gpu_groups()
    return {group: gpu_servers_rule(a.gpu_server(group), group, stack.llm == group, stack.voice == group)
            for group in dict.fromkeys((stack.llm, stack.voice)) if group in groups}


def sites_rule(units: Expr) -> Named:
    """Sites with an internet line: max(minimum sites, ceil(units / units per site))."""
    return Named("Sites (one fiber line each)", maximum(
        Input("capacity.min_sites", "{} sites"),
        whole_units(units / Input("capacity.mac_studios_per_site", "{} units/site"))), unit="sites")


@cache
def app_servers_rule(stack_index: int) -> Named:
    """Application servers of stack ``stack_index``: max(minimum, ceil(agents / agents per server)); only the
    minimum when agents per server is 0 (servers)."""
    row = f"stacks[{stack_index}]"
    per = Input(f"{row}.agents_per_app_server", "{} agents/server")
    return Named("Application servers", maximum(
        where(per > 0, whole_units(AGENTS / per), 0), Input(f"{row}.app_servers_min", "{} servers")), unit="servers")


DB_SERVERS = Named("Database servers", maximum(
    Input("capacity.min_db_servers", "{} servers"),
    whole_units(AGENTS / Input("capacity.agents_per_db_server", "{} agents/server"))), unit="servers")

#: Volumes stated at the reference headcount (Usage sheet), scaled with agents:
#: driver -> (name, assumption keys summed, unit).
VOLUMES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "recordings_gb": ("Recordings and documents stored", ("usage.recordings_gb",), "GB"),
    "database_gb": ("Database storage", ("usage.database_gb",), "GB"),
    "cdn_gb": ("CDN traffic", ("usage.cdn_gb",), "GB/month"),
    "egress_gb": ("Data transfer out", ("usage.egress_gb",), "GB/month"),
    "backup_gb": ("Backups (recordings + database)", ("usage.recordings_gb", "usage.database_backup_gb"), "GB"),
    "emails": ("Transactional emails", ("usage.emails_per_month",), "emails/month"),
}


@cache
def volume_rule(driver: str) -> Named:
    """A volume stated at the reference headcount, scaled with agents (``VOLUMES``)."""
    name, keys, unit = VOLUMES[driver]
    base: Expr = Input(keys[0], "{} " + unit)
    for key in keys[1:]:
        base = base + Input(key, "{} " + unit)
    return Named(name, base * SCALE, unit=unit)


def driver_rules(stack_index: int, stack: Stack, provider_refs: list[str],
                 gpu: dict[str, Named] | None = None) -> dict[str, Expr]:
    """Every quantity a price line can be driven by, for one stack (see ``pricelist.DRIVER_HELP``); ``gpu`` are
    its GPU servers per group (``gpu_rules``): a GPU group's own lines are driven by their group's count.

    Servers count only where the stack prices lines driven by them (a hybrid whose app runs on the
    Mac Studios has no application servers): whether a line of the stack's provider has that driver
    is read from the Driver cells, so a spreadsheet follows an edit of them. (The provider's own lines
    may read the server rules directly: for them, being driven by servers is that condition.)
    """
    def priced(driver: str, servers: Named) -> Expr:
        if not provider_refs:
            return Const(0)
        used = any_of(*(text_is(f"{ref}.driver", driver) for ref in provider_refs))
        return Named(f"{servers.name} priced", where(used, servers, 0), unit="servers")
    units: Expr = mac_studios_rule(*self_hosted(stack)) if stack.mac_studios else Const(0)
    app, db = priced("app_servers", app_servers_rule(stack_index)), priced("db_servers", DB_SERVERS)
    hosts = units + app + db
    gpu_servers: Expr = reduce(operator.add, gpu.values()) if gpu else Const(0)
    if gpu:
        hosts = hosts + gpu_servers
    return {
        "fixed": Const(1), "scaled": SCALE, "agents": AGENTS,
        "app_servers": app, "db_servers": db,
        "mac_studios": units, "hosts": Named("Monitored hosts", hosts, unit="hosts"),
        **{name: volume_rule(name) for name in VOLUMES},
        "gpu_servers": gpu_servers, "stt_minutes": STT_MINUTES, "tts_characters": TTS_CHARACTERS,
    }


def self_hosted(stack: Stack) -> tuple[bool, bool]:
    """Whether the stack's Mac Studios run (its LLM, its voice AI)."""
    return stack.llm == SELF_HOSTED_LLM, stack.voice == SELF_HOSTED_LLM


# -- values ------------------------------------------------------------------------------------------

def scale(a: Assumptions, agents: Num) -> Num:
    """Factor applied to volumes stated at the reference headcount (agents / reference agents)."""
    return evaluate(SCALE, a, agents=agents)


def llm_tokens_per_month(a: Assumptions, agents: Num) -> Num:
    """LLM tokens/month = agents × requests/agent/day × tokens/request × working days/month."""
    return evaluate(TOKENS_PER_MONTH, a, agents=agents)


def llm_tokens_per_second(a: Assumptions, agents: Num) -> Num:
    """Average LLM tokens/s over the operating hours of the working days."""
    return evaluate(TOKENS_PER_SECOND, a, agents=agents)


def mac_studios_active(a: Assumptions, agents: Num, self_hosted_llm: bool = True,
                       self_hosted_voice: bool = True) -> Num:
    """Active Mac Studios: the larger of the minimum, the agent rule and the AI load rule (LLM and voice AI where
    they run them) (units)."""
    return evaluate(mac_studios_active_rule(bool(self_hosted_llm), bool(self_hosted_voice)), a, agents=agents)


def mac_studios(a: Assumptions, agents: Num, self_hosted_llm: bool = True, self_hosted_voice: bool = True) -> Num:
    """Mac Studios needed: active units plus failover spares (ceil(active × failover ratio)) (units)."""
    return evaluate(mac_studios_rule(bool(self_hosted_llm), bool(self_hosted_voice)), a, agents=agents)


def gpu_servers(a: Assumptions, stack: Stack, agents: Num) -> dict[str, Num]:
    """GPU servers ``stack`` rents per GPU group (none: {}) at ``agents`` (servers)."""
    ctx = Context(a, {"agents": agents})
    return {group: ctx.value(rule) + agents * 0 for group, rule in gpu_rules(a, stack).items()}


_SITES_OF_UNITS = sites_rule(Param("units", "{} units"))


def sites(a: Assumptions, units: Num) -> Num:
    """Sites with an internet line: max(minimum sites, ceil(units / units per site))."""
    return evaluate(_SITES_OF_UNITS, a, units=units)


class _OneStack:
    """A stand-in for the assumptions holding one stack row, for rules that read only that row."""

    def __init__(self, stack: Stack):
        self.stacks = [stack]


def app_servers(stack: Stack, agents: Num) -> Num:
    """Application servers of a stack: max(minimum, ceil(agents / agents per server)); only the
    minimum when agents per server is 0 (servers)."""
    return evaluate(app_servers_rule(0), _OneStack(stack), agents=agents)


def db_servers(a: Assumptions, agents: Num) -> Num:
    """Database servers: max(minimum, ceil(agents / agents per database server)) (servers)."""
    return evaluate(DB_SERVERS, a, agents=agents)


def drivers(a: Assumptions, stack: Stack, agents: Num) -> dict[str, Num]:
    """Every quantity a price line can be driven by, for one stack at ``agents`` (see ``driver_rules``)."""
    rules = driver_rules(a.stacks.index(stack), stack, [ref for ref, _ in provider_lines(a, stack)],
                         gpu_rules(a, stack))
    ctx = Context(a, {"agents": agents})
    return {name: ctx.value(rule) + agents * 0 for name, rule in rules.items()}


def provider_lines(a: Assumptions, stack: Stack) -> list[tuple[str, PriceLine]]:
    """(row reference, line) of the stack's provider, filtered to its provider categories (all when none listed)."""
    if not stack.provider:
        return []
    return [(ref, line) for ref, line in a.line_refs(stack.provider)
            if not stack.provider_categories or line.category in stack.provider_categories]
