"""Route queries on the corridor network: best route, alternatives, Pareto set, corridors."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from corridors import _query
from corridors._errors import InvalidOptionError, NoRouteError
from corridors.costs import DESTINATION, ORIGIN, Component, RoutingGraph
from corridors.io import records
from corridors.places import Place, PlaceInfo

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from corridors.network import Network

LEG_COLUMNS = [
    "kind",
    "mode",
    "from",
    "to",
    "from_name",
    "to_name",
    "country",
    "distance_km",
    "time_h",
    "cost_usd",
    "co2_kg",
    "gauge_mm",
    "status",
    "link_id",
    "friction_id",
    "source_ids",
    "note",
]
MAX_ALTERNATIVES = 20
#: A waypoint: one node id, or several alternative node ids (pass any one of them).
Waypoint = str | tuple[str, ...]


@dataclass
class Route:
    """A route: its legs (hauls, waits and frictions in travel order) and their totals.

    Attributes
    ----------
    origin, destination
        The resolved places.
    by
        The objective the route minimises.
    profile
        The cargo profile id the costs are for.
    components
        Every cost item in travel order.
    corridor
        Id of the named corridor the route follows, if any.
    value_of_time
        USD per unit per hour used for the generalized cost.
    """

    origin: Place
    destination: Place
    by: str
    profile: str
    components: list[Component]
    places: dict[str, PlaceInfo] = field(repr=False)
    value_of_time: float = 0.0
    corridor: str | None = None
    _geometry: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False)
    #: routing-graph edge indices of the path (empty for routes not built by a solver)
    _edges: list[int] = field(default_factory=list, repr=False)

    # -- totals ---------------------------------------------------------------------------
    @property
    def distance_km(self) -> float:
        """Total distance in km."""
        return float(math.fsum(c.distance_km for c in self.components))

    @property
    def time_h(self) -> float:
        """Total time in hours, frictions included."""
        return float(math.fsum(c.time_h for c in self.components))

    @property
    def cost_usd(self) -> float:
        """Total cost in USD per unit of the cargo profile."""
        return float(math.fsum(c.cost_usd for c in self.components))

    @property
    def co2_kg(self) -> float:
        """Total emissions in kg CO2 per unit of the cargo profile."""
        return float(math.fsum(c.co2_kg for c in self.components))

    @property
    def generalized_usd(self) -> float:
        """Cost plus value of time × time, in USD per unit."""
        return self.cost_usd + self.value_of_time * self.time_h

    def total(self, by: str) -> float:
        """Return the total of one objective (``time``, ``cost``, ``distance``...)."""
        return {
            "time": self.time_h,
            "cost": self.cost_usd,
            "distance": self.distance_km,
            "co2": self.co2_kg,
            "generalized": self.generalized_usd,
        }[by]

    @property
    def totals(self) -> dict[str, float]:
        """Totals of distance, time, cost, CO2 and generalized cost."""
        return {
            "distance_km": round(self.distance_km, 3),
            "time_h": round(self.time_h, 3),
            "cost_usd": round(self.cost_usd, 2),
            "co2_kg": round(self.co2_kg, 3),
            "generalized_usd": round(self.generalized_usd, 2),
        }

    # -- structure ------------------------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        """Places passed, in order."""
        out: list[str] = []
        for comp in self.components:
            if comp.kind != "haul":
                continue  # frictions restate places a haul already reached
            for node in (comp.from_node, comp.to_node):
                if not out or out[-1] != node:
                    out.append(node)
        if not out:
            out = [self.origin.node]
        return out

    @property
    def link_ids(self) -> list[str]:
        """Physical links used, in order."""
        return [c.link_id for c in self.components if c.kind == "haul" and c.link_id]

    @property
    def countries(self) -> list[str]:
        """Countries entered, in order (sea legs are in no country)."""
        out: list[str] = []
        for comp in self.components:
            if comp.kind == "haul":
                for node in (comp.from_node, comp.to_node):
                    code = self._country(node)
                    if code and (not out or out[-1] != code):
                        out.append(code)
        return out

    def _country(self, node: str) -> str:
        info = self.places.get(node)
        return info.country if info else ""

    @property
    def border_crossings(self) -> list[dict[str, Any]]:
        """Border crossings in order: places, countries, mode, time and fee."""
        out = []
        for comp in self.components:
            if comp.kind == "border":
                a, b = comp.country.split(">") if ">" in comp.country else ("", "")
                out.append(
                    {
                        "from": comp.from_node,
                        "to": comp.to_node,
                        "from_country": a,
                        "to_country": b,
                        "mode": comp.mode,
                        "time_h": comp.time_h,
                        "fee_usd": comp.cost_usd,
                        "source_ids": list(comp.source_ids),
                    }
                )
        return out

    @property
    def transfers(self) -> list[dict[str, Any]]:
        """Gauge breaks, mode transfers and port lifts, in order."""
        return [
            {
                "kind": c.kind,
                "at": c.from_node,
                "modes": c.mode,
                "time_h": c.time_h,
                "fee_usd": c.cost_usd,
                "source_ids": list(c.source_ids),
            }
            for c in self.components
            if c.kind in ("gauge_break", "transfer", "port")
        ]

    # -- tables ---------------------------------------------------------------------------
    def leg_frame(self) -> pd.DataFrame:
        """Return the legs as a DataFrame (no geometry; see :attr:`legs` for that)."""
        rows = []
        for c in self.components:
            rows.append(
                {
                    "kind": c.kind,
                    "mode": c.mode,
                    "from": c.from_node,
                    "to": c.to_node,
                    "from_name": self.place_name(c.from_node),
                    "to_name": self.place_name(c.to_node),
                    "country": c.country,
                    "distance_km": c.distance_km,
                    "time_h": c.time_h,
                    "cost_usd": c.cost_usd,
                    "co2_kg": c.co2_kg,
                    "gauge_mm": c.gauge_mm,
                    "status": c.status,
                    "link_id": c.link_id,
                    "friction_id": c.friction_id,
                    "source_ids": "|".join(c.source_ids),
                    "note": c.note,
                }
            )
        import pandas as pd

        return pd.DataFrame(rows, columns=LEG_COLUMNS)

    @property
    def legs(self) -> gpd.GeoDataFrame:
        """The legs as a GeoDataFrame (EPSG:4326): lines for hauls, points for frictions."""
        import geopandas as gpd
        from shapely.geometry import LineString, Point

        frame = self.leg_frame()
        geoms = []
        for c in self.components:
            line = self._geometry.get((c.link_id or "", c.from_node, c.to_node))
            if c.kind == "haul" and line is not None:
                geoms.append(line)
            elif c.kind == "haul":
                a, b = self._xy(c.from_node), self._xy(c.to_node)
                geoms.append(LineString([a, b]))
            else:
                geoms.append(Point(self._xy(c.from_node)))
        return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")

    def _xy(self, node: str) -> tuple[float, float]:
        if node in self.places:
            return self.places[node].x, self.places[node].y
        # the user's own point at the outer end of an access leg
        end = self.origin if node == f"@{self.origin.query}" else self.destination
        return end.lon, end.lat

    def place_name(self, node: str, default: str | None = None) -> str:
        """Return a node's name (``default``, else the id, for a node not in the network)."""
        info = self.places.get(node)
        if info:
            return info.name
        return default if default is not None else node.lstrip("@")

    def to_dict(self) -> dict[str, Any]:
        """Return the route as plain data (what ``--json`` prints for each route)."""
        legs = [
            {
                "from": c.from_node,
                "to": c.to_node,
                "kind": c.kind,
                "mode": c.mode,
                "country": c.country,
                "distance_km": round(c.distance_km, 3),
                "time_h": round(c.time_h, 3),
                "cost_usd": round(c.cost_usd, 2),
                "co2_kg": round(c.co2_kg, 3),
                "status": c.status,
                "gauge_mm": c.gauge_mm,
                "link_id": c.link_id,
                "friction_id": c.friction_id,
                "source_ids": list(c.source_ids),
            }
            for c in self.components
        ]
        out: dict[str, Any] = {
            "origin": self.origin.node,
            "destination": self.destination.node,
            "by": self.by,
            "profile": self.profile,
            "totals": self.totals,
            "legs": legs,
            "countries": self.countries,
            "border_crossings": self.border_crossings,
            "transfers": self.transfers,
        }
        if self.corridor:
            out["corridor"] = self.corridor
        return out

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def summary(self) -> str:
        """Return a one-line summary of the route."""
        o = self.place_name(self.origin.node)
        d = self.place_name(self.destination.node)
        corridor = f" [{self.corridor}]" if self.corridor else ""
        return (
            f"{o} → {d} by {self.by}{corridor}: {self.distance_km:,.0f} km, "
            f"{self.time_h:,.1f} h ({self.time_h / 24:.1f} d), USD {self.cost_usd:,.0f}, "
            f"{self.co2_kg:,.0f} kg CO2 per {self.profile}; "
            f"{'→'.join(self.countries)}; {len(self.border_crossings)} border(s), "
            f"{len(self.transfers)} transfer(s)"
        )

    def __str__(self) -> str:
        return self.summary()

    def explore(self, net: Network | None = None, **kwargs: Any) -> Any:
        """Return an interactive folium map of the route (see `corridors.maps.interactive`)."""
        from corridors import maps
        from corridors.network import load_network

        return maps.interactive(net or load_network(), [self], **kwargs)

    def plot(self, net: Network | None = None, **kwargs: Any) -> Any:
        """Return a static matplotlib figure of the route (see :func:`corridors.maps.static`)."""
        from corridors import maps
        from corridors.network import load_network

        return maps.static(net or load_network(), [self], **kwargs)

    def __rich__(self) -> Any:
        from corridors._display import route_table

        return route_table(self)

    def _repr_html_(self) -> str:
        from corridors._display import route_html

        return route_html(self)


