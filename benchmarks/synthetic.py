"""Scale a routing graph up to OSM-level detail by subdividing its links.

Every physical-link edge becomes a chain of ``k`` edges through ``k - 1`` new nodes
placed along the straight line between its ends, each carrying ``1 / k`` of the edge's
weight; transfer, start, end and through edges are kept as they are. Shortest paths keep
their shape (the subdivided graph has the same shortest paths with the same lengths, up
to rounding), so only the size changes.
"""

from __future__ import annotations

import numpy as np

from benchmarks.peers import Graph


def pieces_for(g: Graph, target_edges: int) -> int:
    """Chain length ``k`` that brings the edge count closest to ``target_edges``."""
    assert g.is_link is not None
    links = int(g.is_link.sum())
    others = g.m - links
    return max(1, round((target_edges - others) / max(links, 1)))


def subdivide(g: Graph, k: int) -> Graph:
    """Split every link edge of ``g`` into ``k`` edges (``k = 1`` returns a copy)."""
    assert g.is_link is not None
    li = np.flatnonzero(g.is_link)
    keep = np.flatnonzero(~g.is_link)
    n_new = (k - 1) * len(li)
    inner = (g.n + np.arange(n_new, dtype=np.int64)).reshape(len(li), k - 1)
    chain = np.column_stack([g.src[li], inner, g.dst[li]])
    s = np.concatenate([g.src[keep], chain[:, :-1].ravel()])
    d = np.concatenate([g.dst[keep], chain[:, 1:].ravel()])
    w = np.concatenate([g.weight[keep], np.repeat(g.weight[li] / k, k)])
    is_link = np.concatenate([np.zeros(len(keep), bool), np.ones(len(li) * k, bool)])
    # new nodes along the straight line between the link's ends
    t = np.arange(1, k) / k
    xs = g.x[g.src[li]][:, None] + (g.x[g.dst[li]] - g.x[g.src[li]])[:, None] * t
    ys = g.y[g.src[li]][:, None] + (g.y[g.dst[li]] - g.y[g.src[li]])[:, None] * t
    order = np.lexsort((d, s))
    s, d, w, is_link = s[order], d[order], w[order], is_link[order]
    return Graph(
        n=g.n + n_new,
        src=s,
        dst=d,
        weight=w,
        x=np.concatenate([g.x, xs.ravel()]),
        y=np.concatenate([g.y, ys.ravel()]),
        comp_edge=np.arange(len(s), dtype=np.int64),
        comp_value=w.copy(),
        is_link=is_link,
        label=f"{g.label}, links split in {k}",
    )
