"""Stochastic user equilibrium: Dial's logit at congested costs, by successive averages."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import run_cli

from corridors.errors import InvalidOptionError
from corridors.flows.aon import Demand
from corridors.flows.assignment import assign_links
from corridors.flows.classes import DemandClass
from corridors.flows.links import LinkTable
from corridors.flows.logit import sue_assign
from corridors.flows.vdf import link_time
from corridors.graph.network import Network


def _two_routes() -> tuple[LinkTable, DemandClass]:
    # node 0 -> node 1 over two parallel links, a fast narrow one and a slow wide one
    links = LinkTable.build([0, 0], [1, 1], [10.0, 15.0], [100.0, 400.0], alpha=0.15, beta=4.0)
    demand = Demand(np.array([0]), np.array([1]), np.array([[500.0]]))
    return links, DemandClass("trips", demand)


def test_sue_meets_the_logit_condition_at_its_own_costs() -> None:
    links, cls = _two_routes()
    theta = 0.3
    sol = sue_assign(links, [cls], theta=theta, gap=1e-6, max_iter=20_000)
    assert sol.converged and sol.gap <= 1e-6
    x = sol.flow
    t = link_time(links, x)
    # at a stochastic user equilibrium the split is the logit split at the congested costs
    share = 1.0 / (1.0 + np.exp(-theta * (t[1] - t[0])))
    assert x[0] / x.sum() == pytest.approx(share, abs=1e-4)
    assert x.sum() == pytest.approx(500.0)
    # and it is not the free-flow logit split: congestion moved trips to the wide link
    free = 1.0 / (1.0 + np.exp(-theta * 5.0))
    assert x[0] / x.sum() < free - 0.05


def test_sue_approaches_the_user_equilibrium_as_dispersion_grows() -> None:
    links, cls = _two_routes()
    ue = assign_links(links, [cls], method="equilibrium", gap=1e-8, max_iter=2000)
    sue = sue_assign(links, [cls], theta=50.0, gap=1e-6, max_iter=20_000)
    assert sue.flow == pytest.approx(ue.flow, rel=2e-2)
    with pytest.raises(InvalidOptionError, match="theta"):
        sue_assign(links, [cls], theta=0.0)


def test_sue_on_the_corridor_network(net: Network) -> None:
    from corridors.flows.assign import assign

    sue = assign("baseline-2024", net, method="sue", theta=0.01, gap=1e-4, max_iter=500)
    assert sue.solution.converged and sue.solution.gap <= 1e-4
    eq = assign("baseline-2024", net, method="equilibrium")
    # logit spreads some grain to Kuryk even where the equilibrium sends none
    use = sue.capacity_use().set_index("id")["tonnes"]
    assert eq.capacity_use().set_index("id").loc["cap-kz-kuryk", "tonnes"] == 0
    assert use["cap-kz-kuryk"] > 0
    assert sue.totals()["tonnes"] == pytest.approx(eq.totals()["tonnes"])
    proc = run_cli("flows", "baseline-2024", "--method", "sue", "--theta", "0.01")
    assert proc.returncode == 0, proc.stderr
    assert "sue (msa): relative gap" in proc.stderr and "reached" in proc.stderr
