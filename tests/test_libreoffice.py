"""Tests for tco_xl.io.libreoffice: recalculation with LibreOffice headless."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tco_xl.io.libreoffice import (
    NOT_INSTALLED,
    LibreOfficeError,
    recalculate,
    recalculated_values,
)


def make_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Calc"
    sheet["A1"], sheet["B1"], sheet["C1"] = 21, "=A1*2", "=ROUND(1.005,2)"
    for row, value in enumerate((1.5, 2.5, 3), start=2):
        sheet.cell(row=row, column=1, value=value)
    sheet["A5"] = "=SUM(A2:A4)"
    workbook.create_sheet("Other")["A1"] = "=Calc!B1+1"
    workbook.save(path)
    return path


def make_stale_workbook(path: Path) -> Path:
    """A workbook whose B1 = A1*2 carries the stale cached value 999 (A1 is 21)."""
    fresh = path.with_name("fresh-" + path.name)
    workbook = openpyxl.Workbook()
    workbook.active["A1"], workbook.active["B1"] = 21, "=A1*2"
    workbook.save(fresh)
    with zipfile.ZipFile(fresh) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml, n = re.subn(
                    r'<c r="B1"[^>]*>.*?</c>', '<c r="B1"><f>A1*2</f><v>999</v></c>', data.decode()
                )
                assert n == 1, xml
                data = xml.encode()
            out.writestr(item, data)
    fresh.unlink()
    return path


@pytest.mark.libreoffice
def test_formulas_are_calculated(tmp_path: Path, soffice: str) -> None:
    values = recalculated_values(make_workbook(tmp_path / "book.xlsx"), soffice=soffice)

    assert list(values) == ["Calc", "Other"]
    assert values["Calc"][0] == [21, 42, 1.01]  # ROUND like Excel: 1.01, not Python's 1.0
    assert values["Calc"][4][0] == 7
    assert values["Other"] == [[43]]


@pytest.mark.libreoffice
def test_stale_cached_values_are_recalculated(tmp_path: Path, soffice: str) -> None:
    stale = make_stale_workbook(tmp_path / "stale.xlsx")
    assert openpyxl.load_workbook(stale, data_only=True).active["B1"].value == 999

    assert recalculated_values(stale, soffice=soffice)["Sheet"][0] == [21, 42]


@pytest.mark.libreoffice
def test_many_files_in_one_call(tmp_path: Path, soffice: str) -> None:
    sources = [make_workbook(tmp_path / f"book{i}.xlsx") for i in range(3)]
    outdir = tmp_path / "out"

    outputs = recalculate(sources, outdir, soffice=soffice)

    assert outputs == [outdir / f"book{i}.xlsx" for i in range(3)]
    assert sorted(p.name for p in outdir.iterdir()) == [p.name for p in outputs]
    for output in outputs:
        assert openpyxl.load_workbook(output, data_only=True)["Calc"]["B1"].value == 42


@pytest.mark.libreoffice
def test_unreadable_input_is_named(tmp_path: Path, soffice: str) -> None:
    good = make_workbook(tmp_path / "good.xlsx")
    corrupt = tmp_path / "corrupt.xlsx"
    corrupt.write_text("this is not a spreadsheet\n")
    outdir = tmp_path / "out"

    with pytest.raises(LibreOfficeError, match=r"1 of 2 file\(s\).*corrupt\.xlsx") as info:
        recalculate([good, corrupt], outdir, soffice=soffice)

    assert "good.xlsx" not in str(info.value).splitlines()[0]
    assert list(outdir.iterdir()) == []  # all or nothing


@pytest.mark.libreoffice
def test_timeout(tmp_path: Path, soffice: str) -> None:
    with pytest.raises(LibreOfficeError, match="within 0.01 s"):
        recalculate(
            [make_workbook(tmp_path / "book.xlsx")], tmp_path / "out", soffice=soffice, timeout=0.01
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(LibreOfficeError, match="not found: .*nowhere\\.xlsx"):
        recalculate([tmp_path / "nowhere.xlsx"], tmp_path)


def test_outputs_must_not_clash(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ValueError, match=r"distinct file names, got \['x.xlsx'\]"):
        recalculate([tmp_path / "a" / "x.xlsx", tmp_path / "b" / "x.xlsx"], tmp_path)


def test_soffice_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    book = make_workbook(tmp_path / "book.xlsx")
    with pytest.raises(LibreOfficeError) as info:
        recalculate([book], tmp_path / "out")
    assert str(info.value) == NOT_INSTALLED


def test_nothing_to_do(tmp_path: Path) -> None:
    assert recalculate([], tmp_path / "out") == []
    assert not (tmp_path / "out").exists()
