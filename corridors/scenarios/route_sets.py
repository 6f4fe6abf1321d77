"""Candidate route sets: every draw's best route chosen by one sparse product, proved exact.

In a Monte Carlo run only a few hundred edges (borders, ferry waits) change from draw to
draw, so the best route of a pair is nearly always one of a handful of routes. For each
pair this module keeps a small subgraph ``H`` (the union of the routes a plain Dijkstra
chose in a few sample draws and under the lowest weights any draw gives) and lists every
simple path through ``H``: the candidate routes. A draw costs all candidates of all pairs
at once (routes × edges by edges × draws, one sparse product) and takes the least.

The choice is certified before it is used. A route that leaves ``H`` uses an edge outside
it, so under the per-edge least weight over all draws it costs at least the bound

    T = min over edges (u, v) outside H of  d_low(s, u) + w_low(u, v) + d_low(v, t)

(two Dijkstra runs on the least weights). A draw whose best candidate is below ``T`` and
beats the runner-up candidate by more than the rounding error of either sum has exactly
the route Dijkstra would find; any other draw of that pair is routed by Dijkstra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Most candidate routes kept for one pair; a pair with more is routed by Dijkstra.
MAX_ROUTES = 256
#: Relative margin that separates two sums of the same edges in different orders.
MARGIN = 1e-9


@dataclass
class RouteSets:
    """Candidate routes of every pair and what certifies a choice among them.

    Attributes
    ----------
    routes
        Each candidate route as its edges in travel order.
    pair_of
        The pair each route serves.
    first, count
        Per pair: where its routes start in ``routes`` and how many it has (0: the pair
        is always routed by Dijkstra).
    bound
        Per pair: the least weight any route outside the pair's subgraph can have.
    incidence
        Routes × edges, the number of times each route uses each edge.
    """

    routes: list[Ints]
    pair_of: Ints
    first: Ints
    count: Ints
    bound: Floats
    incidence: Any


def simple_paths(
    edges: Ints, src: Ints, dst: Ints, source: int, target: int, limit: int
) -> list[Ints] | None:
    """Return every simple path from ``source`` to ``target`` over ``edges``.

    Returns None when there are more than ``limit``.
    """
    out: dict[int, list[tuple[int, int]]] = {}
    for e in edges.tolist():
        out.setdefault(int(src[e]), []).append((e, int(dst[e])))
    found: list[Ints] = []
    path: list[int] = []
    on_path = {source}
    # iterative depth-first search: a stack of successor iterators
    stack = [iter(out.get(source, []))]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            if path:
                e = path.pop()
                on_path.discard(int(dst[e]))
            continue
        e, v = step
        if v in on_path:
            continue
        if v == target:
            found.append(np.array([*path, e], dtype=np.int64))
            if len(found) > limit:
                return None
            continue
        path.append(e)
        on_path.add(v)
        stack.append(iter(out.get(v, [])))
    return found


def outside_bound(
    low: Floats,
    allowed: npt.NDArray[np.bool_],
    src: Ints,
    dst: Ints,
    n_nodes: int,
    sources: Ints,
    targets: Ints,
    inside: list[Ints],
) -> Floats:
    """Per pair, the least low-weight cost of a path that uses an edge outside ``inside``."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    idx = np.flatnonzero(allowed)
    # csr_array sums duplicate entries; parallel edges keep their least weight instead
    order = idx[np.lexsort((low[idx], dst[idx], src[idx]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (src[order][1:] != src[order][:-1]) | (dst[order][1:] != dst[order][:-1])
    best = order[first]
    graph = csr_array((low[best], (src[best], dst[best])), shape=(n_nodes, n_nodes))
    u_src, s_row = np.unique(sources, return_inverse=True)
    u_dst, t_row = np.unique(targets, return_inverse=True)
    ahead = dijkstra(graph, directed=True, indices=u_src)
    back = dijkstra(graph.T.tocsr(), directed=True, indices=u_dst)
    out = np.full(len(sources), np.inf)
    for p in range(len(sources)):
        keep = allowed.copy()
        keep[inside[p]] = False
        e = np.flatnonzero(keep)
        if len(e):
            out[p] = float(np.min(ahead[s_row[p], src[e]] + low[e] + back[t_row[p], dst[e]]))
    return out


def build(
    samples: list[list[Ints | None]],
    low: Floats,
    allowed: npt.NDArray[np.bool_],
    src: Ints,
    dst: Ints,
    n_nodes: int,
    sources: Ints,
    targets: Ints,
) -> RouteSets:
    """Build the candidate routes from sample solutions (per pair: the paths Dijkstra chose).

    Parameters
    ----------
    samples
        Per pair, the edges (in travel order) of the routes chosen in the sample draws
        (None where the pair had no route).
    low
        Per edge, the least weight over all draws.
    allowed
        Edges a route may use.
    src, dst, n_nodes
        The graph.
    sources, targets
        Per pair, its start and end node.
    """
    from scipy.sparse import csr_array

    routes: list[Ints] = []
    pair_of: list[int] = []
    first = np.zeros(len(sources), dtype=np.int64)
    count = np.zeros(len(sources), dtype=np.int64)
    inside: list[Ints] = []
    for p, found in enumerate(samples):
        got = [f for f in found if f is not None]
        h = np.unique(np.concatenate(got)) if got else np.zeros(0, dtype=np.int64)
        inside.append(h)
        paths = (
            simple_paths(h, src, dst, int(sources[p]), int(targets[p]), MAX_ROUTES) if got else None
        )
        first[p] = len(routes)
        if paths:
            routes.extend(paths)
            pair_of.extend([p] * len(paths))
            count[p] = len(paths)
    bound = outside_bound(low, allowed, src, dst, n_nodes, sources, targets, inside)
    rows = np.repeat(np.arange(len(routes)), [len(r) for r in routes])
    cols = np.concatenate(routes) if routes else np.zeros(0, dtype=np.int64)
    incidence = csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(routes), len(src))).tocsr()
    return RouteSets(routes, np.asarray(pair_of, dtype=np.int64), first, count, bound, incidence)


def choose(sets: RouteSets, weights: Floats) -> tuple[Ints, npt.NDArray[np.bool_]]:
    """Pick every pair's best candidate in each draw and say which picks are certified.

    Parameters
    ----------
    sets
        The candidate routes.
    weights
        Draws × edges: the routed weight of every edge in each draw.

    Returns
    -------
    chosen, certified
        Draws × pairs: the index (into ``sets.routes``) of the best candidate, and whether
        it is proved to be the route Dijkstra finds.
    """
    cost = np.asarray(sets.incidence @ weights.T).T  # draws × routes
    n_draws, n_pairs = len(weights), len(sets.first)
    chosen = np.zeros((n_draws, n_pairs), dtype=np.int64)
    certified = np.zeros((n_draws, n_pairs), dtype=bool)
    for p in range(n_pairs):
        a, n = int(sets.first[p]), int(sets.count[p])
        if n == 0:
            continue
        block = cost[:, a : a + n]
        best = np.argmin(block, axis=1)
        value = block[np.arange(n_draws), best]
        slack = MARGIN * np.maximum(np.abs(value), 1.0)
        ok = np.isfinite(value) & (value + slack < sets.bound[p])
        if n > 1:
            runner = np.partition(block, 1, axis=1)[:, 1]
            ok &= runner - value > slack
        chosen[:, p] = a + best
        certified[:, p] = ok
    return chosen, certified
