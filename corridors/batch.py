"""Batch shortest paths on scipy.sparse.csgraph: origin-destination skims."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors import _query
from corridors.costs import DESTINATION, ORIGIN, Component, RoutingGraph

if TYPE_CHECKING:
    from corridors.network import Network
    from corridors.places import Place

TOTALS = ("distance_km", "time_h", "cost_usd", "co2_kg")


def _csr(rg: RoutingGraph, kept: tuple[np.ndarray, ...]) -> Any:
    from scipy.sparse import csr_array

    s, d, w, _ = kept
    return csr_array((w, (s, d)), shape=(rg.n_nodes, rg.n_nodes))


def path_totals(comps: Sequence[Component], value_of_time: float) -> dict[str, float]:
    """Sum components the way :class:`corridors.Route` does (``math.fsum`` per total)."""
    out = {
        "distance_km": float(math.fsum(c.distance_km for c in comps)),
        "time_h": float(math.fsum(c.time_h for c in comps)),
        "cost_usd": float(math.fsum(c.cost_usd for c in comps)),
        "co2_kg": float(math.fsum(c.co2_kg for c in comps)),
    }
    out["generalized_usd"] = out["cost_usd"] + value_of_time * out["time_h"]
    return out


_KEY = {
    "distance": "distance_km",
    "time": "time_h",
    "cost": "cost_usd",
    "co2": "co2_kg",
    "generalized": "generalized_usd",
}


def skim(
    net: Network,
    origins: Iterable[str],
    destinations: Iterable[str] | None = None,
    *,
    by: str = "time",
    profile: str | None = None,
    long: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """Compute an origin-destination matrix in one batch.

    One multi-source Dijkstra on ``scipy.sparse.csgraph`` answers every pair; each
    pair's totals are then summed over its path's legs exactly as :func:`corridors.route`
    sums them, so a skim cell equals the per-pair route's total.

    Parameters
    ----------
    net
        The network.
    origins, destinations
        Places as for :func:`corridors.route` (destinations default to the origins).
    by
        Objective routed on and reported (``time``, ``cost``, ``distance``, ``co2``,
        ``generalized``).
    profile
        Cargo profile id.
    long
        Return one row per pair with every total instead of a matrix.
    **options
        Route options (``statuses``, ``include_planned``, ``year``, ``modes``,
        ``avoid_countries``, ``avoid_links``, ``avoid_borders``, ``value_of_time``).

    Returns
    -------
    matrix
        Origins × destinations of the objective (NaN where no route or the same place),
        or the long table when ``long``.
    """
    from scipy.sparse.csgraph import dijkstra

    from corridors.routing import _with_access

    o_places: list[Place] = [net.places.resolve(p) for p in origins]
    d_places: list[Place] = (
        o_places if destinations is None else [net.places.resolve(p) for p in destinations]
    )
    opts = _query.make_options(by=by, **options)
    rg = net.routing_graph(profile)
    mask = _query.edge_mask(rg, opts)
    _, weight = _query.weights(rg, opts)
    kept = _query.collapse(rg.src, rg.dst, weight, mask)
    pair_edge = {(a, b): e for a, b, e in zip(*(x.tolist() for x in (kept[0], kept[1], kept[3])))}
    sources = [rg.index.get((p.node, ORIGIN), -1) for p in o_places]
    valid = sorted({s for s in sources if s >= 0})
    pred = np.empty((0, rg.n_nodes), dtype=np.int64)
    if valid:
        _, pred = dijkstra(_csr(rg, kept), directed=True, indices=valid, return_predecessors=True)
    row_of = {s: i for i, s in enumerate(valid)}
    vot = rg.profile.value_of_time_usd_per_h if opts.value_of_time is None else opts.value_of_time
    records = []
    for op, s in zip(o_places, sources):
        for dp in d_places:
            t = rg.index.get((dp.node, DESTINATION), -1)
            rec: dict[str, Any] = {"origin": op.query, "destination": dp.query}
            ok = s >= 0 and t >= 0 and op.node != dp.node and pred[row_of[s], t] >= 0
            if ok:
                nodes = [t]
                while nodes[-1] != s:
                    nodes.append(int(pred[row_of[s], nodes[-1]]))
                nodes.reverse()
                comps = [
                    c
                    for a, b in itertools.pairwise(nodes)
                    for c in rg.components[pair_edge[(a, b)]]
                ]
                comps = _with_access(comps, op, dp, net, rg)
                rec.update(path_totals(comps, vot))
            else:
                rec.update(dict.fromkeys((*TOTALS, "generalized_usd"), math.nan))
            records.append(rec)
    table = pd.DataFrame.from_records(records)
    if long:
        return table
    matrix = table.pivot(index="origin", columns="destination", values=_KEY[opts.by])
    order_o = list(dict.fromkeys(p.query for p in o_places))
    order_d = list(dict.fromkeys(p.query for p in d_places))
    return matrix.reindex(index=order_o, columns=order_d)
