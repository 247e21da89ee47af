"""Stacks: what each scenario is made of (the report's self-hosted, hybrid and cloud scenarios as rows)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ._field import as_cell
from .bands import share_note, with_note

SELF_HOSTED_LLM = "self_hosted"
#: `--llm gpu` (``Assumptions.with_llm``): every stack on the GPU servers its GPU column names.
GPU_LLM = "gpu"


class Stack(BaseModel):
    """One scenario: on-premise Mac Studios and/or one provider's lines, option groups, LLM, support and setup."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description="Scenario key, e.g. 'hybrid', 'aws'")
    name: str = Field(min_length=1)
    kind: Literal["self_hosted", "hybrid", "cloud"]
    mac_studios: bool = Field(description="Runs Mac Studios on premise (hardware, internet, power)")
    provider: str = Field("", description="Group on the Providers sheet, or '' for none")
    provider_categories: list[str] = Field(default_factory=list, description="Provider line categories used; [] = all")
    app_servers_min: float = Field(0, ge=0, description="Minimum application servers (servers)")
    agents_per_app_server: float = Field(0, ge=0, description="Agents per application server; 0 = only the minimum")
    option_groups: list[str] = Field(default_factory=list, description="Groups on the Options sheet always included")
    backups: str = Field("none", description="Backup option group, or 'none'")
    llm: str = Field(SELF_HOSTED_LLM, description="'self_hosted' (the Mac Studios), an LLM model key (an API) or a "
                                                   "GPU group (rented GPU servers)")
    gpu: str = Field("", description="GPU group the stack rents to self-host where it has no Mac Studios "
                                     "(`--llm self_hosted`, `--llm gpu`); '' for none")
    voice: str = Field("", description="Voice AI: 'self_hosted' (the Mac Studios), a GPU group, or a voice group on "
                                       "the Options sheet (an API); '' for none (an error once Usage asks for voice)")
    support_hours: float = Field(0, ge=0, description="Support hours/month at the reference headcount")
    support_hours_mid: float = Field(0, ge=0, description="Support hours/month at the Support sheet's second "
                                                          "headcount; 0 = not stated (the exponent rule)")
    support_hours_high: float = Field(0, ge=0, description="Support hours/month at the Support sheet's third "
                                                           "headcount; 0 = not stated")
    setup_usd: float = Field(0, ge=0, description="One-time setup (USD)")
    source: str = ""

    @field_validator("provider_categories", "option_groups", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


_CLOUD_SRC = "Report Scenario 2: 3 load-balanced app servers + 1 database"
_ARGO_CDN = {"hetzner", "ovh", "vultr", "digitalocean"}  # the report's 'CDN: Cloudflare $55/month' providers
_CLOUD_NAMES = {"aws": "Cloud (AWS)", "gcp": "Cloud (Google Cloud)", "azure": "Cloud (Azure)",
                "hetzner": "Cloud (Hetzner)", "ovh": "Cloud (OVH)", "vultr": "Cloud (Vultr)",
                "digitalocean": "Cloud (DigitalOcean)", "cloudflare": "Cloud (Cloudflare)", "flyio": "Cloud (Fly.io)"}

def _with_bands(stack: Stack) -> Stack:
    """A default stack whose Source notes that its support hours and setup range (where not zero)."""
    what = " and ".join(w for f, w in (("support_hours", "support hours"), ("setup_usd", "setup")) if getattr(stack, f))
    return stack.model_copy(update={"source": with_note(stack.source, share_note(what, "support.stack_range"))
                                    if what else stack.source})


#: The report states support per year at its scaling headcounts; the Stacks sheet holds it as hours/month at the
#: Support sheet's rate ($75/h): hours = USD/year ÷ (12 × 75), to the digits a cell keeps.
def _hours(usd_per_year: float) -> float:
    return as_cell(usd_per_year / (12 * 75))
#: A cloud provider's GPU servers for its like-for-like self-hosted option: its own where it rents them, else
#: Hetzner's (OVH: no price in the stored sources; Cloudflare: Workers AI is an API, no servers; Fly.io: GPUs
#: deprecated, 'unavailable after August 1', fly.io/docs).
_GPU = {key: f"gpu_{key}" for key in ("aws", "gcp", "azure", "hetzner", "vultr", "digitalocean")}
_NO_GPU = {"ovh": "OVH: no GPU price in the stored sources", "cloudflare": "Cloudflare rents no GPU servers",
           "flyio": "Fly.io GPUs deprecated"}

DEFAULT_STACKS = [_with_bands(s) for s in [
    Stack(key="self_hosted", name="Self-hosted (Mac Studios)", kind="self_hosted", mac_studios=True,
          option_groups=["cloudflare_business", "argo"], backups="backups_backblaze", llm=SELF_HOSTED_LLM,
          voice=SELF_HOSTED_LLM,
          support_hours=20, support_hours_mid=_hours(24_000), support_hours_high=_hours(48_000),
          setup_usd=800, source="Report Scenario 1; support at 100 / 500 agents: its scaling tables' $24,000 / "
                                "$48,000 a year at $75/h"),
    Stack(key="hybrid", name="Hybrid (Mac Studios + Hetzner)", kind="hybrid", mac_studios=True, provider="hetzner",
          provider_categories=["compute", "database", "storage"], app_servers_min=1, agents_per_app_server=200,
          option_groups=["cloudflare_business", "argo"], backups="backups_backblaze", llm=SELF_HOSTED_LLM,
          voice=SELF_HOSTED_LLM, gpu="gpu_hetzner", support_hours=15, support_hours_mid=_hours(15_000),
          support_hours_high=_hours(36_000), setup_usd=500,
          source="Report Scenario 3, base table; support at 100 / 500 agents: its hybrid scaling tables' $15,000 / "
                 "$36,000 a year at $75/h"),
    Stack(key="hybrid_optimized", name="Hybrid optimized (Mac Studios + Hetzner DB)", kind="hybrid",
          mac_studios=True, provider="hetzner", provider_categories=["database"],
          option_groups=["cloudflare_free", "argo"], backups="backups_self_hosted", llm=SELF_HOSTED_LLM,
          voice=SELF_HOSTED_LLM, gpu="gpu_hetzner", support_hours=10, setup_usd=500,
          source="Report Scenario 3, 'Optimized' key changes (support stated at 47 agents only)"),
] + [
    # Cloudflare is serverless: no application servers to count (its Workers lines are usage-priced).
    Stack(key=key, name=name, kind="cloud", mac_studios=False, provider=key,
          app_servers_min=0 if key == "cloudflare" else 3, agents_per_app_server=0 if key == "cloudflare" else 25,
          option_groups=["argo"] if key in _ARGO_CDN else [],
          backups="backups_backblaze", llm="gpt-4o", gpu=_GPU.get(key, "gpu_hetzner"),
          voice="voice_cloudflare" if key == "cloudflare" else "voice_deepgram", support_hours=0, setup_usd=0,
          source=_CLOUD_SRC + (f"; GPU servers: {_NO_GPU[key]}, rents Hetzner's" if key in _NO_GPU else ""))
    for key, name in _CLOUD_NAMES.items()
]]
