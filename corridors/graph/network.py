"""Build the physical network graph (OSMnx conventions) from geodata and cache it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from functools import cached_property
from typing import TYPE_CHECKING, Any

from corridors.data.geodata import (
    Geodata,
    bulk_objects,
    is_line,
    line_points,
    read_geodata,
    read_line_shapes,
    read_link_geometry,
    records,
    scan_feature_collection,
    summarise,
)
from corridors.data.locate import content_hash, geodata_dir
from corridors.errors import GeodataError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import networkx as nx

    from corridors.graph.cache import Parts, Unread
    from corridors.graph.node_table import NodeTable
    from corridors.graph.places import PlaceIndex, PlaceInfo
    from corridors.graph.profiles import Profile
    from corridors.graph.routing_graph import RoutingGraph

log = logging.getLogger("corridors")

CRS = "EPSG:4326"
#: What a network reads from its tables and keeps (cached properties): let go when the
#: tables are replaced, and left out when the network is pickled.
_TABLE_VIEWS = ("nodes", "link_columns", "places", "place_info", "_drawn")
_MEMORY: dict[str, Network] = {}


def _lines(drawn: list[list[tuple[float, float]]]) -> tuple[list[Any], list[Any]]:
    """Return each polyline as a LineString, and each reversed."""
    import numpy as np
    import shapely

    if not drawn:
        return [], []
    counts = np.array([len(c) for c in drawn], dtype=np.int64)
    xy = np.array([p for c in drawn for p in c], dtype=np.float64).reshape(-1, 2)
    index = np.repeat(np.arange(len(drawn)), counts)
    ahead = shapely.linestrings(xy, indices=index)
    # the same points, each line's run reversed in place
    ends = np.cumsum(counts)
    starts = ends - counts
    flip = (starts + ends - 1)[index] - np.arange(len(xy))
    back = shapely.linestrings(xy[flip], indices=index)
    return list(ahead), list(back)


#: Link shapes and OSM way ids per file content: every scenario applied rebuilds the graph.
_SHAPES: dict[str, tuple[dict[str, list[tuple[float, float]]], dict[str, list[int]]]] = {}


def _read_link_geometry(
    geodata: Geodata,
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, list[int]]]:
    path = geodata.folder / "geometry" / "links.geojson"
    if not path.is_file():
        return {}, {}
    data = path.read_bytes()
    tag = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    if tag not in _SHAPES:
        text = data.decode("utf-8", errors="replace")
        _SHAPES[tag] = read_link_geometry(text)
    return _SHAPES[tag]  # read only: the graph builds new lines from these points


#: A links.geojson larger than this is not read whole for a route's lines: its features'
#: places are noted once and only the links a route takes are read (a million drawn links
#: parsed whole take several gigabytes).
WHOLE_SHAPES_BYTES = 64 * 1024 * 1024


class LinkLines:
    """The drawn lines of a network's links, as the physical graph's edges would hold them.

    Parameters
    ----------
    net
        The network whose links and ``geometry/links.geojson`` are read.
    """

    def __init__(self, net: Network) -> None:
        links = net.link_columns
        self.nodes = net.nodes
        self.closed = net.closed_directions
        self.path = net.geodata.folder / "geometry" / "links.geojson"
        self.geodata = net.geodata
        self.u: list[str] = links["u"]
        self.v: list[str] = links["v"]
        self.oneway: list[Any] = links["oneway"]
        self.row: dict[str, int] = {lid: i for i, lid in enumerate(links["id"])}
        self.spans: dict[str, tuple[int, int]] | None = None
        self.whole: dict[str, list[tuple[float, float]]] | None = None
        self.tag: tuple[int, int] | None = None

    def lines(self, wanted: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
        """Return the lines of links travelled ``(link id, from, to)`` (shapely), by request.

        A request for a direction the network does not have is left out.
        """
        from shapely.geometry import LineString

        ways: dict[tuple[str, str, str], bool] = {}
        for link_id, u, v in wanted:
            i = self.row.get(link_id)
            if i is None:
                continue
            ru, rv = self.u[i], self.v[i]
            open_ = (link_id, u, v) not in self.closed
            forward = (u, v) == (ru, rv) and open_
            # a two-way link's way back is the graph's second edge: for a loop it is the
            # one a look-up of the pair finds last
            back = not bool(self.oneway[i]) and (u, v) == (rv, ru) and open_
            if forward or back:
                ways[(link_id, u, v)] = back
        shapes = self.shapes({key[0] for key in ways})
        out: dict[tuple[str, str, str], Any] = {}
        for key, back in ways.items():
            i = self.row[key[0]]
            ru, rv = self.u[i], self.v[i]
            drawn = shapes.get(key[0]) or [
                (self.nodes.x[self.nodes.index[ru]], self.nodes.y[self.nodes.index[ru]]),
                (self.nodes.x[self.nodes.index[rv]], self.nodes.y[self.nodes.index[rv]]),
            ]
            out[key] = LineString(drawn[::-1] if back else drawn)
        return out

    def shapes(self, link_ids: set[str]) -> dict[str, list[tuple[float, float]]]:
        """Return the points ``geometry/links.geojson`` draws these links with, where it does."""
        if not link_ids or not self.path.is_file():
            return {}
        info = self.path.stat()
        tag = (info.st_size, info.st_mtime_ns)
        if info.st_size <= WHOLE_SHAPES_BYTES:
            # read (and hashed) once while the file stays as it was, not on every route
            if self.tag != tag or self.whole is None:
                self.whole, self.tag = _read_link_geometry(self.geodata)[0], tag
            return {k: self.whole[k] for k in link_ids if k in self.whole}
        text = self.path.read_bytes().decode("utf-8", errors="replace")
        if self.tag != tag:
            self.spans, self.tag, self.whole = _feature_spans(text), tag, None
        if self.spans is None:
            whole = read_line_shapes(text)
            return {k: whole[k] for k in link_ids if k in whole}
        out: dict[str, list[tuple[float, float]]] = {}
        for link_id in link_ids:
            span = self.spans.get(link_id)
            if span is not None:
                points = line_points(json.loads(text[span[0] : span[1]]).get("geometry"))
                if points is not None:
                    out[link_id] = points
        return out


def check_link_lines(geodata: Geodata) -> None:
    """Refuse a ``geometry/links.geojson`` a route could not read its links' lines from.

    Raises
    ------
    GeodataError
        If the file is not a FeatureCollection of LineStrings with link ids (as
        :func:`~corridors.data.geodata.read_line_shapes` words it).
    """
    path = geodata.folder / "geometry" / "links.geojson"
    if not path.is_file():
        return
    if path.stat().st_size <= WHOLE_SHAPES_BYTES:
        _read_link_geometry(geodata)
        return
    text = path.read_bytes().decode("utf-8", errors="replace")
    if _feature_spans(text) is None:
        read_line_shapes(text)


def _feature_spans(text: str) -> dict[str, tuple[int, int]] | None:
    """Return where each link's feature lies in ``geometry/links.geojson`` (character offsets).

    The file is checked as :func:`~corridors.data.geodata.read_line_shapes` checks it; a
    later feature of the same link takes the place of an earlier one, as there. None when
    the file is not a plain FeatureCollection: it is then read whole, so that its problem
    is worded as there.
    """
    file = "geometry/links.geojson"
    hint = "run `corridors data validate` for the full report"
    spans: dict[str, tuple[int, int]] = {}
    listed = False
    i = 0
    try:
        for key, start, end, feature in scan_feature_collection(text):
            if key == "features":
                listed = isinstance(feature, list)
                continue
            if key != "features[]":
                continue
            listed = True
            props = feature.get("properties") if isinstance(feature, dict) else None
            link_id = props.get("id") if isinstance(props, dict) else None
            if link_id:
                if not is_line(feature.get("geometry")):
                    msg = (
                        f"{file}: feature {i} ({str(link_id)!r}) is not a LineString of at "
                        f"least two [lon, lat] positions; {hint}"
                    )
                    raise GeodataError(msg)
                spans[str(link_id)] = (start, end)
            i += 1
    except ValueError:
        return None
    return spans if listed else None


def network_from_geodata(geodata: Geodata) -> nx.MultiDiGraph:
    """Build the physical network as a MultiDiGraph in OSMnx conventions.

    The graph has ``crs``; nodes have ``x`` (lon) and ``y`` (lat); each link becomes one
    edge per direction it can be travelled, with ``length`` in metres, a shapely
    ``geometry`` oriented from ``u`` to ``v``, and the link's attributes (``link_id``,
    ``mode``, ``gauge_mm``, ``status``, ``open_year``, ``length_km``, ``source_id``...).
    As OSMnx requires, every edge has an integer ``osmid`` (the OSM way ids its shape was
    matched to, else :func:`stand_in_osmid`), a boolean ``oneway`` and ``reversed``, and
    every node a ``street_count``; node ids stay the readable place ids.

    Parameters
    ----------
    geodata
        Tables read by :func:`corridors.data.geodata.read_geodata`.

    Returns
    -------
    G
        The physical network.
    """
    import networkx as nx

    G = nx.MultiDiGraph(crs=CRS, name="corridors", geodata_digest=geodata.digest)
    for row in records(geodata.nodes):
        attrs = {k: v for k, v in row.items() if k not in ("id", "_line", "lon", "lat")}
        G.add_node(row["id"], x=float(row["lon"]), y=float(row["lat"]), **attrs)
    shapes, way_ids = _read_link_geometry(geodata)
    rows = records(geodata.links)
    drawn = []
    for row in rows:
        u, v = row["u"], row["v"]
        drawn.append(
            shapes.get(row["id"])
            or [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        )
    # every line made in one call (a million links would take a minute one by one)
    forward, backward = _lines(drawn)
    for row, ahead, back in zip(rows, forward, backward, strict=True):
        u, v = row["u"], row["v"]
        attrs = {k: val for k, val in row.items() if k not in ("id", "u", "v", "_line")}
        attrs["link_id"] = row["id"]
        attrs["length"] = float(row["length_km"]) * 1000.0
        attrs["oneway"] = bool(row.get("oneway"))
        # OSM way ids where the link's shape was matched to OSM ways, one id or a list as
        # OSMnx writes them; a negative stand-in otherwise.
        ways = way_ids.get(row["id"]) or [stand_in_osmid(row["id"])]
        attrs["osmid"] = ways[0] if len(ways) == 1 else list(ways)
        G.add_edge(u, v, geometry=ahead, reversed=False, **attrs)
        if not attrs["oneway"]:
            G.add_edge(v, u, geometry=back, reversed=True, **attrs)
    for node in G.nodes:
        # OSMnx counts the distinct neighbours a place connects to, whatever the direction.
        G.nodes[node]["street_count"] = len(set(G.predecessors(node)) | set(G.successors(node)))
    return G


def stand_in_osmid(link_id: str) -> int:
    """Return the stand-in ``osmid`` of a link that was not matched to OpenStreetMap ways.

    OSMnx requires an integer ``osmid`` on every edge. OpenStreetMap ids are positive, so
    the stand-in is negative and can never be mistaken for one: minus the first 48 bits of
    the SHA-1 of the link id, stable across versions of the data.

    Parameters
    ----------
    link_id
        The link's ``id`` in ``links.csv``.

    Returns
    -------
    int
        A negative integer, the same for the same link id.
    """
    digest = hashlib.sha1(link_id.encode("utf-8"), usedforsecurity=False).hexdigest()
    return -int(digest[:12], 16)


class Network:
    """The corridor network: geodata tables, the physical graph and routing graphs.

    Parameters
    ----------
    geodata
        Tables read by :func:`corridors.data.geodata.read_geodata`.

    Attributes
    ----------
    geodata
        The tables the network was built from.
    G
        The physical network, a ``networkx.MultiDiGraph`` in OSMnx conventions, so
        ``osmnx.graph_to_gdfs(net.G)`` and ``osmnx.plot_graph(net.G)`` work on it. Built
        when first asked for: routes, place look-ups and the routing graphs read the
        tables (:attr:`nodes`), and a million links would take gigabytes in it.
    """

    def __init__(self, geodata: Geodata) -> None:
        self.geodata = geodata
        self._G: nx.MultiDiGraph | None = None
        self._routing: dict[str, RoutingGraph] = {}
        #: routing graphs read from the cache, decoded when their profile is first asked for
        self._unread: dict[str, Unread] = {}
        #: True when the network is the one :func:`load_network` caches for its data, so
        #: results worked out from it may be kept beside it on disk
        self.cached = False
        #: ``(link id, u, v)`` of link directions closed after the tables were read (a
        #: scenario's one-way closure): not in ``G`` and not in any routing graph
        self.closed_directions: frozenset[tuple[str, str, str]] = frozenset()
        #: How many profiles' routing graphs the network keeps at once (None: all it has
        #: built); when a new one is built beyond it, the one built first is let go. At a
        #: million links one routing graph takes hundreds of megabytes.
        self.routing_graphs_kept: int | None = None

    @property
    def G(self) -> nx.MultiDiGraph:  # noqa: N802 (the OSMnx name of the graph)
        """The physical network (``networkx.MultiDiGraph``), built on first use."""
        if self._G is None:
            self._G = network_from_geodata(self.geodata)
        return self._G

    @G.setter
    def G(self, graph: nx.MultiDiGraph) -> None:  # noqa: N802
        self._G = graph

    @property
    def has_graph(self) -> bool:
        """True when the physical graph :attr:`G` has been built."""
        return self._G is not None

    @cached_property
    def nodes(self) -> NodeTable:
        """Each node's attributes as :attr:`G` holds them, read from the nodes table."""
        from corridors.data.schema import TABLES
        from corridors.graph.node_table import NodeTable, TableColumns

        geodata = self.geodata
        names = [*(c.name for c in TABLES["nodes"]), "_line"]
        return NodeTable(
            TableColumns(names, lambda name: geodata.table_columns("nodes", (name,))[name])
        )

    @cached_property
    def link_columns(self) -> dict[str, list[Any]]:
        """The link columns a route reads (ends, direction, mode, length method), as lists."""
        from corridors.graph.node_table import LINK_COLUMNS

        columns = self.geodata.table_columns("links", LINK_COLUMNS)
        # each end as the node table's own id string: at a million links the ends would
        # otherwise be two million more strings, held as long as the network
        ids, index = self.nodes.ids, self.nodes.index
        for end in ("u", "v"):
            columns[end] = [v if (i := index.get(v)) is None else ids[i] for v in columns[end]]
        return columns

    def link_geometry(self, wanted: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
        """Return the drawn lines of links travelled ``(link id, from, to)``, as :attr:`G` has them.

        Each a shapely ``LineString`` oriented the way it is travelled; a direction the
        network does not have is left out. Read from :attr:`G` once it is built (a scenario
        may have redrawn a line there), else from the links' rows and drawn shapes.
        """
        if self._G is None:
            return self._drawn.lines(wanted)
        out = {}
        for link_id, u, v in wanted:
            for data in self._G.get_edge_data(u, v, default={}).values():
                if data.get("link_id") == link_id:
                    out[(link_id, u, v)] = data.get("geometry")
        return out

    @cached_property
    def _drawn(self) -> LinkLines:
        return LinkLines(self)

    @property
    def digest(self) -> str:
        """SHA-256 of the geodata the network was built from."""
        return self.geodata.digest

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        """Cargo profiles defined in the data, keyed by id."""
        from corridors.graph.profiles import profiles_from_geodata

        return profiles_from_geodata(self.geodata)

    def profile(self, name: str | None = None) -> Profile:
        """Return a cargo profile by id (``teu`` by default, else the first one defined)."""
        profiles = self.profiles
        if name is None:
            # the container profile is the default; otherwise the first one defined
            return profiles.get("teu") or next(iter(profiles.values()))
        from corridors.errors import InvalidOptionError

        key = name.strip().lower()
        if key not in profiles:
            msg = f"unknown profile {name!r}; choose one of: {', '.join(profiles)}"
            raise InvalidOptionError(msg)
        return profiles[key]

    def routing_graph(self, profile: str | None = None) -> RoutingGraph:
        """Return the virtual (mode/gauge-layered) routing graph for a cargo profile."""
        from corridors.graph.routing_graph import build_routing_graph

        chosen = self.profile(profile)
        if chosen.id not in self._routing:
            kept = self.routing_graphs_kept
            if kept is not None and self._routing and len(self._routing) >= max(1, kept):
                from corridors.data.geodata import give_back_memory

                while self._routing and len(self._routing) >= max(1, kept):
                    # let the oldest go before the new one is built, so both are never held
                    del self._routing[next(iter(self._routing))]
                give_back_memory()
            graph = None
            unread = self._unread.get(chosen.id)
            if unread is not None:
                # rebound, not popped: a shallow copy of the network shares the dict
                self._unread = {k: v for k, v in self._unread.items() if k != chosen.id}
                graph = unread.decode()  # None when damaged (the file is then discarded)
            if graph is None:
                graph = build_routing_graph(self, chosen)
            self._routing[chosen.id] = graph
        return self._routing[chosen.id]

    def holds_routing_graph(self, profile: str) -> bool:
        """Whether the routing graph of a profile (by id) is built and held."""
        return profile in self._routing

    def release_routing_graph(self, profile: str) -> None:
        """Let a profile's routing graph go (by id); the next query on it builds it again."""
        self._routing.pop(profile, None)

    @cached_property
    def place_info(self) -> Mapping[str, PlaceInfo]:
        """Name, country and coordinates of every node, shared by the routes built on it."""
        from corridors.graph.places import PlaceInfos

        return PlaceInfos(self.nodes)

    def forget_table_views(self) -> None:
        """Let go of what was read from the tables, so that it is read again when next used.

        For tables replaced under the network: the node table, the link columns and what
        is made from them.
        """
        for name in _TABLE_VIEWS:
            self.__dict__.pop(name, None)

    @cached_property
    def places(self) -> PlaceIndex:
        """Name, alias and id index used to resolve places."""
        from corridors.graph.places import PlaceIndex

        return PlaceIndex(self.nodes, self.link_columns, self.closed_directions)

    @classmethod
    def from_parts(cls, parts: Parts) -> Network:
        """Return a network assembled from pieces read from the cache, without rebuilding."""
        net = cls.__new__(cls)
        net.geodata = parts.geodata
        net._G = parts.G
        net._routing = dict(parts.routing)
        net._unread = dict(parts.unread)
        net.cached = False
        net.closed_directions = frozenset()
        net.routing_graphs_kept = None
        net.__dict__["profiles"] = parts.profiles
        return net

    def __getstate__(self) -> dict[str, Any]:
        # the views of the tables travel as the tables; they are read again when used
        return {k: v for k, v in self.__dict__.items() if k not in _TABLE_VIEWS}

    def __repr__(self) -> str:
        return (
            f"<Network {len(self.nodes)} nodes, {len(self.geodata.links)} links "
            f"from {self.geodata.folder}>"
        )


def load_network(geodata: str | os.PathLike[str] | None = None, *, cache: bool = True) -> Network:
    """Load the corridor network, through a cache keyed by the data's content.

    Parameters
    ----------
    geodata
        A geodata folder; by default the shipped one, or ``CORRIDORS_GEODATA``.
    cache
        Reuse a network built earlier from the same bytes by the same code: in this
        process, then from the on-disk cache (see :mod:`corridors.graph.cache`; plain
        data in a private folder, ``CORRIDORS_CACHE_DIR`` or the platform's cache folder).

    Returns
    -------
    network
        The network; with ``cache``, its routing graphs for every cargo profile built and
        kept on disk (read back from there, each is decoded when a query first asks for
        it), else each built when a query first asks for it. A network too large for the
        on-disk cache (:func:`corridors.graph.cache.too_large`) is kept in this process
        only, and builds each routing graph when first asked for.

    Raises
    ------
    GeodataError
        If the folder is missing or its tables are malformed.
    """
    from corridors.graph import cache as disk

    folder = geodata_dir(geodata)
    digest = content_hash(folder)
    if cache and digest in _MEMORY:
        return _MEMORY[digest]
    path = disk.cache_path(digest)
    if cache:
        parts = disk.read(path, folder, digest)
        if parts is not None:
            # the same bytes may live in another folder (another install): the parts read
            # files such as countries.geojson from the folder asked for
            net = Network.from_parts(parts)
            net.cached = True
            _MEMORY[digest] = net
            return net
    geodata_tables = read_geodata(folder, strict=False)
    from corridors.data.validation import structural_problems

    problems = structural_problems(geodata_tables)
    if problems:
        raise GeodataError(summarise(problems))
    with bulk_objects():
        check_link_lines(geodata_tables)
    net = Network(geodata_tables)
    if cache:
        keep_loaded(net)
    return net


def keep_loaded(net: Network) -> None:
    """Keep a network built from a folder's tables as :func:`load_network` keeps its own.

    A later ``load_network`` of the same bytes, in this process or (through the on-disk
    cache) in another, returns it rather than reading the folder again.

    Parameters
    ----------
    net
        A network built with ``Network(read_geodata(folder, strict=False))`` from tables
        with no structural problem, no scenario's change applied. It holds every routing
        graph it builds from then on, as a loaded network does.
    """
    from corridors.graph import cache as disk

    digest = net.geodata.digest
    net.routing_graphs_kept = None
    if disk.too_large(len(net.geodata.tables["links"])):
        # kept in this process only; each routing graph is built when first asked for
        net.cached = True
        _MEMORY[digest] = net
        return
    # the cache keeps every profile's routing graph; without it each is built when
    # first asked for (one profile's takes gigabytes at a million links)
    for profile_id in net.geodata.tables["profiles"]["id"]:
        net.routing_graph(str(profile_id))
    net.cached = True
    _MEMORY[digest] = net
    disk.write(disk.cache_path(digest), disk.Parts(net.geodata, None, net._routing, net.profiles))
