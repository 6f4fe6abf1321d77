"""All-or-nothing loading: every trip on its origin's shortest-path tree.

Shortest paths come from ``scipy.sparse.csgraph.dijkstra``, run for a batch of origins at a
time; the trips of a batch are then pushed from the leaves of each tree towards its root one
tree level at a time, so the loading is vectorised over origins and nodes alike.

Zones that paths may not pass through (``LinkTable.no_through``) are given a separate origin
copy that holds their outgoing links, so the zone node itself has only incoming links: a path
can end there, or start from its copy, but never run through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridors.flows.links import LinkTable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Smallest cost a link is given, so that scipy never drops a zero-cost link as "no edge".
COST_FLOOR = 1e-9
#: Upper bound on the size of one batch's distance array (float64 cells).
BATCH_CELLS = 4_000_000


@dataclass(frozen=True)
class Demand:
    """Trips between origins and destinations, in the demand's own units.

    Parameters
    ----------
    origins, destinations : numpy.ndarray of int
        Node ids (distinct within each array).
    trips : numpy.ndarray of float
        ``trips[i, j]`` from ``origins[i]`` to ``destinations[j]``; 0 or more.
    """

    origins: IntArray
    destinations: IntArray
    trips: FloatArray

    @classmethod
    def from_matrix(cls, matrix: FloatArray) -> Demand:
        """Demand from a square node-by-node matrix, keeping only rows and columns in use.

        Parameters
        ----------
        matrix : numpy.ndarray
            ``matrix[i, j]`` trips from node ``i`` to node ``j``.

        Returns
        -------
        Demand
        """
        rows = np.flatnonzero(matrix.sum(axis=1) > 0)
        cols = np.flatnonzero(matrix.sum(axis=0) > 0)
        return cls(rows.astype(np.int64), cols.astype(np.int64), matrix[np.ix_(rows, cols)])

    @property
    def total(self) -> float:
        """All trips."""
        return float(self.trips.sum())


@dataclass(frozen=True)
class Loading:
    """One all-or-nothing loading.

    Attributes
    ----------
    flow : numpy.ndarray
        Flow on each link.
    cost : float
        Trips times their shortest-path cost, summed (the shortest-path total).
    unreachable : list of tuple
        ``(origin, destination, trips)`` with no path, whose trips are not loaded.
    """

    flow: FloatArray
    cost: float
    unreachable: list[tuple[int, int, float]]


class ShortestPaths:
    """Shortest-path trees and all-or-nothing loading on a link table.

    Parameters
    ----------
    links : LinkTable
        The network; its structure is analysed once, costs are given per call.
    """

    def __init__(self, links: LinkTable) -> None:
        self.links = links
        n, z = links.n_nodes, links.no_through
        tail = links.init.copy()
        # outgoing links of no-through zones leave from the zone's origin copy
        from_zone = tail < z
        tail[from_zone] = n + tail[from_zone]
        self.n = n + z
        key = tail * self.n + links.term
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = sorted_keys[1:] != sorted_keys[:-1]
        self._order = order
        self._starts = np.flatnonzero(first)
        self._pair_key = sorted_keys[first]
        self._pair_tail = tail[order][first]
        self._pair_head = links.term[order][first]
        self._single = len(self._starts) == len(order)

    def origin_node(self, nodes: IntArray) -> IntArray:
        """Give the node a path from each given node starts at (a zone's origin copy)."""
        z = self.links.no_through
        return np.where(nodes < z, nodes + self.links.n_nodes, nodes)

    def _pairs(self, cost: FloatArray) -> tuple[FloatArray, IntArray]:
        # the cheapest of parallel links stands for its node pair
        c = np.maximum(cost[self._order], COST_FLOOR)
        if self._single:
            return c, self._order
        best = np.minimum.reduceat(c, self._starts)
        # position of the first link in each group that attains the group's minimum
        group = np.repeat(np.arange(len(self._starts)), np.diff(np.append(self._starts, len(c))))
        hit = c == best[group]
        pos = np.flatnonzero(hit)
        first_hit = pos[np.unique(group[pos], return_index=True)[1]]
        return best, self._order[first_hit]

    def trees(
        self, cost: FloatArray, origins: IntArray
    ) -> tuple[FloatArray, npt.NDArray[np.int32], IntArray]:
        """Shortest-path distances and predecessors from each origin.

        Parameters
        ----------
        cost : numpy.ndarray
            Cost of each link.
        origins : numpy.ndarray of int
            Origin nodes (link-table ids; zones start from their origin copy).

        Returns
        -------
        dist : numpy.ndarray
            ``dist[k, v]`` cost from ``origins[k]`` to node ``v`` (``inf`` if unreachable).
        pred : numpy.ndarray
            Predecessor node of ``v`` on the tree of ``origins[k]`` (-9999 for none).
        pair_link : numpy.ndarray
            For each node pair (sorted by ``tail * n + head``) the link that carries it.
        """
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra

        pair_cost, pair_link = self._pairs(cost)
        g = csr_matrix((pair_cost, (self._pair_tail, self._pair_head)), shape=(self.n, self.n))
        dist, pred = dijkstra(
            g, directed=True, indices=self.origin_node(origins), return_predecessors=True
        )
        return dist, pred, pair_link

    def load(self, cost: FloatArray, demand: Demand) -> Loading:
        """Put every trip on the shortest path for the given link costs.

        Parameters
        ----------
        cost : numpy.ndarray
            Cost of each link (non-negative).
        demand : Demand
            The trips.

        Returns
        -------
        Loading
        """
        flow = np.zeros(self.links.n_links)
        total = 0.0
        unreachable: list[tuple[int, int, float]] = []
        n_orig = len(demand.origins)
        batch = max(1, BATCH_CELLS // max(self.n, 1))
        for lo in range(0, n_orig, batch):
            hi = min(n_orig, lo + batch)
            origins = demand.origins[lo:hi]
            trips = demand.trips[lo:hi]
            dist, pred, pair_link = self.trees(cost, origins)
            reach = dist[:, demand.destinations]
            lost = (trips > 0) & ~np.isfinite(reach)
            if lost.any():
                for k, j in zip(*np.nonzero(lost)):
                    unreachable.append(
                        (int(origins[k]), int(demand.destinations[j]), float(trips[k, j]))
                    )
                trips = np.where(lost, 0.0, trips)
            total += float(np.sum(trips * np.where(lost, 0.0, reach)))
            node_flow = np.zeros((hi - lo, self.n))
            node_flow[:, demand.destinations] = trips
            self._push(node_flow, pred, pair_link, flow)
        return Loading(flow, total, unreachable)

    def _push(
        self,
        node_flow: FloatArray,
        pred: npt.NDArray[np.int32],
        pair_link: IntArray,
        flow: FloatArray,
    ) -> None:
        """Add each tree's flows to ``flow``, from the leaves up, level by level."""
        b, n = node_flow.shape
        rows = np.arange(b)[:, None] * n
        has_pred = pred >= 0
        depth = self._depths(pred, has_pred)
        nf = node_flow.ravel()
        parent = np.where(has_pred, pred + rows, -1).ravel()
        child_node = np.tile(np.arange(n), b)
        # nodes sorted deepest first, cut into one slice per level (the roots, level 0, dropped)
        idx = np.argsort(-depth, kind="stable")
        lv = depth[idx]
        cuts = np.flatnonzero(np.diff(lv)) + 1
        for part in np.split(idx[: np.searchsorted(-lv, 0)], cuts[cuts < np.searchsorted(-lv, 0)]):
            at = part[nf[part] != 0]
            if at.size == 0:
                continue
            par = parent[at]
            np.add.at(nf, par, nf[at])
            key = (par % n) * self.n + child_node[at]
            link = pair_link[np.searchsorted(self._pair_key, key)]
            np.add.at(flow, link, nf[at])

    @staticmethod
    def _depths(pred: npt.NDArray[np.int32], has_pred: npt.NDArray[np.bool_]) -> IntArray:
        """Depth of each node in its tree (0 at the root and for unreached nodes)."""
        b, n = pred.shape
        rows = np.arange(b)[:, None] * n
        anc = np.where(has_pred, pred + rows, np.arange(b * n).reshape(b, n)).ravel()
        dist = has_pred.ravel().astype(np.int64)
        # Wyllie's list ranking: each node's distance to its root doubles its reach per step
        while True:
            if np.array_equal(anc[anc], anc):
                break
            dist = dist + dist[anc]
            anc = anc[anc]
        return dist
