"""Maintainer module: match links to OSM-derived world railway and highway graphs.

Used by ``scripts/_derive_geodata.py`` only (never by the package or the tests). The graphs
come from ``scgraph_data`` 2.0.0 (MIT-licensed package; the line data are derived from
OpenStreetMap, © OpenStreetMap contributors, ODbL) and are searched with ``scgraph`` 3.6.0.

A link is matched by the shortest path over the graph of its mode between its two end
places. The path joins each place to the nearest graph vertex by a straight segment, so a
place far from any line would be matched by a long straight stub; a match is therefore
accepted only when it passes every test in :func:`accept` and is otherwise reported with
the reason, and the link keeps a straight shape.

Where neither of scgraph's joins gives an acceptable match, :func:`spur_match` tries once
more with access spurs: each place is joined by a straight spur to the nearest point of the
nearest *segment* of the line (not its nearest vertex: the world graphs hold straight
segments of up to 500 km across deserts, so a place beside a road can lie 80 km from the
road's nearest vertex), at most :data:`SPUR_KM` away, and the spurs may make up at most
:data:`MAX_SPUR_SHARE` of the drawn line. The spurs are part of the drawn line and of its
length, and each such feature records their length (``spur_km``).
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
    #: Length of the straight access spurs from the places to the line (km); 0 when the
    #: places are joined to graph vertices by scgraph.
    spur_km: float = 0.0


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


#: The world graphs store their vertices rounded to 0.001 degrees (about 110 m). Where a line
#: passes from one grid cell to the next without a shared vertex, the graph holds it as two parts
#: one grid step apart (the Sibi-Jacobabad, Gyumri-Yerevan and Samtredia-Poti lines are cut so,
#: 80-140 m apart); a dangling vertex is joined to a vertex of another part this close in both
#: coordinates.
GRID_JOIN_DEG = 0.001

#: Farthest a place may lie from the nearest segment of the line for an access spur (km):
#: a city's GeoNames point, a border post or a port often lies off the trunk road or line the
#: world graph holds (the road into town, the customs area, a port's access road are
#: missing). The bound only keeps a long link from taking a long straight piece; the test that
#: binds is the spurs' share of the line (:data:`MAX_SPUR_SHARE`).
SPUR_KM = 60.0
#: The spurs may make up at most this share of a drawn line, so a drawn link runs mostly
#: along the matched line rather than straight.
MAX_SPUR_SHARE = 0.25


class SegmentIndex:
    """The segments of a world graph near the network, to join places to their nearest point.

    Holds the graph's vertices and segments inside ``bbox`` (lon0, lat0, lon1, lat1) as an
    undirected ``networkx`` graph (weights in km, as scgraph's) and a spatial index of the
    segments.
    """

    def __init__(
        self, mode: str, bbox: tuple[float, float, float, float], join: bool = True
    ) -> None:
        import networkx as nx
        from shapely import STRtree
        from shapely.geometry import LineString

        g = graph(mode)
        x0, y0, x1, y1 = bbox
        self.source = f"scgraph:{GRAPH[mode]}"
        self.nodes: list[tuple[float, float]] = [(float(lo), float(la)) for la, lo in g.nodes]
        inside = [x0 <= lo <= x1 and y0 <= la <= y1 for lo, la in self.nodes]
        self.G = nx.Graph()
        self.segments: list[tuple[int, int]] = []
        for i, adj in enumerate(g.graph):
            for j, w in adj.items():
                if j > i and (inside[i] or inside[j]):
                    self.G.add_edge(i, j, w=float(w))
                    self.segments.append((i, j))
        self.lines = [LineString([self.nodes[i], self.nodes[j]]) for i, j in self.segments]
        self.tree = STRtree(self.lines)
        if join:
            self.join_grid_gaps()
        # a component is named by its smallest vertex, so choices between components are stable
        self.component: dict[int, int] = {}
        for comp in nx.connected_components(self.G):
            first = min(comp)
            for n in comp:
                self.component[n] = first

    def join_grid_gaps(self) -> None:
        """Join each dangling vertex to the nearest vertex of another connected part of the graph
        in the next grid cell (:data:`GRID_JOIN_DEG`), where one line was cut in two."""
        import networkx as nx
        import numpy as np
        from scipy.spatial import cKDTree

        part = {n: i for i, comp in enumerate(nx.connected_components(self.G)) for n in comp}
        ids = sorted(self.G.nodes)
        tree = cKDTree(np.array([self.nodes[n] for n in ids]))
        joins = []
        for end in ids:
            if self.G.degree(end) != 1:
                continue
            # both coordinates at most one grid step away (the Chebyshev norm), with slack for
            # the floating-point rounding of the stored values
            near = tree.query_ball_point(self.nodes[end], GRID_JOIN_DEG * 1.001, p=np.inf)
            others = [ids[k] for k in near if part[ids[k]] != part[end]]
            if others:
                n = min(others, key=lambda n: (km_between(self.nodes[end], self.nodes[n]), n))
                joins.append((end, n))
        for end, n in joins:
            self.G.add_edge(end, n, w=km_between(self.nodes[end], self.nodes[n]))

    def attachments(self, p: tuple[float, float]) -> list[tuple[float, int, tuple[float, float]]]:
        """Segments within :data:`SPUR_KM` of ``p``: (km to it, segment index, nearest point)."""
        import math

        from shapely.geometry import Point

        # a degree of longitude is shortest at the place's latitude: search wide enough
        reach = SPUR_KM / (111.0 * max(math.cos(math.radians(abs(p[1]) + 1.0)), 0.1))
        point = Point(p)
        out = []
        for k in self.tree.query(point, predicate="dwithin", distance=reach):
            line = self.lines[int(k)]
            q = line.interpolate(line.project(point))
            near = (round(float(q.x), 6), round(float(q.y), 6))
            km = km_between(p, near)
            if km <= SPUR_KM:
                out.append((km, int(k), near))
        return sorted(out)

    def route(self, a: tuple[float, float], b: tuple[float, float]) -> Match | None:
        """Shortest path from ``a`` to ``b`` over the line, each joined by a spur to its segment.

        Both places join the same connected part of the graph: the one whose nearest segments
        are nearest to the two places together.
        """
        import networkx as nx

        nearest: list[dict[int, tuple[float, int, tuple[float, float]]]] = [{}, {}]
        for side, place in enumerate((a, b)):
            for km, k, q in self.attachments(place):  # nearest first
                nearest[side].setdefault(self.component[self.segments[k][0]], (km, k, q))
        common = sorted(
            (nearest[0][c][0] + nearest[1][c][0], c) for c in nearest[0].keys() & nearest[1].keys()
        )
        if not common:
            return None
        _, k_a, q_a = nearest[0][common[0][1]]
        _, k_b, q_b = nearest[1][common[0][1]]
        start, end = -1, -2  # the two attachment points, added for this search only
        for v, k, q in ((start, k_a, q_a), (end, k_b, q_b)):
            for n in self.segments[k]:
                self.G.add_edge(v, n, w=km_between(q, self.nodes[n]))
        if k_a == k_b:
            self.G.add_edge(start, end, w=km_between(q_a, q_b))
        try:
            path = nx.shortest_path(self.G, start, end, weight="w")
        except nx.NetworkXNoPath:
            return None
        finally:
            self.G.remove_nodes_from([start, end])
        inner = [q_a, *(self.nodes[n] for n in path[1:-1]), q_b]
        coords = [a] + [p for i, p in enumerate(inner) if i == 0 or p != inner[i - 1]] + [b]
        snap = (km_between(a, q_a), km_between(q_b, b))
        return Match(coords, line_km(coords), snap, self.source, spur_km=sum(snap))


@cache
def segment_index(
    mode: str, bbox: tuple[float, float, float, float], join: bool = True
) -> SegmentIndex:
    """The :class:`SegmentIndex` of a mode's world graph around the network (built once), with
    its grid gaps joined or as stored."""
    return SegmentIndex(mode, bbox, join)


def accept_spur(m: Match, mode: str, geodesic: float, published: float | None) -> str | None:
    """Return why a spur match is rejected, or None when it can be used."""
    if max(m.snap_km) > SPUR_KM:
        return f"a place is {max(m.snap_km):.0f} km from the line (> {SPUR_KM:g})"
    if m.km > 0 and m.spur_km / m.km > MAX_SPUR_SHARE:
        return f"access spurs would be {m.spur_km / m.km:.0%} of the line (> {MAX_SPUR_SHARE:.0%})"
    return accept(Match(m.coords, m.km, (0.0, 0.0), m.source, m.spur_km), mode, geodesic, published)


def spur_match(
    mode: str,
    a: tuple[float, float],
    b: tuple[float, float],
    geodesic: float,
    published: float | None,
    bbox: tuple[float, float, float, float],
) -> tuple[Match | None, str | None]:
    """A match with access spurs to the nearest segments (see :class:`SegmentIndex`).

    The graph with its grid gaps joined (:data:`GRID_JOIN_DEG`) is tried first, then the graph
    as stored: a join can make a place's nearest segment lie on a fragment that meets the line
    far away, where the stored graph offers the line itself a little farther off.
    """
    why = None
    for join in (True, False):
        m = segment_index(mode, bbox, join).route(a, b)
        why_here = "no path within reach of both places" if m is None else None
        if m is not None:
            why_here = accept_spur(m, mode, geodesic, published)
            if why_here is None:
                return m, None
        why = why or why_here
    return None, why


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
    spurs: dict[str, float] | None = None,
) -> list[str]:
    """Draw rail and road links along matched lines and measure their lengths on them.

    For each operational or closed rail or road link without a shape, the matched line
    becomes its shape (``shapes[link id] = (coords, "scgraph:world_railways")``). A link
    whose length was a detour factor on the geodesic (``geodesic_factor:F``) takes the
    matched line's length instead (``length_method`` = ``matched_line``); published lengths
    are kept and only checked against the line. Planned and under-construction links have no
    track to follow and stay straight. Where only a match with access spurs is acceptable
    (:func:`spur_match`), ``spurs[link id]`` is set to the spurs' length in km.

    Returns one line per link left straight, saying why.
    """
    report: list[str] = []
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    bbox = (min(xs) - 2.0, min(ys) - 2.0, max(xs) + 2.0, max(ys) + 2.0)
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
        ends = [
            polygons[c] for c in sorted({country_of[lk["u"]], country_of[lk["v"]]}) if c in polygons
        ]
        found, why = best_match(mode, a, b, geodesic, published)
        if found is not None:
            share = outside_share(found.coords, ends)
            if share > MAX_OUTSIDE_SHARE:
                found, why = None, f"{share:.0%} of the matched line is outside its countries"
        via_spur = found is None
        if via_spur:
            found, why_spur = spur_match(mode, a, b, geodesic, published, bbox)
            if found is not None:
                share = outside_share(found.coords, ends)
                if share > MAX_OUTSIDE_SHARE:
                    found, why_spur = None, f"{share:.0%} of the line is outside its countries"
            why = f"{why}; with access spurs: {why_spur}"
        if found is None:
            report.append(f"{lid}: {why}; straight")
            continue
        coords = [a, *found.coords[1:-1], b]
        shapes[lid] = (simplify(coords), found.source)
        if via_spur and spurs is not None:
            spurs[lid] = round(found.spur_km, 1)
        if factor:
            lk["length_km"] = f"{found.km:.1f}"
            lk["length_km_low"] = lk["length_km_high"] = lk["length_source_id"] = ""
            lk["length_method"] = "matched_line"
    return report
