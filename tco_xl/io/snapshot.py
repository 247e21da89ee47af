"""Snapshot workbooks: what the model said, with which rates, in one macro-free .xlsx built from scratch.

A snapshot holds every scenario at every requested headcount (Summary), every line item with its
derivation (Breakdown), every assumption exactly as read with its unit, source and sheet!cell
(Assumptions), the capacity behind the prices (Capacity), charts (Charts) and its provenance
(Metadata). Money comes only from the engine's results and components; this module lays them out.

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
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .. import __version__
from ..analysis.breakeven import AGENTS_MAX, breakeven_table
from ..analysis.montecarlo import simulate
from ..analysis.sensitivity import tornado
from ..assumptions import SELF_HOSTED_LLM, Assumptions, scalar_specs
from ..assumptions.keys import readable_key, stable_keys
from ..engine import METRICS, ScenarioResult, capacity, compare, evaluate
from ..engine.inputs import agent_grid, metric_label
from ..engine.support import support_hours
from ..errors import InputError
from .atomic import write_bytes_atomic
from .formula_text import looks_like_formula
from .layout import DEFAULT_WORKBOOK, cell_of

__all__ = ["ANALYSIS_MAX_HEADCOUNTS", "FORMAT", "Export", "Provenance", "SheetWriter", "SnapshotData",
           "export_snapshot", "provenance", "sheet_writers", "snapshot_bytes", "snapshot_data", "snapshot_name",
           "stable_keys", "summary_headers"]

#: Written to Metadata!B2; the diff accepts snapshots of this format.
FORMAT = "tco_xl-snapshot/1"
BUNDLED = "bundled defaults (= workbook/TCO.xlsm)"
CHART_HEADCOUNTS = 6  # charts show at most this many headcounts, evenly spread over the requested ones
ANALYSIS_MAX_HEADCOUNTS = 10  # analysis sheets by default up to this many headcounts

USD = '"$"#,##0.00'
PRICE = '"$"#,##0.00####'
COUNT = "#,##0"
QTY = "#,##0.00"
HEADER = (Font(bold=True), PatternFill("solid", fgColor="D9E1F2"))
CHEAPEST = (Font(bold=True, color="006100"), PatternFill("solid", fgColor="C6EFCE"))


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


# -- writing rows ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A table column: header, number format (None: as is) and width limit (characters)."""

    header: str
    fmt: str | None = None
    max_width: int = 50


def _text_cell(ws, value: str) -> WriteOnlyCell:
    """Text that a spreadsheet could take for a formula (= + - @), stored as a string with a quote prefix."""
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _cell(ws, value: Any, fmt: str | None, style: tuple[Font, PatternFill] | None = None) -> Any:
    if looks_like_formula(value):
        cell = _text_cell(ws, value)
    elif fmt is None and style is None:
        return value
    else:
        cell = WriteOnlyCell(ws, value)
    if fmt is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = fmt
    if style is not None:
        cell.font, cell.fill = style
    return cell


def _shown_width(value: Any, fmt: str | None) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt is not None:
        return len(f"{value:,.2f}") + (1 if "$" in fmt else 0)
    return len(str(value)) if value is not None else 0


def _table(ws, columns: list[Column], rows: Iterable[tuple], *, freeze: str = "B2",
           marked: Callable[[tuple], bool] = lambda row: False) -> int:
    """Write a header row (frozen) and ``rows``; widths from the header and the first rows; return the number
    of cells with a value.

    Rows for which ``marked(row)`` is true are highlighted (the cheapest scenario).
    """
    rows = iter(rows)
    head = list(islice(rows, 500))
    for i, col in enumerate(columns, start=1):
        widest = max([len(col.header)] + [_shown_width(r[i - 1], col.fmt) for r in head])
        ws.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), col.max_width)
    ws.freeze_panes = freeze
    ws.append([_cell(ws, col.header, None, HEADER) for col in columns])
    cells = len(columns)
    for row in chain(head, rows):
        style = CHEAPEST if marked(row) else None
        ws.append([_cell(ws, v, col.fmt, style) for v, col in zip(row, columns, strict=False)])
        cells += sum(v is not None for v in row)
    return cells


# -- sheets ----------------------------------------------------------------------------------------
def summary_headers(horizon: int) -> dict[str, str]:
    """Summary column headers by metric: 'tco' -> '5-year TCO (USD)', 'annual' -> 'Annual, years 2..5 (USD/year)'."""
    def shown(metric: str) -> str:
        return re.sub(r" \((.*)\)$", r", \1", metric_label(metric, horizon))
    return {m: f"{shown(m)} ({unit})" for m, (_, unit, _) in METRICS.items()}


