"""Telephony: Twilio rates and the volumes billed besides minutes."""

from pydantic import BaseModel, ConfigDict

from ._field import assumption
from .bands import USAGE_VOLUME, VENDOR_PRICE

_T = "Report §5 Twilio cost table"


class Telephony(BaseModel):
    """Twilio pay-as-you-go rates (USD)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inbound_usd_per_min: float = assumption(0.013, unit="USD/min", label="Inbound call rate", source=_T,
                                         band=VENDOR_PRICE)
    outbound_usd_per_min: float = assumption(0.014, unit="USD/min", label="Outbound call rate", source=_T,
                                          band=VENDOR_PRICE)
    numbers_per_agent: float = assumption(1, unit="numbers/agent", label="Phone numbers per agent",
                                          source="Report §5: 47 numbers for 47 agents")
    number_usd_per_month: float = assumption(1.0, unit="USD/number/month", label="Phone number rental", source=_T,
                                          band=VENDOR_PRICE)
    sms_per_month: float = assumption(5_000, unit="msgs/month at reference", label="Outbound SMS", source=_T,
                                   band=USAGE_VOLUME)
    sms_usd_per_msg: float = assumption(0.0079, unit="USD/msg", label="Outbound SMS rate", source=_T,
                                     band=VENDOR_PRICE)
    recording_gb: float = assumption(100, unit="GB at reference", label="Twilio recording storage", source=_T,
                                  band=USAGE_VOLUME)
    recording_usd_per_gb: float = assumption(0.25, unit="USD/GB/month", label="Twilio recording storage rate",
                                             source=_T, band=VENDOR_PRICE)
    minutes_discount: float = assumption(0, unit="share", le=1, label="Discount on the per-minute call rates",
                                         source="Report Cost Optimization Tips 'Negotiate Twilio volume discount': "
                                                "in no scenario total",
                                         note="Volume pricing or a negotiated rate, off inbound and outbound minutes "
                                              "(the what-if 'Twilio volume discount' sets it)")
