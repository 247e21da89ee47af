"""The `tco-xl` command line: thin commands over the engine, the workbook I/O and the analyses."""

from __future__ import annotations

# Import order is the order of the commands in --help: keep it.
# isort: off
from .app import app
from . import reconcile, report  # noqa: F401  (register commands)
from . import snapshot  # noqa: F401  (registers export, diff)
from . import analysis  # noqa: F401  (registers breakeven, sensitivity, simulate, cashflow)
from . import levers  # noqa: F401  (registers levers)
from . import workbook  # noqa: F401  (registers workbook build, workbook check)
from . import lite  # noqa: F401  (registers lite)
# isort: on


def main() -> None:
    """Entry point of the `tco-xl` console script."""
    app()
