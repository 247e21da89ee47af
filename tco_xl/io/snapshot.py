"""Snapshot workbooks: what the model said, with which rates, in one macro-free .xlsx built from scratch.

A snapshot opens on a one-page Summary a CFO reads first (``snapshot_summary``), then holds every
scenario at every requested headcount to the cent (Results), charts (``snapshot_charts``), every line
item with its derivation (Breakdown), every assumption exactly as read with its unit, range, source and
sheet!cell (Assumptions), the capacity behind the prices (Capacity), the analyses (Levers: what each
what-if saves; Break-even, Sensitivity, Uncertainty) and its provenance (Metadata, with the what-ifs
applied to the assumptions, if any). Money comes only from the engine's results and
components; these modules lay them out. Every sheet prints: A4, fitted to the page width, header rows
repeated, charts kept whole (``xlsx.print_setup``); ``tco-xl export --pdf`` renders it with LibreOffice.

Sheets are a list of writers, one function per sheet. Output is deterministic: equal inputs and
tco_xl version give equal cells, and with a fixed creation time equal bytes (zip entry times and
document properties are set from the creation time). Workbook text is never written as a formula.

Assumption keys in the Assumptions and Breakdown sheets are stable across row insertions: table rows
are keyed by what identifies them (``providers[aws|S3 Standard].unit_price``,
``stacks[hybrid].setup_usd``, ``llm_models[gpt-4o].input_usd_per_1k``), not by position.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.writer.excel import ExcelWriter

from .. import __version__
from ..analysis.breakeven import AGENTS_MAX, breakeven_table, metric_grid
from ..analysis.factors import Factor, factors
from ..analysis.levers import grouped_levers, levers
from ..analysis.montecarlo import Simulation, simulate
from ..analysis.sensitivity import tornado
from ..assumptions import Assumptions, scalar_specs
from ..assumptions.keys import readable_key, stable_keys
from ..engine import METRICS, ScenarioResult, capacity, compare, evaluate
from ..engine.inputs import agent_grid, metric_label
from ..engine.support import support_hours
from ..errors import InputError
from .atomic import write_bytes_atomic
from .layout import DEFAULT_WORKBOOK, cell_of
from .snapshot_charts import bar_chart, charts_sheet, text_categories
from .snapshot_summary import SUMMARY_HEADCOUNTS, recommendation, spread, summary_sheet
from .xlsx import (
    COUNT,
    HEADER,
    HEADER_ALIGN,
    LINE_HEIGHT,
    PERCENT,
    PRICE,
    QTY,
    USD,
    WRAP,
    Column,
    cell,
    lines,
    print_setup,
    widths,
    write_table,
)

__all__ = ["ANALYSIS_MAX_HEADCOUNTS", "ASSUMPTION_CELLS", "FORMAT", "RESULTS", "Export", "Provenance", "SheetWriter",
           "SnapshotData", "export_snapshot", "provenance", "sheet_writers", "snapshot_bytes", "snapshot_data",
           "snapshot_metadata", "snapshot_name", "stable_keys", "summary_headers"]

#: Written to Metadata!B2; the diff accepts snapshots of this format. Format 2: the table of every scenario ×
#: headcount moved from 'Summary' (now the one-page document) to 'Results'.
FORMAT = "tco_xl-snapshot/2"
#: The sheet holding every scenario × headcount (what the diff reads; 'Summary' in format 1).
RESULTS = "Results"
#: The sheet holding every assumption value keyed as the diff compares them ('Assumptions' in format 1).
ASSUMPTION_CELLS = "Assumption cells"
BUNDLED = "bundled defaults (= workbook/TCO.xlsm)"
ANALYSIS_MAX_HEADCOUNTS = 10  # analysis sheets by default up to this many headcounts
SECTION_FONT = Font(bold=True, size=12)


# -- inputs of a snapshot ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Provenance:
    """Where the assumptions came from: label, SHA-256 of the source workbook ('' unknown), git commit."""

    source: str
    workbook_sha256: str
    git_commit: str
    from_workbook: bool


def provenance(workbook: Path | None) -> Provenance:
    """Provenance of assumptions read from ``workbook`` (None: the bundled defaults)."""
    hashed = workbook if workbook is not None else (DEFAULT_WORKBOOK if DEFAULT_WORKBOOK.is_file() else None)
    sha = hashlib.sha256(Path(hashed).read_bytes()).hexdigest() if hashed is not None else ""
    return Provenance(Path(workbook).name if workbook is not None else BUNDLED, sha, _git_commit(),
                      workbook is not None)


def _git_commit() -> str:
    """Commit of the tco_xl source tree, or '' outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


