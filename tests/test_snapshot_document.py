"""The snapshot as a document: the one-page Summary, print setup on every sheet, columns wide enough for their
values, progress while writing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from tco_xl.assumptions import default_assumptions
from tco_xl.engine import compare
from tco_xl.io import snapshot_summary
from tco_xl.io.snapshot import export_snapshot, provenance, results_sheet, snapshot_bytes, snapshot_data, table_rows
from tco_xl.io.xlsx import CHEAPEST, shown

A = default_assumptions()
MARCH_1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
AGENTS = [47, 100, 500]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> openpyxl.Workbook:
    data = snapshot_data(A, AGENTS, provenance(None), MARCH_1, analysis=True)
    path = export_snapshot(data, tmp_path_factory.mktemp("doc")).path
    return openpyxl.load_workbook(path)


def texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


# -- the Summary page -------------------------------------------------------------------------------------
def test_summary_opens_the_workbook_with_the_recommendation_read_off_the_engines_ranking(book):
    assert book.sheetnames[0] == "Summary" and book.active.title == "Summary"
    lines = texts(book["Summary"])
    ranked = compare(AGENTS, A)
    for n in AGENTS:
        block = ranked[ranked.agents == n]
        best, runner = block.iloc[0], block.iloc[1]
        gap = runner.tco - best.tco
        sentence = (f"{best['name']}: lowest 5-year TCO at {n} agents, ${best.tco:,.2f}; ${gap:,.2f} "
                    f"({gap / runner.tco:.1%}) below {runner['name']}, the next cheapest.")
        assert sentence in lines
    assert any(t.startswith("Cheapest over 1 to 500 agents: ") for t in lines)
    uncertainty = [t for t in lines if t.startswith("Uncertainty at 47 agents (100,000 draws of ")]
    assert len(uncertainty) == 1 and "uncertain inputs)" in uncertainty[0]


def test_summary_table_shows_year_1_annual_and_tco_per_headcount_with_the_cheapest_marked(book):
    ws = book["Summary"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Scenario")
    assert [c.value for c in header[1::3]] == [f"{n} agents" for n in AGENTS]
    metrics = next(ws.iter_rows(min_row=header[0].row + 1, max_row=header[0].row + 1))
    assert [c.value for c in metrics[1:4]] == ["Year 1", "Annual (years 2..5)", "5-year TCO"]
    engine = compare(AGENTS, A).set_index(["agents", "name"])
    rows = {r[0].value: r for r in ws.iter_rows(min_row=header[0].row + 2, max_row=header[0].row + 1 + len(A.stacks))}
    assert set(rows) == {s.name for s in A.stacks}
    for name, row in rows.items():
        for i, n in enumerate(AGENTS):
            point = engine.loc[(n, name)]
            year1, annual, tco = (c.value for c in row[1 + 3 * i:4 + 3 * i])
            assert (year1, annual, tco) == pytest.approx((point.year1, point.annual, point.tco), abs=1e-6)
            marked = row[3 + 3 * i].fill.fgColor.rgb == CHEAPEST[1].fgColor.rgb
            assert marked == bool(point.cheapest), (name, n)
    # Hybrid at 47 agents (hand-checked): one-time 2 × $11,999 + $500 = $24,498; annual 12 × $6,554.86 = $78,658.33
    hybrid = rows["Hybrid (Mac Studios + Hetzner)"]
    assert round(hybrid[1].value, 2) == 103_156.33 and round(hybrid[2].value, 2) == 78_658.33


def test_summary_lists_the_key_assumptions_with_values_ranges_and_sources(book):
    ws = book["Summary"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Assumption")
    rows = [r for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value]
    assert 1 <= len(rows) <= snapshot_summary.KEY_ASSUMPTIONS
    calls = next(r for r in rows if "usage.calls_per_agent_per_day" in r[0].value)
    # 40 calls/agent/day, the usage band ±25% → 30–50, its source the report's usage table and the band's note
    assert (calls[1].value, calls[2].value, calls[3].value) == (40, "calls/agent/day", "30–50")
    assert calls[4].value.startswith("Report §Twilio") and "not from the report" in calls[4].value


def test_summary_takes_one_more_sentence_from_a_function_appended_to_its_list(monkeypatch, tmp_path):
    def llm_basis(d):
        return [f"The recommendation at {d.summary_agents[0]} agents assumes self-hosted LLM inference."]

    monkeypatch.setattr(snapshot_summary, "SUMMARY_SENTENCES", [*snapshot_summary.SUMMARY_SENTENCES, llm_basis])
    path = export_snapshot(snapshot_data(A, [47], provenance(None), MARCH_1, analysis=False), tmp_path).path
    lines = texts(openpyxl.load_workbook(path)["Summary"])
    assert "The recommendation at 47 agents assumes self-hosted LLM inference." in lines
    assert lines.index("Recommendation") < lines.index(
        "The recommendation at 47 agents assumes self-hosted LLM inference.") < lines.index("Scenario")


def test_a_long_list_of_headcounts_shows_four_on_the_summary_and_says_so(tmp_path):
    path = export_snapshot(snapshot_data(A, range(10, 101, 10), provenance(None), MARCH_1, analysis=False),
                           tmp_path).path
    ws = openpyxl.load_workbook(path)["Summary"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Scenario")
    assert [c.value for c in header[1::3] if c.value] == ["10 agents", "40 agents", "70 agents", "100 agents"]
    assert any("This page shows 4 of 10 headcounts." in t for t in texts(ws))


# -- print setup, widths ------------------------------------------------------------------------------------
def test_every_visible_sheet_prints_on_a4_fitted_to_the_page_width(book):
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (str(ws.page_setup.paperSize), ws.page_setup.fitToWidth) == (ws.PAPERSIZE_A4, 1), ws.title  # A4 = 9
        assert ws.page_setup.orientation == ("portrait" if ws.title == "Metadata" else "landscape"), ws.title
        assert "&A" in ws.oddFooter.center.text and "&P" in ws.oddFooter.center.text
    assert book["Summary"].page_setup.fitToHeight == 1  # the Summary is one page
    for title in ("Results", "Breakdown", "Capacity", "Break-even", "Sensitivity", "Uncertainty"):
        assert book[title].print_title_rows == "$1:$1", title  # header row repeated on every page
    assert len(book["Sensitivity"].row_breaks.brk) == len(AGENTS) - 1  # each tornado with its table, whole


def test_every_number_fits_its_column_so_no_cell_shows_hashes(book):
    for ws in book.worksheets:
        merged = {c for rng in ws.merged_cells.ranges for row in ws[rng.coord] for c in row}
        widths = {}
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and c not in merged:
                    if c.column_letter not in widths:
                        widths[c.column_letter] = ws.column_dimensions[c.column_letter].width
                    fmt = None if c.number_format == "General" else c.number_format
                    # a spreadsheet shows ### when the formatted number is wider than the column
                    assert len(shown(c.value, fmt)) < widths[c.column_letter], (ws.title, c.coordinate, c.value)


def test_the_largest_headcount_sets_the_widths_even_after_500_rows(tmp_path):
    # 1..60 agents × 12 scenarios: the Results rows of 60 agents come after row 700, and carry the largest figures
    wb = openpyxl.Workbook(write_only=True)
    results_sheet(wb.create_sheet("Results"), snapshot_data(A, range(1, 61), provenance(None), MARCH_1, analysis=False))
    wb.save(tmp_path / "results.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "results.xlsx")["Results"]
    last = max(ws.iter_rows(min_row=2, values_only=True), key=lambda r: r[0])
    column = [c.value for c in ws[1]].index("5-year TCO (USD)")
    widest = max(len(shown(r[column], '"$"#,##0.00')) for r in ws.iter_rows(min_row=2, values_only=True))
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(column + 1)].width > widest
    assert last[0] == 60


def test_progress_counts_the_rows_of_the_long_sheets_up_to_their_total():
    data = snapshot_data(A, range(1, 13), provenance(None), MARCH_1, analysis=False)
    calls = []
    snapshot_bytes(data, lambda done, total: calls.append((done, total)))
    total = table_rows(data)
    # Results and Capacity: 12 rows per headcount each; Breakdown: one row per line item of every scenario
    items = sum(len(r.components) for r in data.results.values())
    assert total == 12 * (2 * 12 + items)
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_a_snapshot_is_recognised_as_one_and_a_workbook_is_not(tmp_path):
    from tco_xl.io.layout import DEFAULT_WORKBOOK
    from tco_xl.io.snapshot import snapshot_metadata
    path = export_snapshot(snapshot_data(A, [47], provenance(None), MARCH_1, analysis=False), tmp_path).path
    assert snapshot_metadata(path)["assumptions_source"] == "bundled defaults (= workbook/TCO.xlsm)"
    if DEFAULT_WORKBOOK.is_file():
        assert snapshot_metadata(DEFAULT_WORKBOOK) is None
    (tmp_path / "junk.xlsx").write_text("not a zip")
    assert snapshot_metadata(tmp_path / "junk.xlsx") is None
    assert snapshot_metadata(Path(tmp_path / "missing.xlsx")) is None
