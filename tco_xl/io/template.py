"""Build workbook/TCO.xlsm from the assumptions (the bundled defaults) and xlwings' standalone template.

The template's ``xl/vbaProject.bin`` (the xlwings VBA module, which names ``xlwings64-<version>.dll``)
is carried over with one module added, ``xlwings_udfs`` (the functions' wrappers, ``tco_xl.io.vba``), so that
nobody has to import them; its other streams are copied unchanged (``tco_xl.io.vbaproject``). The template's
``Sheet1`` becomes README and ``_xlwings.conf`` becomes the active
``xlwings.conf``, so their VBA document modules keep their sheets. The build is deterministic: fixed
document times and zip entry times give the same bytes for the same assumptions.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from ..assumptions import GROUPS, Assumptions, default_assumptions
from ..assumptions.overrides import what_if_sets
from ..assumptions.pricelist import DRIVER_HELP
from ..engine import METRICS, evaluate
from ..engine.inputs import COMPARISON_METRICS
from ..errors import TcoError
from ..udfs import BREAKDOWN_HEADER
from .assumption_sheets import (
    BOLD,
    COUNT,
    INPUT,
    MUTED,
    TITLE,
    USD_CENTS,
    USD_WHOLE,
    WRAP,
    define_names,
)

# The assumption sheets' writers are shared with the live workbook (assumption_sheets); this module keeps
# its own short names for them.
from .assumption_sheets import PERCENT as PERCENT  # re-exported: number formats the build uses
from .assumption_sheets import USD as USD
from .assumption_sheets import Validations as _Validations
from .assumption_sheets import choice_lists as _choice_lists
from .assumption_sheets import excel_string as _string
from .assumption_sheets import put as _put
from .assumption_sheets import scalar_sheet as _scalar_sheet
from .assumption_sheets import table_sheet as _table_sheet
from .atomic import make_folder, write_bytes_atomic
from .layout import (
    COMPARE,
    CONF,
    HEADER_ROW,
    INPUTS,
    INPUTS_NAME,
    README,
    SCALAR_SHEETS,
    SCENARIOS,
    SHEET_ORDER,
    TABLE_ROWS,
    TABLE_SHEETS,
    defined_name,
    inputs_shape,
    mirrors,
    quoted,
    sheet_block,
)

__all__ = ["TEMPLATE", "build_workbook", "fill_workbook"]

try:
    import xlwings
except ImportError:  # tco_xl without its excel extra: nothing to build from
    xlwings = None  # type: ignore[assignment]
TEMPLATE = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm" if xlwings else None
UDF_MODULE = "tco_xl.udfs"
VBA_PROJECT = "xl/vbaProject.bin"
# the report's date: document and zip entry times, for identical bytes (naive, as zip and openpyxl times are)
BUILD_TIME = datetime(2026, 2, 24)  # noqa: DTZ001
SCENARIO_AGENTS = (47, 100, 500)

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's "light red fill"
ERROR_FONT = Font(color="9C0006")

# xlwings.conf: keys are read from A1 down to the first blank row (column B); column C is for people.
XLWINGS_CONF = (
    ("Interpreter_Win", "python",
     "The python.exe that has tco_xl installed. 'python' = the first on PATH; or a full path, "
     r"e.g. C:\Users\you\tco\.venv\Scripts\python.exe"),
    ("Interpreter_Mac", None, "Unused: classic xlwings UDFs run on Windows only"),
    ("PYTHONPATH", None, "Blank: tco_xl is pip-installed. Else the folder holding the tco_xl package"),
    ("ADD_WORKBOOK_TO_PYTHONPATH", False,
     "FALSE: tco_xl is installed, and a workbook on OneDrive or SharePoint has a web address, not a folder"),
    ("Conda Path", None, r"Only with Anaconda/Miniconda: its folder, e.g. C:\Users\you\miniconda3"),
    ("Conda Env", None, "Only with Anaconda/Miniconda: the environment that has tco_xl, e.g. base"),
    ("UDF Modules", UDF_MODULE, "The Python module whose functions this workbook calls (keep as is)"),
    ("Debug UDFs", False, "TRUE only to debug the functions from a Python IDE"),
    ("Use UDF Server", False, "Applies to RunPython macros only; this workbook has none"),
    ("Show Console", False, "TRUE shows Python's console window (to see start-up errors)"),
)


class TemplateError(TcoError):
    """The xlwings template is missing or not what the build expects."""


# -- sheets ---------------------------------------------------------------------------------------------

def _with_horizon(text: str) -> str:
    """``text`` with N (the horizon in years) as a formula on the Finance sheet's value ('5-year TCO (USD)')."""
    parts = re.split(r"\bN\b", text)
    if len(parts) == 1:
        return text
    horizon = defined_name("finance.horizon_years")
    terms = [term for i, p in enumerate(parts) for term in ([horizon] if i else []) + ([_string(p)] if p else [])]
    return "=" + "&".join(terms)


