"""The snapshot's Summary: the one page a CFO reads first.

What the page holds, top to bottom: a title and what the figures are (horizon, currency, flat prices,
the snapshot's time and assumptions); the recommendation, as sentences read off the engine's numbers;
every scenario at (up to four of) the requested headcounts with Year 1, annual and N-year TCO, the
cheapest marked; the key assumptions (those that move the recommended scenarios most) with their
values, ranges and sources. It prints on exactly one A4 page (landscape, fitted).

The sentences are data: ``SUMMARY_SENTENCES`` lists functions of the snapshot that each return
sentences; to add one, write such a function and append it to the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..analysis.factors import Factor
from ..analysis.levers import CENT
from ..analysis.llm_breakeven import self_hosts
from ..analysis.sensitivity import tornado
from ..assumptions import SELF_HOSTED_LLM, Assumptions, scalar_specs
from ..assumptions.keys import readable_key
from ..engine import ranked
from ..engine.inputs import metric_label
from .xlsx import CHEAPEST, HEADER, LINE_HEIGHT, TOP, WHOLE_USD, WRAP, cell, lines, print_setup

if TYPE_CHECKING:
    from .snapshot import SnapshotData

SUMMARY_HEADCOUNTS = 4  # headcounts on the page, evenly spread over the requested ones
KEY_ASSUMPTIONS = 6  # assumptions listed, largest swing of a recommended scenario's N-year TCO first
NAME_WIDTH, FIGURE_WIDTH = 46, 14  # characters
SUMMARY_METRICS = ("year1", "annual", "tco")
TITLE = Font(bold=True, size=16)
SECTION = Font(bold=True, size=12)
NOTE = Font(italic=True, color="595959")
GROUP = (Font(bold=True), PatternFill("solid", fgColor="B4C6E7"))


def spread(agents: np.ndarray, most: int) -> list[int]:
    """Up to ``most`` headcounts evenly spread over ``agents`` (all of them when few), first and last included."""
    picks = np.unique(np.linspace(0, len(agents) - 1, min(len(agents), most)).round().astype(int))
    return [int(agents[i]) for i in picks]


def money(x: float) -> str:
    return f"${x:,.2f}"


# -- the sentences ------------------------------------------------------------------------------------
def recommendation(block: pd.DataFrame, horizon: int) -> str:
    """The recommendation at one headcount, read off the engine's ranking (lowest N-year TCO first)."""
    best, rest = block[block["rank"] == 1], block[block["rank"] > 1]
    names = " and ".join(best["name"])
    n = int(best["agents"].iloc[0])
    tco = float(best["tco"].iloc[0])
    text = f"{names}: lowest {horizon}-year TCO at {n:,} agents, {money(tco)}"
    if len(best) > 1:
        text += " (a tie)"
    if len(rest):
        runner, gap = rest.iloc[0], float(best["margin"].iloc[0])
        text += f"; {money(gap)} ({gap / float(runner['tco']):.1%}) below {runner['name']}, the next cheapest"
    return text


def recommendations(d: SnapshotData) -> list[str]:
    """One sentence per headcount on the page: which scenario is cheapest and by how much."""
    table = d.table[d.table.agents.isin(d.summary_agents)]
    return [recommendation(block, d.horizon) + "." for _, block in table.groupby("agents", sort=True)]


def cheapest_over_headcounts(d: SnapshotData) -> list[str]:
    """Which scenario is cheapest from 1 agent to the largest headcount, and where that changes."""
    names = {s.key: s.name for s in d.a.stacks}
    last = int(d.curve.index[-1])
    parts = [f"{names[key]} at {start:,}{f'–{stop:,}' if stop > start else ''} agents"
             for start, stop, key in d.cheapest_runs]
    if len(parts) > 5:
        parts = [*parts[:4], f"then {len(parts) - 4} more changes (Charts sheet)"]
    exact = "" if d.curve_exact else f" (on a grid of {len(d.curve):,} headcounts)"
    if len(d.cheapest_runs) == 1:
        return [f"{names[d.cheapest_runs[0][2]]} is the cheapest at every headcount from 1 to {last:,} agents{exact}; "
                "the Charts sheet draws every scenario against headcount."]
    return [f"Cheapest over 1 to {last:,} agents{exact}: {'; '.join(parts)}. The Charts sheet draws every "
            "scenario against headcount with these break-even points marked."]


