"""The expression vocabulary: one tree evaluated by numpy, printed as a derivation, rendered as a formula.

The renderer is checked against a real spreadsheet: hundreds of random trees (every operation, nested,
with negative numbers and choices) are written as formulas into one workbook, LibreOffice recalculates
it, and every value must equal numpy's evaluation of the same tree.
"""

from __future__ import annotations

import random
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pytest

from tco_xl.assumptions import default_assumptions
from tco_xl.engine.expr import (
    AGENTS,
    Choice,
    Const,
    Context,
    Expr,
    Input,
    Named,
    Text,
    any_of,
    describe,
    evaluate,
    formula,
    leaves,
    ln,
    maximum,
    minimum,
    text_is,
    where,
    whole,
)
from tco_xl.io.libreoffice import recalculate

A = default_assumptions()


def source(**groups: dict) -> SimpleNamespace:
    """A stand-in for the assumptions: groups of fields, and a table 'rows'."""
    return SimpleNamespace(**{g: SimpleNamespace(**f) for g, f in groups.items()},
                           rows=[SimpleNamespace(kind="EUR", flag=True), SimpleNamespace(kind="USD", flag=False)])


def test_a_rule_evaluates_over_headcounts_and_assumption_draws_in_one_pass() -> None:
    rate, calls = Input("g.rate"), Input("g.calls")
    monthly = AGENTS * calls * rate
    draws = np.array([0.01, 0.02, 0.03])
    s = source(g={"rate": draws[:, None], "calls": 40.0})
    value = evaluate(monthly, s, agents=np.array([1.0, 47.0]))
    # 47 agents × 40 calls × $0.02 = $37.60
    assert value.shape == (3, 2) and value[1, 1] == pytest.approx(37.6)


def test_whole_units_ignore_float_noise_and_choices_follow_the_row() -> None:
    s = source(g={"x": 100.0, "per": 25.0})
    assert evaluate(whole(Input("g.x") / Input("g.per")), s) == 4  # 100 / 25 is 4, not 5
    fx = Choice(Text("rows[0].kind"), {"USD": 1, "EUR": Const(1.068)})
    assert evaluate(fx, s) == 1.068
    assert evaluate(Choice(Text("rows[1].flag"), {True: 2, False: 3}), s) == 3


def test_where_evaluates_only_the_branch_taken_for_a_scalar_and_masks_for_arrays() -> None:
    per = Input("g.per")
    servers = where(per > 0, whole(AGENTS / per), 0)
    assert evaluate(servers, source(g={"per": 0.0}), agents=47.0) == 0  # no division by zero
    grid = evaluate(servers, source(g={"per": np.array([0.0, 25.0])}), agents=47.0)
    assert grid.tolist() == [0, 2]


def test_named_quantities_are_evaluated_once_per_context() -> None:
    calls = []
    s = source(g={"x": 3.0})
    x = Input("g.x")
    original = x.get
    x.get = lambda src: calls.append(1) or original(src)  # type: ignore[method-assign]
    n = Named("n", x * 2, unit="u")
    ctx = Context(s, {})
    assert ctx.value(n + n * n) == 6 + 36
    assert len(calls) == 1


def test_leaves_are_the_keys_read_and_follow_the_choice_of_the_row() -> None:
    fx = Choice(Text("rows[0].kind"), {"USD": 1, "EUR": Input("finance.eur_usd")})
    price = Input("rows[0].price") * fx
    assert leaves(price) == ["rows[0].price", "rows[0].kind", "finance.eur_usd"]  # every branch: what a formula reads
    usd = SimpleNamespace(rows=[SimpleNamespace(kind="USD")])
    assert leaves(price, Context(usd, {})) == ["rows[0].price", "rows[0].kind"]  # what was evaluated


