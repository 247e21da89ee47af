"""Applying what-ifs: an override's key resolved, its value converted, the result validated as the loader would.

``with_what_ifs(a, names)`` applies what-ifs in order and returns new assumptions (its values changed, every
row validated again by its pydantic model, every reference between tables checked again), or raises an
``InputError`` naming the what-if and what it could not do. ``what_if_problems(a)`` applies each what-if on
its own and reports what would fail as ``Problem``s at the What-ifs row and column at fault (the loader puts
them at their cells, ``reference_problems`` runs it on every ``Assumptions``).

Keys: ``telephony.outbound_usd_per_min`` (a scalar), ``providers[aws|S3 Standard].unit_price`` (a table cell,
its row named as ``keys.stable_keys`` names it), ``stacks[aws]`` (a whole Stacks row, priced as the stack the
value names). A number's value may be the key of another number assumption: it takes that one's value as the
what-if finds it (after the what-if's earlier rows).

An override replaces a value and the range stated around it (a scalar's Low/High, a price line's Price
low/high, unless the what-if sets those too): that range described the uncertainty of the value replaced. The
default band of the input's kind, where it has one, ranges the new value for sensitivity and Monte Carlo.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..engine.inputs import norm_text
from ..errors import InputError
from . import GROUPS, Assumptions, Problem, WhatIf, reference_problems, scalar_specs
from ._field import cell_kind, expected_text
from .keys import stable_keys

__all__ = ["KEY_EXAMPLES", "Target", "WhatIfSet", "override_changes", "what_if_problems", "what_if_sets",
           "with_what_ifs"]

#: The tables an override may set, and the fields that identify their rows (which an override may not set).
TABLE_IDENTITY: dict[str, tuple[str, ...]] = {"providers": ("group", "line"), "options": ("group", "line"),
                                              "llm_models": ("key",), "gpu_servers": ("group", "line"),
                                              "stacks": ("key",)}
KEY_EXAMPLES = ("a scalar key (e.g. telephony.outbound_usd_per_min), a table cell named by its row (e.g. "
                "providers[aws|S3 Standard].unit_price) or a Stacks row (e.g. stacks[aws])")
REFERENCE_EXAMPLE = "providers[cloudflare|R2 storage].unit_price"
_TABLE_KEY = re.compile(r"(?P<table>\w+)\[(?P<row>.+)\](?:\.(?P<field>\w+))?")
_TEXTS = ("claimed", "description", "source")  # stated once per what-if
_TRUE, _FALSE = {"true", "yes"}, {"false", "no"}


# -- the what-ifs of the table ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WhatIfSet:
    """One what-if: its name, texts (from its first rows that state them) and its rows (index, override) in order."""

    name: str
    claimed: str
    description: str
    source: str
    rows: tuple[tuple[int, WhatIf], ...]

    @property
    def compares_stacks(self) -> bool:
        """True when it prices scenarios as other stacks (a comparison between stacks, e.g. Hetzner over AWS)."""
        return any((m := _TABLE_KEY.fullmatch(w.assumption.strip())) is not None and m["table"] == "stacks"
                   and m["field"] is None for _, w in self.rows)


def what_if_sets(a: Assumptions) -> list[WhatIfSet]:
    """The what-ifs of ``a`` in the order their names first appear (rows that could not be read left out)."""
    rows: dict[str, list[tuple[int, WhatIf]]] = {}
    for i, w in enumerate(a.what_ifs):
        if isinstance(w.what_if, str) and isinstance(w.assumption, str):
            rows.setdefault(w.what_if, []).append((i, w))
    def stated(group: list[tuple[int, WhatIf]], name: str) -> str:
        return next((text for _, w in group if isinstance(text := getattr(w, name), str) and text), "")
    return [WhatIfSet(name, stated(group, "claimed"), stated(group, "description"), stated(group, "source"),
                      tuple(group)) for name, group in rows.items()]


def _find(a: Assumptions, name: Any, field: str) -> WhatIfSet:
    """The what-if named ``name`` (case and punctuation ignored)."""
    sets = what_if_sets(a)
    if isinstance(name, str):
        for s in sets:
            if norm_text(s.name) == norm_text(name):
                return s
    listed = ", ".join(f"'{s.name}'" for s in sets) or "none: the What-ifs sheet is empty"
    raise InputError(field, name, f"a what-if on the What-ifs sheet ({listed})")


# -- keys and values ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where an override writes: ``key`` by position ('telephony.x', 'providers[3].discount', 'stacks[3]'),
    the scalar group or table, the row (tables), the field (None: a whole Stacks row), the value's kind
    ('number', 'text', 'bool', 'list' or 'stack') and its unit."""

    key: str
    group: str
    index: int | None
    field: str | None
    kind: str
    unit: str = ""


