"""Monte Carlo draws time trucks with the crew's breaks and rests, as routes do.

Each draw's best path and each corridor's route are timed with the crew's clock on that
draw's own component times. The rests a draw adds are checked against
:func:`corridors.routing.timeline.with_rests` (what a route uses), on the components of
every path the run timed, with the draw's times written into them.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import corridors.scenarios.montecarlo as mc
from corridors.graph.driving_rules import REST_KINDS
from corridors.graph.network import Network
from corridors.routing.timeline import with_rests
from corridors.scenarios.scenario import Scenario

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.bench_montecarlo import scenario as bench_scenario


@pytest.fixture(scope="module")
def trucks(net: Network) -> Scenario:
    """Random hub pairs with border dwell and ferry waits drawn (the benchmark's draws)."""
    return bench_scenario(net, 12)


def test_each_timed_path_carries_the_rests_a_route_timeline_inserts(
    net: Network, trucks: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []
    real = mc._drawn_rests

    def spy(*args: Any) -> np.ndarray:
        out = real(*args)
        calls.append((*args, out))
        return out

    monkeypatch.setattr(mc, "_drawn_rests", spy)
    draws = 6
    mc.run_montecarlo(trucks, draws=draws, seed=3, net=net)
    assert len(calls) == 2  # the best paths, then the corridors' routes
    # of the best paths, each (draw, pair) wants the one path it took, and only that one
    wanted = calls[0][5]
    assert wanted.shape == (draws, len(calls[0][3]))
    assert (wanted.sum(axis=1) == len(trucks.pairs(None))).all()
    checked = rested = 0
    for plan, rg, rules, paths, _, *rest, out in calls:
        starts = np.searchsorted(plan.comp_edge, np.arange(plan.n_edges + 1))
        for k in range(draws):
            time_k = mc._components(plan, k)[:, 0]
            for j, (edges, head, tail) in enumerate(paths):
                if rest and not rest[0][k, j]:
                    continue
                comps = [*head]
                for e in edges.tolist():
                    for i, c in enumerate(rg.components[e]):
                        comps.append(replace(c, time_h=float(time_k[starts[e] + i])))
                comps += tail
                rests = [c.time_h for c in with_rests(comps, rules) if c.kind in REST_KINDS]
                assert out[k, j] == math.fsum(rests), (k, j)
                checked += 1
                rested += bool(rests)
    assert checked >= 6 * 12
    assert rested >= checked // 4, f"only {rested} of {checked} timed paths needed a rest"


def test_rests_make_draws_no_faster_and_truck_pairs_slower(net: Network, trucks: Scenario) -> None:
    plain = mc.run_montecarlo(trucks, draws=8, seed=5, net=net, crew=0).samples
    crewed = mc.run_montecarlo(trucks, draws=8, seed=5, net=net).samples
    assert trucks.doc.by == "time"
    # by time, the crew-0 best is the least driving-only time, and rests only add
    assert (crewed["time_h"].to_numpy() >= plain["time_h"].to_numpy() - 1e-9).all()
    slower = int((crewed["time_h"].to_numpy() > plain["time_h"].to_numpy() + 1.0).sum())
    assert slower >= len(plain) // 4, f"{slower} of {len(plain)} cells gained an hour or more"


def test_engines_agree_with_the_crews_rests(net: Network, trucks: Scenario) -> None:
    core = mc.run_montecarlo(trucks, draws=10, seed=2, net=net)
    for engine in ("route-sets", "dijkstra"):
        other = mc.run_montecarlo(trucks, draws=10, seed=2, net=net, engine=engine)
        assert other.samples.equals(core.samples), engine
        assert other.corridor_samples.equals(core.corridor_samples), engine
