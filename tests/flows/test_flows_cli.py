"""``corridors flows`` on a TNTP benchmark, run as a user would."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import one_line_error, run_cli

from corridors.flows import tntp

TNTP = Path(__file__).resolve().parents[1] / "fixtures" / "tntp"
NET = str(TNTP / "SiouxFalls_net.tntp")
TRIPS = str(TNTP / "SiouxFalls_trips.tntp")


@pytest.mark.slow
def test_equilibrium_writes_one_row_per_link_close_to_best_known(tmp_path: Path) -> None:
    out = tmp_path / "flows.csv"
    proc = run_cli(
        "flows", "--tntp-net", NET, "--tntp-trips", TRIPS,
        "--method", "equilibrium", "--gap", "1e-4", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "iteration 1: relative gap" in proc.stderr
    assert "reached; target 0.0001" in proc.stderr
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["init_node", "term_node", "flow", "cost"]
    assert len(rows) == 76
    best = tntp.read_flows(TNTP / "SiouxFalls_flow.tntp")
    ours = np.array([float(r["flow"]) for r in rows])
    ref = np.array([best[int(r["init_node"]), int(r["term_node"])][0] for r in rows])
    cost = np.array([float(r["cost"]) for r in rows])
    ref_cost = np.array([best[int(r["init_node"]), int(r["term_node"])][1] for r in rows])
    assert np.abs(ours - ref).sum() / ref.sum() < 0.005
    # link times are steeper than flows (BPR power 4): 1.0% apart on the worst link here
    assert np.max(np.abs(cost - ref_cost) / ref_cost) < 0.02


@pytest.mark.slow
def test_aon_and_logit_load_every_trip(tmp_path: Path) -> None:
    demand = tntp.read_trips(TRIPS)
    sent = np.zeros(24)
    np.add.at(sent, demand.origins, demand.trips.sum(axis=1))
    np.add.at(sent, demand.destinations, -demand.trips.sum(axis=0))
    flows = {}
    for method in ("aon", "logit"):
        proc = run_cli(
            "flows", "--tntp-net", NET, "--tntp-trips", TRIPS, "--method", method,
            "--theta", "0.5",
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


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--tntp-net", NET], "--tntp-trips"),
        (["--tntp-net", NET, "--tntp-trips", TRIPS, "--method", "best"], "aon, logit"),
        (["--tntp-net", NET, "--tntp-trips", TRIPS, "--gap", "0"], "--gap"),
        (["--tntp-net", NET, "--tntp-trips", TRIPS, "--algorithm", "x"], "bfw"),
        (["--tntp-net", "missing.tntp", "--tntp-trips", TRIPS], "cannot read"),
        (["--tntp-net", TRIPS, "--tntp-trips", TRIPS], "NUMBER OF NODES"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    out = tmp_path / "flows.csv"
    proc = run_cli("flows", *args, "--out", str(out))
    assert proc.returncode == 2
    assert needle in one_line_error(proc.stderr)
    assert not out.exists()
