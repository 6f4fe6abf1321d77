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

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Most candidate routes kept for one pair; a pair with more is routed by Dijkstra.
MAX_ROUTES = 64
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
        Per pair: the least weight any route outside the pair's subgraph can have
        (-inf where the candidates are only the sample routes: no pick is certified).
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


def _least_graph(
    low: Floats, allowed: npt.NDArray[np.bool_], src: Ints, dst: Ints, n_nodes: int
) -> tuple[Any, Ints]:
    """Return the allowed edges at their least weights, the least of parallel edges kept."""
    from scipy.sparse import csr_array

    idx = np.flatnonzero(allowed)
    order = idx[np.lexsort((idx, low[idx], dst[idx], src[idx]))]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (src[order][1:] != src[order][:-1]) | (dst[order][1:] != dst[order][:-1])
    best = order[first]
    graph = csr_array((low[best], (src[best], dst[best])), shape=(n_nodes, n_nodes))
    return graph, best


def _tree_path(pred: npt.NDArray[np.integer[Any]], start: int, end: int) -> list[int]:
    """Nodes from ``start`` to ``end`` along a predecessor row rooted at ``start``."""
    nodes = [end]
    while nodes[-1] != start:
        nodes.append(int(pred[nodes[-1]]))
    return nodes[::-1]


