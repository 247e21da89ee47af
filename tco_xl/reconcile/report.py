"""The seed report as data: every figure it states, read from its markdown (docs/seed-report.md).

A *figure* is a money amount, percentage, count or quantity, in a table cell, a row label, a heading or
a line of prose. Digits that are not figures are kept too, each with why (a product name such as
``GPT-4o`` or ``AX162-S``, a date, a label such as ``Year 1``, a column header), so that a test can
check that every digit of the report is one or the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import TcoError

#: A number as the report writes it: optional ~, currency, digits with thousands commas, K/M suffix,
#: an optional range (-, –, "to") with its own currency/suffix, then %, + (as in "$30K+").
_NUMBER = re.compile(
    r"(?P<approx>~)?(?P<sign>[+])?(?P<cur>[$€])?(?P<a>\d[\d,]*(?:\.\d+)?|\.\d+)(?P<ka>[KM](?![a-z]))?"
    r"(?:(?P<dash>[-–])(?P<cur2>[$€])?(?P<b>\d[\d,]*(?:\.\d+)?)(?P<kb>[KM](?![a-z]))?)?"
    r"(?P<pct>%)?(?P<plus>\+)?")
#: Unit letters that may be glued to a number (512GB, 180W, 10ms, 2x); other glued letters make a name (14B, 7950X).
_GLUED_UNITS = ("Gbps", "GB", "TB", "W", "ms", "h", "x", "mo")
_SUFFIX = {"K": 1e3, "M": 1e6}
#: Digits that are not figures, and why. Checked in this order on each text; a match claims its digits.
NOT_FIGURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("date", re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                        r"December) \d{1,2}, \d{4}")),
    ("enumerator", re.compile(r"^\d+\.(?=\s)|\bSCENARIO \d+\b")),
    ("period label", re.compile(r"\b(?:Year|Yr) \d+(?:-\d+)?\b|\b\d+-(?:Yr|Year|year)\b")),
    ("product name", re.compile(r"\b(?:Thunderbolt|Llama|Claude|Ryzen|OpenAI|Office) \d+(?:\.\d+)?\b")),
    ("second term of a ratio ('50/50')", re.compile(r"(?<=\d)/\d+$")),
    ("per-unit denominator", re.compile(r"(?<=\d)/\d[\d,]*K?(?= ?\w)")),
)
_HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass(frozen=True)
class Figure:
    """One figure the report states. ``low == high`` unless the report gives a range ('$200-300')."""

    line: int        # 1-based line of the report
    section: str     # the ## heading it falls under ('' before the first)
    heading: str     # the innermost heading above it; '(heading)' for a figure in a heading
    path: tuple[str, ...]  # every heading above it, outermost first
    table: int       # 1-based table number in the report; 0 for prose
    row: str         # table row label ('' in prose)
    column: str      # table column header; '(label)' for a number inside the row label; '' in prose
    text: str        # as written, e.g. '~$200-300'
    low: float
    high: float
    kind: str        # 'money', 'percent' or 'count' (a count or quantity with a unit)
    currency: str    # 'USD', 'EUR' or ''
    unit: str        # what follows the number: '/month', 'agents', 'GB', 'min', ...
    context: str     # the whole cell or line, emphasis removed
    start: int       # offset of ``text`` in ``context``
    index: int       # 1-based position among the figures of the same cell or line

    @property
    def value(self) -> float | tuple[float, float]:
        return self.low if self.low == self.high else (self.low, self.high)

    @property
    def place(self) -> str:
        """Where it stands: 'T12 · Twilio · Annual' or 'prose'."""
        if not self.table:
            return "prose" if self.heading != "(heading)" else "heading"
        return f"T{self.table} · {self.row} · {self.column}"


@dataclass(frozen=True)
class NotAFigure:
    """Digits that are not a figure (a product name, a date, a label, a column header), and why."""

    line: int
    text: str
    why: str
    context: str
    start: int


@dataclass(frozen=True)
class Table:
    """One table of the report: its number, where it stands, its header and rows (cells emphasis removed)."""

    number: int
    line: int
    section: str
    heading: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Text:
    """One unit of text the figures are read from: a table cell, a row label, a heading or a prose line."""

    line: int
    section: str
    heading: str
    path: tuple[str, ...]
    table: int
    row: str
    column: str
    text: str


def clean(markdown: str) -> str:
    """Inline markdown without emphasis and code marks ('**$4,578.38**' -> '$4,578.38')."""
    return re.sub(r"\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", markdown).strip()


def _heading_text(raw: str) -> str:
    """A heading without emoji or emphasis: '🖥️ SCENARIO 1: Self-Hosted Mac Studios' -> 'SCENARIO 1: ...'."""
    return re.sub(r"^[^\w$€~+(]+", "", clean(raw)).strip()


class Report:
    """The parsed report: its tables, its texts, every figure and every digit that is not one."""

    def __init__(self, text: str, name: str = "report"):
        self.name = name
        self.source = text
        self.lines = text.splitlines()
        self.tables: list[Table] = []
        self.texts: list[Text] = []
        self.markers: list[NotAFigure] = []  # ordered-list numbers (markdown-it keeps them out of the texts)
        self._parse(MarkdownIt("commonmark").enable("table").parse(text))

    @classmethod
    def read(cls, path: Path) -> Report:
        try:
            return cls(path.read_text(encoding="utf-8"), path.name)
        except OSError as exc:
            raise TcoError(f"cannot read the seed report {path}: {exc.strerror or exc}") from exc

    # -- parsing ---------------------------------------------------------------------------------
    def _parse(self, tokens: list[Token]) -> None:
        section, heading = "", ""
        path: list[tuple[int, str]] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                title = _heading_text(tokens[i + 1].content)
                level = _HEADING_LEVELS[tok.tag]
                if level == 2:
                    section = title
                heading = title
                path = [(lv, h) for lv, h in path if lv < level]
                self.texts.append(Text(_first_line(tok), section, "(heading)", tuple(h for _, h in path), 0, "", "",
                                       title))
                path.append((level, title))
                i += 3
                continue
            if tok.type == "list_item_open" and tok.info:
                self.markers.append(NotAFigure(_first_line(tok), f"{tok.info}.", "list number",
                                               self.lines[_first_line(tok) - 1], 0))
            if tok.type == "table_open":
                i = self._table(tokens, i, section, heading, tuple(h for _, h in path))
                continue
            if tok.type == "inline" and tok.map:
                for offset, part in enumerate(tok.content.split("\n")):
                    self.texts.append(Text(tok.map[0] + 1 + offset, section, heading, tuple(h for _, h in path), 0, "",
                                           "", clean(part)))
            i += 1

    def _table(self, tokens: list[Token], i: int, section: str, heading: str, path: tuple[str, ...]) -> int:
        """Read the table starting at tokens[i]; return the index after it."""
        number = len(self.tables) + 1
        line = _first_line(tokens[i])
        header: list[str] = []
        rows: list[list[str]] = []
        current: list[str] | None = None
        row_lines: list[int] = []
        while tokens[i].type != "table_close":
            tok = tokens[i]
            if tok.type == "tr_open":
                current = []
                row_lines.append(_first_line(tok))
            elif tok.type == "tr_close" and current is not None:
                (rows.append(current) if header else header.extend(current))
                current = None
            elif tok.type == "inline" and current is not None:
                current.append(clean(tok.content))
            i += 1
        table = Table(number, line, section, heading, tuple(header), tuple(tuple(r) for r in rows))
        self.tables.append(table)
        self.texts.extend(Text(row_lines[0], section, heading, path, number, "(header)", "", h) for h in header)
        for row, row_line in zip(rows, row_lines[1:], strict=True):
            label = row[0]
            self.texts.append(Text(row_line, section, heading, path, number, label, "(label)", label))
            self.texts.extend(Text(row_line, section, heading, path, number, label, column, cell)
                              for column, cell in zip(header[1:], row[1:], strict=True))
        return i + 1

    # -- figures ---------------------------------------------------------------------------------
    @cached_property
    def _scan(self) -> tuple[list[Figure], list[NotAFigure]]:
        figures: list[Figure] = []
        skipped: list[NotAFigure] = list(self.markers)
        for t in self.texts:
            found, not_figures = scan(t.text)
            if t.row == "(header)" or (t.column == "(label)" and _is_key(t.text)):
                why = "column header" if t.row == "(header)" else "row key (the headcount the row is for)"
                skipped += [NotAFigure(t.line, m.group(0), why, t.text, m.start()) for m in found]
                found = []
            skipped += [NotAFigure(t.line, text, why, t.text, start) for start, text, why in not_figures]
            for index, m in enumerate(found, 1):
                figures.append(_figure(t, m, index))
        return figures, skipped

    @property
    def figures(self) -> list[Figure]:
        """Every figure, in report order (tables row by row, left to right)."""
        return self._scan[0]

    @property
    def not_figures(self) -> list[NotAFigure]:
        """Every run of digits that is not a figure, with why."""
        return self._scan[1]

    def table(self, number: int) -> Table:
        return self.tables[number - 1]


def _first_line(tok: Token) -> int:
    return tok.map[0] + 1 if tok.map else 0


def _is_key(label: str) -> bool:
    """A row label that is only a number (the headcount a row is for)."""
    return bool(re.fullmatch(r"[\d,]+", label))


def scan(text: str) -> tuple[list[re.Match[str]], list[tuple[int, str, str]]]:
    """The figures in ``text`` (number matches) and the digit runs that are not figures (start, text, why)."""
    taken = [False] * len(text)
    not_figures: list[tuple[int, str, str]] = []
    for why, pattern in NOT_FIGURES:
        for m in pattern.finditer(text):
            if not any(taken[m.start():m.end()]):
                not_figures.append((m.start(), m.group(0), why))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    figures = []
    for m in _NUMBER.finditer(text):
        if any(taken[m.start():m.end()]):
            continue
        name = _name_around(text, m)
        if name:
            not_figures.append((name[0], text[name[0]:name[1]], "product name"))
            taken[name[0]:name[1]] = [True] * (name[1] - name[0])
            continue
        figures.append(m)
    not_figures.sort()
    return figures, not_figures


def _name_around(text: str, m: re.Match[str]) -> tuple[int, int] | None:
    """The span of a product name the number is part of ('GPT-4o', 'AX162-S', 'c7i.2xlarge', '14B'), or None."""
    start, end = m.start(), m.end()
    before = text[start - 1] if start else " "
    glued_before = before.isalpha() or (before in "-." and start >= 2 and text[start - 2].isalnum())
    tail = re.match(r"[A-Za-z][\w.-]*", text[end:])
    glued_after = tail is not None and not m.group("pct") and not any(
        re.fullmatch(re.escape(u) + r"(?:/\w+)?", tail.group(0)) for u in _GLUED_UNITS)
    if not (glued_before or glued_after):
        return None
    s = start
    while s > 0 and (text[s - 1].isalnum() or text[s - 1] in "-."):
        s -= 1
    e = end
    while e < len(text) and (text[e].isalnum() or text[e] in "-."):
        e += 1
    return s, e


def _number(digits: str, suffix: str | None) -> float:
    return float(digits.replace(",", "")) * _SUFFIX.get(suffix or "", 1.0)


def _figure(t: Text, m: re.Match[str], index: int) -> Figure:
    low = _number(m.group("a"), m.group("ka"))
    high = _number(m.group("b"), m.group("kb")) if m.group("b") else low
    currency = {"$": "USD", "€": "EUR"}.get(m.group("cur") or m.group("cur2") or "", "")
    kind = "money" if currency else "percent" if m.group("pct") else "count"
    if kind == "percent":
        low, high = low / 100, high / 100
    unit = re.match(r"\s*(/\s*[\w,.]+(?:\s+\w+)?|[A-Za-z][\w/]*(?:\s+\w+)?)?", t.text[m.end():])
    text = m.group(0)
    return Figure(t.line, t.section, t.heading, t.path, t.table, t.row, t.column, text, low, high, kind, currency,
                  (unit.group(1) or "").strip() if unit else "", t.text, m.start(), index)
