"""The on-disk network cache: plain data (JSON) in a folder only its owner can write.

The cache holds numbers, strings and lists, never objects, so reading a planted or damaged
file can at worst fail; such a file is discarded and the network rebuilt. The folder must
belong to the user and be closed to others, or the cache is not used at all. A file's name
is a digest of the package's code and the geodata's bytes, so a change to either makes a
new entry.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import logging
import os
import stat
import sys
import tempfile
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.data.geodata import Geodata, Problem
from corridors.graph.cost_model import SUMMED
from corridors.graph.driving_rules import DrivingRules

if TYPE_CHECKING:
    import networkx as nx

    from corridors.graph.compact import Coded, Vertices
    from corridors.graph.edge_components import EdgeComponents
    from corridors.graph.profiles import Profile
    from corridors.graph.routing_graph import RoutingGraph

log = logging.getLogger("corridors")

#: Bumped when the layout of a cache file changes (4: the physical graph is no longer kept;
#: a network rebuilds it from its tables when something asks for it; 5: the routing graphs'
#: numeric columns are packed, see :func:`_pack`, and the named corridors are kept; 6: the
#: routing graphs' text columns and vertices are kept as codes into their distinct values).
FORMAT = 6
#: A cache file larger than this is not read (the shipped network's is about 4 MB).
MAX_BYTES = 512 * 1024 * 1024
#: The least a cache file takes per link of the network: 3.4 KB at a million links (the
#: synthetic folder of ``benchmarks.big_geodata``), 3.5 KB at 100,000 and 4.6 KB for the
#: shipped network's 782, so a network of more than ``MAX_BYTES / BYTES_PER_LINK`` links
#: would make a file the reader refuses.
BYTES_PER_LINK = 3_000

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_CODE_DIGEST: list[str] = []
_WARNED: set[str] = set()

#: The byte layout each packed numeric column is written and read with (little-endian); the
#: reader takes the layout from here, never from the file.
_INT = "<i8"
_CODE = "<i4"
_FLOAT = "<f8"
_INT_ARRAYS = ("src", "dst")

_ARRAYS = (
    "src",
    "dst",
    "distance_km",
    "time_h",
    "cost_usd",
    "co2_kg",
    "open_year",
)
#: The text columns of a routing graph, kept as codes into their distinct values.
_TEXT_COLUMNS = (
    "kind",
    "link_id",
    "mode",
    "status",
    "u_place",
    "v_place",
    "u_country",
    "v_country",
)


@dataclass
class Parts:
    """What a cache file holds: the pieces of a :class:`~corridors.graph.network.Network`."""

    geodata: Geodata
    #: the physical graph when it was built; never written (rebuilt from the tables)
    G: nx.MultiDiGraph | None
    routing: dict[str, RoutingGraph]
    profiles: dict[str, Profile]
    #: routing graphs read from a file but not yet decoded, by profile id (see :func:`read`)
    unread: dict[str, Unread] = field(default_factory=dict)


@dataclass(frozen=True)
class Unread:
    """A profile's routing graph as a cache file holds it, decoded when first asked for.

    A route needs one profile's graph: decoding the others (about 3 ms each) is left until
    something asks for them.
    """

    doc: Any
    profile: Profile
    #: the file it was read from, discarded if the graph turns out damaged
    path: Path

    def decode(self) -> RoutingGraph | None:
        """Return the routing graph, or ``None`` when the document is not one.

        A damaged graph is refused as :func:`read` refuses a damaged file: the file is
        removed, with one warning, and the caller builds the graph from the tables.
        """
        try:
            return _routing(self.doc, self.profile)
        except _REFUSED as err:
            _discard(self.path, _reason(err))
            return None


def cache_dir() -> Path:
    """Return the folder of the network cache.

    ``CORRIDORS_CACHE_DIR`` if set, else a ``corridors`` folder in the platform's cache
    folder: ``$XDG_CACHE_HOME`` (when absolute) or ``~/.cache`` on Linux,
    ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows.
    """
    explicit = os.environ.get("CORRIDORS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # the XDG rules ignore a relative path
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "corridors"


def code_digest() -> str:
    """Return a SHA-256 over the package's Python files (names and bytes), computed once."""
    if not _CODE_DIGEST:
        digest = hashlib.sha256()
        for path in sorted(_PACKAGE_DIR.rglob("*.py")):
            if "_shipped" in path.parts:
                continue
            digest.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
        _CODE_DIGEST.append(digest.hexdigest())
    return _CODE_DIGEST[0]


