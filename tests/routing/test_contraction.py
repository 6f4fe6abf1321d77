"""A search on the contracted graph finds the path and weight a search on the whole graph finds."""

from __future__ import annotations

import contextlib
import itertools

import numpy as np
import pytest

from corridors.data.geodata import read_geodata
from corridors.graph.network import Network
from corridors.graph.routing_graph import RoutingGraph
from corridors.routing import contraction, corridor_match
from corridors.routing import edge_weights as ew
from corridors.routing.options import RouteOptions


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """The shipped network with its one-country lines cut into pieces at new junctions."""
    from benchmarks.big_geodata import write

    folder = tmp_path_factory.mktemp("split") / "geodata"
    write(folder, 6000)
    return Network(read_geodata(folder, strict=False))


def _hubs(net: Network) -> list[str]:
    kinds = net.nodes.column("kind")
    return [n for n, k in zip(net.nodes, kinds, strict=True) if k in ("city", "port", "border")]


def test_split_network_contracts_to_the_places_that_matter(split: Network) -> None:
    rg = split.routing_graph("teu")
    con = contraction.contract(
        rg, [n for n in split.nodes if split.nodes.value(n, "kind") == "junction"]
    )
    junctions = sum(1 for n in split.nodes if split.nodes.value(n, "kind") == "junction")
    assert junctions > 4000  # the cut made them
    # the chains are gone: under a tenth of the vertices and a quarter of the edges are left
    assert con.n_nodes < rg.n_nodes / 10
    assert len(con.edges) < rg.n_edges / 4

    # every shortcut unfolds into a walk of the routing graph's edges, its two halves in
    # turn (unfolded here one shortcut at a time, as a reference)
    def halves(e: int) -> list[int]:
        if e < con.n_base:
            return [e]
        k = e - con.n_base
        return halves(int(con.left[k])) + halves(int(con.right[k]))

    sampled = list(range(0, len(con.left), max(1, len(con.left) // 500)))
    for k in sampled:
        walk = con.unfold_path([con.n_base + k])
        assert len(walk) >= 2
        assert all(rg.dst[a] == rg.src[b] for a, b in itertools.pairwise(walk))
        assert walk == halves(con.n_base + k)
    # a walk mixing plain edges and shortcuts unfolds into their walks, one after another
    mixed = [e for k in sampled[:50] for e in (k % con.n_base, con.n_base + k)]
    assert con.unfold_path(mixed) == [b for e in mixed for b in halves(e)]
    assert con.unfold_path([]) == []


@pytest.mark.parametrize("by", ["time", "cost"])
def test_same_paths_and_weights_as_the_whole_graph(split: Network, by: str) -> None:
    rg = split.routing_graph("teu")
    con = contraction.contract(
        rg, [n for n in split.nodes if split.nodes.value(n, "kind") == "junction"]
    )
    opts = RouteOptions.build(None, by=by, profile="teu", avoid_countries=["RU"])
    mask = ew.edge_mask(rg, opts)
    _, weight = ew.weights(rg, opts)
    hubs = _hubs(split)[::21]
    compared = found = 0
    for o, d in itertools.permutations(hubs, 2):
        whole = ew.shortest_edges(rg, weight, mask, [], o, d)
        short = ew.shortest_edges(rg, weight, mask, [], o, d, con)
        compared += 1
        assert short == whole, (o, d)
        found += whole is not None
    assert compared > 200
    assert found > compared / 2


def _junctions(net: Network) -> list[str]:
    return [n for n in net.nodes if net.nodes.value(n, "kind") == "junction"]


def _query(
    net: Network, by: str
) -> tuple[RoutingGraph, contraction.Contraction, np.ndarray, np.ndarray]:
    """The container graph, its contraction of every junction, and a query's mask and weights."""
    rg = net.routing_graph("teu")
    opts = RouteOptions.build(None, by=by, profile="teu")
    _, weight = ew.weights(rg, opts)
    return rg, contraction.contract(rg, _junctions(net)), ew.edge_mask(rg, opts), weight


def test_waypoints_and_chains_with_a_forbidden_piece(split: Network) -> None:
    rg, con, mask, weight = _query(split, "time")
    via = ["tm-turkmenbashi", "az-baku"]
    whole = ew.shortest_edges(rg, weight, mask, via, "kz-almaty", "ge-poti")
    assert whole is not None
    assert ew.shortest_edges(rg, weight, mask, via, "kz-almaty", "ge-poti", con) == whole
    # forbid one piece in the middle of a cut line the route uses: the shortcut over it
    # must go too, and both searches must find the same detour
    pieces = [e for e in whole[0] if "-p" in str(rg.link_id[e])]
    assert pieces
    closed = mask.copy()
    closed[pieces[len(pieces) // 2]] = False
    detour = ew.shortest_edges(rg, weight, closed, via, "kz-almaty", "ge-poti")
    assert detour is not None and detour != whole
    assert ew.shortest_edges(rg, weight, closed, via, "kz-almaty", "ge-poti", con) == detour


def test_a_junction_end_is_searched_on_the_whole_graph(split: Network) -> None:
    rg, con, mask, weight = _query(split, "distance")
    junction = next(
        j for j in _junctions(split) if "-p" not in j and rg.index.get((j, "o")) is not None
    )
    assert con.vertex(rg.index[(junction, "o")]) == -1
    whole = ew.shortest_edges(rg, weight, mask, [], junction, "kz-almaty")
    assert whole is not None
    assert ew.shortest_edges(rg, weight, mask, [], junction, "kz-almaty", con) == whole


def test_named_corridors_keep_their_junctions(
    split: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contraction, "CONTRACT_EDGES", 0)
    corridor_match._LINKS.pop(split, None)
    short = corridor_match.corridor_links(split)
    rg = split.routing_graph("teu")
    con = contraction.contraction_for(split, rg)
    assert con is not None and con.n_nodes < rg.n_nodes / 10
    # Beyneu is a junction the Middle Corridor passes: kept as a vertex a search may name
    assert all(con.vertex(int(x)) >= 0 for x in rg.arrival_nodes(["kz-beyneu"]))
    monkeypatch.setattr(contraction, "CONTRACT_EDGES", 10**12)
    corridor_match._LINKS.pop(split, None)
    assert corridor_match.corridor_links(split) == short
    assert sum(len(v) for v in short.values()) > 100


def test_shipped_network_is_searched_whole(net: Network) -> None:
    for pid in net.profiles:
        assert contraction.contraction_for(net, net.routing_graph(pid)) is None


def test_a_toy_chain_unfolds_in_order() -> None:
    # u0 -> j1 -> j2 -> u3 and back, as a cut line between two places would be
    src = np.array([0, 1, 2, 3, 2, 1])
    dst = np.array([1, 2, 3, 2, 1, 0])
    con = _toy_contraction(src, dst, removable=[1, 2])
    assert con.n_nodes == 2
    weights = con.weights(np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0]))
    pairs = {
        (int(s), int(d)): (float(w), con.unfold_path([int(e)]))
        for s, d, w, e in zip(con.src, con.dst, weights, con.edges, strict=True)
    }
    a, b = con.vertex(0), con.vertex(3)
    assert pairs[(a, b)] == (7.0, [0, 1, 2])
    assert pairs[(b, a)] == (56.0, [3, 4, 5])
    # one forbidden piece forbids the whole way through
    blocked = con.weights(np.array([1.0, np.inf, 4.0, 8.0, 16.0, 32.0]))
    assert not np.isfinite(blocked[np.flatnonzero((con.src == a) & (con.dst == b))]).any()


def _toy_contraction(
    src: np.ndarray, dst: np.ndarray, removable: list[int]
) -> contraction.Contraction:
    from corridors.graph.compact import Coded, Vertices

    n = int(max(src.max(), dst.max())) + 1
    places = np.array([f"p{i}" for i in range(n)], dtype=object)

    class _Graph:
        pass

    g = _Graph()
    g.n_nodes = n  # type: ignore[attr-defined]
    g.n_edges = len(src)  # type: ignore[attr-defined]
    g.src = src  # type: ignore[attr-defined]
    g.dst = dst  # type: ignore[attr-defined]
    g.vertices = Vertices(places, np.arange(n), ["road|in"], np.zeros(n))  # type: ignore[attr-defined]
    g.coded = {"kind": Coded.of(np.array(["link"] * len(src), dtype=object))}  # type: ignore[attr-defined]
    return contraction.contract(g, [f"p{i}" for i in removable])  # type: ignore[arg-type]


def test_a_large_graph_built_only_for_the_corridors_goes_again(
    split: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Network(split.geodata)
    other.routing_graph("teu")
    corridor_match._LINKS.pop(other, None)
    links = corridor_match.corridor_links(other)
    assert "oil" in {corridor_match._profile_of(other, s, 0) for s in other.geodata.corridors}
    # small graphs stay, as they always did
    assert other.holds_routing_graph("oil") and other.holds_routing_graph("teu")
    monkeypatch.setattr(contraction, "CONTRACT_EDGES", 0)
    large = Network(split.geodata)
    large.routing_graph("teu")
    assert corridor_match.corridor_links(large) == links
    assert large.holds_routing_graph("teu")  # held before the searches: kept
    assert not large.holds_routing_graph("oil")  # built for one corridor's search: let go


def test_corridors_sharing_a_mask_and_objective_weigh_the_shortcuts_once(
    split: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # at a million links weighing the shortcuts takes about 60 ms a search
    monkeypatch.setattr(contraction, "CONTRACT_EDGES", 0)
    weighed: list[int] = []
    real = contraction.Contraction.weights

    def weights(self: contraction.Contraction, weight: np.ndarray) -> np.ndarray:
        weighed.append(id(self))
        return real(self, weight)

    monkeypatch.setattr(contraction.Contraction, "weights", weights)
    shared_net = Network(split.geodata)
    shared = corridor_match.corridor_links(shared_net)
    once = len(weighed)
    weighed.clear()
    monkeypatch.setattr(
        corridor_match, "_sharing_arrays", lambda net, pid: contextlib.nullcontext()
    )
    alone_net = Network(split.geodata)
    alone = corridor_match.corridor_links(alone_net)
    searches = len(weighed)
    assert alone == shared
    assert [list(x) for x in alone.values()] == [list(x) for x in shared.values()]
    # 36 searches on the contracted graphs; nine corridors share a mask with another
    assert searches >= 30
    assert 0 < once < searches
