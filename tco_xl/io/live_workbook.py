"""The live workbook: the whole model as native spreadsheet formulas over TCO.xlsm's assumption sheets.

A macro-free .xlsx that opens in Excel (Windows, Mac, web), LibreOffice and Google Sheets:

- the assumption sheets of TCO.xlsm (same layout, styles, defined names, data validation), so
  ``load_assumptions`` reads the file back;
- one sheet per scenario: every named quantity (minutes/month, Mac Studios, servers, ...), line item,
  subtotal and total, one column per headcount, each a formula rendered from the expressions the engine
  evaluates (``tco_xl.engine.expr``), over the assumption cells and the headcounts typed on Summary;
- Summary: every scenario × headcount by Year 1, annual, N-year TCO, monthly and per agent per month
  (rounded to cents as Excel's ROUND does), the rank by N-year TCO, the cheapest marked, a chart;
- Checks: every input a formula reads, checked by formula against its rules. A formula whose inputs fail
  shows the text of the failed check (naming the cell and what was expected), never a number; totals
  count their line items and never sum over a text.

Numbers and the text choices of a price line (currency, billing, driver, whole units) are live. Structure —
which lines a scenario has (stacks, option groups, service choices, the rows of the tables) — is fixed at
export; Checks flags an edit of it, and the affected totals show that text until the file is exported again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..assumptions import GROUPS, Assumptions, scalar_specs
from ..assumptions._field import cell_kind
from ..engine.expr import (
    Choice,
    Expr,
    Input,
    Named,
    Param,
    TextIs,
    choose,
    depends_on,
    formula,
    named_quantities,
    walk,
)
from ..engine.inputs import COMPARISON_METRICS, MAX_AGENTS, METRICS, agent_grid
from ..engine.model import METRIC_RULES, StackModel, stack_model
from ..errors import InputError
from .assumption_sheets import (
    BOLD,
    COUNT,
    MUTED,
    TITLE,
    USD,
    USD_CENTS,
    WRAP,
    Validations,
    bounds,
    choice_lists,
    define_names,
    excel_string,
    put,
    scalar_sheet,
    table_sheet,
    write_lists,
)
from .atomic import write_bytes_atomic
from .layout import (
    FIRST_ROW,
    MODEL_TABLES,
    SCALAR_SHEETS,
    TABLE_ROWS,
    TABLE_SHEETS,
    cell_of,
    quoted,
    ref,
)
from .layout import table_sheet as table_layout
from .workbook import cell_value

__all__ = ["LiveExport", "LiveLayout", "ModelRow", "ScenarioSheet", "export_live", "live_layout", "live_name",
           "live_workbook"]

README, SUMMARY, CHECKS, LISTS = "README", "Summary", "Checks", "_lists"
AGENTS_ROW, AGENTS_CHECK_ROW = 4, 5  # on Summary and every scenario sheet
SUMMARY_COL = 3  # Summary: headcounts from column C
CHECK_COL, FIXED_COL, MODEL_COL = 3, 4, 5  # scenario sheets: check text, headcount-free value, headcounts from E
CHECKS_FIRST_ROW = 6
COL = "\x00"  # stands for a headcount column's letter in a formula rendered once per row
QTY = "#,##0.####"
GOOD = (Font(bold=True, color="006100"), PatternFill("solid", fgColor="C6EFCE"))
CHART_HEADCOUNTS = 6
_ABSOLUTE = re.compile(r"^(?P<sheet>.*)!\$?(?P<col>[A-Z]+)\$?(?P<row>\d+)$")
_TABLE_CELL = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


# -- layout ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelRow:
    """One row of a scenario sheet: a named quantity, a line item's monthly or one-time cost, or a total.

    ``expr`` is what the row computes (a quantity's definition, a line's amount, a total's rule; None for a
    sum of line items); ``varies`` tells whether it depends on the headcount (see ``fixed``).
    """

    row: int
    label: str
    unit: str
    kind: str  # 'quantity', 'monthly', 'one_time', 'sum', 'status' or 'metric'
    expr: Expr | None
    varies: bool
    named: Named | None = None  # the quantity a 'quantity' row holds
    line: int | None = None  # index in the stack model's lines ('monthly', 'one_time')
    metric: str | None = None  # the total a 'sum' or 'metric' row holds

    @property
    def fixed(self) -> bool:
        """One value in column D (a quantity independent of the headcount); else a value per headcount column."""
        return self.kind == "quantity" and not self.varies


@dataclass(frozen=True)
class ScenarioSheet:
    """A scenario's sheet: its model and rows (quantities, monthly costs, one-time costs, totals)."""

    name: str
    model: StackModel
    rows: tuple[ModelRow, ...]
    sections: tuple[tuple[int, str], ...]  # (row, title) of each block's heading

    @property
    def totals(self) -> dict[str, int]:
        """Metric key -> row of its total (monthly, one_time, annual, year1, tco, per_agent_month)."""
        return {r.metric: r.row for r in self.rows if r.metric is not None}

    def block(self, kind: str) -> list[ModelRow]:
        return [r for r in self.rows if r.kind == kind]

    def placed(self) -> dict[Expr, ModelRow]:
        """The row of every named quantity (and named line amount, and named total) on this sheet."""
        out: dict[Expr, ModelRow] = {}
        for r in self.rows:
            if r.named is not None:
                out[r.named] = r
            elif isinstance(r.expr, Named):
                out[r.expr] = r
        return out


