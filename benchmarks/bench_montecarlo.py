"""Monte Carlo throughput: corridors.montecarlo against a loop that re-runs route() per draw.

Both answer the same question on the shipped network: 50 OD pairs between hubs, border
dwell × lognormal(median 1, sigma 0.5) and ferry headways × uniform(0.5, 2) per draw (the
perturbations of workload 3). The loop (``benchmarks.reference_loop.ReferenceLoop``) is set up
once, as the product is; it then writes each draw's values into the routing graph's cost
components and calls ``corridors.routing.route`` per pair. It is timed on a few draws after
one warm-up draw and scaled up; its totals are checked against the batch result.

Run alone: ``python -m benchmarks.bench_montecarlo [--draws N] [--pairs N]``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from typing import Any

import corridors
from benchmarks import peers
from benchmarks.reference_loop import ReferenceLoop
from corridors.scenarios.montecarlo import run_montecarlo
from corridors.scenarios.scenario import Scenario


def scenario(net: corridors.Network, n_pairs: int, seed: int = 5) -> Scenario:
    """The benchmark scenario: random hub pairs, uncertain border dwell and ferry headways."""
    hubs = peers.hubs(net)
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < n_pairs:
        o, d = rng.sample(hubs, 2)
        try:
            corridors.routing.route(net, o, d)
        except corridors.NoRouteError:
            continue
        pairs.append(f"{o}:{d}")
    return Scenario.from_dict(
        {
            "name": "benchmark draws",
            "cites": ["worldbank-middle-corridor-2023"],
            "od": pairs,
            "corridors": ["middle_corridor", "northern_route"],
            "uncertain": [
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
        }
    )


def suite_rows(
    net: corridors.Network, *, draws: int, pairs: int, quick: bool = False
) -> list[dict[str, Any]]:
    """Time the product's Monte Carlo (1 and 2 processes) and the naive loop."""
    s = scenario(net, pairs)
    # the scenario is applied and its routing graph built once for both methods, outside
    # either timing (the loop's set-up is outside its timing too)
    s.apply(net).routing_graph(s.route_options().profile)
    cells = draws * pairs
    rows: list[dict[str, Any]] = []
    results = {}
    repeat = 1 if quick else 3
    for workers in (1, 2):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            # crew=0: trucks timed by their driving alone, as the loop and the peers time them
            results[workers] = s.montecarlo(draws=draws, seed=1, net=net, workers=workers, crew=0)
            times.append(time.perf_counter() - t0)
        elapsed = statistics.median(times)
        proved = cells - results[workers].dijkstra_cells
        rows.append(
            {
                "method": f"corridors.montecarlo ({workers} process{'es' if workers > 1 else ''})",
                "total_s": elapsed,
                "repeats": repeat,
                "threads": str(workers),
                "note": f"{cells / elapsed:,.0f} pair-draws/s, set-up and corridor paths "
                f"included; {proved:,} of {cells:,} cells proved on the core graph",
            }
        )
    one, two = results[1].samples, results[2].samples
    same = one[["time_h", "cost_usd"]].equals(two[["time_h", "cost_usd"]])
    rows[1]["agree"] = "✓ exact" if same else "✗ differs"
    # the other engines on the same draws: the designs side by side, results identical
    for engine in ("route-sets", "dijkstra"):
        t0 = time.perf_counter()
        other = run_montecarlo(s, draws=draws, seed=1, net=net, engine=engine, crew=0)
        elapsed = time.perf_counter() - t0
        proved = cells - other.dijkstra_cells
        rows.append(
            {
                "method": f"engine={engine} (1 process)",
                "total_s": elapsed,
                "repeats": 1,
                "threads": "1",
                "agree": "✓ exact" if other.samples.equals(one) else "✗ differs",
                "note": "Dijkstra on every draw"
                if engine == "dijkstra"
                else f"{proved:,} of {cells:,} cells proved among candidate routes",
            }
        )
    # the default: trucks timed with the crew's breaks and rests (one driver)
    t0 = time.perf_counter()
    crewed = s.montecarlo(draws=draws, seed=1, net=net, workers=1)
    elapsed = time.perf_counter() - t0
    rows.append(
        {
            "method": "corridors.montecarlo, trucks with the crew's rests (1 process)",
            "total_s": elapsed,
            "repeats": 1,
            "threads": "1",
            "note": f"crew=1 (the default); {cells - crewed.dijkstra_cells:,} of {cells:,} "
            "cells proved on the core graph; each best path timed with the crew's rests",
        }
    )
    budget = 4 if quick else 12
    loop = ReferenceLoop(s, net, draws=draws, seed=1)  # set up once, as the product is
    loop.routes(budget)  # warm up: first calls fill lazy caches
    t0 = time.perf_counter()
    slow = [loop.routes(k) for k in range(budget)]
    elapsed = (time.perf_counter() - t0) * draws / budget
    fast = one.set_index(["draw", "origin", "destination"])
    ok = True
    for k, routes in enumerate(slow):
        for (o, d), r in zip(s.pairs(), routes):
            row = fast.loc[(k, o, d)]
            ok &= math.isclose(row["time_h"], r.time_h, rel_tol=1e-9)
            ok &= math.isclose(row["cost_usd"], r.cost_usd, rel_tol=1e-9)
    rows.append(
        {
            "method": "naive loop: route() per draw and pair",
            "total_s": elapsed,
            "extrapolated": f"{budget} of {draws} draws timed",
            "agree": "✓" if ok else "✗ differs",
            "note": f"{cells / elapsed:,.0f} pair-draws/s; components rewritten per draw",
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--pairs", type=int, default=50)
    args = ap.parse_args(argv)
    net = corridors.load_network()
    rows = suite_rows(net, draws=args.draws, pairs=args.pairs)
    base = rows[0]["total_s"]
    for r in rows:
        print(
            f"{r['method']:<45} {r['total_s']:9.2f} s  ×{r['total_s'] / base:7.1f}  "
            f"{r.get('agree', ''):10} {r.get('extrapolated', '')}  {r['note']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
