"""The ``corridors`` command line: route, compare, skim, map and data commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from corridors.cli.console import WideOpt
from corridors.cli.console import console as _console
from corridors.cli.flows_command import flows
from corridors.cli.options import ForceOpt, GeodataOpt, JsonOpt
from corridors.cli.scenario_commands import scenario_app
from corridors.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    CorridorsError,
    Terminated,
)
from corridors.routing.objectives import OBJECTIVES

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.options import RouteOptions
    from corridors.routing.results import Route

app = typer.Typer(
    name="corridors",
    help="Route freight over the Central Asian transit corridors and compare them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(help="Inspect and validate the network data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(scenario_app, name="scenario")
app.command("flows")(flows)

_NAMES = list(OBJECTIVES)
ByOpt = Annotated[
    str, typer.Option("--by", help=f"Objective: {', '.join(_NAMES[:-1])} or {_NAMES[-1]}.")
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="Cargo profile: teu (default), bulk or oil.")
]
CrewOpt = Annotated[
    int,
    typer.Option("--crew", help="Drivers per truck: 1, or 2 (rests by the two-driver rules)."),
]
SkimCrewOpt = Annotated[
    int,
    typer.Option(
        "--crew",
        help=(
            "Drivers per truck: 1, or 2 (rests by the two-driver rules); 0 times trucks by "
            "their driving alone (faster, a lower bound on truck times)."
        ),
    ),
]
DepartOpt = Annotated[
    str | None,
    typer.Option(
        "--depart",
        help="Departure YYYY-MM-DD[THH:MM]: timetabled sailings wait for their next one.",
    ),
]
MapOpt = Annotated[
    Path | None,
    typer.Option("--map", help="Also write a map: .html (interactive) or .png/.svg/.pdf."),
]


def _error(message: str) -> None:
    # Plain write: a rich console would wrap a long message onto several lines.
    sys.stderr.write(f"error: {' '.join(str(message).split())}\n")


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    _error(message)
    raise typer.Exit(code)


def _network(geodata: Path | None) -> Network:
    from corridors.graph.network import load_network

    return load_network(geodata)


def _check_output(path: Path | None, force: bool, *, is_map: bool = False) -> None:
    """Refuse, before any work, an output that cannot be written (or is no map format)."""
    if path is None:
        return
    from corridors.outputs.atomic import check_writable

    if is_map:
        from corridors.outputs.formats import MAP_FORMATS, pick

        pick(path, MAP_FORMATS, "map")
    check_writable(path, force=force)


def _route_options(**keywords: Any) -> RouteOptions:
    """Build the route options once from the command's flags, refusing bad ones."""
    from corridors.routing.options import RouteOptions

    return RouteOptions.build(**keywords)


def _write_map(path: Path, net: Network, routes: list[Route], title: str, force: bool) -> None:
    from corridors.outputs import maps

    maps.write_map(path, net, routes=routes, title=title, force=force)
    sys.stderr.write(f"map written to {path}\n")