@dataclass(frozen=True)
class Check:
    """One rule an input cell must meet, as a row of the Checks sheet: which cell, its key, what is expected,
    and the condition (a formula over the cell, written with ``X`` for it)."""

    kind: str  # 'input', 'text', 'fixed' or 'rows'
    key: str
    cell: str  # 'Telephony!C2' (or a range for 'rows')
    expected: str
    condition: str


@dataclass(frozen=True)
class LiveLayout:
    """Everything the live workbook holds, before it is written: headcounts, scenario sheets, checks."""

    a: Assumptions
    agents: tuple[int, ...]
    scenarios: tuple[ScenarioSheet, ...]
    checks: tuple[Check, ...] = field(default=())

    def check_ref(self, kind: str, key: str) -> str:
        """The Checks cell holding the result of a check ('' when met, else the text of the problem)."""
        return f"{CHECKS}!$D${CHECKS_FIRST_ROW + self._check_index[(kind, key)]}"

    @cached_property
    def _check_index(self) -> dict[tuple[str, str], int]:
        return {(c.kind, c.key): i for i, c in enumerate(self.checks)}

    def summary_rows(self) -> dict[str, dict[str, int]]:
        """Metric -> scenario key -> row on Summary (metric blocks in COMPARISON_METRICS order), and 'rank'."""
        n = len(self.scenarios)
        out: dict[str, dict[str, int]] = {}
        top = AGENTS_CHECK_ROW + 3
        for metric in (*COMPARISON_METRICS, "rank"):
            out[metric] = {s.model.stack.key: top + 1 + i for i, s in enumerate(self.scenarios)}
            top += n + 2
        return out

    def summary_cheapest_row(self) -> int:
        return max(self.summary_rows()["rank"].values()) + 2


def live_layout(a: Assumptions, agents: Any) -> LiveLayout:
    """The layout of the live workbook for ``a`` at headcounts ``agents`` (sorted, each once)."""
    counts = tuple(int(n) for n in np.unique(agent_grid(agents)))
    names = _sheet_names([s.key for s in a.stacks], taken={README, SUMMARY, CHECKS, LISTS, *SCALAR_SHEETS.values(),
                                                          *(t.name for t in TABLE_SHEETS)})
    sheets = tuple(_scenario_sheet(name, stack_model(a, stack)) for name, stack in zip(names, a.stacks, strict=True))
    layout = LiveLayout(a, counts, sheets)
    return LiveLayout(a, counts, sheets, tuple(_checks(layout)))


def _sheet_names(keys: list[str], taken: set[str]) -> list[str]:
    """A valid, unique sheet name per scenario key (at most 31 characters, none of []:*?/\\')."""
    out, used = [], {t.lower() for t in taken}
    for key in keys:
        base = _BAD_SHEET_CHARS.sub("_", key)[:28] or "scenario"
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base}~{n}"
        used.add(name.lower())
        out.append(name)
    return out


def _scenario_sheet(name: str, model: StackModel) -> ScenarioSheet:
    """Rows: the named quantities (in an order where each follows what it reads), the lines' monthly and
    one-time costs, then the totals."""
    lines = model.lines
    amounts = {e for line in lines for e in (line.monthly, line.one_time) if isinstance(e, Named)}
    quantities = [n for n in named_quantities(e for line in lines for e in line.amounts) if n not in amounts]
    rows: list[ModelRow] = []
    sections: list[tuple[int, str]] = []
    row = AGENTS_CHECK_ROW + 2

    def section(title: str) -> None:
        nonlocal row
        sections.append((row, title))
        row += 1

    def add(**kw: Any) -> None:
        nonlocal row
        rows.append(ModelRow(row=row, **kw))
        row += 1

    section("Quantities (each row is a formula over the assumption sheets; C: checks of its inputs)")
    for n in quantities:
        add(label=n.name, unit=n.unit, kind="quantity", expr=n.expr, varies=depends_on(n, "agents"), named=n)
    for kind, title, unit in (("monthly", "Monthly costs", "USD/month"), ("one_time", "One-time costs", "USD")):
        row += 1
        section(f"{title} ({unit})")
        for i, line in enumerate(lines):
            amount = getattr(line, kind)
            if amount is not None:
                add(label=line.name, unit=unit, kind=kind, expr=amount, varies=depends_on(amount, "agents"), line=i)
    row += 1
    section("Totals")
    add(label="Monthly", unit="USD/month", kind="sum", expr=None, varies=True, metric="monthly")
    add(label="One-time", unit="USD", kind="sum", expr=None, varies=True, metric="one_time")
    add(label="Totals computed?", unit="", kind="status", expr=None, varies=True)
    for metric in ("annual", "year1", "tco", "per_agent_month"):
        label, unit, _ = METRICS[metric]
        add(label=label, unit=unit, kind="metric", expr=METRIC_RULES[metric], varies=True, metric=metric)
    return ScenarioSheet(name, model, tuple(rows), tuple(sections))


