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
_OPENAI = ("deploybase.ai/articles/openai-pricing ('Data from OpenAI pricing page, March 2026. Prices per 1 million "
           "tokens', input | output): ")
_ANTHROPIC = "docs.anthropic.com/en/docs/about-claude/pricing (Anthropic's pricing page, 2025), base input | output: "
_GEMINI = ("morphllm.com/gemini-api-pricing ('All rates below are from Google's pricing page at ai.google.dev', "
           "2026), input | output per 1M: ")
DEFAULT_LLM_MODELS = [
    LlmModel(key="gpt-4-turbo", name="OpenAI GPT-4 Turbo", input_usd_per_1k=0.01, output_usd_per_1k=0.03,
             source=_API),
    LlmModel(key="claude-3.5-sonnet", name="Anthropic Claude 3.5 Sonnet", input_usd_per_1k=0.003,
             output_usd_per_1k=0.015, source=_API),
    LlmModel(key="gpt-4o", name="OpenAI GPT-4o", input_usd_per_1k=0.0025, output_usd_per_1k=0.01, source=_API),
    # Current-generation models: published prices per 1M tokens (÷ 1,000 here), as the page named quotes them.
    *(LlmModel(key=key, name=name, input_usd_per_1k=per_million[0] / 1000, output_usd_per_1k=per_million[1] / 1000,
               source=with_note(source, share_note("prices", "llm.api_price_range")))
      for key, name, per_million, source in (
          ("gpt-4.1", "OpenAI GPT-4.1", (2.00, 8.00), _OPENAI + "'GPT-4.1 | $2.00 | $8.00'"),
          ("gpt-4.1-mini", "OpenAI GPT-4.1 mini", (0.40, 1.60), _OPENAI + "'GPT-4.1 Mini | $0.40 | $1.60'"),
          ("gpt-4o-mini", "OpenAI GPT-4o mini", (0.15, 0.60), _OPENAI + "'GPT-4o Mini | $0.15 | $0.60'"),
          ("gpt-5", "OpenAI GPT-5", (1.25, 10.00), _OPENAI + "'GPT-5 | $1.25 | $10.00'"),
          ("gpt-5-mini", "OpenAI GPT-5 mini", (0.25, 2.00), _OPENAI + "'GPT-5 Mini | $0.25 | $2.00'"),
          ("claude-sonnet-4", "Anthropic Claude Sonnet 4", (3.00, 15.00),
           _ANTHROPIC + "'Claude Sonnet 4 | $3 / MTok | … | $15 / MTok' (prompts up to 200K tokens)"),
          ("claude-haiku-3.5", "Anthropic Claude Haiku 3.5", (0.80, 4.00),
           _ANTHROPIC + "'Claude Haiku 3.5 | $0.80 / MTok | … | $4 / MTok'"),
          ("claude-haiku-4.5", "Anthropic Claude Haiku 4.5", (1.00, 5.00),
           "deploybase.ai/articles/claude-api-pricing ('Pricing as of March 21, 2026. All prices per million "
           "tokens'): 'Claude Haiku 4.5 | 200K | $1.00 | $5.00'"),
          ("gemini-2.5-flash", "Google Gemini 2.5 Flash", (0.30, 2.50),
           _GEMINI + "'gemini-2.5-flash | flat | $0.30 | $2.50'"),
          ("gemini-2.5-pro", "Google Gemini 2.5 Pro", (1.25, 10.00),
           _GEMINI + "'gemini-2.5-pro | up to 200k | $1.25 | $10.00'"),
      )),
]
