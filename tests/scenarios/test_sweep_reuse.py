"""Sweeps share one network among grid points whose changes leave the tables alike."""

from __future__ import annotations

import pandas as pd
import pytest

import corridors
from corridors.scenarios import apply, sweeps


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = apply.apply_changes

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(apply, "apply_changes", counting)
    return calls


def test_visa_sweep_builds_one_network_and_equals_separate_builds(
    net: corridors.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = {"visa_days": [3.0, 7.0, 14.0]}
    calls = _counted(monkeypatch)
    shared = corridors.load_scenario("iran-driver-visa-14d").sweep(grid, net=net)
    shared_builds = len(calls)
    monkeypatch.setattr(sweeps, "SHARED_NETWORKS", 0)
    calls.clear()
    separate = corridors.load_scenario("iran-driver-visa-14d").sweep(grid, net=net)
    # one network per point and one at the default values without sharing
    assert len(calls) == 4
    # a max_stay limit leaves the tables alike: one network serves every point
    assert shared_builds == 1
    pd.testing.assert_frame_equal(shared.table, separate.table, check_exact=True)
    print(f"visa sweep: {len(shared.table)} rows equal; networks built {shared_builds} vs 4")


def test_points_with_other_values_get_their_own_network(
    net: corridors.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = {"dwell_factor": [0.6, 0.75]}
    calls = _counted(monkeypatch)
    shared = corridors.load_scenario("aktau-grain-silo").sweep(grid, net=net)
    assert len(calls) == 3  # the default values and each point: dwell rewrites the tables
    monkeypatch.setattr(sweeps, "SHARED_NETWORKS", 0)
    separate = corridors.load_scenario("aktau-grain-silo").sweep(grid, net=net)
    pd.testing.assert_frame_equal(shared.table, separate.table, check_exact=True)
