"""Parameter sweeps: a scenario evaluated over a grid of values, with break-even points.

A scenario declares ``parameters`` (name → default value) and uses them as ``$name`` in
its changes; a sweep sets them to each value of a range or a grid, applies the scenario
each time, and routes every OD pair through every named corridor that serves it. Where
the best corridor changes between two neighbouring values of a one-parameter sweep, the
break-even value is interpolated linearly between them.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.errors import InvalidOptionError, NoRouteError, ScenarioError
from corridors.graph.cost_model import SUMMED
from corridors.routing.views import view
from corridors.scenarios.schema import suggest
from corridors.scenarios.workers import check_workers, run_ordered

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.scenarios.comparison import Pair
    from corridors.scenarios.scenario import Progress, Scenario

#: Most grid points one sweep may evaluate.
MAX_POINTS = 2_000


def parse_values(text: str) -> tuple[str, list[float]]:
    """Parse ``name=v1,v2,...`` or ``name=start:stop:step`` (stop included).

    Raises
    ------
    InvalidOptionError
        If the text is not of that form or a value is not a number.
    """
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name or not rest.strip():
        msg = (
            f"--set {text!r} must be NAME=V1,V2,... or NAME=START:STOP:STEP, "
            "e.g. headway_h=12,24,48"
        )
        raise InvalidOptionError(msg)
    try:
        numbers = [float(p) for p in rest.replace(":", ",").split(",") if p.strip()]
    except ValueError:
        msg = f"--set {text!r}: values must be numbers, e.g. {name}=12,24,48"
        raise InvalidOptionError(msg) from None
    if not numbers or not all(math.isfinite(v) for v in numbers):
        msg = f"--set {text!r}: give finite numbers"
        raise InvalidOptionError(msg)
    if ":" in rest:
        parts = numbers
        if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
            msg = f"--set {text!r}: a range is START:STOP:STEP with STEP > 0 and STOP >= START"
            raise InvalidOptionError(msg)
        start, stop, step = parts
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_POINTS:
            msg = f"--set {text!r} gives {count:,} values; at most {MAX_POINTS:,}"
            raise InvalidOptionError(msg)
        return name, [round(start + i * step, 10) for i in range(count)]
    return name, numbers


def sweep_values(
    scenario: Scenario, values: Mapping[str, Sequence[float]] | None
) -> dict[str, list[float]]:
    """Return the grid to sweep (``values``, else the file's ``sweep``), checked.

    Raises
    ------
    ScenarioError
        If there is nothing to sweep or a name is not one of the scenario's parameters.
    InvalidOptionError
        If the grid has more than :data:`MAX_POINTS` points.
    """
    chosen = {k: list(v) for k, v in (values or scenario.doc.sweep).items()}
    if not chosen:
        msg = (
            f"{scenario.lines.file}: nothing to sweep: give --set NAME=V1,V2,... or a `sweep` "
            "section in the file"
        )
        raise ScenarioError(msg)
    known = scenario.doc.parameters
    for name, numbers in chosen.items():
        if name not in known:
            hint = suggest(name, known) if known else "; the file declares no `parameters`"
            msg = f"{scenario.lines.file}: cannot sweep {name!r}: not a parameter{hint}"
            raise ScenarioError(msg)
        if not numbers:
            msg = f"{scenario.lines.file}: no values to sweep {name!r} over"
            raise ScenarioError(msg)
    if grid_size(chosen) > MAX_POINTS:
        msg = f"the sweep grid has {grid_size(chosen):,} points; at most {MAX_POINTS:,}"
        raise InvalidOptionError(msg)
    return chosen


def grid_size(values: Mapping[str, Sequence[float]]) -> int:
    """Return how many points a grid of parameter values has."""
    return math.prod(len(v) for v in values.values()) if values else 0


@dataclass
class SweepResult:
    """Outcomes of a sweep.

    Attributes
    ----------
    name
        The scenario's name.
    parameters
        Parameter names swept, in grid order.
    by
        The objective corridors are ranked by.
    table
        One row per grid point, OD pair and corridor (``best`` is the best route): the
        parameter values, distance, time, cost, CO2, the objective and whether the
        corridor is the best named corridor at that point.
    completed
        Grid points evaluated (fewer than the grid when interrupted).
    total
        Grid points asked for.
    """

    name: str
    parameters: list[str]
    by: str
    table: pd.DataFrame
    completed: int
    total: int

    def best(self) -> pd.DataFrame:
        """Return, per grid point and OD pair, the best named corridor and its objective."""
        named = self.table[(self.table["corridor"] != "best") & self.table["objective"].notna()]
        if named.empty:
            return named
        keys = [*self.parameters, "origin", "destination"]
        idx = named.groupby(keys, sort=False)["objective"].idxmin()
        return named.loc[idx, [*keys, "corridor", "objective"]].reset_index(drop=True)

    def break_even(self) -> pd.DataFrame:
        """Return where the best corridor switches, for a one-parameter sweep.

        Each row gives the OD pair, what switched (``best named corridor``: the cheapest
        of the named corridors' own routes; ``best route follows``: the corridor the
        unconstrained best route follows), the corridors before and after, the two swept
        values around the switch and the value where the two corridors' objectives cross
        (linear interpolation between those two values; empty where a side has no route
        at one of them, as when a limit makes it infeasible).
        """
        cols = [
            "origin",
            "destination",
            "switch",
            "from_corridor",
            "to_corridor",
            "between",
            "break_even",
        ]
        if len(self.parameters) != 1:
            return pd.DataFrame(columns=cols)
        p = self.parameters[0]
        t = self.table
        best_rows = t[(t["corridor"] == "best") & t["follows"].notna()]
        best_rows = best_rows.rename(columns={"corridor": "_row", "follows": "corridor"})
        rows = []
        for switch, frame in (
            ("best named corridor", self.best()),
            ("best route follows", best_rows),
        ):
            for key, group in frame.groupby(["origin", "destination"], sort=False):
                o, d = (str(k) for k in key)
                prev = None
                for rec in group.sort_values(p).to_dict("records"):
                    if prev is not None and rec["corridor"] != prev["corridor"]:
                        a, b = str(prev["corridor"]), str(rec["corridor"])
                        v0, v1 = float(prev[p]), float(rec[p])
                        rows.append(
                            {
                                "origin": o,
                                "destination": d,
                                "switch": switch,
                                "from_corridor": a,
                                "to_corridor": b,
                                "between": f"{v0:g}–{v1:g}",
                                "break_even": _crossing(
                                    a, b, v0, v1, self._objective(o, d, [a, b], [v0, v1])
                                ),
                            }
                        )
                    prev = rec
        return pd.DataFrame(rows, columns=cols)

    def _objective(
        self, o: str, d: str, corridors: list[str], values: list[float]
    ) -> dict[tuple[str, float], float]:
        t = self.table
        p = self.parameters[0]
        sub = t[(t["origin"] == o) & (t["destination"] == d) & t["corridor"].isin(corridors)]
        return {
            (str(r["corridor"]), float(r[p])): float(r["objective"])
            for r in sub.to_dict("records")
            if float(r[p]) in values
        }

    def plot(self, **kwargs: Any) -> Any:
        """Return a matplotlib figure: objective per corridor against the swept value."""
        return view("SweepResult.plot", self, **kwargs)

    def write(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the table (CSV/JSON/Parquet) or the chart (PNG/SVG/PDF), by extension."""
        return Path(view("SweepResult.write", self, path, force=force))

    def __rich__(self) -> Any:
        return view("SweepResult.rich", self)

    def _repr_html_(self) -> str:
        return str(self.best().to_html(index=False, na_rep=""))


def _crossing(a: str, b: str, v0: float, v1: float, f: dict[tuple[str, float], float]) -> float:
    """Where corridors ``a`` and ``b`` cross between two values (linear interpolation)."""
    try:
        d0 = f[(a, v0)] - f[(b, v0)]
        d1 = f[(a, v1)] - f[(b, v1)]
    except KeyError:
        return math.nan
    if d0 == d1 or not (math.isfinite(d0) and math.isfinite(d1)):
        return math.nan
    return v0 + (v1 - v0) * d0 / (d0 - d1)


def _served(scenario: Scenario, net: Network, pairs: list[Pair]) -> dict[Pair, list[str]]:
    """Corridors with a route for each pair, with the scenario at its default values."""
    from corridors import routing

    applied = _applied(scenario, net)
    opts = scenario.route_options()
    out = {}
    # only which corridors serve matters here, not why the others do not
    with routing.unexplained():
        for pair in pairs:
            out[pair] = list(
                routing.compare(applied, *pair, include_best=False, options=opts).routes
            )
    return out


def run_sweep(
    scenario: Scenario,
    values: Mapping[str, Sequence[float]] | None,
    *,
    net: Network,
    od: Iterable[str | Pair] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
    scheduler: Any = None,
) -> SweepResult:
    """Evaluate a scenario at every point of a parameter grid.

    Parameters
    ----------
    scenario
        The scenario; its ``parameters`` are what can be swept.
    values
        Parameter name → values; by default the file's ``sweep`` section.
    net
        The baseline network.
    od
        OD pairs; the file's by default.
    progress
        Called as ``progress(done, total)`` after each grid point.
    workers
        Processes sharing the grid points (1 to 64); the table is the same for any number.
    scheduler
        A Dask distributed scheduler address or ``dask.distributed.Client``: the grid
        points then run on that cluster instead of ``workers`` local processes, with the
        same table (:mod:`corridors.scenarios.cluster`).

    Returns
    -------
    result
        The outcome table. A KeyboardInterrupt stops the sweep; the points evaluated so
        far are attached to the interrupt as ``err.partial``.
    """
    check_workers(workers)
    chosen = sweep_values(scenario, values)
    points = grid(chosen)
    pairs = scenario.pairs(od)
    by = scenario.doc.by
    rows: list[dict[str, Any]] = []
    done = 0
    try:
        _STATE.update(scenario=scenario, net=net, pairs=pairs, points=points)
        _STATE["served"] = _served(scenario, net, pairs)

        def collect(part: list[dict[str, Any]]) -> None:
            nonlocal done
            rows.extend(part)
            done += 1
            if progress is not None:
                progress(done, len(points))

        if scheduler is None:
            run_ordered(_point_rows, range(len(points)), workers, collect)
        else:
            from corridors.scenarios import cluster

            state = {k: _STATE[k] for k in ("scenario", "net", "pairs", "points", "served")}
            cluster.run_ordered(_point_rows, range(len(points)), scheduler, collect, state)
    except KeyboardInterrupt as err:
        err.partial = _result(scenario, chosen, by, rows, done, len(points))  # type: ignore[attr-defined]
        raise
    finally:
        _STATE.clear()
    return _result(scenario, chosen, by, rows, done, len(points))


#: What the grid points of the running sweep share (set before worker processes fork).
_STATE: dict[str, Any] = {}


def _point_rows(index: int) -> list[dict[str, Any]]:
    """Rows of one grid point: the best route and each serving corridor, per OD pair."""
    from corridors import routing
    from corridors.routing.constraints import constrained

    scenario: Scenario = _STATE["scenario"]
    point = _STATE["points"][index]
    served: dict[Pair, list[str]] = _STATE["served"]
    opts = scenario.route_options()
    by = scenario.doc.by
    variant = scenario.with_parameters(**point)
    applied = _applied(variant, _STATE["net"])
    rules = variant.rules
    rows: list[dict[str, Any]] = []
    for pair in _STATE["pairs"]:
        base = {**point, "origin": pair[0], "destination": pair[1]}
        try:
            best = variant.best_route(applied, *pair)
            rows.append({**base, "corridor": "best", **_totals(best, by)})
            rows[-1]["follows"] = best.corridor or "other"
        except NoRouteError as err:
            rows.append({**base, "corridor": "best", "note": str(err)})
        if served[pair]:
            comp = routing.compare(
                applied, *pair, corridors=served[pair], include_best=False, options=opts
            )
            for cid in served[pair]:
                found = comp.routes.get(cid)
                r = constrained(found, rules) if found else comp.reasons.get(cid, "")
                if isinstance(r, str):
                    rows.append({**base, "corridor": cid, "note": r})
                else:
                    rows.append({**base, "corridor": cid, **_totals(r, by)})
    return rows


#: Applied networks a sweep keeps for reuse (most recently used last).
SHARED_NETWORKS = 4


def _network_key(variant: Scenario) -> str:
    """Identify the network a grid point's changes make.

    Driver-stay limits, demand growth and capacities leave the network's tables as they
    are, so points that differ only in those share one network (and its routing graphs).
    """
    changes = [
        c.model_dump(mode="json")
        for c in variant.doc.changes
        if c.max_stay is None and c.growth is None and c.capacity is None
    ]
    return json.dumps(changes, sort_keys=True)


def _applied(variant: Scenario, net: Network) -> Network:
    """Return the grid point's network, built once for points whose changes make the same."""
    kept: OrderedDict[str, Network] = _STATE.setdefault("applied", OrderedDict())
    key = _network_key(variant)
    found = kept.get(key)
    if found is None:
        found = variant.apply(net)
        if SHARED_NETWORKS > 0:
            kept[key] = found
            while len(kept) > SHARED_NETWORKS:
                kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    return found


def _totals(route: Any, by: str) -> dict[str, Any]:
    return {
        "distance_km": round(route.distance_km, 3),
        "time_h": round(route.time_h, 3),
        "cost_usd": round(route.cost_usd, 2),
        "co2_kg": round(route.co2_kg, 3),
        "objective": route.total(by),
    }


def _result(
    scenario: Scenario,
    chosen: Mapping[str, Sequence[float]],
    by: str,
    rows: list[dict[str, Any]],
    done: int,
    total: int,
) -> SweepResult:
    columns = [
        *chosen,
        "origin",
        "destination",
        "corridor",
        *SUMMED,
        "objective",
        "follows",
        "note",
    ]
    table = pd.DataFrame(rows, columns=columns)
    table["objective"] = pd.to_numeric(table["objective"])
    named = table[(table["corridor"] != "best") & table["objective"].notna()]
    table["is_best"] = False
    if not named.empty:
        idx = named.groupby([*chosen, "origin", "destination"], sort=False)["objective"].idxmin()
        table.loc[idx, "is_best"] = True
    return SweepResult(scenario.name, list(chosen), by, table, done, total)


def grid(values: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Return every combination of parameter values, the first parameter varying slowest."""
    names = list(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*values.values())]
