"""A network as a plain link table: what the assignment solver runs on.

Nodes are numbered ``0 .. n_nodes - 1``. Each link has a tail and a head node, a free-flow
travel time, a capacity (in capacity units per period, e.g. vehicles per hour or PCE-tonnes
per year), and the parameters of its volume-delay function (see :mod:`corridors.flows.vdf`).
Parallel links between the same pair of nodes are allowed.

A capacity that several links draw on together — a port whose berths serve every transfer
edge between its sea and land layers, a border post that serves road and rail — is a
:class:`SharedCapacity`: a row of an incidence matrix over the links, with its own volume-delay
function of the summed flow, whose delay every member link pays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from corridors.errors import InvalidOptionError
from corridors.flows.vdf import VDF_KINDS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SharedCapacity:
    """Capacities that several links draw on together.

    Parameters
    ----------
    members : scipy.sparse matrix
        ``members[k, a] = 1`` if link ``a`` draws on capacity ``k`` (shape: capacities x links).
    capacity, alpha, beta : numpy.ndarray of float
        One per shared capacity, as for links.
    vdf : numpy.ndarray of int
        One per shared capacity, an index into ``VDF_KINDS``.
    free_time : numpy.ndarray of float
        Reference time of each (the BPR function scales its delay by it; the queue ignores it).
    names : tuple of str
        Label of each.
    """

    members: Any
    capacity: FloatArray
    alpha: FloatArray
    beta: FloatArray
    vdf: IntArray
    free_time: FloatArray
    names: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of shared capacities."""
        return len(self.capacity)


@dataclass(frozen=True)
class LinkTable:
    """Links of a network, one entry per link in every array.

    Parameters
    ----------
    n_nodes : int
        Number of nodes; node ids run from 0 to ``n_nodes - 1``.
    init, term : numpy.ndarray of int
        Tail and head node of each link.
    free_time : numpy.ndarray of float
        Travel time (or any additive cost) at zero flow; non-negative.
    capacity : numpy.ndarray of float
        Capacity in capacity units per period; positive (``inf`` for uncapacitated).
    alpha, beta : numpy.ndarray of float
        Volume-delay parameters, meaning set by ``vdf`` (see :mod:`corridors.flows.vdf`).
    vdf : numpy.ndarray of int
        Volume-delay function of each link, an index into ``VDF_KINDS``.
    no_through : int
        Nodes ``0 .. no_through - 1`` are zones that paths may start or end at but never pass
        through (TNTP's ``<FIRST THRU NODE>`` minus one); 0 lets every node be passed through.
    names : tuple of str
        Optional label of each link (empty tuple for none).
    shared : SharedCapacity, optional
        Capacities several links draw on together.
    """

    n_nodes: int
    init: IntArray
    term: IntArray
    free_time: FloatArray
    capacity: FloatArray
    alpha: FloatArray
    beta: FloatArray
    vdf: IntArray
    no_through: int = 0
    names: tuple[str, ...] = field(default=())
    shared: SharedCapacity | None = None

    def __post_init__(self) -> None:
        n = len(self.init)
        for name in ("term", "free_time", "capacity", "alpha", "beta", "vdf"):
            if len(getattr(self, name)) != n:
                msg = f"link table column {name!r} has {len(getattr(self, name))} rows, not {n}"
                raise InvalidOptionError(msg)
        if self.names and len(self.names) != n:
            msg = f"link table has {len(self.names)} names for {n} links"
            raise InvalidOptionError(msg)
        if n and (min(self.init.min(), self.term.min()) < 0):
            msg = "link table: node ids must be 0 or more"
            raise InvalidOptionError(msg)
        if n and max(self.init.max(), self.term.max()) >= self.n_nodes:
            msg = f"link table: node ids must be below n_nodes={self.n_nodes}"
            raise InvalidOptionError(msg)
        if not np.all(np.isfinite(self.free_time)) or np.any(self.free_time < 0):
            msg = "link table: free-flow times must be finite and 0 or more"
            raise InvalidOptionError(msg)
        if np.any(~(self.capacity > 0)):
            msg = "link table: capacities must be positive (inf for none)"
            raise InvalidOptionError(msg)
        if np.any(self.alpha < 0) or np.any(self.beta < 0):
            msg = "link table: volume-delay parameters must be 0 or more"
            raise InvalidOptionError(msg)
        if n and (self.vdf.min() < 0 or self.vdf.max() >= len(VDF_KINDS)):
            msg = f"link table: vdf must index one of {', '.join(VDF_KINDS)}"
            raise InvalidOptionError(msg)

    @property
    def n_links(self) -> int:
        """Number of links."""
        return len(self.init)

    @classmethod
    def build(
        cls,
        init: npt.ArrayLike,
        term: npt.ArrayLike,
        free_time: npt.ArrayLike,
        capacity: npt.ArrayLike,
        *,
        alpha: npt.ArrayLike = 0.15,
        beta: npt.ArrayLike = 4.0,
        vdf: npt.ArrayLike | str = "bpr",
        n_nodes: int | None = None,
        no_through: int = 0,
        names: tuple[str, ...] = (),
        shared: SharedCapacity | None = None,
    ) -> LinkTable:
        """Build a link table from array-likes, broadcasting scalars.

        Parameters
        ----------
        init, term, free_time, capacity : array-like
            One value per link (see the class).
        alpha, beta : array-like or float
            Volume-delay parameters; a scalar applies to every link.
        vdf : array-like or str
            The function name (one of ``VDF_KINDS``) for every link, or one index per link.
        n_nodes : int, optional
            Number of nodes; by default one more than the highest node id.
        no_through : int
            Nodes below this id are never passed through.
        names : tuple of str
            Optional link labels.
        shared : SharedCapacity, optional
            Capacities several links draw on together.

        Returns
        -------
        LinkTable
        """
        i = np.asarray(init, dtype=np.int64)
        n = len(i)
        j = np.asarray(term, dtype=np.int64)

        def col(x: npt.ArrayLike) -> FloatArray:
            return np.broadcast_to(np.asarray(x, dtype=np.float64), (n,)).copy()

        if isinstance(vdf, str):
            if vdf not in VDF_KINDS:
                msg = f"unknown volume-delay function {vdf!r}; use one of {', '.join(VDF_KINDS)}"
                raise InvalidOptionError(msg)
            kinds = np.full(n, VDF_KINDS.index(vdf), dtype=np.int64)
        else:
            kinds = np.asarray(vdf, dtype=np.int64)
        if n_nodes is None:
            n_nodes = int(max(i.max(initial=-1), j.max(initial=-1)) + 1)
        return cls(
            n_nodes=n_nodes,
            init=i,
            term=j,
            free_time=col(free_time),
            capacity=col(capacity),
            alpha=col(alpha),
            beta=col(beta),
            vdf=kinds,
            no_through=no_through,
            names=names,
            shared=shared,
        )
