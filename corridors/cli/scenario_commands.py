"""The ``corridors scenario`` commands: list, validate, run, sweep and montecarlo."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridors.cli.console import WideOpt
from corridors.cli.console import console as _console
from corridors.cli.options import ForceOpt, GeodataOpt, JsonOpt
from corridors.outputs.formats import (
    FIGURE_FORMATS,
    MAP_FORMATS,
    RESULT_FORMATS,
    TABLE_FORMATS,
    pick,
)
from corridors.routing.objectives import OBJECTIVES
from corridors.scenarios.workers import default_workers

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.scenarios.scenario import Scenario

scenario_app = typer.Typer(
    help="Run what-if scenarios: compare with the baseline, sweep a parameter, Monte Carlo.",
    no_args_is_help=True,
)

_TABLES = ", ".join(TABLE_FORMATS)
_FIGURES = ", ".join(FIGURE_FORMATS)

FileArg = Annotated[
    str, typer.Argument(help="Scenario file, or the name of a shipped one (see `list`).")
]
OdOpt = Annotated[
    list[str] | None,
    typer.Option("--od", help="ORIGIN:DESTINATION to evaluate (repeatable; default: the file's)."),
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help=f"Objective (default: the file's): {', '.join(OBJECTIVES)}."),
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="Cargo profile (default: the file's, else teu).")
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help=f"Write the results: {_TABLES} (a chart: {_FIGURES}).",
    ),
]
ChartOpt = Annotated[Path | None, typer.Option("--chart", help=f"Write a chart: {_FIGURES}.")]


def _interrupt_code(err: KeyboardInterrupt) -> int:
    from corridors.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated

    return EXIT_TERMINATED if isinstance(err, Terminated) else EXIT_INTERRUPTED


def _load(file: str, by: str | None = None, profile: str | None = None) -> Scenario:
    from corridors.scenarios.scenario import load_scenario

    return load_scenario(file).with_options(by=by, profile=profile)


def _network(geodata: Path | None) -> Network:
    from corridors.graph.network import load_network

    return load_network(geodata)


def _check(*outputs: tuple[Path | None, Sequence[str], str], force: bool) -> None:
    """Refuse, before any work, an output whose format or place cannot take what is asked."""
    from corridors.outputs.atomic import check_writable

    for path, accepted, what in outputs:
        if path is not None:
            pick(path, accepted, what)
            check_writable(path, force=force)


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


@contextmanager
def _progress(label: str, total: int) -> Iterator[Any]:
    """Show a rich progress bar with ETA on stderr; yield its ``(done, total)`` callback."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        yield update


@scenario_app.command("list")
def list_scenarios(wide: WideOpt = False) -> None:
    """List the scenarios that ship with corridors."""
    from rich.markup import escape

    from corridors.outputs.table_fit import Col, FitTable
    from corridors.scenarios.scenario import Scenario, shipped_scenarios

    table = FitTable(
        [Col("name"), Col("scenario"), Col("changes", numeric=True, keep=2), Col("cites", keep=1)],
        title="Shipped scenarios (run one by name or path)",
    )
    for path in shipped_scenarios():
        s = Scenario.from_yaml(path)
        table.add_row(
            escape(path.stem),
            escape(s.name),
            str(len(s.doc.changes)),
            escape(", ".join(s.doc.cites)),
        )
    _console(wide).print(table)


@scenario_app.command("validate")
def validate_scenario(file: FileArg, geodata: GeodataOpt = None) -> None:
    """Check a scenario file and apply it to the network; print what each change does."""
    scenario = _load(file)
    net = _network(geodata)
    for applied in scenario.log(net):
        typer.echo(f"change {applied.index} ({applied.action}): {applied.summary}")
    typer.echo(f"ok: {scenario.name}: {len(scenario.doc.changes)} change(s) apply cleanly")