@dataclass(frozen=True)
class SnapshotData:
    """Everything a snapshot shows: assumptions, headcounts (sorted, distinct), creation time (UTC), provenance."""

    a: Assumptions
    agents: np.ndarray
    created: datetime
    provenance: Provenance
    analysis: bool = False
    #: told the number of rows each time table rows are written (the export's progress); not part of the content
    on_rows: Callable[[int], None] | None = field(default=None, compare=False, repr=False)

    def advance(self, rows: int) -> None:
        """Report ``rows`` more table rows written."""
        if self.on_rows is not None:
            self.on_rows(rows)

    @cached_property
    def results(self) -> dict[str, ScenarioResult]:
        """Every scenario over the headcounts, from the engine."""
        return evaluate(self.a, self.agents)

    @cached_property
    def table(self) -> pd.DataFrame:
        """The engine's comparison: a row per headcount and scenario, sorted by N-year TCO, cheapest marked."""
        return compare(self.agents, self.a)

    @cached_property
    def keys(self) -> dict[str, str]:
        """Stable key of every table row reference: 'providers[3]' -> 'providers[aws|S3 Standard]'."""
        return stable_keys(self.a)

    @property
    def horizon(self) -> int:
        return self.a.finance.horizon_years

    @cached_property
    def summary_agents(self) -> list[int]:
        """The headcounts the Summary page shows: up to four, evenly spread, first and last included."""
        return spread(self.agents, SUMMARY_HEADCOUNTS)

    @cached_property
    def factors(self) -> list[Factor]:
        """Every movable assumption with its range (see ``tco_xl.analysis.factors``)."""
        return factors(self.a)

    @property
    def curve_exact(self) -> bool:
        """True when ``curve`` holds every headcount 1..the largest requested (up to 10,000), so its break-even
        points are exact."""
        return int(self.agents.max()) <= AGENTS_MAX

    @cached_property
    def curve(self) -> pd.DataFrame:
        """N-year TCO (USD) of every scenario (columns) from 1 to the largest requested headcount (index): every
        headcount up to 10,000, above that 2,001 evenly spread ones."""
        top = max(int(self.agents.max()), 2)
        if self.curve_exact:
            return metric_grid(self.a, "tco", top)
        grid = np.unique(np.linspace(1, top, 2_001).round())
        results = evaluate(self.a, grid)
        return pd.DataFrame({k: np.broadcast_to(r.tco, grid.shape) for k, r in results.items()},
                            index=pd.Index(grid.astype(int), name="agents"))

    @cached_property
    def cheapest_runs(self) -> list[tuple[int, int, str]]:
        """(first, last headcount, scenario key) of each run of ``curve`` with the same cheapest scenario."""
        winner = self.curve.columns[self.curve.to_numpy().argmin(axis=1)]
        agents = self.curve.index.to_numpy()
        starts = [0, *np.flatnonzero(winner[1:] != winner[:-1]) + 1]
        ends = [*starts[1:], len(agents)]
        return [(int(agents[a]), int(agents[b - 1]), str(winner[a])) for a, b in zip(starts, ends, strict=True)]

    @cached_property
    def levers(self) -> pd.DataFrame:
        """What each what-if (and their combination) saves in every scenario at every headcount, ranked."""
        return levers(self.a, self.agents)

    @cached_property
    def simulations(self) -> dict[int, Simulation]:
        """Monte Carlo at every headcount (seeded: repeatable), for the Uncertainty sheet and the Summary."""
        return {int(n): simulate(self.a, int(n), currency="USD") for n in self.agents}


def snapshot_data(a: Assumptions, agents: Iterable[Any], source: Provenance, created: datetime | None = None,
                  analysis: bool | None = None) -> SnapshotData:
    """Checked inputs of a snapshot; ``created`` defaults to ``SOURCE_DATE_EPOCH`` or now (UTC, whole seconds),
    ``analysis`` (the analysis sheets) to on up to ANALYSIS_MAX_HEADCOUNTS headcounts."""
    counts = np.unique(agent_grid(list(agents), "--agents"))
    with_analysis = len(counts) <= ANALYSIS_MAX_HEADCOUNTS if analysis is None else analysis
    return SnapshotData(a, counts, creation_time(created), source, with_analysis)


