"""What changed between two snapshots: assumptions, totals per scenario and headcount, the cheapest scenario.

Reads only the snapshot files (Metadata, Results and Assumption cells sheets — Summary and Assumptions
in format 1; columns found by their headers, so snapshots of other tco_xl versions diff as far as their
sheets allow) and renders the result as text, Markdown (for a pull-request comment) or JSON. A snapshot
that is not written (``snapshot_in_memory``: a workbook's assumptions without and with a what-if) is read
from its bytes by the same reader.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel, ValidationError, computed_field

from ..engine.inputs import METRICS
from ..errors import TcoError
from .snapshot import ASSUMPTION_CELLS, FORMAT, RESULTS, SnapshotData, snapshot_bytes, summary_headers

__all__ = ["NotASnapshot", "Snapshot", "SnapshotDiff", "diff_snapshots", "read_snapshot", "render",
           "snapshot_in_memory"]

FORMAT_PREFIX = FORMAT.rsplit("/", 1)[0] + "/"
DIFF_METRICS = ("year1", "annual", "tco")
CENT = 0.005  # totals closer than half a cent are unchanged
ROW_LIMIT = 100  # rows of a text or Markdown table; JSON has them all


class NotASnapshot(TcoError):
    """A file the diff cannot read as a tco_xl snapshot."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path} is not a tco_xl snapshot: {reason}")


# -- reading ---------------------------------------------------------------------------------------
class Info(BaseModel):
    """A snapshot's identity, from its Metadata sheet."""

    file: str
    format: str
    version: str = ""
    created: str = ""
    agents: str = ""
    horizon_years: int | None = None
    assumptions_sha256: str = ""
    assumptions_source: str = ""
    what_ifs: str = ""
    source_workbook_sha256: str = ""
    git_commit: str = ""


class Row(BaseModel):
    """One scenario at one headcount in the Summary sheet (metrics absent from the sheet are None)."""

    agents: int
    key: str
    name: str
    year1: float | None = None
    annual: float | None = None
    tco: float | None = None
    cheapest: bool = False
    recommendation: str = ""


class Value(BaseModel):
    """One row of the Assumption cells sheet (Assumptions in format 1)."""

    label: str = ""
    value: Any = None
    unit: str = ""
    low: Any = None
    high: Any = None


@dataclass
class Snapshot:
    """The parts of a snapshot file the diff compares; ``missing`` names sheets or columns it lacks."""

    info: Info
    rows: dict[tuple[int, str], Row]
    assumptions: dict[str, Value] | None
    missing: list[str]


