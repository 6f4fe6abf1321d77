"""The ``corridors flows`` command: assign freight demand, or a TNTP benchmark, to a network."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from corridors.cli.options import ForceOpt, GeodataOpt
from corridors.errors import InvalidOptionError
from corridors.flows.methods import ALGORITHMS, ASSIGN_METHODS

_ASSIGN = ", ".join(ASSIGN_METHODS)
_ALGORITHMS = ", ".join(ALGORITHMS)


@contextmanager
def _gap_progress(target: float) -> Iterator[Callable[[int, float], None]]:
    """Show the relative gap of each iteration: a rich bar on a terminal, lines otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:

        def line(k: int, gap: float) -> None:
            sys.stderr.write(f"iteration {k}: relative gap {gap:.3e}\n")

        yield line
        return
    with Progress(
        TextColumn("equilibrium"),
        BarColumn(),
        TextColumn("iteration {task.fields[k]:>4}"),
        TextColumn("gap {task.fields[gap]}"),
        TextColumn(f"→ {target:.0e}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        # the bar fills on a log scale, from the first gap down to the target
        task = bar.add_task("", total=1.0, k=0, gap="-")
        first: list[float] = []

        def update(k: int, gap: float) -> None:
            if not first:
                first.append(max(gap, target * 10))
            span = math.log10(first[0] / target)
            done = math.log10(first[0] / max(gap, target)) / span if span > 0 else 1.0
            bar.update(task, completed=min(max(done, 0.0), 1.0), k=k, gap=f"{gap:.3e}")

        yield update


def flows(
    demand: Annotated[
        str | None,
        typer.Argument(help="Demand CSV, or a shipped demand name (baseline-2024)."),
    ] = None,
    tntp_net: Annotated[
        Path | None, typer.Option("--tntp-net", help="A TNTP network file (*_net.tntp).")
    ] = None,
    tntp_trips: Annotated[
        Path | None, typer.Option("--tntp-trips", help="A TNTP trips file (*_trips.tntp).")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help=f"Route choice: {_ASSIGN}.")
    ] = "equilibrium",
    algorithm: Annotated[
        str, typer.Option("--algorithm", help=f"Equilibrium algorithm: {_ALGORITHMS}.")
    ] = "bfw",
    gap: Annotated[float, typer.Option("--gap", help="Target relative gap.")] = 1e-4,
    max_iter: Annotated[int, typer.Option("--max-iter", help="Iterations at most.")] = 1000,
    theta: Annotated[
        float, typer.Option("--theta", help="Logit dispersion per unit of cost.")
    ] = 1.0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the flows: a table file (.csv one table; .xlsx, .gpkg, .json all).",
        ),
    ] = None,
    map_path: Annotated[
        Path | None,
        typer.Option("--map", help="Also write a flow map: .html (interactive) or .png/.svg/.pdf."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", help="A scenario: its network, demand growth and capacity changes."
        ),
    ] = None,
    geodata: GeodataOpt = None,
    growth: Annotated[
        float, typer.Option("--growth", help="Multiply all demand (1.62 for +62%).")
    ] = 1.0,
    capacity: Annotated[
        list[str] | None,
        typer.Option(
            "--capacity", help="Set a capacity: ID=MT (Mt/yr), e.g. cap-kz-aktau-port=15."
        ),
    ] = None,
    sweep_growth: Annotated[
        str | None,
        typer.Option(
            "--sweep-growth", help="Assign at each growth factor, e.g. 1,1.62,2,3; print a table."
        ),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            help="Monte Carlo: draw the scenario's growth distributions and every capacity "
            "over its published range N times; print how often each capacity binds.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo draws.")] = 0,
    binds_at: Annotated[
        float,
        typer.Option("--binds-at", help="Utilisation at which a capacity binds (Monte Carlo)."),
    ] = 1.0,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes sharing the draws (default: the CPU count, at most 2)."
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Assign freight demand to the capacitated network and report where it goes.

    DEMAND is a demand CSV or a shipped demand set (baseline-2024): each cargo profile is a
    class with its own generalized cost; ports, border crossings and lines with a capacity
    in capacities.csv delay the cargo that uses them as they fill. Prints the totals, the
    bottlenecks and the volumes set beside published ones.

    With --tntp-net and --tntp-trips instead, solves a transport-research benchmark network
    (BPR links with the file's b and power) and writes one row per link: init_node,
    term_node, flow, cost (node numbers as in the file).
    """
    from corridors.flows.assignment import assign_links
    from corridors.flows.classes import DemandClass
    from corridors.flows.tntp import read_net, read_trips
    from corridors.outputs.atomic import check_writable, write_text

    if method not in ASSIGN_METHODS:
        msg = f"unknown --method {method!r}; use one of {_ASSIGN}"
        raise InvalidOptionError(msg)
    if algorithm not in ALGORITHMS:
        msg = f"unknown --algorithm {algorithm!r}; use one of {_ALGORITHMS}"
        raise InvalidOptionError(msg)
    if not (gap > 0 and math.isfinite(gap)):
        msg = f"--gap must be a positive number, not {gap}"
        raise InvalidOptionError(msg)
    if max_iter < 1:
        msg = f"--max-iter must be 1 or more, not {max_iter}"
        raise InvalidOptionError(msg)
    tntp = tntp_net is not None or tntp_trips is not None
    if demand is not None and tntp:
        msg = "give either DEMAND or --tntp-net/--tntp-trips, not both"
        raise InvalidOptionError(msg)
    if demand is None:
        if tntp_net is None or tntp_trips is None:
            msg = "give DEMAND (e.g. baseline-2024), or both --tntp-net and --tntp-trips"
            raise InvalidOptionError(msg)
        if map_path or scenario or capacity or sweep_growth or growth != 1.0 or draws:
            msg = (
                "--map, --scenario, --growth, --capacity, --sweep-growth and --draws apply to "
                "DEMAND on the corridor network, not to TNTP files"
            )
            raise InvalidOptionError(msg)
    elif draws is not None:
        _flow_montecarlo(
            demand, scenario, geodata, draws, seed, binds_at, workers, method, algorithm,
            gap, max_iter, out, force, bool(map_path or capacity or sweep_growth or growth != 1),
        )  # fmt: skip
        return
    else:
        _corridor_flows(
            demand, method, algorithm, gap, max_iter, theta, out, map_path, scenario,
            geodata, force, growth, capacity or [], sweep_growth,
        )  # fmt: skip
        return
    assert tntp_net is not None and tntp_trips is not None
    if out is not None:
        check_writable(out, force=force)
    links = read_net(tntp_net)
    trips = read_trips(tntp_trips, links.n_nodes)
    classes = [DemandClass("trips", trips)]
    with _gap_progress(gap) as progress:
        result = assign_links(
            links,
            classes,
            method=method,
            algorithm=algorithm,
            gap=gap,
            max_iter=max_iter,
            theta=theta,
            progress=progress,
        )
    if method in ("equilibrium", "sue"):
        state = "reached" if result.converged else "NOT reached: raise --max-iter"
        sys.stderr.write(
            f"{algorithm if method == 'equilibrium' else 'sue (msa)'}: relative gap "
            f"{result.gap:.3e} after {result.iterations} iterations "
            f"({state}; target {gap:g}) in {result.seconds:.2f} s\n"
        )
    rows = ["init_node,term_node,flow,cost"]
    for i, j, f, t in zip(links.init, links.term, result.flow, result.time):
        rows.append(f"{i + 1},{j + 1},{float(f)!r},{float(t)!r}")
    text = "\n".join(rows) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_text(out, text, force=force)
        sys.stderr.write(f"link flows written to {out}\n")


def _corridor_flows(
    demand: str,
    method: str,
    algorithm: str,
    gap: float,
    max_iter: int,
    theta: float,
    out: Path | None,
    map_path: Path | None,
    scenario: str | None,
    geodata: Path | None,
    force: bool,
    growth: float,
    capacity: list[str],
    sweep_growth: str | None,
) -> None:
    """Assign a demand set to the corridor network and print, write and map the result."""
    from rich.markup import escape
    from rich.text import Text

    from corridors.cli.console import console as make_console
    from corridors.flows.assign import assign
    from corridors.flows.inputs import read_capacities, read_demand, read_observations
    from corridors.flows.whatif import growth_sweep, scale_demand, set_capacity
    from corridors.graph.network import load_network
    from corridors.outputs.atomic import check_writable
    from corridors.outputs.export import check_format, export_tables
    from corridors.outputs.flow_outputs import flow_tables, write_flow_map
    from corridors.outputs.table_fit import Col, FitTable

    if out is not None:
        fmt = check_format(out)
        check_writable(out, force=force)
    if map_path is not None:
        from corridors.outputs.formats import MAP_FORMATS, pick

        pick(map_path, MAP_FORMATS, "flow map")
        check_writable(map_path, force=force)
    net = load_network(geodata)
    what_if = None
    if scenario is not None:
        from corridors.scenarios.scenario import load_scenario

        what_if = load_scenario(scenario)
        net = what_if.apply(net)
    rows = read_demand(net, demand)
    caps = read_capacities(net)
    if what_if is not None:
        # its growth and capacity changes; --growth and --capacity apply on top
        rows, caps = what_if.flow_inputs(rows, caps, net)
    if capacity:
        caps = set_capacity(caps, _capacity_changes(capacity))
    if sweep_growth is not None:
        factors = _factors(sweep_growth)
        if map_path is not None:
            msg = "--map draws one assignment; leave it out of --sweep-growth"
            raise InvalidOptionError(msg)
        sweep = growth_sweep(
            scale_demand(rows, growth), factors, net, capacities=caps, method=method,
            algorithm=algorithm, gap=gap, max_iter=max_iter, theta=theta,
        )  # fmt: skip
        _print_sweep(sweep, [c.id for c in caps])
        if out is not None:
            export_tables({"growth_sweep": sweep}, out, force=force)
            sys.stderr.write(f"sweep written to {out}\n")
        return
    with _gap_progress(gap) as progress:
        result = assign(
            rows, net, method=method, algorithm=algorithm, gap=gap, max_iter=max_iter,
            theta=theta, capacities=caps, growth=growth,
            progress=progress if method in ("equilibrium", "sue") else None,
        )  # fmt: skip
    sol = result.solution
    if method in ("equilibrium", "sue"):
        state = "reached" if sol.converged else "NOT reached: raise --max-iter"
        sys.stderr.write(
            f"{algorithm if method == 'equilibrium' else 'sue (msa)'}: relative gap "
            f"{sol.gap:.3e} after {sol.iterations} iterations "
            f"({state}; target {gap:g}) in {sol.seconds:.2f} s\n"
        )
    for r in result.violations().to_dict("records"):
        sys.stderr.write(
            f"warning: {r['id']} carries {float(r['tonnes']) / 1e6:,.2f} Mt/yr, "
            f"{float(r['utilisation']):.0%} of its hard capacity "
            f"{float(r['capacity_t']) / 1e6:,.2f} Mt/yr\n"
        )
    for cls, o, d, q in sol.unreachable:
        sys.stderr.write(f"warning: {cls} {q:,.0f} units/yr from node {o} to {d}: no route\n")
    console = make_console()
    totals = result.totals()
    console.print(
        Text(
            f"{demand} ({method}{', scenario ' + scenario if scenario else ''}"
            f"{f', growth x{growth:g}' if growth != 1.0 else ''}): "
            f"{totals['tonnes'] / 1e6:,.2f} Mt/yr, {totals['tkm'] / 1e9:,.1f} bn t-km, "
            f"USD {totals['cost_usd'] / 1e9:,.2f} bn, {totals['co2_kg'] / 1e9:,.2f} Mt CO2, "
            f"congestion delay {totals['delay_tonne_hours'] / 1e6:,.1f} M t-h"
        )
    )
    use = result.bottlenecks()
    table = FitTable(
        [
            Col("capacity"),
            Col("target", keep=2),
            Col("Mt/yr", numeric=True),
            Col("capacity Mt/yr", numeric=True, keep=4),
            Col("use", numeric=True),
            Col("delay h", numeric=True, keep=5),
            Col("spare Mt/yr", numeric=True, keep=3),
        ],
        title="Capacities, by the delay they add",
    )
    for r in use.to_dict("records"):
        table.add_row(
            escape(str(r["id"])), escape(str(r["target"])), f"{float(r['tonnes']) / 1e6:,.2f}",
            f"{float(r['capacity_t']) / 1e6:,.2f}", f"{float(r['utilisation']):.0%}",
            f"{float(r['delay_h']):,.1f}", f"{float(r['spare_t']) / 1e6:,.2f}",
        )  # fmt: skip
    console.print(table)
    judged = result.judge(read_observations(net))
    if len(judged):
        obs = FitTable(
            [
                Col("observation"),
                Col("published Mt/yr", numeric=True),
                Col("modelled Mt/yr", numeric=True),
                Col("ratio", numeric=True, keep=3),
                Col("within", keep=4),
            ],
            title="Modelled volumes beside published ones (observations, not inputs)",
        )
        for r in judged.to_dict("records"):
            low, high = float(r["low_t"]), float(r["high_t"])
            published = (
                f"{float(r['observed_t']) / 1e6:,.2f}"
                if low == high
                else f"{low / 1e6:,.2f}-{high / 1e6:,.2f}"
            )
            obs.add_row(
                escape(str(r["id"])), published, f"{float(r['modelled_t']) / 1e6:,.2f}",
                f"{float(r['ratio']):.2f}", "yes" if r["within"] else "no",
            )  # fmt: skip
        console.print(obs)
    if out is not None:
        tables = flow_tables(result, net)
        chosen = tables if fmt.multi_table else {"links": tables["links"]}
        export_tables(chosen, out, force=force)
        sys.stderr.write(f"flows written to {out}\n")
    if map_path is not None:
        write_flow_map(map_path, result, net, force=force)
        sys.stderr.write(f"flow map written to {map_path}\n")


def _flow_montecarlo(
    demand: str,
    scenario: str | None,
    geodata: Path | None,
    draws: int,
    seed: int,
    binds_at: float,
    workers: int | None,
    method: str,
    algorithm: str,
    gap: float,
    max_iter: int,
    out: Path | None,
    force: bool,
    other: bool,
) -> None:
    """Run a Monte Carlo over demand growth and capacities and print what binds how often."""
    from rich.markup import escape

    from corridors.cli.console import console as make_console
    from corridors.graph.network import load_network
    from corridors.outputs.export import check_format, export_tables
    from corridors.outputs.table_fit import Col, FitTable
    from corridors.scenarios.flow_montecarlo import flow_montecarlo
    from corridors.scenarios.schema import MAX_DRAWS
    from corridors.scenarios.workers import default_workers

    if other:
        msg = (
            "--draws takes its growth and capacities from --scenario and the data; leave out "
            "--map, --growth, --capacity and --sweep-growth"
        )
        raise InvalidOptionError(msg)
    if method != "equilibrium":
        msg = "--draws assigns each draw at equilibrium; leave out --method"
        raise InvalidOptionError(msg)
    if not 1 <= draws <= MAX_DRAWS:
        msg = f"--draws must be 1 to {MAX_DRAWS:,}, not {draws}"
        raise InvalidOptionError(msg)
    if not (binds_at > 0 and math.isfinite(binds_at)):
        msg = f"--binds-at must be a positive utilisation (1 = full), not {binds_at}"
        raise InvalidOptionError(msg)
    if seed < 0:
        msg = f"--seed must be 0 or more, not {seed}"
        raise InvalidOptionError(msg)
    procs = default_workers(workers)
    if out is not None:
        fmt = check_format(out)
        from corridors.outputs.atomic import check_writable

        check_writable(out, force=force)
    net = load_network(geodata)
    what_if = None
    if scenario is not None:
        from corridors.scenarios.scenario import load_scenario

        what_if = load_scenario(scenario)

    def report(done: int, total: int) -> None:
        sys.stderr.write(f"draw {done}/{total}\n")

    result = flow_montecarlo(
        demand, net, scenario=what_if, draws=draws, seed=seed, threshold=binds_at, gap=gap,
        max_iter=max_iter, algorithm=algorithm, workers=procs, progress=report,
    )  # fmt: skip
    unconverged = int((~result.draws["converged"].astype(bool)).sum())
    if unconverged:
        sys.stderr.write(
            f"warning: {unconverged} of {draws} draws did not reach gap {gap:g}; raise --max-iter\n"
        )
    console = make_console()
    table = FitTable(
        [
            Col("capacity"),
            Col(f"P(use ≥ {binds_at:.0%})", numeric=True),
            Col("use p5", numeric=True, keep=2),
            Col("use p50", numeric=True),
            Col("use p95", numeric=True, keep=3),
            Col("capacity p50 Mt/yr", numeric=True, keep=1),
        ],
        title=f"{draws} draws (seed {seed}): how often each capacity binds",
    )
    for r in result.bottlenecks().to_dict("records"):
        table.add_row(
            escape(str(r["id"])), f"{float(r['p_binds']):.0%}", f"{float(r['use_p5']):.0%}",
            f"{float(r['use_p50']):.0%}", f"{float(r['use_p95']):.0%}",
            f"{float(r['capacity_p50_t']) / 1e6:,.2f}",
        )  # fmt: skip
    console.print(table)
    volumes = result.volumes()
    if len(volumes):
        vt = FitTable(
            [
                Col("observation"),
                Col("published Mt/yr", numeric=True),
                Col("p5", numeric=True, keep=2),
                Col("p50", numeric=True),
                Col("p95", numeric=True, keep=2),
            ],
            title="Modelled volumes over the draws, Mt/yr (observations judge, never inputs)",
        )
        for r in volumes.to_dict("records"):
            vt.add_row(
                escape(str(r["id"])), f"{float(r['published_t']) / 1e6:,.2f}",
                f"{float(r['p5_t']) / 1e6:,.2f}", f"{float(r['p50_t']) / 1e6:,.2f}",
                f"{float(r['p95_t']) / 1e6:,.2f}",
            )  # fmt: skip
        console.print(vt)
    if out is not None:
        tables = {"draws": result.draws, "bottlenecks": result.bottlenecks(), "volumes": volumes}
        export_tables(tables if fmt.multi_table else {"draws": result.draws}, out, force=force)
        sys.stderr.write(f"draws written to {out}\n")


def _capacity_changes(items: list[str]) -> dict[str, float]:
    """Parse ``ID=MT`` settings into tonnes per year."""
    out = {}
    for item in items:
        cid, sep, value = item.partition("=")
        try:
            mt = float(value)
        except ValueError:
            mt = float("nan")
        if not sep or not cid.strip() or not (mt > 0 and math.isfinite(mt)):
            msg = (
                f"--capacity takes ID=MT (Mt/yr, positive), e.g. cap-kz-aktau-port=15, not {item!r}"
            )
            raise InvalidOptionError(msg)
        out[cid.strip()] = mt * 1e6
    return out


def _factors(text: str) -> list[float]:
    """Parse a comma-separated list of positive growth factors."""
    try:
        factors = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        factors = []
    if not factors or not all(f > 0 and math.isfinite(f) for f in factors):
        msg = f"--sweep-growth takes positive factors separated by commas (1,1.62,2), not {text!r}"
        raise InvalidOptionError(msg)
    return factors


def _print_sweep(sweep: Any, capacity_ids: list[str]) -> None:
    from rich.markup import escape

    from corridors.cli.console import console as make_console
    from corridors.outputs.table_fit import Col, FitTable

    # capacities listed first are kept longest when the terminal is narrow
    table = FitTable(
        [
            Col("growth", numeric=True),
            Col("Mt/yr", numeric=True),
            Col("gap", numeric=True, keep=2),
            Col("top bottleneck", keep=3),
            *(
                Col(cid.removeprefix("cap-"), numeric=True, keep=100 - i)
                for i, cid in enumerate(capacity_ids)
            ),
        ],
        title="Demand growth: utilisation of each capacity (over 100% = overloaded)",
    )
    for r in sweep.to_dict("records"):
        table.add_row(
            f"{float(r['growth']):g}",
            f"{float(r['tonnes']) / 1e6:,.1f}",
            f"{float(r['gap']):.1e}" if r["gap"] == r["gap"] else "-",
            escape(str(r["top_bottleneck"])),
            *(f"{float(r[f'use:{cid}']):.0%}" for cid in capacity_ids),
        )
    make_console().print(table)
