"""Hours of service: the driving-time rules a truck's crew keeps, and the rests they impose.

The rules are data (``driving_rules.csv``: AETR / Regulation (EC) 561/2006 limits per profile,
mode and crew size). :class:`DriverClock` applies them to a sequence of driving and
standing periods and says where each break, daily rest and weekly rest falls, so a route's
timing counts the hours the truck stands still because its driver must rest.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corridors.data.geodata import records

if TYPE_CHECKING:
    from corridors.data.geodata import Geodata

#: The kinds of rest a route's legs may carry, and what tables call them.
REST_KINDS: dict[str, str] = {
    "break": "Break",
    "daily_rest": "Daily rest",
    "weekly_rest": "Weekly rest",
}

#: Crew sizes the rules know.
CREWS = (1, 2)

_EPS = 1e-9


def _num(value: Any, default: float = 0.0) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return default
    return float(value)


@dataclass(frozen=True)
class DrivingRules:
    """Driving-time limits for one crew size, as ``driving_rules.csv`` states them.

    Per-driver limits; with a crew of two the vehicle drives for both drivers in turn.

    Attributes
    ----------
    id
        Row id.
    crew
        Drivers on board (1 or 2).
    daily_driving_h, extended_daily_driving_h, extended_days_per_week
        Daily driving limit, the longer limit and how often a week it may be used.
    break_after_h, break_h
        Driving after which a break is due, and its length (0: breaks taken while the
        other driver drives).
    daily_rest_h, rest_window_h
        Daily rest, and the period from the end of the last rest within which it is taken.
    weekly_driving_h, fortnight_driving_h
        Driving limits between weekly rests, and over two such weeks.
    daily_periods_per_week, weekly_rest_h
        Daily driving periods after which the weekly rest is due, and its length.
    source_ids
        Where the limits come from.
    """

    id: str
    crew: int
    daily_driving_h: float
    extended_daily_driving_h: float
    extended_days_per_week: int
    break_after_h: float
    break_h: float
    daily_rest_h: float
    rest_window_h: float
    weekly_driving_h: float
    fortnight_driving_h: float
    daily_periods_per_week: int
    weekly_rest_h: float
    source_ids: tuple[str, ...] = ()

    @property
    def duty_h(self) -> float:
        """Longest stretch between two rests: the rest window less the daily rest."""
        return self.rest_window_h - self.daily_rest_h

    def long_run_factor(self) -> float:
        """Hours elapsed per hour driven over a long drive (rests and breaks included).

        A route search weights truck driving by this factor so that long road hauls carry
        the rests they need; the route's own timing is then worked out exactly.
        """
        return _long_run_factor(self)


@functools.lru_cache(maxsize=64)
def _long_run_factor(rules: DrivingRules) -> float:
    # the same rules always give the same factor: simulating 1,000 h of driving per
    # route search cost more than the search itself
    clock = DriverClock(rules)
    driven = 1000.0
    elapsed = sum(p.hours for p in clock.drive(driven))
    return elapsed / driven


def rules_from_geodata(geodata: Geodata, profile: str, mode: str, crew: int) -> DrivingRules | None:
    """Return the driving rules for a profile, mode and crew (None: no rules, no rests).

    A row naming the profile beats a ``*`` row.
    """
    table = geodata.tables.get("driving_rules")
    if table is None or not len(table):
        return None
    hits = []
    for row in records(table):
        scope = str(row.get("profile") or "*").lower()
        if str(row["mode"]) == mode and int(row["crew"]) == crew and scope in ("*", profile):
            hits.append((scope == profile, row))
    if not hits:
        return None
    row = max(hits, key=lambda h: h[0])[1]
    ids = row.get("source_id")
    daily = float(row["daily_driving_h"])
    weekly = float(row["weekly_driving_h"])
    return DrivingRules(
        id=str(row["id"]),
        crew=crew,
        daily_driving_h=daily,
        extended_daily_driving_h=_num(row.get("extended_daily_driving_h"), daily),
        extended_days_per_week=int(_num(row.get("extended_days_per_week"))),
        break_after_h=_num(row.get("break_after_h"), math.inf) or math.inf,
        break_h=_num(row.get("break_h")),
        daily_rest_h=float(row["daily_rest_h"]),
        rest_window_h=float(row["rest_window_h"]),
        weekly_driving_h=weekly,
        fortnight_driving_h=_num(row.get("fortnight_driving_h"), 2 * weekly),
        daily_periods_per_week=int(row["daily_periods_per_week"]),
        weekly_rest_h=float(row["weekly_rest_h"]),
        source_ids=tuple(ids) if isinstance(ids, list) else (),
    )


@dataclass(frozen=True)
class Period:
    """A stretch of a truck's time: ``drive`` or one of :data:`REST_KINDS`, in hours."""

    kind: str
    hours: float
    reason: str = ""


