"""Shortest-path peers, each given the same simple directed graph and the same weights.

Every solver sees the graph :func:`corridors.routing.options.collapse` makes from a routing graph:
node numbers ``0..n-1``, one edge per ordered node pair, ``(src, dst, weight)`` arrays.
An adapter has two timed steps: ``prepare`` (build the peer's own graph structure, and any
preprocessing such as contraction hierarchies) and ``distances`` (sources × targets matrix
of shortest-path lengths, ``inf`` where unreachable). ``reweight`` gives a prepared graph
new weights, in place where the peer allows it, by rebuilding where it does not (the
honest cost for what-ifs: contraction hierarchies must be rebuilt for every weight set).
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import tempfile
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import corridors
from corridors.graph.routing_graph import DESTINATION, ORIGIN
from corridors.routing import edge_weights
from corridors.routing.objectives import OBJECTIVES
from corridors.routing.options import RouteOptions


@dataclass
class Graph:
    """A simple directed graph as arrays, sorted by ``(src, dst)``."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    x: np.ndarray  # node coordinates (pandana wants them; they do not affect lengths)
    y: np.ndarray
    #: cost components: edge each belongs to and its value (for the exact corridors sums)
    comp_edge: np.ndarray | None = None
    comp_value: np.ndarray | None = None
    is_link: np.ndarray | None = None  # edges that are physical links (subdivided in scaling)
    label: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def m(self) -> int:
        return len(self.src)

    def with_weight(self, weight: np.ndarray) -> Graph:
        return Graph(self.n, self.src, self.dst, weight, self.x, self.y, label=self.label)


def hubs(net: corridors.Network) -> list[str]:
    """Every node of kind city or port, sorted by id."""
    return sorted(n for n, d in net.G.nodes(data=True) if d.get("kind") in ("city", "port"))


def routing_arrays(
    net: corridors.Network, by: str, profile: str | None = None, total: str | None = None
) -> Graph:
    """The collapsed graph route() and skim() route on, for one objective."""
    rg = net.routing_graph(profile)
    opts = RouteOptions.build(by=by)
    mask = edge_weights.edge_mask(rg, opts)
    _, weight = edge_weights.weights(rg, opts)
    src, dst, w, edge = edge_weights.collapse(rg.src, rg.dst, weight, mask)
    xy = {node: (float(d["x"]), float(d["y"])) for node, d in net.G.nodes(data=True)}
    x = np.array([xy[p][0] for p, _ in rg.vnodes])
    y = np.array([xy[p][1] for p, _ in rg.vnodes])
    column = total or {"time": "time_h", "cost": "cost_usd", "distance": "distance_km"}.get(
        by, "co2_kg"
    )
    comps = [rg.components[e] for e in edge.tolist()]
    comp_edge = np.repeat(np.arange(len(comps)), [len(c) for c in comps])
    comp_value = np.array([getattr(c, column) for cs in comps for c in cs], dtype=float)
    return Graph(
        rg.n_nodes,
        src,
        dst,
        w,
        x,
        y,
        comp_edge=comp_edge,
        comp_value=comp_value,
        is_link=rg.kind[edge] == "link",
        label=f"routing graph by {by}",
        meta={"edge": edge, "rg": rg},
    )


def endpoints(net: corridors.Network, places: list[str], profile: str | None = None):
    """Routing-graph origin and destination node numbers of places (node ids)."""
    rg = net.routing_graph(profile)
    return (
        np.array([rg.index[(p, ORIGIN)] for p in places], dtype=np.int64),
        np.array([rg.index[(p, DESTINATION)] for p in places], dtype=np.int64),
    )


class Peer:
    name = ""
    module = ""  # the import that must succeed
    licence = ""
    note = ""
    threads = "1"

    @classmethod
    def available(cls) -> bool:
        return not cls.module or importlib.util.find_spec(cls.module) is not None

    def prepare(self, g: Graph, sources: np.ndarray, targets: np.ndarray) -> Any:
        raise NotImplementedError

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def reweight(
        self, state: Any, g: Graph, weight: np.ndarray, sources: np.ndarray, targets: np.ndarray
    ) -> Any:
        """Give the prepared graph new edge weights (default: rebuild)."""
        return self.prepare(g.with_weight(weight), sources, targets)


class CsgraphPeer(Peer):
    name = "scipy csgraph"
    module = "scipy"
    licence = "BSD-3-Clause"
    note = "multi-source Dijkstra, C"

    def prepare(self, g: Graph, sources: np.ndarray, targets: np.ndarray) -> Any:
        from scipy.sparse import csr_array

        return csr_array((g.weight, (g.src, g.dst)), shape=(g.n, g.n))

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        from scipy.sparse.csgraph import dijkstra

        uniq, inv = np.unique(sources, return_inverse=True)
        dist = dijkstra(state, directed=True, indices=uniq)
        return dist[np.ix_(inv, targets)]

    def reweight(self, state, g, weight, sources, targets):
        state.data[:] = weight  # csr built from sorted (src, dst) keeps the edge order
        return state


