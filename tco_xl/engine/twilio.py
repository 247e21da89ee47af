"""Twilio telephony, from first principles: agents × calls/agent/day × minutes × working days."""

from __future__ import annotations

from ..assumptions import Assumptions
from .capacity import scale
from .components import Component, Num


def minutes_per_month(a: Assumptions, agents: Num) -> Num:
    """Call minutes/month = agents × calls/agent/day × minutes/call × working days/month."""
    u = a.usage
    return agents * u.calls_per_agent_per_day * u.minutes_per_call * u.working_days_per_month


def twilio_components(a: Assumptions, agents: Num) -> list[Component]:
    """Inbound and outbound minutes, phone numbers, SMS and recording storage (USD/month)."""
    t, u = a.telephony, a.usage
    minutes = minutes_per_month(a, agents)
    inbound, outbound = minutes * u.inbound_share, minutes * (1 - u.inbound_share)
    f = scale(a, agents)
    numbers, sms, gb = agents * t.numbers_per_agent, t.sms_per_month * f, t.recording_gb * f
    usage_keys = ("usage.calls_per_agent_per_day", "usage.minutes_per_call", "usage.working_days_per_month")
    minutes_basis = ("{agents} agents × {calls} calls/day × {minutes} min × {days} days × {share:.0%} {dir} "
                     "= {q} min × {rate:$}/min")
    terms = {"agents": agents, "calls": u.calls_per_agent_per_day, "minutes": u.minutes_per_call,
             "days": u.working_days_per_month}
    scaled = "{base} at {ref} agents × {agents}/{ref}"
    return [
        Component("telephony", "Twilio inbound calls", inbound, "min", t.inbound_usd_per_min,
                  monthly=inbound * t.inbound_usd_per_min,
                  keys=usage_keys + ("usage.inbound_share", "telephony.inbound_usd_per_min"),
                  basis=minutes_basis,
                  terms={**terms, "share": u.inbound_share, "dir": "inbound", "q": inbound,
                         "rate": t.inbound_usd_per_min}),
        Component("telephony", "Twilio outbound calls", outbound, "min", t.outbound_usd_per_min,
                  monthly=outbound * t.outbound_usd_per_min,
                  keys=usage_keys + ("usage.inbound_share", "telephony.outbound_usd_per_min"),
                  basis=minutes_basis,
                  terms={**terms, "share": 1 - u.inbound_share, "dir": "outbound", "q": outbound,
                         "rate": t.outbound_usd_per_min}),
        Component("telephony", "Twilio phone numbers", numbers, "number", t.number_usd_per_month,
                  monthly=numbers * t.number_usd_per_month,
                  keys=("telephony.numbers_per_agent", "telephony.number_usd_per_month"),
                  basis="{agents} agents × {per} numbers/agent × {rate:$}/month",
                  terms={"agents": agents, "per": t.numbers_per_agent, "rate": t.number_usd_per_month}),
        Component("telephony", "Twilio SMS (outbound)", sms, "msg", t.sms_usd_per_msg,
                  monthly=sms * t.sms_usd_per_msg,
                  keys=("telephony.sms_per_month", "telephony.sms_usd_per_msg", "usage.reference_agents"),
                  basis=scaled + " = {q} msgs × {rate:$}/msg",
                  terms={"base": t.sms_per_month, "ref": u.reference_agents, "agents": agents, "q": sms,
                         "rate": t.sms_usd_per_msg}),
        Component("telephony", "Twilio recording storage", gb, "GB", t.recording_usd_per_gb,
                  monthly=gb * t.recording_usd_per_gb,
                  keys=("telephony.recording_gb", "telephony.recording_usd_per_gb", "usage.reference_agents"),
                  basis=scaled + " = {q} GB × {rate:$}/GB",
                  terms={"base": t.recording_gb, "ref": u.reference_agents, "agents": agents, "q": gb,
                         "rate": t.recording_usd_per_gb}),
    ]