@dataclass
class _Solved:
    path: list[int]  # routing-graph edge indices
    weight: float


def _geometry(net: Network, comps: Iterable[Component]) -> dict[tuple[str, str, str], Any]:
    out = {}
    for c in comps:
        if c.kind == "haul" and c.link_id:
            for data in net.G.get_edge_data(c.from_node, c.to_node, default={}).values():
                if data.get("link_id") == c.link_id:
                    out[(c.link_id, c.from_node, c.to_node)] = data.get("geometry")
    return out


class _Solver:
    """One query's filtered graph, solved with Dijkstra on ``scipy.sparse.csgraph``."""

    def __init__(
        self,
        net: Network,
        rg: RoutingGraph,
        opts: _query.Options,
        waypoints: Sequence[str | Sequence[str]],
    ) -> None:
        self.net = net
        self.rg = rg
        self.opts = opts
        self.waypoints = list(waypoints)
        self.mask = _query.edge_mask(rg, opts)
        self.primary, self.weight = _query.weights(rg, opts)

    def solve(self, origin: str, destination: str, weight: np.ndarray | None = None) -> _Solved:
        from scipy.sparse import csr_array
        from scipy.sparse.csgraph import dijkstra

        w = self.weight if weight is None else weight
        kept = _query.collapse(self.rg.src, self.rg.dst, w, self.mask)
        s, d, ww, e = _query.staged(self.rg, kept, self.waypoints)
        stages = len(self.waypoints)
        n = self.rg.n_nodes * (stages + 1)
        source = self.rg.index.get((origin, ORIGIN))
        target = self.rg.index.get((destination, DESTINATION))
        if source is None or target is None:
            raise nx.NetworkXNoPath
        target += stages * self.rg.n_nodes
        _query.check_non_negative(ww)
        # every (s, d) pair is unique (collapsed per stage), so the CSR sums nothing
        graph = csr_array((ww, (s, d)), shape=(n, n))
        dist, pred = dijkstra(graph, directed=True, indices=source, return_predecessors=True)
        if not np.isfinite(dist[target]):
            raise nx.NetworkXNoPath
        nodes = [target]
        while nodes[-1] != source and len(nodes) <= n:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        key = s * n + d
        order = np.argsort(key, kind="stable")
        want = np.asarray(nodes[:-1], dtype=np.int64) * n + np.asarray(nodes[1:], dtype=np.int64)
        path = e[order[np.searchsorted(key[order], want)]].tolist()
        return _Solved([p for p in path if p >= 0], float(dist[target]))

    def to_route(self, solved: _Solved, origin: Place, destination: Place) -> Route:
        comps = [c for e in solved.path for c in self.rg.components[e]]
        vot = (
            self.rg.profile.value_of_time_usd_per_h
            if self.opts.value_of_time is None
            else self.opts.value_of_time
        )
        route = Route(
            origin=origin,
            destination=destination,
            by=self.opts.by,
            profile=self.rg.profile.id,
            components=_with_access(comps, origin, destination, self.net, self.rg),
            places=self.net.place_info,
            value_of_time=vot,
        )
        route._geometry = _geometry(self.net, comps)
        route._edges = list(solved.path)
        route.corridor = match_corridor(self.net, route)
        return route


