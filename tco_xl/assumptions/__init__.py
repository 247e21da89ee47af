"""Every input of the engine, typed and grouped as the report groups them; defaults are the report's figures.

Scalar assumptions are addressed by a dotted key, ``group.field`` (e.g. ``telephony.inbound_usd_per_min``);
tables (providers, options, LLM models, GPU servers, stacks) are lists of rows. The what-ifs (named sets of
overrides of those values, ``what_ifs``) travel with them and are applied on request (``with_what_ifs``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from ._field import range_bounds
from .bands import BANDS, Band
from .capacity import Capacity
from .finance import Finance
from .gpu import DEFAULT_GPU_SERVERS, GpuServer
from .hardware import Hardware
from .llm import DEFAULT_LLM_MODELS, Llm, LlmModel
from .network import Network
from .pricelist import DEFAULT_OPTION_LINES, DEFAULT_PROVIDER_LINES, DRIVERS, PriceLine
from .services import Services
from .stacks import DEFAULT_STACKS, GPU_LLM, SELF_HOSTED_LLM, Stack
from .support import Support
from .telephony import Telephony
from .usage import Usage
from .what_ifs import DEFAULT_WHAT_IFS, WhatIf

__all__ = [
    "DRIVERS", "GPU_LLM", "GROUPS", "SELF_HOSTED_LLM", "Assumptions", "Capacity", "Finance", "GpuServer", "Hardware",
    "Llm", "LlmModel", "Network", "PriceLine", "Problem", "ScalarSpec", "Services", "Stack", "Support", "Telephony",
    "Unpriced", "Usage", "WhatIf", "default_assumptions", "reference_problems", "reference_warnings", "scalar_specs",
]

GROUPS: dict[str, type[BaseModel]] = {
    "usage": Usage, "telephony": Telephony, "llm": Llm, "hardware": Hardware, "network": Network,
    "services": Services, "support": Support, "capacity": Capacity, "finance": Finance,
}
NONE_OPTION = "none"


@dataclass(frozen=True)
class ScalarSpec:
    """Declaration of one scalar assumption (read from its pydantic field)."""

    key: str
    group: str
    field: str
    label: str
    unit: str
    source: str
    note: str
    default: Any
    low: float | None
    high: float | None
    choices: str | None
    is_text: bool
    is_int: bool
    band: Band | None  # the default band that ranges it while its Low/High are blank (None: no range)


@functools.cache
def scalar_specs() -> tuple[ScalarSpec, ...]:
    """Every scalar assumption in workbook order (group by group, field by field); built once."""
    specs = []
    for group, model in GROUPS.items():
        for name, info in model.model_fields.items():
            if not isinstance(info.json_schema_extra, dict):  # assumption() always sets it
                raise TypeError(f"{group}.{name} is not declared with assumption()")
            extra: dict[str, Any] = info.json_schema_extra
            specs.append(ScalarSpec(
                key=f"{group}.{name}", group=group, field=name, label=info.description or name,
                unit=extra["unit"], source=extra["source"], note=extra["note"], default=info.default,
                low=extra["low"], high=extra["high"], choices=extra["choices"],
                is_text=info.annotation is str, is_int=info.annotation is int,
                band=next((b for b in BANDS if b.kind == extra["band"]), None)))
    return tuple(specs)


@dataclass(frozen=True)
class Problem:
    """A cross-reference problem: where (a model location), what was found and what was expected; ``refers_to``
    is the (table, field) a broken reference looks names up in (a row whose name could not be read may be the cause)."""

    loc: tuple[str | int, ...]
    found: Any
    expected: str
    refers_to: tuple[str, str] | None = None


class Range(BaseModel):
    """Low and high of a scalar assumption (None where the report gives no range)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float | None = None
    high: float | None = None


def _default_ranges() -> dict[str, Range]:
    return {s.key: Range(low=s.low, high=s.high) for s in scalar_specs() if s.low is not None or s.high is not None}


