"""The functions' wrappers are in TCO.xlsm's VBA project: no import step. Two independent readers confirm it:
oletools' olevba and LibreOffice (which imports a workbook's VBA modules as Basic) find the module
``xlwings_udfs`` holding exactly xlwings_udfs.bas, and every other module of xlwings' template as it was."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from tco_xl import udfs
from tco_xl.io.libreoffice import recalculate
from tco_xl.io.template import TEMPLATE, VBA_PROJECT
from tco_xl.io.vbaproject import add_module, compress, decompress

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools' use of pyparsing

MODULE = "xlwings_udfs"
CHANGED = {"VBA/dir", "PROJECT", "PROJECTwm", f"VBA/{MODULE}"}  # the streams that list or hold the new module


def modules(path: Path) -> dict[str, str]:
    """olevba's reading: module file name ('xlwings.bas') -> its code, line ends as \\n."""
    parser = VBA_Parser(str(path))
    try:
        return {name: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def streams(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z, olefile.OleFileIO(io.BytesIO(z.read(VBA_PROJECT))) as ole:
        return {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=9000),
                 st.lists(st.sampled_from([b"Function ", b"agents", b", ", b"Optional ", b"\r\n", b"x"]),
                          max_size=2000).map(b"".join)))
def test_compression_round_trips_and_olevba_reads_it(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data  # an independent decompressor


def test_olevba_finds_the_module_and_every_template_module_unchanged(built_workbook) -> None:
    template, built = modules(TEMPLATE), modules(built_workbook)
    assert set(built) == set(template) | {f"{MODULE}.bas"}
    assert {name: built[name] for name in template} == template
    bas = built_workbook.with_name("xlwings_udfs.bas").read_bytes().decode("cp1252").replace("\r\n", "\n")
    assert built[f"{MODULE}.bas"].rstrip("\n") == bas.rstrip("\n")
    assert all(f"Function {name}(" in bas for name in udfs.__all__ if name.isupper())


def test_every_other_stream_of_the_project_is_the_templates(built_workbook) -> None:
    template, built = streams(TEMPLATE), streams(built_workbook)
    assert set(built) == set(template) | {f"VBA/{MODULE}"}
    assert {k: v for k, v in built.items() if k not in CHANGED} == {k: v for k, v in template.items() if k not in CHANGED}
    assert built["PROJECT"].count(b"Module=") == template["PROJECT"].count(b"Module=") + 1
    assert built["VBA/_VBA_PROJECT"][:4] == b"\xcc\x61\xff\xff"  # source only: Excel compiles every module


@pytest.mark.libreoffice
def test_libreoffice_imports_the_module_and_the_templates_modules_unchanged(built_workbook, tmp_path, soffice) -> None:
    shutil.copyfile(TEMPLATE, template := tmp_path / "template.xlsm")
    shutil.copyfile(built_workbook, built := tmp_path / "built.xlsm")
    outs = recalculate([template, built], tmp_path / "ods", fmt="ods", soffice=soffice)

    def basic(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as z:
            return {n.rpartition("/")[2]: z.read(n) for n in z.namelist() if n.startswith("Basic/VBAProject/")
                    and n.endswith(".xml") and not n.endswith("script-lb.xml")}

    before, after = basic(outs[0]), basic(outs[1])
    assert set(after) == set(before) | {f"{MODULE}.xml"}
    assert {n: after[n] for n in before} == before
    code = after[f"{MODULE}.xml"].decode()
    assert all(f"Function {name}(" in code for name in udfs.__all__ if name.isupper())
    assert "Application.Volatile IsMissing(inputs)" in code


def test_a_module_is_added_once_and_only_to_a_source_only_project() -> None:
    with zipfile.ZipFile(TEMPLATE) as z:
        project = z.read(VBA_PROJECT)
    added = add_module(project, "m", 'Attribute VB_Name = "m"\nSub S()\nEnd Sub\n')
    assert add_module(project, "m", 'Attribute VB_Name = "m"\nSub S()\nEnd Sub\n') == added  # same bytes
    with pytest.raises(ValueError, match="already has a module 'm'"):
        add_module(added, "m", "")
