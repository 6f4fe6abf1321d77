"""Monte Carlo on a Dask distributed cluster: scaling over workers and the cost of a task.

A ``LocalCluster`` of worker processes on this machine stands in for a cluster of machines:
the run ships its state to each worker once and the draws in chunks, as it would over a
network (minus the network's latency). Rows: the same Monte Carlo run as workload 3 on 1
and 2 workers, checked equal to the local run, and the per-task overhead (empty tasks
through the same path, divided by their number).

Run alone: ``python -m benchmarks.bench_cluster [--draws N] [--pairs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import corridors

#: Module state the empty tasks read, as the real tasks read theirs.
_STATE: dict[str, Any] = {}


def _empty(item: int) -> int:
    """A task that does nothing: what remains of its time is the cluster's overhead."""
    return item + len(_STATE)


def available() -> bool:
    """Whether dask.distributed is installed."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        return False
    return True


def suite_rows(
    net: corridors.Network, *, draws: int, pairs: int, quick: bool = False
) -> list[dict[str, Any]]:
    """Time Monte Carlo on 1 and 2 cluster workers and the per-task overhead."""
    from dask.distributed import Client, LocalCluster

    from benchmarks.bench_montecarlo import scenario
    from corridors.scenarios import cluster

    s = scenario(net, pairs)
    s.apply(net).routing_graph(s.route_options().profile)
    local = s.montecarlo(draws=draws, seed=1, net=net)
    repeat = 1 if quick else 3
    rows: list[dict[str, Any]] = []
    cells = draws * pairs
    for n_workers in (1, 2):
        with (
            LocalCluster(
                n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as lc,
            Client(lc) as client,
        ):
            s.montecarlo(draws=25, seed=1, net=net, scheduler=client)  # workers import corridors
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                got = s.montecarlo(draws=draws, seed=1, net=net, scheduler=client)
                times.append(time.perf_counter() - t0)
            same = got.samples.equals(local.samples) and got.corridor_samples.equals(
                local.corridor_samples
            )
            elapsed = statistics.median(times)
            rows.append(
                {
                    "method": f"corridors.montecarlo on Dask ({n_workers} worker"
                    f"{'s' if n_workers > 1 else ''})",
                    "total_s": elapsed,
                    "repeats": repeat,
                    "threads": str(n_workers),
                    "agree": "✓ exact" if same else "✗ differs",
                    "note": f"{cells / elapsed:,.0f} pair-draws/s; LocalCluster, processes",
                }
            )
            if n_workers == 2:
                n_tasks = 200 if quick else 1000
                out: list[int] = []
                cluster.run_ordered(_empty, range(20), client, out.append, {"x": 1})  # warm
                t0 = time.perf_counter()
                cluster.run_ordered(_empty, range(n_tasks), client, out.append, {"x": 1})
                per_task = (time.perf_counter() - t0) / n_tasks
                rows.append(
                    {
                        "method": "per-task overhead (empty task, 2 workers)",
                        "total_s": per_task,
                        "repeats": 1,
                        "threads": "2",
                        "note": f"{n_tasks} empty tasks, state shipped once; per task",
                    }
                )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--pairs", type=int, default=50)
    args = ap.parse_args(argv)
    net = corridors.load_network()
    for r in suite_rows(net, draws=args.draws, pairs=args.pairs):
        print(f"{r['method']:<50} {r['total_s']:10.4f} s  {r.get('agree', ''):10} {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
