"""LLM inference: self-hosted on the Mac Studios ($0 beyond hardware), priced per token by an API, or on rented
GPU servers (their lines: ``model``, from the GPU servers sheet)."""

from __future__ import annotations

from functools import cache

from ..assumptions import SELF_HOSTED_LLM, Assumptions, Stack
from .capacity import TOKENS_PER_MONTH
from .components import Component, Line, Num
from .expr import Const, Context, Input, Named

_THOUSAND = Const(1000, "1,000")

_SELF_HOSTED_TOKENS = Named("LLM tokens/month (thousands)", TOKENS_PER_MONTH / _THOUSAND, unit="1K tokens",
                            show="{}K tokens", derive=True)
_NO_FEE = Const(0, "$0 (run on the Mac Studios)")  # no price per token: the hardware is priced on its own line
SELF_HOSTED_LINE = Line("llm", "Self-hosted LLM (Ollama on the Mac Studios)", "1K tokens", _SELF_HOSTED_TOKENS,
                        _NO_FEE, monthly=_SELF_HOSTED_TOKENS * _NO_FEE)


@cache
def api_lines(model_index: int, model_name: str) -> tuple[Line, ...]:
    """Input and output tokens of the LLM API model in row ``model_index`` of the LLM models table (USD/month)."""
    share = Input("llm.input_share", "{:.0%} input")
    lines = []
    for part, fraction, field in (
            ("input", share, "input_usd_per_1k"),
            ("output", Named("Output share", 1 - Input("llm.input_share"), unit="share", show="{:.0%} output"),
             "output_usd_per_1k")):
        k = Named(f"{model_name} {part} tokens/month (thousands)", TOKENS_PER_MONTH * fraction / _THOUSAND,
                  unit="1K tokens", show="{}K tokens", derive=True)
        price = Input(f"llm_models[{model_index}].{field}", "{:$}/1K")
        lines.append(Line("llm", f"{model_name} {part} tokens", "1K tokens", k, price, monthly=k * price))
    return tuple(lines)


def llm_lines(a: Assumptions, stack: Stack) -> tuple[Line, ...]:
    """Self-hosted: one $0 line showing the token volume. API: input and output tokens (USD/month). GPU servers:
    none here (the servers are the GPU group's price lines)."""
    if stack.llm == SELF_HOSTED_LLM:
        return (SELF_HOSTED_LINE,)
    if stack.llm in a.gpu_groups():
        return ()
    model = a.llm_model(stack.llm)
    return api_lines(a.llm_models.index(model), model.name)


def api_components(a: Assumptions, model_key: str, agents: Num) -> list[Component]:
    """Input and output tokens of LLM API ``model_key`` (LLM models table) at ``agents`` (USD/month)."""
    model = a.llm_model(model_key)
    ctx = Context(a, {"agents": agents})
    return [line.component(ctx) for line in api_lines(a.llm_models.index(model), model.name)]
