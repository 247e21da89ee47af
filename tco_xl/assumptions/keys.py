"""Stable keys of table cells: 'providers[3].unit_price' -> 'providers[aws|S3 Standard].unit_price'.

The engine and the analyses name a table cell by its row position; people, snapshots, the diff and the
what-ifs name it by what identifies the row (provider and line, model key, stack key, what-if and the
assumption it sets), which survives a row inserted above.
"""

from __future__ import annotations

import re

from . import Assumptions

__all__ = ["readable_key", "stable_keys"]


def _row_ids(a: Assumptions) -> dict[str, list[str]]:
    lines = lambda rows: [f"{r.group}|{r.line}" for r in rows]  # noqa: E731
    return {"providers": lines(a.providers), "options": lines(a.options),
            "llm_models": [m.key for m in a.llm_models], "gpu_servers": lines(a.gpu_servers),
            "stacks": [s.key for s in a.stacks], "what_ifs": [f"{w.what_if}|{w.assumption}" for w in a.what_ifs]}


def stable_keys(a: Assumptions) -> dict[str, str]:
    """'table[i]' -> 'table[id]' for every table row; a repeated id gets '#2', '#3' in sheet order."""
    out = {}
    for table, ids in _row_ids(a).items():
        seen: dict[str, int] = {}
        for i, row_id in enumerate(ids):
            seen[row_id] = seen.get(row_id, 0) + 1
            out[f"{table}[{i}]"] = f"{table}[{row_id}{'' if seen[row_id] == 1 else f'#{seen[row_id]}'}]"
    return out


_INDEXED = re.compile(r"^(\w+\[\d+\])")


def readable_key(keys: dict[str, str], key: str) -> str:
    """``key`` with its row position replaced by the row's stable id (``keys`` from ``stable_keys``);
    scalar keys ('telephony.inbound_usd_per_min') are returned as they are."""
    return _INDEXED.sub(lambda m: keys.get(m.group(1), m.group(1)), key)
