"""The shipped inputs of flow assignment: capacities, demand and flow observations.

``geodata/capacities.csv``
    One row per capacity: of a link (``applies_to = link``, ``target`` a link id; both
    directions draw on it) or of a place (``applies_to = place``, ``target`` a node id; the
    links of the listed ``modes`` that touch the place draw on it — at a border place only
    those that cross the border). ``capacity`` in ``unit`` (``Mt/yr``, ``t/yr`` or
    ``TEU/yr`` with ``tonnes_per_unit``), with the published range, the volume-delay function
    (``queue`` with its ``service_h``, or ``bpr``), sources and method.
``geodata/demand/*.csv``
    One row per flow: origin and destination place ids, cargo ``profile``, and either a
    ``quantity`` in ``unit`` (``Mt/yr``, ``t/yr``, ``TEU/yr``) or a trade ``value_usd`` that is
    turned into the profile's units at the profile's value (``profiles.csv``
    ``value_usd_per_unit``); year, sources, method.
``geodata/queue_costs.csv``
    What an hour of queueing at a capacity costs each profile: ``share_per_day`` of the
    cargo's value (``profiles.csv`` ``value_usd_per_unit``) per day of waiting, with sources.
    A profile without a row pays its value of time.
``geodata/flow_observations.csv``
    Published volumes to judge assigned flows against. They are never inputs.

Every row must cite sources known to ``sources.yaml`` (or a seed record) and state a method.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from corridors.data.vocabulary import MODES
from corridors.errors import GeodataError, InvalidOptionError
from corridors.flows.vdf import VDF_KINDS

if TYPE_CHECKING:
    from corridors.graph.network import Network

CAPACITIES = "capacities.csv"
DEMAND_DIR = "demand"
OBSERVATIONS = "flow_observations.csv"
QUEUE_COSTS = "queue_costs.csv"
#: Units a capacity or demand quantity may be given in, and tonnes per unit (TEU: per row).
TONNE_UNITS = {"t/yr": 1.0, "Mt/yr": 1e6}
TEU_UNIT = "TEU/yr"


@dataclass(frozen=True)
class CapacityRow:
    """One capacity, in tonnes per year (see the module docstring for the columns)."""

    id: str
    applies_to: str
    target: str
    modes: tuple[str, ...]
    tonnes_per_year: float
    low_tonnes: float
    high_tonnes: float
    vdf: str
    service_h: float
    source_id: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class DemandRow:
    """One flow of the demand, in the profile's units per year."""

    id: str
    origin: str
    destination: str
    profile: str
    units_per_year: float
    tonnes_per_year: float
    year: int
    source_id: tuple[str, ...]
    method: str


@dataclass(frozen=True)
class Observation:
    """A published volume to judge assigned flows against (never an input)."""

    id: str
    measure: str
    targets: str
    tonnes_per_year: float
    low_tonnes: float
    high_tonnes: float
    year: int
    source_id: tuple[str, ...]
    note: str


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                msg = f"{path.name}: missing column(s) {', '.join(missing)}"
                raise GeodataError(msg)
            return [(i, {k: (v or "").strip() for k, v in r.items()}) for i, r in
                    enumerate(reader, start=2)]  # fmt: skip
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise GeodataError(msg) from None


def _bad(path: Path, line: int, what: str) -> GeodataError:
    return GeodataError(f"{path.name}:{line}: {what}")


