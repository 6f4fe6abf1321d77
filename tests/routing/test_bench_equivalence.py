"""The batch paths give exactly what the reference (networkx, per-pair route()) gives.

Also checks every benchmark peer adapter against networkx on the same graph, so the
benchmark compares like with like. Peers are optional: a test of one that is not
installed is skipped (``pip install -e '.[bench]'``). Nothing here is timed.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import corridors
from corridors import routing
from corridors.graph.network import Network
from corridors.routing import batch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks import peers, synthetic


def _hubs(net: Network, n: int) -> list[str]:
    hubs = peers.hubs(net)
    return hubs[:: max(1, len(hubs) // n)][:n]


def _route_total(net: Network, o: str, d: str, by: str, crew: int) -> float:
    try:
        return routing.route(net, o, d, by=by, crew=crew).total(by)
    except corridors.NoRouteError:
        return math.nan


@pytest.mark.slow
@pytest.mark.parametrize(("by", "crew"), [("time", 0), ("cost", 0), ("time", 1), ("time", 2)])
def test_skim_equals_route_exactly_on_the_real_network(net: Network, by: str, crew: int) -> None:
    hubs = _hubs(net, 20)
    matrix = batch.skim(net, hubs, by=by, crew=crew)
    assert list(matrix.index) == hubs
    assert list(matrix.columns) == hubs
    for o in hubs:
        for d in hubs:
            got = matrix.loc[o, d]
            if o == d:
                assert math.isnan(got)
                continue
            want = _route_total(net, o, d, by, crew)
            if math.isnan(want):
                assert math.isnan(got), (o, d)
            else:
                assert got == want, (o, d, by, crew, got, want)  # bit for bit


@pytest.mark.parametrize("crew", [0, 1])
def test_long_skim_equals_every_route_total(net: Network, crew: int) -> None:
    hubs = _hubs(net, 6)
    # a point near the first hub: snapped, so both ends may carry road access legs
    x, y = net.G.nodes[hubs[0]]["x"], net.G.nodes[hubs[0]]["y"]
    places = [*hubs, f"{y + 0.3:.4f},{x + 0.3:.4f}"]
    for by in ("generalized", "co2"):
        table = batch.skim(net, places, by=by, long=True, crew=crew)
        assert len(table) == len(places) ** 2
        for row in table.itertuples(index=False):
            if net.places.resolve(row.origin).node == net.places.resolve(row.destination).node:
                assert math.isnan(row.time_h)
                continue
            try:
                r = routing.route(net, row.origin, row.destination, by=by, crew=crew)
            except corridors.NoRouteError:
                assert math.isnan(row.time_h)
                continue
            assert row.distance_km == r.distance_km
            assert row.time_h == r.time_h
            assert row.cost_usd == r.cost_usd
            assert row.co2_kg == r.co2_kg
            assert row.generalized_usd == r.generalized_usd


@pytest.mark.parametrize("crew", [0, 1])
def test_fallback_paths_give_identical_skims(
    net: Network, monkeypatch: pytest.MonkeyPatch, crew: int
) -> None:
    hubs = _hubs(net, 15)
    fast = batch.skim(net, hubs, by="cost", long=True, crew=crew)
    monkeypatch.setattr(batch, "DENSE_LOOKUP", 0)  # sorted-key edge lookup
    sparse = batch.skim(net, hubs, by="cost", long=True, crew=crew)
    monkeypatch.setattr(batch, "MAX_LIMBS", 0)  # per-pair math.fsum
    slow = batch.skim(net, hubs, by="cost", long=True, crew=crew)
    pd.testing.assert_frame_equal(fast, sparse, check_exact=True)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


@pytest.mark.parametrize("seed", range(6))
def test_fixed_point_sums_round_like_fsum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(200):
        k = int(rng.integers(1, 60))
        values = rng.standard_normal(k) * 2.0 ** rng.integers(-40, 40, k)
        values[rng.random(k) < 0.2] = 0.0
        if seed % 2:
            values = np.abs(np.round(values, int(rng.integers(0, 4))))
        layout = batch._layout(values, k)
        assert layout is not None
        total = batch._to_limbs(values, layout).sum(axis=0, keepdims=True)
        assert batch._from_limbs(total, layout)[0] == math.fsum(values.tolist())


def test_fixed_point_handles_ties_and_cancellation() -> None:
    cases = [
        [2.0**53, 1.0],  # exact tie, rounds to even
        [2.0**53, 1.0, 2.0**-40],  # just above the tie
        [1e16, 1.0, -1e16],
        [0.1] * 10,
        [1e-30, 1e30, -1e30],
        [-0.5, -0.25],
    ]
    for values in cases:
        arr = np.array(values)
        layout = batch._layout(arr, len(arr))
        assert layout is not None
        total = batch._to_limbs(arr, layout).sum(axis=0, keepdims=True)
        assert batch._from_limbs(total, layout)[0] == math.fsum(values), values


def _random_graph(seed: int, n: int = 60, m: int = 300) -> peers.Graph:
    rng = np.random.default_rng(seed)
    pairs = {(int(a), int(b)) for a, b in rng.integers(0, n, (m, 2)) if a != b}
    src, dst = np.array(sorted(pairs)).T
    weight = rng.uniform(0.1, 10.0, len(src))
    return peers.Graph(n, src, dst, weight, np.zeros(n), np.zeros(n))


@pytest.mark.parametrize("seed", range(4))
def test_skim_arrays_equals_networkx_paths(seed: int) -> None:
    g = _random_graph(seed)
    rng = np.random.default_rng(100 + seed)
    # two or three cost components per edge, summed along the path as route() sums them
    comp_edge = np.repeat(np.arange(g.m), rng.integers(1, 4, g.m))
    comp_value = rng.uniform(0, 50, len(comp_edge)) * 10.0 ** rng.integers(-3, 3, len(comp_edge))
    sources, targets = np.arange(0, 20), np.arange(10, 60, 3)
    dist, total = batch.skim_arrays(
        g.n, g.src, g.dst, g.weight, sources, targets, comp_edge, comp_value
    )
    D = nx.DiGraph()
    D.add_weighted_edges_from(zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist()))
    edge_of = {(a, b): i for i, (a, b) in enumerate(zip(g.src.tolist(), g.dst.tolist()))}
    by_edge: dict[int, list[float]] = {}
    for e, v in zip(comp_edge.tolist(), comp_value.tolist()):
        by_edge.setdefault(e, []).append(v)
    for i, s in enumerate(sources.tolist()):
        lengths, paths = nx.single_source_dijkstra(D, s) if s in D else ({}, {})
        for j, t in enumerate(targets.tolist()):
            if t not in lengths:
                assert math.isinf(dist[i, j]) and math.isnan(total[i, j])
                continue
            assert dist[i, j] == lengths[t]
            terms = [v for a, b in zip(paths[t], paths[t][1:]) for v in by_edge[edge_of[(a, b)]]]
            assert total[i, j] == math.fsum(terms)


def _reference(g: peers.Graph, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
    peer = peers.NetworkxSSSP()
    return peer.distances(peer.prepare(g, sources, targets), sources, targets)


def _graphs(toy: Network, net: Network) -> list[tuple[str, peers.Graph, np.ndarray, np.ndarray]]:
    out = []
    for label, network in (("toy", toy), ("real", net)):
        hubs = peers.hubs(network)
        s, t = peers.endpoints(network, hubs)
        for by in ("time", "cost"):
            out.append((f"{label}/{by}", peers.routing_arrays(network, by), s, t))
    return out


@pytest.mark.parametrize("peer_cls", peers.PEERS, ids=lambda c: c.name)
def test_peer_adapters_agree_with_networkx(
    peer_cls: type[peers.Peer], toy: Network, net: Network
) -> None:
    if peer_cls.module:
        pytest.importorskip(peer_cls.module)
    peer = peer_cls()
    for label, g, s, t in _graphs(toy, net):
        if isinstance(peer, peers.NetworkxPairs) and not isinstance(peer, peers.NetworkxSSSP):
            s = s[:5]  # the per-pair loop is slow; five origins suffice
        ref = _reference(g, s, t)
        got = peer.distances(peer.prepare(g, s, t), s, t)
        assert np.array_equal(np.isfinite(got), np.isfinite(ref)), label
        fin = np.isfinite(ref)
        if isinstance(peer, peers.PandanaPeer):
            # pandana stores lengths as uint32 thousandths: 0.001 per edge at most
            np.testing.assert_allclose(got[fin], ref[fin], rtol=0, atol=0.05, err_msg=label)
        else:
            np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12, atol=0, err_msg=label)


@pytest.mark.parametrize("peer_cls", peers.PEERS, ids=lambda c: c.name)
def test_peer_reweight_agrees_with_a_fresh_graph(peer_cls: type[peers.Peer], toy: Network) -> None:
    if peer_cls.module:
        pytest.importorskip(peer_cls.module)
    g = peers.routing_arrays(toy, "time")
    s, t = peers.endpoints(toy, peers.hubs(toy))
    peer = peer_cls()
    state = peer.prepare(g, s, t)
    peer.distances(state, s, t)
    w = g.weight * np.random.default_rng(0).uniform(0.5, 2.0, g.m)
    got = peer.distances(peer.reweight(state, g, w, s, t), s, t)
    ref = _reference(g.with_weight(w), s, t)
    fin = np.isfinite(ref)
    assert np.array_equal(np.isfinite(got), fin)
    tol = 0.05 if isinstance(peer, peers.PandanaPeer) else 1e-9
    np.testing.assert_allclose(got[fin], ref[fin], rtol=0, atol=tol)


def test_subdivided_network_keeps_its_shortest_paths(toy: Network) -> None:
    g = peers.routing_arrays(toy, "time")
    s, t = peers.endpoints(toy, peers.hubs(toy))
    for k in (2, 7):
        big = synthetic.subdivide(g, k)
        assert big.m == g.m + (k - 1) * int(g.is_link.sum())
        assert big.n == g.n + (k - 1) * int(g.is_link.sum())
        np.testing.assert_allclose(_reference(big, s, t), _reference(g, s, t), rtol=1e-12)
    assert synthetic.pieces_for(g, 10 * g.m) > 1
