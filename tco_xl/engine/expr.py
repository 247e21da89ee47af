"""Cost rules as expressions: one definition, three renderings.

A rule is an expression tree built once from named inputs:

- ``Input("telephony.inbound_usd_per_min")`` or ``Input("providers[3].unit_price")``: a number read from
  the assumptions (a scalar key or a table cell, as ``Assumptions.origins`` names them);
- ``Text("providers[3].currency")``: a text (or TRUE/FALSE) cell that a ``Choice`` or ``text_is`` reads;
- ``Param("agents")``: a value bound at evaluation (the headcount, or the totals of a scenario);
- ``Const(12)``: unit conversions only (months, thousands, seconds) — never money;
- arithmetic by operator overloading (``+ - * / **``, comparisons), ``maximum``, ``minimum``, ``whole``
  (round up to whole units), ``ln``, ``where`` (if/else), ``Choice`` (a branch per value of a text cell);
- ``Named``: an intermediate quantity with a name and a unit (minutes/month, Mac Studios, ...): evaluated
  once per evaluation, printed as its value or its definition, placed in its own row by the live workbook.

The same tree is

1. evaluated by numpy (``evaluate``/``Context``) over a grid of headcounts and over arrays of assumption
   draws (numbers broadcast; a ``Choice`` follows the text in the row evaluated);
2. printed as the derivation of a line item (``describe``: "47 agents × 40 calls/day × ... = 165,440 min");
3. rendered as a spreadsheet formula over the cells of the assumption sheets (``formula``), using only
   functions Excel 2016+, LibreOffice and Google Sheets evaluate alike;

and its input leaves are the assumption keys a line item traces back to (``leaves``).
"""

from __future__ import annotations

import functools
import math
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np

Num = float | np.ndarray
#: A cell reference (or None: render the node's definition inline) for a node, from the renderer's layout.
Refs = Callable[["Expr"], str | None]

_TABLE_CELL = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


# -- printing numbers ---------------------------------------------------------------------------------

def money(x: float) -> str:
    """USD as a price list shows it: $1,500 / $2,150.72 / $0.10 / $0.013 / $0.0079."""
    if x == round(x):
        return f"${x:,.0f}"
    if abs(x) >= 1 or round(x, 2) == x:
        return f"${x:,.2f}"
    return f"${x:.4g}"


