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
TCO_XL = [sys.executable, "-c", "from tco_xl.cli import main; main()"]
PYODIDE_INSTALLABLE = {"openpyxl", "pandas", "numpy", "pydantic", "typer", "rich", "markdown-it-py"}


def test_the_wheel_is_pure_python_and_its_requirements_install_in_pyodide(tmp_path) -> None:
    """`tco-xl lite` builds the wheel a team hosts for xlwings Lite, and the files a user pastes into Lite."""
    done = subprocess.run([*TCO_XL, "lite", "--url", "https://files.example.org/tco/",
                           "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        assert not [n for n in z.namelist() if n.endswith((".so", ".pyd", ".dll"))]
        meta = Parser().parsestr(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode())
    requires = meta.get_all("Requires-Dist")
    core = {r.split(";")[0].split("<")[0].split(">")[0].split("=")[0].strip() for r in requires if "extra ==" not in r}
    assert core == PYODIDE_INSTALLABLE
    assert 'xlwings==0.37.8; extra == "excel"' in requires and 'olefile>=0.46; extra == "excel"' in requires
    requirements = [line for line in (tmp_path / "requirements.txt").read_text().splitlines()
                    if not line.startswith("#")]
    assert requirements == [f"https://files.example.org/tco/{wheel.name}"]  # the folder's address + the wheel
    assert (tmp_path / "main.py").read_bytes() == (ROOT / "lite" / "main.py").read_bytes()


def test_lite_refuses_an_address_excel_cannot_fetch_and_writes_nothing(tmp_path) -> None:
    for url in ("http://files.example.org/tco/", "files.example.org/tco", "https://files.example.org/t?x=1"):
        done = subprocess.run([*TCO_XL, "lite", "--url", url, "--out",
                               str(tmp_path / "out")], capture_output=True, text=True)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "--url: expected the https address of the folder the wheel will be put in" in done.stderr
        assert repr(url) in done.stderr
    assert not (tmp_path / "out").exists()


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
