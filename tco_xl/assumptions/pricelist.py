"""Priced lines: cloud providers (Providers sheet) and ancillary options (Options sheet), one shape for both.

A line's monthly cost is
    billable = max(0, driver quantity × quantity − included), rounded up when whole_units
    monthly  = billable × unit_price × FX(currency) × billing factor × (1 − discount)
where the billing factor is hours/month for 'hour', 1 for 'month' and 1/12 for 'year'.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._field import as_cell, range_bounds
from .bands import VENDOR_PRICE, share_note, with_note

Driver = Literal[
    "fixed", "scaled", "agents", "app_servers", "db_servers", "mac_studios", "hosts",
    "recordings_gb", "database_gb", "cdn_gb", "egress_gb", "backup_gb", "emails",
    "gpu_servers", "stt_minutes", "tts_characters",
]
DRIVERS: tuple[str, ...] = Driver.__args__  # type: ignore[attr-defined]

DRIVER_HELP = {
    "fixed": "the Quantity column as is",
    "scaled": "the Quantity column at the reference headcount, scaled with agents",
    "agents": "agents",
    "app_servers": "application servers of the stack",
    "db_servers": "database servers",
    "mac_studios": "Mac Studios of the stack",
    "hosts": "Mac Studios + application + database servers",
    "recordings_gb": "recordings GB (Usage), scaled with agents",
    "database_gb": "database GB (Usage), scaled with agents",
    "cdn_gb": "CDN GB/month (Usage), scaled with agents",
    "egress_gb": "egress GB/month (Usage), scaled with agents",
    "backup_gb": "recordings + database backup GB (Usage), scaled with agents",
    "emails": "emails/month (Usage), scaled with agents",
    "gpu_servers": "GPU servers the stack rents (GPU servers sheet: LLM and voice AI load ÷ one server's capacity)",
    "stt_minutes": "call minutes transcribed per month (Usage: transcribed share)",
    "tts_characters": "characters synthesised per month (Usage: characters per call)",
}


class PriceLine(BaseModel):
    """One priced line of a provider or option group."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str = Field(min_length=1, description="Provider or option key, e.g. 'aws', 'email_ses'")
    line: str = Field(min_length=1, description="What is billed")
    category: str = Field(min_length=1, description="compute, database, storage, cdn, networking, services, security")
    unit_price: float = Field(ge=0, description="Price per unit in `currency`")
    currency: Literal["USD", "EUR"] = "USD"
    billing: Literal["hour", "month", "year"] = "month"
    unit: str = Field("unit", min_length=1, description="Unit of the quantity, e.g. 'server', 'GB'")
    driver: Driver = "fixed"
    quantity: float = Field(1.0, ge=0, description="Multiplier on the driver (the amount itself for fixed/scaled)")
    included: float = Field(0.0, ge=0, description="Free units subtracted before pricing")
    discount: float = Field(0.0, ge=0, le=1, description="Reserved/committed discount as a share")
    whole_units: bool = Field(False, description="Round the quantity up to whole units")
    price_low: float | None = Field(None, ge=0, description="Low unit price for sensitivity/Monte Carlo "
                                                              "(blank: the vendor list price band)")
    price_high: float | None = Field(None, ge=0, description="High unit price for sensitivity/Monte Carlo "
                                                               "(blank: the vendor list price band)")
    source: str = ""

    @model_validator(mode="after")
    def _range_brackets_price(self) -> PriceLine:
        low, high = range_bounds(self.unit_price, self.price_low, self.price_high)
        if not low <= self.unit_price <= high:
            raise ValueError("price range must satisfy low <= unit price <= high, "
                             f"got {low} <= {self.unit_price} <= {high}")
        return self


#: The range of a unit price whose Price low / Price high are blank.
PRICE_BAND = VENDOR_PRICE


def _line(group: str, line: str, category: str, unit_price: float, *, source: str = "", **kw) -> PriceLine:
    """A default line; its source notes the band its price takes without the report's range (Price low/high
    blank) and, for an estimated ('scaled') quantity, that it ranges by ± usage.scaled_quantity_range."""
    if unit_price and "price_low" not in kw and "price_high" not in kw:
        source = with_note(source, f"price: {PRICE_BAND.source}")
    if kw.get("driver") == "scaled":
        source = with_note(source, share_note("quantity", "usage.scaled_quantity_range"))
    return PriceLine(group=group, line=line, category=category, unit_price=unit_price, source=source, **kw)