@app.command()
def route(
    origin: Annotated[str, typer.Argument(help="Place id, name, alias, 'lat,lon' or city.")],
    destination: Annotated[str, typer.Argument(help="Place id, name, alias, 'lat,lon' or city.")],
    by: ByOpt = "time",
    via: Annotated[list[str] | None, typer.Option("--via", help="Waypoint (repeatable).")] = None,
    avoid_country: Annotated[
        list[str] | None, typer.Option("--avoid-country", help="ISO2 code to avoid (repeatable).")
    ] = None,
    avoid_node: Annotated[
        list[str] | None, typer.Option("--avoid-node", help="Place to avoid (repeatable).")
    ] = None,
    avoid_link: Annotated[
        list[str] | None, typer.Option("--avoid-link", help="Link id to avoid (repeatable).")
    ] = None,
    avoid_border: Annotated[
        list[str] | None,
        typer.Option("--avoid-border", help="Country pair to avoid, e.g. TM-IR (repeatable)."),
    ] = None,
    mode: Annotated[
        list[str] | None, typer.Option("--mode", help="Allowed mode (repeatable).")
    ] = None,
    include_planned: Annotated[
        bool, typer.Option("--include-planned", help="Allow links under construction/planned.")
    ] = False,
    year: Annotated[
        int | None, typer.Option("--year", help="Allow links due to open by this year.")
    ] = None,
    profile: ProfileOpt = None,
    value_of_time: Annotated[
        float | None, typer.Option("--value-of-time", help="USD per unit per hour.")
    ] = None,
    alternatives: Annotated[
        int, typer.Option("--alternatives", "-k", help="Number of different routes (1-20).")
    ] = 1,
    crew: CrewOpt = 1,
    depart: DepartOpt = None,
    as_json: JsonOpt = False,
    map_file: MapOpt = None,
    force: ForceOpt = False,
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Find the best route (and alternatives) between two places."""
    from corridors import routing

    _check_output(map_file, force, is_map=True)
    net = _network(geodata)
    opts = _route_options(
        by=by,
        profile=profile,
        via=via or [],
        avoid_countries=avoid_country,
        avoid_nodes=avoid_node,
        avoid_links=avoid_link,
        avoid_borders=avoid_border,
        modes=mode,
        include_planned=include_planned,
        year=year,
        value_of_time=value_of_time,
        crew=crew,
        depart=depart,
    )
    routes = routing.alternatives(net, origin, destination, k=alternatives, options=opts)
    for end in (routes[0].origin, routes[0].destination):
        if "chosen over" in end.label:
            sys.stderr.write(f"note: {end.query!r} is {end.label}\n")
    if as_json:
        first = routes[0]
        doc = {
            "origin": first.origin.node,
            "destination": first.destination.node,
            "by": first.by,
            "profile": first.profile,
            "routes": [r.to_dict() for r in routes],
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
    else:
        console = _console(wide)
        if len(routes) > 1:
            from corridors.outputs.route_tables import alternatives_table

            console.print(alternatives_table(routes))
        for r in routes:
            console.print(r)
    if map_file is not None:
        title = f"{routes[0].origin.label} → {routes[0].destination.label}"
        _write_map(map_file, net, routes, title, force)


@app.command()
def compare(
    origin: Annotated[str, typer.Argument(help="Place id, name, alias, 'lat,lon' or city.")],
    destination: Annotated[str, typer.Argument(help="Place id, name, alias, 'lat,lon' or city.")],
    corridor: Annotated[
        list[str] | None,
        typer.Option("--corridor", help="Corridor id (repeatable; default: all)."),
    ] = None,
    by: ByOpt = "time",
    profile: ProfileOpt = None,
    crew: CrewOpt = 1,
    depart: DepartOpt = None,
    as_json: JsonOpt = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the table as CSV.")] = None,
    map_file: MapOpt = None,
    force: ForceOpt = False,
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Compare named corridors side by side between two places."""
    from corridors import routing
    from corridors.outputs.atomic import write_text

    _check_output(map_file, force, is_map=True)
    _check_output(csv, force)
    net = _network(geodata)
    opts = _route_options(by=by, profile=profile, crew=crew, depart=depart)
    result = routing.compare(net, origin, destination, corridors=corridor, options=opts)
    for end in (result.origin, result.destination):
        if "chosen over" in end.label:
            sys.stderr.write(f"note: {end.query!r} is {end.label}\n")
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _console(wide).print(result)
    if csv is not None:
        write_text(csv, result.to_frame().to_csv(index=False), force=force)
    if map_file is not None and result.routes:
        title = f"{result.origin.label} → {result.destination.label}"
        _write_map(map_file, net, list(result.routes.values()), title, force)


@app.command()
def skim(
    origins: Annotated[list[str], typer.Argument(help="Origin places.")],
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="Destination place (repeatable; default: the origins)."),
    ] = None,
    by: ByOpt = "time",
    profile: ProfileOpt = None,
    crew: SkimCrewOpt = 1,
    include_planned: Annotated[
        bool, typer.Option("--include-planned", help="Allow links under construction/planned.")
    ] = False,
    as_json: JsonOpt = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the matrix as CSV.")] = None,
    force: ForceOpt = False,
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Compute an origin-destination matrix of one objective in batch."""
    from corridors.outputs.atomic import write_text
    from corridors.routing import batch

    _check_output(csv, force)
    net = _network(geodata)
    opts = _route_options(by=by, profile=profile, include_planned=include_planned, crew=crew)
    matrix = batch.skim(net, origins, to or None, options=opts)
    if as_json:
        typer.echo(matrix.to_json(orient="index", force_ascii=False))
    else:
        from rich.table import Table

        from corridors.routing.objectives import UNITS

        unit = UNITS[opts.by]
        title = f"{opts.by} ({unit}) per {net.profile(profile).id}, from (rows) to (columns)"
        table = Table(title=title, title_justify="left")
        table.add_column("from \\ to")
        for col in matrix.columns:
            table.add_column(str(col), justify="right")
        for name, row in matrix.iterrows():
            table.add_row(str(name), *["—" if v != v else f"{v:,.1f}" for v in row])
        _console(wide).print(table)
    if csv is not None:
        write_text(csv, matrix.to_csv(), force=force)


@app.command("map")
def map_command(
    out: Annotated[Path, typer.Argument(help="Output file: .html, .png, .svg or .pdf.")],
    route_pairs: Annotated[
        list[str] | None,
        typer.Option("--route", help="ORIGIN:DESTINATION to draw (repeatable)."),
    ] = None,
    corridor: Annotated[
        list[str] | None,
        typer.Option("--corridor", help="Draw this named corridor's route (repeatable)."),
    ] = None,
    by: ByOpt = "time",
    profile: ProfileOpt = None,
    title: Annotated[str | None, typer.Option("--title", help="Map title.")] = None,
    force: ForceOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Draw the network, and routes or corridors on it, to an HTML or static map."""
    from corridors import routing

    _check_output(out, force, is_map=True)
    opts = _route_options(by=by, profile=profile)
    net = _network(geodata)
    routes: list[Route] = []
    for pair in route_pairs or []:
        origin, sep, destination = pair.partition(":")
        if not sep or not origin.strip() or not destination.strip():
            _fail(f"--route {pair!r} must be ORIGIN:DESTINATION, e.g. Almaty:'Bandar Abbas'")
        routes.append(routing.route(net, origin.strip(), destination.strip(), options=opts))
    known = {str(c["id"]): c for c in net.geodata.corridors}
    for cid in corridor or []:
        if cid not in known:
            _fail(f"unknown corridor {cid!r}; choose from: {', '.join(known)}")
        routes.append(routing.route_corridor(net, known[cid], by=by, profile=profile))
    _write_map(out, net, routes, title or "corridors network", force)


