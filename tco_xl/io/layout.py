"""The one description of TCO.xlsm: sheet names and order, columns, header row, where inputs may be.

The writer (``template``), the reader (``workbook``) and exporters that cite cells (``cell_of``) all
read it. Scalar sheets are generated from ``scalar_specs()`` (one row per assumption, in declaration
order) and table sheets from the pydantic row models (one column per field), so a new field needs no
change here. The reader finds columns by their header and scalar rows by their key, so a user may
reorder rows; ``cell_of`` gives the cell in the layout as built.

Each assumption sheet has an input block (``sheet_block``: its layout columns, rows 1..its row limit);
the loader reports anything outside it. The cells of those blocks that the loader reads (``mirrors``)
are mirrored on the hidden sheet ``_tco_inputs`` into one rectangle named ``TCO_INPUTS``, which every
shipped function call takes as its ``inputs`` argument: Excel then sees the dependency, and the
function receives every input without reading the workbook.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from ..assumptions import GROUPS, GpuServer, LlmModel, PriceLine, Stack, WhatIf, scalar_specs

README = "README"
SCENARIOS = "Scenarios"
COMPARE = "Compare"
CONF = "xlwings.conf"
INPUTS = "_tco_inputs"  # hidden sheet: the mirror of every input cell, and the drop-down lists
INPUTS_NAME = "TCO_INPUTS"  # workbook name over the mirror block: the functions' ``inputs`` argument

HEADER_ROW = 1
FIRST_ROW = 2  # first data row below the header
SCALAR_ROWS = 100  # scalar sheets: inputs within rows 1..100
TABLE_ROWS = 300  # table sheets: header + up to 299 rows

#: The repository's committed workbook (exists in a source checkout).
DEFAULT_WORKBOOK = Path(__file__).resolve().parents[2] / "workbook" / "TCO.xlsm"


@dataclass(frozen=True)
class Column:
    """One column of an assumption sheet: the model field (or scalar role) it holds and its header."""

    field: str
    header: str
    width: float
    read: bool = True  # False: written for the reader's eyes, ignored when loading


#: Scalar sheets: Key | Assumption | Value | Unit | Low | High | Source | Note.
SCALAR_COLUMNS = (
    Column("key", "Key", 38), Column("label", "Assumption", 46, read=False), Column("value", "Value", 14),
    Column("unit", "Unit", 24, read=False), Column("low", "Low", 12), Column("high", "High", 12),
    Column("source", "Source", 62, read=False), Column("note", "Note", 70, read=False),
)

# Table headers a finance user reads; a field missing here is headed by its name.
_TABLE_HEADERS = {
    "group": "Group", "line": "Line item", "category": "Category", "unit_price": "Unit price",
    "currency": "Currency", "billing": "Billing", "unit": "Unit", "driver": "Driver", "quantity": "Quantity",
    "included": "Included", "discount": "Discount", "whole_units": "Whole units", "price_low": "Price low",
    "price_high": "Price high", "source": "Source", "key": "Key", "name": "Name",
    "input_usd_per_1k": "Input USD/1K tokens", "output_usd_per_1k": "Output USD/1K tokens", "kind": "Kind",
    "mac_studios": "Mac Studios", "provider": "Provider", "provider_categories": "Provider categories",
    "app_servers_min": "Min app servers", "agents_per_app_server": "Agents per app server",
    "option_groups": "Option groups", "backups": "Backups", "llm": "LLM", "support_hours": "Support hours/month",
    "setup_usd": "Setup (USD)", "gpu": "GPU servers", "voice": "Voice AI",
    "support_hours_mid": "Support hours at 2nd headcount", "support_hours_high": "Support hours at 3rd headcount",
    "tokens_per_sec": "LLM tokens/s per server", "stt_streams": "STT streams per server",
    "tts_chars_per_sec": "TTS characters/s per server", "what_if": "What-if", "assumption": "Assumption",
    "value": "Value", "claimed": "Report claims", "description": "Description",
}
_TABLE_WIDTHS = {"line": 44, "name": 40, "source": 60, "group": 26, "key": 20, "option_groups": 30,
                 "provider_categories": 28, "backups": 22, "driver": 16, "llm": 18, "gpu": 18, "voice": 18,
                 "what_if": 28, "assumption": 56, "value": 40, "claimed": 36, "description": 70}


@dataclass(frozen=True)
class TableSheet:
    """A sheet of rows of one pydantic model, stored as ``Assumptions.<table>``."""

    table: str
    name: str
    model: type[BaseModel]
    excel_table: str  # name of the Excel Table (ListObject) over the rows
    description: str

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(Column(f, _TABLE_HEADERS.get(f, f), _TABLE_WIDTHS.get(f, 14)) for f in self.model.model_fields)


_SHEET_NAMES = {"llm": "LLM"}  # groups not named by capitalizing

#: Scalar sheet per assumptions group, in workbook order ('llm' -> 'LLM', 'telephony' -> 'Telephony').
SCALAR_SHEETS: dict[str, str] = {group: _SHEET_NAMES.get(group, group.capitalize()) for group in GROUPS}

TABLE_SHEETS: tuple[TableSheet, ...] = (
    TableSheet("providers", "Providers", PriceLine, "tblProviders",
               "Cloud providers' priced lines: one provider = the rows sharing a Group"),
    TableSheet("options", "Options", PriceLine, "tblOptions",
               "Ancillary priced lines (networking plans, email, backups, monitoring, security), same columns"),
    TableSheet("llm_models", "LLM models", LlmModel, "tblLlmModels", "LLM API price list (USD per 1K tokens)"),
    TableSheet("gpu_servers", "GPU servers", GpuServer, "tblGpuServers",
               "Rented GPU servers for self-hosted LLM and voice AI: one provider's offer = the rows sharing a Group; "
               "the first row's capacities size the group"),
    TableSheet("stacks", "Stacks", Stack, "tblStacks",
               "What each scenario is made of: Mac Studios, provider, options, LLM, support, setup"),
    TableSheet("what_ifs", "What-ifs", WhatIf, "tblWhatIfs",
               "Named what-ifs: each row sets one assumption, the rows sharing a What-if name make one what-if "
               "(the report's savings levers: tco-xl levers; any command or function applies them on request)"),
)
#: The tables the engine prices from (the What-ifs table only changes them, on request).
MODEL_TABLES: tuple[str, ...] = ("providers", "options", "llm_models", "gpu_servers", "stacks")

ASSUMPTION_SHEETS: tuple[str, ...] = (*SCALAR_SHEETS.values(), *(t.name for t in TABLE_SHEETS))
SHEET_ORDER: tuple[str, ...] = (README, SCENARIOS, COMPARE, *ASSUMPTION_SHEETS, CONF, INPUTS)


def table_sheet(table: str) -> TableSheet:
    """The sheet holding ``Assumptions.<table>``."""
    for sheet in TABLE_SHEETS:
        if sheet.table == table:
            return sheet
    raise KeyError(f"unknown table {table!r}")


def sheet_columns(sheet: str) -> tuple[Column, ...]:
    """The columns of an assumption sheet, in layout order."""
    if sheet in SCALAR_SHEETS.values():
        return SCALAR_COLUMNS
    return next(t for t in TABLE_SHEETS if t.name == sheet).columns


def sheet_rows(sheet: str) -> int:
    """Last row of ``sheet`` that may hold inputs."""
    return SCALAR_ROWS if sheet in SCALAR_SHEETS.values() else TABLE_ROWS


def sheet_block(sheet: str) -> str:
    """The input block of an assumption sheet: its layout columns, rows 1..its row limit ('A1:H100')."""
    return f"A1:{get_column_letter(len(sheet_columns(sheet)))}{sheet_rows(sheet)}"


def quoted(sheet: str) -> str:
    """``sheet`` as formulas and defined names refer to it: always quoted ("'LLM models'")."""
    return "'" + sheet.replace("'", "''") + "'"


def ref(sheet: str, cell: str) -> str:
    """A cell as people read it: 'Telephony!C7', quoted only where needed ("'LLM models'!D5")."""
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sheet)
    return f"{sheet if plain else quoted(sheet)}!{cell}"


def column_letter(columns: tuple[Column, ...], field: str) -> str:
    """Letter of ``field``'s column in the layout as built."""
    for i, column in enumerate(columns, start=1):
        if column.field == field:
            return get_column_letter(i)
    raise KeyError(f"no column {field!r}")


