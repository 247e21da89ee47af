"""LLM inference: request volumes and the API price list (self-hosted inference costs $0 beyond hardware)."""

from pydantic import BaseModel, ConfigDict, Field

from ._field import assumption

_L = "Report §7 LLM '47 agents × 100 calls/day × 2K tokens avg'"


class Llm(BaseModel):
    """Token volume drivers. Tokens/month = agents × requests/agent/day × tokens/request × working days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests_per_agent_per_day: float = assumption(100, unit="requests/agent/day",
                                                   label="LLM requests per agent per day", source=_L)
    tokens_per_request: float = assumption(2_000, unit="tokens/request", label="Average tokens per request", source=_L)
    input_share: float = assumption(0.70, unit="share", le=1, label="Share of tokens that are input (prompt)",
                                    source="Report §LLM API Costs '70% input, 30% output'")


class LlmModel(BaseModel):
    """One row of the LLM API price list (USD per 1,000 tokens)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description="Model key used by stacks and UDFs")
    name: str = Field(min_length=1)
    input_usd_per_1k: float = Field(ge=0, description="USD per 1K input tokens")
    output_usd_per_1k: float = Field(ge=0, description="USD per 1K output tokens")
    source: str = ""


DEFAULT_LLM_MODELS = [
    LlmModel(key="gpt-4-turbo", name="OpenAI GPT-4 Turbo", input_usd_per_1k=0.01, output_usd_per_1k=0.03,
             source="Report §LLM API Costs"),
    LlmModel(key="claude-3.5-sonnet", name="Anthropic Claude 3.5 Sonnet", input_usd_per_1k=0.003,
             output_usd_per_1k=0.015, source="Report §LLM API Costs"),
    LlmModel(key="gpt-4o", name="OpenAI GPT-4o", input_usd_per_1k=0.0025, output_usd_per_1k=0.01,
             source="Report §LLM API Costs"),
]
