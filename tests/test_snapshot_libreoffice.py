"""Snapshots opened in a real spreadsheet application (LibreOffice headless) hold the engine's numbers.

Every export of this module, plus every snapshot in $TCO_SNAPSHOT_DIR (where .ci/run exports one from
workbook/TCO.xlsm), goes through ONE LibreOffice conversion; the values LibreOffice saves are read back
with openpyxl and compared to the engine's, to the cent. A snapshot LibreOffice cannot open fails.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.engine import compare, evaluate
from tco_xl.io.layout import DEFAULT_WORKBOOK
from tco_xl.io.libreoffice import recalculate
from tco_xl.io.snapshot import (
    ASSUMPTION_CELLS, RESULTS, export_snapshot, provenance, snapshot_data, summary_headers,
)

pytestmark = pytest.mark.libreoffice

A = default_assumptions()
CENT = 0.005
HYPERLINK = '=HYPERLINK("http://example.com","click")'
MARCH_1 = datetime(2026, 3, 1, 9, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Case:
    """A snapshot, the same file as LibreOffice saved it, and the assumptions and headcounts it was made from."""

    original: Path
    reopened: Path
    a: Assumptions
    agents: list[int]


def workbook_assumptions() -> list[Assumptions]:
    if not DEFAULT_WORKBOOK.is_file():
        return []
    from tco_xl.io.workbook import load_assumptions
    return [load_assumptions(DEFAULT_WORKBOOK)]


def metadata(path: Path) -> dict:
    wb = openpyxl.load_workbook(path, read_only=True)
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(min_row=2, values_only=True)}
    wb.close()
    return meta


def ci_snapshots(folder: Path) -> list[tuple[Path, Assumptions, list[int]]]:
    """Snapshots .ci/run exported into $TCO_SNAPSHOT_DIR, each with the assumptions whose SHA-256 it records."""
    source = os.environ.get("TCO_SNAPSHOT_DIR")
    if not source:
        return []
    known = {a.content_hash(): a for a in [A, *workbook_assumptions()]}
    found = []
    for path in sorted(Path(source).glob("*.xlsx")):
        sha = metadata(path)["assumptions_sha256"]
        assert sha in known, f"{path.name}: assumptions {sha[:8]} are neither the defaults nor workbook/TCO.xlsm"
        copy = folder / f"ci-{path.name}"
        shutil.copyfile(path, copy)
        agents = sorted({r["Agents"] for r in records(copy, RESULTS)})
        found.append((copy, known[sha], agents))
    return found


@pytest.fixture(scope="module")
def cases(soffice, tmp_path_factory) -> list[Case]:
    folder, outdir = tmp_path_factory.mktemp("exports"), tmp_path_factory.mktemp("libreoffice")
    odd_name = A.model_copy(update={"stacks": [A.stacks[0].model_copy(update={"name": HYPERLINK}), *A.stacks[1:]]})
    made = [(A, [47, 100, 500], True, None), (odd_name, [1, 250, 1000, 10_000], False, None)]
    made += [(a, [47, 100, 500], False, DEFAULT_WORKBOOK) for a in workbook_assumptions()]
    exports = []
    for i, (a, agents, analysis, book) in enumerate(made):
        path = export_snapshot(snapshot_data(a, agents, provenance(book), MARCH_1, analysis), folder / str(i)).path
        exports.append((path.rename(folder / f"{i}-{path.name}"), a, agents))  # distinct names for one conversion
    exports += ci_snapshots(folder)
    reopened = recalculate([path for path, _, _ in exports], outdir, soffice=soffice)  # one soffice start
    return [Case(path, out, a, agents) for (path, a, agents), out in zip(exports, reopened)]


def records(path: Path, sheet: str) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = wb[sheet].iter_rows(values_only=True)
    header = next(rows)
    out = [dict(zip(header, (*r, *(None,) * (len(header) - len(r))))) for r in rows if any(v is not None for v in r)]
    wb.close()
    return out


def test_libreoffice_opens_every_snapshot_with_all_its_sheets(cases):
    assert len(cases) >= 2
    for case in cases:
        before = openpyxl.load_workbook(case.original, read_only=True).sheetnames
        assert openpyxl.load_workbook(case.reopened, read_only=True).sheetnames == before


def test_summary_values_in_libreoffice_equal_the_engines_to_the_cent(cases):
    for case in cases:
        engine = compare(case.agents, case.a).set_index(["agents", "scenario"])
        headers = summary_headers(case.a.finance.horizon_years)
        rows = records(case.reopened, RESULTS)
        assert len(rows) == len(engine), case.original.name
        for row in rows:
            expected = engine.loc[(row["Agents"], row["Key"])]
            for metric in ("year1", "annual", "tco", "monthly", "one_time", "per_agent_month"):
                assert isinstance(row[headers[metric]], (int, float)), (case.original.name, metric)
                assert abs(row[headers[metric]] - expected[metric]) < CENT, (case.original.name, row["Key"], metric)
            assert bool(row["Cheapest"]) == bool(expected["cheapest"])


def test_breakdown_values_in_libreoffice_equal_the_components_to_the_cent(cases):
    for case in cases:
        results = evaluate(case.a, np.array(case.agents, dtype=float))
        expected = [(n, key, c.name, float(c.monthly), float(c.one_time))
                    for i, n in enumerate(case.agents) for key, r in results.items() for c in r.at(i).components]
        rows = records(case.reopened, "Breakdown")
        assert len(rows) == len(expected), case.original.name
        for row, (n, key, item, monthly, one_time) in zip(rows, expected):
            assert (row["Agents"], row["Key"], row["Item"]) == (n, key, item)
            assert abs(row["Monthly (USD/month)"] - monthly) < CENT and abs(row["One-time (USD)"] - one_time) < CENT


def test_assumption_values_survive_libreoffice_exactly(cases):
    for case in cases:
        before = {r["Key"]: r["Value"] for r in records(case.original, ASSUMPTION_CELLS)}
        after = {r["Key"]: r["Value"] for r in records(case.reopened, ASSUMPTION_CELLS)}
        assert after == before, case.original.name
        for key, value in case.a.scalars().items():
            assert after[key] == value


def test_text_that_looks_like_a_formula_stays_text_in_libreoffice(cases):
    case = next(c for c in cases if c.a.stacks[0].name == HYPERLINK)
    names = {r["Scenario"] for r in records(case.reopened, RESULTS)}
    assert HYPERLINK in names
    with zipfile.ZipFile(case.reopened) as z:
        summary = z.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[ >]", summary)  # no formula anywhere on the sheet


def test_charts_survive_libreoffice(cases):
    for case in cases:
        with zipfile.ZipFile(case.original) as z:
            made = sum(n.startswith("xl/charts/chart") for n in z.namelist())
        with zipfile.ZipFile(case.reopened) as z:
            kept = sum(n.startswith("xl/charts/chart") for n in z.namelist())
        assert made > 0 and kept == made, case.original.name
