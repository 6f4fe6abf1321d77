"""Names a reader types: network places before world cities, and twin border towns chosen
by the query that uses them."""

from __future__ import annotations

import pytest
from conftest import run_cli

from corridors import routing
from corridors.errors import UnknownPlaceError
from corridors.graph.network import Network


def test_a_word_of_network_names_suggests_them_not_a_world_city(net: Network) -> None:
    with pytest.raises(UnknownPlaceError) as err:
        net.places.resolve("Bandar")
    message = str(err.value)
    assert "Bandar Abbas (ir-bandar-abbas)" in message
    assert "Machilipatnam" not in message


def test_whole_words_only(net: Network) -> None:
    # "Samar" is not a word of "Samarkand", so it is no network suggestion
    assert net.places._part_of_names("samar") == []
    assert "ir-bandar-abbas" in net.places._part_of_names("bandar")
    assert net.places.resolve("Samara").node == "ru-samara"
    # a world city that is no network place still resolves, snapped with a stated access leg
    city = net.places.resolve("Yangiyul")
    assert city.access_km > 0 and "GeoNames" in city.label


@pytest.mark.parametrize(
    ("origin", "name", "expected", "other"),
    [
        ("Almaty", "Sarakhs", "tm-sarakhs", "ir-sarakhs"),
        ("Tehran", "Sarakhs", "ir-sarakhs", "tm-sarakhs"),
        ("Baku", "Astara", "az-astara", "ir-astara"),
        ("Tehran", "Astara", "ir-astara", "az-astara"),
        ("Kabul", "Torkham", "af-torkham", "pk-torkham"),
        ("Peshawar", "Torkham", "pk-torkham", "af-torkham"),
        ("Tbilisi", "Alat", "az-alat", "uz-alat"),
        ("Almaty", "Alat", "uz-alat", "az-alat"),
    ],
)
def test_a_shared_name_becomes_the_place_that_gives_the_best_route(
    net: Network, origin: str, name: str, expected: str, other: str
) -> None:
    r = routing.route(net, origin, name)
    assert r.destination.node == expected
    assert f"chosen over {other}" in r.destination.label
    # the other side is indeed worse (or unreachable) for this query
    try:
        worse = routing.route(net, origin, other)
    except Exception:
        return
    assert r.total("time") <= worse.total("time")
    # as origin too
    back = routing.route(net, name, origin)
    assert back.origin.node in (expected, other)
    assert "chosen over" in back.origin.label


@pytest.mark.slow
def test_cli_states_the_choice() -> None:
    proc = run_cli("route", "Almaty", "Sarakhs")
    assert proc.returncode == 0, proc.stderr
    assert "tm-sarakhs; chosen over ir-sarakhs" in proc.stderr


def test_compare_chooses_a_shared_name_by_the_best_route(net: Network) -> None:
    result = routing.compare(net, "Almaty", "Sarakhs", corridors=["sarakhs"])
    assert result.destination.node == "tm-sarakhs"
    assert "chosen over ir-sarakhs" in result.destination.label
