"""The Monte Carlo oracle: route every pair per draw the slow way, one ``route()`` each.

Tests check the batch Monte Carlo draws against it, and the benchmarks time the product
against it. It lives outside the package because nothing in the product uses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

import corridors.routing
from corridors.graph.cost_model import combine_sides
from corridors.graph.network import Network
from corridors.scenarios.comparison import Pair
from corridors.scenarios.montecarlo import uncertain_targets
from corridors.scenarios.scenario import Scenario


class ReferenceLoop:
    """Route each pair per draw the slow way: new cost components, then ``route()``.

    The reference that batch draws are checked against, and the naive loop they are
    timed against. The scenario is applied and the uncertain values drawn once, as in
    :func:`run_montecarlo`; each draw then writes its values into copies of the routing
    graph's cost components and arrays, and :func:`corridors.routing.solve.route` runs per
    pair on a network holding that graph.

    Parameters
    ----------
    scenario, net
        The scenario and the baseline network.
    draws, seed
        As for :func:`run_montecarlo` (they fix the drawn values).
    od
        OD pairs (default: the scenario's).
    """

    def __init__(
        self,
        scenario: Scenario,
        net: Network,
        *,
        draws: int,
        seed: int,
        od: Iterable[str | Pair] | None = None,
    ) -> None:
        self.pairs = scenario.pairs(od)
        self.applied = scenario.apply(net)
        # Monte Carlo draws sum the routing graph's components as skims do: trucks timed
        # by their driving, without the crew's rests (crew=0)
        self.options = replace(scenario.route_options(), crew=0)
        self.rg = self.applied.routing_graph(self.options.profile)
        self.targets, self.params, self.sides, _ = uncertain_targets(
            scenario, self.applied, self.rg, draws, seed
        )
        self.flat_graph = [
            (e, j) for e, comps in enumerate(self.rg.components) for j in range(len(comps))
        ]

    def routes(self, draw: int) -> list[Any]:
        """Return the best route of every pair in draw ``draw``, in pair order."""
        import copy
        from dataclasses import replace as dc_replace

        rg = self.rg
        comps = [list(c) for c in rg.components]
        # a crossing's side rows, by slot, recombined after every target has written
        sides = [] if self.sides is None else [list(row) for row in self.sides.base.tolist()]
        for t, p in zip(self.targets, self.params):
            value = p[draw][t.instance]
            for m, k in enumerate(t.comps.tolist()):
                e, j = self.flat_graph[k]
                c = comps[e][j]
                v = float(value[m])
                new = (
                    v / 2.0
                    if t.transform == "half"
                    else (c.distance_km / v if t.transform == "inverse_km" else v)
                )
                if len(t.slots) and t.slots[m] >= 0:
                    sides[int(t.slots[m])][t.column] = new
                    continue
                comps[e][j] = (
                    dc_replace(c, time_h=new) if t.column == 0 else dc_replace(c, cost_usd=new)
                )
        if self.sides is not None:
            for g, k in enumerate(self.sides.comps.tolist()):
                rows = [sides[i] for i in np.flatnonzero(self.sides.group == g).tolist()]
                e, j = self.flat_graph[k]
                comps[e][j] = dc_replace(
                    comps[e][j],
                    time_h=combine_sides([r[0] for r in rows]),
                    cost_usd=combine_sides([r[1] for r in rows]),
                )
        drawn = copy.copy(rg)
        drawn.components = [tuple(c) for c in comps]
        drawn.time_h = np.array([sum(c.time_h for c in cs) for cs in drawn.components])
        drawn.cost_usd = np.array([sum(c.cost_usd for c in cs) for cs in drawn.components])
        other = copy.copy(self.applied)
        other._routing = {rg.profile.id: drawn}
        return [corridors.routing.route(other, o, d, options=self.options) for o, d in self.pairs]


def naive_draw_routes(
    scenario: Scenario,
    net: Network,
    draw: int,
    *,
    draws: int,
    seed: int,
    od: Iterable[str | Pair] | None = None,
) -> list[Any]:
    """Route each pair in one draw with :class:`ReferenceLoop` (set up for this draw alone)."""
    return ReferenceLoop(scenario, net, draws=draws, seed=seed, od=od).routes(draw)
