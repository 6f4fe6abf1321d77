"""Maintainer script: draw rail and road links along OSM-derived lines (see _line_matching).

Not part of the package and never run by the tests. Run it after ``scripts/_derive_geodata.py``
(a full rebuild from ``../shared/data``, which rewrites the geometry file) or alone on the
shipped ``geodata/`` (it needs only the build extra: ``pip install .[derive]``). It adds a
shape to ``geometry/links.geojson`` for every operational rail or road link it can match,
takes the matched length where the length was a detour factor, and prints the links it left
straight and why. In order:

1. with ``--raw``, rail links without a shape along the OSM railway ways (stations within
   2.5 km of a way), as a full rebuild does;
2. Caspian ferries with a published length along their searoute path;
3. rail and road links along the world railway and highway graphs, with access spurs where
   the places lie off the line (``spur_km``);
4. with ``--raw``, rail links still straight along the OSM railway ways with access spurs,
   ways under construction or proposed included (``osm_railway``).

Re-running it on its own output changes nothing.

Usage::

    python scripts/_derive_link_shapes.py [--geodata geodata] [--check]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _line_matching as lm
from _derive_geodata import LINK_COLS, ROOT, OsmRail, read_csv, write_csv


def stated_length(method: str) -> bool:
    """Whether a link's length was stated by a source (published or derived from published
    figures), so a line must agree with it, rather than estimated from a line or a factor."""
    return not (method.startswith("geodesic_factor:") or method in ("matched_line", "osm_route"))


def take_osm_line(
    lk: dict[str, str],
    path: list[tuple[float, float]],
    a: tuple[float, float],
    b: tuple[float, float],
    shapes: dict[str, tuple[list[tuple[float, float]], str]],
    spur_km: float = 0.0,
) -> list[tuple[float, float]] | None:
    """Keep an OSM path as the link's line if it passes the OSM rule; return its coordinates.

    The path must be 1.0-1.8 x the geodesic, its access spurs at most ``MAX_SPUR_SHARE`` of
    it, and it must agree with a stated length within 20 %. A detour-factor or matched
    length becomes the path's (``osm_route``). Returns None, changing nothing, otherwise.
    """
    from _derive_geodata import OSM_ROUTE_MAX_RATIO, simplify

    km, geodesic = lm.line_km(path), lm.km_between(a, b)
    if geodesic <= 0 or not geodesic <= km <= OSM_ROUTE_MAX_RATIO * geodesic:
        return None
    if spur_km / km > lm.MAX_SPUR_SHARE:
        return None
    method = lk["length_method"]
    if stated_length(method) and abs(km / float(lk["length_km"]) - 1.0) > lm.PUBLISHED_TOLERANCE:
        return None
    coords = simplify(path, 0.002)
    shapes[lk["id"]] = (coords, "osm")
    if method.startswith("geodesic_factor:") or method == "matched_line":
        lk["length_km"], lk["length_method"] = f"{km:.1f}", "osm_route"
        lk["length_km_low"] = lk["length_km_high"] = lk["length_source_id"] = ""
    return coords


def country_polygons(path: Path) -> dict[str, object]:
    """Country polygons of countries.geojson by ISO 3166-1 alpha-2 code."""
    from shapely.geometry import shape

    doc = json.loads(path.read_text(encoding="utf-8"))
    return {f["properties"]["iso2"]: shape(f["geometry"]) for f in doc["features"]}


@functools.cache
def osm_rail(raw: Path) -> OsmRail:
    """The OSM railway ways of the shared extract as a routable graph (read once)."""
    import geopandas as gpd

    return OsmRail(gpd.read_file(raw / "osm_railways_tm_af_az.geojson"))


@functools.cache
def osm_railway_tags(raw: Path) -> dict[str, str]:
    """The ``railway`` value (rail, construction, proposed...) of each OSM way, by way id."""
    import geopandas as gpd

    ways = gpd.read_file(raw / "osm_railways_tm_af_az.geojson", ignore_geometry=True)
    return dict(zip(ways["osm_way_id"].astype(str), ways["railway"].astype(str), strict=True))


def path_ways(rail: OsmRail, path: list[tuple[float, float]]) -> list[str]:
    """The OSM ways a path over the railway graph follows, in path order, each once."""
    ways: list[str] = []
    for a, b in itertools.pairwise(path[1:-1]):  # the graph part, without the places
        way = str(rail.G[a][b]["way"])
        if not ways or ways[-1] != way:
            ways.append(way)
    return list(dict.fromkeys(ways))


def osm_way_ids(
    raw: Path,
    pos: dict[str, tuple[float, float]],
    links: dict[str, dict[str, str]],
    features: list[dict[str, object]],
) -> None:
    """Record on each OSM railway shape the OSM ways its path follows, in path order."""
    rail, tags = osm_rail(raw), osm_railway_tags(raw)
    for f in features:
        props = f["properties"]
        assert isinstance(props, dict)
        if props["source"] != "osm" or "spur_km" in props:
            continue
        lk = links[props["id"]]
        path = rail.route(pos[lk["u"]], pos[lk["v"]])
        if path is None:
            continue
        ways = path_ways(rail, path)
        props["osm_way_ids"] = [int(w) for w in ways]
        kinds = sorted({tags[w] for w in ways} - {"rail"})
        if kinds:
            props["osm_railway"] = kinds


def osm_railway_shapes(
    raw: Path,
    pos: dict[str, tuple[float, float]],
    links: list[dict[str, str]],
    shapes: dict[str, tuple[list[tuple[float, float]], str]],
) -> list[dict[str, object]]:
    """Draw rail links that have no shape yet along the OSM railway ways, as a full rebuild does.

    The same rule as ``_derive_geodata.py``: the path over the OSM ways between the stations
    (each within 2.5 km of a way) is 1.0-1.8 x the geodesic; where the link has a published
    length the path must also agree with it within 20 %. A detour-factor length becomes the
    path's (``osm_route``). Returns the new features.
    """
    rail = osm_rail(raw)
    out: list[dict[str, object]] = []
    for lk in links:
        if lk["mode"] != "rail" or lk["id"] in shapes:
            continue
        a, b = pos[lk["u"]], pos[lk["v"]]
        path = rail.route(a, b)
        if path is None:
            continue
        coords = take_osm_line(lk, path, a, b, shapes)
        if coords is None:
            continue
        out.append(
            {
                "type": "Feature",
                "properties": {"id": lk["id"], "source": "osm"},
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
            }
        )
    return out


def osm_spur_shapes(
    raw: Path,
    pos: dict[str, tuple[float, float]],
    links: list[dict[str, str]],
    shapes: dict[str, tuple[list[tuple[float, float]], str]],
) -> list[dict[str, object]]:
    """Draw rail links still straight along the OSM railway ways, with access spurs.

    For a rail link that neither the OSM rule (stations within 2.5 km of a way) nor the
    world railway graph draws: each station may lie up to ``SPUR_KM`` from its nearest OSM
    railway vertex, joined to it by a straight spur, when the spurs make up at most
    ``MAX_SPUR_SHARE`` of the line and the line passes the OSM rule's other tests (1.0-1.8 x
    the geodesic, within 20 % of a published length). Ways under construction or proposed
    count, so planned and under-construction links are drawn along them where OSM maps them;
    the feature then lists their ``railway`` values (``osm_railway``). A detour-factor length
    becomes the line's (``osm_route``). Returns the new features.
    """
    import networkx as nx

    rail, tags = osm_rail(raw), osm_railway_tags(raw)
    out: list[dict[str, object]] = []
    for lk in links:
        if lk["mode"] != "rail" or lk["id"] in shapes:
            continue
        a, b = pos[lk["u"]], pos[lk["v"]]
        (na, da), (nb, db) = rail.snap(*a), rail.snap(*b)
        if max(da, db) > lm.SPUR_KM or na == nb:
            continue
        try:
            path = [a, *nx.shortest_path(rail.G, na, nb, weight="w"), b]
        except nx.NetworkXNoPath:
            continue
        coords = take_osm_line(lk, path, a, b, shapes, spur_km=da + db)
        if coords is None:
            continue
        ways = path_ways(rail, path)
        props: dict[str, object] = {"id": lk["id"], "source": "osm", "spur_km": round(da + db, 1)}
        kinds = sorted({tags[w] for w in ways} - {"rail"})
        if kinds:
            props["osm_railway"] = kinds
        props["osm_way_ids"] = [int(w) for w in ways]
        out.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
            }
        )
    return out


def caspian_ferry_shapes(
    links: list[dict[str, str]],
    pos: dict[str, tuple[float, float]],
    shapes: dict[str, tuple[list[tuple[float, float]], str]],
) -> list[dict[str, object]]:
    """Draw Caspian ferries with a published length along their searoute path.

    ``_derive_geodata.py`` draws a Caspian ferry along searoute only where it also measures
    the length there; a ferry with a published length is drawn along the same searoute path
    when that path stays in the Caspian and agrees with the published length within 20 %.
    The published length is kept. Returns the new features.
    """
    from _derive_geodata import in_caspian, sea_route, simplify

    out: list[dict[str, object]] = []
    for lk in links:
        if lk["mode"] != "ferry" or lk["id"] in shapes:
            continue
        if not lk["length_method"].startswith("published"):
            continue
        a, b = pos[lk["u"]], pos[lk["v"]]
        if not in_caspian([a, b]):
            continue
        path = sea_route(a, b)
        km = lm.line_km(path)
        if not in_caspian(path) or abs(km / float(lk["length_km"]) - 1.0) > lm.PUBLISHED_TOLERANCE:
            continue
        coords = simplify(path, 0.01)
        shapes[lk["id"]] = (coords, "searoute")
        out.append(
            {
                "type": "Feature",
                "properties": {"id": lk["id"], "source": "searoute"},
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
            }
        )
    return out


def geojson_text(features: list[dict[str, object]]) -> str:
    """The geometry file as the derive scripts write it: compact, sorted by link id."""
    features = sorted(features, key=lambda f: str(f["properties"]["id"]))  # type: ignore[index]
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--geodata", type=Path, default=ROOT / "geodata")
    ap.add_argument("--check", action="store_true", help="report what would change, write nothing")
    ap.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="../shared/data: also record the OSM way ids of the OSM railway shapes",
    )
    a = ap.parse_args(argv)
    geodata: Path = a.geodata
    nodes = read_csv(geodata / "nodes.csv")
    links = read_csv(geodata / "links.csv")
    pos = {n["id"]: (float(n["lon"]), float(n["lat"])) for n in nodes}
    country_of = {n["id"]: n["country"] for n in nodes}
    geometry = geodata / "geometry" / "links.geojson"
    doc = json.loads(geometry.read_text(encoding="utf-8"))
    by_id = {lk["id"]: lk for lk in links}
    kept, dropped = [], []
    for f in doc["features"]:
        if str(f["properties"]["source"]).startswith("scgraph"):
            continue  # redrawn below
        lk = by_id[f["properties"]["id"]]
        km = lm.line_km([tuple(c) for c in f["geometry"]["coordinates"]])
        stated = float(lk["length_km"])
        # An OSM path that disagrees with a published length follows another line.
        if stated_length(lk["length_method"]) and (abs(km / stated - 1.0) > lm.PUBLISHED_TOLERANCE):
            dropped.append(f"{lk['id']}: OSM path {km:.0f} km against {stated:.0f} km published")
            continue
        kept.append(f)
    shapes = {
        f["properties"]["id"]: ([tuple(c) for c in f["geometry"]["coordinates"]], "") for f in kept
    }
    if a.raw is not None:
        kept += osm_railway_shapes(a.raw, pos, links, shapes)
    kept += caspian_ferry_shapes(links, pos, shapes)
    before = set(shapes)
    spurs: dict[str, float] = {}
    report = lm.add_matched_lines(
        links, pos, country_of, country_polygons(geodata / "countries.geojson"), shapes, spurs
    )
    if a.raw is not None:
        osm_way_ids(a.raw, pos, by_id, kept)
        kept += osm_spur_shapes(a.raw, pos, links, shapes)
        before |= {str(f["properties"]["id"]) for f in kept}  # type: ignore[index]
        report = [r for r in report if r.split(":")[0] not in shapes]
    features = kept + [
        {
            "type": "Feature",
            "properties": {"id": lid, "source": src}
            | ({"spur_km": spurs[lid]} if lid in spurs else {}),
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
        }
        for lid, (coords, src) in shapes.items()
        if lid not in before
    ]
    out = {
        # rows stay in file order: appended rows stay at the end
        "links.csv": write_csv(links, LINK_COLS, sort=False),
        "geometry/links.geojson": geojson_text(features),
    }
    changed = []
    for name, text in out.items():
        path = geodata / name
        if path.read_text(encoding="utf-8") != text:
            changed.append(name)
            if not a.check:
                path.write_text(text, encoding="utf-8")
    for line in dropped:
        print("dropped:", line, file=sys.stderr)
    for line in report:
        print("straight:", line, file=sys.stderr)
    spurred = sum("spur_km" in f["properties"] for f in features)  # type: ignore[operator]
    print(f"drew {len(features)} links ({spurred} with access spurs); left {len(report)} straight")
    print(("would change: " if a.check else "wrote: ") + (", ".join(changed) or "nothing"))
    return 1 if (a.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
