"""Route options, defined once: what a query may use and what it minimises.

:class:`RouteOptions` is the one frozen, validated object every query takes
(:func:`corridors.route`, ``alternatives``, ``pareto``, ``compare``, ``skim``, scenarios and
the command line). The same options can be given as keywords (:class:`RouteKeywords`),
which :meth:`RouteOptions.build` validates; keywords given beside an options object
override its fields.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from corridors.data.vocabulary import MODES, STATUSES
from corridors.errors import InvalidOptionError
from corridors.routing.objectives import objective

if TYPE_CHECKING:
    from corridors.graph.network import Network

#: A waypoint as given: one place, or several of which the route passes any one.
WaypointSpec = str | tuple[str, ...]


class RouteKeywords(TypedDict, total=False):
    """The fields of :class:`RouteOptions` as keywords, in the forms users type them."""

    by: str
    profile: str | None
    via: Sequence[str | Sequence[str]]
    statuses: Iterable[str] | str | None
    include_planned: bool
    year: int | None
    modes: Iterable[str] | str | None
    avoid_countries: Iterable[str] | str | None
    avoid_nodes: Iterable[str] | None
    avoid_links: Iterable[str] | str | None
    avoid_borders: Iterable[str] | str | None
    value_of_time: float | None
    crew: int
    depart: str | datetime | None


@dataclass(frozen=True)
class RouteOptions:
    """Validated route options; build them with :meth:`build` from keywords.

    Attributes
    ----------
    by
        Objective: ``time`` (h), ``cost`` (USD), ``distance`` (km), ``co2`` (kg) or
        ``generalized`` (USD + value of time × h); see :mod:`corridors.routing.objectives`.
    profile
        Cargo profile id (``teu`` by default; ``bulk``, ``oil``).
    via
        Places the route must pass, in order; a waypoint given as several places (a list,
        or names joined by ``|``) is passed at any one of them.
    statuses
        Link statuses allowed (``operational`` by default; ``include_planned=True`` adds
        ``under_construction`` and ``planned``).
    year
        Allow operational links and those due to open by this year (instead of statuses).
    modes
        Modes allowed (None: all the profile can use).
    avoid_countries, avoid_nodes, avoid_links, avoid_borders
        ISO codes, places (ids or names), link ids, and country pairs such as ``KZ-TM``.
    value_of_time
        USD per unit per hour for the generalized cost (None: the profile's).
    crew
        Drivers on each truck: 1 (the default) or 2; sets the driving-time rules whose
        breaks and rests the route's road legs carry (``driving_rules.csv``). 0 times the
        trucks without any rest (driving time only), as batch skims do.
    """

    by: str = "time"
    profile: str | None = None
    via: tuple[WaypointSpec, ...] = ()
    statuses: frozenset[str] = frozenset({"operational"})
    year: int | None = None
    modes: frozenset[str] | None = None
    avoid_countries: frozenset[str] = frozenset()
    avoid_nodes: frozenset[str] = frozenset()
    avoid_links: frozenset[str] = frozenset()
    avoid_borders: frozenset[frozenset[str]] = field(default_factory=frozenset)
    value_of_time: float | None = None
    crew: int = 1
    depart: datetime | None = None

    @classmethod
    def build(
        cls, options: RouteOptions | None = None, **keywords: Unpack[RouteKeywords]
    ) -> RouteOptions:
        """Validate keywords (see :class:`RouteKeywords`) into options.

        Parameters
        ----------
        options
            Options to start from; keywords given as well override its fields.
        **keywords
            Route options in the forms users type them (strings, lists, ``include_planned``).

        Raises
        ------
        InvalidOptionError
            If a keyword is unknown or a value is out of range; the message says what
            would be right.
        """
        unknown = sorted(set(keywords) - set(RouteKeywords.__annotations__))
        if unknown:
            msg = (
                f"unknown route option {unknown[0]!r}; "
                f"choose from: {', '.join(RouteKeywords.__annotations__)}"
            )
            raise InvalidOptionError(msg)
        given: dict[str, Any] = dict(keywords)
        if options is not None:
            if not given:
                return options
            given = {**options.as_keywords(), **given}
        return _validated(given)

    def as_keywords(self) -> dict[str, Any]:
        """Return the options as keywords that :meth:`build` turns back into them."""
        return {
            "by": self.by,
            "profile": self.profile,
            "via": [p if isinstance(p, str) else list(p) for p in self.via],
            "statuses": sorted(self.statuses),
            "year": self.year,
            "modes": None if self.modes is None else sorted(self.modes),
            "avoid_countries": sorted(self.avoid_countries),
            "avoid_nodes": sorted(self.avoid_nodes),
            "avoid_links": sorted(self.avoid_links),
            "avoid_borders": sorted("-".join(sorted(p)) for p in self.avoid_borders),
            "value_of_time": self.value_of_time,
            "crew": self.crew,
            "depart": None if self.depart is None else self.depart.isoformat(timespec="minutes"),
        }

    def describe_blocks(self) -> list[str]:
        """Describe the restrictions in force, for a no-route message."""
        out = []
        if self.year is not None:
            out.append(f"links open by {self.year}")
        else:
            out.append(f"statuses {', '.join(sorted(self.statuses))}")
        if self.modes is not None:
            out.append(f"modes {', '.join(sorted(self.modes))}")
        if self.avoid_countries:
            out.append(f"avoiding countries {', '.join(sorted(self.avoid_countries))}")
        if self.avoid_nodes:
            out.append(f"avoiding places {', '.join(sorted(self.avoid_nodes))}")
        if self.avoid_links:
            out.append(f"avoiding links {', '.join(sorted(self.avoid_links))}")
        if self.avoid_borders:
            pairs = sorted("-".join(sorted(p)) for p in self.avoid_borders)
            out.append(f"avoiding borders {', '.join(pairs)}")
        return out


def words(values: Iterable[str] | str | None) -> list[str]:
    """Split option values given as a string, a list, or comma-separated items."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out += [part.strip() for part in str(value).split(",") if part.strip()]
    return out


def _waypoints(via: Sequence[str | Sequence[str]] | None) -> tuple[WaypointSpec, ...]:
    if isinstance(via, str):
        via = [via]
    return tuple(p if isinstance(p, str) else tuple(str(x) for x in p) for p in via or ())


def _validated(given: Mapping[str, Any]) -> RouteOptions:
    by = given.get("by", "time")
    statuses = given.get("statuses")
    year = given.get("year")
    modes = given.get("modes")
    avoid_borders = given.get("avoid_borders")
    value_of_time = given.get("value_of_time")
    key = objective(by).name
    chosen = {s.lower() for s in words(statuses)} or {"operational"}
    if given.get("include_planned"):
        chosen |= {"operational", "under_construction", "planned"}
    bad = chosen - set(STATUSES)
    if bad:
        msg = f"unknown status {sorted(bad)[0]!r}; choose from: {', '.join(STATUSES)}"
        raise InvalidOptionError(msg)
    if year is not None and not 1850 <= int(year) <= 2100:
        msg = f"year={year} is out of range; give a year between 1850 and 2100"
        raise InvalidOptionError(msg)
    mode_set = None
    if modes is not None and words(modes):
        mode_set = {m.lower() for m in words(modes)}
        bad = mode_set - set(MODES)
        if bad:
            msg = f"unknown mode {sorted(bad)[0]!r}; choose from: {', '.join(MODES)}"
            raise InvalidOptionError(msg)
    countries = {c.upper() for c in words(given.get("avoid_countries"))}
    for code in countries:
        if len(code) != 2 or not code.isalpha():
            msg = f"avoid-country {code!r} is not an ISO 3166-1 alpha-2 code (e.g. TM, IR)"
            raise InvalidOptionError(msg)
    borders: set[frozenset[str]] = set()
    for pair in words(avoid_borders):
        parts = [p.strip().upper() for p in pair.replace(">", "-").replace(":", "-").split("-")]
        if len(parts) != 2 or not all(len(p) == 2 and p.isalpha() for p in parts):
            msg = f"avoid-border {pair!r} must be two ISO codes like KZ-TM"
            raise InvalidOptionError(msg)
        borders.add(frozenset(parts))
    if value_of_time is not None and not (
        math.isfinite(value_of_time) and 0 <= value_of_time <= 1e6
    ):
        msg = f"value of time {value_of_time} is out of range; give 0 to 1,000,000 USD per hour"
        raise InvalidOptionError(msg)
    crew = given.get("crew", 1)
    if crew is None:
        crew = 1
    if isinstance(crew, bool) or not isinstance(crew, int) or crew not in (0, 1, 2):
        msg = (
            f"crew={crew!r} is not a crew size; give 1 (one driver) or 2 (two drivers), "
            "or 0 for driving time without rests"
        )
        raise InvalidOptionError(msg)
    depart = given.get("depart")
    if isinstance(depart, str):
        try:
            depart = datetime.fromisoformat(depart.strip())
        except ValueError:
            msg = f"depart {depart!r} is not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM"
            raise InvalidOptionError(msg) from None
    if depart is not None and not isinstance(depart, datetime):
        msg = f"depart {depart!r} is not a date; give YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        raise InvalidOptionError(msg)
    if depart is not None and depart.tzinfo is not None:
        depart = depart.replace(tzinfo=None)  # timetables are in the ports' local time
    return RouteOptions(
        by=key,
        profile=given.get("profile"),
        via=_waypoints(given.get("via")),
        statuses=frozenset(chosen),
        year=None if year is None else int(year),
        modes=None if mode_set is None else frozenset(mode_set),
        avoid_countries=frozenset(countries),
        avoid_nodes=frozenset(given.get("avoid_nodes") or ()),
        avoid_links=frozenset(words(given.get("avoid_links"))),
        avoid_borders=frozenset(borders),
        value_of_time=value_of_time,
        crew=crew,
        depart=depart,
    )


def _close(word: str, known: Iterable[str]) -> str:
    import difflib

    hits = difflib.get_close_matches(word, sorted(known), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(hits)}?" if hits else ""


class _Names:
    """A network's countries, link ids and borders, each read from the tables when first asked.

    Link ids and borders are read from every direction of a link the network may be
    travelled in (the edges of its physical graph): a pass over every link, which a
    query that avoids only countries does not need.
    """

    def __init__(self, net: Network) -> None:
        self.table = net.nodes
        # weakly: the names are kept while the network lives, and must not keep it alive
        self.net = weakref.ref(net)

    @cached_property
    def countries(self) -> set[str]:
        return {str(c) for c in self.table.column("country") if c}

    @property
    def links(self) -> set[str]:
        return self._links_and_borders[0]

    @property
    def borders(self) -> set[frozenset[str]]:
        return self._links_and_borders[1]

    @cached_property
    def _links_and_borders(self) -> tuple[set[str], set[frozenset[str]]]:
        from corridors.graph.node_table import link_directions

        net = self.net()
        assert net is not None  # asked through check_names, which holds the network
        table = self.table
        country = table.column("country")
        links: set[str] = set()
        borders: set[frozenset[str]] = set()
        for link_id, u, v, _ in link_directions(net.link_columns, net.closed_directions):
            links.add(str(link_id))
            cu, cv = country[table.index[u]], country[table.index[v]]
            if cu and cv and cu != cv:
                borders.add(frozenset((str(cu), str(cv))))
        return links, borders


_NAMES: dict[int, tuple[weakref.ref[Any], _Names]] = {}


def _names_of(net: Network) -> _Names:
    """Return the network's names, kept while it lives."""
    hit = _NAMES.get(id(net))
    if hit is not None and hit[0]() is net:
        return hit[1]
    key = id(net)
    found = _Names(net)
    _NAMES[key] = (weakref.ref(net, lambda _: _NAMES.pop(key, None)), found)
    return found


def check_names(options: RouteOptions, net: Network) -> None:
    """Refuse avoided countries, links and borders the network does not have.

    An unknown name would otherwise avoid nothing and give an unconstrained route, so the
    API and the command line both refuse it here, with suggestions.

    Raises
    ------
    InvalidOptionError
        Naming the first unknown country, link or border and what would be right.
    """
    if not (options.avoid_countries or options.avoid_links or options.avoid_borders):
        return
    names = _names_of(net)
    # each kind of name read only if the query avoids one of that kind
    countries = names.countries if options.avoid_countries else set()
    for code in sorted(options.avoid_countries):
        if code not in countries:
            msg = (
                f"avoid-country {code!r} is not a country of the network"
                f"{_close(code, countries)} (countries: {', '.join(sorted(countries))})"
            )
            raise InvalidOptionError(msg)
    links = names.links if options.avoid_links else set()
    for link in sorted(options.avoid_links):
        if link not in links:
            msg = (
                f"avoid-link {link!r} is not a link id of the network{_close(link, links)} "
                "(`corridors data list links` lists them)"
            )
            raise InvalidOptionError(msg)
    borders = names.borders if options.avoid_borders else set()
    for pair in sorted(options.avoid_borders, key=sorted):
        if pair not in borders:
            shown = "-".join(sorted(pair))
            near = sorted("-".join(sorted(b)) for b in borders if b & pair)
            msg = f"avoid-border {shown} is not a border any link of the network crosses" + (
                f"; borders of {' and '.join(sorted(pair))}: {', '.join(near)}" if near else ""
            )
            raise InvalidOptionError(msg)
