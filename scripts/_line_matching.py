"""Maintainer module: match links to OSM-derived world railway and highway graphs.

Used by ``scripts/_derive_geodata.py`` only (never by the package or the tests). The graphs
come from ``scgraph_data`` 2.0.0 (MIT-licensed package; the line data are derived from
OpenStreetMap, © OpenStreetMap contributors, ODbL) and are searched with ``scgraph`` 3.6.0.

A link is matched by the shortest path over the graph of its mode between its two end
places. The path joins each place to the nearest graph vertex by a straight segment, so a
place far from any line would be matched by a long straight stub; a match is therefore
accepted only when it passes every test in :func:`accept` and is otherwise reported with
the reason, and the link keeps a straight shape.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

from pyproj import Geod

GEOD = Geod(ellps="WGS84")

#: Farthest a place may lie from the first or last vertex of the matched line (km): a station
#: or city is close to its line; farther means the graph does not hold the line.
SNAP_KM = 20.0
#: Bounds on matched length / geodesic between the ends: below 1 is impossible; above the
#: upper bound the path detours over other lines than the one the link stands for.
MIN_RATIO = 0.98
MAX_RATIO = {"rail": 1.8, "road": 2.0}
#: Where a link carries a published length, the matched line must agree with it this well.
PUBLISHED_TOLERANCE = 0.2
#: Simplification tolerance for a report map (degrees; about 500 m).
SIMPLIFY_DEG = 0.005
GRAPH = {"rail": "world_railways", "road": "world_highways"}


@dataclass(frozen=True)
class Match:
    """A path over a world graph between a link's two places (lon, lat order)."""

    coords: list[tuple[float, float]]
    km: float
    snap_km: tuple[float, float]
    source: str


@cache
def graph(mode: str) -> Any:
    """Load the scgraph world graph of a mode (railways or highways)."""
    import scgraph.geograph

    # scgraph_data 2.0.0 imports GeoGraph from ``scgraph.core``, which scgraph 3 calls
    # ``scgraph.geograph``.
    sys.modules.setdefault("scgraph.core", scgraph.geograph)
    name = GRAPH[mode]
    module = __import__(f"scgraph_data.{name}", fromlist=[f"{name}_geograph"])
    return getattr(module, f"{name}_geograph")


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in km between two (lon, lat) points."""
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2]) / 1000.0


def line_km(coords: list[tuple[float, float]]) -> float:
    """Geodesic length in km of a (lon, lat) line."""
    return sum(km_between(p, q) for p, q in itertools.pairwise(coords))


def match(
    mode: str, a: tuple[float, float], b: tuple[float, float], attach: str = "kdclosest"
) -> Match | None:
    """Shortest path over the world graph of ``mode`` from place ``a`` to place ``b``.

    ``attach`` is scgraph's way of joining a place to the graph: ``kdclosest`` (the nearest
    vertex) or ``quadrant`` (the nearest vertex in each quadrant, which finds a path when
    the nearest vertex lies on a fragment cut off from the rest).
    """
    g = graph(mode)
    try:
        r = g.get_shortest_path(
            origin_node={"latitude": a[1], "longitude": a[0]},
            destination_node={"latitude": b[1], "longitude": b[0]},
            output_units="km",
            node_addition_type=attach,
            destination_node_addition_type=attach,
            silent=True,
        )
    except Exception:  # scgraph raises plain Exceptions when no path exists
        return None
    path = [(float(lon), float(lat)) for lat, lon in r["coordinate_path"]]
    if len(path) < 3:
        return None
    # path[0] and path[-1] are the places themselves; path[1] and path[-2] the graph vertices
    snap = (km_between(path[0], path[1]), km_between(path[-2], path[-1]))
    return Match(path, line_km(path), snap, f"scgraph:{GRAPH[mode]}")


def accept(m: Match, mode: str, geodesic: float, published: float | None) -> str | None:
    """Return why a match is rejected, or None when it can be used."""
    if max(m.snap_km) > SNAP_KM:
        return f"a place is {max(m.snap_km):.0f} km from the nearest line (> {SNAP_KM:g})"
    ratio = m.km / geodesic if geodesic > 0 else 1.0
    if ratio < MIN_RATIO or ratio > MAX_RATIO[mode]:
        return f"matched line is {ratio:.2f} x the geodesic (outside {MIN_RATIO}-{MAX_RATIO[mode]})"
    if published is not None and abs(m.km / published - 1.0) > PUBLISHED_TOLERANCE:
        return f"matched line {m.km:.0f} km against {published:.0f} km stated"
    return None


def best_match(
    mode: str,
    a: tuple[float, float],
    b: tuple[float, float],
    geodesic: float,
    published: float | None,
) -> tuple[Match | None, str | None]:
    """The first acceptable match (nearest vertex, then per quadrant) and why not otherwise."""
    why = "no path over the graph"
    for attach in ("kdclosest", "quadrant"):
        m = match(mode, a, b, attach)
        if m is None:
            continue
        why_not = accept(m, mode, geodesic, published)
        if why_not is None:
            return m, None
        why = why_not
    return None, why


#: A matched line may leave the countries of its two end places for at most this share of
#: its length (a little slack for simplified borders); beyond, it runs through a country the
#: link does not name and the link should be split there instead.
MAX_OUTSIDE_SHARE = 0.05
#: Distance (degrees, about 10 km) by which country polygons are grown before that test, so
#: a line along a border river is not counted outside.
BORDER_SLACK_DEG = 0.1


def outside_share(coords: list[tuple[float, float]], polygons: list[Any]) -> float:
    """Share of a line's length outside the given country polygons (grown by the slack)."""
    from shapely.geometry import LineString
    from shapely.ops import unary_union

    line = LineString(coords)
    if line.length == 0 or not polygons:
        return 0.0
    area = unary_union([p.buffer(BORDER_SLACK_DEG) for p in polygons])
    return float(line.difference(area).length / line.length)


