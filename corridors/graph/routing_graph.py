"""The layered routing graph: a node per place and mode/gauge, each edge with its costs.

Transfers, gauge breaks and port lifts are edges between layers, so a path pays each where it
happens; the costs themselves come from :mod:`corridors.graph.cost_model`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np

from corridors.data.geodata import bulk_objects, give_back_memory, one_per_value
from corridors.data.vocabulary import TRANSFER_NODE_KINDS, is_water
from corridors.graph.compact import Coded, VertexIndex, VertexList, Vertices, sorted_unique
from corridors.graph.cost_model import (
    SUMMED,
    Component,
    Lookup,
    border_component,
    friction_component,
)
from corridors.graph.driving_rules import CREWS, DrivingRules, rules_from_geodata
from corridors.graph.edge_components import ColumnsBuilder, EdgeComponents
from corridors.graph.profiles import Profile
from corridors.graph.timetables import Timetable, timetables_from_geodata

if TYPE_CHECKING:
    from corridors.graph.network import Network

ORIGIN = "o"
DESTINATION = "d"
#: Marks the rail layer of cargo that boarded a train at a border post (see RoutingGraph).
HELD = "^boarded"


def _wait(
    node: str,
    mode: str,
    country: str,
    link_id: str,
    hours: float,
    source_ids: tuple[str, ...],
    note: str,
) -> Component:
    """Return the wait for a departure at ``node`` before sailing ``link_id``."""
    return Component(
        kind="wait",
        from_node=node,
        to_node=node,
        mode=mode,
        country=country,
        distance_km=0.0,
        time_h=hours,
        cost_usd=0.0,
        co2_kg=0.0,
        link_id=link_id,
        source_ids=source_ids,
        note=note,
    )


class RoutingGraph:
    """The virtual network for one cargo profile, as edge arrays.

    Each place has, per layer it serves (``rail:1520``, ``rail:1435``, ``road``,
    ``ferry``, ``sea``, ``pipeline``), an arrival node ``LAYER|in`` and a departure node
    ``LAYER|out``, plus an origin node ``o`` and a destination node ``d``. Links run from
    departure to arrival nodes; staying on the same layer is a free ``in → out`` edge;
    changing layer is a transfer edge ``a|in → b|out`` that carries the gauge-break,
    mode-transfer or port-handling friction. A path therefore pays every friction exactly
    where it changes layer, can change layer at most once per stop (no free
    transshipment by chaining two transfers), and cannot switch layers through ``o`` or
    ``d``, which have only outgoing and only incoming edges.

    A truck crosses a border at a road crossing: cargo that changes onto rail at a border
    post boards a copy of the rail layer (``LAYER^boarded``) whose links across the border
    arrive where the only ways on are by rail, or the end of the route; so no path puts a
    truck's load on a train for the crossing and back on the road on the other side.

    Attributes
    ----------
    profile
        The cargo profile the costs are for.
    vnodes
        ``(place, layer)`` for every virtual node; the index is the node number (a view
        of :attr:`vertices`, each pair made when asked for).
    index
        The node number of every ``(place, layer)`` (a look-up in :attr:`vertices`).
    vertices
        The virtual nodes as place and layer codes (:class:`~corridors.graph.compact.Vertices`).
    src, dst
        Edge end node numbers.
    distance_km, time_h, cost_usd, co2_kg
        Edge totals.
    kind
        ``link``, ``transfer``, ``start`` or ``end``.
    link_id, mode, status, open_year, u_place, v_place, u_country, v_country
        Edge attributes used to filter queries; the strings are held as codes
        (:attr:`coded`) and each of these gives an object array made when asked for.
    coded
        ``kind``, ``link_id``, ``mode``, ``status`` and the places and countries at the
        edges' ends, as :class:`~corridors.graph.compact.Coded` columns.
    components
        The cost items of each edge, in travel order: ``components[i]`` is a tuple of
        :class:`Component`, made when it is first asked for (the graph holds them as
        columns, see :mod:`corridors.graph.edge_components`).
    """

    def __init__(
        self,
        *,
        profile: Profile,
        vnodes: Sequence[tuple[str, str]] | Vertices,
        src: np.ndarray,
        dst: np.ndarray,
        distance_km: np.ndarray,
        time_h: np.ndarray,
        cost_usd: np.ndarray,
        co2_kg: np.ndarray,
        kind: Any,
        link_id: Any,
        mode: Any,
        status: Any,
        open_year: np.ndarray,
        u_place: Any,
        v_place: Any,
        u_country: Any,
        v_country: Any,
        components: Sequence[tuple[Component, ...]],
        index: Mapping[tuple[str, str], int] | None = None,
        timetables: dict[tuple[str, str], Timetable] | None = None,
        driving_rules: dict[int, DrivingRules | None] | None = None,
    ) -> None:
        # ``index`` is accepted from callers that kept one; it is always the vertices' own
        del index
        self.profile = profile
        self.vertices = vnodes if isinstance(vnodes, Vertices) else Vertices.of(vnodes)
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        self.distance_km = distance_km
        self.time_h = time_h
        self.cost_usd = cost_usd
        self.co2_kg = co2_kg
        self.open_year = open_year
        given = {
            "kind": kind,
            "link_id": link_id,
            "mode": mode,
            "status": status,
            "u_place": u_place,
            "v_place": v_place,
            "u_country": u_country,
            "v_country": v_country,
        }
        self.coded: dict[str, Coded] = {name: Coded.of(col) for name, col in given.items()}
        self.components = components
        #: sailings by (link id, node sailed from), for routes timed from a departure date
        self.timetables: dict[tuple[str, str], Timetable] = timetables or {}
        #: the driving-time rules of this profile's trucks, by crew size (None: no rules)
        self.driving_rules: dict[int, DrivingRules | None] = driving_rules or {}

    def __repr__(self) -> str:
        return (
            f"RoutingGraph(profile={self.profile.id!r}, n_nodes={self.n_nodes}, "
            f"n_edges={self.n_edges})"
        )

    @property
    def vnodes(self) -> VertexList:
        """``(place, layer)`` of every virtual node, made when asked for."""
        return VertexList(self.vertices)

    @property
    def index(self) -> VertexIndex:
        """The node number of every ``(place, layer)``."""
        return VertexIndex(self.vertices)

    @property
    def kind(self) -> np.ndarray:
        """Each edge's kind: ``link``, ``transfer``, ``start``, ``end`` or ``through``."""
        return self.coded["kind"].decode()

    @property
    def link_id(self) -> np.ndarray:
        """Each edge's link id (empty for edges that follow no link)."""
        return self.coded["link_id"].decode()

    @property
    def mode(self) -> np.ndarray:
        """Each edge's mode (empty for edges that follow no link)."""
        return self.coded["mode"].decode()

    @property
    def status(self) -> np.ndarray:
        """Each edge's link status."""
        return self.coded["status"].decode()

    @property
    def u_place(self) -> np.ndarray:
        """The place each edge leaves."""
        return self.coded["u_place"].decode()

    @property
    def v_place(self) -> np.ndarray:
        """The place each edge reaches."""
        return self.coded["v_place"].decode()

    @property
    def u_country(self) -> np.ndarray:
        """The country of the place each edge leaves."""
        return self.coded["u_country"].decode()

    @property
    def v_country(self) -> np.ndarray:
        """The country of the place each edge reaches."""
        return self.coded["v_country"].decode()

    def isin(self, name: str, values: Iterable[Any]) -> np.ndarray:
        """Return a boolean mask of the edges whose attribute ``name`` is one of ``values``.

        The same as ``numpy.isin(getattr(graph, name), list(values))``, on the codes.
        """
        return self.coded[name].isin(values)

    @property
    def n_nodes(self) -> int:
        """Number of virtual nodes."""
        return len(self.vertices)

    @property
    def n_edges(self) -> int:
        """Number of virtual edges."""
        return len(self.src)

    @cached_property
    def driving_h(self) -> np.ndarray:
        """Hours each edge is driven on the road (its road hauls), for hours-of-service weights."""
        comps = self.components
        if not isinstance(comps, EdgeComponents):  # components given as plain tuples
            return np.array(
                [
                    sum(c.time_h for c in cs if c.kind == "haul" and c.mode == "road")
                    for cs in comps
                ],
                dtype=float,
            )
        cols = comps.columns
        road_haul = cols.where("kind", "haul") & cols.where("mode", "road")
        out = np.zeros(self.n_edges, dtype=float)
        picked = road_haul[comps.items]
        edges = comps.edge_of_rows()[picked]
        hours = cols.floats["time_h"][comps.items[picked]]
        # in travel order, as a sum over each edge's components would add them
        for e, h in zip(edges.tolist(), hours.tolist(), strict=True):
            out[e] = out[e] + h
        return out

    @cached_property
    def _arrival_layers(self) -> list[str]:
        return [x for x in self.vertices.layers if x.endswith("|in")]

    def arrival_nodes(self, places: Iterable[str]) -> np.ndarray:
        """Return the arrival nodes (``LAYER|in``) of the given places, sorted."""
        return self.vertices.nodes(places, self._arrival_layers)


