"""The skim's fast parts give what the plain ways give, on the real network.

The skim searches without the edges into sinks and relaxes the sinks it needs afterwards
(``shortest_trees``), sums the pairs' totals by descending the shortest-path trees
(``tree_sums``), and rounds sums of two limbs with one float addition. Each is checked
here against the plain way: scipy's whole search, a walk up every path, ``math.fsum``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from corridors.graph.network import Network
from corridors.routing import batch, edge_weights
from corridors.routing.options import RouteOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import peers


@pytest.mark.slow
@pytest.mark.parametrize("by", ["time", "cost"])
def test_tree_sums_equal_path_walks_in_every_cell(
    net: Network, by: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hubs = peers.hubs(net)
    fast = batch.skim(net, hubs, by=by, crew=0).to_numpy()
    with monkeypatch.context() as m:
        m.setattr(batch, "tree_sums", batch.path_sums)
        walked = batch.skim(net, hubs, by=by, crew=0).to_numpy()
    assert fast.shape == (len(hubs), len(hubs))
    assert np.isfinite(fast).sum() > len(hubs) ** 2 // 2  # most pairs are connected
    assert np.array_equal(fast, walked, equal_nan=True)


def test_tree_sums_equal_path_walks_for_every_total_and_crew(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    hubs = peers.hubs(net)[::6]
    for crew in (0, 1):
        fast = batch.skim(net, hubs, by="generalized", long=True, crew=crew)
        with monkeypatch.context() as m:
            m.setattr(batch, "tree_sums", batch.path_sums)
            walked = batch.skim(net, hubs, by="generalized", long=True, crew=crew)
        for column in ("distance_km", "time_h", "cost_usd", "co2_kg", "generalized_usd"):
            assert np.array_equal(fast[column], walked[column], equal_nan=True), column


@pytest.mark.parametrize("by", ["time", "cost", "distance"])
def test_search_without_sinks_equals_the_whole_search(net: Network, by: str) -> None:
    rg = net.routing_graph()
    opts = RouteOptions.build(by=by)
    _, weight = edge_weights.weights(rg, opts)
    src, dst, w, _ = edge_weights.collapse(rg.src, rg.dst, weight, edge_weights.edge_mask(rg, opts))
    sources, targets = peers.endpoints(net, peers.hubs(net))
    sources = np.unique(sources)
    dist, pred = batch.shortest_trees(rg.n_nodes, src, dst, w, sources, targets)
    whole_d, whole_p = dijkstra(
        csr_array((w, (src, dst)), shape=(rg.n_nodes, rg.n_nodes)),
        directed=True,
        indices=sources,
        return_predecessors=True,
    )
    sink = np.bincount(src, minlength=rg.n_nodes) == 0
    assert sink[targets].all()  # the hubs' arrival nodes: the sinks are relaxed afterwards
    kept = ~sink
    kept[targets] = True
    assert np.array_equal(pred[:, kept], whole_p[:, kept])
    assert np.array_equal(dist[:, kept], whole_d[:, kept])
    assert (pred[:, ~kept] < 0).all()


def _whole(n: int, src: list[int], dst: list[int], w: list[float], sources: list[int]) -> tuple:
    graph = csr_array((w, (src, dst)), shape=(n, n))
    return dijkstra(graph, directed=True, indices=sources, return_predecessors=True)


@pytest.mark.parametrize(
    ("src", "dst", "w"),
    [
        # sink 3 is reached from 1 and 2 at the same distance: the nearer in-neighbour wins
        ([0, 0, 1, 2], [1, 2, 3, 3], [1.0, 2.0, 2.0, 1.0]),
        ([0, 0, 1, 2], [1, 2, 3, 3], [2.0, 1.0, 1.0, 2.0]),
        # ... and from 1 and 2 at the same distance through them: the search's heap decides,
        # so the source is searched again on the whole graph
        ([0, 0, 1, 2], [1, 2, 3, 3], [1.0, 1.0, 1.0, 1.0]),
        # a sink that is also a source, and a sink nobody reaches
        ([0, 1, 4], [1, 2, 2], [0.5, 0.0, 1.0]),
        # zero weights into the sink and between the in-neighbours
        ([0, 0, 1, 1, 2], [1, 2, 2, 3, 3], [0.0, 0.0, 0.0, 0.0, 0.0]),
    ],
)
def test_sinks_relaxed_as_the_search_relaxes_them(
    src: list[int], dst: list[int], w: list[float]
) -> None:
    n = 5
    sources = [0, 1, 2] if max(dst) == 3 else [0, 2]
    targets = np.arange(n, dtype=np.int64)
    whole_d, whole_p = _whole(n, src, dst, w, sources)
    dist, pred = batch.shortest_trees(
        n,
        np.array(src, dtype=np.int64),
        np.array(dst, dtype=np.int64),
        np.array(w),
        np.array(sources, dtype=np.int64),
        targets,
    )
    assert np.array_equal(dist, whole_d)
    assert np.array_equal(pred, whole_p)


def test_two_limb_sums_round_as_fsum() -> None:
    rng = np.random.default_rng(7)
    checked = 0
    for trial in range(200):
        values = rng.standard_normal(400) * 10.0 ** rng.uniform(-5, 3, size=400)
        if trial % 2:
            values = np.abs(values)
        if trial % 5 == 0:
            values = np.round(values, 2)
        groups = rng.integers(0, 40, size=len(values))
        layout = batch._layout(values, len(values))
        assert layout is not None
        if layout.n_limbs != 2:
            continue
        limbs = batch._to_limbs(values, layout)
        acc = np.zeros((40, 2), dtype=np.int64)
        np.add.at(acc, groups, limbs)
        want = np.array([math.fsum(values[groups == g]) for g in range(40)])
        assert np.array_equal(batch._from_limbs(acc, layout), want)
        checked += 1
    assert checked > 100
