"""workbook/xlwings_udfs.bas is what xlwings' "Import Functions" writes for tco_xl.udfs, options included.

xlwings' own generator runs (tco_xl.io.vba); importing tco_xl.udfs where xlwings.udfs is loaded (as in Excel)
makes it add a prologue to each wrapper: the cell is volatile only when ``inputs`` is left out, and range
arguments reach Python as values.
"""

from __future__ import annotations

import inspect
import io
import re
import types

import pytest

from tco_xl import udfs
from tco_xl.io import layout
from tco_xl.io import vba
from tco_xl.io.vba import udf_macro_options, udf_module_text, with_prologue, write_bas

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
        params = list(inspect.signature(fn).parameters.values())
        # last: inputs (TCO_INPUTS), then the what-if(s) to apply; both optional
        assert [p.name for p in params[-2:]] == ["inputs", "whatif"] and params[-1].default is None, name
        expected[name] = ", ".join(("Optional " if p.default is not p.empty else "") + p.name for p in params)
    assert signatures == expected
    assert signatures["TCO_HYBRID"] == "agents, Optional metric, Optional variant, Optional inputs, Optional whatif"


@pytest.fixture(scope="module")
def generated() -> str:
    """What xlwings' generator writes for tco_xl.udfs without the prologue."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vba, "conditionally_volatile_wrappers", lambda udfs: None)
        return udf_module_text(MODULE)


def test_the_module_is_xlwings_output_plus_one_prologue_per_function(text: str, generated: str) -> None:
    assert "Application.Volatile" not in generated  # no function is volatile
    assert text == with_prologue(generated)
    added = [line for line in text.splitlines() if line not in generated.splitlines()]
    prologue = []
    for name, fn in UDFS.items():
        params = list(inspect.signature(fn).parameters)
        prologue += ["    Application.Volatile IsMissing(inputs)"]
        prologue += [f"    If IsObject({p}) Then {p} = {p}.Value2" for p in params]
    assert set(added) == set(prologue)
    for name, fn in UDFS.items():
        lines = body(text, name).splitlines()
        params = list(inspect.signature(fn).parameters)
        assert lines[1] == "    Application.Volatile IsMissing(inputs)", name  # before anything else runs
        assert lines[2:2 + len(params)] == [f"    If IsObject({p}) Then {p} = {p}.Value2" for p in params]
        call = re.search(rf'XLPy\.CallUDF\("{MODULE}", "{name}", Array\((.*?)\), ThisWorkbook, Application\.Caller\)',
                         body(text, name))
        assert call and call.group(1) == ", ".join(params), name  # every argument goes to Python, whatif last


def test_import_functions_in_excel_writes_the_same_module() -> None:
    """In Excel, "Import Functions" runs xlwings.udfs.import_udfs, which finds the generator that importing
    tco_xl.udfs patched: tco_xl.io.vba runs that very function, so the text is the one tested above."""
    stand_in = types.ModuleType("xlwings.udfs")
    calls = []
    stand_in.generate_vba_wrapper = lambda module_name, module, f, wb: (calls.append(module_name), f.write(
        "Function F(a, Optional inputs)\n    F = 1\nEnd Function\n"))
    vba.conditionally_volatile_wrappers(stand_in)
    vba.conditionally_volatile_wrappers(stand_in)  # once only
    out = io.StringIO()
    stand_in.generate_vba_wrapper("m", None, out, None)
    assert out.getvalue() == ("Function F(a, Optional inputs)\n    Application.Volatile IsMissing(inputs)\n"
                              "    If IsObject(a) Then a = a.Value2\n    If IsObject(inputs) Then inputs = inputs.Value2\n"
                              "    F = 1\nEnd Function\n")
    assert calls == ["m"]


def test_the_prologue_comes_with_an_optional_inputs_followed_by_optional_arguments_only() -> None:
    assert with_prologue("Function F(a, Optional inputs, Optional whatif)\n") == (
        "Function F(a, Optional inputs, Optional whatif)\n    Application.Volatile IsMissing(inputs)\n"
        "    If IsObject(a) Then a = a.Value2\n    If IsObject(inputs) Then inputs = inputs.Value2\n"
        "    If IsObject(whatif) Then whatif = whatif.Value2\n")
    for other in ("Function F(a, Optional inputs, b)\n", "Function F(a, Optional whatif)\n", "Function F(inputs)\n"):
        assert with_prologue(other) == other


def test_category_and_wizard_texts_reach_excel(options: dict[str, dict]) -> None:
    assert set(options) == set(UDFS)
    for name, fn in UDFS.items():
        o = options[name]
        assert o["Category"] == "TCO"
        assert o["Description"] == fn.__doc__ and 0 < len(o["Description"]) <= EXCEL_TEXT_LIMIT
        params = list(inspect.signature(fn).parameters)
        assert len(o["ArgumentDescriptions"]) == len(params)
        for doc in o["ArgumentDescriptions"]:
            assert not doc.startswith("Positional argument") and len(doc) <= EXCEL_TEXT_LIMIT, (name, doc)
