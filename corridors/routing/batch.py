"""Batch shortest paths on scipy.sparse.csgraph: origin-destination skims.

A skim answers every origin with one multi-source Dijkstra, then sums each pair's path
exactly as :class:`corridors.Route` does (``math.fsum`` over the path's cost components,
a truck crew's breaks and rests included), so a skim cell equals the per-pair route's
total to the last bit. The search leaves out the edges into sinks (the places' arrival
nodes), which only end paths, and relaxes the wanted ones afterwards as the search would
(:func:`shortest_trees`). The sums are vectorised:
every component value is written as an exact integer multiple of a common power of two,
split into limbs of up to 49 bits held in ``int64`` (so sums along a path never overflow
and never round), summed down the shortest-path trees of all origins at once, level by
level (:func:`tree_sums`; :func:`path_sums` walks each path instead and is its reference),
and rounded to the nearest float only at the end, the way ``math.fsum`` rounds.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors.errors import InvalidOptionError
from corridors.graph.cost_model import SUMMED, Component
from corridors.graph.driving_rules import DrivingRules
from corridors.graph.routing_graph import DESTINATION, ORIGIN, RoutingGraph
from corridors.routing import edge_weights
from corridors.routing.objectives import OBJECTIVES
from corridors.routing.options import RouteKeywords, RouteOptions, check_names

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.graph.places import Place


Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Widest fixed-point layout used (limbs); wider value ranges fall back to ``math.fsum``.
MAX_LIMBS = 24


def _csr(n_nodes: int, src: Ints, dst: Ints, weight: Floats) -> Any:
    from scipy.sparse import csr_array

    return csr_array((weight, (src, dst)), shape=(n_nodes, n_nodes))


def path_totals(comps: Sequence[Component], value_of_time: float) -> dict[str, float]:
    """Sum components the way :class:`corridors.Route` does (``math.fsum`` per total)."""
    out = {name: float(math.fsum(getattr(c, name) for c in comps)) for name in SUMMED}
    out["generalized_usd"] = out["cost_usd"] + value_of_time * out["time_h"]
    return out


# -- exact fixed-point sums -----------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Values as integers × ``2**exponent``, in ``n_limbs`` limbs of ``bits`` bits each.

    ``bits`` leaves room in an ``int64`` for the sum of ``n_terms`` limbs, and keeps the
    per-edge sums made with a float ``bincount`` below 2**53, where floats are exact.
    """

    exponent: int
    n_limbs: int
    bits: int