def _report_line(text: str, width: int | None) -> None:
    """Print one report line; at a known terminal width, wrapped under its ``file:row``."""
    import textwrap

    if width is None:
        typer.echo(text)
        return
    # the first line keeps `file:row` whole, so grep still finds each problem
    for line in textwrap.wrap(text, width=width, subsequent_indent="    ", break_on_hyphens=False):
        typer.echo(line)


def _report_width(wide: bool) -> int | None:
    """Width to wrap report lines at: the terminal's or ``COLUMNS``; none when piped or --wide."""
    import shutil

    if wide:
        return None
    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return max(40, shutil.get_terminal_size().columns)
    return None


@data_app.command("validate")
def data_validate(geodata: GeodataOpt = None, wide: WideOpt = False) -> None:
    """Check the geodata and report every problem with file and row."""
    from corridors.routing.network_checks import validate_and_build

    report, net = validate_and_build(geodata)
    width = _report_width(wide)
    for problem in report.problems:
        _report_line(str(problem), width)
    for warning in report.warnings:
        _report_line(f"warning: {warning}", width)
    if report.problems:
        _fail(f"{len(report.problems)} problem(s) in {report.folder}")
    if net is None:  # check 10 builds it whenever it finds no problem
        _fail(f"the network of {report.folder} was not built")
    # the flow-assignment tables (capacities, demand, observations) are read by the flows stage
    from corridors.flows.inputs import check_flow_inputs

    # the network check 10 built on the tables just checked: loading it again would read
    # them a second time and build every profile's routing graph for the cache, which the
    # flow tables never use (nor the graph check 10 kept)
    for profile_id in net.geodata.tables["profiles"]["id"]:
        net.release_routing_graph(str(profile_id))
    flow_problems = check_flow_inputs(net)
    for flow_problem in flow_problems:
        _report_line(flow_problem, width)
    if flow_problems:
        _fail(f"{len(flow_problems)} problem(s) in the flow tables of {report.folder}")
    _report_line(f"ok: {report.summary()}", width)


@data_app.command("check-observations")
def data_check_observations(
    geodata: GeodataOpt = None,
    min_share: Annotated[
        float | None,
        typer.Option(
            "--min-share",
            help="Share of observations that must agree (default: the stated 0.8).",
            min=0.0,
            max=1.0,
        ),
    ] = None,
) -> None:
    """Compare the model with the published figures in observations.csv.

    Prints model against published for every observation; exits 1 when the share within
    tolerance is below the required share.
    """
    from corridors.data.observations import read_observations
    from corridors.outputs.observation_tables import report_lines
    from corridors.routing.observations import REQUIRED_SHARE, check_observations

    net = _network(geodata)
    observations = read_observations(net.geodata.folder)
    report = check_observations(
        net, observations, required_share=REQUIRED_SHARE if min_share is None else min_share
    )
    for line in report_lines(report):
        typer.echo(line)
    if not report.passed:
        raise typer.Exit(1)