def creation_time(created: datetime | None = None) -> datetime:
    """``created`` in UTC, else ``SOURCE_DATE_EPOCH`` (seconds since 1970), else now; whole seconds, ≥ 1980."""
    if created is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            try:
                created = datetime.fromtimestamp(int(epoch), UTC)
            except (ValueError, OverflowError, OSError):
                raise InputError("SOURCE_DATE_EPOCH", epoch, "whole seconds since 1970-01-01 UTC") from None
        else:
            created = datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    created = created.astimezone(UTC).replace(microsecond=0)
    if created.year < 1980:
        raise InputError("created", created.isoformat(), "a time from 1980 on (zip files cannot date earlier)")
    return created


# -- sheets ----------------------------------------------------------------------------------------
def summary_headers(horizon: int) -> dict[str, str]:
    """Results column headers by metric: 'tco' -> '5-year TCO (USD)', 'annual' -> 'Annual, years 2..5 (USD/year)'."""
    def shown(metric: str) -> str:
        return re.sub(r" \((.*)\)$", r", \1", metric_label(metric, horizon))
    return {m: f"{shown(m)} ({unit})" for m, (_, unit, _) in METRICS.items()}


RESULT_METRICS = ("year1", "annual", "tco", "monthly", "one_time", "per_agent_month")


def results_sheet(ws, d: SnapshotData) -> int:
    """Every scenario at every headcount: the metrics to the cent, rank, cheapest marked, the recommendation."""
    print_setup(ws, landscape=True)
    headers = summary_headers(d.horizon)
    columns = [Column("Agents", COUNT), Column("Rank", COUNT), Column("Scenario"), Column("Key"), Column("Kind"),
               *(Column(headers[m], USD, max_width=16) for m in RESULT_METRICS), Column("Cheapest"),
               Column("Recommendation", max_width=60, wrap=True)]

    def rows(counts: Iterable[float]) -> Iterator[tuple]:
        table = d.table[d.table.agents.isin(list(counts))]
        for _, block in table.groupby("agents", sort=True):
            text = recommendation(block, d.horizon)
            for r in block.itertuples():
                yield (int(r.agents), int(r.rank), r.name, r.scenario, r.kind,
                       *(float(getattr(r, m)) for m in RESULT_METRICS),
                       "cheapest" if r.cheapest else None, text if r.cheapest else None)

    return write_table(ws, columns, rows(d.agents), freeze="D2", marked=lambda row: row[-2] is not None,
                 measure=rows(d.agents[-1:]), progress=d.advance)


def breakdown_sheet(ws, d: SnapshotData) -> int:
    """Every line item of every scenario at every headcount, with its derivation and the assumptions it reads."""
    print_setup(ws, landscape=True)
    columns = [Column("Agents", COUNT), Column("Scenario"), Column("Key"), Column("Category"), Column("Item"),
               Column("Quantity", QTY), Column("Unit"), Column("Unit price (USD)", PRICE),
               Column("Monthly (USD/month)", USD), Column("One-time (USD)", USD), Column("Derivation", max_width=130),
               Column("Assumptions", max_width=60)]
    keys = {key: [", ".join(readable_key(d.keys, k) for k in c.keys) for c in r.components]
            for key, r in d.results.items()}

    def rows(indices: Iterable[int]) -> Iterator[tuple]:
        for i in indices:
            for r in d.results.values():
                for point, used in zip(r.at(i).components, keys[r.key], strict=True):
                    yield (int(d.agents[i]), r.name, r.key, point.category, point.name, point.quantity, point.unit,
                           point.unit_price, point.monthly, point.one_time, point.derivation(), used)

    last = len(d.agents) - 1  # printed without the Assumptions column (keys for tracing, on screen)
    return write_table(ws, columns, rows(range(len(d.agents))), freeze="D2", measure=rows([last]),
                       progress=d.advance, print_columns=len(columns) - 1)


def _price_unit(line) -> str:
    """'USD/server/hour', 'EUR/GB/month', 'USD/month' (a flat monthly fee)."""
    flat = (line.unit, line.billing) == ("month", "month")
    return f"{line.currency}/month" if flat else f"{line.currency}/{line.unit}/{line.billing}"


#: Units of table fields (PriceLine unit prices depend on the row: see _price_unit).
TABLE_UNITS = {
    "quantity": "× driver", "discount": "share", "input_usd_per_1k": "USD/1K tokens",
    "output_usd_per_1k": "USD/1K tokens", "app_servers_min": "servers", "agents_per_app_server": "agents/server",
    "support_hours": "h/month at reference", "setup_usd": "USD one-time",
    "support_hours_mid": "h/month at the 2nd headcount", "support_hours_high": "h/month at the 3rd headcount",
    "tokens_per_sec": "tokens/s per server", "stt_streams": "streams per server",
    "tts_chars_per_sec": "characters/s per server",
}
#: Fields that identify a row (in its key) or go in its Source, Low and High columns rather than rows of their own.
ROW_FIELDS = {"group", "line", "key", "what_if", "assumption", "source", "price_low", "price_high"}


