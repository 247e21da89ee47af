"""Support hours (growing with headcount) and one-time setup."""

from __future__ import annotations

import numpy as np

from ..assumptions import Assumptions, Stack
from .capacity import scale
from .components import Component, Num


def support_hours(a: Assumptions, stack: Stack, agents: Num) -> Num:
    """Hours/month = stack hours at the reference headcount × (agents / reference)^exponent."""
    return stack.support_hours * scale(a, agents) ** a.support.scale_exponent


def support_components(a: Assumptions, stack: Stack, index: int, agents: Num) -> list[Component]:
    """System administration (USD/month) and setup (USD one-time) of one stack; a stack with no support hours
    or no setup (the clouds) has no such line rather than a $0.00 one."""
    hours = support_hours(a, stack, agents)
    rate = a.support.usd_per_hour
    lines = [
        Component("support", "System administration", hours, "h", rate, monthly=hours * rate,
                  keys=(f"stacks[{index}].support_hours", "support.usd_per_hour", "support.scale_exponent"),
                  basis="{base} h at {ref} agents × ({agents}/{ref})^{exp} = {hours} h × {rate:$}/h",
                  terms={"base": stack.support_hours, "ref": a.usage.reference_agents, "agents": agents,
                         "exp": a.support.scale_exponent, "hours": hours, "rate": rate}),
        Component("setup", "Setup (one-time)", agents * 0 + 1, "project", stack.setup_usd,
                  one_time=agents * 0 + stack.setup_usd, keys=(f"stacks[{index}].setup_usd",),
                  basis="one-time setup {setup:$}", terms={"setup": stack.setup_usd}),
    ]
    return [line for line, amount in zip(lines, (stack.support_hours, stack.setup_usd), strict=True) if np.any(amount)]