class _Bad(Exception):
    """An override that cannot be applied: ``expected`` says what would do."""

    def __init__(self, expected: str):
        self.expected = expected


def _kind(info: FieldInfo) -> str:
    """How an override's value is read for this field: as its cell holds it, an optional number as a number."""
    kind = cell_kind(info)
    return {"optional number": "number", "any": "text"}.get(kind, kind)


def _rows(a: Assumptions) -> dict[str, int]:
    """Stable row key ('providers[aws|S3 Standard]') -> the row's position in its table."""
    return {stable: int(positional.partition("[")[2].rstrip("]")) for positional, stable in stable_keys(a).items()}


def _target(a: Assumptions, key: str, rows: dict[str, int]) -> Target:
    """The target of ``key``; ``rows`` maps stable row keys to positions (``_rows``)."""
    key = key.strip()
    specs = {s.key: s for s in scalar_specs()}
    if key in specs:
        spec = specs[key]
        return Target(key, spec.group, None, spec.field, "text" if spec.is_text else "number", spec.unit)
    match = _TABLE_KEY.fullmatch(key)
    if match is None or match["table"] not in TABLE_IDENTITY:
        raise _Bad(KEY_EXAMPLES)
    table, name = match["table"], f"{match['table']}[{match['row']}]"
    if name not in rows:
        example = next((k for k in rows if k.startswith(f"{table}[")), f"{table}[...]")
        raise _Bad(f"a row of {table} named as the snapshots and the diff name it, e.g. {example} (none is named "
                   f"{name})")
    position = rows[name]
    field_name = match["field"]
    if field_name is None:
        if table != "stacks":
            raise _Bad(f"a cell of that row ({name}.<field>): only a Stacks row is set whole")
        return Target(f"stacks[{position}]", "stacks", position, None, "stack")
    model = type(getattr(a, table)[position])
    if field_name not in model.model_fields or field_name in TABLE_IDENTITY[table]:
        fields = [f for f in model.model_fields if f not in TABLE_IDENTITY[table]]
        raise _Bad(f"a field of {table} that an override may set ({', '.join(fields)})")
    info = model.model_fields[field_name]
    return Target(f"{table}[{position}].{field_name}", table, position, field_name, _kind(info),
                  info.description or "")


