"""Shared fixtures: the shipped network (loaded once) and the toy network for unit tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import corridors
from corridors.graph import cache as disk
from corridors.graph import network as network_module
from corridors.graph.network import Network

TOY = Path(__file__).parent / "fixtures" / "toy"

# Property tests: the suite runs the quick profile (hypothesis' usual 100 examples); run
# `HYPOTHESIS_PROFILE=thorough pytest tests/test_fuzz_inputs.py` (10,000 examples per
# property) once before each release, as docs/robustness.md says. Tests that set their own
# max_examples keep it.
settings.register_profile("quick", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # Never write the user's cache from tests.
    os.environ["CORRIDORS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def net() -> Network:
    """The real shipped network."""
    return corridors.load_network()


@pytest.fixture(scope="session")
def toy() -> Network:
    """A hand-made nine-node network with known answers (tests/fixtures/toy)."""
    return corridors.load_network(TOY, cache=False)


def run_cli(
    *args: str, cwd: Path | None = None, columns: int = 160
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a subprocess, as a user would, in a terminal ``columns`` wide."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "corridors", *args],
        capture_output=True,
        text=True,
        env=env,
        # outside the checkout, so `python -m corridors` runs the installed package
        cwd=cwd or Path(tempfile.gettempdir()),
        timeout=300,
        check=False,
    )


def one_line_error(stderr: str) -> str:
    """Assert the CLI wrote exactly one ``error: ...`` line and no traceback; return it."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private, empty network cache for one test; the session's network stays in memory."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(folder))
    monkeypatch.setattr(disk, "_WARNED", set())
    kept = dict(network_module._MEMORY)
    network_module._MEMORY.clear()
    yield folder
    network_module._MEMORY.clear()
    network_module._MEMORY.update(kept)
