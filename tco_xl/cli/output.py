"""How commands print: tables that fit the terminal, JSON and CSV that tools can read, progress on long work.

Tables never cut a figure: numbers never wrap and are never truncated. When a table is wider than the
terminal, text columns wrap first; then the columns marked droppable are left out, least important
first, and a note under the table names them. JSON and CSV hold money to the cent, ``null`` (JSON) or an
empty cell (CSV) where there is no number (never NaN or Infinity), and CSV text that a spreadsheet would
run as a formula is neutralised as the snapshot does (``tco_xl.io.formula_text``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd
from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from ..io.formula_text import csv_cell
from ..rounding import excel_round

#: Width of table output that goes to a file or a pipe (no terminal, no COLUMNS).
WIDE = 160
#: Narrowest a wrapping text column is made before columns are left out (characters).
TEXT_MIN = 14
MONEY = ",.2f"


def output_width() -> int:
    """Columns of table output: $COLUMNS if set, else the terminal's width, else WIDE for a file or a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return os.get_terminal_size(sys.stdout.fileno()).columns
    return WIDE


@dataclass(frozen=True)
class Col:
    """A column: the field it shows, its header, the number format (None: text, which may wrap), whether it is
    money (to the cent in JSON/CSV), and ``drop``: 0 always shown, 1, 2, … left out first, second, … when the
    table does not fit."""

    field: str
    header: str
    fmt: str | None = None
    money: bool = False
    drop: int = 0


def money_col(field: str, header: str, drop: int = 0) -> Col:
    return Col(field, header, MONEY, money=True, drop=drop)


def cell_text(value: Any, fmt: str | None) -> str:
    """A value as a table shows it; '—' where there is none."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    return format(value, fmt) if fmt else str(value)


def _table(title: str, cols: Sequence[Col], rows: list[list[str]], styles: Sequence[str | None]) -> Table:
    table = Table(title=Text(title), title_justify="left")
    for i, col in enumerate(cols):
        widest = max((len(r[i]) for r in rows), default=0)
        if col.fmt is None:
            table.add_column(col.header, overflow="fold", min_width=min(widest, TEXT_MIN) or None)
        else:  # a number: never wrapped, its header wrapped to the numbers' width
            longest_word = max(len(w) for w in col.header.split())
            header = textwrap.fill(col.header, max(widest, longest_word))
            table.add_column(header, justify="right", no_wrap=True)
    for row, style in zip(rows, styles, strict=True):
        table.add_row(*(Text(c) for c in row), style=style)  # as Text: '[aws|…]' in a key is not markup
    return table


def fitted_table(console: Console, title: str, cols: Sequence[Col], rows: Iterable[Sequence[Any]],
                 styles: Sequence[str | None] | None = None) -> tuple[Table, list[Col]]:
    """A table of ``rows`` (values in ``cols`` order) as wide as ``console`` allows, and the columns left out."""
    texts = [[cell_text(v, c.fmt) for v, c in zip(row, cols, strict=True)] for row in rows]
    row_styles = list(styles) if styles is not None else [None] * len(texts)
    keep = list(range(len(cols)))
    while True:
        table = _table(title, [cols[i] for i in keep], [[r[i] for i in keep] for r in texts], row_styles)
        droppable = [i for i in keep if cols[i].drop]
        # measured as if unbounded: Measurement.get clamps the minimum to the width it is given
        unbounded = console.options.update_width(10 * console.width)
        if not droppable or Measurement.get(console, unbounded, table).minimum <= console.width:
            return table, [c for i, c in enumerate(cols) if i not in keep]
        keep.remove(min(droppable, key=lambda i: cols[i].drop))


def print_table(console: Console, title: str, cols: Sequence[Col], rows: Iterable[Sequence[Any]],
                styles: Sequence[str | None] | None = None) -> None:
    """Print ``fitted_table`` and, under it, which columns were left out to fit."""
    table, dropped = fitted_table(console, title, cols, rows, styles)
    console.print(table)
    if dropped:
        names = ", ".join(c.header for c in dropped)
        console.print(Text(f"Not shown at {console.width} columns: {names} (a wider terminal shows "
                           f"{'it' if len(dropped) == 1 else 'them'}; --format csv or json has every column)",
                           style="dim"))


# -- JSON and CSV ------------------------------------------------------------------------------------
def plain(value: Any, money: bool = False) -> Any:
    """A value JSON can hold: numpy scalars as Python numbers, NaN and ±Infinity as None, money to the cent."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return excel_round(value, 2) if money else value
    return value


def json_ready(data: Any, money: frozenset[str], key: str | None = None) -> Any:
    """``data`` (dicts, lists, values) with every value ``plain``; values under a key in ``money`` to the cent."""
    if isinstance(data, dict):
        return {k: json_ready(v, money, k) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_ready(v, money, key) for v in data]
    return plain(data, key in money)


def print_json(data: Any, money: frozenset[str]) -> None:
    """Strict JSON (no NaN or Infinity) on stdout."""
    sys.stdout.write(json.dumps(json_ready(data, money), indent=2, allow_nan=False, ensure_ascii=False) + "\n")


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts (values still to be made ``plain``)."""
    return df.to_dict(orient="records")


def print_csv(df: pd.DataFrame, money: frozenset[str]) -> None:
    """``df`` as CSV on stdout: money to the cent, no NaN/Infinity (empty cells), formula-like text neutralised."""
    out = df.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out[name] = column.map(lambda v: csv_cell(plain(v)))
        elif column.dtype.kind == "f":
            out[name] = column.map(lambda v, m=name in money: plain(v, m))
    sys.stdout.write(out.to_csv(index=False))


# -- progress ------------------------------------------------------------------------------------------
class LazyProgress:
    """A progress bar on ``console`` (stderr) that appears only once the work has taken more than a moment, and
    only when ``enabled`` and the console is a terminal (never in a pipe, a file, or JSON/CSV output)."""

    def __init__(self, console: Console, description: str, enabled: bool = True, delay: float = 0.5):
        self.console, self.description, self.delay = console, description, delay
        self.enabled = enabled and console.is_terminal
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> Self:
        self.start = time.monotonic()
        return self

    def __call__(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` units."""
        if not self.enabled:
            return
        if self.bar is None and done < total and time.monotonic() - self.start > self.delay:
            self.bar = bar = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                      TimeElapsedColumn(), TimeRemainingColumn(), console=self.console,
                                      transient=True)
            bar.start()
            self.task = bar.add_task(self.description, total=total)
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