@dataclass
class _Draft:
    """Assumptions being changed by one what-if: the fields set, per scalar group and per table row, the what-if
    row that set each (by positional key) and where each value now comes from."""

    a: Assumptions
    rows: dict[str, int]  # stable row key -> position in its table
    scalars: dict[str, dict[str, Any]] = field(default_factory=dict)
    table_rows: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    setters: dict[str, int] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    def row(self, table: str, index: int) -> dict[str, Any]:
        """The fields of a table row as changed so far."""
        if (table, index) not in self.table_rows:
            self.table_rows[table, index] = dict(getattr(self.a, table)[index].__dict__)
        return self.table_rows[table, index]

    def get(self, t: Target) -> Any:
        if t.index is None:
            return self.scalars.get(t.group, {}).get(t.field or "", self.a.value(t.key))
        return self.row(t.group, t.index)[t.field or ""]

    def set(self, t: Target, value: Any, by: int, origin: str) -> None:
        if t.index is None:
            self.scalars.setdefault(t.group, {})[t.field or ""] = value
        elif t.field is None:  # a Stacks row priced as another stack
            stacks = self.a.stacks
            like = next(s for s in stacks if s.key == value)
            mine = self.row("stacks", t.index)
            self.table_rows["stacks", t.index] = {**like.__dict__, "key": mine["key"],
                                                  "name": f"{like.name} instead of {mine['name']}"}
        else:
            self.row(t.group, t.index)[t.field] = value
        self.setters[t.key] = by
        cells = [t.key] if t.field is not None else [f"stacks[{t.index}]", *(
            f"stacks[{t.index}].{f}" for f in type(self.a.stacks[t.index or 0]).model_fields)]
        self.origins.update(dict.fromkeys(cells, origin))

    def setter(self, key: str) -> int | None:
        """The what-if row that set ``key`` (a cell, or the whole row it belongs to), if any."""
        if key in self.setters:
            return self.setters[key]
        row = key.partition("].")[0] + "]" if "[" in key else None
        return self.setters.get(row) if row is not None else None


def _value(d: _Draft, t: Target, value: Any) -> Any:
    """``value`` as the target's field holds it; raises _Bad."""
    if t.kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return value
        if isinstance(value, str):
            try:
                source = _target(d.a, value, d.rows)
            except _Bad:
                source = None
            if source is not None and source.kind == "number" and source.field is not None:
                found = d.get(source)
                if isinstance(found, (int, float)) and not isinstance(found, bool):
                    return found
        raise _Bad(f"a number, or the key of a number assumption (e.g. {REFERENCE_EXAMPLE})")
    if t.kind == "bool":
        text = str(value).strip().lower()
        if isinstance(value, bool) or text in _TRUE | _FALSE:
            return value if isinstance(value, bool) else text in _TRUE
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        raise _Bad("TRUE or FALSE")
    if not isinstance(value, str):
        raise _Bad("text" if t.kind == "text" else "names separated by commas")
    if t.kind == "list":
        return [part.strip() for part in value.split(",") if part.strip()]
    if t.kind == "stack":
        keys = [s.key for s in d.a.stacks]
        own = d.row("stacks", t.index or 0)["key"]
        match = next((k for k in keys if norm_text(k) == norm_text(value) and k != own), None)
        if match is None:
            raise _Bad(f"the key of another stack to price {own} as ({', '.join(k for k in keys if k != own)})")
        return match
    return value.strip()


# -- applying ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Fault:
    """A what-if row that could not be applied: its index, the column at fault, the value there and what would do."""

    row: int
    column: str
    found: Any
    expected: str


def _apply(a: Assumptions, what_if: WhatIfSet, others: bool = True) -> tuple[Assumptions | None, list[_Fault]]:
    """``a`` with ``what_if`` applied, or None and what went wrong (every problem at once: the rows that could be
    set are validated even when others could not; references are checked once every row applies). ``others``
    False leaves out references the what-if breaks in cells it does not set (a blank Voice cell of a stack once a
    what-if transcribes calls): a fault of those cells as they are, reported when the what-if is applied."""
    d, faults = _drafted(a, what_if)
    applied = _built(d, what_if.name, faults)
    if applied is None or faults:
        return None, faults  # (None and no fault: the base itself is invalid there, and reports it)
    faults += [f for f, own in _reference_faults(d, applied) if own or others]
    return (None, faults) if faults else (applied, [])