#: The edge arrays of a routing graph and their types.
_EDGE_COLUMNS: dict[str, Any] = {
    "src": np.int64,
    "dst": np.int64,
    "kind": object,
    "link_id": object,
    "mode": object,
    "status": object,
    "open_year": np.float64,
    "u_place": object,
    "v_place": object,
    "u_country": object,
    "v_country": object,
    "distance_km": np.float64,
    "time_h": np.float64,
    "cost_usd": np.float64,
    "co2_kg": np.float64,
}


#: The string columns, held as codes (see :class:`~corridors.graph.compact.Coded`).
_CODED = tuple(name for name, dtype in _EDGE_COLUMNS.items() if dtype is object)
#: The columns that follow from the edges' end nodes, made once all nodes are known.
_ENDS = ("u_place", "v_place", "u_country", "v_country")


def _column(values: list[Any], dtype: Any) -> np.ndarray:
    if dtype is object:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype=dtype)


def _layer(mode: str, gauge: Any) -> str:
    if mode == "rail":
        if gauge is None or (isinstance(gauge, float) and math.isnan(gauge)):
            return "rail:?"
        return f"rail:{int(gauge)}"
    return mode


def _layer_mode(layer: str) -> str:
    return layer.split(":", 1)[0]


#: Sort keys of the edges that follow the links (starts, ends, throughs and transfers) begin
#: here; each place's edges take PLACE_SPAN keys.
_PLACE_KEYS = 1 << 40
_PLACE_SPAN = 1 << 16


#: The cells of a link row that its one-by-one edges read (``id`` becomes ``link_id``).
_LINK_CELLS = (
    "mode",
    "length_km",
    "source_id",
    "headway_h",
    "sailing_h",
    "speed_kph",
    "gauge_mm",
    "status",
    "open_year",
    "id",
)


def _py(value: Any) -> Any:
    """Return a numpy scalar as the Python value a table's row holds."""
    return value.item() if isinstance(value, np.generic) else value


class _Edges:
    """Edges collected one at a time, with their components as objects, and a sort key."""

    def __init__(self, comps: ColumnsBuilder) -> None:
        self.comps = comps
        self.cols: dict[str, list[Any]] = {name: [] for name in _EDGE_COLUMNS if name not in _ENDS}
        self.key: list[int] = []
        self.count: list[int] = []
        self.items: list[int] = []

    def add(
        self,
        key: int,
        ends: tuple[int, int],
        kind: str,
        comps: list[Component],
        *,
        link_id: str = "",
        mode: str = "",
        status: str = "operational",
        open_year: float = math.nan,
    ) -> None:
        a, b = ends
        for name, value in (
            ("src", a),
            ("dst", b),
            ("kind", kind),
            ("link_id", link_id),
            ("mode", mode),
            ("status", status),
            ("open_year", open_year),
            ("distance_km", sum(c.distance_km for c in comps)),
            ("time_h", sum(c.time_h for c in comps)),
            ("cost_usd", sum(c.cost_usd for c in comps)),
            ("co2_kg", sum(c.co2_kg for c in comps)),
        ):
            self.cols[name].append(value)
        self.key.append(key)
        self.count.append(len(comps))
        self.items.extend(self.comps.add(c) for c in comps)

    def arrays(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: Coded.of(values) if name in _CODED else _column(values, _EDGE_COLUMNS[name])
            for name, values in self.cols.items()
        }
        out["key"] = np.asarray(self.key, dtype=np.int64)
        out["count"] = np.asarray(self.count, dtype=np.int64)
        out["items"] = np.asarray(self.items, dtype=np.int64)
        return out


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Return each value's position in the list of distinct values (first seen first)."""
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), list(uniques)


