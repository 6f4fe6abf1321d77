"""Times the model takes from where they were published for, checked on the shipped network.

Each test routes a real query and checks what the model does with a sourced input: a
sailing time applies to the line it was published for, a port's dwell to that port.
"""

from __future__ import annotations

import pytest

from corridors.data.geodata import records
from corridors.graph.network import Network
from corridors.routing import route


def _hauls(r, link_id: str) -> list:
    return [c for c in r.components if c.kind == "haul" and c.link_id == link_id]


def _ferry_kph(net: Network) -> float:
    rows = [r for r in records(net.geodata.tables["speeds"]) if r["mode"] == "ferry"]
    assert len(rows) == 1 and rows[0]["country"] == "*"
    return float(rows[0]["kph"])


def test_a_sailing_time_is_the_time_of_the_line_it_was_published_for(net: Network) -> None:
    # the 12 h were published for Baku-Turkmenbashi (306 km); the longer Alat line sails at
    # the ferry speed for its own length, so it takes longer than the Baku line
    baku = route(net, "az-baku", "tm-turkmenbashi", modes="ferry", by="time")
    alat = route(net, "az-alat", "tm-turkmenbashi", modes="ferry", by="time")
    (baku_haul,) = _hauls(baku, "ferry-az-baku-tm-turkmenbashi")
    (alat_haul,) = _hauls(alat, "ferry-tm-turkmenbashi-az-alat")
    assert baku_haul.time_h == pytest.approx(12.0)
    assert alat_haul.distance_km > baku_haul.distance_km
    assert alat_haul.time_h == pytest.approx(alat_haul.distance_km / _ferry_kph(net))
    assert alat_haul.time_h > baku_haul.time_h


def _port_dwell(r, node: str) -> float:
    ports = [c for c in r.components if c.kind == "port" and node in (c.from_node, c.to_node)]
    assert ports, node
    return sum(c.time_h for c in ports)


def test_a_container_dwells_a_week_at_a_pakistani_port_and_bulk_does_not(net: Network) -> None:
    # the week was published for containers at Pakistani ports; elsewhere, and for bulk,
    # the 3.5-day benchmark stays, so a container landed at Karachi waits twice as long as
    # one landed at Bandar Abbas or a tonne of grain landed at Karachi
    teu_karachi = route(net, "cn-shanghai", "pk-karachi", modes="sea", by="time")
    teu_abbas = route(net, "cn-shanghai", "ir-bandar-abbas", modes="sea", by="time")
    bulk_karachi = route(net, "cn-shanghai", "pk-karachi", modes="sea", by="time", profile="bulk")
    assert _port_dwell(teu_karachi, "pk-karachi") == pytest.approx(7 * 24)
    assert _port_dwell(teu_abbas, "ir-bandar-abbas") == pytest.approx(3.5 * 24)
    assert _port_dwell(bulk_karachi, "pk-karachi") == pytest.approx(3.5 * 24)
    # the route's time carries it: the same voyage, three and a half days more in port
    assert teu_karachi.time_h - bulk_karachi.time_h == pytest.approx(3.5 * 24)


def _haul_cost(r, country: str) -> float:
    return sum(c.cost_usd for c in r.components if c.kind == "haul" and c.country == country)


def test_georgian_rail_charges_its_published_transit_tariff_over_its_section(
    net: Network,
) -> None:
    # 123 USD per container was published for the Georgian section of the South-West
    # route, Gardabani on the Azerbaijani border to Poti: a container pays that haulage
    # there, and a tonne of bulk keeps the regional bulk rate
    teu = route(net, "ge-gardabani", "ge-poti", modes="rail", by="distance")
    bulk = route(net, "ge-gardabani", "ge-poti", modes="rail", by="distance", profile="bulk")
    assert _haul_cost(teu, "GE") == pytest.approx(123.0, abs=0.1)
    assert _haul_cost(bulk, "GE") == pytest.approx(0.0804 * bulk.distance_km)


def test_turkish_rail_charges_the_tcdd_container_tariff_per_km(net: Network) -> None:
    # TCDD's 0.18 EUR per km per loaded 20-ft, at the ECB 2021 average of 1.1827 USD per EUR
    r = route(net, "tr-kars", "tr-istanbul", modes="rail", by="distance")
    km = sum(c.distance_km for c in r.components if c.kind == "haul" and c.country == "TR")
    assert km > 1000
    assert _haul_cost(r, "TR") == pytest.approx(0.18 * 1.1827 * km, rel=1e-3)