def _drafted(a: Assumptions, what_if: WhatIfSet) -> tuple[_Draft, list[_Fault]]:
    """Every row of ``what_if`` resolved, converted and set on a draft of ``a``, and the rows that could not be."""
    d = _Draft(a, _rows(a))
    faults: list[_Fault] = []
    seen: dict[str, int] = {}
    for i, w in what_if.rows:
        try:
            t = _target(a, w.assumption, d.rows)
        except _Bad as bad:
            faults.append(_Fault(i, "assumption", w.assumption, bad.expected))
            continue
        if t.key in seen:
            faults.append(_Fault(i, "assumption", w.assumption, f"each assumption once per what-if (set by row "
                                                                f"{seen[t.key] + 1} of the table already)"))
            continue
        seen[t.key] = i
        try:
            value = _value(d, t, w.value)
        except _Bad as bad:
            faults.append(_Fault(i, "value", w.value, f"{bad.expected} for {w.assumption.strip()}"))
            continue
        d.set(t, value, i, a.origins.get(f"what_ifs[{i}].value", f"what_ifs[{i}].value"))
    for (table, index), fields in d.table_rows.items():  # a new unit price leaves the range of the old one
        if f"{table}[{index}].unit_price" in d.setters and "price_low" in fields:
            fields.update({end: None for end in ("price_low", "price_high") if f"{table}[{index}].{end}" not in
                           d.setters})
    return d, faults


def _built(d: _Draft, name: str, faults: list[_Fault]) -> Assumptions | None:
    """The draft's assumptions, every changed group and row validated by its model (faults added), or None."""
    a = d.a
    update: dict[str, Any] = {}
    for group, fields in d.scalars.items():
        current = getattr(a, group)
        update[group] = _validated(d, type(current), {**current.__dict__, **fields}, group + ".", faults)
    for (table, index), fields in d.table_rows.items():
        rows = update.setdefault(table, list(getattr(a, table)))
        rows[index] = _validated(d, type(rows[index]), fields, f"{table}[{index}].", faults)
    if any(v is None or (isinstance(v, list) and None in v) for v in update.values()):
        return None
    ranges = {k: v for k, v in a.ranges.items() if k not in d.setters}  # a new value leaves the old one's range
    return a.model_copy(update={**update, "ranges": ranges, "origins": {**a.origins, **d.origins},
                                "what_ifs_applied": (*a.what_ifs_applied, name)})


def _reference_faults(d: _Draft, applied: Assumptions) -> list[tuple[_Fault, bool]]:
    """References between tables that the what-if breaks (not those broken before it), at the row that set them,
    each with whether the cell at fault is one the what-if sets."""
    a, faults = d.a, []
    before = {(p.loc, repr(p.found)) for p in reference_problems(a, what_ifs=False)}
    for p in reference_problems(applied, what_ifs=False):
        if (p.loc, repr(p.found)) in before:
            continue
        key = _key_of(p.loc)
        row = d.setter(key)
        own = row is not None
        if row is None:  # a cell the what-if does not set, broken by one it does (e.g. a group priced twice)
            row = max(d.setters.values())
        at = f" ({a.origins[key]})" if key in a.origins else ""  # the cell, when read from a workbook
        faults.append((_Fault(row, "value", a.what_ifs[row].value, f"{p.expected} for {key}{at}"), own))
    return faults


def _validated(d: _Draft, model: type[BaseModel], values: dict[str, Any], prefix: str,
               faults: list[_Fault]) -> BaseModel | None:
    """``model`` of ``values``, or None with a fault per error that some override caused (errors of the row as
    a whole go to the last override of the row; errors the overrides did not cause are the base's own)."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        row_key = prefix.rstrip(".")
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            by = d.setter(prefix + name) if name else max(
                (r for k, r in d.setters.items() if k == row_key or k.startswith(prefix)), default=None)
            if by is None:
                continue
            info = model.model_fields.get(name)
            extra = info.json_schema_extra if info is not None else None
            unit = extra.get("unit") if isinstance(extra, dict) else None
            w = d.a.what_ifs[by]
            expected = expected_text(err, unit if isinstance(unit, str) else None)
            faults.append(_Fault(by, "value", w.value, f"{expected} for {w.assumption.strip()}"))
        return None


def _key_of(loc: tuple[str | int, ...]) -> str:
    """The assumption key a reference problem's location names ('services.monitoring', 'stacks[3].provider')."""
    head, *rest = map(str, loc)
    if head in GROUPS:
        return f"{head}.{rest[0]}"
    return f"{head}[{rest[0]}]" + (f".{rest[1]}" if len(rest) > 1 else "")


