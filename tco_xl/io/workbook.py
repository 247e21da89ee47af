"""Read the assumptions from a workbook: headless from a path (openpyxl) or live from an xlwings Book.

Both sources become grids of cell values (row by row from A1) and go through one parser,
``assumptions_from_grids``, so validation is identical. The parser reports every problem at once
as a ``WorkbookError`` whose ``CellProblem``s name the sheet, the cell, the assumption, the value
found and what was expected. Nothing is ever written to the workbook read.
"""

from __future__ import annotations

import decimal
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..assumptions import GROUPS, Assumptions, Range, ScalarSpec, reference_problems, scalar_specs
from ..assumptions._field import cell_kind
from ..assumptions._field import expected_text as _expected
from ..engine.inputs import norm_text
from ..errors import CellProblem, WorkbookError
from .cells import Cells, Unreadable, sheet_cells
from .layout import (
    ASSUMPTION_SHEETS,
    FIRST_ROW,
    HEADER_ROW,
    SCALAR_COLUMNS,
    SCALAR_SHEETS,
    TABLE_SHEETS,
    Column,
    TableSheet,
    ref,
    sheet_block,
    sheet_columns,
    sheet_rows,
    table_sheet,
)

__all__ = ["BookLike", "Grid", "assumptions_from_grids", "book_grids", "cell_value", "load_assumptions"]

#: Cell values row by row from A1 (rows may be ragged; a missing cell is None).
Grid = list[list[Any]]

_TRUE, _FALSE = {"true", "yes"}, {"false", "no"}
#: Table columns that hold no input (they may be left out of a sheet).
INFORMATIONAL_FIELDS = frozenset({"source"})
_EXPECTED_BY_TYPE = {"missing": "a value (this column is required)", "int_from_float": "a whole number",
                     "int_parsing": "a whole number", "string_too_short": "text (not empty)"}
_BOUND_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


class _Range(Protocol):
    address: str
    raw_value: Any


class _Sheet(Protocol):
    name: str
    used_range: _Range


class _Sheets(Protocol):
    def __getitem__(self, name: str) -> _Sheet: ...

    def __iter__(self) -> Iterator[_Sheet]: ...


class BookLike(Protocol):
    """What the live reader uses of an xlwings Book: ``book.sheets`` (by name, and iterable: each sheet
    with ``.name`` and ``.used_range``: its ``.address`` and ``.raw_value``) and ``name``."""

    sheets: _Sheets
    name: str


def load_assumptions(source: str | os.PathLike[str] | BookLike) -> Assumptions:
    """Every assumption from a workbook file (path) or an open xlwings Book; raises WorkbookError."""
    if isinstance(source, (str, os.PathLike)):
        return assumptions_from_grids(_path_grids(Path(source)), str(source))
    return assumptions_from_grids(book_grids(source), str(getattr(source, "name", source)))


def _path_grids(path: Path) -> dict[str, Grid | Cells | None]:
    """Cells of the assumption sheets (None for other sheets), read with openpyxl's parser (``cells``)."""
    if path.is_dir():
        raise WorkbookError(str(path), message=f"{path}: a folder, not a workbook file")
    if not path.is_file():
        raise WorkbookError(str(path), message=f"{path}: no such workbook file")
    return dict(sheet_cells(path, ASSUMPTION_SHEETS))


def book_grids(book: BookLike) -> dict[str, Grid | None]:
    """Grids of the assumption sheets of a live workbook, each sheet looked up by name and its used range
    read once: 1 + 4 COM round trips per sheet in Excel (sheet, used range, its address, its values).
    Only when a sheet is missing are the others listed (for the message)."""
    grids: dict[str, Grid | None] = {}
    sheets = book.sheets
    errors = getattr(sys.modules.get("xlwings._xlwindows"), "cell_errors", {})
    for name in ASSUMPTION_SHEETS:
        try:
            used = sheets[name].used_range
        except Exception:  # noqa: BLE001 - a missing sheet raises COM's own error types
            return {sheet.name: grids.get(sheet.name) for sheet in sheets}
        row, col = coordinate_to_tuple(used.address.replace("$", "").partition(":")[0])
        raw = used.raw_value
        values = raw if isinstance(raw, (list, tuple)) else [[raw]]  # COM: a single cell's value, else rows
        grids[name] = [[] for _ in range(row - 1)] + [[None] * (col - 1) + [_com_value(v, errors) for v in r]
                                                      for r in values]
    return grids


