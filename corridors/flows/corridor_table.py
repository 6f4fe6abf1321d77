"""The shipped corridor network as a link table, one demand class per cargo profile.

Every profile has its own routing graph (``graph/routing_graph.py``): the same places and
layers, its own costs, and links only in the modes it may use. The link table is their union:
one node per ``(place, layer)``, one link per distinct routing-graph edge. A profile's fixed
cost on a link is its generalized cost there (cost plus value of time x time, per
``routing/objectives.py``; a truck's driving hours weighed with the crew's breaks and rests
by the driving rules' long-run factor, as a route's search weighs them), divided by its
value of time so that every class counts cost in
hours of queueing; links it may not use (other modes, or barred by the route options) cost it
``inf``. Congestion adds hours: the delay of each capacity (``capacities.csv``) a link draws
on, paid by every class at what an hour of queueing costs it (``queue_costs.csv``: the cargo's
value lost per day of waiting, at least its value of time). Dividing the generalized cost by
that same figure keeps one convex objective for all classes: each class's cost is its fixed
cost plus the shared delay, in the same units. Capacities count tonnes, so a class's capacity
factor is its profile's tonnes per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors.flows.inputs import CapacityRow
from corridors.flows.links import LinkTable, SharedCapacity
from corridors.flows.vdf import VDF_KINDS
from corridors.graph.routing_graph import DESTINATION, ORIGIN
from corridors.routing import edge_weights

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.options import RouteOptions

FloatArray = npt.NDArray[np.float64]

#: BPR parameters for line capacities (the function's customary values).
BPR_ALPHA, BPR_BETA = 0.15, 4.0
#: Edge attributes carried over from the routing graphs, for results and maps.
EDGE_COLUMNS = ("kind", "link_id", "mode", "u_place", "v_place", "u_country", "v_country")


@dataclass(frozen=True)
class CorridorTable:
    """The union link table of the profiles' routing graphs, and what each class pays.

    Attributes
    ----------
    links : LinkTable
        Nodes are ``vnodes``; shared capacities are the rows of ``capacities``.
    vnodes : list of tuple
        ``(place, layer)`` of each node.
    edges : pandas.DataFrame
        One row per link: ``kind``, ``link_id``, ``mode``, ``u_place``, ``v_place``,
        ``u_country``, ``v_country``, and per profile ``time_h:P``, ``cost_usd:P``,
        ``distance_km:P``, ``co2_kg:P`` (NaN where the profile has no such edge).
    fixed : dict of str to numpy.ndarray
        Per profile, the fixed cost of each link in hours (``inf`` where barred).
    value_of_time : dict of str to float
        USD per hour per profile unit.
    queue_cost : dict of str to float
        USD per hour of queueing per profile unit (the unit of ``fixed`` and of delays).
    tonnes_per_unit : dict of str to float
    capacities : list of CapacityRow
        In the order of ``links.shared``.
    """

    links: LinkTable
    vnodes: list[tuple[str, str]]
    edges: pd.DataFrame
    fixed: dict[str, FloatArray]
    value_of_time: dict[str, float]
    tonnes_per_unit: dict[str, float]
    capacities: list[CapacityRow]
    queue_cost: dict[str, float]

    def node(self, place: str, layer: str) -> int:
        """Give the node number of ``(place, layer)``."""
        return self._index[(place, layer)]

    @property
    def _index(self) -> dict[tuple[str, str], int]:
        return {v: i for i, v in enumerate(self.vnodes)}

    def origins(self, places: list[str]) -> npt.NDArray[np.int64]:
        """Give the origin nodes of the given places."""
        index = self._index
        return np.array([index[(p, ORIGIN)] for p in places], dtype=np.int64)

    def destinations(self, places: list[str]) -> npt.NDArray[np.int64]:
        """Give the destination nodes of the given places."""
        index = self._index
        return np.array([index[(p, DESTINATION)] for p in places], dtype=np.int64)


def build_table(
    net: Network,
    profiles: list[str],
    capacities: list[CapacityRow],
    options: RouteOptions,
    queue_cost: dict[str, float] | None = None,
) -> CorridorTable:
    """Build the union link table of the given profiles with the given capacities.

    Parameters
    ----------
    net : Network
        The network (a scenario's network for what-ifs).
    profiles : list of str
        Profile ids, one class each.
    capacities : list of CapacityRow
        Capacities; a row whose target carries no link of its modes is left out of the table.
    options : RouteOptions
        Which links may be used (statuses, modes, avoided countries, ...).
    queue_cost : dict of str to float, optional
        USD per unit per hour of queueing for each profile (its value of time by default).

    Returns
    -------
    CorridorTable
    """
    index: dict[tuple[str, str], int] = {}
    vnodes: list[tuple[str, str]] = []
    edge_of: dict[tuple[int, int, str, str, int], int] = {}
    attrs: dict[str, list[object]] = {c: [] for c in EDGE_COLUMNS}
    per_profile: dict[str, dict[str, dict[int, float]]] = {}
    fixed_pairs: dict[str, dict[int, float]] = {}
    vot: dict[str, float] = {}
    waits: dict[str, float] = {}
    tpu: dict[str, float] = {}

    def node(key: tuple[str, str]) -> int:
        if key not in index:
            index[key] = len(vnodes)
            vnodes.append(key)
        return index[key]

    for pid in profiles:
        rg = net.routing_graph(pid)
        vot[pid] = rg.profile.value_of_time_usd_per_h
        per_h = max(vot[pid], (queue_cost or {}).get(pid, vot[pid]))
        waits[pid] = per_h
        tpu[pid] = rg.profile.tonnes_per_unit
        mask = edge_weights.edge_mask(rg, options)
        gen = edge_weights.objective(rg, "generalized")
        rules = rg.driving_rules.get(options.crew)
        if rules is not None:
            # a truck's hours weigh with the crew's breaks and rests, as a route's search
            # weighs them (the rules' long-run factor, at the profile's value of time)
            plain = replace(options, by="generalized", value_of_time=None)
            gen = gen + edge_weights.rest_weight(rg, plain, rules)
        ids = [node(v) for v in rg.vnodes]
        seen: dict[tuple[int, int, str, str], int] = {}
        vals: dict[str, dict[int, float]] = {
            "time_h": {}, "cost_usd": {}, "distance_km": {}, "co2_kg": {}
        }  # fmt: skip
        fixed_pairs[pid] = {}
        # the graph holds its strings as codes: each column is made once, not per edge
        columns = {c: getattr(rg, c) for c in EDGE_COLUMNS}
        for e in range(rg.n_edges):
            u, v = ids[int(rg.src[e])], ids[int(rg.dst[e])]
            base = (u, v, str(columns["kind"][e]), str(columns["link_id"][e]))
            nth = seen.get(base, 0)
            seen[base] = nth + 1
            key = (*base, nth)
            if key not in edge_of:
                edge_of[key] = len(edge_of)
                for c in EDGE_COLUMNS:
                    attrs[c].append(columns[c][e])
            k = edge_of[key]
            vals["time_h"][k] = float(rg.time_h[e])
            vals["cost_usd"][k] = float(rg.cost_usd[e])
            vals["distance_km"][k] = float(rg.distance_km[e])
            vals["co2_kg"][k] = float(rg.co2_kg[e])
            if mask[e]:
                fixed_pairs[pid][k] = float(gen[e]) / per_h
        per_profile[pid] = vals
    n_links = len(edge_of)
    keys = sorted(edge_of, key=edge_of.__getitem__)
    init = np.array([k[0] for k in keys], dtype=np.int64)
    term = np.array([k[1] for k in keys], dtype=np.int64)
    edges = pd.DataFrame(attrs)
    for pid, vals in per_profile.items():
        for name, by_edge in vals.items():
            col = np.full(n_links, np.nan)
            col[list(by_edge)] = list(by_edge.values())
            edges[f"{name}:{pid}"] = col
    fixed = {}
    for pid, pairs in fixed_pairs.items():
        f = np.full(n_links, np.inf)
        f[list(pairs)] = list(pairs.values())
        fixed[pid] = np.maximum(f, 0.0)
    shared, kept = _shared(net, edges, capacities, profiles)
    links = LinkTable.build(
        init,
        term,
        np.zeros(n_links),
        np.full(n_links, np.inf),
        alpha=0.0,
        beta=1.0,
        n_nodes=len(vnodes),
        shared=shared,
    )
    return CorridorTable(links, vnodes, edges, fixed, vot, tpu, kept, waits)


def _shared(
    net: Network, edges: pd.DataFrame, capacities: list[CapacityRow], profiles: list[str]
) -> tuple[SharedCapacity | None, list[CapacityRow]]:
    """Turn capacity rows into shared capacities over the table's links."""
    from scipy.sparse import csr_matrix

    is_link = (edges["kind"] == "link").to_numpy()
    mode = edges["mode"].astype(str).to_numpy()
    kinds = {n: str(d.get("kind", "")) for n, d in net.G.nodes(data=True)}
    rows: list[int] = []
    cols: list[int] = []
    kept: list[CapacityRow] = []
    for cap in capacities:
        sel = is_link & np.isin(mode, cap.modes)
        if cap.applies_to == "link":
            sel &= (edges["link_id"].astype(str) == cap.target).to_numpy()
        else:
            touch = (edges["u_place"] == cap.target) | (edges["v_place"] == cap.target)
            sel &= touch.to_numpy()
            if kinds.get(cap.target) == "border":
                sel &= (edges["u_country"] != edges["v_country"]).to_numpy()
        members = np.flatnonzero(sel)
        if members.size == 0:
            continue
        rows.extend([len(kept)] * members.size)
        cols.extend(members.tolist())
        kept.append(cap)
    if not kept:
        return None, []
    times = edges[[f"time_h:{p}" for p in profiles]].mean(axis=1, skipna=True).to_numpy()
    t0 = np.array(
        [float(np.nanmean(times[np.array(cols)[np.array(rows) == i]])) for i in range(len(kept))]
    )
    queue = np.array([c.vdf == "queue" for c in kept])
    members = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(kept), len(edges)))
    shared = SharedCapacity(
        members=members,
        capacity=np.array([c.tonnes_per_year for c in kept]),
        alpha=np.where(queue, [c.service_h for c in kept], BPR_ALPHA),
        beta=np.where(queue, 0.0, BPR_BETA),
        vdf=np.array([VDF_KINDS.index(c.vdf) for c in kept], dtype=np.int64),
        free_time=np.nan_to_num(t0),
        names=tuple(c.id for c in kept),
    )
    return shared, kept
