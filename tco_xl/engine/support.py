"""Support hours (growing with headcount) and one-time setup.

Each stack states its hours/month at the reference headcount n1 (Usage) and, where the report gives them, at the
Support sheet's second and third headcounts n2, n3 (Stacks sheet; 0 = not stated). Between two points the hours
follow the power law through both; beyond the last point the last segment's:

    s12 = ln(h2 / h1) / ln(n2 / n1)   where h2 is stated, else the Support sheet's exponent
    H2  = h1 × (n2 / n1)^s12          (= h2 where stated)
    s23 = ln(h3 / H2) / ln(n3 / n2)   where h3 is stated, else s12
    hours = h1 × (agents / n1)^s12 up to n2, H2 × (agents / n2)^s23 above

so a stack that states no point beyond the reference grows as (agents / n1)^exponent, and one that states all
three reproduces them exactly.
"""

from __future__ import annotations

from functools import cache

from ..assumptions import Assumptions, Stack
from .components import Line, Num
from .expr import AGENTS, Const, Input, Named, evaluate, ln, where

_N1 = Input("usage.reference_agents", "{} agents")
_N2 = Input("support.mid_agents", "{} agents")
_N3 = Input("support.high_agents", "{} agents")


@cache
def support_hours_rule(stack_index: int) -> Named:
    """Support hours/month of the stack in row ``stack_index``: a power law through its stated points (h)."""
    row = f"stacks[{stack_index}]"
    h1 = Input(f"{row}.support_hours", "{} h")
    h2, h3 = Input(f"{row}.support_hours_mid", "{} h"), Input(f"{row}.support_hours_high", "{} h")
    s12 = Named("Support growth up to the second headcount (exponent)",
                where(h2 > 0, ln(h2 / h1) / ln(_N2 / _N1), Input("support.scale_exponent")), unit="exponent",
                show="{:.4g}")
    at2 = Named("Support hours at the second headcount", h1 * (_N2 / _N1) ** s12, unit="h")
    s23 = Named("Support growth above the second headcount (exponent)",
                where(h3 > 0, ln(h3 / at2) / ln(_N3 / _N2), s12), unit="exponent", show="{:.4g}")
    return Named("Support hours/month", where(AGENTS <= _N2, h1 * (AGENTS / _N1) ** s12, at2 * (AGENTS / _N2) ** s23),
                 unit="h", derive=True)


@cache
def support_lines(stack_index: int) -> tuple[Line, ...]:
    """System administration (USD/month) and setup (USD one-time) of the stack in row ``stack_index``."""
    hours = support_hours_rule(stack_index)
    rate = Input("support.usd_per_hour", "{:$}/h")
    setup = Input(f"stacks[{stack_index}].setup_usd", "one-time setup {:$}")
    return (Line("support", "System administration", "h", hours, rate, monthly=hours * rate, optional=True),
            Line("setup", "Setup (one-time)", "project", Const(1), setup, one_time=setup, optional=True))


def support_hours(a: Assumptions, stack: Stack, agents: Num) -> Num:
    """Support hours/month of ``stack`` at ``agents``: a power law through its stated points (h)."""
    return evaluate(support_hours_rule(a.stacks.index(stack)), a, agents=agents)
