"""Solve route queries: best route, alternatives and the Pareto set, on scipy's Dijkstra."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Unpack

import numpy as np

from corridors.data.geodata import records
from corridors.errors import InvalidOptionError, NoRouteError
from corridors.graph.cost_model import Component
from corridors.graph.edge_components import components_along
from corridors.graph.places import Place
from corridors.graph.routing_graph import RoutingGraph
from corridors.routing import edge_weights
from corridors.routing.contraction import contraction_for
from corridors.routing.corridor_match import Waypoint, corridor_shares
from corridors.routing.objectives import OBJECTIVES
from corridors.routing.options import RouteKeywords, RouteOptions, check_names
from corridors.routing.results import HaulLines, Route
from corridors.routing.timeline import with_rests

if TYPE_CHECKING:
    from corridors.graph.network import Network


MAX_ALTERNATIVES = 20


class _NoPathError(Exception):
    """No path joins the ends of a query on the edges it may use."""


@dataclass
class _Solved:
    path: list[int]  # routing-graph edge indices
    weight: float


def _geometry(net: Network, comps: Iterable[Component]) -> HaulLines:
    wanted = [(c.link_id, c.from_node, c.to_node) for c in comps if c.kind == "haul" and c.link_id]
    return HaulLines(net, wanted)


class _Solver:
    """One query's filtered graph, solved with Dijkstra on ``scipy.sparse.csgraph``."""

    def __init__(
        self,
        net: Network,
        rg: RoutingGraph,
        opts: RouteOptions,
        waypoints: Sequence[str | Sequence[str]],
    ) -> None:
        self.net = net
        self.rg = rg
        self.opts = opts
        self.waypoints = list(waypoints)
        self.mask = edge_weights.edge_mask(rg, opts)
        self.contraction = contraction_for(net, rg)
        self.primary, self.weight = edge_weights.weights(rg, opts)
        self.rules = rg.driving_rules.get(opts.crew)
        #: the weight without rests: a second candidate for the best route
        self.plain_weight = self.weight
        if self.rules is not None:
            self.weight = self.weight + edge_weights.rest_weight(rg, opts, self.rules)

    def solve(self, origin: str, destination: str, weight: np.ndarray | None = None) -> _Solved:
        w = self.weight if weight is None else weight
        found = edge_weights.shortest_edges(
            self.rg, w, self.mask, self.waypoints, origin, destination, self.contraction
        )
        if found is None:
            raise _NoPathError
        path, total = found
        return _Solved(path, total)

    def to_route(
        self, solved: _Solved, origin: Place, destination: Place, *, labelled: bool = True
    ) -> Route:
        """Return a solved path as a route; ``labelled=False`` leaves :meth:`label` to later."""
        comps = components_along(self.rg.components, solved.path)
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
            components=with_rests(
                with_access_legs(comps, origin, destination, self.net, self.rg),
                self.rules,
                self.rg.timetables,
                self.opts.depart,
            ),
            places=self.net.place_info,
            value_of_time=vot,
        )
        route.haul_geometry = _geometry(self.net, comps)
        route.edges = list(solved.path)
        if labelled:
            self.label(route)
        return route

    def label(self, route: Route) -> None:
        """Name the corridor a route follows, and the closest one (unless unlabelled)."""
        shares = corridor_shares(self.net, route) if _LABELLED.get() else []
        if shares and shares[0].share > 0:
            route.closest = (shares[0].corridor, shares[0].share)
            route.corridor = shares[0].corridor if shares[0].follows else None


def with_access_legs(
    comps: list[Component], origin: Place, destination: Place, net: Network, rg: RoutingGraph
) -> list[Component]:
    """Add the stated road access legs of snapped origins and destinations."""
    if not (origin.access_km or destination.access_km):
        return comps
    from corridors.graph.cost_model import Lookup

    look = Lookup(net.geodata, rg.profile)
    out = list(comps)

    def leg(place: Place, start: bool) -> Component:
        country = str(net.nodes.value(place.node, "country") or "")
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


def resolve_place(net: Network, place: str | Place) -> Place:
    """Return ``place`` if it is a Place, else the network's place with that name or id."""
    return place if isinstance(place, Place) else net.places.resolve(place)


