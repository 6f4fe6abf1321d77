"""Which named corridor a route follows: the share of its km on each corridor's own links."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np

from corridors.errors import GeodataError
from corridors.routing.options import RouteOptions

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.graph.routing_graph import RoutingGraph
    from corridors.routing.results import Route


#: A waypoint: one node id, or several alternative node ids (pass any one of them).
Waypoint = str | tuple[str, ...]


def corridor_signature(net: Network, corridor: dict[str, Any]) -> list[Waypoint]:
    """Return the places that identify a corridor, in order.

    ``signature`` from ``corridors.yaml`` when given; otherwise the corridor's waypoints
    that are border stations or ports (where corridors differ), or all its waypoints
    when it has fewer than two of those.
    """
    if corridor.get("signature"):
        return [waypoint(p) for p in corridor["signature"]]
    points = [waypoint(p) for p in corridor.get("waypoints", [])]
    marked = [
        p
        for p in points
        if any(net.nodes.value(n, "kind") in ("border", "port") for n in waypoint_members(p))
    ]
    return marked if len(marked) >= 2 else points


def waypoint(item: Any) -> Waypoint:
    """Read a corridor waypoint: one node id, or a list of alternative node ids."""
    return str(item) if isinstance(item, str) else tuple(str(x) for x in item)


def waypoint_members(point: Waypoint) -> tuple[str, ...]:
    """Return a waypoint's node ids: its one node, or its alternatives."""
    return (point,) if isinstance(point, str) else point


#: A route carries a corridor's name when at least this share of its haul km runs on the
#: corridor's own links.
FOLLOW_SHARE = 0.6

_LINKS: WeakKeyDictionary[Network, dict[str, dict[str, float]]] = WeakKeyDictionary()


def corridor_links(net: Network) -> dict[str, dict[str, float]]:
    """Return each named corridor's links (id to km): its shortest paths by distance and time.

    The paths run through the corridor's waypoints in order, on its modes, statuses
    (operational and those it includes) and profile, avoiding the countries it avoids, as
    ``corridors.yaml`` defines it. Computed once per network, and kept beside a cached
    network on disk, so a new process that reads the network from the cache does not
    search for them again (36 searches over the whole graph on the shipped corridors).
    The corridors are searched a profile at a time, so a network that keeps one routing
    graph at a time (:attr:`~corridors.graph.network.Network.routing_graphs_kept`) builds
    each profile's once.
    """
    if net in _LINKS:
        return _LINKS[net]
    kept = _kept_links(net)
    if kept is not None:
        _LINKS[net] = kept
        return kept
    done: dict[int, dict[str, float] | None] = {}
    specs = list(net.geodata.corridors)
    groups: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        groups.setdefault(_profile_of(net, spec, i), []).append(i)
    for pid, members in groups.items():
        held = net.holds_routing_graph(pid)
        with _sharing_arrays(net, pid):
            for i in members:
                done[i] = _spec_links(net, specs[i])
        if not held and net.holds_routing_graph(pid) and _large(net.routing_graph(pid)):
            # a large graph built only for these searches goes again: at a million links
            # each takes about a gigabyte, and the question asked is on another profile
            net.release_routing_graph(pid)
    out = {str(specs[i]["id"]): links for i in range(len(specs)) if (links := done[i]) is not None}
    _LINKS[net] = out
    if getattr(net, "cached", False):
        from corridors.graph import cache

        cache.write_note(net.digest, _NOTE, out)
    return out


@contextmanager
def _sharing_arrays(net: Network, pid: str) -> Iterator[None]:
    """Within the block, the corridors of profile ``pid`` share their masks and weights.

    Searched by distance and by time, the corridors of a profile ask for the same two
    weight arrays, and often for the same mask (see
    :func:`~corridors.routing.edge_weights.reusing`).
    """
    from corridors.routing.edge_weights import reusing

    if pid not in net.profiles:
        yield  # no such profile: searching each corridor says so
        return
    with reusing(net.routing_graph(pid)):
        yield


def _large(rg: RoutingGraph) -> bool:
    from corridors.routing.contraction import CONTRACT_EDGES

    return rg.n_edges > CONTRACT_EDGES


def _profile_of(net: Network, spec: dict[str, Any], i: int) -> str:
    """Return the id of the profile a corridor is searched on (a key of its own if none)."""
    try:
        return net.profile(spec.get("profile")).id
    except Exception:  # searching the corridor raises it, in its turn
        return f"corridor {i}"


