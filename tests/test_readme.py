"""The README quotes the snapshot's Summary sentences at the bundled defaults: the quote must be what the
engine says today (a change of defaults or rules that moves a figure fails here until the README is updated)."""
import re
from pathlib import Path

from tco_xl import default_assumptions
from tco_xl.io.snapshot import provenance, snapshot_data
from tco_xl.io.snapshot_summary import cheapest_over_headcounts, llm_assumption, recommendations

README = Path(__file__).resolve().parents[1] / "README.md"


def quoted_sentences() -> list[str]:
    """The README's blockquote bullets, each joined onto one line."""
    text = README.read_text(encoding="utf-8")
    bullets = re.findall(r"^> - (.+?)(?=^> - |^(?!> ))", text, flags=re.M | re.S)
    return [" ".join(b.replace("\n> ", " ").split()) for b in bullets]


def test_readme_quotes_the_summary_at_the_defaults():
    d = snapshot_data(default_assumptions(), [47, 100, 500], provenance(None), analysis=False)
    expected = [*recommendations(d), *cheapest_over_headcounts(d), *llm_assumption(d)]
    assert quoted_sentences() == expected
