"""The equilibrium solver on Sioux Falls against AequilibraE's solution, and on toys.

Sioux Falls is the copy AequilibraE ships (see ``conftest.py``), read through TNTP files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corridors.errors import GeodataError, InvalidOptionError
from corridors.flows import equilibrium, tntp
from corridors.flows.aon import Demand, ShortestPaths
from corridors.flows.classes import DemandClass
from corridors.flows.links import LinkTable
from corridors.flows.vdf import link_time, link_time_derivative

from .conftest import SiouxFalls


def _read(sf: SiouxFalls) -> tuple[LinkTable, Demand]:
    links = tntp.read_net(sf.net)
    return links, tntp.read_trips(sf.trips, links.n_nodes)


def test_reads_sioux_falls(sioux_falls: SiouxFalls) -> None:
    links, demand = _read(sioux_falls)
    data = sioux_falls.data
    assert links.n_nodes == 24 and links.n_links == 76
    assert links.no_through == 0
    assert links.free_time[0] == 6 and links.capacity[0] == pytest.approx(25900.20064)
    assert np.all(links.alpha == 0.15) and np.all(links.beta == 4)
    # the files give back exactly what AequilibraE ships, link by link and zone by zone
    assert links.init.tolist() == (data.a_node - 1).tolist()
    assert links.term.tolist() == (data.b_node - 1).tolist()
    assert links.capacity.tolist() == data.capacity.tolist()
    assert links.free_time.tolist() == data.free_flow_time.tolist()
    matrix = np.zeros((24, 24))
    matrix[np.ix_(demand.origins, demand.destinations)] = demand.trips
    assert matrix.tolist() == data.demand.tolist()
    assert demand.total == pytest.approx(360600.0)


def _conserves_trips(links: LinkTable, demand: Demand, flow: np.ndarray) -> bool:
    # at every node, flow in less flow out is the trips it receives less those it sends
    inflow = np.bincount(links.term, weights=flow, minlength=links.n_nodes)
    outflow = np.bincount(links.init, weights=flow, minlength=links.n_nodes)
    net_in = np.zeros(links.n_nodes)
    np.add.at(net_in, demand.destinations, demand.trips.sum(axis=0))
    np.add.at(net_in, demand.origins, -demand.trips.sum(axis=1))
    return bool(np.allclose(inflow - outflow, net_in))


def test_bfw_matches_aequilibrae_at_gap_1e4(
    sioux_falls: SiouxFalls, aequilibrae_flows: Callable[[float], np.ndarray]
) -> None:
    links, demand = _read(sioux_falls)
    result = equilibrium.solve(links, [DemandClass("car", demand)], method="bfw", gap=1e-4)
    assert result.converged and result.gap <= 1e-4
    assert all(np.isfinite(result.gaps))
    ref = aequilibrae_flows(1e-4)
    # both are within the gap of the optimum, from different sides: summed over the network
    # they agree within half a percent; the worst single link is still moving
    assert np.abs(result.flow - ref).sum() / ref.sum() < 0.005
    assert np.max(np.abs(result.flow - ref) / ref) < 0.01
    assert _conserves_trips(links, demand, result.flow)


def test_tighter_gap_brings_every_link_within_half_a_percent(
    sioux_falls: SiouxFalls, aequilibrae_flows: Callable[[float], np.ndarray]
) -> None:
    links, demand = _read(sioux_falls)
    result = equilibrium.solve(links, [DemandClass("car", demand)], gap=1e-5)
    assert result.converged and result.gap <= 1e-5
    ref = aequilibrae_flows(1e-5)
    assert np.max(np.abs(result.flow - ref) / ref) < 0.005
    assert _conserves_trips(links, demand, result.flow)


def test_bfw_needs_fewer_iterations_than_frank_wolfe(sioux_falls: SiouxFalls) -> None:
    links, demand = _read(sioux_falls)
    cls = [DemandClass("car", demand)]
    its = {m: equilibrium.solve(links, cls, method=m, gap=1e-3).iterations for m in ("fw", "bfw")}
    assert its["bfw"] < its["fw"]


def test_progress_sees_every_iteration(sioux_falls: SiouxFalls) -> None:
    links, demand = _read(sioux_falls)
    seen: list[tuple[int, float]] = []
    r = equilibrium.solve(
        links, [DemandClass("car", demand)], gap=1e-3, progress=lambda k, g: seen.append((k, g))
    )
    assert [k for k, _ in seen] == list(range(1, r.iterations + 1))
    assert [g for _, g in seen] == r.gaps


def _two_routes(vdf: str = "bpr") -> LinkTable:
    # 0 -> 1 directly (fast, small) or 0 -> 2 -> 1 (slow, big)
    return LinkTable.build(
        [0, 0, 2], [1, 2, 1], [1.0, 1.0, 1.0], [10.0, 100.0, 100.0], alpha=0.15, beta=4, vdf=vdf
    )


def test_two_routes_have_equal_times_at_equilibrium() -> None:
    links = _two_routes()
    demand = Demand(np.array([0]), np.array([1]), np.array([[40.0]]))
    r = equilibrium.solve(links, [DemandClass("q", demand)], gap=1e-8)
    t = r.time
    assert r.flow[0] + r.flow[1] == pytest.approx(40.0)
    assert r.flow[0] > 0 and r.flow[1] > 0
    assert t[0] == pytest.approx(t[1] + t[2], rel=1e-5)


def test_two_classes_share_capacity_with_their_factors() -> None:
    links = _two_routes()
    demand = Demand(np.array([0]), np.array([1]), np.array([[10.0]]))
    one = equilibrium.solve(links, [DemandClass("a", demand, pce=4.0)], gap=1e-8)
    two = equilibrium.solve(
        links, [DemandClass("a", demand, pce=2.0), DemandClass("b", demand, pce=2.0)], gap=1e-8
    )
    assert one.flow == pytest.approx(two.flow, rel=1e-4)
    # every unit leaves the origin by the direct link or the detour's first link
    assert one.class_flow["a"][:2].sum() == pytest.approx(10.0)
    assert one.flow[:2].sum() == pytest.approx(40.0)
    # a class barred from the direct link takes the detour whatever it costs
    barred = np.array([np.inf, 0.0, 0.0])
    r = equilibrium.solve(
        links, [DemandClass("a", demand), DemandClass("b", demand, fixed_cost=barred)], gap=1e-8
    )
    assert r.class_flow["b"][0] == 0.0 and r.class_flow["b"][1] == pytest.approx(10.0)


def test_zones_below_first_thru_node_are_not_passed_through() -> None:
    # 0 and 1 are zones; the short way from 1 to 2 runs through zone 0
    links = LinkTable.build(
        [1, 0, 1, 3], [0, 2, 3, 2], [1.0, 1.0, 5.0, 5.0], [1e9] * 4, no_through=2, n_nodes=4
    )
    demand = Demand(np.array([1]), np.array([2]), np.array([[3.0]]))
    flow = ShortestPaths(links).load(links.free_time, demand).flow
    assert flow.tolist() == [0.0, 0.0, 3.0, 3.0]
    open_links = LinkTable.build(
        [1, 0, 1, 3], [0, 2, 3, 2], [1.0, 1.0, 5.0, 5.0], [1e9] * 4, n_nodes=4
    )
    assert ShortestPaths(open_links).load(open_links.free_time, demand).flow.tolist() == [
        3.0,
        3.0,
        0.0,
        0.0,
    ]


def test_parallel_links_use_the_cheaper_one() -> None:
    links = LinkTable.build([0, 0], [1, 1], [2.0, 1.0], [1e9, 1e9])
    demand = Demand(np.array([0]), np.array([1]), np.array([[5.0]]))
    load = ShortestPaths(links).load(links.free_time, demand)
    assert load.flow.tolist() == [0.0, 5.0] and load.cost == pytest.approx(5.0)


def test_unreachable_trips_are_reported_not_loaded() -> None:
    links = LinkTable.build([0], [1], [1.0], [1.0], n_nodes=3)
    demand = Demand(np.array([0]), np.array([1, 2]), np.array([[1.0, 2.0]]))
    load = ShortestPaths(links).load(links.free_time, demand)
    assert load.flow.tolist() == [1.0]
    assert load.unreachable == [(0, 2, 2.0)]


def test_queue_function_grows_with_utilisation_and_stays_finite() -> None:
    links = LinkTable.build(
        [0] * 5, [1] * 5, [2.0] * 5, [100.0] * 5, alpha=0.5, beta=0.9, vdf="queue"
    )
    flow = np.array([0.0, 50.0, 90.0, 100.0, 200.0])
    t = link_time(links, flow)
    assert t[0] == 2.0
    assert t[1] == pytest.approx(2.0 + 0.5 * 0.5 / 0.5)  # M/M/1 wait at rho = 0.5
    assert np.all(np.diff(t) > 0) and np.all(np.isfinite(t))
    d = link_time_derivative(links, flow)
    assert np.all(np.diff(d) >= 0)
    # the derivative is the slope of the time: check against a finite difference
    eps = 1e-4
    fd = (link_time(links, flow + eps) - link_time(links, flow - np.where(flow > 0, eps, 0))) / (
        eps + np.where(flow > 0, eps, 0)
    )
    assert d == pytest.approx(fd, rel=1e-3)


def test_bad_solver_arguments_are_refused() -> None:
    links = _two_routes()
    demand = Demand(np.array([0]), np.array([1]), np.array([[1.0]]))
    with pytest.raises(InvalidOptionError, match="method"):
        equilibrium.solve(links, [DemandClass("q", demand)], method="newton")
    with pytest.raises(InvalidOptionError, match="gap"):
        equilibrium.solve(links, [DemandClass("q", demand)], gap=0)
    with pytest.raises(InvalidOptionError, match="pce"):
        DemandClass("q", demand, pce=0)
    with pytest.raises(InvalidOptionError, match="capacit"):
        LinkTable.build([0], [1], [1.0], [0.0])


def test_malformed_tntp_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x_net.tntp"
    bad.write_text(
        "<NUMBER OF NODES> 2\n<NUMBER OF LINKS> 2\n<END OF METADATA>\n1 2 5 1 1 0.15 4 0 0 1 ;\n"
    )
    with pytest.raises(GeodataError, match="2 but 1 links"):
        tntp.read_net(bad)
    bad.write_text("just text\n")
    with pytest.raises(GeodataError, match="not a TNTP file"):
        tntp.read_net(bad)
    trips = tmp_path / "x_trips.tntp"
    trips.write_text(
        "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 5\n<END OF METADATA>\nOrigin 1\n 2 : 4.0;\n"
    )
    with pytest.raises(GeodataError, match="add up to 4"):
        tntp.read_trips(trips)
    with pytest.raises(GeodataError, match="cannot read"):
        tntp.read_trips(tmp_path / "missing.tntp")


def test_assign_links_labels_each_method(sioux_falls: SiouxFalls) -> None:
    from corridors.flows.assignment import assign_links

    links, demand = _read(sioux_falls)
    cls = [DemandClass("car", demand)]
    aon = assign_links(links, cls, method="aon")
    assert aon.method == "aon" and aon.gaps == [] and not aon.converged
    assert assign_links(links, cls, method="logit", theta=0.5).method == "logit"
    eq = assign_links(links, cls, method="equilibrium", algorithm="cfw", gap=1e-3)
    assert eq.method == "cfw" and eq.converged
    with pytest.raises(InvalidOptionError, match="aon, logit, equilibrium"):
        assign_links(links, cls, method="best")