class Assumptions(BaseModel):
    """All inputs. Build with ``default_assumptions()`` or ``tco_xl.io.workbook.load_assumptions(path)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    usage: Usage = Field(default_factory=Usage)
    telephony: Telephony = Field(default_factory=Telephony)
    llm: Llm = Field(default_factory=Llm)
    hardware: Hardware = Field(default_factory=Hardware)
    network: Network = Field(default_factory=Network)
    services: Services = Field(default_factory=Services)
    support: Support = Field(default_factory=Support)
    capacity: Capacity = Field(default_factory=Capacity)
    finance: Finance = Field(default_factory=Finance)
    providers: list[PriceLine] = Field(default_factory=lambda: list(DEFAULT_PROVIDER_LINES))
    options: list[PriceLine] = Field(default_factory=lambda: list(DEFAULT_OPTION_LINES))
    llm_models: list[LlmModel] = Field(default_factory=lambda: list(DEFAULT_LLM_MODELS))
    gpu_servers: list[GpuServer] = Field(default_factory=lambda: list(DEFAULT_GPU_SERVERS))
    stacks: list[Stack] = Field(default_factory=lambda: list(DEFAULT_STACKS), min_length=1)
    what_ifs: list[WhatIf] = Field(default_factory=lambda: list(DEFAULT_WHAT_IFS))
    ranges: dict[str, Range] = Field(default_factory=_default_ranges)
    #: Where each value came from (key or table row -> 'Sheet!C7'); not part of the content.
    origins: dict[str, str] = Field(default_factory=dict, exclude=True)
    #: The what-ifs applied to these values, in order (``with_what_ifs``); not part of the content.
    what_ifs_applied: tuple[str, ...] = Field(default=(), exclude=True)
    _hash: str | None = PrivateAttr(default=None)
    _groups: dict[str, list[tuple[str, PriceLine]]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _references_resolve(self) -> Assumptions:
        problems = reference_problems(self)
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, p.loc))}: found {p.found!r}, expected {p.expected}"
                                       for p in problems))
        return self

    # -- scalar access -------------------------------------------------------------------------
    def value(self, key: str) -> Any:
        """The value of scalar assumption ``key`` ('group.field')."""
        group, field = _split_key(key)
        return getattr(getattr(self, group), field)

    def scalars(self) -> dict[str, Any]:
        """Every scalar assumption as {key: value}."""
        return {s.key: self.value(s.key) for s in scalar_specs()}

    def with_values(self, values: dict[str, Any]) -> Assumptions:
        """A copy with scalar ``values`` replaced, unvalidated so that numpy arrays may stand in for numbers.

        Used by sensitivity and Monte Carlo to evaluate many draws in one engine pass.
        """
        by_group: dict[str, dict[str, Any]] = {}
        for key, val in values.items():
            group, field = _split_key(key)
            by_group.setdefault(group, {})[field] = val
        updates = {}
        for group, fields in by_group.items():
            current = getattr(self, group)
            updates[group] = type(current).model_construct(**{**current.__dict__, **fields})
        return self.model_construct(**{**self.__dict__, **updates})

    # -- tables ---------------------------------------------------------------------------------
    def stack(self, key: str) -> Stack:
        for stack in self.stacks:
            if stack.key == key:
                return stack
        raise KeyError(key)

    def llm_model(self, key: str) -> LlmModel:
        for model in self.llm_models:
            if model.key == key:
                return model
        raise KeyError(key)

    def lines(self, group: str) -> list[PriceLine]:
        """Price lines of a provider or option group, in sheet order."""
        return [line for _, line in self.line_refs(group)]

    def line_refs(self, group: str) -> list[tuple[str, PriceLine]]:
        """(row reference such as 'providers[3]', line) for each line of ``group``, in sheet order."""
        if self._groups is None:
            groups: dict[str, list[tuple[str, PriceLine]]] = {}
            for table in ("providers", "options", "gpu_servers"):
                for i, line in enumerate(getattr(self, table)):
                    groups.setdefault(line.group, []).append((f"{table}[{i}]", line))
            self._groups = groups
        return self._groups.get(group, [])

    def gpu_groups(self) -> list[str]:
        """The groups of the GPU servers sheet, in sheet order."""
        return list(dict.fromkeys(line.group for line in self.gpu_servers))

    def gpu_server(self, group: str) -> int:
        """Row (0-based) of GPU group ``group``'s first line: its server, whose capacities size the group."""
        return next(i for i, line in enumerate(self.gpu_servers) if line.group == group)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Assumptions:
        """A copy (``update`` is not validated); its content hash is computed afresh."""
        copy = super().model_copy(update=update, deep=deep)
        copy._hash, copy._groups = None, None
        return copy

    def with_llm(self, choice: str) -> Assumptions:
        """Every stack priced with LLM inference ``choice``: an LLM models key (an API) or a GPU group for all;
        'self_hosted' for each stack's own hardware (its Mac Studios, else the GPU servers of its GPU column: the
        like-for-like self-hosted option); 'gpu' for each stack's GPU column. A stack without what ``choice``
        needs (no GPU column) keeps its LLM."""
        def llm(s: Stack) -> str:
            if choice == SELF_HOSTED_LLM:
                return SELF_HOSTED_LLM if s.mac_studios else s.gpu or s.llm
            return (s.gpu or s.llm) if choice == GPU_LLM else choice
        stacks = [s.model_copy(update={"llm": llm(s)}) for s in self.stacks]
        return Assumptions.model_validate({**self.model_dump(), "stacks": [s.model_dump() for s in stacks],
                                           "origins": self.origins, "what_ifs_applied": self.what_ifs_applied})

    def with_what_ifs(self, names: Sequence[str], field: str = "what_if") -> Assumptions:
        """A copy with the what-ifs ``names`` applied in order (names as on the What-ifs sheet, case and
        punctuation ignored); ``field`` names the argument in errors. Cached on content and names."""
        from .overrides import with_what_ifs
        return with_what_ifs(self, tuple(names), field)

    def __eq__(self, other: object) -> bool:
        """Equal content (every value), wherever the values were read from."""
        return isinstance(other, Assumptions) and self.content_hash() == other.content_hash()

    __hash__ = None  # type: ignore[assignment]  # mutable-looking containers inside: compare, don't hash

    def content_hash(self) -> str:
        """SHA-256 of every value (not of where values came from): equal inputs, equal hash."""
        digest = self._hash  # read once: pydantic private attributes are slow to reach (hot path of UDFs)
        if digest is None:
            payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
            digest = self._hash = hashlib.sha256(payload.encode()).hexdigest()
        return digest