def _with_access(
    comps: list[Component], origin: Place, destination: Place, net: Network, rg: RoutingGraph
) -> list[Component]:
    """Add the stated road access legs of snapped origins and destinations."""
    if not (origin.access_km or destination.access_km):
        return comps
    from corridors.costs import _Lookup

    look = _Lookup(net.geodata, rg.profile)
    out = list(comps)

    def leg(place: Place, start: bool) -> Component:
        country = str(net.G.nodes[place.node].get("country") or "")
        speed, sids = look.speed("road", country)
        per_km, per_unit, rids = look.rate("", "road", country)
        co2, cids = look.co2_per_km("road")
        km = place.access_km
        return Component(
            kind="haul",
            from_node=place.node if not start else f"@{place.query}",
            to_node=place.node if start else f"@{place.query}",
            mode="road",
            country=country,
            distance_km=km,
            time_h=km / speed,
            cost_usd=per_km * km + per_unit,
            co2_kg=co2 * km,
            source_ids=tuple(dict.fromkeys(sids + rids + cids)),
            note=(
                f"access leg to {place.label}: geodesic distance × "
                f"{net.places.road_factor:.2f}, the median circuity of the data's road links "
                "(estimate)"
            ),
        )

    if origin.access_km:
        out.insert(0, leg(origin, True))
    if destination.access_km:
        out.append(leg(destination, False))
    return out


def corridor_signature(net: Network, corridor: dict[str, Any]) -> list[Waypoint]:
    """Return the places that identify a corridor, in order.

    ``signature`` from ``corridors.yaml`` when given; otherwise the corridor's waypoints
    that are border stations or ports (where corridors differ), or all its waypoints
    when it has fewer than two of those.
    """
    if corridor.get("signature"):
        return [_waypoint(p) for p in corridor["signature"]]
    points = [_waypoint(p) for p in corridor.get("waypoints", [])]
    marked = [
        p
        for p in points
        if any(net.G.nodes.get(n, {}).get("kind") in ("border", "port") for n in _members(p))
    ]
    return marked if len(marked) >= 2 else points


