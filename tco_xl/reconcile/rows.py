"""Every figure of the report against the engine: its value, whether they agree, and why not."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..assumptions import Assumptions
from ..errors import TcoError
from .expressions import evaluate, fmt, render
from .mapping import Mapping, Rule
from .quantities import Lines, Quantities
from .report import Figure, Report

SAME, DIFFERS, NOT_COMPARABLE, UNMAPPED = "=", "≠", "n/c", "unmapped"


@dataclass(frozen=True)
class Row:
    """One figure of the report, reconciled."""

    figure: Figure
    rule: Rule | None
    engine: Any          # float, (low, high), or None when not comparable / unmapped
    status: str          # SAME, DIFFERS, NOT_COMPARABLE or UNMAPPED
    why: str             # the reason for DIFFERS, the explanation for NOT_COMPARABLE


def tolerance(f: Figure) -> float:
    """Half a unit of the last digit the report states ('$4,578.38' -> 0.005, '$54,941' -> 0.5, '9.4M' -> 50,000)."""
    digits = re.search(r"(\d[\d,]*)(?:\.(\d+))?([KM])?", f.text.split("-")[0].split("–")[0])
    if digits is None:
        raise TcoError(f"no number in {f.text!r}")
    scale = {"K": 1e3, "M": 1e6}.get(digits.group(3) or "", 1.0) * (0.01 if f.kind == "percent" else 1.0)
    return 0.5 * 10.0 ** -len(digits.group(2) or "") * scale


def agrees(f: Figure, value: Any) -> bool:
    """The engine's value is the report's to the precision the report states (within its range, for a range)."""
    tol = tolerance(f) * (1 + 1e-9)
    if isinstance(value, tuple):
        return len(value) == 2 and abs(value[0] - f.low) <= tol and abs(value[1] - f.high) <= tol
    return f.low - tol <= float(value) <= f.high + tol


class Reconciliation:
    """The report's figures read through the mapping and priced by the engine at assumptions ``a``."""

    def __init__(self, report: Report, a: Assumptions, mapping: Mapping):
        self.report, self.a, self.mapping = report, a, mapping
        self.q = Quantities(a)
        self._base = self.q.names()
        self._cells = {(f.table, f.row, f.column): f for f in report.figures if f.table}
        self._prose: dict[tuple[int, int], Figure] = {(f.line, f.index): f for f in report.figures if not f.table}
        self._engine_memo: dict[int, Any] = {}
        self._line_of = self._anchor_lines()

    def _anchor_lines(self) -> dict[tuple[int, str], int]:
        """For each claim, the 1-based order of the distinct lines its anchor matches."""
        out: dict[tuple[int, str], int] = {}
        for i, c in enumerate(self.mapping.claims):
            seen: list[str] = []
            for f in self.report.figures:
                if not f.table and c.matches(f) and f.context not in seen:
                    seen.append(f.context)
                    out[(i, f.context)] = len(seen)
        return out

    @cached_property
    def rows(self) -> list[Row]:
        return [self._located(f) for f in self.report.figures]

    def _located(self, f: Figure) -> Row:
        try:
            return self._row(f)
        except TcoError as exc:
            raise TcoError(f"{exc} (report line {f.line}, {f.place}, {f.text!r})") from None

    # -- references the expressions and reasons may use ------------------------------------------
    def _find_cell(self, table: int, row: str, column: str) -> Figure:
        for (t, r, c), f in self._cells.items():
            if t == table and r.startswith(row) and c == column:
                return f
        raise TcoError(f"reconciliation mapping: no figure in T{table} row {row!r} column {column!r}")

    def stated_cell(self, table: int, row: str, column: str) -> Any:
        """T(...): the report's own figure in a table cell (row by label prefix)."""
        return self._find_cell(table, row, column).value

    def engine_cell(self, table: int, row: str, column: str) -> Any:
        """E(...): the engine's value for a table cell."""
        return self._engine(self._find_cell(table, row, column))

    def stated_line(self, line: int, index: int = 1) -> Any:
        """L(...): the report's own figure in prose (line, position on the line)."""
        try:
            return self._prose[(line, index)].value
        except KeyError:
            raise TcoError(f"reconciliation mapping: no figure {index} on report line {line}") from None

    def engine_line(self, line: int, index: int = 1) -> Any:
        """EL(...): the engine's value for a prose figure."""
        self.stated_line(line, index)
        return self._engine(self._prose[(line, index)])

    def names(self, rule: Rule, x: Any = None, f: Figure | None = None) -> dict[str, Any]:
        """What an expression of ``rule`` (for figure ``f``) may name; vars written '=expression' are computed
        from the others."""
        plain = {k: v for k, v in rule.names.items() if not (isinstance(v, str) and v.startswith("="))}
        where = {"row": f.row, "column": f.column, "table": f.table} if f else {}
        names = {**self._base, **where, **plain, "x": x, "T": self.stated_cell, "E": self.engine_cell,
                 "L": self.stated_line, "EL": self.engine_line}
        for k, v in rule.names.items():
            if k not in plain:
                names[k] = evaluate(v[1:], names)
        return names

    # -- one figure ---------------------------------------------------------------------------------
    def rule(self, f: Figure) -> Rule | None:
        return self.mapping.rule(f, self._line_of)

    def row_object(self, f: Figure, rule: Rule) -> Any:
        return evaluate(rule.row, self.names(rule, None, f)) if rule.row else None

    def _engine(self, f: Figure) -> Any:
        key = id(f)
        if key not in self._engine_memo:
            rule = self.rule(f)
            if rule is None or rule.na:
                self._engine_memo[key] = None
            else:
                value = evaluate(rule.expression, self.names(rule, self.row_object(f, rule), f))
                self._engine_memo[key] = _number(value, f, rule)
        return self._engine_memo[key]

    def _row(self, f: Figure) -> Row:
        rule = self.rule(f)
        if rule is None:
            return Row(f, None, None, UNMAPPED, "")
        if rule.na:
            return Row(f, rule, None, NOT_COMPARABLE,
                       render(self.mapping.text(rule.na), self.names(rule, None, f) | self._refs(f, None)))
        value = self._engine(f)
        if agrees(f, value):
            return Row(f, rule, value, SAME, "")
        x = self.row_object(f, rule)
        why = [render(self.mapping.text(rule.why), self.names(rule, x, f) | self._refs(f, value))] if rule.why else []
        if rule.total:
            why.append(self._decomposition(f, rule, value))
        return Row(f, rule, value, DIFFERS, " ".join(why))

    def _refs(self, f: Figure, value: Any) -> dict[str, Any]:
        diff = (value - f.low) if isinstance(value, (int, float)) else None
        return {"stated": f.value, "engine": value, "diff": diff}

    def _decomposition(self, f: Figure, rule: Rule, value: float) -> str:
        """A total row's difference located: each row above it that differs, the engine lines that have no row
        in the table, and the report's own sum of its rows against its total."""
        table = self.report.table(f.table)
        labels = [r[0] for r in table.rows]
        totals = set(self.mapping.tables[f.table].totals)
        above = [self._cells.get((f.table, label, f.column)) for label in labels[:labels.index(f.row)]
                 if label not in totals]
        parts, stated_sum, covered, small = [], 0.0, set(), 0.0
        for g in (g for g in above if g is not None):
            stated_sum += g.low
            g_rule = self.rule(g)
            engine = self._engine(g)
            if g_rule is not None and g_rule.row:
                obj = self.row_object(g, g_rule)
                if isinstance(obj, Lines):
                    covered.update(obj.names)
            if engine is not None and not agrees(g, engine):
                parts.append(f"{g.row} {fmt(engine - g.low, '+$')}")
            elif engine is not None:
                small += engine - g.low
        missing = []
        total_obj = self.row_object(f, rule)
        if isinstance(total_obj, Lines):
            for c in total_obj.items:
                if c.name not in covered:
                    amount = evaluate(rule.expression, self.names(rule, Lines((c,), total_obj.agents,
                                                                               total_obj.horizon)))
                    if abs(amount) >= 0.005:
                        missing.append(f"{c.name} {fmt(amount, '$')}")
        text = []
        if parts:
            text.append("rows that differ: " + ", ".join(parts))
        if abs(small) >= 0.005:
            text.append(f"rows within the report's rounding: {fmt(small, '+$')} together")
        if missing:
            text.append("engine lines with no row in this table: " + ", ".join(missing))
        slip = f.low - stated_sum
        if abs(slip) > tolerance(f) and above:
            text.append(f"the report's rows above add up to {fmt(stated_sum, '$')}, its total says "
                        f"{fmt(f.low, '$')} ({fmt(slip, '+$')})")
        return ("; ".join(text) + ".") if text else ""


def _number(value: Any, f: Figure, rule: Rule) -> Any:
    if isinstance(value, tuple):
        return tuple(float(v) for v in value)
    if isinstance(value, bool) or (not isinstance(value, (int, float)) and not hasattr(value, "__float__")):
        raise TcoError(f"reconciliation mapping ({rule.source}) gives {value!r} for report line {f.line} "
                       f"{f.text!r}: expected a number")
    x = float(value)
    if not math.isfinite(x):
        raise TcoError(f"reconciliation mapping ({rule.source}) gives {x} for report line {f.line} {f.text!r}")
    return x