def _split_key(key: str) -> tuple[str, str]:
    group, _, field = key.partition(".")
    if group not in GROUPS or field not in GROUPS[group].model_fields:
        raise KeyError(f"unknown assumption {key!r}")
    return group, field


def reference_problems(a: Assumptions, what_ifs: bool = True) -> list[Problem]:
    """Names that must resolve across tables, and rows that would be priced twice or not where meant.

    Stacks: keys and names identify one stack each (as users type them: case and punctuation ignored); the
    kind matches what the stack runs (self-hosted: Mac Studios and no provider; hybrid: both; cloud: a
    provider only); provider, provider categories, option groups, backups and LLM name rows that exist; no
    group is priced twice for a stack. Price lines: a group lives on one sheet, is spelled one way, and
    lists each line item once. Services name Options groups. LLM models: one key and name each. Ranges
    bracket their values. Values that could not be read (None) are skipped. With ``what_ifs``, every what-if
    applied on its own (``overrides.what_if_problems``).
    """
    from ..engine.inputs import norm_text  # the one rule for comparing names users type (engine imports us)

    problems: list[Problem] = []
    provider_lines = _lines_by_group(a.providers)
    option_lines = _lines_by_group(a.options)
    gpu_lines = _lines_by_group(a.gpu_servers)
    option_list = ", ".join(sorted(option_lines))
    gpu_groups = list(gpu_lines)
    models = [m.key for m in a.llm_models if isinstance(m.key, str)]
    model_list = ", ".join([SELF_HOSTED_LLM, *models, *gpu_groups])
    gpu_list = ", ".join(gpu_groups) or "none on the GPU servers sheet"
    voice_used = _positive(a.usage.transcribed_share) or _positive(a.usage.tts_characters_per_call)

    for table, rows in (("stacks", a.stacks), ("llm_models", a.llm_models)):
        seen: dict[str, tuple[int, str]] = {}
        for i, row in enumerate(rows):
            for name in ("key", "name"):
                text = getattr(row, name)
                if not isinstance(text, str):
                    continue
                first = seen.setdefault(norm_text(text), (i, text))
                if first[0] != i:
                    problems.append(Problem((table, i, name), text, f"a {name} that no earlier row uses "
                                            f"('{first[1]}' reads the same: case and punctuation are ignored)"))
    problems += _group_problems(a, {"providers": provider_lines, "options": option_lines, "gpu_servers": gpu_lines},
                                norm_text)

    priced_by_services = [getattr(a.services, name) for name in Services.model_fields]
    for i, stack in enumerate(a.stacks):
        problems += _stack_shape_problems(i, stack)
        if isinstance(stack.provider, str) and stack.provider:
            lines = provider_lines.get(stack.provider)
            if lines is None:
                problems.append(Problem(("stacks", i, "provider"), stack.provider,
                                        f"a provider on the Providers sheet ({', '.join(sorted(provider_lines))})",
                                        ("providers", "group")))
            else:
                categories = sorted({line.category for _, line in lines if isinstance(line.category, str)})
                problems.extend(Problem(("stacks", i, "provider_categories"), category,
                                        f"categories of the {stack.provider} lines ({', '.join(categories)})",
                                        ("providers", "group"))
                                for category in stack.provider_categories or [] if category not in categories)
        priced: set[str] = {c for c in priced_by_services if c != NONE_OPTION}
        for group in stack.option_groups or []:
            if group not in option_lines:
                problems.append(Problem(("stacks", i, "option_groups"), group,
                                        f"groups on the Options sheet ({option_list})", ("options", "group")))
            elif group in priced:
                problems.append(Problem(("stacks", i, "option_groups"), group,
                                        "each group once (it is already priced for this stack: listed twice, or "
                                        "chosen on the Services sheet)"))
            priced.add(group)
        if stack.backups != NONE_OPTION and stack.backups not in option_lines:
            problems.append(Problem(("stacks", i, "backups"), stack.backups, "'none' or a group on the Options sheet",
                                    ("options", "group")))
        elif stack.backups in priced:
            problems.append(Problem(("stacks", i, "backups"), stack.backups,
                                    "a group not already priced for this stack (in its option groups or on the "
                                    "Services sheet)"))
        if isinstance(stack.llm, str) and stack.llm != SELF_HOSTED_LLM and stack.llm not in models + gpu_groups:
            problems.append(Problem(("stacks", i, "llm"), stack.llm, f"one of {model_list}", ("llm_models", "key")))
        if stack.llm == SELF_HOSTED_LLM and stack.mac_studios is False:
            problems.append(Problem(("stacks", i, "llm"), stack.llm, "an LLM API model or a GPU group "
                                    f"({gpu_list}): 'self_hosted' runs on the Mac Studios, and this stack has none"))
        if isinstance(stack.gpu, str) and stack.gpu and stack.gpu not in gpu_lines:
            problems.append(Problem(("stacks", i, "gpu"), stack.gpu, f"'' or a GPU group ({gpu_list})",
                                    ("gpu_servers", "group")))
        problems += _voice_problems(i, stack, voice_used, gpu_list, gpu_lines, option_lines, priced)
        problems.extend(Problem(("stacks", i, field), getattr(stack, field),
                                "0 while the stack's support hours at the reference headcount are 0 (a stated "
                                "point needs hours at the reference to grow from)")
                        for field in ("support_hours_mid", "support_hours_high")
                        if _positive(getattr(stack, field)) and stack.support_hours == 0)
    chosen: dict[str, str] = {}
    for name in Services.model_fields:
        choice = getattr(a.services, name)
        if choice != NONE_OPTION and choice not in option_lines:
            problems.append(Problem(("services", name), choice, "'none' or a group on the Options sheet",
                                    ("options", "group")))
        elif choice != NONE_OPTION and choice in chosen:
            problems.append(Problem(("services", name), choice,
                                    f"a group not chosen for services.{chosen[choice]} (it would be priced twice)"))
        chosen.setdefault(choice, name)
    n1, n2, n3 = a.usage.reference_agents, a.support.mid_agents, a.support.high_agents
    if all(isinstance(n, (int, float)) for n in (n1, n2, n3)):
        if not n1 < n2:
            problems.append(Problem(("support", "mid_agents"), n2, f"more agents than the reference headcount "
                                                                   f"({n1:g}, Usage sheet)"))
        if not n2 < n3:
            problems.append(Problem(("support", "high_agents"), n3, f"more agents than the second headcount ({n2:g})"))
    for key, rng in a.ranges.items():
        try:
            base = a.value(key)
        except KeyError:
            problems.append(Problem(("ranges", key), key, "a scalar assumption key"))
            continue
        low, high = range_bounds(base, rng.low, rng.high)
        if not low <= base <= high:
            problems.append(Problem(("ranges", key), (rng.low, rng.high), f"low <= value ({base}) <= high"))
    if what_ifs:
        from .overrides import what_if_problems
        problems += what_if_problems(a)
    return problems