@cache
def _scalar_rows() -> dict[str, int]:
    """Row of every scalar assumption on its sheet as built: declaration order within its group."""
    rows: dict[str, int] = {}
    taken: Counter[str] = Counter()
    for spec in scalar_specs():
        rows[spec.key] = FIRST_ROW + taken[spec.group]
        taken[spec.group] += 1
    return rows


def scalar_row(key: str) -> int:
    """Row of scalar assumption ``key`` on its sheet as built."""
    if key not in _scalar_rows():
        raise KeyError(f"unknown assumption {key!r}")
    return _scalar_rows()[key]


_TABLE_KEY = re.compile(r"(?P<table>\w+)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?")


def cell_of(key: str, column: str = "value") -> str:
    """Where an assumption lives in the workbook as built: 'Telephony!C3', 'Providers!D5'.

    ``key`` is a scalar key ('telephony.inbound_usd_per_min'; ``column`` may be 'low' or 'high'),
    a table cell ('providers[3].unit_price', 0-based row) or a table row ('providers[3]' -> 'Providers!A5:O5').
    """
    if match := _TABLE_KEY.fullmatch(key):
        sheet = table_sheet(match["table"])
        row = FIRST_ROW + int(match["index"])
        if match["field"] is None:
            return ref(sheet.name, f"A{row}:{get_column_letter(len(sheet.columns))}{row}")
        return ref(sheet.name, f"{column_letter(sheet.columns, match['field'])}{row}")
    group = key.partition(".")[0]
    if group not in SCALAR_SHEETS:
        raise KeyError(f"unknown assumption {key!r}")
    return ref(SCALAR_SHEETS[group], f"{column_letter(SCALAR_COLUMNS, column)}{scalar_row(key)}")


