"""Assumptions of the workbook a UDF is called from, parsed once per edit.

Every UDF is volatile, so Excel re-runs all of them after any edit. Re-reading and re-parsing
the assumption sheets on each call would cost hundreds of COM round trips per recalculation.
Instead the workbook carries a fingerprint: the hidden sheet ``_tco_state`` holds one
``=TEXTJOIN(CHAR(31),FALSE,'<Sheet>'!A1:Z50)`` cell per 50-row block of every assumption sheet (the
block layout is ``tco_xl.io.layout.state_blocks``), named ``TCO_STATE``. Excel recalculates a block's
text whenever one of its cells changes. A call reads that one range and parses the workbook only when
the texts differ from those of the last parse of that book; otherwise it returns the same Assumptions
object, whose results the engine has cached.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..assumptions import Assumptions, default_assumptions
from ..errors import WorkbookError
from .layout import STATE_NAME
from .workbook import load_assumptions

__all__ = ["STATE_NAME", "WORKBOOK_ENV", "assumptions_for", "parse_count"]

WORKBOOK_ENV = "TCO_XL_WORKBOOK"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Parsed:
    """The outcome of one parse: assumptions, or the error every cell of that book shows."""

    fingerprint: Any
    assumptions: Assumptions | None
    error: WorkbookError | None

    def get(self) -> Assumptions:
        if self.error is not None:
            raise self.error.with_traceback(None)  # the same error again, without growing its traceback
        assert self.assumptions is not None
        return self.assumptions


_CACHE: dict[str, _Parsed] = {}  # book full name (or file path) -> last parse
_PARSES = 0


def parse_count() -> int:
    """How many times a workbook's assumption sheets were parsed in this process (for tests, benchmarks)."""
    return _PARSES


def assumptions_for(caller: Any = None) -> Assumptions:
    """Assumptions for a UDF call: those of the caller's workbook, else ``$TCO_XL_WORKBOOK``, else the defaults.

    ``caller`` is the calling cell as xlwings passes it (anything with ``.sheet.book``: ``book.fullname``,
    ``book.names[...]``, and what ``load_assumptions`` reads). Raises ``WorkbookError`` for bad cells
    (the same error again, without re-parsing, until the workbook changes).
    """
    if caller is not None:
        book = caller.sheet.book
        return _cached(book.fullname, _state(book), book)
    path = os.environ.get(WORKBOOK_ENV)
    if not path:
        return default_assumptions()
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise WorkbookError(path, message=f"{WORKBOOK_ENV}={path}: cannot read the workbook ({exc.strerror})") from None
    return _cached(str(Path(path).resolve()), (stat.st_mtime_ns, stat.st_size), Path(path))


def _state(book: Any) -> list[str] | None:
    """The book's ``TCO_STATE`` texts (one COM read), or None when there is no usable fingerprint.

    Without one (name missing, or a cell not text, e.g. ``#VALUE!`` once a block outgrows Excel's
    32,767-character cell limit) every call re-parses: slow, but never stale.
    """
    try:
        value = book.names[STATE_NAME].refers_to_range.value
    except Exception:  # noqa: BLE001 - a missing name raises COM's own error types
        log.warning("%s has no %s name: parsing its assumptions on every call", book.fullname, STATE_NAME)
        return None
    rows = value if isinstance(value, list) else [value]  # xlwings: a cell, a column's list, or a block's rows
    texts = [v for row in rows for v in (row if isinstance(row, list) else [row])]
    if not all(isinstance(t, str) for t in texts):
        log.warning("%s: %s holds a non-text value (%r): parsing its assumptions on every call",
                    book.fullname, STATE_NAME, [t for t in texts if not isinstance(t, str)])
        return None
    return texts


def _cached(key: str, fingerprint: Any, source: Any) -> Assumptions:
    """Assumptions for ``source``, parsed again only when ``fingerprint`` differs from the last parse."""
    last = _CACHE.get(key)
    if fingerprint is not None and last is not None and last.fingerprint == fingerprint:
        return last.get()
    global _PARSES  # noqa: PLW0603 - a module-wide counter that tests read through parse_count()
    _PARSES += 1
    try:
        parsed = _Parsed(fingerprint, load_assumptions(source), None)
    except WorkbookError as exc:
        log.error("assumptions of %s:\n%s", key, exc)
        parsed = _Parsed(fingerprint, None, exc)
    _CACHE[key] = parsed
    return parsed.get()