#: What each kind of stack runs: (Mac Studios, a provider).
_SHAPES = {"self_hosted": (True, False), "hybrid": (True, True), "cloud": (False, True)}


def _stack_shape_problems(i: int, stack: Stack) -> list[Problem]:
    """A stack whose Mac Studios or provider contradict its kind."""
    shape = _SHAPES.get(stack.kind) if isinstance(stack.kind, str) else None
    if shape is None or not isinstance(stack.mac_studios, bool):
        return []
    macs, provider = shape
    out = []
    if stack.mac_studios is not macs:
        out.append(Problem(("stacks", i, "mac_studios"), stack.mac_studios,
                           f"{macs} for a {stack.kind} stack (kind says what it runs)"))
    if bool(stack.provider) is not provider:
        out.append(Problem(("stacks", i, "provider"), stack.provider,
                           f"a provider group for a {stack.kind} stack" if provider
                           else f"no provider (blank) for a {stack.kind} stack"))
    return out


def _positive(value: object) -> bool:
    """A number above 0 (a value that could not be read is None: not positive)."""
    return isinstance(value, (int, float)) and value > 0


def _voice_problems(i: int, stack: Stack, voice_used: bool, gpu_list: str, gpu_lines: dict[str, Any],
                    option_lines: dict[str, Any], priced: set[str]) -> list[Problem]:
    """A voice AI choice that names nothing, runs on Mac Studios the stack lacks, is blank while the Usage sheet
    asks for speech, or prices an Options group the stack already pays for."""
    voice, where = stack.voice, ("stacks", i, "voice")
    if not isinstance(voice, str):
        return []
    if voice == SELF_HOSTED_LLM:
        if stack.mac_studios is False:
            return [Problem(where, voice, f"a voice group on the Options sheet or a GPU group ({gpu_list}): "
                                          "'self_hosted' runs on the Mac Studios, and this stack has none")]
    elif not voice:
        if voice_used:
            return [Problem(where, voice, f"'{SELF_HOSTED_LLM}', a GPU group or a voice group on the Options sheet: "
                                          "the Usage sheet transcribes or synthesises speech (transcribed share or "
                                          "characters per call above 0)")]
    elif voice not in gpu_lines and voice not in option_lines:
        return [Problem(where, voice, f"'{SELF_HOSTED_LLM}', a GPU group ({gpu_list}), a group on the Options "
                                      "sheet or '' for none", ("options", "group"))]
    elif voice in option_lines and (voice in priced or voice == stack.backups):
        return [Problem(where, voice, "a voice group not already priced for this stack (in its option groups, "
                                      "backups or on the Services sheet)")]
    return []


