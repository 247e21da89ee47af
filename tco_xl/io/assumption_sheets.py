"""The assumption sheets as TCO.xlsm lays them out — styles, cells, data validation, defined names — written
by both workbooks that hold them: TCO.xlsm (``template``) and the live workbook (``live_workbook``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import openpyxl
from annotated_types import Ge, Gt, Le, Lt
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from pydantic.fields import FieldInfo

from ..assumptions import GROUPS, NONE_OPTION, SELF_HOSTED_LLM, Assumptions, scalar_specs
from ..assumptions._field import cell_kind
from .layout import (
    FIRST_ROW,
    HEADER_ROW,
    SCALAR_COLUMNS,
    SCALAR_SHEETS,
    TABLE_ROWS,
    Column,
    TableSheet,
    column_letter,
    defined_name,
    quoted,
    scalar_row,
)
from .workbook import cell_value

INPUT = Font(color="0000FF")  # finance convention: blue = an input you may edit
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
MUTED = Font(color="808080")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP = Alignment(wrap_text=True, vertical="top")

USD = '"$"#,##0.00####'
USD_WHOLE = '"$"#,##0'
USD_CENTS = '"$"#,##0.00'
PRICE = "#,##0.00####"  # in the row's currency
PERCENT = "0.0##%"
COUNT = "#,##0"
TABLE_FORMATS = {"unit_price": PRICE, "price_low": PRICE, "price_high": PRICE, "discount": PERCENT,
                 "input_usd_per_1k": USD, "output_usd_per_1k": USD, "setup_usd": USD_WHOLE}
# Table fields whose value must be a key of another table: (table, field) -> choice list.
TABLE_CHOICES = {("stacks", "provider"): "providers", ("stacks", "backups"): "options",
                 ("stacks", "llm"): "llm_models", ("stacks", "gpu"): "gpu_servers", ("stacks", "voice"): "voice"}


# -- cells ----------------------------------------------------------------------------------------------

def put(ws: Worksheet, row: int, col: int, value: Any, font: Font | None = None, fmt: str | None = None,
        formula: bool = False) -> Any:
    """Write a value (text starting with '=' stays text: data never becomes a formula) or a ``formula``."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("=") and not formula:
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fmt is not None:
        cell.number_format = fmt
    return cell


def header_row(ws: Worksheet, columns: Iterable[Column]) -> None:
    """The bold, shaded header row of an assumption sheet, its column widths, frozen below it."""
    for col, column in enumerate(columns, start=1):
        cell = put(ws, HEADER_ROW, col, column.header, BOLD)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)


def excel_string(text: str) -> str:
    """``text`` as an Excel string literal."""
    return '"' + text.replace('"', '""') + '"'


# -- data validation ------------------------------------------------------------------------------------

def bounds(info: FieldInfo) -> tuple[str | None, str | None, str]:
    """(Excel lower bound, upper bound, the rule in words) from a field's ge/gt/le/lt."""
    low = high = None
    words = []
    for meta in info.metadata:
        if isinstance(meta, (Ge, Gt)):
            low = meta.ge if isinstance(meta, Ge) else meta.gt
            words.append(f"{'>=' if isinstance(meta, Ge) else '>'} {low:g}")
        elif isinstance(meta, (Le, Lt)):
            high = meta.le if isinstance(meta, Le) else meta.lt
            words.append(f"{'<=' if isinstance(meta, Le) else '<'} {high:g}")
    return (None if low is None else f"{low:g}"), (None if high is None else f"{high:g}"), " and ".join(words)


class Validations:
    """Data validations of one sheet: cells with the same rule share one validation."""

    def __init__(self) -> None:
        self.rules: dict[tuple, list[str]] = {}

    def number(self, info: FieldInfo, cells: str, whole: bool = False) -> None:
        low, high, words = bounds(info)
        kind = "whole" if whole else "decimal"
        rule: tuple[str, str, str, str | None, str]
        if low is not None and high is not None:
            rule = (kind, "between", low, high, f"A number {words}")
        elif low is not None:
            rule = (kind, "greaterThanOrEqual", low, None, f"A number {words}")
        elif high is not None:
            rule = (kind, "lessThanOrEqual", high, None, f"A number {words}")
        else:
            rule = (kind, "between", "-1E+307", "1E+307", "A number")
        self.rules.setdefault((*rule, "stop"), []).append(cells)

    def whole_between(self, low: int, high: int, cells: str, prompt: str) -> None:
        """Whole numbers from ``low`` to ``high`` (e.g. headcounts)."""
        self.rules.setdefault(("whole", "between", str(low), str(high), prompt, "stop"), []).append(cells)

    def choice(self, source: str, cells: str, strict: bool) -> None:
        """A drop-down list: ``source`` is a range or a quoted comma-separated list."""
        self.rules.setdefault(("list", None, source, None, "One of the listed values",
                               "stop" if strict else "warning"), []).append(cells)

    def apply(self, ws: Worksheet) -> None:
        for (kind, operator, formula1, formula2, prompt, style), cells in self.rules.items():
            dv = DataValidation(type=kind, operator=operator, formula1=formula1, formula2=formula2, allow_blank=True,
                                showErrorMessage=True, errorStyle=style, error=prompt, errorTitle="tco_xl",
                                showInputMessage=False)
            for cell_range in cells:
                dv.add(cell_range)
            ws.add_data_validation(dv)