@data_app.command("frictions")
def data_frictions(
    geodata: GeodataOpt = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only this kind: border, port, gauge_break...")
    ] = None,
    profile: ProfileOpt = None,
) -> None:
    """List friction rows as sourced or estimated, and the share the corridors pay.

    A row is sourced when its figure was published for that place (method `published`);
    otherwise it is estimated (an analogy, a regional average or a stated method).
    """
    from corridors.data.geodata import records
    from corridors.routing.friction_sources import corridor_friction_share, is_sourced

    net = _network(geodata)
    shown = [r for r in records(net.geodata.frictions) if kind is None or str(r["kind"]) == kind]
    if kind is not None and not shown:
        _fail(f"no friction rows of kind {kind!r}; kinds: border, port, gauge_break, transfer")
    for row in shown:
        label = "sourced  " if is_sourced(row) else "estimated"
        method = str(row.get("method") or "")
        typer.echo(f"{label} {_clean(str(row['id']))} ({_clean(method)})")
    sourced = sum(is_sourced(r) for r in shown)
    typer.echo(f"{sourced}/{len(shown)} rows sourced")
    share = corridor_friction_share(net, profile)
    paid = len(share.sourced) + len(share.estimated)
    typer.echo(
        f"corridors pay {paid} border, port and gauge-break rows: {len(share.sourced)} sourced "
        f"({share.share:.0%}), {len(share.estimated)} estimated"
        + (f"; not routed: {', '.join(share.unrouted)}" if share.unrouted else "")
    )


