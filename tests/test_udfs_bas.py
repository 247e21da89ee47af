"""workbook/xlwings_udfs.bas is what xlwings' "Import Functions" writes for tco_xl.udfs, options included."""

from __future__ import annotations

import inspect
import re

import pytest

from tco_xl import udfs
from tco_xl.io import layout
from tco_xl.io.vba import udf_macro_options, udf_module_text, write_bas

MODULE = "tco_xl.udfs"
COMMITTED = layout.DEFAULT_WORKBOOK.with_name("xlwings_udfs.bas")
UDFS = {name: getattr(udfs, name) for name in udfs.__all__ if name.isupper()}
EXCEL_TEXT_LIMIT = 255  # Application.MacroOptions: Description and each ArgumentDescription


@pytest.fixture(scope="module")
def text() -> str:
    return udf_module_text(MODULE)


@pytest.fixture(scope="module")
def options() -> dict[str, dict]:
    return {o["Macro"].rpartition("!")[2]: o for o in udf_macro_options(MODULE)}


def body(text: str, name: str) -> str:
    match = re.search(rf"^Function {name}\(.*?^End Function$", text, re.MULTILINE | re.DOTALL)
    assert match, f"no Function {name}"
    return match.group(0)


def test_the_committed_module_is_the_generated_one(tmp_path) -> None:
    fresh = tmp_path / "xlwings_udfs.bas"
    write_bas(MODULE, fresh)
    assert COMMITTED.is_file(), f"{COMMITTED} is missing: run `tco-xl workbook build`"
    assert COMMITTED.read_bytes() == fresh.read_bytes(), (
        f"{COMMITTED.name} disagrees with tco_xl.udfs: run `tco-xl workbook build` and commit both files")


def test_one_vba_function_per_udf_with_its_excel_signature(text: str) -> None:
    signatures = dict(re.findall(r"^Function (\w+)\((.*)\)$", text, re.MULTILINE))
    expected = {}
    for name, fn in UDFS.items():
        params = [p for p in inspect.signature(fn).parameters.values() if p.name != "caller"]
        expected[name] = ", ".join(("Optional " if p.default is not p.empty else "") + p.name for p in params)
    assert signatures == expected
    assert signatures["TCO_HYBRID"] == "agents, Optional metric, Optional variant"


def test_caller_is_hidden_from_excel_and_passed_by_xlwings(text: str) -> None:
    for name, fn in UDFS.items():
        assert list(inspect.signature(fn).parameters)[-1] == "caller"
        call = re.search(rf'XLPy\.CallUDF\("{MODULE}", "{name}", Array\((.*?)\), ThisWorkbook, Application\.Caller\)',
                         body(text, name))
        assert call and call.group(1).endswith("Nothing"), name  # replaced by the calling range in Python


def test_every_function_is_volatile(text: str) -> None:
    for name in UDFS:
        assert "    Application.Volatile\n" in body(text, name), name
    assert text.count("Application.Volatile") == len(UDFS)


def test_category_and_wizard_texts_reach_excel(options: dict[str, dict]) -> None:
    assert set(options) == set(UDFS)
    for name, fn in UDFS.items():
        o = options[name]
        assert o["Category"] == "TCO"
        assert o["Description"] == fn.__doc__ and 0 < len(o["Description"]) <= EXCEL_TEXT_LIMIT
        params = [p for p in inspect.signature(fn).parameters if p != "caller"]
        assert len(o["ArgumentDescriptions"]) == len(params)
        for doc in o["ArgumentDescriptions"]:
            assert not doc.startswith("Positional argument") and len(doc) <= EXCEL_TEXT_LIMIT, (name, doc)
