"""Support hours (growing with headcount) and one-time setup."""

from __future__ import annotations

from functools import cache

from ..assumptions import Assumptions, Stack
from .capacity import SCALE
from .components import Line, Num
from .expr import Const, Input, Named, evaluate


@cache
def support_hours_rule(stack_index: int) -> Named:
    """Hours/month = stack hours at the reference headcount × (agents / reference)^exponent."""
    return Named("Support hours/month", Input(f"stacks[{stack_index}].support_hours", "{} h at reference")
                 * SCALE ** Input("support.scale_exponent"), unit="h", derive=True)


@cache
def support_lines(stack_index: int) -> tuple[Line, ...]:
    """System administration (USD/month) and setup (USD one-time) of the stack in row ``stack_index``."""
    hours = support_hours_rule(stack_index)
    rate = Input("support.usd_per_hour", "{:$}/h")
    setup = Input(f"stacks[{stack_index}].setup_usd", "one-time setup {:$}")
    return (Line("support", "System administration", "h", hours, rate, monthly=hours * rate, optional=True),
            Line("setup", "Setup (one-time)", "project", Const(1), setup, one_time=setup, optional=True))


def support_hours(a: Assumptions, stack: Stack, agents: Num) -> Num:
    """Hours/month = stack hours at the reference headcount × (agents / reference)^exponent."""
    return evaluate(support_hours_rule(a.stacks.index(stack)), a, agents=agents)