def _com_value(value: Any, errors: Mapping[int, str]) -> Any:
    """A raw COM cell value as the file reader sees it: an error (COM: one of xlwings' error codes) as its
    text, currency (Decimal) as a float."""
    if isinstance(value, int) and not isinstance(value, bool) and value in errors:
        return errors[value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


# -- cell values <-> field values ------------------------------------------------------------------------

def cell_value(value: Any) -> Any:
    """A field value as the writer puts it in a cell (lists as comma-separated text, None as blank)."""
    if isinstance(value, list):
        return ", ".join(value)
    return value


class _Bad(Exception):
    """A cell that cannot hold its field: ``expected`` says what it should hold."""

    def __init__(self, expected: str):
        self.expected = expected


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _from_cell(value: Any, kind: str) -> Any:
    """A non-blank cell's value as its field's type; raises _Bad."""
    if isinstance(value, Unreadable):
        raise _Bad(value.expected)
    if kind == "any":
        if isinstance(value, float) and not math.isfinite(value):
            raise _Bad("a number, TRUE/FALSE or text")
        return value.strip() if isinstance(value, str) else value
    if kind in ("number", "optional number"):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return value
        raise _Bad("a number, not text" if isinstance(value, str) else "a number")
    if kind == "bool":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE | _FALSE:
            return value if isinstance(value, bool) else text in _TRUE
        if isinstance(value, (int, float)) and value in (0, 1):  # LibreOffice's formulas return TRUE as 1
            return bool(value)
        raise _Bad("TRUE or FALSE (or yes/no)")
    if not isinstance(value, str):
        raise _Bad("text")
    if kind == "list":
        return [part.strip() for part in value.split(",") if part.strip()]
    return value.strip()


# -- the parser ----------------------------------------------------------------------------------------

@dataclass
class _Grid:
    """One sheet's cells with 1-based access."""

    name: str
    cells: Cells

    @classmethod
    def of(cls, name: str, grid: Grid | Cells) -> _Grid:
        if isinstance(grid, Mapping):
            return cls(name, dict(grid))
        return cls(name, {(r, c): v for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1) if v is not None})

    @cached_property
    def _filled(self) -> dict[int, list[int]]:
        """Columns of the non-blank cells of each row that has any, rows in order."""
        rows: dict[int, list[int]] = {}
        for (row, col), value in sorted(self.cells.items()):
            if not _blank(value):
                rows.setdefault(row, []).append(col)
        return rows

    @property
    def last_row(self) -> int:
        return max(self._filled, default=0)

    def rows(self, first: int = 1) -> list[int]:
        """Rows from ``first`` on that hold a non-blank cell, in order."""
        return [row for row in self._filled if row >= first]

    def value(self, row: int, col: int) -> Any:
        return self.cells.get((row, col))

    def filled(self, row: int) -> list[int]:
        """Columns of the non-blank cells of ``row``."""
        return self._filled.get(row, [])


