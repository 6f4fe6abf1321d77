"""Routing algorithm units on the toy network, where every answer is known by hand."""

from __future__ import annotations

import itertools
import math

import pytest

from corridors import routing
from corridors.errors import (
    AmbiguousPlaceError,
    GeodataError,
    InvalidOptionError,
    NoRouteError,
    UnknownPlaceError,
)
from corridors.graph.network import Network
from corridors.routing import batch


def _kinds(route: routing.Route) -> list[tuple[str, str, str]]:
    return [(c.kind, c.from_node, c.to_node) for c in route.components]


def test_fastest_route_is_the_road_with_its_border(toy: Network) -> None:
    r = routing.route(toy, "Alpha", "Beta", by="time")
    # road 220 km at 50 km/h = 4.4 h, plus the default border (6 h, USD 40)
    assert r.distance_km == pytest.approx(220)
    assert r.time_h == pytest.approx(4.4 + 6)
    assert r.cost_usd == pytest.approx(220 * 1.5 + 40)
    assert [b["mode"] for b in r.border_crossings] == ["road"]
    assert r.countries == ["AA", "BB"]


def test_border_dwell_is_per_direction(toy: Network) -> None:
    east = routing.route(toy, "aa-border", "bb-border", modes="rail")
    west = routing.route(toy, "bb-border", "aa-border", modes="rail")
    assert east.border_crossings[0]["time_h"] == 10
    assert west.border_crossings[0]["time_h"] == 4


def test_gauge_break_is_paid_where_gauge_changes(toy: Network) -> None:
    # 1520 from Alpha to Beta Border, 1435 on to Beta (the 1520 twin is under construction)
    r = routing.route(toy, "Alpha", "Beta", modes="rail", by="time")
    breaks = [t for t in r.transfers if t["kind"] == "gauge_break"]
    assert [(b["at"], b["time_h"], b["fee_usd"]) for b in breaks] == [("bb-border", 5, 200)]
    # once the 1520 line opens, no gauge break is needed
    opened = routing.route(toy, "Alpha", "Beta", modes="rail", year=2028)
    assert not [t for t in opened.transfers if t["kind"] == "gauge_break"]
    assert opened.time_h < r.time_h


def test_one_transfer_per_stop_no_free_transshipment(toy: Network) -> None:
    r = routing.route(toy, "Alpha", "Gamma", by="cost", include_planned=True)
    kinds = [c.kind for c in r.components]
    for a, b in itertools.pairwise(kinds):
        assert not (a in ("transfer", "gauge_break") and b in ("transfer", "gauge_break"))


def test_ferry_waits_half_the_headway_and_pays_ports(toy: Network) -> None:
    r = routing.route(toy, "aa-port", "bb-port", modes="ferry")
    waits = [c for c in r.components if c.kind == "wait"]
    assert [w.time_h for w in waits] == [12.0]  # headway 24 h
    ports = [c for c in r.components if c.kind == "port"]
    assert len(ports) == 2  # loading at aa-port, discharge at bb-port
    assert r.time_h == pytest.approx(12 + 10 + 2 * 12 + 6)  # wait, sailing, ports, border


def test_planned_links_open_by_status_or_year(toy: Network) -> None:
    with pytest.raises(NoRouteError, match=r"only through rail-bb-beta-cc-gamma \(planned\)"):
        routing.route(toy, "Beta", "Gamma", modes="rail")
    assert routing.route(toy, "Beta", "Gamma", modes="rail", include_planned=True).link_ids == [
        "rail-bb-beta-cc-gamma"
    ]
    with pytest.raises(NoRouteError):
        routing.route(toy, "Beta", "Gamma", modes="rail", year=2029)
    assert routing.route(toy, "Beta", "Gamma", modes="rail", year=2030).distance_km == 90


def test_avoided_country_is_never_entered(toy: Network) -> None:
    with pytest.raises(NoRouteError, match="in BB, which the query avoids"):
        routing.route(toy, "Alpha", "Beta", avoid_countries="BB")
    with pytest.raises(NoRouteError, match="one exists with no avoided countries"):
        routing.route(toy, "Alpha", "Gamma", avoid_countries=["BB"])


def test_totals_are_the_sum_of_legs(toy: Network) -> None:
    r = routing.route(toy, "Alpha", "Gamma", by="cost", include_planned=True)
    legs = r.leg_frame()
    assert math.fsum(legs["time_h"]) == pytest.approx(r.time_h)
    assert math.fsum(legs["cost_usd"]) == pytest.approx(r.cost_usd)
    assert math.fsum(legs["distance_km"]) == pytest.approx(r.distance_km)
    assert r.totals["generalized_usd"] == pytest.approx(r.cost_usd + 2 * r.time_h)


def test_places_by_alias_diacritics_and_case(toy: Network) -> None:
    assert toy.places.resolve("Альфа").node == "aa-alpha"
    assert toy.places.resolve("BÊTA").node == "bb-beta"
    assert toy.places.resolve("alpha").node == "aa-alpha"


def test_unknown_and_ambiguous_places(toy: Network) -> None:
    with pytest.raises(UnknownPlaceError, match=r"did you mean: Alpha \(aa-alpha\)"):
        toy.places.resolve("Alphx")
    with pytest.raises(AmbiguousPlaceError, match=r"bb-twin.*cc-twin"):
        toy.places.resolve("twin")


