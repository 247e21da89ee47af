"""docs/seed-reconciliation.md: every figure of the seed report against the engine, section by section.

The document is a list of sections (``SECTIONS``), each a function of the reconciliation returning
markdown lines; a later section (for example the break-even under each LLM choice) is one more
function in that list. Every number in the prose is computed (``expressions.render``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ..analysis.breakeven import cheaper_throughout, crossings
from ..analysis.factors import with_factors
from ..analysis.llm_breakeven import blended_price, like_for_like, llm_breakeven
from ..assumptions import Assumptions
from ..engine import compare
from .expressions import fmt, render
from .mapping import Rule
from .report import Figure
from .rows import DIFFERS, NOT_COMPARABLE, SAME, UNMAPPED, Reconciliation, Row

REPORT_LINK = "[seed-report.md](seed-report.md)"
_STATUS = {SAME: "=", DIFFERS: "≠", NOT_COMPARABLE: "n/c", UNMAPPED: "unmapped"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _engine(row: Row) -> str:
    if row.engine is None:
        return "—"
    f = row.figure
    if f.kind == "percent":
        return fmt(row.engine, "%")
    if f.kind == "money":
        return fmt(row.engine, "$")
    return fmt(row.engine, "n")


def _explain(row: Row) -> str:
    """The last column: why they differ, why there is no counterpart, or the engine quantity that reproduces."""
    if row.status == SAME and row.rule is not None:
        return f"`{_quantity(row.rule)}`"
    return _cell(row.why)


def _quantity(rule: Rule) -> str:
    return rule.expression.replace("x.", f"{rule.row}.") if rule.row else rule.expression


def summary(rec: Reconciliation) -> list[str]:
    """Counts per report section: reproduced, differ, not comparable."""
    counts: dict[str, Counter[str]] = {}
    for row in rec.rows:
        counts.setdefault(row.figure.section or "(title)", Counter())[row.status] += 1
    total: Counter[str] = sum(counts.values(), Counter())
    out = [f"{len(rec.rows):,} figures read from the report: **{total[SAME]:,} reproduced** (to the precision the "
           f"report states), **{total[DIFFERS]:,} differ** (each with its reason), **{total[NOT_COMPARABLE]:,} not "
           f"comparable** (no engine counterpart, each with why)"
           + (f", **{total[UNMAPPED]:,} not mapped**" if total[UNMAPPED] else "") + ".",
           "", "| Report section | Figures | Reproduced | Differ | Not comparable |", "|---|---:|---:|---:|---:|"]
    for section, c in counts.items():
        out.append(f"| {section} | {sum(c.values())} | {c[SAME]} | {c[DIFFERS]} | {c[NOT_COMPARABLE]} |")
    out.append(f"| **Total** | **{len(rec.rows):,}** | **{total[SAME]:,}** | **{total[DIFFERS]:,}** | "
               f"**{total[NOT_COMPARABLE]:,}** |")
    skipped = Counter(n.why for n in rec.report.not_figures)
    out += ["", "Digits that are not figures are not listed: " + ", ".join(
        f"{n} {why}{'s' if n > 1 and not why.endswith(')') else ''}" for why, n in skipped.most_common()) + "."]
    return out


#: How to read the differences: templates over the engine's names (every number computed).
HOW_TO_READ = (
    "**Scope of cloud scenarios.** The report's cloud totals are provider lines + Twilio. The engine's cloud "
    "scenarios also pay LLM inference through an API (GPT-4o at the engine's volume: "
    "{api('gpt-4o', 47).monthly:$}/month "
    "at {usage.reference_agents:n} agents), email and offsite backups, as the Mac Studio scenarios do. Rows compare "
    "the report's scope; "
    "`tco-xl report` shows the full scenarios.",
    "**Token units.** '{L(229, 1):n} agents × {L(229, 2):n} calls/day × {L(229, 3):n} tokens = {L(229, 4):n}' "
    "(line 229) is tokens per day; × {usage.working_days_per_month:n} working days = {tokens(47):n} a month, so "
    "every LLM API cost in the report is {tokens(47) / L(229, 4):n} × too low.",
    "**One EUR rate.** EUR prices (Hetzner, OVH) convert at `finance.eur_usd` = {finance.eur_usd}, the one rate "
    "that reproduces every server conversion in the report to the dollar (€{price('hetzner', 'AX162')} → "
    "{usd('hetzner', 'AX162'):$}, €{price('hetzner', 'AX102')} → {usd('hetzner', 'AX102'):$}, "
    "€{price('ovh', 'Advance-4')} → {usd('ovh', 'Advance-4'):$}, €{price('ovh', 'Advance-3')} → "
    "{usd('ovh', 'Advance-3'):$}); the report rounds each converted price to whole dollars before adding.",
    "**Reserved discounts** are the ones that reproduce the report's round monthly figures: AWS "
    "{discount('aws', 'EC2'):%} ({cat('aws', 47, 'compute').monthly:$0}), GCP {discount('gcp', 'Compute'):%} "
    "({cat('gcp', 47, 'compute').monthly:$0}), Azure {discount('azure', 'VM'):%} "
    "({cat('azure', 47, 'compute').monthly:$0}).",
    "**Scaling rules.** The report's scaling tables are not built by one rule (the same Twilio usage costs "
    "{T(10, 'Twilio', 'Year 1'):$0} in T10 and {T(30, 'Annual cost', '100 Agents'):$0} in T30; its cloud totals in "
    "T33 are those of T32 × {T(33, 'Cloud (AWS)', 'Year 1') / T(32, 'Cloud (AWS)', 'Year 1'):n}). The engine uses one "
    "editable rule each: Mac Studios = max({capacity.min_mac_studios:n}, ⌈agents/{capacity.agents_per_mac_studio:n}⌉, "
    "⌈LLM tokens/s ÷ {capacity.llm_tokens_per_sec_per_mac:n}⌉) ({units(47):n}/{units(100):n}/{units(500):n} units "
    "for the report's three headcounts); sites = max({capacity.min_sites:n}, units); volumes (SMS, storage, traffic, "
    "emails) scale linearly from {usage.reference_agents:n} agents; support hours follow each stack's hours at "
    "{usage.reference_agents:n}, {support.mid_agents:n} and {support.high_agents:n} agents where the report states "
    "them (self-hosted {hours('self_hosted', 47):n} / {hours('self_hosted', 100):n} / {hours('self_hosted', 500):n} "
    "h/month, hybrid {hours('hybrid', 47):n} / {hours('hybrid', 100):n} / {hours('hybrid', 500):n}: the report's "
    "support per year at {support.usd_per_hour:$0}/h), a power law between two stated points, and hours at "
    "{usage.reference_agents:n} × (agents/{usage.reference_agents:n})^{support.scale_exponent} where it states one "
    "point only (optimized hybrid).",
    "**Support.** The report's {T(37, 'Total', 'Hours'):n}-hour support table (with "
    "{T(37, 'Feature development', 'Monthly Cost'):$0}/month of feature development) enters no scenario, in the "
    "report or in the engine: scenarios carry each stack's administration hours only.",
    "**TL;DR.** The TL;DR table matches none of the report's own tables: those give self-hosted "
    "{T(9, 'TOTAL', 'Year 1'):$0}, hybrid {T(26, 'TOTAL', 'Year 1'):$0} (optimized {T(27, 'TOTAL', 'Year 1'):$0}), "
    "AWS {T(12, 'TOTAL', 'Annual'):$0} and Hetzner {T(15, 'TOTAL', 'Annual'):$0} in Year 1.",
    "**Cloud comparison table.** Its order is not by cost: DigitalOcean ({T(21, 'DigitalOcean', 'Monthly'):$}) is "
    "cheaper than Azure ({T(21, 'Azure', 'Monthly'):$}) and OVH ({T(21, 'OVH', 'Monthly'):$}) is listed last.",
    "**Hybrid optimized** implements the report's list of key changes (Cloudflare Free + Load Balancing + Argo, "
    "backups on the Mac Studios), which its own table does not ({T(27, 'Cloudflare', 'Year 1'):$0}/year of "
    "Cloudflare Business + Argo, {T(27, 'Email/Backups', 'Year 1'):$0} of email and Backblaze).",
    "**Totals** (`TOTAL`, `Subtotal`) are decomposed row by row: which rows of the same table differ, which engine "
    "lines the table has no row for, and whether the report's own rows add up to its total.",
)


def how_to_read(rec: Reconciliation) -> list[str]:
    names = rec.names(Rule())
    return ["## How to read the differences", "", *(f"- {render(t, names)}" for t in HOW_TO_READ)]


def conclusions(rec: Reconciliation) -> list[str]:
    """The engine's ranking of the full scenarios at the report's headcounts."""
    out = ["## What the engine concludes (full scenarios, bundled defaults)", "",
           "| Agents | Cheapest | 2nd | 3rd | Self-hosted rank | Hybrid rank |", "|---:|---|---|---|---:|---:|"]
    df = compare([47, 100, 500], rec.a)
    for n, block in df.groupby("agents"):
        names = list(block["name"])
        rank = dict(zip(block["scenario"], block["rank"], strict=True))
        out.append(f"| {n} | {names[0]} | {names[1]} | {names[2]} | {rank['self_hosted']} | {rank['hybrid']} |")
    return out


def settles(a: Assumptions, onprem: str, cloud: str, metric: str) -> int | None:
    """First headcount from which ``onprem`` stays cheaper than ``cloud`` (1 if always, None if never)."""
    found = crossings(a, onprem, cloud, metric)
    if found:
        return found[-1].agents if found[-1].cheaper_after == onprem else None
    return 1 if cheaper_throughout(a, onprem, cloud, metric) == onprem else None


def breakeven(rec: Reconciliation) -> list[str]:
    """Where each Mac Studio stack overtakes each cloud, with the engine's LLM choices as they stand."""
    a = rec.a
    clouds = [s.key for s in a.stacks if s.kind == "cloud"]
    onprem = [s.key for s in a.stacks if s.kind != "cloud"]
    never_y1 = all(settles(a, o, c, "year1") is None for o in onprem for c in clouds)
    llm = sorted({s.llm for s in a.stacks if s.kind == "cloud"})
    out = ["## Break-even: where on-premise overtakes each cloud", "",
           "Found by `tco-xl breakeven` on every headcount 1..10,000 (exact, no interpolation). Each cell is the "
           f"headcount from which the Mac Studio stack stays cheaper on {a.finance.horizon_years}-year TCO (`—` never "
           "in 1..10,000; `always` cheaper from 1 agent). LLM inference: the Mac Studio stacks run it themselves; "
           f"the clouds pay {', '.join(llm)} through an API at the engine's token volume. On Year 1 no Mac Studio "
           "stack is ever cheaper than a cloud: "
           + ("confirmed for every pair." if never_y1 else "not so for every pair: see `tco-xl breakeven -m year1`."),
           "", "| Stack | " + " | ".join(clouds) + " |", "|---|" + "---:|" * len(clouds)]
    for stack in onprem:
        cells = (settles(a, stack, c, "tco") for c in clouds)
        out.append(f"| {stack} | " + " | ".join("—" if n is None else "always" if n == 1 else f"{n:,}"
                                               for n in cells) + " |")
    return out


