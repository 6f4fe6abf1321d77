"""The console tables print to: the terminal's width, or every column with ``--wide``."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide", help="Show every table column, however wide (default: fit the terminal)."
    ),
]

#: Width of tables when output is neither a terminal nor sized by ``COLUMNS`` (a pipe, a file).
PIPE_WIDTH = 160


def console(wide: bool = False) -> Any:
    """Return a rich console sized by ``--wide``, ``COLUMNS``, the terminal, else 160."""
    from rich.console import Console

    from corridors.outputs.table_fit import WIDE

    if wide:
        width: int | None = WIDE
    elif os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        width = None  # rich reads COLUMNS, else asks the terminal
    else:
        width = PIPE_WIDTH
    return Console(soft_wrap=False, width=width)
