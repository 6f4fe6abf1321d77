"""Timetables of sailings: the departures a ship keeps, and how long cargo waits for one.

``timetables.csv`` gives a water link (in one direction) either the weekdays and time it
sails, or only how often it sails a week. Without a date the wait is the expected one for
cargo arriving at a random hour; with a departure date the route waits for the next sailing.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from corridors.data.geodata import records
from corridors.errors import GeodataError

if TYPE_CHECKING:
    from corridors.data.geodata import Geodata

#: Weekday names as ``timetables.csv`` writes them, Monday first (``datetime.weekday()``).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_WEEK_H = 168.0


@dataclass(frozen=True)
class Timetable:
    """The sailings of one water link in one direction.

    Attributes
    ----------
    id
        Row id.
    link, from_node
        The link and the end it sails from.
    weekdays
        Days it sails (0 = Monday), empty when only the frequency is known.
    per_week
        Sailings a week (the number of weekdays when they are given).
    departure_h
        Hour of day of the sailing (local time of the port), with the weekdays.
    source_ids
        Where the schedule comes from.
    """

    id: str
    link: str
    from_node: str
    weekdays: tuple[int, ...]
    per_week: float
    departure_h: float
    source_ids: tuple[str, ...] = ()

    @property
    def scheduled(self) -> bool:
        """Whether the sailing days are known (a dated route can wait for the next one)."""
        return bool(self.weekdays)

    def _departures(self) -> list[float]:
        """Hours after Monday 00:00 of each weekly sailing, in order."""
        return sorted(day * 24.0 + self.departure_h for day in self.weekdays)

    def expected_wait_h(self) -> float:
        """Return the expected hours waiting for a sailing, arriving at a random hour.

        With sailing days, the mean over the week of the time to the next one (gaps
        ``g``: ``sum(g**2) / (2 * 168)``); with only a frequency, half the interval.
        """
        if not self.weekdays:
            return _WEEK_H / self.per_week / 2.0
        times = self._departures()
        gaps = [b - a for a, b in itertools.pairwise(times)] + [times[0] + _WEEK_H - times[-1]]
        return math.fsum(g * g for g in gaps) / (2.0 * _WEEK_H)

    def wait_from(self, when: datetime) -> float:
        """Hours from ``when`` until the next sailing (0 at the minute of one)."""
        monday = datetime(when.year, when.month, when.day) - timedelta(days=when.weekday())
        now = (when - monday).total_seconds() / 3600.0
        for t in self._departures():
            if t >= now - 1e-9:
                return t - now
        return self._departures()[0] + _WEEK_H - now

    def describe(self) -> str:
        """Say when the link sails (``mon, thu at 18:00`` or ``1 a week``)."""
        if not self.weekdays:
            return f"{self.per_week:g} a week, days not published"
        hh, mm = divmod(round(self.departure_h * 60), 60)
        return f"{', '.join(WEEKDAYS[d] for d in self.weekdays)} at {hh:02d}:{mm:02d}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def timetables_from_geodata(geodata: Geodata) -> dict[tuple[str, str], Timetable]:
    """Return the timetables of ``timetables.csv``, keyed by (link id, node it sails from).

    Raises
    ------
    GeodataError
        If a row gives neither weekdays nor a frequency, names an unknown weekday, or
        gives a departure time that is not ``HH:MM``.
    """
    table = geodata.tables.get("timetables")
    out: dict[tuple[str, str], Timetable] = {}
    if table is None or not len(table):
        return out
    for row in records(table):
        rid = str(row["id"])
        days = [str(d).strip().lower()[:3] for d in row.get("weekdays") or []]
        bad = [d for d in days if d not in WEEKDAYS]
        if bad:
            msg = f"timetables.csv row {rid}: unknown weekday {bad[0]!r}; use {', '.join(WEEKDAYS)}"
            raise GeodataError(msg)
        weekdays = tuple(sorted({WEEKDAYS.index(d) for d in days}))
        given = row.get("per_week")
        per_week = (
            float(len(weekdays)) if weekdays else (0.0 if _blank(given) else float(str(given)))
        )
        if per_week <= 0:
            msg = f"timetables.csv row {rid}: give weekdays (mon|thu) or per_week above 0"
            raise GeodataError(msg)
        departure = 0.0
        text = "" if _blank(row.get("departure")) else str(row["departure"])
        if text:
            hh, sep, mm = text.partition(":")
            if not (sep and hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
                msg = f"timetables.csv row {rid}: departure {text!r} is not HH:MM (e.g. 18:00)"
                raise GeodataError(msg)
            departure = int(hh) + int(mm) / 60.0
        ids = row.get("source_id")
        out[(str(row["link"]), str(row["from"]))] = Timetable(
            id=rid,
            link=str(row["link"]),
            from_node=str(row["from"]),
            weekdays=weekdays,
            per_week=per_week,
            departure_h=departure,
            source_ids=tuple(ids) if isinstance(ids, list) else (),
        )
    return out
