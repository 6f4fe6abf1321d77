"""A route carries a named corridor's name only when most of its km run on the corridor."""

from __future__ import annotations

import pytest

from corridors.graph.network import Network
from corridors.routing import compare, route
from corridors.routing.corridor_match import FOLLOW_SHARE, corridor_links


def _share(net: Network, r, cid: str) -> float:
    links = corridor_links(net)[cid]
    hauls = [c for c in r.components if c.kind == "haul"]
    total = sum(c.distance_km for c in hauls)
    return sum(c.distance_km for c in hauls if c.link_id in links) / total


@pytest.mark.parametrize(
    ("origin", "destination", "options", "wrong"),
    [
        # labels these routes carried without following the corridor
        ("Khorgos", "Istanbul", {"by": "cost"}, "sarakhs"),
        ("Dostyk", "Constanta", {}, "instc_west"),
        ("Astana", "Tehran", {}, "road_almaty_bandar_abbas"),
    ],
)
def test_a_label_means_the_route_follows_the_corridor(
    net: Network, origin: str, destination: str, options: dict[str, object], wrong: str
) -> None:
    r = route(net, origin, destination, **options)  # type: ignore[arg-type]
    assert r.corridor != wrong
    assert _share(net, r, wrong) < FOLLOW_SHARE
    if r.corridor is not None:
        assert _share(net, r, r.corridor) >= FOLLOW_SHARE
        assert f"[{r.corridor}, " in r.summary()
    else:
        assert "no named corridor" in r.summary()
    # the closest corridor and its share are stated (none when no corridor shares a km),
    # and no other corridor is closer
    spec_avoid = {
        s["id"]: {c.upper() for c in s.get("avoid_countries") or []} for s in net.geodata.corridors
    }
    eligible = [c for c in corridor_links(net) if not spec_avoid.get(c, set()) & set(r.countries)]
    if r.closest is None:
        assert all(_share(net, r, other) == 0 for other in eligible)
        assert "closest_corridor" not in r.to_dict()
        return
    cid, share = r.closest
    assert share == pytest.approx(_share(net, r, cid))
    for other in eligible:
        assert _share(net, r, other) <= share + 1e-9, other
    assert r.to_dict()["closest_corridor"] == cid


def test_a_followed_corridor_is_named_with_its_share(net: Network) -> None:
    r = route(net, "Zhanaozen", "Bandar Abbas", by="cost")
    assert r.corridor == "kti"
    assert _share(net, r, "kti") >= FOLLOW_SHARE
    assert "[kti, " in r.summary() and "% of km on it]" in r.summary()


def test_a_route_through_a_country_a_corridor_avoids_does_not_carry_its_name(
    net: Network,
) -> None:
    # the Middle Corridor avoids Russia by definition: a route round the Caspian through
    # Russia does not follow it, however many Kazakh km they share
    r = route(net, "Dostyk", "Constanta")
    assert "RU" in r.countries
    assert r.corridor not in ("middle_corridor", "middle_corridor_black_sea")
    assert r.closest is not None and r.closest[0] not in (
        "middle_corridor",
        "middle_corridor_black_sea",
    )


def test_reasons_name_the_corridors_own_rule(net: Network) -> None:
    c = compare(net, "Almaty", "Tehran")
    for cid in ("instc_west", "instc_caspian"):
        reason = c.reasons[cid]
        assert "--avoid-country" not in reason
        assert "avoids by definition" in reason and "KZ" in reason
    assert "corridor's own rules (modes sea" in c.reasons["all_sea"]
    frame = c.to_frame()
    rows = frame[frame["corridor"].isin(list(c.routes)) & (frame["corridor"] != "best")]
    assert len(rows) >= 2
    for row in rows.itertuples():
        assert row.corridor_share == pytest.approx(
            _share(net, c.routes[row.corridor], row.corridor), abs=1e-3
        )


def test_an_unlabelled_route_is_the_same_route_without_its_label(net: Network) -> None:
    from corridors.routing.solve import unlabelled

    labelled = route(net, "Almaty", "Bandar Abbas")
    with unlabelled():
        plain = route(net, "Almaty", "Bandar Abbas")
    again = route(net, "Almaty", "Bandar Abbas")
    assert labelled.closest is not None  # the case says something: this route has a label
    assert plain.corridor is None and plain.closest is None
    assert plain.edges == labelled.edges
    assert plain.components == labelled.components
    # the setting ends with its block
    assert (again.corridor, again.closest) == (labelled.corridor, labelled.closest)


def test_corridor_links_read_from_columns_equal_the_components_one_by_one(net: Network) -> None:
    from corridors.graph.edge_components import EdgeComponents
    from corridors.routing.corridor_match import _haul_km

    checked = 0
    for profile in net.profiles:
        rg = net.routing_graph(profile)
        path = route(net, "Almaty", "Tbilisi", profile=profile).edges
        by_object: dict[str, float] = {}
        for e in path:
            for c in rg.components[e]:
                if c.kind == "haul" and c.link_id:
                    by_object[c.link_id] = c.distance_km
        assert by_object  # a path that hauls on links
        assert _haul_km(rg, path) == by_object
        # and every edge's rows, laid end to end
        held = rg.components
        assert isinstance(held, EdgeComponents)
        assert held.rows_of(path).tolist() == [int(r) for e in path for r in held.rows(e)]
        checked += 1
    assert checked == len(net.profiles)