SUMMARY_METRICS = ("year1", "annual", "tco", "monthly", "one_time", "per_agent_month")


def recommendation(block: pd.DataFrame, horizon: int) -> str:
    """The recommendation at one headcount, read off the engine's ranking (lowest N-year TCO first)."""
    best, rest = block[block["rank"] == 1], block[block["rank"] > 1]
    names = " and ".join(best["name"])
    n = int(best["agents"].iloc[0])
    tco = float(best["tco"].iloc[0])
    text = f"{names}: lowest {horizon}-year TCO at {n:,} agents, ${tco:,.2f}"
    if len(best) > 1:
        text += " (a tie)"
    if len(rest):
        runner, gap = rest.iloc[0], float(best["margin"].iloc[0])
        text += f"; ${gap:,.2f} ({gap / float(runner['tco']):.1%}) below {runner['name']}, the next cheapest"
    return text


def summary_sheet(ws, d: SnapshotData) -> int:
    """Every scenario at every headcount: the metrics, rank, cheapest marked, the recommendation per headcount."""
    headers = summary_headers(d.horizon)
    columns = [Column("Agents", COUNT), Column("Rank", COUNT), Column("Scenario"), Column("Key"), Column("Kind"),
               *(Column(headers[m], USD) for m in SUMMARY_METRICS), Column("Cheapest"),
               Column("Recommendation", max_width=90)]

    def rows() -> Iterator[tuple]:
        for _, block in d.table.groupby("agents", sort=True):
            text = recommendation(block, d.horizon)
            for r in block.itertuples():
                yield (int(r.agents), int(r.rank), r.name, r.scenario, r.kind,
                       *(float(getattr(r, m)) for m in SUMMARY_METRICS),
                       "cheapest" if r.cheapest else None, text if r.cheapest else None)

    return _table(ws, columns, rows(), freeze="D2", marked=lambda row: row[-2] is not None)


def breakdown_sheet(ws, d: SnapshotData) -> int:
    """Every line item of every scenario at every headcount, with its derivation and the assumptions it reads."""
    columns = [Column("Agents", COUNT), Column("Scenario"), Column("Key"), Column("Category"), Column("Item"),
               Column("Quantity", QTY), Column("Unit"), Column("Unit price (USD)", PRICE),
               Column("Monthly (USD/month)", USD), Column("One-time (USD)", USD), Column("Derivation", max_width=90),
               Column("Assumptions", max_width=60)]
    keys = {key: [", ".join(readable_key(d.keys, k) for k in c.keys) for c in r.components]
            for key, r in d.results.items()}

    def rows() -> Iterator[tuple]:
        for i, n in enumerate(d.agents):
            for r in d.results.values():
                for point, used in zip(r.at(i).components, keys[r.key], strict=True):
                    yield (int(n), r.name, r.key, point.category, point.name, point.quantity, point.unit,
                           point.unit_price, point.monthly, point.one_time, point.derivation(), used)

    return _table(ws, columns, rows(), freeze="D2")


def _price_unit(line) -> str:
    """'USD/server/hour', 'EUR/GB/month', 'USD/month' (a flat monthly fee)."""
    flat = (line.unit, line.billing) == ("month", "month")
    return f"{line.currency}/month" if flat else f"{line.currency}/{line.unit}/{line.billing}"


#: Units of table fields (PriceLine unit prices depend on the row: see _price_unit).
TABLE_UNITS = {
    "quantity": "× driver", "discount": "share", "input_usd_per_1k": "USD/1K tokens",
    "output_usd_per_1k": "USD/1K tokens", "app_servers_min": "servers", "agents_per_app_server": "agents/server",
    "support_hours": "h/month at reference", "setup_usd": "USD one-time",
}
#: Fields that identify a row (in its key) or go in its Source, Low and High columns rather than rows of their own.
ROW_FIELDS = {"group", "line", "key", "source", "price_low", "price_high"}


def _value(v: Any) -> Any:
    """A cell value exactly as read: lists as comma-separated text, numbers and booleans as they are."""
    return ", ".join(map(str, v)) if isinstance(v, list) else v