@scenario_app.command("run")
def run(
    file: FileArg,
    od: OdOpt = None,
    corridor: Annotated[
        list[str] | None,
        typer.Option("--corridor", help="Also compare this named corridor (repeatable)."),
    ] = None,
    by: ByOpt = None,
    profile: ProfileOpt = None,
    as_json: JsonOpt = False,
    out: Annotated[
        Path | None, typer.Option("--out", help=f"Write the table: {', '.join(TABLE_FORMATS)}.")
    ] = None,
    map_file: Annotated[
        Path | None,
        typer.Option("--map", help=f"Write a difference map: {', '.join(MAP_FORMATS)}."),
    ] = None,
    force: ForceOpt = False,
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Compare the best route per OD pair with and without the scenario."""
    _check(
        (out, TABLE_FORMATS, "scenario comparison"),
        (map_file, MAP_FORMATS, "map"),
        force=force,
    )
    scenario = _load(file, by, profile)
    net = _network(geodata)
    result = scenario.compare(net, od, corridors=corridor)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _console(wide).print(result)
    if out is not None:
        result.write(out, force=force)
        _say(f"results written to {out}")
    if map_file is not None:
        result.write_map(map_file, force=force)
        _say(f"map written to {map_file}")


SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help=(
            "Run on a Dask distributed cluster (tcp://HOST:8786) instead of local processes; "
            "same result (needs corridors[cluster])."
        ),
    ),
]


@contextmanager
def _cluster(address: str | None) -> Iterator[Any]:
    """Connect to the scheduler before any work (a bad address fails at once)."""
    if address is None:
        yield None
        return
    from corridors.scenarios.cluster import connect

    client, _ = connect(address)
    try:
        yield client
    finally:
        client.close()


@scenario_app.command("sweep")
def sweep(
    file: FileArg,
    set_values: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help=(
                "NAME=V1,V2,... or NAME=START:STOP:STEP (repeatable: a grid); "
                "default: the file's `sweep`."
            ),
        ),
    ] = None,
    od: OdOpt = None,
    by: ByOpt = None,
    profile: ProfileOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    chart: ChartOpt = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Processes sharing the grid points (default: the CPU count, at most 2).",
        ),
    ] = None,
    scheduler: SchedulerOpt = None,
    force: ForceOpt = False,
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Evaluate the scenario over a range or grid of parameter values, with break-even points."""
    from corridors.scenarios.sweeps import grid_size, parse_values, sweep_values

    _check((out, RESULT_FORMATS, "sweep"), (chart, FIGURE_FORMATS, "chart"), force=force)
    procs = default_workers(workers)
    values = dict(parse_values(text) for text in set_values or [])
    scenario = _load(file, by, profile)
    chosen = sweep_values(scenario, values or None)
    total = grid_size(chosen)
    pairs = scenario.pairs(od)
    net = _network(geodata)
    with _cluster(scheduler) as client:
        _say(
            f"sweeping {total} point(s) of {', '.join(chosen) or '(nothing)'} over "
            f"{len(pairs)} OD pair(s)"
        )
        try:
            with _progress("sweep", total) as update:
                result = scenario.sweep(
                    values or None, net=net, od=od, progress=update, workers=procs, scheduler=client
                )
        except KeyboardInterrupt as err:
            partial = getattr(err, "partial", None)
            done = partial.completed if partial is not None else 0
            _say(f"interrupted after {done} of {total} point(s); nothing written")
            raise typer.Exit(_interrupt_code(err)) from None
    if as_json:
        doc = {
            "scenario": result.name,
            "parameters": result.parameters,
            "by": result.by,
            "best": json.loads(result.best().to_json(orient="records")),
            "break_even": json.loads(result.break_even().to_json(orient="records")),
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
    else:
        _console(wide).print(result)
    for path in (out, chart):
        if path is not None:
            result.write(path, force=force)
            _say(f"written to {path}")


def _baseline(scenario: Scenario, net: Network, od: list[str] | None) -> dict[Any, Any]:
    """Best route per pair without the scenario (central values), or why there is none."""
    from corridors import routing
    from corridors.errors import CorridorsError

    reference = scenario.reference(net)
    options = scenario.route_options()
    out: dict[Any, Any] = {}
    for pair in scenario.pairs(od):
        try:
            out[pair] = routing.route(reference, *pair, options=options)
        except CorridorsError as err:
            out[pair] = str(err)
    return out


@scenario_app.command("montecarlo")
def montecarlo(
    file: FileArg,
    draws: Annotated[
        int | None,
        typer.Option("--draws", help="Number of draws (default: the file's, else 1000)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the random draws (default: the file's).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Processes sharing the draws (default: the CPU count, at most 2)."
        ),
    ] = None,
    scheduler: SchedulerOpt = None,
    od: OdOpt = None,
    by: ByOpt = None,
    profile: ProfileOpt = None,
    as_json: JsonOpt = False,
    out: OutOpt = None,
    chart: ChartOpt = None,
    force: ForceOpt = False,
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Draw the uncertain parameters: time and cost distributions and P(best) per corridor."""
    from corridors.scenarios.montecarlo import check_run

    _check(
        (out, RESULT_FORMATS, "Monte Carlo summary"), (chart, FIGURE_FORMATS, "chart"), force=force
    )
    scenario = _load(file, by, profile)
    n = scenario.doc.draws if draws is None else draws
    procs = default_workers(workers)
    check_run(scenario, draws=n, seed=scenario.doc.seed if seed is None else seed, workers=procs)
    scenario.pairs(od)
    net = _network(geodata)
    with _cluster(scheduler) as client:
        _say(
            f"drawing {n:,} time(s) over {len(scenario.pairs(od))} OD pair(s) "
            + (f"on the cluster at {scheduler}" if scheduler else f"with {procs} process(es)")
        )
        try:
            with _progress("Monte Carlo", n) as update:
                result = scenario.montecarlo(
                    draws=n,
                    seed=seed,
                    net=net,
                    od=od,
                    workers=procs,
                    progress=update,
                    scheduler=client,
                )
        except KeyboardInterrupt as err:
            _say(f"interrupted after {getattr(err, 'done', 0):,} of {n:,} draws; nothing written")
            raise typer.Exit(_interrupt_code(err)) from None
    if as_json:
        doc = {
            "scenario": result.name,
            "draws": result.draws,
            "seed": result.seed,
            "by": result.by,
            "summary": json.loads(result.summary().to_json(orient="records")),
            "notes": result.notes,
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
    else:
        from corridors.outputs.scenario_tables import montecarlo_table

        baseline = _baseline(scenario, net, od)
        _console(wide).print(montecarlo_table(result, baseline))
    for path in (out, chart):
        if path is not None:
            result.write(path, force=force)
            _say(f"written to {path}")