def _lines_by_group(lines: Sequence[PriceLine]) -> dict[str, list[tuple[int, PriceLine]]]:
    """(index, line) of each group's lines in table order (lines whose group could not be read are left out)."""
    groups: dict[str, list[tuple[int, PriceLine]]] = {}
    for i, line in enumerate(lines):
        if isinstance(line.group, str):
            groups.setdefault(line.group, []).append((i, line))
    return groups


_SHEET_TITLES = {"providers": "Providers", "options": "Options", "gpu_servers": "GPU servers"}


def _group_problems(a: Assumptions, sheets: dict[str, dict[str, list[tuple[int, PriceLine]]]],
                    norm: Any) -> list[Problem]:
    """Groups on two sheets, groups spelled two ways, and line items listed twice in a group (``sheets``: table
    -> group -> (index, line), in sheet order: Providers, Options, GPU servers)."""
    problems: list[Problem] = []
    referenced = {name for s in a.stacks for name in (s.provider, s.backups, s.llm, s.gpu, s.voice)} | {
        g for s in a.stacks for g in s.option_groups or []} | {
        getattr(a.services, name) for name in Services.model_fields}
    earlier: dict[str, str] = {}  # group -> the sheet it is on
    for table, groups in sheets.items():
        before = " or ".join(dict.fromkeys(earlier.values()))
        problems.extend(Problem((table, lines[0][0], "group"), group, f"a group name not used on the {before} sheet")
                        for group, lines in groups.items() if group in earlier)
        earlier.update(dict.fromkeys(groups, _SHEET_TITLES[table]))
    for table, groups in sheets.items():
        spellings: dict[str, list[str]] = {}
        for group in groups:
            spellings.setdefault(norm(group), []).append(group)
        for variants in spellings.values():
            if len(variants) < 2:
                continue
            used = [g for g in variants if g in referenced]
            canonical = used[0] if len(used) == 1 else max(variants, key=lambda g: len(groups[g]))
            problems.extend(Problem((table, i, "group"), group,
                                    f"'{canonical}' exactly, as the other rows of that group (names are matched "
                                    "as written: these would be two groups)")
                            for group in variants if group != canonical for i, _ in groups[group])
        for group, lines in groups.items():
            seen: set[str] = set()
            for i, line in lines:
                if not isinstance(line.line, str):
                    continue
                name = " ".join(line.line.casefold().split())
                if name in seen:
                    problems.append(Problem((table, i, "line"), line.line,
                                            f"a line item not already in group '{group}' (a repeated line is priced "
                                            "twice: delete it, or give it its own name if both are meant)"))
                seen.add(name)
    return problems


