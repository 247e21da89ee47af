"""Add a standard module to a VBA project file (``xl/vbaProject.bin``) without Excel.

A VBA project is a compound file (MS-CFB) of streams (MS-OVBA): ``PROJECT`` (the module list, text),
``PROJECTwm`` (module names), ``VBA/dir`` (the project's records, compressed) and one stream per module
(its source, compressed). xlwings' template project is *source only*: its ``VBA/_VBA_PROJECT`` stream is the
version-independent header ``CC 61 FF FF 00 ...``, so Excel compiles every module from source when it opens
the workbook. A module added the same way (source only, offset 0) is compiled like the others; no other
stream of the project changes except for the lines and records that list the new module.

The file is written afresh with the entries in the template's own form (every directory entry black, each
storage's children one sorted chain of right siblings, no timestamps): the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import itertools
import struct
from collections.abc import Iterator
from dataclasses import dataclass

import olefile

__all__ = ["add_module", "compress", "decompress"]

_CHUNK = 4096
_SECTOR, _MINI_SECTOR, _MINI_CUTOFF = 512, 64, 4096
_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_MODULES, _PROJECT_TERMINATOR, _VERSION = 0x000F, 0x0010, 0x0009
PROCEDURAL_MODULE = 0x0021
ENCODING = "cp1252"  # the project's code page (PROJECTCODEPAGE 1252 in xlwings' template)


# -- MS-OVBA 2.4.1: the compression of streams --------------------------------------------------------------
def _copy_token_layout(position: int) -> tuple[int, int]:
    """(bits of the length field, the longest copy) at ``position`` bytes into a decompressed chunk."""
    offset_bits = max((position - 1).bit_length(), 4)
    length_bits = 16 - offset_bits
    return length_bits, (1 << length_bits) - 1 + 3


def _compress_chunk(chunk: bytes) -> bytes:
    """One chunk's compressed form (header included); raw when compressing does not shrink a full chunk. Copies
    are the longest earlier match (found through an index of the 3-byte sequences seen so far)."""
    out, pos = bytearray(), 0
    seen: dict[bytes, list[int]] = {}  # 3 bytes -> the positions where they start
    while pos < len(chunk):
        flags, tokens = 0, bytearray()
        for bit in range(8):
            if pos >= len(chunk):
                break
            length_bits, longest = _copy_token_layout(pos)
            best_len, best_off = 0, 0
            for start in reversed(seen.get(chunk[pos:pos + 3], ())):
                n = 3
                while n < longest and pos + n < len(chunk) and chunk[start + n] == chunk[pos + n]:
                    n += 1
                if n > best_len:
                    best_len, best_off = n, pos - start
            step = best_len if best_len >= 3 else 1
            if step > 1:
                flags |= 1 << bit
                tokens += struct.pack("<H", ((best_off - 1) << length_bits) | (best_len - 3))
            else:
                tokens.append(chunk[pos])
            for i in range(pos, pos + step):
                seen.setdefault(chunk[i:i + 3], []).append(i)
            pos += step
        out.append(flags)
        out += tokens
    if len(out) > _CHUNK and len(chunk) == _CHUNK:
        return struct.pack("<H", (_CHUNK + 2 - 3) | 0b011 << 12) + chunk  # a raw chunk: flag 0
    return struct.pack("<H", (len(out) + 2 - 3) | 0b011 << 12 | 1 << 15) + bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as an MS-OVBA CompressedContainer (signature byte 1, then 4,096-byte chunks)."""
    return b"\x01" + b"".join(_compress_chunk(data[i:i + _CHUNK]) for i in range(0, len(data), _CHUNK))


