"""Check a geodata folder and report every problem with its file and line.

:func:`validate` runs every check below on a geodata folder and collects all the problems it
finds (it never stops at the first one). Each problem names the file, the line (the CSV header
is line 1; YAML and GeoJSON lines are those of the item) and says what is wrong and what would
be right.

Checks, in the order they run (the ``by_check`` key in brackets):

1. ``schema`` / ``values`` — the columns and types of every table (what
   :func:`corridors.io.read_geodata` reports), enum values (mode, status, node kind, friction
   kind, direction ``forward``/``both``, profile ids or ``*``, rail gauge 1435/1520/1676 and no
   gauge on other modes), id format ``{iso2}-{slug}``; plausible years (1850–2100),
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
7. ``sources`` — every row of the tables in :data:`corridors._schema.PROVENANCE` names a
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

import difflib
import itertools
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corridors._errors import CorridorsError
from corridors._schema import (
    FRICTION_KINDS,
    GAUGES,
    MODES,
    NODE_KINDS,
    PROVENANCE,
    STATUSES,
    TABLES,
    WATER_MODES,
)
from corridors.io import Geodata, Problem, read_geodata, records

#: Study region, in degrees: the corridor countries plus the far ends of the sea legs.
REGION_LON = (-20.0, 145.0)
REGION_LAT = (-10.0, 70.0)
#: A sea or ferry link end inside this box is a Caspian port (no other sea is in the box).
CASPIAN_LON = (46.0, 56.0)
CASPIAN_LAT = (36.0, 48.0)
#: How far (km) a node may lie outside its country's polygon; ports may lie further out.
BORDER_TOLERANCE_KM = 5.0
PORT_TOLERANCE_KM = 15.0
#: Link length bounds relative to the geodesic distance between its ends.
MIN_LENGTH_RATIO = 0.99
MAX_LAND_RATIO = 2.5
SHORT_LINK_SLACK_KM = 5.0
#: How far (km) a link geometry's end may lie from the link's end node.
GEOMETRY_END_KM = 25.0
YEARS = (1850, 2100)
SOURCE_KINDS = ("report", "news", "official", "dataset", "seed", "estimate")
#: Source kinds that need no URL.
URL_OPTIONAL_KINDS = ("estimate", "seed", "dataset")
LENGTH_METHODS = ("published", "geodesic_factor", "osm_route", "searoute")
DIRECTIONS = ("forward", "both")

CHECKS = (
    "schema",
    "values",
    "ids",
    "references",
    "defaults",
    "countries",
    "geometry",
    "lengths",
    "gauges",
    "sources",
    "orphans",
    "caspian",
    "routing",
)
#: Problems of these checks make the network unsafe to build, so routing is not tried.
STRUCTURAL = ("schema", "ids", "references", "defaults")

_ID = re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_SUMMARY_TABLES = ("nodes", "links", "frictions", "corridors", "sources")


@dataclass
class ValidationReport:
    """What :func:`validate` found in a geodata folder.

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
        held = ", ".join(f"{self.counts.get(k, 0)} {k}" for k in _SUMMARY_TABLES)
        found = _plural(len(self.problems), "problem") if self.problems else "no problems"
        if self.warnings:
            found += f", {_plural(len(self.warnings), 'warning')}"
        return f"{held}: {found}"

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        lines += [f"warning: {w}" for w in self.warnings]
        lines.append(self.summary())
        return "\n".join(lines)


def validate(geodata: str | os.PathLike[str] | None = None) -> ValidationReport:
    """Check a geodata folder and report every problem with its file and line.

    Parameters
    ----------
    geodata
        The folder to check; by default the shipped one, or ``CORRIDORS_GEODATA``.

    Returns
    -------
    report
        Every problem found (``report.ok`` is True when there are none), warnings, and the
        row count of each table.

    Raises
    ------
    GeodataError
        If the folder is not a geodata folder at all (no ``nodes.csv`` and ``links.csv``).

    See Also
    --------
    corridors.io.read_geodata : Reads the folder; strict by default.

    Examples
    --------
    >>> report = validate("geodata")  # doctest: +SKIP
    >>> print(report.summary())  # doctest: +SKIP
    312 nodes, 401 links, 120 frictions, 14 corridors, 60 sources: no problems
    """
    data = read_geodata(geodata, strict=False)
    checker = _Validator(data)
    checker.run()
    problems = sorted({p for found in checker.found.values() for p in found})
    by_check = {name: len(set(found)) for name, found in checker.found.items() if found}
    counts = {name: len(data.tables[name]) for name in TABLES}
    counts["corridors"] = len(data.corridors)
    counts["sources"] = len(data.sources)
    counts["seeds"] = len(data.seeds)
    return ValidationReport(data.folder, problems, checker.warnings, counts, by_check)


def estimation_methods(folder: Path) -> dict[str, str]:
    """Return the estimation methods a geodata folder's README documents.

    Parameters
    ----------
    folder
        A geodata folder.

    Returns
    -------
    methods
        Method name (as written in the table, e.g. ``geodesic_factor:F``) to its
        description, from the ``## Estimation methods`` table of ``README.md``; empty when
        the folder has no such README section.
    """
    path = folder / "README.md"
    if not path.is_file():
        return {}
    methods: dict[str, str] = {}
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            inside = line[3:].strip().lower() == "estimation methods"
            continue
        if not inside or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= {"-", ":", " "} or cells[0] == "method":
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]) or [cells[0]]:
            methods[name] = " | ".join(cells[1:])
    return methods


def method_known(method: str, methods: dict[str, str]) -> bool:
    """Return True if ``method`` is ``published`` or one of ``methods``.

    A method documented with a parameter (``name:F``) matches any value of it
    (``name:1.3``).
    """
    if method == "published":
        return True  # a published value: its source_id says where from
    base = method.split(":", 1)[0]
    return any(method == m or (":" in m and base == m.split(":", 1)[0]) for m in methods)


# ---------------------------------------------------------------------------------------
# small helpers


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    return None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _fmt(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.6g}"


