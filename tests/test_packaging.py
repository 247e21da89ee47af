"""tco_xl is one pure-Python wheel for every way in: its install requirements install in Pyodide (xlwings Lite),
and xlwings (the classic Windows DLL pin) is an extra."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Pure-Python wheels on PyPI, or packages Pyodide builds itself (numpy, pandas, pydantic's pydantic-core)
PYODIDE_INSTALLABLE = {"openpyxl", "pandas", "numpy", "pydantic", "typer", "rich", "markdown-it-py"}


def test_the_wheel_is_pure_python_and_its_requirements_install_in_pyodide(tmp_path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        assert not [n for n in z.namelist() if n.endswith((".so", ".pyd", ".dll"))]
        meta = Parser().parsestr(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode())
    requires = meta.get_all("Requires-Dist")
    core = {r.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip() for r in requires if "extra ==" not in r}
    assert core == PYODIDE_INSTALLABLE
    assert 'xlwings==0.37.8; extra == "excel"' in requires and 'olefile>=0.46; extra == "excel"' in requires
    lite = (ROOT / "lite" / "requirements.txt").read_text()
    assert f"/{wheel.name}\n" in lite  # the wheel the Lite guide tells the user to host


def test_without_xlwings_the_functions_and_the_command_line_still_work() -> None:
    script = """
import sys
sys.modules["xlwings"] = None  # as after `pip install tco_xl` without the excel extra
from tco_xl import udfs
from tco_xl.cli import main
print(udfs.TWILIO_COST(47.0, "monthly"))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["4578.38"]  # 47 agents' Twilio lines, as derived in test_udfs
