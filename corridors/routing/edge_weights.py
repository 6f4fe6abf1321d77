"""Turn route options into an edge mask and weights over a routing graph."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

from corridors.errors import GeodataError
from corridors.graph.driving_rules import DrivingRules
from corridors.graph.routing_graph import DESTINATION, ORIGIN, RoutingGraph
from corridors.routing.contraction import Contraction
from corridors.routing.objectives import OBJECTIVES, TIE_BREAK
from corridors.routing.options import RouteOptions

_Made = TypeVar("_Made")

#: The graphs whose masks and weights are kept for reuse (see :func:`reusing`), by id.
_REUSED: dict[int, dict[tuple[Any, ...], Any]] = {}


@contextmanager
def reusing(rg: RoutingGraph) -> Iterator[None]:
    """Within the block, make each mask and weight array of ``rg`` once.

    Asked again for the same options, :func:`edge_mask`, :func:`weights` and
    :func:`rest_weight` give the arrays made the first time, made read-only. Check 10
    routes a dozen or more corridors on one graph of millions of edges with the same
    objective: each array is then made once per graph instead of once per corridor.
    """
    if id(rg) in _REUSED:  # within a block for this graph already
        yield
        return
    _REUSED[id(rg)] = {}
    try:
        yield
    finally:
        del _REUSED[id(rg)]


def _reused(rg: RoutingGraph, key: tuple[Any, ...], make: Callable[[], _Made]) -> _Made:
    held = _REUSED.get(id(rg))
    if held is None:
        return make()
    if key not in held:
        made = make()
        for array in made if isinstance(made, tuple) else (made,):
            np.asarray(array).flags.writeable = False  # the very array: asarray copies none
        held[key] = made
    found: _Made = held[key]
    return found


def edge_mask(rg: RoutingGraph, opts: RouteOptions) -> np.ndarray:
    """Return a boolean array: which routing-graph edges the options allow."""
    key = (
        "mask",
        opts.year,
        opts.statuses,
        opts.modes,
        opts.avoid_countries,
        opts.avoid_nodes,
        opts.avoid_links,
        opts.avoid_borders,
    )
    return _reused(rg, key, lambda: _edge_mask(rg, opts))


def _edge_mask(rg: RoutingGraph, opts: RouteOptions) -> np.ndarray:
    # every test runs on the graph's codes: no object array per edge is made
    is_link = rg.isin("kind", ["link"])
    if opts.year is not None:
        opened = rg.isin("status", ["operational"]) | (
            rg.isin("status", ("under_construction", "planned")) & (rg.open_year <= opts.year)
        )
        ok = ~is_link | opened
    else:
        ok = ~is_link | rg.isin("status", opts.statuses)
    if opts.modes is not None:
        ok &= ~is_link | rg.isin("mode", opts.modes)
    if opts.avoid_countries:
        bad = list(opts.avoid_countries)
        ok &= ~(rg.isin("u_country", bad) | rg.isin("v_country", bad))
    if opts.avoid_nodes:
        bad = list(opts.avoid_nodes)
        ok &= ~(rg.isin("u_place", bad) | rg.isin("v_place", bad))
    if opts.avoid_links:
        ok &= ~rg.isin("link_id", opts.avoid_links)
    if opts.avoid_borders:
        # each (from, to) country pair is judged once, then spread over its edges
        u, v = rg.coded["u_country"], rg.coded["v_country"]
        n = max(1, len(v.values))
        pair, at = np.unique(u.codes.astype(np.int64) * n + v.codes, return_inverse=True)
        avoided = []
        for k in pair.tolist():
            a, b = u.values[k // n], v.values[k % n]
            avoided.append(a != b and frozenset((a, b)) in opts.avoid_borders)
        ok &= ~(is_link & np.array(avoided, dtype=bool)[at.reshape(-1)])
    return np.asarray(ok, dtype=bool)


def objective(rg: RoutingGraph, by: str, value_of_time: float | None = None) -> np.ndarray:
    """Return the per-edge value of an objective."""
    vot = rg.profile.value_of_time_usd_per_h if value_of_time is None else value_of_time
    return np.asarray(OBJECTIVES[by].of(rg.time_h, rg.cost_usd, rg.distance_km, rg.co2_kg, vot))


def weights(rg: RoutingGraph, opts: RouteOptions) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(primary, weight)``: the objective per edge and the weight routed on.

    The weight adds a tiny tie-break (generalized cost, or distance when routing by
    generalized cost) so that equal-objective paths resolve to the sensible one.
    """

    def make() -> tuple[np.ndarray, np.ndarray]:
        primary = objective(rg, opts.by, opts.value_of_time)
        second = objective(rg, OBJECTIVES[opts.by].tie_break, opts.value_of_time)
        return primary, primary + TIE_BREAK * second

    return _reused(rg, ("weights", opts.by, opts.value_of_time), make)


