"""Scenario changes for demand growth and capacities, and congestion that binds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import one_line_error, run_cli

import corridors
from corridors.errors import ScenarioError
from corridors.flows import inputs
from corridors.flows.assign import assign
from corridors.graph.network import Network

EAST = ["kz-aktau-port", "kz-kuryk", "tm-turkmenbashi"]
WEST = ["az-alat", "az-baku", "az-sangachal"]


def _scenario(tmp_path: Path, changes: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"name: test\ncites: [seed-004]\nchanges:\n{changes}")
    return path


def test_growth_where_scales_only_the_rows_it_selects(net: Network, tmp_path: Path) -> None:
    rows = inputs.read_demand(net, "baseline-2024")
    path = _scenario(
        tmp_path,
        "  - growth: {factor: 2, where: {profile: oil}}\n"
        "  - growth: {factor: 3, where: {origin: Astana, destination: az-baku}}\n",
    )
    grown, _ = corridors.load_scenario(path).flow_inputs(rows, [], net)
    for before, after in zip(rows, grown):
        factor = 2 if before.profile == "oil" else 1
        factor *= 3 if (before.origin, before.destination) == ("kz-astana", "az-baku") else 1
        assert after.tonnes_per_year == pytest.approx(factor * before.tonnes_per_year)
    assert any(r.profile == "oil" for r in rows) and any(r.destination == "az-baku" for r in rows)


def test_capacity_change_sets_and_scales_a_row(net: Network, tmp_path: Path) -> None:
    caps = inputs.read_capacities(net)
    path = _scenario(
        tmp_path,
        "  - capacity: {id: cap-kz-aktau-port, set: 5}\n"
        "  - capacity: {id: cap-kz-kuryk, scale: 0.5}\n",
    )
    _, changed = corridors.load_scenario(path).flow_inputs([], caps, net)
    by_id = {c.id: c for c in changed}
    old = {c.id: c for c in caps}
    assert by_id["cap-kz-aktau-port"].tonnes_per_year == 5e6
    assert by_id["cap-kz-kuryk"].tonnes_per_year == pytest.approx(
        0.5 * old["cap-kz-kuryk"].tonnes_per_year
    )
    assert by_id["cap-az-alat"] == old["cap-az-alat"]


def test_assign_with_a_scenario_matches_the_same_changes_by_hand(net: Network) -> None:
    scenario = corridors.load_scenario("trans-caspian-growth")
    through = assign("baseline-2024", net, scenario=scenario)
    wanted = {"cap-az-alat": 25e6, "cap-kz-bolashak": 10e6}
    caps = [
        dataclasses.replace(c, tonnes_per_year=wanted[c.id]) if c.id in wanted else c
        for c in inputs.read_capacities(net)
    ]
    by_hand = assign("baseline-2024", net, capacities=caps, growth=1.62)
    assert through.totals()["tonnes"] == pytest.approx(by_hand.totals()["tonnes"])
    a = through.capacity_use().set_index("id")
    b = by_hand.capacity_use().set_index("id")
    assert a.loc["cap-az-alat", "capacity_t"] == 25e6
    assert a["tonnes"].to_numpy() == pytest.approx(b["tonnes"].to_numpy())


def test_closing_the_aktau_ferries_in_a_scenario_moves_the_caspian_cargo(
    net: Network, tmp_path: Path
) -> None:
    path = _scenario(tmp_path, "  - close: {node: kz-aktau-port, mode: [ferry, sea]}\n")
    base = assign("baseline-2024", net)
    closed = assign("baseline-2024", net, scenario=corridors.load_scenario(path))
    b = base.capacity_use().set_index("id")["tonnes"]
    c = closed.capacity_use().set_index("id")["tonnes"]
    assert b["cap-kz-aktau-port"] > 1e6 and c["cap-kz-aktau-port"] == 0
    assert c["cap-kz-kuryk"] == pytest.approx(b["cap-kz-aktau-port"])


def test_congestion_binds_under_growth_and_shifts_cargo_to_kuryk(net: Network) -> None:
    # at twice the 2024 demand the queue at Aktau costs enough to send cargo elsewhere
    aon = assign("baseline-2024", net, method="aon", growth=2)
    eq = assign("baseline-2024", net, method="equilibrium", growth=2, gap=1e-4)
    assert eq.solution.iterations > 1 and eq.solution.converged and eq.solution.gap <= 1e-4
    a = aon.capacity_use().set_index("id")
    e = eq.capacity_use().set_index("id")
    assert a.loc["cap-kz-kuryk", "tonnes"] == 0 and e.loc["cap-kz-kuryk", "tonnes"] > 1e5
    assert e.loc["cap-kz-aktau-port", "tonnes"] < a.loc["cap-kz-aktau-port", "tonnes"]
    # the delay at Aktau falls with the cargo that leaves it
    assert e.loc["cap-kz-aktau-port", "delay_h"] < a.loc["cap-kz-aktau-port", "delay_h"]
    # the grain for Iran moves from the Aktau-Amirabad ferry to the Kuryk-Amirabad one
    moved = "ferry-kz-kuryk-ir-amirabad"
    assert moved not in set(aon.link_loads()["link_id"])
    loads = eq.link_loads().set_index("link_id")["tonnes"]
    assert loads[moved] > 1e5
    assert (
        loads["ferry-kz-aktau-port-ir-amirabad"]
        < aon.link_loads().set_index("link_id").loc["ferry-kz-aktau-port-ir-amirabad", "tonnes"]
    )


def test_queue_costs_are_at_least_the_value_of_time(net: Network) -> None:
    costs = inputs.read_queue_costs(net)
    for pid, profile in net.profiles.items():
        assert costs[pid] >= profile.value_of_time_usd_per_h
    # grain waiting in a queue: 0.6% of 266 USD/t per day
    assert costs["bulk"] == pytest.approx(266 * 0.006 / 24)


def test_cli_scenario_flow_changes_and_their_errors(tmp_path: Path) -> None:
    proc = run_cli("flows", "baseline-2024", "--scenario", "trans-caspian-growth")
    assert proc.returncode == 0, proc.stderr
    assert "scenario trans-caspian-growth" in proc.stdout and "25.00" in proc.stdout
    bad = _scenario(tmp_path, "  - capacity: {id: cap-kz-aktau, set: 5}\n", "bad.yaml")
    proc = run_cli("flows", "baseline-2024", "--scenario", str(bad))
    err = one_line_error(proc.stderr)
    assert proc.returncode == 2 and "no capacity 'cap-kz-aktau'" in err
    assert "did you mean `cap-kz-aktau-port`" in err and "bad.yaml:4" in err
    bad = _scenario(tmp_path, "  - growth: {factor: 2, where: {profile: bulky}}\n", "p.yaml")
    proc = run_cli("flows", "baseline-2024", "--scenario", str(bad))
    assert proc.returncode == 2 and "did you mean `bulk`" in one_line_error(proc.stderr)
    bad = _scenario(tmp_path, "  - growth: {factor: -1}\n", "g.yaml")
    proc = run_cli("flows", "baseline-2024", "--scenario", str(bad))
    assert proc.returncode == 2 and "factor" in one_line_error(proc.stderr)
    bad = _scenario(tmp_path, "  - capacity: {id: cap-kz-kuryk, set: 5, scale: 2}\n", "b.yaml")
    proc = run_cli("flows", "baseline-2024", "--scenario", str(bad))
    assert proc.returncode == 2 and "not both" in one_line_error(proc.stderr)


def test_scenario_flow_inputs_reject_an_unknown_capacity_in_python(net: Network) -> None:
    s = corridors.Scenario.from_dict(
        {"name": "x", "cites": ["seed-004"], "changes": [{"capacity": {"id": "nope", "set": 1}}]}
    )
    with pytest.raises(ScenarioError, match="no capacity 'nope'"):
        s.flow_inputs([], inputs.read_capacities(net), net)


def test_loads_past_a_hard_capacity_are_reported(net: Network) -> None:
    within = assign("baseline-2024", net, growth=2)
    assert within.violations().empty
    over = assign("baseline-2024", net, growth=12)
    v = over.violations()
    assert "cap-kz-aktau-port" in set(v["id"]) and (v["utilisation"] > 1).all()
    proc = run_cli("flows", "baseline-2024", "--growth", "12")
    assert proc.returncode == 0, proc.stderr
    assert "warning: cap-kz-aktau-port carries" in proc.stderr and "hard capacity" in proc.stderr
