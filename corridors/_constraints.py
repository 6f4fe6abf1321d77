"""Route-level constraints: how long a road driver stays in a country (visa limits)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from corridors.costs import Component

if TYPE_CHECKING:
    from corridors._scenario_schema import MaxStay
    from corridors.routing import Route


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


def driver_stays(route: Route, rule: MaxStay) -> list[Stay]:
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
        if c.kind == "haul":
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


def violations(route: Route, rules: list[MaxStay]) -> list[tuple[MaxStay, Stay]]:
    """Return the stays that break a rule."""
    return [(rule, s) for rule in rules for s in driver_stays(route, rule) if not s.ok]


def with_driver_changes(route: Route, broken: list[tuple[MaxStay, Stay]]) -> Route:
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
