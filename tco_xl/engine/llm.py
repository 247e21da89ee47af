"""LLM inference: self-hosted on the Mac Studios ($0 beyond hardware) or priced per token by an API."""

from __future__ import annotations

from ..assumptions import SELF_HOSTED_LLM, Assumptions, Stack
from .capacity import llm_tokens_per_month
from .components import Component, Num

_KEYS = ("llm.requests_per_agent_per_day", "llm.tokens_per_request", "usage.working_days_per_month")
_BASIS = "{agents} agents × {requests} requests/day × {tokens} tokens × {days} days"


def _volume(a: Assumptions, agents: Num) -> tuple[Num, dict]:
    """Tokens/month and the terms of its derivation."""
    return llm_tokens_per_month(a, agents), {
        "agents": agents, "requests": a.llm.requests_per_agent_per_day, "tokens": a.llm.tokens_per_request,
        "days": a.usage.working_days_per_month}


def llm_components(a: Assumptions, stack: Stack, agents: Num) -> list[Component]:
    """Self-hosted: one $0 line showing the token volume. API: input and output tokens (USD/month)."""
    if stack.llm == SELF_HOSTED_LLM:
        tokens, terms = _volume(a, agents)
        return [Component("llm", "Self-hosted LLM (Ollama on the Mac Studios)", tokens / 1000, "1K tokens", 0.0,
                          keys=_KEYS, basis=_BASIS + " = {k}K tokens, run on the Mac Studios at $0",
                          terms={**terms, "k": tokens / 1000})]
    return api_components(a, stack.llm, agents)


def api_components(a: Assumptions, model_key: str, agents: Num) -> list[Component]:
    """Input and output tokens of LLM API ``model_key`` (LLM models table) at ``agents`` (USD/month)."""
    tokens, terms = _volume(a, agents)
    model = a.llm_model(model_key)
    index = a.llm_models.index(model)
    share = a.llm.input_share
    out = []
    for part, fraction, price, field in (("input", share, model.input_usd_per_1k, "input_usd_per_1k"),
                                          ("output", 1 - share, model.output_usd_per_1k, "output_usd_per_1k")):
        k = tokens * fraction / 1000
        out.append(Component(
            "llm", f"{model.name} {part} tokens", k, "1K tokens", price, monthly=k * price,
            keys=(*_KEYS, "llm.input_share", f"llm_models[{index}].{field}"),
            basis=_BASIS + " × {share:.0%} " + part + " = {k}K tokens × {price:$}/1K",
            terms={**terms, "share": fraction, "k": k, "price": price}))
    return out
