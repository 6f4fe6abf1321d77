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
from corridors.scenarios import core_graph, route_sets
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
    "rail speeds and border fees, by generalized cost": [
        {
            "where": {"mode": "rail"},
            "attribute": "speed_kph",
            "distribution": {"kind": "uniform", "low": 0.7, "high": 1.2},
            "relative": True,
        },
        {
            "where": {"kind": "border"},
            "attribute": "fee_usd",
            "distribution": {"kind": "lognormal", "median": 1.0, "sigma": 0.4},
            "relative": True,
        },
    ],
}

#: By which objective each kind of draw is routed (time where not named).
BY = {"border fees": "cost", "rail speeds and border fees, by generalized cost": "generalized"}


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
            "by": BY.get(kind, "time"),
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


def _core(src: list[int], dst: list[int], low: list[float], high: list[float], varies: list[bool]):  # type: ignore[no-untyped-def]
    s, d = np.array(src), np.array(dst)
    order = np.lexsort((np.arange(len(s)), d, s))
    starts = np.arange(len(s))  # every (u, v) pair once
    return core_graph.build(
        int(max(src + dst)) + 1,
        order,
        starts,
        s[order],
        d[order],
        np.array(varies),
        np.array(low, dtype=float),
        np.array(high, dtype=float),
        np.array([0]),
        np.array([int(max(src + dst))]),
    ), order


def test_core_refuses_ties_between_core_paths() -> None:
    # 0 -> 1 -> 3 and 0 -> 2 -> 3; the last edge of each varies
    src, dst = [0, 0, 1, 2], [1, 2, 3, 3]
    core, _ = _core(src, dst, [1, 1, 0.5, 0.5], [1, 1, 2, 2], [False, False, True, True])
    weights = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.5, 1.0], [1.0, 1.0, 2.0, 0.5]])
    chosen, certified, value, kept = core_graph.choose(core, weights)
    assert certified[:, 0].tolist() == [False, True, True]  # the tie is left to Dijkstra
    assert value[:, 0].tolist() == [2.0, 1.5, 1.5]
    edges = core_graph.cell_edges(core, chosen[1:, 0], np.array([1, 2]), kept)
    assert [e[e >= 0][::-1].tolist() for e in edges] == [[0, 2], [1, 3]]


def test_core_refuses_ties_inside_a_fixed_stretch() -> None:
    # two equal fixed ways from 0 to 3, then one varying edge 3 -> 4
    src, dst = [0, 0, 1, 2, 3], [1, 2, 3, 3, 4]
    core, _ = _core(src, dst, [1, 1, 1, 1, 0.5], [1, 1, 1, 1, 2], [False] * 4 + [True])
    weights = np.array([[1.0, 1.0, 1.0, 1.0, 1.0]])
    _, certified, _, _ = core_graph.choose(core, weights)
    assert not certified.any()
    # a little apart, the stretch is proved
    core, _ = _core(src, dst, [1, 1, 1, 1.5, 0.5], [1, 1, 1, 1.5, 2], [False] * 4 + [True])
    _, certified, value, _ = core_graph.choose(core, np.array([[1.0, 1.0, 1.0, 1.5, 1.0]]))
    assert certified.all() and value[0, 0] == 3.0


def test_core_equals_dijkstra_on_many_pairs_and_wide_draws(net: corridors.Network) -> None:
    # the benchmark's draws: wide border dwell and ferry headways, 40 pairs, 150 draws
    scenario = Scenario.from_dict(
        {
            "name": "wide draws, many pairs",
            "cites": ["worldbank-middle-corridor-2023"],
            "od": _pairs(net, 40, 21),
            "corridors": ["middle_corridor"],
            "uncertain": UNCERTAIN["border dwell and ferry headways"],
        }
    )
    fast = run_montecarlo(scenario, draws=150, seed=21, net=net, engine="core")
    plain = run_montecarlo(scenario, draws=150, seed=21, net=net, engine="dijkstra")
    pd.testing.assert_frame_equal(fast.samples, plain.samples, check_exact=True)
    cells = 150 * 40
    # most cells are proved without Dijkstra
    assert fast.dijkstra_cells < cells / 2
    print(f"core, wide draws: {cells} cells equal, {cells - fast.dijkstra_cells} certified")


def test_searches_walked_together_or_one_at_a_time_give_the_same_draws(
    net: corridors.Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.scenarios import montecarlo

    scenario = Scenario.from_dict(
        {
            "name": "walked in batches",
            "cites": ["worldbank-middle-corridor-2023"],
            "od": _pairs(net, 12, 7),
            "corridors": ["middle_corridor", "northern_route"],
            "uncertain": UNCERTAIN["border dwell and ferry headways"],
        }
    )
    walks: list[int] = []
    real_walk = montecarlo._walk

    def counted(plan: Any, searches: list[Any], vals: list[Any]) -> Any:
        walks.append(len(searches))
        return real_walk(plan, searches, vals)

    monkeypatch.setattr(montecarlo, "_walk", counted)
    together = run_montecarlo(
        scenario, draws=50, seed=2, net=net, engine="dijkstra", crew=0, workers=1
    )
    # a whole chunk of draws (25) is walked at once
    assert max(walks) == montecarlo.CHUNK
    walks.clear()
    monkeypatch.setattr(montecarlo, "WALK_BUDGET", 1)
    alone = run_montecarlo(
        scenario, draws=50, seed=2, net=net, engine="dijkstra", crew=0, workers=1
    )
    assert max(walks) == 1 and len(walks) >= 50
    pd.testing.assert_frame_equal(together.samples, alone.samples, check_exact=True)
    pd.testing.assert_frame_equal(
        together.corridor_samples, alone.corridor_samples, check_exact=True
    )