def cache_path(data_digest: str, folder: Path | None = None) -> Path:
    """Return the cache file for a network built from data with this digest by this code."""
    key = hashlib.sha256(f"{FORMAT}\0{code_digest()}\0{data_digest}".encode()).hexdigest()
    return (folder or cache_dir()) / f"network-{key[:32]}.json"


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning("warning: %s", message)


def unsafe_reason(folder: Path) -> str | None:
    """Return why a cache folder must not be used (``None`` when it is fine).

    A folder is fine when it is a directory that belongs to the user and that no one else
    can write to; anyone who can write there could plant a file the next run reads.
    """
    try:
        info = folder.stat()
    except OSError as err:
        return f"it cannot be read ({err.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if hasattr(os, "getuid"):
        if info.st_uid != os.getuid():
            return "it belongs to another user"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return "other users can write to it"
    return None


def usable_dir(create: bool) -> Path | None:
    """Return the cache folder if it is safe to use, creating it (private) when asked.

    An unsafe folder is refused with one warning naming it and how to fix it.
    """
    folder = cache_dir()
    if create and not folder.exists():
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as err:
            _warn_once(f"cannot create the network cache folder {folder} ({err.strerror})")
            return None
    if not folder.exists():
        return None
    reason = unsafe_reason(folder)
    if reason is not None:
        _warn_once(
            f"not using the network cache in {folder}: {reason}; make it private "
            f"(chmod 700) or set CORRIDORS_CACHE_DIR to a folder only you can write"
        )
        return None
    return folder


# -- writing ---------------------------------------------------------------------------------


def _pack(values: Any, layout: str) -> str:
    """Return a numeric column as base64 text of its bytes in ``layout``.

    Still plain JSON (a string), read back as numbers of the layout the reader names:
    parsing a few thousand numbers written out in decimal takes several times longer.
    """
    import numpy as np

    return base64.b64encode(np.ascontiguousarray(values, dtype=layout).tobytes()).decode("ascii")


def _routing_doc(rg: RoutingGraph) -> dict[str, Any]:
    from corridors.graph.edge_components import EdgeComponents, edge_components

    comps = rg.components
    if not isinstance(comps, EdgeComponents):  # given as plain tuples
        comps = edge_components(comps)
    cols = comps.columns
    vertices = rg.vertices
    return {
        "profile": list(astuple(rg.profile)),
        "vertices": {
            "places": vertices.places.tolist(),
            "place": _pack(vertices.place, _CODE),
            "layers": list(vertices.layers),
            "layer": _pack(vertices.layer, _CODE),
        },
        "arrays": {
            name: _pack(getattr(rg, name), _INT if name in _INT_ARRAYS else _FLOAT)
            for name in _ARRAYS
        },
        "text_columns": {
            name: {
                "values": rg.coded[name].values.tolist(),
                "codes": _pack(rg.coded[name].codes, _CODE),
            }
            for name in _TEXT_COLUMNS
        },
        # the components as columns, each edge's as a run of row numbers: JSON has no
        # tuples, so the id lists are lists
        "component_floats": {name: _pack(col, _FLOAT) for name, col in cols.floats.items()},
        "component_codes": {name: _pack(col, _CODE) for name, col in cols.codes.items()},
        "component_values": {
            name: [list(v) if isinstance(v, tuple) else v for v in values]
            for name, values in cols.values.items()
        },
        "edge_start": _pack(comps.start, _INT),
        "edge_items": _pack(comps.items, _INT),
        "driving_rules": {
            str(crew): None if rules is None else list(astuple(rules))
            for crew, rules in rg.driving_rules.items()
        },
    }


