"""tco_xl's Excel functions in xlwings Lite: Excel on Windows, Mac and the web, with Python in the browser.

Paste this file into the xlwings Lite editor (its main.py) and add the tco_xl wheel to its requirements.txt
(`tco-xl lite --url ...` writes both and the wheel; steps in docs/excel-mac-web.md). Lite registers every decorated function it finds in
this module: these are tco_xl's own functions (tco_xl.udfs, the ones classic Excel calls), decorated there by
the xlwings that Lite provides. Pass the workbook's TCO_INPUTS after the other arguments, e.g.
=TCO_HYBRID(47,,,TCO_INPUTS) (a what-if's name may follow it): a Lite function sees only its arguments.
"""

from tco_xl.udfs import (
    LLM_API_COST,
    MAC_STUDIOS_NEEDED,
    TCO,
    TCO_BREAKDOWN,
    TCO_BREAKEVEN,
    TCO_CHEAPEST,
    TCO_CLOUD,
    TCO_COMPARE,
    TCO_EXPLAIN,
    TCO_HYBRID,
    TCO_LLM_BREAKEVEN,
    TCO_NPV,
    TCO_PERCENTILE,
    TCO_PROB_CHEAPEST,
    TCO_SELF_HOSTED,
    TCO_SENSITIVITY,
    TWILIO_COST,
)

__all__ = ["LLM_API_COST", "MAC_STUDIOS_NEEDED", "TCO", "TCO_BREAKDOWN", "TCO_BREAKEVEN", "TCO_CHEAPEST", "TCO_CLOUD",
           "TCO_COMPARE", "TCO_EXPLAIN", "TCO_HYBRID", "TCO_LLM_BREAKEVEN", "TCO_NPV", "TCO_PERCENTILE",
           "TCO_PROB_CHEAPEST", "TCO_SELF_HOSTED", "TCO_SENSITIVITY", "TWILIO_COST"]