def _origin_lookup(d: SnapshotData) -> Callable[[str], str]:
    """Sheet!cell of an assumption key ('usage.calls_per_agent_per_day', 'providers[3].unit_price'): where it
    was read from, or for the bundled defaults where it lives in workbook/TCO.xlsm as built."""
    if d.provenance.from_workbook:
        return lambda key: d.a.origins.get(key, "")
    return cell_of


def assumption_rows(d: SnapshotData) -> Iterator[tuple]:
    """(key, label, value, unit, low, high, source, note, cell, read from) for every scalar and table value."""
    a, origin = d.a, _origin_lookup(d)
    read_from = d.provenance.source
    for s in scalar_specs():
        rng = a.ranges.get(s.key)
        yield (s.key, s.label, a.value(s.key), s.unit, rng.low if rng else None, rng.high if rng else None,
               s.source, s.note, origin(s.key), read_from)
    for table in ("providers", "options", "llm_models", "stacks"):
        for i, row in enumerate(getattr(a, table)):
            for name, info in type(row).model_fields.items():
                if name in ROW_FIELDS:
                    continue
                priced = name == "unit_price"
                unit = _price_unit(row) if priced else row.unit if name == "included" else TABLE_UNITS.get(name, "")
                yield (f"{d.keys[f'{table}[{i}]']}.{name}", info.description or name, _value(getattr(row, name)),
                       unit, row.price_low if priced else None, row.price_high if priced else None,
                       row.source, "", origin(f"{table}[{i}].{name}"), read_from)


ASSUMPTION_COLUMNS = [Column("Key", max_width=70), Column("Label", max_width=60), Column("Value"), Column("Unit"),
                      Column("Low"), Column("High"), Column("Source", max_width=60), Column("Note", max_width=60),
                      Column("Cell"), Column("Read from", max_width=40)]


def assumptions_sheet(ws, d: SnapshotData) -> int:
    """Every assumption value exactly as read, with unit, range, source and the sheet!cell it came from."""
    return _table(ws, ASSUMPTION_COLUMNS, assumption_rows(d), freeze="B2")


def capacity_sheet(ws, d: SnapshotData) -> int:
    """Mac Studios, sites and servers of every scenario at every headcount (the quantities behind the prices)."""
    columns = [Column("Agents", COUNT), Column("Scenario"), Column("Key"), Column("Mac Studios active (units)", COUNT),
               Column("Mac Studios incl. failover (units)", COUNT), Column("Sites", COUNT),
               Column("Application servers", COUNT), Column("Database servers", COUNT),
               Column("Monitored hosts", COUNT), Column("Support (h/month)", QTY)]
    a, grid = d.a, d.agents
    per_stack = []
    for stack in a.stacks:
        drivers = capacity.drivers(a, stack, grid)
        onprem = stack.mac_studios
        active = capacity.mac_studios_active(a, grid, stack.llm == SELF_HOSTED_LLM) if onprem else grid * 0
        sites = capacity.sites(a, drivers["mac_studios"]) if onprem else grid * 0
        per_stack.append((stack, [np.broadcast_to(x, grid.shape) for x in (
            active, drivers["mac_studios"], sites, drivers["app_servers"], drivers["db_servers"], drivers["hosts"],
            support_hours(a, stack, grid))]))

    def rows() -> Iterator[tuple]:
        for i, n in enumerate(grid):
            for stack, cols in per_stack:
                yield (int(n), stack.name, stack.key, *(float(c[i]) for c in cols))

    return _table(ws, columns, rows(), freeze="D2")


def chart_headcounts(agents: np.ndarray) -> list[int]:
    """Up to CHART_HEADCOUNTS headcounts evenly spread over ``agents`` (all of them when few)."""
    picks = np.unique(np.linspace(0, len(agents) - 1, min(len(agents), CHART_HEADCOUNTS)).round().astype(int))
    return [int(agents[i]) for i in picks]


