"""Turn query options into an edge mask and weights over a routing graph."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from corridors.data.schema import MODES, STATUSES
from corridors.errors import GeodataError, InvalidOptionError
from corridors.graph.routing_graph import RoutingGraph

OBJECTIVES = ("time", "cost", "distance", "co2", "generalized")
#: Unit of each objective's totals (per unit of the cargo profile).
UNITS = {"time": "h", "cost": "USD", "distance": "km", "co2": "kg CO2", "generalized": "USD"}
#: Weight of the tie-breaking criterion: small enough never to outweigh a real difference
#: in the objective, large enough to pick the sensible one of two equal paths.
TIE_BREAK = 1e-7


@dataclass(frozen=True)
class Options:
    """Validated routing options (see :func:`corridors.route` for their meaning)."""

    by: str = "time"
    statuses: frozenset[str] = frozenset({"operational"})
    year: int | None = None
    modes: frozenset[str] | None = None
    avoid_countries: frozenset[str] = frozenset()
    avoid_nodes: frozenset[str] = frozenset()
    avoid_links: frozenset[str] = frozenset()
    avoid_borders: frozenset[frozenset[str]] = field(default_factory=frozenset)
    value_of_time: float | None = None

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
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out += [part.strip() for part in str(value).split(",") if part.strip()]
    return out


def make_options(
    *,
    by: str = "time",
    statuses: Iterable[str] | str | None = None,
    include_planned: bool = False,
    year: int | None = None,
    modes: Iterable[str] | str | None = None,
    avoid_countries: Iterable[str] | str | None = None,
    avoid_nodes: Iterable[str] | None = None,
    avoid_links: Iterable[str] | str | None = None,
    avoid_borders: Iterable[str] | str | None = None,
    value_of_time: float | None = None,
) -> Options:
    """Validate routing options and return them as :class:`Options`."""
    key = str(by).strip().lower()
    if key not in OBJECTIVES:
        msg = f"unknown objective by={by!r}; choose one of: {', '.join(OBJECTIVES)}"
        raise InvalidOptionError(msg)
    chosen = {s.lower() for s in words(statuses)} or {"operational"}
    if include_planned:
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
    countries = {c.upper() for c in words(avoid_countries)}
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
    return Options(
        by=key,
        statuses=frozenset(chosen),
        year=None if year is None else int(year),
        modes=None if mode_set is None else frozenset(mode_set),
        avoid_countries=frozenset(countries),
        avoid_nodes=frozenset(avoid_nodes or ()),
        avoid_links=frozenset(words(avoid_links)),
        avoid_borders=frozenset(borders),
        value_of_time=value_of_time,
    )


def edge_mask(rg: RoutingGraph, opts: Options) -> np.ndarray:
    """Return a boolean array: which routing-graph edges the options allow."""
    is_link = rg.kind == "link"
    if opts.year is not None:
        opened = (rg.status == "operational") | (
            np.isin(rg.status, ("under_construction", "planned")) & (rg.open_year <= opts.year)
        )
        ok = ~is_link | opened
    else:
        ok = ~is_link | np.isin(rg.status, list(opts.statuses))
    if opts.modes is not None:
        ok &= ~is_link | np.isin(rg.mode, list(opts.modes))
    if opts.avoid_countries:
        bad = list(opts.avoid_countries)
        ok &= ~(np.isin(rg.u_country, bad) | np.isin(rg.v_country, bad))
    if opts.avoid_nodes:
        bad = list(opts.avoid_nodes)
        ok &= ~(np.isin(rg.u_place, bad) | np.isin(rg.v_place, bad))
    if opts.avoid_links:
        ok &= ~np.isin(rg.link_id, list(opts.avoid_links))
    if opts.avoid_borders:
        crossing = is_link & (rg.u_country != rg.v_country)
        pairs = np.array(
            [frozenset((a, b)) in opts.avoid_borders for a, b in zip(rg.u_country, rg.v_country)],
            dtype=bool,
        )
        ok &= ~(crossing & pairs)
    return np.asarray(ok, dtype=bool)


def objective(rg: RoutingGraph, by: str, value_of_time: float | None = None) -> np.ndarray:
    """Return the per-edge value of an objective."""
    if by == "time":
        return rg.time_h
    if by == "cost":
        return rg.cost_usd
    if by == "distance":
        return rg.distance_km
    if by == "co2":
        return rg.co2_kg
    vot = rg.profile.value_of_time_usd_per_h if value_of_time is None else value_of_time
    return rg.cost_usd + vot * rg.time_h


def weights(rg: RoutingGraph, opts: Options) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(primary, weight)``: the objective per edge and the weight routed on.

    The weight adds a tiny tie-break (generalized cost, or distance when routing by
    generalized cost) so that equal-objective paths resolve to the sensible one.
    """
    primary = objective(rg, opts.by, opts.value_of_time)
    second = (
        rg.distance_km
        if opts.by == "generalized"
        else objective(rg, "generalized", opts.value_of_time)
    )
    return primary, primary + TIE_BREAK * second


def check_non_negative(weight: np.ndarray) -> None:
    """Refuse negative edge weights, on which Dijkstra gives a cyclic predecessor tree."""
    if len(weight) and float(np.nanmin(weight)) < 0:
        msg = (
            "negative edge weights: a link or friction in the data has a negative length, "
            "time or fee; fix the data (corridors data validate lists such rows)"
        )
        raise GeodataError(msg)


def collapse(
    src: np.ndarray, dst: np.ndarray, weight: np.ndarray, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Keep, for each ordered node pair, the allowed edge of least weight.

    Returns ``(src, dst, weight, edge_index)`` of the kept edges, sorted by pair, so that
    networkx and scipy see the same simple graph.
    """
    idx = np.flatnonzero(mask & np.isfinite(weight))
    order = np.lexsort((idx, weight[idx], dst[idx], src[idx]))
    idx = idx[order]
    s, d = src[idx], dst[idx]
    first = np.ones(len(idx), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    keep = idx[first]
    return src[keep], dst[keep], weight[keep], keep


def staged(
    rg: RoutingGraph,
    kept: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    waypoints: Sequence[str | Sequence[str]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Copy the graph once per leg between waypoints, joined at each waypoint's layers.

    A path from stage 0 to the last stage must arrive at every waypoint in order (the
    stage advances on the waypoint's arrival nodes; a waypoint given as several places
    advances on any of them), and it may change layer there only through a transfer
    edge, which pays its friction.
    Stage-advance edges carry edge index -1.
    """
    s, d, w, e = kept
    n = rg.n_nodes
    parts_s, parts_d, parts_w, parts_e = [], [], [], []
    for stage in range(len(waypoints) + 1):
        parts_s.append(s + stage * n)
        parts_d.append(d + stage * n)
        parts_w.append(w)
        parts_e.append(e)
    for stage, place in enumerate(waypoints, start=1):
        # a waypoint may be a set of alternatives: reaching any one of them advances
        arr = rg.arrival_nodes([place] if isinstance(place, str) else place)
        parts_s.append(arr + (stage - 1) * n)
        parts_d.append(arr + stage * n)
        parts_w.append(np.zeros(len(arr)))
        parts_e.append(np.full(len(arr), -1, dtype=np.int64))
    return (
        np.concatenate(parts_s),
        np.concatenate(parts_d),
        np.concatenate(parts_w),
        np.concatenate(parts_e),
    )