def uncertainty(d: SnapshotData) -> list[str]:
    """P(cheapest) and the P10–P90 of the cheapest scenario per headcount, from the Uncertainty sheet's runs."""
    if not d.analysis:
        return []
    out = []
    for n in d.summary_agents:
        sim = d.simulations[n]
        table = sim.summary().set_index("scenario")
        best = table.prob_cheapest.idxmax()
        row = table.loc[best]
        flagged = [r.name for r in table.itertuples() if r.note]
        text = (f"Uncertainty at {n:,} agents ({sim.draws:,} draws of {len(sim.factors)} uncertain inputs): "
                f"{row['name']} is cheapest in {row.prob_cheapest:.0%} of draws, its {d.horizon}-year TCO "
                f"{money(row.p10)} to {money(row.p90)} (P10–P90)")
        if flagged:
            text += f"; base outside its P10–P90: {', '.join(flagged)} (why: Uncertainty sheet)"
        out.append(text + ".")
    return out


def llm_paths(a: Assumptions) -> str:
    """How the stacks get their LLM, in words: '3 stacks run it on their Mac Studios, 9 stacks pay gpt-4o through
    their API'."""
    groups: dict[str, list[str]] = {}
    for s in a.stacks:
        how = ("run it on {their} Mac Studios" if s.llm == SELF_HOSTED_LLM else
               "run it on rented GPU servers" if self_hosts(a, s.key) else f"pay {s.llm} through {{their}} API")
        groups.setdefault(how, []).append(s.name)

    def who(how: str, names: list[str]) -> str:
        if len(names) == len(a.stacks) or len(names) == 1:
            subject = "every stack" if len(names) > 1 else names[0]
            verb, rest = how.format(their="its").split(" ", 1)
            return f"{subject} {verb}s {rest}"
        return f"{', '.join(names) if len(names) < 3 else f'{len(names)} stacks'} {how.format(their='their')}"
    return ", ".join(who(how, names) for how, names in groups.items())


def llm_assumption(d: SnapshotData) -> list[str]:
    """Which LLM assumption the recommendation rests on: the cheapest at each headcount on the page as shipped,
    against every stack paying the API model most stacks pay and every stack self-hosting (Mac Studios, else the
    rented GPU servers of its GPU column)."""
    a = d.a
    paid = [s.llm for s in a.stacks if not self_hosts(a, s.key)]
    views = {"every stack self-hosted (Mac Studios, else rented GPU servers)": a.with_llm(SELF_HOSTED_LLM)}
    if paid:
        model = max(dict.fromkeys(paid), key=paid.count)
        views = {f"every stack paid {model}": a.with_llm(model), **views}
    base = d.table[d.table["rank"] == 1].groupby("agents")["name"].first()
    flips = []
    for label, view in views.items():
        cheapest = ((n, ranked(n, view)[0].name) for n in d.summary_agents)
        moved = [f"{name} at {n:,} agents" for n, name in cheapest if name != base.loc[n]]
        if moved:
            flips.append(f"if {label}, the cheapest would be {', '.join(moved)}")
    shipped = f"How the LLM is paid for, as shipped: {llm_paths(a)}."
    if not flips:
        return [f"{shipped} The recommendation does not rest on it: if {' or if '.join(views)}, the cheapest "
                "scenario at each headcount on this page would stay the same."]
    return [f"{shipped} The recommendation rests on it: {'; '.join(flips)} (tco-xl report --llm, tco-xl breakeven "
            "--over price|tokens)."]