@dataclass(frozen=True)
class Unpriced:
    """A price line no scenario prices: where (a model location), the name found there and why."""

    loc: tuple[str | int, ...]
    name: str
    why: str



def reference_warnings(a: Assumptions) -> list[Unpriced]:
    """Price lines that no scenario prices: provider groups no stack uses, provider lines of a category
    that every stack using the provider leaves out, option groups no stack or service uses, and GPU groups no
    stack names."""
    warnings: list[Unpriced] = []
    stacks_of: dict[str, list[Stack]] = {}
    for stack in a.stacks:
        if stack.provider:
            stacks_of.setdefault(stack.provider, []).append(stack)
    for group, lines in _lines_by_group(a.providers).items():
        users = stacks_of.get(group)
        if not users:
            warnings.append(Unpriced(("providers", lines[0][0], "group"), group,
                                     "providers no stack uses (no scenario prices their lines)"))
            continue
        if any(not s.provider_categories for s in users):
            continue
        kept = {c for s in users for c in s.provider_categories}
        warnings.extend(Unpriced(("providers", i, "category"), line.category,
                                 f"categories of {group} lines that no stack using {group} prices (they price "
                                 f"{', '.join(sorted(kept))})")
                        for i, line in lines if line.category not in kept)
    used = {g for s in a.stacks for g in s.option_groups} | {s.backups for s in a.stacks} | {
        s.voice for s in a.stacks} | {getattr(a.services, name) for name in Services.model_fields}
    warnings.extend(Unpriced(("options", lines[0][0], "group"), group,
                             "options no stack or service uses (alternatives: choose one on the Services sheet, in a "
                             "stack's Option groups or its Voice AI column)")
                    for group, lines in _lines_by_group(a.options).items() if group not in used)
    chosen = {name for s in a.stacks for name in (s.llm, s.gpu, s.voice)}
    warnings.extend(Unpriced(("gpu_servers", lines[0][0], "group"), group,
                             "GPU groups no stack names in its LLM, GPU servers or Voice AI column (no scenario "
                             "rents them)")
                    for group, lines in _lines_by_group(a.gpu_servers).items() if group not in chosen)
    return warnings


_DEFAULTS: Assumptions | None = None


def default_assumptions() -> Assumptions:
    """The bundled defaults: the report's rates and usage figures (a shared, do-not-mutate instance)."""
    global _DEFAULTS  # noqa: PLW0603 - built once, on first use
    if _DEFAULTS is None:
        _DEFAULTS = Assumptions()
    return _DEFAULTS
