"""The snapshot printed: LibreOffice headless renders it to PDF (what `tco-xl export --pdf` writes) and poppler's
pdftotext reads the pages back: the Summary is one page, the default snapshot at most 25, no cell shows ###."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tco_xl.assumptions import default_assumptions
from tco_xl.cli import app
from tco_xl.engine import compare
from tco_xl.io.libreoffice import to_pdf
from tco_xl.io.snapshot import export_snapshot, provenance, snapshot_data

pytestmark = pytest.mark.libreoffice

A = default_assumptions()
MARCH_1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MAX_PAGES = 25


@pytest.fixture(scope="module")
def pages(soffice, pdftotext, tmp_path_factory) -> list[str]:
    """The text of each page of the default snapshot's PDF (47, 100 and 500 agents, analysis sheets on)."""
    data = snapshot_data(A, [47, 100, 500], provenance(None), MARCH_1)
    pdf = to_pdf(export_snapshot(data, tmp_path_factory.mktemp("pdf")).path, soffice=soffice)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    split = text.split("\f")[:count]
    assert len(split) == count
    return split


def sheet_of(page: str) -> str:
    """The sheet a page belongs to, from its footer '<sheet> — page n of m' (chart labels may follow 'page n')."""
    found = re.findall(r"([\w-]+) — page \d+", page)
    assert found, page[-300:]
    return found[-1]


def test_the_default_snapshot_prints_on_at_most_25_pages(pages):
    assert len(pages) <= MAX_PAGES
    sheets = [sheet_of(p) for p in pages]
    assert sheets[0] == "Summary" and "Metadata" in sheets
    assert "Assumption cells" not in sheets  # the diff's copy of the assumptions is hidden, not printed


def test_the_summary_is_exactly_one_page_and_holds_the_recommendation(pages):
    summary = [p for p in pages if sheet_of(p) == "Summary"]
    assert len(summary) == 1
    text = re.sub(r"\s+", " ", summary[0])
    best = compare([47], A).iloc[0]
    assert f"{best['name']}: lowest 5-year TCO at 47 agents, ${best.tco:,.2f}" in text
    for heading in ("Recommendation", "Key assumptions", "500 agents", "5-year TCO"):
        assert heading in text


def test_no_cell_prints_as_hashes(pages):
    assert not any("###" in p for p in pages)


def test_cli_export_pdf_writes_the_pdf_beside_the_snapshot(soffice, tmp_path):
    result = CliRunner().invoke(app, ["export", "-a", "47", "--no-analysis", "--pdf", "--out", str(tmp_path),
                                      "--created", "2026-03-01T09:00:00Z"])
    assert result.exit_code == 0, result.output
    xlsx, pdf = (Path(line) for line in result.stdout.split())
    assert xlsx.suffix == ".xlsx" and pdf == xlsx.with_suffix(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cli_export_pdf_without_libreoffice_says_so_and_writes_nothing(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = CliRunner().invoke(app, ["export", "--pdf", "--out", str(tmp_path / "out")], env={"PATH": str(empty)})
    assert result.exit_code == 1
    assert "LibreOffice (soffice) is not installed" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
