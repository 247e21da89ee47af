"""LLM inference: request volumes and the API price list (self-hosted inference costs $0 beyond hardware)."""

from pydantic import BaseModel, ConfigDict, Field

from ._field import assumption
from .bands import USAGE_VOLUME, VENDOR_PRICE, share_note, with_note

_L = "Report §7 LLM '47 agents × 100 calls/day × 2K tokens avg'"


class Llm(BaseModel):
    """Token volume drivers. Tokens/month = agents × requests/agent/day × tokens/request × working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests_per_agent_per_day: float = assumption(100, unit="requests/agent/day",
                                                   label="LLM requests per agent per day", source=_L,
                                                   band=USAGE_VOLUME)
    tokens_per_request: float = assumption(2_000, unit="tokens/request", label="Average tokens per request", source=_L,
                                         band=USAGE_VOLUME)
    input_share: float = assumption(0.70, unit="share", le=1, label="Share of tokens that are input (prompt)",
                                    source="Report §LLM API Costs '70% input, 30% output'", band=USAGE_VOLUME)
    api_price_range: float = assumption(
        VENDOR_PRICE.width, unit="± share", le=0.99, label="Range of every LLM API price (LLM models sheet)",
        source=VENDOR_PRICE.source, note="Sensitivity and Monte Carlo move each input and output price of the LLM "
                                         "models table by ± this share of itself; 0 holds them fixed")


class LlmModel(BaseModel):
    """One row of the LLM API price list (USD per 1,000 tokens)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description="Model key used by stacks and UDFs")
    name: str = Field(min_length=1)
    input_usd_per_1k: float = Field(ge=0, description="USD per 1K input tokens")
    output_usd_per_1k: float = Field(ge=0, description="USD per 1K output tokens")
    source: str = ""


_API = with_note("Report §LLM API Costs", share_note("prices", "llm.api_price_range"))
DEFAULT_LLM_MODELS = [
    LlmModel(key="gpt-4-turbo", name="OpenAI GPT-4 Turbo", input_usd_per_1k=0.01, output_usd_per_1k=0.03,
             source=_API),
    LlmModel(key="claude-3.5-sonnet", name="Anthropic Claude 3.5 Sonnet", input_usd_per_1k=0.003,
             output_usd_per_1k=0.015, source=_API),
    LlmModel(key="gpt-4o", name="OpenAI GPT-4o", input_usd_per_1k=0.0025, output_usd_per_1k=0.01, source=_API),
]