def llm_views(a: Assumptions, model: str) -> dict[str, Assumptions]:
    """The assumptions under each LLM choice, by label: as shipped; the clouds paying nothing for the LLM (the
    report's cloud totals); every stack paying API ``model``; every stack self-hosting (clouds on their GPU servers)."""
    i = a.llm_models.index(a.llm_model(model))
    return {
        "As shipped: the Mac Studios run the LLM, the clouds pay " + model: a,
        "The clouds pay nothing for the LLM (the report's cloud totals)":
            with_factors(a, {f"llm_models[{i}].input_usd_per_1k": 0.0, f"llm_models[{i}].output_usd_per_1k": 0.0}),
        f"Every stack pays {model}": a.with_llm(model),
        "Every stack self-hosts (the clouds on rented GPU servers, GPU column)": a.with_llm("self_hosted"),
    }


def _implied(gap_low: float, gap_high: float, low: int, high: int) -> str:
    """The headcount where a gap (Mac Studio stack − cloud, USD) reaches 0 between two headcounts, interpolated."""
    if gap_low > 0 >= gap_high:
        return f"{low + (high - low) * gap_low / (gap_low - gap_high):,.0f} (interpolated)"
    return f"none in {low:,.0f}–{high:,.0f}"


def llm_choices(rec: Reconciliation) -> list[str]:
    """The break-even the report's own figures imply against the engine's under each LLM choice, side by side."""
    a, stated_line = rec.a, rec.names(Rule())["L"]
    paid = [s.llm for s in a.stacks if s.kind == "cloud"]
    model = max(dict.fromkeys(paid), key=paid.count)
    views = llm_views(a, model)
    horizon = a.finance.horizon_years

    def implied(onprem_lines: tuple[Any, Any]) -> str:
        """The report's 5-year TCO at 100 and 500 agents against its Hetzner's (lines 850, 869), interpolated."""
        low, high = (stated_line(*line) for line in onprem_lines)
        return _implied(low - stated_line(850, 3), high - stated_line(869, 3), 100, 500)

    report = {("hybrid", "hetzner"): f"~{stated_line(39):n} stated (line 39); " + implied(((848, 4), (867, 4))),
              ("self_hosted", "hetzner"): implied(((279, 1), (296, 1)))}
    pairs = [("hybrid", "hetzner"), ("self_hosted", "hetzner"), ("hybrid_optimized", "hetzner"), ("hybrid", "aws"),
             ("hybrid", "cloudflare")]
    out = ["## Break-even by LLM choice: the report's figures and the engine's, side by side", "",
           "The report's Mac Studio stacks run the LLM themselves while its cloud totals contain no LLM at all, and it "
           "prices its per-day token volume as a month. Which side pays for the LLM, and how, decides where the Mac "
           f"Studios pay off. Headcount from which the Mac Studio stack stays cheaper on {horizon}-year TCO "
           "(`tco-xl breakeven`; `—` never in 1..10,000; `always` from 1 agent); the report's column interpolates its "
           "own 100- and 500-agent totals (lines 279, 296, 848, 867 against Hetzner's on lines 850, 869):", "",
           "| Stack vs cloud | The report | " + " | ".join(views) + " |", "|---|---|" + "---:|" * len(views)]
    for onprem, cloud in pairs:
        cells = (settles(v, onprem, cloud, "tco") for v in views.values())
        mine = " | ".join("—" if n is None else "always" if n == 1 else f"{n:,}" for n in cells)
        out.append(f"| {onprem} vs {cloud} | {report.get((onprem, cloud), '—')} | {mine} |")
    return [*out, "", *_driver_table(rec, model)]


