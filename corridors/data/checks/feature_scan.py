"""The link features of ``geometry/links.geojson``: each one's id, line and points.

Reading the features is most of that check's time on a large file and needs nothing from
the tables; what only the tables can tell (whether a feature's id is a link) is left to
the check.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridors.data.checks.base import QuotedLines, crs_problem, feature_problem
from corridors.data.geodata import line_points, scan_feature_collection

# what a feature is, as far as the file alone tells
NO_ID = 0  # no `id` property
NOT_A_LINE = 1  # an id, but its geometry is not a LineString of finite [lon, lat] positions
DRAWN = 2  # an id and a line

Found = tuple[str, int, str]  # (check, line, message)


@dataclass
class FeatureScan:
    """The link features of one file, in file order.

    ``problems`` is set when the file as a whole cannot be used (its findings replace any
    about single features); otherwise ``ids``, ``lines`` and ``kinds`` hold one entry per
    feature (an empty id and line 0 for one without an id), and ``count``, ``x`` and ``y``
    the points of the drawn features, one after another. ``seg`` is, when the file was read
    ahead (:mod:`~corridors.data.checks.scan_ahead`), the geodesic length in km of each step
    from one of these points to the next, as a float64 array.
    """

    problems: list[Found] | None = None
    ids: list[str] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("q"))
    kinds: bytearray = field(default_factory=bytearray)
    count: array[int] = field(default_factory=lambda: array("q"))
    x: array[float] = field(default_factory=lambda: array("d"))
    y: array[float] = field(default_factory=lambda: array("d"))
    seg: Any = None

    def take(
        self,
        feature: Any,
        lines: QuotedLines,
        span: tuple[int, int] | None,
        plain: tuple[list[float], list[float]] | None = None,
    ) -> None:
        """Add one feature; ``span`` is where it lies in the text ``lines`` reads, if known.

        ``plain`` is the feature's line as :func:`plain_points` read it, when it did.
        """
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        lid = str(props.get("id") or "")
        self.ids.append(lid)
        if not lid:
            self.lines.append(0)
            self.kinds.append(NO_ID)
            return
        self.lines.append(lines.line(lid, span))
        if plain is None:
            points = line_points(feature.get("geometry"))
            if points is None:
                self.kinds.append(NOT_A_LINE)
                return
            plain = [p[0] for p in points], [p[1] for p in points]
        self.kinds.append(DRAWN)
        self.count.append(len(plain[0]))
        self.x.extend(plain[0])
        self.y.extend(plain[1])


def plain_points(geometry: Any) -> tuple[list[float], list[float]] | None:
    """Return the longitudes and latitudes of the usual feature's line; None for any other.

    The usual line is a LineString of two or more ``[lon, lat]`` pairs of floats in
    degrees. It is told, and its points taken, in one pass; such a feature has nothing
    :func:`~corridors.data.checks.base.feature_problem` reports, and
    :func:`~corridors.data.geodata.line_points` reads the same points from it. Any other
    goes through those two.
    """
    if type(geometry) is not dict or geometry.get("geometries"):
        return None
    coords = geometry.get("coordinates")
    if geometry.get("type") != "LineString" or type(coords) is not list or len(coords) < 2:
        return None
    xs: list[float] = []
    ys: list[float] = []
    for position in coords:
        if type(position) is not list or len(position) != 2:
            return None
        x, y = position
        if type(x) is not float or type(y) is not float:
            return None
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            return None
        xs.append(x)
        ys.append(y)
    return xs, ys


def scan_features(path: Path) -> FeatureScan | None:
    """Read links.geojson one feature at a time.

    Only one feature is held at a time, as a million features parsed whole take several
    times the file's size in memory. Gives the findings :meth:`Base.read_geojson
    <corridors.data.checks.base.Base.read_geojson>` would give (and no features) when the
    file is not usable; None when it is not a plain JSON object or not UTF-8, to be read
    whole instead, so that its problem is worded as for any file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    members: dict[str, Any] = {}
    listed = False
    bad: Found | None = None
    lines = QuotedLines(text)
    scan = FeatureScan()
    try:
        for key, start, end, value in scan_feature_collection(text):
            if key != "features[]":
                members[key] = value
                continue
            listed = True
            if bad is not None:
                continue
            if type(value) is dict and (plain := plain_points(value.get("geometry"))):
                # nothing feature_problem reports, and the points line_points would read
                scan.take(value, lines, (start, end), plain)
                continue
            bad = feature_problem(value, text)
            if bad is None:
                scan.take(value, lines, (start, end))
    except (ValueError, RecursionError):
        return None
    # the file's problems in the order read_geojson finds them
    if members.get("type") != "FeatureCollection":
        problems = [("schema", 1, "expected a GeoJSON FeatureCollection")]
    elif not (listed or isinstance(members.get("features"), list)):
        problems = [("schema", 1, "expected `features` to be a list of GeoJSON features")]
    elif (crs := crs_problem(members.get("crs"), text)) is not None:
        problems = [("countries", *crs)]
    elif bad is not None:
        problems = [bad]
    else:
        return scan
    return FeatureScan(problems=problems)


def scan_whole(features: list[Any], text: str) -> FeatureScan:
    """Take the features of a file read whole (one :func:`scan_features` could not read)."""
    lines = QuotedLines(text)
    scan = FeatureScan()
    for feature in features:
        scan.take(feature, lines, None)
    return scan
