"""Build the physical network graph (OSMnx conventions) from geodata and cache it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import tempfile
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from corridors.data.geodata import Geodata, read_geodata, records, summarise
from corridors.data.locate import PACKAGE_VERSION, content_hash, geodata_dir
from corridors.errors import GeodataError

if TYPE_CHECKING:
    from corridors.graph.places import PlaceIndex, PlaceInfo
    from corridors.graph.profiles import Profile
    from corridors.graph.routing_graph import RoutingGraph

log = logging.getLogger("corridors")

CRS = "EPSG:4326"
_MEMORY: dict[str, Network] = {}


#: Layout of the cached network's objects: a change to what a cached network or routing
#: graph holds raises it, so an older cache is rebuilt rather than read into new code.
CACHE_FORMAT = 3


def _cache_dir() -> Path:
    # CORRIDORS_CACHE_DIR is used as given; otherwise a `corridors` folder in the user cache
    explicit = os.environ.get("CORRIDORS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "corridors"


def _line(coords: list[tuple[float, float]]) -> Any:
    from shapely.geometry import LineString

    return LineString(coords)


#: Link shapes per file content: every scenario applied rebuilds the graph from them.
_SHAPES: dict[str, dict[str, list[tuple[float, float]]]] = {}


def _read_geometry(geodata: Geodata) -> dict[str, list[tuple[float, float]]]:
    path = geodata.folder / "geometry" / "links.geojson"
    if not path.is_file():
        return {}
    data = path.read_bytes()
    tag = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    if tag not in _SHAPES:
        _SHAPES[tag] = _parse_geometry(data.decode("utf-8"))
    return _SHAPES[tag]  # read only: the graph builds new lines from these points


def _parse_geometry(text: str) -> dict[str, list[tuple[float, float]]]:
    doc = json.loads(text)
    out: dict[str, list[tuple[float, float]]] = {}
    for feature in doc.get("features", []):
        geom = feature.get("geometry") or {}
        link_id = (feature.get("properties") or {}).get("id")
        if link_id and geom.get("type") == "LineString":
            out[str(link_id)] = [(float(x), float(y)) for x, y, *_ in geom["coordinates"]]
    return out


def network_from_geodata(geodata: Geodata) -> nx.MultiDiGraph:
    """Build the physical network as a MultiDiGraph in OSMnx conventions.

    The graph has ``crs``; nodes have ``x`` (lon) and ``y`` (lat); each link becomes one
    edge per direction it can be travelled, with ``length`` in metres, a shapely
    ``geometry`` oriented from ``u`` to ``v``, and the link's attributes (``link_id``,
    ``mode``, ``gauge_mm``, ``status``, ``open_year``, ``length_km``, ``source_id``...).

    Parameters
    ----------
    geodata
        Tables read by :func:`corridors.data.geodata.read_geodata`.

    Returns
    -------
    G
        The physical network.
    """
    G = nx.MultiDiGraph(crs=CRS, name="corridors", geodata_digest=geodata.digest)
    for row in records(geodata.nodes):
        attrs = {k: v for k, v in row.items() if k not in ("id", "_line", "lon", "lat")}
        G.add_node(row["id"], x=float(row["lon"]), y=float(row["lat"]), **attrs)
    shapes = _read_geometry(geodata)
    for row in records(geodata.links):
        u, v = row["u"], row["v"]
        coords = shapes.get(row["id"]) or [
            (G.nodes[u]["x"], G.nodes[u]["y"]),
            (G.nodes[v]["x"], G.nodes[v]["y"]),
        ]
        attrs = {k: val for k, val in row.items() if k not in ("id", "u", "v", "_line")}
        attrs["link_id"] = row["id"]
        attrs["length"] = float(row["length_km"]) * 1000.0
        G.add_edge(u, v, geometry=_line(coords), **attrs)
        if not row.get("oneway"):
            G.add_edge(v, u, geometry=_line(coords[::-1]), **attrs)
    return G


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
        ``osmnx.graph_to_gdfs(net.G)`` and ``osmnx.plot_graph(net.G)`` work on it.
    """

    def __init__(self, geodata: Geodata) -> None:
        self.geodata = geodata
        self.G = network_from_geodata(geodata)
        self._routing: dict[str, RoutingGraph] = {}

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
            self._routing[chosen.id] = build_routing_graph(self, chosen)
        return self._routing[chosen.id]

    @cached_property
    def place_info(self) -> dict[str, PlaceInfo]:
        """Name, country and coordinates of every node, shared by the routes built on it."""
        from corridors.graph.places import PlaceInfo

        return {
            node: PlaceInfo(str(d.get("name") or node), str(d.get("country") or ""), d["x"], d["y"])
            for node, d in self.G.nodes(data=True)
        }

    @cached_property
    def places(self) -> PlaceIndex:
        """Name, alias and id index used to resolve places."""
        from corridors.graph.places import PlaceIndex

        return PlaceIndex(self.G)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("places", None)
        return state

    def __repr__(self) -> str:
        return (
            f"<Network {self.G.number_of_nodes()} nodes, {len(self.geodata.links)} links "
            f"from {self.geodata.folder}>"
        )


def load_network(geodata: str | os.PathLike[str] | None = None, *, cache: bool = True) -> Network:
    """Load the corridor network, through a cache keyed by the data's content.

    Parameters
    ----------
    geodata
        A geodata folder; by default the shipped one, or ``CORRIDORS_GEODATA``.
    cache
        Reuse a network built earlier from the same bytes (in this process, then from the
        on-disk cache in ``~/.cache/corridors`` or ``CORRIDORS_CACHE_DIR``).

    Returns
    -------
    network
        The network with its routing graphs for every cargo profile built.

    Raises
    ------
    GeodataError
        If the folder is missing or its tables are malformed.
    """
    folder = geodata_dir(geodata)
    digest = content_hash(folder)
    if cache and digest in _MEMORY:
        return _MEMORY[digest]
    path = _cache_dir() / f"network-{PACKAGE_VERSION}-f{CACHE_FORMAT}-{digest[:20]}.pickle"
    if cache and path.is_file():
        try:
            with path.open("rb") as fh:
                net: Network = pickle.load(fh)  # our own cache file
            if net.digest == digest:
                # the same bytes may live in another folder (another install): read files
                # such as countries.geojson from the folder asked for
                net.geodata.folder = folder
                _MEMORY[digest] = net
                return net
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            log.info("ignoring unreadable network cache %s", path)
    geodata_tables = read_geodata(folder, strict=False)
    from corridors.data.validation import structural_problems

    problems = structural_problems(geodata_tables)
    if problems:
        raise GeodataError(summarise(problems))
    net = Network(geodata_tables)
    for profile_id in net.geodata.tables["profiles"]["id"]:
        net.routing_graph(str(profile_id))
    if cache:
        _MEMORY[digest] = net
        _write_cache(path, net)
    return net


def _write_cache(path: Path, net: Network) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(net, fh, protocol=pickle.HIGHEST_PROTOCOL)
        Path(tmp).replace(path)
    except OSError:
        log.info("could not write the network cache to %s", path.parent)