def largest_levers(d: SnapshotData) -> list[str]:
    """The what-if that saves most over the horizon at each headcount on the page (the Levers sheet's first), where
    it saves that, and the saving the report claims for it; never a cost: where no what-if saves, it says so."""
    if not d.analysis:
        return []
    parts, claimed, none = [], set(), []
    for n in d.summary_agents:
        block = d.levers[(d.levers.agents == n) & (d.levers["rank"] == 1)]
        if block.empty:
            continue
        best = block.iloc[0]  # the largest saving first
        if best.tco_saving <= CENT:
            none.append(f"{n:,}")
            continue
        where = ("in every scenario" if (block.tco_saving.round(2) == round(best.tco_saving, 2)).all()
                 and len(block) == len(d.a.stacks) else f"in {best['name']}")
        text = f"at {n:,} agents {best.what_if}, {money(best.tco_saving)} over {d.horizon} years {where}"
        if best.what_if not in claimed and best.claimed:
            claimed.add(best.what_if)
            text += f" (the report: '{best.claimed}')"
        parts.append(text)
    if none:
        parts.append(f"at {' and '.join(none)} agents no what-if saves money (the Levers sheet shows what each costs)")
    if not parts:
        return []
    return [f"Largest savings lever (every what-if and their combination: Levers sheet): {'; '.join(parts)}."]


#: The Summary's sentences, in order: each function returns zero or more sentences about the snapshot.
SUMMARY_SENTENCES: list[Callable[[SnapshotData], list[str]]] = [recommendations, cheapest_over_headcounts,
                                                                llm_assumption, uncertainty, largest_levers]


# -- the key assumptions --------------------------------------------------------------------------------
def key_factors(d: SnapshotData) -> list[Factor]:
    """The uncertain assumptions (with a range: the report's, the workbook's or a band) whose range moves a
    recommended scenario's N-year TCO most, largest swing first."""
    ranged = {f.key: f for f in d.factors if f.ranged}
    swings: dict[str, float] = {}
    for r in d.table[(d.table["rank"] == 1) & d.table.agents.isin(d.summary_agents)].itertuples():
        df = tornado(d.a, r.scenario, int(r.agents), currency="USD")
        for key, swing in zip(df.assumption, df.swing, strict=True):
            if key in ranged:
                swings[key] = max(swings.get(key, 0.0), float(swing))
    return [ranged[k] for k in sorted(swings, key=lambda k: -swings[k])[:KEY_ASSUMPTIONS]]


def source_of(d: SnapshotData, key: str) -> str:
    """The Source text of a scalar assumption or of the table row a cell belongs to."""
    specs = {s.key: s for s in scalar_specs()}
    if key in specs:
        return specs[key].source
    table, _, rest = key.partition("[")
    return getattr(getattr(d.a, table)[int(rest.partition("]")[0])], "source", "")


