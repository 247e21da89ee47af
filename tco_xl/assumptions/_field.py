"""The one way an assumption is declared: a pydantic field carrying unit, label, source and range."""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import Field, JsonValue
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from .bands import Band, with_note


def assumption(
    default: Any,
    *,
    unit: str,
    label: str,
    source: str,
    note: str = "",
    ge: float | None = 0,
    le: float | None = None,
    gt: float | None = None,
    low: float | None = None,
    high: float | None = None,
    band: Band | None = None,
    choices: str | None = None,
) -> Any:
    """A scalar assumption: its default (the report's figure), unit, label, report source and range.

    ``low``/``high`` are the report's own range where it gives one (the workbook's Low/High cells).
    Otherwise ``band``, the default band of the input's kind, gives the range around whatever value the
    cell holds while Low/High are blank; its note is appended to ``source``. Sensitivity and Monte Carlo
    use the range. ``choices`` names the table whose keys a text assumption must be one of.
    """
    if band is not None:
        if low is not None or high is not None:
            raise ValueError("an assumption takes the report's range or a band, not both")
        source = with_note(source, band.source)
    extra: dict[str, JsonValue] = {"unit": unit, "source": source, "note": note, "low": low, "high": high,
                                   "choices": choices, "band": band.kind if band is not None else None}
    bounds: dict[str, Any] = {} if isinstance(default, str) else {"ge": ge if gt is None else None, "le": le, "gt": gt}
    return Field(default, description=label, json_schema_extra=extra, **bounds)


def range_bounds(base: float, low: float | None, high: float | None) -> tuple[float, float]:
    """(low, high) of a range where a missing side is the base value itself."""
    return (base if low is None else low), (base if high is None else high)


def as_cell(x: float) -> float:
    """``x`` to the 15 significant digits a spreadsheet cell keeps (a default such as 24,000 / 900 h then reads back
    from the workbook as the same number)."""
    return float(f"{x:.15g}")


_EXPECTED_BY_TYPE = {"missing": "a value (this column is required)", "int_from_float": "a whole number",
                     "int_parsing": "a whole number", "string_too_short": "text (not empty)"}
_BOUND_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def expected_text(err: ErrorDetails, unit: str | None = None) -> str:
    """What a value should be, from a pydantic error ('a number greater than or equal to 0 (USD/min)')."""
    text = _EXPECTED_BY_TYPE.get(err["type"])
    if text is None:
        text = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
        if err["type"] in _BOUND_TYPES:
            text = f"a number {text}"
    return f"{text} ({unit})" if unit else text


def cell_kind(info: FieldInfo) -> str:
    """How a field is held in a cell: 'number', 'optional number', 'bool', 'list', 'text', or 'any' (a what-if's
    value: a number, TRUE/FALSE or text, as the cell holds it)."""
    annotation = info.annotation
    if annotation in (float, int):
        return "number"
    if annotation is bool:
        return "bool"
    if get_origin(annotation) is list:
        return "list"
    if get_origin(annotation) in (Union, UnionType):
        return "optional number" if type(None) in get_args(annotation) else "any"
    return "text"
