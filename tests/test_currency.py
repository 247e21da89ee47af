"""Currency: conversion rates from the Finance assumptions, validation, and the workbook's currency as default."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from tco_xl.analysis import convert, currency_code, per_usd, tornado
from tco_xl.assumptions import Assumptions, Finance, default_assumptions
from tco_xl.cli import app
from tco_xl.errors import InputError

A = default_assumptions()


def test_rates_come_from_the_finance_assumptions():
    assert per_usd(A, "USD") == 1
    assert per_usd(A, "EUR") == pytest.approx(1 / 1.068)          # 1.068 USD per EUR
    assert per_usd(A, "BGN") == pytest.approx(1.95583 / 1.068)    # 1.95583 BGN per EUR (the peg)
    other = A.with_values({"finance.eur_usd": 1.10, "finance.eur_bgn": 2.0})
    assert per_usd(other, "BGN") == pytest.approx(2.0 / 1.10)


def test_convert_keeps_the_array_shape():
    usd = np.array([[1_068.0, 2_136.0]])
    np.testing.assert_allclose(convert(usd, A, "EUR"), [[1_000.0, 2_000.0]])  # ÷ 1.068


def test_codes_are_case_insensitive_and_blank_means_the_workbook_currency():
    assert currency_code(" eur ", A) == "EUR"
    assert currency_code(None, A) == currency_code("", A) == "USD"
    bgn = Assumptions.model_validate({**A.model_dump(), "finance": {**A.finance.model_dump(), "currency": "bgn"}})
    assert bgn.finance.currency == "BGN" and currency_code(None, bgn) == "BGN"
    # analyses default to the workbook's currency
    assert tornado(bgn, "aws", 47).attrs["currency"] == "BGN"


def test_unknown_currency_names_the_field_and_the_choices():
    with pytest.raises(InputError) as err:
        currency_code("GBP", A, "--currency")
    assert err.value.field == "--currency" and "'EUR'" in err.value.expected
    with pytest.raises(ValidationError, match="USD, EUR, BGN"):
        Finance(currency="GBP")


def test_cli_rejects_an_unknown_currency_without_a_traceback():
    out = CliRunner().invoke(app, ["simulate", "-d", "100", "--currency", "GBP"])
    assert out.exit_code == 1
    assert "--currency" in out.output and "GBP" in out.output and "Traceback" not in out.output