def qty(x: float) -> str:
    """A quantity without float noise: 165,440 / 2.13 / 0.5."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.1f}"


@functools.cache
def _parsed(show: str) -> tuple[str, str | None, str]:
    """(text before, format spec, text after) of a show: '{:$}/min' -> ('', '$', '/min'); a show without a
    field is a fixed text ('1,000 W/kW' -> ('1,000 W/kW', None, ''))."""
    parts = list(string.Formatter().parse(show))
    fields = [p for p in parts if p[1] is not None]
    if not fields:
        return show, None, ""
    if len(fields) > 1 or fields[0][1] != "":
        raise ValueError(f"a show has at most one field, '{{}}' or '{{:spec}}': {show!r}")
    after = "".join(p[0] for p in parts[1:])
    return parts[0][0], parts[0][2] or "", after


def shown(show: str, value: float) -> str:
    """``value`` printed by ``show``: '{:$}' as money, '{}' as a quantity without float noise, else the spec."""
    before, spec, after = _parsed(show)
    if spec is None:
        return before
    text = money(value) if spec == "$" else qty(value) if not spec else format(value, spec)
    return before + text + after


# -- the nodes -------------------------------------------------------------------------------------------

def lift(x: Expr | float) -> Expr:
    """A number in an expression is a constant (a unit conversion); expressions pass through."""
    return x if isinstance(x, Expr) else Const(float(x))


class Expr:
    """A node. Arithmetic and comparisons build new nodes; ``==`` stays identity (nodes are dict keys)."""

    __slots__ = ("_fn", "_printers")
    _fn: Callable[[Context], Any]  # the compiled evaluation (see ``_compiled``)
    _printers: dict[int, Callable[[Context], str]]  # the compiled derivation, by precedence level

    def __add__(self, other: Expr | float) -> Expr:
        return Op("+", self, lift(other))

    def __radd__(self, other: float) -> Expr:
        return Op("+", lift(other), self)

    def __sub__(self, other: Expr | float) -> Expr:
        return Op("-", self, lift(other))

    def __rsub__(self, other: float) -> Expr:
        return Op("-", lift(other), self)

    def __mul__(self, other: Expr | float) -> Expr:
        return Op("*", self, lift(other))

    def __rmul__(self, other: float) -> Expr:
        return Op("*", lift(other), self)

    def __truediv__(self, other: Expr | float) -> Expr:
        return Op("/", self, lift(other))

    def __rtruediv__(self, other: float) -> Expr:
        return Op("/", lift(other), self)

    def __pow__(self, other: Expr | float) -> Expr:
        return Op("^", self, lift(other))

    def __neg__(self) -> Expr:
        return Op("neg", self)

    def __lt__(self, other: Expr | float) -> Expr:
        return Op("<", self, lift(other))

    def __le__(self, other: Expr | float) -> Expr:
        return Op("<=", self, lift(other))

    def __gt__(self, other: Expr | float) -> Expr:
        return Op(">", self, lift(other))

    def __ge__(self, other: Expr | float) -> Expr:
        return Op(">=", self, lift(other))

    __hash__ = object.__hash__

    def children(self) -> tuple[Expr, ...]:
        return ()


def _accessor(key: str) -> Callable[[Any], Any]:
    """``source -> value`` of a scalar key ('group.field') or a table cell ('table[i].field')."""
    if match := _TABLE_CELL.match(key):
        table, index, field = match[1], int(match[2]), match[3]
        return lambda source: getattr(getattr(source, table)[index], field)
    group, _, field = key.partition(".")
    if not group or not field:
        raise ValueError(f"not an assumption key: {key!r}")
    return lambda source: getattr(getattr(source, group), field)


class Input(Expr):
    """A number read from the assumptions: scalar ``group.field`` or table cell ``table[i].field``.

    ``show`` prints its value in a derivation: '{} agents', '{:$}/min', '{:.0%} inbound'.
    """

    __slots__ = ("get", "key", "show")

    def __init__(self, key: str, show: str = "{}"):
        self.key, self.show, self.get = key, show, _accessor(key)

    def __repr__(self) -> str:
        return f"Input({self.key!r})"


class Text:
    """A text (or TRUE/FALSE) cell read from the assumptions; ``Choice`` and ``text_is`` branch on it."""

    __slots__ = ("get", "key")

    def __init__(self, key: str):
        self.key, self.get = key, _accessor(key)

    def __repr__(self) -> str:
        return f"Text({self.key!r})"


class Param(Expr):
    """A value bound at evaluation: the headcount ('agents'), or a scenario's totals ('monthly', ...)."""

    __slots__ = ("name", "show")

    def __init__(self, name: str, show: str = "{}"):
        self.name, self.show = name, show

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class Const(Expr):
    """A unit conversion (12 months, 1,000 tokens, 3,600 s) or a neutral 0/1 — never a price.

    ``show`` prints it in a derivation; a 1 without ``show`` is left out of products.
    """

    __slots__ = ("show", "value")

    def __init__(self, value: float, show: str | None = None):
        self.value, self.show = float(value), show

    def __repr__(self) -> str:
        return f"Const({self.value:g})"


#: Operators and functions of ``Op``: infix symbols, then functions by name.
_INFIX = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 3, "<": 0, "<=": 0, ">": 0, ">=": 0}
_FUNCTIONS = ("neg", "max", "min", "whole", "ln", "and", "or", "not")


class Op(Expr):
    """Arithmetic, a comparison, or a function (max, min, whole units, ln, and, or, not) of its arguments."""

    __slots__ = ("args", "kind")

    def __init__(self, kind: str, *args: Expr):
        if kind not in _INFIX and kind not in _FUNCTIONS:
            raise ValueError(f"unknown operation {kind!r}")
        self.kind, self.args = kind, args

    def children(self) -> tuple[Expr, ...]:
        return self.args

    def __repr__(self) -> str:
        return f"Op({self.kind!r}, {', '.join(map(repr, self.args))})"