def _cell(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


@dataclass
class _Parse:
    """One parse: the problems found so far and where every value came from."""

    problems: list[CellProblem] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)

    def problem(self, sheet: str, cell: str, assumption: str, found: Any, expected: str) -> None:
        if not any(p.sheet == sheet and p.cell == cell for p in self.problems):  # one problem per cell
            self.problems.append(CellProblem(sheet, cell, assumption, found, expected))

    def header(self, grid: _Grid, columns: tuple[Column, ...], required: set[str], what: str) -> dict[str, int]:
        """Column of each field whose header is present; reports unknown, repeated and missing headers,
        and cells outside the input block or under no header (their content would be lost)."""
        names = {norm_text(n): c for c in columns for n in (c.header, c.field)}
        found: dict[str, int] = {}
        headed = set(grid.filled(HEADER_ROW))
        for col in sorted(headed):
            raw = grid.value(HEADER_ROW, col)
            column = None if isinstance(raw, Unreadable) else names.get(norm_text(str(raw)))
            if isinstance(raw, Unreadable):
                self.problem(grid.name, _cell(HEADER_ROW, col), f"{what} columns", raw, raw.expected)
            elif column is None:
                self.problem(grid.name, _cell(HEADER_ROW, col), f"{what} columns", raw,
                             "one of the headers " + ", ".join(c.header for c in columns))
            elif column.field in found:
                self.problem(grid.name, _cell(HEADER_ROW, col), f"{what} columns", raw,
                             f"each column once ('{column.header}' is column {get_column_letter(found[column.field])})")
            else:
                found[column.field] = col
        free = max(headed, default=0) + 1
        for column in columns:
            if column.field in required and column.field not in found:
                self.problem(grid.name, _cell(HEADER_ROW, free), f"{what}.{column.field}", None,
                             f"a column headed '{column.header}'")
                free += 1
        limit, width, outside = sheet_rows(grid.name), len(sheet_columns(grid.name)), False
        for row in grid.rows(FIRST_ROW):
            for col in grid.filled(row):
                if (row > limit or col > width) and not outside:
                    outside = True
                    self.problem(grid.name, _cell(row, col), what, grid.value(row, col),
                                 f"inputs within {sheet_block(grid.name)} (the block the Excel functions read)")
                elif col not in headed:
                    headed.add(col)  # one problem per column
                    self.problem(grid.name, _cell(row, col), what, grid.value(row, col),
                                 "nothing in a column without a header (add the header or clear the column)")
        return found

    def validate(self, grid: _Grid, model: type[BaseModel], values: dict[str, Any],
                 cells: dict[str, tuple[int, int]], names: dict[str, str], row: int, name: str
                 ) -> tuple[BaseModel | None, set[str]]:
        """``model`` from the converted ``values``, or None and the fields in error; pydantic's errors
        become problems at their cells (errors of the whole row at its first cell)."""
        try:
            return model.model_validate(values), set()
        except ValidationError as exc:
            failed = set()
            for err in exc.errors():
                field_name = str(err["loc"][0]) if err["loc"] else ""
                failed.add(field_name)
                r, c = cells.get(field_name, (row, 1))
                info = model.model_fields.get(field_name)
                extra = info.json_schema_extra if info is not None else None
                unit = extra.get("unit") if isinstance(extra, dict) else None
                self.problem(grid.name, _cell(r, c), names.get(field_name, name), grid.value(r, c),
                             _expected(err, unit if isinstance(unit, str) else None))
            return None, failed


@dataclass
class _Scalars:
    """A scalar sheet as read: its columns, each key's row and converted value, and the (low, high) read."""

    columns: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    ranges: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    bad: set[str] = field(default_factory=set)  # keys with a problem in value, low or high

    def cell(self, key: str, column: str) -> str:
        return _cell(self.rows[key], self.columns[column])


def _scalar_sheet(p: _Parse, grid: _Grid, group: str, all_specs: Sequence[ScalarSpec]) -> _Scalars:
    model = GROUPS[group]
    specs = {s.key: s for s in all_specs if s.group == group}
    required = {c.field for c in SCALAR_COLUMNS if c.read}
    out = _Scalars()
    out.columns = cols = p.header(grid, SCALAR_COLUMNS, required, group)
    if not required <= cols.keys():
        return out
    for row in grid.rows(FIRST_ROW):
        key, where = grid.value(row, cols["key"]), _cell(row, cols["key"])
        if _blank(key) or not isinstance(key, str):
            p.problem(grid.name, where, group, key, key.expected if isinstance(key, Unreadable)
                      else "an assumption key in this column (or clear the row)")
            continue
        key = key.strip()
        if key not in specs:
            home = next((SCALAR_SHEETS[s.group] for s in all_specs if s.key == key), None)
            hint = f" (it belongs on the {home} sheet)" if home else ""
            p.problem(grid.name, where, key, key, "one of this sheet's keys: " + ", ".join(specs) + hint)
            continue
        if key in out.rows:
            p.problem(grid.name, where, key, key, f"each key once (first in row {out.rows[key]})")
            continue
        out.rows[key] = row
        spec, raw = specs[key], grid.value(row, cols["value"])
        try:
            if _blank(raw):
                raise _Bad("a value")
            out.values[key] = _from_cell(raw, "text" if spec.is_text else "number")
        except _Bad as bad:
            out.bad.add(key)
            p.problem(grid.name, out.cell(key, "value"), key, raw, f"{bad.expected} ({spec.unit})")
        bounds = []
        for end in ("low", "high"):
            raw, where = grid.value(row, cols[end]), out.cell(key, end)
            try:
                if not _blank(raw) and spec.is_text:
                    raise _Bad("blank (a choice has no range)")
                bound = None if _blank(raw) else _from_cell(raw, "number")
            except _Bad as bad:
                bound = None
                out.bad.add(key)
                expected = bad.expected if spec.is_text else "a number or blank"
                p.problem(grid.name, where, f"{key} ({end})", raw, expected)
            if bound is not None:  # a range end obeys the value's own rules (a share stays within 0..1)
                _, failed = p.validate(grid, model, {spec.field: bound}, {spec.field: (row, cols[end])},
                                       {spec.field: f"{key} ({end})"}, row, key)
                if failed:
                    out.bad.add(key)
            bounds.append(bound)
        out.ranges[key] = (bounds[0], bounds[1])
        p.origins[key] = ref(grid.name, out.cell(key, "value"))
    missing = [key for key in specs if key not in out.rows]
    for row, key in enumerate(missing, start=grid.last_row + 1):
        p.problem(grid.name, _cell(row, cols["key"]), key, None, f"a row with the key '{key}'")
    return out