_APPLIED: OrderedDict[tuple[int, tuple[str, ...]], tuple[weakref.ref, Assumptions]] = OrderedDict()
CACHED = 64  # (assumptions, what-ifs) pairs kept applied: every Excel call with a what-if after the first reuses it


def with_what_ifs(a: Assumptions, names: tuple[str, ...], field: str = "what_if") -> Assumptions:
    """``a`` with the what-ifs ``names`` applied in order; InputError (``field``) for a name that is not a what-if
    or a what-if that cannot apply on top of the ones before it. Cached per assumptions object and names."""
    if not names:
        return a
    key = (id(a), tuple(norm_text(n) if isinstance(n, str) else repr(n) for n in names))
    hit = _APPLIED.get(key)
    if hit is not None and hit[0]() is a:
        _APPLIED.move_to_end(key)
        return hit[1]
    out = a
    for name in names:
        what_if = _find(out, name, field)
        applied, faults = _apply(out, what_if)
        if applied is None:
            after = f" on top of {', '.join(repr(n) for n in out.what_ifs_applied)}" if out.what_ifs_applied else ""
            why = (f"its row {faults[0].row + 1} of the table ({faults[0].column} {faults[0].found!r}) needs "
                   f"{faults[0].expected}" if faults else "assumptions that are valid to begin with")
            raise InputError(field, name, f"a what-if that applies{after}: {why}")
        out = applied
    _APPLIED[key] = (weakref.ref(a), out)
    while len(_APPLIED) > CACHED:
        _APPLIED.popitem(last=False)
    return out


def override_changes(a: Assumptions, what_if: WhatIfSet) -> list[tuple[str, Any, Any]]:
    """(assumption as the what-if names it, value in ``a``, value with the what-if applied) per row of ``what_if``;
    a Stacks row's values are the names of the stacks it is priced as."""
    applied = with_what_ifs(a, (what_if.name,))
    rows = _rows(a)
    before, after = _Draft(a, rows), _Draft(applied, rows)
    out = []
    for _, w in what_if.rows:
        t = _target(a, w.assumption, rows)
        if t.field is None:
            like = next(s for s in a.stacks if s.key == _value(before, t, w.value))
            out.append((w.assumption.strip(), a.stacks[t.index or 0].name, like.name))
        else:
            out.append((w.assumption.strip(), before.get(t), after.get(t)))
    return out


def what_if_problems(a: Assumptions) -> list[Problem]:
    """Every what-if applied on its own to ``a``: what would fail in the cells it sets, at the What-ifs row and
    column at fault; and names spelled two ways, texts stated twice differently. A what-if that would break a rule
    in a cell it does not set (a stack without a voice choice, once the what-if transcribes calls) is no problem
    of the What-ifs sheet: applying it is an error naming that cell, and ``levers`` lists it as not priced."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for s in what_if_sets(a):
        first = seen.setdefault(norm_text(s.name), s.name)
        if first != s.name:
            problems += [Problem(("what_ifs", i, "what_if"), s.name, f"'{first}' exactly, as its other rows (names "
                                                                    "are matched ignoring case and punctuation)")
                         for i, _ in s.rows]
            continue
        problems += _text_problems(s)
        _, faults = _apply(a, s, others=False)
        problems += [Problem(("what_ifs", f.row, f.column), f.found, f.expected) for f in faults]
    return problems


def _text_problems(s: WhatIfSet) -> Iterator[Problem]:
    """Rows stating a description, claim or source other than the what-if's (stated on its first row)."""
    for i, w in s.rows:
        for name in _TEXTS:
            text = getattr(w, name)
            if isinstance(text, str) and text.strip() and text != getattr(s, name):
                yield Problem(("what_ifs", i, name), text, f"blank, or the {name} this what-if states first")
