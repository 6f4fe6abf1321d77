"""What a route in a new process imports, with the network cached on disk.

A route read from the data-only cache needs numpy, the CLI's own libraries and the tables
it prints (a plainly written one not even pydantic, see corridors.cli.direct); the heavy
libraries (pandas, networkx, shapely, scipy, the plotting and map libraries) load only for
what uses them. This checks which modules load, never how long
anything takes (speed is measured in benchmarks/).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import run_cli

#: Libraries a route answered from the cache must not import.
HEAVY = ("pandas", "networkx", "shapely", "scipy", "geopandas", "matplotlib", "folium", "pyproj")


def _imported(*args: str) -> set[str]:
    """Run the CLI in a new process and return the top-level modules it imported."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "160"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "corridors", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(tempfile.gettempdir()),
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    assert "corridors" in names and "numpy" in names  # the report was read
    return names


@pytest.mark.parametrize(
    "args",
    [
        ("route", "kz-almaty", "ir-bandar-abbas"),
        ("route", "Tashkent", "Karachi", "--by", "cost", "--mode", "road"),
        ("route", "cn-khorgos", "tr-istanbul", "--via", "az-baku", "--profile", "bulk"),
    ],
    ids=["by-time", "road-by-cost", "via-bulk"],
)
def test_a_cached_route_imports_no_heavy_library(cache_dir: Path, args: tuple[str, ...]) -> None:
    first = run_cli(*args)  # builds the network and writes the cache
    assert first.returncode == 0, first.stderr
    assert any(cache_dir.glob("network-*.json"))
    imported = _imported(*args)
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))
    # the named corridors come from the cache too: no YAML is parsed
    assert "yaml" not in imported
    # plainly written options are read without typer's pydantic adapters
    assert "pydantic" not in imported and "pydantic_core" not in imported


def test_options_typer_must_read_still_import_pydantic(cache_dir: Path) -> None:
    # `--by=cost` is left to typer, which converts values with pydantic: the check above sees it
    first = run_cli("route", "Tashkent", "Karachi")
    assert first.returncode == 0, first.stderr
    assert "pydantic" in _imported("route", "Tashkent", "Karachi", "--by=cost")


def test_the_check_sees_a_heavy_import(cache_dir: Path) -> None:
    # without a cache the tables are read with pandas: the parse above would see it
    imported = _imported("route", "kz-almaty", "ir-bandar-abbas")
    assert "pandas" in imported