class NetworkxPairs(Peer):
    name = "networkx loop"
    module = "networkx"
    licence = "BSD-3-Clause"
    note = "single_source_dijkstra(s, t) per OD pair, as route() calls it"

    def prepare(self, g: Graph, sources: np.ndarray, targets: np.ndarray) -> Any:
        import networkx as nx

        D = nx.DiGraph()
        D.add_nodes_from(range(g.n))
        D.add_weighted_edges_from(zip(g.src.tolist(), g.dst.tolist(), g.weight.tolist()))
        return D

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        import networkx as nx

        out = np.full((len(sources), len(targets)), np.inf)
        for i, s in enumerate(sources.tolist()):
            for j, t in enumerate(targets.tolist()):
                with contextlib.suppress(nx.NetworkXNoPath):
                    out[i, j], _ = nx.single_source_dijkstra(state, s, t, weight="weight")
        return out

    def pairs(self, state: Any, pairs: list[tuple[int, int]]) -> np.ndarray:
        import networkx as nx

        out = np.full(len(pairs), np.inf)
        for k, (s, t) in enumerate(pairs):
            with contextlib.suppress(nx.NetworkXNoPath):
                out[k], _ = nx.single_source_dijkstra(state, s, t, weight="weight")
        return out

    def reweight(self, state, g, weight, sources, targets):
        for (u, v), w in zip(zip(g.src.tolist(), g.dst.tolist()), weight.tolist()):
            state._adj[u][v]["weight"] = w
        return state


class NetworkxSSSP(NetworkxPairs):
    name = "networkx per origin"
    note = "single_source_dijkstra_path_length per origin"

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        import networkx as nx

        out = np.full((len(sources), len(targets)), np.inf)
        done: dict[int, dict[int, float]] = {}
        for i, s in enumerate(sources.tolist()):
            if s not in done:
                done[s] = nx.single_source_dijkstra_path_length(state, s, weight="weight")
            lengths = done[s]
            out[i] = [lengths.get(t, math.inf) for t in targets.tolist()]
        return out


class IgraphPeer(Peer):
    name = "igraph"
    module = "igraph"
    licence = "GPL-2.0-or-later (benchmark peer only)"
    note = "Graph.distances (Dijkstra, C)"

    def prepare(self, g: Graph, sources: np.ndarray, targets: np.ndarray) -> Any:
        import igraph as ig

        G = ig.Graph(n=g.n, edges=np.column_stack([g.src, g.dst]).tolist(), directed=True)
        return (G, g.weight.tolist())

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        G, w = state
        uniq, inv = np.unique(sources, return_inverse=True)
        d = np.array(
            G.distances(source=uniq.tolist(), target=targets.tolist(), weights=w, mode="out")
        )
        return d[inv]

    def reweight(self, state, g, weight, sources, targets):
        return (state[0], weight.tolist())


class PandanaPeer(Peer):
    name = "pandana (CH)"
    module = "pandana"
    licence = "AGPL-3.0-or-later (benchmark peer only)"
    note = "contraction hierarchies; lengths in 1/1000 units (uint32)"
    threads = "OpenMP"

    def prepare(self, g: Graph, sources: np.ndarray, targets: np.ndarray) -> Any:
        import pandana
        import pandas as pd

        with warnings.catch_warnings(), _Quiet():
            warnings.simplefilter("ignore")
            return pandana.Network(
                pd.Series(g.x),
                pd.Series(g.y),
                pd.Series(g.src),
                pd.Series(g.dst),
                pd.DataFrame({"w": g.weight}),
                twoway=False,
            )

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        a = np.repeat(sources, len(targets))
        b = np.tile(targets, len(sources))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lens = np.asarray(state.shortest_path_lengths(a, b, "w"), dtype=float)
        lens[lens >= 4294967.295 - 1e-6] = np.inf
        return lens.reshape(len(sources), len(targets))


