"""The ``corridors flows`` command: assign freight demand, or a TNTP benchmark, to a network."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

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
        Path | None, typer.Option("--out", help="Write link flows to this CSV file.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite output files.")] = False,
) -> None:
    """Assign demand to a capacitated network and report the link flows.

    With --tntp-net and --tntp-trips, solves a transport-research benchmark network (BPR
    links with the file's b and power) and writes one row per link: init_node, term_node,
    flow, cost (node numbers as in the file).
    """
    from corridors.flows.assignment import assign_links
    from corridors.flows.classes import DemandClass
    from corridors.flows.tntp import read_net, read_trips
    from corridors.outputs.atomic import check_writable, write_text

    if tntp_net is None or tntp_trips is None:
        msg = "give both --tntp-net NET.tntp and --tntp-trips TRIPS.tntp"
        raise InvalidOptionError(msg)
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
    if out is not None:
        check_writable(out, force=force)
    links = read_net(tntp_net)
    demand = read_trips(tntp_trips, links.n_nodes)
    classes = [DemandClass("trips", demand)]
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
    if method == "equilibrium":
        state = "reached" if result.converged else "NOT reached: raise --max-iter"
        sys.stderr.write(
            f"{algorithm}: relative gap {result.gap:.3e} after {result.iterations} iterations "
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
