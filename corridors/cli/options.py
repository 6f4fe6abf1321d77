"""Command-line options that several commands share, each declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

GeodataOpt = Annotated[
    Path | None,
    typer.Option("--geodata", help="Geodata folder to use instead of the shipped one."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite output files that exist.")]
