"""A route's timing on one clock: the truck crew's breaks and rests among its legs.

:func:`with_rests` walks a route's cost components in travel order and, for every stretch a
truck drives, inserts the breaks, daily rests and weekly rests the driving-time rules
(:mod:`corridors.graph.driving_rules`) require, as legs of their own. Driver stays and visa
limits (:mod:`corridors.routing.constraints`) read these legs, so they count the same hours.
:func:`advance` takes the same steps on a clock that can be shared between branches, for
skims (along shortest-path trees) and Monte Carlo draws (on each draw's times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from corridors.graph.cost_model import Component
from corridors.graph.driving_rules import REST_KINDS, DriverClock, DrivingRules
from corridors.graph.timetables import Timetable

#: Modes a truck rides on with its driver aboard (a ro-ro ferry): the clock runs on.
_CARRIED = ("ferry",)


def _keeps_truck(mode: str) -> bool:
    """Whether a transfer or port lift keeps the cargo on its truck (road to a ro-ro ferry)."""
    parts = mode.split(">")
    return all(p in ("road", *_CARRIED) for p in parts)


#: What a cost component does to the crew's clock: ``drive`` (a road haul), ``unload``
#: (the cargo leaves the truck: the clock stops), ``stand`` (the truck stands still, its
#: driver aboard) or ``none``.
ClockStep = Literal["drive", "unload", "stand", "none"]


def clock_role(c: Component) -> ClockStep:
    """Return what component ``c`` does to the crew's clock whatever its time.

    A component whose role is ``stand`` stands only when it takes time (see
    :func:`clock_step`); what-if draws that change its time keep its role.
    """
    if c.kind == "haul" and c.mode == "road":
        return "drive"
    if c.kind in ("transfer", "port", "gauge_break") and not _keeps_truck(c.mode):
        return "unload"
    if c.kind != "haul" or c.mode in _CARRIED:
        return "stand"
    return "none"


def clock_step(c: Component) -> ClockStep:
    """Return what component ``c`` does to the crew's clock (see :data:`ClockStep`)."""
    role = clock_role(c)
    return "none" if role == "stand" and not c.time_h > 0 else role


def with_rests(
    comps: list[Component],
    rules: DrivingRules | None,
    timetables: Mapping[tuple[str, str], Timetable] | None = None,
    depart: datetime | None = None,
) -> list[Component]:
    """Return the components with the crew's breaks and rests inserted where they fall.

    A truck's clock starts at its first road haul and runs through borders, waits and
    ro-ro ferry crossings; it stops when the cargo leaves the truck for rail, sea or
    pipeline (a new truck, with a rested crew, takes it on later). A rest that falls
    inside a haul is listed right after that haul, its note saying after how many hours
    of the haul it starts; a route ends without a final rest.

    Parameters
    ----------
    comps
        The route's cost components, in travel order.
    rules
        The crew's driving-time rules (None: no rules, no rests).
    timetables, depart
        Sailings by (link id, node sailed from), and when the cargo leaves: a wait for a
        sailing whose days are published becomes the wait until the next one, on the
        route's own clock (rests included). Without a date the expected wait stays.
    """
    if rules is None and (depart is None or not timetables):
        return comps
    out: list[Component] = []
    clock: DriverClock | None = None
    elapsed = 0.0
    for c in comps:
        sails = (timetables or {}).get((c.link_id or "", c.from_node))
        if c.kind == "wait" and depart is not None and sails is not None and sails.scheduled:
            when = depart + timedelta(hours=elapsed)
            wait = sails.wait_from(when)
            c = replace(
                c,
                time_h=wait,
                note=(
                    f"waits from {when:%a %Y-%m-%d %H:%M} for the next sailing "
                    f"({sails.describe()}; {sails.id})"
                ),
            )
        elapsed += c.time_h
        if rules is None:
            out.append(c)
            continue
        step = clock_step(c)
        if step == "drive":
            if clock is None:
                clock = DriverClock(rules)
            out.append(c)
            driven = 0.0
            for period in clock.drive(c.time_h):
                if period.kind == "drive":
                    driven += period.hours
                    continue
                at_km = c.distance_km * driven / c.time_h if c.time_h > 0 else 0.0
                elapsed += period.hours
                out.append(
                    Component(
                        kind=period.kind,
                        from_node=c.from_node,
                        to_node=c.to_node,
                        mode="road",
                        country=c.country,
                        distance_km=0.0,
                        time_h=period.hours,
                        cost_usd=0.0,
                        co2_kg=0.0,
                        source_ids=rules.source_ids,
                        note=(
                            f"{REST_KINDS[period.kind].lower()} ({period.reason}), "
                            f"{driven:.1f} h into this haul, about km {at_km:,.0f}; "
                            f"crew of {rules.crew} ({rules.id})"
                        ),
                    )
                )
            continue
        if step == "unload":
            clock = None  # the cargo leaves the truck
        if clock is not None and step == "stand":
            counted = clock.stand(c.time_h)
            if counted:
                label = REST_KINDS[counted].lower()
                c = replace(c, note="; ".join(x for x in (c.note, f"counts as the {label}") if x))
        out.append(c)
    return out


def rest_hours(comps: list[Component]) -> float:
    """Hours of breaks and rests among the components."""
    return sum(c.time_h for c in comps if c.kind in REST_KINDS)


@dataclass(frozen=True)
class ClockState:
    """The crew's clock part-way along a route, and the rests taken so far.

    Attributes
    ----------
    clock
        The driving-time account (None while no truck carries the cargo).
    rests
        Hours of each break and rest inserted so far, in order.
    """

    clock: DriverClock | None = None
    rests: tuple[float, ...] = ()


def advance(
    state: ClockState, steps: Sequence[tuple[ClockStep, float]], rules: DrivingRules
) -> ClockState:
    """Return the state after components with the given clock steps, as :func:`with_rests`.

    ``steps`` are ``(clock_step(c), c.time_h)`` of the components in travel order. The
    state given is left as it was, so one state can be advanced along several branches
    (the shortest-path tree of a skim).
    """
    clock = state.clock
    rests: list[float] | None = None
    own = False  # whether ``clock`` is a copy this call may change
    for step, hours in steps:
        if step == "unload":
            clock, own = None, False
        elif step == "drive" or (step == "stand" and clock is not None):
            if clock is None:
                clock, own = DriverClock(rules), True
            elif not own:
                clock, own = clock.copy(), True
            if step == "stand":
                clock.stand(hours)
                continue
            for period in clock.drive(hours):
                if period.kind != "drive":
                    rests = [*state.rests] if rests is None else rests
                    rests.append(period.hours)
    if clock is state.clock and rests is None:
        return state
    return ClockState(clock, state.rests if rests is None else tuple(rests))