def _resolve_via(net: Network, via: Sequence[str | Sequence[str]]) -> list[Waypoint]:
    """Resolve waypoints; one given as several places is passed at any one of them.

    Several places are a list, or names joined by ``|``.
    """
    out: list[Waypoint] = []
    for item in via:
        parts = item.split("|") if isinstance(item, str) else list(item)
        nodes = tuple(dict.fromkeys(resolve_place(net, p.strip()).node for p in parts if p.strip()))
        if not nodes:
            msg = f"empty waypoint {item!r}; give a place name or id"
            raise InvalidOptionError(msg)
        out.append(nodes[0] if len(nodes) == 1 else nodes)
    return out


def _label(point: Waypoint) -> str:
    return point if isinstance(point, str) else "|".join(point)


def resolve_ends(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    opts: RouteOptions,
    via: Sequence[Waypoint],
) -> tuple[Place, Place]:
    """Resolve both ends of a route query.

    A name shared by several places (the two sides of a border town such as Sarakhs or
    Astara, or two towns called Alat) becomes the one that gives the best route, and its
    label says so.
    """
    from corridors.errors import AmbiguousPlaceError, CorridorsError

    ends: list[list[Place]] = []
    first_error: AmbiguousPlaceError | None = None
    for given in (origin, destination):
        try:
            ends.append([resolve_place(net, given)])
        except AmbiguousPlaceError as err:
            nodes = getattr(err, "nodes", ())
            if not nodes:
                raise
            first_error = first_error or err
            ends.append([net.places.node_place(n, str(given)) for n in nodes])
    if first_error is None:
        return ends[0][0], ends[1][0]
    solver = _Solver(net, net.routing_graph(opts.profile), opts, via)
    best: tuple[float, Place, Place] | None = None
    for a in ends[0]:
        for b in ends[1]:
            try:
                _check_endpoints(net, a, b, via, opts)
                found = solver.to_route(solver.solve(a.node, b.node), a, b)
            except (_NoPathError, CorridorsError):
                continue
            value = found.total(opts.by)
            if best is None or value < best[0]:
                best = (value, a, b)
    if best is None:
        raise first_error
    return _chosen(best[1], ends[0], opts.by), _chosen(best[2], ends[1], opts.by)


def _chosen(place: Place, among: list[Place], by: str) -> Place:
    """Return ``place`` with a label that states it was chosen over the others of its name."""
    if len(among) == 1:
        return place
    others = ", ".join(p.node for p in among if p.node != place.node)
    label = f"{place.label} ({place.node}; chosen over {others}: the best route by {by})"
    return replace(place, label=label)


def _check_endpoints(
    net: Network, o: Place, d: Place, via: Sequence[Waypoint], opts: RouteOptions
) -> None:
    if o.node == d.node and not via:
        msg = f"origin and destination are the same place ({o.node}); give two different places"
        raise NoRouteError(msg)
    check_names(opts, net)
    singles = [p for p in via if isinstance(p, str)]
    for place in singles:
        if place in (o.node, d.node):
            end = "origin" if place == o.node else "destination"
            msg = f"via {place} is the {end}; a waypoint must be another place"
            raise InvalidOptionError(msg)
    for place in (o.node, d.node, *singles):
        if place in opts.avoid_nodes:
            msg = f"{place} is both on the route (origin, destination or via) and avoided"
            raise InvalidOptionError(msg)
        country = str(net.nodes.value(place, "country"))
        if country in opts.avoid_countries:
            msg = (
                f"{place} is in {country}, which the query avoids; "
                f"drop --avoid-country {country} or choose another place"
            )
            raise NoRouteError(msg)


#: Whether a failed query says which restriction blocks it (up to four more searches).
_EXPLAIN: ContextVar[bool] = ContextVar("corridors_explain_no_route", default=True)


@contextmanager
def unexplained() -> Iterator[None]:
    """Skip the explanation of failed queries, for callers that only need the routes."""
    token = _EXPLAIN.set(False)
    try:
        yield
    finally:
        _EXPLAIN.reset(token)


#: Whether a route found is labelled with the corridor it follows (see corridor_shares).
_LABELLED: ContextVar[bool] = ContextVar("corridors_label_routes", default=True)