class If(Expr):
    """``then`` where ``cond`` holds, else ``other`` (element-wise over a grid)."""

    __slots__ = ("cond", "other", "then")

    def __init__(self, cond: Expr, then: Expr | float, other: Expr | float):
        self.cond, self.then, self.other = cond, lift(then), lift(other)

    def children(self) -> tuple[Expr, ...]:
        return self.cond, self.then, self.other


class Choice(Expr):
    """The branch for the value of a text cell: a line's currency -> FX, billing -> hours/month, 1 or 1/12,
    driver -> the driver quantity, whole units -> rounded up or not. Numpy evaluates the branch of the
    row's value; the spreadsheet renders IF/CHOOSE over the cell, so the workbook follows an edit of it."""

    __slots__ = ("branches", "text")

    def __init__(self, text: Text, branches: Mapping[Any, Expr | float]):
        self.text, self.branches = text, {k: lift(v) for k, v in branches.items()}

    def children(self) -> tuple[Expr, ...]:
        return tuple(self.branches.values())


class TextIs(Expr):
    """True where a text cell holds ``value`` (a condition for ``where`` or ``any_of``)."""

    __slots__ = ("text", "value")

    def __init__(self, text: Text, value: str):
        self.text, self.value = text, value


class Named(Expr):
    """A named intermediate quantity (unit given): evaluated once per evaluation; the live workbook gives it a row.

    In derivations it prints as its value (``show``, default '{} <unit>'), or as its definition when
    ``inline``; where ``derive`` holds (True or a condition) it prints as 'definition = value'.
    """

    __slots__ = ("derive", "expr", "inline", "name", "show", "unit")

    def __init__(self, name: str, expr: Expr | float, unit: str, show: str | None = None, inline: bool = False,
                 derive: bool | Expr = False):
        self.name, self.expr, self.unit = name, lift(expr), unit
        # '3 server', '10 × 1,000 emails' (a unit that starts with a count is multiplied, not appended)
        self.show = show if show is not None else "{}" + (" × " if unit[:1].isdigit() else " ") + unit
        self.inline, self.derive = inline, derive

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)

    def __repr__(self) -> str:
        return f"Named({self.name!r})"


class Quiet(Expr):
    """``expr``, left out of a printed product where its value is ``at`` (a 0% discount's factor of 1)."""

    __slots__ = ("at", "expr")

    def __init__(self, expr: Expr, at: float = 1.0):
        self.expr, self.at = expr, at

    def children(self) -> tuple[Expr, ...]:
        return (self.expr,)


# -- building ------------------------------------------------------------------------------------------

def maximum(*xs: Expr | float) -> Expr:
    """The largest of ``xs`` (element-wise)."""
    return Op("max", *map(lift, xs))


def minimum(*xs: Expr | float) -> Expr:
    """The smallest of ``xs`` (element-wise)."""
    return Op("min", *map(lift, xs))


def whole(x: Expr) -> Expr:
    """Rounded up to whole units, ignoring float noise below 1e-9 (100/25 is 4, not 5)."""
    return Op("whole", x)


def ln(x: Expr) -> Expr:
    """Natural logarithm."""
    return Op("ln", x)


def where(cond: Expr, then: Expr | float, other: Expr | float) -> Expr:
    """``then`` where ``cond`` holds, else ``other``."""
    return If(cond, then, other)


def any_of(*conds: Expr) -> Expr:
    """True where any condition holds (False for none)."""
    return Op("or", *conds) if conds else Const(0)


def all_of(*conds: Expr) -> Expr:
    """True where every condition holds."""
    return Op("and", *conds)


def text_is(key: str, value: str) -> Expr:
    """True where text cell ``key`` holds ``value``."""
    return TextIs(Text(key), value)


AGENTS = Param("agents", show="{} agents")


# -- evaluation (numpy) ------------------------------------------------------------------------------