def _spec_links(net: Network, spec: dict[str, Any]) -> dict[str, float] | None:
    """Return one corridor's links (None: it names no end points to search between)."""
    from corridors.routing import edge_weights
    from corridors.routing.contraction import contraction_for

    points = [waypoint(p) for p in spec.get("waypoints", [])]
    if len(points) < 2 or not isinstance(points[0], str) or not isinstance(points[-1], str):
        return None
    links: dict[str, float] = {}
    for by in ("distance", "time"):
        opts = RouteOptions.build(
            by=by,
            profile=spec.get("profile"),
            statuses=sorted(set(spec.get("include") or []) | {"operational"}),
            modes=spec.get("modes") or None,
            avoid_countries=spec.get("avoid_countries") or None,
            crew=0,
        )
        rg = net.routing_graph(opts.profile)
        mask = edge_weights.edge_mask(rg, opts)
        _, weight = edge_weights.weights(rg, opts)
        try:
            found = edge_weights.shortest_edges(
                rg, weight, mask, points[1:-1], points[0], points[-1], contraction_for(net, rg)
            )
        except GeodataError:
            found = None  # broken data: `corridors data validate` reports it
        if found:
            links.update(_haul_km(rg, found[0]))
    return links


def _haul_km(rg: RoutingGraph, path: list[int]) -> dict[str, float]:
    """Return the km of each link a path hauls on, read from the component columns.

    A path of a million-link network runs over tens of thousands of pieces: their
    components are read as columns, not made into objects one by one.
    """
    from corridors.graph.edge_components import EdgeComponents

    held = rg.components
    if not isinstance(held, EdgeComponents):  # a graph given its components as objects
        return {
            c.link_id: c.distance_km
            for e in path
            for c in held[e]
            if c.kind == "haul" and c.link_id
        }
    columns = held.columns
    rows = held.rows_of(path)
    kinds, ids = columns.values["kind"], columns.values["link_id"]
    haul = [i for i, kind in enumerate(kinds) if kind == "haul"]
    rows = rows[np.isin(columns.codes["kind"][rows], haul)]
    out: dict[str, float] = {}
    # in travel order, a later piece of a link standing, as when adding them one by one
    for code, km in zip(
        columns.codes["link_id"][rows].tolist(), columns.floats["distance_km"][rows].tolist()
    ):
        if ids[code]:
            out[ids[code]] = km
    return out


#: The name of the corridor links' note beside the cached network.
_NOTE = "corridor-links"


def _kept_links(net: Network) -> dict[str, dict[str, float]] | None:
    """Return the corridor links kept beside the cached network, if they are usable."""
    if not getattr(net, "cached", False):
        return None
    from corridors.graph import cache

    doc = cache.read_note(net.digest, _NOTE)
    ids = [str(spec.get("id")) for spec in net.geodata.corridors]
    if not isinstance(doc, dict) or not set(doc) <= set(ids):
        return None
    out: dict[str, dict[str, float]] = {}
    for cid in ids:
        if cid not in doc:
            continue
        links = doc[cid]
        if not isinstance(links, dict) or not all(
            isinstance(k, str) and type(v) in (int, float) for k, v in links.items()
        ):
            return None
        out[cid] = {k: float(v) for k, v in links.items()}
    return out


@dataclass(frozen=True)
class CorridorShare:
    """How much of a route runs on one named corridor's links.

    Attributes
    ----------
    corridor
        The corridor id.
    share
        Share of the route's haul km on the corridor's links (0 to 1).
    coverage
        Share of the corridor's km the route runs on (0 to 1).
    """

    corridor: str
    share: float
    coverage: float

    @property
    def follows(self) -> bool:
        """Whether the route follows the corridor (share at least :data:`FOLLOW_SHARE`)."""
        return self.share >= FOLLOW_SHARE


def corridor_shares(net: Network, route: Route) -> list[CorridorShare]:
    """Return the named corridors' shares of a route, the closest first.

    A corridor whose own rules the route breaks (it enters a country the corridor avoids)
    is left out: the route does not follow it however many km they share. Closest means
    the largest share of the route's km on the corridor; among equal shares, the corridor
    the route covers most of (the shortest that holds it).
    """
    entered = set(route.countries)
    avoided = {
        str(spec["id"]): {str(c).upper() for c in spec.get("avoid_countries") or []}
        for spec in net.geodata.corridors
    }
    km: dict[str, float] = {}
    total = 0.0
    for c in route.components:
        if c.kind == "haul":
            total += c.distance_km
            if c.link_id:
                km[c.link_id] = km.get(c.link_id, 0.0) + c.distance_km
    out = []
    for cid, links in corridor_links(net).items():
        if avoided.get(cid, set()) & entered:
            continue
        on = sum(v for k, v in km.items() if k in links)
        length = sum(links.values())
        out.append(
            CorridorShare(
                cid,
                on / total if total > 0 else 0.0,
                min(1.0, on / length) if length > 0 else 0.0,
            )
        )
    out.sort(key=lambda s: (-round(s.share, 6), -s.coverage))
    return out


def match_corridor(net: Network, route: Route) -> str | None:
    """Return the id of the named corridor the route follows, if any.

    A route follows a corridor when at least :data:`FOLLOW_SHARE` of its haul km run on the
    corridor's links (:func:`corridor_links`); where several do, the closest one (see
    :func:`corridor_shares`).
    """
    shares = corridor_shares(net, route)
    return shares[0].corridor if shares and shares[0].follows else None
