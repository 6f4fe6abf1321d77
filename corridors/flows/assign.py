"""``assign``: freight demand on the corridor network, all-or-nothing, logit or at equilibrium."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from corridors.errors import InvalidOptionError
from corridors.flows.aon import Demand
from corridors.flows.assignment import assign_links
from corridors.flows.classes import DemandClass
from corridors.flows.corridor_table import CorridorTable, build_table
from corridors.flows.equilibrium import Progress
from corridors.flows.inputs import (
    CapacityRow,
    DemandRow,
    read_capacities,
    read_demand,
    read_queue_costs,
    scale_demand,
)
from corridors.flows.results import FlowResult

if TYPE_CHECKING:
    from corridors.graph.network import Network


class FlowScenario(Protocol):
    """What ``assign`` needs of a what-if (a ``corridors.Scenario`` is one)."""

    def apply(self, net: Network | None = None) -> Network:
        """Return the changed network."""

    def flow_inputs(
        self,
        demand: Sequence[DemandRow],
        capacities: Sequence[CapacityRow],
        net: Network | None = None,
    ) -> tuple[list[DemandRow], list[CapacityRow]]:
        """Return the changed demand and capacities."""


#: Logit dispersion per hour of (value-of-time-weighted) cost, unless one is given.
DEFAULT_THETA = 0.01


def assign(
    demand: str | Path | Sequence[DemandRow],
    network: Network | None = None,
    *,
    method: str = "equilibrium",
    algorithm: str = "bfw",
    gap: float = 1e-4,
    max_iter: int = 1000,
    theta: float = DEFAULT_THETA,
    capacities: Sequence[CapacityRow] | None = None,
    growth: float = 1.0,
    scenario: FlowScenario | None = None,
    progress: Progress | None = None,
    **route_options: Any,
) -> FlowResult:
    """Assign freight demand to the corridor network.

    Parameters
    ----------
    demand : str, pathlib.Path or sequence of DemandRow
        A demand CSV, the name of a shipped one (``"baseline-2024"``), or rows.
    network : Network, optional
        The network (the shipped one by default; a scenario's ``network`` for what-ifs).
    method : {"equilibrium", "aon", "logit", "sue"}
        Route choice: capacity-constrained user equilibrium, all-or-nothing at free-flow
        cost, Dial's logit over efficient routes at free-flow cost, or the stochastic user
        equilibrium (Dial's logit at congested costs, by successive averages).
    algorithm : {"bfw", "cfw", "fw", "msa"}
        Equilibrium algorithm.
    gap : float
        Target relative gap of the equilibrium.
    max_iter : int
        Iterations at most.
    theta : float
        Logit dispersion per hour of generalized cost, counted in queueing hours (cost
        divided by what an hour of queueing costs the class).
    capacities : sequence of CapacityRow, optional
        Capacities to use instead of the network's ``capacities.csv``.
    growth : float
        Multiply every demand row by this (1.62 for +62%).
    scenario : Scenario, optional
        A what-if (``corridors.load_scenario(name)``): its changes to the network, and its
        ``growth`` and ``capacity`` changes to the demand and capacities, apply first.
    progress : callable, optional
        Called as ``progress(iteration, gap)`` after each equilibrium iteration.
    **route_options
        Route options (``statuses``, ``modes``, ``avoid_countries``, ``year``, ...) that say
        which links may be used, as for :func:`corridors.route`.

    Returns
    -------
    FlowResult
    """
    from corridors.graph.network import load_network
    from corridors.routing.options import RouteOptions

    net = network if network is not None else load_network()
    if scenario is not None:
        if not hasattr(scenario, "flow_inputs"):
            msg = f"scenario takes a Scenario (corridors.load_scenario(name)), not {scenario!r}"
            raise InvalidOptionError(msg)
        net = scenario.apply(net)
    rows = list(read_demand(net, demand)) if isinstance(demand, str | Path) else list(demand)
    if not rows:
        msg = "the demand has no rows"
        raise InvalidOptionError(msg)
    if growth != 1.0:
        rows = scale_demand(rows, growth)
    caps = list(read_capacities(net) if capacities is None else capacities)
    if scenario is not None:
        rows, caps = scenario.flow_inputs(rows, caps, net)
    options = RouteOptions.build(**route_options)
    profiles = sorted({r.profile for r in rows})
    table = build_table(net, profiles, caps, options, read_queue_costs(net))
    classes = demand_classes(table, rows)
    solution = assign_links(
        table.links,
        classes,
        method=method,
        algorithm=algorithm,
        gap=gap,
        max_iter=max_iter,
        theta=theta,
        progress=progress,
    )
    return FlowResult(table=table, solution=solution, demand=rows, method=method)


def demand_classes(table: CorridorTable, rows: Sequence[DemandRow]) -> list[DemandClass]:
    """Give one demand class per profile of ``rows`` on a corridor link table.

    Parameters
    ----------
    table : CorridorTable
        Built for (at least) the profiles of ``rows``.
    rows : sequence of DemandRow
        The demand.

    Returns
    -------
    list of DemandClass
        In profile order, trips in profile units, capacity factor its tonnes per unit.
    """
    classes = []
    for pid in sorted({r.profile for r in rows}):
        mine = [r for r in rows if r.profile == pid]
        origins = sorted({r.origin for r in mine})
        dests = sorted({r.destination for r in mine})
        trips = np.zeros((len(origins), len(dests)))
        for r in mine:
            trips[origins.index(r.origin), dests.index(r.destination)] += r.units_per_year
        classes.append(
            DemandClass(
                pid,
                Demand(table.origins(origins), table.destinations(dests), trips),
                pce=table.tonnes_per_unit[pid],
                fixed_cost=table.fixed[pid],
            )
        )
    return classes