def simplify(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Simplify a line for a report map, keeping its two ends exactly."""
    from shapely.geometry import LineString

    inner = LineString(coords).simplify(SIMPLIFY_DEG, preserve_topology=False)
    out = [(round(x, 5), round(y, 5)) for x, y in inner.coords]
    out[0], out[-1] = coords[0], coords[-1]
    return [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]


def add_matched_lines(
    links: list[dict[str, str]],
    pos: dict[str, tuple[float, float]],
    country_of: dict[str, str],
    polygons: dict[str, Any],
    shapes: dict[str, tuple[list[tuple[float, float]], str]],
) -> list[str]:
    """Draw rail and road links along matched lines and measure their lengths on them.

    For each operational or closed rail or road link without a shape, the matched line
    becomes its shape (``shapes[link id] = (coords, "scgraph:world_railways")``). A link
    whose length was a detour factor on the geodesic (``geodesic_factor:F``) takes the
    matched line's length instead (``length_method`` = ``matched_line``); published lengths
    are kept and only checked against the line. Planned and under-construction links have no
    track to follow and stay straight.

    Returns one line per link left straight, saying why.
    """
    report: list[str] = []
    for lk in sorted(links, key=lambda r: r["id"]):
        lid, mode = lk["id"], lk["mode"]
        if mode not in GRAPH or lid in shapes:
            continue
        if lk["status"] not in ("operational", "closed"):
            report.append(f"{lid}: {lk['status']}, no track to follow; straight")
            continue
        a, b = pos[lk["u"]], pos[lk["v"]]
        geodesic = km_between(a, b)
        method = lk["length_method"]
        factor = method.startswith("geodesic_factor:") or method == "matched_line"
        published = None if factor else float(lk["length_km"])
        found, why = best_match(mode, a, b, geodesic, published)
        if found is not None:
            ends = {country_of[lk["u"]], country_of[lk["v"]]}
            share = outside_share(found.coords, [polygons[c] for c in ends if c in polygons])
            if share > MAX_OUTSIDE_SHARE:
                found, why = None, f"{share:.0%} of the matched line is outside {sorted(ends)}"
        if found is None:
            report.append(f"{lid}: {why}; straight")
            continue
        coords = [a, *found.coords[1:-1], b]
        shapes[lid] = (simplify(coords), found.source)
        if factor:
            lk["length_km"] = f"{found.km:.1f}"
            lk["length_km_low"] = lk["length_km_high"] = lk["length_source_id"] = ""
            lk["length_method"] = "matched_line"
    return report