_METRIC_FORMATS = {"per_agent_month": USD_CENTS}  # other money metrics in whole dollars


def _error_count(ws: Worksheet, results: str) -> None:
    """Row 3: how many cells of ``results`` show an error (a '#TCO! ...' text, or an Excel error other
    than #N/A), highlighted when not zero; every '#TCO!' cell of ``results`` in red, too."""
    _put(ws, 3, 1, "Cells showing an error (0 when all is well; see README)", BOLD)
    _put(ws, 3, 2, f'=COUNTIF({results},"#TCO!*")+SUMPRODUCT(ISERR({results})*1)', BOLD, COUNT, formula=True)
    ws.conditional_formatting.add("B3", CellIsRule(operator="greaterThan", formula=["0"], fill=ERROR_FILL,
                                                   font=ERROR_FONT))
    first = results.split(":")[0]
    ws.conditional_formatting.add(results, FormulaRule(formula=[f'LEFT({first},5)="#TCO!"'], font=ERROR_FONT))


def _scenarios_sheet(ws: Worksheet, a: Assumptions) -> None:
    """Every stack by metric and headcount (headcounts in row 4), then the cost drivers: one spilling
    call per block (a column of keys by the row of headcounts), each an array formula of its size."""
    _put(ws, 1, 1, "TCO by scenario and headcount", TITLE)
    _put(ws, 2, 1, "Every figure is a tco_xl function (see README). Edit the headcounts in blue; the assumptions "
                   "are on the sheets Usage to Stacks.", MUTED)
    _put(ws, 4, 1, "Agents", BOLD)
    _put(ws, 4, 2, "Key", MUTED)
    cols = range(3, 3 + len(SCENARIO_AGENTS))
    for col, n in zip(cols, SCENARIO_AGENTS, strict=True):
        _put(ws, 4, col, n, Font(color="0000FF", bold=True), COUNT)
    left, right = get_column_letter(cols[0]), get_column_letter(cols[-1])
    agents = f"${left}$4:${right}$4"

    def block(top: int, labels: list[tuple[str, str | None]], call: str, fmt: str | None) -> int:
        """Rows of (label, key) from ``top`` and one array formula over them; returns the next free row."""
        for row, (label, key) in enumerate(labels, start=top):
            _put(ws, row, 1, _with_horizon(label), formula=True)
            if key is not None:
                _put(ws, row, 2, key, MUTED)
        bottom = top + len(labels) - 1
        ws[f"{left}{top}"] = ArrayFormula(f"{left}{top}:{right}{bottom}",
                                          "=" + call.format(keys=f"$B${top}:$B${bottom}", agents=agents))
        for row in range(top, bottom + 1):
            for col in cols:
                ws.cell(row=row, column=col).number_format = fmt or "General"
        return bottom + 1

    row = 6
    for metric in ("year1", "annual", "tco", "per_agent_month"):
        label, unit, _ = METRICS[metric]
        _put(ws, row, 1, _with_horizon(f"{label} ({unit})"), BOLD, formula=True)
        row = block(row + 1, [(s.name, s.key) for s in a.stacks], f'TCO({{keys}},{{agents}},"{metric}",{INPUTS_NAME})',
                    _METRIC_FORMATS.get(metric, USD_WHOLE)) + 1
    _put(ws, row, 1, "Cost drivers", BOLD)
    row += 1
    for label, call, fmt in (("Cheapest by N-year TCO", "TCO_CHEAPEST({agents},%s)", None),
                             ("Twilio telephony (USD/month)", 'TWILIO_COST({agents},"monthly",%s)', USD_CENTS),
                             ("Mac Studios needed (units)", "MAC_STUDIOS_NEEDED({agents},%s)", COUNT)):
        row = block(row, [(label, None)], call % INPUTS_NAME, fmt)
    row = block(row, [(f"LLM API, {m.name} (USD/month)", m.key) for m in a.llm_models],
                f'LLM_API_COST({{keys}},{{agents}},"monthly",{INPUTS_NAME})', USD_CENTS)
    _error_count(ws, f"{left}6:{right}{row - 1}")
    for letter, width in zip("ABCDE", (52, 18, 16, 16, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "C5"


def _array(ws: Worksheet, top: int, rows: int, header: list[str], formula: str, formats: dict[int, str]) -> None:
    """An array formula over ``rows`` result rows below a header row; ``formats`` by 1-based column."""
    last = f"{get_column_letter(len(header))}{top + rows}"
    ws[f"A{top}"] = ArrayFormula(f"A{top}:{last}", formula)
    for col, fmt in formats.items():
        for row in range(top + 1, top + rows + 1):
            ws.cell(row=row, column=col).number_format = fmt


def _compare_sheet(ws: Worksheet, a: Assumptions, lists: dict[str, str]) -> None:
    """TCO_COMPARE and TCO_BREAKDOWN as array formulas over the size of their results for ``a`` (with any of its
    what-ifs: the what-if cell B5 applies to both)."""
    agents = SCENARIO_AGENTS[0]
    _put(ws, 1, 1, "Scenarios side by side, and one scenario's line items", TITLE)
    _put(ws, 2, 1, "Array formulas of a fixed size (see README): after adding a scenario or line, resize them or, "
                   "in Excel 365, retype the formula in the top-left cell alone and it spills.", MUTED)
    _put(ws, 4, 1, "Agents", BOLD)
    _put(ws, 4, 2, agents, INPUT, COUNT)
    _put(ws, 5, 1, "What-if (blank: none; see the What-ifs sheet)", BOLD)
    _put(ws, 5, 2, None, INPUT)
    header = ["Scenario", *COMPARISON_METRICS, "Cheapest"]
    _array(ws, 6, len(a.stacks), header, f"=TCO_COMPARE(B4,{INPUTS_NAME},$B$5)",
           {col: _METRIC_FORMATS.get(m, USD_WHOLE) for col, m in enumerate(COMPARISON_METRICS, start=2)})
    scenario_row = 6 + len(a.stacks) + 3
    _put(ws, scenario_row, 1, "Scenario (key or name)", BOLD)
    _put(ws, scenario_row, 2, next((s.key for s in a.stacks if s.kind == "hybrid"), a.stacks[0].key), INPUT)
    rules = _Validations()
    rules.choice(lists["stacks"], f"B{scenario_row}", strict=False)
    rules.choice(lists["what_ifs"], "B5", strict=False)
    rules.apply(ws)
    _put(ws, scenario_row + 1, 1, "Agents", BOLD)
    _put(ws, scenario_row + 1, 2, agents, INPUT, COUNT)
    variants = [a, *(a.with_what_ifs([w.name]) for w in what_if_sets(a))]
    lines = max(len(r.components) for b in variants for r in evaluate(b, agents).values())
    _array(ws, scenario_row + 3, lines, BREAKDOWN_HEADER,
           f"=TCO_BREAKDOWN(B{scenario_row},B{scenario_row + 1},{INPUTS_NAME},$B$5)",
           {col: USD_CENTS for col, title in enumerate(BREAKDOWN_HEADER, start=1) if "(USD)" in title})
    _error_count(ws, f"A6:{get_column_letter(len(BREAKDOWN_HEADER))}{scenario_row + 3 + lines}")
    for letter, width in zip("ABCDEFGH", (40, 44, 14, 14, 16, 16, 16, 90), strict=True):
        ws.column_dimensions[letter].width = width


def _inputs_sheet(ws: Worksheet, lists: dict[str, list[str]]) -> dict[str, str]:
    """The ``TCO_INPUTS`` block (``layout.mirrors``) and, right of it, the drop-down lists; returns each list's
    range. Each run of mirrored columns is one array formula, blank cells as "" (a plain reference would show
    0)."""
    for m in mirrors():
        source = quoted(m.sheet)
        for first, last, left in m.runs():
            cells = f"{get_column_letter(first)}1:{get_column_letter(last)}{m.rows}"
            target = f"{get_column_letter(left)}{m.top}:{get_column_letter(left + last - first)}{m.top + m.rows - 1}"
            ws[target.split(":")[0]] = ArrayFormula(target, f'=IF(ISBLANK({source}!{cells}),"",{source}!{cells})')
    ranges = {}
    for col, (name, items) in enumerate(lists.items(), start=inputs_shape()[1] + 2):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name).font = BOLD
        for row, item in enumerate(items, start=2):
            ws.cell(row=row, column=col, value=item)
        ranges[name] = f"{quoted(INPUTS)}!${letter}$2:${letter}${len(items) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _conf_sheet(ws: Worksheet) -> None:
    ws.delete_rows(1, ws.max_row)
    for row, (key, value, note) in enumerate(XLWINGS_CONF, start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value).font = INPUT
        ws.cell(row=row, column=3, value=note).font = MUTED
    notes = ("xlwings reads the keys in column A from A1 down to the first blank row, and their values in column B.",
             "These settings override the xlwings add-in's and any xlwings.conf file. Column C is ignored.")
    for row, text in enumerate(notes, start=len(XLWINGS_CONF) + 2):
        ws.cell(row=row, column=1, value=text).font = MUTED
    for letter, width in zip("ABC", (18, 18, 100), strict=True):
        dim = ws.column_dimensions[letter]
        dim.min = dim.max = ws[f"{letter}1"].column  # the template's C spans C:XFD
        dim.width = width


# -- README ---------------------------------------------------------------------------------------------

def _windows_setup(version: str) -> tuple[str, ...]:
    """The one-time setup on Windows, for xlwings ``version`` (the README sheet; docs/excel-windows.md in full)."""
    return (
        "Classic xlwings functions need Excel 2019, 2021 or 365 on Windows and a local Python of the same bitness as "
        "Excel (64-bit for 64-bit Excel). Excel on Mac or the web: use xlwings Lite (docs/excel-mac-web.md). Once "
        "per PC:",
        "1. Install Python 3.11 or newer from python.org (tick 'Add python.exe to PATH'). Then close every Excel "
        "window and start Excel again: Excel finds Python through the PATH it started with.",
        f'2. In a Command Prompt: pip install "<folder of the tco_xl repository>[excel]". This installs tco_xl and '
        f"xlwings {version} with its xlwings64-{version}.dll; the workbook's VBA calls exactly that version, so do not "
        "upgrade xlwings on its own.",
        "3. Unblock the file: right-click TCO.xlsm > Properties > tick Unblock (files from e-mail or the web open "
        "with macros blocked). Open it and click Enable Content.",
        "4. Nothing to import: the functions' VBA wrappers (the module xlwings_udfs) are in this workbook. Only "
        "after an update of tco_xl, in your copy: Alt+F11, right-click the module xlwings_udfs > Remove "
        "xlwings_udfs > No, then File > Import File... > xlwings_udfs.bas (next to TCO.xlsm), close the editor and "
        "save. (Importing without removing the old module creates xlwings_udfs1 and every function twice.)",
        "5. If the python on PATH is not the one with tco_xl (e.g. a virtual environment), type the full path of that "
        "python.exe in the xlwings.conf sheet, cell B1 (Interpreter_Win). Keep UDF Modules = tco_xl.udfs and "
        "ADD_WORKBOOK_TO_PYTHONPATH = FALSE.",
        "6. Press Ctrl+Alt+F9: the Scenarios and Compare sheets fill in, and their error counts show 0.",
        "Alt+F8 also lists SampleCall and SampleRemoteCall: they come with xlwings' workbook template and are not "
        "part of tco_xl (SampleCall fails with 'No module named TCO'); do not run them.",
        "A cell showing #NAME?: macros are disabled (step 3) or the module xlwings_udfs was removed (step 4). "
        "'Could not load xlwings64-...dll' or 'Could not activate Python COM server': restart Excel (step 1), check "
        "step 2 (xlwings version) and step 5 (interpreter); set Show Console to TRUE on xlwings.conf to see Python's "
        "messages. A cell showing '#TCO! ...' names the argument or the sheet!cell that is wrong; 'tco-xl workbook "
        "check TCO.xlsm' lists every bad cell at once.",
    )


def _first_line(model: type) -> str:
    """The first line of an assumption group's docstring: what its sheet holds."""
    if not model.__doc__:
        raise TypeError(f"{model.__name__} has no docstring to describe its sheet")
    return model.__doc__.splitlines()[0]


def _readme_lines(a: Assumptions) -> list[tuple[str, Font | None]]:
    """README sheet text, one (text, font) per row; '' is a blank row."""
    horizon = a.finance.horizon_years
    lines: list[tuple[str, Font | None]] = [
        ("TCO.xlsm: total cost of ownership of contact-center infrastructure", TITLE),
        ("Every assumption the tco_xl engine prices with lives in a cell of this workbook: Twilio rates, usage, "
         "hardware and power, cloud providers' price lines, services, support, capacity rules and finance settings. "
         "The engine reads these cells and nothing else: no figure is hidden in code.", None),
        (f"It compares self-hosted Mac Studios, hybrid and {sum(s.kind == 'cloud' for s in a.stacks)} cloud scenarios "
         f"by Year 1, annual and {horizon}-year cost. Built by 'tco-xl workbook build' from the report's figures.",
         None),
        ("", None), ("How to use it", BOLD),
        ("Edit blue cells only. On the assumption sheets each row is one assumption: Key (do not change), "
         "Assumption, Value, Unit, Low/High (the range used by sensitivity and Monte Carlo; blank = the default band "
         "its Source names, else none; Low = High = Value holds it fixed), Source, Note. Drop-downs and input "
         "rules guard the cells; the engine checks them again when it reads the workbook.",
         None),
        ("Add a provider: add its lines on Providers (same Group on each line), then a row on Stacks with "
         "kind = cloud and that provider; TCO_COMPARE lists it at once, and a copy of a cloud row on Scenarios with "
         "its key (=TCO_CLOUD(\"key\",C$4,\"tco\")) shows it there. Add a line: add a row anywhere in the table. "
         "A table ends at its first blank row; do not leave blank rows inside a table.", None),
        ("LLM and voice AI per scenario (Stacks): LLM = self_hosted (the Mac Studios run it), a key of LLM models (an "
         "API, per token) or a group of GPU servers (rented servers, as many as the load needs); Voice AI the same, or "
         "a voice group on Options; Usage sets how much is transcribed and synthesised (0 = none, as the report). "
         "=TCO_LLM_BREAKEVEN(\"hetzner\",47,\"price\",,,TCO_INPUTS) gives the API price from which self-hosting "
         "pays off.", None),
        ("Results: the Scenarios sheet prices every scenario at the headcounts in its blue cells; the Compare sheet "
         "holds the side-by-side table and one scenario's line items, with a what-if applied when its cell B5 names "
         "one.", None),
        ("What-ifs: each row of the What-ifs sheet sets one assumption (its key as the sheets and snapshots name it, "
         "e.g. telephony.outbound_usd_per_min or providers[aws|S3 Standard].unit_price) to a value; the rows sharing "
         "a name make one what-if. Name one after TCO_INPUTS in any function, e.g. =TCO_HYBRID(47,,,TCO_INPUTS,\"SIP "
         "trunking\"), or a range of names to apply several in order. 'tco-xl levers' prices every what-if in every "
         "scenario, ranked, beside what the report claims for it.", None),
        ("", None), ("Where to edit", BOLD),
    ]
    lines += [(f"{sheet}: {_first_line(GROUPS[group])}", None) for group, sheet in SCALAR_SHEETS.items()]
    lines += [(f"{t.name}: {t.description}.", None) for t in TABLE_SHEETS]
    lines += [(f"{CONF}: how Excel finds Python (see the setup below). {INPUTS} (hidden): {INPUTS_NAME}, the "
               "copy of every input the functions read, and the drop-down lists.", None)]
    lines += [
        ("", None), ("How the figures stay current", BOLD),
        (f"Every function on Scenarios and Compare takes {INPUTS_NAME} as its last argument: the hidden sheet "
         f"{INPUTS} mirrors every input cell of the sheets Usage to Stacks into that one block. Excel recalculates "
         "a function when an input changes, and an edit anywhere else recalculates none. Pass it in your own formulas "
         f"too, e.g. =TCO_HYBRID(47,,,{INPUTS_NAME}) or =TCO_CLOUD(\"aws\",B3,\"tco\",{INPUTS_NAME}). Without it "
         "(=TCO_HYBRID(47)) classic Excel recalculates that cell after every edit and it reads the sheets itself "
         "(slower); xlwings Lite cannot, and the cell asks for the argument.", None),
        ("SUM skips text, so a total over cells showing '#TCO! ...' would be silently low: row 3 of Scenarios and "
         "Compare counts the cells showing an error (red when not 0). Guard your own totals the same way, e.g. "
         "=IF(COUNTIF(C7:C18,\"#TCO!*\")>0,NA(),SUM(C7:C18)).", None),
        ("Without Excel: 'tco-xl report --workbook TCO.xlsm --agents 47 --agents 500' prints the same figures; "
         "'tco-xl workbook check TCO.xlsm' validates every cell and lists all problems with their sheet!cell.", None),
        ("", None), ("Limits", BOLD),
        ("Inputs must stay within each sheet's input block: "
         + "; ".join(f"{sheet} {sheet_block(sheet)}" for sheet in (SCALAR_SHEETS["usage"],
                                                                     *(t.name for t in TABLE_SHEETS)))
         + f" (the sheets Usage to Finance alike; up to {TABLE_ROWS - HEADER_ROW} rows per table). {INPUTS_NAME} "
         "mirrors these blocks and the functions see nothing else: 'tco-xl workbook check TCO.xlsm' names any cell "
         "outside them.", None),
        ("Scenarios and Compare: each block of results is one function call entered as an array formula over the "
         "size of its result for the built assumptions, which works in every Excel version (Excel 2019 has no "
         "spilling); cells beyond a shorter result show #N/A, and rows beyond the range are cut off. After adding "
         "scenarios or lines, select a larger range and re-enter with Ctrl+Shift+Enter, or in Excel 365 type the "
         "formula in the top-left cell only: it spills to its size.", None),
        ("", None), ("One-time setup on Windows", BOLD),
    ]
    lines += [(text, None) for text in _windows_setup(xlwings.__version__)]
    lines += [("", None), ("Table columns", BOLD)]
    for sheet in TABLE_SHEETS:
        for column in sheet.columns:
            doc = sheet.model.model_fields[column.field].description or ""
            lines.append((f"{sheet.name} / {column.header}: {doc}".rstrip(": "), None))
    lines += [(f"Driver '{name}': quantity = {text}.", None) for name, text in DRIVER_HELP.items()]
    return lines


README_WIDTH = 120  # characters


def _readme_sheet(ws: Worksheet, a: Assumptions) -> None:
    for row, (text, font) in enumerate(_readme_lines(a), start=1):
        cell = _put(ws, row, 1, text or None, font)
        cell.alignment = WRAP
        # Row heights are set, not left to the application: not every spreadsheet auto-fits wrapped rows.
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(text) * 1.1 / README_WIDTH)) + (6 if font else 0)
    ws.column_dimensions["A"].width = README_WIDTH


