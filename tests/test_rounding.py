"""excel_round: Excel's ROUND (15-significant-digit decimal, half away from zero), checked on halves."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tco_xl.io.libreoffice import recalculate
from tco_xl.rounding import excel_round

# (x, digits, Excel's ROUND(x, digits)); the inputs are halves whose binary double lies just below the
# decimal value (1.005 is 1.00499999999999989...), so binary rounding goes down where Excel goes up.
HALVES = [
    (1.005, 2, 1.01), (2.675, 2, 2.68), (1.115, 2, 1.12), (8.345, 2, 8.35), (0.285, 2, 0.29),
    (-1.005, 2, -1.01), (-2.675, 2, -2.68), (0.125, 2, 0.13), (2.5, 0, 3.0), (-2.5, 0, -3.0),
    (0.5, 0, 1.0), (-0.5, 0, -1.0), (1234.5, 0, 1235.0), (125, -1, 130.0), (-125, -1, -130.0),
    (1.45, 1, 1.5), (2150.725, 2, 2150.73), (1e15 + 0.5, 0, 1e15),  # 1000000000000000.5 has 17 digits: 15 kept
]


@pytest.mark.parametrize(("x", "digits", "expected"), HALVES)
def test_halves_round_away_from_zero_like_excel(x: float, digits: int, expected: float) -> None:
    assert excel_round(x, digits) == expected


def test_python_round_differs_on_these_halves() -> None:
    # Guard that the table above is a real check: banker's/binary rounding gets most of these wrong.
    assert sum(round(x, d) != e for x, d, e in HALVES) >= 10


def test_digits_truncate_toward_zero_and_no_negative_zero() -> None:
    assert excel_round(2.345, 1.9) == 2.3  # digits 1.9 → 1, as Excel's ROUND
    assert excel_round(2.345, -0.5) == 2.0  # digits -0.5 → 0
    result = excel_round(-0.004, 2)
    assert result == 0.0 and np.copysign(1, result) == 1.0


def test_non_finite_pass_through() -> None:
    assert np.isnan(excel_round(float("nan"), 2))
    assert excel_round(float("inf"), 2) == float("inf")


def test_arrays_round_element_wise_and_keep_shape() -> None:
    result = excel_round(np.array([[1.005, 2.675], [-0.5, 0.125]]), 2)
    assert result.dtype == float and result.shape == (2, 2)
    assert result.tolist() == [[1.01, 2.68], [-0.5, 0.13]]


decimal_halves = st.builds(
    lambda units, digits, sign: (Decimal(sign * (2 * units + 1)) / 2).scaleb(-digits),
    st.integers(0, 10**11), st.integers(0, 4), st.sampled_from([1, -1]),
)


@given(decimal_halves)
def test_every_decimal_half_rounds_away_from_zero(half: Decimal) -> None:
    # half = ±(k + 0.5)·10^-d written with at most 13 significant digits, so its double's 15-digit value
    # is exactly ``half``; Excel rounds it to the neighbour farther from zero.
    digits = -half.as_tuple().exponent - 1
    expected = half.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    assert excel_round(float(half), digits) == float(expected)
    assert abs(excel_round(float(half), digits)) > abs(float(half))


@given(st.floats(-1e12, 1e12, allow_nan=False), st.integers(-3, 6))
def test_rounding_is_odd_close_and_idempotent(x: float, digits: int) -> None:
    r = excel_round(x, digits)
    assert excel_round(-x, digits) == -r or r == 0.0
    assert abs(r - x) <= 0.5 * 10.0**-digits * (1 + 1e-9) + abs(x) * 1e-14
    assert excel_round(r, digits) == r


@pytest.mark.libreoffice
def test_agrees_with_libreoffice_round(soffice: str, tmp_path) -> None:
    rng = np.random.default_rng(20260224)
    halves = [(x, d) for x, d, _ in HALVES]
    cents = [(round(v, 3) + 0.005, 2) for v in rng.uniform(-5000, 5000, 150)]  # x.xx5 (binary just off)
    noisy = [(v, int(d)) for v, d in zip(rng.uniform(-1e6, 1e6, 150), rng.integers(-2, 5, 150))]
    cases = halves + cents + noisy
    book = openpyxl.Workbook()
    sheet = book.active
    for row, (x, digits) in enumerate(cases, start=1):
        sheet.cell(row, 1, x)
        sheet.cell(row, 2, digits)
        sheet.cell(row, 3, f"=ROUND(A{row},B{row})")
    source = tmp_path / "round.xlsx"
    book.save(source)

    (out,) = recalculate([source], tmp_path / "out", soffice=soffice)
    calc = openpyxl.load_workbook(out, data_only=True).active
    spreadsheet = [calc.cell(row, 3).value for row in range(1, len(cases) + 1)]

    assert [excel_round(x, d) for x, d in cases] == pytest.approx(spreadsheet, rel=0, abs=0)
    assert sum(round(x, d) != s for (x, d), s in zip(cases, spreadsheet)) > 10  # the check has teeth
