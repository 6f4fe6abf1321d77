"""User equilibrium by Frank-Wolfe-type methods, bi-conjugate Frank-Wolfe by default.

Each iteration loads every class all-or-nothing on its current costs (the auxiliary
solution ``y``), measures the relative gap

    gap = (sum of cost x flow - sum of cost x y) / (sum of cost x flow),

summed over classes with each class weighted by its capacity-unit factor, and stops when it is
at or below the target. Otherwise it moves the flows ``x`` towards a search point ``s``:

``msa``
    ``s = y``, step ``1 / k`` (method of successive averages; a baseline only).
``fw``
    ``s = y`` (Frank-Wolfe), step from an exact line search.
``cfw``
    ``s`` mixes ``y`` with the previous search point so that the two directions are
    conjugate with respect to the Hessian of the objective (conjugate Frank-Wolfe).
``bfw``
    ``s`` mixes ``y`` with the two previous search points so that the new direction is
    conjugate to both (bi-conjugate Frank-Wolfe; Mitradjieva & Lindberg, "The stiff is
    moving — conjugate direction Frank-Wolfe methods with applications to traffic
    assignment", Transportation Science 47(2), 2013).

The Hessian of the objective is diagonal, ``d t_a / d v_a``, so conjugacy costs one pass over
the links. The line search finds the root of the objective's derivative along the direction
(it is increasing, the volume-delay functions being convex). A conjugate direction that is
not a descent direction, or a full step, restarts the sequence from a Frank-Wolfe step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from corridors.errors import InvalidOptionError, NoRouteError
from corridors.flows.aon import ShortestPaths
from corridors.flows.classes import DemandClass
from corridors.flows.links import LinkTable
from corridors.flows.methods import ALGORITHMS
from corridors.flows.vdf import curvature, link_time

FloatArray = npt.NDArray[np.float64]

#: Largest weight a conjugate method gives the previous search point.
CONJUGATE_MAX = 0.99999
#: Called after each iteration with (iteration, relative gap).
Progress = Callable[[int, float], None]


@dataclass
class Equilibrium:
    """Flows at (approximate) user equilibrium.

    Attributes
    ----------
    links : LinkTable
        The network assigned on.
    class_flow : dict of str to numpy.ndarray
        Flow of each class on each link, in the class's units.
    flow : numpy.ndarray
        Flow on each link in capacity units (classes summed with their factors).
    time : numpy.ndarray
        Congested time of each link at ``flow``.
    gaps : list of float
        Relative gap at the start of each iteration (the last one is the gap of ``flow``).
    converged : bool
        Whether the last gap is at or below the target.
    method : str
    unreachable : list of tuple
        ``(class, origin, destination, trips)`` with no path, not assigned.
    seconds : float
        Wall time of the solve.
    """

    links: LinkTable
    class_flow: dict[str, FloatArray]
    flow: FloatArray
    time: FloatArray
    gaps: list[float]
    converged: bool
    method: str
    unreachable: list[tuple[str, int, int, float]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        """The relative gap of the returned flows."""
        return self.gaps[-1] if self.gaps else float("nan")

    @property
    def iterations(self) -> int:
        """Iterations run (all-or-nothing loadings after the first)."""
        return len(self.gaps)


def _dot(cost: FloatArray, flow: FloatArray) -> float:
    # barred links (inf cost) carry no flow: leave them out rather than make 0 * inf
    used = flow != 0
    return float(np.dot(cost[used], flow[used]))


def solve(
    links: LinkTable,
    classes: Sequence[DemandClass],
    *,
    method: str = "bfw",
    gap: float = 1e-4,
    max_iter: int = 1000,
    progress: Progress | None = None,
) -> Equilibrium:
    """Assign every class to the network at user equilibrium.

    Parameters
    ----------
    links : LinkTable
        The network, with its volume-delay functions.
    classes : sequence of DemandClass
        The demand, one entry per class (distinct names).
    method : {"bfw", "cfw", "fw", "msa"}
        Direction rule (see the module docstring).
    gap : float
        Target relative gap (> 0).
    max_iter : int
        Iterations at most; the result says whether the target was reached.
    progress : callable, optional
        Called as ``progress(iteration, gap)`` after each iteration.

    Returns
    -------
    Equilibrium

    Raises
    ------
    InvalidOptionError
        For an unknown method, a gap that is not positive, or repeated class names.
    NoRouteError
        If no trip of any class can reach its destination.
    """
    import time as clock

    if method not in ALGORITHMS:
        msg = f"unknown equilibrium method {method!r}; use one of {', '.join(ALGORITHMS)}"
        raise InvalidOptionError(msg)
    if not (gap > 0 and np.isfinite(gap)):
        msg = f"the target gap must be a positive number, not {gap!r}"
        raise InvalidOptionError(msg)
    names = [c.name for c in classes]
    if len(set(names)) != len(names) or not names:
        msg = "give at least one demand class, each with its own name"
        raise InvalidOptionError(msg)
    started = clock.perf_counter()
    paths = ShortestPaths(links)
    pce = np.array([c.pce for c in classes])

    def total(per_class: list[FloatArray]) -> FloatArray:
        out = np.zeros(links.n_links)
        for p, f in zip(pce, per_class):
            out += p * f
        return out

    def aon(
        t: FloatArray,
    ) -> tuple[list[FloatArray], list[FloatArray], float, list[tuple[str, int, int, float]]]:
        costs = [c.cost(t) for c in classes]
        flows, sptt, lost = [], 0.0, []
        for c, k, cost in zip(classes, pce, costs):
            loading = paths.load(cost, c.demand)
            flows.append(loading.flow)
            sptt += k * loading.cost
            lost += [(c.name, o, d, q) for o, d, q in loading.unreachable]
        return flows, costs, sptt, lost

    x, _, _, unreachable = aon(links.free_time)
    if unreachable and all(np.sum(f) == 0 for f in x):
        msg = "no trip can reach its destination on this network"
        raise NoRouteError(msg)
    s: list[FloatArray] = []
    s_prev: list[FloatArray] = []
    step = 1.0
    restart = True  # the next direction is a plain Frank-Wolfe one
    conjugates = 0  # consecutive conjugate directions since the last restart
    gaps: list[float] = []
    converged = False
    for k in range(1, max_iter + 1):
        v = total(x)
        t = link_time(links, v)
        y, costs, sptt, _ = aon(t)
        tstt = float(sum(p * _dot(c, f) for p, c, f in zip(pce, costs, x)))
        rgap = abs(tstt - sptt) / tstt if tstt > 0 else 0.0
        gaps.append(rgap)
        if progress is not None:
            progress(k, rgap)
        if rgap <= gap:
            converged = True
            break
        s, s_prev, conjugates = _direction(
            links, method, v, x, y, s, s_prev, step, restart, conjugates, pce, total
        )
        d = [si - xi for si, xi in zip(s, x)]
        if _slope(links, classes, pce, v, total(d), d, 0.0) >= 0 and conjugates:
            # not a descent direction: fall back to Frank-Wolfe for this step
            s, s_prev, conjugates = [yi.copy() for yi in y], [], 0
            d = [si - xi for si, xi in zip(s, x)]
        step = (
            1.0 / (k + 1) if method == "msa" else _line_search(links, classes, pce, v, total(d), d)
        )
        x = [xi + step * di for xi, di in zip(x, d)]
        restart = step >= CONJUGATE_MAX
    v = total(x)
    return Equilibrium(
        links=links,
        class_flow={c.name: f for c, f in zip(classes, x)},
        flow=v,
        time=link_time(links, v),
        gaps=gaps,
        converged=converged,
        method=method,
        unreachable=unreachable,
        seconds=clock.perf_counter() - started,
    )


def _direction(
    links: LinkTable,
    method: str,
    v: FloatArray,
    x: list[FloatArray],
    y: list[FloatArray],
    s: list[FloatArray],
    s_prev: list[FloatArray],
    step: float,
    restart: bool,
    conjugates: int,
    pce: FloatArray,
    total: Callable[[list[FloatArray]], FloatArray],
) -> tuple[list[FloatArray], list[FloatArray], int]:
    """Find the next search point, the one before it, and the count of conjugate steps."""
    if method in ("msa", "fw") or restart or not s:
        return [yi.copy() for yi in y], [], 0

    def form(a: FloatArray, b: FloatArray) -> float:
        return curvature(links, v, a, b)

    if method == "cfw" or conjugates == 0 or not s_prev:
        # conjugate to the previous direction only
        a, b, c = total(s) - v, total(y) - v, total(y) - total(s)
        den = form(a, c)
        alpha = 0.0 if den == 0 else form(a, b) / den
        alpha = min(max(alpha, 0.0), CONJUGATE_MAX)
        new = [alpha * si + (1.0 - alpha) * yi for si, yi in zip(s, y)]
        return new, s, conjugates + 1
    # bi-conjugate: conjugate to the last two directions
    sv, pv, yv = total(s), total(s_prev), total(y)
    xb = step * sv + (1.0 - step) * pv - v
    yb, zb, wb = yv - v, sv - v, pv - sv
    mu_den = form(xb, wb)
    mu = 0.0 if mu_den == 0 else max(0.0, -form(xb, yb) / mu_den)
    nu_den = form(zb, zb)
    nu = 0.0 if nu_den == 0 else -form(zb, yb) / nu_den + mu * step / (1.0 - step)
    nu = max(0.0, nu)
    b0 = 1.0 / (1.0 + mu + nu)
    new = [b0 * yi + nu * b0 * si + mu * b0 * pi for yi, si, pi in zip(y, s, s_prev)]
    return new, s, conjugates + 1


def _slope(
    links: LinkTable,
    classes: Sequence[DemandClass],
    pce: FloatArray,
    v: FloatArray,
    dv: FloatArray,
    d: list[FloatArray],
    step: float,
) -> float:
    """Give the derivative of the objective along the direction ``d`` at ``x + step * d``."""
    t = link_time(links, v + step * dv)
    return float(sum(p * _dot(c.cost(t), di) for p, c, di in zip(pce, classes, d)))


def _line_search(
    links: LinkTable,
    classes: Sequence[DemandClass],
    pce: FloatArray,
    v: FloatArray,
    dv: FloatArray,
    d: list[FloatArray],
) -> float:
    """Find the step in [0, 1] minimising the objective along ``d`` (bisection on the slope)."""
    if _slope(links, classes, pce, v, dv, d, 1.0) <= 0:
        return 1.0
    lo, hi = 0.0, 1.0
    if _slope(links, classes, pce, v, dv, d, 0.0) >= 0:
        return 0.0
    # the slope is increasing in the step: 60 halvings pin the root to machine precision
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _slope(links, classes, pce, v, dv, d, mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-15:
            break
    return 0.5 * (lo + hi)
