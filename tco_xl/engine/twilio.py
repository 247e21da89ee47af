"""Twilio telephony, from first principles: agents × calls/agent/day × minutes × working days."""

from __future__ import annotations

from ..assumptions import Assumptions
from .capacity import MINUTES, SCALE
from .components import Component, Line, Num
from .expr import AGENTS, Context, Input, Named, Quiet, evaluate

__all__ = ["MINUTES", "TWILIO_LINES", "minutes_per_month", "twilio_components"]
_INBOUND = Input("usage.inbound_share", "{:.0%} inbound")


#: Call minutes are billed less the discount on per-minute rates (a factor of 1, left out of derivations, at 0%).
_MINUTES_DISCOUNT = Quiet(1 - Input("telephony.minutes_discount", "{:.2%} discount"))


def _usage_line(name: str, quantity: Named, unit: str, rate: str, per: str, discounted: bool = False) -> Line:
    """A Twilio line billed as quantity × rate (USD/month), less the minutes discount where ``discounted``;
    ``rate`` is its Telephony key."""
    price = Input(f"telephony.{rate}", "{:$}/" + per)
    return Line("telephony", name, unit, quantity, price,
                monthly=quantity * price * _MINUTES_DISCOUNT if discounted else quantity * price)


def _scaled(name: str, key: str, unit: str) -> Named:
    """A Telephony volume stated at the reference headcount, scaled with agents."""
    return Named(name, Input(f"telephony.{key}", "{} " + unit + " at reference") * SCALE, unit=unit, derive=True)


#: Inbound and outbound minutes, phone numbers, SMS and recording storage.
TWILIO_LINES = (
    _usage_line("Twilio inbound calls", Named("Inbound minutes/month", MINUTES * _INBOUND, unit="min", derive=True),
                "min", "inbound_usd_per_min", "min", discounted=True),
    _usage_line("Twilio outbound calls", Named(
        "Outbound minutes/month", MINUTES * Named("Outbound share", 1 - Input("usage.inbound_share"), unit="share",
                                                  show="{:.0%} outbound"), unit="min", derive=True),
                "min", "outbound_usd_per_min", "min", discounted=True),
    _usage_line("Twilio phone numbers", Named(
        "Phone numbers", AGENTS * Input("telephony.numbers_per_agent", "{} numbers/agent"), unit="numbers",
        derive=True), "number", "number_usd_per_month", "number/month"),
    _usage_line("Twilio SMS (outbound)", _scaled("Outbound SMS/month", "sms_per_month", "msgs"), "msg",
                "sms_usd_per_msg", "msg"),
    _usage_line("Twilio recording storage", _scaled("Twilio recording storage", "recording_gb", "GB"), "GB",
                "recording_usd_per_gb", "GB"),
)


def minutes_per_month(a: Assumptions, agents: Num) -> Num:
    """Call minutes/month = agents × calls/agent/day × minutes/call × working days/month."""
    return evaluate(MINUTES, a, agents=agents)


def twilio_components(a: Assumptions, agents: Num) -> list[Component]:
    """Inbound and outbound minutes, phone numbers, SMS and recording storage (USD/month)."""
    ctx = Context(a, {"agents": agents})
    return [line.component(ctx) for line in TWILIO_LINES]
