"""The one timing helper the benchmark scripts share (run them as `python benchmarks/<name>.py`)."""

from __future__ import annotations

import statistics
import time
from typing import Callable


def median_seconds(fn: Callable[[], object], repeat: int, number: int = 1,
                   setup: Callable[[], object] | None = None) -> float:
    """Median over ``repeat`` runs of the time of one call; each run times ``number`` calls after ``setup``."""
    runs = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs)