@dataclass
class _Table:
    """A table sheet as read: its columns (none when a required one is missing), its rows' models (validated,
    or constructed from what could be read when a row has a problem) and their sheet rows."""

    columns: dict[str, int] = field(default_factory=dict)
    rows: list[BaseModel] = field(default_factory=list)
    sheet_rows: list[int] = field(default_factory=list)
    failed: set[int] = field(default_factory=set)  # indices of rows with a problem


def _blank_default(info: FieldInfo) -> bool:
    """A blank cell means the field's default: an optional number (None), text that may be empty, an empty list."""
    return not info.is_required() and info.get_default(call_default_factory=True) in (None, "", [])


def _table_sheet(p: _Parse, grid: _Grid, sheet: TableSheet) -> _Table:
    """Every row of a table sheet down to its first blank row. Every column must be there but the
    informational ones, and a cell may be blank only where blank is what the field means."""
    model, out = sheet.model, _Table()
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    cols = p.header(grid, sheet.columns, set(model.model_fields) - INFORMATIONAL_FIELDS, sheet.table)
    end = FIRST_ROW
    while grid.filled(end):
        end += 1
    below = next((row for row in grid.rows(end + 1)), None)
    if below is not None:
        col = grid.filled(below)[0]
        p.problem(grid.name, _cell(below, col), sheet.table, grid.value(below, col),
                  f"nothing below the blank row {end}: a table ends at its first blank row")
    if not set(model.model_fields) - INFORMATIONAL_FIELDS <= cols.keys():
        return out
    out.columns = cols
    kinds = {name: cell_kind(info) for name, info in model.model_fields.items()}
    blank_ok = {name for name, info in model.model_fields.items() if _blank_default(info)}
    last = get_column_letter(max(cols.values()))
    for i, row in enumerate(range(FIRST_ROW, end)):
        name = f"{sheet.table}[{i}]"
        names = {f: f"{name}.{f}" for f in cols}
        cells = {f: (row, col) for f, col in cols.items()}
        values, unreadable = {}, False
        for f, col in cols.items():
            raw = grid.value(row, col)
            if _blank(raw):
                if f not in blank_ok and f not in required:
                    unreadable = True
                    default = cell_value(model.model_fields[f].get_default(call_default_factory=True))
                    p.problem(grid.name, _cell(row, col), names[f], raw,
                              f"a value, e.g. {default!r} (a blank cell is not read as a default)")
                continue
            try:
                values[f] = _from_cell(raw, kinds[f])
            except _Bad as bad:
                unreadable = True
                p.problem(grid.name, _cell(row, col), names[f], raw, bad.expected)
        checked, _ = p.validate(grid, model, values, cells, names, row, name)
        if checked is None or unreadable:
            out.failed.add(i)
            checked = model.model_construct(**{**dict.fromkeys(required), **values})
        out.rows.append(checked)
        out.sheet_rows.append(row)
        p.origins[name] = ref(grid.name, f"A{row}:{last}{row}")
        p.origins.update((names[f], ref(grid.name, _cell(row, col))) for f, col in cols.items())
    return out


