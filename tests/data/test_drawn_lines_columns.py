"""The drawn-line checks on columns find the same problems as the feature-by-feature ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from corridors.data.geodata import Problem, read_geodata
from corridors.data.locate import geodata_dir
from corridors.data.validation import GeodataChecker

from .reference_geometry_check import ReferenceChecker


def _found(checker: GeodataChecker) -> set[Problem]:
    checker.load_countries()
    checker.check_geometry()
    return {p for found in checker.found.values() for p in found}


def _both(folder: Path | None) -> tuple[set[Problem], set[Problem]]:
    data = read_geodata(folder, strict=False)
    return _found(GeodataChecker(data)), _found(ReferenceChecker(data))


def test_shipped_lines_find_the_same_problems() -> None:
    new, old = _both(None)
    assert new == old


def _spoil(features: list[dict[str, Any]]) -> None:
    """Break drawn lines in every way the checks look for, a few features each."""
    land = [f for f in features if f["properties"]["id"].startswith(("rail-", "road-"))]
    water = [f for f in features if not f["properties"]["id"].startswith(("rail-", "road-"))]
    land[0]["geometry"]["coordinates"].reverse()  # runs from v to u
    land[1]["geometry"]["coordinates"][0] = [60.0, 20.0]  # an end far from its node
    coords = land[2]["geometry"]["coordinates"]
    land[2]["geometry"]["coordinates"] = [
        coords[0],
        [coords[0][0] + 3, coords[0][1] + 3],
        coords[-1],
    ]
    land[3]["geometry"]["coordinates"] = [coords[0], coords[0]]  # drawn with no length
    land[4]["geometry"]["coordinates"] = [[1, 2], "x"]  # not a LineString of numbers
    land[5]["properties"]["id"] = "rail-nowhere"  # names no link
    del land[6]["properties"]["id"]
    # a detour through a neighbour: most of the line outside its countries
    a, b = land[7]["geometry"]["coordinates"][0], land[7]["geometry"]["coordinates"][-1]
    land[7]["geometry"]["coordinates"] = [a, [a[0] + 8, a[1] - 8], [b[0] + 8, b[1] - 8], b]
    land[8]["geometry"]["coordinates"] = [[50.0, 40.0, 1.0, 2.0], [50.0, 40.0]]
    land[9]["geometry"] = {"type": "Point", "coordinates": [50.0, 40.0]}
    water[0]["geometry"]["coordinates"].reverse()
    features.append(dict(land[10]))  # the same link drawn twice


def test_hostile_lines_find_the_same_problems(tmp_path: Path) -> None:
    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), folder)
    path = folder / "geometry" / "links.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    _spoil(doc["features"])
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    new, old = _both(folder)
    assert new == old
    text = "\n".join(str(p) for p in new)
    for fragment in (
        "runs from v to u",
        "km from its link's nodes",
        "is drawn",
        "must be a LineString",
        "'rail-nowhere' is not a link id",
        "feature without `id`",
        "of its length outside",
    ):
        assert fragment in text, fragment


@pytest.mark.parametrize("n", [3000])
def test_split_lines_find_the_same_problems(tmp_path: Path, n: int) -> None:
    """Lines cut into many pieces, some spoilt, as a large network holds them."""
    from benchmarks.big_geodata import write

    folder = tmp_path / "geodata"
    write(folder, n)
    path = folder / "geometry" / "links.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    _spoil(doc["features"])
    path.write_text(json.dumps(doc), encoding="utf-8")
    new, old = _both(folder)
    assert new == old
    assert len(new) >= 7