def test_derivation_writes_the_values_with_their_units() -> None:
    s = source(g={"calls": 40.0, "share": 0.5, "rate": 0.013, "discount": 0.0})
    minutes = Named("minutes", AGENTS * Input("g.calls", "{} calls"), unit="min", inline=True)
    inbound = Named("inbound", minutes * Input("g.share", "{:.0%} inbound"), unit="min", derive=True)
    amount = inbound * Input("g.rate", "{:$}/min")
    # 47 × 40 × 50% = 940 min × $0.013 = $12.22
    assert describe(amount, Context(s, {"agents": 47.0})) == "47 agents × 40 calls × 50% inbound = 940 min × $0.013/min"


@pytest.mark.parametrize(("value", "text"), [
    # below 1,000 four significant digits: 12.34 stays 12.34 (one decimal would cut it to 12.3)
    (12.34, "12.34 min"),
    (999.5, "999.5 min"),  # the last fraction below 1,000: 4 significant digits are 999.5
    # from 1,000 on one decimal: 1,000.5 (4 significant digits would print 1,000: the half minute lost)
    (1000.5, "1,000.5 min"),
    # 1,234.5 with one decimal (4 significant digits would print 1,234)
    (1234.5, "1,234.5 min"),
    (1000.0, "1,000 min"),  # a whole number has no decimals at all
])
def test_derivation_prints_a_quantity_with_four_digits_below_1000_and_one_decimal_from_1000(value, text) -> None:
    assert describe(Input("g.q", "{} min"), Context(source(g={"q": value}), {})) == text


ABC = source(g={"a": 3.0, "b": 2.0, "c": 5.0})


@pytest.mark.parametrize(("rule", "text"), [
    # a comparison inside a sum keeps its parentheses: '3 > 2 + 5' would read as 3 > 7
    (lambda a, b, c: (a < b) + c, "(3 < 2) + 5"),
    (lambda a, b, c: (a <= b) + c, "(3 ≤ 2) + 5"),
    (lambda a, b, c: (a > b) + c, "(3 > 2) + 5"),
    (lambda a, b, c: (a >= b) + c, "(3 ≥ 2) + 5"),
    # a comparison as either operand of a comparison too: '3 ≥ 2 < 5' would read as a chain of two
    (lambda a, b, c: a < (b < c), "3 < (2 < 5)"),
    (lambda a, b, c: a <= (b < c), "3 ≤ (2 < 5)"),
    (lambda a, b, c: a > (b < c), "3 > (2 < 5)"),
    (lambda a, b, c: a >= (b < c), "3 ≥ (2 < 5)"),
    (lambda a, b, c: (b < c) < a, "(2 < 5) < 3"),
    (lambda a, b, c: (b < c) <= a, "(2 < 5) ≤ 3"),
    (lambda a, b, c: (b < c) > a, "(2 < 5) > 3"),
    (lambda a, b, c: (b < c) >= a, "(2 < 5) ≥ 3"),
    # at the top a comparison needs none, and a sum inside a comparison binds tighter: 3 − 2 < 5
    (lambda a, b, c: a - b < c, "3 − 2 < 5"),
    # a negative operand: written '−', in parentheses after a minus or in a product, bare at the front of a sum
    (lambda a, b, c: c - -a, "5 − (−3)"),
    (lambda a, b, c: -a + c, "−3 + 5"),
    (lambda a, b, c: -(a - b), "−(3 − 2)"),
    (lambda a, b, c: c * -a, "5 × (−3)"),
    # a ceiling is bracketed, never parenthesized: ⌈5 ÷ 2⌉ as a factor
    (lambda a, b, c: whole(c / b) * a, "⌈5 ÷ 2⌉ × 3"),
    # a function lists its arguments: max(3, −2, 5)
    (lambda a, b, c: maximum(a, -b, c), "max(3, −2, 5)"),
])
def test_derivation_parentheses_follow_precedence_for_comparisons_and_negatives(rule, text) -> None:
    a, b, c = Input("g.a"), Input("g.b"), Input("g.c")  # a = 3, b = 2, c = 5
    assert describe(rule(a, b, c), Context(ABC, {})) == text


