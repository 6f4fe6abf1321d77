"""Which named corridor a route follows, from the places that identify each corridor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corridors.graph.network import Network
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
        if any(
            net.G.nodes.get(n, {}).get("kind") in ("border", "port") for n in waypoint_members(p)
        )
    ]
    return marked if len(marked) >= 2 else points


def waypoint(item: Any) -> Waypoint:
    """Read a corridor waypoint: one node id, or a list of alternative node ids."""
    return str(item) if isinstance(item, str) else tuple(str(x) for x in item)


def waypoint_members(point: Waypoint) -> tuple[str, ...]:
    """Return a waypoint's node ids: its one node, or its alternatives."""
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
            here = min((position[n] for n in waypoint_members(place) if n in position), default=-1)
            if here > last >= 0 or (here >= 0 and run == 0):
                run, last = run + 1, here
            else:
                run, last = (1, here) if here >= 0 else (0, -1)
            longest = max(longest, run)
        if longest < 2:
            continue
        points = [waypoint(p) for p in corridor.get("waypoints", [])]
        covered = sum(any(n in position for n in waypoint_members(p)) for p in points)
        ends = (route.origin.node in waypoint_members(points[0])) + (
            route.destination.node in waypoint_members(points[-1])
        )
        score = (longest, covered, ends)
        if best is None or score > best[0]:
            best = (score, str(corridor["id"]))
    return None if best is None else best[1]