class AequilibraePeer(Peer):
    name = "AequilibraE"
    module = "aequilibrae"
    licence = "MIT + attribution clause (benchmark peer only)"
    note = "PathResults.compute_path per origin (Cython Dijkstra, full tree, its skims)"

    # AequilibraE's NetworkSkimming runs on a compressed graph; on this graph shape it
    # corrupted memory for some centroid sets (aborts, "double free or corruption"), so
    # the adapter uses its path computation, which works on the uncompressed graph and
    # fills the skim of every node reached from the origin.

    def prepare(self, g: Graph, sources: np.ndarray, targets: np.ndarray) -> Any:
        import pandas as pd
        from aequilibrae.paths import Graph as AeqGraph
        from aequilibrae.paths import PathResults

        net = pd.DataFrame(
            {
                "link_id": np.arange(1, g.m + 1),
                "a_node": g.src + 1,
                "b_node": g.dst + 1,
                "direction": np.ones(g.m, dtype=np.int8),
                "w": g.weight,
            }
        )
        graph = AeqGraph()
        graph.network = net
        with warnings.catch_warnings(), _Quiet():
            warnings.simplefilter("ignore")
            graph.prepare_graph(None)  # no centroids: no compression
            graph.set_graph("w")
            graph.set_skimming(["w"])
        res = PathResults()
        res.prepare(graph)
        return graph, res

    def distances(self, state: Any, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        _, res = state
        out = np.full((len(sources), len(targets)), np.inf)
        done: dict[int, np.ndarray] = {}
        for i, s in enumerate(sources.tolist()):
            if s not in done:
                res.reset()
                res.compute_path(s + 1, int(targets[0]) + 1, early_exit=False)
                done[s] = res.skims[targets + 1, 0].copy()
            out[i] = done[s]
        out[out >= 1e300] = np.inf
        return out

    def reweight(self, state, g, weight, sources, targets):
        graph, res = state
        graph.network["w"] = weight
        graph.graph["w"] = weight[graph.graph["link_id"].to_numpy() - 1]
        with warnings.catch_warnings(), _Quiet():
            warnings.simplefilter("ignore")
            graph.set_graph("w")
            graph.set_skimming(["w"])
        res.prepare(graph)
        return graph, res


class _Quiet:
    """Silence C-level stdout/stderr chatter (progress bars) while a peer works."""

    def __enter__(self) -> None:
        self._on = not os.environ.get("BENCH_VERBOSE")
        if not self._on:
            return
        self._saved = [os.dup(1), os.dup(2)]
        self._null = tempfile.TemporaryFile()
        os.dup2(self._null.fileno(), 1)
        os.dup2(self._null.fileno(), 2)

    def __exit__(self, *exc: object) -> None:
        if not self._on:
            return
        os.dup2(self._saved[0], 1)
        os.dup2(self._saved[1], 2)
        for fd in self._saved:
            os.close(fd)
        self._null.close()


def warm_imports() -> None:
    """Import every installed peer once, outside the timings."""
    for cls in PEERS:
        if cls.available() and cls.module:
            importlib.import_module(cls.module)
    if AequilibraePeer.available():
        importlib.import_module("aequilibrae.paths")


PEERS: list[type[Peer]] = [
    CsgraphPeer,
    IgraphPeer,
    PandanaPeer,
    AequilibraePeer,
    NetworkxSSSP,
    NetworkxPairs,
]


def skim_fsum_per_pair(net: corridors.Network, places: list[str], by: str) -> np.ndarray:
    """The skim in its first form: csgraph, then a Python ``math.fsum`` per pair.

    Kept to show what the vectorised exact sums of :mod:`corridors.routing.batch` bought.
    """
    import itertools

    from scipy.sparse.csgraph import dijkstra

    from corridors.routing.batch import path_totals
    from corridors.routing.solve import with_access_legs

    o_places = [net.places.resolve(p) for p in places]
    opts = RouteOptions.build(by=by)
    rg = net.routing_graph()
    mask = edge_weights.edge_mask(rg, opts)
    _, weight = edge_weights.weights(rg, opts)
    kept = edge_weights.collapse(rg.src, rg.dst, weight, mask)
    pair_edge = {(a, b): e for a, b, e in zip(*(x.tolist() for x in (kept[0], kept[1], kept[3])))}
    sources = [rg.index.get((p.node, ORIGIN), -1) for p in o_places]
    valid = sorted({s for s in sources if s >= 0})
    from scipy.sparse import csr_array

    csr = csr_array((kept[2], (kept[0], kept[1])), shape=(rg.n_nodes, rg.n_nodes))
    _, pred = dijkstra(csr, directed=True, indices=valid, return_predecessors=True)
    row_of = {s: i for i, s in enumerate(valid)}
    vot = rg.profile.value_of_time_usd_per_h
    out = np.full((len(o_places), len(o_places)), np.nan)
    for i, (op, s) in enumerate(zip(o_places, sources)):
        for j, dp in enumerate(o_places):
            t = rg.index.get((dp.node, DESTINATION), -1)
            if s < 0 or t < 0 or op.node == dp.node or pred[row_of[s], t] < 0:
                continue
            nodes = [t]
            while nodes[-1] != s:
                nodes.append(int(pred[row_of[s], nodes[-1]]))
            nodes.reverse()
            comps = [
                c for a, b in itertools.pairwise(nodes) for c in rg.components[pair_edge[(a, b)]]
            ]
            comps = with_access_legs(comps, op, dp, net, rg)
            out[i, j] = path_totals(comps, vot)[OBJECTIVES[opts.by].total]
    return out