def _waypoint(item: Any) -> Waypoint:
    """Read a corridor waypoint: one node id, or a list of alternative node ids."""
    return str(item) if isinstance(item, str) else tuple(str(x) for x in item)


def _members(point: Waypoint) -> tuple[str, ...]:
    return (point,) if isinstance(point, str) else point


def match_corridor(net: Network, route: Route) -> str | None:
    """Return the id of the named corridor the route follows, if any.

    A route follows a corridor when it passes, in order, a contiguous run of at least
    two of the corridor's signature places (see :func:`corridor_signature`), so a route
    that starts or ends part-way along a corridor still follows it, and at least half of
    its haul distance is in the corridor's modes (when the corridor lists modes). Where
    several corridors match, the longest run wins, then the one with more of its
    waypoints on the route, then the one that starts and ends where the route does,
    then the first listed.
    """
    position = {node: i for i, node in enumerate(route.nodes)}
    km_by_mode: dict[str, float] = {}
    for c in route.components:
        if c.kind == "haul":
            km_by_mode[c.mode] = km_by_mode.get(c.mode, 0.0) + c.distance_km
    total_km = sum(km_by_mode.values())
    best: tuple[tuple[int, int, int], str] | None = None
    for corridor in net.geodata.corridors:
        modes = corridor.get("modes") or []
        if modes and sum(km_by_mode.get(m, 0.0) for m in modes) < 0.5 * total_km:
            continue  # e.g. a road corridor does not describe a rail route on its crossings
        run = longest = 0
        last = -1
        for place in corridor_signature(net, corridor):
            here = min((position[n] for n in _members(place) if n in position), default=-1)
            if here > last >= 0 or (here >= 0 and run == 0):
                run, last = run + 1, here
            else:
                run, last = (1, here) if here >= 0 else (0, -1)
            longest = max(longest, run)
        if longest < 2:
            continue
        points = [_waypoint(p) for p in corridor.get("waypoints", [])]
        covered = sum(any(n in position for n in _members(p)) for p in points)
        ends = (route.origin.node in _members(points[0])) + (
            route.destination.node in _members(points[-1])
        )
        score = (longest, covered, ends)
        if best is None or score > best[0]:
            best = (score, str(corridor["id"]))
    return None if best is None else best[1]


def _resolve(net: Network, place: str | Place) -> Place:
    return place if isinstance(place, Place) else net.places.resolve(place)


def _options(**kwargs: Any) -> _query.Options:
    return _query.make_options(**kwargs)


def _resolve_via(net: Network, via: Sequence[str | Sequence[str]]) -> list[Waypoint]:
    """Resolve waypoints; one given as several places is passed at any one of them.

    Several places are a list, or names joined by ``|``.
    """
    out: list[Waypoint] = []
    for item in via:
        parts = item.split("|") if isinstance(item, str) else list(item)
        nodes = tuple(dict.fromkeys(_resolve(net, p.strip()).node for p in parts if p.strip()))
        if not nodes:
            msg = f"empty waypoint {item!r}; give a place name or id"
            raise InvalidOptionError(msg)
        out.append(nodes[0] if len(nodes) == 1 else nodes)
    return out


def _label(point: Waypoint) -> str:
    return point if isinstance(point, str) else "|".join(point)


def _check_endpoints(
    net: Network, o: Place, d: Place, via: Sequence[Waypoint], opts: _query.Options
) -> None:
    if o.node == d.node and not via:
        msg = f"origin and destination are the same place ({o.node}); give two different places"
        raise NoRouteError(msg)
    singles = [p for p in via if isinstance(p, str)]
    for place in (o.node, d.node, *singles):
        if place in opts.avoid_nodes:
            msg = f"{place} is both on the route (origin, destination or via) and avoided"
            raise InvalidOptionError(msg)
        country = str(net.G.nodes[place].get("country"))
        if country in opts.avoid_countries:
            msg = (
                f"{place} is in {country}, which the query avoids; "
                f"drop --avoid-country {country} or choose another place"
            )
            raise NoRouteError(msg)


#: Whether a failed query says which restriction blocks it (up to four more searches).
_EXPLAIN: ContextVar[bool] = ContextVar("corridors_explain_no_route", default=True)


@contextmanager
def _unexplained() -> Iterator[None]:
    """Skip the explanation of failed queries, for callers that only need the routes."""
    token = _EXPLAIN.set(False)
    try:
        yield
    finally:
        _EXPLAIN.reset(token)