class Context:
    """One evaluation: the assumptions (``source``), bound parameters and the values of named quantities.

    Numbers read may be numpy arrays (assumption draws) and broadcast against the headcounts. With an
    ``index``, every number read is taken at that grid point (a derivation at one headcount).
    """

    __slots__ = ("grid", "index", "memo", "params", "source")

    def __init__(self, source: Any, params: Mapping[str, Any], index: tuple[int, ...] | int | None = None,
                 grid: Context | None = None):
        self.source, self.params, self.index, self.grid = source, params, index, grid
        self.memo: dict[Expr, Any] = {}

    def at(self, index: tuple[int, ...] | int) -> Context:
        """The same evaluation at one grid point (numbers taken at ``index``; a point stays where it is).
        Named quantities already evaluated over the grid are taken at the point, not computed again."""
        if self.index is not None:
            return self
        return Context(self.source, self.params, index, self)

    def pick(self, x: Any) -> Any:
        if self.index is None or type(x) is float:
            return x
        arr = np.asarray(x)
        return float(arr[self.index]) if arr.ndim else float(arr)

    def text(self, node: Text) -> Any:
        return node.get(self.source)

    def value(self, node: Expr) -> Any:
        """The value of ``node`` (number, array or condition)."""
        fn = _compiled(node)
        return fn(self)


def evaluate(node: Expr, source: Any, **params: Any) -> Any:
    """``node`` evaluated on ``source`` (the assumptions) with ``params`` bound (agents=...)."""
    return Context(source, params).value(node)


def _max(*xs: Any) -> Any:
    if all(type(x) is float for x in xs):
        return max(xs)
    out = xs[0]
    for x in xs[1:]:
        out = np.maximum(out, x)
    return out


def _min(*xs: Any) -> Any:
    if all(type(x) is float for x in xs):
        return min(xs)
    out = xs[0]
    for x in xs[1:]:
        out = np.minimum(out, x)
    return out


def _whole(x: Any) -> Any:
    if type(x) is float and math.isfinite(x * 1e9):  # numpy's round(x, 9) (x × 1e9, round half even, ÷ 1e9), unboxed
        return float(math.ceil(round(x * 1e9) / 1e9))
    return np.ceil(np.round(x, 9))


def _any(*xs: Any) -> Any:
    out: Any = False
    for x in xs:
        out = out | x
    return out


def _all(*xs: Any) -> Any:
    out: Any = True
    for x in xs:
        out = out & x
    return out


def _ln(x: Any) -> Any:
    return math.log(x) if type(x) is float and x > 0 else np.log(x)


def _pow(x: Any, y: Any) -> Any:
    return x ** y if type(x) is float and type(y) is float and x > 0 else np.power(x, y)


_CALLS: dict[str, Callable[..., Any]] = {
    "max": _max, "min": _min, "whole": _whole, "ln": _ln, "or": _any, "and": _all, "not": np.logical_not,
    "neg": lambda x: -x, "^": _pow,
}
_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y,
    "<": lambda x, y: x < y, "<=": lambda x, y: x <= y, ">": lambda x, y: x > y, ">=": lambda x, y: x >= y,
}


def _compiled(node: Expr) -> Callable[[Context], Any]:
    """``node`` as a closure ``context -> value`` (built once per node)."""
    try:
        return node._fn
    except AttributeError:
        pass
    fn = _compile(node)
    node._fn = fn
    return fn