def _layout(values: Floats, n_terms: int, per_edge: int = 1) -> _Layout | None:
    """Return a fixed-point layout that holds every value and any sum of ``n_terms`` of them.

    Returns None when a value is not finite or the range of magnitudes is too wide.
    """
    if not np.all(np.isfinite(values)):
        return None
    bits = min(52 - max(1, per_edge).bit_length(), 62 - max(1, n_terms).bit_length())
    if bits < 8:
        return None
    nonzero = values[values != 0]
    if len(nonzero) == 0:
        return _Layout(0, 1, bits)
    _, exp = np.frexp(nonzero)
    lowest = int(exp.min()) - 53  # weight of the least significant mantissa bit
    top = int(exp.max()) - lowest + max(1, n_terms).bit_length() + 1
    n_limbs = -(-top // bits)
    if n_limbs > MAX_LIMBS or lowest < -1000:
        return None
    return _Layout(lowest, n_limbs, bits)


def _to_limbs(values: Floats, layout: _Layout) -> Ints:
    """Write each value exactly as ``sum(limbs[:, j] << bits * j) * 2**exponent``."""
    frac, exp = np.frexp(values)
    mant = np.abs(np.ldexp(frac, 53)).astype(np.int64).astype(np.uint64)
    shift = exp.astype(np.int64) - 53 - layout.exponent  # >= 0 for nonzero values
    mask = np.uint64((1 << layout.bits) - 1)
    out = np.zeros((len(values), layout.n_limbs), dtype=np.int64)
    for j in range(layout.n_limbs):
        r = layout.bits * j - shift  # bit of the mantissa that lands on bit 0 of limb j
        right = (mant >> np.clip(r, 0, 63).astype(np.uint64)) & mask
        left = (mant << np.clip(-r, 0, 63).astype(np.uint64)) & mask
        limb = np.where(r >= 0, right, np.where(-r < layout.bits, left, np.uint64(0)))
        out[:, j] = limb.astype(np.int64)
    out[values < 0] *= -1
    out[values == 0] = 0
    return out


def _normalise(limbs: Ints, bits: int) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Propagate carries: limbs in ``[0, 2**bits)`` plus one more; and which rows are < 0."""
    n, k = limbs.shape
    mask = (1 << bits) - 1
    out = np.empty((n, k + 1), dtype=np.int64)
    carry = np.zeros(n, dtype=np.int64)
    for j in range(k):
        v = limbs[:, j] + carry
        out[:, j] = v & mask
        carry = v >> bits
    out[:, k] = carry & mask
    return out, carry < 0


def _from_two_limbs(limbs: Ints, layout: _Layout) -> Floats:
    """:func:`_from_limbs` for layouts of one or two limbs, with a single rounding.

    After the carry the sum is ``low + high * 2**bits`` with ``0 <= low < 2**bits`` and
    ``|high| < 2**bits`` (the layout holds every sum in ``2 * bits`` bits), both exact as
    floats; one float addition of the two rounds the exact sum to the nearest float,
    ties to even, as ``math.fsum`` does.
    """
    if limbs.shape[1] == 0:
        return np.zeros(len(limbs))
    low = limbs[:, 0]
    if limbs.shape[1] == 1:
        one: Floats = np.ldexp(low.astype(np.float64), layout.exponent)
        return one
    high = limbs[:, 1] + (low >> layout.bits)
    low = low & ((1 << layout.bits) - 1)
    exact = np.ldexp(high.astype(np.float64), layout.bits) + low.astype(np.float64)
    out: Floats = np.ldexp(exact, layout.exponent)
    return out


def _from_limbs(limbs: Ints, layout: _Layout) -> Floats:
    """Round exact fixed-point sums to the nearest float (ties to even), as ``math.fsum``."""
    bits = layout.bits
    if limbs.shape[1] <= 2:
        return _from_two_limbs(limbs, layout)
    norm, negative = _normalise(limbs, bits)
    if negative.any():
        norm[negative] = _normalise(-limbs[negative], bits)[0]
    n, k = norm.shape
    nonzero = norm != 0
    top_limb = np.where(nonzero.any(axis=1), k - 1 - np.argmax(nonzero[:, ::-1], axis=1), 0)
    top_value = norm[np.arange(n), top_limb]
    _, length = np.frexp(top_value.astype(np.float64))  # bit length (exact below 2**53)
    highest = bits * top_limb + length.astype(np.int64) - 1  # index of the top set bit
    drop = np.maximum(highest - 62, 0)  # keep 63 bits, fold the rest into a sticky bit
    kept = np.zeros(n, dtype=np.uint64)
    sticky = np.zeros(n, dtype=bool)
    one = np.uint64(1)
    for j in range(k):
        limb = norm[:, j].astype(np.uint64)
        r = bits * j - drop
        up = np.clip(r, 0, 63).astype(np.uint64)
        down = np.clip(-r, 0, 63).astype(np.uint64)
        kept += np.where(r >= 0, limb << up, limb >> down)
        sticky |= (r < 0) & ((limb & ((one << down) - one)) != 0)
    kept |= sticky.astype(np.uint64)
    # kept < 2**63 keeps 10 bits below the float's last one, the rest folded into bit 0
    # (round to odd), so rounding it to the nearest float rounds the exact sum
    out: Floats = np.ldexp(kept.astype(np.int64).astype(np.float64), drop + layout.exponent)
    out[negative] *= -1.0
    return out


@dataclass(frozen=True)
class _Flat:
    """The routing graph's cost components as arrays (one row per component)."""

    edge: Ints
    values: dict[str, Floats]
    per_edge: int


_FLAT: dict[int, tuple[weakref.ref[RoutingGraph], _Flat]] = {}


def flat_graph(rg: RoutingGraph) -> _Flat:
    """Return a routing graph's cost components as flat arrays, cached while the graph lives."""
    hit = _FLAT.get(id(rg))
    if hit is not None and hit[0]() is rg:
        return hit[1]
    comps = rg.components
    counts = [len(c) for c in comps]
    edge = np.repeat(np.arange(len(comps), dtype=np.int64), counts)
    flat = [c for cs in comps for c in cs]
    values = {
        "distance_km": np.array([c.distance_km for c in flat], dtype=np.float64),
        "time_h": np.array([c.time_h for c in flat], dtype=np.float64),
        "cost_usd": np.array([c.cost_usd for c in flat], dtype=np.float64),
        "co2_kg": np.array([c.co2_kg for c in flat], dtype=np.float64),
    }
    out = _Flat(edge, values, max(counts, default=1))
    key = id(rg)
    _FLAT[key] = (weakref.ref(rg, lambda _: _FLAT.pop(key, None)), out)
    return out


def _edge_limbs(comp_edge: Ints, comp_limbs: Ints, n_edges: int) -> Ints:
    """Per-edge (or per-group) exact sums of limbs (a float bincount is exact below 2**53)."""
    out = np.empty((n_edges, comp_limbs.shape[1]), dtype=np.int64)
    for j in range(comp_limbs.shape[1]):
        col = np.bincount(comp_edge, weights=comp_limbs[:, j], minlength=n_edges)
        out[:, j] = col.astype(np.int64)
    return out


#: Largest node count for which edges are looked up in a dense ``n × n`` table.
DENSE_LOOKUP = 4096


class InEdges:
    """Find the edge ``u -> v`` of a simple directed graph, vectorised."""

    def __init__(self, n_nodes: int, src: Ints, dst: Ints) -> None:
        self.n = n_nodes
        self.dense: npt.NDArray[np.int32] | None = None
        if n_nodes <= DENSE_LOOKUP:
            self.dense = np.full(n_nodes * n_nodes, -1, dtype=np.int32)
            self.dense[src * n_nodes + dst] = np.arange(len(src), dtype=np.int32)
            return
        self.key = src * n_nodes + dst
        self.order = np.argsort(self.key, kind="stable")
        self.key = self.key[self.order]
        # a node with a single way in needs no search
        indeg = np.bincount(dst, minlength=n_nodes)
        self.only = np.full(n_nodes, -1, dtype=np.int64)
        single = indeg[dst] == 1
        self.only[dst[single]] = np.flatnonzero(single)

    def one(self, u: int, v: int) -> int:
        """Return the index of the edge ``u -> v`` (which must exist)."""
        if self.dense is not None:
            return int(self.dense[u * self.n + v])
        return int(self.find(np.array([u], dtype=np.int64), np.array([v], dtype=np.int64))[0])

    def find(self, u: Ints, v: Ints) -> Ints:
        """Return the index of edge ``u[i] -> v[i]`` for every ``i`` (the edges must exist)."""
        if self.dense is not None:
            found: Ints = self.dense[u * self.n + v].astype(np.int64)
            return found
        out = self.only[v]
        todo = np.flatnonzero(out < 0)
        if len(todo):
            out[todo] = self.order[np.searchsorted(self.key, u[todo] * self.n + v[todo])]
        return out


class _LazyEdges(InEdges):
    """:class:`InEdges` whose look-up table is built on its first use."""

    def __init__(self, n_nodes: int, src: Ints, dst: Ints) -> None:
        self.n = n_nodes
        self._args = (src, dst)
        self._built = False

    def _build(self) -> None:
        if not self._built:
            super().__init__(self.n, *self._args)
            self._built = True

    def one(self, u: int, v: int) -> int:
        """Return the index of the edge ``u -> v`` (which must exist)."""
        self._build()
        return super().one(u, v)

    def find(self, u: Ints, v: Ints) -> Ints:
        """Return the index of edge ``u[i] -> v[i]`` for every ``i`` (the edges must exist)."""
        self._build()
        return super().find(u, v)


def path_sums(
    pred: npt.NDArray[np.integer[Any]],
    roots: Ints,
    rows: Ints,
    targets: Ints,
    src: Ints,
    dst: Ints,
    edge_limbs: Ints,
) -> Ints:
    """Sum edge limbs along each pair's shortest path, walking predecessors to the root.

    The plain way to what :func:`tree_sums` computes (same arguments, same result), one
    step per edge of every path; kept as its reference. Pair ``i`` ends at ``targets[i]``
    in the shortest-path tree of row ``rows[i]`` of ``pred`` (as
    ``scipy.sparse.csgraph.dijkstra`` returns it: -9999 at the root); ``roots`` is unused
    (a walk stops where there is no predecessor).
    """
    del roots
    n_nodes = pred.shape[1]
    edges = InEdges(n_nodes, src, dst)
    flat = pred.reshape(-1)
    cols = [np.ascontiguousarray(edge_limbs[:, j]) for j in range(edge_limbs.shape[1])]
    accs = [np.zeros(len(targets), dtype=np.int64) for _ in cols]
    base = rows * n_nodes
    node = targets.astype(np.int64)
    pos: Ints | None = None  # which pairs are still walking (None: all of them)
    while len(node):
        prev = flat[base + node].astype(np.int64)
        live = prev >= 0
        n_live = int(np.count_nonzero(live))
        if n_live < len(live):
            pos = np.flatnonzero(live) if pos is None else pos[live]
            base, node, prev = base[live], node[live], prev[live]
        e = edges.find(prev, node)
        if pos is None:
            for acc, col in zip(accs, cols):
                acc += col[e]
        else:
            for acc, col in zip(accs, cols):
                acc[pos] += col[e]
        node = prev
    return np.column_stack(accs) if accs else np.zeros((len(targets), 0), dtype=np.int64)


def shortest_trees(
    n_nodes: int, src: Ints, dst: Ints, weight: Floats, sources: Ints, targets: Ints
) -> tuple[Floats, npt.NDArray[np.int32]]:
    """Dijkstra from every source, as ``scipy.sparse.csgraph.dijkstra`` gives it.

    A sink (a node no edge leaves, such as a place's arrival node) only ever ends a path,
    so the search runs without the edges into sinks (a fifth of the routing graph's nodes
    are sinks: the search settles fewer nodes), and the sinks among ``targets`` are
    relaxed afterwards from their in-edges, as the search would have relaxed them: the
    least of ``dist[u] + w``, ties going to the in-neighbour settled first (the nearer
    one). Where two in-neighbours at exactly the same distance tie, which one the search
    settles first depends on its heap, so those sources are searched again on the whole
    graph. The rows equal the whole search's at every node but the sinks not in
    ``targets``, which are left unreached.

    Parameters
    ----------
    n_nodes
        Number of nodes.
    src, dst, weight
        A simple directed graph.
    sources
        Distinct source nodes, one row each.
    targets
        The nodes whose distances and predecessors are wanted (besides every non-sink).

    Returns
    -------
    dist, pred
        As ``dijkstra(..., indices=sources, return_predecessors=True)`` returns them.
    """
    from scipy.sparse.csgraph import dijkstra

    sink = np.bincount(src, minlength=n_nodes) == 0
    into = sink[dst]
    core = ~into
    dist, pred = dijkstra(
        _csr(n_nodes, src[core], dst[core], weight[core]),
        directed=True,
        indices=sources,
        return_predecessors=True,
    )
    ends = np.zeros(n_nodes, dtype=bool)
    ends[np.asarray(targets, dtype=np.int64)] = True
    last = np.flatnonzero(into & ends[dst])
    if not len(last) or not len(sources):
        return dist, pred
    last = last[np.argsort(dst[last], kind="stable")]
    t_node, start, count = np.unique(dst[last], return_index=True, return_counts=True)
    # each wanted sink's in-edges side by side, padded with an edge from nowhere
    slot = np.arange(len(last)) - np.repeat(start, count)
    pad = np.full((len(t_node), int(count.max())), -1, dtype=np.int64)
    pad[np.repeat(np.arange(len(t_node)), count), slot] = last
    u = np.where(pad >= 0, src[pad], 0)
    at_u = np.where(pad >= 0, dist[:, u], np.inf)
    cand = at_u + np.where(pad >= 0, weight[pad], 0.0)
    best = cand.min(axis=2)
    is_best = cand == best[..., None]
    # the search relaxes a sink from its in-neighbours in the order it settles them, and
    # keeps the first strictly better distance: the nearest in-neighbour wins a tie
    near = np.where(is_best, at_u, np.inf)
    win = is_best & (near == near.min(axis=2)[..., None])
    better = best < dist[:, t_node]
    ambiguous = better & (win.sum(axis=2) > 1)
    parent = u[np.arange(len(t_node)), win.argmax(axis=2)]
    dist[:, t_node] = np.where(better, best, dist[:, t_node])
    pred[:, t_node] = np.where(better, parent, pred[:, t_node])
    again = np.flatnonzero(ambiguous.any(axis=1))
    if len(again):
        dist[again], pred[again] = dijkstra(
            _csr(n_nodes, src, dst, weight),
            directed=True,
            indices=np.asarray(sources)[again],
            return_predecessors=True,
        )
    return dist, pred


def tree_sums(
    pred: npt.NDArray[np.integer[Any]],
    roots: Ints,
    rows: Ints,
    targets: Ints,
    src: Ints,
    dst: Ints,
    edge_limbs: Ints,
) -> Ints:
    """Sum edge limbs along each pair's shortest path, descending the shortest-path trees.

    Gives what :func:`path_sums` gives, with the work of one visit per tree node rather
    than one per path step: the trees of every row of ``pred`` are descended together,
    level by level from their roots, each child's sums its parent's plus its edge's (the
    limbs are integers, so the sums are exact whatever their order). A node's children are
    found among its out-edges (``src``, ``dst``: a simple directed graph sorted by
    ``src``), as those whose end has the node for predecessor.

    Parameters
    ----------
    pred
        Predecessors as ``scipy.sparse.csgraph.dijkstra`` returns them, one row per root
        (-9999 at the root and where unreachable).
    roots
        The root of each row's tree.
    rows, targets
        Pair ``i`` ends at ``targets[i]`` in the tree of row ``rows[i]``.
    src, dst
        The edges the trees were grown on, sorted by ``src``.
    edge_limbs
        Each edge's limbs (one row per edge).

    Returns
    -------
    sums
        One row of limbs per pair (zeros where the target is the root or unreached).
    """
    n_rows, n_nodes = pred.shape
    k = edge_limbs.shape[1]
    if not len(targets) or not n_rows or not k:
        return np.zeros((len(targets), k), dtype=np.int64)
    if len(src) > 1 and bool(np.any(src[1:] < src[:-1])):
        order = np.argsort(src, kind="stable")
        src, dst, edge_limbs = src[order], dst[order], edge_limbs[order]
    flat = pred.reshape(-1)
    rows = rows.astype(np.int64)
    targets = targets.astype(np.int64)
    # a sink (no edge leaves it) only ends paths: the descent stops short of the sinks,
    # and a pair ending at one adds its last edge at the end
    out_all = np.bincount(src, minlength=n_nodes)
    sink = out_all == 0
    inner = ~sink[dst]
    i_src, i_dst = src[inner], dst[inner]
    cols = [np.ascontiguousarray(edge_limbs[inner, j]) for j in range(k)]
    first = np.searchsorted(i_src, np.arange(n_nodes + 1, dtype=np.int64))
    out_deg = np.diff(first)
    last = np.flatnonzero(sink[targets])
    up = flat[rows[last] * n_nodes + targets[last]].astype(np.int64)
    reached = up >= 0
    last, up = last[reached], up[reached]
    stops = targets.copy()
    stops[last] = up
    # the sums where the pairs stop, by (row, stop node): a node is written once, when
    # reached, into a table as small as the stops (it is written at random)
    stop_nodes, stop_of = np.unique(stops, return_inverse=True)
    n_stops = len(stop_nodes)
    slot = np.full(n_nodes, -1, dtype=np.int64)
    slot[stop_nodes] = np.arange(n_stops)
    sums = [np.zeros(n_rows * n_stops, dtype=np.int64) for _ in range(k)]
    f_base = np.arange(n_rows, dtype=np.int64) * n_nodes
    f_node = np.asarray(roots, dtype=np.int64)
    f_sum = [np.zeros(n_rows, dtype=np.int64) for _ in range(k)]
    while len(f_node):
        deg = out_deg[f_node]
        n_cand = int(deg.sum())
        if not n_cand:
            break
        # every out-edge of every frontier node, and whether its end is a child in the tree
        parent = np.repeat(np.arange(len(f_node), dtype=np.int64), deg)
        edge = np.arange(n_cand, dtype=np.int64)
        edge += np.repeat(first[f_node] - np.cumsum(deg) + deg, deg)
        key = f_base[parent] + i_dst[edge]
        child = np.flatnonzero(flat[key] == np.repeat(f_node, deg))
        parent, edge, key = parent[child], edge[child], key[child]
        f_sum = [s[parent] + c[edge] for s, c in zip(f_sum, cols, strict=True)]
        f_base = f_base[parent]
        f_node = key - f_base
        at = slot[f_node]
        end = np.flatnonzero(at >= 0)
        if len(end):
            cell = (f_base[end] // n_nodes) * n_stops + at[end]
            for s, whole in zip(f_sum, sums, strict=True):
                whole[cell] = s[end]
    cell = rows * n_stops + stop_of
    out = np.column_stack([whole[cell] for whole in sums])
    if len(last):
        # the last edge into a sink: found among the sinks' in-edges, sorted by (src, dst)
        into = np.flatnonzero(sink[dst])
        edge_key = src[into] * n_nodes + dst[into]
        order = np.argsort(edge_key, kind="stable")
        at = np.searchsorted(edge_key[order], up * n_nodes + targets[last])
        out[last] += edge_limbs[into[order[at]]]
    return out


def skim_arrays(
    n_nodes: int,
    src: Ints,
    dst: Ints,
    weight: Floats,
    sources: Sequence[int],
    targets: Sequence[int],
    comp_edge: Ints,
    comp_values: Floats,
) -> tuple[Floats, Floats]:
    """Shortest paths from every source to every target and their exact component sums.

    Parameters
    ----------
    n_nodes
        Number of nodes.
    src, dst, weight
        A simple directed graph (at most one edge per ordered pair), as
        :func:`corridors.routing.options.collapse` returns it.
    sources, targets
        Node numbers.
    comp_edge, comp_values
        Cost components: the edge (row of ``src``) each belongs to, and its value.

    Returns
    -------
    distance, total
        ``sources × targets`` arrays: the routed weight, and ``math.fsum`` of the
        component values along the path (NaN where the target is unreachable).
    """
    srcs = np.asarray(sources, dtype=np.int64)
    tgts = np.asarray(targets, dtype=np.int64)
    valid = np.unique(srcs)
    dist, pred = shortest_trees(n_nodes, src, dst, weight, valid, np.unique(tgts))
    row = np.searchsorted(valid, srcs)
    distance = dist[np.ix_(row, tgts)]
    total = np.full(distance.shape, np.nan)
    oi, di = np.nonzero(np.isfinite(distance))
    per_edge = int(np.bincount(comp_edge).max()) if len(comp_edge) else 1
    layout = _layout(comp_values, len(comp_values), per_edge)
    if layout is not None:
        limbs = _edge_limbs(comp_edge, _to_limbs(comp_values, layout), len(src))
        acc = tree_sums(pred, valid, row[oi], tgts[di], src, dst, limbs)
        total[oi, di] = _from_limbs(acc, layout)
        return distance, total
    edges = InEdges(n_nodes, src, dst)
    by_edge: list[list[float]] = [[] for _ in range(len(src))]
    for e, v in zip(comp_edge.tolist(), comp_values.tolist()):
        by_edge[e].append(v)
    for i, j in zip(oi.tolist(), di.tolist()):
        node, terms = int(tgts[j]), []
        while node != srcs[i]:
            prev = int(pred[row[i], node])
            terms += by_edge[int(edges.find(np.array([prev]), np.array([node]))[0])]
            node = prev
        total[i, j] = math.fsum(terms)
    return distance, total


# -- skims ----------------------------------------------------------------------------------


def access_legs(net: Network, rg: RoutingGraph, place: Place, start: bool) -> list[Component]:
    """Return the road access leg :func:`corridors.routing.solve.route` adds for a snapped place."""
    from corridors.routing.solve import with_access_legs

    if not place.access_km:
        return []
    other = replace(place, access_km=0.0)
    if start:
        return with_access_legs([], place, other, net, rg)
    return with_access_legs([], other, place, net, rg)


def _slow_totals(
    net: Network,
    rg: RoutingGraph,
    pred: npt.NDArray[np.integer[Any]],
    row: int,
    source: int,
    target: int,
    kept: tuple[Ints, Ints, Floats, Ints],
    edges: InEdges,
    o: Place,
    d: Place,
    vot: float,
    rules: DrivingRules | None = None,
) -> dict[str, float]:
    """Totals of one pair from its component list (used when fixed point cannot hold them)."""
    from corridors.routing.solve import with_access_legs
    from corridors.routing.timeline import with_rests

    nodes = [target]
    while nodes[-1] != source:
        nodes.append(int(pred[row, nodes[-1]]))
    nodes.reverse()
    found = edges.find(np.array(nodes[:-1], dtype=np.int64), np.array(nodes[1:], dtype=np.int64))
    comps = [c for e in found.tolist() for c in rg.components[int(kept[3][e])]]
    return path_totals(with_rests(with_access_legs(comps, o, d, net, rg), rules), vot)


@dataclass(frozen=True)
class _Job:
    """What every path choice of one skim shares: the pairs, their access legs, the totals."""

    net: Network
    rg: RoutingGraph
    mask: npt.NDArray[np.bool_]
    o_places: list[Place]
    d_places: list[Place]
    src_of: Ints
    dst_of: Ints
    oi: Ints
    di: Ints
    distinct: npt.NDArray[np.bool_]
    o_legs: list[list[Component]]
    d_legs: list[list[Component]]
    wanted: list[str]
    vot: float
    rules: DrivingRules | None


def _totals(job: _Job, weight: Floats) -> dict[str, Floats]:
    """Route every pair of the job on ``weight`` and sum the wanted totals along each path.

    With driving-time rules the time includes the breaks and rests a route's timeline
    (:func:`corridors.routing.timeline.with_rests`) inserts, summed exactly with the rest.
    """
    rg, oi, di = job.rg, job.oi, job.di
    kept = edge_weights.collapse(rg.src, rg.dst, weight, job.mask)
    edge_weights.check_non_negative(kept[2])
    n = rg.n_nodes
    valid = np.unique(job.src_of[job.src_of >= 0])
    pred = np.empty((0, n), dtype=np.int32)
    if len(valid):
        ends = np.unique(job.dst_of[job.dst_of >= 0])
        _, pred = shortest_trees(n, kept[0], kept[1], kept[2], valid, ends)
    rows = np.searchsorted(valid, job.src_of)[oi]
    ok = job.distinct.copy()
    ok[ok] = pred[rows[ok], job.dst_of[di[ok]]] >= 0
    pairs = np.flatnonzero(ok)
    # the edge look-up table is needed only to walk single paths (rests, or slow sums)
    edges = _LazyEdges(n, kept[0], kept[1])
    rests: list[tuple[float, ...]] = []
    if job.rules is not None:
        rests = _rest_hours(job, kept, pred, rows, pairs, edges, job.rules)
    rest_pair = np.array([i for i, r in enumerate(rests) for _ in r], dtype=np.int64)
    rest_vals = np.array([h for r in rests for h in r], dtype=np.float64)

    values: dict[str, Floats] = {t: np.full(len(oi), np.nan) for t in SUMMED}
    flat = flat_graph(rg)
    n_terms = (
        len(flat.edge)
        + 2 * max([1, *(len(x) for x in (*job.o_legs, *job.d_legs))])
        + max([0, *(len(r) for r in rests)])
    )
    o_group = np.array([i for i, x in enumerate(job.o_legs) for _ in x], dtype=np.int64)
    d_group = np.array([i for i, x in enumerate(job.d_legs) for _ in x], dtype=np.int64)
    layouts: dict[str, _Layout] = {}
    blocks: list[Ints] = []
    o_blocks: list[Ints] = []
    d_blocks: list[Ints] = []
    r_blocks: list[Ints] = []
    for total in job.wanted:
        comp = flat.values[total]
        o_vals = np.array([getattr(c, total) for x in job.o_legs for c in x], dtype=np.float64)
        d_vals = np.array([getattr(c, total) for x in job.d_legs for c in x], dtype=np.float64)
        # breaks and rests take time and nothing else
        r_vals = rest_vals if total == "time_h" else np.zeros(0)
        layout = _layout(np.concatenate([comp, o_vals, d_vals, r_vals]), n_terms, flat.per_edge)
        if layout is None:
            continue
        layouts[total] = layout
        blocks.append(_edge_limbs(flat.edge, _to_limbs(comp, layout), rg.n_edges)[kept[3]])
        o_blocks.append(_edge_limbs(o_group, _to_limbs(o_vals, layout), len(job.o_places)))
        d_blocks.append(_edge_limbs(d_group, _to_limbs(d_vals, layout), len(job.d_places)))
        r_group = rest_pair if len(r_vals) else np.zeros(0, dtype=np.int64)
        r_blocks.append(_edge_limbs(r_group, _to_limbs(r_vals, layout), len(pairs)))
    if layouts:
        # one walk sums every wanted total: their limbs side by side
        o_pair, d_pair = oi[pairs], di[pairs]
        acc = tree_sums(
            pred, valid, rows[pairs], job.dst_of[d_pair], kept[0], kept[1], np.hstack(blocks)
        )
        acc += np.hstack(o_blocks)[o_pair] + np.hstack(d_blocks)[d_pair] + np.hstack(r_blocks)
        col = 0
        for total, layout in layouts.items():
            values[total][pairs] = _from_limbs(acc[:, col : col + layout.n_limbs], layout)
            col += layout.n_limbs
    slow = [t for t in job.wanted if t not in layouts]
    if slow:
        for i in pairs.tolist():
            got = _slow_totals(
                job.net,
                rg,
                pred,
                int(rows[i]),
                int(job.src_of[oi[i]]),
                int(job.dst_of[di[i]]),
                kept,
                edges,
                job.o_places[oi[i]],
                job.d_places[di[i]],
                job.vot,
                job.rules,
            )
            for total in slow:
                values[total][i] = got[total]
    return values


def _rest_hours(
    job: _Job,
    kept: tuple[Ints, Ints, Floats, Ints],
    pred: npt.NDArray[np.integer[Any]],
    rows: Ints,
    pairs: Ints,
    edges: InEdges,
    rules: DrivingRules,
) -> list[tuple[float, ...]]:
    """Hours of each break and rest along every pair's path, in the order of ``pairs``.

    The crew's clock is advanced along each origin's shortest-path tree once, node by node
    (the state at a node is shared by every path through it), from the origin's access leg
    to each destination's, by the steps a route's timeline takes.
    """
    from corridors.routing.timeline import ClockState, ClockStep, advance, clock_step

    def steps_of(comps: Sequence[Component]) -> tuple[tuple[ClockStep, float], ...]:
        return tuple((step, c.time_h) for c in comps if (step := clock_step(c)) != "none")

    by_edge: dict[int, tuple[tuple[ClockStep, float], ...]] = {}
    o_steps = [steps_of(x) for x in job.o_legs]
    d_steps = [steps_of(x) for x in job.d_legs]
    out: list[tuple[float, ...]] = []
    memo: dict[int, ClockState] = {}
    pred_row: list[int] = []
    origin = -1
    for i in pairs.tolist():
        o, t = int(job.oi[i]), int(job.dst_of[job.di[i]])
        if o != origin:
            origin = o
            pred_row = pred[int(rows[i])].tolist()
            memo = {int(job.src_of[o]): advance(ClockState(), o_steps[o], rules)}
        climb: list[tuple[int, int]] = []
        node = t
        while node not in memo:
            parent = pred_row[node]
            climb.append((parent, node))
            node = parent
        for parent, child in reversed(climb):
            k = edges.one(parent, child)
            steps = by_edge.get(k)
            if steps is None:
                steps = by_edge[k] = steps_of(job.rg.components[int(kept[3][k])])
            memo[child] = advance(memo[parent], steps, rules) if steps else memo[parent]
        out.append(advance(memo[t], d_steps[int(job.di[i])], rules).rests)
    return out


def _keep_better(
    first: dict[str, Floats], other: dict[str, Floats], by: str, vot: float
) -> dict[str, Floats]:
    """Per pair, ``other``'s totals where they rank better by (objective, generalized cost)."""
    key = OBJECTIVES[by].total

    def rank(v: dict[str, Floats]) -> tuple[Floats, Floats]:
        g = v["cost_usd"] + vot * v["time_h"]
        return (g if key == "generalized_usd" else v[key]), g

    o1, g1 = rank(first)
    o2, g2 = rank(other)
    take = (o2 < o1) | ((o2 == o1) & (g2 < g1))
    return {t: np.where(take, other[t], first[t]) for t in first}


def skim(
    net: Network,
    origins: Iterable[str],
    destinations: Iterable[str] | None = None,
    *,
    long: bool = False,
    options: RouteOptions | None = None,
    **keywords: Unpack[RouteKeywords],
) -> pd.DataFrame:
    """Compute an origin-destination matrix in one batch.

    One multi-source Dijkstra on ``scipy.sparse.csgraph`` answers every pair; each
    pair's totals are then summed over its path's legs exactly as :func:`corridors.route`
    sums them, so a skim cell equals the per-pair route's total to the last bit.

    Trucks keep the driving-time rules of the crew (``crew``, one driver by default), as
    a route does: the crew's breaks and rests are timed along each path from the same
    rules, and of the two paths a route weighs (with the rests' long-run factor, and
    without) the better is kept. ``crew=0`` times trucks by their driving alone, with one
    Dijkstra instead of two and no clock to walk: faster, and a lower bound on truck times.

    Parameters
    ----------
    net
        The network.
    origins, destinations
        Places as for :func:`corridors.route` (destinations default to the origins).
    long
        Return one row per pair with every total instead of a matrix.
    options, **keywords
        Route options as for :func:`corridors.route` (``by`` is the objective routed on and
        reported); a skim takes no ``via`` and no ``depart`` (it times the expected
        waits).

    Returns
    -------
    matrix
        Origins × destinations of the objective (NaN where no route or the same place),
        or the long table when ``long``.
    """
    o_places: list[Place] = [net.places.resolve(p) for p in origins]
    d_places: list[Place] = (
        o_places if destinations is None else [net.places.resolve(p) for p in destinations]
    )
    opts = RouteOptions.build(options, **keywords)
    if opts.via:
        msg = "a skim routes every pair directly: drop via (route pairs one by one instead)"
        raise InvalidOptionError(msg)
    if opts.depart is not None:
        msg = (
            "a skim times the expected wait for each departure: drop depart (route a pair "
            "with depart to time it on the timetables)"
        )
        raise InvalidOptionError(msg)
    check_names(opts, net)
    opts = replace(
        opts, avoid_nodes=frozenset(net.places.resolve(p).node for p in opts.avoid_nodes)
    )
    rg = net.routing_graph(opts.profile)
    mask = edge_weights.edge_mask(rg, opts)
    _, weight = edge_weights.weights(rg, opts)
    vot = rg.profile.value_of_time_usd_per_h if opts.value_of_time is None else opts.value_of_time
    rules = rg.driving_rules.get(opts.crew)

    src_of = np.array([rg.index.get((p.node, ORIGIN), -1) for p in o_places], dtype=np.int64)
    dst_of = np.array([rg.index.get((p.node, DESTINATION), -1) for p in d_places], dtype=np.int64)
    o_node = np.array([p.node for p in o_places], dtype=object)
    d_node = np.array([p.node for p in d_places], dtype=object)
    oi: Ints = np.repeat(np.arange(len(o_places), dtype=np.int64), len(d_places))
    di: Ints = np.tile(np.arange(len(d_places), dtype=np.int64), len(o_places))
    if long:
        wanted = list(SUMMED)
    elif opts.by == "generalized":
        wanted = ["time_h", "cost_usd"]
    else:
        wanted = [OBJECTIVES[opts.by].total]
    if rules is not None:
        # the better of two paths is kept by (objective, generalized cost), as a route does
        wanted = list(dict.fromkeys([*wanted, "time_h", "cost_usd"]))
    job = _Job(
        net=net,
        rg=rg,
        mask=mask,
        o_places=o_places,
        d_places=d_places,
        src_of=src_of,
        dst_of=dst_of,
        oi=oi,
        di=di,
        distinct=(src_of[oi] >= 0) & (dst_of[di] >= 0) & (o_node[oi] != d_node[di]),
        o_legs=[access_legs(net, rg, p, True) for p in o_places],
        d_legs=[access_legs(net, rg, p, False) for p in d_places],
        wanted=wanted,
        vot=vot,
        rules=rules,
    )
    if rules is None:
        values = _totals(job, weight)
    else:
        # as a route: the path the crew's rests weigh by their long-run factor, and the
        # path without them, each timed with its rests exactly; the better one is kept
        first = _totals(job, weight + edge_weights.rest_weight(rg, opts, rules))
        values = _keep_better(first, _totals(job, weight), opts.by, vot)
    values_g = values["cost_usd"] + vot * values["time_h"]

    if long:
        o_query = np.array([p.query for p in o_places], dtype=object)
        d_query = np.array([p.query for p in d_places], dtype=object)
        return pd.DataFrame(
            {
                "origin": o_query[oi].tolist(),
                "destination": d_query[di].tolist(),
                **values,
                "generalized_usd": values_g,
            }
        )
    key = OBJECTIVES[opts.by].total
    cells = values_g if key == "generalized_usd" else values[key]
    grid = cells.reshape(len(o_places), len(d_places))
    first_o: dict[str, int] = {}
    first_d: dict[str, int] = {}
    for i, p in enumerate(o_places):
        first_o.setdefault(p.query, i)
    for i, p in enumerate(d_places):
        first_d.setdefault(p.query, i)
    return pd.DataFrame(
        grid[np.ix_(list(first_o.values()), list(first_d.values()))],
        index=pd.Index(list(first_o), name="origin"),
        columns=pd.Index(list(first_d), name="destination"),
    )