def rest_weight(rg: RoutingGraph, opts: RouteOptions, rules: DrivingRules) -> np.ndarray:
    """Return what the crew's rests add to each edge's weight, for choosing a route.

    Each hour a truck drives is weighted as ``rules.long_run_factor()`` hours, the hours a
    long drive takes with its breaks and rests, priced by the objective (time, or the
    value of time for the generalized cost; nothing for cost, distance or CO2). This is
    the approximation the search makes; the chosen route's rests are then timed exactly
    (:func:`corridors.routing.timeline.with_rests`).
    """
    vot = rg.profile.value_of_time_usd_per_h if opts.value_of_time is None else opts.value_of_time

    def make() -> np.ndarray:
        extra = rg.driving_h * (rules.long_run_factor() - 1.0)
        zero = np.zeros_like(extra)
        return np.asarray(OBJECTIVES[opts.by].of(extra, zero, zero, zero, vot), dtype=float)

    return _reused(rg, ("rests", opts.by, vot, rules.long_run_factor()), make)


def check_non_negative(weight: np.ndarray) -> None:
    """Refuse negative edge weights, on which Dijkstra gives a cyclic predecessor tree."""
    if len(weight) and float(np.nanmin(weight)) < 0:
        msg = (
            "negative edge weights: a link or friction in the data has a negative length, "
            "time or fee; fix the data (corridors data validate lists such rows)"
        )
        raise GeodataError(msg)


