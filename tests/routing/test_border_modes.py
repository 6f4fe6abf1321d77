"""A truck crosses a border at a road crossing: no route loads it on a train just to cross."""

from __future__ import annotations

import pytest

from corridors.graph.network import Network
from corridors.routing import route


def _train_hops(net: Network, r) -> list[tuple[str, str]]:
    """Road-to-rail changes at a border post whose train crosses and hands back to the road."""
    kind = {n: d.get("kind") for n, d in net.G.nodes(data=True)}
    country = {n: d.get("country") for n, d in net.G.nodes(data=True)}
    out = []
    comps = r.components
    for i, c in enumerate(comps):
        if c.kind != "transfer" or c.mode != "road>rail" or kind.get(c.from_node) != "border":
            continue
        crossed = False
        for later in comps[i + 1 :]:
            if later.kind == "haul" and country.get(later.from_node) != country.get(later.to_node):
                crossed = True
            if later.kind in ("transfer", "port", "gauge_break"):
                if crossed and later.mode.startswith("rail>") and later.mode != "rail>rail":
                    out.append((c.from_node, later.from_node))
                break
    return out


# pairs whose best route used to hop onto rail for the crossing (Samur-Yalama 11 km,
# Termez-Hairatan 15 km) and back onto the road
@pytest.mark.parametrize(
    ("origin", "destination", "options"),
    [
        ("Bishkek", "Tbilisi", {"by": "time", "crew": 0}),
        ("Bishkek", "Kabul", {"by": "distance"}),
        ("Almaty", "Mazar-i-Sharif", {"by": "distance"}),
    ],
)
def test_no_truck_rides_a_train_across_a_border(
    net: Network, origin: str, destination: str, options: dict[str, object]
) -> None:
    r = route(net, origin, destination, **options)  # type: ignore[arg-type]
    assert _train_hops(net, r) == []


def test_cargo_may_still_change_to_rail_at_a_border_post_and_go_on_by_rail(net: Network) -> None:
    """Loading at a border post stays possible when the train carries the cargo onward."""
    rg = net.routing_graph("teu")
    boarded = [i for i, (place, layer) in enumerate(rg.vnodes) if "^boarded|out" in layer]
    assert boarded, "border posts with road and rail offer boarding"
    r = route(net, "Kabul", "Tashkent", modes=["road", "rail"], by="cost")
    assert r.distance_km > 0