def test_coordinates_snap_with_a_stated_access_leg(toy: Network) -> None:
    r = routing.route(toy, "40.0,10.2", "Beta")
    first = r.components[0]
    assert first.from_node.startswith("@") and first.to_node == "aa-alpha"
    assert first.mode == "road" and first.distance_km > 0
    assert "access leg" in first.note


def test_alternatives_differ_and_the_first_is_optimal(toy: Network) -> None:
    alts = routing.alternatives(toy, "Alpha", "Beta", k=3, by="time")
    best = routing.route(toy, "Alpha", "Beta", by="time")
    assert alts[0].time_h == best.time_h
    assert all(a.time_h >= best.time_h for a in alts)
    assert len({tuple(a.link_ids) for a in alts}) == len(alts) > 1


def test_skim_equals_route_exactly(toy: Network) -> None:
    places = ["Alpha", "Beta", "Gamma", "aa-port"]
    for by in ("time", "cost", "distance", "co2", "generalized"):
        matrix = batch.skim(toy, places, by=by)
        for o in places:
            for d in places:
                if o == d:
                    assert math.isnan(matrix.loc[o, d])
                    continue
                assert matrix.loc[o, d] == routing.route(toy, o, d, by=by).total(by)


def test_pareto_front_is_non_dominated(toy: Network) -> None:
    front = routing.pareto(toy, "Alpha", "Beta", objectives=("time", "co2"))
    assert len(front) >= 2
    for a in front:
        for b in front:
            assert not (
                b.time_h <= a.time_h
                and b.co2_kg <= a.co2_kg
                and (b.time_h < a.time_h or b.co2_kg < a.co2_kg)
            )


def test_compare_forces_each_corridor(toy: Network) -> None:
    result = routing.compare(toy, "Alpha", "Beta")
    frame = result.to_frame()
    assert set(frame["corridor"]) == {"best", "rail_line", "ferry_line"}
    assert "aa-border" in result.routes["rail_line"].nodes
    # by time the ferry loses to going back by road: forcing it would double back
    assert "ferry_line" not in result.routes
    assert "not on the way" in result.reasons["ferry_line"]
    ferry = routing.compare(toy, "aa-port", "bb-port", corridors=["ferry_line"], modes="ferry")
    assert [c.mode for c in ferry.routes["ferry_line"].components if c.kind == "haul"] == ["ferry"]


def test_bad_options_are_rejected(toy: Network) -> None:
    with pytest.raises(InvalidOptionError, match="unknown objective"):
        routing.route(toy, "Alpha", "Beta", by="speed")
    with pytest.raises(InvalidOptionError, match="out of range"):
        routing.alternatives(toy, "Alpha", "Beta", k=0)
    with pytest.raises(InvalidOptionError, match="ISO 3166"):
        routing.route(toy, "Alpha", "Beta", avoid_countries="Turkmenistan")
    with pytest.raises(NoRouteError, match="same place"):
        routing.route(toy, "Alpha", "alpha")


def test_to_dict_has_the_documented_keys(toy: Network) -> None:
    doc = routing.route(toy, "Alpha", "Beta").to_dict()
    assert {
        "origin",
        "destination",
        "by",
        "profile",
        "totals",
        "legs",
        "countries",
        "border_crossings",
        "transfers",
    } <= set(doc)
    assert set(doc["totals"]) >= {"distance_km", "time_h", "cost_usd", "co2_kg"}
    assert {
        "from",
        "to",
        "mode",
        "country",
        "distance_km",
        "time_h",
        "cost_usd",
        "co2_kg",
        "status",
    } <= set(doc["legs"][0])


def test_profiles_change_costs(toy: Network) -> None:
    teu = routing.route(toy, "Alpha", "Beta", profile="teu", by="cost")
    bulk = routing.route(toy, "Alpha", "Beta", profile="bulk", by="cost")
    assert teu.co2_kg == pytest.approx(10 * bulk.co2_kg)  # 10 t per TEU vs 1 t
    with pytest.raises(InvalidOptionError, match="unknown profile"):
        routing.route(toy, "Alpha", "Beta", profile="reefer")


def test_negative_weights_are_refused_by_every_solver(toy: Network) -> None:
    # a table edited in memory skips the checks made when data is loaded
    from corridors.data.geodata import Geodata

    tables = {k: v.copy(deep=True) for k, v in toy.geodata.tables.items()}
    frictions = tables["frictions"]
    frictions.loc[frictions["id"] == "border-ab-rail", "fee_usd"] = -5000.0
    fields = {k: v for k, v in vars(toy.geodata).items() if k != "tables"}
    broken = Network(Geodata(**{**fields, "tables": tables}))
    origin, destination = "aa-alpha", "bb-beta"
    assert routing.route(toy, origin, destination, by="cost")  # the intact network routes
    with pytest.raises(GeodataError, match="negative edge weights"):
        routing.route(broken, origin, destination, by="cost")
    with pytest.raises(GeodataError, match="negative edge weights"):
        batch.skim(broken, [origin, destination], by="cost")
