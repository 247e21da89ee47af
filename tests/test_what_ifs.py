"""What-ifs: the report's levers priced by hand, overrides checked like every cell, applied by every way in.

Expected savings are derived in the comments from the inputs (the report's at 47 agents, and non-default
assumptions and headcounts); a what-if's saving is the scenario's cost without it minus with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tco_xl import udfs
from tco_xl.analysis.levers import COMBINED, NO_CLAIM, grouped_levers, levers
from tco_xl.assumptions import Assumptions, WhatIf, default_assumptions
from tco_xl.cli import app
from tco_xl.engine import compare, evaluate, price
from tco_xl.errors import InputError, WorkbookError
from tco_xl.io.snapshot import provenance, snapshot_bytes, snapshot_data
from tco_xl.io.snapshot_summary import largest_levers
from tco_xl.io.layout import column_letter, table_sheet
from tco_xl.io.workbook import load_assumptions

A = default_assumptions()
runner = CliRunner()
REPORT = Path(__file__).resolve().parents[1] / "docs" / "seed-report.md"


def with_(a: Assumptions = A, what_ifs: list[WhatIf] | None = None, **groups: dict[str, Any]) -> Assumptions:
    """``a`` with scalar values changed per group ({'usage': {'calls_per_agent_per_day': 30}}) and, optionally,
    another What-ifs table: validated as the loader validates (what-ifs included)."""
    data = a.model_dump()
    for group, values in groups.items():
        data[group] = {**data[group], **values}
    if what_ifs is not None:
        data["what_ifs"] = [w.model_dump() for w in what_ifs]
    return Assumptions.model_validate(data)


def savings(a: Assumptions, agents: int, *names: str) -> dict[str, tuple[float, float]]:
    """Scenario key -> (Year 1 saving, N-year saving) of the what-ifs ``names`` applied together."""
    before = compare([agents], a).set_index("scenario")
    after = compare([agents], a, what_if=list(names)).set_index("scenario")
    return {k: (before.year1[k] - after.year1[k], before.tco[k] - after.tco[k]) for k in before.index}


# -- the report's levers, by hand ---------------------------------------------------------------------------
def test_sip_trunking_saves_the_rate_difference_on_every_minute_in_every_scenario():
    # 47 agents × 40 calls × 8 min × 22 days = 330,880 min/month, 50% in: 165,440 min in at $0.013 and 165,440 out
    # at $0.014, both at $0.008 on the trunk: 165,440 × 0.005 + 165,440 × 0.006 = 827.20 + 992.64 = $1,819.84/month
    # = $21,838.08 a year; 5-year TCO: 5 × 21,838.08 = $109,190.40
    found = savings(A, 47, "SIP trunking")
    assert len(found) == 12
    for year1, tco in found.values():
        assert (year1, tco) == (pytest.approx(21_838.08, abs=1e-6), pytest.approx(109_190.40, abs=1e-6))


def test_sip_trunking_at_non_default_rates_volumes_split_horizon_and_headcount():
    # A SIP rate of $0.007/min on Twilio rates of $0.02 in / $0.025 out; 250 agents × 30 calls × 6 min × 20 days =
    # 900,000 min, 70% in: 630,000 × (0.02 − 0.007) + 270,000 × (0.025 − 0.007) = 8,190 + 4,860 = $13,050/month =
    # $156,600 a year; over a 7-year horizon: 7 × 156,600 = $1,096,200
    sip = [WhatIf(what_if="SIP", assumption="telephony.inbound_usd_per_min", value=0.007),
           WhatIf(what_if="SIP", assumption="telephony.outbound_usd_per_min", value=0.007)]
    a = with_(what_ifs=sip, telephony={"inbound_usd_per_min": 0.02, "outbound_usd_per_min": 0.025},
              usage={"calls_per_agent_per_day": 30, "minutes_per_call": 6, "working_days_per_month": 20,
                     "inbound_share": 0.7}, finance={"horizon_years": 7})
    for year1, tco in savings(a, 250, "sip").values():  # (names match ignoring case)
        assert (year1, tco) == (pytest.approx(156_600, abs=1e-6), pytest.approx(1_096_200, abs=1e-6))


def test_the_twilio_discount_and_sip_trunking_priced_together_save_less_than_their_sum():
    # Minutes at 47 agents cost 165,440 × $0.013 + 165,440 × $0.014 = $4,466.88/month. The discount (5.88%) saves
    # 4,466.88 × 0.0588 = $262.652544/month; SIP trunking $1,819.84. Together the minutes cost 330,880 × $0.008 ×
    # (1 − 0.0588) = $2,491.394048: $1,975.485952/month saved, not 1,819.84 + 262.652544 = $2,082.492544
    # (the discount is worth 5.88% of a smaller bill). Year 1: 1,975.485952 × 12 = $23,705.831424; the separate
    # savings over 5 years: 2,082.492544 × 60 = $124,949.55264
    table = levers(A, [47], combine=["Twilio volume discount", "SIP trunking"])
    combined = table[table.kind == "combined"].set_index("scenario")
    assert combined.what_if.iloc[0] == COMBINED + "Twilio volume discount + SIP trunking"
    assert combined.year1_saving["hybrid"] == pytest.approx(23_705.831424, abs=1e-6)
    assert combined.separate_sum["hybrid"] == pytest.approx(124_949.55264, abs=1e-6)
    assert (combined.tco_saving < combined.separate_sum).all()
    # in sheet order or the other, the same: a discount on whatever rate carries the minutes
    assert savings(A, 47, "SIP trunking", "Twilio volume discount")["aws"][0] == pytest.approx(23_705.831424)


def test_reserved_instances_save_only_the_difference_from_the_reports_one_year_commitments():
    # AWS at 47 agents: max(3, ⌈47 / 25⌉) = 3 servers × $0.357/h × 730 h = $781.83/month on demand; the report's
    # reserved price takes 33.48938% off (~$520), the what-if 40%: 781.83 × (0.40 − 0.3348938) = $50.90198/month
    # = $610.8238 a year. GCP: 3 × $0.388 × 730 × (0.40 − 0.2938851) = $90.16795/month = $1,082.0154 a year.
    found = savings(A, 47, "Reserved instances")
    assert found["aws"][0] == pytest.approx(781.83 * (0.40 - 0.3348938) * 12, abs=1e-6)
    assert found["aws"][0] == pytest.approx(610.8238, abs=1e-3)
    assert found["gcp"][0] == pytest.approx(1_082.0154, abs=1e-3)
    assert {k for k, (y1, _) in found.items() if abs(y1) > 0.005} == {"aws", "gcp", "azure"}
    # 500 agents: ⌈500 / 25⌉ = 20 AWS servers × 0.357 × 730 × 0.0651062 = $339.35/month = $4,072.16 a year
    assert savings(A, 500, "Reserved instances")["aws"][0] == pytest.approx(4_072.1584, abs=1e-3)


def test_r2_instead_of_s3_takes_r2s_price_from_the_providers_sheet_and_drops_aws_egress():
    # 47 agents: 1,000 GB of recordings × ($0.023 − $0.015) + 1,000 GB egress × $0.09 = $8 + $90 = $98/month
    # = $1,176 a year (the report's "$90-900/month" is the egress alone at 1-10 TB)
    assert savings(A, 47, "Cloudflare R2 instead of S3")["aws"][0] == pytest.approx(1_176, abs=1e-9)
    # 94 agents, 5,000 GB stored and 8,000 GB egress at 47, R2 at $0.02/GB on the Providers sheet: twice that,
    # 10,000 GB × (0.023 − 0.02) + 16,000 GB × 0.09 = 30 + 1,440 = $1,470/month = $17,640 a year
    r2 = next(i for i, line in enumerate(A.providers) if line.line == "R2 storage")
    data = A.model_dump()
    data["providers"][r2]["unit_price"] = 0.02
    data["usage"] |= {"recordings_gb": 5_000, "egress_gb": 8_000}
    a = Assumptions.model_validate(data)
    found = savings(a, 94, "Cloudflare R2 instead of S3")
    assert found["aws"][0] == pytest.approx(17_640, abs=1e-9)
    assert all(abs(y1) < 1e-9 for k, (y1, _) in found.items() if k != "aws")


def test_datadog_switches_on_at_100_agents_and_costs_what_the_report_says_there():
    # 100 agents, AWS: ⌈100 / 25⌉ = 4 application + 1 database server = 5 monitored hosts × ($15 + $31) = $230/month
    # = $2,760 a year: the report's "Datadog: $2,760/year (5 hosts + APM)". Hybrid: 4 Mac Studios + 1 Hetzner
    # server + 1 database = 6 hosts × $46 = $276/month = $3,312 a year. At 99 agents nothing changes.
    at_100, at_99 = savings(A, 100, "Datadog at 100+ agents"), savings(A, 99, "Datadog at 100+ agents")
    assert at_100["aws"][0] == pytest.approx(-2_760) and at_100["hybrid"][0] == pytest.approx(-3_312)
    assert all(y1 == 0 for y1, _ in at_99.values())
    # From 60 agents instead: at 70, AWS runs max(3, ⌈70 / 25⌉) = 3 + 1 hosts × $46 = $184/month = $2,208 a year
    a = with_(capacity={"at_scale_agents": 60})
    assert savings(a, 70, "Datadog at 100+ agents")["aws"][0] == pytest.approx(-2_208)
    assert all(y1 == 0 for y1, _ in savings(a, 59, "Datadog at 100+ agents").values())


def test_the_datadog_switch_holds_on_a_grid_of_headcounts():
    results = evaluate(A, list(range(95, 106)), ["aws"], what_if="Datadog at 100+ agents")["aws"]
    datadog = [c for c in results.components if c.name.startswith("Datadog")]
    # 95..99 agents: $0; 100..105: ⌈n / 25⌉ = 4 or 5 application servers + 1 database = 5 or 6 hosts × $15
    assert [float(x) for x in datadog[0].monthly] == [0] * 5 + [75.0] * 1 + [90.0] * 5


def test_an_annual_pentest_costs_its_price_in_every_scenario():
    # $3,000 a year (the report's total adds the low end of its $3,000-5,000): Year 1 −$3,000, 5 years −$15,000
    assert set(savings(A, 47, "Annual penetration test").values()) == {(-3_000, -15_000)}


def test_transcribing_every_call_costs_what_each_stacks_voice_column_says():
    # the what-if sets the Usage sheet's share of call minutes transcribed, 0 by default (the report prices none)
    assert [(w.assumption, w.value) for w in A.what_ifs if w.what_if == "Transcribe every call"] == [
        ("usage.transcribed_share", 1)] and A.usage.transcribed_share == 0
    # 330,880 call minutes at 47 agents, every one transcribed: AWS pays Deepgram Nova-3 $0.0048/min: $1,588.224 a
    # month = $19,058.688 a year; Cloudflare its Workers AI whisper at $0.0005/min: $165.44 a month = $1,985.28
    found = savings(A, 47, "Transcribe every call")
    assert found["aws"] == (pytest.approx(-19_058.688), pytest.approx(-5 * 19_058.688))
    assert found["cloudflare"][0] == pytest.approx(-1_985.28)
    # the Mac Studios transcribe it themselves: LLM 47 × 100 × 2,000 tokens a day over 16 h = 163.2 tokens/s ÷ 150
    # + 330,880 min ÷ (22 days × 16 h × 60) = 15.67 streams ÷ 8.5 = ⌈2.93⌉ = 3 units instead of 2
    units = [next(c.quantity for c in price("self_hosted", 47, what_if=w).components if c.category == "hardware")
             for w in (None, "Transcribe every call")]
    assert units == [2, 3]


def test_transcribing_every_call_at_a_non_default_headcount_rate_and_volume():
    # GCP at 120 agents, 30 calls a day, Deepgram at $0.0060/min on the Options sheet: 120 × 30 calls × 8 min × 22
    # days = 633,600 min × $0.0060 = $3,801.60 a month = $45,619.20 a year; 5-year TCO: 5 × 45,619.20 = $228,096
    assert next(s.voice for s in A.stacks if s.key == "gcp") == "voice_deepgram"
    options = [{**line.model_dump(), **({"unit_price": 0.006} if (line.group, line.driver) == ("voice_deepgram",
                                                                                             "stt_minutes") else {})}
               for line in A.options]
    a = Assumptions.model_validate({**with_(usage={"calls_per_agent_per_day": 30}).model_dump(), "options": options})
    assert savings(a, 120, "Transcribe every call")["gcp"] == (pytest.approx(-45_619.20), pytest.approx(-228_096))
    # `levers` shows it as what it is: a cost in every scenario, ranked below the what-ifs that save, no claim
    table = levers(a, [120], scenarios=["gcp"])
    row = table[table.what_if == "Transcribe every call"].iloc[0]
    assert (row.year1_saving, row.tco_saving) == (pytest.approx(-45_619.20), pytest.approx(-228_096))
    grouped = grouped_levers(table).set_index("what_if").loc["Transcribe every call"]
    assert (grouped.claimed, grouped.tco_saving) == (NO_CLAIM, pytest.approx(-228_096))


def test_hetzner_over_aws_is_a_comparison_between_stacks():
    table = levers(A, [47])
    hetzner = table[table.what_if == "Hetzner over AWS/Azure"].set_index("scenario")
    assert hetzner.kind.unique().tolist() == ["comparison"] and set(hetzner.index) == {"aws", "azure"}
    assert hetzner.tco_saving["aws"] == pytest.approx(price("aws", 47).tco - price("hetzner", 47).tco)
    assert hetzner.name_after["aws"] == "Cloud (Hetzner) instead of Cloud (AWS)"
    # compute: AWS 3 × $0.357 × 730 × (1 − 0.3348938) = $520.00/month (the report's "~$520"); Hetzner 3 × €221 ×
    # 1.068 = $708.08: 36.2% more, not "40-50% cheaper"
    assert "compute $520.00 → $708.08/month (+36.2%)" in hetzner.categories["aws"]


def test_levers_are_ranked_by_their_largest_saving_and_grouped_by_equal_savings():
    table = levers(A, [47])
    ranks = table.drop_duplicates("what_if").set_index("what_if")["rank"]
    # savings by their largest; Datadog changes nothing at 47 agents; then the costs by the most they cost: the
    # pentest $15,000 over 5 years everywhere, transcribing every call $95,293.44 (AWS: 5 × $19,058.688), though it
    # costs Cloudflare only 5 × $1,985.28 = $9,926.40 (a cost is never ranked by the scenario where it costs least)
    assert [ranks[w] for w in ("SIP trunking", "Datadog at 100+ agents", "Annual penetration test",
                               "Transcribe every call")] == [1, 6, 7, 8]
    assert ranks.filter(like=COMBINED).isna().all()  # the combination is not ranked among them
    grouped = grouped_levers(table).set_index("what_if")
    assert grouped.loc["SIP trunking", "scenarios"] == "all 12 scenarios"
    assert grouped.loc["Datadog at 100+ agents", "scenarios"] == "no change"
    combined = next(name for name in grouped.index if name.startswith(COMBINED))
    assert combined == (COMBINED + "Twilio volume discount + SIP trunking + Reserved instances + Cloudflare R2 "
                                   "instead of S3")  # every what-if that saves, no comparison, in sheet order


#: The Network sheet's internet price per site and month (USD), the fiber what-ifs' assumption.
FIBER = "network.internet_usd_per_site_month"


def two_savers() -> Any:
    """``levers`` of two what-ifs that both save, and their combination, at 520 agents in three scenarios."""
    a = with_(what_ifs=[WhatIf(what_if="SIP trunking", assumption="telephony.inbound_usd_per_min", value=0.008),
                        WhatIf(what_if="SIP trunking", assumption="telephony.outbound_usd_per_min", value=0.008),
                        WhatIf(what_if="Cheaper fiber", assumption=FIBER, value=45)])
    return levers(a, [520], scenarios=["self_hosted", "aws", "cloudflare"])


TWO_SAVERS = COMBINED + "SIP trunking + Cheaper fiber"


def test_a_combination_sorts_after_every_ranked_what_if_and_its_groups_keep_the_tables_order():
    # two_savers(): two what-ifs, both saving, at 520 agents in three scenarios. SIP trunking: 520 agents × 40 calls
    # × 8 min × 22 days = 3,660,800 min/month, half in at $0.013 → $0.008 (1,830,400 × 0.005 = $9,152) and half out
    # at $0.014 → $0.008 (1,830,400 × 0.006 = $10,982.40): $20,134.40/month = $241,612.80 a year, × 5 = $1,208,064,
    # everywhere.
    # Fiber at $45 instead of $60 a site: self-hosted runs ⌈520 / 25⌉ = 21 Mac Studios at 1 per site = 21 sites:
    # 15 × 21 × 12 = $3,780 a year, × 5 = $18,900; the clouds have no site (saving 0). Together (separate lines,
    # no interaction): self-hosted $245,392.80 a year / $1,226,964; AWS and Cloudflare $241,612.80 / $1,208,064.
    table, combined = two_savers(), TWO_SAVERS
    # every single what-if ranked (1, 2); the combination unranked and after all of them, not among rank 2's rows
    assert list(table.what_if) == ["SIP trunking"] * 3 + ["Cheaper fiber"] * 3 + [combined] * 3
    assert list(table["rank"].iloc[:6]) == [1, 1, 1, 2, 2, 2] and table["rank"].iloc[6:].isna().all()
    assert list(table.scenario.iloc[3:6]) == ["self_hosted", "aws", "cloudflare"]  # $18,900, then the 0s by key
    grouped = grouped_levers(table, {"Transcribe every call": "no voice choice for aws"})
    rows = [(r.what_if, r.scenario_count, r.year1_saving, r.tco_saving) for r in grouped.iloc[:4].itertuples()]
    clouds = "Cloud (AWS), Cloud (Cloudflare)"
    assert rows == [("SIP trunking", 3, pytest.approx(241_612.80), pytest.approx(1_208_064)),
                    ("Cheaper fiber", 1, pytest.approx(3_780), pytest.approx(18_900)),
                    # the table's order (largest saving first), not the groups' keys sorted (smallest first)
                    (combined, 1, pytest.approx(245_392.80), pytest.approx(1_226_964)),
                    (combined, 2, pytest.approx(241_612.80), pytest.approx(1_208_064))]
    assert grouped.scenarios.iloc[2] == "Self-hosted (Mac Studios)"
    assert sorted(grouped.scenarios.iloc[3].split(", ")) == clouds.split(", ")
    assert grouped.separate_sum.iloc[2] == pytest.approx(1_208_064 + 18_900)
    # no Report claims cell is filled: each single what-if claims "none stated"; the combination, which is no row of
    # the What-ifs sheet, has no claims cell and shows nothing
    assert list(grouped.claimed.iloc[:4]) == [NO_CLAIM, NO_CLAIM, "", ""]
    # a what-if that could not be priced: its reason, and no scenario counted
    not_priced = grouped.iloc[4]
    assert (not_priced.what_if, not_priced.kind, not_priced.scenarios, not_priced.scenario_count) == (
        "Transcribe every call", "not priced", "not priced: no voice choice for aws", 0)
    assert len(grouped) == 5


def test_the_default_combination_leaves_out_a_what_if_that_only_costs_or_changes_nothing():
    # At 520 agents self-hosted runs 21 sites (two_savers): fiber at $80 instead of $60 costs 20 × 21 × 12 × 5 =
    # $25,200 over 5 years, at $60 it changes nothing; SIP trunking saves $1,208,064 and fiber at $45 $18,900
    # (two_savers). Priced together by default: only the two that save, in sheet order.
    a = with_(what_ifs=[WhatIf(what_if="Pricier fiber", assumption=FIBER, value=80),
                        WhatIf(what_if="SIP trunking", assumption="telephony.inbound_usd_per_min", value=0.008),
                        WhatIf(what_if="SIP trunking", assumption="telephony.outbound_usd_per_min", value=0.008),
                        WhatIf(what_if="Same fiber", assumption=FIBER, value=60),
                        WhatIf(what_if="Cheaper fiber", assumption=FIBER, value=45)])
    table = levers(a, [520], scenarios=["self_hosted"]).set_index("what_if")
    assert table.tco_saving["Pricier fiber"] == pytest.approx(-25_200)
    assert table.tco_saving["Same fiber"] == pytest.approx(0, abs=1e-6)
    assert [w for w in table.index if w.startswith(COMBINED)] == [TWO_SAVERS]
    assert table.tco_saving[TWO_SAVERS] == pytest.approx(1_208_064 + 18_900)


def test_savings_that_differ_by_under_a_cent_are_one_group():
    # savings that differ by under a cent (float noise between sums of different lines) are one group: AWS's
    # combined saving moved by $0.0006 a year, $0.003 over 5 years and in the separate sum still rounds to the cent
    # (two_savers' combination: self-hosted alone, AWS and Cloudflare together at $241,612.80 / $1,208,064)
    noisy, combined = two_savers(), TWO_SAVERS
    aws = (noisy.what_if == combined) & (noisy.scenario == "aws")
    noisy.loc[aws, "year1_saving"] += 0.0006
    noisy.loc[aws, ["tco_saving", "separate_sum"]] += 0.003
    together = grouped_levers(noisy).set_index("what_if").loc[combined]
    assert list(together.scenario_count) == [1, 2]


def test_each_lever_quotes_the_report_line_it_comes_from():
    lines = REPORT.read_text(encoding="utf-8").splitlines()
    from tco_xl.assumptions.overrides import what_if_sets
    for s in what_if_sets(A):
        line = int(s.source.split("Report line ")[1].split(":")[0])
        assert s.claimed.replace("$", "") in lines[line - 1].replace("**", "").replace("$", "") or (
            s.claimed in lines[line - 1 - 5]), s.name  # (the Datadog rule's cost is five lines up)


@settings(max_examples=40, deadline=None)
@given(agents=st.integers(1, 3_000), inbound=st.floats(0.005, 0.05), outbound=st.floats(0.005, 0.05),
       trunk=st.floats(0.001, 0.005), discount=st.floats(0.0, 0.5), share=st.floats(0.0, 1.0))
def test_a_discount_and_a_cheaper_trunk_never_add_up(agents, inbound, outbound, trunk, discount, share):
    what_ifs = [WhatIf(what_if="discount", assumption="telephony.minutes_discount", value=discount),
                WhatIf(what_if="trunk", assumption="telephony.inbound_usd_per_min", value=trunk),
                WhatIf(what_if="trunk", assumption="telephony.outbound_usd_per_min", value=trunk)]
    a = with_(what_ifs=what_ifs, telephony={"inbound_usd_per_min": inbound, "outbound_usd_per_min": outbound},
              usage={"inbound_share": share})
    minutes = agents * 40 * 8 * 22
    base = minutes * (share * inbound + (1 - share) * outbound)
    together = savings(a, agents, "discount", "trunk")["hybrid"][0]
    assert together == pytest.approx(12 * (base - minutes * trunk * (1 - discount)), rel=1e-9, abs=1e-6)
    separate = savings(a, agents, "discount")["hybrid"][0] + savings(a, agents, "trunk")["hybrid"][0]
    assert together <= separate + 1e-6  # the discount is worth less on the cheaper rate


# -- overrides are checked like every cell --------------------------------------------------------------------
#: What-ifs sheet rows as built: 2 Twilio; 3-4 SIP; 5-7 reserved; 8-9 R2; 10 Datadog; 11 pentest; 12 voice;
#: 13-14 Hetzner
BAD_CELLS = {
    "B2": ("telephony.minutes_discnt", "what_ifs[0].assumption",
           "a scalar key (e.g. telephony.outbound_usd_per_min), a table cell named by its row (e.g. providers[aws|S3 "
           "Standard].unit_price) or a Stacks row (e.g. stacks[aws])"),
    "C3": ("abc", "what_ifs[1].value", "a number, or the key of a number assumption (e.g. providers[cloudflare|R2 "
                                       "storage].unit_price) for telephony.inbound_usd_per_min"),
    "C5": (1.5, "what_ifs[3].value", "a number less than or equal to 1 for providers[aws|EC2 c7i.2xlarge (1-yr "
                                     "reserved)].discount"),
    "B6": ("providers[gcp|Compute Engine].discount", "what_ifs[4].assumption",
           "a row of providers named as the snapshots and the diff name it, e.g. providers[aws|EC2 c7i.2xlarge (1-yr "
           "reserved)] (none is named providers[gcp|Compute Engine])"),
    "C10": ("monitoring_dd", "what_ifs[8].value", "'none' or a group on the Options sheet for services.at_scale"),
    "C13": ("nowhere", "what_ifs[11].value", "the key of another stack to price aws as (self_hosted, hybrid, "
                                             "hybrid_optimized, gcp, azure, hetzner, ovh, vultr, digitalocean, "
                                             "cloudflare, flyio) for stacks[aws]"),
    "E4": ("Another description", "what_ifs[2].description", "blank, or the description this what-if states first"),
}


def test_bad_what_if_cells_are_reported_at_once_at_their_cells(workbook_copy):
    path = workbook_copy({"What-ifs": {cell: value for cell, (value, *_) in BAD_CELLS.items()}}, name="bad.xlsm")
    with pytest.raises(WorkbookError) as exc:
        load_assumptions(path)
    found = {p.cell: (p.found, p.assumption, p.expected) for p in exc.value.problems}
    assert all(p.sheet == "What-ifs" for p in exc.value.problems)
    assert found == BAD_CELLS


def test_a_what_if_that_cannot_apply_on_top_of_another_is_an_error_naming_both():
    pentest = next(i for i, line in enumerate(A.options) if line.group == "security_pentest")
    key = f"options[security_pentest|{A.options[pentest].line}]"
    a = with_(what_ifs=[WhatIf(what_if="Dearer test", assumption=f"{key}.unit_price", value=6_000),
                        WhatIf(what_if="Capped test", assumption=f"{key}.price_high", value=5_500)])
    assert a.with_what_ifs(["Dearer test"]).options[pentest].price_low is None  # the old range goes with the price
    with pytest.raises(InputError) as exc:
        a.with_what_ifs(["Dearer test", "Capped test"], "--what-if")
    assert exc.value.field == "--what-if" and exc.value.value == "Capped test"
    assert "on top of 'Dearer test'" in exc.value.expected and "row 2 of the table" in exc.value.expected


def test_a_stack_without_a_voice_choice_loads_and_only_the_voice_what_if_cannot_apply(workbook_copy):
    # a blank Voice cell means no voice AI: valid while nothing transcribes, so the workbook loads; transcribing
    # every call then needs a choice for that stack, which applying the what-if says at the stack's cell
    voice = table_sheet("stacks")
    cell = f"{column_letter(voice.columns, 'voice')}{2 + [s.key for s in A.stacks].index('aws')}"
    path = workbook_copy({voice.name: {cell: None}}, name="no-voice.xlsm")
    a = load_assumptions(path)
    assert a.stack("aws").voice == ""
    with pytest.raises(InputError, match=rf"needs 'self_hosted', a GPU group or a voice group .* for "
                                         rf"stacks\[3\]\.voice \(Stacks!{cell}\)"):
        a.with_what_ifs(["Transcribe every call"], "--what-if")
    # `levers` prices every other what-if and says which one it could not price, and why
    out = runner.invoke(app, ["levers", "-a", "47", "--workbook", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    found = json.loads(out.stdout)
    assert list(found["not_priced"]) == ["Transcribe every call"]
    assert found["not_priced"]["Transcribe every call"].endswith(f"for stacks[3].voice (Stacks!{cell})")
    assert {r["tco_saving"] for r in found["rows"] if r["what_if"] == "SIP trunking"} == {109_190.40}
    table = runner.invoke(app, ["levers", "-a", "47", "--workbook", str(path)], env={"COLUMNS": "200"})
    assert "not priced: its row 11 of the table" in table.stdout


def test_an_unknown_what_if_names_the_ones_there_are():
    with pytest.raises(InputError, match=r"what_if: expected a what-if on the What-ifs sheet \('Twilio volume discount'"
                                         r", 'SIP trunking', .*'Hetzner over AWS/Azure'\), got 'Nope'"):
        price("hybrid", 47, what_if="Nope")


def test_an_override_replaces_the_range_around_the_value_it_replaces():
    # the fiber price has the report's range $53-64; at $70 that range no longer brackets it: it is dropped
    a = with_(what_ifs=[WhatIf(what_if="Fiber", assumption="network.internet_usd_per_site_month", value=70)])
    assert "network.internet_usd_per_site_month" in a.ranges
    assert "network.internet_usd_per_site_month" not in a.with_what_ifs(["Fiber"]).ranges


# -- every way in ---------------------------------------------------------------------------------------------
def test_python_api_takes_a_what_if_or_several():
    base = price("hybrid", 47).year1
    # SIP: 21,838.08 less; with the discount too: 23,705.831424 less (derived above)
    assert price("hybrid", 47, what_if="SIP trunking").year1 == pytest.approx(base - 21_838.08)
    assert price("hybrid", 47, what_if=["SIP trunking", "Twilio volume discount"]).year1 == pytest.approx(
        base - 23_705.831424)
    assert compare(47, what_if="SIP trunking").tco.sum() == pytest.approx(compare(47).tco.sum() - 12 * 109_190.40)


def test_excel_functions_take_a_what_if_after_inputs():
    base = udfs.TCO_HYBRID(47.0)
    assert udfs.TCO_HYBRID(47.0, None, None, None, "SIP trunking") == pytest.approx(base - 21_838.08)
    # a range of names, blanks skipped, applied in order
    assert udfs.TCO_HYBRID(47.0, None, None, None, [["SIP trunking"], [None], ["Twilio volume discount"]]) == \
        pytest.approx(base - 23_705.83, abs=0.005)
    assert udfs.TCO("aws", 100.0, "year1", None, [["Datadog at 100+ agents"]]) == pytest.approx(
        udfs.TCO("aws", 100.0) + 2_760)
    assert udfs.TCO_HYBRID(47.0, None, None, None, "Nope").startswith(
        "#TCO! whatif: expected a what-if on the What-ifs sheet ('Twilio volume discount', ")
    sheet = udfs.TCO_COMPARE(47.0, None, "Hetzner over AWS/Azure")
    assert "Cloud (Hetzner) instead of Cloud (AWS)" in [row[0] for row in sheet]
    # the LLM break-even too: AWS self-hosting on one L40S, 730 h × $1.861 = $1,358.53/month, against 47 × 100 ×
    # 2,000 × 22 = 206.8M tokens × p per 1M: p = 6.569 → from $6.57; priced as Hetzner, its GEX44 (€184 × 1.068 =
    # $196.512) pays off from 196.512 / 206.8 = 0.9503 → $0.96
    assert udfs.TCO_LLM_BREAKEVEN("aws", 47.0) == [[6.57]]
    assert udfs.TCO_LLM_BREAKEVEN("aws", 47.0, None, None, None, None, "Hetzner over AWS/Azure") == [[0.96]]


def test_report_applies_what_ifs_in_order_and_says_so():
    plain = json.loads(runner.invoke(app, ["report", "-a", "47", "-f", "json"]).stdout)
    run = runner.invoke(app, ["report", "-a", "47", "-f", "json", "--what-if", "SIP trunking", "--what-if",
                              "annual penetration test"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["what_ifs"] == ["SIP trunking", "Annual penetration test"]
    before = {r["scenario"]: r["year1"] for r in plain["rows"]}
    # −21,838.08 (SIP) + 3,000 (the test) in Year 1
    assert all(r["year1"] == pytest.approx(before[r["scenario"]] - 21_838.08 + 3_000, abs=0.01) for r in out["rows"])
    table = runner.invoke(app, ["report", "-a", "47", "--what-if", "SIP trunking"], env={"COLUMNS": "200"})
    assert "what-if: SIP trunking" in table.stdout


def test_cli_errors_name_the_option_and_keep_keys_readable(workbook_copy):
    run = runner.invoke(app, ["report", "--what-if", "Nope"])
    assert run.exit_code == 1 and "--what-if: expected a what-if on the What-ifs sheet" in run.output
    bad = workbook_copy({"What-ifs": {"B5": "providers[aws|EC2].discount"}}, name="key.xlsm")
    run = runner.invoke(app, ["report", "-w", str(bad)])
    assert run.exit_code == 1 and "none is named providers[aws|EC2]" in run.output  # not taken for markup


def test_levers_command_ranks_and_prices_the_combination(monkeypatch):
    run = runner.invoke(app, ["levers", "-a", "47", "-a", "100", "-f", "json"])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.stdout)["rows"]
    sip = [r for r in rows if r["what_if"] == "SIP trunking" and r["agents"] == 47]
    assert {r["tco_saving"] for r in sip} == {109_190.40} and {r["rank"] for r in sip} == {1}
    # at 100 agents: 100 × 40 × 8 × 22 = 704,000 min, 352,000 each way: 352,000 × (0.005 + 0.006) = $3,872/month
    # less = $46,464 a year, $232,320 in 5 years
    assert {r["tco_saving"] for r in rows if r["what_if"] == "SIP trunking" and r["agents"] == 100} == {232_320.0}
    table = runner.invoke(app, ["levers", "-a", "47", "-s", "aws"], env={"COLUMNS": "160"})
    assert table.exit_code == 0, table.output
    assert "they interact" in table.stdout and "compute $520.00 → $708.08/month (+36.2%)" in table.stdout


def test_diff_shows_what_a_what_if_changes():
    run = runner.invoke(app, ["diff", "--what-if", "SIP trunking", "-a", "47", "-f", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    changed = {c["key"]: (c["old"], c["new"]) for c in out["assumptions"]}
    assert changed == {"telephony.inbound_usd_per_min": (0.013, 0.008),
                       "telephony.outbound_usd_per_min": (0.014, 0.008)}
    assert {round(t["year1"]["new"] - t["year1"]["old"], 2) for t in out["totals"]} == {-21_838.08}
    assert out["new"]["what_ifs"] == "SIP trunking" and out["old"]["what_ifs"] == "none"
    both = runner.invoke(app, ["diff", "old.xlsx", "--what-if", "SIP trunking"])
    assert both.exit_code == 1 and "no snapshot files with --what-if" in both.output


def test_breakeven_with_aws_priced_as_hetzner_crosses_where_hetzner_does():
    def crossings(*args: str) -> list[int]:
        run = runner.invoke(app, ["breakeven", *args, "-f", "json"])
        assert run.exit_code == 0, run.output
        return [r["agents"] for r in json.loads(run.stdout)[0]["rows"]]
    assert crossings("hybrid", "aws", "--what-if", "Hetzner over AWS/Azure") == crossings("hybrid", "hetzner")


def test_a_snapshot_records_the_what_ifs_and_prices_the_levers(tmp_path):
    a = A.with_what_ifs(["Annual penetration test"])
    data, _ = snapshot_bytes(snapshot_data(a, [47], provenance(None), analysis=True))
    (path := tmp_path / "s.xlsx").write_bytes(data)
    wb = openpyxl.load_workbook(path, read_only=True)
    meta = dict(wb["Metadata"].iter_rows(min_row=2, values_only=True))
    assert meta["what_ifs"] == "Annual penetration test"
    cells = {r[0]: r for r in wb["Assumption cells"].iter_rows(min_row=2, values_only=True)}
    assert cells["services.security"][2] == "security_pentest"
    assert cells["services.security"][9] == "'What-ifs'!C11"  # where its value came from
    header, *rows = list(wb["Levers"].iter_rows(values_only=True))
    levers_rows = [dict(zip(header, (*r, *[None] * (len(header) - len(r))), strict=True)) for r in rows]
    sip = next(r for r in levers_rows if r["What-if"] == "SIP trunking")
    assert (sip["Scenarios"], sip["5-year saving (USD; negative: a cost)"]) == ("all 12 scenarios",
                                                                                 pytest.approx(109_190.40))
    voice = next(r for r in levers_rows if r["What-if"] == "Transcribe every call")  # a cost, shown as one
    assert (voice["Rank"], voice["Report claims"]) == (8, NO_CLAIM)
    assert voice["5-year saving (USD; negative: a cost)"] == pytest.approx(-95_293.44)  # 5 × 12 × 330,880 × 0.0048
    # the test is already applied: priced again, it changes nothing
    assert next(r for r in levers_rows if r["What-if"] == "Annual penetration test")["Scenarios"] == "no change"
    summary = [r[0] for r in wb["Summary"].iter_rows(max_col=1, values_only=True) if r[0]]
    assert any("with the what-if Annual penetration test applied" in str(t) for t in summary)
    assert any(str(t).startswith("Largest savings lever") and "SIP trunking, $109,190.40" in str(t) for t in summary)


def test_the_summary_never_calls_a_cost_the_largest_saving():
    # only what-ifs that cost: the pentest ($3,000 a year) and transcribing every call
    costs = [w for w in A.what_ifs if w.what_if in ("Annual penetration test", "Transcribe every call")]
    d = snapshot_data(with_(what_ifs=costs), [47, 500], provenance(None), analysis=True)
    assert largest_levers(d) == ["Largest savings lever (every what-if and their combination: Levers sheet): at 47 "
                                 "and 500 agents no what-if saves money (the Levers sheet shows what each costs)."]
