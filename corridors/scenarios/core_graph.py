"""Core graph: shortest paths over the few edges that vary, the rest solved once.

In a Monte Carlo run only the edges the ``uncertain`` entries reach (borders, ferry
waits...) change from draw to draw. Every path from an origin to a destination is a
sequence of those *varying* edges joined by stretches over the *fixed* edges, and the
best stretch between two points never changes. So, once per run:

1. one multi-source Dijkstra over the fixed edges, from every origin and from the end
   node of every varying edge, gives the fixed distance (and path) from each of them to
   every node: the shortcut edges of the core;
2. per pair, every sequence of varying edges whose least possible weight (fixed
   shortcuts, each varying edge at its least weight over all draws, and the least
   distance on to the destination) stays within a threshold ``T`` is listed: the
   candidate core paths. ``T`` starts at the pair's shortest distance with every edge at
   its greatest weight, which no draw's best path exceeds.

Per draw a core path costs its fixed shortcuts plus its varying edges' weights, so all
draws and pairs are costed at once by one sparse product (core paths × varying edges by
varying edges × draws) and the least is taken.

The pick is proved to be the path scipy's Dijkstra returns on the whole graph before it
is used. Dijkstra returns a path whose weight, summed left to right, is least; when that
least is reached by one path only, with every other path heavier by more than the
rounding error of either sum, any exact method finds the same path. A path other than
the pick either follows another sequence of varying edges, then it weighs at least that
sequence's core cost (at least the runner-up candidate's, or above ``T`` if the sequence
was not listed), or the same sequence with another fixed stretch somewhere, then it
enters some node of the pick's stretch by another fixed edge, which costs at least the
node's precomputed *entry gap* more. A cell (draw, pair) is certified when the pick beats
the runner-up, ``T`` and every entry gap along its stretches by more than a relative
:data:`MARGIN`; any other cell is routed by Dijkstra.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from corridors.scenarios.route_sets import MARGIN, pick_proved

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Most candidate core paths listed for one pair (``T`` is lowered to stay below it).
MAX_PATHS = 400
#: Most partial paths explored for one pair at one threshold before it is lowered.
MAX_STEPS = 8000
#: Bisection steps that look for the highest threshold whose candidates fit.
BISECTIONS = 5


@dataclass
class Core:
    """The candidate core paths of every pair and what certifies a pick among them.

    Attributes
    ----------
    groups, members
        The collapsed graph: each ``(u, v)`` group's edges (``members[groups[g]:groups[g+1]]``,
        the lowest edge index first among equal weights, as the draw's graph keeps them).
    varying
        Indices of the groups whose weight varies between draws.
    fixed_keep
        Per group: the edge kept when the group is fixed (-1 for varying groups).
    paths
        Per candidate: its groups in travel order.
    pair_of
        Per candidate: the pair it serves.
    first, count
        Per pair: where its candidates start and how many (0: Dijkstra routes it).
    bound
        Per pair: the threshold ``T`` every unlisted core path exceeds.
    fixed_cost
        Per candidate: the weight of its fixed shortcuts.
    gap
        Per candidate: the least entry gap along its fixed stretches.
    incidence
        Candidates × varying groups: how often each candidate uses each.
    """

    groups: Ints
    members: Ints
    varying: Ints
    fixed_keep: Ints
    paths: list[Ints]
    pair_of: Ints
    first: Ints
    count: Ints
    bound: Floats
    fixed_cost: Floats
    gap: Floats
    incidence: Any
    padded: Ints  # candidates × longest path: groups in walk order (last first), -1 after


def _csr(n: int, u: Ints, v: Ints, w: Floats) -> Any:
    """Return a CSR graph of unique, (u, v)-sorted edges, explicit zeros kept as edges."""
    from scipy.sparse import csr_array

    indptr = np.concatenate([[0], np.cumsum(np.bincount(u, minlength=n))]).astype(np.int64)
    return csr_array((w.astype(float), v.astype(np.int64), indptr), shape=(n, n))


def _entry_gaps(dist: Floats, pred: Any, gu: Ints, gv: Ints, gw: Floats, n: int) -> Floats:
    """Per tree row and node: how much more the cheapest other fixed edge in costs.

    ``inf`` where the node has no other way in (or is unreachable).
    """
    order = np.argsort(gv, kind="stable")
    u, v, w = gu[order], gv[order], gw[order]
    out = np.full(dist.shape, np.inf)
    if not len(order):
        return out
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    with np.errstate(invalid="ignore"):
        via = dist[:, u] + w[None, :] - dist[:, v]
    via[pred[:, v] == u[None, :]] = np.inf  # the tree's own edge
    via[~np.isfinite(via)] = np.inf
    out[:, v[starts]] = np.minimum.reduceat(via, starts, axis=1)
    return out


def build(
    n_nodes: int,
    order: Ints,
    starts: Ints,
    group_u: Ints,
    group_v: Ints,
    edge_varies: npt.NDArray[np.bool_],
    low: Floats,
    high: Floats,
    sources: Ints,
    targets: Ints,
    draw_weights: Callable[[], Iterable[Floats]] | None = None,
) -> Core:
    """List the candidate core paths of every pair.

    Parameters
    ----------
    n_nodes
        Number of nodes.
    order, starts
        The allowed edges sorted by ``(u, v, index)`` and where each ``(u, v)`` group
        starts (as the Monte Carlo run's graph layout holds them).
    group_u, group_v
        Each group's end nodes.
    edge_varies
        Per edge: whether its weight may differ between draws.
    low, high
        Per edge, the least and the greatest weight over all draws (equal for fixed edges).
    sources, targets
        Per pair, its start and end node.
    draw_weights
        Yields every draw's edge weights (draws × edges, a chunk at a time). With it each
        pair's threshold is what the draws need: the greatest over the draws of the
        weight of its least-weight paths; without it, the distance at the greatest weights.
    """
    from scipy.sparse.csgraph import dijkstra

    group_varies = np.logical_or.reduceat(edge_varies[order], starts)
    low_g = np.minimum.reduceat(low[order], starts)
    high_g = np.minimum.reduceat(high[order], starts)
    ends = np.append(starts[1:], len(order))
    # a fixed group keeps its least-weight edge, the lowest index among equals
    keep = order[starts].copy()
    for g in np.flatnonzero((ends - starts > 1) & ~group_varies).tolist():
        a, b = int(starts[g]), int(ends[g])
        keep[g] = order[a + int(np.argmin(low[order[a:b]]))]
    keep[group_varies] = -1
    fixed = np.flatnonzero(~group_varies)
    varying = np.flatnonzero(group_varies)
    f_graph = _csr(n_nodes, group_u[fixed], group_v[fixed], low_g[fixed])
    low_graph = _csr(n_nodes, group_u, group_v, low_g)
    high_graph = _csr(n_nodes, group_u, group_v, high_g)

    heads = group_v[varying]
    tails = group_u[varying]
    a_nodes = np.unique(np.concatenate([sources, heads]))
    row_of = np.full(n_nodes, -1, dtype=np.int64)
    row_of[a_nodes] = np.arange(len(a_nodes))
    dist_f, pred_f = dijkstra(f_graph, directed=True, indices=a_nodes, return_predecessors=True)
    gaps = _entry_gaps(dist_f, pred_f, group_u[fixed], group_v[fixed], low_g[fixed], n_nodes)
    u_src, s_row = np.unique(sources, return_inverse=True)
    u_dst, t_row = np.unique(targets, return_inverse=True)
    ahead = dijkstra(low_graph, directed=True, indices=u_src)
    back = dijkstra(low_graph.T.tocsr(), directed=True, indices=u_dst)
    worst = dijkstra(high_graph, directed=True, indices=u_src)
    group_of = {(int(a), int(b)): g for g, (a, b) in enumerate(zip(group_u, group_v))}
    w_low_var = low_g[varying]

    stretch_cache: dict[tuple[int, int], tuple[list[int], float]] = {}

    def stretch(a: int, b: int) -> tuple[list[int], float]:
        """Return the fixed path's groups from ``a`` (a tree root) to ``b`` and its least gap."""
        key = (a, b)
        hit = stretch_cache.get(key)
        if hit is None:
            r = int(row_of[a])
            nodes = [b]
            while nodes[-1] != a:
                nodes.append(int(pred_f[r, nodes[-1]]))
            nodes.reverse()
            g_path = [group_of[(x, y)] for x, y in itertools.pairwise(nodes)]
            least = float(gaps[r, nodes[1:]].min()) if len(nodes) > 1 else np.inf
            hit = stretch_cache[key] = (g_path, least)
        return hit

    def listing(p: int, threshold: float) -> tuple[float, list[Any]]:
        """Return the pair's candidates within ``threshold``, or the highest that fits.

        Where the candidates within ``threshold`` are too many to list, the threshold
        that fits is found by bisection between the pair's least distance and it.
        """
        s, t = int(sources[p]), int(targets[p])
        lowest = float(ahead[s_row[p], t])
        if not np.isfinite(lowest):
            return -np.inf, []  # no path in any draw: Dijkstra says so
        through = ahead[s_row[p], tails] + w_low_var + back[t_row[p], heads]

        def attempt(at: float) -> list[Any] | None:
            return _enumerate(
                s, t, at, through, tails, heads, w_low_var, dist_f, row_of, back[t_row[p]]
            )

        listed = attempt(threshold)
        if listed is not None:
            return threshold, listed
        fits, fits_at = None, -np.inf
        low, high = lowest * (1 + 4 * MARGIN) + MARGIN, threshold
        for _ in range(BISECTIONS):
            mid = (low + high) / 2
            got = attempt(mid)
            if got is None:
                high = mid
            else:
                fits, fits_at, low = got, mid, mid
        return (fits_at, fits) if fits is not None else (-np.inf, [])

    def expand(p: int, seq: list[int]) -> tuple[Ints, float]:
        s, t = int(sources[p]), int(targets[p])
        groups: list[int] = []
        least = np.inf
        at = s
        for k in seq:
            g_path, g_gap = stretch(at, int(tails[k]))
            groups += g_path
            groups.append(int(varying[k]))
            least = min(least, g_gap)
            at = int(heads[k])
        g_path, g_gap = stretch(at, t)
        groups += g_path
        return np.asarray(groups, dtype=np.int64), min(least, g_gap)

    def pack(
        found: list[tuple[float, list[Any]]], keep_mask: Any = None, light: bool = False
    ) -> Core:
        """Pack the listed candidates (those ``keep_mask`` keeps; no paths when ``light``)."""
        paths: list[Ints] = []
        seqs: list[list[int]] = []
        pair_of: list[int] = []
        fixed_cost: list[float] = []
        gap: list[float] = []
        first = np.zeros(len(sources), dtype=np.int64)
        count = np.zeros(len(sources), dtype=np.int64)
        bound = np.full(len(sources), -np.inf)
        i = 0
        for p, (threshold, listed) in enumerate(found):
            first[p] = len(seqs)
            bound[p] = threshold
            for seq, cost in listed:
                i += 1
                if keep_mask is not None and not keep_mask[i - 1]:
                    continue
                if not light:
                    g_path, least = expand(p, seq)
                    paths.append(g_path)
                    gap.append(least)
                seqs.append(seq)
                pair_of.append(p)
                fixed_cost.append(cost)
            count[p] = len(seqs) - first[p]
        if light:
            gap = [np.inf] * len(seqs)
        return _pack(
            starts,
            order,
            varying,
            keep,
            paths,
            seqs,
            pair_of,
            first,
            count,
            bound,
            fixed_cost,
            gap,
        )

    worst_of = worst[s_row, targets] * (1 + 4 * MARGIN) + MARGIN
    if draw_weights is None:
        return pack([listing(p, float(worst_of[p])) for p in range(len(sources))])
    # the least-weight paths bound every draw's best from above: the greatest of those
    # bounds over the draws is all the threshold needs (the weights do not all peak in
    # the same draw, so it is far below the distance at every greatest weight)
    least = ahead[s_row, targets] * (1 + 4 * MARGIN) + MARGIN
    first = pack([listing(p, float(least[p])) for p in range(len(sources))], light=True)
    need = np.full(len(sources), -np.inf)
    for chunk in draw_weights():
        need = np.maximum(need, choose(first, chunk)[2].max(axis=0))
    need = np.minimum(need * (1 + 4 * MARGIN) + MARGIN, worst_of)
    found = [listing(p, float(need[p])) for p in range(len(sources))]
    # a candidate that is never the best or near it in any draw changes no pick and no
    # proof (the runner-up is only looked at when it is that near), so it is dropped
    listed = pack(found, light=True)
    near = np.zeros(len(listed.fixed_cost), dtype=bool)
    for chunk in draw_weights():
        cost = costs(listed, chunk)
        for p in range(len(sources)):
            a, n = int(listed.first[p]), int(listed.count[p])
            if n:
                block = cost[:, a : a + n]
                best = block.min(axis=1, keepdims=True)
                slack = 2 * MARGIN * np.maximum(np.abs(best), 1.0)
                near[a : a + n] |= (block <= best + slack).any(axis=0)
    return pack(found, near)


def _enumerate(
    s: int,
    t: int,
    threshold: float,
    through: Floats,
    tails: Ints,
    heads: Ints,
    w_low: Floats,
    dist_f: Floats,
    row_of: Ints,
    to_t: Floats,
) -> list[tuple[list[int], float]] | None:
    """Every simple sequence of varying groups from ``s`` to ``t`` within ``threshold``.

    Returns ``(sequence, fixed cost)`` pairs (indices into ``varying``), or None when there
    are more than :data:`MAX_PATHS` or more than :data:`MAX_STEPS` partial sequences.
    The search goes one varying group deeper at a time, all partial sequences at once.
    """
    useful = np.flatnonzero(through <= threshold)
    u_tails = tails[useful]
    u_heads = heads[useful]
    u_low = w_low[useful]
    u_rest = to_t[u_heads]
    to_tails = dist_f[:, u_tails]
    to_end = dist_f[:, t]
    out: list[tuple[list[int], float]] = []
    # partial sequences: the node each ends at, its cost at least weights, its fixed
    # cost, and its groups (columns into ``useful``; -1 pads)
    at = np.array([s], dtype=np.int64)
    least = np.zeros(1)
    fixed = np.zeros(1)
    seqs = np.zeros((1, 0), dtype=np.int64)
    steps = 0
    while len(at):
        steps += len(at)
        if steps > MAX_STEPS:
            return None
        rows = row_of[at]
        finish = to_end[rows]
        done = np.flatnonzero(np.isfinite(finish) & (least + finish <= threshold))
        out.extend(zip(useful[seqs[done]].tolist(), (fixed[done] + finish[done]).tolist()))
        if len(out) > MAX_PATHS:
            return None
        hop = to_tails[rows]
        reach = least[:, None] + hop + u_low[None, :]
        ok = reach + u_rest[None, :] <= threshold
        if seqs.shape[1]:
            used = np.zeros_like(ok)
            np.put_along_axis(used, seqs, True, axis=1)
            ok &= ~used
        prefix, j = np.nonzero(ok)
        at = u_heads[j]
        least = reach[prefix, j]
        fixed = fixed[prefix] + hop[prefix, j]
        seqs = np.column_stack([seqs[prefix], j])
    return out


def _pack(
    starts: Ints,
    order: Ints,
    varying: Ints,
    keep: Ints,
    paths: list[Ints],
    seqs: list[list[int]],
    pair_of: list[int],
    first: Ints,
    count: Ints,
    bound: Floats,
    fixed_cost: list[float],
    gap: list[float],
) -> Core:
    from scipy.sparse import csr_array

    r = np.repeat(np.arange(len(seqs), dtype=np.int64), [len(q) for q in seqs])
    c = np.fromiter((k for q in seqs for k in q), dtype=np.int64, count=len(r))
    incidence = csr_array((np.ones(len(r)), (r, c)), shape=(len(seqs), len(varying))).tocsr()
    longest = max((len(x) for x in paths), default=0)
    padded = np.full((len(paths), longest), -1, dtype=np.int64)
    for i, g_path in enumerate(paths):
        padded[i, : len(g_path)] = g_path[::-1]
    groups = np.append(starts, len(order)).astype(np.int64)
    return Core(
        groups=groups,
        members=order,
        varying=varying,
        fixed_keep=keep,
        paths=paths,
        pair_of=np.asarray(pair_of, dtype=np.int64),
        first=first,
        count=count,
        bound=bound,
        fixed_cost=np.asarray(fixed_cost, dtype=float),
        gap=np.asarray(gap, dtype=float),
        incidence=incidence,
        padded=padded,
    )


def kept_edges(core: Core, weights: Floats) -> Ints:
    """Return, draws × groups, the edge each group keeps (least weight, lowest index)."""
    n_draws = len(weights)
    out = np.repeat(core.fixed_keep[None, :], n_draws, axis=0)
    a = core.groups[core.varying]
    b = core.groups[core.varying + 1]
    single = b - a == 1
    out[:, core.varying[single]] = core.members[a[single]][None, :]
    for g, lo, hi in zip(core.varying[~single].tolist(), a[~single].tolist(), b[~single].tolist()):
        members = core.members[lo:hi]
        out[:, g] = members[np.argmin(weights[:, members], axis=1)]
    return out


def costs(core: Core, weights: Floats, kept: Ints | None = None) -> Floats:
    """Return every candidate's weight in each draw (draws × candidates)."""
    if kept is None:
        kept = kept_edges(core, weights)
    var_w = np.take_along_axis(weights, kept[:, core.varying], axis=1)  # draws × varying
    return np.asarray(core.incidence @ var_w.T).T + core.fixed_cost[None, :]


def choose(core: Core, weights: Floats) -> tuple[Ints, npt.NDArray[np.bool_], Floats, Ints]:
    """Pick every pair's best core path in each draw and say which picks are certified.

    Parameters
    ----------
    core
        The candidate core paths.
    weights
        Draws × edges: the routed weight of every edge in each draw.

    Returns
    -------
    chosen, certified, value, kept
        Draws × pairs: the candidate picked, whether it is proved to be Dijkstra's path,
        and its weight (inf for a pair without candidates; never below the weight of the
        path Dijkstra finds); and the edge each group keeps in each draw.
    """
    kept = kept_edges(core, weights)
    cost = costs(core, weights, kept)
    chosen, certified, least = pick_proved(cost, core.first, core.count, core.bound, core.gap)
    return chosen, certified, least, kept


def cell_edges(core: Core, chosen: Ints, draws: Ints, kept: Ints) -> Ints:
    """Return each cell's edges in walk order (last edge first), -1 after its first edge."""
    groups = core.padded[chosen]
    n_groups = kept.shape[1]
    edges: Ints = kept.reshape(-1)[draws[:, None] * n_groups + np.maximum(groups, 0)]
    edges[groups < 0] = -1
    return edges