def build(
    samples: list[list[Ints | None]],
    low: Floats,
    high: Floats,
    allowed: npt.NDArray[np.bool_],
    src: Ints,
    dst: Ints,
    n_nodes: int,
    sources: Ints,
    targets: Ints,
    rounds: int = 8,
) -> RouteSets:
    """Build the candidate routes from sample solutions (per pair: the paths Dijkstra chose).

    Each pair's subgraph starts as the union of its sample routes and grows, one route at
    a time, by the least-weight route through the edge that sets the bound, until the
    bound exceeds the cost of the pair's best candidate at the highest weights (then
    every draw can be certified), ``rounds`` routes were added, or the candidates would
    number more than :data:`MAX_ROUTES`.

    Parameters
    ----------
    samples
        Per pair, the edges (in travel order) of the routes chosen in the sample draws
        (None where the pair had no route).
    low, high
        Per edge, the least and the greatest weight over all draws.
    allowed
        Edges a route may use.
    src, dst, n_nodes
        The graph.
    sources, targets
        Per pair, its start and end node.
    rounds
        Most routes added to a pair's subgraph.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    graph, best = _least_graph(low, allowed, src, dst, n_nodes)
    u_src, s_row = np.unique(sources, return_inverse=True)
    u_dst, t_row = np.unique(targets, return_inverse=True)
    ahead, a_pred = dijkstra(graph, directed=True, indices=u_src, return_predecessors=True)
    back, b_pred = dijkstra(graph.T.tocsr(), directed=True, indices=u_dst, return_predecessors=True)
    edge_of = {(int(src[e]), int(dst[e])): int(e) for e in best.tolist()}
    allowed_idx = np.flatnonzero(allowed)

    routes: list[Ints] = []
    pair_of: list[int] = []
    first = np.zeros(len(sources), dtype=np.int64)
    count = np.zeros(len(sources), dtype=np.int64)
    bound = np.full(len(sources), -np.inf)
    for p, found in enumerate(samples):
        first[p] = len(routes)
        got = [f for f in found if f is not None]
        if not got:
            continue
        s, t = int(sources[p]), int(targets[p])
        through = (
            ahead[s_row[p], src[allowed_idx]] + low[allowed_idx] + back[t_row[p], dst[allowed_idx]]
        )
        inside = np.zeros(len(src), dtype=bool)
        inside[np.concatenate(got)] = True
        paths = simple_paths(np.flatnonzero(inside), src, dst, s, t, MAX_ROUTES)
        if paths is None:
            # too many to list: the sample routes still bound each draw's best from
            # above (Dijkstra searches no further), but no pick is certified
            seen = {tuple(g.tolist()): g for g in got}
            routes.extend(seen.values())
            pair_of.extend([p] * len(seen))
            count[p] = len(seen)
            continue
        if not paths:
            continue
        for _ in range(rounds):
            outside = np.where(inside[allowed_idx], np.inf, through)
            at = int(np.argmin(outside))
            bound[p] = float(outside[at])
            worst = min(float(high[r].sum()) for r in paths)
            if bound[p] > worst * (1 + 2 * MARGIN) or not np.isfinite(bound[p]):
                break
            # the least-weight route through the edge that sets the bound joins the subgraph
            e = int(allowed_idx[at])
            head = _tree_path(a_pred[s_row[p]], s, int(src[e]))
            tail = _tree_path(b_pred[t_row[p]], t, int(dst[e]))[::-1]
            added = [edge_of[(a, b)] for a, b in itertools.pairwise(head)]
            added += [e] + [edge_of[(a, b)] for a, b in itertools.pairwise(tail)]
            grown = inside.copy()
            grown[added] = True
            more = simple_paths(np.flatnonzero(grown), src, dst, s, t, MAX_ROUTES)
            if more is None:
                break
            inside, paths = grown, more
        outside = np.where(inside[allowed_idx], np.inf, through)
        bound[p] = float(outside.min()) if len(outside) else np.inf
        routes.extend(paths)
        pair_of.extend([p] * len(paths))
        count[p] = len(paths)
    rows = np.repeat(np.arange(len(routes)), [len(r) for r in routes])
    cols = np.concatenate(routes) if routes else np.zeros(0, dtype=np.int64)
    incidence = csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(routes), len(src))).tocsr()
    return RouteSets(routes, np.asarray(pair_of, dtype=np.int64), first, count, bound, incidence)


def choose(sets: RouteSets, weights: Floats) -> tuple[Ints, npt.NDArray[np.bool_], Floats]:
    """Pick every pair's best candidate in each draw and say which picks are certified.

    Parameters
    ----------
    sets
        The candidate routes.
    weights
        Draws × edges: the routed weight of every edge in each draw.

    Returns
    -------
    chosen, certified, value
        Draws × pairs: the index (into ``sets.routes``) of the best candidate, whether it
        is proved to be the route Dijkstra finds, and its weight (inf for a pair without
        candidates): never below the weight of the route Dijkstra finds.
    """
    cost = np.asarray(sets.incidence @ weights.T).T  # draws × routes
    return pick_proved(cost, sets.first, sets.count, sets.bound)


def pick_proved(
    cost: Floats, first: Ints, count: Ints, bound: Floats, gap: Floats | None = None
) -> tuple[Ints, npt.NDArray[np.bool_], Floats]:
    """Pick each pair's cheapest candidate in every draw and say which picks are proved.

    A pick is proved when it is finite, below the pair's ``bound`` on any path outside the
    candidates and ahead of the runner-up, each by more than :data:`MARGIN` (and, with
    ``gap``, by less than the candidate's own gap along its fixed stretches).

    Parameters
    ----------
    cost
        Draws × candidates: each candidate's weight in each draw.
    first, count
        Pair ``p``'s candidates are columns ``first[p] : first[p] + count[p]``.
    bound
        Per pair, a lower bound on the weight of any path the candidates do not hold.
    gap
        Per candidate, the margin by which it stays the least path along its fixed
        stretches (None: no such condition).

    Returns
    -------
    chosen, certified, value
        Draws × pairs: the column picked, whether it is proved, and its weight (inf for a
        pair without candidates).
    """
    n_draws, n_pairs = len(cost), len(first)
    chosen = np.zeros((n_draws, n_pairs), dtype=np.int64)
    certified = np.zeros((n_draws, n_pairs), dtype=bool)
    least = np.full((n_draws, n_pairs), np.inf)
    draw_idx = np.arange(n_draws)
    for p in range(n_pairs):
        a, n = int(first[p]), int(count[p])
        if n == 0:
            continue
        block = cost[:, a : a + n]
        best = np.argmin(block, axis=1)
        value = block[draw_idx, best]
        slack = MARGIN * np.maximum(np.abs(value), 1.0)
        ok = np.isfinite(value) & (value + slack < bound[p])
        if gap is not None:
            ok &= gap[a + best] > slack
        if n > 1:
            runner = np.partition(block, 1, axis=1)[:, 1]
            ok &= runner - value > slack
        chosen[:, p] = a + best
        certified[:, p] = ok
        least[:, p] = value
    return chosen, certified, least
