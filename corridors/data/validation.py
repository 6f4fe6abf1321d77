"""Check a geodata folder and report every problem with its file and line.

:func:`corridors.validate` runs every check below on a geodata folder and collects all the problems
it finds (it never stops at the first one). Each problem names the file, the line (the CSV header
is line 1; YAML and GeoJSON lines are those of the item) and says what is wrong and what would
be right.

Checks, in the order they run (the ``by_check`` key in brackets):

1. ``schema`` / ``values`` — the columns and types of every table (what
   :func:`corridors.data.geodata.read_geodata` reports), enum values (mode, status, node kind,
   friction kind, direction ``forward``/``both``, profile ids or ``*``, rail gauge 1435/1520/1676
   and no gauge on other modes), id format ``{iso2}-{slug}``; plausible years (1850–2100),
   non-negative times, fees and rates, positive speeds and lengths, ``low ≤ value ≤ high``,
   WGS 84 coordinates inside the study region (lon −20…145 E, lat −10…70 N: the corridor
   countries plus the far ends of the sea legs, Rotterdam and Shanghai).
2. ``ids`` — ids are unique in every table, ``corridors.yaml`` and ``sources.yaml``.
3. ``references`` — link ends, friction nodes, rate links, section ends and vias and corridor
   waypoints exist. ``defaults`` — the speed, rate, emission and default friction rows the
   routing graph needs exist.
4. ``countries`` — ``countries.geojson`` (and ``geometry/links.geojson``) are WGS 84, and every
   node lies in its country's polygon, within 5 km (borders and coasts: Natural Earth's 10m
   lines are generalised by up to ~3 km) or 15 km for ports (piers and terminals reach
   offshore). A node that is outside but whose swapped ``lat, lon`` falls in its country is
   reported as swapped.
5. ``lengths`` — rail and road ``length_km`` is at least the geodesic distance between the ends
   (1 % tolerance) and at most 2.5 × that distance + 5 km; sea, ferry and pipeline lengths are
   at least the geodesic distance; ``geodesic_factor:F`` lengths equal geodesic × F (2 %).
6. ``gauges`` — rail links have a gauge; wherever two gauges meet at a node (links that are
   not ``closed``) a node-specific ``gauge_break`` friction row exists.
7. ``sources`` — every row of the tables in :data:`corridors.data.schema.PROVENANCE` names a
   source id or a method; every cited id resolves to ``sources.yaml`` or a seed; every method
   is described in ``README.md`` "Estimation methods" (when the folder has that README);
   published lengths cite ``length_source_id``; every source has a title, a licence and a URL
   (or kind ``estimate``, ``seed`` or ``dataset``).
8. ``orphans`` — every node is on at least one link.
9. ``caspian`` — the Caspian Sea is closed: a sea or ferry link never joins a Caspian port to
   a port elsewhere. A node at the end of a sea or ferry link is a *Caspian port* when it lies
   in the box lon 46–56 E, lat 36–48 N; that box holds no other sea, so the rule needs no
   port list.
10. ``routing`` — each profile's routing graph builds and every corridor in
    ``corridors.yaml`` routes through its waypoints with its modes and statuses
    (``include`` + ``operational``). Skipped, with a warning, when checks 1–3 found a
    structural problem.

Warnings (not problems) point at data that works but is probably incomplete: ferry links
without ``headway_h``, border-crossing links without their own border friction, friction rows
that no route can ever charge, and sources that no row cites.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corridors.data.checks.base import (
    CHECKS,
    SUMMARY_TABLES,
    estimation_methods,
    plural,
)
from corridors.data.checks.geography import GeographyChecks
from corridors.data.checks.references import ReferenceChecks
from corridors.data.checks.scan_ahead import ScanAhead
from corridors.data.checks.sources import SourceChecks
from corridors.data.checks.values import ValueChecks
from corridors.data.geodata import (
    Geodata,
    Problem,
    bulk_objects,
    give_back_memory,
    read_geodata,
)
from corridors.data.locate import geodata_dir
from corridors.data.schema import TABLES

__all__ = [
    "CHECKS",
    "GeodataChecker",
    "ValidationReport",
    "check_folder",
    "estimation_methods",
    "structural_problems",
]

#: A check added after checks 1-9 (the routing stage adds check 10 this way).
ExtraCheck = Callable[["GeodataChecker"], None]


@dataclass
class ValidationReport:
    """What :func:`corridors.validate` found in a geodata folder.

    Attributes
    ----------
    folder
        The folder that was checked.
    problems
        Every problem, sorted by file and line; each prints as ``file:line: message``.
    warnings
        Things that work but are probably incomplete, as ``file:line: message`` strings.
    counts
        Rows per table (``nodes``, ``links``, ..., ``corridors``, ``sources``).
    by_check
        Number of problems per check (see the module docstring), only checks with problems.
    """

    folder: Path
    problems: list[Problem]
    warnings: list[str]
    counts: dict[str, int]
    by_check: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no problem was found (warnings do not count)."""
        return not self.problems

    def summary(self) -> str:
        """Return one line: what the folder holds and how many problems it has."""
        held = ", ".join(f"{self.counts.get(k, 0)} {k}" for k in SUMMARY_TABLES)
        found = plural(len(self.problems), "problem") if self.problems else "no problems"
        if self.warnings:
            found += f", {plural(len(self.warnings), 'warning')}"
        return f"{held}: {found}"

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        lines += [f"warning: {w}" for w in self.warnings]
        lines.append(self.summary())
        return "\n".join(lines)