def _compile(node: Expr) -> Callable[[Context], Any]:
    if isinstance(node, Input):
        get = node.get
        return lambda ctx: get(ctx.source) if ctx.index is None else ctx.pick(get(ctx.source))
    if isinstance(node, Param):
        name = node.name
        return lambda ctx: ctx.params[name] if ctx.index is None else ctx.pick(ctx.params[name])
    if isinstance(node, Const):
        value = node.value
        return lambda ctx: value
    if isinstance(node, Op):
        fns = [_compiled(arg) for arg in node.args]
        if node.kind in _BINARY and len(fns) == 2:
            op, f, g = _BINARY[node.kind], fns[0], fns[1]
            if node.kind == "*":
                return lambda ctx: f(ctx) * g(ctx)
            if node.kind == "+":
                return lambda ctx: f(ctx) + g(ctx)
            return lambda ctx: op(f(ctx), g(ctx))
        call = _CALLS[node.kind]
        return lambda ctx: call(*(fn(ctx) for fn in fns))
    if isinstance(node, If):
        cond, then, other = _compiled(node.cond), _compiled(node.then), _compiled(node.other)

        def branch(ctx: Context) -> Any:
            c = cond(ctx)
            if isinstance(c, (bool, int, float, np.generic)):  # one condition for the whole grid
                return then(ctx) if c else other(ctx)
            with np.errstate(divide="ignore", invalid="ignore"):  # the branch not taken may divide by zero
                return np.where(c, then(ctx), other(ctx))
        return branch
    if isinstance(node, Choice):
        get, branches = node.text.get, {k: _compiled(v) for k, v in node.branches.items()}
        return lambda ctx: branches[get(ctx.source)](ctx)
    if isinstance(node, TextIs):
        get, wanted = node.text.get, node.value
        return lambda ctx: get(ctx.source) == wanted
    if isinstance(node, Named):
        inner = _compiled(node.expr)

        def named(ctx: Context) -> Any:
            memo = ctx.memo
            try:
                return memo[node]
            except KeyError:
                grid = ctx.grid
                if grid is not None and node in grid.memo:
                    value = memo[node] = ctx.pick(grid.memo[node])
                else:
                    value = memo[node] = inner(ctx)
                return value
        return named
    if isinstance(node, Quiet):
        return _compiled(node.expr)
    raise TypeError(f"cannot evaluate {node!r}")


# -- traversal: leaves, named quantities --------------------------------------------------------------

def leaves(node: Expr, ctx: Context | None = None) -> list[str]:
    """Assumption keys ``node`` reads (numbers and texts), in order of first use.

    With a context, a ``Choice`` contributes only the branch of the row's value (what was evaluated);
    without one, every branch (what a spreadsheet formula refers to).
    """
    keys: dict[str, None] = {}
    seen: set[int] = set()

    def walk(n: Expr) -> None:
        if id(n) in seen:
            return
        seen.add(id(n))
        if isinstance(n, Input):
            keys[n.key] = None
        elif isinstance(n, TextIs):
            keys[n.text.key] = None
        elif isinstance(n, Choice):
            keys[n.text.key] = None
            if ctx is not None:
                walk(n.branches[ctx.text(n.text)])
                return
        for child in n.children():
            walk(child)
    walk(node)
    return list(keys)


def texts(node: Expr) -> list[Text]:
    """The text cells ``node``'s choices branch on (every branch searched), in order of first use."""
    found: dict[str, Text] = {}
    for n in walk(node):
        if isinstance(n, (Choice, TextIs)):
            found.setdefault(n.text.key, n.text)
    return list(found.values())


def walk(node: Expr) -> Iterator[Expr]:
    """Every node under ``node`` once (depth first, children before their parent)."""
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(node, False)]
    while stack:
        n, expanded = stack.pop()
        if expanded:
            yield n
            continue
        if id(n) in seen:
            continue
        seen.add(id(n))
        stack.append((n, True))
        stack.extend((child, False) for child in reversed(n.children()))


def depends_on(node: Expr, param: str) -> bool:
    """Whether ``node`` reads parameter ``param`` (e.g. varies with the headcount)."""
    return any(isinstance(n, Param) and n.name == param for n in walk(node))


# -- printing: derivations ---------------------------------------------------------------------------

def describe(node: Expr, ctx: Context) -> str:
    """``node`` written out with the values of its inputs at ``ctx`` (one grid point): the derivation text."""
    return _printer(node, 0)(ctx)


Printer = Callable[[Context], str]


def _printer(node: Expr, level: int) -> Printer:
    """``node``'s derivation as a closure ``context -> text``, parenthesized when its precedence is below
    ``level`` (built once per node and level, like ``_compiled``)."""
    try:
        cache = node._printers
    except AttributeError:
        cache = node._printers = {}
    fn = cache.get(level)
    if fn is None:
        fn = cache[level] = _print(node, level)
    return fn