def _value(v: Any) -> Any:
    """A cell value exactly as read: lists as comma-separated text, numbers and booleans as they are."""
    return ", ".join(map(str, v)) if isinstance(v, list) else v


def _origin_lookup(d: SnapshotData) -> Callable[[str], str]:
    """Sheet!cell of an assumption key ('usage.calls_per_agent_per_day', 'providers[3].unit_price'): where it
    was read from, or for the bundled defaults where it lives in workbook/TCO.xlsm as built."""
    if d.provenance.from_workbook:
        return lambda key: d.a.origins.get(key, "")
    return lambda key: cell_of(d.a.origins.get(key, key))  # a what-if's value: its cell, e.g. 'what_ifs[3].value'


def range_used(f: Factor | None) -> str | None:
    """The range sensitivity and Monte Carlo use, and where it comes from: '30 – 50 (±25% usage volumes)';
    an input without a range moves by sensitivity's spread only: '1 – 3 (±20%, sensitivity only)'."""
    if f is None or f.low == f.high:
        return None
    return f"{f.low:,.6g} – {f.high:,.6g} ({f.range_source}{'' if f.ranged else ', sensitivity only'})"


def assumption_rows(d: SnapshotData) -> Iterator[tuple]:
    """(key, label, value, unit, low, high, range used, source, note, cell, read from) for every scalar and
    table value; Low/High as read (blank where the default band of the input's kind applies)."""
    a, origin = d.a, _origin_lookup(d)
    read_from = d.provenance.source
    used = {f.key: f for f in d.factors}
    for s in scalar_specs():
        rng = a.ranges.get(s.key)
        yield (s.key, s.label, a.value(s.key), s.unit, rng.low if rng else None, rng.high if rng else None,
               range_used(used.get(s.key)), s.source, s.note, origin(s.key), read_from)
    for table in ("providers", "options", "llm_models", "gpu_servers", "stacks", "what_ifs"):
        for i, row in enumerate(getattr(a, table)):
            for name, info in type(row).model_fields.items():
                if name in ROW_FIELDS:
                    continue
                priced = name == "unit_price"
                unit = _price_unit(row) if priced else row.unit if name == "included" else TABLE_UNITS.get(name, "")
                yield (f"{d.keys[f'{table}[{i}]']}.{name}", info.description or name, _value(getattr(row, name)),
                       unit, row.price_low if priced else None, row.price_high if priced else None,
                       range_used(used.get(f"{table}[{i}].{name}")), row.source, "", origin(f"{table}[{i}].{name}"),
                       read_from)


ASSUMPTION_COLUMNS = [Column("Key", max_width=70), Column("Label", max_width=60), Column("Value"), Column("Unit"),
                      Column("Low"), Column("High"), Column("Range used", max_width=50), Column("Source", max_width=60),
                      Column("Note", max_width=60), Column("Cell"), Column("Read from", max_width=40)]


def assumption_cells_sheet(ws, d: SnapshotData) -> int:
    """Every assumption value exactly as read, one row per value keyed as the diff compares them, with unit, range,
    source and the sheet!cell it came from. Hidden: the Assumptions sheet shows the same values to read and print."""
    ws.sheet_state = "hidden"
    print_setup(ws, landscape=True)
    return write_table(ws, ASSUMPTION_COLUMNS, assumption_rows(d), freeze="B2")


#: The columns of the Assumptions sheet's sections: scalars, then each table as the workbook lays it out.
SCALAR_VIEW = ("Key", "Assumption", "Value", "Unit", "Range used", "Cell")
HIDDEN_TABLE_FIELDS = {"source", "price_low", "price_high"}