def charts_sheet(ws, d: SnapshotData) -> int:
    """Per charted headcount: N-year TCO by scenario (bar) and its composition by cost category (stacked bar).

    The chart data (N-year TCO of each category's line items, from the engine) sits to the right of the charts.
    """
    categories = list(dict.fromkeys(c.category for r in d.results.values() for c in r.components))
    n_scen, data_col, block = len(d.results), 21, max(len(d.results) + 3, 24)
    index = {int(n): i for i, n in enumerate(d.agents)}
    ranking = d.table.groupby("agents")["scenario"].agg(list)  # the engine's order, cheapest first
    cells, row = 0, 1
    for n in chart_headcounts(d.agents):
        points = [d.results[key].at(index[n]) for key in ranking[n]]
        header: list[Any] = [f"{n:,} agents", f"{d.horizon}-year TCO (USD)", *categories]
        lines = [[p.name, float(p.tco), *(float(p.subtotal([c]).tco) for c in categories)] for p in points]
        for offset, values in enumerate([header, *lines]):
            style = HEADER if offset == 0 else None
            ws.append([None] * (data_col - 1) + [_cell(ws, v, USD, style) for v in values])
        for _ in range(block - n_scen - 1):
            ws.append([])
        cells += sum(v is not None for values in [header, *lines] for v in values)
        names = Reference(ws, min_col=data_col, min_row=row + 1, max_row=row + n_scen)
        tco = _bar(f"{d.horizon}-year TCO by scenario at {n:,} agents (USD)", n_scen)
        tco.add_data(Reference(ws, min_col=data_col + 1, min_row=row, max_row=row + n_scen), titles_from_data=True)
        _categories(tco, names)
        tco.legend = None
        mix = _bar(f"Cost composition at {n:,} agents: {d.horizon}-year TCO by category (USD)", n_scen)
        mix.grouping, mix.overlap = "stacked", 100
        mix.add_data(Reference(ws, min_col=data_col + 2, max_col=data_col + 1 + len(categories), min_row=row,
                               max_row=row + n_scen), titles_from_data=True)
        _categories(mix, names)
        ws.add_chart(tco, f"A{row}")
        ws.add_chart(mix, f"J{row}")
        row += block
    ws.column_dimensions[get_column_letter(data_col)].width = 45
    return cells