# -- checks ------------------------------------------------------------------------------------------

def _field_info(key: str) -> tuple[Any, str]:
    """The pydantic field of an assumption key and its unit ('' for table cells)."""
    if match := _TABLE_CELL.match(key):
        model = table_layout(match[1]).model
        return model.model_fields[match[3]], ""
    group, _, name = key.partition(".")
    spec = next(s for s in scalar_specs() if s.key == key)
    return GROUPS[group].model_fields[name], spec.unit


def _absolute(cell: str) -> str:
    """'Telephony!C2' -> 'Telephony!$C$2' ("'LLM models'!$D$5": quoted where needed)."""
    match = _ABSOLUTE.match(cell)
    if match is None:
        raise ValueError(f"not a cell: {cell!r}")
    sheet = match["sheet"]
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return ref(sheet, f"${match['col']}${match['row']}")


def _number_check(key: str) -> Check:
    """A number within its field's bounds (whole where the field is), within its Low/High range where given."""
    info, unit = _field_info(key)
    x = _absolute(cell_of(key))
    _, _, words = bounds(info)
    conditions = [f"ISNUMBER({x})"]
    for meta in info.metadata:
        conditions += [f"{x}{op}{getattr(meta, name):g}" for name, op in _BOUNDS
                       if getattr(meta, name, None) is not None]
    kind = "a whole number" if info.annotation is int else "a number"
    if info.annotation is int:
        conditions.append(f"{x}=INT({x})")
    expected = kind + (f" {words}" if words else "") + (f" ({unit})" if unit else "")
    range_cells = _range_cells(key)
    if range_cells is not None:
        lo, hi = (_absolute(c) for c in range_cells)
        conditions += [f"OR(ISBLANK({lo}),{lo}<={x})", f"OR(ISBLANK({hi}),{x}<={hi})"]
        expected += f", between its low and high ({_plain(range_cells)}) where given"
    return Check("input", key, cell_of(key), expected, f"AND({','.join(conditions)})")


_BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


def _plain(cells: tuple[str, str]) -> str:
    """'Telephony!E2:F2' for the Low and High cells of a range."""
    return f"{cells[0]}:{cells[1].split('!')[-1]}"


def _range_cells(key: str) -> tuple[str, str] | None:
    """The Low and High cells of a number's range: a scalar's Low/High columns, a price line's price low/high."""
    if match := _TABLE_CELL.match(key):
        if match[1] in ("providers", "options", "gpu_servers") and match[3] == "unit_price":
            row = f"{match[1]}[{match[2]}]"
            return cell_of(f"{row}.price_low"), cell_of(f"{row}.price_high")
        return None
    spec = next(s for s in scalar_specs() if s.key == key)
    return None if spec.is_text else (cell_of(key, "low"), cell_of(key, "high"))


def _text_check(key: str) -> Check:
    """One of a field's listed texts (exactly), or TRUE/FALSE for a yes/no field."""
    info, _ = _field_info(key)
    x = _absolute(cell_of(key))
    if cell_kind(info) == "bool":
        return Check("text", key, cell_of(key), "TRUE or FALSE", f"ISLOGICAL({x})")
    options = [str(o) for o in info.annotation.__args__]
    return Check("text", key, cell_of(key), "one of " + ", ".join(options),
                 f"OR({','.join(f'EXACT({x},{excel_string(o)})' for o in options)})")


def _fixed_check(key: str, value: Any) -> Check:
    """A structure cell as exported: its value decides which lines a scenario has (fixed in the file)."""
    x = _absolute(cell_of(key))
    shown = cell_value(value)
    if isinstance(value, bool):
        condition = f"AND(ISLOGICAL({x}),{x}={'TRUE' if value else 'FALSE'})"
    else:
        condition = f"EXACT({x},{excel_string(str(shown))})"
    return Check("fixed", key, cell_of(key), f"'{shown}' as exported (which lines a scenario has is fixed in this "
                 "file: undo the edit, or export the live workbook again)", condition)


