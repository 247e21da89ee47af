"""xlwings Lite (Excel on Windows, Mac and the web): lite/main.py called as Office.js delivers arguments.

Office.js hands a custom function a cell as a float or a string, an empty cell as None, a range as a list of
rows, and TCO_INPUTS as the 2-D list of its values (here: as LibreOffice computes it from TCO.xlsm). xlwings'
own Office.js machinery (xlwings.pro.udfs_officejs) needs a licence key: the last test runs only when
XLWINGS_LICENSE_KEY is set.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tco_xl import udfs
from tco_xl.assumptions import default_assumptions
from tco_xl.engine import price
from tco_xl.io import layout
from tco_xl.rounding import excel_round

LITE = Path(__file__).resolve().parents[1] / "lite"
UDF_NAMES = [name for name in udfs.__all__ if name.isupper()]


def cents(x: float) -> float:
    return excel_round(x, 2)


@pytest.fixture(scope="module")
def main() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("lite_main", LITE / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def block(inputs_block) -> list[list]:
    return inputs_block(layout.DEFAULT_WORKBOOK)


def test_lite_registers_every_function_and_no_second_copy(main) -> None:
    found = sorted(name for name, obj in vars(main).items() if callable(obj) and name.isupper())
    assert found == sorted(UDF_NAMES)
    assert all(getattr(main, name) is getattr(udfs, name) for name in UDF_NAMES)  # tco_xl's own functions


@pytest.mark.libreoffice
def test_office_js_shaped_arguments_price_with_the_inputs_block(main, block) -> None:
    assert main.TCO_HYBRID(47.0, None, None, block) == cents(price("hybrid", 47).year1)
    # 47 agents × 40 calls × 8 min × 22 days, half in at $0.013 and half out at $0.014, + 47 numbers × $1,
    # 5,000 SMS × $0.0079, 100 GB × $0.25 = $4,578.38/month
    assert main.TWILIO_COST(47.0, "Monthly", block) == 4578.38
    assert main.TCO_HYBRID("47", "tco", "Optimized", block) == cents(price("hybrid_optimized", 47).tco)
    keys, headcounts = [["aws"], ["hetzner"]], [[47.0, 100.0, 500.0]]
    assert main.TCO(keys, headcounts, "tco", block) == [[cents(price(k, n).tco) for n in (47, 100, 500)]
                                                        for k in ("aws", "hetzner")]
    table = main.TCO_COMPARE(47.0, block)
    assert table[0][0] == "Scenario" and len(table) == 1 + len(default_assumptions().stacks)
    assert main.MAC_STUDIOS_NEEDED(headcounts, block) == [[2, 4, 20]]


@pytest.mark.libreoffice
def test_bad_arguments_come_back_as_readable_cell_text(main, block) -> None:
    assert main.TCO_HYBRID(-3.0, None, None, block) == (
        "#TCO! agents: expected a whole number of agents from 1 to 1,000,000, got -3")
    assert main.TCO_CLOUD("IBM", 47.0, None, block).startswith("#TCO! provider: expected one of 'aws'")
    assert main.TCO_HYBRID(47.0, "weekly", None, block).startswith("#TCO! metric: expected one of 'year1'")
    assert main.TCO_HYBRID(47.0, None, None, [[47.0]]).startswith("#TCO! inputs: expected the workbook's TCO_INPUTS")


def test_without_inputs_lite_asks_for_them(main, monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "emscripten")  # Pyodide: no workbook to read, no defaults to fall back on
    assert main.TCO_HYBRID(47.0) == ("#TCO! inputs: expected TCO_INPUTS (in xlwings Lite a function cannot read the "
                                     "workbook), got an empty cell")


def test_every_declared_argument_matches_the_signature() -> None:
    """tco_xl.udfs run under a recording stand-in for xlwings' decorators, as Lite's xlwings runs it."""
    declared: dict[str, dict[str, dict]] = {}

    def func(**options):
        return lambda f: f

    def arg(name, **options):
        def record(f):
            declared.setdefault(f.__name__, {})[name] = options
            return f
        return record

    stand_in = types.ModuleType("xlwings")
    stand_in.func, stand_in.arg = func, arg
    spec = importlib.util.find_spec("tco_xl.udfs")
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("xlwings")
    sys.modules["xlwings"] = stand_in
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules["xlwings"] = saved
    for name in UDF_NAMES:
        params = list(inspect.signature(getattr(module, name)).parameters)
        assert sorted(declared[name]) == sorted(params), name  # each argument declared once, none unknown
        assert all(o.get("doc") for o in declared[name].values()), name  # Excel shows a description for each
        assert params[-2:] == ["inputs", "whatif"] and declared[name]["inputs"]["ndim"] == 2, name
        assert declared[name]["whatif"]["ndim"] == 2, name  # a what-if's name, or a range of them


@pytest.mark.skipif(not os.environ.get("XLWINGS_LICENSE_KEY"), reason="xlwings' Office.js machinery needs a licence key")
def test_xlwings_office_js_machinery_lists_and_calls_the_functions(tmp_path) -> None:  # pragma: no cover
    script = """
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
import main
from xlwings.server import custom_functions_call, custom_functions_meta
meta = custom_functions_meta(main)
names = sorted(f["name"] for f in meta["functions"])
data = {"func_name": "TWILIO_COST", "args": [[[47.0]], [["monthly"]], [[None]]], "version": "0", "client": "Office.js",
        "runtime": "1.4", "caller_address": "Sheet1!A1"}
print(json.dumps([names, asyncio.run(custom_functions_call(data, main))]))
"""
    env = {**os.environ, "XLWINGS_ON_SERVER": "true"}
    out = subprocess.run([sys.executable, "-c", script, str(LITE)], env=env, capture_output=True, text=True, check=True)
    names, result = __import__("json").loads(out.stdout.splitlines()[-1])
    assert names == sorted(UDF_NAMES)
    assert result == [[4578.38]]