def assumptions_sheet(ws, d: SnapshotData) -> int:
    """Every assumption as the workbook holds it, to read and print: the scalars with value, unit, the range the
    analyses use and their source; then the Providers, Options, LLM models and Stacks tables row by row."""
    from .layout import TABLE_SHEETS
    print_setup(ws, landscape=True)
    used = {f.key: f for f in d.factors}
    origin = _origin_lookup(d)
    sections = [("Scalar assumptions (the Usage … Finance sheets)", list(SCALAR_VIEW),
                 [[s.key, s.label, _value(d.a.value(s.key)), s.unit, range_used(used.get(s.key)), origin(s.key),
                   s.source] for s in scalar_specs()])]
    for sheet in TABLE_SHEETS:
        fields = [c for c in sheet.columns if c.field not in HIDDEN_TABLE_FIELDS]
        rows = []
        for i, row in enumerate(getattr(d.a, sheet.table)):
            ranges = [f"{f.label.rpartition(': ')[2]} {text}" for key, f in used.items()
                      if key.startswith(f"{sheet.table}[{i}].") and (text := range_used(f))]
            rows.append([*(_value(getattr(row, c.field)) for c in fields), "; ".join(ranges) or None, row.source])
        sections.append((f"{sheet.name} (the {sheet.name} sheet)", [c.header for c in fields] + ["Range used"], rows))
    source_col = max(len(header) for _, header, _ in sections)  # Source comes last in every section

    def padded(values: list[Any]) -> list[Any]:
        return [*values[:-1], *[None] * (source_col - len(values) + 1), values[-1]]

    blocks = [(title, padded([*header, "Source"]), [padded(r) for r in rows]) for title, header, rows in sections]
    sizes = widths([Column("", max_width=40)] * source_col + [Column("", max_width=60)],
                   (tuple(r) for _, header, rows in blocks for r in [header, *rows]))
    for i, size in enumerate(sizes, start=1):
        ws.column_dimensions[get_column_letter(i)].width = size
    cells, row_no = 0, 0
    for title, header, rows in blocks:
        out = [[cell(ws, title, None, (SECTION_FONT, PatternFill()))],
               [cell(ws, h, None, HEADER, HEADER_ALIGN) if h is not None else None for h in header],
               *([cell(ws, v, align=WRAP) for v in values] for values in rows), []]
        for values in out:
            row_no += 1
            height = max((lines(t, w) for t, w in zip((getattr(v, "value", v) for v in values), sizes, strict=False)
                          if isinstance(t, str)), default=1)
            if height > 1 and len(values) > 1:
                ws.row_dimensions[row_no].height = LINE_HEIGHT * height
            ws.append(values)
            cells += sum(getattr(v, "value", v) not in (None, "") for v in values)
    return cells


def capacity_sheet(ws, d: SnapshotData) -> int:
    """Mac Studios, sites and servers (rented GPU servers too) of every scenario at every headcount (the quantities
    behind the prices)."""
    print_setup(ws, landscape=True)
    columns = [Column("Agents", COUNT), Column("Scenario"), Column("Key"), Column("Mac Studios active (units)", COUNT),
               Column("Mac Studios incl. failover (units)", COUNT), Column("Sites", COUNT),
               Column("Application servers", COUNT), Column("Database servers", COUNT),
               Column("GPU servers", COUNT), Column("Monitored hosts", COUNT), Column("Support (h/month)", QTY)]
    a, grid = d.a, d.agents
    per_stack = []
    for stack in a.stacks:
        drivers = capacity.drivers(a, stack, grid)
        onprem = stack.mac_studios
        active = capacity.mac_studios_active(a, grid, *capacity.self_hosted(stack)) if onprem else grid * 0
        sites = capacity.sites(a, drivers["mac_studios"]) if onprem else grid * 0
        per_stack.append((stack, [np.broadcast_to(x, grid.shape) for x in (
            active, drivers["mac_studios"], sites, drivers["app_servers"], drivers["db_servers"],
            drivers["gpu_servers"], drivers["hosts"], support_hours(a, stack, grid))]))

    def rows(indices: Iterable[int]) -> Iterator[tuple]:
        for i in indices:
            for stack, cols in per_stack:
                yield (int(grid[i]), stack.name, stack.key, *(float(c[i]) for c in cols))

    return write_table(ws, columns, rows(range(len(grid))), freeze="D2", measure=rows([len(grid) - 1]),
                 progress=d.advance)


