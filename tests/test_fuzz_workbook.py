"""A sample of the workbook fuzzer (tools/fuzz_workbook.py): 100 seeded cases, each refused with a clear error or
read with the right numbers. The full run (1,100 cases) is `python -m tools.fuzz_workbook`; docs/robustness.md."""

from __future__ import annotations

from collections import Counter

from tools.fuzz_workbook import FAILURES, MUTATIONS, build_case, fuzz

SEED = 2026  # the full run uses seed 0: the sample sees other cases
SAMPLE = range(100)


def test_a_sample_of_mutated_workbooks_never_crashes_nor_reads_a_wrong_number():
    outcomes = fuzz(SAMPLE, SEED)
    kinds = Counter(o.kind for o in outcomes)
    bad = [o for o in outcomes if o.kind in (*FAILURES, "refused-valid")]
    assert not bad, "\n\n".join(f"case {o.case} ({o.kind}: {', '.join(o.mutations)}):\n  " + "\n  ".join(o.notes)
                                + f"\n  {o.detail[:1500]}  (rerun: python -m tools.fuzz_workbook --seed {SEED} "
                                  f"--case {o.case})" for o in bad)
    assert kinds["error"] >= 30 and kinds["accepted"] >= 10, kinds  # the sample exercises both sides
    assert len({m for o in outcomes for m in o.mutations}) >= len(MUTATIONS) * 2 // 3  # and most mutation kinds


def test_a_case_is_the_same_file_on_every_run():
    first, drawn = build_case(17, SEED)
    again, _ = build_case(17, SEED)
    assert first.data == again.data and first.notes == again.notes and drawn
