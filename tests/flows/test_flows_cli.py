"""``corridors flows`` on TNTP files, run as a user would.

Sioux Falls is the copy AequilibraE ships, written as TNTP files (see ``conftest.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import one_line_error, run_cli

from corridors.flows import tntp

from .conftest import SiouxFalls, write_tntp_flows


@pytest.mark.slow
def test_equilibrium_writes_one_row_per_link_close_to_aequilibrae(
    tmp_path: Path, sioux_falls: SiouxFalls, aequilibrae_flows: Callable[[float], np.ndarray]
) -> None:
    out = tmp_path / "flows.csv"
    proc = run_cli(
        "flows", "--tntp-net", str(sioux_falls.net), "--tntp-trips", str(sioux_falls.trips),
        "--method", "equilibrium", "--gap", "1e-4", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "iteration 1: relative gap" in proc.stderr
    assert "reached; target 0.0001" in proc.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["init_node", "term_node", "flow", "cost"]
    assert len(rows) == 76
    data = sioux_falls.data
    # one row per link, in the network file's order
    assert [(int(r["init_node"]), int(r["term_node"])) for r in rows] == list(
        zip(data.a_node.tolist(), data.b_node.tolist(), strict=True)
    )
    ours = np.array([float(r["flow"]) for r in rows])
    cost = np.array([float(r["cost"]) for r in rows])
    # AequilibraE's solution at the same gap, through a TNTP flow file
    theirs = aequilibrae_flows(1e-4)
    solution = tmp_path / "SiouxFalls_flow.tntp"
    write_tntp_flows(data, theirs, sioux_falls.bpr_time(theirs), solution)
    best = tntp.read_flows(solution)
    ref = np.array([best[int(r["init_node"]), int(r["term_node"])][0] for r in rows])
    ref_cost = np.array([best[int(r["init_node"]), int(r["term_node"])][1] for r in rows])
    assert ref.tolist() == theirs.tolist()
    assert np.abs(ours - ref).sum() / ref.sum() < 0.005
    # the cost column is each link's BPR time at its flow
    assert cost == pytest.approx(sioux_falls.bpr_time(ours), rel=1e-6)
    # link times are steeper than flows (BPR power 4): 0.8% apart on the worst link here
    assert np.max(np.abs(cost - ref_cost) / ref_cost) < 0.02


@pytest.mark.slow
def test_aon_and_logit_load_every_trip(sioux_falls: SiouxFalls) -> None:
    demand = tntp.read_trips(sioux_falls.trips)
    sent = np.zeros(24)
    np.add.at(sent, demand.origins, demand.trips.sum(axis=1))
    np.add.at(sent, demand.destinations, -demand.trips.sum(axis=0))
    flows = {}
    for method in ("aon", "logit"):
        proc = run_cli(
            "flows", "--tntp-net", str(sioux_falls.net), "--tntp-trips", str(sioux_falls.trips),
            "--method", method, "--theta", "0.5",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        rows = list(csv.DictReader(proc.stdout.splitlines()))
        flows[method] = np.array([float(r["flow"]) for r in rows])
        # at every node, flow out less flow in is the trips it sends less those it receives
        init = np.array([int(r["init_node"]) - 1 for r in rows])
        term = np.array([int(r["term_node"]) - 1 for r in rows])
        net_out = np.bincount(init, flows[method], 24) - np.bincount(term, flows[method], 24)
        assert net_out == pytest.approx(sent, abs=1e-6)
    # logit spreads trips over more links than all-or-nothing
    assert (flows["logit"] > 0).sum() > (flows["aon"] > 0).sum()


def _toy_files(folder: Path) -> tuple[str, str]:
    # our own two-zone toy: 1 -> 2 directly or through node 3
    net, trips = folder / "toy_net.tntp", folder / "toy_trips.tntp"
    net.write_text(
        "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n"
        "<NUMBER OF LINKS> 3\n<END OF METADATA>\n"
        "1 2 10 0 1 0.15 4 0 0 1 ;\n1 3 100 0 1 0.15 4 0 0 1 ;\n3 2 100 0 1 0.15 4 0 0 1 ;\n"
    )
    trips.write_text("<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n 2 : 40;\n")
    return str(net), str(trips)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--tntp-net", "NET"], "--tntp-trips"),
        (["--tntp-net", "NET", "--tntp-trips", "TRIPS", "--method", "best"], "aon, logit"),
        (["--tntp-net", "NET", "--tntp-trips", "TRIPS", "--gap", "0"], "--gap"),
        (["--tntp-net", "NET", "--tntp-trips", "TRIPS", "--algorithm", "x"], "bfw"),
        (["--tntp-net", "missing.tntp", "--tntp-trips", "TRIPS"], "cannot read"),
        (["--tntp-net", "TRIPS", "--tntp-trips", "TRIPS"], "NUMBER OF NODES"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    net, trips = _toy_files(tmp_path)
    args = [{"NET": net, "TRIPS": trips}.get(a, a) for a in args]
    out = tmp_path / "flows.csv"
    proc = run_cli("flows", *args, "--out", str(out))
    assert proc.returncode == 2
    assert needle in one_line_error(proc.stderr)
    assert not out.exists()


def test_toy_network_splits_at_equal_times(tmp_path: Path) -> None:
    net, trips = _toy_files(tmp_path)
    proc = run_cli("flows", "--tntp-net", net, "--tntp-trips", trips, "--gap", "1e-8")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(proc.stdout.splitlines()))
    flow = [float(r["flow"]) for r in rows]
    cost = [float(r["cost"]) for r in rows]
    assert flow[0] + flow[1] == pytest.approx(40.0) and flow[1] == pytest.approx(flow[2])
    assert flow[0] > 0 and flow[1] > 0
    assert cost[0] == pytest.approx(cost[1] + cost[2], rel=1e-4)