def decompress(data: bytes) -> bytes:
    """The bytes of an MS-OVBA CompressedContainer."""
    if not data or data[0] != 1:
        raise ValueError("not a compressed VBA container (signature byte 1 missing)")
    out, pos = bytearray(), 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        end, start = pos + (header & 0x0FFF) + 3, len(out)
        pos += 2
        if not header & 0x8000:
            out += data[pos:pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                length_bits, _ = _copy_token_layout(len(out) - start)
                offset, length = (token >> length_bits) + 1, (token & ((1 << length_bits) - 1)) + 3
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# -- the project's records ------------------------------------------------------------------------------------
def _records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(id, payload) of each record of the decompressed ``dir`` stream (PROJECTVERSION's size field says 4 but
    6 bytes follow)."""
    pos = 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        if rid == _VERSION:
            size = 6
        yield rid, data[pos:pos + size]
        pos += size


def _record(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, 4 if rid == _VERSION else len(payload)) + payload


def _module_records(name: str) -> bytes:
    """The records of a procedural module whose stream has the same name and holds source only (offset 0)."""
    mbcs, utf16 = name.encode(ENCODING), name.encode("utf-16-le")
    return b"".join([
        _record(0x0019, mbcs), _record(0x0047, utf16),  # MODULENAME, MODULENAMEUNICODE
        _record(0x001A, mbcs), _record(0x0032, utf16),  # MODULESTREAMNAME and its Unicode form
        _record(0x001C, b""), _record(0x0048, b""),  # MODULEDOCSTRING, empty
        _record(0x0031, struct.pack("<I", 0)),  # MODULEOFFSET: the source starts the stream
        _record(0x001E, struct.pack("<I", 0)),  # MODULEHELPCONTEXT
        _record(0x002C, struct.pack("<H", 0xFFFF)),  # MODULECOOKIE
        _record(PROCEDURAL_MODULE, b""),  # MODULETYPE
        _record(0x002B, b""),  # MODULE terminator
    ])


def _dir_with(dir_stream: bytes, name: str) -> bytes:
    """The ``VBA/dir`` stream with one more module, listed last."""
    out = bytearray()
    for rid, payload in _records(decompress(dir_stream)):
        if rid == _PROJECT_TERMINATOR:
            out += _module_records(name)
        count = struct.pack("<H", struct.unpack("<H", payload)[0] + 1) if rid == _MODULES else payload
        out += _record(rid, count)
    return compress(bytes(out))


def _project_with(project: bytes, name: str) -> bytes:
    """The ``PROJECT`` stream with a ``Module=`` line after the last one, and a [Workspace] line."""
    lines = project.split(b"\r\n")
    last = max(i for i, line in enumerate(lines) if line.startswith((b"Module=", b"Document=", b"Class=")))
    lines.insert(last + 1, b"Module=" + name.encode(ENCODING))
    if b"[Workspace]" in lines:
        end = next((i for i in range(lines.index(b"[Workspace]") + 1, len(lines)) if not lines[i]), len(lines))
        lines.insert(end, name.encode(ENCODING) + b"=0, 0, 0, 0, C")
    return b"\r\n".join(lines)


def _names_with(names: bytes, name: str) -> bytes:
    """The ``PROJECTwm`` stream with the module's name pair before its two-byte terminator."""
    if not names.endswith(b"\x00\x00"):
        raise ValueError("PROJECTwm does not end with its terminator")
    return names[:-2] + name.encode(ENCODING) + b"\x00" + name.encode("utf-16-le") + b"\x00\x00" + b"\x00\x00"


def add_module(project: bytes, name: str, source: str) -> bytes:
    """``project`` (a vbaProject.bin) with a standard module ``name`` holding ``source`` (the text of an exported
    .bas file: its first line ``Attribute VB_Name = "<name>"``; line ends are written as CRLF)."""
    streams = _streams(project)
    if f"VBA/{name}" in streams:
        raise ValueError(f"the VBA project already has a module {name!r}")
    if streams.get("VBA/_VBA_PROJECT", b"")[:4] != b"\xcc\x61\xff\xff":
        raise ValueError("the VBA project is compiled (not source only): a module added without Excel would not load")
    code = source.replace("\r\n", "\n").replace("\n", "\r\n").encode(ENCODING)
    streams[f"VBA/{name}"] = compress(code)
    streams["VBA/dir"] = _dir_with(streams["VBA/dir"], name)
    streams["PROJECT"] = _project_with(streams["PROJECT"], name)
    streams["PROJECTwm"] = _names_with(streams["PROJECTwm"], name)
    return _compound_file(streams)


def _streams(project: bytes) -> dict[str, bytes]:
    with olefile.OleFileIO(io.BytesIO(project)) as ole:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir(streams=True, storages=False)}


# -- MS-CFB: the compound file --------------------------------------------------------------------------------
@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] | None = None
    start: int = _END
    sid: int = 0


def _order(name: str) -> tuple[int, str]:
    """MS-CFB's order of sibling names: shorter first, then by upper case."""
    return len(name), name.upper()


