"""Levers: what each what-if saves in every scenario at every headcount, ranked, beside what the report claims.

A what-if's saving in a scenario is its cost without the what-if minus its cost with it (Year 1 and N-year TCO,
USD): positive saves money, negative costs money. Each what-if is priced on its own against the same base.
Ranked from the largest saving to the largest cost: a what-if that saves somewhere by its largest saving, then
those that change nothing, then those that only cost, by their largest cost (a cost is never ranked by the
scenario where it costs least).
The combination is priced with its what-ifs applied together, in sheet order: never by adding their separate
savings, because overrides interact (a discount on Twilio's per-minute rates is worth less once a SIP trunk
carries the minutes at a lower rate); the rows of the combination carry that sum beside it to show the
difference. A what-if that prices scenarios as other stacks (Hetzner over AWS/Azure) is a comparison between
stacks: only those scenarios change, and its rows say what changed per cost category (the report's claim is
about compute).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..assumptions import Assumptions
from ..assumptions.overrides import WhatIfSet, override_changes, what_if_sets
from ..engine import ScenarioResult, agent_grid, evaluate
from ..errors import InputError

__all__ = ["COMBINED", "GROUPED_COLUMNS", "LEVER_COLUMNS", "NO_CLAIM", "Lever", "category_changes", "grouped_levers",
           "levers", "ranked_levers"]

#: Savings within half a cent are none (float noise between sums of different lines).
CENT = 0.005
COMBINED = "Combined: "
#: What the grouped table shows where the report claims nothing for a what-if (a blank Report claims cell).
NO_CLAIM = "none stated"
#: The columns of ``levers``' table, in order.
LEVER_COLUMNS = ("agents", "rank", "what_if", "kind", "scenario", "name", "name_after", "year1_before", "year1_after",
                 "year1_saving", "tco_before", "tco_after", "tco_saving", "saving_share", "separate_sum", "claimed",
                 "changes", "categories", "description", "source")


@dataclass(frozen=True)
class Lever:
    """One priced lever: a what-if (or the combination of several) and its name, kind, texts and what it sets."""

    name: str
    kind: str  # 'what-if', 'comparison' (between stacks) or 'combined'
    what_ifs: tuple[WhatIfSet, ...]
    changes: str
    applied: Assumptions

    @property
    def claimed(self) -> str:
        """What the report claims for the what-if ('' for a combination: each what-if's row has its own)."""
        return self.what_ifs[0].claimed if self.kind != "combined" else ""


def _lever(base: Assumptions, what_ifs: Sequence[WhatIfSet], combined: bool) -> Lever:
    applied = base.with_what_ifs([w.name for w in what_ifs])
    kind = "combined" if combined else "comparison" if what_ifs[0].compares_stacks else "what-if"
    name = COMBINED + " + ".join(w.name for w in what_ifs) if combined else what_ifs[0].name
    changes = "; ".join(f"{key}: {_shown(before)} → {_shown(after)}" for w in what_ifs for key, before, after in
                        override_changes(base, w))
    return Lever(name, kind, tuple(what_ifs), changes, applied)


def _shown(value: Any) -> str:
    """An assumption's value in a lever's list of changes: numbers to 6 significant digits."""
    if isinstance(value, float):
        return f"{value:,.6g}"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _combination(base: Assumptions, sets: list[WhatIfSet], combine: Sequence[str] | None,
                 saves: dict[str, bool]) -> list[WhatIfSet]:
    """The what-ifs priced together: those named (in the order given), else every what-if that is not a
    comparison between stacks and saves money somewhere, in sheet order."""
    if combine is None:
        return [s for s in sets if saves.get(s.name) and not s.compares_stacks]
    named = []
    for name in combine:
        found = base.with_what_ifs([name], "--combine").what_ifs_applied[-1]
        named.append(next(s for s in sets if s.name == found))
    return named


def category_changes(before: ScenarioResult, after: ScenarioResult) -> str:
    """What changed per cost category of one scenario at one headcount (USD/month), largest change first:
    'compute $520.00 → $708.07/month (+36.2%); …'."""
    def by_category(r: ScenarioResult) -> dict[str, float]:
        out: dict[str, float] = {}
        for c in r.components:
            out[c.category] = out.get(c.category, 0.0) + float(c.monthly)
        return out
    old, new = by_category(before), by_category(after)
    parts = []
    for category in sorted(old.keys() | new.keys(), key=lambda c: -abs(new.get(c, 0.0) - old.get(c, 0.0))):
        x, y = old.get(category, 0.0), new.get(category, 0.0)
        if abs(y - x) < CENT:
            continue
        pct = f" ({(y - x) / x:+.1%})" if x else ""
        parts.append(f"{category} ${x:,.2f} → ${y:,.2f}/month{pct}")
    return "; ".join(parts)


def _rows(lever: Lever, base: dict[str, ScenarioResult], agents: np.ndarray,
          scenarios: Iterable[str] | None) -> list[dict[str, Any]]:
    after = evaluate(lever.applied, agents)
    first = lever.what_ifs[0]
    keys = list(scenarios) if scenarios is not None else list(base)
    if lever.kind == "comparison":  # only the scenarios priced as another stack
        keys = [k for k in keys if after[k].name != base[k].name]
    totals = {(side, key, m): np.broadcast_to(getattr(r[key], m), agents.shape)
              for side, r in (("before", base), ("after", after)) for key in keys for m in ("year1", "tco")}
    rows = []
    for i, n in enumerate(agents):
        for key in keys:
            (y1, y1_after), (tco, tco_after) = ((float(totals["before", key, m][i]), float(totals["after", key, m][i]))
                                                for m in ("year1", "tco"))
            rows.append({
                "agents": int(n), "what_if": lever.name, "kind": lever.kind, "scenario": key, "name": base[key].name,
                "name_after": after[key].name,
                "year1_before": y1, "year1_after": y1_after, "year1_saving": y1 - y1_after,
                "tco_before": tco, "tco_after": tco_after, "tco_saving": tco - tco_after,
                "saving_share": (tco - tco_after) / tco if tco else np.nan,
                "claimed": lever.claimed, "changes": lever.changes,
                "categories": category_changes(base[key].at(i), after[key].at(i)) if lever.kind == "comparison" else "",
                "description": first.description if lever.kind != "combined" else "",
                "source": first.source if lever.kind != "combined" else ""})
    return rows


def levers(a: Assumptions, agents: Any, combine: Sequence[str] | None = None,
           scenarios: Iterable[str] | None = None) -> pd.DataFrame:
    """Every what-if's saving (and the combination's) per scenario and headcount: the columns ``LEVER_COLUMNS``.

    ``combine`` names the what-ifs priced together (default: every what-if that saves money somewhere and is
    not a comparison between stacks; no combination row when fewer than two). ``scenarios`` limits the rows to
    these stack keys. A what-if that cannot apply to ``a`` has no rows: ``attrs['not_priced']`` maps its name to
    why (e.g. a stack without a voice choice once it transcribes calls). Rows: by headcount, then the what-ifs
    ranked (``ranked_levers``: ``rank`` 1 = the largest N-year saving; the combination last, unranked), then their
    scenarios, largest saving first.
    """
    counts = np.unique(agent_grid(agents, "--agents"))
    sets = what_if_sets(a)
    if not sets:
        raise InputError("what-ifs", None, "at least one what-if on the What-ifs sheet")
    base = evaluate(a, counts)
    rows: list[dict[str, Any]] = []
    not_priced: dict[str, str] = {}
    for s in sets:
        try:
            lever = _lever(a, [s], False)
        except InputError as err:  # a rule it breaks in a cell it does not set (what_if_problems leaves it here)
            not_priced[s.name] = err.expected.removeprefix("a what-if that applies: ")
            continue
        rows += _rows(lever, base, counts, scenarios)
    saves = {s.name: any(r["tco_saving"] > CENT for r in rows if r["what_if"] == s.name) for s in sets}
    together = _combination(a, sets, combine, saves)
    if len(together) >= 2:
        combined = _rows(_lever(a, together, True), base, counts, scenarios)
        separate = {(r["agents"], r["scenario"], r["what_if"]): r for r in rows}
        for r in combined:
            r["separate_sum"] = sum(separate[r["agents"], r["scenario"], w.name]["tco_saving"] for w in together
                                    if (r["agents"], r["scenario"], w.name) in separate)
        rows += combined
    out = ranked_levers(pd.DataFrame(rows, columns=[c for c in LEVER_COLUMNS if c != "rank"]))
    out.attrs["not_priced"] = not_priced
    return out


def ranked_levers(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with ``rank`` per headcount, sorted by headcount, rank and saving. What-ifs that save somewhere rank
    first, by their largest N-year saving; then those that change nothing; then those that only cost, the smallest
    largest cost first (a cost ranks by the most it costs, never by the scenario where it costs least); ties in
    sheet order; the combination unranked and last. A what-if's scenarios: largest saving first; for one that only
    costs, largest cost first."""
    order = {name: i for i, name in enumerate(dict.fromkeys(df.what_if))}
    spread = df.groupby(["agents", "what_if"], sort=False)["tco_saving"].agg(["max", "min"]).reset_index()
    spread["best"] = spread["max"].where(spread["max"] > CENT, spread["min"].where(spread["min"] < -CENT, 0.0))
    spread["sheet"] = spread.what_if.map(order)
    single = spread[~spread.what_if.str.startswith(COMBINED)].sort_values(["agents", "best", "sheet"],
                                                                            ascending=[True, False, True])
    single["rank"] = single.groupby("agents").cumcount() + 1
    out = df.merge(single[["agents", "what_if", "rank", "best"]], on=["agents", "what_if"], how="left")
    out["_order"] = out["rank"].fillna(len(order) + 1)
    out["_within"] = out.tco_saving.where(~(out.best < 0), -out.tco_saving)  # a cost: the largest first
    out = out.sort_values(["agents", "_order", "_within", "scenario"], ascending=[True, True, False, True],
                          ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out[list(LEVER_COLUMNS)]


#: The columns of ``grouped_levers``' table, in order.
GROUPED_COLUMNS = ("agents", "rank", "what_if", "kind", "scenarios", "scenario_count", "year1_saving", "tco_saving",
                   "separate_sum", "claimed", "categories")


def grouped_levers(df: pd.DataFrame, not_priced: dict[str, str] | None = None) -> pd.DataFrame:
    """``levers``' rows with the scenarios that save the same together (per headcount and lever; a comparison's
    scenarios each on their own, named as priced: 'Cloud (Hetzner) instead of Cloud (AWS)'), in ``df``'s order;
    savings of 0 left out, but a lever that changes nothing at a headcount keeps one row ('no change'). A what-if
    whose Report claims cell is blank claims ``NO_CLAIM``. Each what-if of ``not_priced`` (default
    ``df.attrs['not_priced']``) follows at each headcount, kind 'not priced', its reason in Scenarios."""
    rows = []
    for (n, name), lever in df.groupby(["agents", "what_if"], sort=False):
        first = lever.iloc[0]
        claimed = first.claimed or ("" if first.kind == "combined" else NO_CLAIM)
        keys = [lever.year1_saving.round(2), lever.tco_saving.round(2), lever.separate_sum.round(2).fillna(0),
                lever.categories]
        moved = [g for (y1, tco, _, _), g in lever.groupby(keys, sort=False) if (y1, tco) != (0.0, 0.0)]
        if not moved:
            rows.append({**first[["agents", "rank", "what_if", "kind"]].to_dict(), "claimed": claimed,
                         "scenarios": "no change", "scenario_count": 0, "year1_saving": 0.0, "tco_saving": 0.0,
                         "separate_sum": np.nan, "categories": ""})
        for g in moved:  # groupby(sort=False) keeps df's order
            names = g.name_after if first.kind == "comparison" else g.name
            everywhere = len(g) == len(lever) and len(g) > 2
            rows.append({"agents": int(n), "rank": first["rank"], "what_if": name, "kind": first.kind,
                         "scenarios": f"all {len(g)} scenarios" if everywhere else ", ".join(names),
                         "scenario_count": len(g), "year1_saving": float(g.year1_saving.iloc[0]),
                         "tco_saving": float(g.tco_saving.iloc[0]), "separate_sum": float(g.separate_sum.iloc[0]),
                         "claimed": claimed, "categories": g.categories.iloc[0]})
    for n in dict.fromkeys(df.agents):
        rows += [{"agents": int(n), "rank": pd.NA, "what_if": name, "kind": "not priced", "scenarios":
                  f"not priced: {why}", "scenario_count": 0, "year1_saving": np.nan, "tco_saving": np.nan,
                  "separate_sum": np.nan, "claimed": "", "categories": ""}
                 for name, why in (df.attrs.get("not_priced", {}) if not_priced is None else not_priced).items()]
    out = pd.DataFrame(rows, columns=list(GROUPED_COLUMNS)).sort_values("agents", kind="stable", ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    return out
