"""Volume-delay functions: travel time on a link as its flow grows.

Two kinds, chosen per link:

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

Both are increasing and convex in ``v``, which the equilibrium solver relies on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from corridors.flows.links import LinkTable

FloatArray = npt.NDArray[np.float64]

#: The volume-delay functions, by the index a link table stores.
VDF_KINDS: tuple[str, ...] = ("bpr", "queue")
BPR, QUEUE = 0, 1
#: Utilisation above which the queue function continues linearly, unless a link sets its own.
QUEUE_KNEE = 0.95


def _knee(beta: FloatArray) -> FloatArray:
    # beta outside (0, 1) means "use the default knee"
    return np.where((beta > 0) & (beta < 1), beta, QUEUE_KNEE)


def link_time(links: LinkTable, flow: FloatArray) -> FloatArray:
    """Travel time of every link at the given flows.

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
    rho = flow / links.capacity
    t = links.free_time.copy()
    bpr = links.vdf == BPR
    if bpr.any():
        t[bpr] *= 1.0 + links.alpha[bpr] * rho[bpr] ** links.beta[bpr]
    q = links.vdf == QUEUE
    if q.any():
        r, a, k = rho[q], links.alpha[q], _knee(links.beta[q])
        below = a * r / (1.0 - np.minimum(r, k))
        above = a * (k / (1.0 - k) + (r - k) / (1.0 - k) ** 2)
        t[q] += np.where(r <= k, below, above)
    return t


def link_time_derivative(links: LinkTable, flow: FloatArray) -> FloatArray:
    """Give the derivative of each link's time with respect to its flow.

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
    c = links.capacity
    rho = flow / c
    d = np.zeros_like(flow)
    bpr = (links.vdf == BPR) & (links.beta > 0)
    if bpr.any():
        b, r = links.beta[bpr], rho[bpr]
        # a power below 1 has an infinite slope at zero flow: count it as flat there
        with np.errstate(divide="ignore"):
            slope = np.where(r > 0, r ** (b - 1.0), np.where(b == 1.0, 1.0, 0.0))
        d[bpr] = links.free_time[bpr] * links.alpha[bpr] * b * slope / c[bpr]
    q = links.vdf == QUEUE
    if q.any():
        r, a, k = rho[q], links.alpha[q], _knee(links.beta[q])
        d[q] = a / (c[q] * (1.0 - np.minimum(r, k)) ** 2)
    return d
