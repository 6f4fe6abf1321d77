"""Candidate route sets and the core graph against plain Dijkstra, draw for draw.

Monte Carlo picks each draw's routes among candidate routes (``route-sets``) or candidate
paths over the varying edges (``core``) and routes by Dijkstra only the (draw, pair) cells
it cannot prove; these tests run the same seeded draws through the engines on the shipped
network and require identical samples (totals bit for bit, the same corridor named for
every best route), over scenarios whose uncertain parameters differ in kind, spread and
sharing.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

import corridors
from corridors.scenarios import route_sets
from corridors.scenarios.montecarlo import run_montecarlo
from corridors.scenarios.scenario import Scenario

UNCERTAIN: dict[str, list[dict[str, Any]]] = {
    "border dwell and ferry headways": [
        {
            "where": {"kind": "border"},
            "attribute": "time_h",
            "distribution": {"kind": "lognormal", "median": 1.0, "sigma": 0.5},
            "relative": True,
        },
        {
            "where": {"mode": "ferry"},
            "attribute": "headway_h",
            "distribution": {"kind": "uniform", "low": 0.5, "high": 2.0},
            "relative": True,
        },
    ],
    "narrow border dwell, shared": [
        {
            "where": {"kind": "border"},
            "attribute": "time_h",
            "distribution": {"kind": "uniform", "low": 0.9, "high": 1.1},
            "relative": True,
            "shared": True,
        },
    ],
    "border fees": [
        {
            "where": {"kind": "border"},
            "attribute": "fee_usd",
            "distribution": {"kind": "uniform", "low": 0.2, "high": 3.0},
            "relative": True,
        },
    ],
}


def _pairs(net: corridors.Network, n: int, seed: int) -> list[str]:
    hubs = sorted(n for n, d in net.G.nodes(data=True) if d.get("kind") in ("city", "port"))
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        o, d = rng.sample(hubs, 2)
        try:
            corridors.routing.route(net, o, d)
        except corridors.NoRouteError:
            continue
        out.append(f"{o}:{d}")
    return out


@pytest.mark.parametrize("engine", ["core", "route-sets"])
@pytest.mark.parametrize("kind", sorted(UNCERTAIN))
@pytest.mark.parametrize("seed", [3, 11])
def test_engines_equal_dijkstra_on_random_draws(
    net: corridors.Network, kind: str, seed: int, engine: str
) -> None:
    scenario = Scenario.from_dict(
        {
            "name": f"random draws: {kind}",
            "cites": ["worldbank-middle-corridor-2023"],
            "od": _pairs(net, 12, seed),
            "corridors": ["middle_corridor", "northern_route"],
            "uncertain": UNCERTAIN[kind],
            "by": "cost" if kind == "border fees" else "time",
        }
    )
    draws = 60
    fast = run_montecarlo(scenario, draws=draws, seed=seed, net=net, engine=engine)
    plain = run_montecarlo(scenario, draws=draws, seed=seed, net=net, engine="dijkstra")
    cells = draws * 12
    assert plain.dijkstra_cells == cells
    pd.testing.assert_frame_equal(fast.samples, plain.samples, check_exact=True)
    pd.testing.assert_frame_equal(fast.corridor_samples, plain.corridor_samples, check_exact=True)
    print(
        f"{engine}, {kind}, seed {seed}: {cells} cells equal, "
        f"{cells - fast.dijkstra_cells} certified"
    )


@pytest.mark.parametrize("engine", ["core", "route-sets"])
def test_shipped_scenario_picks_among_candidates_and_matches(
    net: corridors.Network, engine: str
) -> None:
    scenario = corridors.load_scenario("ferry-headway-halved")
    fast = run_montecarlo(scenario, draws=80, seed=5, net=net, engine=engine)
    plain = run_montecarlo(scenario, draws=80, seed=5, net=net, engine="dijkstra")
    pd.testing.assert_frame_equal(fast.samples, plain.samples, check_exact=True)
    cells = 80 * len(scenario.pairs(None))
    # the narrow shipped ranges let most cells be proved without Dijkstra
    assert fast.dijkstra_cells < cells
    print(
        f"{engine}, shipped scenario: {cells} cells equal, {cells - fast.dijkstra_cells} certified"
    )


def test_simple_paths_lists_every_path_and_stops_at_the_limit() -> None:
    # a ladder: 0 -> {1, 2} -> 3 -> {4, 5} -> 6, and a back edge that makes no simple path
    src = np.array([0, 0, 1, 2, 3, 3, 4, 5, 6], dtype=np.int64)
    dst = np.array([1, 2, 3, 3, 4, 5, 6, 6, 0], dtype=np.int64)
    edges = np.arange(len(src), dtype=np.int64)
    found = route_sets.simple_paths(edges, src, dst, 0, 6, limit=10)
    assert found is not None
    assert sorted(tuple(p.tolist()) for p in found) == [
        (0, 2, 4, 6),
        (0, 2, 5, 7),
        (1, 3, 4, 6),
        (1, 3, 5, 7),
    ]
    assert route_sets.simple_paths(edges, src, dst, 0, 6, limit=3) is None
