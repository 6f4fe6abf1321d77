"""Published figures that judge the model: ``geodata/observations.csv``.

An observation is a published transit time, distance, border time or rate that was *not*
used to set any value in the input tables. Each row says how to reproduce it with the model
(origin, destination, via, modes, profile, objective and the measure read off the route),
the published value or range and a relative tolerance. Observations live apart from the
input tables: :func:`corridors.data.geodata.read_geodata` never reads them, so no input can
be derived from them by accident.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

from corridors.data.locate import geodata_dir
from corridors.errors import GeodataError

FILE = "observations.csv"

#: What an observation measures on the model's route: name -> (unit, meaning).
MEASURES: dict[str, tuple[str, str]] = {
    "distance_km": ("km", "route length"),
    "time_h": ("h", "route time: hauls, waits and frictions"),
    "time_d": ("d", "route time in days"),
    "cost_usd": ("USD", "route cost per unit of the profile: hauls, fares and fees"),
    "haul_time_h": ("h", "time moving (hauls only): a sailing or a drive without stops"),
    "haul_cost_usd": ("USD", "haulage and fares only, without border, port or transfer fees"),
    "crossing_time_h": ("h", "border and gauge-break time at the crossings on the route"),
}

#: What kind of figure a row is; reports count coverage by kind.
KINDS = ("truck", "rail", "ferry", "sea", "multimodal", "border", "rate", "distance")

COLUMNS = (
    "id",
    "kind",
    "origin",
    "destination",
    "via",
    "modes",
    "profile",
    "by",
    "include_planned",
    "avoid_countries",
    "measure",
    "published",
    "published_low",
    "published_high",
    "tolerance",
    "source_id",
    "note",
)
REQUIRED = ("id", "kind", "origin", "destination", "measure", "published", "source_id")


@dataclass(frozen=True)
class Observation:
    """One published figure and the model query that reproduces it.

    Attributes
    ----------
    id, kind
        Unique id; what sort of figure it is (one of :data:`KINDS`).
    origin, destination, via
        Places of the query (node ids or names); ``via`` waypoints in order.
    modes
        Modes the route may use (empty: all the profile may use).
    profile, by, include_planned
        Cargo profile (default ``teu``), objective (default ``time``) and whether planned
        links count.
    avoid_countries
        Countries the published itinerary did not cross (ISO codes), so the query follows it.
    measure
        What is read off the route (one of :data:`MEASURES`).
    published, low, high
        The published value and the range it spans (``low = high = published`` when the
        source gives one number).
    tolerance
        Relative slack around the range: the model agrees when it lies within
        ``[low × (1 − tolerance), high × (1 + tolerance)]``.
    source_ids
        Sources in ``sources.yaml``.
    note
        What the figure is and why the query reproduces it.
    line
        Line in the CSV file (the header is line 1).
    """

    id: str
    kind: str
    origin: str
    destination: str
    via: tuple[str, ...]
    modes: tuple[str, ...]
    profile: str
    by: str
    include_planned: bool
    avoid_countries: tuple[str, ...]
    measure: str
    published: float
    low: float
    high: float
    tolerance: float
    source_ids: tuple[str, ...]
    note: str
    line: int

    @property
    def unit(self) -> str:
        """Unit of the measure (``km``, ``h``, ``d``, ``USD``)."""
        return MEASURES[self.measure][0]

    def bounds(self) -> tuple[float, float]:
        """Return the accepted interval: the published range widened by the tolerance."""
        return self.low * (1 - self.tolerance), self.high * (1 + self.tolerance)

    def agrees(self, value: float) -> bool:
        """Whether a model value lies within :meth:`bounds`."""
        lo, hi = self.bounds()
        return math.isfinite(value) and lo <= value <= hi


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


def _number(text: str, column: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"{where}: column `{column}` is {text!r}; expected a number"
        raise GeodataError(msg) from None
    if not math.isfinite(value) or value < 0:
        msg = f"{where}: column `{column}` is {text!r}; expected a number >= 0"
        raise GeodataError(msg)
    return value


def _row(raw: dict[str, str], line: int) -> Observation:
    where = f"{FILE}:{line}"
    cell = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    missing = [k for k in REQUIRED if not cell[k]]
    if missing:
        msg = f"{where}: empty required column(s): {', '.join(missing)}"
        raise GeodataError(msg)
    if cell["kind"] not in KINDS:
        msg = f"{where}: kind {cell['kind']!r} is unknown; choose from: {', '.join(KINDS)}"
        raise GeodataError(msg)
    if cell["measure"] not in MEASURES:
        msg = f"{where}: measure {cell['measure']!r} is unknown; choose from: {', '.join(MEASURES)}"
        raise GeodataError(msg)
    published = _number(cell["published"], "published", where)
    low = (
        _number(cell["published_low"], "published_low", where)
        if cell["published_low"]
        else published
    )
    high = (
        _number(cell["published_high"], "published_high", where)
        if cell["published_high"]
        else published
    )
    if not low <= published <= high:
        msg = (
            f"{where}: expected published_low <= published <= published_high, "
            f"got {low} <= {published} <= {high}"
        )
        raise GeodataError(msg)
    tolerance = _number(cell["tolerance"], "tolerance", where) if cell["tolerance"] else 0.1
    if tolerance >= 1:
        msg = f"{where}: tolerance {tolerance} must be a share below 1 (0.1 = 10%)"
        raise GeodataError(msg)
    planned = cell["include_planned"].lower()
    if planned not in ("", "true", "false"):
        msg = f"{where}: include_planned is {planned!r}; expected true or false"
        raise GeodataError(msg)
    return Observation(
        id=cell["id"],
        kind=cell["kind"],
        origin=cell["origin"],
        destination=cell["destination"],
        via=_split(cell["via"]),
        modes=_split(cell["modes"]),
        profile=cell["profile"] or "teu",
        by=cell["by"] or "time",
        include_planned=planned == "true",
        avoid_countries=_split(cell["avoid_countries"]),
        measure=cell["measure"],
        published=published,
        low=low,
        high=high,
        tolerance=tolerance,
        source_ids=_split(cell["source_id"]),
        note=cell["note"],
        line=line,
    )


def read_observations(path: str | os.PathLike[str] | None = None) -> list[Observation]:
    """Read ``observations.csv`` from a geodata folder.

    Parameters
    ----------
    path
        The geodata folder (default: the shipped one), or the CSV file itself.

    Returns
    -------
    observations
        One per row, in file order.

    Raises
    ------
    GeodataError
        If the file is missing or a row is malformed (the message names file and line).
    """
    given = Path(path) if path is not None else None
    file = given if given is not None and given.suffix == ".csv" else geodata_dir(path) / FILE
    if not file.is_file():
        msg = f"{file}: file is missing; observations.csv holds the published figures"
        raise GeodataError(msg)
    with file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        absent = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if absent:
            msg = f"{FILE}:1: missing required column(s): {', '.join(absent)}"
            raise GeodataError(msg)
        rows = [_row(raw, index + 2) for index, raw in enumerate(reader)]
    seen: dict[str, int] = {}
    for obs in rows:
        if obs.id in seen:
            msg = f"{FILE}:{obs.line}: duplicate id {obs.id!r} (first on line {seen[obs.id]})"
            raise GeodataError(msg)
        seen[obs.id] = obs.line
    return rows
