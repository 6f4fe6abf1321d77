"""Stochastic route choice: Dial's logit loading over every efficient route.

For each origin, a link ``i -> j`` is *efficient* if it leads away from the origin
(``r(i) < r(j)``, with ``r`` the shortest-path cost from the origin). Every route made only of
efficient links is a candidate — usually very many routes, never enumerated — and a route's
probability is proportional to ``exp(-theta * (its cost - the shortest cost))`` (Dial, "A
probabilistic multipath traffic assignment model which obviates path enumeration",
Transportation Research 5, 1971). ``theta`` is the dispersion per unit of cost: large values
approach all-or-nothing, small ones spread trips widely.

The efficient links form an acyclic graph, so Dial's forward pass (link weights) and backward
pass (flows) are each one sparse triangular-type linear system, solved by scipy per origin.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from corridors.errors import InvalidOptionError, NoRouteError
from corridors.flows.aon import Demand, ShortestPaths
from corridors.flows.classes import DemandClass
from corridors.flows.equilibrium import Equilibrium
from corridors.flows.links import LinkTable
from corridors.flows.vdf import link_time

FloatArray = npt.NDArray[np.float64]


def dial_load(
    paths: ShortestPaths, cost: FloatArray, demand: Demand, theta: float
) -> tuple[FloatArray, list[tuple[int, int, float]]]:
    """Load trips by Dial's logit method at fixed link costs.

    Parameters
    ----------
    paths : ShortestPaths
        The network's shortest-path structure.
    cost : numpy.ndarray
        Cost of each link (``inf`` bars a link).
    demand : Demand
        The trips.
    theta : float
        Dispersion per unit of cost (> 0).

    Returns
    -------
    flow : numpy.ndarray
        Flow on each link.
    unreachable : list of tuple
        ``(origin, destination, trips)`` with no route, not loaded.
    """
    from scipy.sparse import csc_matrix, identity
    from scipy.sparse.linalg import spsolve

    links = paths.links
    n = paths.n
    tail = paths.origin_node(links.init)  # outgoing links of zones leave from their copies
    head = links.term
    eye = identity(n, format="csc")
    flow = np.zeros(links.n_links)
    unreachable: list[tuple[int, int, float]] = []
    dist_all, _, _ = paths.trees(cost, demand.origins)
    for k, origin in enumerate(paths.origin_node(demand.origins)):
        r = dist_all[k]
        trips = demand.trips[k]
        reach = r[demand.destinations]
        lost = (trips > 0) & ~np.isfinite(reach)
        for j in np.flatnonzero(lost):
            unreachable.append(
                (int(demand.origins[k]), int(demand.destinations[j]), float(trips[j]))
            )
        trips = np.where(lost, 0.0, trips)
        if not trips.any():
            continue
        rt, rh = r[tail], r[head]
        ok = np.isfinite(rt) & np.isfinite(rh) & (rt < rh) & np.isfinite(cost)
        # a link's likelihood is at most 1: r(head) <= r(tail) + cost on any link
        like = np.exp(theta * np.minimum(rh[ok] - rt[ok] - cost[ok], 0.0))
        t_ok, h_ok = tail[ok], head[ok]
        a = csc_matrix((like, (h_ok, t_ok)), shape=(n, n))  # a[j, i]: weight of i -> j
        source = np.zeros(n)
        source[origin] = 1.0
        weight = spsolve((eye - a).tocsc(), source)  # W(j) = [j is origin] + sum L(i,j) W(i)
        w_link = like * weight[t_ok]
        share = w_link / weight[h_ok]
        b = csc_matrix((share, (t_ok, h_ok)), shape=(n, n))  # b[i, j]: share of j's flow via i
        need = np.zeros(n)
        np.add.at(need, demand.destinations, trips)
        volume = spsolve((eye - b).tocsc(), need)  # V(i) = d(i) + sum over i -> j of share V(j)
        np.add.at(flow, np.flatnonzero(ok), volume[h_ok] * share)
    return flow, unreachable


def logit_assign(
    links: LinkTable, classes: Sequence[DemandClass], *, theta: float = 1.0
) -> Equilibrium:
    """Assign every class by Dial's logit loading at free-flow costs.

    Parameters
    ----------
    links : LinkTable
        The network.
    classes : sequence of DemandClass
        The demand.
    theta : float
        Dispersion per unit of cost (> 0).

    Returns
    -------
    Equilibrium
        The loaded flows (no gaps: no equilibrium is sought).
    """
    if not (theta > 0 and np.isfinite(theta)):
        msg = f"the logit dispersion theta must be a positive number, not {theta!r}"
        raise InvalidOptionError(msg)
    started = clock.perf_counter()
    paths = ShortestPaths(links)
    class_flow: dict[str, FloatArray] = {}
    lost_all: list[tuple[str, int, int, float]] = []
    total = np.zeros(links.n_links)
    for c in classes:
        f, lost = dial_load(paths, c.cost(links.free_time), c.demand, theta)
        class_flow[c.name] = f
        total += c.pce * f
        lost_all += [(c.name, o, d, q) for o, d, q in lost]
    if lost_all and not total.any():
        msg = "no trip can reach its destination on this network"
        raise NoRouteError(msg)
    return Equilibrium(
        links=links,
        class_flow=class_flow,
        flow=total,
        time=link_time(links, total),
        gaps=[],
        converged=False,
        method="logit",
        unreachable=lost_all,
        seconds=clock.perf_counter() - started,
    )


def sue_assign(
    links: LinkTable,
    classes: Sequence[DemandClass],
    *,
    theta: float = 1.0,
    gap: float = 1e-4,
    max_iter: int = 1000,
    progress: Callable[[int, float], None] | None = None,
) -> Equilibrium:
    """Assign every class at stochastic user equilibrium: logit choice at congested costs.

    The method of successive averages (Sheffi and Powell, 1982): load every class by Dial's
    method at the costs of the current flows, and move the flows ``1 / (k + 1)`` of the way
    to that loading. It stops when the loading differs from the flows by at most ``gap``
    (summed absolute difference over summed flow, in capacity units).

    Parameters
    ----------
    links : LinkTable
        The network.
    classes : sequence of DemandClass
        The demand.
    theta : float
        Dispersion per unit of cost (> 0).
    gap : float
        Target relative difference between the loading and the flows.
    max_iter : int
        Iterations at most; the result says whether the target was reached.
    progress : callable, optional
        Called as ``progress(iteration, difference)`` after each iteration.

    Returns
    -------
    Equilibrium
        ``gaps`` holds the relative difference of each iteration.
    """
    if not (theta > 0 and np.isfinite(theta)):
        msg = f"the logit dispersion theta must be a positive number, not {theta!r}"
        raise InvalidOptionError(msg)
    if not (gap > 0 and np.isfinite(gap)):
        msg = f"the target gap must be a positive number, not {gap!r}"
        raise InvalidOptionError(msg)
    started = clock.perf_counter()
    paths = ShortestPaths(links)
    pce = [c.pce for c in classes]

    def load(time: FloatArray) -> tuple[list[FloatArray], list[tuple[str, int, int, float]]]:
        flows, lost_all = [], []
        for c in classes:
            f, lost = dial_load(paths, c.cost(time), c.demand, theta)
            flows.append(f)
            lost_all += [(c.name, o, d, q) for o, d, q in lost]
        return flows, lost_all

    def total(per_class: list[FloatArray]) -> FloatArray:
        out = np.zeros(links.n_links)
        for p, f in zip(pce, per_class):
            out += p * f
        return out

    x, unreachable = load(links.free_time)
    if unreachable and not total(x).any():
        msg = "no trip can reach its destination on this network"
        raise NoRouteError(msg)
    gaps: list[float] = []
    converged = False
    for k in range(1, max_iter + 1):
        v = total(x)
        y, _ = load(link_time(links, v))
        moved = float(np.abs(total(y) - v).sum())
        rgap = moved / float(v.sum()) if v.sum() > 0 else 0.0
        gaps.append(rgap)
        if progress is not None:
            progress(k, rgap)
        if rgap <= gap:
            converged = True
            break
        x = [xi + (yi - xi) / (k + 1) for xi, yi in zip(x, y)]
    v = total(x)
    return Equilibrium(
        links=links,
        class_flow={c.name: f for c, f in zip(classes, x)},
        flow=v,
        time=link_time(links, v),
        gaps=gaps,
        converged=converged,
        method="sue",
        unreachable=unreachable,
        seconds=clock.perf_counter() - started,
    )