def _explain(
    net: Network,
    profile: str | None,
    o: Place,
    d: Place,
    via: Sequence[Waypoint],
    opts: _query.Options,
) -> str:
    """Say which restriction blocks a route, by relaxing them one at a time."""
    rg = net.routing_graph(profile)
    where = f" via {', '.join(_label(p) for p in via)}" if via else ""
    base = f"no route from {o.node} to {d.node}{where}"
    blocks = "; ".join(opts.describe_blocks())
    every_status = frozenset({"operational", "under_construction", "planned", "closed"})
    relaxed = [
        ("all statuses", replace(opts, statuses=every_status, year=None)),
        ("no avoided countries", replace(opts, avoid_countries=frozenset())),
        (
            "no avoided places, links or borders",
            replace(
                opts,
                avoid_nodes=frozenset(),
                avoid_links=frozenset(),
                avoid_borders=frozenset(),
            ),
        ),
        ("all modes", replace(opts, modes=None)),
    ]
    for label, alt in relaxed:
        try:
            solver = _Solver(net, rg, alt, via)
            solved = solver.solve(o.node, d.node)
        except nx.NetworkXNoPath:
            continue
        route = solver.to_route(solved, o, d)
        if label == "all statuses":
            needed = sorted(
                {
                    f"{c.link_id} ({c.status})"
                    for c in route.components
                    if c.kind == "haul" and c.status != "operational"
                }
            )
            return f"{base} with {blocks}; a route exists only through {', '.join(needed)}"
        return f"{base} with {blocks}; one exists with {label}"
    return f"{base} with {blocks}, nor with any of them relaxed: the places are not connected"


def route(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    by: str = "time",
    profile: str | None = None,
    via: Sequence[str | Sequence[str]] = (),
    statuses: Iterable[str] | str | None = None,
    include_planned: bool = False,
    year: int | None = None,
    modes: Iterable[str] | str | None = None,
    avoid_countries: Iterable[str] | str | None = None,
    avoid_nodes: Iterable[str] | None = None,
    avoid_links: Iterable[str] | str | None = None,
    avoid_borders: Iterable[str] | str | None = None,
    value_of_time: float | None = None,
) -> Route:
    """Find the best route between two places.

    Parameters
    ----------
    net
        The network (see :func:`corridors.load_network`).
    origin, destination
        Node id, name or alias (case- and diacritic-insensitive), ``"lat,lon"``, or any
        GeoNames city (snapped to the network with a stated road access leg).
    by
        Objective: ``time`` (h), ``cost`` (USD), ``distance`` (km), ``co2`` (kg) or
        ``generalized`` (USD + value of time × h).
    profile
        Cargo profile id (``teu`` by default; ``bulk``, ``oil``).
    via
        Places the route must pass, in order; a waypoint given as a list (or as names
        joined by ``|``) is passed at any one of its places.
    statuses
        Link statuses allowed (``operational`` by default).
    include_planned
        Also allow links under construction and planned.
    year
        Allow operational links and those due to open by this year.
    modes
        Modes allowed (default: all the profile can use).
    avoid_countries, avoid_nodes, avoid_links, avoid_borders
        ISO codes, node ids (or names), link ids, and country pairs such as ``KZ-TM``.
    value_of_time
        USD per unit per hour for the generalized cost (default: the profile's).

    Returns
    -------
    route
        The best route with its legs and totals.

    Raises
    ------
    UnknownPlaceError, AmbiguousPlaceError
        If a place cannot be resolved.
    InvalidOptionError
        If an option is out of range.
    NoRouteError
        If no route satisfies the options; the message names what blocks it.
    """
    routes = alternatives(
        net,
        origin,
        destination,
        k=1,
        by=by,
        profile=profile,
        via=via,
        statuses=statuses,
        include_planned=include_planned,
        year=year,
        modes=modes,
        avoid_countries=avoid_countries,
        avoid_nodes=avoid_nodes,
        avoid_links=avoid_links,
        avoid_borders=avoid_borders,
        value_of_time=value_of_time,
    )
    return routes[0]


def _overlap(a: Route, b: Route, km: dict[str, float]) -> float:
    la, lb = set(a.link_ids), set(b.link_ids)
    ka = sum(km.get(x, 0.0) for x in la)
    kb = sum(km.get(x, 0.0) for x in lb)
    shared = sum(km.get(x, 0.0) for x in la & lb)
    small = min(ka, kb)
    return 1.0 if small <= 0 else shared / small


