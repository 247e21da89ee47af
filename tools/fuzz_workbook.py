"""Fuzz the workbook loader: seeded, reproducible mutations of TCO.xlsm, each outcome classified.

    python -m tools.fuzz_workbook                      # 1,100 cases, seed 0; exit 1 on any crash or wrong number
    python -m tools.fuzz_workbook --cases 300 --seed 7
    python -m tools.fuzz_workbook --case 431           # one case again: its mutations and what happened

Each case draws one to three mutations from ``MUTATIONS`` (cell values, keys, rows, columns, sheets, tables,
the raw sheet XML, the zip package, other file types), applies them to a fresh build of TCO.xlsm and reads
the result the ways users do: the API (``load_assumptions``, then every scenario at 1, 47, 500 and 10,000
agents) and the CLI (``tco-xl workbook check`` and ``tco-xl report``). Outcomes:

    error          refused with a clear error: a TcoError naming the file, exit code 1 with the message on
                   stderr, no traceback, and the API and both commands agreeing;
    accepted       read, and every scenario's numbers equal the engine's on the assumptions the cells hold
                   (the mutation's own edit applied to the defaults: a mutation that changes no input must
                   leave every number as it was), every line item finite and >= 0, and the warning the
                   mutation calls for printed by ``workbook check``;
    refused-valid  an error for an edit the rules allow (counted and listed, not a failure);
    crash          anything else raised, a traceback, another exit code, or the API and the CLI disagreeing;
    wrong          accepted with other numbers, accepted what must be refused, or a warning missing.

The oracle is the cells' meaning stated independently of the loader: a mutation records what the edited
cell holds (``spec_value`` reads it by the README's rules: numbers are numbers, blanks only where a blank
means something, text is trimmed) into a copy of the defaults' content, or that the workbook must be
refused (a blank required cell, a formula without a saved value, a duplicated line, ...), or warned about.
The expected numbers are the engine's on that content, validated by the assumptions model.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import io
import math
import random
import re
import struct
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.cell import MergedCell
from pydantic import ValidationError
from typer.testing import CliRunner

from tco_xl.assumptions import GROUPS, Assumptions, scalar_specs
from tco_xl.assumptions._field import cell_kind
from tco_xl.cli import app
from tco_xl.engine import evaluate
from tco_xl.errors import TcoError
from tco_xl.io.layout import ASSUMPTION_SHEETS, FIRST_ROW, SCALAR_SHEETS, TABLE_SHEETS, cell_of
from tco_xl.io.template import workbook_bytes
from tco_xl.io.workbook import INFORMATIONAL_FIELDS, cell_value, load_assumptions

AGENTS = [1, 47, 500, 10_000]
CASES, SEED = 1_100, 0
FAILURES = ("crash", "wrong")

# -- the mutated workbook and what it must give --------------------------------------------------------


@dataclass
class Case:
    """One fuzz case: the workbook being mutated and the expectation the mutations build up."""

    number: int
    rng: random.Random
    dump: dict[str, Any]                      # the assumptions' content the cells should give
    wb: Any = None                            # openpyxl workbook while cells and structure are edited
    data: bytes = b""                         # the file's bytes once saved
    name: str = "TCO.xlsm"                    # file name to write
    as_folder: bool = False                   # put a folder at the path instead of a file
    must_error: list[tuple[str, Any]] = field(default_factory=list)  # (why, where: None or (table, row, field))
    must_warn: list[tuple[str, Any]] = field(default_factory=list)   # (name the warning must show, where)
    damaged: list[str] = field(default_factory=list)  # damage that may be refused (or read where it is harmless)
    cleared: set[tuple[str, str]] = field(default_factory=set)  # (table, field) columns deleted or blanked later
    notes: list[str] = field(default_factory=list)

    def _where(self, row: tuple[str, int] | None, name: str | None) -> Any:
        return None if row is None else (row[0], self.dump[row[0]][row[1]], name)

    def error(self, why: str, row: tuple[str, int] | None = None, name: str | None = None) -> None:
        """The workbook must be refused; while table row ``row`` (and its cell ``name``) stands, when given."""
        self.must_error.append((why, self._where(row, name)))

    def warn(self, shown: str, row: tuple[str, int] | None = None) -> None:
        """`workbook check` must show ``shown`` in a warning (while the row stands), unless it refuses the file."""
        self.must_warn.append((shown, self._where(row, None)))

    def damage(self, why: str) -> None:
        self.damaged.append(why)

    def standing(self, where: Any) -> bool:
        """Whether the row (and cell) a requirement was made for is still in the workbook."""
        if where is None:
            return True
        table, row, name = where
        return any(r is row for r in self.dump[table]) and (name is None or (table, name) not in self.cleared)

    def errors(self) -> list[str]:
        return [why for why, where in self.must_error if self.standing(where)]

    def warnings(self) -> list[str]:
        return [shown for shown, where in self.must_warn if self.standing(where)]


@dataclass(frozen=True)
class Mutation:
    name: str
    phase: int  # 1 cells, 2 structure, 3 sheet XML, 4 zip package, 5 file type
    apply: Callable[[Case], str]
    weight: float = 1.0


MUTATIONS: list[Mutation] = []


def mutation(phase: int, weight: float = 1.0) -> Callable[[Callable[[Case], str]], Callable[[Case], str]]:
    def register(fn: Callable[[Case], str]) -> Callable[[Case], str]:
        MUTATIONS.append(Mutation(fn.__name__, phase, fn, weight))
        return fn
    return register


_SPECS = {s.key: s for s in scalar_specs()}
_NUMERIC_SPECS = [s for s in _SPECS.values() if not s.is_text]
_TEXT_SPECS = [s for s in _SPECS.values() if s.is_text]
_TABLES = {t.table: t for t in TABLE_SHEETS}
#: Tables of price lines (a group of rows each): Providers, Options, GPU servers.
PRICE_TABLES = ["providers", "options", "gpu_servers"]


def _split(ref: str) -> tuple[str, str]:
    """('LLM models', 'D5') from "'LLM models'!D5"."""
    sheet, cell = ref.rsplit("!", 1)
    return sheet.strip("'").replace("''", "'"), cell


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def spec_value(value: Any, kind: str, blank: tuple[bool, Any]) -> tuple[bool, Any]:
    """What a cell holding ``value`` means for a field of ``kind`` ('number', 'optional number', 'bool',
    'list', 'text'), by the workbook's rules; ``blank`` = (a blank is allowed, what it means). (ok, value)."""
    if _blank(value):
        return blank
    if isinstance(value, str) and value.startswith("="):
        return False, None  # openpyxl writes it as a formula, which has no saved value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return False, None
    if kind in ("number", "optional number"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return ok, value
    if kind == "bool":
        if isinstance(value, bool):
            return True, value
        text = str(value).strip().lower()
        return (True, text in ("true", "yes")) if text in ("true", "yes", "false", "no") else (False, None)
    if not isinstance(value, str):
        return False, None
    if kind == "list":
        return True, [part.strip() for part in value.split(",") if part.strip()]
    return True, value.strip()


def _field_blank(table: str, name: str) -> tuple[bool, Any]:
    info = _TABLES[table].model.model_fields[name]
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    return (not info.is_required() and default in (None, "", [])), default


def set_table_cell(case: Case, table: str, i: int, name: str, value: Any) -> str:
    """Write ``value`` into row ``i``'s ``name`` cell of ``table`` and record what it means."""
    sheet, cell = _split(cell_of(f"{table}[{i}].{name}"))
    case.wb[sheet][cell] = value
    info = _TABLES[table].model.model_fields[name]
    ok, meant = spec_value(value, cell_kind(info), _field_blank(table, name))
    if ok:
        case.dump[table][i][name] = meant
    else:
        case.error(f"{sheet}!{cell} cannot hold {value!r}", (table, i), name)
    return f"{sheet}!{cell} ({table}[{i}].{name}) = {value!r}"


def set_scalar_cell(case: Case, key: str, column: str, value: Any) -> str:
    """Write ``value`` into the value, low or high cell of scalar assumption ``key`` and record its meaning."""
    spec = _SPECS[key]
    sheet, cell = _split(cell_of(key, column))
    case.wb[sheet][cell] = value
    if column == "value":
        ok, meant = spec_value(value, "text" if spec.is_text else "number", (False, None))
        if ok:
            case.dump[spec.group][spec.field] = meant
        else:
            case.error(f"{sheet}!{cell} cannot hold {value!r}")
    else:
        ok, meant = spec_value(value, "optional number", (True, None))
        if spec.is_text and not _blank(value):
            ok = False
        if ok and meant is not None:
            try:
                GROUPS[spec.group].model_validate({spec.field: meant})  # a range end obeys the value's rules
            except ValidationError:
                ok = False
        if not ok:
            case.error(f"{sheet}!{cell} cannot be a range end: {value!r}")
        else:
            rng = dict(case.dump["ranges"].get(key, {"low": None, "high": None}))
            rng[column] = meant
            if rng["low"] is None and rng["high"] is None:
                case.dump["ranges"].pop(key, None)
            else:
                case.dump["ranges"][key] = rng
    return f"{sheet}!{cell} ({key} {column}) = {value!r}"


def _number_for(rng: random.Random, info: Any, is_int: bool) -> Any:
    """A value for a numeric field: mostly valid, sometimes just outside its bounds or extreme."""
    low = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    gt = next((m.gt for m in info.metadata if getattr(m, "gt", None) is not None), None)
    high = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    floor = low if low is not None else gt if gt is not None else -1e6
    ceiling = high if high is not None else 1e6
    choice = rng.random()
    if choice < 0.45:
        value = rng.uniform(floor, ceiling if ceiling < 1e5 else min(ceiling, max(10 * abs(floor), 5_000)))
        return int(value) if is_int else round(value, rng.choice([0, 2, 4, 6]))
    return rng.choice([0, -1, -0.5, 2.5, 3.5, floor, ceiling, ceiling + 1, 1e308, 1.5e308, 1e300, 1e200, 1e-300,
                       5e-324, 1e15, "abc", "12", " 7 ", True, False, None, "", "   ", "=1+2", "=C3*2",
                       dt.date(2024, 1, 15), "#N/A", "1e400", "nan"])


# -- phase 1: cell values ------------------------------------------------------------------------------

@mutation(1, weight=3)
def scalar_value(case: Case) -> str:
    spec = case.rng.choice(_NUMERIC_SPECS)
    info = GROUPS[spec.group].model_fields[spec.field]
    return set_scalar_cell(case, spec.key, "value", _number_for(case.rng, info, spec.is_int))


@mutation(1)
def scalar_choice(case: Case) -> str:
    spec = case.rng.choice(_TEXT_SPECS)
    groups = sorted({line["group"] for line in case.dump["options"]})
    value = case.rng.choice([*groups, "none", "NONE", " email_ses ", "email_sess", "usd", "EUR", "BGN", "GBP", "",
                             None, 3, True, "=A1"])
    return set_scalar_cell(case, spec.key, "value", value)


@mutation(1)
def scalar_range(case: Case) -> str:
    spec = case.rng.choice(_NUMERIC_SPECS)
    info = GROUPS[spec.group].model_fields[spec.field]
    base = case.dump[spec.group][spec.field]
    value = case.rng.choice([base * 0.5, base * 1.5, base, None, "", -1, "low", 1e308,
                             _number_for(case.rng, info, spec.is_int)])
    return set_scalar_cell(case, spec.key, case.rng.choice(["low", "high"]), value)


@mutation(1)
def scalar_key(case: Case) -> str:
    spec = case.rng.choice(list(_SPECS.values()))
    sheet, cell = _split(cell_of(spec.key, "key"))
    change = case.rng.choice(["padded", "upper", "unknown", "number", "blank", "other sheet's"])
    if change == "padded":
        case.wb[sheet][cell] = f"  {spec.key} "  # keys are trimmed: nothing changes
    else:
        other = case.rng.choice([s.key for s in _SPECS.values() if s.group != spec.group])
        case.wb[sheet][cell] = {"upper": spec.key.upper(), "unknown": spec.key + "_x", "number": 7, "blank": None,
                                "other sheet's": other}[change]
        case.error(f"{sheet}!{cell}: the key is gone")
    return f"{sheet}!{cell} key {change}"


@mutation(1)
def label_columns(case: Case) -> str:
    """Edit what the reader ignores on a scalar sheet: label, unit, source, note (nothing may change)."""
    spec = case.rng.choice(list(_SPECS.values()))
    sheet, cell = _split(cell_of(spec.key, case.rng.choice(["label", "unit", "source", "note"])))
    case.wb[sheet][cell] = case.rng.choice(["edited", None, 123, "=1/0", dt.date(2020, 1, 1), "  "])
    return f"{sheet}!{cell} (not an input) edited"


def _random_row(case: Case, table: str) -> int:
    return case.rng.randrange(len(case.dump[table]))


@mutation(1, weight=4)
def table_value(case: Case) -> str:
    table = case.rng.choice(list(_TABLES))
    if not case.dump[table]:
        return "no rows"
    i = _random_row(case, table)
    name = case.rng.choice(list(_TABLES[table].model.model_fields))
    info = _TABLES[table].model.model_fields[name]
    kind = cell_kind(info)
    rng = case.rng
    if kind in ("number", "optional number"):
        value = _number_for(rng, info, info.annotation is int)
    elif kind == "bool":
        value = rng.choice([True, False, "yes", "No", "TRUE", "false", "maybe", 1, 0, None, ""])
    elif kind == "list":
        pool = [*sorted({line["group"] for line in case.dump["options"]}), "compute", "database", "storage", "databse"]
        value = rng.choice([", ".join(rng.sample(pool, rng.randint(0, 3))), None, "", " argo ,", 5,
                            ", ".join([rng.choice(pool)] * 2)])
    else:
        current = case.dump[table][i][name]
        value = rng.choice([f"{current}", f" {current} ", f"{current}x", str(current).upper(), None, "", 42,
                            "aws", "hetzner", "gpt-4o", "self_hosted", "cloud", "hybrid", "month", "hour", "EUR",
                            "USD", "agents", "scaled", "fixed", "none", "=A2"])
    return set_table_cell(case, table, i, name, value)


@mutation(1)
def group_renamed(case: Case) -> str:
    """One line's group renamed (the line leaves its group: a warning) or re-cased (an error or a warning)."""
    table = case.rng.choice(PRICE_TABLES)
    i = _random_row(case, table)
    group = case.dump[table][i]["group"]
    new = case.rng.choice([group.capitalize(), group.upper(), f"{group}2", f"{group}-old", f"{group} "])
    note = set_table_cell(case, table, i, "group", new)
    if new.strip() != group:
        case.warn(new.strip(), (table, i))
    return note


@mutation(1)
def category_typo(case: Case) -> str:
    """A stack's provider categories with a category its provider has no line of."""
    candidates = [i for i, s in enumerate(case.dump["stacks"]) if s["provider"]]
    i = case.rng.choice(candidates)
    value = case.rng.choice(["databse", "compute, databse", "Compute", "storage,cdn, dns"])
    note = set_table_cell(case, "stacks", i, "provider_categories", value)
    case.error("a category no line of the provider has", ("stacks", i), "provider_categories")
    return note


@mutation(1)
def fractional_count(case: Case) -> str:
    key = case.rng.choice(["capacity.min_mac_studios", "capacity.min_sites", "capacity.min_db_servers",
                           "capacity.min_gpu_servers", "usage.reference_agents", "support.mid_agents",
                           "support.high_agents", "stacks.app_servers_min"])
    value = case.rng.choice([2.5, 3.5, 0.5, 1.25])
    if key.startswith("stacks."):
        i = _random_row(case, "stacks")
        note = set_table_cell(case, "stacks", i, "app_servers_min", value)
        case.error("a fractional count", ("stacks", i), "app_servers_min")
    else:
        note = set_scalar_cell(case, key, "value", value)
        case.error("a fractional count")
    return note


@mutation(1)
def duplicate_line(case: Case) -> str:
    """An exact copy of a price line below the table: priced twice unless refused."""
    table = case.rng.choice(PRICE_TABLES)
    i = _random_row(case, table)
    row = dict(case.dump[table][i])
    j = len(case.dump[table])
    case.dump[table].append(row)
    for name, value in row.items():
        sheet, cell = _split(cell_of(f"{table}[{j}].{name}"))
        case.wb[sheet][cell] = cell_value(value)
    case.error("a duplicated line", (table, j))
    return f"{table}[{i}] copied to row {FIRST_ROW + j}"


@mutation(1)
def line_added(case: Case) -> str:
    """A valid new line: in an existing group (priced), or in a new option or GPU group (a warning)."""
    table = case.rng.choice(PRICE_TABLES)
    i = _random_row(case, table)
    row = dict(case.dump[table][i])
    new_group = case.rng.random() < 0.5 and table != "providers"
    row["line"] = f"{row['line']} (extra)"
    if new_group:
        row["group"] = f"extra_{table}"
    j = len(case.dump[table])
    case.dump[table].append(row)
    if new_group:
        case.warn(row["group"], (table, j))
    for name, value in row.items():
        sheet, cell = _split(cell_of(f"{table}[{j}].{name}"))
        case.wb[sheet][cell] = cell_value(value)
    return f"{table}: line added in group {row['group']}"


@mutation(1)
def date_format(case: Case) -> str:
    """A number cell formatted as a date: openpyxl reads it as a date, not a number."""
    spec = case.rng.choice(_NUMERIC_SPECS)
    sheet, cell = _split(cell_of(spec.key))
    case.wb[sheet][cell].number_format = "yyyy-mm-dd"
    value = case.dump[spec.group][spec.field]
    if value >= 1:  # Excel dates start at serial 1; 0 and fractions read as times (still not numbers)
        case.error("a date where a number is expected")
    else:
        case.error("a time where a number is expected")
    return f"{sheet}!{cell} formatted as a date"


@mutation(1)
def merged_key(case: Case) -> str:
    i = _random_row(case, "llm_models")
    row = FIRST_ROW + i
    case.wb["LLM models"].merge_cells(f"A{row}:B{row}")
    case.error("a merged key and name", ("llm_models", i), "name")
    return f"LLM models!A{row}:B{row} merged"


@mutation(1, weight=2)
def ai_choice(case: Case) -> str:
    """A stack's LLM, GPU servers or Voice AI column set to another choice: an API model, a GPU group, the Mac
    Studios, a voice group, blank, or a name that resolves to nothing (the rules decide which must be refused)."""
    i = _random_row(case, "stacks")
    name = case.rng.choice(["llm", "gpu", "voice"])
    gpu = sorted({line["group"] for line in case.dump["gpu_servers"]})
    voice = sorted({line["group"] for line in case.dump["options"] if line["group"].startswith("voice_")})
    models = [m["key"] for m in case.dump["llm_models"]]
    macs = case.dump["stacks"][i]["mac_studios"] is True
    meant = {"llm": [*models, *gpu, *(["self_hosted"] * macs)], "gpu": [*gpu, ""],
             "voice": [*voice, *gpu, "", *(["self_hosted"] * macs)]}[name]  # what the column may hold
    value = case.rng.choice(meant) if case.rng.random() < 0.7 else case.rng.choice(
        [*gpu, *voice, *models, "self_hosted", "gpu", "", None, "gpu_ovh", "GPT-4O", "hetzner", "argo", " self_hosted ",
         7])
    return set_table_cell(case, "stacks", i, name, value)


@mutation(1)
def voice_usage(case: Case) -> str:
    """Voice AI switched on or off on the Usage sheet (stacks with a blank Voice AI column must then be refused),
    optionally with one stack's voice column cleared."""
    share = case.rng.choice([0, 0, 0.35, 1])
    chars = case.rng.choice([0, 0, 900, 12_000])
    notes = [set_scalar_cell(case, "usage.transcribed_share", "value", share),
             set_scalar_cell(case, "usage.tts_characters_per_call", "value", chars)]
    if case.rng.random() < 0.5:
        notes.append(set_table_cell(case, "stacks", _random_row(case, "stacks"), "voice", None))
    return "; ".join(notes)


@mutation(1)
def support_points(case: Case) -> str:
    """The Support sheet's headcounts moved (out of order must be refused), or a stack's stated hours at them."""
    if case.rng.random() < 0.5:
        mid, high = case.rng.choice([(100, 500), (300, 200), (47, 500), (60, 60), (80, 20_000), (1_000, 500)])
        return "; ".join([set_scalar_cell(case, "support.mid_agents", "value", mid),
                          set_scalar_cell(case, "support.high_agents", "value", high)])
    i = _random_row(case, "stacks")
    name = case.rng.choice(["support_hours", "support_hours_mid", "support_hours_high"])
    return set_table_cell(case, "stacks", i, name, case.rng.choice([0, 5, 12.5, 40, 400]))


# -- phase 2: structure ----------------------------------------------------------------------------------

def _columns(ws: Any) -> int:
    return max(c for c in range(1, 27) if any(ws.cell(r, c).value is not None for r in (1, 2)))


@mutation(2)
def scalar_rows_swapped(case: Case) -> str:
    sheet = case.rng.choice(list(SCALAR_SHEETS.values()))
    ws = case.wb[sheet]
    last = max(r for r in range(1, 101) if ws.cell(r, 1).value is not None)
    if last < 3:
        return f"{sheet}: one row, nothing to swap"
    a, b = case.rng.sample(range(FIRST_ROW, last + 1), 2)
    for col in range(1, 9):
        ws.cell(a, col).value, ws.cell(b, col).value = ws.cell(b, col).value, ws.cell(a, col).value
    return f"{sheet}: rows {a} and {b} swapped"


@mutation(2)
def scalar_row_moved(case: Case) -> str:
    spec = case.rng.choice(list(_SPECS.values()))
    sheet, cell = _split(cell_of(spec.key, "key"))
    other = case.rng.choice([s for s in SCALAR_SHEETS.values() if s != sheet])
    src, dst = case.wb[sheet], case.wb[other]
    row = int(cell[1:])
    free = max(r for r in range(1, 101) if dst.cell(r, 1).value is not None) + 1
    for col in range(1, 9):
        dst.cell(free, col).value, src.cell(row, col).value = src.cell(row, col).value, None
    case.error(f"{spec.key} moved to {other}")
    return f"{spec.key}'s row moved from {sheet} to {other}"


@mutation(2)
def table_rows_swapped(case: Case) -> str:
    table = case.rng.choice(list(_TABLES))
    rows = case.dump[table]
    if len(rows) < 2:
        return f"{table}: nothing to swap"
    i, j = case.rng.sample(range(len(rows)), 2)
    ws = case.wb[_TABLES[table].name]
    for col in range(1, len(_TABLES[table].columns) + 1):
        a, b = ws.cell(FIRST_ROW + i, col), ws.cell(FIRST_ROW + j, col)
        a.value, b.value = b.value, a.value
    rows[i], rows[j] = rows[j], rows[i]
    return f"{table}: rows {i} and {j} swapped"


@mutation(2)
def table_row_deleted(case: Case) -> str:
    table = case.rng.choice(list(_TABLES))
    rows = case.dump[table]
    if not rows:
        return f"{table}: empty"
    i = _random_row(case, table)
    case.wb[_TABLES[table].name].delete_rows(FIRST_ROW + i)
    rows.pop(i)
    return f"{table}[{i}] deleted (rows below move up)"


@mutation(2)
def table_row_cleared(case: Case) -> str:
    table = case.rng.choice(list(_TABLES))
    rows = case.dump[table]
    if not rows:
        return f"{table}: empty"
    i = _random_row(case, table)
    ws = case.wb[_TABLES[table].name]
    for col in range(1, 27):
        ws.cell(FIRST_ROW + i, col).value = None
    if i == len(rows) - 1:
        rows.pop(i)  # the last row cleared: the table is one row shorter
    else:
        case.error("a blank row inside a table")
    return f"{table}[{i}] cleared"


@mutation(2)
def table_emptied(case: Case) -> str:
    table = case.rng.choice(list(_TABLES))
    ws = case.wb[_TABLES[table].name]
    if case.dump[table]:
        ws.delete_rows(FIRST_ROW, len(case.dump[table]))
    case.dump[table] = []
    return f"{table}: every row deleted"


@mutation(2)
def blank_row_inserted(case: Case) -> str:
    table = case.rng.choice(list(_TABLES))
    if len(case.dump[table]) < 2:
        return f"{table}: too short"
    i = case.rng.randrange(1, len(case.dump[table]))
    case.wb[_TABLES[table].name].insert_rows(FIRST_ROW + i)
    case.error("a blank row inside a table")
    return f"{table}: blank row inserted above row {i}"


@mutation(2)
def columns_swapped(case: Case) -> str:
    sheet = case.rng.choice(ASSUMPTION_SHEETS)
    ws = case.wb[sheet]
    width = _columns(ws)
    a, b = case.rng.sample(range(1, width + 1), 2)
    for row in range(1, 301):
        x, y = ws.cell(row, a), ws.cell(row, b)
        if x.value is not None or y.value is not None:
            x.value, y.value = y.value, x.value
    return f"{sheet}: columns {a} and {b} swapped (headers included)"


@mutation(2)
def column_deleted(case: Case) -> str:
    sheet = case.rng.choice(ASSUMPTION_SHEETS)
    ws = case.wb[sheet]
    col = case.rng.randrange(1, _columns(ws) + 1)
    header = ws.cell(1, col).value
    ws.delete_cols(col)
    table = next((t for t in TABLE_SHEETS if t.name == sheet), None)
    if table is None:
        if header in ("Key", "Value", "Low", "High"):
            case.error(f"{sheet}: column {header} deleted")
    else:
        name = table.columns[col - 1].field
        case.cleared.add((table.table, name))
        if name in INFORMATIONAL_FIELDS:
            for row in case.dump[table.table]:
                row[name] = ""
        else:
            case.error(f"{sheet}: column {header} deleted")
    return f"{sheet}: column {col} ({header}) deleted"


@mutation(2)
def column_blanked(case: Case) -> str:
    table = case.rng.choice(TABLE_SHEETS)
    col = case.rng.randrange(len(table.columns))
    name = table.columns[col].field
    ws = case.wb[table.name]
    case.cleared.add((table.table, name))
    notes = []
    for i in range(len(case.dump[table.table])):
        if not isinstance(ws.cell(FIRST_ROW + i, col + 1), MergedCell):
            ws.cell(FIRST_ROW + i, col + 1).value = None
        ok, meant = _field_blank(table.table, name)
        if ok:
            case.dump[table.table][i][name] = meant
        else:
            notes.append(i)
    if notes:
        case.error(f"{table.name}: required column {name} blank")
    return f"{table.name}: column {name} blanked"


@mutation(2)
def header_edited(case: Case) -> str:
    """A header re-cased or re-spaced (headers match as users type them), misspelt, or cleared."""
    sheet = case.rng.choice(ASSUMPTION_SHEETS)
    ws = case.wb[sheet]
    col = case.rng.randrange(1, _columns(ws) + 1)
    header = str(ws.cell(1, col).value)
    change = case.rng.choice(["upper", "spaced", "misspelt", "cleared"])
    ws.cell(1, col).value = {"upper": header.upper(), "spaced": f"  {header} ", "misspelt": header[:-1] + "x",
                             "cleared": None}[change]
    table = next((t for t in TABLE_SHEETS if t.name == sheet), None)
    read = header in ("Key", "Value", "Low", "High") if table is None else \
        table.columns[col - 1].field not in INFORMATIONAL_FIELDS
    content = any(ws.cell(row, col).value not in (None, "") for row in range(2, 301))
    if change == "misspelt" or (change == "cleared" and (read or content)):
        case.error(f"{sheet}: header {header!r} {change}")
    return f"{sheet}: header {header!r} {change}"


@mutation(2)
def sheet_changed(case: Case) -> str:
    change = case.rng.choice(["deleted", "renamed", "recased", "moved", "hidden", "added", "other deleted"])
    sheet = case.rng.choice(ASSUMPTION_SHEETS)
    ws = case.wb[sheet]
    if change == "deleted":
        case.wb.remove(ws)
    elif change == "renamed":
        ws.title = sheet + " (2)"
    elif change == "recased":
        ws.title = sheet.swapcase()
    elif change == "moved":
        case.wb.move_sheet(ws, offset=case.rng.randint(-5, 5))
    elif change == "hidden":
        ws.sheet_state = "hidden"
    elif change == "added":
        extra = case.wb.create_sheet("Notes")
        extra["A1"] = "scratch"
        extra["Z300"] = 1
    else:
        case.wb.remove(case.wb[case.rng.choice(["README", "Scenarios", "Compare"])])
    if change in ("deleted", "renamed", "recased"):
        case.error(f"sheet {sheet} {change}")
    return f"sheet {sheet}: {change}"


@mutation(2)
def stray_content(case: Case) -> str:
    sheet = case.rng.choice(ASSUMPTION_SHEETS)
    ws = case.wb[sheet]
    table = sheet not in SCALAR_SHEETS.values()
    where = case.rng.choice(["far below", "beyond Z", "unheaded column", "below a blank row"])
    rows = 100 if not table else 300
    last = max((r for r in range(1, rows + 1) if ws.cell(r, 1).value is not None), default=1)
    cell = {"far below": f"B{rows + case.rng.randint(1, 5000)}", "beyond Z": f"AB{case.rng.randint(1, 50)}",
            "unheaded column": f"{'I' if not table else 'T'}{case.rng.randint(2, last)}",
            "below a blank row": f"A{last + 2}"}[where]
    ws[cell] = case.rng.choice(["stray", 1, "0.5"])
    case.error(f"{sheet}!{cell}: content outside the table")
    return f"{sheet}!{cell}: stray content ({where})"


# -- phase 3: the sheet XML (on the saved package) -------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: an old .xls


_STAMP = (2026, 1, 1, 0, 0, 0)  # every zip entry and document time: equal cases give equal bytes


class _StampedZip(zipfile.ZipFile):
    """A zip whose entries all carry one time, so that a case's file is the same bytes on every run."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=_STAMP)
            zinfo_or_arcname.compress_type = self.compression
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, *_args: Any, **_kwargs: Any) -> None:
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def _save(wb: Any) -> bytes:
    """An openpyxl workbook's file (as ``save`` writes it, with fixed times)."""
    from openpyxl.writer.excel import ExcelWriter
    wb.properties.created = wb.properties.modified = dt.datetime(*_STAMP)  # noqa: DTZ001 - as openpyxl stores it
    out = io.BytesIO()
    with _StampedZip(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return out.getvalue()


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with _StampedZip(out, "w", method) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> part name, from the workbook and its relationships."""
    rels = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', parts["xl/_rels/workbook.xml.rels"])
                + [(b, a) for a, b in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"',
                                                 parts["xl/_rels/workbook.xml.rels"])])
    out = {}
    for name, rid in re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', parts["xl/workbook.xml"]):
        target = rels[rid].decode().lstrip("/")
        out[name.decode().replace("&amp;", "&")] = target if target.startswith("xl/") else "xl/" + target
    return out


def _cells_of(xml: bytes) -> list[re.Match[bytes]]:
    return list(re.finditer(rb"<c [^>]*?(?:/>|>.*?</c>)", xml, re.DOTALL))


def _xml_edit(case: Case, edit: Callable[[dict[str, bytes], str, bytes], tuple[bytes, str]],
              sheets: tuple[str, ...] = ASSUMPTION_SHEETS) -> str:
    parts = _unzip(case.data)
    present = _sheet_parts(parts)
    sheet = case.rng.choice(sheets)
    if sheet not in present:
        return f"{sheet}: not in the workbook any more"
    part = present[sheet]
    parts[part], note = edit(parts, sheet, parts[part])
    case.data = _zip(parts)
    return f"{sheet} ({part}): {note}"


def _random_cell(case: Case, xml: bytes, pattern: bytes = rb"") -> re.Match[bytes] | None:
    cells = [m for m in _cells_of(xml) if re.search(pattern, m.group(0))]
    return case.rng.choice(cells) if cells else None


@mutation(3)
def xml_cell_twice(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        m = _random_cell(case, xml, rb"<v>")
        if m is None:
            return xml, "no value cell"
        ref = re.search(rb'r="([A-Z]+[0-9]+)"', m.group(0))
        copy = re.sub(rb"<v>.*?</v>", b"<v>999</v>", m.group(0)).replace(b' t="s"', b"").replace(b' t="str"', b"")
        copy = copy.replace(b' t="b"', b"")
        case.damage("a cell written twice")
        return xml[:m.end()] + copy + xml[m.end():], f"cell {ref.group(1).decode() if ref else '?'} written twice"
    return _xml_edit(case, edit)


@mutation(3)
def xml_number_garbage(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        m = _random_cell(case, xml, rb'<v>[-0-9.eE]+</v>')
        if m is None or (b' t="' in m.group(0) and b't="n"' not in m.group(0)):
            return xml, "no number cell"
        junk = case.rng.choice([b"abc", b"1,5", b"--3", b"", b"0x10", b"1.2.3", b"NaN", b"inf", b"1e999"])
        new = re.sub(rb"<v>.*?</v>", b"<v>" + junk + b"</v>", m.group(0))
        case.damage("a number cell holding no number")
        return xml[:m.start()] + new + xml[m.end():], f"number {m.group(0)[:40]!r} -> {junk!r}"
    return _xml_edit(case, edit)


@mutation(3)
def xml_type_flipped(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        m = _random_cell(case, xml, rb"<v>|<is>")
        if m is None:
            return xml, "no cell"
        text = m.group(0)
        new_type = case.rng.choice([b"s", b"n", b"b", b"e", b"str", b"d", b"x"])
        new = re.sub(rb' t="[^"]*"', b"", text).replace(b"<c ", b'<c t="' + new_type + b'" ', 1)
        case.damage("a cell of another type")
        return xml[:m.start()] + new + xml[m.end():], f"type -> {new_type.decode()}"
    return _xml_edit(case, edit)


@mutation(3)
def xml_formula(case: Case) -> str:
    keep = case.rng.random() < 0.5

    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        m = _random_cell(case, xml, rb"<v>")
        if m is None:
            return xml, "no value cell"
        text = m.group(0)
        new = text.replace(b"<v>", b"<f>1+1</f><v>", 1) if keep else re.sub(rb"<v>.*?</v>", b"<f>C2*2</f>", text)
        if not keep:
            case.damage("a formula with no saved value")
        return xml[:m.start()] + new + xml[m.end():], "formula added" + (" (value kept)" if keep else ", value dropped")
    return _xml_edit(case, edit)


@mutation(3)
def xml_control_character(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        m = re.search(rb"<t[^>]*>[^<]", xml) or re.search(rb"<v>[^<]", xml)
        if m is None:
            return xml, "no text"
        case.error("a control character breaks the XML")
        return xml[:m.end() - 1] + b"\x01" + xml[m.end() - 1:], "control character in a cell's text"
    return _xml_edit(case, edit)


@mutation(3)
def xml_truncated(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        cut = case.rng.randrange(len(xml) // 4, len(xml) - 10)
        case.error("a truncated sheet")
        return xml[:cut], f"truncated at byte {cut} of {len(xml)}"
    return _xml_edit(case, edit)


@mutation(3)
def xml_shared_strings(case: Case) -> str:
    """Inline strings turned into a shared-strings part (as Excel writes them), then maybe damaged."""
    parts = _unzip(case.data)
    strings: list[bytes] = []
    index: dict[bytes, int] = {}

    def shared(m: re.Match[bytes]) -> bytes:
        text = m.group(2)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return m.group(1).replace(b' t="inlineStr"', b' t="s"') + b"<v>" + str(index[text]).encode() + b"</v></c>"

    for part in _sheet_parts(parts).values():
        parts[part] = re.sub(rb'(<c [^>]*t="inlineStr"[^>]*>)<is><t[^>]*>(.*?)</t></is></c>', shared, parts[part],
                             flags=re.DOTALL)
    if not strings:
        return "shared strings already"
    if "[Content_Types].xml" not in parts:
        return "no content types to declare the shared strings in (removed by an earlier mutation)"
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
                                     .encode() + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    damage = case.rng.choice(["none", "none", "part removed", "index out of range", "negative index"])
    if damage == "part removed":
        del parts["xl/sharedStrings.xml"]
    if damage != "none":
        case.damage(f"shared strings: {damage}")
    if damage in ("index out of range", "negative index"):
        sheet = _sheet_parts(parts)[case.rng.choice(ASSUMPTION_SHEETS)]
        m = re.search(rb'(<c [^>]*t="s"[^>]*><v>)(\d+)(</v>)', parts[sheet])
        if m:
            bad = b"99999" if damage == "index out of range" else b"-1"
            parts[sheet] = parts[sheet][:m.start(2)] + bad + parts[sheet][m.end(2):]
    case.data = _zip(parts)
    return f"strings shared ({len(strings)}), damage: {damage}"


@mutation(3)
def xml_references_removed(case: Case) -> str:
    """Cell references left out where a cell follows the previous column (the reader counts on): no change."""
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        def row(m: re.Match[bytes]) -> bytes:
            previous = 0

            def cell(c: re.Match[bytes]) -> bytes:
                nonlocal previous
                ref = re.match(rb'([A-Z]+)[0-9]+', c.group(2))
                column = openpyxl.utils.column_index_from_string(ref.group(1).decode()) if ref else 0
                follows, previous = column == previous + 1, column
                return c.group(1) + (b"" if follows else b' r="' + c.group(2) + b'"')
            return re.sub(rb'(<c)\s+r="([^"]*)"', cell, m.group(0))
        return re.sub(rb"<row [^>]*>.*?</row>", row, xml, flags=re.DOTALL), "references of consecutive cells removed"
    return _xml_edit(case, edit)


@mutation(3)
def xml_rows_reordered(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        rows = list(re.finditer(rb"<row [^>]*>.*?</row>|<row [^>]*/>", xml, re.DOTALL))
        if len(rows) < 3:
            return xml, "too few rows"
        bodies = [m.group(0) for m in rows]
        case.rng.shuffle(bodies)
        return xml[:rows[0].start()] + b"".join(bodies) + xml[rows[-1].end():], "row elements shuffled"
    return _xml_edit(case, edit)


@mutation(3)
def xml_row_twice(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        rows = list(re.finditer(rb"<row [^>]*>.*?</row>", xml, re.DOTALL))
        m = case.rng.choice(rows)
        case.damage("a row written twice")
        return xml[:m.end()] + m.group(0) + xml[m.end():], "a row element written twice"
    return _xml_edit(case, edit)


@mutation(3)
def xml_bad_reference(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        m = _random_cell(case, xml)
        if m is None:
            return xml, "no cell"
        bad = case.rng.choice([b"A0", b"XFE1", b"1A", b"A1048577", b"$A$1", b""])
        new = re.sub(rb' r="[A-Z]+[0-9]+"', b' r="' + bad + b'"', m.group(0), count=1)
        case.error("a cell reference that is not a cell")
        return xml[:m.start()] + new + xml[m.end():], f"cell reference -> {bad!r}"
    return _xml_edit(case, edit)


@mutation(3)
def xml_far_cell(case: Case) -> str:
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        row = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>'
        case.error("content outside the input block")
        return xml.replace(b"</sheetData>", row + b"</sheetData>"), "a value at XFD1048576"
    return _xml_edit(case, edit)


@mutation(3)
def xml_neutral(case: Case) -> str:
    """Changes that keep every value: an XML declaration, whitespace between elements, attribute order."""
    def edit(parts: dict[str, bytes], sheet: str, xml: bytes) -> tuple[bytes, str]:
        how = case.rng.choice(["declaration", "whitespace", "attributes"])
        if how == "declaration" and not xml.startswith(b"<?xml"):
            return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + xml, how
        if how == "whitespace":
            return xml.replace(b"</row><row", b"</row>\n  <row"), how
        return re.sub(rb'<c r="([A-Z]+[0-9]+)" s="(\d+)"', rb'<c s="\2" r="\1"', xml), how
    return _xml_edit(case, edit)


@mutation(3)
def xml_workbook_part(case: Case) -> str:
    parts = _unzip(case.data)
    damage = case.rng.choice(["sheet listed twice", "sheet entry removed", "sheet part missing", "content types gone",
                              "styles garbled", "workbook truncated", "unread part garbled"])
    present = [s for s in ASSUMPTION_SHEETS if s in _sheet_parts(parts)]
    if not present:
        return "no assumption sheet left"
    sheet = case.rng.choice(present)
    entry = re.search(rb'<sheet [^>]*name="' + re.escape(sheet.encode()) + rb'"[^>]*/>', parts["xl/workbook.xml"])
    assert entry is not None
    if damage == "sheet listed twice":
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(entry.group(0), entry.group(0) * 2)
    elif damage == "sheet entry removed":
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(entry.group(0), b"")
    elif damage == "sheet part missing":
        del parts[_sheet_parts(parts)[sheet]]
    elif damage == "content types gone":
        del parts["[Content_Types].xml"]
    elif damage == "styles garbled":
        parts["xl/styles.xml"] = parts["xl/styles.xml"][:200] + b"<<>>"
    elif damage == "workbook truncated":
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"][:300]
    else:
        parts["docProps/app.xml"] = b"not xml at all"
    if damage != "unread part garbled":
        case.error(damage)
    case.data = _zip(parts)
    return f"package: {damage} ({sheet})"


# -- phase 4: the zip package ------------------------------------------------------------------------------

def _entries(data: bytes) -> list[tuple[int, int, int, int]]:
    """(local header offset, central entry offset, data offset, compressed size) of each zip entry."""
    end = data.rfind(b"PK\x05\x06")
    count, _size, start = struct.unpack("<HII", data[end + 10:end + 20])
    out, pos = [], start
    for _ in range(count):
        csize, _usize, nlen, xlen, clen = struct.unpack("<IIHHH", data[pos + 20:pos + 34])
        local = struct.unpack("<I", data[pos + 42:pos + 46])[0]
        lnlen, lxlen = struct.unpack("<HH", data[local + 26:local + 30])
        out.append((local, pos, local + 30 + lnlen + lxlen, csize))
        pos += 46 + nlen + xlen + clen
    return out


@mutation(4)
def zip_damage(case: Case) -> str:
    data = bytearray(case.data)
    entries = _entries(case.data)
    local, central, start, size = case.rng.choice(entries)
    damage = case.rng.choice(["byte flipped", "encrypted flag", "unknown compression", "crc changed"])
    if damage == "byte flipped" and size:
        data[start + case.rng.randrange(size)] ^= 1 << case.rng.randrange(8)
    elif damage == "encrypted flag":
        data[local + 6] |= 1
        data[central + 8] |= 1
    elif damage == "unknown compression":
        data[local + 8:local + 10] = data[central + 10:central + 12] = struct.pack("<H", 99)
    else:
        data[central + 16] ^= 0xFF
        data[local + 14] ^= 0xFF
    case.data = bytes(data)
    case.damage(f"zip: {damage}")
    return f"zip: {damage} in the entry at {local}"


@mutation(4)
def zip_package(case: Case) -> str:
    changes = ["truncated", "junk before", "junk after", "huge declared size"]
    try:
        _unzip(case.data)
        changes += ["entry twice", "entries reordered", "stored", "comment"]
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
        pass  # damaged by an earlier mutation: only changes to the bytes
    change = case.rng.choice(changes)
    if change == "truncated":
        case.data = case.data[:case.rng.randrange(10, len(case.data) - 1)]
        case.error("a truncated file")
    elif change == "entry twice":
        parts = list(_unzip(case.data).items())
        name, data = case.rng.choice(parts)
        out = io.BytesIO()
        with warnings_off(), _StampedZip(out, "w", zipfile.ZIP_DEFLATED) as z:
            for n, d in [*parts, (name, data)]:
                z.writestr(n, d)
        case.data = out.getvalue()
        case.error("a part listed twice")
    elif change == "entries reordered":
        parts = list(_unzip(case.data).items())
        case.rng.shuffle(parts)
        case.data = _zip(dict(parts))
    elif change == "stored":
        case.data = _zip(_unzip(case.data), zipfile.ZIP_STORED)
    elif change == "junk before":
        case.data = b"JUNK" * 100 + case.data
    elif change == "junk after":
        case.data = case.data + b"\x00garbage" * 10
        case.damage("junk after the zip directory")
    elif change == "comment":
        z = io.BytesIO(case.data)
        with zipfile.ZipFile(z, "a") as archive:
            archive.comment = b"saved by a fuzzer"
        case.data = z.getvalue()
    else:
        data = bytearray(case.data)
        _, central, _, _ = case.rng.choice(_entries(case.data))
        data[central + 24:central + 28] = struct.pack("<I", 0xFFFFFFF0)
        case.data = bytes(data)
        case.error("a part declared larger than any workbook")
    return f"zip: {change}"


@contextlib.contextmanager
def warnings_off() -> Any:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# -- phase 5: other files ----------------------------------------------------------------------------------

@mutation(5)
def file_type(case: Case) -> str:
    kind = case.rng.choice(["empty", "csv", "html", "random bytes", "old xls", "gzip", "zip of text", "ods",
                            "other xlsx", "folder", "pdf", "utf-16 text", "other extension"])
    if kind == "other extension":
        case.name = case.rng.choice(["TCO.xlsx", "TCO.XLSM", "TCO.xlsm.bak", "TCO"])
        return f"the workbook named {case.name}"
    case.error(f"not a workbook: {kind}")
    if kind == "folder":
        case.as_folder = True
        return "a folder where the workbook should be"
    if kind in ("zip of text", "ods"):
        out = io.BytesIO()
        with _StampedZip(out, "w") as z:
            if kind == "ods":
                z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
                z.writestr("content.xml", "<office:document-content/>")
            else:
                z.writestr("readme.txt", "hello")
        case.data = out.getvalue()
    elif kind == "other xlsx":
        wb = openpyxl.Workbook()
        wb.active.title = "Summary"
        wb.active["A1"] = "not the assumptions"
        case.data = _save(wb)
    else:
        case.data = {"empty": b"", "csv": b"key,value\nusage.reference_agents,47\n", "html": b"<html><body>x</body>",
                     "random bytes": case.rng.randbytes(4096), "old xls": _OLE + b"\0" * 512,
                     "gzip": gzip.compress(case.data), "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
                     "utf-16 text": "key\tvalue\n".encode("utf-16")}[kind]
    return f"file replaced: {kind}"


# -- running a case ----------------------------------------------------------------------------------------

@dataclass
class Outcome:
    case: int
    kind: str                 # error, accepted, refused-valid, crash, wrong
    mutations: list[str]
    notes: list[str]
    detail: str = ""


_BASE: dict[str, Any] = {}


def base() -> dict[str, Any]:
    """The built workbook's bytes, its assumptions' content and numbers (once per process)."""
    if not _BASE:
        data = workbook_bytes()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "TCO.xlsm"
            path.write_bytes(data)
            a = load_assumptions(path)
        _BASE.update(data=data, dump=a.model_dump(), numbers=numbers(a))
    return _BASE


def numbers(a: Assumptions) -> dict[str, Any] | str:
    """Monthly and one-time amounts of every scenario at AGENTS (with its line count), or why there are none."""
    try:
        results = evaluate(a, AGENTS)
    except TcoError as exc:
        return f"error: {exc}"
    out: dict[str, Any] = {}
    for key, r in results.items():
        for c in r.components:
            for what in ("monthly", "one_time"):
                value = np.asarray(getattr(c, what), dtype=float)
                if not np.all(np.isfinite(value)) or np.any(value < 0):
                    return f"bad: {key} {c.name} {what} = {value}"
        out[key] = (np.broadcast_to(r.monthly, (len(AGENTS),)).copy(),
                    np.broadcast_to(r.one_time, (len(AGENTS),)).copy(), len(r.components))
    return out


def same_numbers(x: dict[str, Any] | str, y: dict[str, Any] | str) -> bool:
    if isinstance(x, str) or isinstance(y, str):
        return isinstance(x, str) and isinstance(y, str) and x.split(":")[0] == y.split(":")[0]
    return x.keys() == y.keys() and all(
        x[k][2] == y[k][2] and np.allclose(x[k][0], y[k][0], rtol=1e-9, atol=1e-9)
        and np.allclose(x[k][1], y[k][1], rtol=1e-9, atol=1e-9) for k in x)


def build_case(number: int, seed: int) -> tuple[Case, list[Mutation]]:
    """Draw and apply the mutations of case ``number`` (deterministic in (seed, number))."""
    b = base()
    rng = random.Random(f"{seed}:{number}")
    import copy
    case = Case(number, rng, copy.deepcopy(b["dump"]), data=b["data"])
    drawn = sorted(rng.choices(MUTATIONS, weights=[m.weight for m in MUTATIONS], k=rng.choice([1, 1, 2, 2, 3])),
                   key=lambda m: m.phase)
    if any(m.phase == 5 for m in drawn):
        drawn = [m for m in drawn if m.phase == 5][:1]
    if any(m.phase <= 2 for m in drawn):
        case.wb = openpyxl.load_workbook(io.BytesIO(b["data"]), keep_vba=True)
    for m in drawn:
        if m.phase >= 3 and case.wb is not None:
            case.data, case.wb = _save(case.wb), None
        case.notes.append(m.apply(case))
    if case.wb is not None:
        case.data, case.wb = _save(case.wb), None
    return case, drawn


def run_case(number: int, seed: int, folder: Path) -> Outcome:
    """Build case ``number``, read it every way and classify what happened."""
    names: list[str] = []
    try:
        case, drawn = build_case(number, seed)
        names = [m.name for m in drawn]
    except Exception:  # noqa: BLE001 - a fuzzer bug must not hide the other cases' outcomes
        return Outcome(number, "crash", names, [], "building the case failed (fuzzer bug):\n" + traceback.format_exc())
    path = folder / f"case{number}" / case.name
    path.parent.mkdir(parents=True, exist_ok=True)
    if case.as_folder:
        path.mkdir()
    else:
        path.write_bytes(case.data)
    return classify(case, names, path)


def _expected(case: Case) -> dict[str, Any] | str:
    """The numbers the cells' content gives, or why it must be refused."""
    if case.errors():
        return "refuse: " + "; ".join(case.errors())
    try:
        a = Assumptions.model_validate(case.dump)
    except ValidationError as exc:
        return "refuse: invalid content: " + " ".join(str(exc).split())[:300]
    return numbers(a)


def classify(case: Case, names: list[str], path: Path) -> Outcome:
    def outcome(kind: str, detail: str = "") -> Outcome:
        return Outcome(case.number, kind, names, case.notes, detail)

    try:
        a = load_assumptions(path)
        loaded: dict[str, Any] | str = numbers(a)
    except TcoError as exc:
        a, loaded = None, f"error: {exc}"
    except Exception:  # noqa: BLE001 - what the fuzzer is looking for
        return outcome("crash", traceback.format_exc())
    runner = CliRunner()
    check = runner.invoke(app, ["workbook", "check", str(path)])
    report = runner.invoke(app, ["report", "--workbook", str(path), "--format", "csv", *[f"-a{n}" for n in AGENTS]])
    for name, run in (("check", check), ("report", report)):
        if run.exception is not None and not isinstance(run.exception, SystemExit):
            return outcome("crash", f"tco-xl {name}: " + "".join(traceback.format_exception(run.exception)))
        if run.exit_code not in (0, 1) or "Traceback" in run.output:
            return outcome("crash", f"tco-xl {name} exit {run.exit_code}: {run.output[-2000:]}")
        if run.exit_code == 1 and not run.stderr.startswith("error: "):
            return outcome("crash", f"tco-xl {name} exit 1 without an error message: {run.output[-500:]}")
    priced = a is not None and not isinstance(loaded, str)
    overflow = "not a finite" in check.stderr
    if (check.exit_code == 0 and not priced) or (check.exit_code == 1 and priced and not overflow):
        return outcome("crash", f"check exit {check.exit_code} but the API gave {str(loaded)[:300]}")
    if (report.exit_code == 0) != (not isinstance(loaded, str)):
        return outcome("crash", f"report exit {report.exit_code} but the API gave {str(loaded)[:300]}")
    expected = _expected(case)
    if isinstance(loaded, str):
        message = loaded.removeprefix("error: ")
        if loaded.startswith("bad:"):
            return outcome("wrong", loaded)
        if a is None and str(path) not in message:
            return outcome("wrong", f"an error that does not name the file: {message}")
        if "unreadable sheet:" in message:
            return outcome("wrong", f"a vague error: {message}")
        if isinstance(expected, dict) and not case.damaged:
            return outcome("refused-valid", message[:1000])
        return outcome("error", message[:300])
    if isinstance(expected, str) and expected.startswith("refuse"):
        return outcome("wrong", f"accepted, but {expected}")
    missing = [w for w in case.warnings() if w not in check.stdout]
    if missing:
        return outcome("wrong", f"no warning about {missing}: {check.stdout[-500:]}")
    if not same_numbers(loaded, expected):
        return outcome("wrong", f"numbers differ from the cells' content: {_difference(loaded, expected)}")
    return outcome("accepted")


def _difference(x: Any, y: Any) -> str:
    if isinstance(x, str) or isinstance(y, str):
        return f"{str(x)[:200]} vs {str(y)[:200]}"
    for k in sorted(set(x) | set(y)):
        if k not in x or k not in y:
            return f"scenario {k} only on one side"
        if not same_numbers({k: x[k]}, {k: y[k]}):
            return f"{k}: read {x[k][0]}/{x[k][1]} ({x[k][2]} items), expected {y[k][0]}/{y[k][1]} ({y[k][2]} items)"
    return "?"


# -- the command -------------------------------------------------------------------------------------------

def fuzz(cases: range, seed: int, progress: Callable[[int], None] | None = None) -> list[Outcome]:
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="tco-fuzz-") as folder:
        for n in cases:
            outcomes.append(run_case(n, seed, Path(folder)))
            if progress is not None:
                progress(n)
    return outcomes


def summary(outcomes: list[Outcome], seed: int, seconds: float) -> str:
    kinds = Counter(o.kind for o in outcomes)
    lines = [f"{len(outcomes):,} cases (seed {seed}) in {seconds:,.0f} s: "
             + ", ".join(f"{kinds[k]:,} {k}" for k in ("error", "accepted", "refused-valid", "crash", "wrong")),
             "", f"{'mutation':28} {'cases':>6} {'error':>6} {'accepted':>8} {'refused-valid':>13} {'crash':>6} "
                 f"{'wrong':>6}"]
    by: dict[str, Counter[str]] = {}
    for o in outcomes:
        for name in set(o.mutations):
            by.setdefault(name, Counter())[o.kind] += 1
    for m in MUTATIONS:
        c = by.get(m.name, Counter())
        lines.append(f"{m.name:28} {sum(c.values()):6} {c['error']:6} {c['accepted']:8} {c['refused-valid']:13} "
                     f"{c['crash']:6} {c['wrong']:6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="python -m tools.fuzz_workbook")
    parser.add_argument("--cases", type=int, default=CASES, help=f"number of cases (default {CASES:,})")
    parser.add_argument("--seed", type=int, default=SEED, help="seed (default 0)")
    parser.add_argument("--case", type=int, help="run this one case and print it")
    parser.add_argument("--show", type=int, default=10, help="failures (and refused valid edits) to print in full")
    args = parser.parse_args(argv)
    base()
    if args.case is not None:
        with tempfile.TemporaryDirectory() as folder:
            o = run_case(args.case, args.seed, Path(folder))
        print(f"case {o.case}: {o.kind}\n  mutations: {', '.join(o.mutations)}")
        print("\n".join(f"  - {n}" for n in o.notes))
        print(o.detail)
        return 1 if o.kind in FAILURES else 0
    start = time.perf_counter()
    outcomes = fuzz(range(args.cases), args.seed,
                    lambda n: print(f"\r{n + 1:,}/{args.cases:,}", end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    print(summary(outcomes, args.seed, time.perf_counter() - start))
    for kind in ("crash", "wrong", "refused-valid"):
        listed = [o for o in outcomes if o.kind == kind]
        for o in listed[:args.show]:
            print(f"\n{kind}: case {o.case} ({', '.join(o.mutations)})")
            print("\n".join(f"  - {n}" for n in o.notes))
            print("  " + o.detail.strip().replace("\n", "\n  ")[:3000])
    return 1 if any(o.kind in FAILURES for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