@dataclass
class DriverClock:
    """The state of a crew's driving-time account, advanced period by period.

    The schedule it keeps: drive until a limit is reached, then take the rest that limit
    calls for (a break after ``break_after_h``; a daily rest when the day's driving or duty
    window is used up; a weekly rest when the week's driving is used up or at the end of
    the sixth daily period). The longer daily limit is used on the first days of each week.
    Time standing still (border queues, ferries, waits) counts as a break or a rest when it
    is at least as long as one, and towards the duty window otherwise.
    """

    rules: DrivingRules
    since_break: float = 0.0
    today: float = 0.0
    on_duty: float = 0.0
    week: float = 0.0
    last_week: float = 0.0
    periods: int = 0
    extended_used: int = 0

    def copy(self) -> DriverClock:
        """Return an independent copy of this state (the rules are shared)."""
        twin = object.__new__(DriverClock)
        twin.__dict__.update(self.__dict__)
        return twin

    # -- limits ---------------------------------------------------------------------------
    def _daily_limit(self) -> float:
        r = self.rules
        per_driver = (
            r.extended_daily_driving_h
            if self.extended_used < r.extended_days_per_week
            else r.daily_driving_h
        )
        return per_driver * r.crew

    def _week_limit(self) -> float:
        r = self.rules
        return r.crew * min(r.weekly_driving_h, r.fortnight_driving_h - self.last_week / r.crew)

    def _break_limit(self) -> float:
        # with a crew, one driver's break is the other's turn at the wheel
        return self.rules.break_after_h if self.rules.crew == 1 else math.inf

    # -- resting ---------------------------------------------------------------------------
    def _daily_rest(self, hours: float, reason: str) -> Period:
        if self.today > self.rules.daily_driving_h * self.rules.crew + _EPS:
            self.extended_used += 1
        self.periods += 1 if self.today > _EPS else 0
        self.since_break = self.today = self.on_duty = 0.0
        return Period("daily_rest", hours, reason)

    def _weekly_rest(self, hours: float, reason: str) -> Period:
        self._daily_rest(hours, reason)
        self.last_week, self.week = self.week, 0.0
        self.periods = self.extended_used = 0
        return Period("weekly_rest", hours, reason)

    def _rest_due(self) -> Period:
        r = self.rules
        if self.week >= self._week_limit() - _EPS:
            return self._weekly_rest(r.weekly_rest_h, "weekly driving limit reached")
        if self.today >= self._daily_limit() - _EPS or self.on_duty >= r.duty_h - _EPS:
            if self.periods + 1 >= r.daily_periods_per_week:
                return self._weekly_rest(
                    r.weekly_rest_h, f"after {r.daily_periods_per_week} daily driving periods"
                )
            why = (
                "daily driving limit reached"
                if self.today >= self._daily_limit() - _EPS
                else f"daily rest due within {r.rest_window_h:g} h"
            )
            return self._daily_rest(r.daily_rest_h, why)
        self.since_break = 0.0
        self.on_duty += r.break_h
        return Period("break", r.break_h, f"after {r.break_after_h:g} h driving")

    # -- the two things a truck does --------------------------------------------------------
    def drive(self, hours: float) -> list[Period]:
        """Drive ``hours``, returning the driving and the rests it needs, in order.

        A rest is only taken when more driving follows: a trip ends without one.
        """
        out: list[Period] = []
        left = hours
        # the break and duty limits are the rules' own; the daily and weekly ones move
        break_limit = self._break_limit()
        duty = self.rules.duty_h
        while left > _EPS:
            room = min(
                break_limit - self.since_break,
                self._daily_limit() - self.today,
                self._week_limit() - self.week,
                duty - self.on_duty,
            )
            if room <= _EPS:
                out.append(self._rest_due())
                continue
            step = min(room, left)
            out.append(Period("drive", step))
            left -= step
            self.since_break += step
            self.today += step
            self.on_duty += step
            self.week += step
        return out

    def stand(self, hours: float) -> str:
        """Stand still ``hours`` (a queue, a crossing, a wait); return what it counted as."""
        r = self.rules
        if hours >= r.weekly_rest_h - _EPS and self.week > _EPS:
            self._weekly_rest(hours, "")
            return "weekly_rest"
        if hours >= r.daily_rest_h - _EPS:
            self._daily_rest(hours, "")
            return "daily_rest"
        self.on_duty += hours
        if r.break_h > 0 and hours >= r.break_h - _EPS:
            self.since_break = 0.0
            return "break"
        return ""
