"""Atomic file writes: a file is either the complete new version or untouched, never partial.

The content goes to a hidden temporary file in the target's folder (same file system, so the final
``os.replace`` is atomic), is flushed to disk with ``fsync`` through the descriptor that wrote it (Windows
refuses ``fsync`` on a read-only descriptor), then renamed over the target. Any failure, including
KeyboardInterrupt, removes the temporary file and leaves the target as it was. An operating-system
failure becomes a ``WriteError`` naming the file, its folder and the reason in plain words: a full disk,
a read-only folder, or (Windows) the file open in Excel.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from ..errors import WriteError

__all__ = ["make_folder", "write_bytes_atomic"]

#: Windows error codes of a file another program holds open (sharing and lock violations) or refuses (access).
_IN_USE, _ACCESS_DENIED = {32, 33}, 5
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied (a read-only folder or file, or one that belongs to someone else)",
    errno.EPERM: "permission denied (a read-only folder or file, or one that belongs to someone else)",
    errno.EROFS: "the folder is on a read-only file system",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "a folder has that name",
}


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically; return ``target``. Raises WriteError (the target is untouched)."""
    target = Path(target)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(_message(target, exc)) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteError(_message(target, exc)) from None
        raise
    _fsync_dir(target.parent)
    return target


def make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents if missing; raises WriteError naming the folder and the reason."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the folder {os.path.abspath(folder)}: {_reason(exc)}") from None


def _message(target: Path, exc: OSError) -> str:
    folder = os.path.abspath(target.parent)
    winerror = getattr(exc, "winerror", None)
    if winerror in _IN_USE:
        return (f"cannot replace {target.name} in {folder}: the file is open in another program (Excel?): "
                "close it there and run the command again")
    if winerror == _ACCESS_DENIED and target.exists():
        return (f"cannot replace {target.name} in {folder}: access denied: the file is read-only or open in "
                "another program (Excel?): close it there, or clear its read-only attribute, and run the command again")
    return f"cannot write {target.name} in {folder}: {_reason(exc)}"


def _reason(exc: OSError) -> str:
    """An OSError in plain words, with the system's own text."""
    system = exc.strerror or str(exc) or type(exc).__name__
    plain = _REASONS.get(exc.errno) if exc.errno is not None else None
    return f"{plain} ({system})" if plain else system


def _mode_for(target: Path) -> int:
    """The permissions the target has, or a new file's default (mkstemp's files are private, 0600)."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    """Persist the rename (POSIX); best effort: Windows cannot open or flush a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
