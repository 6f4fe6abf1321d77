"""Search a large routing graph with its plain junctions contracted away.

A network drawn at street or track level has most of its places as plain junctions: a point
where a line is cut, joined to one line on each side and nothing else. A search over such a
graph spends nearly all its time walking along these chains. Contracting them once per
routing graph leaves a graph of about the size of the places that matter, with the same
shortest paths:

* only vertices of places of kind ``junction`` that no named corridor passes are removed,
  and such a junction's own start and end edges are left out, so routes from, to or
  through it are searched on the whole graph instead;
* a vertex is removed only when it has at most as many edges in and out combined as the
  ways through it (``in * out <= in + out``: a chain vertex, or one with a single way in or
  out), so the graph never grows; each way through it, ``u -> x -> y`` with ``u != y``,
  becomes one edge, a *shortcut*, that remembers the two edges it joins;
* each round removes a set of such vertices no two of which are neighbours, until none is
  left.

A query gives each edge of the routing graph a weight (infinite where it is not allowed);
each shortcut then weighs the sum of the two it joins, round by round, so a shortcut is
allowed exactly when every edge under it is. A path found on the contracted graph is
unfolded into the routing graph's edges, and its weight is summed along them in order, as
a search on the whole graph forms it. The only difference from such a search is which of
two paths it keeps when they weigh the same to the last few bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import numpy as np

from corridors.data.geodata import give_back_memory
from corridors.graph.routing_graph import RoutingGraph

if TYPE_CHECKING:
    from corridors.graph.network import Network

#: Routing graphs with more edges than this are searched contracted (the shipped network's
#: have a few thousand, and gain nothing from it).
CONTRACT_EDGES = 100_000

#: Stop contracting when a round removes fewer vertices than this share of those left.
_MIN_ROUND_SHARE = 0.001


@dataclass(frozen=True)
class Contraction:
    """A routing graph's contracted search graph.

    Edge ids below ``n_base`` are the routing graph's own edges; id ``n_base + k`` is the
    shortcut ``k``, which joins edges ``left[k]`` and ``right[k]`` (either kind of id).
    Shortcuts are numbered round by round, so each joins edges numbered before it.

    Attributes
    ----------
    n_base
        Edges of the routing graph.
    left, right
        The two edges each shortcut joins, in travel order.
    rounds
        ``(first, stop)`` shortcut numbers made in each round.
    edges
        The ids of the contracted graph's edges.
    src, dst
        Their end vertices, numbered among the vertices kept.
    kept
        Each routing-graph vertex's number among the vertices kept, where a query may
        start, end or pass a waypoint (-1: removed, or a junction's, whose routes are
        searched on the whole graph).
    n_nodes
        Vertices kept.
    """

    n_base: int
    left: np.ndarray
    right: np.ndarray
    rounds: tuple[tuple[int, int], ...]
    edges: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    kept: np.ndarray
    n_nodes: int

    def weights(self, weight: np.ndarray) -> np.ndarray:
        """Return the contracted graph's edge weights for the routing graph's ``weight``.

        ``weight`` has one value per routing-graph edge, infinite where the query may not
        use the edge.
        """
        full = np.empty(self.n_base + len(self.left), dtype=np.float64)
        full[: self.n_base] = weight
        for first, stop in self.rounds:
            full[self.n_base + first : self.n_base + stop] = (
                full[self.left[first:stop]] + full[self.right[first:stop]]
            )
        picked: np.ndarray = full[self.edges]
        return picked

    def unfold_path(self, edges: Sequence[int]) -> list[int]:
        """Return the routing-graph edges a walk of contracted-graph edge ids stands for.

        Every shortcut still in the walk is replaced by its two halves at once, a round of
        the contraction at a time, rather than an edge at a time: a long route stands for
        tens of thousands of edges.
        """
        out = np.asarray(edges, dtype=np.int64)
        while True:
            short = out >= self.n_base
            if not short.any():
                return [int(e) for e in out.tolist()]
            k = out[short] - self.n_base
            width = np.where(short, 2, 1)
            at = (np.cumsum(width) - width)[short]
            grown = np.repeat(out, width)
            grown[at] = self.left[k]
            grown[at + 1] = self.right[k]
            out = grown

    def vertex(self, node: int) -> int:
        """Return a vertex's number in the contracted graph (-1: search the whole graph)."""
        return int(self.kept[node])


_CONTRACTIONS: WeakKeyDictionary[RoutingGraph, Contraction] = WeakKeyDictionary()


def contraction_for(net: Network, rg: RoutingGraph) -> Contraction | None:
    """Return the routing graph's contraction, made on first use (None: a small graph)."""
    if rg.n_edges <= CONTRACT_EDGES:
        return None
    found = _CONTRACTIONS.get(rg)
    if found is None:
        named = _corridor_places(net)
        kinds = net.nodes.column("kind")
        junctions = [
            n for n, k in zip(net.nodes, kinds, strict=True) if k == "junction" and n not in named
        ]
        found = contract(rg, junctions)
        _CONTRACTIONS[rg] = found
        # the rounds' temporary arrays, freed now, would stay with the process otherwise
        give_back_memory()
    return found