def _driver_table(rec: Reconciliation, model: str) -> list[str]:
    """The API price and the tokens per agent per day from which self-hosting pays off, the report's and the
    engine's (``tco-xl breakeven --over price|tokens``)."""
    a, stated_line = rec.a, rec.names(Rule())["L"]
    price_now, tokens_now = blended_price(a, model), a.llm.requests_per_agent_per_day * a.llm.tokens_per_request
    agents, days, volume = stated_line(229, 1), a.usage.working_days_per_month, stated_line(229, 4)
    # lines 829-830: cloud-only $68,071 + LLM API against the optimized hybrid's $71,284 a year: the hybrid pays off
    # above this LLM spend; per 1M tokens at the report's own volume, or in tokens at the model's price
    spend = stated_line(830) - stated_line(829, 1)
    report_price = spend / 12 / (volume / 1e6)
    report_tokens = round(spend / 12 / price_now * 1e6 / (agents * days))
    out = [f"From which API price (USD per 1M tokens; {model} at {a.llm.input_share:.0%} input: "
           f"{fmt(price_now, '$')} now) and which LLM volume (tokens per agent per working day: {fmt(tokens_now, 'n')} "
           "now) self-hosting pays off, at a headcount (`tco-xl breakeven --over price|tokens`). The report's row: "
           f"its cloud-only {fmt(stated_line(829, 1), '$0')} + LLM API against its optimized hybrid's "
           f"{fmt(stated_line(830), '$0')} a year (lines 829–830) make the hybrid pay off above {fmt(spend, '$0')} a "
           f"year of LLM API, i.e. {fmt(report_price, '$')} per 1M tokens at its {fmt(volume, 'n')} tokens a month, or "
           f"{fmt(report_tokens, 'n')} tokens per agent per day at {model}'s price.", "",
           "| Self-hosting vs API | Metric | Agents | Break-even API price | Break-even tokens/agent/day "
           "| Cheaper now |",
           "|---|---|---:|---:|---:|---|",
           "| the report: optimized hybrid vs cloud-only with OpenAI API (lines 829–830) | annual | "
           f"{fmt(agents, 'n')} | {fmt(report_price, '$')} | {fmt(report_tokens, 'n')} | — |"]
    variants, like = like_for_like(a, ["aws", "hetzner"])
    rows = [("hybrid_optimized", "aws", "annual"), ("hybrid_optimized", "aws", "tco"), ("hybrid", "hetzner", "tco"),
            *((own, api, "tco") for own, api in like)]
    for onprem, cloud, metric in rows:
        for n in (47, 100, 500):
            price = llm_breakeven(variants, onprem, cloud, n, "price", metric)
            tokens = llm_breakeven(variants, onprem, cloud, n, "tokens", metric)
            label = f"{variants.stack(onprem).name} vs {variants.stack(cloud).name}"
            now = variants.stack(price.cheaper_now).name if price.cheaper_now != "tie" else "tie"
            out.append(f"| {_cell(label)} | {metric} | {n} | {_first(price)} | {_first(tokens)} | {now} |")
    return out