def _voice(group: str, stt: tuple[str, float, str], tts: tuple[str, float, str],
           per_hour: bool = False) -> list[PriceLine]:
    """A voice AI group: speech-to-text priced per transcribed minute (or per audio hour) and text-to-speech per
    1,000 characters synthesised."""
    (stt_line, stt_price, stt_source), (tts_line, tts_price, tts_source) = stt, tts
    minutes = {"unit": "audio hour", "quantity": as_cell(1 / 60)} if per_hour else {"unit": "min"}
    return [_line(group, stt_line, "voice", stt_price, driver="stt_minutes", source=stt_source, **minutes),
            _line(group, tts_line, "voice", tts_price, unit="1,000 characters", driver="tts_characters",
                  quantity=0.001, source=tts_source)]


def _server(group, line, category, price, driver, **kw):
    return _line(group, line, category, price, unit="server", driver=driver, **kw)


_AWS, _GCP, _AZ = "Report §AWS", "Report §GCP", "Report §Azure"
_HZ, _OVH, _VU, _DO, _CF, _FLY = ("Report §Hetzner", "Report §OVH", "Report §Vultr", "Report §DigitalOcean",
                                  "Report §Cloudflare", "Report §Fly.io")

# Discounts: the report prices 1-year commitments as round monthly figures ($520, $600, $590 for
# three instances); the discount is the one that reproduces them from the on-demand hourly rate,
# e.g. AWS 1 − 520 / (0.357 × 3 × 730) = 0.3348938.
DEFAULT_PROVIDER_LINES = [
    _server("aws", "EC2 c7i.2xlarge (1-yr reserved)", "compute", 0.357, "app_servers", billing="hour",
            discount=0.3348938, source=_AWS + " '$0.357/hour; Reserved ~$520/month'"),
    _server("aws", "RDS PostgreSQL db.m6i.xlarge Multi-AZ", "database", 0.488, "db_servers", billing="hour",
            source=_AWS),
    _line("aws", "RDS storage (SSD)", "database", 0.115, unit="GB", driver="database_gb", source=_AWS),
    _line("aws", "S3 Standard", "storage", 0.023, unit="GB", driver="recordings_gb", source=_AWS),
    _line("aws", "S3 requests", "storage", 5, unit="month", driver="scaled", source=_AWS + " '~$5/month'"),
    _line("aws", "CloudFront", "cdn", 0.085, unit="GB", driver="cdn_gb", source=_AWS),
    _line("aws", "Data transfer out", "networking", 0.09, unit="GB", driver="egress_gb", source=_AWS),

    _server("gcp", "Compute Engine n2-standard-8 (1-yr CUD)", "compute", 0.388, "app_servers", billing="hour",
            discount=0.2938851, source=_GCP + " '$0.388/hour; CUD ~$600/month'"),
    _server("gcp", "Cloud SQL db-n1-standard-4 HA", "database", 0.416, "db_servers", billing="hour", source=_GCP),
    _line("gcp", "Cloud SQL storage", "database", 0.17, unit="GB", driver="database_gb", source=_GCP),
    _line("gcp", "Cloud SQL backups", "database", 0.08, unit="GB", driver="database_gb", source=_GCP),
    _line("gcp", "Cloud Storage Standard", "storage", 0.020, unit="GB", driver="recordings_gb", source=_GCP),
    _line("gcp", "Cloud Storage operations", "storage", 5, unit="month", driver="scaled", source=_GCP),
    _line("gcp", "Cloud CDN", "cdn", 0.085, unit="GB", driver="cdn_gb", source=_GCP + " '$42.50 (similar to AWS)'"),
    _line("gcp", "Egress", "networking", 0.08, unit="GB", driver="egress_gb", source=_GCP),

    _server("azure", "VM D8s v5 (1-yr reserved)", "compute", 0.384, "app_servers", billing="hour",
            discount=0.2984209, source=_AZ + " '$0.384/hour; Reserved ~$590/month'"),
    _server("azure", "Azure SQL Database Standard S3", "database", 305, "db_servers", source=_AZ),
    _line("azure", "Azure SQL storage", "database", 0.115, unit="GB", driver="database_gb", source=_AZ),
    _line("azure", "Blob Storage (Hot)", "storage", 0.018, unit="GB", driver="recordings_gb", source=_AZ),
    _line("azure", "Blob operations", "storage", 10, unit="month", driver="scaled", source=_AZ + " '~$10/month'"),
    _line("azure", "Azure CDN", "cdn", 0.08, unit="GB", driver="cdn_gb", source=_AZ + " '500GB: $40/month'"),
    _line("azure", "Egress", "networking", 0.087, unit="GB", driver="egress_gb", source=_AZ),

    _server("hetzner", "AX162-S dedicated server", "compute", 221, "app_servers", currency="EUR",
            source=_HZ + " '€221/month each'"),
    _server("hetzner", "AX102 (self-managed PostgreSQL)", "database", 165, "db_servers", currency="EUR",
            source=_HZ + " '€165/month'"),
    _line("hetzner", "Storage Box 1 TB", "storage", 3.81, currency="EUR", unit="box", driver="recordings_gb",
          quantity=0.001, whole_units=True, source=_HZ + " '1TB: €3.81/month' (one box per 1,000 GB)"),

    _server("ovh", "Advance-4 dedicated server", "compute", 250, "app_servers", currency="EUR",
            source=_OVH + " '~€250/month'"),
    _server("ovh", "Advance-3 (database)", "database", 200, "db_servers", currency="EUR",
            source=_OVH + " '~€200/month'"),
    _line("ovh", "Object Storage", "storage", 0.01, unit="GB", driver="recordings_gb", source=_OVH),

    _server("vultr", "Bare Metal Ryzen 9 3900X", "compute", 185, "app_servers", source=_VU),
    _server("vultr", "Managed PostgreSQL (4 vCPU, 16GB)", "database", 240, "db_servers", source=_VU),
    _line("vultr", "Block Storage", "storage", 0.10, unit="GB", driver="recordings_gb", source=_VU),

    _server("digitalocean", "Droplet Premium Intel (8 vCPU, 32GB)", "compute", 224, "app_servers", source=_DO),
    _server("digitalocean", "Managed PostgreSQL (4 vCPU, 16GB)", "database", 360, "db_servers", source=_DO),
    _line("digitalocean", "Spaces subscription (250 GB included)", "storage", 5, unit="month", source=_DO),
    _line("digitalocean", "Spaces storage above 250 GB", "storage", 0.02, unit="GB", driver="recordings_gb",
          included=250, source=_DO),

    _line("cloudflare", "Workers Paid plan", "compute", 5, unit="month", source=_CF),
    _line("cloudflare", "Workers requests above 10M", "compute", 0.50, unit="M requests", driver="scaled",
          quantity=50, included=10, source=_CF + " 'estimate 50M requests/month'"),
    _line("cloudflare", "R2 storage", "storage", 0.015, unit="GB", driver="recordings_gb", source=_CF),
    _line("cloudflare", "D1 rows read", "database", 0.75, unit="M rows", driver="scaled", quantity=100,
          source=_CF + " 'Estimate: 100M reads/month'"),
    _line("cloudflare", "Durable Objects requests", "compute", 0.15, unit="M requests", driver="scaled", quantity=10,
          source=_CF),

    _server("flyio", "Machines dedicated-cpu-8x", "compute", 0.42, "app_servers", billing="hour", source=_FLY),
    _server("flyio", "Fly Postgres dedicated-cpu-4x", "database", 0.21, "db_servers", billing="hour", source=_FLY),
    _line("flyio", "Fly Postgres storage", "database", 0.15, unit="GB", driver="database_gb", source=_FLY),
    _line("flyio", "Volumes", "storage", 0.15, unit="GB", driver="recordings_gb", source=_FLY),
]