def _rows_check(table: str, count: int) -> Check:
    sheet = table_layout(table)
    first = f"{quoted(sheet.name)}!$A${FIRST_ROW}:$A${TABLE_ROWS}"
    return Check("rows", table, f"{sheet.name}!A{FIRST_ROW}:A{TABLE_ROWS}",
                 f"{count} rows as exported (added or removed rows are not in this file's formulas: export the "
                 "live workbook again)", f"COUNTA({first})={count}")


def _checks(layout: LiveLayout) -> list[Check]:
    """Every check the formulas of ``layout`` use: inputs, text choices, structure cells, table sizes."""
    numbers: dict[str, None] = {}
    choices: dict[str, None] = {}
    fixed: dict[str, Any] = {}
    for sheet in layout.scenarios:
        for r in sheet.rows:
            for n in _walk_all(r.expr):
                if isinstance(n, Input):
                    numbers[n.key] = None
                elif isinstance(n, (Choice, TextIs)):
                    choices[n.text.key] = None
                elif isinstance(n, Param) and n.name == "horizon":
                    numbers["finance.horizon_years"] = None
        fixed.update(sheet.model.requires)
    order = _cell_order()
    checks = [_number_check(k) for k in sorted(numbers, key=order)]
    checks += [_text_check(k) for k in sorted(choices, key=order)]
    checks += [_fixed_check(k, fixed[k]) for k in sorted(fixed, key=order)]
    checks += [_rows_check(table, len(getattr(layout.a, table))) for table in MODEL_TABLES]
    return checks


def _walk_all(node: Expr | None) -> Iterable[Expr]:
    return () if node is None else walk(node)


def _cell_order() -> Any:
    """Sort key of assumption keys: sheet order, then row, then column."""
    sheets = [*SCALAR_SHEETS.values(), *(t.name for t in TABLE_SHEETS)]

    def key(k: str) -> tuple[int, int, str]:
        sheet, cell = cell_of(k).rsplit("!", 1)
        match = re.match(r"([A-Z]+)(\d+)", cell)
        assert match is not None
        return sheets.index(sheet.strip("'")), int(match[2]), match[1]
    return key


# -- formulas ------------------------------------------------------------------------------------------

class _Sheet:
    """Renders one scenario sheet's formulas (column letters as COL, filled in per headcount column)."""

    def __init__(self, layout: LiveLayout, sheet: ScenarioSheet):
        self.layout, self.sheet = layout, sheet
        self.placed = sheet.placed()
        self.totals = sheet.totals
        self.horizon = _absolute(cell_of("finance.horizon_years"))

    def ref(self, node: Any) -> str | None:
        if isinstance(node, Named):
            r = self.placed.get(node)
            if r is None:
                return None
            return f"$D${r.row}" if r.fixed else f"{COL}${r.row}"
        if isinstance(node, Param):
            if node.name == "agents":
                return f"{COL}${AGENTS_ROW}"
            if node.name == "horizon":
                return self.horizon
            return f"{COL}${self.totals[node.name]}"
        return _absolute(cell_of(node.key))  # Input, Text

    def render(self, r: ModelRow) -> str:
        """The formula of row ``r`` (its definition, not a reference to itself)."""
        assert r.expr is not None
        expr = r.expr.expr if isinstance(r.expr, Named) and self.placed.get(r.expr) is r else r.expr
        return formula(expr, self.ref)

    def check(self, r: ModelRow) -> str:
        """The static check of row ``r`` (column C): '' when every input it reads passes, else the problems."""
        if r.kind == "sum":
            parts = [self.layout.check_ref("fixed", k) for k, _ in self.sheet.model.requires]
            parts += [self.layout.check_ref("rows", table) for table in MODEL_TABLES]
            return _concat(parts)
        if r.kind == "status" or r.expr is None:
            return '""'
        root = r.expr.expr if isinstance(r.expr, Named) and self.placed.get(r.expr) is r else r.expr
        return _concat(self.check_parts(root))

    def check_parts(self, node: Expr) -> list[str]:
        out: dict[str, None] = {}

        def visit(n: Expr) -> None:
            if isinstance(n, Named) and n in self.placed:
                out[f"$C${self.placed[n].row}"] = None
                return
            if isinstance(n, Input):
                out[self.layout.check_ref("input", n.key)] = None
            elif isinstance(n, Param) and n.name == "horizon":
                out[self.layout.check_ref("input", "finance.horizon_years")] = None
            elif isinstance(n, TextIs):
                out[self.layout.check_ref("text", n.text.key)] = None
            elif isinstance(n, Choice):
                out[self.layout.check_ref("text", n.text.key)] = None
                branches = {option: _concat(self.check_parts(b)) for option, b in n.branches.items()}
                if len(set(branches.values())) == 1:  # the same checks whichever branch
                    out.update(dict.fromkeys(self.check_parts(next(iter(n.branches.values())))))
                elif any(text != '""' for text in branches.values()):
                    out[f'IFERROR({choose(self.ref(n.text) or "", branches)},"")'] = None
                return
            for child in n.children():
                visit(child)
        visit(node)
        return list(out)

    def cell(self, r: ModelRow) -> str:
        """The formula of row ``r`` in a headcount column (COL) or, for a fixed row, in column D."""
        c = f"$C${r.row}"
        if r.kind == "sum":
            block = self.sheet.block(r.metric or "")
            if not block:
                return f"=IF({c}<>\"\",{c},0)"
            rng = f"{COL}${block[0].row}:{COL}${block[-1].row}"
            checked = f"{c}&{COL}${AGENTS_CHECK_ROW}"
            # With the headcount valid, a line item is text only when its checks (column C) fail: show the first.
            problem = _first_text([f"$C${x.row}" for x in block], '"a line item is not a number"')
            return f'=IF({checked}<>"",{checked},IF(COUNT({rng})={len(block)},SUM({rng}),{problem}))'
        if r.kind == "status":
            m, o = (f"{COL}${self.totals[k]}" for k in ("monthly", "one_time"))
            return f'=IF(COUNT({m},{o})=2,"",IF(ISNUMBER({m}),{o},{m}))'
        value = self.render(r)
        if r.kind == "metric":
            status = f"{COL}${next(x.row for x in self.sheet.rows if x.kind == 'status')}"
            return f'=IF({c}&{status}="",{value},{c}&{status})'
        if r.fixed:
            return f'=IF({c}="",{value},{c})'
        # every cell of a headcount column shows that headcount's problem, if any
        return f'=IF({c}&{COL}${AGENTS_CHECK_ROW}="",{value},{c}&{COL}${AGENTS_CHECK_ROW})'