def _number(path: Path, line: int, row: dict[str, str], column: str) -> float | None:
    text = row.get(column, "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _bad(path, line, f"{column} should be a number, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise _bad(path, line, f"{column} should be a finite number, 0 or more, not {text}")
    return value


def _sources(net: Network, path: Path, line: int, text: str) -> tuple[str, ...]:
    ids = tuple(s.strip() for s in text.split("|") if s.strip())
    if not ids:
        raise _bad(path, line, "source_id is empty; cite the sources.yaml id of the figure")
    known = set(net.geodata.sources) | set(net.geodata.seeds)
    for sid in ids:
        base = sid.split("-f")[0] if sid.startswith("seed-") else sid
        if sid not in known and base not in known:
            raise _bad(path, line, f"source {sid!r} is not in sources.yaml or the seed records")
    return ids


def _tonnes(path: Path, line: int, unit: str, value: float, per_teu: float | None) -> float:
    if unit in TONNE_UNITS:
        return value * TONNE_UNITS[unit]
    if unit == TEU_UNIT:
        if not per_teu:
            raise _bad(path, line, "a TEU/yr figure needs tonnes_per_unit (t per loaded TEU)")
        return value * per_teu
    units = ", ".join([*TONNE_UNITS, TEU_UNIT])
    raise _bad(path, line, f"unit {unit!r} is not one of {units}")


def read_capacities(net: Network, path: Path | None = None) -> list[CapacityRow]:
    """Read and check the capacity table.

    Parameters
    ----------
    net : Network
        The network whose links and places the rows refer to.
    path : pathlib.Path, optional
        The table; by default ``capacities.csv`` in the network's geodata folder (no table:
        no capacities).

    Returns
    -------
    list of CapacityRow

    Raises
    ------
    GeodataError
        On the first bad row, naming file, line and what would be right.
    """
    path = path or net.geodata.folder / CAPACITIES
    if not path.exists():
        return []
    cols = ("id", "applies_to", "target", "modes", "capacity", "unit", "vdf", "source_id",
            "method")  # fmt: skip
    links = set(net.geodata.tables["links"]["id"].astype(str))
    places = net.nodes
    out: list[CapacityRow] = []
    seen: set[str] = set()
    for line, r in _rows(path, cols):
        if not r["id"] or r["id"] in seen:
            raise _bad(path, line, f"id {r['id']!r} is empty or repeated")
        seen.add(r["id"])
        kind = r["applies_to"]
        if kind == "link" and r["target"] not in links:
            raise _bad(path, line, f"target {r['target']!r} is not a link id of links.csv")
        if kind == "place" and r["target"] not in places:
            raise _bad(path, line, f"target {r['target']!r} is not a node id of nodes.csv")
        if kind not in ("link", "place"):
            raise _bad(path, line, f"applies_to is {kind!r}; use link or place")
        modes = tuple(m for m in r["modes"].split("|") if m)
        bad = [m for m in modes if m not in MODES]
        if not modes or bad:
            raise _bad(path, line, f"modes must list modes of {', '.join(MODES)}")
        per = _number(path, line, r, "tonnes_per_unit")
        value = _number(path, line, r, "capacity")
        if not value:
            raise _bad(path, line, "capacity must be a positive number")
        low = _number(path, line, r, "capacity_low") or value
        high = _number(path, line, r, "capacity_high") or value
        if not low <= value <= high:
            raise _bad(path, line, "capacity must lie within capacity_low..capacity_high")
        if r["vdf"] not in VDF_KINDS:
            raise _bad(path, line, f"vdf {r['vdf']!r} is not one of {', '.join(VDF_KINDS)}")
        service = _number(path, line, r, "service_h")
        if r["vdf"] == "queue" and not service:
            raise _bad(path, line, "a queue needs service_h, its mean service time in hours")
        if not r["method"]:
            raise _bad(path, line, "method is empty; say how the figure was obtained")
        out.append(
            CapacityRow(
                id=r["id"],
                applies_to=kind,
                target=r["target"],
                modes=modes,
                tonnes_per_year=_tonnes(path, line, r["unit"], value, per),
                low_tonnes=_tonnes(path, line, r["unit"], low, per),
                high_tonnes=_tonnes(path, line, r["unit"], high, per),
                vdf=r["vdf"],
                service_h=service or 0.0,
                source_id=_sources(net, path, line, r["source_id"]),
                note=r.get("note", ""),
            )
        )
    return out


def demand_files(net: Network) -> dict[str, Path]:
    """Give the shipped demand files by name (file stem)."""
    folder = net.geodata.folder / DEMAND_DIR
    return {p.stem: p for p in sorted(folder.glob("*.csv"))} if folder.is_dir() else {}


def resolve_demand(net: Network, demand: str | Path) -> Path:
    """Find a demand file: a path, or the name of a shipped one (``baseline-2024``)."""
    shipped = demand_files(net)
    if str(demand) in shipped:
        return shipped[str(demand)]
    path = Path(demand)
    if path.is_file():
        return path
    names = ", ".join(shipped) or "none"
    msg = f"no demand file {str(demand)!r}; give a CSV path or a shipped name ({names})"
    raise GeodataError(msg)


def read_demand(net: Network, demand: str | Path) -> list[DemandRow]:
    """Read and check a demand file.

    Parameters
    ----------
    net : Network
        The network whose places and profiles the rows refer to.
    demand : str or pathlib.Path
        A CSV path, or the name of a shipped demand file.

    Returns
    -------
    list of DemandRow

    Raises
    ------
    GeodataError
        On the first bad row, naming file, line and what would be right.
    """
    path = resolve_demand(net, demand)
    cols = ("id", "origin", "destination", "profile", "quantity", "unit", "year", "source_id",
            "method")  # fmt: skip
    profiles = net.profiles
    # the value per unit is in profiles.csv but not in the routing tables: read it here
    value_of = {
        r["id"].lower(): r.get("value_usd_per_unit", "")
        for _, r in _rows(net.geodata.folder / "profiles.csv", ("id",))
    }
    places = net.nodes
    out: list[DemandRow] = []
    for line, r in _rows(path, cols):
        for end in ("origin", "destination"):
            if r[end] not in places:
                raise _bad(path, line, f"{end} {r[end]!r} is not a node id of nodes.csv")
        if r["origin"] == r["destination"]:
            raise _bad(path, line, "origin and destination are the same place")
        prof = profiles.get(r["profile"].lower())
        if prof is None:
            raise _bad(path, line, f"profile {r['profile']!r} is not one of {', '.join(profiles)}")
        quantity = _number(path, line, r, "quantity")
        value = _number(path, line, r, "value_usd")
        if (quantity is None) == (value is None):
            raise _bad(path, line, "give either quantity (with unit) or value_usd, not both")
        if quantity is not None:
            per = prof.tonnes_per_unit
            tonnes = _tonnes(path, line, r["unit"], quantity, per if prof.unit == "TEU" else None)
        else:
            try:
                price = float(value_of.get(prof.id) or "nan")
            except ValueError:
                price = float("nan")
            if not (price > 0):
                raise _bad(path, line, f"profile {prof.id} has no value_usd_per_unit")
            tonnes = float(value or 0.0) / price * prof.tonnes_per_unit
        try:
            year = int(r["year"])
        except ValueError:
            raise _bad(path, line, f"year should be a year, not {r['year']!r}") from None
        if not r["method"]:
            raise _bad(path, line, "method is empty; say how the figure was obtained")
        out.append(
            DemandRow(
                id=r["id"],
                origin=r["origin"],
                destination=r["destination"],
                profile=prof.id,
                units_per_year=tonnes / prof.tonnes_per_unit,
                tonnes_per_year=tonnes,
                year=year,
                source_id=_sources(net, path, line, r["source_id"]),
                method=r["method"],
            )
        )
    if not out:
        msg = f"{path.name} has no demand rows"
        raise GeodataError(msg)
    return out


def profile_values(net: Network) -> dict[str, float]:
    """Give each profile's cargo value in USD per profile unit (NaN where not given)."""
    out = {}
    for _, r in _rows(net.geodata.folder / "profiles.csv", ("id",)):
        try:
            out[r["id"].lower()] = float(r.get("value_usd_per_unit") or "nan")
        except ValueError:
            out[r["id"].lower()] = float("nan")
    return out


def read_queue_costs(net: Network) -> dict[str, float]:
    """Read what an hour of queueing costs each profile, in USD per profile unit.

    The cost is the larger of the profile's value of time and ``share_per_day`` of its
    cargo value per 24 hours (``queue_costs.csv``); profiles without a row pay their value
    of time.

    Returns
    -------
    dict of str to float
        Profile id -> USD per unit per hour of queueing.

    Raises
    ------
    GeodataError
        On a bad row, naming file, line and what would be right.
    """
    path = net.geodata.folder / QUEUE_COSTS
    out = {pid: p.value_of_time_usd_per_h for pid, p in net.profiles.items()}
    if not path.exists():
        return out
    values = profile_values(net)
    for line, r in _rows(path, ("profile", "share_per_day", "source_id", "method")):
        pid = r["profile"].lower()
        if pid not in out:
            raise _bad(path, line, f"profile {r['profile']!r} is not one of {', '.join(out)}")
        share = _number(path, line, r, "share_per_day")
        if share is None or share >= 1:
            raise _bad(path, line, "share_per_day should be a fraction of the value per day")
        if not values.get(pid, float("nan")) > 0:
            raise _bad(path, line, f"profile {pid} has no value_usd_per_unit in profiles.csv")
        if not r["method"]:
            raise _bad(path, line, "method is empty; say how the figure was obtained")
        _sources(net, path, line, r["source_id"])
        out[pid] = max(out[pid], values[pid] * share / 24.0)
    return out


def read_observations(net: Network) -> list[Observation]:
    """Read the published flow volumes the assignment is judged against."""
    path = net.geodata.folder / OBSERVATIONS
    if not path.exists():
        return []
    cols = ("id", "measure", "targets", "quantity", "unit", "year", "source_id")
    out = []
    for line, r in _rows(path, cols):
        q = _number(path, line, r, "quantity") or 0.0
        low = _number(path, line, r, "quantity_low") or q
        high = _number(path, line, r, "quantity_high") or q
        out.append(
            Observation(
                id=r["id"],
                measure=r["measure"],
                targets=r["targets"],
                tonnes_per_year=_tonnes(path, line, r["unit"], q, None),
                low_tonnes=_tonnes(path, line, r["unit"], low, None),
                high_tonnes=_tonnes(path, line, r["unit"], high, None),
                year=int(r["year"]),
                source_id=_sources(net, path, line, r["source_id"]),
                note=r.get("note", ""),
            )
        )
    return out


def check_flow_inputs(net: Network) -> list[str]:
    """Check the capacity table, every shipped demand file and the observations.

    Parameters
    ----------
    net : Network
        The network the tables refer to.

    Returns
    -------
    list of str
        One ``file:line: problem`` per table that fails (empty when all read cleanly).
    """
    problems: list[str] = []
    try:
        read_capacities(net)
    except GeodataError as err:
        problems.append(str(err))
    try:
        read_observations(net)
    except GeodataError as err:
        problems.append(str(err))
    try:
        read_queue_costs(net)
    except GeodataError as err:
        problems.append(str(err))
    for path in demand_files(net).values():
        try:
            read_demand(net, path)
        except GeodataError as err:
            problems.append(str(err))
    return problems


def scale_demand(rows: Sequence[DemandRow], factor: float) -> list[DemandRow]:
    """Give the demand grown by ``factor`` (1.62 for +62%).

    Parameters
    ----------
    rows : sequence of DemandRow
        The demand.
    factor : float
        Multiplier, positive.

    Returns
    -------
    list of DemandRow
    """
    if not (factor > 0 and math.isfinite(factor)):
        msg = f"demand growth must be a positive factor (1.62 for +62%), not {factor!r}"
        raise InvalidOptionError(msg)
    return [
        dataclasses.replace(
            r, units_per_year=r.units_per_year * factor, tonnes_per_year=r.tonnes_per_year * factor
        )
        for r in rows
    ]