_NET, _SVC = "Report §4 Networking", "Report §6 Additional Services"
DEFAULT_OPTION_LINES = [
    _line("cloudflare_business", "Cloudflare Business plan (WAF, load balancing, DDoS)", "networking", 200,
          unit="plan", source=_NET),
    _line("cloudflare_free", "Cloudflare Free plan", "networking", 0, unit="plan", source="Report §Domain & DNS"),
    _line("cloudflare_free", "Cloudflare Load Balancing", "networking", 50, unit="month",
          source=_NET + " 'Load Balancing: $50/month'"),
    _line("argo", "Argo Smart Routing", "networking", 5, unit="month", source=_NET),
    _line("argo", "Argo traffic", "networking", 0.10, unit="GB", driver="cdn_gb", source=_NET),
    _line("email_ses", "Amazon SES", "services", 0.10, unit="1,000 emails", driver="emails", quantity=0.001,
          source=_SVC + " '$0.10/1,000 emails'"),
    _line("email_sendgrid_essentials", "SendGrid Essentials (50,000 emails)", "services", 19.95, unit="month",
          source="Report §Email"),
    _line("email_sendgrid_pro", "SendGrid Pro (100,000 emails)", "services", 89.95, unit="month",
          source="Report §Email"),
    _line("backups_backblaze", "Backblaze B2", "services", 0.005, unit="GB", driver="backup_gb", source=_SVC),
    _line("backups_glacier", "S3 Glacier Deep Archive", "services", 0.00099, unit="GB", driver="backup_gb",
          source="Report §Backup & Disaster Recovery"),
    _line("backups_self_hosted", "Backups on the Mac Studios' SSDs", "services", 0, unit="month",
          source="Report §Backup 'Self-Hosted (On Mac Studios): $0'"),
    _line("monitoring_self_hosted", "Grafana + Prometheus + Loki (self-hosted)", "services", 0, unit="month",
          source="Report §Monitoring"),
    _line("monitoring_datadog", "Datadog infrastructure", "services", 15, unit="host", driver="hosts",
          source="Report §Monitoring '$15/host/month'"),
    _line("monitoring_datadog", "Datadog APM", "services", 31, unit="host", driver="hosts",
          source="Report §Monitoring '$31/host/month'"),
    _line("monitoring_new_relic", "New Relic Standard", "services", 99, unit="user", quantity=2,
          source="Report §Monitoring '2 users = $198/month'"),
    _line("security_pentest", "Penetration test (annual, outsourced)", "security", 3000, billing="year",
          unit="test", price_low=3000, price_high=5000, source="Report §Security '$3,000-5,000'"),
    _line("security_aws_waf", "AWS WAF ($5/month + $1/million requests)", "security", 50, unit="month",
          source="Report §Security 'AWS WAF: $5/month + $1/million requests = ~$50/month'"),
    # Voice AI through an API (a stack's Voice column names one of these groups): not in the report, which prices
    # no voice AI; published prices, as quoted by the page named, on the date given.
    *_voice("voice_deepgram",
            ("Deepgram Nova-3 speech-to-text (streaming)", 0.0048,
             "opengauntlet ASR survey (github.com/D3velop-llc, compiled 2026-08-08): 'Pay-As-You-Go: streaming "
             "$0.0048/min … Verified from deepgram.com/pricing, 1 Aug 2026'"),
            ("Deepgram Aura text-to-speech", 0.015,
             "aigateway.sh/models/deepgram/aura-1 (pass-through of Deepgram's rate, 2026): 'Per 1K chars $0.015'")),
    *_voice("voice_openai",
            ("OpenAI gpt-4o-transcribe speech-to-text", 0.006,
             "tokenmix.ai (2026-04-25, 'Verified against OpenAI's April 2026 docs'): 'It costs $0.006 per minute'"),
            ("OpenAI tts-1 text-to-speech", 0.015,
             "hiway2llm.com docs (2026): 'OpenAI - tts-1 ($15/1M chars)'")),
    *_voice("voice_elevenlabs",
            ("ElevenLabs Scribe speech-to-text", 0.22,
             "developer.puter.com ElevenLabs API pricing (Jun 2026): 'Speech to Text | Scribe v1/v2 | $0.22 | per "
             "hour'"),
            ("ElevenLabs Flash text-to-speech", 0.05,
             "developer.puter.com ElevenLabs API pricing (Jun 2026): 'Flash / Turbo | $0.05 | per 1,000 "
             "characters'"), per_hour=True),
    *_voice("voice_cloudflare",
            ("Workers AI whisper-large-v3-turbo speech-to-text", 0.0005,
             "Cloudflare docs, workers-ai/platform/pricing (github.com/cloudflare/cloudflare-docs PR 24748, "
             "2025-08-27): '@cf/openai/whisper-large-v3-turbo | $0.0005 per audio minute'"),
            ("Workers AI Deepgram Aura-1 text-to-speech", 0.015,
             "Cloudflare docs, workers-ai/platform/pricing (same page): '@cf/deepgram/aura-1 | $0.015 per 1k "
             "characters input'")),
]
