"""What a team hosts for xlwings Lite: the tco_xl wheel, and the main.py and requirements.txt a user pastes.

xlwings Lite runs Python in Excel's browser engine (Pyodide) and installs packages from PyPI or from an https
address; tco_xl is not on PyPI, so the wheel must be put at an address the team's Excel can reach. The
requirements.txt names that address, which only the team knows: this module writes all three files for it.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import TcoError
from .atomic import write_bytes_atomic

__all__ = ["LiteBundle", "lite_bundle", "source_root"]


@dataclass(frozen=True)
class LiteBundle:
    """The files written: the wheel, Lite's requirements.txt and main.py, all in one folder."""
    wheel: Path
    requirements: Path
    main: Path
    wheel_url: str


def source_root() -> Path:
    """The tco_xl checkout this package runs from (it holds pyproject.toml and lite/main.py)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "lite" / "main.py").is_file():
        raise TcoError(f"tco-xl lite builds the wheel from the tco_xl repository folder, and {root} is not one: "
                       "install tco_xl from its folder (pip install -e <folder>) and run the command again")
    return root


def wheel_address(base_url: str, wheel_name: str) -> str:
    """The wheel's https address: ``base_url`` (the folder the wheel will be put in) joined with its name."""
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise TcoError(f"--url: expected the https address of the folder the wheel will be put in, e.g. "
                       f"https://files.example.org/tco/ (xlwings Lite fetches it from inside Excel, which allows "
                       f"only https), got {base_url!r}")
    return base_url.rstrip("/") + "/" + wheel_name


def _built_wheel(root: Path, out: Path) -> Path:
    """Build tco_xl's pure-Python wheel from ``root`` into ``out``; returns its path."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(root)],
                          check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise TcoError(f"building the tco_xl wheel failed (pip wheel {root}): {done.stderr.strip()[-600:]}")
    wheel = out / f"tco_xl-{version('tco_xl')}-py3-none-any.whl"
    if not wheel.is_file():
        raise TcoError(f"building the tco_xl wheel wrote no {wheel.name} into {out}: reinstall tco_xl from {root} "
                       "(pip install -e <folder>) so that its installed version is the folder's")
    return wheel


def lite_bundle(base_url: str, out: Path) -> LiteBundle:
    """Write the wheel, a requirements.txt naming it at ``base_url`` and Lite's main.py into ``out``."""
    root = source_root()
    wheel_address(base_url, "x.whl")  # a wrong address stops before anything is built or written
    out.mkdir(parents=True, exist_ok=True)
    wheel = _built_wheel(root, out)
    url = wheel_address(base_url, wheel.name)
    requirements = write_bytes_atomic(out / "requirements.txt", (
        "# xlwings Lite installs what this file lists (the editor's requirements.txt tab); keep the lines Lite put\n"
        f"# there and add this one. Put {wheel.name} (written beside this file) at this address first.\n"
        f"{url}\n").encode())
    main = write_bytes_atomic(out / "main.py", (root / "lite" / "main.py").read_bytes())
    return LiteBundle(wheel, requirements, main, url)
