"""Check 10 asks whether a corridor routes without building its legs: the verdict of routing it."""

from __future__ import annotations

from typing import Any

from corridors import routing
from corridors.graph.network import Network
from corridors.routing.named_corridors import check_corridor


def _outcome(call: Any) -> tuple[str, str]:
    try:
        call()
    except Exception as err:  # the verdict compared is whatever either one raises
        return type(err).__name__, str(err)
    return "routes", ""


def test_check_corridor_gives_route_corridors_verdict_on_the_shipped_corridors(
    net: Network,
) -> None:
    """Each shipped corridor as written, and spoilt five ways, checked against routing it."""
    seen: dict[str, int] = {}
    for spec in net.geodata.corridors:
        route = routing.route_corridor(net, spec)
        inner = sorted(set(route.countries) - {route.countries[0], route.countries[-1]})
        variants: list[dict[str, Any]] = [
            spec,
            # a transit country avoided: routes another way, or not at all
            {**spec, "avoid_countries": inner[:1]},
            # every transit country avoided
            {**spec, "avoid_countries": inner},
            # the corridor's start country avoided
            {**spec, "avoid_countries": [route.countries[0]]},
            # a last waypoint that is no place: refused before any search
            {**spec, "waypoints": [*spec["waypoints"][:-1], "nowhere-at-all"]},
            # a mode the corridor's profile has no edges of
            {**spec, "modes": ["ferry"]},
        ]
        for variant in variants:
            expected = _outcome(lambda v=variant: routing.route_corridor(net, v))
            got = _outcome(lambda v=variant: check_corridor(net, v))
            assert got == expected, (spec["id"], variant.get("avoid_countries"))
            seen[expected[0]] = seen.get(expected[0], 0) + 1
    # the comparison covered corridors that route and both kinds of refusal
    assert seen.get("routes", 0) >= len(net.geodata.corridors)
    assert seen.get("NoRouteError", 0) >= 5
    assert seen.get("UnknownPlaceError", 0) == len(net.geodata.corridors)
    assert sum(seen.values()) == 6 * len(net.geodata.corridors)
