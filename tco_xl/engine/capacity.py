"""Capacity rules: units, servers, sites and usage volumes for a headcount (vectorized over agents)."""

from __future__ import annotations

import numpy as np

from ..assumptions import SELF_HOSTED_LLM, Assumptions, PriceLine, Stack
from .components import Num


def whole(x: Num) -> Num:
    """Round up to whole units, ignoring float noise below 1e-9 (100/25 is 4, not 5)."""
    return np.ceil(np.round(x, 9))


def scale(a: Assumptions, agents: Num) -> Num:
    """Factor applied to volumes stated at the reference headcount (agents / reference agents)."""
    return agents / a.usage.reference_agents


def llm_tokens_per_month(a: Assumptions, agents: Num) -> Num:
    """LLM tokens/month = agents × requests/agent/day × tokens/request × working days/month."""
    return agents * a.llm.requests_per_agent_per_day * a.llm.tokens_per_request * a.usage.working_days_per_month


def llm_tokens_per_second(a: Assumptions, agents: Num) -> Num:
    """Average LLM tokens/s over the operating hours of the working days."""
    seconds = a.usage.working_days_per_month * a.hardware.hours_per_day * 3600
    return llm_tokens_per_month(a, agents) / seconds


def mac_studios_active(a: Assumptions, agents: Num, self_hosted_llm: bool = True) -> Num:
    """Active Mac Studios: the larger of the agent rule, the LLM throughput rule (when they run the LLM)
    and the minimum (units)."""
    c = a.capacity
    active = np.maximum(whole(agents / c.agents_per_mac_studio), c.min_mac_studios)
    if self_hosted_llm:
        active = np.maximum(active, whole(llm_tokens_per_second(a, agents) / c.llm_tokens_per_sec_per_mac))
    return active


def mac_studios(a: Assumptions, agents: Num, self_hosted_llm: bool = True) -> Num:
    """Mac Studios needed: active units plus failover spares (ceil(active × failover ratio)) (units)."""
    active = mac_studios_active(a, agents, self_hosted_llm)
    return active + whole(active * a.capacity.failover_ratio)


def sites(a: Assumptions, units: Num) -> Num:
    """Sites with an internet line: max(minimum sites, ceil(units / units per site))."""
    return np.maximum(a.capacity.min_sites, whole(units / a.capacity.mac_studios_per_site))


def app_servers(stack: Stack, agents: Num) -> Num:
    """Application servers of a stack: max(minimum, ceil(agents / agents per server)); only the minimum
    when agents per server is 0 (servers)."""
    per = np.asarray(stack.agents_per_app_server, dtype=float)
    by_agents = whole(agents / np.where(per > 0, per, np.inf))
    return np.maximum(by_agents, stack.app_servers_min)


def db_servers(a: Assumptions, agents: Num) -> Num:
    """Database servers: max(minimum, ceil(agents / agents per database server)) (servers)."""
    return np.maximum(whole(agents / a.capacity.agents_per_db_server), a.capacity.min_db_servers)


def drivers(a: Assumptions, stack: Stack, agents: Num) -> dict[str, Num]:
    """Every quantity a price line can be driven by, for one stack at ``agents``.

    Servers count only where the stack prices lines driven by them (a hybrid whose app runs on the
    Mac Studios has no application servers).
    """
    used = {line.driver for _, line in provider_lines(a, stack)}
    f = scale(a, agents)
    units = mac_studios(a, agents, stack.llm == SELF_HOSTED_LLM) if stack.mac_studios else agents * 0
    app = app_servers(stack, agents) if "app_servers" in used else agents * 0
    db = db_servers(a, agents) if "db_servers" in used else agents * 0
    u = a.usage
    return {
        "fixed": agents * 0 + 1, "scaled": f, "agents": agents, "app_servers": app, "db_servers": db,
        "mac_studios": units, "hosts": units + app + db, "recordings_gb": u.recordings_gb * f,
        "database_gb": u.database_gb * f, "cdn_gb": u.cdn_gb * f, "egress_gb": u.egress_gb * f,
        "backup_gb": (u.recordings_gb + u.database_backup_gb) * f, "emails": u.emails_per_month * f,
    }


def provider_lines(a: Assumptions, stack: Stack) -> list[tuple[str, PriceLine]]:
    """(row reference, line) of the stack's provider, filtered to its provider categories (all when none listed)."""
    if not stack.provider:
        return []
    return [(ref, line) for ref, line in a.line_refs(stack.provider)
            if not stack.provider_categories or line.category in stack.provider_categories]