def _same_in_json(value: Any) -> bool:
    """Whether ``value`` reads back from JSON equal to itself (YAML may hold dates, say)."""
    try:
        return bool(json.loads(json.dumps(value)) == value)
    except (TypeError, ValueError):
        return False


def encode(parts: Parts) -> dict[str, Any]:
    """Return the cache document of a network: plain JSON data."""
    geodata = parts.geodata
    return {
        "format": FORMAT,
        "digest": geodata.digest,
        "problems": [[p.file, p.row, p.message] for p in geodata.problems],
        # the named corridors as corridors.yaml gives them (the digest covers the file), so
        # a route labels itself without a YAML parser; None when JSON would change them
        "corridors": geodata.corridors if _same_in_json(geodata.corridors) else None,
        "tables": geodata.table_rows(),
        "routing": {pid: _routing_doc(rg) for pid, rg in parts.routing.items()},
        "profiles": {pid: list(astuple(p)) for pid, p in parts.profiles.items()},
    }


def too_large(n_links: int) -> bool:
    """Whether a network of ``n_links`` links would make a cache file the reader refuses.

    Says so once (a warning): such a network is not cached, and building every profile's
    routing graph only to write the file would cost minutes and gigabytes at a million
    links.
    """
    least = n_links * BYTES_PER_LINK
    if least <= MAX_BYTES:
        return False
    _warn_once(
        f"a network of {n_links:,} links is not kept in the on-disk cache: its cache would "
        f"take at least {least // 2**20:,} MB, more than the {MAX_BYTES // 2**20} MB a cache "
        "is read up to; each run builds it from its tables"
    )
    return True


def write(path: Path, parts: Parts) -> None:
    """Write the cache file atomically; on any failure leave nothing behind.

    A full disk or too little memory only costs the cache (logged); an interrupt still
    removes the temporary file before it goes on.
    """
    folder = usable_dir(create=True)
    if folder is None or path.parent != folder:
        return
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".network-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(encode(parts), fh, separators=(",", ":"))
            size = fh.tell()
        if size > MAX_BYTES:
            # a file the reader refuses would be discarded, with a warning, by every later
            # run, and written again: at this size building costs no more than reading
            _warn_once(
                f"the network cache would take {size // 2**20} MB, more than the "
                f"{MAX_BYTES // 2**20} MB a cache is read up to; it is not kept, and each run "
                "builds the network from its tables"
            )
            return
        Path(tmp).replace(path)
        tmp = None
    except (OSError, MemoryError, ValueError, TypeError) as err:
        log.info("could not write the network cache to %s (%s)", folder, err)
    finally:
        # also on KeyboardInterrupt and the SystemExit a SIGTERM handler raises
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


# -- reading ---------------------------------------------------------------------------------


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def _texts(values: list[Any]) -> bool:
    """Whether every value is a string or ``None`` (JSON's null)."""
    return set(map(type, values)) <= {str, type(None)}


def _profile(values: Any) -> Profile:
    from corridors.graph.profiles import Profile

    _check(isinstance(values, list) and len(values) == len(fields(Profile)), "profile")
    pid, label, unit, tonnes, vot, modes = values
    _check(all(isinstance(x, str) for x in (pid, label, unit)), "profile text")
    _check(isinstance(modes, list) and all(isinstance(m, str) for m in modes), "profile modes")
    return Profile(pid, label, unit, float(tonnes), float(vot), tuple(modes))


