"""The folders the scale benchmarks write validate, and the detailed one routes on its links."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
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


#: Vertices of a made-up railway, as (lon, lat): a chain into Almaty, a point in Tashkent,
#: two Kazakh points whose straight line crosses the Caspian, and a point repeated.
_RAIL = np.array(
    [
        [77.10, 43.30],  # 0, 13 km from Almaty
        [77.40, 43.45],  # 1
        [77.80, 43.60],  # 2
        [69.28, 41.31],  # 3, Tashkent
        [51.92, 47.10],  # 4, Atyrau
        [51.20, 43.70],  # 5, near Aktau: the line 4-5 runs over the sea
        [77.80, 43.60],  # 6, where 2 is
    ]
)
_RAIL_EDGES = np.array([[0, 1], [1, 2], [2, 3], [4, 5], [2, 6]])


def _toy_graph(mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if mode == "rail":
        return _RAIL.copy(), _RAIL_EDGES[:, 0].copy(), _RAIL_EDGES[:, 1].copy()
    return np.zeros((0, 2)), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def test_the_detailed_folder_keeps_links_inside_one_country_and_routes_on_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import osm_geodata
    from benchmarks.big_geodata import country_polygons
    from corridors.data.locate import geodata_dir

    folder = tmp_path / "geodata"
    monkeypatch.setattr(osm_geodata, "load_graph", _toy_graph)
    # the premises: which country each vertex lies in, and the sea between 4 and 5
    polygons = country_polygons(geodata_dir(None))
    where = osm_geodata.countries_of(_RAIL[:, 0], _RAIL[:, 1], polygons)
    assert where.tolist() == ["KZ", "KZ", "KZ", "UZ", "KZ", "KZ", "KZ"]
    middle = osm_geodata.countries_of(np.array([51.56]), np.array([45.40]), polygons)
    assert middle.tolist() == [""]

    counts = osm_geodata.write(folder)
    with (folder / "links.csv").open(encoding="utf-8", newline="") as fh:
        added = {r["id"]: r for r in csv.DictReader(fh) if r["id"].startswith("osmr-")}
    # 2-3 crosses into Uzbekistan, 4-5 leaves Kazakhstan over the sea, 2-6 has no length
    assert sorted(added) == ["osmr-0-1", "osmr-1-2", "osmr-join-kz-almaty"]
    assert counts == {
        "rail_nodes": 3,
        "rail_links": 2,
        "rail_joins": 1,
        "road_nodes": 0,
        "road_links": 0,
        "road_joins": 0,
    }
    join = added["osmr-join-kz-almaty"]
    assert (join["u"], join["v"], join["gauge_mm"]) == ("kz-almaty", "kz-osmr-0", "1520")
    assert all(r["source_id"] == osm_geodata.SOURCE_ID for r in added.values())

    report = validate(folder)
    assert report.problems == []

    from corridors import routing
    from corridors.graph.network import load_network

    net = load_network(folder, cache=False)
    route = routing.route(net, "kz-almaty", "kz-osmr-2", modes=["rail"], crew=0)
    assert route.link_ids == ["osmr-join-kz-almaty", "osmr-0-1", "osmr-1-2"]
    expected = sum(float(added[k]["length_km"]) for k in route.link_ids)
    assert route.total("distance") == pytest.approx(expected, rel=1e-9)
