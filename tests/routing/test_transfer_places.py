"""Loads change between train and truck only where there is somewhere to do it.

The default ``transfer`` rows apply at towns, ports and terminals; a border post or a junction
changes mode only through a row of its own that names the terminal there.
"""

from __future__ import annotations

import csv

import pytest

from corridors.data.vocabulary import TRANSFER_NODE_KINDS
from corridors.graph.network import Network
from corridors.routing import route


def _own_transfer_rows(net: Network) -> set[str]:
    frictions = net.geodata.tables["frictions"]
    return {str(n) for k, n in zip(frictions["kind"], frictions["node"]) if k == "transfer"} - {"*"}


@pytest.mark.parametrize("profile", ["teu", "bulk"])
def test_mode_transfers_sit_at_terminals_or_places_with_their_own_row(
    net: Network, profile: str
) -> None:
    rg = net.routing_graph(profile)
    kind = {n: str(d.get("kind") or "") for n, d in net.G.nodes(data=True)}
    own = _own_transfer_rows(net)
    at_terminal_kind = at_own_row = 0
    for comps in rg.components:
        for c in comps:
            if c.kind != "transfer":
                continue
            if kind[c.from_node] in TRANSFER_NODE_KINDS:
                at_terminal_kind += 1
            else:
                assert c.from_node in own, (c.from_node, kind[c.from_node], c.mode)
                at_own_row += 1
    # both ways of offering a transfer are exercised on the shipped network
    assert at_terminal_kind > 100
    assert at_own_row >= 2


def test_a_border_post_with_road_and_rail_but_no_terminal_offers_no_transfer(
    net: Network,
) -> None:
    rg = net.routing_graph("teu")
    kind = {n: str(d.get("kind") or "") for n, d in net.G.nodes(data=True)}
    own = _own_transfer_rows(net)
    layers: dict[str, set[str]] = {}
    for place, layer in rg.vnodes:
        layers.setdefault(place, set()).add(layer.split("|")[0].split(":")[0].split("^")[0])
    both = sorted(
        p
        for p, ls in layers.items()
        if {"rail", "road"} <= ls and kind[p] in ("border", "junction") and p not in own
    )
    assert len(both) >= 10, both  # the rule has places to act on
    transfers = {
        c.from_node
        for comps in rg.components
        for c in comps
        if c.kind == "transfer" and c.from_node in both
    }
    assert transfers == set()


def test_the_shipped_border_terminals_are_sourced_rows(net: Network) -> None:
    with open(net.geodata.folder / "frictions.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["kind"] == "transfer" and r["node"] != "*"]
    assert {r["node"] for r in rows} >= {"af-hairatan", "af-torghundi", "uz-termez"}
    for r in rows:
        # the place's terminal has a source of its own besides the analogy for the time
        assert len(r["source_id"].split("|")) >= 2, r["id"]


def test_rail_to_herat_changes_to_the_truck_at_the_torghundi_terminal(net: Network) -> None:
    r = route(net, "Ashgabat", "Herat", by="cost")
    changes = [(c.from_node, c.mode) for c in r.components if c.kind == "transfer"]
    assert changes == [("af-torghundi", "rail>road")]


def test_a_rail_route_no_longer_leaves_the_train_at_a_border_post(net: Network) -> None:
    """Almaty to Bandar Abbas by time used to truck across Sarakhs between two trains."""
    r = route(net, "Almaty", "Bandar Abbas", by="time")
    kind = {n: str(d.get("kind") or "") for n, d in net.G.nodes(data=True)}
    posts = [c.from_node for c in r.components if c.kind == "transfer"]
    assert all(kind[p] in TRANSFER_NODE_KINDS for p in posts), posts
    if not posts:
        # no change of mode at all: the train runs through, changing gauge at Sarakhs
        assert {c.mode for c in r.components if c.kind == "haul"} == {"rail"}
        assert [c.from_node for c in r.components if c.kind == "gauge_break"] == ["ir-sarakhs"]