def alternatives(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    k: int = 3,
    max_overlap: float = 0.6,
    penalty: float = 1.5,
    by: str = "time",
    profile: str | None = None,
    via: Sequence[str | Sequence[str]] = (),
    statuses: Iterable[str] | str | None = None,
    include_planned: bool = False,
    year: int | None = None,
    modes: Iterable[str] | str | None = None,
    avoid_countries: Iterable[str] | str | None = None,
    avoid_nodes: Iterable[str] | None = None,
    avoid_links: Iterable[str] | str | None = None,
    avoid_borders: Iterable[str] | str | None = None,
    value_of_time: float | None = None,
) -> list[Route]:
    """Find up to ``k`` genuinely different routes, best first.

    The first route is the optimum. Further candidates come from the penalty method:
    after each route is found, the weights of its links are multiplied by ``penalty``
    and the search runs again, which pushes later searches onto other corridors. A
    candidate is kept only if it shares at most ``max_overlap`` of its link length with
    every route already kept, so the same corridor with a one-station detour is not
    returned twice. The kept routes are ranked by their true (unpenalised) objective.

    Parameters
    ----------
    net, origin, destination, by, profile, via, statuses, include_planned, year, modes,
    avoid_countries, avoid_nodes, avoid_links, avoid_borders, value_of_time
        As for :func:`route`.
    k
        How many routes at most (1 to 20).
    max_overlap
        Largest share of a candidate's link length it may share with a kept route.
    penalty
        Factor applied to the weight of a found route's links before the next search.

    Returns
    -------
    routes
        Up to ``k`` routes, best first.

    Raises
    ------
    NoRouteError
        If no route exists at all.
    """
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_ALTERNATIVES:
        msg = f"k={k!r} is out of range; ask for 1 to {MAX_ALTERNATIVES} alternatives"
        raise InvalidOptionError(msg)
    if not 0.0 < max_overlap <= 1.0 or not penalty > 1.0:
        msg = "max_overlap must be in (0, 1] and penalty greater than 1"
        raise InvalidOptionError(msg)
    o = _resolve(net, origin)
    d = _resolve(net, destination)
    via_nodes = _resolve_via(net, via)
    avoid = [_resolve(net, p).node for p in (avoid_nodes or ())]
    opts = _options(
        by=by,
        statuses=statuses,
        include_planned=include_planned,
        year=year,
        modes=modes,
        avoid_countries=avoid_countries,
        avoid_nodes=avoid,
        avoid_links=avoid_links,
        avoid_borders=avoid_borders,
        value_of_time=value_of_time,
    )
    _check_endpoints(net, o, d, via_nodes, opts)
    rg = net.routing_graph(profile)
    solver = _Solver(net, rg, opts, via_nodes)
    try:
        first = solver.solve(o.node, d.node)
    except nx.NetworkXNoPath:
        if _EXPLAIN.get():
            msg = _explain(net, profile, o, d, via_nodes, opts)
        else:
            msg = f"no route from {o.node} to {d.node}"
        raise NoRouteError(msg) from None
    kept = [solver.to_route(first, o, d)]
    if k == 1:
        return kept
    km = {str(r["id"]): float(r["length_km"]) for r in records(net.geodata.links)}
    weight = solver.weight.copy()
    is_link = rg.kind == "link"
    seen = {tuple(first.path)}
    last = first
    for _ in range(6 * k):
        # penalise both directions of every physical link the last route used
        used = set(rg.link_id[last.path][is_link[last.path]].tolist())
        weight[is_link & np.isin(rg.link_id, list(used))] *= penalty
        try:
            cand = solver.solve(o.node, d.node, weight)
        except nx.NetworkXNoPath:
            break
        last = cand
        if tuple(cand.path) in seen:
            continue
        seen.add(tuple(cand.path))
        route_c = solver.to_route(cand, o, d)
        if all(_overlap(route_c, r, km) <= max_overlap for r in kept):
            kept.append(route_c)
            if len(kept) == k:
                break
    kept.sort(key=lambda r: (r.total(opts.by), r.total("generalized")))
    return kept


def _dominated(a: Route, b: Route, objectives: Sequence[str]) -> bool:
    """Whether ``b`` dominates ``a``."""
    va = [a.total(o) for o in objectives]
    vb = [b.total(o) for o in objectives]
    return all(y <= x for x, y in zip(va, vb)) and any(y < x for x, y in zip(va, vb))