def _first(r: Any) -> str:
    """A break-even's first value ('from $6.94'), or who is cheaper throughout the range scanned."""
    if not r.crossings:
        return "— (cheaper throughout: " + ("self-hosting" if r.cheaper_now == r.scenario_a else "the API") + ")"
    c = r.crossings[0]
    who = "self-hosting" if c.cheaper_after == r.scenario_a else "the API"
    value = fmt(c.value, "$") if r.driver == "price" else fmt(c.value, "n")
    return f"{who} from {value}"


def figures(rec: Reconciliation) -> list[str]:
    """Every figure, section by section: each table row by row, then the section's prose and headings."""
    out = ["## Every figure, section by section", "",
           "`L` is the line of " + REPORT_LINK + "; `T` numbers the report's tables in order. `=` reproduced, "
           "`≠` differs, `n/c` not comparable. The last column gives the engine quantity that reproduces the figure "
           "(the mapping's expression, `tco_xl/reconcile/mapping.toml`), or why the figures differ, or why there is "
           "no counterpart."]
    for section, rows in _grouped(rec.rows, lambda r: r.figure.section or "(title)"):
        out += ["", f"### {section}"]
        tables = [r for r in rows if r.figure.table]
        prose = [r for r in rows if not r.figure.table]
        for number, trows in _grouped(tables, lambda r: r.figure.table):
            t = rec.report.table(number)
            title = rec.mapping.tables[number].title if number in rec.mapping.tables else t.heading
            out += ["", f"#### T{number} · {title}", "",
                    "| L | Row · column | Report | Engine | | Engine quantity, or why |",
                    "|---:|---|---:|---:|:-:|---|"]
            out += [f"| {r.figure.line} | {_cell(r.figure.row)} · {_cell(r.figure.column)} | {r.figure.text} | "
                    f"{_engine(r)} | {_STATUS[r.status]} | {_explain(r)} |" for r in trows]
        if prose:
            out += ["", f"#### {section}: prose and headings", "",
                    "| L | Figure in its line | Report | Engine | | Engine quantity, or why |",
                    "|---:|---|---:|---:|:-:|---|"]
            out += [f"| {r.figure.line} | {_cell(_in_context(r.figure))} | {r.figure.text} | {_engine(r)} | "
                    f"{_STATUS[r.status]} | {_explain(r)} |" for r in prose]
    return out