@contextmanager
def unlabelled() -> Iterator[None]:
    """Leave routes unlabelled, for callers that only ask whether and how they run.

    Labelling a route searches every named corridor's links once per network, on each
    corridor's own profile, which builds every profile's routing graph.
    """
    token = _LABELLED.set(False)
    try:
        yield
    finally:
        _LABELLED.reset(token)


def _explain(
    net: Network,
    profile: str | None,
    o: Place,
    d: Place,
    via: Sequence[Waypoint],
    opts: RouteOptions,
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
        except _NoPathError:
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
    options: RouteOptions | None = None,
    **keywords: Unpack[RouteKeywords],
) -> Route:
    """Find the best route between two places.

    Parameters
    ----------
    net
        The network (see :func:`corridors.load_network`).
    origin, destination
        Node id, name or alias (case- and diacritic-insensitive), ``"lat,lon"``, or any
        GeoNames city (snapped to the network with a stated road access leg).
    options
        Route options (:class:`~corridors.routing.options.RouteOptions`).
    **keywords
        Route options as keywords: ``by``, ``profile``, ``via``, ``statuses``,
        ``include_planned``, ``year``, ``modes``, ``avoid_countries``, ``avoid_nodes``,
        ``avoid_links``, ``avoid_borders``, ``value_of_time`` (see
        :class:`~corridors.routing.options.RouteOptions`); they override ``options``.

    Returns
    -------
    route
        The best route with its legs and totals.

    Raises
    ------
    UnknownPlaceError, AmbiguousPlaceError
        If a place cannot be resolved.
    InvalidOptionError
        If an option is unknown or out of range.
    NoRouteError
        If no route satisfies the options; the message names what blocks it.
    """
    opts = RouteOptions.build(options, **keywords)
    return alternatives(net, origin, destination, k=1, options=opts)[0]


def _overlap(a: Route, b: Route, km: dict[str, float]) -> float:
    la, lb = set(a.link_ids), set(b.link_ids)
    ka = sum(km.get(x, 0.0) for x in la)
    kb = sum(km.get(x, 0.0) for x in lb)
    shared = sum(km.get(x, 0.0) for x in la & lb)
    small = min(ka, kb)
    return 1.0 if small <= 0 else shared / small


def _first_path(
    net: Network, origin: str | Place, destination: str | Place, opts: RouteOptions
) -> tuple[_Solver, _Solved, Place, Place]:
    """Resolve a query and find its best path; the solver's options name avoided nodes by id.

    Raises :class:`NoRouteError`, explained unless :func:`unexplained`, where none exists.
    """
    via_nodes = _resolve_via(net, opts.via)
    # the solver needs node ids: resolve avoided places given by name
    opts = replace(
        opts, avoid_nodes=frozenset(resolve_place(net, p).node for p in opts.avoid_nodes)
    )
    o, d = resolve_ends(net, origin, destination, opts, via_nodes)
    _check_endpoints(net, o, d, via_nodes, opts)
    solver = _Solver(net, net.routing_graph(opts.profile), opts, via_nodes)
    try:
        first = solver.solve(o.node, d.node)
    except _NoPathError:
        if _EXPLAIN.get():
            msg = _explain(net, opts.profile, o, d, via_nodes, opts)
        else:
            msg = f"no route from {o.node} to {d.node}"
        raise NoRouteError(msg) from None
    return solver, first, o, d


def check_route(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    options: RouteOptions | None = None,
    **keywords: Unpack[RouteKeywords],
) -> None:
    """Raise what :func:`route` would raise for a query that has no route; else return.

    A path is searched as :func:`route` searches it, but its legs are not built, timed or
    priced: on a network of a million links that is most of a route's work, and a caller
    that only asks whether a route exists (``corridors data validate``) does not need it.

    Parameters
    ----------
    net, origin, destination, options, **keywords
        As for :func:`route`.

    Raises
    ------
    UnknownPlaceError, AmbiguousPlaceError, InvalidOptionError, NoRouteError
        As :func:`route` raises them.
    """
    _first_path(net, origin, destination, RouteOptions.build(options, **keywords))