# -- the workbook ---------------------------------------------------------------------------------------

def fill_workbook(wb: openpyxl.Workbook, a: Assumptions) -> None:
    """Write every sheet of the layout into ``wb`` (creating missing ones) in layout order, and the names."""
    for name in SHEET_ORDER:
        if name not in wb.sheetnames:
            wb.create_sheet(name)
    lists = _inputs_sheet(wb[INPUTS], _choice_lists(a))
    _readme_sheet(wb[README], a)
    _scenarios_sheet(wb[SCENARIOS], a)
    _compare_sheet(wb[COMPARE], a, lists)
    for group, sheet in SCALAR_SHEETS.items():
        _scalar_sheet(wb[sheet], group, a, lists)
    for table in TABLE_SHEETS:
        _table_sheet(wb[table.name], table, a, lists)
    _conf_sheet(wb[CONF])
    for index, name in enumerate(SHEET_ORDER):
        wb.move_sheet(name, index - wb.sheetnames.index(name))
    wb.active = wb.sheetnames.index(README)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == README
    define_names(wb)
    rows, columns = inputs_shape()
    wb.defined_names[INPUTS_NAME] = DefinedName(INPUTS_NAME,
                                                attr_text=f"{quoted(INPUTS)}!$A$1:${get_column_letter(columns)}${rows}")


