"""docs/cli.md is what scripts/_cli_reference.py writes from the CLI's current help."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script() -> object:
    path = ROOT / "scripts" / "_cli_reference.py"
    spec = importlib.util.spec_from_file_location("_cli_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date() -> None:
    rendered = _script().render()  # type: ignore[attr-defined]
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert rendered == committed, "docs/cli.md is stale: run `python scripts/_cli_reference.py`"


def test_cli_reference_covers_every_command() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in ("route", "compare", "skim", "map", "export", "data validate", "data show"):
        assert f"## `corridors {command}`" in text
        assert f"Usage: corridors {command} [OPTIONS]" in text
