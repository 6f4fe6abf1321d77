"""Demand classes: who travels, in what units, and what each link costs them.

Each class has its own trips, its own fixed cost on every link (money, tolls, border fees,
turned into time at the class's value of time) and a conversion to capacity units (a PCE-like
factor: a train of 60 TEU, say, may take one slot of a line's capacity). All classes share the
links' congested times: a class's cost on link ``a`` is ``fixed[a] + t_a(v_a)``, where
``v_a`` is the flow of every class in capacity units.

Written this way the classes share one convex objective (the class cost scaled by its factor
is that objective's gradient), so Frank-Wolfe-type methods converge for any mix of classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridors.errors import InvalidOptionError
from corridors.flows.aon import Demand

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DemandClass:
    """One class of demand.

    Parameters
    ----------
    name : str
        Label (a profile name, say).
    demand : Demand
        Its trips, in the class's own units (tonnes, TEU, vehicles).
    pce : float
        Capacity units one unit of the class takes (> 0).
    fixed_cost : numpy.ndarray, optional
        Cost of each link to the class on top of the congested time, in time units; ``inf``
        bars the class from a link. ``None`` for none.
    """

    name: str
    demand: Demand
    pce: float = 1.0
    fixed_cost: FloatArray | None = None

    def __post_init__(self) -> None:
        if not (self.pce > 0 and np.isfinite(self.pce)):
            msg = f"class {self.name!r}: pce must be a positive number, not {self.pce!r}"
            raise InvalidOptionError(msg)
        if np.any(self.demand.trips < 0) or not np.all(np.isfinite(self.demand.trips)):
            msg = f"class {self.name!r}: trips must be finite and 0 or more"
            raise InvalidOptionError(msg)
        if self.fixed_cost is not None and np.any(self.fixed_cost < 0):
            msg = f"class {self.name!r}: fixed link costs must be 0 or more"
            raise InvalidOptionError(msg)

    def cost(self, time: FloatArray) -> FloatArray:
        """Give the class's cost of every link at the given congested link times."""
        return time if self.fixed_cost is None else time + self.fixed_cost