def _like(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _choices(options: Iterable[Any]) -> str:
    return ", ".join(str(o) for o in options)


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    from pyproj import Geod

    _, _, metres = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0


def _in_box(lon: float, lat: float, lons: tuple[float, float], lats: tuple[float, float]) -> bool:
    return lons[0] <= lon <= lons[1] and lats[0] <= lat <= lats[1]


def _yaml_items(path: Path, key: str) -> list[tuple[dict[str, Any], int]]:
    """Return a YAML file's list items (top level, or under ``key``) with their lines."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []  # read_geodata reports it
    if isinstance(data, dict) and isinstance(root, yaml.MappingNode):
        data = data.get(key)
        root = next((v for k, v in root.value if getattr(k, "value", None) == key), None)
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        return []
    out = []
    for item, node in zip(data, root.value):
        out.append((item if isinstance(item, dict) else {}, node.start_mark.line + 1))
    return out


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return 0 if index < 0 else text.count("\n", 0, index) + 1


def _is_wgs84(name: str) -> bool:
    key = name.strip().upper()
    return key.endswith(("CRS84", ":4326", "::4326")) or key in ("EPSG:4326", "WGS84", "WGS 84")


def _iso2(properties: dict[str, Any]) -> str:
    for key in ("iso2", "ISO2", "iso_a2", "ISO_A2", "ISO_A2_EH"):
        value = str(properties.get(key) or "").strip().upper()
        if _ISO2.match(value):
            return value
    return ""


def _coordinates(geometry: Any) -> Iterable[list[float]]:
    """Yield every position of a GeoJSON geometry."""
    if not isinstance(geometry, dict):
        return
    coords = geometry.get("coordinates")
    stack = [coords]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and all(isinstance(x, int | float) for x in item):
            yield item
        elif isinstance(item, list):
            stack.extend(item)
    for part in geometry.get("geometries") or []:
        yield from _coordinates(part)


class _Countries:
    """Country polygons from countries.geojson, keyed by ISO2."""

    def __init__(self, features: list[dict[str, Any]]) -> None:
        from shapely.geometry import shape
        from shapely.ops import unary_union
        from shapely.prepared import prep

        parts: dict[str, list[Any]] = {}
        for feature in features:
            iso = _iso2(feature.get("properties") or {})
            geom = feature.get("geometry")
            if iso and geom:
                parts.setdefault(iso, []).append(shape(geom))
        self.geoms = {iso: unary_union(g) for iso, g in parts.items()}
        self.prepared = {iso: prep(g) for iso, g in self.geoms.items()}
        bounds = [g.bounds for g in self.geoms.values()] or [(0.0, 0.0, 0.0, 0.0)]
        self.bounds: tuple[float, float, float, float] = (
            float(min(b[0] for b in bounds)),
            float(min(b[1] for b in bounds)),
            float(max(b[2] for b in bounds)),
            float(max(b[3] for b in bounds)),
        )

    def covers(self, lon: float, lat: float) -> bool:
        """Return True if the point is inside the bounding box of all the polygons (+ 0.2°)."""
        x0, y0, x1, y1 = self.bounds
        return x0 - 0.2 <= lon <= x1 + 0.2 and y0 - 0.2 <= lat <= y1 + 0.2

    def outside_km(self, iso: str, lon: float, lat: float) -> float:
        """Geodesic km from the point to the country's polygon (0 inside)."""
        from shapely.geometry import Point
        from shapely.ops import nearest_points

        point = Point(lon, lat)
        if self.prepared[iso].contains(point):
            return 0.0
        near = nearest_points(self.geoms[iso], point)[0]
        return _km(lon, lat, float(near.x), float(near.y))

    def containing(self, lon: float, lat: float) -> str:
        """ISO2 of the country the point is in, or empty."""
        from shapely.geometry import Point

        point = Point(lon, lat)
        return next((iso for iso, p in self.prepared.items() if p.contains(point)), "")


# ---------------------------------------------------------------------------------------
# the checks


def structural_problems(data: Geodata) -> list[Problem]:
    """Return the problems that make a network unsafe to build, without the slow checks.

    Runs the schema, value, id, reference and default-row checks of :func:`validate`
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
    checker = _Validator(data)
    checker.found["schema"].extend(
        p for p in data.problems if not p.message.startswith("duplicate source id")
    )
    checker.check_nodes()
    checker.check_links()
    checker.check_frictions()
    checker.check_small_tables()
    checker.check_corridor_entries()
    checker.check_ids()
    checker.check_references()
    checker.check_defaults()
    return sorted({p for found in checker.found.values() for p in found})


class _Validator:
    def __init__(self, data: Geodata) -> None:
        self.data = data
        self.found: dict[str, list[Problem]] = {name: [] for name in CHECKS}
        self.warnings: list[str] = []
        self.rows = {name: records(frame) for name, frame in data.tables.items()}
        self.nodes: dict[str, dict[str, Any]] = {}
        for row in self.rows["nodes"]:
            if _text(row["id"]):
                self.nodes.setdefault(_text(row["id"]), row)
        self.links: dict[str, dict[str, Any]] = {}
        for row in self.rows["links"]:
            if _text(row["id"]):
                self.links.setdefault(_text(row["id"]), row)
        self.profiles = [_text(r["id"]) for r in self.rows["profiles"] if _text(r["id"])]
        self.corridors = _yaml_items(data.folder / "corridors.yaml", "corridors")
        if len(self.corridors) != len(data.corridors):
            self.corridors = [(c if isinstance(c, dict) else {}, 0) for c in data.corridors]
        self.sources = _yaml_items(data.folder / "sources.yaml", "sources")
        self.countries: _Countries | None = None
        self.methods = estimation_methods(data.folder)

    # -- plumbing

    def add(self, check: str, file: str, row: int, message: str) -> None:
        self.found[check].append(Problem(file, int(row), message))

    def warn(self, file: str, row: int, message: str) -> None:
        where = f"{file}:{row}" if row else file
        self.warnings.append(f"{where}: {message}")

    def coords(self, node: str) -> tuple[float, float] | None:
        row = self.nodes.get(node)
        if row is None:
            return None
        lon, lat = _num(row["lon"]), _num(row["lat"])
        if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return None
        return lon, lat

    def run(self) -> None:
        self.found["schema"].extend(
            p for p in self.data.problems if not p.message.startswith("duplicate source id")
        )
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
        self.check_routing()

    # -- 1. schema and values

    def check_enum(
        self, file: str, row: dict[str, Any], column: str, allowed: Iterable[str], blank: bool
    ) -> None:
        value = _text(row.get(column))
        options = tuple(allowed)
        if (value == "" and blank) or value in options:
            return
        shown = "empty" if value == "" else repr(value)
        self.add(
            "schema",
            file,
            row["_line"],
            f"`{column}` is {shown}; expected one of: {_choices(options)}"
            + ("" if not blank else " (or empty)"),
        )

    def check_range(
        self,
        file: str,
        row: dict[str, Any],
        column: str,
        *,
        positive: bool = False,
        unit: str = "",
    ) -> None:
        value = _num(row.get(column))
        if value is None:
            return
        bad = value <= 0 if positive else value < 0
        if bad:
            need = "a positive number" if positive else "zero or a positive number"
            self.add(
                "values",
                file,
                row["_line"],
                f"{column} {_fmt(value)} is not valid; it must be {need}{unit}",
            )

    def check_low_high(self, file: str, row: dict[str, Any], column: str) -> None:
        value = _num(row.get(column))
        low, high = _num(row.get(f"{column}_low")), _num(row.get(f"{column}_high"))
        for name, bound in ((f"{column}_low", low), (f"{column}_high", high)):
            if bound is not None and bound < 0:
                self.add("values", file, row["_line"], f"{name} {_fmt(bound)} must not be negative")
        order = [
            (n, v) for n, v in ((f"{column}_low", low), (column, value), (f"{column}_high", high))
        ]
        given = [(n, v) for n, v in order if v is not None]
        for (n1, v1), (n2, v2) in itertools.pairwise(given):
            if v1 > v2:
                self.add(
                    "values",
                    file,
                    row["_line"],
                    f"{n1} {_fmt(v1)} is greater than {n2} {_fmt(v2)}; a range must satisfy "
                    f"{column}_low ≤ {column} ≤ {column}_high",
                )

    def load_countries(self) -> None:
        path = self.data.folder / "countries.geojson"
        file = "countries.geojson"
        if not path.is_file():
            self.add(
                "countries",
                file,
                0,
                "file is missing; it must hold the Natural Earth admin-0 polygon of every "
                "country that has nodes (property `iso2`), in WGS 84",
            )
            return
        doc = self.read_geojson(path, file)
        if doc is None:
            return
        features = [f for f in doc.get("features") or [] if isinstance(f, dict)]
        if not features:
            self.add("countries", file, 0, "holds no features; expected country polygons")
            return
        try:
            self.countries = _Countries(features)
        except (ValueError, TypeError, AttributeError) as err:
            self.add("countries", file, 0, f"polygons cannot be read ({err})")

    def read_geojson(self, path: Path, file: str) -> dict[str, Any] | None:
        """Read a GeoJSON file and check that it is WGS 84; None if unusable."""
        text = path.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            self.add("schema", file, err.lineno, f"invalid JSON: {err.msg}")
            return None
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            self.add("schema", file, 1, "expected a GeoJSON FeatureCollection")
            return None
        crs = doc.get("crs")
        if crs is not None:
            name = ""
            if isinstance(crs, dict):
                name = str((crs.get("properties") or {}).get("name") or "")
            if not _is_wgs84(name):
                self.add(
                    "countries",
                    file,
                    _line_of(text, '"crs"'),
                    f"wrong CRS {name or crs!r}: coordinates must be WGS 84 longitude/latitude "
                    "(urn:ogc:def:crs:OGC:1.3:CRS84 or EPSG:4326, or no `crs` member); "
                    "reproject the file to EPSG:4326",
                )
                return None
        for feature in doc.get("features") or []:
            for position in _coordinates((feature or {}).get("geometry")):
                x, y = position[0], position[1]
                if not (-180 <= x <= 180 and -90 <= y <= 90):
                    self.add(
                        "countries",
                        file,
                        _line_of(text, '"features"'),
                        f"wrong CRS: coordinate ({_fmt(x)}, {_fmt(y)}) is not longitude/"
                        "latitude in degrees; reproject the file to WGS 84 (EPSG:4326)",
                    )
                    return None
        return doc

    def swap_hint(self, row: dict[str, Any], lon: float, lat: float) -> str:
        country = _text(row["country"])
        if self.countries is None or country not in self.countries.geoms:
            return ""
        if not (-180 <= lat <= 180 and -90 <= lon <= 90):
            return ""
        tolerance = PORT_TOLERANCE_KM if _text(row["kind"]) == "port" else BORDER_TOLERANCE_KM
        if self.countries.outside_km(country, lat, lon) <= tolerance:
            return (
                f"; lon and lat look swapped: lon {_fmt(lat)}, lat {_fmt(lon)} lies in "
                f"{country}, so swap the two columns"
            )
        return ""

    def check_nodes(self) -> None:
        file = "nodes.csv"
        for row in self.rows["nodes"]:
            line = row["_line"]
            node, country = _text(row["id"]), _text(row["country"])
            self.check_enum(file, row, "kind", NODE_KINDS, blank=False)
            if country and not _ISO2.match(country):
                self.add(
                    "schema",
                    file,
                    line,
                    f"country {country!r} is not an ISO 3166-1 alpha-2 code in capitals (e.g. KZ)",
                )
            if node and not _ID.match(node):
                self.add(
                    "schema",
                    file,
                    line,
                    f"id {node!r} must be `{{iso2}}-{{slug}}` in lower-case ASCII letters, "
                    "digits and hyphens (e.g. kz-dostyk)",
                )
            elif node and _ISO2.match(country) and node[:2] != country.lower():
                self.add(
                    "schema",
                    file,
                    line,
                    f"id {node!r} starts with {node[:3]!r} but country is {country}; a node id "
                    f"starts with its country code ({country.lower()}-...)",
                )
            lon, lat = _num(row["lon"]), _num(row["lat"])
            if lon is None or lat is None:
                continue
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.add(
                    "values",
                    file,
                    line,
                    f"lon {_fmt(lon)}, lat {_fmt(lat)} are not WGS 84 degrees (lon −180…180, "
                    f"lat −90…90){self.swap_hint(row, lon, lat)}",
                )
            elif not (_in_box(lon, lat, REGION_LON, REGION_LAT)):
                self.add(
                    "values",
                    file,
                    line,
                    f"lon {_fmt(lon)}, lat {_fmt(lat)} is outside the study region (lon −20…145 "
                    "E, lat −10…70 N, which includes the far ends of the sea legs)"
                    + self.swap_hint(row, lon, lat),
                )

    def check_links(self) -> None:
        file = "links.csv"
        for row in self.rows["links"]:
            line = row["_line"]
            mode = _text(row["mode"])
            self.check_enum(file, row, "mode", MODES, blank=False)
            self.check_enum(file, row, "status", STATUSES, blank=False)
            gauge = _num(row["gauge_mm"])
            if gauge is not None and mode != "rail" and mode in MODES:
                self.add(
                    "schema",
                    file,
                    line,
                    f"gauge_mm {_fmt(gauge)} is set on a {mode} link; leave gauge_mm empty "
                    "for modes other than rail",
                )
            elif gauge is not None and mode == "rail" and int(gauge) not in GAUGES:
                self.add(
                    "schema",
                    file,
                    line,
                    f"gauge_mm {_fmt(gauge)} is not a gauge of the region; expected one of: "
                    f"{_choices(GAUGES)}",
                )
            self.check_length_method(file, row, mode)
            u, v = _text(row["u"]), _text(row["v"])
            if u and u == v:
                self.add(
                    "schema",
                    file,
                    line,
                    f"u and v are both {u!r}; a link joins two different nodes",
                )
            year = _num(row["open_year"])
            if year is not None and not YEARS[0] <= year <= YEARS[1]:
                self.add(
                    "values",
                    file,
                    line,
                    f"open_year {_fmt(year)} is not a plausible year ({YEARS[0]}–{YEARS[1]})",
                )
            self.check_range(file, row, "length_km", positive=True, unit=" of km")
            self.check_low_high(file, row, "length_km")
            self.check_range(file, row, "speed_kph", positive=True, unit=" of km/h")
            self.check_range(file, row, "sailing_h", positive=True, unit=" of hours")
            self.check_range(file, row, "headway_h", positive=True, unit=" of hours")
            self.check_range(file, row, "capacity")

    def check_length_method(self, file: str, row: dict[str, Any], mode: str) -> None:
        method = _text(row["length_method"])
        if not method:
            return  # read_geodata reports the empty required cell
        base, _, arg = method.partition(":")
        line = row["_line"]
        if base not in LENGTH_METHODS or (base != "geodesic_factor" and arg):
            if method_known(method, self.methods):
                return  # another method the folder's README documents
            self.add(
                "schema",
                file,
                line,
                f"length_method {method!r} is not one of: published, geodesic_factor:F "
                "(e.g. geodesic_factor:1.25), osm_route, searoute (or a method described in "
                "README.md 'Estimation methods')",
            )
        elif base == "geodesic_factor":
            try:
                factor = float(arg)
            except ValueError:
                factor = math.nan
            if not factor >= 1.0:
                self.add(
                    "schema",
                    file,
                    line,
                    f"length_method {method!r} needs a factor of at least 1 after the colon "
                    "(e.g. geodesic_factor:1.25)",
                )
        elif base == "osm_route" and mode in MODES and mode != "rail":
            self.add(
                "schema",
                file,
                line,
                f"length_method osm_route is for rail links, not {mode}; use published or "
                "geodesic_factor:F",
            )
        elif base == "searoute" and mode in MODES and mode not in WATER_MODES:
            self.add(
                "schema",
                file,
                line,
                f"length_method searoute is for sea and ferry links, not {mode}; use published "
                "or geodesic_factor:F",
            )

    def check_frictions(self) -> None:
        file = "frictions.csv"
        any_mode = ("*", *MODES)
        profiles = ("*", *self.profiles)
        for row in self.rows["frictions"]:
            line = row["_line"]
            kind = _text(row["kind"])
            self.check_enum(file, row, "kind", FRICTION_KINDS, blank=False)
            self.check_enum(file, row, "direction", DIRECTIONS, blank=True)
            self.check_enum(file, row, "mode", any_mode, blank=True)
            self.check_enum(file, row, "to_mode", any_mode, blank=True)
            self.check_enum(file, row, "profile", profiles, blank=True)
            node = _text(row["node"])
            if kind == "border" and node != "*" and not _text(row["to_node"]):
                self.add(
                    "schema",
                    file,
                    line,
                    "a border friction at a node needs `to_node`, the node on the other side "
                    "of the border",
                )
            mode = _text(row["mode"])
            if kind == "port" and mode not in ("", "*", *WATER_MODES):
                self.add(
                    "schema",
                    file,
                    line,
                    f"a port friction's mode is {mode!r}; port rows apply to sea or ferry (or `*`)",
                )
            for column in ("time_h", "fee_usd"):
                self.check_range(file, row, column)
                self.check_low_high(file, row, column)

    def check_small_tables(self) -> None:
        profiles = ("*", *self.profiles)
        for row in self.rows["rates"]:
            self.check_enum("rates.csv", row, "mode", MODES, blank=False)
            self.check_enum("rates.csv", row, "profile", profiles, blank=False)
            self.check_country("rates.csv", row)
            for column in ("usd_per_unit_km", "usd_per_unit"):
                self.check_range("rates.csv", row, column)
            if _num(row["usd_per_unit_km"]) is None and _num(row["usd_per_unit"]) is None:
                self.add(
                    "values",
                    "rates.csv",
                    row["_line"],
                    "neither usd_per_unit_km nor usd_per_unit is given; a rate needs one or both",
                )
        for row in self.rows["speeds"]:
            self.check_enum("speeds.csv", row, "mode", MODES, blank=False)
            self.check_country("speeds.csv", row)
            self.check_range("speeds.csv", row, "kph", positive=True, unit=" of km/h")
        for row in self.rows["emissions"]:
            self.check_enum("emissions.csv", row, "mode", MODES, blank=False)
            self.check_range("emissions.csv", row, "kg_co2_per_tkm")
        for row in self.rows["profiles"]:
            for mode in _ids(row["modes"]):
                if mode not in MODES:
                    self.add(
                        "schema",
                        "profiles.csv",
                        row["_line"],
                        f"modes lists {mode!r}; expected modes from: {_choices(MODES)}",
                    )
            self.check_range("profiles.csv", row, "tonnes_per_unit", positive=True)
            self.check_range("profiles.csv", row, "value_of_time_usd_per_h")
        for row in self.rows["sections"]:
            self.check_enum("sections.csv", row, "mode", MODES, blank=False)
            self.check_range("sections.csv", row, "published_km", positive=True, unit=" of km")
            self.check_low_high("sections.csv", row, "published_km")

    def check_country(self, file: str, row: dict[str, Any]) -> None:
        country = _text(row["country"])
        if country and country != "*" and not _ISO2.match(country):
            self.add(
                "schema",
                file,
                row["_line"],
                f"country {country!r} is neither `*` nor an ISO 3166-1 alpha-2 code (e.g. KZ)",
            )

    def check_corridor_entries(self) -> None:
        file = "corridors.yaml"
        for item, line in self.corridors:
            cid = item.get("id")
            if not cid or not isinstance(cid, str):
                self.add("schema", file, line, "corridor without an `id`; give it a short id")
            if not item.get("name"):
                self.add("schema", file, line, f"corridor {cid!r} has no `name`")
            points = item.get("waypoints")
            if not isinstance(points, list) or len(points) < 2:
                self.add(
                    "schema",
                    file,
                    line,
                    f"corridor {cid!r}: `waypoints` must be a list of at least two node ids",
                )
            for key, allowed in (("modes", MODES), ("include", STATUSES)):
                values = item.get(key) or []
                if not isinstance(values, list):
                    values = [values]
                for value in values:
                    if value not in allowed:
                        self.add(
                            "schema",
                            file,
                            line,
                            f"corridor {cid!r}: `{key}` lists {value!r}; expected values "
                            f"from: {_choices(allowed)}",
                        )

    # -- 2. unique ids

    def check_ids(self) -> None:
        for name, columns in TABLES.items():
            key = "mode" if name == "emissions" else "id"
            if key not in {c.name for c in columns}:
                continue
            seen: dict[str, int] = {}
            for row in self.rows[name]:
                value = _text(row[key])
                if not value:
                    continue
                if value in seen:
                    self.add(
                        "ids",
                        f"{name}.csv",
                        row["_line"],
                        f"duplicate {key} {value!r} (first on line {seen[value]}); "
                        f"every {key} in {name}.csv must be unique",
                    )
                else:
                    seen[value] = row["_line"]
        for file, items in (("corridors.yaml", self.corridors), ("sources.yaml", self.sources)):
            first: dict[str, int] = {}
            for item, line in items:
                value = str(item.get("id") or "")
                if not value:
                    continue
                if value in first:
                    self.add(
                        "ids",
                        file,
                        line,
                        f"duplicate id {value!r} (first on line {first[value]}); ids must be "
                        "unique",
                    )
                else:
                    first[value] = line

    # -- 3. references and defaults

    def ref(self, file: str, line: int, column: str, node: str) -> None:
        if node and node not in self.nodes:
            self.add(
                "references",
                file,
                line,
                f"{column} {node!r} is not a node id in nodes.csv{_like(node, self.nodes)}",
            )

    def check_references(self) -> None:
        for row in self.rows["links"]:
            for column in ("u", "v"):
                self.ref("links.csv", row["_line"], column, _text(row[column]))
        for row in self.rows["frictions"]:
            node = _text(row["node"])
            if node != "*":
                self.ref("frictions.csv", row["_line"], "node", node)
            to_node = _text(row["to_node"])
            if to_node != "*":
                self.ref("frictions.csv", row["_line"], "to_node", to_node)
        for row in self.rows["rates"]:
            link = _text(row["link"])
            if link and link not in self.links:
                self.add(
                    "references",
                    "rates.csv",
                    row["_line"],
                    f"link {link!r} is not a link id in links.csv{_like(link, self.links)}",
                )
        for row in self.rows["sections"]:
            self.ref("sections.csv", row["_line"], "from", _text(row["from"]))
            self.ref("sections.csv", row["_line"], "to", _text(row["to"]))
            for node in _ids(row["via"]):
                self.ref("sections.csv", row["_line"], "via", node)
        for item, line in self.corridors:
            for point in item.get("waypoints") or []:
                # a waypoint may list alternatives (e.g. [kz-aktau-port, kz-kuryk])
                for node in point if isinstance(point, list) else [point]:
                    self.ref("corridors.yaml", line, f"corridor {item.get('id')!r}: waypoint", node)
        countries = {_text(r["country"]) for r in self.nodes.values()}
        for name in ("rates", "speeds"):
            for row in self.rows[name]:
                country = _text(row["country"])
                if country and country != "*" and country not in countries:
                    self.warn(
                        f"{name}.csv",
                        row["_line"],
                        f"country {country} has no nodes, so this row never applies",
                    )

    def check_defaults(self) -> None:
        links = [r for r in self.links.values() if _text(r["mode"]) in MODES]
        used = sorted({_text(r["mode"]) for r in links})
        speeds = {(_text(r["mode"]), _text(r["country"]) or "*") for r in self.rows["speeds"]}
        for mode in used:
            needy = [
                r["id"]
                for r in links
                if r["mode"] == mode
                and _num(r["speed_kph"]) is None
                and not (mode in WATER_MODES and _num(r["sailing_h"]) is not None)
                and (mode, self.country_of(_text(r["u"]))) not in speeds
            ]
            if needy and (mode, "*") not in speeds:
                self.add(
                    "defaults",
                    "speeds.csv",
                    0,
                    f"no default speed for {mode} (a row with country `*`), which "
                    f"{_plural(len(needy), 'link')} need (e.g. {needy[0]}); add one",
                )
        emissions = {_text(r["mode"]) for r in self.rows["emissions"]}
        for mode in used:
            if mode not in emissions:
                self.add(
                    "defaults",
                    "emissions.csv",
                    0,
                    f"no emission factor for mode {mode!r}, which links use; add a row",
                )
        for profile in self.rows["profiles"]:
            self.check_rates(profile, links)
        self.check_default_frictions(used)

    def country_of(self, node: str) -> str:
        row = self.nodes.get(node)
        return _text(row["country"]) if row else ""

    def check_rates(self, profile: dict[str, Any], links: list[dict[str, Any]]) -> None:
        pid = _text(profile["id"])
        rates = [
            r for r in self.rows["rates"] if (_text(r["profile"]) or "*") in ("*", pid.lower())
        ]
        keys = {(_text(r["mode"]), _text(r["link"]), _text(r["country"]) or "*") for r in rates}
        missing: dict[str, list[str]] = {}
        for row in links:
            mode = _text(row["mode"])
            if mode not in _ids(profile["modes"]):
                continue
            country = self.country_of(_text(row["u"]))
            lid = _text(row["id"])
            if not any(
                (mode, link, scope) in keys
                for link, scope in ((lid, "*"), (lid, country), ("", country), ("", "*"))
            ):
                missing.setdefault(mode, []).append(lid)
        for mode, ids in sorted(missing.items()):
            self.add(
                "defaults",
                "rates.csv",
                0,
                f"no {mode} rate for profile {pid!r} applies to {_plural(len(ids), 'link')} "
                f"(e.g. {ids[0]}); add a row with mode {mode}, country `*` and profile "
                f"{pid} or `*`",
            )

    def check_default_frictions(self, used: list[str]) -> None:
        defaults = {_text(r["kind"]) for r in self.rows["frictions"] if _text(r["node"]) == "*"}
        gauges = {
            _num(r["gauge_mm"]) for r in self.links.values() if _text(r["mode"]) == "rail"
        } - {None}
        needs = {
            "port": any(m in WATER_MODES for m in used),
            "transfer": len([m for m in used if m not in WATER_MODES]) > 1,
            "gauge_break": len(gauges) > 1,
        }
        for kind, needed in needs.items():
            if needed and kind not in defaults:
                self.add(
                    "defaults",
                    "frictions.csv",
                    0,
                    f"no default {kind} row (node `*`); the routing graph needs one for every "
                    f"place without its own {kind} row",
                )

    # -- 4. countries

    def check_node_countries(self) -> None:
        if self.countries is None:
            return
        file = "nodes.csv"
        for row in self.rows["nodes"]:
            node, country = _text(row["id"]), _text(row["country"])
            lon, lat = _num(row["lon"]), _num(row["lat"])
            if lon is None or lat is None or not _in_box(lon, lat, REGION_LON, REGION_LAT):
                continue  # reported by check_nodes
            if not _ISO2.match(country):
                continue
            if country not in self.countries.geoms:
                self.add(
                    "countries",
                    file,
                    row["_line"],
                    f"{node}: country {country} has no polygon in countries.geojson; add the "
                    f"Natural Earth polygon of {country} (property `iso2`)",
                )
                continue
            port = _text(row["kind"]) == "port"
            tolerance = PORT_TOLERANCE_KM if port else BORDER_TOLERANCE_KM
            off = self.countries.outside_km(country, lon, lat)
            if off <= tolerance:
                continue
            if not self.countries.covers(lon, lat) and not self.swap_hint(row, lon, lat):
                x0, y0, x1, y1 = (round(b, 1) for b in self.countries.bounds)
                self.add(
                    "countries",
                    file,
                    row["_line"],
                    f"{node} (lon {_fmt(lon)}, lat {_fmt(lat)}) lies outside the area "
                    f"countries.geojson covers (lon {_fmt(x0)}…{_fmt(x1)}, lat {_fmt(y0)}…"
                    f"{_fmt(y1)}); countries.geojson must cover every node: add {country}'s "
                    "polygon without clipping it",
                )
                continue
            inside = self.countries.containing(lon, lat)
            where = f", inside {inside}" if inside else ""
            self.add(
                "countries",
                file,
                row["_line"],
                f"{node} (lon {_fmt(lon)}, lat {_fmt(lat)}) is {off:.1f} km outside {country}"
                f"{where}; a node must lie within {_fmt(tolerance)} km of its country's polygon "
                f"({'ports' if port else 'non-port nodes'}; {_fmt(PORT_TOLERANCE_KM)} km for "
                f"ports, {_fmt(BORDER_TOLERANCE_KM)} km otherwise) — check the coordinates "
                f"and `country`" + self.swap_hint(row, lon, lat),
            )

    def check_geometry(self) -> None:
        path = self.data.folder / "geometry" / "links.geojson"
        file = "geometry/links.geojson"
        if not path.is_file():
            return
        doc = self.read_geojson(path, file)
        if doc is None:
            return
        text = path.read_text(encoding="utf-8")
        for feature in doc.get("features") or []:
            props = (feature or {}).get("properties") or {}
            lid = str(props.get("id") or "")
            line = _line_of(text, f'"{lid}"') if lid else 0
            if not lid:
                self.add("geometry", file, line, "feature without `id`; give it its link id")
                continue
            if lid not in self.links:
                self.add(
                    "geometry",
                    file,
                    line,
                    f"feature {lid!r} is not a link id in links.csv{_like(lid, self.links)}",
                )
                continue
            geom = (feature or {}).get("geometry") or {}
            coords = geom.get("coordinates") if isinstance(geom, dict) else None
            if geom.get("type") != "LineString" or not isinstance(coords, list) or len(coords) < 2:
                self.add(
                    "schema",
                    file,
                    line,
                    f"feature {lid!r}: geometry must be a LineString of at least two positions",
                )
                continue
            self.check_geometry_ends(file, line, lid, coords)

    def check_geometry_ends(self, file: str, line: int, lid: str, coords: list[Any]) -> None:
        link = self.links[lid]
        a, b = self.coords(_text(link["u"])), self.coords(_text(link["v"]))
        if a is None or b is None:
            return
        first, last = coords[0], coords[-1]
        ahead = max(_km(*a, first[0], first[1]), _km(*b, last[0], last[1]))
        if ahead <= GEOMETRY_END_KM:
            return
        behind = max(_km(*a, last[0], last[1]), _km(*b, first[0], first[1]))
        if behind <= GEOMETRY_END_KM:
            self.add(
                "geometry",
                file,
                line,
                f"feature {lid!r} runs from v to u; reverse its coordinates so it starts at "
                f"{link['u']}",
            )
        else:
            self.add(
                "geometry",
                file,
                line,
                f"feature {lid!r} ends {ahead:.0f} km from its link's nodes; its ends must lie "
                f"within {_fmt(GEOMETRY_END_KM)} km of u ({link['u']}) and v ({link['v']})",
            )

    # -- 5. lengths

    def check_lengths(self) -> None:
        for row in self.rows["links"]:
            mode = _text(row["mode"])
            length = _num(row["length_km"])
            a, b = self.coords(_text(row["u"])), self.coords(_text(row["v"]))
            if mode not in MODES or length is None or length <= 0 or a is None or b is None:
                continue
            geo = _km(*a, *b)
            ends = f"{row['u']} and {row['v']}"
            if length < geo * MIN_LENGTH_RATIO:
                self.add(
                    "lengths",
                    "links.csv",
                    row["_line"],
                    f"length_km {_fmt(length)} is shorter than the {geo:.1f} km geodesic "
                    f"distance between {ends}; lengths must be ≥ the straight-line distance "
                    "(check the length and the two nodes' coordinates)",
                )
            elif mode in ("rail", "road") and length > MAX_LAND_RATIO * geo + SHORT_LINK_SLACK_KM:
                limit = MAX_LAND_RATIO * geo + SHORT_LINK_SLACK_KM
                self.add(
                    "lengths",
                    "links.csv",
                    row["_line"],
                    f"length_km {_fmt(length)} is more than {_fmt(MAX_LAND_RATIO)} × the "
                    f"{geo:.1f} km geodesic distance between {ends} (+ {_fmt(SHORT_LINK_SLACK_KM)}"
                    f" km = {limit:.1f} km); a {mode} link that long should be split at the "
                    "places it passes, or its length or a node is wrong",
                )
            method = _text(row["length_method"])
            if method.startswith("geodesic_factor:"):
                try:
                    factor = float(method.partition(":")[2])
                except ValueError:
                    continue
                expect = geo * factor
                if abs(length - expect) > max(1.0, 0.02 * expect):
                    self.add(
                        "lengths",
                        "links.csv",
                        row["_line"],
                        f"length_km {_fmt(length)} does not match its length_method {method} "
                        f"(geodesic {geo:.1f} km × {_fmt(factor)} = {expect:.1f} km); "
                        "recompute it or change length_method",
                    )

    # -- 6. gauges

    def check_gauges(self) -> None:
        meeting: dict[str, dict[int, list[str]]] = {}
        for row in self.rows["links"]:
            if _text(row["mode"]) != "rail":
                continue
            gauge = _num(row["gauge_mm"])
            if gauge is None:
                self.add(
                    "gauges",
                    "links.csv",
                    row["_line"],
                    f"rail link {row['id']} has no gauge_mm; set one of {_choices(GAUGES)}",
                )
                continue
            if _text(row["status"]) == "closed":
                continue
            for end in (_text(row["u"]), _text(row["v"])):
                meeting.setdefault(end, {}).setdefault(int(gauge), []).append(_text(row["id"]))
        breaks = {
            _text(r["node"]) for r in self.rows["frictions"] if _text(r["kind"]) == "gauge_break"
        }
        for node, by_gauge in sorted(meeting.items()):
            if len(by_gauge) < 2 or node in breaks or node not in self.nodes:
                continue
            detail = "; ".join(f"{g} mm: {', '.join(ids)}" for g, ids in sorted(by_gauge.items()))
            self.add(
                "gauges",
                "nodes.csv",
                self.nodes[node]["_line"],
                f"{node} joins rail gauges {' and '.join(str(g) for g in sorted(by_gauge))} "
                f"({detail}) but frictions.csv has no gauge_break row for {node}; add one "
                "with its bogie-exchange or transshipment time and fee (the `*` row is only "
                "a fallback)",
            )
        for row in self.rows["frictions"]:
            node = _text(row["node"])
            kind = _text(row["kind"])
            if kind == "gauge_break" and node in self.nodes and len(meeting.get(node, {})) < 2:
                self.warn(
                    "frictions.csv",
                    row["_line"],
                    f"gauge_break row {row['id']} is at {node}, where rail links of only "
                    "one gauge meet, so no route ever pays it",
                )

    # -- 7. sources

    def check_sources(self) -> None:
        known = self.data.source_ids()
        for name, columns in PROVENANCE.items():
            file = f"{name}.csv"
            key = "mode" if name == "emissions" else "id"
            for row in self.rows[name]:
                if not any(_ids(row.get(c)) or _text_cell(row.get(c)) for c in columns):
                    self.add(
                        "sources",
                        file,
                        row["_line"],
                        f"row {_text(row[key])!r} names no source: fill "
                        + " or ".join(f"`{c}`" for c in columns)
                        + " (a sources.yaml id, or a method from README.md "
                        "'Estimation methods')",
                    )
        self.check_cited(known)
        self.check_methods()
        for row in self.rows["links"]:
            if _text(row["length_method"]) == "published" and not _ids(row["length_source_id"]):
                self.add(
                    "sources",
                    "links.csv",
                    row["_line"],
                    f"length_method is published but length_source_id is empty; cite the "
                    f"source of the {_fmt(_num(row['length_km']) or 0)} km or use an "
                    "estimation method",
                )
        self.check_bibliography()

    def check_cited(self, known: set[str]) -> None:
        def check(file: str, line: int, column: str, ids: list[str]) -> None:
            for sid in ids:
                if sid not in known:
                    self.add(
                        "sources",
                        file,
                        line,
                        f"{column} {sid!r} is not in sources.yaml or seeds/; add it to "
                        f"sources.yaml or fix the id{_like(sid, known)}",
                    )

        for name, columns in TABLES.items():
            for column in columns:
                if column.name in ("source_id", "length_source_id"):
                    for row in self.rows[name]:
                        ids = _ids(row[column.name])
                        check(f"{name}.csv", row["_line"], column.name, ids)
        for item, line in self.corridors:
            cites = item.get("cites") or []
            check("corridors.yaml", line, "cites", [str(c) for c in _as_list(cites)])

    def check_methods(self) -> None:
        if not self.methods:
            return
        for name in ("frictions", "rates", "speeds", "emissions", "profiles"):
            for row in self.rows[name]:
                for method in _text(row.get("method")).split("|"):
                    method = method.strip()
                    if method and not method_known(method, self.methods):
                        self.add(
                            "sources",
                            f"{name}.csv",
                            row["_line"],
                            f"method {method!r} is not described in README.md 'Estimation "
                            f"methods'; use one of: {_choices(self.methods)} (or document it "
                            "there)",
                        )

    def check_bibliography(self) -> None:
        file = "sources.yaml"
        for item, line in self.sources:
            sid = item.get("id")
            if not sid:
                continue
            kind = str(item.get("kind") or "")
            if kind not in SOURCE_KINDS:
                self.add(
                    "sources",
                    file,
                    line,
                    f"source {sid!r}: kind {kind or 'empty'!r} is not one of: "
                    f"{_choices(SOURCE_KINDS)}",
                )
            if not str(item.get("title") or "").strip():
                self.add("sources", file, line, f"source {sid!r} has no title")
            if not str(item.get("licence") or "").strip():
                self.add(
                    "sources",
                    file,
                    line,
                    f"source {sid!r} has no licence; state it (e.g. 'CC BY 4.0', or "
                    "'© publisher; cited for facts')",
                )
            if not str(item.get("url") or "").strip() and kind not in URL_OPTIONAL_KINDS:
                self.add(
                    "sources",
                    file,
                    line,
                    f"source {sid!r} has no url; give the URL where it can be read (only kinds "
                    f"{_choices(URL_OPTIONAL_KINDS)} may go without one)",
                )

    # -- 8. orphans

    def check_orphans(self) -> None:
        ends = {_text(r[c]) for r in self.rows["links"] for c in ("u", "v")}
        for node, row in self.nodes.items():
            if node not in ends:
                self.add(
                    "orphans",
                    "nodes.csv",
                    row["_line"],
                    f"node {node} is on no link; connect it with a link in links.csv or remove it",
                )

    # -- 9. Caspian

    def is_caspian(self, node: str) -> bool:
        xy = self.coords(node)
        return xy is not None and _in_box(*xy, CASPIAN_LON, CASPIAN_LAT)

    def check_caspian(self) -> None:
        for row in self.rows["links"]:
            mode = _text(row["mode"])
            if mode not in WATER_MODES:
                continue
            u, v = _text(row["u"]), _text(row["v"])
            if self.coords(u) is None or self.coords(v) is None:
                continue
            inner = [n for n in (u, v) if self.is_caspian(n)]
            if len(inner) == 1:
                outer = v if inner[0] == u else u
                self.add(
                    "caspian",
                    "links.csv",
                    row["_line"],
                    f"{mode} link joins the Caspian port {inner[0]} to {outer}, which is not on "
                    "the Caspian (a closed sea: Caspian ports lie in lon 46–56 E, lat 36–48 N); "
                    f"{mode} links from a Caspian port must end at another Caspian port",
                )

    # -- warnings

    def check_warnings(self) -> None:
        for row in self.rows["links"]:
            if _text(row["mode"]) == "ferry" and _num(row["headway_h"]) is None:
                self.warn(
                    "links.csv",
                    row["_line"],
                    f"ferry link {row['id']} has no headway_h, so routes wait nothing for a "
                    "departure",
                )
        borders = [r for r in self.rows["frictions"] if _text(r["kind"]) == "border"]
        specific = {(_text(r["node"]), _text(r["to_node"])) for r in borders}
        both = {
            (_text(r["to_node"]), _text(r["node"]))
            for r in borders
            if _text(r["direction"]) in ("", "*", "both")
        }
        pairs = {(_text(r["u"]), _text(r["v"])) for r in self.links.values()}
        pairs |= {(v, u) for u, v in pairs}
        land = {
            (_text(r["u"]), _text(r["v"]))
            for r in self.links.values()
            if _text(r["mode"]) in ("rail", "road")
        }
        land |= {(v, u) for u, v in land}
        uncovered = sorted(
            f"{u}>{v}"
            for u, v in land
            if u in self.nodes
            and v in self.nodes
            and self.country_of(u) != self.country_of(v)
            and (u, v) not in specific | both
        )
        if uncovered:
            self.warnings.append(
                f"frictions.csv: {_plural(len(uncovered), 'rail or road border crossing')} "
                "have no border row of their own, so the `*` default applies: "
                f"{', '.join(uncovered[:12])}{' ...' if len(uncovered) > 12 else ''}"
            )
        for row in borders:
            node, to_node = _text(row["node"]), _text(row["to_node"])
            if node in self.nodes and to_node in self.nodes and (node, to_node) not in pairs:
                self.warn(
                    "frictions.csv",
                    row["_line"],
                    f"border row {row['id']} is for {node} → {to_node}, but no link joins "
                    "them, so no route ever pays it",
                )
        self.check_uncited()

    def check_uncited(self) -> None:
        cited: set[str] = set()
        for name, columns in TABLES.items():
            for column in columns:
                if column.name in ("source_id", "length_source_id"):
                    for row in self.rows[name]:
                        cited.update(_ids(row[column.name]))
        for item, _ in self.corridors:
            cited.update(str(c) for c in _as_list(item.get("cites") or []))
        unused = sorted(str(i.get("id")) for i, _ in self.sources if i.get("id") not in cited)
        if unused:
            self.warnings.append(
                f"sources.yaml: {_plural(len(unused), 'source')} cited by no row: "
                f"{', '.join(unused[:12])}{' ...' if len(unused) > 12 else ''}"
            )

    # -- 10. routing

    def check_routing(self) -> None:
        blocking = sum(len(self.found[c]) for c in STRUCTURAL)
        if blocking:
            self.warnings.append(
                f"corridors.yaml: routing check skipped: {_plural(blocking, 'structural problem')}"
                " (schema, ids, references, defaults) must be fixed first"
            )
            return
        from corridors.network import Network

        # Any exception here is a data problem the checks above did not foresee: report it.
        try:
            net = Network(self.data)
        except Exception as err:
            self.add("routing", "links.csv", 0, f"the network cannot be built: {_error(err)}")
            return
        for pid in self.profiles:
            try:
                net.routing_graph(pid)
            except Exception as err:
                self.add(
                    "routing",
                    "profiles.csv",
                    0,
                    f"the routing graph for profile {pid!r} cannot be built: {_error(err)}",
                )
                return
        for item, line in self.corridors:
            self.route_corridor(net, item, line)

    def route_corridor(self, net: Any, item: dict[str, Any], line: int) -> None:
        from corridors import routing

        cid = item.get("id")
        points = item.get("waypoints") or []
        if len(points) < 2:
            return
        modes = [str(m) for m in _as_list(item.get("modes") or [])]
        statuses = sorted({str(s) for s in _as_list(item.get("include") or [])} | {"operational"})
        profile = self.corridor_profile(item, modes)
        try:
            routing.route_corridor(net, item, profile=profile)
        except Exception as err:
            self.add(
                "routing",
                "corridors.yaml",
                line,
                f"corridor {cid!r} ({' → '.join(points)}; statuses {', '.join(statuses)}"
                f"{'; modes ' + ', '.join(modes) if modes else ''}) does not route: {_error(err)}",
            )

    def corridor_profile(self, item: dict[str, Any], modes: list[str]) -> str | None:
        if item.get("profile"):
            return str(item["profile"])
        if not modes:
            return None
        for row in self.rows["profiles"]:
            if set(modes) <= set(_ids(row["modes"])):
                return _text(row["id"])
        return None


def _error(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text if isinstance(err, CorridorsError) else f"{type(err).__name__}: {text}"


def _text_cell(value: Any) -> str:
    return "" if isinstance(value, list) else _text(value)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
