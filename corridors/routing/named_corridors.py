"""Named corridors: route one through its waypoints, and compare corridors side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Unpack

from corridors.errors import InvalidOptionError, NoRouteError
from corridors.graph.places import Place
from corridors.routing.corridor_match import (
    Waypoint,
    corridor_shares,
    waypoint,
    waypoint_members,
)
from corridors.routing.options import RouteKeywords, RouteOptions
from corridors.routing.results import Comparison, Route, percent
from corridors.routing.solve import check_route, resolve_ends, route

if TYPE_CHECKING:
    from corridors.graph.network import Network


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
    origin, destination, keywords = _corridor_query(spec, by, profile)
    found = route(net, origin, destination, **keywords)
    found.corridor = str(spec.get("id"))
    return found


def check_corridor(
    net: Network, spec: dict[str, Any], *, by: str = "time", profile: str | None = None
) -> None:
    """Raise what :func:`route_corridor` would raise for a corridor that does not route.

    The corridor's path is searched as :func:`route_corridor` searches it, without building
    its legs (see :func:`~corridors.routing.solve.check_route`).

    Parameters
    ----------
    net, spec, by, profile
        As for :func:`route_corridor`.
    """
    origin, destination, keywords = _corridor_query(spec, by, profile)
    check_route(net, origin, destination, **keywords)


def _corridor_query(
    spec: dict[str, Any], by: str, profile: str | None
) -> tuple[str, str, RouteKeywords]:
    """Return a corridor's first and last waypoints and the options it is routed with."""
    points = [waypoint(p) for p in spec.get("waypoints", [])]
    if len(points) < 2 or not isinstance(points[0], str) or not isinstance(points[-1], str):
        msg = f"corridor {spec.get('id')!r} needs two or more waypoints, the ends single places"
        raise InvalidOptionError(msg)
    keywords: RouteKeywords = {
        "via": points[1:-1],
        "by": by,
        "profile": profile or spec.get("profile"),
        "statuses": sorted(set(spec.get("include") or []) | {"operational"}),
        "modes": spec.get("modes") or None,
        "avoid_countries": spec.get("avoid_countries") or None,
    }
    return points[0], points[-1], keywords


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
        node = waypoint_members(point)[0]
        return float(net.nodes.value(node, "x")), float(net.nodes.value(node, "y"))

    start, end = (o.lon, o.lat), (d.lon, d.lat)
    points = [
        p
        for p in map(waypoint, spec.get("waypoints", []))
        if not {o.node, d.node} & set(waypoint_members(p))
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


#: A corridor's row in a comparison needs at least this share of its route's km on the
#: corridor's own links; below it the row would describe some other way.
SERVE_SHARE = 0.2


#: ...or at least this share of the corridor's own km (a short corridor on a long trip).
SERVE_COVERAGE = 0.5


def _share_of(net: Network, found: Route, cid: str) -> tuple[float, float]:
    """Return the share of the route's km on the corridor, and of the corridor's km used."""
    for s in corridor_shares(net, found):
        if s.corridor == cid:
            return s.share, s.coverage
    return 0.0, 0.0


def _own_rules(spec: dict[str, Any], via: Sequence[Waypoint], modes: Any) -> str:
    """Describe the rules a corridor itself imposes on a route, for a reason."""
    parts = []
    if via:
        parts.append("its waypoints " + ", ".join("|".join(waypoint_members(p)) for p in via))
    if modes:
        parts.append("modes " + ", ".join(modes))
    if spec.get("include"):
        parts.append("statuses " + ", ".join(sorted({"operational", *spec["include"]})))
    if spec.get("avoid_countries"):
        parts.append("avoiding " + ", ".join(spec["avoid_countries"]))
    return "the corridor's own rules (" + "; ".join(parts) + ")" if parts else "its rules"


def compare(
    net: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    corridors: Sequence[str] | None = None,
    include_best: bool = True,
    options: RouteOptions | None = None,
    **keywords: Unpack[RouteKeywords],
) -> Comparison:
    """Route between two places once per named corridor, forced through its waypoints.

    Each corridor's waypoints between the two places (see :func:`corridor_waypoints`),
    modes, statuses, profile and ``avoid_countries`` from ``corridors.yaml`` apply. A
    corridor whose forced route doubles back (revisits a place or re-enters a country)
    is not on the way between the two places, and one whose route runs under
    :data:`SERVE_SHARE` of its km on the corridor's links and uses under
    :data:`SERVE_COVERAGE` of the corridor describes another way: each gets a
    reason instead of a row. A corridor that avoids the origin's or destination's country
    by definition says so.

    Parameters
    ----------
    net, origin, destination, options, **keywords
        As for :func:`~corridors.routing.solve.route`; applied to every corridor, whose own
        statuses, modes (unless the options set modes), profile (unless they set one) and
        avoided countries are added.
    corridors
        Corridor ids from ``corridors.yaml`` (default: every corridor).
    include_best
        Add the unconstrained best route as row ``best``.

    Returns
    -------
    comparison
        Routes per corridor and the reasons for those that cannot serve the pair.
    """
    base = RouteOptions.build(options, **keywords)
    by, profile = base.by, base.profile
    # a name two places share becomes the one that gives the best unconstrained route
    o, d = resolve_ends(net, origin, destination, base, [])
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
            routes["best"] = route(net, o, d, options=base)
        except NoRouteError as err:
            reasons["best"] = str(err)
    shares: dict[str, float] = {}
    for cid in wanted:
        spec = known[cid]
        names[cid] = str(spec.get("name", cid))
        own_profile = profile or spec.get("profile")
        if own_profile and own_profile != profile:
            names[cid] += f" ({own_profile})"
        own_avoid = {str(c).upper() for c in spec.get("avoid_countries") or []}
        barred = [
            (p.node, code)
            for p in (o, d)
            if (code := str(net.nodes.value(p.node, "country") or "")) in own_avoid
        ]
        if barred:
            node, code = barred[0]
            reasons[cid] = (
                f"{node} is in {code}, a country this corridor avoids by definition "
                f"(avoid_countries in corridors.yaml)"
            )
            continue
        via = corridor_waypoints(net, spec, o, d)
        modes = sorted(base.modes) if base.modes is not None else spec.get("modes")
        try:
            found = route(
                net,
                o,
                d,
                options=RouteOptions.build(
                    base,
                    profile=own_profile,
                    via=via,
                    statuses=sorted(set(spec.get("include", [])) | base.statuses),
                    modes=modes,
                    avoid_countries=sorted(own_avoid | base.avoid_countries),
                ),
            )
        except NoRouteError as err:
            reasons[cid] = f"{_own_rules(spec, via, modes)} allow no route: {err}"
            continue
        detour = _detour(found)
        if detour:
            reasons[cid] = f"not on the way from {o.node} to {d.node}: {detour}"
            continue
        share, coverage = _share_of(net, found, cid)
        if share < SERVE_SHARE and coverage < SERVE_COVERAGE:
            reasons[cid] = (
                f"the best route its rules allow runs {percent(share)} of its km on the "
                f"corridor's links and uses {percent(coverage)} of the corridor, under the "
                f"{percent(SERVE_SHARE)} and {percent(SERVE_COVERAGE)} a comparison row needs"
            )
            continue
        found.corridor = cid
        shares[cid] = share
        routes[cid] = found
    return Comparison(o, d, by, net.profile(profile).id, routes, reasons, names, shares)