def pareto(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    objectives: Sequence[str] = ("time", "cost"),
    steps: int = 11,
    profile: str | None = None,
    **options: Any,
) -> list[Route]:
    """Find non-dominated routes for two or more objectives.

    Candidates are the optimum of weighted sums of the (normalised) objectives over a
    grid of ``steps`` weights, plus the alternatives of each single objective; dominated
    candidates are dropped. The result holds the supported non-dominated routes and any
    others the alternatives found; it is not guaranteed to be the complete Pareto set.

    Parameters
    ----------
    net, origin, destination, profile
        As for :func:`route`.
    objectives
        Two or more of ``time``, ``cost``, ``distance``, ``co2``, ``generalized``.
    steps
        Number of weights tried per objective pair (2 to 101).
    **options
        Other options of :func:`route` (``via``, ``include_planned``, ``avoid_countries``...).

    Returns
    -------
    routes
        Non-dominated routes sorted by the first objective.
    """
    objs = [str(x).lower() for x in objectives]
    if len(objs) < 2 or len(set(objs)) != len(objs) or not set(objs) <= set(_query.OBJECTIVES):
        msg = (
            f"objectives={tuple(objectives)!r}: give two or more different ones from "
            f"{', '.join(_query.OBJECTIVES)}"
        )
        raise InvalidOptionError(msg)
    if not 2 <= steps <= 101:
        msg = f"steps={steps} is out of range; give 2 to 101"
        raise InvalidOptionError(msg)
    candidates: list[Route] = []
    for obj in objs:
        candidates += alternatives(
            net, origin, destination, k=3, by=obj, profile=profile, **options
        )
    o, d = candidates[0].origin, candidates[0].destination
    via = _resolve_via(net, options.get("via", ()))
    opts = _options(by=objs[0], **{k: v for k, v in options.items() if k != "via"})
    rg = net.routing_graph(profile)
    solver = _Solver(net, rg, opts, via)
    scales = []
    for obj in objs:
        best = min(r.total(obj) for r in candidates)
        scales.append(_query.objective(rg, obj, opts.value_of_time) / max(best, 1e-9))
    grid = np.linspace(0.0, 1.0, steps)
    for i in range(len(objs)):
        for j in range(i + 1, len(objs)):
            for lam in grid:
                weight = lam * scales[i] + (1 - lam) * scales[j]
                try:
                    candidates.append(solver.to_route(solver.solve(o.node, d.node, weight), o, d))
                except nx.NetworkXNoPath:
                    continue
    unique: dict[tuple[str, ...], Route] = {}
    for r in candidates:
        unique.setdefault(tuple(c.friction_id or c.link_id or "" for c in r.components), r)
    front = [r for r in unique.values() if not any(_dominated(r, s, objs) for s in unique.values())]
    front.sort(key=lambda r: tuple(r.total(o) for o in objs))
    return front