def _shows(show: str, value: Callable[[Context], Any]) -> Printer:
    before, spec, after = _parsed(show)
    if spec is None:
        return lambda ctx: before
    if spec == "$":
        return lambda ctx: before + money(float(value(ctx))) + after
    if not spec:
        return lambda ctx: before + qty(float(value(ctx))) + after
    return lambda ctx: before + format(float(value(ctx)), spec) + after


def _print(node: Expr, level: int) -> Printer:
    if isinstance(node, (Input, Param)):
        return _shows(node.show, _compiled(node))
    if isinstance(node, Const):
        text = shown(node.show or "{}", node.value)
        return lambda ctx: text
    if isinstance(node, Named):
        if node.inline:
            return _printer(node.expr, level)
        value, definition = _shows(node.show, _compiled(node)), _printer(node.expr, 1)
        if node.derive is False:
            return value
        if node.derive is True:
            return lambda ctx: f"{definition(ctx)} = {value(ctx)}"
        derive = _compiled(node.derive)
        return lambda ctx: f"{definition(ctx)} = {value(ctx)}" if derive(ctx) else value(ctx)
    if isinstance(node, Quiet):
        inner, get, at = _printer(node.expr, level), _compiled(node.expr), node.at
        return lambda ctx: "" if get(ctx) == at else inner(ctx)
    if isinstance(node, Choice):
        get, branches = node.text.get, {k: _printer(v, level) for k, v in node.branches.items()}
        return lambda ctx: branches[get(ctx.source)](ctx)
    if isinstance(node, If):
        cond, then, other = _compiled(node.cond), _printer(node.then, level), _printer(node.other, level)
        return lambda ctx: then(ctx) if cond(ctx) else other(ctx)
    if isinstance(node, TextIs):
        text = f"{node.text.key} = {node.value}"
        return lambda ctx: text
    if isinstance(node, Op):
        return _print_op(node, level)
    raise TypeError(f"cannot print {node!r}")


def _print_op(node: Op, level: int) -> Printer:
    kind, args = node.kind, node.args

    def wrapped(precedence: int, make: Printer) -> Printer:
        return (lambda ctx: f"({make(ctx)})") if precedence < level else make

    if kind == "*":  # factors printing as 1 (a USD price's FX, monthly billing, no discount) are left out
        factors = [_printer(f, 3 if _is_ratio(f) else 2) for f in _factors(node)]
        return wrapped(2, lambda ctx: " × ".join(t for t in (f(ctx) for f in factors) if t not in ("", "1")) or "1")
    if kind in ("+", "-", "/", "^", "<", "<=", ">", ">="):
        symbol, precedence, sides = {
            "+": (" + ", 1, (1, 2)), "-": (" − ", 1, (1, 2)), "/": (" ÷ ", 2, (2, 3)), "^": ("^", 3, (4, 4)),
            "<": (" < ", 0, (1, 1)), "<=": (" ≤ ", 0, (1, 1)), ">": (" > ", 0, (1, 1)), ">=": (" ≥ ", 0, (1, 1)),
        }[kind]
        left, right = _printer(args[0], sides[0]), _printer(args[1], sides[1])
        return wrapped(precedence, lambda ctx: left(ctx) + symbol + right(ctx))
    if kind == "whole":
        inner = _printer(args[0], 0)
        return lambda ctx: f"⌈{inner(ctx)}⌉"
    if kind == "neg":
        inner = _printer(args[0], 3)
        return wrapped(1, lambda ctx: "−" + inner(ctx))
    parts = [_printer(a, 0) for a in args]
    return lambda ctx: f"{kind}({', '.join(p(ctx) for p in parts)})"


def _factors(node: Expr) -> list[Expr]:
    """The factors of a product, nested products flattened."""
    if isinstance(node, Op) and node.kind == "*":
        return [f for arg in node.args for f in _factors(arg)]
    return [node]


def _is_ratio(node: Expr) -> bool:
    """A division (through inline quantities): written in parentheses as a factor, '× (47 agents ÷ 47)'."""
    while isinstance(node, Named) and node.inline:
        node = node.expr
    return isinstance(node, Op) and node.kind == "/"


