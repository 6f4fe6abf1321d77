"""Shared parts of the geodata checks: limits, small helpers and the checker's plumbing."""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from corridors.data import yaml_parse as _yaml
from corridors.data.geodata import Geodata, Problem, records
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import pandas as pd

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
#: A rail or road link measured on a matched line at least this many times the geodesic
#: between its places (and at least DETOUR_MIN_KM apart) is listed in a warning: the world
#: graph it was matched on may lack the direct road or line, and a published length settles it.
DETOUR_RATIO = 1.5
DETOUR_MIN_KM = 50.0
#: How far (km) a link geometry's end may lie from the link's end node.
GEOMETRY_END_KM = 25.0
#: A rail or road link's drawn line must agree with its stated length to this share.
SHAPE_LENGTH_TOLERANCE = 0.25
#: Share of a drawn rail or road line allowed outside the countries of its two ends, after
#: growing their polygons by SHAPE_BORDER_SLACK_DEG (about 10 km) for simplified borders.
SHAPE_OUTSIDE_SHARE = 0.05
SHAPE_BORDER_SLACK_DEG = 0.1
YEARS = (1850, 2100)
SOURCE_KINDS = ("report", "news", "official", "dataset", "seed", "estimate")
#: Source kinds that need no URL.
URL_OPTIONAL_KINDS = ("estimate", "seed", "dataset")
LENGTH_METHODS = ("published", "geodesic_factor", "osm_route", "searoute", "matched_line")
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

ID_PATTERN = re.compile(r"^[a-z]{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO2_CODE = re.compile(r"^[A-Z]{2}$")
SUMMARY_TABLES = ("nodes", "links", "frictions", "corridors", "sources")


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


def plural(n: int, word: str) -> str:
    """Return ``n`` followed by ``word``, with an ``s`` added unless ``n`` is 1."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def num(value: Any) -> float | None:
    """Return a cell value as a float; None if it is missing, NaN, a bool or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    return None


def cell_text(value: Any) -> str:
    """Return a cell value as stripped text; empty for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def id_list(value: Any) -> list[str]:
    """Return the items of a list value as strings; empty for any other value."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def fmt(value: float) -> str:
    """Return a number in short ``g`` notation (six significant digits), for messages."""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.6g}"


def like(name: str, options: Iterable[str]) -> str:
    """Return a " (did you mean ...?)" hint naming the option closest to ``name``, or empty."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def choices(options: Iterable[Any]) -> str:
    """Return the options as text, separated by commas, for messages."""
    return ", ".join(str(o) for o in options)


_GEOD: list[Any] = []


def _geod() -> Any:
    if not _GEOD:
        from pyproj import Geod

        _GEOD.append(Geod(ellps="WGS84"))
    return _GEOD[0]


def geodesic_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance in km between two points on the WGS 84 ellipsoid."""
    _, _, metres = _geod().inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0


