"""The folders the scale benchmarks write validate."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.routing.network_checks import validate

pytestmark = pytest.mark.slow


def test_a_scaled_folder_validates_without_a_problem(tmp_path: Path) -> None:
    from benchmarks.big_geodata import write

    folder = tmp_path / "geodata"
    written = write(folder, 3000)
    report = validate(folder)
    assert report.problems == []
    assert written >= 3000 and report.counts["links"] == written