def _concat(parts: Sequence[str]) -> str:
    return "&".join(parts) if parts else '""'


def _first_text(cells: Sequence[str], otherwise: str) -> str:
    """The first of ``cells`` (texts) that is not empty, else ``otherwise``: nested IFs (no wildcard MATCH, whose
    treatment of numbers differs between spreadsheets); past Excel's 64 levels, all of them joined."""
    if len(cells) > 60:
        return f'IF({_concat(cells)}<>"",{_concat(cells)},{otherwise})'
    out = otherwise
    for cell in reversed(cells):
        out = f'IF({cell}<>"",{cell},{out})'
    return out


# -- writing ---------------------------------------------------------------------------------------------

def live_workbook(layout: LiveLayout) -> tuple[openpyxl.Workbook, int]:
    """The workbook of ``layout`` and the number of cells written."""
    a = layout.a
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    guide, summary = wb.create_sheet(README), wb.create_sheet(SUMMARY)
    scenario_ws = [wb.create_sheet(s.name) for s in layout.scenarios]
    checks = wb.create_sheet(CHECKS)
    assumption_ws = {name: wb.create_sheet(name) for name in (*SCALAR_SHEETS.values(), *(t.name for t in TABLE_SHEETS))}
    lists_ws = wb.create_sheet(LISTS)
    lists = write_lists(lists_ws, choice_lists(a), 1)
    lists_ws.sheet_state = "hidden"
    for group, name in SCALAR_SHEETS.items():
        scalar_sheet(assumption_ws[name], group, a, lists)
    for table in TABLE_SHEETS:
        table_sheet(assumption_ws[table.name], table, a, lists)
    define_names(wb)
    cells = _summary_sheet(summary, layout)
    for ws, sheet in zip(scenario_ws, layout.scenarios, strict=True):
        cells += _scenario_ws(ws, layout, sheet)
    cells += _checks_sheet(checks, layout)
    _readme_sheet(guide, layout)
    wb.active = wb.sheetnames.index(SUMMARY)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == SUMMARY
    return wb, cells


def _columns(layout: LiveLayout, first: int) -> list[str]:
    return [get_column_letter(first + i) for i in range(len(layout.agents))]


def _head(ws: Worksheet, title: str, note: str) -> None:
    put(ws, 1, 1, title, TITLE)
    put(ws, 2, 1, note, MUTED)


