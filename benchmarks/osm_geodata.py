"""Write a detailed geodata folder: the shipped network plus OSM-derived railways and roads.

The world railway and highway graphs of ``scgraph_data`` 2.0.0 (derived from OpenStreetMap,
© OpenStreetMap contributors, ODbL; build extra ``derive``) are cut to the countries of
``countries.geojson``. Every graph edge of some length whose two ends lie in the same
country, and whose straight piece stays in it, becomes a link of its own (mode ``rail`` or
``road``, ``geodesic_factor:1``: the graph's edges are straight pieces of the simplified OSM
ways, drawn as such in ``geometry/links.geojson``), between junction nodes at the graph's
vertices. Rail links take the gauge most of the shipped railways of their country have (a
country with no shipped railway gets none). Each shipped node with links of a mode is joined
to the nearest vertex of that mode's graph in its own country, within :data:`JOIN_KM`, by a
straight link. The shipped links, crossings, frictions and the rest stay as they are: a
border is still crossed only where the shipped network crosses it.

Run ``python -m benchmarks.osm_geodata OUT`` (``--countries KZ,UZ`` keeps a few countries),
then ``corridors data validate --geodata OUT`` or ``python -m benchmarks.bench_scale OUT``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Geod

from benchmarks.big_geodata import country_polygons
from corridors.data.locate import geodata_dir

GEOD = Geod(ellps="WGS84")

#: The scgraph_data module of each mode.
GRAPHS = {"rail": "world_railways", "road": "world_highways"}

#: Farthest a shipped node is joined to a graph vertex (km).
JOIN_KM = 30.0

#: The bibliography entry the detailed links cite.
SOURCE_ID = "scgraph-data-2.0.0"

SOURCE_ENTRY = f"""- id: {SOURCE_ID}
  title: scgraph_data 2.0.0 world railway and highway graphs
  publisher: OpenStreetMap contributors (data); Connor Makowski (scgraph_data package, MIT)
  date: '2024'
  url: https://pypi.org/project/scgraph-data/2.0.0/
  accessed: '2026-12-07'
  licence: ODbL-1.0 (© OpenStreetMap contributors); package code MIT
  kind: dataset
  note: Simplified railway and highway graphs of the world derived from OpenStreetMap; each
    edge a straight piece between two vertices. Written into this folder by
    benchmarks/osm_geodata.py, not part of the shipped network.
"""


def load_graph(mode: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return a world graph's vertices (lon, lat) and its undirected edges (i < j)."""
    import scgraph.geograph

    # scgraph_data 2.0.0 imports GeoGraph from ``scgraph.core``, which scgraph 3 calls
    # ``scgraph.geograph``.
    sys.modules.setdefault("scgraph.core", scgraph.geograph)
    name = GRAPHS[mode]
    module = __import__(f"scgraph_data.{name}", fromlist=[f"{name}_geograph"])
    geograph = getattr(module, f"{name}_geograph")
    lat_lon = np.asarray(geograph.nodes, dtype=np.float64)
    pairs = {(min(i, j), max(i, j)) for i, out in enumerate(geograph.graph) for j in out if i != j}
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    return lat_lon[:, ::-1].copy(), edges[:, 0], edges[:, 1]


def countries_of(lon: np.ndarray, lat: np.ndarray, polygons: dict[str, Any]) -> np.ndarray:
    """ISO code of the country each point lies in ('' outside every one of ``polygons``)."""
    import shapely

    out = np.full(len(lon), "", dtype=object)
    for iso, geom in polygons.items():
        w, s, e, n = geom.bounds
        near = np.flatnonzero((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n) & (out == ""))
        inside = shapely.contains_xy(geom, lon[near], lat[near])
        out[near[inside]] = iso
    return out


