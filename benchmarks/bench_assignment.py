"""Traffic assignment: time to reach a relative gap, corridors against AequilibraE.

Both solve the same networks with the same demand and BPR functions to the same relative gap
(``|sum cost x flow - sum cost x AON| / sum cost x flow``, the same definition in both), with
bi-conjugate Frank-Wolfe, in the same run and on one core each. Network: Sioux Falls (24
nodes and zones, 76 links) as AequilibraE ships it in its package
(``reference_files/sioux_falls.zip``), read from the installed copy.
Reported: median wall time of ``--repeat`` solves after one warm-up, iterations, the gap
reached, and how far apart the two link-flow vectors are (sum of |difference| over the sum of
flows).

Run alone: ``python -m benchmarks.bench_assignment [--repeat N] [--gaps 1e-4,1e-5]``.
Without AequilibraE (``pip install -e '.[bench]'``) there is no network to solve: a note says so
and only the shipped-network table is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.assignment_peer import LinkData, aequilibrae_sioux_falls, solve_aequilibrae
from corridors.flows.aon import Demand
from corridors.flows.classes import DemandClass
from corridors.flows.equilibrium import solve
from corridors.flows.links import LinkTable


def _load() -> tuple[LinkTable, Demand, LinkData]:
    data = aequilibrae_sioux_falls()
    links = LinkTable.build(
        data.a_node - 1,
        data.b_node - 1,
        data.free_flow_time,
        data.capacity,
        alpha=data.b,
        beta=data.power,
    )
    return links, Demand.from_matrix(data.demand), data


def _median(fn, repeat: int):  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gaps", default="1e-4,1e-5")
    args = ap.parse_args(argv)
    gaps = [float(g) for g in args.gaps.split(",")]
    have_aeq = all(importlib.util.find_spec(m) for m in ("aequilibrae", "openmatrix"))
    table = Table(title="Assignment: time to reach the relative gap (bi-conjugate Frank-Wolfe)")
    for col in ("network", "gap", "method", "time", "iterations", "gap reached", "÷ corridors",
                "flows apart"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("network", "method") else "right")
    console = Console(width=140)
    if not have_aeq:
        console.print("no Sioux Falls to solve: AequilibraE or openmatrix is not installed")
    else:
        label = "Sioux Falls"
        links, demand, data = _load()
        cls = [DemandClass("trips", demand)]
        for gap in gaps:
            t_ours, ours = _median(
                lambda g=gap, ln=links, c=cls: solve(ln, c, gap=g, max_iter=10_000),
                                   args.repeat)  # fmt: skip
            table.add_row(label, f"{gap:g}", "corridors bfw", f"{t_ours * 1000:.0f} ms",
                          str(ours.iterations), f"{ours.gap:.2e}", "1.00×", "")  # fmt: skip
            t_aeq, (flows, gap_aeq, it_aeq) = _median(
                lambda g=gap, dt=data: solve_aequilibrae(dt, g), args.repeat
            )
            apart = float(np.abs(ours.flow - flows).sum() / flows.sum())
            table.add_row(label, f"{gap:g}", "AequilibraE bfw", f"{t_aeq * 1000:.0f} ms",
                          str(it_aeq), f"{gap_aeq:.2e}", f"{t_aeq / t_ours:.2f}×",
                          f"{apart:.2e}")  # fmt: skip
        console.print(table)
    console.print(_shipped(args.repeat))
    return 0


def _shipped(repeat: int) -> Table:
    """Time corridors alone on the shipped network and demand (no peer models its capacities)."""
    import corridors
    from corridors.flows.corridor_table import build_table
    from corridors.flows.inputs import read_capacities, read_queue_costs
    from corridors.routing.options import RouteOptions

    net = corridors.load_network()
    table = Table(title="Shipped network, baseline-2024 demand (corridors only)")
    for col in ("case", "time", "iterations", "gap reached", "links", "capacities"):
        table.add_column(col, justify="left" if col == "case" else "right")
    t_build, tab = _median(
        lambda: build_table(net, ["bulk", "oil", "teu"], read_capacities(net),
                            RouteOptions.build(), read_queue_costs(net)), repeat)  # fmt: skip
    n_caps = tab.links.shared.n if tab.links.shared else 0
    table.add_row("build the link table (3 profiles)", f"{t_build * 1000:.0f} ms", "", "",
                  str(tab.links.n_links), str(n_caps))  # fmt: skip
    for growth in (1.0, 3.0, 8.0):
        t, r = _median(lambda g=growth: corridors.assign("baseline-2024", network=net,
                                                         growth=g, gap=1e-4), repeat)  # fmt: skip
        table.add_row(f"assign at equilibrium, demand x{growth:g}", f"{t * 1000:.0f} ms",
                      str(r.solution.iterations), f"{r.solution.gap:.1e}", "", "")  # fmt: skip
    return table


if __name__ == "__main__":
    raise SystemExit(main())