def _scenario_ws(ws: Worksheet, layout: LiveLayout, sheet: ScenarioSheet) -> int:
    stack = sheet.model.stack
    _head(ws, f"{stack.name}: every figure is a formula over the assumption sheets",
          "Headcounts come from Summary (row 4). Column C: checks of the inputs a row reads ('' = all pass). "
          "Column D: values that do not depend on the headcount. Which lines this scenario has is fixed at export.")
    summary_cols, cols = _columns(layout, SUMMARY_COL), _columns(layout, MODEL_COL)
    for index, title in ((1, "Agents"), (2, "Unit"), (CHECK_COL, "Check (inputs)"), (FIXED_COL, "Fixed value")):
        put(ws, AGENTS_ROW, index, title, BOLD)
    put(ws, AGENTS_CHECK_ROW, 1, "Headcount check", MUTED)
    for i, s_col in enumerate(summary_cols):
        put(ws, AGENTS_ROW, MODEL_COL + i, f"={SUMMARY}!{s_col}${AGENTS_ROW}", BOLD, COUNT, formula=True)
        put(ws, AGENTS_CHECK_ROW, MODEL_COL + i, f"={SUMMARY}!{s_col}${AGENTS_CHECK_ROW}", MUTED, formula=True)
    for row, title in sheet.sections:
        put(ws, row, 1, title, BOLD)
    render = _Sheet(layout, sheet)
    cells = 4 + 2 * len(cols)
    for r in sheet.rows:
        label = _horizon_label(r.label) if r.kind == "metric" and re.search(r"\bN\b", r.label) else r.label
        put(ws, r.row, 1, label, BOLD if r.kind in ("sum", "metric") else None, formula=label.startswith("="))
        put(ws, r.row, 2, r.unit, MUTED)
        put(ws, r.row, CHECK_COL, "=" + render.check(r), MUTED, formula=True)
        fmt = USD_CENTS if r.unit.startswith("USD") and r.kind != "quantity" else USD if r.unit.startswith("USD") \
            else QTY
        template = render.cell(r)
        if r.fixed:
            put(ws, r.row, FIXED_COL, template, fmt=fmt, formula=True)
            cells += 4
        else:
            for i, col in enumerate(cols):
                put(ws, r.row, MODEL_COL + i, template.replace(COL, col), fmt=fmt, formula=True)
            cells += 3 + len(cols)
    for letter, width in zip("ABCD", (48, 14, 16, 14), strict=True):
        ws.column_dimensions[letter].width = width
    for col in cols:
        ws.column_dimensions[col].width = 14
    ws.freeze_panes = f"{get_column_letter(MODEL_COL)}{AGENTS_CHECK_ROW + 1}"
    return cells


def _horizon_label(text: str) -> str:
    """A label with N (the horizon) written from the Finance sheet's cell: a formula ('5-year TCO (USD)')."""
    horizon = _absolute(cell_of("finance.horizon_years"))
    parts = re.split(r"\bN\b", text)
    terms = [t for i, p in enumerate(parts) for t in ([horizon] if i else []) + ([excel_string(p)] if p else [])]
    return "=" + "&".join(terms)


