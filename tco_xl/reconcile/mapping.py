"""The mapping (mapping.toml): which engine quantity each figure of the report is, or why it has none.

Tables are addressed by number (T1..T39 in report order) and then by row label and column header;
prose and heading figures by a claim's anchor text (the line that contains it, under a heading) and
their position on that line. Expressions and reason templates are those of ``expressions``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from ..errors import TcoError
from .report import Figure

NA = "na:"


@dataclass(frozen=True)
class Rule:
    """How one figure is reconciled: an engine expression (with the row object's expression for tables) or
    not comparable (``na`` says why); ``why`` explains a difference; ``total`` decomposes it from the rows."""

    expression: str = ""
    row: str = ""                 # table rows: the row's expression (its lines), read by ``expression`` as x
    na: str = ""
    why: str = ""
    total: bool = False
    names: dict[str, Any] = field(default_factory=dict)  # vars of the table, row and column (agents, scenario)
    source: str = ""              # where in the mapping this rule came from


@dataclass(frozen=True)
class TableMap:
    number: int
    title: str
    vars: dict[str, Any]
    rows: dict[str, str]
    columns: dict[str, str]
    row_vars: dict[str, dict[str, Any]]
    column_vars: dict[str, dict[str, Any]]
    cells: dict[str, str]
    labels: dict[str, list[str]]
    why: dict[str, str]
    totals: tuple[str, ...]

    def rule(self, f: Figure) -> Rule | None:
        names = {**self.vars, **self.row_vars.get(f.row, {}), **self.column_vars.get(f.column, {})}
        src = f"table.{self.number}"
        if f.column == "(label)":
            values = self.labels.get(f.row)
            if values is None or f.index > len(values):
                return None
            return _rule(values[f.index - 1], names, self._why(f), src + ".labels")
        key = f"{f.row}|{f.column}"
        if key in self.cells:
            rule = _rule(self.cells[key], names, self._why(f), src + ".cells", total=f.row in self.totals)
            row = self.rows.get(f.row, "")
            return rule if rule.na or row.startswith(NA) else replace(rule, row=row)
        row_expr, column = self.rows.get(f.row), self.columns.get(f.column)
        if column is None or (row_expr is None and "x" in _names(column)):
            return None
        if column.startswith(NA):
            return _rule(column, names, "", src + ".columns")
        if row_expr is not None and row_expr.startswith(NA):
            return _rule(row_expr, names, "", src + ".rows")
        expression = f"x.{column}" if re.fullmatch(r"[a-z_0-9]+", column) and column != "x" else column
        return Rule(expression=expression, row=row_expr or "", why=self._why(f), total=f.row in self.totals,
                    names=names,
                    source=src)

    def _why(self, f: Figure) -> str:
        for key in (f"{f.row}|{f.column}", f.row, f"|{f.column}"):
            if key in self.why:
                return self.why[key]
        return ""


@dataclass(frozen=True)
class Claim:
    """The figures of one prose or heading line: found by ``anchor`` (text on the line) under ``under``."""

    anchor: str
    under: str
    values: list[str]
    why: dict[str, str]
    vars: dict[str, Any]
    nth: int

    def matches(self, f: Figure) -> bool:
        return self.anchor in f.context and (not self.under or any(self.under in h for h in f.path))


@dataclass(frozen=True)
class Pattern:
    """A rule for figures no claim lists: by where they stand, their unit and their context."""

    where: str
    unit: str
    context: str
    value: str

    def matches(self, f: Figure) -> bool:
        where = "table" if f.table else "heading" if f.heading == "(heading)" else "prose"
        return ((not self.where or self.where == where)
                and (not self.unit or re.search(self.unit, f.unit) is not None)
                and (not self.context or re.search(self.context, f.context) is not None))


@dataclass(frozen=True)
class Mapping:
    tables: dict[int, TableMap]
    claims: list[Claim]
    patterns: list[Pattern]
    templates: dict[str, str]

    def text(self, template: str) -> str:
        """A why/na text, or the shared template it names ('@eur_rounding')."""
        if template.startswith("@"):
            try:
                return self.templates[template[1:]]
            except KeyError:
                raise TcoError(f"reconciliation mapping.toml: no template {template!r} under [templates]") from None
        return template

    def rule(self, f: Figure, line_of: dict[tuple[int, str], int]) -> Rule | None:
        """The rule for figure ``f`` (None when the mapping does not list it). ``line_of`` numbers the lines
        an anchor matches (for ``nth``)."""
        if f.table:
            t = self.tables.get(f.table)
            found = t.rule(f) if t else None
            if found is not None or f.column != "(label)":
                return found
        for i, c in enumerate(self.claims):
            if c.matches(f) and line_of.get((i, f.context)) == c.nth:
                if f.index > len(c.values):
                    return None
                return _rule(c.values[f.index - 1], dict(c.vars), c.why.get(str(f.index), ""),
                             f"claim {c.anchor!r}")
        for p in self.patterns:
            if p.matches(f):
                return _rule(p.value, {}, "", f"pattern {p.unit or p.context!r}")
        return None


def _names(expression: str) -> set[str]:
    return set(re.findall(r"\b[a-z_]\w*\b", expression))


def _rule(value: str, names: dict[str, Any], why: str, source: str, total: bool = False) -> Rule:
    if value.startswith(NA):
        return Rule(na=value[len(NA):].strip(), names=names, source=source)
    return Rule(expression=value, why=why, names=names, source=source, total=total)


@cache
def default_mapping() -> Mapping:
    """The bundled mapping.toml, parsed."""
    text = resources.files(__package__).joinpath("mapping.toml").read_text(encoding="utf-8")
    return parse_mapping(text)


def parse_mapping(text: str) -> Mapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TcoError(f"reconciliation mapping.toml: {exc}") from None
    tables = {}
    for key, t in data.get("table", {}).items():
        number = int(key)
        tables[number] = TableMap(
            number, t.get("title", ""), t.get("vars", {}), t.get("rows", {}), t.get("columns", {}),
            t.get("row_vars", {}), t.get("column_vars", {}), t.get("cells", {}),
            {k: v if isinstance(v, list) else [v] for k, v in t.get("labels", {}).items()}, t.get("why", {}),
            tuple(t.get("totals", ())))
    claims = [Claim(c["anchor"], c.get("under", ""), c["values"], c.get("why", {}), c.get("vars", {}),
                    c.get("nth", 1)) for c in data.get("claim", [])]
    patterns = [Pattern(p.get("where", ""), p.get("unit", ""), p.get("context", ""), p["value"])
                for p in data.get("pattern", [])]
    return Mapping(tables, claims, patterns, data.get("templates", {}))