def metadata_rows(d: SnapshotData, sheets: list[str]) -> list[tuple[str, Any]]:
    """(key, value) pairs identifying the snapshot: format, version, hashes, commit, time, headcounts."""
    p = d.provenance
    return [("format", FORMAT), ("tco_xl_version", __version__), ("created", d.created.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("agents", agents_label(d.agents, ", ")), ("horizon_years", d.horizon), ("currency", "USD"),
            ("scenarios", ", ".join(d.results)), ("assumptions_sha256", d.a.content_hash()),
            ("assumptions_source", p.source), ("what_ifs", " + ".join(d.a.what_ifs_applied) or "none"),
            ("source_workbook_sha256", p.workbook_sha256),
            ("git_commit", p.git_commit), ("sheets", ", ".join(sheets))]


def snapshot_metadata(path: Path) -> dict[str, Any] | None:
    """The Metadata (key -> value) of a snapshot file, or None when ``path`` is not a tco_xl snapshot."""
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever cannot be opened is not a snapshot
        return None
    try:
        if "Metadata" not in wb.sheetnames:
            return None
        meta = {str(r[0]): r[1] for r in wb["Metadata"].iter_rows(min_row=2, max_col=2, values_only=True)
                if r and r[0] is not None}
    finally:
        wb.close()
    return meta if str(meta.get("format", "")).startswith(FORMAT.rsplit("/", 1)[0] + "/") else None


def metadata_sheet(ws, d: SnapshotData, sheets: list[str]) -> int:
    """What the snapshot is: format, tco_xl version, SHA-256 of assumptions and workbook, commit, time, headcounts."""
    print_setup(ws, landscape=False)
    return write_table(ws, [Column("Key"), Column("Value", max_width=70, wrap=True)], metadata_rows(d, sheets),
                       freeze="A2")


def breakeven_sheet(ws, d: SnapshotData) -> int:
    """Every headcount (up to 10,000 or the largest requested) where the cheaper of two scenarios changes."""
    print_setup(ws, landscape=True)
    df = breakeven_table(d.a, agents_max=max(AGENTS_MAX, int(d.agents.max())), currency="USD")
    names = {s.key: s.name for s in d.a.stacks}
    columns = [Column("Scenario A"), Column("Scenario B"), Column("Break-even (agents)", COUNT),
               Column("Cheaper below"), Column("Cheaper from"),
               Column(f"Gap before, {d.horizon}-year TCO (USD)", USD),
               Column(f"Gap after, {d.horizon}-year TCO (USD)", USD)]
    blank = lambda v, kind=float: None if pd.isna(v) else kind(v)  # noqa: E731  (a pair that never crosses)
    rows = ((names[r.scenario_a], names[r.scenario_b], blank(r.agents, int),
             names.get(r.cheaper_before, r.cheaper_before), names.get(r.cheaper_after, r.cheaper_after),
             blank(r.gap_before), blank(r.gap_after))
            for r in df.itertuples())
    return write_table(ws, columns, rows, freeze="C2")


def levers_sheet(ws, d: SnapshotData) -> int:
    """Per headcount, what each what-if of the What-ifs sheet saves (Year 1 and N-year TCO; negative: a cost),
    ranked from the largest saving to the largest cost (``ranked_levers``), the scenarios that save the same on one
    row, beside the saving the report claims; a comparison between stacks with its change per cost category; then
    the what-ifs priced together, with the sum of their separate savings (they interact). What each what-if sets:
    the What-ifs section of the Assumptions sheet."""
    print_setup(ws, landscape=True)
    h = d.horizon
    columns = [Column("Agents", COUNT), Column("Rank", COUNT), Column("What-if", max_width=36, wrap=True),
               Column("Scenarios", max_width=50, wrap=True),
               Column("Year 1 saving (USD; negative: a cost)", USD, max_width=14),
               Column(f"{h}-year saving (USD; negative: a cost)", USD, max_width=16),
               Column(f"Separate savings added, {h}-year (USD)", USD, max_width=16),
               Column("Report claims", max_width=36, wrap=True),
               Column("By cost category (comparisons)", max_width=60, wrap=True)]
    blank = lambda v: None if pd.isna(v) or v == "" else v  # noqa: E731
    rows = ((r.agents, blank(r.rank), r.what_if, r.scenarios, blank(r.year1_saving), blank(r.tco_saving),
             blank(r.separate_sum), blank(r.claimed), blank(r.categories))
            for r in grouped_levers(d.levers).itertuples())
    return write_table(ws, columns, rows, freeze="D2")


TORNADO_FACTORS = 15  # assumptions shown per tornado (largest swing first)
TORNADO_ROWS = 24  # rows the tornado chart takes under its table


def sensitivity_sheet(ws, d: SnapshotData) -> int:
    """Per headcount, the cheapest scenario's N-year TCO with each assumption at its low and its high
    (one at a time), largest swing first, with a tornado chart."""
    print_setup(ws, landscape=True)
    columns = [Column("Agents", COUNT), Column("Scenario", max_width=24, wrap=True),
               Column("Assumption", max_width=34, wrap=True), Column("Label", max_width=34, wrap=True),
               Column("Unit", max_width=16, wrap=True), Column("Base"), Column("Low"), Column("High"),
               Column("Range", max_width=20, wrap=True),
               Column(f"{d.horizon}-year TCO at low (USD)", USD), Column(f"{d.horizon}-year TCO at high (USD)", USD),
               Column("Δ at low (USD)", USD), Column("Δ at high (USD)", USD), Column("Swing (USD)", USD)]
    cheapest = d.table[d.table["rank"] == 1].drop_duplicates("agents")
    block = TORNADO_FACTORS + 1 + TORNADO_ROWS  # the table, then its tornado chart under it
    frames = [(int(r.agents), r.name, tornado(d.a, r.scenario, int(r.agents), currency="USD").head(TORNADO_FACTORS))
              for r in cheapest.itertuples()]

    def rows() -> Iterator[tuple]:
        for n, name, df in frames:
            for f in df.itertuples():
                yield (n, name, readable_key(d.keys, f.assumption), f.label, f.unit, f.base, f.low, f.high, f.range,
                       f.tco_low, f.tco_high, f.delta_low, f.delta_high, f.swing)
            yield from [(None,) * len(columns)] * (block - len(df))

    for i in range(1, len(frames)):
        ws.row_breaks.append(Break(id=1 + i * block))  # a headcount's table and its tornado on a page of their own
    cells = write_table(ws, columns, rows(), freeze="C2")
    for i, (n, name, df) in enumerate(frames):
        first, last = 2 + i * block, 1 + i * block + len(df)
        chart = bar_chart(f"Tornado: {name} at {n:,} agents, change in {d.horizon}-year TCO (USD)", len(df))
        chart.width, chart.height = 2 * chart.width, (TORNADO_ROWS - 2) * 0.53
        chart.overlap = 100
        chart.y_axis.scaling.min = None  # bars run both ways from zero (a change, not a level)
        chart.x_axis.tickLblPos = "low"  # labels at the left edge, clear of the bars
        for col, side in ((12, "low"), (13, "high")):
            chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last))
            chart.series[-1].tx = SeriesLabel(v=f"Assumption at its {side}")
        text_categories(chart, Reference(ws, min_col=4, min_row=first, max_row=last))
        ws.add_chart(chart, f"B{last + 2}")
    return cells


