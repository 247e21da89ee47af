"""The live workbook recalculated by a real spreadsheet (LibreOffice headless) equals the engine.

Every file of this module goes through ONE LibreOffice conversion (each start costs seconds). The values
LibreOffice saves are read back and compared, formula cell by formula cell, with the engine: line items
with ``Component`` values, totals with ``ScenarioResult`` metrics, Summary with ``compare`` (rounded to
cents as Excel's ROUND does), named quantities with the engine's public capacity functions or the numpy
evaluation of the same rule. Edited files are compared with the engine run on ``load_assumptions`` of the
edited file; bad input must show a text naming the cell, never a number and never an error value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from tco_xl.assumptions import Assumptions, default_assumptions
from tco_xl.engine import capacity, compare, evaluate
from tco_xl.engine.expr import Context
from tco_xl.engine.support import support_hours
from tco_xl.engine.twilio import minutes_per_month
from tco_xl.io.layout import cell_of
from tco_xl.io.libreoffice import recalculate
from tco_xl.io.live_workbook import (
    AGENTS_CHECK_ROW,
    AGENTS_ROW,
    CHECKS,
    CHECKS_FIRST_ROW,
    FIXED_COL,
    MODEL_COL,
    SUMMARY,
    SUMMARY_COL,
    LiveLayout,
    export_live,
    live_layout,
)
from tco_xl.io.workbook import load_assumptions
from tco_xl.rounding import excel_round

pytestmark = pytest.mark.libreoffice

A = default_assumptions()
#: 47/100/500 and 60 headcounts spread geometrically over 1..10,000, plus a few odd ones.
SWEEP = sorted({47, 100, 500, 251, 4_321, 9_999, *np.unique(np.geomspace(1, 10_000, 60).round().astype(int)).tolist()})
BASE = [47, 100, 500]
ERROR = re.compile(r"^(#[A-Z0-9/!?]+|Err:\d+)")


def line_row(a: Assumptions, table: str, group: str, line: str) -> int:
    """Index of the price line ``group``/``line`` in ``table`` (so edits follow the table, not a number)."""
    return next(i for i, row in enumerate(getattr(a, table)) if row.group == group and row.line == line)


def cell(key: str, column: str = "value") -> tuple[str, str]:
    sheet, where = cell_of(key, column).split("!")
    return sheet.strip("'"), where


@dataclass(frozen=True)
class Case:
    """A live workbook as LibreOffice recalculated it, with what the engine should say about it."""

    path: Path  # the file as LibreOffice saved it
    layout: LiveLayout  # the layout as exported (rows and columns)
    a: Assumptions  # the assumptions the engine prices (load_assumptions of the file as edited)
    agents: list[int]  # the headcounts in the file (as edited)
    values: dict[str, Any]  # sheet -> openpyxl worksheet of the recalculated file

    def at(self, sheet: str, row: int, col: int) -> Any:
        return self.values[sheet].cell(row=row, column=col).value


def edit(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    wb = openpyxl.load_workbook(path)
    for (sheet, where), value in cells.items():
        wb[sheet][where] = value
    wb.save(path)


def summary_cell(i: int) -> tuple[str, str]:
    return SUMMARY, f"{openpyxl.utils.get_column_letter(SUMMARY_COL + i)}{AGENTS_ROW}"


EC2 = line_row(A, "providers", "aws", "EC2 c7i.2xlarge (1-yr reserved)")
AX162 = line_row(A, "providers", "hetzner", "AX162-S dedicated server")
STORAGE_BOX = line_row(A, "providers", "hetzner", "Storage Box 1 TB")
VULTR_BLOCK = line_row(A, "providers", "vultr", "Block Storage")
OVH_OBJECT = line_row(A, "providers", "ovh", "Object Storage")
S3 = line_row(A, "providers", "aws", "S3 Standard")
ARGO_TRAFFIC = line_row(A, "options", "argo", "Argo traffic")
EDITED_AGENTS = [3, 251, 1_234, 7_777]


def llm_voice_assumptions() -> Assumptions:
    """The LLM three ways and voice AI in one file: AWS on its GPU servers (voice through Deepgram), Azure running
    both on one GPU group, GCP's voice alone on its L4s, Hetzner's LLM on a EUR-priced monthly GEX44; every call
    partly transcribed and voiced, so the Mac Studios carry voice load too."""
    stacks = {"aws": {"llm": "gpu_aws"}, "azure": {"llm": "gpu_azure", "voice": "gpu_azure"},
              "gcp": {"voice": "gpu_gcp"}, "hetzner": {"llm": "gpu_hetzner"}}
    rows = [s.model_copy(update=stacks.get(s.key, {})).model_dump() for s in A.stacks]
    usage = {**A.usage.model_dump(), "transcribed_share": 0.6, "tts_characters_per_call": 300}
    return Assumptions.model_validate({**A.model_dump(), "stacks": rows, "usage": usage})


LLM_VOICE = llm_voice_assumptions()
GPU_AWS = LLM_VOICE.gpu_server("gpu_aws")
HYBRID = next(i for i, s in enumerate(A.stacks) if s.key == "hybrid")

#: name -> (headcounts exported, cells edited after the export)
CASES: dict[str, tuple[list[int], dict[tuple[str, str], Any]]] = {
    "sweep": (SWEEP, {}),
    "edited": ([47, 100, 500, 1_000], {
        cell("telephony.inbound_usd_per_min"): 0.0151,                 # a rate
        cell("usage.inbound_share"): 0.35,                              # a split that is not 50/50
        cell(f"providers[{AX162}].unit_price"): 233.5,                  # a EUR price
        cell("finance.eur_usd"): 1.065,                                 # the EUR rate (within its range)
        cell("capacity.agents_per_mac_studio"): 27,                     # a capacity rule (within its range)
        cell("capacity.failover_ratio"): 0.25,                          # spares
        cell("capacity.agents_per_db_server"): 300,
        cell(f"providers[{EC2}].discount"): 0.25,                       # a table row's discount
        cell("finance.horizon_years"): 7,                               # the horizon
        cell(f"providers[{VULTR_BLOCK}].currency"): "EUR",              # the text choices of price lines
        cell(f"providers[{OVH_OBJECT}].billing"): "year",
        cell(f"options[{ARGO_TRAFFIC}].driver"): "egress_gb",
        cell(f"providers[{STORAGE_BOX}].whole_units"): False,
        **{summary_cell(i): n for i, n in enumerate(EDITED_AGENTS)},    # headcounts
    }),
    "text_in_price": (BASE, {cell("telephony.inbound_usd_per_min"): "abc"}),
    "negative_headcount": (BASE, {summary_cell(1): -3}),
    "fractional_headcount": (BASE, {summary_cell(0): 47.5}),
    "blank": (BASE, {cell("usage.calls_per_agent_per_day"): None}),
    "text_in_table_price": (BASE, {cell(f"providers[{S3}].unit_price"): "n/a"}),
    "zero_hours": (BASE, {cell("finance.hours_per_month"): 0}),
    "unknown_driver": (BASE, {cell(f"options[{ARGO_TRAFFIC}].driver"): "bandwidth"}),
    "structure_edit": (BASE, {cell("services.email"): "email_sendgrid_pro"}),
    "llm_voice": ([1, 47, 100, 333, 500, 2_500], {                      # exported from LLM_VOICE, then edited live:
        cell("usage.transcribed_share"): 0.8,                           # voice volumes
        cell(f"gpu_servers[{GPU_AWS}].tokens_per_sec"): 900,             # a GPU server's capacity
        cell(f"stacks[{HYBRID}].support_hours_mid"): 18,                 # a stated support point
        cell("support.mid_agents"): 120,                                # the headcount it is stated at
    }),
    "what_ifs": ([47, 99, 100, 250, 500], {}),
}
#: Cases exported from other assumptions than the defaults.
BASES = {"llm_voice": LLM_VOICE}
#: Cases exported with what-ifs applied (their values on the assumption sheets): the Datadog rule switches an
#: option on from a headcount (99 → 100), the Twilio discount multiplies minutes, Hetzner prices AWS and Azure.
WHAT_IFS = {"what_ifs": ["SIP trunking", "Twilio volume discount", "Datadog at 100+ agents", "Hetzner over AWS/Azure"]}
#: Cases whose edits are valid: the engine prices load_assumptions of the edited file.
VALID = ("sweep", "edited", "llm_voice", "what_ifs")


@pytest.fixture(scope="module")
def cases(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    folder = tmp_path_factory.mktemp("live")
    files, layouts = {}, {}
    for name, (agents, edits) in CASES.items():
        base = BASES.get(name, A).with_what_ifs(WHAT_IFS.get(name, []))
        export = export_live(base, agents, folder / name)
        path = export.path.rename(folder / f"{name}.xlsx")
        if edits:
            edit(path, edits)
        files[name], layouts[name] = path, live_layout(base, agents)
    outputs = recalculate(list(files.values()), folder / "recalculated", soffice=soffice, timeout=600)
    out = {}
    for (name, path), recalculated in zip(files.items(), outputs, strict=True):
        agents, edits = CASES[name]
        edited_agents = [edits.get(summary_cell(i), n) for i, n in enumerate(agents)]
        a = load_assumptions(path) if name in VALID else A
        wb = openpyxl.load_workbook(recalculated, data_only=True)
        out[name] = Case(recalculated, layouts[name], a, edited_agents, {ws.title: ws for ws in wb.worksheets})
    return out


# -- every formula cell equals the engine ----------------------------------------------------------------

def engine_values(case: Case) -> dict[tuple[str, int, int], float]:
    """(sheet, row, column) -> the engine's value, for every formula cell of the scenario sheets and Summary."""
    agents = np.array(case.agents, dtype=float)
    results = evaluate(case.a, agents)
    ctx = Context(case.a, {"agents": agents})
    expected: dict[tuple[str, int, int], float] = {}
    for sheet in case.layout.scenarios:
        r = results[sheet.model.stack.key]
        for row in sheet.rows:
            if row.kind == "status":
                continue
            if row.kind == "quantity":
                value = ctx.value(row.named)
            elif row.kind in ("monthly", "one_time"):
                value = getattr(sheet.model.lines[row.line].component(ctx), row.kind)  # also a line at $0
            else:
                value = getattr(r, row.metric)
            if row.fixed:
                expected[(sheet.name, row.row, FIXED_COL)] = float(value)
            else:
                for i, v in enumerate(np.broadcast_to(value, agents.shape)):
                    expected[(sheet.name, row.row, MODEL_COL + i)] = float(v)
    df = compare(case.agents, case.a)
    rows = case.layout.summary_rows()
    for _, x in df.iterrows():
        col = SUMMARY_COL + case.agents.index(x["agents"])
        for metric, block in rows.items():
            value = x["rank"] if metric == "rank" else excel_round(x[metric], 2)
            expected[(SUMMARY, block[x["scenario"]], col)] = float(value)
    return expected