def _named(
    factorized: tuple[np.ndarray, list[Any]], names: Sequence[Any] | np.ndarray
) -> tuple[np.ndarray, list[Any]]:
    """Return factorized codes with each distinct code replaced by its name."""
    codes, values = factorized
    if isinstance(names, np.ndarray) and names.dtype == object:
        # one gather instead of a Python step per value (a million link ends); an object
        # array gives back the very objects it holds
        return codes, names[np.asarray(values, dtype=np.int64)].tolist()
    return codes, [names[int(x)] for x in values]


def _objects(values: Any) -> np.ndarray:
    return _column(list(values), object)


class _Basis:
    """What every profile's build reads from the node and link tables in the same way.

    Made once per network (see :func:`_basis`) and shared by its profiles' builds: at a
    million links, turning the table columns into arrays and place codes is a few seconds
    of each build, and the graphs built from one basis share its place and link id strings.
    """

    def __init__(self, net: Network) -> None:
        self.nodes_table = net.geodata.nodes
        self.links_table = net.geodata.links
        # the network's own views of the tables: the node ids, countries, kinds and link
        # ids a graph keeps are then the strings the network holds anyway
        self.nodes = net.nodes
        self.links = net.link_columns
        # a repeated id keeps its last row, as the physical graph does (so does the index)
        self.places = np.array(sorted(self.nodes.index), dtype=object)

    def serves(self, net: Network) -> bool:
        """Whether the network still has the tables this basis was read from."""
        return net.geodata.nodes is self.nodes_table and net.geodata.links is self.links_table

    def country(self, place: str) -> str:
        """Return a place's country ('' where the table gives none)."""
        return str(self.nodes.column("country")[self.nodes.index[place]] or "")

    def kind(self, place: str) -> Any:
        """Return a place's kind as the table gives it (None for a place not a node)."""
        return self.nodes.value(place, "kind")

    @cached_property
    def country_of(self) -> np.ndarray:
        """Each place's country, in place order."""
        countries, index = self.nodes.column("country"), self.nodes.index
        return _objects(str(countries[index[p]] or "") for p in self.places.tolist())

    @cached_property
    def link_arrays(self) -> dict[str, Any]:
        """The link columns every build reads, and each link end's place code (-1: none).

        Text columns with few distinct values are held as references to one string per
        value, and the ends as codes only: the basis is kept while the network lives.
        """
        links = self.links_table
        mode = _interned(links["mode"])
        # each link end's place code, looked up once per link (not per direction), in a
        # dict: a hash index over a million object cells costs several times more
        at = {p: i for i, p in enumerate(self.places.tolist())}
        ends = [
            np.fromiter((at.get(x, -1) for x in self.links[name]), np.int64, len(self.links[name]))
            for name in ("u", "v")
        ]
        del at
        link_id = _objects(str(x) for x in self.links["id"])
        # the ids' sort ranks over the table: the order of the links in every graph
        _, id_rank = np.unique(link_id, return_inverse=True)
        gauge = links["gauge_mm"].to_numpy(dtype=np.float64)
        layer = mode.copy()
        rail = np.flatnonzero(mode == "rail")
        if len(rail):
            codes, values = _factorize(gauge[rail])
            layer[rail] = np.array([_layer("rail", g) for g in values], dtype=object)[codes]
        return {
            "mode": mode,
            "only": links["profiles"].tolist(),
            "oneway": np.array([bool(x) for x in self.links["oneway"]], dtype=bool),
            "u_code": ends[0],
            "v_code": ends[1],
            "link_id": link_id,
            "id_rank": id_rank.reshape(-1),
            "layer": layer,
        }

    def directed_ends(self, rows: np.ndarray, forward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return where directions of the given links start and end, as the table names them.

        ``forward`` says, per direction, whether it runs from the link's ``u`` to its ``v``.
        """
        u = self.links_table["u"].iloc[rows].to_numpy(dtype=object)
        v = self.links_table["v"].iloc[rows].to_numpy(dtype=object)
        return np.where(forward, u, v), np.where(forward, v, u)

    @cached_property
    def status(self) -> np.ndarray:
        """Each link's status."""
        return _interned(self.links_table["status"], text=True)

    @cached_property
    def mode_codes(self) -> tuple[np.ndarray, list[Any]]:
        """Each link's mode as a code into the distinct modes (first seen first)."""
        return _factorize(self.link_arrays["mode"])

    @cached_property
    def link_codes(self) -> tuple[np.ndarray, list[Any]]:
        """Each link's id as a code into the distinct ids (first seen first)."""
        return _factorize(self.link_arrays["link_id"])

    @cached_property
    def status_codes(self) -> tuple[np.ndarray, list[Any]]:
        """Each link's status as a code into the distinct statuses (first seen first)."""
        return _factorize(self.status)

    @cached_property
    def country_codes(self) -> tuple[np.ndarray, list[Any]]:
        """Each place's country as a code into the distinct countries (first seen first)."""
        return _factorize(self.country_of)

    def coded(self, name: str) -> Coded:
        """Return one of the factorized link columns above as a :class:`Coded` column."""
        codes, values = getattr(self, name)
        return Coded(codes, _objects(values))

    @cached_property
    def cited(self) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """Each link's own source ids: a code per link into the distinct tuples of ids."""
        return _factorize(_objects(tuple(s or ()) for s in self.links_table["source_id"].tolist()))


def _interned(column: Any, *, text: bool = False) -> np.ndarray:
    """Return a column as an object array holding one object per distinct value.

    The values ``column.tolist()`` gives (``str`` of each with ``text``), as the build read
    them before, without a new string per cell.
    """
    values = one_per_value(column, always=True)
    if text:
        values = [x if isinstance(x, str) else str(x) for x in values]
    return _objects(values)


#: A build of at least this many edges hands the memory of its temporary columns back to
#: the system when it ends (about 100 MB at 10^5 edges, a gigabyte at a million links).
_TRIM_AFTER_EDGES = 100_000

_BASES: WeakKeyDictionary[Network, _Basis] = WeakKeyDictionary()


def _basis(net: Network) -> _Basis:
    """Return the network's build basis, made on its first build (again if its tables changed)."""
    held = _BASES.get(net)
    if held is not None and not held.serves(net):
        # tables replaced under the network: what it read from the old ones is stale too
        net.forget_table_views()
        held = None
    if held is None:
        held = _BASES[net] = _Basis(net)
    return held


class _Builder:
    """Builds a routing graph from the link and node tables, a column at a time.

    Edges whose cost is one plain haul (a land link within one country, nearly all of a
    large network) are made as arrays; the few others (sea and ferry links, border
    crossings, the copies boarded at border posts, transfers and port lifts) one at a
    time from their components. Every edge gets a sort key that puts it where the
    definition in :class:`RoutingGraph` orders it: the links by id and ends, each followed
    by its boarded copy, then per place (sorted) its start, end and through edges per layer
    and its transfers.
    """

    def __init__(self, net: Network, profile: Profile) -> None:
        self.net = net
        self.profile = profile
        self.look = Lookup(net.geodata, profile)
        self.timetables = timetables_from_geodata(net.geodata)
        self.basis = _basis(net)
        # the nodes: two per (place, layer) pair of the links (``pairs``), then those added
        # one at a time (the boarded layers), then an origin and a destination per place
        # served; each as a place code and a layer code (see Vertices)
        self.places = self.basis.places
        self.layer_names: list[str] = []
        self.layer_code: dict[str, int] = {}
        self.pairs = np.zeros(0, dtype=np.int64)
        self.n_layers = 1
        self.added: dict[tuple[str, str], int] = {}
        self.added_place: list[int] = []
        self.added_layer: list[int] = []
        self.served: np.ndarray | None = None
        # each place's code: its position in the sorted places
        self.place_at = dict(zip(self.places.tolist(), range(len(self.places))))
        # the hauls' ends and link ids are given as the basis' codes (see plain_hauls)
        link_values = self.basis.link_codes[1]
        self.comps = ColumnsBuilder(
            numbered={
                "from_node": self.place_at,
                "to_node": self.place_at,
                "link_id": dict(zip(link_values, range(len(link_values)))),
            }
        )
        self.one_by_one = _Edges(self.comps)
        # the cells of the links the one-by-one edges follow (a few thousand of millions),
        # by column, and each such link's position in them: a table look-up per cell costs
        # more than building the whole edge
        self.link_cells: dict[str, np.ndarray] = {}
        self.link_at: dict[int, int] = {}

    def layer(self, name: str) -> int:
        """Return a layer name's code, giving it one if it has none yet."""
        code = self.layer_code.get(name)
        if code is None:
            code = self.layer_code[name] = len(self.layer_names)
            self.layer_names.append(name)
        return code

    def find(self, place: str, layer: str) -> int | None:
        """Return the node number of ``(place, layer)``, or None if there is none yet."""
        found = self.added.get((place, layer))
        if found is not None:
            return found
        rank = self.place_at.get(place)
        if rank is None:
            return None
        if layer in (ORIGIN, DESTINATION):
            if self.served is None:
                return None
            k = int(np.searchsorted(self.served, rank))
            if k >= len(self.served) or int(self.served[k]) != rank:
                return None
            first = 2 * len(self.pairs) + len(self.added_place)
            return first + 2 * k + (layer == DESTINATION)
        base, _, end = layer.rpartition("|")
        code = self.layer_code.get(f"{base}|in")
        if end not in ("in", "out") or code is None or code >= self.n_layers:
            return None
        key = rank * self.n_layers + code
        j = int(np.searchsorted(self.pairs, key))
        if j >= len(self.pairs) or int(self.pairs[j]) != key:
            return None
        return 2 * j + (end == "out")

    def node(self, place: str, layer: str) -> int:
        """Return the node number of ``(place, layer)``, adding the node if it is new."""
        found = self.find(place, layer)
        if found is not None:
            return found
        if self.served is not None:
            msg = f"no node {place} {layer} to add after the places' own"
            raise ValueError(msg)
        found = self.added[(place, layer)] = 2 * len(self.pairs) + len(self.added_place)
        self.added_place.append(self.place_at[place])
        self.added_layer.append(self.layer(layer))
        return found

    def at(self, place: str, layer: str) -> int:
        """Return the node number of ``(place, layer)``, which must exist."""
        found = self.find(place, layer)
        if found is None:
            raise KeyError((place, layer))
        return found

    def country(self, place: str) -> str:
        return self.basis.country(place)

    def terminal(self, place: str) -> bool:
        """Whether the default mode transfer applies at ``place`` (see TRANSFER_NODE_KINDS)."""
        return str(self.basis.kind(place) or "") in TRANSFER_NODE_KINDS

    def ends(self, a: int, b: int) -> tuple[int, int]:
        return a, b

    def link_components(self, u: str, v: str, data: dict[str, Any]) -> list[Component]:
        mode = str(data["mode"])
        km = float(data["length_km"])
        cu, cv = self.country(u), self.country(v)
        water = is_water(mode)
        haul_country = "" if water else cu
        link_ids = tuple(data.get("source_id") or ())
        comps: list[Component] = []
        speed_ids: tuple[str, ...] = ()
        headway = data.get("headway_h")
        sails = self.timetables.get((str(data["link_id"]), u)) if water else None
        if sails is not None:
            comps.append(
                _wait(
                    u,
                    mode,
                    cu,
                    str(data["link_id"]),
                    sails.expected_wait_h(),
                    sails.source_ids,
                    f"expected wait for a sailing ({sails.describe()}; {sails.id})",
                )
            )
        elif mode == "ferry" and headway is not None and not math.isnan(headway):
            comps.append(
                _wait(
                    u,
                    mode,
                    cu,
                    str(data["link_id"]),
                    float(headway) / 2.0,
                    link_ids,
                    "waiting for a departure: half the headway",
                )
            )
        sailing = data.get("sailing_h")
        speed = data.get("speed_kph")
        if water and sailing is not None and not math.isnan(sailing):
            hours = float(sailing)
        else:
            if speed is None or math.isnan(speed):
                speed, speed_ids = self.look.speed(mode, cu)
            hours = km / float(speed)
        per_km, per_unit, rate_ids = self.look.rate(str(data["link_id"]), mode, cu)
        co2_km, co2_ids = self.look.co2_per_km(mode)
        gauge = data.get("gauge_mm")
        comps.append(
            Component(
                kind="haul",
                from_node=u,
                to_node=v,
                mode=mode,
                country=haul_country,
                distance_km=km,
                time_h=hours,
                cost_usd=per_km * km + per_unit,
                co2_kg=co2_km * km,
                gauge_mm=None if gauge is None or math.isnan(gauge) else int(gauge),
                status=str(data["status"]),
                link_id=str(data["link_id"]),
                source_ids=tuple(dict.fromkeys(link_ids + speed_ids + rate_ids + co2_ids)),
            )
        )
        if cu != cv:
            rows = self.look.border_rows(u, v, (cu, cv), mode)
            border = border_component(rows, u, v, mode, f"{cu}>{cv}")
            if border is None:
                # Still a border crossing; with no row, clearance is in the port frictions.
                border = Component(
                    kind="border",
                    from_node=u,
                    to_node=v,
                    mode=mode,
                    country=f"{cu}>{cv}",
                    distance_km=0.0,
                    time_h=0.0,
                    cost_usd=0.0,
                    co2_kg=0.0,
                    note="no border row for this crossing: clearance counted in port handling"
                    if water
                    else "no border row for this crossing: no dwell or fee charged",
                )
            comps.append(border)
            risk = friction_component(self.look.risk_row(cv, mode), "risk", u, v, mode, cv)
            if risk is not None:
                comps.append(replace(risk, friction_ids=(str(risk.friction_id),)))
        return comps

    def transfer_components(self, place: str, a: str, b: str) -> list[Component] | None:
        ma, mb = _layer_mode(a), _layer_mode(b)
        country = self.country(place)
        if ma == mb == "rail":
            row = self.look.friction("gauge_break", place, mode="rail", to_mode="rail")
            comp = friction_component(row, "gauge_break", place, place, "rail", country)
        elif is_water(ma) or is_water(mb):
            water = ma if is_water(ma) else mb
            # a box the ship brings and the land takes is discharged; the other way, loaded
            side = "" if is_water(ma) == is_water(mb) else "discharge" if is_water(ma) else "load"
            row = self.look.friction("port", place, mode=water, to_mode="*", side=side)
            comp = friction_component(row, "port", place, place, f"{ma}>{mb}", country)
        else:
            row = self.look.friction("transfer", place, mode=ma, to_mode=mb)
            if row is not None and row["node"] == "*" and not self.terminal(place):
                return None
            comp = friction_component(row, "transfer", place, place, f"{ma}>{mb}", country)
        # No friction row, or only the default at a place with no terminal: not offered.
        return None if comp is None else [comp]

    # -- the links

    def directed_links(self) -> dict[str, np.ndarray]:
        """Return the usable links in each direction they run, sorted by link id and ends."""
        import pandas as pd

        table = self.basis.link_arrays
        mode, link_id = table["mode"], table["link_id"]
        usable = np.array(pd.Series(mode).isin(list(self.profile.modes)), dtype=bool)
        usable &= np.array(
            [not (p or []) or self.profile.id in (p or []) for p in table["only"]], dtype=bool
        )
        ahead = np.flatnonzero(usable)
        back = np.flatnonzero(usable & ~table["oneway"])
        row = np.concatenate([ahead, back])
        # a direction runs from the link's u to its v (the table's ends are read only for
        # messages and closed directions: a few links)
        forward = np.arange(len(row)) < len(ahead)
        u_code, v_code = table["u_code"], table["v_code"]
        ur = np.concatenate([u_code[ahead], v_code[back]])
        vr = np.concatenate([v_code[ahead], u_code[back]])
        closed: frozenset[tuple[str, str, str]] = getattr(
            self.net, "closed_directions", frozenset()
        )
        if closed:
            named = np.flatnonzero(np.isin(link_id[row], sorted({c[0] for c in closed})))
            a, b = self.basis.directed_ends(row[named], forward[named])
            shut = [
                i
                for i, x, y in zip(named.tolist(), a.tolist(), b.tolist(), strict=True)
                if (link_id[row[i]], x, y) in closed
            ]
            keep = np.ones(len(row), dtype=bool)
            keep[shut] = False
            row, ur, vr, forward = row[keep], ur[keep], vr[keep], forward[keep]
        if (ur < 0).any() or (vr < 0).any():
            from corridors.errors import GeodataError

            bad = np.flatnonzero((ur < 0) | (vr < 0))
            a, b = self.basis.directed_ends(row[bad], forward[bad])
            missing = sorted({str(x) for x in [*a[ur[bad] < 0], *b[vr[bad] < 0]]})
            msg = f"links.csv: link ends that are not nodes in nodes.csv: {', '.join(missing[:5])}"
            raise GeodataError(msg)
        # the ends as the nodes' own strings, which the graph keeps anyway
        eu, ev = self.places[ur], self.places[vr]
        id_rank = table["id_rank"][row]
        order = np.lexsort((vr, ur, id_rank))
        return {
            "row": row[order],
            "u": eu[order],
            "v": ev[order],
            "ur": ur[order],
            "vr": vr[order],
            "layer": table["layer"][row[order]],
            "places": self.places,
            "link_id": link_id,
            "mode": mode,
        }

    def read_links(self, rows: np.ndarray) -> None:
        """Keep the cells of the given link rows for :meth:`link_data`."""
        rows = sorted_unique(rows)
        part = self.net.geodata.links.iloc[rows]
        self.link_cells = {name: part[name].to_numpy(dtype=object) for name in _LINK_CELLS}
        self.link_at = {r: i for i, r in enumerate(rows.tolist())}

    def link_data(self, row: int) -> dict[str, Any]:
        """Return one link's cells as the physical graph's edge holds them."""
        at = self.link_at[row]
        data = {name: _py(self.link_cells[name][at]) for name in _LINK_CELLS}
        data["link_id"] = data.pop("id")
        return data

    def plain_hauls(
        self, e: dict[str, np.ndarray], plain: np.ndarray, cu: np.ndarray
    ) -> dict[str, Any]:
        """Return the one haul of each plain link edge as columns, its rows in the columns.

        ``cu`` is the country code (:attr:`_Basis.country_codes`) where each edge starts.
        """
        links = self.net.geodata.links
        basis = self.basis
        row = e["row"]
        # the text columns are factorized as the network's codes of them: the same codes
        # and values as factorizing the strings, without hashing millions of them
        mode_codes, mode_values = basis.mode_codes
        mode = mode_codes[row]
        km = links["length_km"].to_numpy(dtype=np.float64)[row]
        own_speed = links["speed_kph"].to_numpy(dtype=np.float64)[row]
        sailing = links["sailing_h"].to_numpy(dtype=np.float64)[row]
        m_code, m_values = _named(_factorize(mode), mode_values)
        water = np.array([is_water(str(m)) for m in m_values], dtype=bool)[m_code]
        needs_speed = ~(water & ~np.isnan(sailing)) & np.isnan(own_speed)
        link_codes, link_values = basis.link_codes
        link_id = link_codes[row]
        # the rates, speeds and emission factors every link edge needs, looked up once per
        # kind of edge and in the order the edges come, so a missing row fails as the
        # first edge that needs it would
        # each distinct link id asked once (a link runs both ways, and its pieces share it)
        l_code, l_values = _named(_factorize(link_id), link_values)
        own_rate = self.look.have_own_rates(l_values)
        own_rate = own_rate[l_code] if len(l_values) else np.zeros(len(link_id), dtype=bool)
        # the link's own id where a rate row names it, else "" (code 0)
        rate_link = np.where(own_rate, link_id + 1, 0)
        country_values = basis.country_codes[1]
        c_code, c_values = _named(_factorize(cu), country_values)
        r_code, r_values = _named(_factorize(rate_link), ["", *link_values])
        key = ((m_code * len(c_values) + c_code) * 2 + needs_speed) * len(r_values) + r_code
        k_code, k_values = _factorize(key)
        found = []
        for k in k_values:
            k = int(k)
            r = k % len(r_values)
            rest = k // len(r_values)
            need, rest = rest % 2, rest // 2
            m, c = str(m_values[rest // len(c_values)]), str(c_values[rest % len(c_values)])
            speed = self.look.speed(m, c) if need else (math.nan, ())
            rate = self.look.rate(str(r_values[r]) or "", m, c)
            found.append((speed, rate, self.look.co2_per_km(m)))
        kph = np.array([f[0][0] for f in found], dtype=np.float64)[k_code]
        per_km = np.array([f[1][0] for f in found], dtype=np.float64)[k_code]
        per_unit = np.array([f[1][1] for f in found], dtype=np.float64)[k_code]
        co2 = np.array([f[2][0] for f in found], dtype=np.float64)[k_code]
        p = plain
        speed = np.where(needs_speed, kph, own_speed)[p]
        hours = km[p] / speed
        # the link's own sources, then the speed's, the rate's and the factor's, each once
        cited_code, cited_values = self.basis.cited
        s_code, s_local = _factorize(cited_code[row[p]])
        s_values = [cited_values[int(c)] for c in s_local]
        combo = s_code * len(k_values) + k_code[p]
        c_combo, c_uniq = _factorize(combo)
        source_values = []
        for c in c_uniq:
            s, k = divmod(int(c), len(k_values))
            speed_ids = found[k][0][1]  # empty where the link states its own speed
            source_values.append(
                tuple(dict.fromkeys(s_values[s] + speed_ids + found[k][1][2] + found[k][2][1]))
            )
        gauge = links["gauge_mm"].to_numpy(dtype=np.float64)[row[p]]
        g_code, g_values = _factorize(gauge)
        g_values = [None if math.isnan(g) else int(g) for g in g_values]
        status_codes, status_values = basis.status_codes
        status = _named(_factorize(status_codes[row[p]]), status_values)
        floats = {
            "distance_km": km[p],
            "time_h": hours,
            "cost_usd": per_km[p] * km[p] + per_unit[p],
            "co2_kg": co2[p] * km[p],
        }
        rows = self.comps.add_many(
            floats,
            coded={
                "mode": _named(_factorize(mode[p]), mode_values),
                "country": _named(_factorize(cu[p]), country_values),
                "gauge_mm": (g_code, g_values),
                "status": status,
                "source_ids": (c_combo, source_values),
            },
            # the ends' place codes and the link id codes, as the component builder numbers
            # them: no string of the million is hashed again
            numbered={"from_node": e["ur"][p], "to_node": e["vr"][p], "link_id": link_id[p]},
            same={
                "kind": "haul",
                "friction_id": None,
                "friction_ids": (),
                "note": "",
            },
        )
        return {"rows": rows, "status": status, **floats}

    def build(self) -> RoutingGraph:
        e = self.directed_links()
        places = e["places"]
        country_of = self.basis.country_of
        layers = sorted(set(e["layer"].tolist()))
        n_layers = max(1, len(layers))
        layer_code = np.searchsorted(np.array(layers, dtype=object), e["layer"]).astype(np.int64)
        # every place serves the layers of the links at it: an arrival and a departure node
        # per (place, layer), in place and layer order
        pairs = sorted_unique(
            np.concatenate([e["ur"] * n_layers + layer_code, e["vr"] * n_layers + layer_code])
        )
        pair_place, pair_layer = pairs // n_layers, pairs % n_layers
        ins = [f"{x}|in" for x in layers]
        outs = [f"{x}|out" for x in layers]
        # the arrival layers take codes 0..n-1, in the order of ``pair_layer``
        for name in ins + outs:
            self.layer(name)
        self.pairs, self.n_layers = pairs, n_layers
        # the places with two layers or more: the only ones where cargo can change layer
        present: dict[str, list[str]] = {}
        several = np.flatnonzero(
            np.concatenate([[False], pair_place[1:] == pair_place[:-1]])
            | np.concatenate([pair_place[1:] == pair_place[:-1], [False]])
        )
        for p, x in zip(places[pair_place[several]].tolist(), pair_layer[several].tolist()):
            present.setdefault(p, []).append(layers[x])
        # border posts where cargo may change onto rail: the rail layers it boards there
        loaded: dict[str, set[str]] = {}
        for place, here in present.items():
            if self.basis.kind(place) != "border":
                continue
            rails = {x for x in here if _layer_mode(x) == "rail"}
            if rails and any(_layer_mode(x) != "rail" for x in here):
                loaded[place] = rails
        at = np.searchsorted(pairs, e["ur"] * n_layers + layer_code)
        to = np.searchsorted(pairs, e["vr"] * n_layers + layer_code)
        src, dst = 2 * at + 1, 2 * to
        # compared as codes: a test per distinct mode and country, not per edge and string
        m_code, m_values = self.basis.mode_codes
        water = np.array([is_water(str(m)) for m in m_values], dtype=bool)[m_code]
        c_code = self.basis.country_codes[0]
        cu = c_code[e["ur"]]
        same_country = cu == c_code[e["vr"]]
        plain = np.flatnonzero(~water[e["row"]] & same_country)
        hauls = self.plain_hauls(e, plain, cu)
        links = self.net.geodata.links
        open_year = links["open_year"].to_numpy(dtype=np.float64)
        is_plain = np.zeros(len(src), dtype=bool)
        is_plain[plain] = True
        held: dict[str, set[str]] = {}
        boards = (
            np.isin(e["ur"], np.searchsorted(places, sorted(loaded)))
            if loaded
            else np.zeros(len(src), dtype=bool)
        )
        one_by_one = np.flatnonzero(~is_plain | boards)
        self.read_links(e["row"][one_by_one])
        for i in one_by_one.tolist():
            u, v, layer = str(e["u"][i]), str(e["v"][i]), str(e["layer"][i])
            data = self.link_data(int(e["row"][i]))
            attrs: dict[str, Any] = {
                "link_id": str(data["link_id"]),
                "mode": str(data["mode"]),
                "status": str(data["status"]),
                "open_year": float(open_year[e["row"][i]]),
            }
            if not is_plain[i]:
                self.one_by_one.add(
                    2 * i,
                    self.ends(int(src[i]), int(dst[i])),
                    "link",
                    self.link_components(u, v, data),
                    **attrs,
                )
            if layer in loaded.get(u, ()):
                # cargo put on the train at a border post: crossing on that train arrives
                # where it cannot go back onto the road (a truck crosses at a road crossing)
                crossing = self.country(u) != self.country(v)
                if crossing:
                    held.setdefault(v, set()).add(layer)
                self.one_by_one.add(
                    2 * i + 1,
                    self.ends(
                        self.node(u, f"{layer}{HELD}|out"),
                        self.node(v, f"{layer}{HELD if crossing else ''}|in"),
                    ),
                    "link",
                    self.link_components(u, v, data),
                    **attrs,
                )
        plain_rows = e["row"][plain]
        batch = {
            "src": src[plain],
            "dst": dst[plain],
            "kind": Coded.constant("link", len(plain)),
            "link_id": self.basis.coded("link_codes").take(plain_rows),
            "mode": self.basis.coded("mode_codes").take(plain_rows),
            "status": Coded(hauls["status"][0], _objects(hauls["status"][1])),
            "open_year": open_year[plain_rows],
            # a sum of one component, as the edges built one by one add theirs
            **{name: 0 + hauls[name] for name in SUMMED},
            "key": 2 * plain,
            "count": np.ones(len(plain), dtype=np.int64),
            "items": hauls["rows"],
        }
        stops = self.place_edges(places, pairs, pair_place, pair_layer, layers)
        self.place_extras(places, present, loaded, held, pair_place, pair_layer, layers)
        parts = [batch, self.one_by_one.arrays(), stops]
        # the link columns are in the parts now: let them go before the graph is assembled
        del e, hauls, batch, stops, src, dst, plain, plain_rows, one_by_one, is_plain, boards
        return self.assemble(parts, country_of)

    # -- the places

    def place_edges(
        self,
        places: np.ndarray,
        pairs: np.ndarray,
        pair_place: np.ndarray,
        pair_layer: np.ndarray,
        layers: list[str],
    ) -> dict[str, Any]:
        """Return every place's start, end and through edge per layer, as columns."""
        served = sorted_unique(pair_place)
        first = 2 * len(pairs) + len(self.added_place)
        self.served = served
        k = np.searchsorted(served, pair_place)
        o, d = first + 2 * k, first + 2 * k + 1
        arrive, depart = 2 * np.arange(len(pairs)), 2 * np.arange(len(pairs)) + 1
        # a layer's position among its place's layers
        starts = np.searchsorted(pair_place, pair_place)
        rank = np.arange(len(pairs)) - starts
        base = _PLACE_KEYS + pair_place * _PLACE_SPAN + 3 * rank
        water = np.array([is_water(_layer_mode(x)) for x in layers], dtype=bool)[pair_layer]
        # starting or ending on a ship means a port lift at this place
        for j in np.flatnonzero(water).tolist():
            place, layer = str(places[pair_place[j]]), layers[pair_layer[j]]
            load = self.transfer_components(place, "road", layer) or []
            unload = self.transfer_components(place, layer, "road") or []
            self.one_by_one.add(int(base[j]), self.ends(int(o[j]), int(depart[j])), "start", load)
            self.one_by_one.add(
                int(base[j]) + 1, self.ends(int(arrive[j]), int(d[j])), "end", unload
            )
        dry = np.flatnonzero(~water)
        src = np.concatenate([o[dry], arrive[dry], arrive])
        dst = np.concatenate([depart[dry], d[dry], depart])
        key = np.concatenate([base[dry], base[dry] + 1, base + 2])
        kinds = np.array(["start", "end", "through"], dtype=object)
        kind = Coded(np.repeat([0, 1, 2], [len(dry), len(dry), len(pairs)]), kinds)
        n = len(src)
        zero = np.zeros(n, dtype=np.float64)
        return {
            "src": src,
            "dst": dst,
            "kind": kind,
            "link_id": Coded.constant("", n),
            "mode": Coded.constant("", n),
            "status": Coded.constant("operational", n),
            "open_year": np.full(n, math.nan),
            **dict.fromkeys(SUMMED, zero),
            "key": key,
            "count": np.zeros(n, dtype=np.int64),
            "items": np.zeros(0, dtype=np.int64),
        }

    def place_extras(
        self,
        places: np.ndarray,
        present: dict[str, list[str]],
        loaded: dict[str, set[str]],
        held: dict[str, set[str]],
        pair_place: np.ndarray,
        pair_layer: np.ndarray,
        layers: list[str],
    ) -> None:
        """Add the transfers, and the ways on from a train boarded at a border post."""
        for place in sorted(set(present) | set(held)):
            rank = int(np.searchsorted(places, place))
            lo, hi = np.searchsorted(pair_place, [rank, rank + 1])
            here = [layers[x] for x in pair_layer[lo:hi].tolist()]
            key = _PLACE_KEYS + rank * _PLACE_SPAN + 3 * len(here)
            d = self.at(place, DESTINATION)

            def add(a: int, b: int, kind: str, comps: list[Component]) -> None:
                nonlocal key
                self.one_by_one.add(key, self.ends(a, b), kind, comps)
                key += 1

            for layer in sorted(held.get(place, ())):
                # arrived on a train boarded at the border post across the line: go on by
                # rail (a gauge break included) or end here, but no change onto the road
                arrive = self.at(place, f"{layer}{HELD}|in")
                add(arrive, d, "end", [])
                add(arrive, self.at(place, f"{layer}|out"), "through", [])
                for b in here:
                    if b != layer and _layer_mode(b) == "rail":
                        comps = self.transfer_components(place, layer, b)
                        if comps is not None:
                            add(arrive, self.at(place, f"{b}|out"), "transfer", comps)
            for a in here:
                for b in here:
                    comps = self.transfer_components(place, a, b) if a != b else None
                    boards = _layer_mode(a) != "rail" and b in loaded.get(place, ())
                    if comps is not None:
                        add(
                            self.at(place, f"{a}|in"),
                            self.at(place, f"{b}{HELD if boards else ''}|out"),
                            "transfer",
                            comps,
                        )
            if key >= _PLACE_KEYS + (rank + 1) * _PLACE_SPAN:
                msg = f"too many transfers at {place} to order"
                raise ValueError(msg)

    def vertices(self) -> Vertices:
        """Return every node as a place code and a layer code, in node order."""
        served = self.served if self.served is not None else np.zeros(0, dtype=np.int64)
        pair_place = self.pairs // self.n_layers
        pair_layer = self.pairs % self.n_layers
        n = self.n_layers
        place = np.concatenate(
            [
                np.repeat(pair_place, 2),
                np.asarray(self.added_place, dtype=np.int64),
                np.repeat(served, 2),
            ]
        )
        # arrival layers have codes 0..n-1, departure layers n..2n-1 (see build)
        layer = np.concatenate(
            [
                np.column_stack([pair_layer, pair_layer + n]).reshape(-1),
                np.asarray(self.added_layer, dtype=np.int64),
                np.tile([self.layer(ORIGIN), self.layer(DESTINATION)], len(served)),
            ]
        )
        return Vertices(self.places, place, self.layer_names, layer)

    def assemble(self, parts: list[dict[str, Any]], country_of: np.ndarray) -> RoutingGraph:
        """Put the edges of every part in their order and make the routing graph."""
        key = np.concatenate([p.pop("key") for p in parts])
        order = np.argsort(key, kind="stable")
        del key
        # a column at a time, each part's share let go once it is placed: at a million
        # links the parts and the ordered columns would otherwise be held together
        arrays: dict[str, Any] = {}
        for name in _EDGE_COLUMNS:
            if name in _CODED:
                continue
            joined = np.concatenate(
                [np.asarray(p.pop(name), dtype=_EDGE_COLUMNS[name]) for p in parts]
            )
            arrays[name] = joined[order]
            del joined
        for name in _CODED:
            if name not in _ENDS:
                arrays[name] = Coded.concat([p.pop(name) for p in parts]).take(order)
        vertices = self.vertices()
        # the places and countries at the edges' ends are their nodes'
        countries = Coded.of(country_of)
        for end, nodes in (("u", arrays["src"]), ("v", arrays["dst"])):
            at = vertices.place[nodes]
            arrays[f"{end}_place"] = Coded(at, self.places)
            arrays[f"{end}_country"] = Coded(countries.codes[at], countries.values)
        count = np.concatenate([p["count"] for p in parts])
        items = np.concatenate([p["items"] for p in parts])
        # each edge's run of component rows, taken in the edges' new order
        begin = np.cumsum(count) - count
        counts = count[order]
        start = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        offset = np.arange(start[-1], dtype=np.int64) - np.repeat(start[:-1], counts)
        items = items[np.repeat(begin[order], counts) + offset]
        return RoutingGraph(
            profile=self.profile,
            vnodes=vertices,
            components=EdgeComponents(self.comps.columns(), start, items),
            timetables=self.timetables,
            **arrays,
            driving_rules={
                crew: rules_from_geodata(self.net.geodata, self.profile.id, "road", crew)
                for crew in CREWS
            },
        )


def build_routing_graph(net: Network, profile: Profile) -> RoutingGraph:
    """Build the layered routing graph of a network for one cargo profile.

    Parameters
    ----------
    net
        The network.
    profile
        The cargo profile whose rates, fees and emissions apply.

    Returns
    -------
    graph
        The routing graph as edge arrays with per-edge cost components.

    Raises
    ------
    GeodataError
        If a rate, speed, emission factor or a transfer friction the network needs is
        missing from the data.
    """
    # the build makes an object or more per edge and frees none until it ends
    with bulk_objects():
        graph = _Builder(net, profile).build()
    if graph.n_edges >= _TRIM_AFTER_EDGES:
        # the build's temporary columns, freed now, would otherwise stay with the process
        # under every later peak (glibc keeps freed blocks of a few MiB in its heap)
        give_back_memory()
    return graph