def _records(sheet) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header row and (row number, {header: value}) for every non-blank row below it."""
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    # read-only rows end at their last non-empty cell: pad them to the header
    return header, ((i, dict(zip(header, (*r, *(None,) * (len(header) - len(r))), strict=False)))
                    for i, r in enumerate(rows, start=2) if any(v is not None for v in r))


def read_snapshot(path: Path) -> Snapshot:
    """Read a snapshot file; NotASnapshot when it is not one (no Metadata sheet, no tco_xl format key, ...)."""
    path = Path(path)
    if not path.is_file():
        raise NotASnapshot(path, "no such file")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise NotASnapshot(path, f"not an .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        return _read(path, wb)
    finally:
        wb.close()


def snapshot_in_memory(d: SnapshotData, label: str) -> Snapshot:
    """The snapshot of ``d`` as the diff reads a file of it, without writing one (``label`` names it)."""
    data, _ = snapshot_bytes(d)
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return _read(Path(label), wb)
    finally:
        wb.close()


def _read(path: Path, wb) -> Snapshot:
    if "Metadata" not in wb.sheetnames:
        raise NotASnapshot(path, f"no Metadata sheet (sheets: {', '.join(wb.sheetnames)})")
    meta = {str(r[0]).strip(): r[1] for r in wb["Metadata"].iter_rows(min_row=2, max_col=2, values_only=True)
            if r and r[0] is not None}
    fmt = str(meta.get("format") or "")
    if not fmt.startswith(FORMAT_PREFIX):
        found = f"format {fmt!r}" if fmt else "no 'format' key"
        raise NotASnapshot(path, f"its Metadata sheet has {found}, expected format {FORMAT!r}")
    horizon = meta.get("horizon_years")
    info = Info(file=path.name, format=fmt, version=str(meta.get("tco_xl_version") or ""),
                created=str(meta.get("created") or ""), agents=str(meta.get("agents") or ""),
                horizon_years=int(horizon) if isinstance(horizon, (int, float)) else None,
                **{k: str(meta.get(k) or "") for k in ("assumptions_sha256", "assumptions_source", "what_ifs",
                                                       "source_workbook_sha256", "git_commit")})
    missing: list[str] = []
    results = RESULTS if RESULTS in wb.sheetnames else "Summary"  # format 1 kept the table on its Summary
    if results not in wb.sheetnames:
        raise NotASnapshot(path, f"no {RESULTS} sheet")
    header, records = _records(wb[results])
    named = summary_headers(info.horizon_years) if info.horizon_years else {}
    column = {m: named[m] if named.get(m) in header else None for m in DIFF_METRICS}
    key_col = "Key" if "Key" in header else "Scenario"
    if "Agents" not in header or key_col not in header:
        raise NotASnapshot(path, f"{results} has no 'Agents' and 'Key' columns (headers: {', '.join(header)})")
    missing += [f"{results} column {METRICS[m][0]}" for m in DIFF_METRICS if column[m] is None]
    rows = {}
    for i, rec in records:
        try:
            row = Row(agents=rec["Agents"], key=str(rec[key_col]), name=str(rec.get("Scenario") or rec[key_col]),
                      cheapest=bool(rec.get("Cheapest")), recommendation=str(rec.get("Recommendation") or ""),
                      **{m: rec[col] for m, col in column.items() if col is not None})
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise NotASnapshot(path, f"{results} row {i}, {problem['loc'][0]}: {problem['msg']} "
                                     f"(found {problem['input']!r})") from None
        rows[(row.agents, row.key)] = row
    if "Cheapest" not in header:
        missing.append(f"{results} column Cheapest (taken as the lowest N-year TCO)")
        _mark_cheapest(rows.values())
    assumptions = None
    cells = ASSUMPTION_CELLS if ASSUMPTION_CELLS in wb.sheetnames else "Assumptions"  # 'Assumptions' in format 1
    if cells in wb.sheetnames:
        _, records = _records(wb[cells])
        assumptions = {str(r["Key"]): Value(label=str(r.get("Label") or ""), value=r.get("Value"),
                                            unit=str(r.get("Unit") or ""), low=r.get("Low"), high=r.get("High"))
                       for _, r in records if r.get("Key") is not None}
    else:
        missing.append("Assumptions sheet")
    return Snapshot(info=info, rows=rows, assumptions=assumptions, missing=missing)


def _by_agents(rows: Iterable[Row]) -> dict[int, list[Row]]:
    """Rows grouped by headcount."""
    out: dict[int, list[Row]] = {}
    for r in rows:
        out.setdefault(r.agents, []).append(r)
    return out


def _mark_cheapest(rows: Iterable[Row]) -> None:
    for block in _by_agents(rows).values():
        low = min((r.tco for r in block if r.tco is not None), default=None)
        for r in block:
            r.cheapest = low is not None and r.tco == low


# -- the diff model --------------------------------------------------------------------------------
class AssumptionChange(BaseModel):
    """An assumption added, removed or changed (value, unit or low/high range)."""

    change: Literal["added", "removed", "changed"]
    key: str
    label: str
    unit: str
    old: Any = None
    new: Any = None
    old_unit: str = ""
    old_range: tuple[Any, Any] | None = None
    new_range: tuple[Any, Any] | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern; mypy rejects it
    @property
    def pct(self) -> float | None:
        """Relative change of a numeric value (None for text, additions, removals or from zero)."""
        if _number(self.old) and _number(self.new) and self.old:
            return (self.new - self.old) / abs(self.old)
        return None


class Delta(BaseModel):
    """A total in both snapshots (USD): the change and the relative change (None from zero)."""

    old: float
    new: float

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern; mypy rejects it
    @property
    def delta(self) -> float:
        return self.new - self.old

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented pattern; mypy rejects it
    @property
    def pct(self) -> float | None:
        return self.delta / abs(self.old) if self.old else None

    @property
    def changed(self) -> bool:
        return abs(self.delta) >= CENT


class TotalChange(BaseModel):
    """Year 1, annual and N-year TCO of one scenario at one headcount, old vs new (USD)."""

    agents: int
    key: str
    name: str
    year1: Delta | None = None
    annual: Delta | None = None
    tco: Delta | None = None

    @property
    def changed(self) -> bool:
        return any(d is not None and d.changed for d in (self.year1, self.annual, self.tco))


class CheapestChange(BaseModel):
    """At one headcount, the cheapest scenario (the recommendation) of each snapshot."""

    agents: int
    old: list[str]
    new: list[str]
    recommendation: str = ""


class SnapshotDiff(BaseModel):
    """Everything that changed from ``old`` to ``new``."""

    old: Info
    new: Info
    assumptions: list[AssumptionChange] | None
    totals: list[TotalChange]
    compared: int
    cheapest: list[CheapestChange]
    scenarios_added: list[str]
    scenarios_removed: list[str]
    agents_added: list[int]
    agents_removed: list[int]
    notes: list[str]

    def tco_rises_above(self, pct: float) -> list[TotalChange]:
        """Scenario × headcount whose N-year TCO rose by more than ``pct`` percent (any rise from zero counts)."""
        return [t for t in self.totals if t.tco is not None and t.tco.delta >= CENT
                and (t.tco.pct is None or t.tco.pct * 100 > pct)]


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _assumption_changes(old: dict[str, Value], new: dict[str, Value]) -> list[AssumptionChange]:
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        o, n = old.get(key), new.get(key)
        if o is None or n is None:
            v = n or o
            if v is None:  # cannot happen: every key comes from old or from new
                continue
            out.append(AssumptionChange(change="added" if o is None else "removed", key=key, label=v.label,
                                        unit=v.unit, old=o and o.value, new=n and n.value))
        elif (o.value, o.unit, o.low, o.high) != (n.value, n.unit, n.low, n.high):
            ranged = (o.low, o.high) != (n.low, n.high)
            out.append(AssumptionChange(change="changed", key=key, label=n.label, unit=n.unit, old=o.value,
                                        new=n.value, old_unit=o.unit if o.unit != n.unit else "",
                                        old_range=(o.low, o.high) if ranged else None,
                                        new_range=(n.low, n.high) if ranged else None))
    return out


def diff_snapshots(old: Snapshot, new: Snapshot) -> SnapshotDiff:
    """Compare two snapshots read with ``read_snapshot``."""
    common = [k for k in new.rows if k in old.rows]
    totals = []
    for k in common:
        o, n = old.rows[k], new.rows[k]
        deltas = {m: Delta(old=getattr(o, m), new=getattr(n, m)) for m in DIFF_METRICS
                  if getattr(o, m) is not None and getattr(n, m) is not None}
        change = TotalChange(agents=k[0], key=k[1], name=n.name, **deltas)
        if change.changed:
            totals.append(change)
    old_by, new_by = _by_agents(old.rows.values()), _by_agents(new.rows.values())
    old_agents, new_agents = set(old_by), set(new_by)
    old_keys, new_keys = {s for _, s in old.rows}, {s for _, s in new.rows}
    cheapest = []
    for agents in sorted(old_agents & new_agents):
        oc, nc = [r for r in old_by[agents] if r.cheapest], [r for r in new_by[agents] if r.cheapest]
        if {r.key for r in oc} != {r.key for r in nc}:
            cheapest.append(CheapestChange(agents=agents, old=[r.name for r in oc], new=[r.name for r in nc],
                                           recommendation=next((r.recommendation for r in nc if r.recommendation), "")))
    notes = [f"{side} snapshot has no {what}" for side, snap in (("old", old), ("new", new)) for what in snap.missing]
    if old.info.horizon_years != new.info.horizon_years:
        notes.append(f"the TCO horizon changed from {old.info.horizon_years} to {new.info.horizon_years} years: "
                     "N-year TCO compares different periods")
    for side, snap in (("old", old), ("new", new)):
        if snap.info.format != FORMAT:
            notes.append(f"{side} snapshot has format {snap.info.format!r}; this tco_xl writes {FORMAT!r}")
    assumptions = (_assumption_changes(old.assumptions, new.assumptions)
                   if old.assumptions is not None and new.assumptions is not None else None)
    return SnapshotDiff(old=old.info, new=new.info, assumptions=assumptions, totals=totals, compared=len(common),
                        cheapest=cheapest, scenarios_added=sorted(new_keys - old_keys),
                        scenarios_removed=sorted(old_keys - new_keys), agents_added=sorted(new_agents - old_agents),
                        agents_removed=sorted(old_agents - new_agents), notes=notes)


# -- rendering -------------------------------------------------------------------------------------
def _shown(v: Any) -> str:
    if v is None:
        return "(blank)"
    if _number(v):
        return f"{v:,.10g}" if abs(v) >= 1000 else f"{v:.10g}"
    return str(v)


def _usd(delta: Delta | None) -> str:
    if delta is None:
        return "n/a"
    pct = f" ({delta.pct:+.1%})" if delta.pct is not None else ""
    return f"{delta.delta:+,.2f}{pct}"


def _assumption_row(c: AssumptionChange) -> list[str]:
    old, new = _shown(c.old), _shown(c.new)
    if c.old_unit:
        old += f" {c.old_unit}"
    if c.old_range is not None and c.new_range is not None:  # set together, when the range changed
        old += f" [{_shown(c.old_range[0])}..{_shown(c.old_range[1])}]"
        new += f" [{_shown(c.new_range[0])}..{_shown(c.new_range[1])}]"
    pct = f"{c.pct:+.1%}" if c.pct is not None else ""
    return [c.change, c.key, c.label, "" if c.change == "added" else old, "" if c.change == "removed" else new,
            c.unit, pct]


def _grid(headers: list[str], rows: list[list[str]], markdown: bool, right: AbstractSet[int] = frozenset()) -> str:
    """An aligned text table, or a Markdown table."""
    if markdown:
        esc = lambda s: s.replace("|", "\\|")  # noqa: E731
        rule = ["---:" if i in right else "---" for i in range(len(headers))]
        return "\n".join("| " + " | ".join(map(esc, r)) + " |" for r in [headers, rule, *rows])
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    fit = lambda r: "  ".join(s.rjust(w) if i in right else s.ljust(w)  # noqa: E731
                              for i, (s, w) in enumerate(zip(r, widths, strict=False))).rstrip()
    return "\n".join([fit(headers), fit(["-" * w for w in widths]), *map(fit, rows)])


def _limited(rows: list[list[str]], what: str) -> tuple[list[list[str]], str]:
    if len(rows) <= ROW_LIMIT:
        return rows, ""
    return rows[:ROW_LIMIT], f"… and {len(rows) - ROW_LIMIT:,} more {what} (all of them in --format json)"


def _described(info: Info) -> str:
    parts = [f"tco_xl {info.version}" if info.version else "", f"created {info.created}" if info.created else "",
             f"assumptions {info.assumptions_sha256[:8]}" if info.assumptions_sha256 else "",
             f"from {info.assumptions_source}" if info.assumptions_source else "",
             f"what-if {info.what_ifs}" if info.what_ifs not in ("", "none") else "",
             f"agents {info.agents}" if info.agents else ""]
    return ", ".join(p for p in parts if p)


def _sentences(d: SnapshotDiff) -> list[str]:
    """The headline: the cheapest scenario per headcount (the recommendation), said plainly."""
    if not d.cheapest:
        return ["The cheapest scenario (the recommendation) is unchanged at every headcount in both snapshots."]
    out = []
    for c in d.cheapest:
        text = (f"At {c.agents:,} agents the cheapest scenario changed from {' and '.join(c.old) or 'none'} "
                f"to {' and '.join(c.new) or 'none'}.")
        if c.recommendation:
            text += f" New recommendation: {c.recommendation}."
        out.append(text)
    return out


def render(d: SnapshotDiff, fmt: Literal["text", "markdown", "json"] = "text") -> str:
    """The diff as plain text, Markdown (a pull-request comment) or JSON."""
    if fmt == "json":
        return d.model_dump_json(indent=2)
    md = fmt == "markdown"
    horizon = d.new.horizon_years or d.old.horizon_years
    title = lambda s: f"### {s}" if md else f"{s}\n{'=' * len(s)}"  # noqa: E731
    code = lambda s: f"`{s}`" if md else s  # noqa: E731
    out = ["## TCO snapshot diff" if md else "TCO snapshot diff",
           f"{'- ' if md else ''}old: {code(d.old.file)} ({_described(d.old)})",
           f"{'- ' if md else ''}new: {code(d.new.file)} ({_described(d.new)})", ""]
    out += [(f"- **{s}**" if md and d.cheapest else s) for s in _sentences(d)] + [""]
    for what, items in (("Scenarios added", d.scenarios_added), ("Scenarios removed", d.scenarios_removed),
                        ("Headcounts only in new", d.agents_added), ("Headcounts only in old", d.agents_removed)):
        if items:
            out += [f"{what}: {', '.join(map(str, items))}", ""]

    if d.assumptions is None:
        out += [title("Assumptions"), "not compared (a snapshot has no Assumptions sheet)", ""]
    else:
        counts = {k: sum(c.change == k for c in d.assumptions) for k in ("changed", "added", "removed")}
        out.append(title(f"Assumptions: {counts['changed']} changed, {counts['added']} added, "
                         f"{counts['removed']} removed"))
        rows, more = _limited([_assumption_row(c) for c in d.assumptions], "assumptions")
        if rows:
            keyed = [[r[0], code(r[1]), *r[2:]] for r in rows]
            out += [_grid(["", "Assumption", "Label", "Old", "New", "Unit", "Change"], keyed, md, {6})]
        out += [more, ""] if more else [""]

    tco = f"{horizon}-year TCO" if horizon else "N-year TCO"
    out.append(title(f"Totals (USD): {len(d.totals):,} of {d.compared:,} scenario × headcount pairs changed"))
    rows, more = _limited([[f"{t.agents:,}", t.name, _usd(t.year1), _usd(t.annual), _usd(t.tco),
                            f"{t.tco.new:,.2f}" if t.tco else "n/a"]
                           for t in sorted(d.totals, key=lambda t: t.agents)], "rows")
    if rows:
        out.append(_grid(["Agents", "Scenario", "Δ Year 1", "Δ Annual", f"Δ {tco}", f"New {tco}"], rows, md,
                         {0, 2, 3, 4, 5}))
    if more:
        out.append(more)
    if d.notes:
        out += ["", title("Notes"), *(f"- {n}" for n in d.notes)]
    return "\n".join(out).rstrip() + "\n"