def _corridor_places(net: Network) -> set[str]:
    """Return the places the named corridors pass, which their searches must keep."""
    out: set[str] = set()
    for spec in net.geodata.corridors:
        for key in ("waypoints", "signature"):
            for item in spec.get(key) or []:
                out.update([item] if isinstance(item, str) else [str(x) for x in item])
    return out


def _index_type(count: int) -> type[np.signedinteger]:
    """Return the smallest of int32 and int64 that numbers ``count`` items from 0."""
    return np.int32 if count <= np.iinfo(np.int32).max else np.int64


def _priority(n: int) -> np.ndarray:
    # a fixed scramble of the vertex numbers, so that neighbours along a chain (numbered
    # in order) are not removed in order, one per round
    x = np.arange(n, dtype=np.uint64)
    return (x * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)


def contract(rg: RoutingGraph, junctions: list[str]) -> Contraction:
    """Contract the plain junctions of a routing graph (see the module's description).

    Parameters
    ----------
    rg
        The routing graph.
    junctions
        Ids of the places that may be removed (places of kind ``junction``).
    """
    n = rg.n_nodes
    n_base = rg.n_edges
    # a set, not numpy.isin, which compares object arrays pair by pair
    wanted = set(junctions)
    places = rg.vertices.places
    junction_place = np.fromiter((p in wanted for p in places), dtype=bool, count=len(places))
    removable = junction_place[rg.vertices.place] if n else np.zeros(0, dtype=bool)
    kinds = rg.coded["kind"]
    ends = kinds.isin(["start", "end"])
    # a junction's own start and end edges would pin its vertices; routes from or to it
    # are searched on the whole graph
    pinned = ends & (removable[rg.src] | removable[rg.dst])
    live = np.flatnonzero(~pinned & (rg.src != rg.dst))
    # vertex numbers and edge ids as 32-bit integers where they fit: at a million links
    # the first rounds hold a dozen arrays as long as the graph's edges
    vertex_type = _index_type(n)
    ids = live.astype(_index_type(n_base))
    u, v = rg.src[live].astype(vertex_type), rg.dst[live].astype(vertex_type)
    del live
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    rounds: list[tuple[int, int]] = []
    made = 0
    gone = np.zeros(n, dtype=bool)
    priority = _priority(n)
    while True:
        indeg = np.bincount(v, minlength=n)
        outdeg = np.bincount(u, minlength=n)
        ok = removable & ~gone & (indeg > 0) & (outdeg > 0) & (indeg * outdeg <= indeg + outdeg)
        # of two removable neighbours, only the one of lower priority goes this round
        both = ok[u] & ok[v]
        bu, bv = u[both], v[both]
        blocked = np.zeros(n, dtype=bool)
        higher_u = priority[bu] > priority[bv]
        blocked[bu[higher_u]] = True
        blocked[bv[~higher_u]] = True
        chosen = ok & ~blocked
        count = int(chosen.sum())
        if count == 0 or count < _MIN_ROUND_SHARE * int((~gone).sum()):
            break
        into = np.flatnonzero(chosen[v])
        out_of = np.flatnonzero(chosen[u])
        # pair each way in with each way out of the same removed vertex
        into = into[np.argsort(v[into], kind="stable")]
        out_of = out_of[np.argsort(u[out_of], kind="stable")]
        # where each way in's vertex has its ways out in that order, and how many: found
        # by bisection, not with counts and sums over all the graph's vertices each round
        tails = u[out_of]
        via = v[into]
        first = np.searchsorted(tails, via, side="left")
        reps = np.searchsorted(tails, via, side="right") - first
        a = np.repeat(into, reps)
        step = np.arange(len(a)) - np.repeat(np.cumsum(reps) - reps, reps)
        b = out_of[np.repeat(first, reps) + step]
        new_u, new_v = u[a], v[b]
        keep = new_u != new_v  # a way back to where it came from is a loop, never shorter
        a, b, new_u, new_v = a[keep], b[keep], new_u[keep], new_v[keep]
        if ids.dtype != np.int64 and _index_type(n_base + made + len(a)) == np.int64:
            ids = ids.astype(np.int64)
        left.append(ids[a])
        right.append(ids[b])
        rounds.append((made, made + len(a)))
        new_ids = (n_base + made + np.arange(len(a), dtype=np.int64)).astype(ids.dtype)
        made += len(a)
        stay = ~(chosen[u] | chosen[v])
        ids = np.concatenate([ids[stay], new_ids])
        u = np.concatenate([u[stay], new_u])
        v = np.concatenate([v[stay], new_v])
        gone |= chosen
    # number the vertices an edge touches, and those a query may name (a place's vertex
    # with no edge left is still one to start from and find no path, as on the whole graph)
    numbered = ~removable & ~gone
    numbered[u] = True
    numbered[v] = True
    kept = np.full(n, -1, dtype=np.int64)
    kept[numbered] = np.arange(int(numbered.sum()))
    return Contraction(
        n_base=n_base,
        left=np.concatenate(left).astype(np.int64) if left else np.zeros(0, dtype=np.int64),
        right=np.concatenate(right).astype(np.int64) if right else np.zeros(0, dtype=np.int64),
        rounds=tuple(rounds),
        edges=ids.astype(np.int64),
        src=kept[u],
        dst=kept[v],
        kept=np.where(removable, -1, kept),
        n_nodes=int(numbered.sum()),
    )
