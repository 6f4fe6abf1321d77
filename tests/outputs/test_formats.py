"""One registry of output formats: what each object can be written as, and the refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import corridors
from corridors.outputs.formats import (
    FIGURE_FORMATS,
    FORMATS,
    MAP_FORMATS,
    RESULT_FORMATS,
    TABLE_FORMATS,
    pick,
)
from corridors.outputs.table_files import WRITERS


def test_every_table_format_has_a_writer_and_every_format_a_kind() -> None:
    assert set(WRITERS) == set(TABLE_FORMATS)
    assert {f.kind for f in FORMATS.values()} == {"table", "map", "figure"}
    assert set(MAP_FORMATS) == {".html", *FIGURE_FORMATS}
    assert set(RESULT_FORMATS) == set(TABLE_FORMATS) | set(FIGURE_FORMATS)


def test_a_known_format_an_object_cannot_take_names_those_it_can(tmp_path: Path) -> None:
    with pytest.raises(corridors.OutputError) as err:
        pick(tmp_path / "x.png", TABLE_FORMATS, "export")
    text = str(err.value)
    assert "cannot write" in text and "an export cannot be written as PNG" in text
    assert text.endswith(", ".join(TABLE_FORMATS))


@pytest.fixture(scope="module")
def comparison(net: corridors.Network) -> corridors.scenarios.ScenarioComparison:
    return corridors.load_scenario("rasht-astara-open").compare(net)


def test_a_scenario_comparison_writes_every_table_format(
    comparison: corridors.scenarios.ScenarioComparison, tmp_path: Path
) -> None:
    for suffix in TABLE_FORMATS:
        out = comparison.write(tmp_path / f"comparison{suffix}")
        assert out.stat().st_size > 0, suffix
    back = pd.read_excel(tmp_path / "comparison.xlsx", sheet_name="scenario")
    assert list(back["origin"]) == list(comparison.to_frame()["origin"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"comparison{s}" for s in TABLE_FORMATS
    )


def test_a_scenario_comparison_refuses_a_chart_format_listing_table_formats(
    comparison: corridors.scenarios.ScenarioComparison, tmp_path: Path
) -> None:
    with pytest.raises(corridors.OutputError) as err:
        comparison.write(tmp_path / "comparison.png")
    assert "a scenario comparison cannot be written as PNG" in str(err.value)
    assert str(err.value).endswith(", ".join(TABLE_FORMATS))
    assert list(tmp_path.iterdir()) == []