# -- the page --------------------------------------------------------------------------------------------
def summary_sheet(ws, d: SnapshotData) -> int:
    """The one-page Summary (see the module docstring); returns the number of cells with a value."""
    print_setup(ws, landscape=True, one_page=True)
    agents = d.summary_agents
    ncols = max(1 + len(SUMMARY_METRICS) * len(agents), 7)
    last = get_column_letter(ncols)
    text_width = NAME_WIDTH + FIGURE_WIDTH * (ncols - 1)
    ws.column_dimensions["A"].width = NAME_WIDTH
    for i in range(2, ncols + 1):
        ws.column_dimensions[get_column_letter(i)].width = FIGURE_WIDTH
    rows: list[tuple[list[Any], float | None]] = []  # (cells, height) in order; merged rows span A..last

    def line(text: str, font: Font | None = None, height: float | None = None) -> None:
        """A row of text across the page (merged A..last), as tall as its wrapped lines."""
        style = (font, PatternFill()) if font is not None else None
        rows.append(([cell(ws, text, None, style, WRAP)], height or LINE_HEIGHT * lines(text, text_width)))
        ws.merged_cells.add(f"A{len(rows)}:{last}{len(rows)}")

    p = d.provenance
    line("Total cost of ownership of the contact center's infrastructure", TITLE, height=24.0)
    line(f"{d.horizon}-year TCO = Year 1 + {d.horizon - 1} × annual, in USD, at the quoted prices held flat and "
         f"undiscounted · snapshot of {d.created:%Y-%m-%d %H:%M} UTC · assumptions {d.a.content_hash()[:8]} "
         f"from {p.source}" + (f" with the what-if {' + '.join(d.a.what_ifs_applied)} applied"
                               if d.a.what_ifs_applied else ""), NOTE)
    line("")
    line("Recommendation", SECTION)
    for make in SUMMARY_SENTENCES:
        for sentence in make(d):
            line(sentence)
    line("")

    # every scenario × the page's headcounts
    group_row = [cell(ws, "Scenario", None, HEADER)]
    metric_row = [cell(ws, "", None, HEADER)]
    start = len(rows) + 1
    for i, n in enumerate(agents):
        first = 2 + len(SUMMARY_METRICS) * i
        group_row += [cell(ws, f"{n:,} agents", None, GROUP, Alignment(horizontal="center"))]
        group_row += [cell(ws, None, None, GROUP) for _ in SUMMARY_METRICS[1:]]
        metric_row += [cell(ws, metric_label(m, d.horizon), None, HEADER, Alignment(wrap_text=True,
                                                                                  horizontal="right"))
                       for m in SUMMARY_METRICS]
        ws.merged_cells.add(f"{get_column_letter(first)}{start}:{get_column_letter(first + 2)}{start}")
    rows += [(group_row, None), (metric_row, 2 * LINE_HEIGHT)]
    by_point = d.table.set_index(["agents", "scenario"])
    for stack in d.a.stacks:
        values: list[Any] = [stack.name]
        styles: list[Any] = [None]
        for n in agents:
            point = by_point.loc[(n, stack.key)]
            values += [float(point[m]) for m in SUMMARY_METRICS]
            styles += [CHEAPEST if point["cheapest"] else None] * len(SUMMARY_METRICS)
        rows.append(([cell(ws, v, WHOLE_USD if i else None, s) for i, (v, s) in enumerate(zip(values, styles,
                                                                                             strict=True))], None))
    more = "" if len(agents) == len(d.agents) else f" This page shows {len(agents)} of {len(d.agents):,} headcounts."
    line(f"Green: the cheapest scenario at that headcount (lowest {d.horizon}-year TCO), in whole dollars.{more} "
         "Every scenario and headcount to the cent, with monthly and per-agent figures: Results sheet; line items "
         "and their derivation: Breakdown sheet.", NOTE)
    line("")

    # the key assumptions
    line(f"Key assumptions: those whose range moves the recommended scenario's {d.horizon}-year TCO most (every "
         "assumption: Assumptions sheet)", SECTION)
    source_span = f"E{{row}}:{last}{{row}}"
    rows.append(([cell(ws, h, None, HEADER) for h in ("Assumption", "Value", "Unit", "Range", "Source")], None))
    ws.merged_cells.add(source_span.format(row=len(rows)))
    source_width = FIGURE_WIDTH * (ncols - 4)
    keys = d.keys
    for f in key_factors(d):
        source = source_of(d, f.key)
        label = f"{f.label} ({readable_key(keys, f.key)})"
        rows.append(([cell(ws, label, align=WRAP), cell(ws, f.base, "#,##0.######", align=TOP),
                      cell(ws, f.unit, align=WRAP),
                      cell(ws, f"{f.low:,.6g}–{f.high:,.6g}", align=WRAP), cell(ws, source, align=WRAP)],
                     LINE_HEIGHT * max(lines(source, source_width), lines(label, NAME_WIDTH),
                                       lines(f.unit, FIGURE_WIDTH))))
        ws.merged_cells.add(source_span.format(row=len(rows)))

    for i, (values, height) in enumerate(rows, start=1):
        if height is not None:
            ws.row_dimensions[i].height = height
        ws.append(values)
    ws.print_area = f"A1:{last}{len(rows)}"
    return sum(1 for values, _ in rows for v in values if getattr(v, "value", v) not in (None, ""))
