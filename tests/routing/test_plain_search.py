"""The plain-Python search of one query finds the path and weight scipy's Dijkstra finds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from corridors.graph.network import Network
from corridors.graph.routing_graph import DESTINATION, ORIGIN
from corridors.routing import edge_weights as ew
from corridors.routing.options import RouteOptions


def _query_graph(net: Network, by: str) -> tuple[Any, ...]:
    """A query's searched edges (src, dst, weight), its node count, origins and ends."""
    rg = net.routing_graph("teu")
    opts = RouteOptions.build(None, by=by, profile="teu")
    _, weight = ew.weights(rg, opts)
    kept = ew.collapse(rg.src, rg.dst, weight, ew.edge_mask(rg, opts))
    s, d, w, _ = ew.staged(rg.n_nodes, kept, [])
    origins = [i for v, i in rg.index.items() if v[1] == ORIGIN]
    ends = [i for v, i in rg.index.items() if v[1] == DESTINATION]
    return s, d, w, rg.n_nodes, origins, ends


@pytest.mark.parametrize("by", ["time", "cost", "generalized"])
def test_same_weights_and_paths_as_scipy(net: Network, by: str) -> None:
    s, d, w, n, origins, ends = _query_graph(net, by)
    origins = origins[::25]
    compared = 0
    for source in origins:
        plain, plain_pred = ew._plain_dijkstra(n, s, d, w, source)
        dist, pred = ew._scipy_dijkstra(n, s, d, w, source)
        # every node's weight is the same float, not merely close
        assert np.array_equal(np.asarray(plain), dist)
        for target in ends:
            if not np.isfinite(dist[target]):
                continue
            nodes = ew._walk_back(plain_pred, source, target, n)
            assert ew._unique_path(nodes, dist, s, d, w)
            assert nodes == ew._walk_back(pred, source, target, n)
            compared += 1
    assert compared > 1000


def test_an_exact_tie_is_left_to_scipy() -> None:
    # two ways of weight 2 from node 0 to node 3, through 1 or through 2: the tails tie
    s = np.array([0, 0, 1, 2], dtype=np.int64)
    d = np.array([1, 2, 3, 3], dtype=np.int64)
    w = np.array([1.0, 1.0, 1.0, 1.0])
    plain, pred = ew._plain_dijkstra(4, s, d, w, 0)
    assert plain == [0.0, 1.0, 1.0, 2.0]
    nodes = ew._walk_back(pred, 0, 3, 4)
    assert not ew._unique_path(nodes, np.asarray(plain), s, d, w)
    # tails of different weight tie at the head: the lighter one is kept by any search
    w2 = np.array([0.5, 1.0, 1.5, 1.0])
    plain2, pred2 = ew._plain_dijkstra(4, s, d, w2, 0)
    nodes2 = ew._walk_back(pred2, 0, 3, 4)
    assert nodes2 == [0, 1, 3]
    assert ew._unique_path(nodes2, np.asarray(plain2), s, d, w2)


def test_waypoints_route_the_same_either_way(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    rg = net.routing_graph("teu")
    opts = RouteOptions.build(None, by="time", profile="teu")
    mask = ew.edge_mask(rg, opts)
    _, weight = ew.weights(rg, opts)
    via = ["tm-turkmenbashi", "az-baku"]
    monkeypatch.setattr(ew, "_search_in_python", lambda n_edges: True)
    plain = ew.shortest_edges(rg, weight, mask, via, "kz-almaty", "ge-poti")
    monkeypatch.setattr(ew, "_search_in_python", lambda n_edges: False)
    assert plain is not None
    assert plain == ew.shortest_edges(rg, weight, mask, via, "kz-almaty", "ge-poti")


def test_python_searches_only_until_scipy_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.delitem(sys.modules, "scipy.sparse.csgraph", raising=False)
    assert ew._search_in_python(4000)
    assert not ew._search_in_python(ew.PLAIN_SEARCH_EDGES + 1)
    monkeypatch.setitem(sys.modules, "scipy.sparse.csgraph", object())
    assert not ew._search_in_python(4000)


@pytest.mark.parametrize("by", ["time", "cost"])
def test_a_search_stopped_at_its_target_keeps_its_path_and_ties(net: Network, by: str) -> None:
    s, d, w, n, origins, ends = _query_graph(net, by)
    origins, ends = origins[::40], ends[::7]
    compared = stopped_early = 0
    for source in origins:
        whole, whole_pred = ew._plain_dijkstra(n, s, d, w, source)
        full = np.asarray(whole)
        for target in ends:
            if not np.isfinite(full[target]) or target == source:
                continue
            part, part_pred = ew._plain_dijkstra(n, s, d, w, source, target)
            near = np.asarray(part)
            # every node as light as the target has its weight; the others none lighter
            light = full <= full[target]
            assert np.array_equal(near[light], full[light])
            assert (near[~light] >= full[~light]).all()
            stopped_early += int((near[~light] > full[~light]).any())
            nodes = ew._walk_back(part_pred, source, target, n)
            assert nodes == ew._walk_back(whole_pred, source, target, n)
            assert ew._unique_path(nodes, near, s, d, w) == ew._unique_path(nodes, full, s, d, w)
            compared += 1
    assert compared > 300
    assert stopped_early > compared // 2  # the stop saved work on most pairs
