"""The mapping's expressions and reason templates: a small, safe subset of Python over named quantities.

An expression is arithmetic (``+ - * / **``), numbers, strings, names from a namespace (engine
quantities, assumption groups, the report's own figures), calls of those names, attributes of their
results (``scope('aws', 47).monthly``, ``usage.minutes_per_call``) and ``round``/``min``/``max``/``abs``/
``ceil``. Nothing else parses: no imports, no private attributes, no comprehension, no subscripts.

A reason template is text with ``{expression}`` or ``{expression:format}`` fields; every number it
prints is computed. Formats: ``$`` dollars and cents, ``$0`` whole dollars, ``+$`` / ``+$0`` signed,
``%`` percent, ``n`` a plain number (thousands separated). Differences (``+$``) print in cents.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import TcoError
from ..rounding import excel_round

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
BUILTINS: dict[str, Any] = {"round": round, "min": min, "max": max, "abs": abs, "ceil": math.ceil}


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of ``expression`` with ``names`` (an error naming the expression when it is not allowed)."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise TcoError(f"reconciliation expression {expression!r}: {exc.msg}") from None
    try:
        return _eval(tree.body, {**BUILTINS, **names}, expression)
    except (AttributeError, TypeError, ValueError, ZeroDivisionError, KeyError) as exc:
        raise TcoError(f"reconciliation expression {expression!r}: {exc}") from None


def _eval(node: ast.AST, names: Mapping[str, Any], source: str) -> Any:
    def ev(n: ast.AST) -> Any:
        return _eval(n, names, source)

    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise TcoError(f"reconciliation expression {source!r}: unknown name {node.id!r}")
        return names[node.id]
    if isinstance(node, ast.Attribute) and not node.attr.startswith("_"):
        return getattr(ev(node.value), node.attr)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](ev(node.left), ev(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](ev(node.operand))
    if isinstance(node, ast.Tuple):
        return tuple(ev(e) for e in node.elts)
    if isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args):
        kwargs = {k.arg: ev(k.value) for k in node.keywords if k.arg}
        if len(kwargs) != len(node.keywords):
            raise TcoError(f"reconciliation expression {source!r}: ** arguments are not allowed")
        function: Callable[..., Any] = ev(node.func)
        return function(*(ev(a) for a in node.args), **kwargs)
    raise TcoError(f"reconciliation expression {source!r}: {ast.unparse(node)!r} is not allowed "
                   "(arithmetic, names, calls and attributes only)")


_FIELD = re.compile(r"\{([^{}]+)\}")
_FORMATS = ("+$0", "+$", "$0", "$", "%", "n")


def render(template: str, names: Mapping[str, Any]) -> str:
    """``template`` with each ``{expression[:format]}`` replaced by its computed, formatted value."""
    def field(m: re.Match[str]) -> str:
        body = m.group(1)
        expr, _, spec = body.rpartition(":")
        if not expr or spec not in _FORMATS:
            expr, spec = body, ""
        return fmt(evaluate(expr, names), spec)
    return _FIELD.sub(field, template)


def fmt(value: Any, spec: str = "") -> str:
    """A computed value as a reason prints it (see the module docstring for ``spec``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return "–".join(fmt(v, spec) for v in value)
    x = float(value)
    if not math.isfinite(x):
        raise TcoError(f"reconciliation: a reason computed a non-finite number ({x})")
    if spec in ("+$", "+$0"):  # a difference: in cents, unless it is below half a cent
        sign = "+" if x >= 0 else "−"
        if spec == "+$" and abs(x) >= 0.005:
            return sign + f"${excel_round(abs(x), 2):,.2f}"
        return sign + fmt(abs(x), spec[1:])
    if spec == "$0":
        return ("−" if x < 0 else "") + f"${excel_round(abs(x)):,.0f}"
    if spec == "$":
        sign = "−" if x < 0 else ""
        x = abs(x)
        return sign + (f"${x:.4g}" if x < 1 and round(x, 2) != round(x, 6) else f"${excel_round(x, 2):,.2f}")
    if spec == "%":
        return f"{x:.1%}".replace("-", "−")
    return number(x)


def number(x: float) -> str:
    """A plain number without float noise: 165,440 / 2.13 / 0.0079 / 206,800,000."""
    if abs(x - round(x)) < 1e-9:
        return f"{x:,.0f}".replace("-", "−")
    if abs(x) >= 100:
        return f"{x:,.2f}".rstrip("0").rstrip(".").replace("-", "−")
    return f"{x:.4g}".replace("-", "−")