def assumptions_from_grids(grids: Mapping[str, Grid | Cells | None], source: str) -> Assumptions:
    """Assumptions from the assumption sheets' grids, rows of values or {(row, column): value} (other sheets
    may map to None); raises WorkbookError.

    Every problem is collected before raising: missing sheets, headers, rows and keys, cells of the
    wrong type or out of range, and references between sheets that do not resolve.
    """
    p = _Parse()
    for sheet in ASSUMPTION_SHEETS:
        if grids.get(sheet) is None:
            p.problem(sheet, "A1", sheet, None, f"a sheet named '{sheet}' (the workbook has: {', '.join(grids)})")

    groups: dict[str, BaseModel] = {}
    scalars: dict[str, _Scalars] = {}
    specs = scalar_specs()
    for group, model in GROUPS.items():
        rows = grids.get(SCALAR_SHEETS[group])
        grid = _Grid.of(SCALAR_SHEETS[group], rows or [])
        read = scalars[group] = _scalar_sheet(p, grid, group, specs) if rows is not None else _Scalars()
        fields = {key.partition(".")[2]: value for key, value in read.values.items()}
        cells = {key.partition(".")[2]: (row, read.columns["value"]) for key, row in read.rows.items()}
        names = {key.partition(".")[2]: key for key in read.rows}
        checked, failed = p.validate(grid, model, fields, cells, names, 1, group)
        read.bad.update(f"{group}.{f}" for f in failed)
        groups[group] = checked or model.model_construct(**fields)

    tables = {t.table: _table_sheet(p, _Grid.of(t.name, table_rows), t) if (table_rows := grids.get(t.name)) is not None
              else _Table() for t in TABLE_SHEETS}
    for t in TABLE_SHEETS:
        least = next((m.min_length for m in Assumptions.model_fields[t.table].metadata if hasattr(m, "min_length")), 0)
        if tables[t.table].columns and len(tables[t.table].rows) < least:
            p.problem(t.name, f"A{FIRST_ROW}", t.table, None, f"at least {least} row(s) below the header")
    ranges = {key: Range(low=low, high=high) for read in scalars.values() for key, (low, high) in read.ranges.items()
              if (low is not None or high is not None) and key not in read.bad}
    if all(t.columns for t in tables.values()):  # with a table unreadable, every reference would look broken
        _reference_problems(p, groups, tables, ranges, scalars)
    if p.problems:
        raise WorkbookError(source, p.problems)
    # Cannot fail: every group and row is already validated (pydantic does not validate model instances again),
    # and the model's one rule of its own, ``reference_problems``, ran above on these values, each problem placed
    # at a cell or dropped only where that cell's key or row already had one.
    return Assumptions(**groups, **{name: t.rows for name, t in tables.items()}, ranges=ranges, origins=p.origins)


def _reference_problems(p: _Parse, groups: dict[str, BaseModel], tables: dict[str, _Table],
                        ranges: dict[str, Range], scalars: dict[str, _Scalars]) -> None:
    """References between sheets, checked on everything that could be read. A problem is placed at the
    referring cell, and dropped where that cell's row or key already has a problem (or was not read)."""
    values: dict[str, Any] = {**groups, **{name: t.rows for name, t in tables.items()}, "ranges": ranges}
    partial = Assumptions.model_construct(**values)
    for problem in reference_problems(partial):
        where, *rest = map(str, problem.loc)
        if where == "ranges":  # only cleanly read keys have a range
            key = rest[0]
            rng, read = ranges[key], scalars[key.partition(".")[0]]
            end = "low" if rng.low is not None and rng.low > partial.value(key) else "high"
            p.problem(SCALAR_SHEETS[key.partition(".")[0]], read.cell(key, end), f"{key} ({end})",
                      getattr(rng, end), problem.expected)
        elif where in GROUPS:
            key, read = f"{where}.{rest[0]}", scalars[where]
            if key in read.values and key not in read.bad:
                p.problem(SCALAR_SHEETS[where], read.cell(key, "value"), key, problem.found, problem.expected)
        elif problem.refers_to is not None and not all(
                isinstance(getattr(row, problem.refers_to[1]), str) for row in tables[problem.refers_to[0]].rows):
            continue  # the name looked up may be the one that could not be read: that cell's problem is reported
        elif int(rest[0]) not in tables[where].failed:
            table, i = tables[where], int(rest[0])
            p.problem(table_sheet(where).name, _cell(table.sheet_rows[i], table.columns[rest[1]]),
                      f"{where}[{i}].{rest[1]}", problem.found, problem.expected)