# -- rendering: spreadsheet formulas ----------------------------------------------------------------

_EXCEL_FUNCTIONS = {"max": "MAX", "min": "MIN", "ln": "LN", "and": "AND", "or": "OR", "not": "NOT"}


def formula(node: Expr, refs: Refs) -> str:
    """``node`` as a spreadsheet formula (without the leading '='), cells from ``refs``.

    ``refs`` gives the cell of every ``Input``, ``Text`` key (as ``Text`` nodes are not ``Expr``, it is
    asked with the ``Choice``/``TextIs`` node's ``text``), ``Param`` and placed ``Named`` quantity; a
    ``Named`` without a cell is written out inline. Only functions that Excel 2016+, LibreOffice and
    Google Sheets evaluate alike: MAX, MIN, CEILING, ROUND, LN, IF, CHOOSE, MATCH, AND, OR, NOT.
    """
    return _Renderer(refs).render(node)


class _Renderer:
    def __init__(self, refs: Refs):
        self.refs = refs

    def cell(self, node: Any) -> str:
        ref = self.refs(node)
        if ref is None:
            raise KeyError(f"no cell for {node!r}")
        return ref

    def render(self, node: Expr, level: int = 0) -> str:
        if isinstance(node, (Input, Param)):
            return self.cell(node)
        if isinstance(node, Const):
            return _number(node.value)
        if isinstance(node, Named):
            ref = self.refs(node)
            return ref if ref is not None else self.render(node.expr, level)
        if isinstance(node, Quiet):
            return self.render(node.expr, level)
        if isinstance(node, If):
            return f"IF({self.render(node.cond)},{self.render(node.then)},{self.render(node.other)})"
        if isinstance(node, TextIs):
            return _wrap(f"{self.cell(node.text)}={_string(node.value)}", 0, level)
        if isinstance(node, Choice):
            return self.choice(node)
        if isinstance(node, Op):
            return self.op(node, level)
        raise TypeError(f"cannot render {node!r}")

    def choice(self, node: Choice) -> str:
        return choose(self.cell(node.text), {o: self.render(b) for o, b in node.branches.items()})

    def op(self, node: Op, level: int) -> str:
        kind, args = node.kind, node.args
        if kind in _INFIX:
            precedence = _INFIX[kind]
            left = self.render(args[0], precedence)
            right = self.render(args[1], precedence + 1)  # left-associative: a-(b-c), a/(b*c)
            return _wrap(f"{left}{kind}{right}", precedence, level)
        if kind == "neg":
            return _wrap(f"-{self.render(args[0], 4)}", 1, level)
        if kind == "whole":
            return f"CEILING(ROUND({self.render(args[0])},9),1)"
        return f"{_EXCEL_FUNCTIONS[kind]}({','.join(self.render(a) for a in args)})"


def choose(cell: str, branches: Mapping[Any, str]) -> str:
    """The formula picking the branch for the value of ``cell``: IF on TRUE/FALSE or on one of two texts,
    else CHOOSE(MATCH(cell, {texts}, 0), ...)."""
    options = list(branches)
    if set(options) == {True, False}:
        return f"IF({cell},{branches[True]},{branches[False]})"
    if len(options) == 2:
        return f"IF({cell}={_string(options[0])},{branches[options[0]]},{branches[options[1]]})"
    listed = ",".join(_string(o) for o in options)
    return f"CHOOSE(MATCH({cell},{{{listed}}},0),{','.join(branches.values())})"


def _wrap(text: str, precedence: int, level: int) -> str:
    return f"({text})" if precedence < level else text


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


def _string(value: Any) -> str:
    return '"' + str(value).replace('"', '""') + '"'


def named_quantities(nodes: Iterable[Expr]) -> list[Named]:
    """Every ``Named`` quantity under ``nodes``, each after the quantities it reads (an order for rows)."""
    out: dict[int, Named] = {}
    for node in nodes:
        for n in walk(node):
            if isinstance(n, Named) and id(n) not in out:
                out[id(n)] = n
    return list(out.values())