#: The type every value of a coded component field must have (``None`` allowed where listed).
_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "kind": (str,),
    "from_node": (str,),
    "to_node": (str,),
    "mode": (str,),
    "country": (str,),
    "gauge_mm": (int, type(None)),
    "status": (str,),
    "link_id": (str, type(None)),
    "friction_id": (str, type(None)),
    "source_ids": (list,),
    "friction_ids": (list,),
    "note": (str,),
}


def _unpack(text: Any, layout: str, what: str) -> Any:
    """Return a packed numeric column (see :func:`_pack`) as a new array of ``layout``.

    Anything but base64 text of whole numbers of that layout is refused (``ValueError``).
    """
    import numpy as np

    _check(isinstance(text, str), what)
    # a character outside base64 is refused, not skipped (binascii.Error is a ValueError)
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    dtype = np.dtype(layout)
    _check(len(raw) % dtype.itemsize == 0, what)
    return np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="))


def _int_array(text: Any, what: str, bound: int, layout: str = _INT) -> Any:
    """Return a packed integer column as an int64 array, checking each lies in ``[0, bound)``."""
    import numpy as np

    out = _unpack(text, layout, what).astype(np.int64)
    _check(bool(((out >= 0) & (out < bound)).all()), what)
    return out


def _components(doc: dict[str, Any], n_edges: int) -> EdgeComponents:
    """Return the edges' components from their columns, checking every code and offset."""
    import numpy as np

    from corridors.graph.edge_components import CODED, ComponentColumns, EdgeComponents

    floats_doc, codes_doc, values_doc = (
        doc["component_floats"],
        doc["component_codes"],
        doc["component_values"],
    )
    _check(all(isinstance(d, dict) for d in (floats_doc, codes_doc, values_doc)), "components")
    floats = {}
    for name in SUMMED:
        floats[name] = _unpack(floats_doc[name], _FLOAT, "component totals")
    rows = len(floats["time_h"])
    _check(all(len(col) == rows for col in floats.values()), "component lengths")
    codes, values = {}, {}
    for name in CODED:
        kinds = _VALUE_TYPES[name]
        distinct = values_doc[name]
        _check(isinstance(distinct, list), name)
        _check(all(isinstance(v, kinds) and not isinstance(v, bool) for v in distinct), name)
        if list in kinds:
            _check(all(isinstance(i, str) for v in distinct for i in v), name)
            distinct = [tuple(v) for v in distinct]
        values[name] = distinct
        codes[name] = _int_array(codes_doc[name], name, len(distinct), _CODE).astype(np.int32)
        _check(len(codes[name]) == rows, "component lengths")
    start = _int_array(doc["edge_start"], "edge components", rows + 1)
    items = _int_array(doc["edge_items"], "edge components", max(rows, 1))
    _check(len(start) == n_edges + 1 and int(start[0]) == 0, "edge components")
    _check(bool((np.diff(start) >= 0).all()) and int(start[-1]) == len(items), "edge components")
    return EdgeComponents(ComponentColumns(floats, codes, values), start, items)


def _distinct_texts(values: Any, what: str) -> Any:
    """Return a list of distinct texts (``None`` allowed) as an object array."""
    import numpy as np

    _check(isinstance(values, list) and _texts(values), what)
    _check(len(set(values)) == len(values), what)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _coded(doc: Any, what: str) -> Coded:
    """Return a text column kept as codes into its distinct values, checking every code."""
    from corridors.graph.compact import Coded

    _check(isinstance(doc, dict), what)
    values = _distinct_texts(doc["values"], what)
    codes = _int_array(doc["codes"], what, len(values), _CODE)
    return Coded(codes, values)