def defined_name(key: str) -> str:
    """Workbook name of a scalar assumption's Value cell: 'telephony_inbound_usd_per_min'."""
    return key.replace(".", "_")


@dataclass(frozen=True)
class Mirror:
    """Where the read cells of one assumption sheet's input block sit in the ``TCO_INPUTS`` block.

    Source rows 1..``rows`` of the source ``columns`` (1-based, the columns the loader reads) appear
    side by side from block row ``top`` and block column ``left`` (both 1-based).
    """

    sheet: str
    columns: tuple[int, ...]
    rows: int
    top: int
    left: int

    def runs(self) -> list[tuple[int, int, int]]:
        """(first source column, last source column, first block column) of each run of adjacent columns."""
        runs: list[tuple[int, int, int]] = []
        for offset, col in enumerate(self.columns):
            if runs and runs[-1][1] == col - 1:
                runs[-1] = (runs[-1][0], col, runs[-1][2])
            else:
                runs.append((col, col, self.left + offset))
        return runs


@cache
def mirrors() -> tuple[Mirror, ...]:
    """Every assumption sheet's place in the ``TCO_INPUTS`` block, packed into strips of the tallest sheet's
    height: sheets of equal width share a strip top to bottom (the scalar sheets, 3 to a strip)."""
    height = max(map(sheet_rows, ASSUMPTION_SHEETS))
    strips: list[list[int]] = []  # [left, width, used rows]
    placed = []
    for sheet in ASSUMPTION_SHEETS:
        columns = tuple(i for i, c in enumerate(sheet_columns(sheet), start=1) if c.read)
        rows = sheet_rows(sheet)
        strip = next((s for s in strips if s[1] == len(columns) and s[2] + rows <= height), None)
        if strip is None:
            strip = [sum(s[1] for s in strips) + 1, len(columns), 0]
            strips.append(strip)
        placed.append(Mirror(sheet, columns, rows, strip[2] + 1, strip[0]))
        strip[2] += rows
    return tuple(placed)


def inputs_shape() -> tuple[int, int]:
    """(rows, columns) of the ``TCO_INPUTS`` block."""
    return max(m.top + m.rows - 1 for m in mirrors()), max(m.left + len(m.columns) - 1 for m in mirrors())