@pytest.mark.parametrize("name", VALID)
def test_every_formula_cell_equals_the_engine(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    expected = engine_values(case)
    assert len(expected) > (50 if name == "sweep" else 4) * 12 * 40  # every scenario has > 40 rows
    worst = 0.0
    for (sheet, row, col), value in expected.items():
        got = case.at(sheet, row, col)
        assert isinstance(got, (int, float)), (sheet, row, col, got)
        assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (sheet, row, col)
        worst = max(worst, abs(got - value))
    assert worst < 0.005  # to the cent, everywhere (in fact to ~1e-9)


@pytest.mark.parametrize("name", VALID)
def test_the_cheapest_scenario_is_named_as_the_engine_ranks(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    df = compare(case.agents, case.a)
    row = case.layout.summary_cheapest_row()
    for i, n in enumerate(case.agents):
        cheapest = df[(df["agents"] == n) & df["cheapest"]]["name"].tolist()
        assert case.at(SUMMARY, row, SUMMARY_COL + i) in cheapest


def test_named_quantities_equal_the_engines_capacity_functions(cases: dict[str, Case]) -> None:
    case = cases["sweep"]
    agents = np.array(case.agents, dtype=float)
    for sheet in case.layout.scenarios:
        stack = sheet.model.stack
        rows = {r.label: r for r in sheet.block("quantity")}
        expected = {"Call minutes/month": minutes_per_month(A, agents),
                    "LLM tokens/month": capacity.llm_tokens_per_month(A, agents),
                    "Support hours/month": support_hours(A, stack, agents)}
        if stack.mac_studios:
            units = capacity.mac_studios(A, agents, *capacity.self_hosted(stack))
            expected |= {"Mac Studios incl. failover spares": units, "Sites (one fiber line each)":
                         capacity.sites(A, units)}
        if stack.provider:  # servers exist where a provider's lines are priced
            drivers = capacity.drivers(A, stack, agents)
            expected |= {"Database servers": capacity.db_servers(A, agents), "Monitored hosts": drivers["hosts"]}
            if stack.agents_per_app_server:
                expected["Application servers"] = capacity.app_servers(stack, agents)
        for label, values in expected.items():
            got = [case.at(sheet.name, rows[label].row, MODEL_COL + i) for i in range(len(agents))]
            np.testing.assert_allclose(got, values, rtol=1e-12, err_msg=f"{sheet.name}: {label}")


def test_hand_derived_figures(cases: dict[str, Case]) -> None:
    sweep, edited = cases["sweep"], cases["edited"]
    aws = next(s for s in sweep.layout.scenarios if s.name == "aws")
    inbound = next(r for r in aws.block("monthly") if r.label == "Twilio inbound calls")
    # 47 agents × 40 calls × 8 min × 22 days × 50% = 165,440 min × $0.013 = $2,150.72/month
    assert sweep.at("aws", inbound.row, MODEL_COL + SWEEP.index(47)) == pytest.approx(2150.72, abs=1e-9)
    # edited: 251 agents × 40 × 8 × 22 = 1,767,040 min × 35% inbound = 618,464 min × $0.0151 = $9,338.8064/month
    assert edited.at("aws", inbound.row, MODEL_COL + 1) == pytest.approx(9338.8064, abs=1e-9)
    hetzner = next(s for s in edited.layout.scenarios if s.name == "hetzner")
    ax162 = next(r for r in hetzner.block("monthly") if r.label == "AX162-S dedicated server")
    # 3 agents: max(3 servers, ⌈3 / 25⌉) = 3 servers × €233.50 × 1.065 USD/EUR = $746.0325/month
    assert edited.at("hetzner", ax162.row, MODEL_COL) == pytest.approx(746.0325, abs=1e-9)
    # 7,777 agents: ⌈7,777 / 25⌉ = 312 servers × €233.50 × 1.065 = $77,586.84/month
    assert edited.at("hetzner", ax162.row, MODEL_COL + 3) == pytest.approx(312 * 233.5 * 1.065, abs=1e-6)


def test_llm_voice_and_support_rules_hand_derived(cases: dict[str, Case]) -> None:
    case = cases["llm_voice"]
    at = {n: MODEL_COL + i for i, n in enumerate(case.agents)}

    def value(sheet: str, label: str, n: int, block: str = "monthly") -> float:
        scenario = next(s for s in case.layout.scenarios if s.name == sheet)
        return case.at(sheet, next(r for r in scenario.block(block) if r.label == label).row, at[n])
    # AWS, 500 agents: 500 × 100 × 2,000 × 22 = 2,200M tokens ÷ 1,267,200 s = 1,736.1 tokens/s ÷ 900 (edited)
    # = 1.93 → 2 servers × 730 h × $1.861 = $2,717.06/month
    assert value("aws", "EC2 g6e.xlarge (1× NVIDIA L40S 48 GB, on demand)", 500) == pytest.approx(2_717.06)
    # Deepgram: 500 × 40 × 8 × 22 = 3,520,000 min × 80% (edited) = 2,816,000 min × $0.0048 = $13,516.80/month
    assert value("aws", "Deepgram Nova-3 speech-to-text (streaming)", 500) == pytest.approx(13_516.80)
    # 500 × 40 × 22 = 440,000 calls × 300 characters = 132M ÷ 1,000 × $0.015 = $1,980/month
    assert value("aws", "Deepgram Aura text-to-speech", 500) == pytest.approx(1_980)
    # self-hosted Macs at 47: 2,816,000 × 47/500 = 264,704 min ÷ 21,120 = 12.53 streams ÷ 8.5 = 1.475
    # + 41,360 × 300 = 12,408,000 characters ÷ 1,267,200 s = 9.79 ÷ 450 = 0.022 + LLM 163.19 ÷ 150 = 1.088
    # → ⌈2.585⌉ = 3 units
    assert value("self_hosted", "Mac Studios incl. failover spares", 47, "quantity") == 3
    # hybrid support: 18 h (edited) at 120 agents (edited): at 100, 15 × (100/47)^(ln(18/15)/ln(120/47))
    # = 15 × 2.12766^0.194435 = 15 × 1.158 = 17.37 h × $75 = $1,302.8/month
    slope = np.log(18 / 15) / np.log(120 / 47)
    assert value("hybrid", "System administration", 100) == pytest.approx(15 * (100 / 47) ** slope * 75)


def test_a_live_workbook_saved_by_libreoffice_reads_back_as_its_assumptions(cases: dict[str, Case]) -> None:
    assert load_assumptions(cases["sweep"].path) == A
    assert load_assumptions(cases["edited"].path) == cases["edited"].a
    # exported with what-ifs: their values on the sheets, the What-ifs sheet itself kept as it was
    assert load_assumptions(cases["what_ifs"].path) == A.with_what_ifs(WHAT_IFS["what_ifs"])
    assert load_assumptions(cases["what_ifs"].path).what_ifs == A.what_ifs


def test_what_ifs_in_the_live_workbook_by_hand(cases: dict[str, Case]) -> None:
    case = cases["what_ifs"]
    aws = next(s for s in case.layout.scenarios if s.name == "aws")
    rows = {r.label: r for r in aws.block("monthly")}
    at = {n: MODEL_COL + i for i, n in enumerate(case.agents)}
    # Datadog from 100 agents: AWS priced as Hetzner, ⌈100 / 25⌉ = 4 application + 1 database server = 5 hosts
    # × $15 = $75/month (and × $31 = $155 APM); at 99 agents, 4 + 1 hosts too, but below the headcount: $0
    assert case.at("aws", rows["Datadog infrastructure"].row, at[100]) == pytest.approx(75.0, abs=1e-9)
    assert case.at("aws", rows["Datadog APM"].row, at[100]) == pytest.approx(155.0, abs=1e-9)
    assert case.at("aws", rows["Datadog infrastructure"].row, at[99]) == 0
    # 47 agents: 165,440 inbound min × $0.008 (SIP) × (1 − 5.88%) = $1,245.697024/month
    assert case.at("aws", rows["Twilio inbound calls"].row, at[47]) == pytest.approx(1245.697024, abs=1e-9)
    # AWS priced as Hetzner: 3 AX162-S × €221 × 1.068 USD/EUR = $708.084/month
    assert case.at("aws", rows["AX162-S dedicated server"].row, at[47]) == pytest.approx(708.084, abs=1e-9)


def test_edits_reach_the_engine_through_the_loader(cases: dict[str, Case]) -> None:
    """The edited file reads back with every edit (the oracle of the edit test is the engine on this)."""
    b = cases["edited"].a
    assert b.telephony.inbound_usd_per_min == 0.0151 and b.finance.horizon_years == 7
    assert b.providers[EC2].discount == 0.25 and b.providers[AX162].unit_price == 233.5
    assert b.providers[VULTR_BLOCK].currency == "EUR" and b.providers[OVH_OBJECT].billing == "year"
    assert b.options[ARGO_TRAFFIC].driver == "egress_gb" and b.providers[STORAGE_BOX].whole_units is False


# -- no error values; bad input shows text -----------------------------------------------------------------

def error_cells(case: Case) -> list[str]:
    return [f"{ws.title}!{c.coordinate}={c.value}" for ws in case.values.values() for row in ws.iter_rows()
            for c in row if isinstance(c.value, str) and ERROR.match(c.value)]


@pytest.mark.parametrize("name", list(CASES))
def test_no_cell_shows_an_error_value(cases: dict[str, Case], name: str) -> None:
    assert error_cells(cases[name]) == []


def scenario_cells(case: Case, rows: str = "all") -> list[tuple[str, int, int, Any]]:
    """(sheet, row, column, value) of the model cells of every scenario sheet."""
    out = []
    for sheet in case.layout.scenarios:
        for r in sheet.rows:
            if r.kind == "status" or (rows != "all" and r.kind not in rows.split(",")):
                continue
            cols = [FIXED_COL] if r.fixed else range(MODEL_COL, MODEL_COL + len(case.agents))
            out += [(sheet.name, r.row, c, case.at(sheet.name, r.row, c)) for c in cols]
    return out


def summary_values(case: Case) -> list[Any]:
    return [case.at(SUMMARY, row, SUMMARY_COL + i) for block in case.layout.summary_rows().values()
            for row in block.values() for i in range(len(case.agents))]


def failing_checks(case: Case) -> list[str]:
    return [v for row in range(CHECKS_FIRST_ROW, CHECKS_FIRST_ROW + len(case.layout.checks))
            if (v := case.at(CHECKS, row, 4))]


@pytest.mark.parametrize(("name", "message"), [
    ("text_in_price", "Telephony!C2 (telephony.inbound_usd_per_min): expected a number >= 0"),
    ("blank", "Usage!C3 (usage.calls_per_agent_per_day): expected a number >= 0"),
    ("zero_hours", "Finance!C3 (finance.hours_per_month): expected a number > 0 and <= 744"),
])
def test_a_bad_scalar_input_shows_its_cell_in_every_total(cases: dict[str, Case], name: str, message: str) -> None:
    case = cases[name]
    assert [m for m in failing_checks(case) if m.startswith(message)], failing_checks(case)
    expected = engine_values(case)
    affected = 0
    for sheet, row, col, value in scenario_cells(case):
        if isinstance(value, str):
            assert message in value, (sheet, row, col)
            affected += 1
        else:  # a cell that does not read the bad input keeps the engine's value
            assert value == pytest.approx(expected[(sheet, row, col)], rel=1e-9, abs=1e-9), (sheet, row, col)
    assert affected
    totals = scenario_cells(case, "metric")
    if name != "zero_hours":  # every scenario pays Twilio minutes; only hourly billed lines read the hours
        assert all(isinstance(v, str) for *_, v in totals)
    assert any(isinstance(v, str) and message in v for v in summary_values(case))


def test_a_bad_price_cell_affects_only_the_scenarios_that_price_it(cases: dict[str, Case]) -> None:
    case = cases["text_in_table_price"]
    sheet, where = cell(f"providers[{S3}].unit_price")
    message = f"{sheet}!{where} (providers[{S3}].unit_price): expected a number >= 0"
    expected = engine_values(case)
    for name, row, col, value in scenario_cells(case):
        if name == "aws" and not isinstance(value, (int, float)):
            assert message in value
        else:
            assert value == pytest.approx(expected[(name, row, col)], rel=1e-9, abs=1e-9), (name, row, col)
    aws = next(s for s in case.layout.scenarios if s.name == "aws")
    assert message in case.at("aws", aws.totals["tco"], MODEL_COL)  # the total does not sum over the text
    s3 = next(r for r in aws.block("monthly") if r.label == "S3 Standard")
    assert message in case.at("aws", s3.row, MODEL_COL)


@pytest.mark.parametrize(("name", "column", "found"), [("negative_headcount", 1, -3),
                                                        ("fractional_headcount", 0, 47.5)])
def test_a_bad_headcount_shows_text_in_its_column_only(cases: dict[str, Case], name: str, column: int,
                                                      found: float) -> None:
    case = cases[name]
    letter = openpyxl.utils.get_column_letter(SUMMARY_COL + column)
    message = f"{SUMMARY}!{letter}{AGENTS_ROW} (agents): expected a whole number of agents from 1 to 1,000,000"
    assert message in case.at(SUMMARY, AGENTS_CHECK_ROW, SUMMARY_COL + column)
    good = [n for i, n in enumerate(BASE) if i != column]
    expected = engine_values(Case(case.path, live_layout(A, good), A, good, {}))
    for sheet, row, col, value in scenario_cells(case, "sum,metric"):
        if col == MODEL_COL + column:
            assert isinstance(value, str) and message in value
        else:
            shifted = col - (col > MODEL_COL + column)
            assert value == pytest.approx(expected[(sheet, row, shifted)], rel=1e-9)
    for block in case.layout.summary_rows().values():
        for row in block.values():
            assert not isinstance(case.at(SUMMARY, row, SUMMARY_COL + column), (int, float))


def test_an_unknown_driver_shows_text_where_the_line_is_priced(cases: dict[str, Case]) -> None:
    case = cases["unknown_driver"]
    sheet, where = cell(f"options[{ARGO_TRAFFIC}].driver")
    message = f"{sheet}!{where} (options[{ARGO_TRAFFIC}].driver): expected one of fixed, scaled, agents"
    for s in case.layout.scenarios:
        argo = [r for r in s.block("monthly") if r.label == "Argo traffic"]
        values = [case.at(s.name, r.row, c) for r in argo + [s.rows[-1]] for c in range(MODEL_COL, MODEL_COL + 3)]
        if argo:
            assert all(isinstance(v, str) and message in v for v in values), s.name
        else:
            assert all(isinstance(v, (int, float)) for v in values), s.name


def test_a_structure_edit_stops_the_totals_until_exported_again(cases: dict[str, Case]) -> None:
    case = cases["structure_edit"]
    sheet, where = cell("services.email")
    message = f"{sheet}!{where} (services.email): expected 'email_ses' as exported"
    totals = scenario_cells(case, "sum,metric")
    assert totals and all(isinstance(v, str) and message in v for *_, v in totals)
    lines = scenario_cells(case, "monthly,one_time")
    assert all(isinstance(v, (int, float)) for *_, v in lines)  # each line is still its own rule's value
    assert any(m.startswith(message) for m in failing_checks(case))


def test_a_valid_workbook_fails_no_check(cases: dict[str, Case]) -> None:
    for name in VALID:
        assert failing_checks(cases[name]) == []
        assert cases[name].at(SUMMARY, 3, 1) == "Every input passes its checks."
