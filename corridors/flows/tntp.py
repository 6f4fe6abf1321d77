"""Readers of the TNTP files of the transport-research benchmark networks.

A network file opens with metadata lines ``<NAME> value`` up to ``<END OF METADATA>``; then,
after comment lines starting with ``~``, one link per line: init node, term node, capacity,
length, free-flow time, ``b``, ``power``, speed, toll, link type, ``;``. A trips file has the
same metadata, then blocks ``Origin o`` followed by ``dest : trips;`` entries. Nodes are
numbered from 1 in the files and from 0 in a :class:`~corridors.flows.links.LinkTable`;
zones numbered below ``<FIRST THRU NODE>`` are never passed through.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corridors.errors import GeodataError
from corridors.flows.aon import Demand
from corridors.flows.links import LinkTable

FloatArray = npt.NDArray[np.float64]

_META = re.compile(r"^\s*<([^>]+)>\s*(.*?)\s*$")


def _bad(path: Path, line: int, what: str) -> GeodataError:
    return GeodataError(f"{path.name} line {line}: {what}")


def _read(path: Path) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Metadata and the numbered body lines (comments and blanks dropped) of a TNTP file."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        msg = f"cannot read TNTP file {path}: {exc.strerror or exc}"
        raise GeodataError(msg) from None
    meta: dict[str, str] = {}
    body: list[tuple[int, str]] = []
    in_meta = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("~", 1)[0].strip()
        if in_meta:
            m = _META.match(raw.split("~", 1)[0]) if line else None
            if m:
                key = m.group(1).strip().upper()
                if key == "END OF METADATA":
                    in_meta = False
                else:
                    meta[key] = m.group(2)
                continue
            if not line:
                continue
            in_meta = False
        if line:
            body.append((number, line))
    if not meta:
        msg = f"{Path(path).name} is not a TNTP file: no <...> metadata lines"
        raise GeodataError(msg)
    return meta, body


def _meta_int(meta: dict[str, str], key: str, path: Path, default: int | None = None) -> int:
    value = meta.get(key)
    if value is None:
        if default is not None:
            return default
        msg = f"{path.name}: missing <{key}> in the metadata"
        raise GeodataError(msg)
    try:
        return int(float(value))
    except ValueError:
        msg = f"{path.name}: <{key}> should be a number, not {value!r}"
        raise GeodataError(msg) from None


def read_net(path: str | Path) -> LinkTable:
    """Read a TNTP network file into a link table with BPR links.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``*_net.tntp`` file.

    Returns
    -------
    LinkTable
        Node ``k`` of the file is node ``k - 1``; the link order is the file's. Free-flow time,
        capacity, ``b`` (as ``alpha``) and ``power`` (as ``beta``) come from the file.

    Raises
    ------
    GeodataError
        If the file is missing, malformed or its link count disagrees with its metadata.
    """
    path = Path(path)
    meta, body = _read(path)
    n_nodes = _meta_int(meta, "NUMBER OF NODES", path)
    n_links = _meta_int(meta, "NUMBER OF LINKS", path)
    first_thru = _meta_int(meta, "FIRST THRU NODE", path, default=1)
    rows: list[tuple[float, ...]] = []
    for number, line in body:
        fields = line.rstrip(";").split()
        if len(fields) < 7:
            raise _bad(path, number, f"a link needs at least 7 fields, found {len(fields)}")
        try:
            rows.append(tuple(float(f) for f in fields[:7]))
        except ValueError:
            raise _bad(path, number, "link fields should be numbers") from None
    if len(rows) != n_links:
        msg = f"{path.name}: <NUMBER OF LINKS> is {n_links} but {len(rows)} links were read"
        raise GeodataError(msg)
    a = np.array(rows, dtype=np.float64).reshape(-1, 7)
    init, term = a[:, 0].astype(np.int64) - 1, a[:, 1].astype(np.int64) - 1
    if n_links and (min(init.min(), term.min()) < 0 or max(init.max(), term.max()) >= n_nodes):
        msg = f"{path.name}: node numbers must run from 1 to <NUMBER OF NODES> = {n_nodes}"
        raise GeodataError(msg)
    if np.any(a[:, 2] <= 0):
        bad = int(np.flatnonzero(a[:, 2] <= 0)[0])
        msg = f"{path.name}: link {bad + 1} has capacity {a[bad, 2]:g}; capacities must be > 0"
        raise GeodataError(msg)
    return LinkTable.build(
        init,
        term,
        a[:, 4],
        a[:, 2],
        alpha=a[:, 5],
        beta=a[:, 6],
        vdf="bpr",
        n_nodes=n_nodes,
        no_through=max(0, first_thru - 1),
    )


def read_trips(path: str | Path, n_nodes: int | None = None) -> Demand:
    """Read a TNTP trips file.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``*_trips.tntp`` file.
    n_nodes : int, optional
        Number of nodes of the network it goes with, to check the zone numbers.

    Returns
    -------
    Demand
        Origins and destinations as 0-based node ids.

    Raises
    ------
    GeodataError
        If the file is missing or malformed, or its total disagrees with ``<TOTAL OD FLOW>``.
    """
    path = Path(path)
    meta, body = _read(path)
    zones = _meta_int(meta, "NUMBER OF ZONES", path)
    if n_nodes is not None and zones > n_nodes:
        msg = f"{path.name}: {zones} zones but the network has only {n_nodes} nodes"
        raise GeodataError(msg)
    matrix = np.zeros((zones, zones))
    origin: int | None = None
    for number, line in body:
        if line.lower().startswith("origin"):
            parts = line.split()
            if len(parts) != 2 or not parts[1].isdigit():
                raise _bad(path, number, "expected 'Origin <zone number>'")
            origin = int(parts[1])
            if not 1 <= origin <= zones:
                raise _bad(path, number, f"origin {origin} is not a zone 1..{zones}")
            continue
        if origin is None:
            raise _bad(path, number, "trips before the first 'Origin' line")
        for entry in line.split(";"):
            if not entry.strip():
                continue
            dest_text, sep, value_text = entry.partition(":")
            try:
                dest, value = int(dest_text), float(value_text)
            except ValueError:
                raise _bad(
                    path, number, f"expected 'zone : trips;', found {entry.strip()!r}"
                ) from None
            if not sep or not 1 <= dest <= zones:
                raise _bad(path, number, f"destination {dest} is not a zone 1..{zones}")
            if value < 0 or not np.isfinite(value):
                raise _bad(path, number, f"trips must be finite and 0 or more, not {value:g}")
            matrix[origin - 1, dest - 1] += value
    stated = meta.get("TOTAL OD FLOW")
    if stated is not None:
        read = float(matrix.sum())
        try:
            total = float(stated)
        except ValueError:
            msg = f"{path.name}: <TOTAL OD FLOW> should be a number, not {stated!r}"
            raise GeodataError(msg) from None
        if abs(read - total) > 1e-4 * max(1.0, abs(total)):
            msg = f"{path.name}: the trips add up to {read:g}, not <TOTAL OD FLOW> {total:g}"
            raise GeodataError(msg)
    np.fill_diagonal(matrix, 0.0)  # intrazonal trips never use a link
    return Demand.from_matrix(matrix)


def read_flows(path: str | Path) -> dict[tuple[int, int], tuple[float, float]]:
    """Read a TNTP flow (solution) file: volume and cost by (init, term), 1-based as in the file.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``*_flow.tntp`` file with columns From, To, Volume, Cost.

    Returns
    -------
    dict
        ``{(init, term): (volume, cost)}``.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        msg = f"cannot read TNTP file {path}: {exc.strerror or exc}"
        raise GeodataError(msg) from None
    out: dict[tuple[int, int], tuple[float, float]] = {}
    for number, raw in enumerate(lines, start=1):
        fields = raw.split()
        if not fields or not fields[0].isdigit():
            continue
        if len(fields) < 4:
            raise _bad(path, number, "expected From To Volume Cost")
        out[int(fields[0]), int(fields[1])] = (float(fields[2]), float(fields[3]))
    return out
