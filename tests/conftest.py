"""Shared pytest fixtures."""

from __future__ import annotations

import os

import pytest

from tco_xl.io.libreoffice import NOT_INSTALLED, soffice_path


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; skips without it, but fails in CI (CI=true)."""
    path = soffice_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{NOT_INSTALLED} (CI must run the LibreOffice tests)")
        pytest.skip(NOT_INSTALLED)
    return path


@pytest.fixture(scope="session")
def pdftotext() -> str:
    """Path of poppler's pdftotext (pdfinfo beside it) to read PDFs; skips without it, but fails in CI (CI=true)."""
    import shutil
    path, info = shutil.which("pdftotext"), shutil.which("pdfinfo")
    if path is None or info is None:
        message = "poppler-utils (pdftotext, pdfinfo) is not installed: apt-get install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the PDF tests)")
        pytest.skip(message)
    return path


# -- the assumptions workbook (TCO.xlsm) -------------------------------------------------------------------

@pytest.fixture(scope="session")
def built_workbook(tmp_path_factory: pytest.TempPathFactory):
    """A TCO.xlsm freshly built from the defaults (with xlwings_udfs.bas beside it). Never edit it: copy it
    with ``workbook_copy``."""
    from tco_xl.io.template import build_workbook
    return build_workbook(tmp_path_factory.mktemp("built") / "TCO.xlsm")


@pytest.fixture
def workbook_copy(built_workbook, tmp_path):
    """``workbook_copy({"Telephony": {"C2": 0.015}}, name="edited.xlsm")``: a copy of the built workbook in
    tmp_path with cells set through openpyxl (``keep_vba=True``; None clears a cell)."""
    import shutil

    import openpyxl

    def copy(edits=None, name="TCO.xlsm"):
        path = tmp_path / name
        shutil.copyfile(built_workbook, path)
        if edits:
            wb = openpyxl.load_workbook(path, keep_vba=True)
            for sheet, cells in edits.items():
                for cell, value in cells.items():
                    wb[sheet][cell] = value
            wb.save(path)
        return path

    return copy


@pytest.fixture(scope="session")
def inputs_block(soffice, tmp_path_factory):
    """``inputs_block(path)``: the workbook's TCO_INPUTS block as a real spreadsheet computes it (LibreOffice),
    as rows of values with blank cells as None, the way Excel hands a range to a function."""
    import shutil

    import openpyxl

    from tco_xl.io import layout
    from tco_xl.io.libreoffice import recalculate

    blocks = {}

    def block(path):
        if path not in blocks:
            outdir = tmp_path_factory.mktemp("inputs")
            copy = outdir / "book.xlsx"
            shutil.copyfile(path, copy)
            (out,) = recalculate([copy], outdir / "out", soffice=soffice)
            rows, columns = layout.inputs_shape()
            ws = openpyxl.load_workbook(out, data_only=True)[layout.INPUTS]
            blocks[path] = [[None if v == "" else v for v in row]
                            for row in ws.iter_rows(min_row=1, max_row=rows, max_col=columns, values_only=True)]
        return blocks[path]

    return block


# -- assumptions small enough to price by hand ---------------------------------------------------------------

@pytest.fixture
def two_clouds():
    """``two_clouds(line_a, line_b, stack_a={}, stack_b={})``: validated assumptions with two cloud scenarios,
    'a' and 'b', each priced only by its one provider line (``line_a``/``line_b``: PriceLine fields over a
    fixed $0 line): telephony rates, the LLM API, services, options, support and setup are all $0."""
    from tco_xl.assumptions import Assumptions, default_assumptions

    def build(line_a: dict, line_b: dict, stack_a: dict | None = None, stack_b: dict | None = None) -> Assumptions:
        data = default_assumptions().model_dump()
        data["telephony"].update(inbound_usd_per_min=0, outbound_usd_per_min=0, number_usd_per_month=0,
                                 sms_usd_per_msg=0, recording_usd_per_gb=0)
        data["services"] = {"email": "none", "monitoring": "none", "security": "none"}
        data["llm_models"] = [{"key": "api", "name": "Free API", "input_usd_per_1k": 0, "output_usd_per_1k": 0}]
        data["options"], data["ranges"], data["what_ifs"] = [], {}, []  # the default what-ifs name default rows
        line = {"category": "compute", "unit_price": 0, "currency": "USD", "billing": "month", "unit": "unit",
                "driver": "fixed", "quantity": 1, "included": 0, "discount": 0, "whole_units": False}
        data["providers"] = [{**line, "group": "pa", "line": "A's line", **line_a},
                             {**line, "group": "pb", "line": "B's line", **line_b}]
        stack = {"kind": "cloud", "mac_studios": False, "backups": "none", "llm": "api", "app_servers_min": 0,
                 "agents_per_app_server": 0, "support_hours": 0, "setup_usd": 0}
        data["stacks"] = [{**stack, "key": "a", "name": "A", "provider": "pa", **(stack_a or {})},
                          {**stack, "key": "b", "name": "B", "provider": "pb", **(stack_b or {})}]
        return Assumptions.model_validate(data)

    return build