def collapse(
    src: np.ndarray, dst: np.ndarray, weight: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keep, for each ordered node pair, the allowed edge of least weight.

    Returns ``(src, dst, weight, edge_index)`` of the kept edges, sorted by pair, so that
    networkx and scipy see the same simple graph.
    """
    idx = np.flatnonzero(mask & np.isfinite(weight))
    order = np.lexsort((idx, weight[idx], dst[idx], src[idx]))
    idx = idx[order]
    s, d = src[idx], dst[idx]
    first = np.ones(len(idx), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    keep = idx[first]
    return src[keep], dst[keep], weight[keep], keep


def _arrivals(rg: RoutingGraph, waypoints: Sequence[str | Sequence[str]]) -> list[np.ndarray]:
    # a waypoint may be a set of alternatives: reaching any one of them advances
    return [rg.arrival_nodes([p] if isinstance(p, str) else p) for p in waypoints]


def staged(
    n: int,
    kept: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    arrivals: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Copy a graph of ``n`` nodes once per leg between waypoints, joined at their layers.

    ``arrivals`` holds each waypoint's arrival nodes. A path from stage 0 to the last
    stage must arrive at every waypoint in order (the stage advances on the waypoint's
    arrival nodes; a waypoint given as several places advances on any of them), and it
    may change layer there only through a transfer edge, which pays its friction.
    Stage-advance edges carry edge index -1.
    """
    s, d, w, e = kept
    parts_s, parts_d, parts_w, parts_e = [], [], [], []
    for stage in range(len(arrivals) + 1):
        parts_s.append(s + stage * n)
        parts_d.append(d + stage * n)
        parts_w.append(w)
        parts_e.append(e)
    for stage, arr in enumerate(arrivals, start=1):
        parts_s.append(arr + (stage - 1) * n)
        parts_d.append(arr + stage * n)
        parts_w.append(np.zeros(len(arr)))
        parts_e.append(np.full(len(arr), -1, dtype=np.int64))
    return (
        np.concatenate(parts_s),
        np.concatenate(parts_d),
        np.concatenate(parts_w),
        np.concatenate(parts_e),
    )


#: Up to this many edges, a query's search runs in plain Python (a heap of floats) rather
#: than on scipy's Dijkstra: on the shipped network's few thousand edges it takes a few
#: milliseconds, less than importing scipy's sparse graph module does in a new process.
PLAIN_SEARCH_EDGES = 50_000


def _search_in_python(n_edges: int) -> bool:
    """Whether a query's search runs in plain Python rather than on scipy's Dijkstra.

    The plain search saves a new process the import of scipy's graph module; once that
    module is loaded, scipy's search is the faster one. Both give the same path.
    """
    return n_edges <= PLAIN_SEARCH_EDGES and "scipy.sparse.csgraph" not in sys.modules


def _plain_dijkstra(
    n: int, s: np.ndarray, d: np.ndarray, w: np.ndarray, source: int, target: int = -1
) -> tuple[list[float], list[int]]:
    """Return each node's least weight from ``source`` and its predecessor (-1: none).

    The same search as scipy's ``dijkstra`` (a node's weight lowers only on a strictly
    smaller sum, each sum formed as the predecessor's weight plus the edge's, in float64),
    so every node's weight is the same number; a predecessor can differ only where two
    ways in tie exactly, which :func:`_unique_path` checks. With a ``target``, the search
    stops once every node as light as the target is settled: those nodes have their
    weights and predecessors, the others only a weight not below their own (or inf).
    """
    import heapq

    order = np.argsort(s, kind="stable")
    starts = np.searchsorted(s[order], np.arange(n + 1)).tolist()
    heads = d[order].tolist()
    lengths = w[order].tolist()
    inf = float("inf")
    dist = [inf] * n
    pred = [-1] * n
    done = [False] * n
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        du, u = heapq.heappop(heap)
        if done[u]:
            continue
        if target >= 0 and du > dist[target]:
            # the nodes a path to the target and its ties go through are all settled
            break
        done[u] = True
        for j in range(starts[u], starts[u + 1]):
            v = heads[j]
            if done[v]:
                continue
            dv = du + lengths[j]
            if dv < dist[v]:
                dist[v] = dv
                pred[v] = u
                heapq.heappush(heap, (dv, v))
    return dist, pred


def _unique_path(
    nodes: list[int], dist: np.ndarray, s: np.ndarray, d: np.ndarray, w: np.ndarray
) -> bool:
    """Whether every node of the path has one way in that any Dijkstra would keep.

    A node keeps the first of its tying ways in (``dist[u] + w == dist[v]``) whose tail is
    settled; tails of different weight settle in order of weight, so the way from the
    lightest tail is kept by every correct search. Only when two tying tails weigh exactly
    the same does the order of a heap decide, and then the caller asks scipy.
    """
    on_path = np.zeros(len(dist), dtype=bool)
    on_path[np.asarray(nodes[1:], dtype=np.int64)] = True
    cand = on_path[d] & np.isfinite(dist[s])
    cs, cd = s[cand], d[cand]
    ties = dist[cs] + w[cand] == dist[cd]
    cs, cd = cs[ties], cd[ties]
    prev = dict(zip(nodes[1:], nodes[:-1], strict=True))
    for v in set(cd.tolist()):
        tails = cs[cd == v]
        lightest = tails[dist[tails] == dist[tails].min()]
        if len(lightest) != 1 or int(lightest[0]) != prev[v]:
            return False
    return True


def _scipy_dijkstra(
    n: int, s: np.ndarray, d: np.ndarray, w: np.ndarray, source: int
) -> tuple[np.ndarray, np.ndarray]:
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    # every (s, d) pair is unique (collapsed per stage), so the CSR sums nothing
    graph = csr_array((w, (s, d)), shape=(n, n))
    dist, pred = dijkstra(graph, directed=True, indices=source, return_predecessors=True)
    return dist, pred


def _walk_back(pred: Any, source: int, target: int, n: int) -> list[int]:
    nodes = [target]
    while nodes[-1] != source and len(nodes) <= n:
        nodes.append(int(pred[nodes[-1]]))
    nodes.reverse()
    return nodes


def shortest_edges(
    rg: RoutingGraph,
    weight: np.ndarray,
    mask: np.ndarray,
    waypoints: Sequence[str | Sequence[str]],
    origin: str,
    destination: str,
    contraction: Contraction | None = None,
) -> tuple[list[int], float] | None:
    """Return the least-weight path's routing-graph edges and its weight (None: no path).

    The path runs from ``origin``'s start node to ``destination``'s end node through the
    waypoints in order (see :func:`staged`), over the edges ``mask`` allows. A graph of up
    to :data:`PLAIN_SEARCH_EDGES` edges is searched in plain Python and the path kept when
    no exact tie could make scipy's Dijkstra choose another; otherwise, and on larger
    graphs, scipy's Dijkstra solves it. Both give the same path and weight.

    With a ``contraction`` of the routing graph (see :mod:`corridors.routing.contraction`),
    the search runs on the contracted graph when the origin, the destination and every
    waypoint are kept in it, and the path found is unfolded into the routing graph's
    edges; its weight is summed along them in travel order, as a search on the whole
    graph sums it.
    """
    source = rg.index.get((origin, ORIGIN))
    target = rg.index.get((destination, DESTINATION))
    if source is None or target is None:
        return None
    arrivals = _arrivals(rg, waypoints)
    if contraction is not None:
        ends = [np.asarray([source, target]), *arrivals]
        if all((contraction.kept[x] >= 0).all() for x in ends):
            return _contracted(rg, contraction, weight, mask, arrivals, source, target)
    kept = collapse(rg.src, rg.dst, weight, mask)
    found = _search(rg.n_nodes, kept, arrivals, source, target)
    if found is None:
        return None
    path, total = found
    return [p for p in path if p >= 0], total


def _contracted_edges(
    rg: RoutingGraph, con: Contraction, weight: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the contracted graph's usable edges and their weights, for a search.

    Within :func:`reusing`, arrays asked for with the same read-only ``weight`` and
    ``mask`` (those :func:`weights` and :func:`edge_mask` give there) are made once: the
    named corridors of one profile often share both.
    """
    held = _REUSED.get(id(rg))
    shared = held is not None and not weight.flags.writeable and not mask.flags.writeable
    key = ("contracted", id(con), id(weight), id(mask))
    if shared and held is not None and key in held:
        # the arrays are kept with the result, so no other array can take their ids
        was_weight, was_mask, kept = held[key]
        if was_weight is weight and was_mask is mask:
            found: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = kept
            return found
    check_non_negative(weight[mask])
    base = np.where(mask & np.isfinite(weight), weight, np.inf)
    w = con.weights(base)
    finite = np.isfinite(w)
    s, d, ww, keep = collapse(con.src, con.dst, w, finite)
    made = (s, d, ww, con.edges[keep])
    if shared and held is not None:
        for array in made:
            array.flags.writeable = False
        held[key] = (weight, mask, made)
    return made


def _contracted(
    rg: RoutingGraph,
    con: Contraction,
    weight: np.ndarray,
    mask: np.ndarray,
    arrivals: list[np.ndarray],
    source: int,
    target: int,
) -> tuple[list[int], float] | None:
    kept = _contracted_edges(rg, con, weight, mask)
    found = _search(
        con.n_nodes,
        kept,
        [con.kept[a] for a in arrivals],
        int(con.kept[source]),
        int(con.kept[target]),
    )
    if found is None:
        return None
    path = con.unfold_path([p for p in found[0] if p >= 0])
    total = 0.0
    for x in weight[path].tolist():  # in travel order, as a search on the whole graph sums
        total += x
    return path, total


def _search(
    n_nodes: int,
    kept: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    arrivals: list[np.ndarray],
    source: int,
    target: int,
) -> tuple[list[int], float] | None:
    """Search the staged graph of ``kept`` edges; the path's edge ids (-1: stage steps)."""
    s, d, ww, e = staged(n_nodes, kept, arrivals)
    stages = len(arrivals)
    n = n_nodes * (stages + 1)
    target += stages * n_nodes
    check_non_negative(ww)
    nodes: list[int] | None = None
    if _search_in_python(len(s)):
        plain, plain_pred = _plain_dijkstra(n, s, d, ww, source, target)
        dist = np.asarray(plain, dtype=np.float64)
        if not np.isfinite(dist[target]):
            return None
        nodes = _walk_back(plain_pred, source, target, n)
        if not _unique_path(nodes, dist, s, d, ww):
            nodes = None
    if nodes is None:
        dist, pred = _scipy_dijkstra(n, s, d, ww, source)
        if not np.isfinite(dist[target]):
            return None
        nodes = _walk_back(pred, source, target, n)
    # the path's edges, found in one pass over the edges rather than by sorting them all:
    # a shortest path visits a node once, so each of its nodes has one next node
    after = np.full(n, -1, dtype=np.int64)
    after[np.asarray(nodes[:-1], dtype=np.int64)] = np.asarray(nodes[1:], dtype=np.int64)
    on_path = np.flatnonzero(after[s] == d)
    edge_of = dict(zip(s[on_path].tolist(), e[on_path].tolist(), strict=True))
    return [edge_of[u] for u in nodes[:-1]], float(dist[target])