def _clean(text: str) -> str:
    # text from the data files reaches a terminal: control characters are shown escaped
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@data_app.command("list")
def data_list(
    table: Annotated[
        str,
        typer.Argument(help="nodes, links, frictions, corridors, sources, sections or seeds."),
    ] = "nodes",
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """List what the data holds, with sources."""
    from corridors.outputs import data_views as _inspect

    _console(wide).print(_inspect.listing(_network(geodata), table))


@data_app.command("show")
def data_show(
    item: Annotated[str, typer.Argument(help="A node, link, friction, corridor or source id.")],
    wide: WideOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Show one item with every attribute and the sources it cites."""
    from corridors.outputs import data_views as _inspect

    _console(wide).print(_inspect.show(_network(geodata), item))


def _pair(option: str, value: str) -> tuple[str, str]:
    origin, sep, destination = value.partition(":")
    if not sep or not origin.strip() or not destination.strip():
        _fail(f"{option} {value!r} must be ORIGIN:DESTINATION, e.g. Almaty:'Bandar Abbas'")
    return origin.strip(), destination.strip()


@app.command("export")
def export_command(
    out: Annotated[
        Path, typer.Argument(help="Output file: .gpkg, .geojson, .parquet, .csv or .xlsx.")
    ],
    network: Annotated[
        bool, typer.Option("--network", help="Export the network (links and nodes).")
    ] = False,
    route_pair: Annotated[
        str | None,
        typer.Option("--route", help="Export the best route(s) ORIGIN:DESTINATION."),
    ] = None,
    compare_pair: Annotated[
        str | None,
        typer.Option("--compare", help="Export the corridors compared for ORIGIN:DESTINATION."),
    ] = None,
    corridor: Annotated[
        list[str] | None,
        typer.Option("--corridor", help="With --compare: corridor id (repeatable; default all)."),
    ] = None,
    alternatives: Annotated[
        int, typer.Option("--alternatives", "-k", help="With --route: number of routes (1-20).")
    ] = 1,
    by: ByOpt = "time",
    profile: ProfileOpt = None,
    layer: Annotated[
        str | None,
        typer.Option(
            "--layer",
            help="Write one table only: nodes or links (--network), legs or summary "
            "(--route, --compare). Default: every table in .gpkg/.xlsx, else links or legs.",
        ),
    ] = None,
    force: ForceOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Export the network, a route or a corridor comparison to GIS or spreadsheet files."""
    import corridors.outputs.export as exporting
    from corridors import routing

    chosen = [
        name
        for name, given in [
            ("--network", network),
            ("--route", route_pair is not None),
            ("--compare", compare_pair is not None),
        ]
        if given
    ]
    if len(chosen) != 1:
        _fail(
            "give exactly one of --network, --route ORIGIN:DESTINATION or "
            f"--compare ORIGIN:DESTINATION (got {', '.join(chosen) or 'none'})"
        )
    layers = ("links", "nodes") if network else ("legs", "summary")
    if layer is not None and layer not in layers:
        _fail(f"unknown --layer {layer!r} for {chosen[0]}; choose one of: {', '.join(layers)}")
    pair = _pair(chosen[0], route_pair or compare_pair or "") if not network else None
    exporting.check_format(out)
    _check_output(out, force)
    opts = _route_options(by=by, profile=profile)
    net = _network(geodata)
    obj: Any = net
    if pair is not None and route_pair is not None:
        obj = routing.alternatives(net, *pair, k=alternatives, options=opts)
    elif pair is not None:
        obj = routing.compare(net, *pair, corridors=corridor, options=opts)
    found = exporting.selected(obj, out, layer=layer)
    path = exporting.export_tables(found, out, force=force)
    sizes = ", ".join(f"{name} ({len(frame)} rows)" for name, frame in found.items())
    sys.stderr.write(f"wrote {sizes} to {path}\n")


@app.command("report")
def report_command(
    out: Annotated[Path, typer.Argument(help="Output file: .html (self-contained) or .pdf.")],
    compare_pair: Annotated[
        str | None,
        typer.Option("--compare", help="Compare the named corridors for ORIGIN:DESTINATION."),
    ] = None,
    route_pair: Annotated[
        str | None,
        typer.Option("--route", help="The best route and alternatives for ORIGIN:DESTINATION."),
    ] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="A scenario file or shipped name.")
    ] = None,
    corridor: Annotated[
        list[str] | None,
        typer.Option("--corridor", help="With --compare: corridor id (repeatable; default all)."),
    ] = None,
    alternatives: Annotated[
        int, typer.Option("--alternatives", "-k", help="With --route: number of routes (1-20).")
    ] = 3,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Objective (default: time, or the scenario's own)."),
    ] = None,
    profile: ProfileOpt = None,
    force: ForceOpt = False,
    geodata: GeodataOpt = None,
) -> None:
    """Write a self-contained report: question, assumptions, table, map, breakdown, sources."""
    from corridors.outputs.report import report

    path = report(
        out,
        compare=compare_pair,
        route=route_pair,
        scenario=scenario,
        corridors=corridor,
        alternatives=alternatives,
        by=by,
        profile=profile,
        net=_network(geodata) if geodata is not None else None,
        force=force,
    )
    sys.stderr.write(f"report written to {path}\n")


def _version(value: bool) -> None:
    if value:
        from corridors import __version__

        typer.echo(f"corridors {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Route freight over the Central Asian transit corridors and compare them."""


_TERMINATED: list[bool] = []


def _on_sigterm(signum: int, frame: object) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one unwinding is enough
    _TERMINATED.append(True)
    raise Terminated


def main() -> None:
    """Run the CLI: one-line errors; exit 0 ok, 1 no route, 2 bad input, 3 run failed.

    SIGTERM unwinds like Ctrl-C (exit 143, 130 for Ctrl-C), so temporary files are removed
    and worker processes stopped.
    """
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        words = sys.argv[1:]
        if words[:1] == ["route"]:
            # A route does no linear algebra: numpy's OpenBLAS need not start a thread per
            # core when it loads (about 40 ms of the route's start-up); a user's setting wins.
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            # a plainly written route skips building the whole command line (see direct)
            from corridors.cli import direct

            keywords = direct.read(route, words[1:])
            if keywords is not None:
                direct.run(route, keywords)  # exits as typer would
        app()  # typer handles usage errors (exit 2) and exits itself on success
    except CorridorsError as err:
        _error(str(err))
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        # typer turns an interrupt inside a command into exit 130 itself
        sys.stderr.write("terminated\n" if _TERMINATED else "interrupted\n")
        sys.exit(EXIT_TERMINATED if _TERMINATED else EXIT_INTERRUPTED)
    except SystemExit as done:
        if _TERMINATED and done.code != EXIT_TERMINATED:
            sys.stderr.write("terminated\n")
            sys.exit(EXIT_TERMINATED)
        raise
