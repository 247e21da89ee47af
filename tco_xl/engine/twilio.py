"""Twilio telephony, from first principles: agents × calls/agent/day × minutes × working days."""

from __future__ import annotations

from ..assumptions import Assumptions
from .capacity import scale
from .components import Component, Num


def minutes_per_month(a: Assumptions, agents: Num) -> Num:
    """Call minutes/month = agents × calls/agent/day × minutes/call × working days/month."""
    u = a.usage
    return agents * u.calls_per_agent_per_day * u.minutes_per_call * u.working_days_per_month


def _usage_line(name: str, quantity: Num, unit: str, rate: float, keys: tuple[str, ...], basis: str,
                terms: dict, per: str | None = None) -> Component:
    """A Twilio line billed as quantity × rate (USD/month); ``basis`` explains the quantity, ``per`` the rate."""
    return Component("telephony", name, quantity, unit, rate, monthly=quantity * rate, keys=keys,
                     basis=basis + " × {rate:$}/" + (per or unit), terms={**terms, "q": quantity, "rate": rate})


def twilio_components(a: Assumptions, agents: Num) -> list[Component]:
    """Inbound and outbound minutes, phone numbers, SMS and recording storage (USD/month)."""
    t, u = a.telephony, a.usage
    minutes = minutes_per_month(a, agents)
    f = scale(a, agents)
    call_keys = ("usage.calls_per_agent_per_day", "usage.minutes_per_call", "usage.working_days_per_month",
                 "usage.inbound_share")
    call_terms = {"agents": agents, "calls": u.calls_per_agent_per_day, "minutes": u.minutes_per_call,
                  "days": u.working_days_per_month}
    calls = [_usage_line(f"Twilio {direction} calls", minutes * share, "min", rate,
                         (*call_keys, f"telephony.{direction}_usd_per_min"),
                         "{agents} agents × {calls} calls/day × {minutes} min × {days} days × {share:.0%} "
                         "{dir} = {q} min", {**call_terms, "share": share, "dir": direction})
             for direction, share, rate in (("inbound", u.inbound_share, t.inbound_usd_per_min),
                                            ("outbound", 1 - u.inbound_share, t.outbound_usd_per_min))]
    scaled = "{base} at {ref} agents × {agents}/{ref} = {q} "
    return [
        *calls,
        _usage_line("Twilio phone numbers", agents * t.numbers_per_agent, "number", t.number_usd_per_month,
                    ("telephony.numbers_per_agent", "telephony.number_usd_per_month"),
                    "{agents} agents × {per} numbers/agent", {"agents": agents, "per": t.numbers_per_agent}, "month"),
        _usage_line("Twilio SMS (outbound)", t.sms_per_month * f, "msg", t.sms_usd_per_msg,
                    ("telephony.sms_per_month", "telephony.sms_usd_per_msg", "usage.reference_agents"),
                    scaled + "msgs", {"base": t.sms_per_month, "ref": u.reference_agents, "agents": agents}),
        _usage_line("Twilio recording storage", t.recording_gb * f, "GB", t.recording_usd_per_gb,
                    ("telephony.recording_gb", "telephony.recording_usd_per_gb", "usage.reference_agents"),
                    scaled + "GB", {"base": t.recording_gb, "ref": u.reference_agents, "agents": agents}),
    ]