def test_minimum_at_one_point_and_over_an_array() -> None:
    cap = minimum(Input("g.demand"), Input("g.cap"), 1_000)
    # one point: min(420, 350, 1,000) = 350, a Python float (the fast path, no numpy scalar)
    at_point = evaluate(cap, source(g={"demand": 420.0, "cap": 350.0}))
    assert at_point == 350 and type(at_point) is float
    # over draws: min(420, [300, 500, 2,000], 1,000) = [300, 420, 420], element-wise
    grid = evaluate(cap, source(g={"demand": 420.0, "cap": np.array([300.0, 500.0, 2_000.0])}))
    assert grid.tolist() == [300, 420, 420]
    # demand over headcounts too: min([100, 900, 1,500], [300, 500, 2,000], 1,000) = [100, 500, 1,000]
    demand, caps = np.array([100.0, 900.0, 1_500.0]), np.array([300.0, 500.0, 2_000.0])
    grid = evaluate(cap, source(g={"demand": demand, "cap": caps}))
    assert grid.tolist() == [100, 500, 1_000]


def test_text_is_holds_where_the_cell_has_the_value() -> None:
    # rows[0].kind is 'EUR', rows[1].kind 'USD': a surcharge of 5 only where the row is in EUR
    s = source()
    assert evaluate(where(text_is("rows[0].kind", "EUR"), 5, 0), s) == 5
    assert evaluate(where(text_is("rows[1].kind", "EUR"), 5, 0), s) == 0
    assert evaluate(any_of(text_is("rows[0].kind", "USD"), text_is("rows[1].kind", "USD")), s)


CELL_OF = {"g.a": "A1", "g.b": "A2", "g.c": "A3"}


def cell_of(node: object) -> str | None:
    key = getattr(node, "key", None)
    return CELL_OF[key] if key is not None else None


@pytest.mark.parametrize(("rule", "text", "value"), [
    # same precedence on the right keeps its parentheses (left-associative), on the left needs none
    (lambda a, b, c: a - (b - c), "A1-(A2-A3)", 10 - (4 - 2)),   # 8
    (lambda a, b, c: (a - b) - c, "A1-A2-A3", 10 - 4 - 2),       # 4
    (lambda a, b, c: a / (b * c), "A1/(A2*A3)", 10 / (4 * 2)),   # 1.25
    (lambda a, b, c: a * b / c, "A1*A2/A3", 10 * 4 / 2),         # 20
    (lambda a, b, c: (a + b) * c, "(A1+A2)*A3", (10 + 4) * 2),   # 28: a lower precedence inside
    (lambda a, b, c: a - b < c, "A1-A2<A3", 0),                  # 6 < 2 is false; a comparison is never wrapped
])
def test_formula_parentheses_follow_precedence_and_left_associativity(rule, text, value) -> None:
    a, b, c = Input("g.a"), Input("g.b"), Input("g.c")
    tree = rule(a, b, c)
    assert formula(tree, cell_of) == text
    assert evaluate(tree, source(g={"a": 10.0, "b": 4.0, "c": 2.0})) == value  # a = 10, b = 4, c = 2


def test_formula_numbers_are_written_as_a_spreadsheet_reads_them() -> None:
    a = Input("g.a")
    assert formula(a * 730, cell_of) == "A1*730"  # a whole number without '.0'
    assert formula(a / 3_600 + 0.25, cell_of) == "A1/3600+0.25"  # no thousands separator; a fraction as is
    assert formula(a * -12, cell_of) == "A1*-12"
    # from 1e15 on a float is written as Python's repr (int() would print digits beyond a double's precision)
    assert formula(a * 1e15, cell_of) == "A1*1000000000000000.0"
    assert formula(a * 2.5e20, cell_of) == "A1*2.5e+20"