def _tree(streams: dict[str, bytes]) -> _Entry:
    root = _Entry("Root Entry", 5, children=[])
    for path, data in streams.items():
        node = root
        *storages, leaf = path.split("/")
        for part in storages:
            assert node.children is not None
            found = next((c for c in node.children if c.name == part), None)
            if found is None:
                found = _Entry(part, 1, children=[])
                node.children.append(found)
            node = found
        assert node.children is not None
        node.children.append(_Entry(leaf, 2, data))
    return root


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(first, first + count):
        fat[i] = i + 1 if i < first + count - 1 else _END


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file (512-byte sectors) holding ``streams`` ('VBA/dir' -> bytes)."""
    root = _tree(streams)
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.sid = len(entries)
        entries.append(entry)
        for child in sorted(entry.children or [], key=lambda c: _order(c.name)):
            number(child)

    number(root)
    mini, big = bytearray(), bytearray()
    minifat: list[int] = []
    for entry in entries:
        if entry.kind != 2 or not entry.data:
            continue
        if len(entry.data) < _MINI_CUTOFF:
            entry.start, count = len(minifat), -(-len(entry.data) // _MINI_SECTOR)
            minifat += [0] * count
            _chain(minifat, entry.start, count)
            mini += entry.data.ljust(count * _MINI_SECTOR, b"\x00")
        else:
            entry.start = len(big) // _SECTOR  # relative; shifted below
            big += entry.data.ljust(-(-len(entry.data) // _SECTOR) * _SECTOR, b"\x00")
    mini_bytes = bytes(mini).ljust(-(-len(mini) // _SECTOR) * _SECTOR, b"\x00")
    minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
    minifat_bytes = minifat_bytes.ljust(-(-len(minifat_bytes) // _SECTOR) * _SECTOR, b"\xff")
    directory_sectors = -(-len(entries) * 128 // _SECTOR)
    sectors = [len(mini_bytes) // _SECTOR, len(big) // _SECTOR, len(minifat_bytes) // _SECTOR, directory_sectors]
    data_sectors = sum(sectors)
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < data_sectors + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("VBA project too large for a header-only FAT")
    fat = [_FREE] * (fat_sectors * _SECTOR // 4)
    mini_start, big_start = 0, sectors[0]
    minifat_start, dir_start = big_start + sectors[1], big_start + sectors[1] + sectors[2]
    fat_start = dir_start + directory_sectors
    _chain(fat, mini_start, sectors[0])
    for entry in entries:
        if entry.kind == 2 and len(entry.data) >= _MINI_CUTOFF:
            entry.start += big_start
            _chain(fat, entry.start, -(-len(entry.data) // _SECTOR))
    _chain(fat, minifat_start, sectors[2])
    _chain(fat, dir_start, directory_sectors)
    for i in range(fat_start, fat_start + fat_sectors):
        fat[i] = _FAT_SECTOR
    root.start, root.data = (mini_start if mini else _END), bytes(mini)

    # each storage's children: one chain of right siblings, in order (as in xlwings' template)
    right: dict[int, int] = {}
    child: dict[int, int] = {}
    for entry in entries:
        siblings = sorted(entry.children or [], key=lambda c: _order(c.name))
        if siblings:
            child[entry.sid] = siblings[0].sid
        right.update((a.sid, b.sid) for a, b in itertools.pairwise(siblings))
    directory = bytearray(b"".join(_directory_entry(e, child.get(e.sid, _NO_STREAM), right.get(e.sid, _NO_STREAM))
                                   for e in entries))
    directory += b"\x00" * (directory_sectors * _SECTOR - len(directory))
    for i in range(len(entries), directory_sectors * _SECTOR // 128):  # unused entries: no siblings, no child
        struct.pack_into("<III", directory, i * 128 + 68, _NO_STREAM, _NO_STREAM, _NO_STREAM)

    header = bytearray(_SECTOR)
    struct.pack_into("<8s16sHHHHH6sIIIIIIIII", header, 0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3,
                     0xFFFE, 9, 6, b"", 0, fat_sectors, dir_start, 0, _MINI_CUTOFF,
                     minifat_start if minifat else _END, sectors[2], _END, 0)
    difat = [fat_start + i for i in range(fat_sectors)] + [_FREE] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    return bytes(header) + mini_bytes + bytes(big) + minifat_bytes + bytes(directory) + fat_bytes


def _directory_entry(entry: _Entry, child: int, right: int) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    size = len(entry.data) if entry.kind in (2, 5) else 0
    start = entry.start if size else (_END if entry.kind == 2 else 0)
    return struct.pack("<64sHBBIII16sIQQIII", name, len(name), entry.kind, 1, _NO_STREAM, right, child, b"", 0,
                       0, 0, start, size, 0)