def _stays_in(
    country: np.ndarray,
    lon1: np.ndarray,
    lat1: np.ndarray,
    lon2: np.ndarray,
    lat2: np.ndarray,
    polygons: dict[str, Any],
) -> np.ndarray:
    """Whether each straight piece stays in its country at every twentieth of its length.

    A stretch outside the country longer than 5 % of the piece holds one of these points,
    so a piece kept runs at most about 5 % of its length outside (the validator's bound).
    """
    keep = np.ones(len(country), dtype=bool)
    for k in range(1, 20):
        t = k / 20
        x, y = lon1 + (lon2 - lon1) * t, lat1 + (lat2 - lat1) * t
        keep &= countries_of(x, y, polygons) == country
    return keep


def _km_text(km: float) -> str:
    # rounded up, so that no length falls below the geodesic the validator measures
    return f"{math.ceil(km * 1000) / 1000:.3f}"


def _km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2], dtype=np.float64) / 1000.0


def write(out: Path, keep: set[str] | None = None) -> dict[str, int]:
    """Write the detailed folder to ``out``; return the counts of what was added."""
    from scipy.spatial import cKDTree

    shipped = geodata_dir(None)
    shutil.copytree(shipped, out)
    polygons = country_polygons(shipped)
    with (shipped / "nodes.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        node_fields = list(reader.fieldnames or [])
        nodes = list(reader)
    with (shipped / "links.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        link_fields = list(reader.fieldnames or [])
        links = list(reader)
    where = {n["id"]: n for n in nodes}
    gauges: dict[str, Counter[str]] = {}
    node_gauges: dict[str, set[str]] = {}
    node_modes: dict[str, set[str]] = {}
    for link in links:
        for end in (link["u"], link["v"]):
            node_modes.setdefault(end, set()).add(link["mode"])
            if link["mode"] == "rail":
                node_gauges.setdefault(end, set()).add(link["gauge_mm"])
        a, b = where[link["u"]], where[link["v"]]
        if link["mode"] == "rail" and a["country"] == b["country"] and link["gauge_mm"]:
            gauges.setdefault(a["country"], Counter())[link["gauge_mm"]] += 1
    gauge_of = {c: counts.most_common(1)[0][0] for c, counts in gauges.items()}

    counts: dict[str, int] = {}
    features: list[dict[str, Any]] = []
    blank_node = dict.fromkeys(node_fields, "")
    blank_link = dict.fromkeys(link_fields, "")
    with (
        (out / "nodes.csv").open("a", encoding="utf-8", newline="") as nf,
        (out / "links.csv").open("a", encoding="utf-8", newline="") as lf,
    ):
        node_out = csv.DictWriter(nf, node_fields)
        link_out = csv.DictWriter(lf, link_fields)
        for mode, prefix in (("rail", "osmr"), ("road", "osmh")):
            lon_lat, i, j = load_graph(mode)
            lon, lat = lon_lat[:, 0], lon_lat[:, 1]
            country = countries_of(lon, lat, polygons)
            ok = (country[i] == country[j]) & (country[i] != "")
            if keep is not None:
                ok &= np.isin(country[i], sorted(keep))
            if mode == "rail":
                ok &= np.isin(country[i], sorted(gauge_of))
            i, j = i[ok], j[ok]
            # a link whose straight piece leaves its country would cross a border unpriced
            inside = _stays_in(country[i], lon[i], lat[i], lon[j], lat[j], polygons)
            i, j = i[inside], j[inside]
            km = _km(lon[i], lat[i], lon[j], lat[j])
            # a vertex repeated at one point makes a link of no length: leave it out
            i, j, km = i[km > 0.001], j[km > 0.001], km[km > 0.001]
            used = np.unique(np.concatenate([i, j]))
            for v in used.tolist():
                node_id = _node_id(country[v], prefix, v)
                node_out.writerow(
                    {
                        **blank_node,
                        "id": node_id,
                        "name": node_id,
                        "kind": "junction",
                        "country": country[v],
                        "lon": f"{lon[v]:.5f}",
                        "lat": f"{lat[v]:.5f}",
                        "coord_ref": f"scgraph:{GRAPHS[mode]}",
                        "source_id": SOURCE_ID,
                    }
                )
            for a, b, length in zip(i.tolist(), j.tolist(), km.tolist(), strict=True):
                link_id = f"{prefix}-{a}-{b}"
                link_out.writerow(
                    {
                        **blank_link,
                        "id": link_id,
                        "u": _node_id(country[a], prefix, a),
                        "v": _node_id(country[b], prefix, b),
                        "mode": mode,
                        "gauge_mm": gauge_of[country[a]] if mode == "rail" else "",
                        "status": "operational",
                        "length_km": _km_text(length),
                        "length_method": "geodesic_factor:1",
                        "source_id": SOURCE_ID,
                    }
                )
                features.append(_line(link_id, mode, [lon[a], lat[a]], [lon[b], lat[b]]))
            counts[f"{mode}_nodes"] = len(used)
            counts[f"{mode}_links"] = len(i)
            # join each shipped node of the mode to the nearest vertex in its own country
            joined = 0
            tree_of: dict[str, tuple[Any, np.ndarray]] = {}
            for node in nodes:
                c = node["country"]
                if mode not in node_modes.get(node["id"], set()):
                    continue
                if mode == "rail" and gauge_of.get(c) not in node_gauges.get(node["id"], set()):
                    continue  # a node of another gauge: joining it would meet gauges unpriced
                if c not in tree_of:
                    mine = used[country[used] == c]
                    scale = np.cos(np.radians(lat[mine])) if len(mine) else np.zeros(0)
                    pts = np.column_stack([lon[mine] * scale, lat[mine]])
                    tree_of[c] = (cKDTree(pts) if len(mine) else None, mine)
                tree, mine = tree_of[c]
                if tree is None:
                    continue
                x, y = float(node["lon"]), float(node["lat"])
                _, k = tree.query([x * np.cos(np.radians(y)), y])
                v = int(mine[k])
                length = float(_km(x, y, lon[v], lat[v]))
                if length > JOIN_KM or length <= 0.001:
                    continue
                link_id = f"{prefix}-join-{node['id']}"
                link_out.writerow(
                    {
                        **blank_link,
                        "id": link_id,
                        "u": node["id"],
                        "v": _node_id(c, prefix, v),
                        "mode": mode,
                        "gauge_mm": gauge_of[c] if mode == "rail" else "",
                        "status": "operational",
                        "length_km": _km_text(length),
                        "length_method": "geodesic_factor:1",
                        "source_id": SOURCE_ID,
                    }
                )
                features.append(_line(link_id, mode, [x, y], [lon[v], lat[v]]))
                joined += 1
            counts[f"{mode}_joins"] = joined
    with (out / "sources.yaml").open("a", encoding="utf-8") as fh:
        fh.write(SOURCE_ENTRY)
    shapes = out / "geometry" / "links.geojson"
    doc = json.loads(shapes.read_text("utf-8"))
    doc["features"].extend(features)
    shapes.write_text(json.dumps(doc), encoding="utf-8")
    return counts


def _node_id(country: str, prefix: str, vertex: int) -> str:
    return f"{country.lower()}-{prefix}-{vertex}"


def _line(link_id: str, mode: str, a: list[float], b: list[float]) -> dict[str, Any]:
    coords = [[round(float(p[0]), 5), round(float(p[1]), 5)] for p in (a, b)]
    return {
        "type": "Feature",
        "properties": {"id": link_id, "source": f"scgraph:{GRAPHS[mode]}"},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.osm_geodata OUT [--countries KZ,UZ]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write (must not exist)")
    parser.add_argument("--countries", help="comma-separated ISO codes to keep (default: all)")
    args = parser.parse_args(argv)
    keep = {c.strip().upper() for c in args.countries.split(",")} if args.countries else None
    counts = write(args.out, keep)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
