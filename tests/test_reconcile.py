"""The reconciliation reproduces what the report computes correctly and explains the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tco_xl.cli import app
from tco_xl.reconcile import markdown, reconciliation

ROOT = Path(__file__).resolve().parents[1]
ROWS = {(f.section, f.label): (f, v) for f, v in reconciliation()}


@pytest.mark.parametrize("provider", ["AWS", "GCP", "Azure", "Vultr", "DigitalOcean", "Cloudflare", "Fly.io"])
def test_usd_priced_cloud_providers_are_reproduced_to_the_cent(provider):
    rows = [(f, v) for (sec, _), (f, v) in ROWS.items() if sec == f"Scenario 2: {provider} (47 agents)"]
    assert len(rows) == 4
    assert all(f.status(v) == "=" for f, v in rows), [(f.label, f.stated, v) for f, v in rows]


def test_eur_priced_providers_differ_only_by_the_reports_rounding_and_say_so():
    f, v = ROWS[("Scenario 2: Hetzner (47 agents)", "TOTAL incl. Twilio (monthly)")]
    # report: $236 × 3 + $176 + $4 + $55 + $4,578.38 = $5,521.38; engine converts €221/€165/€3.81 at 1.068:
    # 708.084 + 176.22 + 4.06908 + 55 + 4,578.38 = 5,521.75308
    assert v == pytest.approx(5521.75308) and f.status(v) == "≠" and "1.068" in f.why


def test_every_difference_has_a_reason():
    assert all(f.why for f, v in ROWS.values() if f.status(v) == "≠")


def test_twilio_and_token_arithmetic():
    f, v = ROWS[("Scenario 1: self-hosted (47 agents)", "Twilio monthly")]
    assert f.status(v) == "=" and v == pytest.approx(4578.38)
    f, v = ROWS[("Scenario 1: self-hosted (47 agents)", "LLM tokens/month (47 agents)")]
    assert v == 47 * 100 * 2000 * 22 and f.status(v) == "≠"  # the report's 9.4M is per day


def test_committed_document_is_up_to_date():
    assert (ROOT / "docs/seed-reconciliation.md").read_text(encoding="utf-8") == markdown()


def test_cli_check_fails_on_a_stale_document(tmp_path):
    stale = tmp_path / "rec.md"
    stale.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["reconcile", "--out", str(stale), "--check"])
    assert result.exit_code == 1
    assert "is not up to date" in result.output
    assert stale.read_text(encoding="utf-8") == "old\n"
    assert CliRunner().invoke(app, ["reconcile", "--out", str(stale)]).exit_code == 0
    assert CliRunner().invoke(app, ["reconcile", "--out", str(stale), "--check"]).exit_code == 0