def uncertainty_sheet(ws, d: SnapshotData) -> int:
    """Monte Carlo (seeded, so repeatable): P10/P50/P90, mean and base N-year TCO and the chance each scenario is
    cheapest, every uncertain input drawn from a triangular (low, base, high) distribution; how many inputs were
    drawn, and why a base lies outside its P10–P90."""
    print_setup(ws, landscape=True)
    columns = [Column("Agents", COUNT), Column("Scenario", max_width=30, wrap=True), Column("Key"),
               *(Column(f"{p} {d.horizon}-year TCO (USD)", USD, max_width=16) for p in ("P10", "P50", "P90", "Mean")),
               Column(f"Base {d.horizon}-year TCO (USD)", USD, max_width=16), Column("P(cheapest)", PERCENT),
               Column("Inputs drawn", COUNT), Column("Draws", COUNT), Column("Seed", COUNT),
               Column("Base outside P10–P90: why", max_width=60, wrap=True)]

    def rows() -> Iterator[tuple]:
        for n in d.agents:
            sim = d.simulations[int(n)]
            for r in sim.summary().itertuples():
                yield (int(n), r.name, r.scenario, r.p10, r.p50, r.p90, r.mean, r.base, r.prob_cheapest,
                       len(sim.factors), sim.draws, sim.seed, r.note or None)

    return write_table(ws, columns, rows(), freeze="D2", progress=d.advance)


SheetWriter = Callable[[Any, SnapshotData], int]
CORE_SHEETS: list[tuple[str, SheetWriter]] = [
    ("Summary", summary_sheet), (RESULTS, results_sheet), ("Charts", charts_sheet), ("Breakdown", breakdown_sheet),
    ("Assumptions", assumptions_sheet), ("Capacity", capacity_sheet), (ASSUMPTION_CELLS, assumption_cells_sheet)]
ANALYSIS_SHEETS: list[tuple[str, SheetWriter]] = [
    ("Levers", levers_sheet), ("Break-even", breakeven_sheet), ("Sensitivity", sensitivity_sheet),
    ("Uncertainty", uncertainty_sheet)]


def sheet_writers(d: SnapshotData) -> list[tuple[str, SheetWriter]]:
    """The sheets of a snapshot in order (Metadata, written last, lists them)."""
    return CORE_SHEETS + (ANALYSIS_SHEETS if d.analysis else [])