def _vertices(doc: Any) -> Vertices:
    """Return the vertices kept as place and layer codes, checking their order and codes."""
    import numpy as np

    from corridors.graph.compact import Vertices

    _check(isinstance(doc, dict), "vertices")
    places = _distinct_texts(doc["places"], "vertex places")
    _check(all(isinstance(p, str) for p in places), "vertex places")
    # the place look-up is a binary search: the places must be in order
    _check(all(a < b for a, b in itertools.pairwise(places)), "vertex places")
    layers = doc["layers"]
    _check(isinstance(layers, list) and all(isinstance(x, str) for x in layers), "layers")
    _check(len(set(layers)) == len(layers) and len(layers) < 2**15, "layers")
    place = _int_array(doc["place"], "vertex places", len(places), _CODE)
    layer = _int_array(doc["layer"], "vertex layers", max(len(layers), 1), _CODE)
    _check(len(place) == len(layer), "vertices")
    keys = place * max(1, len(layers)) + layer
    # each (place, layer) once; sorted, not np.unique, which imports numpy.ma (8 ms)
    ordered = np.sort(keys)
    _check(bool((ordered[1:] != ordered[:-1]).all()), "vertices")
    return Vertices(places, place, layers, layer)


def _routing(doc: Any, profile: Profile) -> RoutingGraph:
    from corridors.graph.routing_graph import RoutingGraph

    _check(isinstance(doc, dict), "routing graph")
    vertices = _vertices(doc["vertices"])
    arrays: dict[str, Any] = {}
    raw = doc["arrays"]
    for name in _ARRAYS:
        arrays[name] = _unpack(raw[name], _INT if name in _INT_ARRAYS else _FLOAT, name)
    texts = doc["text_columns"]
    _check(isinstance(texts, dict), "text columns")
    for name in _TEXT_COLUMNS:
        arrays[name] = _coded(texts[name], name)
    n = len(arrays["src"])
    _check(all(len(a) == n for a in arrays.values()), "array lengths")
    _check(bool(((arrays["src"] >= 0) & (arrays["src"] < len(vertices))).all()), "edge ends")
    _check(bool(((arrays["dst"] >= 0) & (arrays["dst"] < len(vertices))).all()), "edge ends")
    components = _components(doc, n)
    rules: dict[int, DrivingRules | None] = {}
    for crew, values in doc["driving_rules"].items():
        if values is not None:
            _check(isinstance(values, list) and len(values) == len(fields(DrivingRules)), "rules")
            values[-1] = tuple(values[-1])  # source_ids: JSON has no tuples
        rules[int(crew)] = None if values is None else DrivingRules(*values)
    return RoutingGraph(
        profile=profile,
        vnodes=vertices,
        components=components,
        driving_rules=rules,
        **arrays,
    )


def decode(doc: Any, folder: Path, digest: str, *, path: Path | None = None) -> Parts:
    """Return the network pieces of a cache document, checking its shape as it goes.

    With ``path``, the file the document was read from, the routing graphs are left
    undecoded (:attr:`Parts.unread`): each is decoded, and checked, when its profile is
    first asked for.

    Raises
    ------
    ValueError, KeyError, TypeError, IndexError
        If the document is not a cache of this network.
    """
    _check(isinstance(doc, dict) and doc.get("format") == FORMAT, "format")
    _check(doc.get("digest") == digest, "digest")
    tables = doc["tables"]
    _check(isinstance(tables, dict), "tables")
    for rows in tables.values():
        _check(isinstance(rows, list) and all(isinstance(r, list) for r in rows), "table rows")
    corridors = doc["corridors"]
    if corridors is not None:
        _check(isinstance(corridors, list), "corridors")
        _check(all(isinstance(c, dict) for c in corridors), "corridors")
    # the bibliography and seed records (and the named corridors when the cache holds none)
    # are read from the folder's YAML when first asked for
    geodata = Geodata.from_rows(
        folder,
        tables,
        corridors=corridors,
        digest=digest,
        problems=[Problem(str(f), int(r), str(m)) for f, r, m in doc["problems"]],
    )
    profiles = {str(pid): _profile(values) for pid, values in doc["profiles"].items()}
    graphs = doc["routing"]
    _check(isinstance(graphs, dict) and set(graphs) <= set(profiles), "routing graphs")
    _check(all(isinstance(rg, dict) for rg in graphs.values()), "routing graphs")
    if path is not None:
        unread = {str(pid): Unread(rg, profiles[pid], path) for pid, rg in graphs.items()}
        return Parts(geodata, None, {}, profiles, unread)
    routing = {str(pid): _routing(rg, profiles[pid]) for pid, rg in graphs.items()}
    return Parts(geodata, None, routing, profiles)


