"""Check 10 asks whether a corridor routes without building its legs: the verdict of routing it."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from corridors import routing
from corridors.graph.network import Network
from corridors.routing import edge_weights
from corridors.routing.edge_weights import reusing
from corridors.routing.named_corridors import check_corridor
from corridors.routing.options import RouteOptions


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


def test_corridors_checked_with_reused_weights_get_the_same_verdicts(net: Network) -> None:
    """Check 10 reuses each graph's masks and weights across its corridors: same verdicts."""
    variants = [
        variant
        for spec in net.geodata.corridors
        for variant in (spec, {**spec, "avoid_countries": ["IR"]}, {**spec, "modes": ["rail"]})
    ]
    alone = [_outcome(lambda v=variant: check_corridor(net, v)) for variant in variants]
    graphs = [net.routing_graph(pid) for pid in net.profiles]
    with ExitStack() as stack:
        for rg in graphs:
            stack.enter_context(reusing(rg))
        shared = [_outcome(lambda v=variant: check_corridor(net, v)) for variant in variants]
        # within the block an array is made once, and cannot be changed by its users
        rg = graphs[0]
        opts = RouteOptions.build(profile=rg.profile.id, avoid_countries=["IR"])
        assert edge_weights.edge_mask(rg, opts) is edge_weights.edge_mask(rg, opts)
        primary, weight = edge_weights.weights(rg, opts)
        assert edge_weights.weights(rg, opts)[1] is weight
        assert not weight.flags.writeable and not primary.flags.writeable
        other = RouteOptions.build(profile=rg.profile.id, by="cost")
        assert edge_weights.weights(rg, other)[1] is not weight
        # a block within one for the same graph changes nothing, and leaves it open
        mask = edge_weights.edge_mask(rg, opts)
        with reusing(rg):
            assert edge_weights.edge_mask(rg, opts) is mask
        assert edge_weights.edge_mask(rg, opts) is mask
    assert shared == alone
    assert {verdict for verdict, _ in alone} >= {"routes", "NoRouteError"}
    # outside it each call makes its own array again
    fresh = edge_weights.edge_mask(graphs[0], opts)
    assert fresh is not edge_weights.edge_mask(graphs[0], opts) and fresh.flags.writeable