def _in_context(f: Figure, width: int = 48) -> str:
    """The figure inside its line, shortened around it: '… Monthly cost: 86.4 kWh × $0.26 = **$22.46**'."""
    before = f.context[:f.start]
    after = f.context[f.start + len(f.text):]
    before = ("…" + before[-width:]) if len(before) > width else before
    after = (after[:24] + "…") if len(after) > 24 else after
    return f"{before}**{f.text}**{after}".replace("*****", "**")


def _grouped(rows: Iterable[Row], key: Callable[[Row], Any]) -> list[tuple[Any, list[Row]]]:
    """Rows grouped by ``key``, in first-seen order."""
    groups: dict[Any, list[Row]] = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return list(groups.items())


#: The document's sections after the title, in order.
SECTIONS: tuple[Callable[[Reconciliation], list[str]], ...] = (
    summary, how_to_read, conclusions, breakeven, llm_choices, figures)


def markdown(rec: Reconciliation) -> str:
    out = ["# Reconciliation with the seed report", "",
           f"Generated by `tco-xl reconcile` from the report itself ({REPORT_LINK}, read figure by figure) and the "
           "engine at the bundled defaults (the report's own rates and usage figures) — do not edit by hand. "
           "Which engine quantity each figure is: `tco_xl/reconcile/mapping.toml`.", ""]
    for section in SECTIONS:
        out += [*section(rec), ""]
    return "\n".join(out).rstrip() + "\n"