def _from_template() -> openpyxl.Workbook:
    """The xlwings standalone template with its sample sheet renamed README and its config sheet activated."""
    if xlwings is None or TEMPLATE is None:
        raise TemplateError("the workbook is built from xlwings' template: pip install 'tco_xl[excel]'")
    if not TEMPLATE.is_file():
        raise TemplateError(f"xlwings template not found: {TEMPLATE} (is xlwings {xlwings.__version__} installed?)")
    wb = openpyxl.load_workbook(TEMPLATE, keep_vba=True)
    if wb.sheetnames != ["Sheet1", "_xlwings.conf"]:
        raise TemplateError(f"{TEMPLATE}: expected the sheets Sheet1 and _xlwings.conf, found {wb.sheetnames}")
    wb["Sheet1"].title = README
    wb["_xlwings.conf"].title = CONF
    return wb


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry BUILD_TIME, so equal content gives equal bytes; parts named in ``replaced``
    are written with that content instead."""

    def __init__(self, *args: Any, replaced: dict[str, bytes] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replaced = replaced or {}

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        data = self.replaced.get(name, data)
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=BUILD_TIME.timetuple()[:6])
            zinfo_or_arcname.compress_type = self.compression
            zinfo_or_arcname.external_attr = 0o600 << 16
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None) -> None:
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes(), compress_type, compresslevel)


def workbook_bytes(a: Assumptions | None = None) -> bytes:
    """TCO.xlsm's content for ``a`` (default: the bundled defaults): the template's VBA project with the
    functions' wrapper module added (``xlwings_udfs``, as ``xlwings_udfs.bas`` holds it)."""
    from openpyxl.writer.excel import ExcelWriter

    from .vba import BAS_ENCODING, VBA_MODULE, bas_bytes
    from .vbaproject import add_module
    wb = _from_template()
    try:
        fill_workbook(wb, a or default_assumptions())
        wb.properties.creator = wb.properties.lastModifiedBy = "tco-xl workbook build"
        wb.properties.title = "TCO assumptions"
        wb.properties.created = wb.properties.modified = BUILD_TIME
        project = add_module(wb.vba_archive.read(VBA_PROJECT), VBA_MODULE, bas_bytes(UDF_MODULE).decode(BAS_ENCODING))
        buffer = io.BytesIO()
        with _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, replaced={VBA_PROJECT: project}) as archive:
            ExcelWriter(wb, archive).write_data()
        return buffer.getvalue()
    finally:
        wb.vba_archive.close()


def build_workbook(out: Path, a: Assumptions | None = None) -> Path:
    """Write TCO.xlsm to ``out`` atomically, and xlwings_udfs.bas (the VBA wrappers of the functions) beside it."""
    from .vba import write_bas
    out = Path(out)
    make_folder(out.parent)
    write_bytes_atomic(out, workbook_bytes(a))
    write_bas(UDF_MODULE, out.with_name("xlwings_udfs.bas"))
    return out