@dataclass
class Comparison:
    """Named corridors side by side between one origin and destination.

    Attributes
    ----------
    origin, destination
        The resolved places.
    routes
        Route per corridor id (missing where the corridor cannot serve the pair).
    reasons
        Why a corridor has no route, per corridor id.
    """

    origin: Place
    destination: Place
    by: str
    profile: str
    routes: dict[str, Route]
    reasons: dict[str, str]
    names: dict[str, str]

    def to_frame(self) -> pd.DataFrame:
        """Return one row per corridor: totals, borders, transfers, countries."""
        rows: list[dict[str, Any]] = []
        for cid, name in self.names.items():
            r = self.routes.get(cid)
            if r is None:
                rows.append({"corridor": cid, "name": name, "note": self.reasons.get(cid, "")})
                continue
            rows.append(
                {
                    "corridor": cid,
                    "name": name,
                    "distance_km": round(r.distance_km, 1),
                    "time_h": round(r.time_h, 1),
                    "time_d": round(r.time_h / 24, 2),
                    "cost_usd": round(r.cost_usd, 0),
                    "co2_kg": round(r.co2_kg, 1),
                    "borders": len(r.border_crossings),
                    "transfers": len(r.transfers),
                    "countries": "→".join(r.countries),
                    "note": "",
                }
            )
        import pandas as pd

        frame = pd.DataFrame(rows)
        if "time_h" in frame:
            key = {
                "time": "time_h",
                "cost": "cost_usd",
                "distance": "distance_km",
                "co2": "co2_kg",
            }.get(self.by, "time_h")
            frame = frame.sort_values(key, na_position="last", kind="stable")
        return frame.reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as plain data."""
        return {
            "origin": self.origin.node,
            "destination": self.destination.node,
            "by": self.by,
            "profile": self.profile,
            "routes": [r.to_dict() for r in self.routes.values()],
            "unavailable": self.reasons,
        }

    def __rich__(self) -> Any:
        from corridors._display import comparison_table

        return comparison_table(self)

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False, na_rep=""))


def route_corridor(
    net: Network, spec: dict[str, Any], *, by: str = "time", profile: str | None = None
) -> Route:
    """Route a named corridor from its first waypoint to its last, as ``corridors.yaml`` defines it.

    Parameters
    ----------
    net
        The network.
    spec
        One entry of ``net.geodata.corridors``: ``waypoints``, and optionally ``modes``,
        ``include`` (statuses besides operational), ``profile`` and ``avoid_countries``.
    by
        Objective.
    profile
        Cargo profile; by default the corridor's own, else the network default.

    Returns
    -------
    route
        The corridor's route, with ``corridor`` set to the corridor id.
    """
    points = [_waypoint(p) for p in spec.get("waypoints", [])]
    if len(points) < 2 or not isinstance(points[0], str) or not isinstance(points[-1], str):
        msg = f"corridor {spec.get('id')!r} needs two or more waypoints, the ends single places"
        raise InvalidOptionError(msg)
    found = route(
        net,
        points[0],
        points[-1],
        via=points[1:-1],
        by=by,
        profile=profile or spec.get("profile"),
        statuses=sorted(set(spec.get("include") or []) | {"operational"}),
        modes=spec.get("modes") or None,
        avoid_countries=spec.get("avoid_countries") or None,
    )
    found.corridor = str(spec.get("id"))
    return found


#: A place lies "between" two others when going through it is at most this much longer
#: than going straight (geodesic distances).
BETWEEN_FACTOR = 1.25


def corridor_waypoints(net: Network, spec: dict[str, Any], o: Place, d: Place) -> list[Waypoint]:
    """Return a corridor's waypoints that lie between an origin and a destination.

    A leading waypoint is dropped while the origin lies between it and a later waypoint
    (or the destination): the route joins the corridor there instead of going back to
    its start. Trailing waypoints are dropped the same way around the destination. "Between"
    means the detour through the place is at most :data:`BETWEEN_FACTOR` times the
    straight geodesic distance. So the Middle Corridor, which starts at Khorgos, serves a
    route from Almaty without sending it to the Chinese border first.
    """
    from pyproj import Geod

    geod = Geod(ellps="WGS84")

    def km(a: tuple[float, float], b: tuple[float, float]) -> float:
        return float(geod.inv(a[0], a[1], b[0], b[1])[2]) / 1000.0

    def between(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> bool:
        return km(a, p) + km(p, b) <= BETWEEN_FACTOR * km(a, b)

    def xy(point: Waypoint) -> tuple[float, float]:
        node = _members(point)[0]
        return float(net.G.nodes[node]["x"]), float(net.G.nodes[node]["y"])

    start, end = (o.lon, o.lat), (d.lon, d.lat)
    points = [
        p
        for p in map(_waypoint, spec.get("waypoints", []))
        if not {o.node, d.node} & set(_members(p))
    ]
    while points and any(between(start, xy(points[0]), b) for b in [*map(xy, points[1:]), end]):
        points.pop(0)
    while points and any(between(end, a, xy(points[-1])) for a in [start, *map(xy, points[:-1])]):
        points.pop()
    return points


def _detour(found: Route) -> str:
    """Describe how a forced route doubles back, or return an empty string."""
    seen: set[str] = set()
    for node in found.nodes:
        if node in seen:
            return f"the corridor's waypoints force the route back through {node}"
        seen.add(node)
    left: set[str] = set()
    previous = ""
    for code in found.countries:
        if code in left:
            return f"the route would re-enter {code} ({'→'.join(found.countries)})"
        if previous:
            left.add(previous)
        previous = code
    return ""


def compare(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    corridors: Sequence[str] | None = None,
    by: str = "time",
    profile: str | None = None,
    include_best: bool = True,
    **options: Any,
) -> Comparison:
    """Route between two places once per named corridor, forced through its waypoints.

    Each corridor's waypoints between the two places (see :func:`corridor_waypoints`),
    modes, statuses, profile and ``avoid_countries`` from ``corridors.yaml`` apply. A
    corridor whose forced route doubles back (revisits a place or re-enters a country)
    is not on the way between the two places: it gets a reason instead of a row.

    Parameters
    ----------
    net, origin, destination, by, profile
        As for :func:`route`.
    corridors
        Corridor ids from ``corridors.yaml`` (default: every corridor).
    include_best
        Add the unconstrained best route as row ``best``.
    **options
        Other options of :func:`route`, applied to every corridor.

    Returns
    -------
    comparison
        Routes per corridor and the reasons for those that cannot serve the pair.
    """
    o = _resolve(net, origin)
    d = _resolve(net, destination)
    known = {str(c["id"]): c for c in net.geodata.corridors}
    wanted = list(corridors) if corridors else list(known)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        msg = f"unknown corridor {unknown[0]!r}; choose from: {', '.join(known)}"
        raise InvalidOptionError(msg)
    routes: dict[str, Route] = {}
    reasons: dict[str, str] = {}
    names: dict[str, str] = {}
    if include_best:
        names["best"] = f"best by {by}"
        try:
            routes["best"] = route(net, o, d, by=by, profile=profile, **options)
        except NoRouteError as err:
            reasons["best"] = str(err)
    for cid in wanted:
        spec = known[cid]
        names[cid] = str(spec.get("name", cid))
        points = corridor_waypoints(net, spec, o, d)
        statuses = set(spec.get("include", [])) | set(options.get("statuses") or ["operational"])
        own_profile = profile or spec.get("profile")
        if own_profile and own_profile != profile:
            names[cid] += f" ({own_profile})"
        opts = {k: v for k, v in options.items() if k != "statuses"}
        if spec.get("modes") and "modes" not in opts:
            opts["modes"] = spec["modes"]
        avoid = set(spec.get("avoid_countries") or []) | set(
            _query._words(opts.pop("avoid_countries", None))
        )
        try:
            found = route(
                net,
                o,
                d,
                by=by,
                profile=own_profile,
                via=points,
                statuses=sorted(statuses),
                avoid_countries=sorted(avoid),
                **opts,
            )
        except NoRouteError as err:
            reasons[cid] = str(err)
            continue
        detour = _detour(found)
        if detour:
            reasons[cid] = f"not on the way from {o.node} to {d.node}: {detour}"
            continue
        found.corridor = cid
        routes[cid] = found
    return Comparison(o, d, by, net.profile(profile).id, routes, reasons, names)