def _categories(chart: BarChart, labels: Reference) -> None:
    """Text categories (openpyxl's set_categories makes numeric ones)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=labels))


def _bar(title: str, n_bars: int) -> BarChart:
    chart = BarChart()
    chart.type, chart.title, chart.style = "bar", title, 10
    chart.width, chart.height = 17.5, max(8.0, 0.6 * n_bars + 3)
    chart.y_axis.numFmt, chart.y_axis.majorGridlines = '"$"#,##0', None
    chart.x_axis.scaling.orientation = "maxMin"  # cheapest on top
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart


def metadata_rows(d: SnapshotData, sheets: list[str]) -> list[tuple[str, Any]]:
    """(key, value) pairs identifying the snapshot: format, version, hashes, commit, time, headcounts."""
    p = d.provenance
    return [("format", FORMAT), ("tco_xl_version", __version__), ("created", d.created.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("agents", agents_label(d.agents, ", ")), ("horizon_years", d.horizon), ("currency", "USD"),
            ("scenarios", ", ".join(d.results)), ("assumptions_sha256", d.a.content_hash()),
            ("assumptions_source", p.source), ("source_workbook_sha256", p.workbook_sha256),
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
    return _table(ws, [Column("Key"), Column("Value", max_width=70)], metadata_rows(d, sheets), freeze="A2")


def breakeven_sheet(ws, d: SnapshotData) -> int:
    """Every headcount (up to 10,000 or the largest requested) where the cheaper of two scenarios changes."""
    df = breakeven_table(d.a, agents_max=max(AGENTS_MAX, int(d.agents.max())), currency="USD")
    names = {s.key: s.name for s in d.a.stacks}
    columns = [Column("Scenario A"), Column("Scenario B"), Column("Break-even (agents)", COUNT),
               Column("Cheaper below"), Column("Cheaper from"), Column(f"Gap before, {d.horizon}-year TCO (USD)", USD),
               Column(f"Gap after, {d.horizon}-year TCO (USD)", USD)]
    blank = lambda v, kind=float: None if pd.isna(v) else kind(v)  # noqa: E731  (a pair that never crosses)
    rows = ((names[r.scenario_a], names[r.scenario_b], blank(r.agents, int),
             names.get(r.cheaper_before, r.cheaper_before), names.get(r.cheaper_after, r.cheaper_after),
             blank(r.gap_before), blank(r.gap_after))
            for r in df.itertuples())
    return _table(ws, columns, rows, freeze="C2")


TORNADO_FACTORS = 15  # assumptions shown per tornado (largest swing first)


def sensitivity_sheet(ws, d: SnapshotData) -> int:
    """Per headcount, the cheapest scenario's N-year TCO with each assumption at its low and its high
    (one at a time), largest swing first, with a tornado chart."""
    columns = [Column("Agents", COUNT), Column("Scenario"), Column("Assumption", max_width=45), Column("Label"),
               Column("Unit"), Column("Base"), Column("Low"), Column("High"), Column("Range"),
               Column(f"{d.horizon}-year TCO at low (USD)", USD), Column(f"{d.horizon}-year TCO at high (USD)", USD),
               Column("Δ at low (USD)", USD), Column("Δ at high (USD)", USD), Column("Swing (USD)", USD)]
    cheapest = d.table[d.table["rank"] == 1].drop_duplicates("agents")
    block = max(TORNADO_FACTORS + 1, 22)
    frames = [(int(r.agents), r.name, tornado(d.a, r.scenario, int(r.agents), currency="USD").head(TORNADO_FACTORS))
              for r in cheapest.itertuples()]

    def rows() -> Iterator[tuple]:
        for n, name, df in frames:
            for f in df.itertuples():
                yield (n, name, readable_key(d.keys, f.assumption), f.label, f.unit, f.base, f.low, f.high, f.range,
                       f.tco_low, f.tco_high, f.delta_low, f.delta_high, f.swing)
            yield from [(None,) * len(columns)] * (block - len(df))

    cells = _table(ws, columns, rows(), freeze="C2")
    for i, (n, name, df) in enumerate(frames):
        first, last = 2 + i * block, 1 + i * block + len(df)
        chart = _bar(f"Tornado: {name} at {n:,} agents, change in {d.horizon}-year TCO (USD)", len(df))
        chart.overlap = 100
        for col, side in ((12, "low"), (13, "high")):
            chart.add_data(Reference(ws, min_col=col, min_row=first, max_row=last))
            chart.series[-1].tx = SeriesLabel(v=f"Assumption at its {side}")
        _categories(chart, Reference(ws, min_col=4, min_row=first, max_row=last))
        ws.add_chart(chart, f"P{first}")
    return cells


def uncertainty_sheet(ws, d: SnapshotData) -> int:
    """Monte Carlo (seeded, so repeatable): P10/P50/P90 and mean N-year TCO and the chance each scenario is
    cheapest, with every ranged assumption drawn from a triangular (low, base, high) distribution."""
    columns = [Column("Agents", COUNT), Column("Scenario"), Column("Key"),
               *(Column(f"{p} {d.horizon}-year TCO (USD)", USD) for p in ("P10", "P50", "P90", "Mean")),
               Column("P(cheapest)", "0.0%"), Column("Draws", COUNT), Column("Seed", COUNT)]

    def rows() -> Iterator[tuple]:
        for n in d.agents:
            sim = simulate(d.a, int(n), currency="USD")
            for r in sim.summary().itertuples():
                yield (int(n), r.name, r.scenario, r.p10, r.p50, r.p90, r.mean, r.prob_cheapest, sim.draws, sim.seed)

    return _table(ws, columns, rows(), freeze="D2")


SheetWriter = Callable[[Any, SnapshotData], int]
CORE_SHEETS: list[tuple[str, SheetWriter]] = [
    ("Summary", summary_sheet), ("Breakdown", breakdown_sheet), ("Assumptions", assumptions_sheet),
    ("Capacity", capacity_sheet), ("Charts", charts_sheet)]
ANALYSIS_SHEETS: list[tuple[str, SheetWriter]] = [
    ("Break-even", breakeven_sheet), ("Sensitivity", sensitivity_sheet), ("Uncertainty", uncertainty_sheet)]


def sheet_writers(d: SnapshotData) -> list[tuple[str, SheetWriter]]:
    """The sheets of a snapshot in order (Metadata, written last, lists them)."""
    return CORE_SHEETS + (ANALYSIS_SHEETS if d.analysis else [])


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


def snapshot_bytes(d: SnapshotData) -> tuple[bytes, int]:
    """The .xlsx file's bytes (every zip entry and document property dated at the creation time) and the
    number of cells written."""
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


def export_snapshot(d: SnapshotData, out_dir: Path) -> Export:
    """Write the snapshot of ``d`` into ``out_dir`` (created if missing), atomically: a complete file or none."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("--out", str(out_dir), f"a folder that can be created ({exc.strerror})") from None
    data, cells = snapshot_bytes(d)
    return Export(write_bytes_atomic(out_dir / snapshot_name(d), data), len(data), cells)
