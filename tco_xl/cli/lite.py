"""`tco-xl lite`: the files a team hosts and pastes for xlwings Lite (Excel on Mac, on the web, Windows without
Python)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, console, user_errors


@app.command()
@user_errors
def lite(
    url: Annotated[str, typer.Option("--url", help="The https address of the folder the wheel will be put in, "
                                                   "e.g. https://files.example.org/tco/.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the wheel, requirements.txt and "
                                                          "main.py into (created if missing).", file_okay=False)]
    = Path("dist/lite"),
) -> None:
    """Build the tco_xl wheel and write xlwings Lite's requirements.txt (naming the wheel at URL) and main.py."""
    from ..io.lite_bundle import lite_bundle
    b = lite_bundle(url, out)
    console.print(f"{b.wheel}\n  put it at {b.wheel_url}\n{b.requirements}\n  paste into Lite's requirements.txt "
                  f"tab\n{b.main}\n  paste into Lite's main.py tab (docs/excel-mac-web.md)", highlight=False)
