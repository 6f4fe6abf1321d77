"""Volume-delay functions: travel time on a link as its flow grows.

Two kinds, chosen per link (and per shared capacity):

``bpr``
    The Bureau of Public Roads function, for lines (rail and road links) whose speed falls
    smoothly as they fill: ``t = t0 * (1 + alpha * (v / c) ** beta)``. TNTP files give
    ``alpha`` as ``b`` and ``beta`` as ``power``.
``queue``
    A queueing wait for places that serve freight in batches or one at a time — ferries,
    ports, border posts: ``t = t0 + alpha * rho / (1 - rho)`` with utilisation
    ``rho = v / c``. This is the mean wait in an M/M/1 queue whose mean service time is
    ``alpha`` (the form of Davidson's function, with the wait in absolute time rather than as a
    multiple of ``t0``, since a ferry's wait does not scale with its sailing time). It grows
    without bound as ``rho`` nears 1, which no equilibrium can use, so above
    ``rho = beta`` (``0 < beta < 1``; 0.95 by default) the function continues as its tangent
    there — the "modified Davidson" device — and an overloaded link shows a large, finite
    wait and a utilisation above 1 instead of stopping the solver.

Both are increasing and convex in ``v``, which the equilibrium solver relies on. A link's time
is its own function's time plus the delay (time above ``t0``) of every shared capacity it
draws on, at that capacity's summed flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from corridors.flows.links import LinkTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The volume-delay functions, by the index a link table stores.
VDF_KINDS: tuple[str, ...] = ("bpr", "queue")
BPR, QUEUE = 0, 1
#: Utilisation above which the queue function continues linearly, unless a link sets its own.
QUEUE_KNEE = 0.95


def _knee(beta: FloatArray) -> FloatArray:
    # beta outside (0, 1) means "use the default knee"
    return np.where((beta > 0) & (beta < 1), beta, QUEUE_KNEE)


def delay(
    kind: IntArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    flow: FloatArray,
) -> FloatArray:
    """Give the time above ``t0`` of each element at the given flows.

    Parameters
    ----------
    kind : numpy.ndarray of int
        Function of each element (index into ``VDF_KINDS``).
    t0, capacity, alpha, beta : numpy.ndarray
        Free-flow time, capacity and parameters of each element.
    flow : numpy.ndarray
        Flow of each element in capacity units.

    Returns
    -------
    numpy.ndarray
    """
    rho = flow / capacity
    d = np.zeros_like(flow)
    bpr = kind == BPR
    if bpr.any():
        d[bpr] = t0[bpr] * alpha[bpr] * rho[bpr] ** beta[bpr]
    q = kind == QUEUE
    if q.any():
        r, a, k = rho[q], alpha[q], _knee(beta[q])
        below = a * r / (1.0 - np.minimum(r, k))
        above = a * (k / (1.0 - k) + (r - k) / (1.0 - k) ** 2)
        d[q] = np.where(r <= k, below, above)
    return d


def delay_derivative(
    kind: IntArray,
    t0: FloatArray,
    capacity: FloatArray,
    alpha: FloatArray,
    beta: FloatArray,
    flow: FloatArray,
) -> FloatArray:
    """Give the derivative of each element's delay with respect to its flow.

    Parameters
    ----------
    kind, t0, capacity, alpha, beta, flow : numpy.ndarray
        As for :func:`delay`.

    Returns
    -------
    numpy.ndarray
    """
    rho = flow / capacity
    d = np.zeros_like(flow)
    bpr = (kind == BPR) & (beta > 0)
    if bpr.any():
        b, r = beta[bpr], rho[bpr]
        # a power below 1 has an infinite slope at zero flow: count it as flat there
        with np.errstate(divide="ignore"):
            slope = np.where(r > 0, r ** (b - 1.0), np.where(b == 1.0, 1.0, 0.0))
        d[bpr] = t0[bpr] * alpha[bpr] * b * slope / capacity[bpr]
    q = kind == QUEUE
    if q.any():
        r, a, k = rho[q], alpha[q], _knee(beta[q])
        d[q] = a / (capacity[q] * (1.0 - np.minimum(r, k)) ** 2)
    return d


def shared_flow(links: LinkTable, flow: FloatArray) -> FloatArray:
    """Give the summed flow on each shared capacity (empty if there are none)."""
    if links.shared is None:
        return np.zeros(0)
    return np.asarray(links.shared.members @ flow, dtype=np.float64)


def link_time(links: LinkTable, flow: FloatArray) -> FloatArray:
    """Give the travel time of every link at the given flows.

    Parameters
    ----------
    links : LinkTable
        The network.
    flow : numpy.ndarray
        Flow on each link, in capacity units.

    Returns
    -------
    numpy.ndarray
        Time on each link, in the units of ``links.free_time``.
    """
    t = links.free_time + delay(
        links.vdf, links.free_time, links.capacity, links.alpha, links.beta, flow
    )
    s = links.shared
    if s is not None and s.n:
        wait = delay(s.vdf, s.free_time, s.capacity, s.alpha, s.beta, shared_flow(links, flow))
        t = t + np.asarray(s.members.T @ wait, dtype=np.float64)
    return t


def curvature(links: LinkTable, flow: FloatArray, a: FloatArray, b: FloatArray) -> float:
    """Give ``a' H b``, with ``H`` the Hessian of the assignment objective at ``flow``.

    The objective sums the integrals of every link's and every shared capacity's time, so
    its Hessian is diagonal in links plus one rank-one block per shared capacity.

    Parameters
    ----------
    links : LinkTable
        The network.
    flow : numpy.ndarray
        Link flows where the Hessian is taken.
    a, b : numpy.ndarray
        Two link-flow directions.

    Returns
    -------
    float
    """
    h = delay_derivative(links.vdf, links.free_time, links.capacity, links.alpha, links.beta, flow)
    out = float(np.sum(h * a * b))
    s = links.shared
    if s is not None and s.n:
        hs = delay_derivative(
            s.vdf, s.free_time, s.capacity, s.alpha, s.beta, shared_flow(links, flow)
        )
        out += float(np.sum(hs * (s.members @ a) * (s.members @ b)))
    return out


def link_time_derivative(links: LinkTable, flow: FloatArray) -> FloatArray:
    """Give the derivative of each link's own time with respect to its flow.

    Shared capacities are left out (they couple links; see :func:`curvature`).

    Parameters
    ----------
    links : LinkTable
        The network.
    flow : numpy.ndarray
        Flow on each link, in capacity units.

    Returns
    -------
    numpy.ndarray
        ``d t / d v`` per link (time per capacity unit).
    """
    return delay_derivative(
        links.vdf, links.free_time, links.capacity, links.alpha, links.beta, flow
    )