def alternatives(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    k: int = 3,
    max_overlap: float = 0.6,
    penalty: float = 1.5,
    options: RouteOptions | None = None,
    **keywords: Unpack[RouteKeywords],
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
    net, origin, destination, options, **keywords
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
    opts = RouteOptions.build(options, **keywords)
    solver, first, o, d = _first_path(net, origin, destination, opts)
    opts = solver.opts
    rg = solver.rg
    # labelled once the better of the two candidates below is known
    best = solver.to_route(first, o, d, labelled=False)
    if solver.rules is not None and solver.weight is not solver.plain_weight:
        # rests weigh road hauls by their long-run factor; a trip short enough to need
        # few rests may do better than that weighting says: time both exactly, keep the best
        plain = solver.solve(o.node, d.node, solver.plain_weight)
        if plain.path != first.path:
            other = solver.to_route(plain, o, d, labelled=False)
            rank = (other.total(opts.by), other.total("generalized"))
            if rank < (best.total(opts.by), best.total("generalized")):
                first, best = plain, other
    solver.label(best)
    kept = [best]
    if k == 1:
        return kept
    km = {str(r["id"]): float(r["length_km"]) for r in records(net.geodata.links)}
    weight = solver.weight.copy()
    is_link = rg.isin("kind", ["link"])
    link_id = rg.coded["link_id"]
    seen = {tuple(first.path)}
    last = first
    for _ in range(6 * k):
        # penalise both directions of every physical link the last route used
        path = np.asarray(last.path, dtype=np.int64)
        used = set(link_id.values[link_id.codes[path[is_link[path]]]].tolist())
        weight[is_link & link_id.isin(used)] *= penalty
        try:
            cand = solver.solve(o.node, d.node, weight)
        except _NoPathError:
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
    options: RouteOptions | None = None,
    **keywords: Unpack[RouteKeywords],
) -> list[Route]:
    """Find non-dominated routes for two or more objectives.

    Candidates are the optimum of weighted sums of the (normalised) objectives over a
    grid of ``steps`` weights, plus the alternatives of each single objective; dominated
    candidates are dropped. The result holds the supported non-dominated routes and any
    others the alternatives found; it is not guaranteed to be the complete Pareto set.

    Parameters
    ----------
    net, origin, destination, options, **keywords
        As for :func:`route` (``by`` is replaced by each of ``objectives``).
    objectives
        Two or more of ``time``, ``cost``, ``distance``, ``co2``, ``generalized``.
    steps
        Number of weights tried per objective pair (2 to 101).

    Returns
    -------
    routes
        Non-dominated routes sorted by the first objective.
    """
    objs = [str(x).lower() for x in objectives]
    if len(objs) < 2 or len(set(objs)) != len(objs) or not set(objs) <= set(OBJECTIVES):
        msg = (
            f"objectives={tuple(objectives)!r}: give two or more different ones from "
            f"{', '.join(OBJECTIVES)}"
        )
        raise InvalidOptionError(msg)
    if not 2 <= steps <= 101:
        msg = f"steps={steps} is out of range; give 2 to 101"
        raise InvalidOptionError(msg)
    base = RouteOptions.build(options, **keywords)
    candidates: list[Route] = []
    for obj in objs:
        candidates += alternatives(net, origin, destination, k=3, options=replace(base, by=obj))
    o, d = candidates[0].origin, candidates[0].destination
    via = _resolve_via(net, base.via)
    avoid = frozenset(resolve_place(net, p).node for p in base.avoid_nodes)
    opts = replace(base, by=objs[0], avoid_nodes=avoid)
    rg = net.routing_graph(base.profile)
    solver = _Solver(net, rg, opts, via)
    scales = []
    for obj in objs:
        best = min(r.total(obj) for r in candidates)
        scales.append(edge_weights.objective(rg, obj, opts.value_of_time) / max(best, 1e-9))
    grid = np.linspace(0.0, 1.0, steps)
    for i in range(len(objs)):
        for j in range(i + 1, len(objs)):
            for lam in grid:
                weight = lam * scales[i] + (1 - lam) * scales[j]
                try:
                    candidates.append(solver.to_route(solver.solve(o.node, d.node, weight), o, d))
                except _NoPathError:
                    continue
    unique: dict[tuple[str, ...], Route] = {}
    for r in candidates:
        unique.setdefault(tuple(c.friction_id or c.link_id or "" for c in r.components), r)
    front = [r for r in unique.values() if not any(_dominated(r, s, objs) for s in unique.values())]
    front.sort(key=lambda r: tuple(r.total(o) for o in objs))
    return front