def _summary_sheet(ws: Worksheet, layout: LiveLayout) -> int:
    _head(ws, "Total cost of ownership by scenario and headcount: native formulas, no macros",
          "Edit the blue headcounts (row 4) and any blue cell on the assumption sheets; everything recalculates. "
          "Money is rounded to cents (ROUND). A text in a cell names the input to fix (see Checks).")
    last_check = CHECKS_FIRST_ROW + len(layout.checks) - 1
    failing = f"SUMPRODUCT((LEN({CHECKS}!$D${CHECKS_FIRST_ROW}:$D${last_check})>0)*1)"
    put(ws, 3, 1, f'=IF({failing}=0,"Every input passes its checks.",{failing}&" input check(s) fail: see the '
                  f'Checks sheet.")', BOLD, formula=True)
    cols = _columns(layout, SUMMARY_COL)
    put(ws, AGENTS_ROW, 1, "Agents", BOLD)
    put(ws, AGENTS_ROW, 2, "Key", MUTED)
    put(ws, AGENTS_CHECK_ROW, 1, "Headcount check", MUTED)
    rules = Validations()
    expected = f"a whole number of agents from 1 to {MAX_AGENTS:,}"
    for i, (col, n) in enumerate(zip(cols, layout.agents, strict=True)):
        c = SUMMARY_COL + i
        put(ws, AGENTS_ROW, c, n, Font(color="0000FF", bold=True), COUNT)
        x = f"{col}${AGENTS_ROW}"
        ok = f"AND(ISNUMBER({x}),{x}>=1,{x}<={MAX_AGENTS},{x}=INT({x}))"
        put(ws, AGENTS_CHECK_ROW, c, f'=IF(IFERROR({ok},FALSE),"","{SUMMARY}!{col}{AGENTS_ROW} (agents): expected '
                                     f'{expected}. ")', MUTED, formula=True)
    rules.whole_between(1, MAX_AGENTS, f"{cols[0]}{AGENTS_ROW}:{cols[-1]}{AGENTS_ROW}", expected[0].upper()
                        + expected[1:])
    rules.apply(ws)
    rows = layout.summary_rows()
    cells = 6 + 2 * len(cols)
    for metric in (*COMPARISON_METRICS, "rank"):
        block = rows[metric]
        head = min(block.values()) - 1
        if metric == "rank":
            label = _horizon_label("Rank by N-year TCO (1 = cheapest)")
        else:
            title, unit, _ = METRICS[metric]
            label = _horizon_label(f"{title} ({unit})")
        put(ws, head, 1, label, BOLD, formula=True)
        for i, col in enumerate(cols):
            put(ws, head, SUMMARY_COL + i, f"={col}${AGENTS_ROW}", BOLD, COUNT, formula=True)
        tco = rows["tco"]
        for sheet in layout.scenarios:
            key, r = sheet.model.stack.key, block[sheet.model.stack.key]
            put(ws, r, 1, sheet.model.stack.name)
            put(ws, r, 2, key, MUTED)
            for i, col in enumerate(cols):
                if metric == "rank":
                    x, top, bottom = f"{col}{tco[key]}", min(tco.values()), max(tco.values())
                    value = f'=IF(ISNUMBER({x}),RANK({x},{col}${top}:{col}${bottom},1),"not ranked")'
                    fmt = COUNT
                else:
                    source = ref(sheet.name, f"{get_column_letter(MODEL_COL + i)}${sheet.totals[metric]}")
                    value = f"=IF(ISNUMBER({source}),ROUND({source},2),{source})"
                    fmt = USD_CENTS
                put(ws, r, SUMMARY_COL + i, value, fmt=fmt, formula=True)
            cells += 2 + len(cols)
        top, bottom = min(block.values()), max(block.values())
        first = f"{cols[0]}{top}"
        rule = (f"AND(ISNUMBER({first}),{first}=1)" if metric == "rank"
                else f"AND(ISNUMBER({first}),{first}=MIN({cols[0]}${top}:{cols[0]}${bottom}))")
        if metric in ("tco", "rank"):
            ws.conditional_formatting.add(f"{cols[0]}{top}:{cols[-1]}{bottom}",
                                          FormulaRule(formula=[rule], font=GOOD[0], fill=GOOD[1]))
    cheapest = layout.summary_cheapest_row()
    put(ws, cheapest, 1, _horizon_label("Cheapest by N-year TCO"), BOLD, formula=True)
    tco = rows["tco"]
    top, bottom = min(tco.values()), max(tco.values())
    for i, col in enumerate(cols):
        rng = f"{col}${top}:{col}${bottom}"
        put(ws, cheapest, SUMMARY_COL + i, f'=IF(COUNT({rng})=0,"no scenario priced",INDEX($A${top}:$A${bottom},'
                                           f"MATCH(MIN({rng}),{rng},0)))", BOLD, formula=True)
    cells += 1 + len(cols)
    _chart(ws, layout, top, bottom, cheapest + 2)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 18
    for col in cols:
        ws.column_dimensions[col].width = 16
    ws.freeze_panes = f"{get_column_letter(SUMMARY_COL)}{AGENTS_CHECK_ROW + 1}"
    return cells


