"""The snapshot's Charts sheet: cost against headcount, and per headcount the N-year TCO and its composition.

First, the chart finance asks for: the N-year TCO of every scenario as a line from 1 agent to the largest
requested headcount, with the break-even points (where the cheapest scenario changes) marked and listed
under it. Then, for up to CHART_HEADCOUNTS headcounts, the N-year TCO by scenario (bars, cheapest on top)
and its composition by cost category (stacked bars). Every value axis starts at zero. The chart data
sits to the right of the print area, in columns wide enough for their values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from .xlsx import COUNT, HEADER, USD, cell, print_setup, shown

if TYPE_CHECKING:
    from .snapshot import SnapshotData

CHART_HEADCOUNTS = 6  # headcounts with bar charts, evenly spread over the requested ones
CURVE_POINTS = 400  # most headcounts drawn per line (every break-even point is among them)
PRINT_COLUMNS = 15  # the charts span columns A..O (what prints); their data starts after a gap
COLUMN_WIDTH = 10  # characters, columns A..O
CHART_WIDTH = 29.0  # cm: the line chart, or the two bar charts side by side
ROWS_PER_CM = 1 / 0.53  # 15-point rows
BAR_BLOCK = 22  # rows per headcount's pair of bar charts; two pairs per printed page
LINE_BLOCK = 30  # rows of the line chart
AXIS_USD = '"$"#,##0'
#: Line colours, one per scenario (a qualitative palette, distinguishable in print).
LINE_COLORS = ("1F77B4", "FF7F0E", "2CA02C", "D62728", "9467BD", "8C564B", "E377C2", "7F7F7F", "BCBD22", "17BECF",
               "393B79", "AD494A")


def curve_points(d: SnapshotData) -> list[int]:
    """Headcounts drawn: up to CURVE_POINTS spread over 1..max, with every change of the cheapest and the one before."""
    agents = d.curve.index.to_numpy()
    picks = set(np.unique(np.linspace(0, len(agents) - 1, min(len(agents), CURVE_POINTS)).round().astype(int)))
    for start, _, _ in d.cheapest_runs[1:]:
        position = int(np.searchsorted(agents, start))
        picks.update({position - 1, position})
    return [int(agents[i]) for i in sorted(picks)]


def charts_sheet(ws, d: SnapshotData) -> int:
    """The cost-against-headcount line chart with its break-even list, then TCO and composition bars per headcount."""
    from .snapshot_summary import spread
    print_setup(ws, landscape=True)
    for i in range(1, PRINT_COLUMNS + 1):
        ws.column_dimensions[get_column_letter(i)].width = COLUMN_WIDTH
    grid: dict[tuple[int, int], Any] = {}  # (row, column) -> cell value
    names = {s.key: s.name for s in d.a.stacks}

    # the line chart's data: headcount, then each scenario's N-year TCO
    line_col = PRINT_COLUMNS + 2
    points = curve_points(d)
    keys = list(names)
    grid[1, line_col] = cell(ws, "Agents", None, HEADER)
    for j, key in enumerate(keys):
        grid[1, line_col + 1 + j] = cell(ws, names[key], None, HEADER)
    for r, n in enumerate(points, start=2):
        grid[r, line_col] = cell(ws, n, COUNT)
        for j, key in enumerate(keys):
            grid[r, line_col + 1 + j] = cell(ws, float(d.curve.at[n, key]), USD)
    # the break-even points: where the cheapest changes, at the new cheapest's N-year TCO
    mark_col = line_col + len(keys) + 2
    changes = [(start, key) for start, _, key in d.cheapest_runs[1:]]
    grid[1, mark_col], grid[1, mark_col + 1] = (cell(ws, "Break-even (agents)", None, HEADER),
                                                cell(ws, "Break-even: the cheapest changes", None, HEADER))
    for r, (n, key) in enumerate(changes, start=2):
        grid[r, mark_col], grid[r, mark_col + 1] = cell(ws, n, COUNT), cell(ws, float(d.curve.at[n, key]), USD)
    ws.add_chart(_line_chart(ws, d, line_col, len(points), len(keys), mark_col, len(changes)), "A1")

    # the break-even list under the line chart (text overflows into the empty cells to its right)
    row = LINE_BLOCK + 1
    grid[row, 1] = cell(ws, f"Where the cheapest scenario changes, 1 to {int(d.curve.index[-1]):,} agents "
                            f"({d.horizon}-year TCO)", None, (Font(bold=True, size=12), PatternFill()))
    row += 1
    heads = ("Agents", "Cheapest before", "Cheapest from", f"Gap there ({d.horizon}-year TCO)")
    for col, text in zip((1, 2, 7, 12), heads, strict=True):
        grid[row, col] = cell(ws, text, None, HEADER)
    previous = d.cheapest_runs[0][2]
    for n, key in changes:
        row += 1
        gap = float(d.curve.at[n, previous] - d.curve.at[n, key])
        for col, value, fmt in ((1, n, COUNT), (2, names[previous], None), (7, names[key], None), (12, gap, USD)):
            grid[row, col] = cell(ws, value, fmt)
        previous = key
    if not changes:
        grid[row + 1, 1] = cell(ws, f"None: {names[previous]} is the cheapest at every headcount.")
        row += 1
    ws.row_breaks.append(Break(id=row))

    # per charted headcount: TCO by scenario and its composition by category
    categories = list(dict.fromkeys(c.category for r in d.results.values() for c in r.components))
    index = {int(n): i for i, n in enumerate(d.agents)}
    ranking = d.table.groupby("agents")["scenario"].agg(list)  # the engine's order, cheapest first
    bar_col = mark_col + 3
    top = row + 1
    for b, n in enumerate(spread(d.agents, CHART_HEADCOUNTS)):
        first = top + b * BAR_BLOCK
        bars = [d.results[key].at(index[n]) for key in ranking[n]]
        grid[first, bar_col] = cell(ws, f"{n:,} agents", None, HEADER)
        grid[first, bar_col + 1] = cell(ws, f"{d.horizon}-year TCO (USD)", None, HEADER)
        for c, category in enumerate(categories):
            grid[first, bar_col + 2 + c] = cell(ws, category, None, HEADER)
        for r, p in enumerate(bars, start=first + 1):
            grid[r, bar_col] = cell(ws, p.name)
            grid[r, bar_col + 1] = cell(ws, float(p.tco), USD)
            for c, category in enumerate(categories):
                grid[r, bar_col + 2 + c] = cell(ws, float(p.subtotal([category]).tco), USD)
        names_ref = Reference(ws, min_col=bar_col, min_row=first + 1, max_row=first + len(bars))
        tco = bar_chart(f"{d.horizon}-year TCO by scenario at {n:,} agents (USD)", len(bars))
        tco.add_data(Reference(ws, min_col=bar_col + 1, min_row=first, max_row=first + len(bars)),
                     titles_from_data=True)
        text_categories(tco, names_ref)
        tco.legend = None
        mix = bar_chart(f"Cost composition at {n:,} agents: {d.horizon}-year TCO by category (USD)", len(bars))
        mix.grouping, mix.overlap = "stacked", 100
        mix.add_data(Reference(ws, min_col=bar_col + 2, max_col=bar_col + 1 + len(categories), min_row=first,
                               max_row=first + len(bars)), titles_from_data=True)
        text_categories(mix, names_ref)
        ws.add_chart(tco, f"A{first}")
        ws.add_chart(mix, f"{get_column_letter(PRINT_COLUMNS // 2 + 1)}{first}")
        if b % 2 == 1:
            ws.row_breaks.append(Break(id=first + BAR_BLOCK - 1))
    _fit_columns(ws, grid)
    by_row: dict[int, dict[int, Any]] = {}
    for (r, c), value in grid.items():
        by_row.setdefault(r, {})[c] = value
    last_row = max(by_row)
    for r in range(1, last_row + 1):
        cells = by_row.get(r, {})
        ws.append([cells.get(c) for c in range(1, max(cells, default=0) + 1)])
    ws.print_area = f"A1:{get_column_letter(PRINT_COLUMNS)}{max(last_row, top + BAR_BLOCK * 2)}"
    return sum(1 for v in grid.values() if getattr(v, "value", v) is not None)


def _fit_columns(ws, grid: dict[tuple[int, int], Any]) -> None:
    """Widths: the data columns fit their widest formatted value or header; the printed columns stay COLUMN_WIDTH
    wide (text overflows into its empty neighbours) unless a number needs more (never ``###``)."""
    widest: dict[int, int] = {}
    for (_, c), v in grid.items():
        value, fmt = getattr(v, "value", v), getattr(v, "number_format", None)
        if c > PRINT_COLUMNS or isinstance(value, (int, float)):
            widest[c] = max(widest.get(c, 0), len(shown(value, fmt if fmt != "General" else None)) + 2)
    for c, w in widest.items():
        ws.column_dimensions[get_column_letter(c)].width = min(w, 50) if c > PRINT_COLUMNS else max(w, COLUMN_WIDTH)


def _line_chart(ws, d: SnapshotData, col: int, points: int, scenarios: int, mark_col: int,
                changes: int) -> ScatterChart:
    chart = ScatterChart()
    chart.title = f"{d.horizon}-year TCO against headcount, 1 to {int(d.curve.index[-1]):,} agents (USD)"
    chart.style, chart.width, chart.height = 13, CHART_WIDTH, (LINE_BLOCK - 2) / ROWS_PER_CM
    xs = Reference(ws, min_col=col, min_row=2, max_row=points + 1)
    for j in range(scenarios):
        series = Series(Reference(ws, min_col=col + 1 + j, min_row=1, max_row=points + 1), xs, title_from_data=True)
        series.marker.symbol, series.smooth = "none", False
        series.graphicalProperties.line.solidFill = LINE_COLORS[j % len(LINE_COLORS)]
        series.graphicalProperties.line.width = 19050  # EMU: 1.5 pt
        chart.series.append(series)
    if changes:
        marks = Series(Reference(ws, min_col=mark_col + 1, min_row=1, max_row=changes + 1),
                       Reference(ws, min_col=mark_col, min_row=2, max_row=changes + 1), title_from_data=True)
        marks.marker.symbol, marks.marker.size = "diamond", 11
        marks.marker.graphicalProperties = GraphicalProperties(solidFill="000000")
        marks.marker.graphicalProperties.line.solidFill = "000000"
        marks.graphicalProperties.line.noFill = True
        chart.series.append(marks)
    chart.x_axis.title, chart.y_axis.title = "Agents", f"{d.horizon}-year TCO (USD)"
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = 0, int(d.curve.index[-1])
    chart.y_axis.scaling.min = 0
    chart.x_axis.number_format, chart.y_axis.number_format = "#,##0", AXIS_USD
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "r"
    return chart


def text_categories(chart: BarChart, labels: Reference) -> None:
    """Text categories (openpyxl's set_categories makes numeric ones)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=labels))


def bar_chart(title: str, n_bars: int) -> BarChart:
    chart = BarChart()
    chart.type, chart.title, chart.style = "bar", title, 10
    chart.width, chart.height = CHART_WIDTH / 2, min((BAR_BLOCK - 2) / ROWS_PER_CM, max(8.0, 0.6 * n_bars + 3))
    chart.y_axis.number_format, chart.y_axis.majorGridlines = AXIS_USD, None
    chart.y_axis.scaling.min = 0  # a bar's length is its value: the axis starts at zero
    chart.x_axis.scaling.orientation = "maxMin"  # cheapest on top
    chart.gapWidth = 40
    chart.x_axis.delete = chart.y_axis.delete = False
    return chart