#: What reading a cache document can raise when the document is not one: json, a shape
#: check or a constructor refused it, and nothing in it was run.
_REFUSED = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)


def _reason(err: BaseException) -> str:
    # the reason names the check, never the file's content
    return str(err) if type(err) is ValueError else type(err).__name__


def read(path: Path, folder: Path, digest: str) -> Parts | None:
    """Return the network cached in ``path``, or ``None`` when there is none to use.

    A file that cannot be read as this network's cache is removed, with one warning, and
    the caller rebuilds it. The routing graphs are decoded when first asked for
    (:class:`Unread`); one found damaged then is refused the same way, and the network
    builds that graph from its tables.
    """
    if usable_dir(create=False) != path.parent:
        return None
    try:
        doc = _json_file(path, MAX_BYTES)
        return None if doc is _ABSENT else decode(doc, folder, digest, path=path)
    except _REFUSED as err:
        _discard(path, _reason(err))
        return None


#: What :func:`_json_file` returns when there is no file.
_ABSENT = object()


def _json_file(path: Path, limit: int) -> Any:
    """Return the plain JSON in a cache file, or ``_ABSENT`` when there is no such file.

    The file is opened without following a link and must be a regular file of at most
    ``limit`` bytes; otherwise, or when it cannot be opened, ``ValueError`` says why.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return _ABSENT
    except OSError as err:
        msg = f"it cannot be opened ({err.strerror})"
        raise ValueError(msg) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        _check(stat.S_ISREG(info.st_mode), "not a regular file")
        _check(info.st_size <= limit, f"larger than {limit} bytes")
        return json.loads(fh.read().decode("utf-8"))


# -- notes: small results worked out from a cached network ------------------------------------

#: A note file larger than this is not read.
MAX_NOTE_BYTES = 64 * 1024 * 1024


def note_path(data_digest: str, name: str, folder: Path | None = None) -> Path:
    """Return the file of a note kept beside the network cached for this data and code."""
    key = hashlib.sha256(f"{FORMAT}\0{code_digest()}\0{data_digest}".encode()).hexdigest()
    return (folder or cache_dir()) / f"note-{key[:32]}-{name}.json"


def read_note(data_digest: str, name: str) -> Any:
    """Return a note kept for a cached network (plain JSON data), or ``None``.

    A note that cannot be read is removed, with one warning; the caller works it out
    again and checks the shape of what it reads.
    """
    folder = usable_dir(create=False)
    if folder is None:
        return None
    path = note_path(data_digest, name, folder)
    try:
        doc = _json_file(path, MAX_NOTE_BYTES)
    except (OSError, ValueError, RecursionError) as err:
        _discard(path, str(err) if type(err) is ValueError else type(err).__name__)
        return None
    return None if doc is _ABSENT else doc


def write_note(data_digest: str, name: str, doc: Any) -> None:
    """Keep a note (plain JSON data) beside a cached network, atomically; failures only log."""
    folder = usable_dir(create=True)
    if folder is None:
        return
    path = note_path(data_digest, name, folder)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".note-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, separators=(",", ":"))
        Path(tmp).replace(path)
        tmp = None
    except (OSError, MemoryError, ValueError, TypeError) as err:
        log.info("could not write a note to the network cache in %s (%s)", folder, err)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _discard(path: Path, why: str) -> None:
    _warn_once(f"discarding the unreadable network cache {path} ({why}); rebuilding it")
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