# -- formulas in a real spreadsheet ------------------------------------------------------------------------

CELLS = {"g.a": ("A1", 3.5), "g.b": ("A2", -2.0), "g.c": ("A3", 0.25), "g.d": ("A4", 7.0), "g.e": ("A5", 100.0)}
TEXTS = {"t.kind": ("B1", "month"), "t.flag": ("B2", True)}


def random_tree(rng: random.Random, depth: int) -> Expr:
    """A random expression over the five inputs, every operation the vocabulary has."""
    if depth == 0 or rng.random() < 0.2:
        return Input(rng.choice(list(CELLS))) if rng.random() < 0.8 else Const(rng.choice([1, 2, 12, 0.5]))
    kind = rng.choice(["+", "-", "*", "/", "^", "neg", "max", "min", "whole", "ln", "if", "choice", "flag", "or"])
    x, y = random_tree(rng, depth - 1), random_tree(rng, depth - 1)
    if kind == "/":
        return x / (maximum(y, Input("g.c")))  # never divide by zero or a negative
    if kind == "^":
        return maximum(x, Input("g.c")) ** Input(rng.choice(["g.c", "g.b"]))  # a positive base
    if kind == "ln":
        return ln(maximum(x, Input("g.c")))
    if kind == "neg":
        return -x
    if kind == "whole":
        return whole(x)
    if kind in ("max", "min"):
        return (maximum if kind == "max" else minimum)(x, y, random_tree(rng, 0))
    if kind == "if":
        return where(x > y, y - x, x * y)
    if kind == "choice":
        return Choice(Text("t.kind"), {"hour": x, "month": y, "year": x - y})
    if kind == "flag":
        return Choice(Text("t.flag"), {True: x, False: y})
    if kind == "or":
        return where(any_of(text_is("t.kind", "year"), x <= y), x, y)
    return {"+": x + y, "-": x - y, "*": x * y}[kind]


@pytest.mark.libreoffice
def test_rendered_formulas_equal_numpy_in_libreoffice(soffice: str, tmp_path: Path) -> None:
    rng = random.Random(20260224)
    trees = [random_tree(rng, rng.randint(1, 5)) for _ in range(400)]
    s = SimpleNamespace(g=SimpleNamespace(**{k.split(".")[1]: v for k, (_, v) in CELLS.items()}),
                        t=SimpleNamespace(**{k.split(".")[1]: v for k, (_, v) in TEXTS.items()}))
    refs = {k: f"Inputs!${c[0]}${c[1:]}" for k, (c, _) in {**CELLS, **TEXTS}.items()}

    def ref(node: object) -> str | None:
        key = getattr(node, "key", None)
        return refs[key] if key is not None else None

    wb = openpyxl.Workbook()
    inputs = wb.active
    inputs.title = "Inputs"
    for cell, value in [*CELLS.values(), *TEXTS.values()]:
        inputs[cell] = value
    out = wb.create_sheet("Formulas")
    expected = []
    with np.errstate(all="ignore"):
        for i, tree in enumerate(trees, start=1):
            value = float(evaluate(tree, s))
            expected.append(value)
            out.cell(row=i, column=1, value="=" + formula(tree, ref))
    path = tmp_path / "trees.xlsx"
    wb.save(path)
    [recalculated] = recalculate([path], tmp_path / "out", soffice=soffice)
    got = [row[0] for row in openpyxl.load_workbook(recalculated, data_only=True)["Formulas"].iter_rows(
        values_only=True)]
    assert len(got) == len(trees)
    finite = 0
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        if not np.isfinite(e) or abs(e) > 1e12:
            continue  # overflow or a huge power: spreadsheets show an error there, numpy inf
        finite += 1
        assert isinstance(g, (int, float)), (i, formula(trees[i], ref), g)
        assert g == pytest.approx(e, rel=1e-9, abs=1e-9), (i, formula(trees[i], ref))
    assert finite > 300
