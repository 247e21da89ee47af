"""Writing files: atomic (the old file or the complete new one), failures named in plain words, Windows paths.

No Windows machine runs here, so Windows is simulated where it differs, by raising what Windows raises:
``os.fsync`` on a descriptor opened read-only fails with EBADF, and ``os.replace`` onto a file Excel holds
open fails with PermissionError, winerror 32 (a sharing violation). A full disk is simulated too (ENOSPC
from the flush); a read-only folder is real (``chmod``, or ``chattr +i`` for root, who ignores permissions).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tco_xl.cli import app
from tco_xl.errors import WriteError
from tco_xl.io import atomic
from tco_xl.io.atomic import make_folder, write_bytes_atomic

runner = CliRunner()


def windows_fsync(real_fsync):
    """os.fsync as Windows behaves: EBADF on a descriptor opened read-only (``_commit`` needs write access)."""
    def fsync(fd):
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        return real_fsync(fd)
    return fsync


def excel_holds_it_open(*_args):
    """os.replace onto a file Excel has open, as Windows reports it."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by another "
                                        "process")
    exc.winerror = 32  # the attribute Windows sets (ERROR_SHARING_VIOLATION); absent on other systems
    raise exc


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "f.bin"
    assert write_bytes_atomic(target, b"one") == target
    target.chmod(0o640)
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two" and target.stat().st_mode & 0o777 == 0o640
    assert listing(tmp_path) == ["f.bin"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "snap.xlsx"
    target.write_bytes(b"previous snapshot")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"half of the new")
    assert target.read_bytes() == b"previous snapshot"
    assert listing(tmp_path) == ["snap.xlsx"]


def test_windows_fsync_on_a_read_only_descriptor_is_never_needed(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic.os, "fsync", windows_fsync(os.fsync))
    target = tmp_path / "TCO.xlsm"
    write_bytes_atomic(target, b"workbook")  # the folder's fsync (POSIX only) may fail: it is best effort
    assert target.read_bytes() == b"workbook"


def test_windows_build_and_reconcile_run_with_windows_fsync(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic.os, "fsync", windows_fsync(os.fsync))
    built = runner.invoke(app, ["workbook", "build", "--out", str(tmp_path / "TCO.xlsm")])
    assert built.exit_code == 0, built.output
    assert listing(tmp_path) == ["TCO.xlsm", "xlwings_udfs.bas"]
    (tmp_path / "docs").mkdir()
    doc = runner.invoke(app, ["reconcile", "--out", str(tmp_path / "docs" / "rec.md")])
    assert doc.exit_code == 0, doc.output
    assert (tmp_path / "docs" / "rec.md").read_text(encoding="utf-8").startswith("#")


def test_a_file_open_in_excel_is_named_with_what_to_do_and_left_as_it_was(tmp_path, monkeypatch):
    target = tmp_path / "TCO.xlsm"
    target.write_bytes(b"the open workbook")
    monkeypatch.setattr(atomic.os, "replace", excel_holds_it_open)
    with pytest.raises(WriteError) as err:
        write_bytes_atomic(target, b"new")
    assert str(err.value) == (f"cannot replace TCO.xlsm in {tmp_path}: the file is open in another program (Excel?): "
                              "close it there and run the command again")
    assert target.read_bytes() == b"the open workbook"
    assert listing(tmp_path) == ["TCO.xlsm"]


def test_workbook_build_onto_an_open_workbook_exits_1_with_the_message(tmp_path, monkeypatch):
    target = tmp_path / "TCO.xlsm"
    target.write_bytes(b"the open workbook")
    monkeypatch.setattr(atomic.os, "replace", excel_holds_it_open)
    result = runner.invoke(app, ["workbook", "build", "--out", str(target)])
    assert result.exit_code == 1
    assert "close it there" in result.stderr and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert target.read_bytes() == b"the open workbook"


def test_a_read_only_file_on_windows_says_so(tmp_path, monkeypatch):
    target = tmp_path / "TCO.xlsm"
    target.write_bytes(b"old")

    def access_denied(*_args):
        exc = PermissionError(errno.EACCES, "Access is denied")
        exc.winerror = 5
        raise exc

    monkeypatch.setattr(atomic.os, "replace", access_denied)
    with pytest.raises(WriteError, match="access denied: the file is read-only or open in another program"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"


def test_a_full_disk_names_the_folder_and_leaves_the_previous_export(tmp_path, monkeypatch):
    first = runner.invoke(app, ["export", "-a", "47", "--out", str(tmp_path), "--created", "2026-03-01T09:00:00Z",
                                "--no-analysis"])
    assert first.exit_code == 0, first.output
    previous = Path(first.stdout.strip().splitlines()[-1])
    before = previous.read_bytes()

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    again = runner.invoke(app, ["export", "-a", "47", "--out", str(tmp_path), "--created", "2026-03-01T09:00:00Z",
                                "--no-analysis"])  # same inputs and time: the same file name as the previous export
    assert again.exit_code == 1
    assert f"cannot write {previous.name} in {tmp_path}: the disk is full (No space left on device)" in again.stderr
    assert previous.read_bytes() == before
    assert listing(tmp_path) == [previous.name]


@pytest.fixture
def read_only_folder(tmp_path):
    """A real folder no file can be created in: permissions for a user, the immutable attribute for root."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("root ignores permissions and this file system has no immutable attribute (chattr +i)")
    try:
        yield folder
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


def test_export_into_a_read_only_folder_names_the_folder_and_the_reason(read_only_folder):
    result = runner.invoke(app, ["export", "-a", "47", "--out", str(read_only_folder), "--no-analysis"])
    assert result.exit_code == 1
    assert f" in {read_only_folder}: permission denied" in result.stderr
    assert "Traceback" not in result.output and listing(read_only_folder) == []


def test_build_into_a_read_only_folder_names_the_folder_and_the_reason(read_only_folder):
    result = runner.invoke(app, ["workbook", "build", "--out", str(read_only_folder / "sub" / "TCO.xlsm")])
    assert result.exit_code == 1
    assert f"cannot create the folder {read_only_folder / 'sub'}: permission denied" in result.stderr
    result = runner.invoke(app, ["workbook", "build", "--out", str(read_only_folder / "TCO.xlsm")])
    assert result.exit_code == 1
    assert f"cannot write TCO.xlsm in {read_only_folder}: permission denied" in result.stderr


def test_make_folder_refuses_a_path_through_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(WriteError, match=r"cannot create the folder .*/file/sub: .*(not a folder|exists)"):
        make_folder(tmp_path / "file" / "sub")