def check_folder(
    geodata: str | os.PathLike[str] | None = None, extra: Sequence[ExtraCheck] = ()
) -> ValidationReport:
    """Run checks 1-9 on a geodata folder, then each of ``extra``, and report what they found.

    :func:`corridors.validate` is this with the routing stage's check 10 added.

    Parameters
    ----------
    geodata
        The folder to check; by default the shipped one, or ``CORRIDORS_GEODATA``.
    extra
        Further checks, each called with the checker after checks 1-9 have run.

    Returns
    -------
    report
        Every problem found (``report.ok`` is True when there are none), warnings, and the
        row count of each table.

    Raises
    ------
    GeodataError
        If the folder is not a geodata folder at all (no ``nodes.csv`` and ``links.csv``).
    """
    folder = geodata_dir(geodata)
    # the drawn lines need nothing from the tables: a large file is read beside them
    with ScanAhead(folder / "geometry" / "links.geojson") as ahead:
        data = read_geodata(folder, strict=False)
        checker = GeodataChecker(data)
        checker.ahead = ahead
        checker.run(extra)
    problems = sorted({p for found in checker.found.values() for p in found})
    by_check = {name: len(set(found)) for name, found in checker.found.items() if found}
    counts = {name: len(data.tables[name]) for name in TABLES}
    counts["corridors"] = len(data.corridors)
    counts["sources"] = len(data.sources)
    counts["seeds"] = len(data.seeds)
    return ValidationReport(data.folder, problems, checker.warnings, counts, by_check)


# ---------------------------------------------------------------------------------------
# the checks


def structural_problems(data: Geodata) -> list[Problem]:
    """Return the problems that make a network unsafe to build, without the slow checks.

    Runs the schema, value, id, reference and default-row checks of :func:`corridors.validate`
    (not the country polygons, geodesic lengths, provenance or routing checks), so
    loading a user's copy of the data refuses negative lengths, dangling references and
    the like with ``file:row`` messages.

    Parameters
    ----------
    data
        Tables read with ``read_geodata(..., strict=False)``.

    Returns
    -------
    problems
        Sorted problems; empty when the data can be built into a network.
    """
    checker = GeodataChecker(data)
    checker.found["schema"].extend(
        p for p in data.problems if not p.message.startswith("duplicate source id")
    )
    with bulk_objects():
        checker.check_nodes()
        checker.check_links()
        checker.check_frictions()
        checker.check_small_tables()
        checker.check_corridor_entries()
        checker.check_ids()
        checker.check_references()
        checker.check_defaults()
    return sorted({p for found in checker.found.values() for p in found})


class GeodataChecker(ValueChecks, ReferenceChecks, GeographyChecks, SourceChecks):
    """Checks 1-9 and the warnings, in the order :func:`check_folder` runs them."""

    def run(self, extra: Sequence[ExtraCheck] = ()) -> None:
        """Run every check, then each of ``extra``; the findings collect in ``found``."""
        self.found["schema"].extend(
            p for p in self.data.problems if not p.message.startswith("duplicate source id")
        )
        with bulk_objects():
            self.load_countries()
            self.check_nodes()
            self.check_links()
            self.check_frictions()
            self.check_small_tables()
            self.check_corridor_entries()
            self.check_ids()
            self.check_references()
            self.check_defaults()
            self.check_node_countries()
            self.check_geometry()
            self.check_lengths()
            self.check_gauges()
            self.check_sources()
            self.check_orphans()
            self.check_caspian()
            self.check_warnings()
        # what checks 1-9 made from the tables is three quarters of a gigabyte at a million
        # links, and the extra checks (check 10 builds routing graphs) do not read it
        self.let_go()
        give_back_memory()
        for check in extra:
            check(self)
