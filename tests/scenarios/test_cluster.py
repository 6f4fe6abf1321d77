"""Monte Carlo runs and sweeps on a real Dask cluster give what a local run gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from conftest import one_line_error, run_cli

import corridors
from corridors.errors import InvalidOptionError
from corridors.scenarios.cluster import connect

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes on this machine, as a cluster of two machines would run."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_montecarlo_on_a_cluster_equals_the_local_run(net: corridors.Network, client: Any) -> None:
    scenario = corridors.load_scenario("ferry-headway-halved")
    local = scenario.montecarlo(draws=60, seed=7, net=net)
    remote = scenario.montecarlo(draws=60, seed=7, net=net, scheduler=client)
    assert len(client.scheduler_info()["workers"]) == 2
    pd.testing.assert_frame_equal(remote.samples, local.samples, check_exact=True)
    pd.testing.assert_frame_equal(remote.corridor_samples, local.corridor_samples, check_exact=True)
    assert remote.notes == local.notes


def test_montecarlo_by_scheduler_address(net: corridors.Network, client: Any) -> None:
    scenario = corridors.load_scenario("ferry-headway-halved")
    local = scenario.montecarlo(draws=30, seed=3, net=net, workers=2)
    remote = scenario.montecarlo(draws=30, seed=3, net=net, scheduler=client.scheduler.address)
    pd.testing.assert_frame_equal(remote.samples, local.samples, check_exact=True)


def test_sweep_on_a_cluster_equals_the_local_run(net: corridors.Network, client: Any) -> None:
    scenario = corridors.load_scenario("aktau-grain-silo")
    # three of its five points: more points than workers, each point a network of its own
    values = {"fee_factor": [0.4, 0.8, 1.2]}
    local = scenario.sweep(values, net=net)
    remote = scenario.sweep(values, net=net, scheduler=client)
    assert sorted(set(local.table["fee_factor"])) == [0.4, 0.8, 1.2]
    pd.testing.assert_frame_equal(remote.table, local.table, check_exact=True)


def test_a_scheduler_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(InvalidOptionError, match="not an address"):
        connect(" ")


def test_cli_montecarlo_with_scheduler_prints_the_local_result(client: Any) -> None:
    args = ("scenario", "montecarlo", "ferry-headway-halved", "--draws", "40", "--seed", "2")
    local = run_cli(*args, "--json", "--workers", "1")
    remote = run_cli(*args, "--json", "--scheduler", client.scheduler.address)
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_cli_refuses_a_scheduler_nobody_answers_at() -> None:
    got = run_cli(
        "scenario",
        "montecarlo",
        "ferry-headway-halved",
        "--draws",
        "5",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert got.returncode == 2
    assert one_line_error(got.stderr).startswith(
        "error: no Dask scheduler answers at tcp://127.0.0.1:9"
    )
