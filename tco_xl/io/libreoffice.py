"""LibreOffice headless as the real spreadsheet application.

``recalculate`` opens workbooks in LibreOffice Calc, recalculates every formula and saves the
results, so the cached values in the output are what a spreadsheet application computes.
Each run uses a private, throw-away LibreOffice profile whose settings force recalculation
on load (``OOXMLRecalcMode``/``ODFRecalcMode`` = 0, "always"); the default (1, "never")
would keep stale cached values of OOXML files.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

import openpyxl

from tco_xl.errors import InputError, TcoError

__all__ = [
    "LibreOfficeError",
    "recalculate",
    "recalculated_values",
    "soffice_path",
    "to_pdf",
]

SOFFICE_NAMES = ("soffice", "libreoffice")
DEFAULT_TIMEOUT = 180.0  # seconds for one soffice call, all files together
NOT_INSTALLED = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"

# Profile settings (user/registrymodifications.xcu): recalculate OOXML (.xlsx/.xlsm) and
# ODF files on load; 0 = always, 1 = never (default), 2 = prompt.
PROFILE_SETTINGS = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(TcoError, RuntimeError):
    """LibreOffice is missing, failed, timed out, or did not convert every file."""


def soffice_path() -> str | None:
    """Return the path of the LibreOffice executable on ``PATH``, or None."""
    for name in SOFFICE_NAMES:
        if path := shutil.which(name):
            return path
    return None


def recalculate(
    paths: Iterable[Path],
    outdir: Path,
    fmt: str = "xlsx",
    *,
    soffice: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Path]:
    """Recalculate workbooks with LibreOffice and save them to ``outdir``; return the outputs.

    All files go through one ``soffice --convert-to`` call (each start costs seconds).
    ``fmt`` is a ``--convert-to`` target such as ``xlsx``, ``ods`` or
    ``xlsx:Calc MS Excel 2007 XML``; output ``i`` is ``outdir/<stem of paths[i]>.<ext>``
    and replaces any file of that name. All or nothing: if any file fails, nothing is
    written to ``outdir`` and ``LibreOfficeError`` names the failed files.
    """
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    outdir = Path(outdir)
    ext = fmt.split(":", 1)[0]
    targets = [outdir / f"{source.stem}.{ext}" for source in sources]
    clashes = sorted(name for name, n in Counter(t.name for t in targets).items() if n > 1)
    if clashes:
        raise InputError("paths", clashes, "inputs whose outputs have distinct file names")
    missing = [str(source) for source in sources if not source.is_file()]
    if missing:
        raise LibreOfficeError(f"input file(s) not found: {', '.join(missing)}")
    executable = soffice or soffice_path()
    if executable is None:
        raise LibreOfficeError(NOT_INSTALLED)

    outdir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="tco-soffice-profile-") as profile,
        tempfile.TemporaryDirectory(prefix=".soffice-", dir=outdir) as staging,
    ):
        user_dir = Path(profile, "user")
        user_dir.mkdir()
        (user_dir / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
        command = [
            executable,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            staging,
            *map(str, sources),
        ]
        stderr = _run(command, timeout, len(sources))
        produced = [Path(staging, target.name) for target in targets]
        failed = [str(src) for src, out in zip(sources, produced, strict=True) if not out.is_file()]
        if failed:
            raise LibreOfficeError(
                f"LibreOffice could not convert {len(failed)} of {len(sources)} file(s) "
                f"to {fmt}: {', '.join(failed)}\nsoffice stderr:\n{stderr.strip()}"
            )
        for out, target in zip(produced, targets, strict=True):
            os.replace(out, target)
    return targets


def to_pdf(path: Path, *, soffice: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Render a workbook to a PDF beside it (same name, .pdf) with LibreOffice: every visible sheet, with its print
    setup. Replaces a PDF of that name only once the new one is complete."""
    path = Path(path)
    [pdf] = recalculate([path], path.parent, "pdf", soffice=soffice, timeout=timeout)
    return pdf


def recalculated_values(
    path: Path, *, soffice: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, list[list[Any]]]:
    """Recalculate one workbook and return each sheet's values, row by row from A1.

    ``values[sheet][0][1]`` is cell B1; empty cells are None.
    """
    with tempfile.TemporaryDirectory(prefix="tco-recalc-") as tmp:
        [recalculated] = recalculate([path], Path(tmp), soffice=soffice, timeout=timeout)
        workbook = openpyxl.load_workbook(recalculated, data_only=True)
        try:
            return {
                sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
                for sheet in workbook.worksheets
            }
        finally:
            workbook.close()


def _run(command: list[str], timeout: float, n_files: int) -> str:
    """Run soffice in its own process group; return its stderr or raise LibreOfficeError."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # soffice is a script that starts soffice.bin
        )
    except OSError as exc:
        raise LibreOfficeError(f"cannot start LibreOffice ({command[0]}): {exc}") from exc
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LibreOfficeError(
            f"LibreOffice did not finish converting {n_files} file(s) within {timeout:g} s "
            "and was killed"
        ) from None
    if process.returncode != 0:
        raise LibreOfficeError(
            f"LibreOffice exited with status {process.returncode}\n"
            f"soffice stderr:\n{stderr.strip()}"
        )
    return stderr
