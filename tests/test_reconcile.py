"""The reconciliation reads every figure of the report, maps each to the engine, and explains each difference."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tco_xl import default_assumptions
from tco_xl.cli import app
from tco_xl.errors import TcoError
from tco_xl.reconcile import DIFFERS, NOT_COMPARABLE, SAME, UNMAPPED, Report, markdown, reconciliation
from tco_xl.reconcile.expressions import evaluate
from tco_xl.reconcile.mapping import default_mapping
from tco_xl.reconcile.rows import Reconciliation

ROOT = Path(__file__).resolve().parents[1]
REPORT_PATH = ROOT / "docs" / "seed-report.md"
REPORT = Report.read(REPORT_PATH)
REC = reconciliation(report=REPORT_PATH)


def _row(line: int, text: str, column: str = ""):
    found = [r for r in REC.rows if r.figure.line == line and r.figure.text == text
             and (not column or r.figure.column == column)]
    assert len(found) == 1, (line, text, column, found)
    return found[0]


# -- the report, parsed ---------------------------------------------------------------------------

def test_every_table_is_read_with_its_rows():
    # 39 tables: the report's markdown has 39 header separator lines ('|---...|')
    separators = [line for line in REPORT.lines if re.fullmatch(r"\|(-+\|)+", line.replace(" ", ""))]
    assert len(REPORT.tables) == len(separators) == 39
    twilio = REPORT.table(7)  # report lines 173-180: Inbound, Outbound, numbers, SMS, recordings, Total
    assert twilio.header == ("Item", "Rate", "Monthly Usage", "Monthly Cost")
    assert [r[0] for r in twilio.rows] == ["Inbound calls", "Outbound calls", "Phone numbers", "SMS (outbound)",
                                           "Recording storage", "Total"]
    assert len(REPORT.table(9).rows) == 10  # lines 251-260: nine categories and TOTAL
    assert len(REPORT.table(29).rows) == 6  # lines 860-865: no Email/Backups row, unlike lines 844 (T28)
    per_section = Counter(t.section for t in REPORT.tables)
    assert per_section["SCENARIO 2: Cloud-Hosted (Best Options)"] == 9  # one table per provider


def test_figures_are_read_as_the_report_writes_them():
    by = {(f.line, f.row, f.column, f.index): f for f in REPORT.figures}
    assert by[(175, "Inbound calls", "Monthly Cost", 1)].value == 2150.72  # '| Inbound calls | ... | $2,150.72 |'
    assert by[(178, "SMS (outbound)", "Rate", 1)].value == 0.0079          # '$0.0079/msg'
    assert by[(229, "", "", 4)].value == 9.4e6                              # '= 9.4M tokens/month'
    assert by[(97, "", "", 2)].value == (53, 64)                            # '(~$53-64 USD)'
    assert by[(97, "", "", 1)].currency == "EUR"                            # '~€50-60/month'
    assert by[(1149, "", "", 1)].value == (500, 2000)                       # '$500-2K/month'
    assert by[(317, "", "", 2)].value == 0.33 and by[(317, "", "", 2)].kind == "percent"  # '(~33% savings)'
    assert by[(841, "Hetzner (2× servers)", "(label)", 1)].value == 2       # a count inside a row label
    assert by[(1239, "", "", 1)].value == 30_000                            # 'saves $30K+ vs AWS'


def test_every_digit_and_currency_sign_is_a_figure_or_a_named_non_figure():
    spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for f in REPORT.figures:
        spans.setdefault((f.line, f.context), []).append((f.start, f.start + len(f.text)))
    for n in REPORT.not_figures:
        spans.setdefault((n.line, n.context), []).append((n.start, n.start + len(n.text)))
    uncovered = [(t.line, t.text, i) for t in REPORT.texts for i, ch in enumerate(t.text)
                 if (ch.isdigit() or ch in "$€%")
                 and not any(a <= i < b for a, b in spans.get((t.line, t.text), []))]
    assert uncovered == []
    # and no line of the file is skipped: its digits are those of its texts (+ an ordered-list number)
    digits = Counter()
    for t in REPORT.texts:
        digits[t.line] += sum(c.isdigit() for c in t.text)
    for m in REPORT.markers:
        digits[m.line] += sum(c.isdigit() for c in m.text)
    assert all(sum(c.isdigit() for c in line) == digits[i] for i, line in enumerate(REPORT.lines, 1))


def test_not_figures_are_names_labels_and_dates():
    kinds = Counter(n.why for n in REPORT.not_figures)
    assert kinds["date"] == 2  # 'February 24, 2026' on lines 4 and 1243
    names = {n.text for n in REPORT.not_figures if n.why == "product name"}
    assert {"AX162-S", "GPT-4o", "c7i.2xlarge", "M3", "Claude 3.5"} <= names


# -- every figure, reconciled ---------------------------------------------------------------------

def test_every_figure_is_listed_and_none_is_left_unmapped():
    assert len(REC.rows) == len(REPORT.figures) > 1000
    assert [r.figure for r in REC.rows if r.status == UNMAPPED] == []


def test_a_figure_added_to_the_report_fails_the_reconciliation(tmp_path):
    text = REPORT_PATH.read_text(encoding="utf-8") + "\n**Negotiated rebate:** $1,234/year\n"
    rec = Reconciliation(Report(text), default_assumptions(), default_mapping())
    left = [r.figure for r in rec.rows if r.status == UNMAPPED]
    assert [(f.text, f.context) for f in left] == [("$1,234", "Negotiated rebate: $1,234/year")]


def test_every_difference_has_a_reason_and_every_non_comparable_says_why():
    assert all(r.why for r in REC.rows if r.status in (DIFFERS, NOT_COMPARABLE))


def test_what_the_engine_reproduces():
    # USD-priced clouds to the cent (AWS line 347: $5,672.62 and $68,071.44)
    assert _row(347, "$5,672.62").status == SAME and _row(347, "$68,071.44").status == SAME
    assert _row(180, "$4,578.38").status == SAME  # Twilio total, 47 agents
    assert _row(78, "20", "Total Units").status == SAME  # 500 agents -> 20 Mac Studios


def test_hybrid_total_is_decomposed_with_computed_numbers():
    row = _row(794, "$103,162")  # T26 TOTAL Year 1
    # Cloud (Hetzner): 12 × (€221 + €165 + €3.81) × 1.068 + 12 × $255 = $8,055.80496 vs the report's $8,052
    # Twilio + Ancillary: 12 × ($4,578.38 + $1 SES + $5.25 Backblaze) = $55,015.56 vs $55,025
    assert row.status == DIFFERS and row.engine == pytest.approx(103_156.3282, abs=1e-3)
    assert "Cloud (Hetzner) +$3.80" in row.why and "Twilio + Ancillary −$9.44" in row.why
    twilio = _row(791, "$55,025", "Year 1")
    # Backblaze 12 × $5.25 = $63 vs the report's 12 × $6 = $72; $55,024.56 (T24) rounded to $55,025: −$0.44
    assert "(−$9.00)" in twilio.why and "(−$0.44)" in twilio.why
    # with the Mac Studios row's power, 12 × 53.9136 = $646.96 in the report's $647 (−$0.04): −$0.48 of rounding
    assert "−$0.48 in all" in twilio.why


def test_hybrid_mac_studio_lines_at_100_and_500_are_located():
    y1 = _row(840, "$52,082")  # T28: Year 1 $52,082, annual $4,174
    # 52,082 − 4,174 = 47,908 of hardware, where 4 × $11,999 = $47,996 (−$88)
    assert "$47,908" in y1.why and "$47,996" in y1.why and "−$88" in y1.why
    annual = _row(860, "$20,772")  # T29: $20,772 / 20 units = $1,038.60 per unit; 47-agent table $2,087 / 2
    assert "$1,038.60 per unit" in annual.why and "$1,043.50 per unit" in annual.why
    total = _row(865, "$896,417")  # T29 has no Email/Backups row and no Setup row
    assert "engine lines with no row in this table: Amazon SES" in total.why and "Setup (one-time) $500.00" in total.why


def test_reason_numbers_move_with_the_assumptions():
    a = default_assumptions()
    moved = reconciliation(a.with_values({"finance.eur_usd": 1.10}), REPORT_PATH)
    row = next(r for r in moved.rows if r.figure.line == 794 and r.figure.text == "$103,162")
    # 12 × 389.81 × 1.10 + 3,060 = 8,205.492 → +$153.49 against the report's $8,052
    assert "Cloud (Hetzner) +$153.49" in row.why
    cheaper = reconciliation(a.with_values({"telephony.outbound_usd_per_min": 0.012}), REPORT_PATH)
    twilio = next(r for r in cheaper.rows if r.figure.line == 274 and r.figure.column == "Year 1")
    # 352,000 outbound min × $0.012 at 100 agents: 12 × (9,152 + 8,448 + 100 + 84.04 + 53.19) = $214,046.81... the
    # reason prints the engine's Twilio per year and the rate it used
    assert "$0.013/$0.012" in twilio.why and f"{twilio.engine:,.2f}" in twilio.why


def test_no_number_is_typed_into_a_reason():
    """Outside {computed fields}, a reason or note may only cite where something is (line 229, lines 198-199, T32),
    a product name (GPT-4o, AX162-S), 'Year 1', the 12 months of a year, and '$0 per token'."""
    data = tomllib.loads((ROOT / "tco_xl/reconcile/mapping.toml").read_text(encoding="utf-8"))
    texts = list(data["templates"].values())
    for t in data["table"].values():
        texts += list(t.get("why", {}).values()) + [v for v in (*t.get("rows", {}).values(),
                                                                *t.get("columns", {}).values(),
                                                                *t.get("cells", {}).values()) if v.startswith("na:")]
    for c in data["claim"]:
        texts += list(c.get("why", {}).values()) + [v for v in c["values"] if v.startswith("na:")]
    from tco_xl.reconcile.document import HOW_TO_READ
    texts += list(HOW_TO_READ)
    typed = []
    for text in (t for t in texts if not t.startswith("@")):  # '@name' names a template, checked above
        outside = re.sub(r"\{[^{}]*\}", "", text)
        outside = re.sub(r"\blines? \d+(-\d+)?|\bT\d+(-T\d+)?|\(line \d+\)", "", outside)  # where
        outside = re.sub(r"\b(GPT-4o?|AX162-S|AX102|EC2|D1)\b|\bYear 1\b|(\bby|/|×) 12\b|\b12 ×|\$0 per token", "", outside)
        typed += [(text, m.group(0)) for m in re.finditer(r"\d", outside)]
    assert typed == []


def test_expressions_allow_arithmetic_names_and_calls_only():
    names = {"f": lambda x: x * 2, "usage": default_assumptions().usage}
    assert evaluate("f(3) + usage.minutes_per_call / 4", names) == 8
    for bad in ("__import__('os')", "usage.__class__", "(lambda: 1)()", "[1][0]", "f(**{'x': 1})", "nope"):
        with pytest.raises(TcoError, match="reconciliation expression"):
            evaluate(bad, names)


# -- the document and the command -------------------------------------------------------------------

def test_committed_document_is_up_to_date():
    assert (ROOT / "docs/seed-reconciliation.md").read_text(encoding="utf-8") == markdown(report=REPORT_PATH)


def test_document_counts_per_section_add_up():
    text = markdown(report=REPORT_PATH)
    total = re.search(r"\| \*\*Total\*\* \| \*\*([\d,]+)\*\* \| \*\*([\d,]+)\*\* \| \*\*([\d,]+)\*\* \| "
                      r"\*\*([\d,]+)\*\* \|", text)
    assert total is not None
    n, same, differ, na = (int(g.replace(",", "")) for g in total.groups())
    statuses = Counter(r.status for r in REC.rows)
    assert (n, same, differ, na) == (len(REC.rows), statuses[SAME], statuses[DIFFERS], statuses[NOT_COMPARABLE])
    assert "../shared" not in text and "seed-report.md" in text


def test_no_path_outside_the_repository():
    for path in [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("tco_xl/**/*.py"),
                 *ROOT.glob("tco_xl/**/*.toml")]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path


def test_cli_check_fails_on_a_stale_document(tmp_path):
    stale = tmp_path / "rec.md"
    stale.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["reconcile", "--out", str(stale), "--check", "--report", str(REPORT_PATH)])
    assert result.exit_code == 1
    assert "is not up to date" in result.output
    assert stale.read_text(encoding="utf-8") == "old\n"
    assert CliRunner().invoke(app, ["reconcile", "--out", str(stale), "--report", str(REPORT_PATH)]).exit_code == 0
    assert CliRunner().invoke(app, ["reconcile", "--out", str(stale), "--check",
                                    "--report", str(REPORT_PATH)]).exit_code == 0


def test_cli_names_a_missing_report(tmp_path):
    result = CliRunner().invoke(app, ["reconcile", "--out", str(tmp_path / "r.md"),
                                      "--report", str(tmp_path / "none.md")])
    assert result.exit_code == 1 and "seed report not found" in result.output
    assert not (tmp_path / "r.md").exists()
