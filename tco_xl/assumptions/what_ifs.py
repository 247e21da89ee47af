"""What-ifs (the What-ifs sheet): named sets of assumption overrides, such as the report's savings levers.

Each row sets one assumption; the rows sharing a What-if name make one what-if, applied in sheet order.
An override names a scalar assumption by its key (``telephony.outbound_usd_per_min``), a table cell by its
row's stable key (``providers[aws|S3 Standard].unit_price``, as ``keys.stable_keys`` names rows), or a whole
Stacks row (``stacks[aws]``), which prices that scenario as another stack: a comparison between stacks.
A number's value may also name another number assumption (``providers[cloudflare|R2 storage].unit_price``):
it takes that assumption's value. Applying and checking them: ``tco_xl.assumptions.overrides``.

The defaults are the report's "Cost Optimization Tips", its two recommendations that cost money and the voice
AI it runs but never prices, each with the report line it comes from and the saving the report claims, quoted
as stated. Where the report gives a range, the override takes a point of it (the description says which) and
the claim shows the range.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

#: What an override's Value cell may hold: TRUE/FALSE, a number or text (a choice, a list, a key).
OverrideValue = bool | FiniteFloat | str


class WhatIf(BaseModel):
    """One override of a what-if (one row of the What-ifs sheet)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    what_if: str = Field(min_length=1, description="Name of the what-if: the rows with this name make one what-if, "
                                                   "applied in sheet order")
    assumption: str = Field(min_length=1, description="What it sets: a scalar key (telephony.outbound_usd_per_min), "
                                                      "a table cell by its row (providers[aws|S3 Standard].unit_price) "
                                                      "or a Stacks row (stacks[aws]: priced as the stack named in "
                                                      "Value)")
    value: OverrideValue = Field(description="The value it takes (a number may instead name another number "
                                             "assumption, whose value it takes)")
    claimed: str = Field("", description="What the report says the lever saves, as stated (first row of the what-if)")
    description: str = Field("", description="What the what-if does (first row of the what-if)")
    source: str = ""


_TIPS = "Report line {line}: Cost Optimization Tips, {tip}"
_R2 = "providers[cloudflare|R2 storage].unit_price"


def _what_if(name: str, overrides: list[tuple[str, OverrideValue]], claimed: str, description: str,
             source: str) -> list[WhatIf]:
    """A what-if's rows: its texts on the first row, blank on the others (as on the sheet)."""
    return [WhatIf(what_if=name, assumption=key, value=value,
                   **({"claimed": claimed, "description": description, "source": source} if i == 0 else {}))
            for i, (key, value) in enumerate(overrides)]


DEFAULT_WHAT_IFS: list[WhatIf] = [
    *_what_if("Twilio volume discount", [("telephony.minutes_discount", round(1 - 0.0080 / 0.0085, 4))],
              "At $54K/year, you qualify",
              "Twilio's per-minute call rates less its first published volume step, the only discount with a "
              "public figure (inbound local $0.0085 -> $0.0080/min: 5.88%); the report names none. Twilio applies "
              "it on its own only above 500,000 minutes a month: below, it is a negotiated discount",
              _TIPS.format(line=1143, tip=1) + "; point: Twilio Support, 'How Volume Pricing works at Twilio'"),
    *_what_if("SIP trunking", [("telephony.inbound_usd_per_min", 0.008), ("telephony.outbound_usd_per_min", 0.008)],
              "Cheaper than Twilio ($0.006-0.01/min)",
              "Call minutes carried by a SIP trunk at the middle of the report's range instead of Twilio's rates; "
              "phone numbers, SMS and recordings stay with Twilio",
              _TIPS.format(line=1144, tip=2) + "; point: the middle of its range"),
    *_what_if("Reserved instances", [
        ("providers[aws|EC2 c7i.2xlarge (1-yr reserved)].discount", 0.40),
        ("providers[gcp|Compute Engine n2-standard-8 (1-yr CUD)].discount", 0.40),
        ("providers[azure|VM D8s v5 (1-yr reserved)].discount", 0.40)],
        "Save 30-50% on cloud compute",
        "AWS, GCP and Azure compute at the middle of the report's range off the hourly rate. The report already "
        "prices their compute with 1-year commitments (the Discount column of Providers): the saving is the "
        "difference",
        _TIPS.format(line=1148, tip=6) + "; point: the middle of its range"),
    *_what_if("Cloudflare R2 instead of S3", [
        ("providers[aws|S3 Standard].unit_price", _R2), ("providers[aws|Data transfer out].unit_price", 0)],
        "Free egress vs AWS S3 ($90-900/month)",
        "The AWS scenario stores its recordings in Cloudflare R2 at R2's price (the Providers sheet's) and pays no "
        "egress, which R2 does not charge; the report's $90-900/month is AWS's data transfer out at 1-10 TB",
        _TIPS.format(line=1147, tip=5)),
    *_what_if("Datadog at 100+ agents", [("services.at_scale", "monitoring_datadog")],
              "$2,760/year (5 hosts + APM)",
              "The report's rule 'Start self-hosted, upgrade to Datadog at 100+ agents': free self-hosted monitoring, "
              "and Datadog infrastructure + APM per monitored host from the headcount capacity.at_scale_agents on. "
              "A cost, not a saving",
              "Report line 1168: Monitoring & Maintenance Costs, 'Recommendation: Start self-hosted, upgrade to "
              "Datadog at 100+ agents'; its cost: line 1163"),
    *_what_if("Annual penetration test", [("services.security", "security_pentest")],
              "$3,000-5,000",
              "An outsourced penetration test once a year, at the Options sheet's price: the low end of the report's "
              "range, the figure its security total adds. A cost no scenario total of the report includes",
              "Report line 1181: Security Costs, 'Penetration Testing | Annual (outsourced)'; line 1183 adds $3,000"),
    *_what_if("Transcribe every call", [("usage.transcribed_share", 1)],
              "",
              "Speech-to-text on every call minute, which the report's Mac Studios run (its voice stack) but no "
              "scenario prices: each stack as its Voice column says (Deepgram for the clouds, Workers AI for "
              "Cloudflare, the Mac Studios' capacity for the stacks that have them). A cost; the report claims none",
              "Report line 1112: Services Running on Mac Studios, Voice Stack 'Speech-to-text (Whisper API or "
              "Deepgram)'"),
    *_what_if("Hetzner over AWS/Azure", [("stacks[aws]", "hetzner"), ("stacks[azure]", "hetzner")],
              "40-50% cheaper for compute",
              "A comparison between stacks: the AWS and Azure scenarios priced as the Hetzner stack (its dedicated "
              "servers, database and Cloudflare CDN)",
              _TIPS.format(line=1146, tip=4)),
]
