"""Route-level constraints: how long a road driver stays in a country (visa limits)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from corridors.errors import NoRouteError
from corridors.graph.cost_model import Component
from corridors.graph.driving_rules import REST_KINDS
from corridors.routing.options import RouteOptions
from corridors.routing.solve import alternatives, route

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Route


class StayLimit(Protocol):
    """The longest a road driver may stay in a country (a visa limit), as a rule to check.

    A scenario's ``max_stay`` (:class:`corridors.scenarios.schema.MaxStay`) is one.
    """

    @property
    def country(self) -> str:
        """ISO 3166-1 alpha-2 code of the country."""

    @property
    def mode(self) -> str:
        """The mode whose drivers the limit holds for (``road``)."""

    @property
    def days(self) -> float:
        """The limit in days."""

    @property
    def limit_h(self) -> float:
        """The limit in hours."""

    @property
    def turnaround_h(self) -> float:
        """Hours to turn the truck round when the cargo leaves it in the country."""

    @property
    def on_violation(self) -> str:
        """``infeasible``, or ``driver_change`` to pay for a change of driver."""

    @property
    def driver_change_h(self) -> float:
        """Hours a change of driver takes."""

    @property
    def driver_change_usd(self) -> float:
        """USD a change of driver costs."""


@dataclass(frozen=True)
class Stay:
    """One continuous stay of a road driver in a country, and whether it fits the limit.

    Attributes
    ----------
    country
        ISO code of the country.
    entered_at
        Node where the stay starts (border, origin or a transfer to road).
    hours
        Hours in the country, the return drive included when the truck ends its trip there.
    limit_h
        The limit in hours.
    returns
        Whether the driver has to drive back out (the cargo left the truck in the country).
    """

    country: str
    entered_at: str
    hours: float
    limit_h: float
    returns: bool

    @property
    def ok(self) -> bool:
        """Whether the stay is within the limit."""
        return self.hours <= self.limit_h


def _country(route: Route, node: str) -> str:
    info = route.places.get(node)
    return info.country if info else ""


def driver_stays(route: Route, rule: StayLimit) -> list[Stay]:
    """Return every stay of a road driver in ``rule.country`` along a route.

    A stay starts when cargo enters the country by road (the border dwell counts), when
    a road leg starts there, or when cargo moves onto a truck there; it ends when the
    truck leaves the country (exit dwell counted) or hands the cargo to another mode.
    A truck whose cargo leaves it in the country drives back out: its road hauls again,
    the entry dwell again as the exit dwell, and ``turnaround_h`` for unloading and
    finding a return load.
    """
    out: list[Stay] = []
    hours = haul = entry = 0.0
    start: str | None = None

    def close(returns: bool) -> None:
        nonlocal start
        total = hours + ((haul + entry + rule.turnaround_h) if returns else 0.0)
        out.append(Stay(rule.country, start or "", total, rule.limit_h, returns))
        start = None

    for c in route.components:
        road = c.mode == rule.mode or rule.mode in c.mode.split(">")
        if not road:
            continue
        if c.kind == "haul" or c.kind in REST_KINDS:
            # the crew's rests are hours in the country too, on the same clock as the driving
            here = _country(route, c.from_node) or _country(route, c.to_node)
            if here == rule.country:
                if start is None:
                    start, hours, haul, entry = c.from_node, 0.0, 0.0, 0.0
                hours += c.time_h
                haul += c.time_h
        elif c.kind == "border" and ">" in c.country:
            a, b = c.country.split(">", 1)
            if a == rule.country and start is not None:
                hours += c.time_h
                close(returns=False)
            if b == rule.country:
                start, hours, haul, entry = c.to_node, c.time_h, 0.0, c.time_h
        elif c.kind in ("transfer", "port") and _country(route, c.from_node) == rule.country:
            into, _, onto = c.mode.partition(">")
            if into == rule.mode and start is not None:
                hours += c.time_h
                close(returns=True)
            elif onto == rule.mode and start is None:
                start, hours, haul, entry = c.from_node, c.time_h, 0.0, 0.0
    if start is not None:
        close(returns=True)
    return out


def violations(route: Route, rules: list[StayLimit]) -> list[tuple[StayLimit, Stay]]:
    """Return the stays that break a rule."""
    return [(rule, s) for rule in rules for s in driver_stays(route, rule) if not s.ok]


def with_driver_changes(route: Route, broken: list[tuple[StayLimit, Stay]]) -> Route:
    """Return a copy of the route that pays a driver change for each broken stay."""
    extra = [
        Component(
            kind="driver_change",
            from_node=stay.entered_at,
            to_node=stay.entered_at,
            mode=rule.mode,
            country=rule.country,
            distance_km=0.0,
            time_h=rule.driver_change_h,
            cost_usd=rule.driver_change_usd,
            co2_kg=0.0,
            note=(
                f"stay of {stay.hours:,.0f} h in {rule.country} exceeds {rule.days:g} days: "
                "a second driver takes over (scenario constraint)"
            ),
        )
        for rule, stay in broken
    ]
    return replace(route, components=[*route.components, *extra])


def _road_links(net: Network, countries: set[str]) -> list[str]:
    links = net.geodata.links
    country = dict(zip(net.geodata.nodes["id"], net.geodata.nodes["country"]))
    road = links[links["mode"] == "road"]
    touch = road["u"].map(country).isin(countries) | road["v"].map(country).isin(countries)
    return road.loc[touch, "id"].astype(str).tolist()


def best_route(
    net: Network,
    origin: str,
    destination: str,
    options: RouteOptions,
    rules: Sequence[StayLimit] = (),
) -> Route:
    """Return the best route that respects driver-stay limits.

    Without limits this is :func:`corridors.routing.solve.route`. With limits, the best route is
    checked; if it breaks one, the candidates are the five best alternatives and the best
    route that uses no road in the limited countries, each kept if it respects the limits
    or pays a driver change where the rule allows one. The best candidate is returned.
    This is a heuristic, not an exact constrained shortest path.

    Raises
    ------
    NoRouteError
        If no candidate respects the limits.
    """
    first = route(net, origin, destination, options=options)
    if not rules or not violations(first, list(rules)):
        return first
    candidates = [first, *alternatives(net, origin, destination, k=5, options=options)]
    avoid = _road_links(net, {r.country for r in rules})
    with contextlib.suppress(NoRouteError):
        candidates.append(route(net, origin, destination, options=options, avoid_links=avoid))
    feasible = []
    for r in candidates:
        broken = violations(r, list(rules))
        if not broken:
            feasible.append(r)
        elif all(rule.on_violation == "driver_change" for rule, _ in broken):
            feasible.append(with_driver_changes(r, broken))
    by = options.by
    if not feasible:
        limits = ", ".join(f"{r.days:g} days in {r.country}" for r in rules)
        msg = (
            f"no route from {first.origin.node} to {first.destination.node} keeps road "
            f"drivers within {limits}"
        )
        raise NoRouteError(msg)
    return min(feasible, key=lambda r: (r.total(by), r.total("generalized")))


def constrained(route: Route, rules: Sequence[StayLimit]) -> Route | str:
    """Return the route under driver-stay limits: as is, with driver changes, or why not."""
    broken = violations(route, list(rules))
    if not broken:
        return route
    if all(rule.on_violation == "driver_change" for rule, _ in broken):
        return with_driver_changes(route, broken)
    rule, stay = broken[0]
    return (
        f"a road driver would stay {stay.hours:,.0f} h in {rule.country}, beyond the "
        f"{rule.days:g}-day limit"
    )