def table_rows(d: SnapshotData) -> int:
    """Rows the sheets that grow with the headcounts will write (Results, Breakdown, Capacity, Uncertainty): the
    total of the export's progress."""
    per_headcount = sum(len(r.components) for r in d.results.values()) + 2 * len(d.results)
    return len(d.agents) * (per_headcount + (len(d.results) if d.analysis else 0))


# -- the file --------------------------------------------------------------------------------------
def snapshot_workbook(d: SnapshotData) -> tuple[Workbook, int]:
    """The snapshot as a write-only openpyxl workbook, and the number of cells written."""
    wb = Workbook(write_only=True)
    writers = sheet_writers(d)
    names = [name for name, _ in writers] + ["Metadata"]
    cells = sum(writer(wb.create_sheet(name), d) for name, writer in writers)
    cells += metadata_sheet(wb.create_sheet("Metadata"), d, names)
    created = d.created.replace(tzinfo=None)
    wb.properties.creator = wb.properties.lastModifiedBy = f"tco_xl {__version__}"
    wb.properties.title = f"TCO snapshot {d.created:%Y-%m-%d %H:%M:%S} UTC"
    wb.properties.created = wb.properties.modified = created
    return wb, cells


class _DatedZip(zipfile.ZipFile):
    """A zip being written whose entries all carry one timestamp (openpyxl would stamp them with the time of saving)."""

    def __init__(self, file: Any, date_time: tuple[int, int, int, int, int, int]):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.date_time = date_time

    def _entry(self, name: str, size: int = 0) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name, date_time=self.date_time)
        entry.compress_type, entry.external_attr, entry.file_size = zipfile.ZIP_DEFLATED, 0o644 << 16, size
        return entry

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        entry = self._entry(zinfo_or_arcname) if isinstance(zinfo_or_arcname, str) else zinfo_or_arcname
        super().writestr(entry, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        """Copy a file (openpyxl's streamed worksheets) in, dated like every other entry."""
        entry = self._entry(str(arcname or filename), os.path.getsize(filename))
        with open(filename, "rb") as src, self.open(entry, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


Progress = Callable[[int, int], None]


def snapshot_bytes(d: SnapshotData, progress: Progress | None = None) -> tuple[bytes, int]:
    """The .xlsx file's bytes (every zip entry and document property dated at the creation time) and the
    number of cells written; ``progress(rows written, rows in all)`` as the big sheets fill."""
    if progress is not None:
        total, done = table_rows(d), [0]

        def on_rows(rows: int) -> None:
            done[0] += rows
            progress(min(done[0], total), total)

        d = replace(d, on_rows=on_rows)
    wb, cells = snapshot_workbook(d)
    out = io.BytesIO()
    c = d.created
    with _DatedZip(out, (c.year, c.month, c.day, c.hour, c.minute, c.second)) as archive:
        ExcelWriter(wb, archive).save()  # what openpyxl's save() does, less its stamping 'modified' with now
    return out.getvalue(), cells


def agents_label(agents: Iterable[float], sep: str) -> str:
    """Headcounts with runs of three or more written as 'first..last': '47-100-500', '1..1000'."""
    counts = sorted({int(n) for n in agents})
    runs: list[list[int]] = []
    for n in counts:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [f"{r[0]}..{r[-1]}" if len(r) > 2 else sep.join(map(str, r)) for r in runs]
    return sep.join(parts)


def snapshot_name(d: SnapshotData) -> str:
    """'tco-snapshot_<YYYY-MM-DDTHHMMSSZ>_<agents>_<first 8 of the assumptions' SHA-256>.xlsx' (sorts by date)."""
    agents = agents_label(d.agents, "-")
    if len(agents) > 60:
        agents = f"{agents[:50].rsplit('-', 1)[0]}-and-{len(d.agents)}-more"
    return f"tco-snapshot_{d.created:%Y-%m-%dT%H%M%SZ}_{agents}_{d.a.content_hash()[:8]}.xlsx"


@dataclass(frozen=True)
class Export:
    """What an export wrote: the file, its size (bytes) and the number of cells."""

    path: Path
    size: int
    cells: int


def export_snapshot(d: SnapshotData, out_dir: Path, progress: Progress | None = None) -> Export:
    """Write the snapshot of ``d`` into ``out_dir`` (created if missing), atomically: a complete file or none."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("--out", str(out_dir), f"a folder that can be created ({exc.strerror})") from None
    data, cells = snapshot_bytes(d, progress)
    return Export(write_bytes_atomic(out_dir / snapshot_name(d), data), len(data), cells)