def choice_lists(a: Assumptions) -> dict[str, list[str]]:
    """Drop-down lists (written on a hidden sheet): keys a cell may refer to (as of the build)."""
    return {"options": list(dict.fromkeys([line.group for line in a.options] + [NONE_OPTION])),
            "providers": list(dict.fromkeys(line.group for line in a.providers)),
            "llm_models": [SELF_HOSTED_LLM, *(m.key for m in a.llm_models), *a.gpu_groups()],
            "stacks": [s.key for s in a.stacks], "what_ifs": list(dict.fromkeys(w.what_if for w in a.what_ifs)),
            "gpu_servers": a.gpu_groups(),
            "voice": [SELF_HOSTED_LLM, *a.gpu_groups(),
                      *dict.fromkeys(line.group for line in a.options if line.driver in _VOICE_DRIVERS)]}


_VOICE_DRIVERS = ("stt_minutes", "tts_characters")


def write_lists(ws: Worksheet, lists: dict[str, list[str]], first_column: int) -> dict[str, str]:
    """The drop-down lists in columns from ``first_column`` of ``ws`` (a title, then the items);
    returns each list's absolute range."""
    ranges = {}
    for col, (name, items) in enumerate(lists.items(), start=first_column):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name).font = BOLD
        for row, item in enumerate(items, start=2):
            ws.cell(row=row, column=col, value=item)
        ranges[name] = f"{quoted(ws.title)}!${letter}$2:${letter}${len(items) + 1}"
    return ranges


def validate_field(rules: Validations, info: FieldInfo, cells: str, lists: dict[str, str],
                   choices: str | None = None) -> None:
    """The validation fitting a field: list for choices, literals and booleans; bounds for numbers."""
    kind = cell_kind(info)
    literals = getattr(info.annotation, "__args__", ()) if kind == "text" else ()
    if choices is not None:
        rules.choice(lists[choices], cells, strict=False)
    elif literals and all(isinstance(v, str) for v in literals):
        rules.choice(excel_string(",".join(literals)), cells, strict=True)
    elif kind == "bool":
        rules.choice('"TRUE,FALSE"', cells, strict=True)
    elif kind in ("number", "optional number"):
        rules.number(info, cells, whole=info.annotation is int)


# -- sheets ---------------------------------------------------------------------------------------------

def number_format(unit: str, is_int: bool) -> str:
    """USD units as currency, shares as percent, whole numbers with separators, others as typed."""
    if unit.startswith("USD/"):
        return USD
    if unit.startswith("share"):
        return PERCENT
    return COUNT if is_int else "General"


def scalar_sheet(ws: Worksheet, group: str, a: Assumptions, lists: dict[str, str]) -> None:
    """One assumption group: Key | Assumption | Value | Unit | Low | High | Source | Note, a row per assumption."""
    header_row(ws, SCALAR_COLUMNS)
    col = {c.field: i for i, c in enumerate(SCALAR_COLUMNS, start=1)}
    rules = Validations()
    for spec in (s for s in scalar_specs() if s.group == group):
        row = scalar_row(spec.key)
        rng = a.ranges.get(spec.key)
        fmt = "@" if spec.is_text else number_format(spec.unit, spec.is_int)
        put(ws, row, col["key"], spec.key, MUTED)
        put(ws, row, col["label"], spec.label)
        put(ws, row, col["value"], a.value(spec.key), INPUT, fmt)
        put(ws, row, col["unit"], spec.unit)
        put(ws, row, col["source"], spec.source)
        put(ws, row, col["note"], spec.note)
        info = GROUPS[group].model_fields[spec.field]
        validate_field(rules, info, f"{get_column_letter(col['value'])}{row}", lists, spec.choices)
        if not spec.is_text:
            put(ws, row, col["low"], None if rng is None else rng.low, INPUT, fmt)
            put(ws, row, col["high"], None if rng is None else rng.high, INPUT, fmt)
            validate_field(rules, info, f"{get_column_letter(col['low'])}{row}:{get_column_letter(col['high'])}{row}",
                           lists)
    rules.apply(ws)


def table_sheet(ws: Worksheet, sheet: TableSheet, a: Assumptions, lists: dict[str, str]) -> None:
    """One table (Providers, Options, LLM models, Stacks): a header row, a row per table row, an Excel Table."""
    columns = sheet.columns
    header_row(ws, columns)
    rows = getattr(a, sheet.table)
    rules = Validations()
    for col, column in enumerate(columns, start=1):
        fmt = TABLE_FORMATS.get(column.field)
        for i, row in enumerate(rows):
            put(ws, FIRST_ROW + i, col, cell_value(getattr(row, column.field)), INPUT, fmt)
        letter = get_column_letter(col)
        validate_field(rules, sheet.model.model_fields[column.field], f"{letter}{FIRST_ROW}:{letter}{TABLE_ROWS}",
                       lists, TABLE_CHOICES.get((sheet.table, column.field)))
    rules.apply(ws)
    last = f"{get_column_letter(len(columns))}{HEADER_ROW + max(len(rows), 1)}"
    table = Table(displayName=sheet.excel_table, ref=f"A{HEADER_ROW}:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


def define_names(wb: openpyxl.Workbook) -> None:
    """A workbook name per scalar assumption over its Value cell ('telephony_inbound_usd_per_min')."""
    value = column_letter(SCALAR_COLUMNS, "value")
    for spec in scalar_specs():
        target = f"{quoted(SCALAR_SHEETS[spec.group])}!${value}${scalar_row(spec.key)}"
        wb.defined_names[defined_name(spec.key)] = DefinedName(defined_name(spec.key), attr_text=target)
