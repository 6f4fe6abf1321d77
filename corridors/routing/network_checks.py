"""Check 10 (every profile's routing graph builds, every corridor routes) and :func:`validate`.

Checks 1-9 only read the tables (:mod:`corridors.data.validation`); this one builds the
network and routes every named corridor, so it belongs to the routing stage, which adds it
to the others through :func:`corridors.data.validation.check_folder`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from corridors.data.checks.base import STRUCTURAL, as_list, cell_text, error_text, id_list, plural
from corridors.data.geodata import bulk_objects, summarise
from corridors.data.validation import (
    CHECKS,
    ExtraCheck,
    GeodataChecker,
    ValidationReport,
    check_folder,
    estimation_methods,
    structural_problems,
)
from corridors.errors import GeodataError
from corridors.graph.network import Network, keep_loaded
from corridors.routing.edge_weights import reusing
from corridors.routing.named_corridors import check_corridor

# corridors.validation names this module: it offers the whole validation API
__all__ = [
    "CHECKS",
    "ValidationReport",
    "check_routing",
    "estimation_methods",
    "load_validated",
    "structural_problems",
    "validate",
    "validate_and_build",
]


def validate(
    geodata: str | os.PathLike[str] | None = None, extra: Sequence[ExtraCheck] = ()
) -> ValidationReport:
    """Check a geodata folder and report every problem with its file and line.

    Runs checks 1-9 of :mod:`corridors.data.validation`, then check 10: each profile's
    routing graph builds and every corridor in ``corridors.yaml`` routes.

    Parameters
    ----------
    geodata
        The folder to check; by default the shipped one, or ``CORRIDORS_GEODATA``.
    extra
        Further checks, run after check 10 on the same checker (its tables, as read, are
        ``checker.data``).

    Returns
    -------
    report
        Every problem found (``report.ok`` is True when there are none), warnings, and the
        row count of each table.

    Raises
    ------
    GeodataError
        If the folder is not a geodata folder at all (no ``nodes.csv`` and ``links.csv``).

    Examples
    --------
    >>> report = validate("geodata")  # doctest: +SKIP
    >>> print(report.summary())  # doctest: +SKIP
    312 nodes, 401 links, 120 frictions, 14 corridors, 60 sources: no problems
    """
    return validate_and_build(geodata, extra)[0]


def validate_and_build(
    geodata: str | os.PathLike[str] | None = None, extra: Sequence[ExtraCheck] = ()
) -> tuple[ValidationReport, Network | None]:
    """:func:`validate`, and the network check 10 built on the tables it read.

    Returns
    -------
    report, network
        The report, and the network (None where check 10 did not build it: a structural
        problem, or a network that cannot be built). The network holds at most the last
        profile's routing graph; the others are built again when asked for.
    """
    built: list[Network] = []

    def routing(checker: GeodataChecker) -> None:
        check_routing(checker, built.append)

    report = check_folder(geodata, extra=(routing, *extra))
    return report, (built[0] if built else None)


def load_validated(
    geodata: str | os.PathLike[str] | None = None, *, cache: bool = True
) -> tuple[Network, ValidationReport]:
    """Validate a geodata folder and load its network, reading its tables once for both.

    The same as :func:`validate` followed by :func:`~corridors.graph.network.load_network`,
    at about the cost of the validation alone: the network is the one check 10 builds to
    route the corridors (kept for the cache, it then builds the profiles' routing graphs
    check 10 let go, as a load for the cache builds them all).

    Parameters
    ----------
    geodata
        The folder; by default the shipped one, or ``CORRIDORS_GEODATA``.
    cache
        Keep the network as ``load_network`` keeps the ones it loads, so that a later
        ``load_network`` of the same bytes returns it (in this process) or reads it from
        the on-disk cache (in another one).

    Returns
    -------
    network, report
        The network, and the report (no problems; its warnings, if any).

    Raises
    ------
    GeodataError
        If the folder is not a geodata folder, or the validation found a problem (the
        problems summarised; :func:`validate` lists them all).

    Examples
    --------
    >>> net, report = load_validated("geodata")  # doctest: +SKIP
    >>> print(report.summary())  # doctest: +SKIP
    312 nodes, 401 links, 120 frictions, 14 corridors, 60 sources: no problems
    """
    report, net = validate_and_build(geodata)
    if report.problems:
        raise GeodataError(summarise(report.problems))
    if net is None:  # check 10 builds it whenever it finds no problem
        msg = f"the network of {report.folder} was not built"
        raise GeodataError(msg)
    if cache:
        keep_loaded(net)
    else:
        net.routing_graphs_kept = None
    return net, report


def check_routing(
    checker: GeodataChecker, built: Callable[[Network], object] | None = None
) -> None:
    """Check 10: build every profile's routing graph and route every corridor.

    A corridor routes when a path satisfies its rules; its legs are not built, timed or
    priced (:func:`~corridors.routing.named_corridors.check_corridor`).

    Skipped, with a warning, when checks 1-3 found a structural problem. ``built``, if
    given, is called with the network the check builds, once it has checked it.
    """
    blocking = sum(len(checker.found[c]) for c in STRUCTURAL)
    if blocking:
        checker.warnings.append(
            f"corridors.yaml: routing check skipped: {plural(blocking, 'structural problem')}"
            " (schema, ids, references, defaults) must be fixed first"
        )
        return
    # building allocates millions of objects on a large network and frees none of them
    try:
        with bulk_objects():
            net = _check_routing(checker)
    except MemoryError:
        # the machine's limit, not a fault in the data: say so rather than list a problem
        links = len(checker.data.links)
        msg = (
            f"the network of {links:,} links is too large to check in this machine's memory: "
            "check 10 (routing) ran out of memory building the routing graphs or routing "
            "the corridors; run `corridors data validate` where more memory is free"
        )
        raise GeodataError(msg) from None
    if net is not None and built is not None:
        built(net)


def _check_routing(checker: GeodataChecker) -> Network | None:
    """Check 10 proper; return the network it built (None if it could not be built)."""
    # Any exception here is a data problem the checks above did not foresee: report it.
    try:
        net = Network(checker.data)
    except MemoryError:
        raise
    except Exception as err:
        checker.add("routing", "links.csv", 0, f"the network cannot be built: {error_text(err)}")
        return None
    # one profile's routing graph at a time: at a million links each takes gigabytes
    net.routing_graphs_kept = 1
    # each corridor is routed while the graph of its profile is at hand, so each graph is
    # built once (the problems are reported sorted, whatever the order they are found in)
    waiting: dict[str, list[tuple[dict[str, Any], int]]] = {}
    for item, line in checker.corridors:
        waiting.setdefault(_route_profile(checker, net, item), []).append((item, line))
    for pid in checker.profiles:
        try:
            rg = net.routing_graph(pid)
        except MemoryError:
            raise
        except Exception as err:
            checker.add(
                "routing",
                "profiles.csv",
                0,
                f"the routing graph for profile {pid!r} cannot be built: {error_text(err)}",
            )
            return net
        # the corridors share the graph's objective weights, and often their masks
        with reusing(rg):
            for item, line in waiting.pop(net.profile(pid).id, []):
                _route_corridor(checker, net, item, line)
        del rg
    # corridors on no profile of the table: routing them says why they do not route
    for group in waiting.values():
        for item, line in group:
            _route_corridor(checker, net, item, line)
    return net


def _route_profile(checker: GeodataChecker, net: Network, item: dict[str, Any]) -> str:
    """Return the id of the profile a corridor is routed on ('' where it names none known)."""
    modes = [str(m) for m in as_list(item.get("modes") or [])]
    try:
        return net.profile(_corridor_profile(checker, item, modes)).id
    except Exception:  # routing the corridor reports it
        return ""


def _route_corridor(checker: GeodataChecker, net: Network, item: dict[str, Any], line: int) -> None:
    cid = item.get("id")
    points = item.get("waypoints") or []
    if len(points) < 2:
        return
    modes = [str(m) for m in as_list(item.get("modes") or [])]
    statuses = sorted({str(s) for s in as_list(item.get("include") or [])} | {"operational"})
    profile = _corridor_profile(checker, item, modes)
    try:
        check_corridor(net, item, profile=profile)
    except MemoryError:
        raise
    except Exception as err:
        checker.add(
            "routing",
            "corridors.yaml",
            line,
            f"corridor {cid!r} ({' → '.join(_point(p) for p in points)}; "
            f"statuses {', '.join(statuses)}"
            f"{'; modes ' + ', '.join(modes) if modes else ''}) does not route: {error_text(err)}",
        )


def _point(point: Any) -> str:
    """Return a waypoint as text: its node id, or its alternatives joined by ``|``."""
    return str(point) if isinstance(point, str) else "|".join(str(p) for p in point)


def _corridor_profile(
    checker: GeodataChecker, item: dict[str, Any], modes: list[str]
) -> str | None:
    if item.get("profile"):
        return str(item["profile"])
    if not modes:
        return None
    for row in checker.rows["profiles"]:
        if set(modes) <= set(id_list(row["modes"])):
            return cell_text(row["id"])
    return None