def geodesic_km_array(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Return :func:`geodesic_km` of many point pairs at once (float arrays; NaN in, NaN out)."""
    import numpy as np

    _, _, metres = _geod().inv(
        np.asarray(lon1, dtype=np.float64),
        np.asarray(lat1, dtype=np.float64),
        np.asarray(lon2, dtype=np.float64),
        np.asarray(lat2, dtype=np.float64),
    )
    return np.asarray(metres, dtype=np.float64) / 1000.0


def in_box(lon: float, lat: float, lons: tuple[float, float], lats: tuple[float, float]) -> bool:
    """Return True if the point lies within the longitude and latitude ranges (inclusive)."""
    return lons[0] <= lon <= lons[1] and lats[0] <= lat <= lats[1]


#: Parsed list items per (key, file content): a scenario re-checks the same files often.
_ITEMS: dict[tuple[str, str], list[tuple[dict[str, Any], int]]] = {}


def _yaml_items(path: Path, key: str) -> list[tuple[dict[str, Any], int]]:
    """Return a YAML file's list items (top level, or under ``key``) with their lines.

    The checks only read the items; a file is parsed again when its content changes
    (hashing it costs a fraction of a millisecond, parsing sources.yaml tens).
    """
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    tag = (key, hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest())
    if tag not in _ITEMS:
        _ITEMS[tag] = _parse_items(text, key)
    return list(_ITEMS[tag])


def _parse_items(text: str, key: str) -> list[tuple[dict[str, Any], int]]:
    try:
        root = _yaml.compose(text)
        data = _yaml.safe_load(text)
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


def line_of(text: str, needle: str) -> int:
    """Return the line number (from 1) where ``needle`` first occurs in ``text``; 0 if absent."""
    index = text.find(needle)
    return 0 if index < 0 else text.count("\n", 0, index) + 1


class QuotedLines:
    """Find the line of a quoted string's first occurrence in a text, for many strings.

    The text is scanned once, on the first question, so a check that asks about every
    feature of a large file costs one pass rather than one pass per feature.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.first: dict[str, int] | None = None
        self.one_line = "\n" not in text

    def line(self, value: str, near: tuple[int, int] | None = None) -> int:
        """Return the line (from 1) where ``"value"`` first occurs; 0 if it does not.

        ``near`` is a span of the text that may hold it (the feature it was read from):
        in a text of one line, finding it there is the answer, without a scan.
        """
        if (
            self.one_line
            and near is not None
            and self.text.find(f'"{value}"', near[0], near[1]) >= 0
        ):
            return 1
        if self.first is None:
            self.first = {}
            line, at = 1, 0
            for match in re.finditer(r'"(?:[^"\\\n]|\\.)*"', self.text):
                line += self.text.count("\n", at, match.start())
                at = match.start()
                self.first.setdefault(match.group(), line)
        found = self.first.get(f'"{value}"')
        return found if found is not None else line_of(self.text, f'"{value}"')


def _is_wgs84(name: str) -> bool:
    key = name.strip().upper()
    return key.endswith(("CRS84", ":4326", "::4326")) or key in ("EPSG:4326", "WGS84", "WGS 84")


def _iso2(properties: dict[str, Any]) -> str:
    for key in ("iso2", "ISO2", "iso_a2", "ISO_A2", "ISO_A2_EH"):
        value = str(properties.get(key) or "").strip().upper()
        if ISO2_CODE.match(value):
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
        return geodesic_km(lon, lat, float(near.x), float(near.y))

    def containing(self, lon: float, lat: float) -> str:
        """ISO2 of the country the point is in, or empty."""
        from shapely.geometry import Point

        point = Point(lon, lat)
        return next((iso for iso, p in self.prepared.items() if p.contains(point)), "")


#: A table of more rows than this is handed to the checks as dicts a chunk at a time
#: (:data:`ROW_CHUNK` rows), made again on every walk over it: a dict per row of a
#: million-link network held at once takes about 2 GB. Below it the dicts are made once
#: and kept (about 0.5 GB at this size), which is faster.
HELD_ROWS = 250_000
ROW_CHUNK = 50_000


def among(texts: list[str], options: Iterable[str]) -> Any:
    """Return, for each text, whether it is one of ``options`` (a bool array)."""
    import numpy as np

    allowed = frozenset(options)
    return np.fromiter((t in allowed for t in texts), dtype=bool, count=len(texts))


def out_of_range(value: Any, *, positive: bool = False, most: float | None = None) -> Any:
    """Return where ``check_range`` would report a number (a bool array; NaN never is)."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        bad = value <= 0 if positive else value < 0
        if most is not None:
            bad |= value > most
    return bad


def out_of_order(value: Any, low: Any, high: Any) -> Any:
    """Return where ``check_low_high`` may report a value and its bounds (a bool array).

    Every pair of the three is compared, which covers the given ones compared in turn.
    """
    import numpy as np

    with np.errstate(invalid="ignore"):
        return (low < 0) | (high < 0) | (low > value) | (value > high) | (low > high)


class TableRows:
    """A table's rows as dicts keyed by column name, as :func:`records` gives them.

    A small table's dicts are made when it is first walked and kept; a large one's are made
    a chunk at a time as the rows are walked, and one row is read (:meth:`at`) from its
    columns, which are made into lists only when a check first asks for them. The checks
    of a large table first pick, from whole columns, the rows that may have a problem
    (:meth:`texts`, :meth:`numbers`), and walk only those (:meth:`rows_at`).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._held: list[dict[str, Any]] | None = None
        self.lists: dict[str, list[Any]] = {}
        self._texts: dict[str, list[str]] = {}
        self._plain: set[str] = set()

    def forget(self) -> None:
        """Let go of the columns made into lists so far (they are made again if asked for)."""
        self.lists.clear()
        self._texts.clear()
        self._plain.clear()

    @property
    def held(self) -> list[dict[str, Any]] | None:
        """Every row as a dict, made on first use; None for a large table."""
        if self._held is None and len(self.frame) <= HELD_ROWS:
            self._held = records(self.frame)
        return self._held

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        held = self.held
        if held is not None:
            return iter(held)
        return self._chunks()

    def _chunks(self) -> Iterator[Mapping[str, Any]]:
        for at in range(0, len(self.frame), ROW_CHUNK):
            yield from records(self.frame.iloc[at : at + ROW_CHUNK])

    def __len__(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> list[Any]:
        """Return one column's values as a list (kept for the next question)."""
        if name not in self.lists:
            self.lists[name] = self.frame[name].tolist()
        return self.lists[name]

    def texts(self, name: str) -> list[str]:
        """Return :func:`cell_text` of every cell of a column (kept for the next question)."""
        if name not in self._texts:
            import numpy as np

            series = self.frame[name]
            if isinstance(series.dtype, np.dtype):
                self._texts[name] = [cell_text(v) for v in series.tolist()]
            else:
                # a text column: every cell is text or missing
                values = series.to_numpy(dtype=object, na_value="").tolist()
                self._texts[name] = [v.strip() for v in values]
                if values == self._texts[name]:
                    self._plain.add(name)
        return self._texts[name]

    def plain(self, name: str) -> bool:
        """Return True if each cell of a text column that is not empty is its text already.

        The values the reader gives are stripped, so a check may then take a cell's text
        for the cell itself (as it appears in a message).
        """
        self.texts(name)
        return name in self._plain

    def numbers(self, name: str) -> Any:
        """Return :func:`num` of every cell of a column as a float array (NaN for None)."""
        import numpy as np

        series = self.frame[name]
        if series.dtype.kind in "fi" and isinstance(series.dtype, np.dtype):
            return series.to_numpy(dtype=np.float64)
        found = [num(v) for v in series.tolist()]
        return np.array([math.nan if v is None else v for v in found], dtype=np.float64)

    def rows_at(self, index: Any) -> Iterator[Mapping[str, Any]]:
        """Yield the rows at these positions (ascending), as :meth:`__iter__` gives them."""
        held = self._held
        if held is not None:
            for i in index:
                yield held[int(i)]
            return
        for at in range(0, len(index), ROW_CHUNK):
            yield from records(self.frame.iloc[index[at : at + ROW_CHUNK]])

    def at(self, i: int) -> Mapping[str, Any]:
        """Return row ``i`` (counting from 0)."""
        held = self.held
        return held[i] if held is not None else RowAt(self, i)


class RowAt(Mapping[str, Any]):
    """One row of a large table, read from its columns as each value is asked for."""

    def __init__(self, rows: TableRows, i: int) -> None:
        self.rows = rows
        self.i = i

    def __getitem__(self, name: str) -> Any:
        return self.rows.column(name)[self.i]

    def __iter__(self) -> Iterator[str]:
        return iter(str(c) for c in self.rows.frame.columns)

    def __len__(self) -> int:
        return len(self.rows.frame.columns)


class RowsById:
    """The first row of each id of a table (rows without an id are left out), by id."""

    def __init__(self, rows: TableRows) -> None:
        self.rows = rows
        self.first: dict[str, int] = {}
        for i, key in enumerate(rows.texts("id")):
            if key:
                self.first.setdefault(key, i)

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        return self.rows.at(self.first[key])

    def get(self, key: str) -> Mapping[str, Any] | None:
        """Return the row of ``key``, or None."""
        i = self.first.get(key)
        return None if i is None else self.rows.at(i)

    def __contains__(self, key: object) -> bool:
        return key in self.first

    def __iter__(self) -> Iterator[str]:
        return iter(self.first)

    def __len__(self) -> int:
        return len(self.first)

    def positions(self) -> Any:
        """Return the position of each id's first row, in the table's order (an int array)."""
        import numpy as np

        return np.fromiter(self.first.values(), dtype=np.int64, count=len(self.first))

    def items(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Yield ``(id, row)`` in the table's order, the first row of each id."""
        yield from zip(self.first, self.rows.rows_at(self.positions()))

    def values(self) -> Iterator[Mapping[str, Any]]:
        """Yield the first row of each id, in the table's order."""
        return self.rows.rows_at(self.positions())


class Base:
    """The checker's state and plumbing, shared by every family of checks."""

    def __init__(self, data: Geodata) -> None:
        self.data = data
        self.found: dict[str, list[Problem]] = {name: [] for name in CHECKS}
        self.warnings: list[str] = []
        self.rows = {name: TableRows(frame) for name, frame in data.tables.items()}
        self.profiles = [cell_text(r["id"]) for r in self.rows["profiles"] if cell_text(r["id"])]
        self.corridors = _yaml_items(data.folder / "corridors.yaml", "corridors")
        if len(self.corridors) != len(data.corridors):
            self.corridors = [(c if isinstance(c, dict) else {}, 0) for c in data.corridors]
        self.sources = _yaml_items(data.folder / "sources.yaml", "sources")
        self.countries: _Countries | None = None
        self.methods = estimation_methods(data.folder)

    @cached_property
    def nodes(self) -> RowsById:
        """The first node row of each id."""
        return RowsById(self.rows["nodes"])

    @cached_property
    def links(self) -> RowsById:
        """The first link row of each id."""
        return RowsById(self.rows["links"])

    def let_go(self) -> None:
        """Let go of the lists, id indexes and coordinates the checks made from the tables.

        Each is made again if something asks for it; at a million links they hold about
        three quarters of a gigabyte that check 10, which builds routing graphs, never reads.
        """
        for rows in self.rows.values():
            rows.forget()
        for name in ("nodes", "links", "node_xy", "link_ends", "node_points"):
            self.__dict__.pop(name, None)

    # -- plumbing

    def add(self, check: str, file: str, row: int, message: str) -> None:
        """Record a problem found by ``check`` at a row (line) of a file."""
        self.found[check].append(Problem(file, int(row), message))

    def warn(self, file: str, row: int, message: str) -> None:
        """Record a warning, prefixed with ``file:row`` (or the file alone when row is 0)."""
        where = f"{file}:{row}" if row else file
        self.warnings.append(f"{where}: {message}")

    def rows_where(self, name: str, mask: Any) -> Iterator[Mapping[str, Any]]:
        """Yield the rows of a table where ``mask`` (a bool per row) is true, in order.

        A check over a large table picks, from whole columns, every row that may have a
        problem, and words the problems of those rows alone as it would walking them all.
        """
        import numpy as np

        return self.rows[name].rows_at(np.flatnonzero(mask))

    @cached_property
    def node_xy(self) -> tuple[list[float], list[float]]:
        """Every node row's ``num`` of lon and of lat, NaN where None."""
        rows = self.rows["nodes"]
        return rows.numbers("lon").tolist(), rows.numbers("lat").tolist()

    @cached_property
    def link_ends(self) -> tuple[Any, Any]:
        """Per link row, the row of its ``u`` node and of its ``v`` node (-1: not a node).

        Looked up for all links at once; the row is the node id's first, as
        :attr:`nodes` finds it.
        """
        import numpy as np
        import pandas as pd

        first = self.nodes.first
        index = pd.Index(list(first), dtype=object)
        rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        links = self.rows["links"]
        ends = []
        for column in ("u", "v"):
            at = index.get_indexer(pd.Index(links.texts(column), dtype=object))
            ends.append(np.where(at >= 0, rows[np.maximum(at, 0)], -1) if len(rows) else at)
        return ends[0], ends[1]

    @cached_property
    def node_points(self) -> tuple[Any, Any, Any]:
        """Every node row's lon and lat (NaN where none) and whether :meth:`coords` takes them."""
        import numpy as np

        lon, lat = (np.asarray(v, dtype=np.float64) for v in self.node_xy)
        with np.errstate(invalid="ignore"):
            valid = (lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90)
        return lon, lat, valid

    def end_points(self, at: Any, column: str) -> tuple[Any, Any]:
        """Return :meth:`coords` of a link end for links at rows ``at``: lon, lat (NaN: None)."""
        import numpy as np

        node = self.link_ends[0 if column == "u" else 1][at]
        lon, lat, valid = self.node_points
        known = node >= 0
        known[known] = valid[node[known]]
        x = np.full(len(node), np.nan)
        y = np.full(len(node), np.nan)
        x[known], y[known] = lon[node[known]], lat[node[known]]
        return x, y

    def coords(self, node: str) -> tuple[float, float] | None:
        """Return a node's (lon, lat); None if the node is unknown or its coordinates invalid."""
        i = self.nodes.first.get(node)
        if i is None:
            return None
        lon, lat = self.node_xy[0][i], self.node_xy[1][i]
        # NaN (no number) fails both range tests
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return None
        return lon, lat

    def country_of(self, node: str) -> str:
        """Return a node's country code; empty if the node is unknown."""
        i = self.nodes.first.get(node)
        return "" if i is None else self.rows["nodes"].texts("country")[i]

    def link_text(self, link: str, column: str) -> str:
        """Return :func:`cell_text` of a column of a link id's first row (a known id)."""
        return self.rows["links"].texts(column)[self.links.first[link]]

    # -- country polygons and GeoJSON, used by several families

    def load_countries(self) -> None:
        """Load the country polygons from countries.geojson, reporting a missing or bad file."""
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
        try:
            text = path.read_text(encoding="utf-8")
            doc = json.loads(text)
        except UnicodeDecodeError as err:
            self.add("schema", file, 0, f"cannot be read as UTF-8 ({err.reason})")
            return None
        except json.JSONDecodeError as err:
            self.add("schema", file, err.lineno, f"invalid JSON: {err.msg}")
            return None
        except RecursionError:
            self.add("schema", file, 0, "nested too deeply to be GeoJSON")
            return None
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            self.add("schema", file, 1, "expected a GeoJSON FeatureCollection")
            return None
        if not isinstance(doc.get("features"), list):
            self.add("schema", file, 1, "expected `features` to be a list of GeoJSON features")
            return None
        crs_found = crs_problem(doc.get("crs"), text)
        if crs_found is not None:
            self.add("countries", file, *crs_found)
            return None
        for feature in doc["features"]:
            found = feature_problem(feature, text)
            if found is not None:
                self.add(found[0], file, found[1], found[2])
                return None
        return doc

    def swap_hint(self, row: Mapping[str, Any], lon: float, lat: float) -> str:
        """Return a hint that lon and lat look swapped, or empty.

        The hint is given when the swapped point lies within tolerance of the node's country.
        """
        country = cell_text(row["country"])
        if self.countries is None or country not in self.countries.geoms:
            return ""
        if not (-180 <= lat <= 180 and -90 <= lon <= 90):
            return ""
        tolerance = PORT_TOLERANCE_KM if cell_text(row["kind"]) == "port" else BORDER_TOLERANCE_KM
        if self.countries.outside_km(country, lat, lon) <= tolerance:
            return (
                f"; lon and lat look swapped: lon {fmt(lat)}, lat {fmt(lon)} lies in "
                f"{country}, so swap the two columns"
            )
        return ""


def crs_problem(crs: Any, text: str) -> tuple[int, str] | None:
    """Return ``(line, message)`` when a GeoJSON ``crs`` member is not WGS 84, else None."""
    if crs is None:
        return None
    name = ""
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name") or "")
    if _is_wgs84(name):
        return None
    return (
        line_of(text, '"crs"'),
        f"wrong CRS {name or crs!r}: coordinates must be WGS 84 longitude/latitude "
        "(urn:ogc:def:crs:OGC:1.3:CRS84 or EPSG:4326, or no `crs` member); "
        "reproject the file to EPSG:4326",
    )


def feature_problem(feature: Any, text: str) -> tuple[str, int, str] | None:
    """Return ``(check, line, message)`` when a GeoJSON feature cannot be read, else None.

    A feature must be an object, and every position of its geometry two numbers or more,
    longitude and latitude in degrees.
    """
    if not isinstance(feature, dict):
        return "schema", line_of(text, '"features"'), "a feature is not an object"
    if _plain_line(feature.get("geometry")):
        return None
    for position in _coordinates(feature.get("geometry")):
        if len(position) < 2:
            return (
                "schema",
                line_of(text, '"features"'),
                "a position has fewer than two numbers; expected [lon, lat]",
            )
        x, y = position[0], position[1]
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            return (
                "countries",
                line_of(text, '"features"'),
                f"wrong CRS: coordinate ({fmt(x)}, {fmt(y)}) is not longitude/"
                "latitude in degrees; reproject the file to WGS 84 (EPSG:4326)",
            )
    return None


def _plain_line(geometry: Any) -> bool:
    """Return True for a LineString of [lon, lat] positions in degrees, the usual feature.

    Such a feature has nothing :func:`feature_problem` reports; anything else is walked
    position by position there.
    """
    if type(geometry) is not dict or geometry.get("geometries"):
        return False
    coords = geometry.get("coordinates")
    if type(coords) is not list or not coords:
        return False
    for position in coords:
        if type(position) is not list or not 2 <= len(position) <= 3:
            return False
        x, y = position[0], position[1]
        if type(x) is not float or type(y) is not float:
            return False
        if len(position) == 3 and type(position[2]) not in (float, int):
            return False  # a list there would be walked as positions of its own
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            return False
    return True


def error_text(err: Exception) -> str:
    """Return an error's message on one line, prefixed with its type unless a CorridorsError."""
    text = " ".join(str(err).split())
    return text if isinstance(err, CorridorsError) else f"{type(err).__name__}: {text}"


def text_cell(value: Any) -> str:
    """Return a cell value as stripped text; empty for a list."""
    return "" if isinstance(value, list) else cell_text(value)


def as_list(value: Any) -> list[Any]:
    """Return a list value as is, and any other value as a one-item list."""
    return value if isinstance(value, list) else [value]