def _chart(ws: Worksheet, layout: LiveLayout, top: int, bottom: int, anchor_row: int) -> None:
    """N-year TCO by scenario, one series per headcount (at most CHART_HEADCOUNTS, evenly spread)."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = "N-year TCO by scenario (USD)"
    chart.y_axis.title = "USD"
    chart.y_axis.numFmt = '"$"#,##0'
    chart.height, chart.width = 12, 24
    picks = np.unique(np.linspace(0, len(layout.agents) - 1, min(len(layout.agents), CHART_HEADCOUNTS)).round())
    for i in picks.astype(int):
        col = SUMMARY_COL + int(i)
        series = Series(Reference(ws, min_col=col, min_row=top, max_row=bottom),
                        title_from_data=False, title=f"{layout.agents[i]:,} agents")
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=1, min_row=top, max_row=bottom))
    ws.add_chart(chart, f"A{anchor_row}")


def _checks_sheet(ws: Worksheet, layout: LiveLayout) -> int:
    _head(ws, "Checks: every input the formulas read, and its rules",
          "Column D is empty when the input meets its rules; otherwise it holds the text the affected formulas "
          "show. Structure cells (which lines a scenario has) must keep their exported value.")
    put(ws, 3, 1, "Failing checks", BOLD)
    last = CHECKS_FIRST_ROW + len(layout.checks) - 1
    put(ws, 3, 2, f"=SUMPRODUCT((LEN($D${CHECKS_FIRST_ROW}:$D${last})>0)*1)", BOLD, COUNT, formula=True)
    for col, title in enumerate(("Cell", "Assumption", "Expected", "Problem"), start=1):
        put(ws, CHECKS_FIRST_ROW - 1, col, title, BOLD)
    for i, c in enumerate(layout.checks):
        r = CHECKS_FIRST_ROW + i
        put(ws, r, 1, c.cell)
        put(ws, r, 2, c.key, MUTED)
        put(ws, r, 3, c.expected)
        put(ws, r, 4, f'=IF(IFERROR({c.condition},FALSE),"",$A{r}&" ("&$B{r}&"): expected "&$C{r}&". ")',
            formula=True)
    for letter, width in zip("ABCD", (22, 36, 70, 90), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{CHECKS_FIRST_ROW}"
    return 2 + 4 * len(layout.checks)


def _readme_sheet(ws: Worksheet, layout: LiveLayout) -> None:
    lines = [
        ("The live workbook: the tco_xl model as native spreadsheet formulas", TITLE),
        ("No macros, no add-in, no Python: it works in Excel (Windows, Mac, web), LibreOffice and Google Sheets.",
         None),
        ("", None), ("How to use it", BOLD),
        ("Summary: type headcounts in the blue cells of row 4. Every scenario's Year 1, annual, N-year TCO, monthly "
         "and per-agent cost recalculates; the rank and the cheapest scenario follow.", None),
        ("Assumption sheets (Usage ... Stacks): the same sheets as TCO.xlsm. Edit any blue cell: a rate, a "
         "EUR price, a capacity rule, a discount, a price line's currency, billing, driver or whole units.", None),
        (f"One sheet per scenario ({', '.join(s.name for s in layout.scenarios)}): every quantity, line item and "
         "total as a formula you can audit (click a cell). Column C shows the checks of the inputs a row reads.",
         None),
        ("What-ifs: the named what-ifs (each row sets one assumption), kept so that tco_xl reads this file back. No "
         "formula reads them: 'tco-xl export --live --what-if NAME' writes a live workbook with a what-if's values "
         "on the assumption sheets"
         + (f" (this one: {', '.join(layout.a.what_ifs_applied)})." if layout.a.what_ifs_applied else "."), None),
        ("", None), ("What is live and what needs a new export", BOLD),
        ("Live: every number on the assumption sheets, the headcounts, and the currency, billing, driver and whole "
         "units of each price line.", None),
        ("Fixed at export: which lines each scenario has (the Stacks table: option groups, backups, LLM, voice AI; "
         "the service choices on Services; the rows of Providers, Options, LLM models and GPU servers). Editing one "
         "of those cells or adding a row makes the Checks sheet and the affected totals say so: run "
         "'tco-xl export --live --workbook <your file>' to get a new live workbook.", None),
        ("", None), ("When a cell shows a text instead of a number", BOLD),
        ("The text names the cell to fix and what it should hold (e.g. 'Telephony!C2 "
         "(telephony.inbound_usd_per_min): expected a number >= 0 (USD/min).'). Totals never add up over such a "
         "text. The Checks sheet lists every check; its column D is empty when all is well.", None),
        ("Functions used: only ones Excel 2016 and later, LibreOffice and Google Sheets evaluate alike (IF, MAX, "
         "MIN, CEILING, ROUND, LN, CHOOSE, MATCH, INDEX, SUM, SUMPRODUCT, LEN, COUNT, COUNTA, RANK, AND, OR, NOT, "
         "EXACT, ISNUMBER, ISLOGICAL, ISBLANK, IFERROR, INT).", None),
        ("Built by tco-xl export --live from the same rule definitions the tco_xl engine evaluates.", MUTED),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = put(ws, row, 1, text or None, font)
        cell.alignment = WRAP
    ws.column_dimensions["A"].width = 120


# -- files -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveExport:
    """What a live export wrote: the file, its size (bytes) and the number of cells written."""

    path: Path
    size: int
    cells: int


def live_name(layout: LiveLayout) -> str:
    """'tco-live_<agents>_<first 8 of the assumptions' SHA-256>.xlsx'."""
    from .snapshot import agents_label
    agents = agents_label(layout.agents, "-")
    if len(agents) > 60:
        agents = f"{agents[:50].rsplit('-', 1)[0]}-and-{len(layout.agents)}-more"
    return f"tco-live_{agents}_{layout.a.content_hash()[:8]}.xlsx"


def live_bytes(layout: LiveLayout) -> tuple[bytes, int]:
    """The .xlsx file's bytes and the number of cells written."""
    wb, cells = live_workbook(layout)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), cells


def export_live(a: Assumptions, agents: Any, out_dir: Path) -> LiveExport:
    """Write the live workbook of ``a`` at ``agents`` into ``out_dir`` (created if missing), atomically."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("--out", str(out_dir), f"a folder that can be created ({exc.strerror})") from None
    layout = live_layout(a, agents)
    data, cells = live_bytes(layout)
    return LiveExport(write_bytes_atomic(out_dir / live_name(layout), data), len(data), cells)
