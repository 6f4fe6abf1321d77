"""What-ifs on freight flows: demand growth, changed capacities, and sweeps over growth."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.errors import InvalidOptionError
from corridors.flows.inputs import (
    CapacityRow,
    DemandRow,
    read_capacities,
    read_demand,
    scale_demand,
)

__all__ = ["growth_sweep", "saturating_growth", "scale_demand", "set_capacity"]

if TYPE_CHECKING:
    from corridors.graph.network import Network


def set_capacity(
    capacities: Sequence[CapacityRow], changes: Mapping[str, float]
) -> list[CapacityRow]:
    """Give the capacities with some set to new values (tonnes per year).

    Parameters
    ----------
    capacities : sequence of CapacityRow
        The capacities.
    changes : mapping of str to float
        Capacity id -> new capacity in tonnes per year (positive).

    Returns
    -------
    list of CapacityRow
    """
    known = {c.id for c in capacities}
    for cid, value in changes.items():
        if cid not in known:
            msg = f"no capacity {cid!r}; capacities are: {', '.join(sorted(known))}"
            raise InvalidOptionError(msg)
        if not (value > 0 and np.isfinite(value)):
            msg = f"capacity {cid} must be a positive number of tonnes per year, not {value!r}"
            raise InvalidOptionError(msg)
    return [
        dataclasses.replace(
            c,
            tonnes_per_year=changes[c.id],
            low_tonnes=min(c.low_tonnes, changes[c.id]),
            high_tonnes=max(c.high_tonnes, changes[c.id]),
        )
        if c.id in changes
        else c
        for c in capacities
    ]


def growth_sweep(
    demand: str | Path | Sequence[DemandRow],
    factors: Iterable[float],
    network: Network | None = None,
    *,
    capacities: Sequence[CapacityRow] | None = None,
    watch: Sequence[str] = (),
    **assign_options: Any,
) -> pd.DataFrame:
    """Assign the demand grown by each factor and report what fills.

    Parameters
    ----------
    demand : str, pathlib.Path or sequence of DemandRow
        The base demand.
    factors : iterable of float
        Growth factors (1 = the base).
    network : Network, optional
        The network (the shipped one by default).
    capacities : sequence of CapacityRow, optional
        Capacities to use instead of the network's.
    watch : sequence of str
        Capacity ids whose utilisation gets a column each (all of them by default).
    **assign_options
        Passed to :func:`corridors.flows.assign.assign` (method, gap, ...).

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``growth``, ``tonnes``, ``iterations``, ``gap``, ``converged``,
        ``top_bottleneck`` (the capacity adding the most delay), ``max_utilisation``,
        ``delay_tonne_hours`` and ``use:<capacity id>`` per watched capacity.
    """
    from corridors.flows.assign import assign
    from corridors.graph.network import load_network

    net = network if network is not None else load_network()
    base = list(read_demand(net, demand)) if isinstance(demand, str | Path) else list(demand)
    caps = list(read_capacities(net) if capacities is None else capacities)
    watched = list(watch) or [c.id for c in caps]
    rows = []
    for g in factors:
        result = assign(scale_demand(base, float(g)), net, capacities=caps, **assign_options)
        use = result.capacity_use().set_index("id")
        ranked = result.bottlenecks(1)
        totals = result.totals()
        row: dict[str, Any] = {
            "growth": float(g),
            "tonnes": totals["tonnes"],
            "iterations": result.solution.iterations,
            "gap": result.solution.gap,
            "converged": result.solution.converged,
            "top_bottleneck": str(ranked["id"].iloc[0]) if len(ranked) else "",
            "max_utilisation": float(use["utilisation"].max()) if len(use) else 0.0,
            "delay_tonne_hours": totals["delay_tonne_hours"],
        }
        utilisation = {str(k): float(v) for k, v in use["utilisation"].items()}
        for cid in watched:
            row[f"use:{cid}"] = utilisation.get(cid, 0.0)
        rows.append(row)
    return pd.DataFrame(rows)


def saturating_growth(sweep: pd.DataFrame, capacity_id: str) -> float | None:
    """Give the growth at which a capacity's utilisation first reaches 1 in a sweep.

    Interpolates linearly between the two factors around the crossing; ``None`` when the
    capacity stays below 1 over the sweep.
    """
    col = f"use:{capacity_id}"
    if col not in sweep:
        msg = f"the sweep has no column {col!r}; watch {capacity_id!r} in growth_sweep"
        raise InvalidOptionError(msg)
    g, u = sweep["growth"].to_numpy(), sweep[col].to_numpy()
    above = np.flatnonzero(u >= 1.0)
    if above.size == 0:
        return None
    i = int(above[0])
    if i == 0:
        return float(g[0])
    return float(g[i - 1] + (1.0 - u[i - 1]) * (g[i] - g[i - 1]) / (u[i] - u[i - 1]))
