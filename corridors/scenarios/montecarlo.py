"""Monte Carlo runs: uncertain dwell, fees, headways and speeds drawn, every pair routed per draw.

The scenario is applied once. Each draw then only rewrites the cost components the
``uncertain`` parameters reach (a border's dwell, a ferry's waiting time, a link's running
time...) and sums them into edge weights with one ``bincount``; no graph is rebuilt per
draw. By default each pair's best route is picked among candidate paths over the edges that
vary, costed for all draws at once (:mod:`corridors.scenarios.core_graph`), wherever the
pick is proved to be Dijkstra's; the other pairs are answered by a multi-source Dijkstra on
``scipy.sparse.csgraph``.
All random numbers are drawn up front from one seeded generator, so the result depends
on the seed alone, not on how many processes share the draws.

Per pair the result holds the distribution of the best route's time and cost, which named
corridor the best route follows in each draw (so the probability that each corridor is
the best), and the time and cost of each corridor's route with its alignment held as in
the scenario (its waypoints fix it). Trucks keep the crew's driving-time rules: the search
weighs driving by the rules' long-run factor and each path found is timed with the crew's
breaks and rests on the draw's own times.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors.errors import InvalidOptionError, ScenarioError
from corridors.routing import edge_weights
from corridors.routing.batch import InEdges
from corridors.routing.objectives import OBJECTIVES, TIE_BREAK
from corridors.routing.views import view
from corridors.scenarios import core_graph, route_sets
from corridors.scenarios.distributions import DISTRIBUTIONS
from corridors.scenarios.schema import FRICTION_ATTRS, MAX_DRAWS, Uncertain
from corridors.scenarios.workers import check_workers, run_ordered

if TYPE_CHECKING:
    from corridors.graph.cost_model import Component
    from corridors.graph.driving_rules import DrivingRules
    from corridors.graph.network import Network
    from corridors.graph.places import Place
    from corridors.graph.routing_graph import RoutingGraph
    from corridors.routing.timeline import ClockStep
    from corridors.scenarios.comparison import Pair
    from corridors.scenarios.scenario import Progress, Scenario

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

#: Columns of the per-edge value matrix: what a path's totals are summed from.
VALUES = ("time_h", "cost_usd", "distance_km", "co2_kg")
#: How draws are routed (see :func:`run_montecarlo`).
ENGINES = ("core", "route-sets", "dijkstra")
#: Groups of sources of similar search limits, one Dijkstra call each.
LIMIT_GROUPS = 4
#: Predecessor entries (source rows × nodes) a chunk holds before its searches are walked.
WALK_BUDGET = 1 << 22
#: Draws handed to a worker at a time (also how often progress is reported).
CHUNK = 25


@dataclass
class _Target:
    """Cost components one uncertain parameter rewrites, and how."""

    column: int  # 0 time, 1 cost
    comps: Ints  # component indices
    instance: Ints  # which drawn instance each component follows
    base: Floats  # parameter value per instance (for relative draws)
    transform: str  # "value", "half", "inverse_km"
    km: Floats  # component distance (for speed draws)
    base_time: Floats  # component base time (for relative speed and sailing draws)
    entry: int  # index of the uncertain entry
    #: per component entry, the side-row slot it redraws (``-1``: the whole component); a
    #: crossing priced by two side rows is their mean, so one side is redrawn on its own
    slots: Ints = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass(frozen=True)
class _Sides:
    """The side rows of the crossings a draw redraws, each with its own time and fee."""

    base: Floats  # slots × 2 (the row's own time, fee; NaN where the row has none)
    group: Ints  # which redrawn crossing each slot belongs to
    comps: Ints  # the component of each redrawn crossing


@dataclass
class _Plan:
    """Everything a draw needs, as arrays (shared with worker processes)."""

    n_nodes: int
    src: Ints
    dst: Ints
    mask: npt.NDArray[np.bool_]
    comp_edge: Ints
    comp_base: Floats  # components × 2 (time, cost)
    edge_const: Floats  # edges × 2 (distance, co2)
    targets: list[_Target]
    params: list[Floats]  # per target: draws × instances
    by: str
    vot: float
    sources: Ints
    dests: Ints
    n_edges: int
    signature: npt.NDArray[np.uint64]
    structure: _Structure
    sets: route_sets.RouteSets | None = None  # candidate routes (None: not used)
    core: core_graph.Core | None = None  # candidate core paths (None: not used)
    low: Floats = field(default_factory=lambda: np.zeros(0))  # least weight per edge
    route_sig: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, np.uint64))
    #: which components a truck drives, and the share of an hour's driving the crew's
    #: rests add to the search weight (the rules' long-run factor less one; 0: no rests)
    drives: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))
    rest_share: float = 0.0
    sides: _Sides | None = None  # side rows of redrawn crossings (None: none redrawn)


@dataclass
class _Structure:
    """The allowed edges as one CSR layout that every draw reuses.

    Edges are grouped by ``(u, v)`` pair; a draw keeps the least-weight edge of each
    group (the lowest edge index among equal weights), as :func:`corridors.routing.options.collapse`
    does, and only writes the kept weights into the CSR data.
    """

    order: Ints  # allowed edge indices sorted by (u, v, index)
    starts: Ints  # where each (u, v) group starts in ``order``
    indptr: Ints
    indices: Ints
    pair_key: Ints  # u * n + v per group
    multi: Ints  # groups with parallel edges
    multi_start: Ints
    multi_len: Ints


def _structure(n_nodes: int, src: Ints, dst: Ints, mask: npt.NDArray[np.bool_]) -> _Structure:
    idx = np.flatnonzero(mask)
    order = idx[np.lexsort((idx, dst[idx], src[idx]))]
    s, d = src[order], dst[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    starts = np.flatnonzero(first)
    lengths = np.diff(np.append(starts, len(order)))
    pair_s, pair_d = s[starts], d[starts]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(pair_s, minlength=n_nodes))])
    multi = np.flatnonzero(lengths > 1)
    return _Structure(
        order=order,
        starts=starts,
        indptr=indptr.astype(np.int64),
        indices=pair_d.astype(np.int64),
        pair_key=pair_s * n_nodes + pair_d,
        multi=multi,
        multi_start=starts[multi],
        multi_len=lengths[multi],
    )


def _graph(plan: _Plan, weight: Floats, reuse: Any = None) -> tuple[Any, Ints]:
    """Return the draw's CSR graph and the edge kept for each of its (u, v) pairs.

    ``reuse``, a graph this function returned for the same plan, gets the new weights
    written into its data in place (every draw has the same layout).
    """
    from scipy.sparse import csr_array

    st = plan.structure
    w = weight[st.order]
    data = np.minimum.reduceat(w, st.starts)
    kept = st.order[st.starts].copy()
    for g, a, n in zip(st.multi.tolist(), st.multi_start.tolist(), st.multi_len.tolist()):
        kept[g] = st.order[a + int(np.argmin(w[a : a + n]))]
    if reuse is not None:
        reuse.data[:] = data
        return reuse, kept
    graph = csr_array((data, st.indices, st.indptr), shape=(plan.n_nodes, plan.n_nodes))
    return graph, kept


def _sample(
    u: Uncertain, base: Floats, low: Floats, high: Floats, draws: int, rng: np.random.Generator
) -> Floats:
    """Draw parameter values, ``draws × len(base)``.

    A shared draw is one value per draw for every row; a relative draw is a multiplier
    of each row's own value; bounds from the data are each row's ``_low``/``_high``.
    """
    dist = u.distribution
    n = 1 if u.shared else len(base)
    shape = (draws, n)
    if dist.from_data:
        lo, hi, mid = low, high, np.clip(base, low, high)
    else:
        lo_v = np.nan if dist.low is None else dist.low
        hi_v = np.nan if dist.high is None else dist.high
        mid_v = dist.mode if dist.mode is not None else (lo_v + hi_v) / 2
        lo, hi, mid = np.full(n, lo_v), np.full(n, hi_v), np.full(n, mid_v)
    out = DISTRIBUTIONS[dist.kind].sample(dist, lo, mid, hi, shape, rng)
    out = np.asarray(out, dtype=float)
    if u.shared:
        out = np.repeat(out, len(base), axis=1)
    if u.relative:
        out = out * base[None, :]
    return np.maximum(out, 0.0)


def uncertain_targets(
    scenario: Scenario, net: Network, rg: RoutingGraph, draws: int, seed: int
) -> tuple[list[_Target], list[Floats], _Sides | None, list[str]]:
    """Match each uncertain entry to the components it rewrites and draw its values.

    A crossing priced by its exit and entry rows is matched row by row: each row redrawn
    takes its own slot, and the crossing is recombined from its slots in every draw.
    """
    from corridors.data.geodata import records
    from corridors.graph.cost_model import friction_parts, side_value
    from corridors.scenarios.apply import Context, Edits

    ctx = Context(net, Edits(dict(net.geodata.tables)), scenario.lines, scenario.doc)
    rng = np.random.default_rng(seed)
    frictions = {str(r["id"]): r for r in records(net.geodata.frictions)}
    flat = [(e, c) for e, comps in enumerate(rg.components) for c in comps]
    notes: list[str] = []
    targets: list[_Target] = []
    params: list[Floats] = []
    side_slot: dict[tuple[int, str], int] = {}
    side_base: list[tuple[float, float]] = []
    side_comp: list[int] = []

    def slot_of(k: int, c: Component, fid: str) -> int:
        """Return the slot of row ``fid`` of crossing ``k``, giving all its rows slots."""
        if (k, fid) not in side_slot:
            for part_id in c.friction_ids:
                row = frictions[part_id]
                side_slot[(k, part_id)] = len(side_base)
                side_base.append((side_value(row, "time_h"), side_value(row, "fee_usd")))
                side_comp.append(k)
        return side_slot[(k, fid)]

    for i, u in enumerate(scenario.doc.uncertain):
        loc = ("uncertain", i, "where")
        keys: list[Any] = []
        comp_idx: list[int] = []
        comp_key: list[int] = []
        base: list[float] = []
        low: list[float] = []
        high: list[float] = []
        slots: list[int] = []
        if u.attribute in FRICTION_ATTRS:
            nodes = [ctx.node(n, (*loc, "node", j)) for j, n in enumerate(u.where.node)]
            on = None
            if u.where.corridor:
                on = set()
                for j, cid in enumerate(u.where.corridor):
                    found = ctx.corridor_route(cid, (*loc, "corridor", j), any_status=False)
                    on |= {
                        (part.friction_id, part.from_node, part.to_node)
                        for c in found.components
                        for part in friction_parts(c)
                    }
            profiles = u.where.profile
            skipped = 0
            for k, (_, c) in enumerate(flat):
                if c.friction_id is None or c.kind == "wait":
                    continue
                if profiles and rg.profile.id not in profiles:
                    continue
                parts = friction_parts(c)
                for part in parts:
                    if not ctx.friction_matches(part, u.where, nodes, on):
                        continue
                    fid = str(part.friction_id)
                    row = frictions.get(fid)
                    if row is None:
                        continue
                    value = row.get(u.attribute)
                    lo, hi = row.get(f"{u.attribute}_low"), row.get(f"{u.attribute}_high")
                    if value is None or not math.isfinite(value):
                        skipped += 1
                        continue
                    if u.distribution.from_data and not (
                        lo is not None
                        and hi is not None
                        and math.isfinite(lo)
                        and math.isfinite(hi)
                    ):
                        skipped += 1
                        continue
                    key = (fid, c.from_node, c.to_node)
                    if key not in keys:
                        keys.append(key)
                        base.append(float(value))
                        low.append(float(lo) if lo is not None and math.isfinite(lo) else math.nan)
                        high.append(float(hi) if hi is not None and math.isfinite(hi) else math.nan)
                    comp_idx.append(k)
                    comp_key.append(keys.index(key))
                    slots.append(slot_of(k, c, fid) if len(parts) > 1 else -1)
            if skipped:
                notes.append(
                    f"uncertain[{i}]: {skipped} friction use(s) without a value or range kept fixed"
                )
            column = 0 if u.attribute == "time_h" else 1
            transform = "value"
        else:
            ids, _ = ctx.select_links(u.where, loc)
            chosen = set(ids)
            column, transform = (
                0,
                {"headway_h": "half", "speed_kph": "inverse_km", "sailing_h": "value"}[u.attribute],
            )
            for k, (_, c) in enumerate(flat):
                if c.link_id not in chosen:
                    continue
                if u.attribute == "headway_h" and c.kind != "wait":
                    continue
                if u.attribute != "headway_h" and c.kind != "haul":
                    continue
                if u.attribute == "headway_h":
                    value = 2.0 * c.time_h
                elif u.attribute == "speed_kph":
                    value = c.distance_km / c.time_h if c.time_h > 0 else math.nan
                else:
                    value = c.time_h
                if not math.isfinite(value):
                    continue
                if c.link_id not in keys:
                    keys.append(c.link_id)
                    base.append(float(value))
                    low.append(math.nan)
                    high.append(math.nan)
                comp_idx.append(k)
                comp_key.append(keys.index(c.link_id))
                slots.append(-1)
        if not keys:
            msg = (
                f"{scenario.lines.where(('uncertain', i))}: `uncertain[{i}]` reaches no "
                f"{u.attribute} on the routing graph; check `where`"
            )
            raise ScenarioError(msg)
        b = np.asarray(base, dtype=float)
        drawn = _sample(u, b, np.asarray(low), np.asarray(high), draws, rng)
        idx = np.asarray(comp_idx, dtype=np.int64)
        targets.append(
            _Target(
                column=column,
                comps=idx,
                instance=np.asarray(comp_key, dtype=np.int64),
                base=b,
                transform=transform,
                km=np.array([flat[k][1].distance_km for k in comp_idx]),
                base_time=np.array([flat[k][1].time_h for k in comp_idx]),
                entry=i,
                slots=np.asarray(slots, dtype=np.int64),
            )
        )
        params.append(drawn)
    sides = None
    if side_comp:
        comps, group = np.unique(np.asarray(side_comp, dtype=np.int64), return_inverse=True)
        sides = _Sides(np.asarray(side_base, dtype=float), group, comps)
    return targets, params, sides, notes


_STATE: dict[str, Any] = {}


def _components(plan: _Plan, k: int) -> Floats:
    """Time and cost of every cost component in draw ``k`` (components × 2)."""
    comp = plan.comp_base.copy()
    sides = None if plan.sides is None else plan.sides.base.copy()
    for t, p in zip(plan.targets, plan.params):
        value = p[k][t.instance]
        if t.transform == "half":
            new = value / 2.0
        elif t.transform == "inverse_km":
            new = np.where(value > 0, t.km / np.maximum(value, 1e-9), np.inf)
        else:
            new = value
        _write(comp, sides, t, new)
    return _recombined(plan, comp, sides)


def _write(comp: Floats, sides: Floats | None, t: _Target, new: Floats) -> None:
    """Write a target's new values into its whole components or its crossings' side rows."""
    if sides is None or not (t.slots >= 0).any():
        comp[t.comps, t.column] = new
        return
    side = t.slots >= 0
    comp[t.comps[~side], t.column] = new[~side]
    sides[t.slots[side], t.column] = new[side]


def _recombined(plan: _Plan, comp: Floats, sides: Floats | None) -> Floats:
    """Set each redrawn crossing to the mean of its side rows, as the routing graph does."""
    if plan.sides is None or sides is None:
        return comp
    s = plan.sides
    for col in (0, 1):
        # the mean of the known sides (a side without a value is NaN), summed in slot
        # order from zero: for two known sides exactly ``exit + entry``, as
        # :func:`corridors.graph.cost_model.combine_sides` gives before dividing
        values = sides[:, col]
        known = ~np.isnan(values)
        n = len(s.comps)
        total = np.bincount(s.group, weights=np.where(known, values, 0.0), minlength=n)
        count = np.bincount(s.group, weights=known, minlength=n)
        comp[s.comps, col] = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    return comp


def _extreme_components(plan: _Plan, least: bool = True) -> Floats:
    """Time and cost of every component at its least (or greatest) over all draws."""
    comp = plan.comp_base.copy()
    sides = None if plan.sides is None else plan.sides.base.copy()
    for t, p in zip(plan.targets, plan.params):
        # a drawn speed divides: its greatest value gives the least time
        take_max = (t.transform == "inverse_km") == least
        value = (p.max(axis=0) if take_max else p.min(axis=0))[t.instance]
        if t.transform == "half":
            new = value / 2.0
        elif t.transform == "inverse_km":
            new = np.where(value > 0, t.km / np.maximum(value, 1e-9), np.inf)
        else:
            new = value
        _write(comp, sides, t, new)
    # the mean of each crossing's least (greatest) sides is its least (greatest) mean
    return _recombined(plan, comp, sides)


def _edge_values(plan: _Plan, k: int, comp: Floats | None = None) -> Floats:
    """Per-edge time, cost, distance, CO2 and truck driving hours in draw ``k``.

    Or of the components given. The first four columns are what a path's totals sum; the
    driving hours only weigh the crew's rests in the search (:func:`_weights`).
    """
    if comp is None:
        comp = _components(plan, k)
    n = plan.n_edges
    out = np.zeros((n, 5))
    out[:, 0] = np.bincount(plan.comp_edge, weights=comp[:, 0], minlength=n)
    out[:, 1] = np.bincount(plan.comp_edge, weights=comp[:, 1], minlength=n)
    out[:, 2:4] = plan.edge_const
    if plan.rest_share > 0:
        driven = np.where(plan.drives, comp[:, 0], 0.0)
        out[:, 4] = np.bincount(plan.comp_edge, weights=driven, minlength=n)
    return out


def _weights(plan: _Plan, vals: Floats) -> Floats:
    """Search weight per edge: the objective, its tie-break, and the crew's rests.

    The rests weigh each hour a truck drives by the rules' long-run factor, priced by the
    objective, as a single route's search does (:func:`corridors.routing.edge_weights.rest_weight`).
    """
    columns = (vals[:, 0], vals[:, 1], vals[:, 2], vals[:, 3], plan.vot)
    chosen = OBJECTIVES[plan.by]
    primary = chosen.of(*columns)
    second = OBJECTIVES[chosen.tie_break].of(*columns)
    weight = primary + TIE_BREAK * second
    if plan.rest_share > 0:
        zero = np.zeros(len(vals))
        weight = weight + chosen.of(vals[:, 4] * plan.rest_share, zero, zero, zero, plan.vot)
    return np.asarray(weight)


def _objective(plan: _Plan, totals: Floats) -> Floats:
    columns = (totals[..., 0], totals[..., 1], totals[..., 2], totals[..., 3], plan.vot)
    return np.asarray(OBJECTIVES[plan.by].of(*columns))


#: What a chunk of draws returns: totals, path signatures, the edges (source to target)
#: of each (pair, signature) first seen in the chunk, and how many of its (draw, pair)
#: cells Dijkstra routed.
_Part = tuple[Floats, npt.NDArray[np.uint64], dict[tuple[int, int], Ints], int]


def _in_edges(plan: _Plan) -> tuple[Ints, Ints, Ints]:
    """Per node, the (u, v) groups that enter it: order, pointers, and each group's ``u``."""
    hit = _STATE.get("in_edges")
    if hit is None:
        st = plan.structure
        order = np.argsort(st.indices, kind="stable")
        ptr = np.concatenate([[0], np.cumsum(np.bincount(st.indices, minlength=plan.n_nodes))])
        hit = _STATE["in_edges"] = (order, ptr.astype(np.int64), st.pair_key // plan.n_nodes)
    return hit


def _unique_preds(
    plan: _Plan, dist: Floats, data: Floats, rows: Ints, nodes: Ints, search: Ints, n_searches: int
) -> npt.NDArray[np.bool_]:
    """Per search, whether each of its path nodes is reached through exactly one way in.

    ``rows`` index the stacked distances ``dist``; ``search`` says which search (row of
    ``data``, the searches' weights per ``(u, v)`` group) each node belongs to.
    Dijkstra's distances do not depend on the order it settles nodes in; its predecessors
    do only where two ways in reach a node's distance exactly. Where every node of a
    path has a single such way, any search that settles the path's nodes, however far
    it goes beyond them, finds the same path.
    """
    order, ptr, pair_u = _in_edges(plan)
    deg = ptr[nodes + 1] - ptr[nodes]
    step = np.repeat(np.arange(len(nodes)), deg)
    offset = np.arange(len(step)) - np.repeat(np.cumsum(deg) - deg, deg)
    groups = order[ptr[nodes][step] + offset]
    n = plan.n_nodes
    flat = dist.reshape(-1)
    via = flat[rows[step] * n + pair_u[groups]] + data[search[step], groups]
    hits = np.bincount(step, weights=via == flat[rows * n + nodes][step], minlength=len(nodes))
    worst = np.zeros(n_searches)
    np.maximum.at(worst, search, hits)
    return np.asarray(worst <= 1)


@dataclass
class _Search:
    """One draw's Dijkstra from the sources of some pairs, ready to be walked."""

    draw: int  # the draw's position in its chunk
    pairs: Ints
    row: Ints  # per pair, its row of ``dist`` and ``pred``
    dist: Floats
    pred: npt.NDArray[np.int32]
    kept: Ints  # per (u, v) group, the edge the draw's graph keeps
    data: Floats  # per (u, v) group, its weight in the draw's graph
    bounded: bool


def _search(
    plan: _Plan,
    draw: int,
    weight: Floats,
    pairs: Ints,
    csr: Any = None,
    limit: Floats | None = None,
) -> tuple[_Search | None, Any]:
    """Search one draw with Dijkstra from the sources of ``pairs``.

    Returns the search (None when ``limit`` cut off a pair) and the CSR graph, for the
    next call to reuse. With ``limit`` (per pair, at least its shortest distance) the
    search from each source stops at the largest limit of its pairs (sources are searched
    in a few groups of similar limits).
    """
    from scipy.sparse.csgraph import dijkstra

    n = plan.n_nodes
    uniq, row = np.unique(plan.sources[pairs], return_inverse=True)
    csr, kept = _graph(plan, weight, csr)
    if limit is None:
        dist, pred = dijkstra(csr, directed=True, indices=uniq, return_predecessors=True)
    else:
        reach_of = np.zeros(len(uniq))
        np.maximum.at(reach_of, row, limit)
        dist = np.empty((len(uniq), n))
        pred = np.empty((len(uniq), n), dtype=np.int32)
        by_reach = np.argsort(reach_of, kind="stable")
        for part in np.array_split(by_reach, min(LIMIT_GROUPS, len(uniq))):
            dist[part], pred[part] = dijkstra(
                csr,
                directed=True,
                indices=uniq[part],
                return_predecessors=True,
                limit=float(reach_of[part].max()),
            )
        if not np.isfinite(dist[row, plan.dests[pairs]]).all():
            return None, csr
    found = _Search(draw, pairs, row, dist, pred, kept, csr.data.copy(), limit is not None)
    return found, csr


#: What walking a search gives: the pairs' totals, signatures and edges in travel order.
_Walked = tuple[Floats, npt.NDArray[np.uint64], list[Ints | None]]


def _walk(plan: _Plan, searches: list[_Search], vals: list[Floats]) -> list[_Walked | None]:
    """Walk every pair of every search back from its target at once: totals and paths.

    Each search's totals are those of its pairs' paths, summed in walk order (last edge
    first), NaN where a pair is unreachable; ``vals[i]`` are search ``i``'s edge values.
    A bounded search whose paths go through a node reached by two ways in at the same
    distance gives None: its paths need not be those of the full search.
    """
    if not searches:
        return []
    n = plan.n_nodes
    groups: InEdges | None = _STATE.get("groups")
    if groups is None:
        # finds the (u, v) group of each path step; built once per process
        st = plan.structure
        groups = _STATE["groups"] = InEdges(n, st.pair_key // n, st.indices)
    n_rows = np.array([len(s.dist) for s in searches])
    n_cells = np.array([len(s.pairs) for s in searches])
    row_off = np.cumsum(n_rows) - n_rows
    dist = np.concatenate([s.dist for s in searches])
    flat = np.concatenate([s.pred for s in searches]).reshape(-1)
    kept = np.stack([s.kept for s in searches])
    n_groups = kept.shape[1]
    cell_search = np.repeat(np.arange(len(searches)), n_cells)
    cell_row = np.concatenate([s.row + off for s, off in zip(searches, row_off.tolist())])
    cell_dest = np.concatenate([plan.dests[s.pairs] for s in searches]).astype(np.int64)
    reach = np.isfinite(dist[cell_row, cell_dest])
    # walk every cell from its target back to its source at once, recording the (cell,
    # edge) of each step; the sums are then one bincount per column, which adds each
    # cell's edges in walk order
    on_cell: list[Ints] = []
    on_edge: list[Ints] = []
    on_node: list[Ints] = []
    live = np.flatnonzero(reach)
    node = cell_dest[live]
    base = cell_row[live] * n
    while len(live):
        prev = flat[base + node].astype(np.int64)
        ok = prev >= 0
        if np.count_nonzero(ok) < len(ok):
            live, node, prev, base = live[ok], node[ok], prev[ok], base[ok]
            if not len(live):
                break
        on_cell.append(live)
        on_edge.append(kept.reshape(-1)[cell_search[live] * n_groups + groups.find(prev, node)])
        on_node.append(node)
        node = prev
    none = np.zeros(0, dtype=np.int64)
    cell_of = np.concatenate(on_cell) if on_cell else none
    edge_of = np.concatenate(on_edge) if on_edge else none
    step_search = cell_search[cell_of]
    fine = np.ones(len(searches), dtype=bool)
    bounded = np.array([s.bounded for s in searches])
    if bounded.any() and len(cell_of):
        nodes = np.concatenate(on_node)
        at = np.flatnonzero(bounded[step_search])
        data = np.stack([s.data for s in searches])
        fine = _unique_preds(
            plan,
            dist,
            data,
            cell_row[cell_of[at]],
            nodes[at],
            step_search[at],
            len(searches),
        )
    # each step's values from its own draw's (not stacked: a large network's are big)
    step_vals = np.empty((len(cell_of), 4))
    for i, v in enumerate(vals):
        at_i = np.flatnonzero(step_search == i)
        step_vals[at_i] = v[edge_of[at_i], :4]
    totals = np.empty((int(n_cells.sum()), 4))
    for c in range(4):
        totals[:, c] = np.bincount(cell_of, weights=step_vals[:, c], minlength=len(totals))
    totals[~reach] = np.nan
    sigs = np.zeros(len(totals), dtype=np.uint64)
    np.add.at(sigs, cell_of, plan.signature[edge_of])
    # each cell's edges, in walk order, side by side
    order = np.argsort(cell_of, kind="stable")
    ends = np.cumsum(np.bincount(cell_of, minlength=len(totals)))
    by_cell = edge_of[order]
    out: list[_Walked | None] = []
    first = 0
    for i, k in enumerate(n_cells.tolist()):
        cells = range(first, first + k)
        first += k
        if not fine[i]:
            out.append(None)
            continue
        found: list[Ints | None] = [
            by_cell[(ends[c - 1] if c else 0) : ends[c]][::-1] if reach[c] else None for c in cells
        ]
        out.append((totals[cells.start : cells.stop], sigs[cells.start : cells.stop], found))
    return out


def _walk_one(
    plan: _Plan, weight: Floats, vals: Floats, pairs: Ints
) -> tuple[Floats, npt.NDArray[np.uint64], list[Ints | None]]:
    """Route ``pairs`` in one draw with a full Dijkstra: totals, signatures and paths."""
    found, _ = _search(plan, 0, weight, pairs)
    assert found is not None  # an unbounded search always answers
    walked = _walk(plan, [found], [vals])[0]
    assert walked is not None  # nor is it checked for ties
    return walked


def _run_draws(draws: Sequence[int]) -> _Part:
    """Route every pair in each draw: totals and path signatures."""
    plan: _Plan = _STATE["plan"]
    n_pairs = len(plan.sources)
    totals = np.full((len(draws), n_pairs, 4), np.nan)
    sigs = np.zeros((len(draws), n_pairs), dtype=np.uint64)
    paths: dict[tuple[int, int], Ints] = {}
    every = np.arange(n_pairs, dtype=np.int64)
    vals = [_edge_values(plan, k) for k in draws]
    weights = np.array([_weights(plan, v) for v in vals]).reshape(len(draws), plan.n_edges)
    sets = plan.sets
    if plan.core is not None:
        chosen, certified, least = _core_cells(plan, plan.core, weights, vals, totals, sigs, paths)
    elif sets is None:
        certified = np.zeros((len(draws), n_pairs), dtype=bool)
        chosen = np.zeros((len(draws), n_pairs), dtype=np.int64)
        least = np.full((len(draws), n_pairs), np.inf)
    else:
        chosen, certified, least = route_sets.choose(sets, weights)
        # the bound holds for weights at or above the least weights it was built from
        certified &= np.all(weights[:, plan.mask] >= plan.low[plan.mask], axis=1)[:, None]
        stacked = np.stack(vals)  # draws × edges × 5
        for r in np.unique(chosen[certified]).tolist():
            at_draw, at_pair = np.nonzero(certified & (chosen == r))
            edges = sets.routes[r]
            acc = np.zeros((len(at_draw), 4))
            for e in edges[::-1].tolist():  # in walk order, as Dijkstra's results are summed
                acc += stacked[at_draw, e, :4]
            totals[at_draw, at_pair] = acc
            sigs[at_draw, at_pair] = plan.route_sig[r]
            for p in np.unique(at_pair).tolist():
                paths.setdefault((p, int(plan.route_sig[r])), edges)
    csr: Any = None
    pending: list[_Search] = []

    def settle() -> None:
        """Walk the searches held, searching again in full where a bounded one may differ."""
        nonlocal csr
        walked = _walk(plan, pending, [vals[s.draw] for s in pending])
        for s, got in zip(pending, walked):
            if got is None:
                again, csr = _search(plan, s.draw, weights[s.draw], s.pairs, csr)
                assert again is not None  # an unbounded search always answers
                got = _walk(plan, [again], [vals[s.draw]])[0]
                assert got is not None  # nor is it checked for ties
            t, g, found = got
            totals[s.draw, s.pairs] = t
            sigs[s.draw, s.pairs] = g
            for j, (p, edges) in enumerate(zip(s.pairs.tolist(), found)):
                if edges is not None:
                    paths.setdefault((p, int(g[j])), edges)
        pending.clear()

    held = 0
    for i in range(len(draws)):
        todo = every[~certified[i]]
        if not len(todo):
            continue
        # a candidate route's weight bounds the pair's best from above, so Dijkstra
        # need not search beyond the largest of them
        limit = least[i, todo] * (1 + route_sets.MARGIN) + route_sets.MARGIN
        found = None
        if np.isfinite(limit).all():
            found, csr = _search(plan, i, weights[i], todo, csr, limit)
        if found is None:
            found, csr = _search(plan, i, weights[i], todo, csr)
        assert found is not None  # an unbounded search always answers
        pending.append(found)
        held += found.pred.size
        if held >= WALK_BUDGET:
            # the draws' searches are walked together, a few megabytes of them at a time
            settle()
            held = 0
    settle()
    return totals, sigs, paths, int((~certified).sum())


def _core_cells(
    plan: _Plan,
    core: core_graph.Core,
    weights: Floats,
    vals: list[Floats],
    totals: Floats,
    sigs: npt.NDArray[np.uint64],
    paths: dict[tuple[int, int], Ints],
) -> tuple[Ints, npt.NDArray[np.bool_], Floats]:
    """Fill the cells the core graph certifies: totals, signatures and first paths."""
    chosen, certified, least, kept = core_graph.choose(core, weights)
    at_draw, at_pair = np.nonzero(certified)
    if not len(at_draw):
        return chosen, certified, least
    edges = core_graph.cell_edges(core, chosen[at_draw, at_pair], at_draw, kept)
    pad = edges < 0
    safe = np.where(pad, 0, edges)
    stacked = np.stack(vals)[:, :, :4]  # draws × edges × the four totals
    step = stacked[at_draw[:, None], safe]
    step[pad] = 0.0
    # in walk order (last edge first), as Dijkstra's results are summed; adding the
    # zero padding after the first edge changes no sum
    acc = np.zeros((len(at_draw), 4))
    for k in range(edges.shape[1]):
        acc += step[:, k]
    totals[at_draw, at_pair] = acc
    sig = np.where(pad, np.uint64(0), plan.signature[safe]).sum(axis=1, dtype=np.uint64)
    sigs[at_draw, at_pair] = sig
    for i, (p, g) in enumerate(zip(at_pair.tolist(), sig.tolist())):
        if (p, g) not in paths:
            row = edges[i]
            paths[(p, g)] = row[row >= 0][::-1].copy()
    return chosen, certified, least


def _with_core(plan: _Plan, draws: int) -> None:
    """Give the plan its core graph: candidate core paths of every pair."""
    plan.low = _weights(plan, _edge_values(plan, 0, _extreme_components(plan)))
    high = _weights(plan, _edge_values(plan, 0, _extreme_components(plan, least=False)))
    varies = np.zeros(plan.n_edges, dtype=bool)
    for t in plan.targets:
        varies[plan.comp_edge[t.comps]] = True
    st = plan.structure
    plan.core = core_graph.build(
        plan.n_nodes,
        st.order,
        st.starts,
        st.pair_key // plan.n_nodes,
        st.indices,
        varies,
        plan.low,
        high,
        plan.sources,
        plan.dests,
        lambda: _all_weights(plan, draws),
    )


def _all_weights(plan: _Plan, draws: int) -> Iterator[Floats]:
    """Yield every draw's edge weights, a few hundred draws at a time."""
    for start in range(0, draws, 400):
        part = range(start, min(start + 400, draws))
        yield np.array([_weights(plan, _edge_values(plan, k)) for k in part])


#: Sample draws whose Dijkstra routes seed the candidate route sets.
SAMPLE_DRAWS = 12


def _with_route_sets(plan: _Plan, draws: int) -> None:
    """Give the plan candidate route sets, seeded by Dijkstra on a few draws."""
    plan.low = _weights(plan, _edge_values(plan, 0, _extreme_components(plan)))
    every = np.arange(len(plan.sources), dtype=np.int64)
    samples: list[list[Ints | None]] = [[] for _ in every]
    zero = np.zeros((plan.n_edges, 4))
    high = _weights(plan, _edge_values(plan, 0, _extreme_components(plan, least=False)))
    runs = [(plan.low, zero)] + [
        (_weights(plan, v), v)
        for v in (
            _edge_values(plan, int(k))
            for k in np.unique(np.linspace(0, draws - 1, SAMPLE_DRAWS).astype(int))
        )
    ]
    try:
        for weight, vals in runs:
            found = _walk_one(plan, weight, vals, every)[2]
            for p, edges in enumerate(found):
                samples[p].append(edges)
    finally:
        _STATE.pop("groups", None)
        _STATE.pop("in_edges", None)
    sets = route_sets.build(
        samples,
        plan.low,
        high,
        plan.mask,
        plan.src,
        plan.dst,
        plan.n_nodes,
        plan.sources,
        plan.dests,
    )
    plan.sets = sets
    plan.route_sig = np.array(
        [np.add.reduce(plan.signature[r], dtype=np.uint64) for r in sets.routes], dtype=np.uint64
    )


def _chunks(n: int) -> list[list[int]]:
    return [list(range(i, min(i + CHUNK, n))) for i in range(0, n, CHUNK)]


@dataclass
class MonteCarloResult:
    """Distributions from a Monte Carlo run.

    Attributes
    ----------
    name
        The scenario's name.
    by
        The objective routes are chosen by.
    draws, seed
        How many draws, and the seed they came from.
    samples
        One row per draw and OD pair: the best route's totals and the corridor it follows.
    corridor_samples
        One row per draw, OD pair and corridor: that corridor's route (alignment fixed)
        totals and objective.
    notes
        What was held fixed and why.
    dijkstra_cells
        How many (draw, pair) cells Dijkstra routed (all of them with
        ``engine="dijkstra"``); the others were certified picks among candidates.
    """

    name: str
    by: str
    draws: int
    seed: int
    samples: pd.DataFrame
    corridor_samples: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: (draw, pair) cells routed by Dijkstra; the rest were proved picks among candidates.
    dijkstra_cells: int = 0

    def summary(self) -> pd.DataFrame:
        """Return per OD pair and corridor: mean, p5, p50, p95 of time and cost, P(best).

        Row ``best`` describes the best route of each draw; ``p_best`` is the share of
        draws whose best route follows the corridor, ``p_best_fixed`` the share in which
        the corridor's fixed-alignment route beats the other corridors'.
        """
        rows = []
        keys = ["origin", "destination"]
        for (o, d), group in self.samples.groupby(keys, sort=False):
            rows.append(
                {"origin": o, "destination": d, "corridor": "best", **_stats(group), "p_best": 1.0}
            )
            share = group["follows"].value_counts(normalize=True)
            csub = self.corridor_samples[
                (self.corridor_samples["origin"] == o) & (self.corridor_samples["destination"] == d)
            ]
            winners = (
                csub.loc[csub.groupby("draw")["objective"].idxmin(), "corridor"].value_counts(
                    normalize=True
                )
                if not csub.empty and csub["objective"].notna().any()
                else pd.Series(dtype=float)
            )
            named = list(
                dict.fromkeys([*csub["corridor"].unique().tolist(), *share.index.tolist()])
            )
            for cid in named:
                cg = csub[csub["corridor"] == cid]
                stats = _stats(cg) if not cg.empty else {}
                rows.append(
                    {
                        "origin": o,
                        "destination": d,
                        "corridor": cid,
                        **stats,
                        "p_best": float(share.get(cid, 0.0)),
                        "p_best_fixed": float(winners.get(cid, 0.0)) if not cg.empty else math.nan,
                    }
                )
        return pd.DataFrame(rows)

    def plot(self, **kwargs: Any) -> Any:
        """Return a matplotlib figure: box plots of each corridor's objective per pair."""
        return view("MonteCarloResult.plot", self, **kwargs)

    def write(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the summary (CSV/JSON/Parquet) or the chart (PNG/SVG/PDF), by extension."""
        return Path(view("MonteCarloResult.write", self, path, force=force))

    def __rich__(self) -> Any:
        return view("MonteCarloResult.rich", self)

    def _repr_html_(self) -> str:
        return str(self.summary().round(2).to_html(index=False, na_rep=""))


def _stats(group: pd.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for col in ("time_h", "cost_usd"):
        v = group[col].to_numpy(float)
        v = v[np.isfinite(v)]
        if len(v) == 0:
            continue
        out[f"{col}_mean"] = float(v.mean())
        for q in (5, 50, 95):
            out[f"{col}_p{q}"] = float(np.percentile(v, q))
    out["draws_routed"] = float(np.isfinite(group["time_h"].to_numpy(float)).sum())
    return out


def _access(net: Network, rg: RoutingGraph, place: Place, start: bool) -> Floats:
    from corridors.routing.batch import access_legs

    legs = access_legs(net, rg, place, start)
    return np.array(
        [
            sum(c.time_h for c in legs),
            sum(c.cost_usd for c in legs),
            sum(c.distance_km for c in legs),
            sum(c.co2_kg for c in legs),
        ]
    )


def check_run(scenario: Scenario, *, draws: int, seed: int, workers: int) -> None:
    """Check a Monte Carlo run's settings before any work.

    Raises
    ------
    InvalidOptionError
        If ``draws``, ``seed`` or ``workers`` is out of range.
    ScenarioError
        If the scenario has no ``uncertain`` section.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        msg = f"draws={draws!r} is out of range; give 1 to {MAX_DRAWS:,}"
        raise InvalidOptionError(msg)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        msg = f"seed={seed!r} must be a whole number from 0 to 2**63 - 1"
        raise InvalidOptionError(msg)
    check_workers(workers)
    if not scenario.doc.uncertain:
        msg = f"{scenario.lines.file}: no `uncertain` section: nothing to draw"
        raise ScenarioError(msg)


def run_montecarlo(
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    net: Network,
    od: Iterable[str | Pair] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    engine: str = "core",
    scheduler: Any = None,
    crew: int | None = None,
) -> MonteCarloResult:
    """Run ``draws`` draws of the scenario's uncertain parameters over its OD pairs.

    Parameters
    ----------
    scenario
        The scenario (its ``uncertain`` section says what varies).
    draws, seed
        Number of draws (1 to 100,000) and the seed of the random generator.
    net
        The baseline network.
    od
        OD pairs; the file's by default.
    workers
        Processes that share the draws (1 or more); the result does not depend on it.
    progress
        Called as ``progress(done, total)`` as draws complete.
    engine
        ``"core"`` (the default) picks each draw's routes among candidate paths over the
        edges that vary, the rest of the graph solved once
        (:mod:`corridors.scenarios.core_graph`); ``"route-sets"`` among candidate routes
        (:mod:`corridors.scenarios.route_sets`); both route by Dijkstra the draws their
        choice cannot be proved for. ``"dijkstra"`` routes every draw. All give the same
        result.
    scheduler
        A Dask distributed scheduler address or ``dask.distributed.Client``: the draws
        then run on that cluster instead of ``workers`` local processes, with the same
        result (:mod:`corridors.scenarios.cluster`).
    crew
        Drivers per truck: 1 (the default, as a route), 2, or 0 to time trucks by their
        driving alone. A draw's search weighs each hour a truck drives by the rules'
        long-run factor, as a route's search does, and its best path and each corridor's
        route are then timed with the crew's breaks and rests on that draw's times
        (:func:`corridors.routing.timeline.advance`, the steps a route's timeline takes).
        A single route also tries the path without that weighting and keeps it when its
        exact timing is better (short trips); a draw does not, so on such a pair a draw's
        best can be slower than the route's.

    Returns
    -------
    result
        Per-draw samples and their summary.

    Raises
    ------
    ScenarioError
        If the scenario has no ``uncertain`` section or an entry reaches nothing.
    InvalidOptionError
        If ``draws`` or ``workers`` is out of range.
    """
    from corridors import routing
    from corridors.graph.routing_graph import DESTINATION, ORIGIN
    from corridors.routing.batch import access_legs, flat_graph
    from corridors.routing.options import RouteOptions

    check_run(scenario, draws=draws, seed=seed, workers=workers)
    pairs = scenario.pairs(od)
    applied = scenario.apply(net)
    opts = scenario.route_options()
    if crew is not None:
        opts = RouteOptions.build(opts, crew=crew)
    rg = applied.routing_graph(opts.profile)
    rules = rg.driving_rules.get(opts.crew)
    mask = edge_weights.edge_mask(rg, opts)
    vot = rg.profile.value_of_time_usd_per_h if opts.value_of_time is None else opts.value_of_time
    places = [(applied.places.resolve(o), applied.places.resolve(d)) for o, d in pairs]
    sources, dests, access = [], [], []
    for o, d in places:
        if o.node == d.node:
            msg = f"OD pair {o.query}:{d.query} starts and ends at {o.node}; give two places"
            raise InvalidOptionError(msg)
        sources.append(rg.index.get((o.node, ORIGIN), -1))
        dests.append(rg.index.get((d.node, DESTINATION), -1))
        access.append(_access(applied, rg, o, True) + _access(applied, rg, d, False))
    if min(sources) < 0 or min(dests) < 0:
        msg = "an OD place has no link the profile can use"
        raise InvalidOptionError(msg)
    flat = flat_graph(rg)
    targets, params, sides, notes = uncertain_targets(scenario, applied, rg, draws, seed)
    comp_base = np.column_stack([flat.values["time_h"], flat.values["cost_usd"]])
    n_edges = rg.n_edges
    edge_const: Floats = np.column_stack(
        [
            np.bincount(flat.edge, weights=flat.values["distance_km"], minlength=n_edges),
            np.bincount(flat.edge, weights=flat.values["co2_kg"], minlength=n_edges),
        ]
    )
    rng = np.random.default_rng([seed, 7])
    signature = rng.integers(0, 2**63, size=n_edges, dtype=np.uint64)
    # start and end edges of places that are no origin or destination are never used
    ends = np.asarray(sources + dests, dtype=np.int64)
    mask = mask & (
        ~rg.isin("kind", ("start", "end")) | np.isin(rg.src, ends) | np.isin(rg.dst, ends)
    )
    plan = _Plan(
        n_nodes=rg.n_nodes,
        src=rg.src,
        dst=rg.dst,
        mask=mask,
        comp_edge=flat.edge,
        comp_base=comp_base,
        edge_const=edge_const,
        targets=targets,
        params=params,
        sides=sides,
        by=opts.by,
        vot=vot,
        sources=np.asarray(sources, dtype=np.int64),
        dests=np.asarray(dests, dtype=np.int64),
        n_edges=n_edges,
        signature=signature,
        structure=_structure(rg.n_nodes, rg.src, rg.dst, mask),
        drives=np.array(
            [c.kind == "haul" and c.mode == "road" for cs in rg.components for c in cs], dtype=bool
        ),
        rest_share=0.0 if rules is None else rules.long_run_factor() - 1.0,
    )
    edge_weights.check_non_negative(
        _weights(plan, _edge_values(plan, 0))[mask]
    )  # drawn values are >= 0
    if engine not in ENGINES:
        msg = f"engine={engine!r} is not known; give one of {', '.join(ENGINES)}"
        raise InvalidOptionError(msg)
    if engine == "route-sets":
        _with_route_sets(plan, draws)
    elif engine == "core":
        _with_core(plan, draws)
    route_rows: list[tuple[int, str, Any]] = []
    fixed_parts: list[Floats] = []

    def corridor_rows() -> None:
        # corridors serving each pair (the file's `corridors`, else all), alignment held
        # fixed: found and costed per draw here while the workers route the draws
        chosen = scenario.corridor_ids(applied) or None
        with routing.unexplained():  # why a corridor cannot serve a pair is not reported
            for p, (o, d) in enumerate(places):
                comp = routing.compare(
                    applied, o, d, corridors=chosen, include_best=False, options=opts
                )
                route_rows.extend((p, cid, r) for cid, r in comp.routes.items())
        fixed_parts.append(_fixed_totals(plan, route_rows, access, draws))

    totals, sigs, paths, by_dijkstra = _execute(
        plan, draws, workers, progress, corridor_rows, scheduler
    )
    totals = totals + np.asarray(access)[None, :, :]
    fixed = fixed_parts[0]
    if rules is not None:
        legs = [
            (access_legs(applied, rg, o, True), access_legs(applied, rg, d, False))
            for o, d in places
        ]
        keys = sorted({(p, int(g)) for (p, g) in paths})
        column = {key: i for i, key in enumerate(keys)}
        # each (draw, pair) takes one of its pair's paths: only that path's rests are walked
        cols = np.array(
            [
                [column.get((p, int(g)), -1) for g in sigs[:, p].tolist()]
                for p in range(len(places))
            ],
            dtype=np.int64,
        ).reshape(len(places), draws)
        wanted = np.zeros((draws, len(keys)), dtype=bool)
        for p in range(len(places)):
            at = np.flatnonzero(cols[p] >= 0)
            wanted[at, cols[p][at]] = True
        rests = _drawn_rests(
            plan, rg, rules, [(paths[k], *legs[k[0]]) for k in keys], draws, wanted
        )
        for p in range(len(places)):
            at = np.flatnonzero(cols[p] >= 0)
            totals[at, p, 0] += rests[at, cols[p][at]]
        fixed[:, :, 0] += _drawn_rests(
            plan,
            rg,
            rules,
            [(np.asarray(r.edges, dtype=np.int64), *legs[p]) for p, _, r in route_rows],
            draws,
        )
    follows = _follow(applied, rg, plan, places, sigs, paths)
    result = _result(scenario, draws, seed, pairs, totals, follows, route_rows, fixed, plan, notes)
    result.dijkstra_cells = by_dijkstra
    return result


def _fixed_totals(
    plan: _Plan, route_rows: list[tuple[int, str, Any]], access: list[Floats], draws: int
) -> Floats:
    """Totals of each corridor route, its alignment held fixed, in every draw.

    A route's totals are linear in the cost components it uses, so each draw is one
    sparse product of the route-by-component counts with the draw's components.
    """
    from scipy.sparse import csr_array

    incidence = np.zeros((len(route_rows), plan.n_edges))
    out = np.zeros((draws, len(route_rows), 4))
    for j, (p, _, r) in enumerate(route_rows):
        np.add.at(incidence[j], np.asarray(r.edges, dtype=np.int64), 1.0)
        out[:, j] = access[p]
    uses = csr_array(incidence)[:, plan.comp_edge]  # routes × components
    out[:, :, 2:] += (incidence @ plan.edge_const)[None]
    for k in range(draws):
        out[k, :, :2] += uses @ _components(plan, k)
    return out


def _drawn_rests(
    plan: _Plan,
    rg: RoutingGraph,
    rules: DrivingRules,
    paths: Sequence[tuple[Ints, list[Component], list[Component]]],
    draws: int,
    wanted: npt.NDArray[np.bool_] | None = None,
) -> Floats:
    """Hours of the crew's breaks and rests along each path in every draw (draws × paths).

    Each path is its edges in travel order and the road access legs before and after it.
    Only the components that touch the crew's clock are walked; a path none of whose
    clock components is drawn has the same rests in every draw and is walked once. With
    ``wanted`` (draws × paths), a path's drawn clock is walked only in the draws it is
    wanted in; the others are left at 0.
    """
    from corridors.routing.timeline import ClockState, advance, clock_role, clock_step

    starts = np.searchsorted(plan.comp_edge, np.arange(plan.n_edges + 1))
    by_edge: dict[int, list[tuple[int, ClockStep]]] = {}

    def clocked(e: int) -> list[tuple[int, ClockStep]]:
        """Return the components of edge ``e`` that touch the clock: (index, role)."""
        got = by_edge.get(e)
        if got is None:
            first = int(starts[e])
            got = by_edge[e] = [
                (first + j, role)
                for j, c in enumerate(rg.components[e])
                if (role := clock_role(c)) != "none"
            ]
        return got

    varying = np.zeros(len(plan.comp_edge), dtype=bool)
    for t in plan.targets:
        if t.column == 0:
            varying[t.comps] = True
    times: dict[int, Floats] = {}

    def time_in(k: int) -> Floats:
        got = times.get(k)
        if got is None:
            got = times[k] = _components(plan, k)[:, 0]
        return got

    out = np.zeros((draws, len(paths)))
    for j, (edges, head, tail) in enumerate(paths):
        steps = [x for e in edges.tolist() for x in clocked(int(e))]
        before = [(clock_step(c), c.time_h) for c in head]
        after = [(clock_step(c), c.time_h) for c in tail]
        if not any(r == "drive" for _, r in steps) and not any(
            r == "drive" for r, _ in (*before, *after)
        ):
            continue  # no truck drives on this path: no rests
        idx = np.array([i for i, _ in steps], dtype=np.int64)
        kinds = [r for _, r in steps]
        drawn = varying[idx]
        # the clock up to the first drawn component is the same in every draw
        first = int(np.argmax(drawn)) if drawn.any() else len(idx)
        base = plan.comp_base[idx[:first], 0].tolist()
        fixed = advance(ClockState(), [*before, *_clock_steps(kinds[:first], base)], rules)
        if first == len(idx):
            out[:, j] = math.fsum(advance(fixed, after, rules).rests)
            continue
        rest_idx, rest_kinds = idx[first:], kinds[first:]
        in_draws = range(draws) if wanted is None else np.flatnonzero(wanted[:, j]).tolist()
        for k in in_draws:
            hours = time_in(k)[rest_idx].tolist()
            state = advance(fixed, [*_clock_steps(rest_kinds, hours), *after], rules)
            out[k, j] = math.fsum(state.rests)
    return out


def _clock_steps(kinds: list[ClockStep], hours: list[float]) -> list[tuple[ClockStep, float]]:
    """Clock steps of components with these roles and times (a stand takes time or is none)."""
    return [(r, h) for r, h in zip(kinds, hours) if r != "stand" or h > 0]


def _execute(
    plan: _Plan,
    draws: int,
    workers: int,
    progress: Progress | None,
    meanwhile: Callable[[], None],
    scheduler: Any = None,
) -> _Part:
    """Run the draws, and ``meanwhile`` in this process while worker processes run them."""
    chunks = _chunks(draws)
    _STATE["plan"] = plan
    parts: list[_Part] = []
    done = 0

    def collect(part: _Part) -> None:
        nonlocal done
        parts.append(part)
        done += len(part[0])
        if progress is not None:
            progress(done, draws)

    try:
        if scheduler is None:
            run_ordered(_run_draws, chunks, workers, collect, meanwhile)
        else:
            from corridors.scenarios import cluster

            cluster.run_ordered(_run_draws, chunks, scheduler, collect, {"plan": plan}, meanwhile)
    except KeyboardInterrupt as err:
        err.done = done  # type: ignore[attr-defined]
        raise
    finally:
        _STATE.clear()
    paths: dict[tuple[int, int], Ints] = {}
    for part in parts:
        for key, edges in part[2].items():
            paths.setdefault(key, edges)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        paths,
        sum(p[3] for p in parts),
    )


def _follow(
    net: Network,
    rg: RoutingGraph,
    plan: _Plan,
    places: list[tuple[Place, Place]],
    sigs: npt.NDArray[np.uint64],
    paths: dict[tuple[int, int], Ints],
) -> list[list[str]]:
    """Name the corridor each draw's best path follows (each distinct path once)."""
    from corridors.routing import Route, match_corridor

    out: list[list[str]] = []
    for p, (o, d) in enumerate(places):
        names: dict[int, str] = {}
        column = []
        for sig in sigs[:, p].tolist():
            if sig not in names:
                edges = paths.get((p, sig))
                if edges is None:
                    names[sig] = "no route"  # the walk records every pair it reaches
                else:
                    comps = [c for e in edges.tolist() for c in rg.components[e]]
                    route = Route(o, d, plan.by, rg.profile.id, comps, net.place_info)
                    names[sig] = match_corridor(net, route) or "other"
            column.append(names[sig])
        out.append(column)
    return out


def _result(
    scenario: Scenario,
    draws: int,
    seed: int,
    pairs: list[Pair],
    totals: Floats,
    follows: list[list[str]],
    route_rows: list[tuple[int, str, Any]],
    fixed: Floats,
    plan: _Plan,
    notes: list[str],
) -> MonteCarloResult:
    n = totals.shape[0]
    rows = []
    for p, (o, d) in enumerate(pairs):
        frame = pd.DataFrame(
            {
                "draw": np.arange(n),
                "origin": o,
                "destination": d,
                "time_h": totals[:, p, 0],
                "cost_usd": totals[:, p, 1],
                "distance_km": totals[:, p, 2],
                "co2_kg": totals[:, p, 3],
                "objective": _objective(plan, totals[:, p, :]),
                "follows": follows[p][:n],
            }
        )
        rows.append(frame)
    samples = pd.concat(rows, ignore_index=True)
    crow = []
    for j, (p, cid, _) in enumerate(route_rows):
        crow.append(
            pd.DataFrame(
                {
                    "draw": np.arange(n),
                    "origin": pairs[p][0],
                    "destination": pairs[p][1],
                    "corridor": cid,
                    "time_h": fixed[:, j, 0],
                    "cost_usd": fixed[:, j, 1],
                    "objective": _objective(plan, fixed[:, j, :]),
                }
            )
        )
    columns = ["draw", "origin", "destination", "corridor", "time_h", "cost_usd", "objective"]
    corridor_samples = pd.concat(crow, ignore_index=True) if crow else pd.DataFrame(columns=columns)
    return MonteCarloResult(scenario.name, plan.by, draws, seed, samples, corridor_samples, notes)
