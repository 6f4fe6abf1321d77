"""Write docs/cli.md, the command-line reference, from the CLI's own --help texts.

Usage: python scripts/_cli_reference.py

Every command and sub-command is found by walking the CLI, so a new command appears in the
reference the next time this script runs; tests/cli/test_cli_reference.py fails while the
committed file differs from what this script writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from corridors.cli.app import app

OUT = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
#: A fixed terminal width, so the text wraps the same way on every machine.
COLUMNS = "100"
HEADER = """# Command-line reference

Every `corridors` command with its `--help` text. This file is generated from the CLI itself
by `python scripts/_cli_reference.py`; do not edit it by hand.

Exit codes: `0` success, `1` no route, `2` bad input or data (one line on stderr).
"""


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return the paths of a command and of every sub-command below it, in help order."""
    out = [path]
    if hasattr(group, "list_commands"):  # a group (typer ships its own copy of click)
        ctx = group.context_class(group, info_name="corridors")
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                out += _commands(sub, (*path, name))
    return out


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(
        app, [*path, "--help"], prog_name="corridors", env={"COLUMNS": COLUMNS, "NO_COLOR": "1"}
    )
    if result.exit_code != 0:
        msg = f"corridors {' '.join(path)} --help exited {result.exit_code}: {result.output}"
        raise RuntimeError(msg)
    return "\n".join(line.rstrip() for line in result.output.strip().splitlines())


def render() -> str:
    """Return the text of docs/cli.md."""
    parts = [HEADER]
    for path in _commands(typer.main.get_command(app)):
        title = " ".join(("corridors", *path))
        parts.append(f"## `{title}`\n\n```text\n{_help(path)}\n```\n")
    return "\n".join(parts)


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
