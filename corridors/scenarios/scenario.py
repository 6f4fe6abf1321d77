"""What-if scenarios: YAML files of changes, applied to a copy of the network and compared.

A scenario file names a ``base`` (``baseline`` for the network as shipped, or another
scenario file, so scenarios compose), routing options (``year``, ``include``, ``profile``,
``by``), origin-destination pairs, a list of ``changes`` and optional ``uncertain``
parameters for Monte Carlo runs. Each change is one action on what a selector matches:

``open`` / ``close``
    links by ``link``, ``node``, ``country``, ``border`` (``TM-IR`` both ways, ``TM>IR``
    one way), ``mode`` or ``corridor`` (criteria combine with AND).
``add_link``
    a new link between two places, with mode, gauge, status, length or waypoints, speed,
    rates, border dwell and sources.
``set`` / ``scale``
    link attributes (``speed_kph``, ``headway_h``, ``sailing_h``, ``length_km``,
    ``capacity``), friction attributes (``time_h``, ``fee_usd``: border dwell, port
    handling, gauge breaks, transfers) and rates (``usd_per_unit_km``, ``usd_per_unit``) on
    everything ``where`` selects. Frictions are selected where they take effect, so a
    default row used at a selected place is copied into a row for that place alone.
``max_stay``
    a route-level limit on how long road drivers may stay in a country (a visa), with
    ``on_violation: infeasible`` or a ``driver_change`` cost.

Applying a scenario never modifies the network it is applied to.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.data.locate import shipped_scenarios_dir
from corridors.errors import InvalidOptionError, NoRouteError, ScenarioError
from corridors.routing.constraints import best_route, constrained
from corridors.routing.options import RouteOptions
from corridors.routing.views import view
from corridors.scenarios.schema import MaxStay, ScenarioDoc, parse, suggest
from corridors.scenarios.yaml_lines import LineMap, load_yaml

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Route
    from corridors.scenarios.apply import Applied, Edits
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult

#: What ``base:`` names to start from the network as it is.
BASELINE = "baseline"
#: Origin-destination pair as typed (place names or ids).
Pair = tuple[str, str]
Progress = Callable[[int, int], None]


def _net(net: Network | None) -> Network:
    if net is not None:
        return net
    from corridors.graph.network import load_network

    return load_network()


class Scenario:
    """A validated scenario file, ready to apply to a network.

    Build one with :meth:`from_yaml` (or :meth:`from_dict`); see the module docstring for
    the file format.

    Attributes
    ----------
    doc
        The validated document.
    path
        The file it came from (None for a dict).
    base
        The scenario this one builds on, or None when it builds on the baseline.
    """

    def __init__(
        self,
        doc: ScenarioDoc,
        lines: LineMap,
        raw: dict[str, Any],
        path: Path | None = None,
        base: Scenario | None = None,
    ) -> None:
        self.doc = doc
        self.lines = lines
        self.path = path
        self.base = base
        self._raw = raw
        self._applied: dict[str, tuple[Network, Edits]] = {}

    # -- building ---------------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> Scenario:
        """Read and validate a scenario file (and the files it builds on).

        Raises
        ------
        ScenarioError
            With ``file:line`` and the key for a malformed file, an unknown key or a value
            of the wrong type, a missing or circular ``base``.
        """
        return cls._load(Path(path), ())

    @classmethod
    def _load(cls, path: Path, chain: tuple[Path, ...]) -> Scenario:
        resolved = path.expanduser().resolve()
        if resolved in chain:
            loop = " → ".join(p.name for p in (*chain, resolved))
            msg = f"{path}: circular base: {loop}; a scenario cannot build on itself"
            raise ScenarioError(msg)
        data, lines = load_yaml(path)
        doc = parse(data, lines)
        base = None
        if doc.base != BASELINE:
            target = (resolved.parent / doc.base).resolve()
            if not target.is_file():
                msg = (
                    f"{lines.where(('base',))}: `base` is {doc.base!r}, which is not a file "
                    f"next to {path.name}; give `baseline` or a scenario file's path"
                )
                raise ScenarioError(msg)
            base = cls._load(target, (*chain, resolved))
        return cls(doc, lines, data, path, base)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str = "<scenario>") -> Scenario:
        """Validate a scenario given as a dict (``base`` must be ``baseline``)."""
        raw = copy.deepcopy(dict(data))
        lines = LineMap(name, {})
        doc = parse(raw, lines)
        if doc.base != BASELINE:
            msg = f"{name}: a scenario given as a dict builds on the baseline; use from_yaml"
            raise ScenarioError(msg)
        return cls(doc, lines, raw)

    def with_parameters(self, **values: float) -> Scenario:
        """Return the scenario with some ``parameters`` set to other values."""
        known = dict(self.doc.parameters)
        for name in values:
            if name not in known:
                msg = (
                    f"{self.lines.file}: scenario has no parameter {name!r}"
                    f"{suggest(name, known) if known else '; add it under `parameters`'}"
                )
                raise ScenarioError(msg)
        raw = copy.deepcopy(self._raw)
        raw["parameters"] = {**known, **{k: float(v) for k, v in values.items()}}
        return Scenario(parse(raw, self.lines), self.lines, raw, self.path, self.base)

    def with_options(self, *, by: str | None = None, profile: str | None = None) -> Scenario:
        """Return the scenario with its objective or cargo profile replaced."""
        if by is None and profile is None:
            return self
        raw = copy.deepcopy(self._raw)
        if by is not None:
            raw["by"] = str(by).strip().lower()
        if profile is not None:
            raw["profile"] = str(profile).strip().lower()
        return Scenario(parse(raw, self.lines), self.lines, raw, self.path, self.base)

    # -- what it is -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.doc.name

    @property
    def rules(self) -> list[MaxStay]:
        """Driver-stay limits in force, those of the base scenarios included."""
        own = [c.max_stay for c in self.doc.changes if c.max_stay is not None]
        return [*(self.base.rules if self.base else []), *own]

    def pairs(self, od: Iterable[str | Pair] | None = None) -> list[Pair]:
        """Return the OD pairs to evaluate: ``od`` if given, else the file's."""
        if od:
            out = []
            for item in od:
                if isinstance(item, str):
                    o, sep, d = item.partition(":")
                    if not sep or not o.strip() or not d.strip():
                        msg = f"OD pair {item!r} must be ORIGIN:DESTINATION, e.g. Almaty:Karachi"
                        raise InvalidOptionError(msg)
                    out.append((o.strip(), d.strip()))
                else:
                    out.append((str(item[0]), str(item[1])))
            return out
        pairs = [(p.origin, p.destination) for p in self.doc.od]
        if not pairs:
            msg = (
                f"{self.lines.file}: no OD pairs: add `od: [ORIGIN:DESTINATION, ...]` to the "
                "file or pass --od ORIGIN:DESTINATION"
            )
            raise ScenarioError(msg)
        return pairs

    def route_options(self) -> RouteOptions:
        """Route options the scenario sets (objective, profile, statuses, year, value of time)."""
        return RouteOptions.build(
            by=self.doc.by,
            profile=self.doc.profile,
            statuses=sorted({"operational", *self.doc.include}),
            year=self.doc.year,
            value_of_time=self.doc.value_of_time,
        )

    # -- applying ---------------------------------------------------------------------------------
    def reference(self, net: Network | None = None) -> Network:
        """Return what the scenario is compared with: its base applied, or the network."""
        net = _net(net)
        return self.base.apply(net) if self.base is not None else net

    def apply(self, net: Network | None = None) -> Network:
        """Return a new network with the changes applied; ``net`` is not modified.

        Raises
        ------
        ScenarioError
            If a selector matches nothing, a cited source is unknown, or the changed data
            would be inconsistent; the message names file, line and key.
        """
        return self._apply(_net(net))[0]

    def _apply(self, net: Network) -> tuple[Network, Edits]:
        key = net.digest
        if key not in self._applied:
            from corridors.scenarios.apply import apply_changes

            start = self.reference(net)
            self._applied[key] = apply_changes(start, self.doc, self.lines)
        return self._applied[key]

    def log(self, net: Network | None = None) -> list[Applied]:
        """Return what each change did when applied to ``net``."""
        return self._apply(_net(net))[1].log

    def changed_links(self, net: Network | None = None) -> list[str]:
        """Return the ids of links the scenario (and its bases) added or changed."""
        net = _net(net)
        own = self._apply(net)[1].changed_links
        inherited = set(self.base.changed_links(net)) if self.base else set()
        return sorted(own | inherited)

    # -- evaluating -------------------------------------------------------------------------------
    def best_route(self, net: Network, origin: str, destination: str) -> Route:
        """Return the best route on ``net`` under the scenario's options and driver limits."""
        return best_route(net, origin, destination, self.route_options(), self.rules)

    def corridor_ids(self, net: Network, corridors: Iterable[str] | None = None) -> list[str]:
        """Return the named corridors to compare: ``corridors`` if given, else the file's."""
        wanted = list(corridors or self.doc.corridors)
        known = [str(c["id"]) for c in net.geodata.corridors]
        for i, cid in enumerate(wanted):
            if cid not in known:
                where = self.lines.where(("corridors", i)) if not corridors else self.lines.file
                msg = f"{where}: unknown corridor {cid!r}{suggest(cid, known)}"
                raise ScenarioError(msg)
        return wanted

    def compare(
        self,
        net: Network | None = None,
        od: Iterable[str | Pair] | None = None,
        *,
        corridors: Iterable[str] | None = None,
    ) -> ScenarioComparison:
        """Compare the best route per OD pair with and without the scenario.

        Parameters
        ----------
        net
            The baseline network (the shipped one by default).
        od
            OD pairs (``"ORIGIN:DESTINATION"`` or tuples); the file's by default.
        corridors
            Named corridors to compare as well, each forced through its waypoints; the
            file's ``corridors`` by default.

        Returns
        -------
        comparison
            Baseline and scenario routes per pair, the deltas and whether the chosen
            corridor changed.
        """
        from corridors import routing

        net = _net(net)
        pairs = self.pairs(od)
        reference = self.reference(net)
        changed = self.apply(net)
        chosen = self.corridor_ids(net, corridors)
        base_rules = self.base.rules if self.base else []
        options = self.route_options()
        before: dict[Pair, Route | str] = {}
        after: dict[Pair, Route | str] = {}
        by_corridor: dict[tuple[str, str, str], tuple[Route | str, Route | str]] = {}
        for pair in pairs:
            before[pair] = _try(reference, pair, options, base_rules)
            after[pair] = _try(changed, pair, options, self.rules)
            if chosen:
                a = routing.compare(
                    reference, *pair, corridors=chosen, include_best=False, options=options
                )
                b = routing.compare(
                    changed, *pair, corridors=chosen, include_best=False, options=options
                )
                for cid in chosen:
                    ra, rb = a.routes.get(cid), b.routes.get(cid)
                    by_corridor[(*pair, cid)] = (
                        constrained(ra, base_rules) if ra else a.reasons.get(cid, "no route"),
                        constrained(rb, self.rules) if rb else b.reasons.get(cid, "no route"),
                    )
        return ScenarioComparison(
            name=self.name,
            by=self.doc.by,
            pairs=pairs,
            baseline=before,
            scenario=after,
            changed_links=self.changed_links(net),
            log=self.log(net),
            network=changed,
            reference=reference,
            corridors=by_corridor,
            rules=self.rules,
        )

    def sweep(
        self,
        values: Mapping[str, Sequence[float]] | None = None,
        *,
        net: Network | None = None,
        od: Iterable[str | Pair] | None = None,
        progress: Progress | None = None,
        workers: int = 1,
    ) -> SweepResult:
        """Evaluate the scenario over a grid of parameter values.

        See :mod:`corridors.scenarios.sweeps`. ``workers`` processes share the grid points; the
        result does not depend on it.
        """
        from corridors.scenarios.sweeps import run_sweep

        return run_sweep(self, values, net=_net(net), od=od, progress=progress, workers=workers)

    def montecarlo(
        self,
        *,
        draws: int | None = None,
        seed: int | None = None,
        net: Network | None = None,
        od: Iterable[str | Pair] | None = None,
        workers: int = 1,
        progress: Progress | None = None,
    ) -> MonteCarloResult:
        """Draw the ``uncertain`` parameters and route every pair per draw (batch)."""
        from corridors.scenarios.montecarlo import run_montecarlo

        return run_montecarlo(
            self,
            draws=self.doc.draws if draws is None else draws,
            seed=self.doc.seed if seed is None else seed,
            net=_net(net),
            od=od,
            workers=workers,
            progress=progress,
        )

    def __repr__(self) -> str:
        return f"<Scenario {self.name!r}: {len(self.doc.changes)} change(s)>"


def _try(net: Network, pair: Pair, options: RouteOptions, rules: Sequence[MaxStay]) -> Route | str:
    try:
        return best_route(net, *pair, options, rules)
    except NoRouteError as err:
        return str(err)


_METRICS = (("km", "distance_km"), ("h", "time_h"), ("usd", "cost_usd"), ("kg_co2", "co2_kg"))


@dataclass
class ScenarioComparison:
    """Baseline and scenario routes for each OD pair, with their differences.

    Attributes
    ----------
    name
        The scenario's name.
    pairs
        OD pairs as given.
    baseline, scenario
        Best route per pair, or the reason there is none.
    changed_links
        Links the scenario added or changed (highlighted on maps).
    log
        What each change did.
    """

    name: str
    by: str
    pairs: list[Pair]
    baseline: dict[Pair, Route | str]
    scenario: dict[Pair, Route | str]
    changed_links: list[str]
    log: list[Applied]
    network: Network = field(repr=False)
    reference: Network = field(repr=False)
    corridors: dict[tuple[str, str, str], tuple[Route | str, Route | str]] = field(
        default_factory=dict
    )
    rules: list[MaxStay] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per OD pair: baseline, scenario and delta of km, h, USD, kg CO2.

        ``*_corridor`` names the corridor the best route follows, ``*_modes`` its km by
        mode; ``corridor_changed`` and ``route_changed`` say whether the choice moved.
        """
        rows = []
        for pair in self.pairs:
            a, b = self.baseline[pair], self.scenario[pair]
            row: dict[str, Any] = {"origin": pair[0], "destination": pair[1]}
            row["baseline_corridor"] = _corridor(a)
            row["scenario_corridor"] = _corridor(b)
            row["corridor_changed"] = row["baseline_corridor"] != row["scenario_corridor"]
            row["route_changed"] = _route_changed(a, b)
            row.update(_deltas(a, b))
            row["baseline_modes"] = _modes(a)
            row["scenario_modes"] = _modes(b)
            for rule in self.rules:
                c = rule.country
                row[f"baseline_stay_h_{c}"] = _stay(a, rule)
                row[f"scenario_stay_h_{c}"] = _stay(b, rule)
                row[f"stay_limit_h_{c}"] = rule.limit_h
            row["note"] = _notes(a, b)
            rows.append(row)
        return pd.DataFrame(rows)

    def corridor_frame(self) -> pd.DataFrame:
        """Return one row per OD pair and named corridor: baseline, scenario and delta."""
        rows = []
        for (o, d, cid), (a, b) in self.corridors.items():
            row: dict[str, Any] = {"origin": o, "destination": d, "corridor": cid}
            row["route_changed"] = _route_changed(a, b)
            row.update(_deltas(a, b))
            row["note"] = _notes(a, b)
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as plain data (what ``--json`` prints)."""
        frame = self.to_frame()
        corridors = self.corridor_frame()
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        for rec, pair in zip(records, self.pairs):
            for label, found in (
                ("baseline", self.baseline[pair]),
                ("scenario", self.scenario[pair]),
            ):
                rec[f"{label}_nodes"] = [] if isinstance(found, str) else found.nodes
                rec[f"{label}_links"] = [] if isinstance(found, str) else found.link_ids
        return {
            "scenario": self.name,
            "by": self.by,
            "pairs": records,
            "corridors": json.loads(corridors.to_json(orient="records", force_ascii=False))
            if not corridors.empty
            else [],
            "changes": [
                {"change": a.index, "action": a.action, "summary": a.summary} for a in self.log
            ],
            "changed_links": self.changed_links,
        }

    def routes(self) -> tuple[list[Route], list[Route]]:
        """Return the baseline routes and the scenario routes that exist."""
        before = [r for r in self.baseline.values() if not isinstance(r, str)]
        after = [r for r in self.scenario.values() if not isinstance(r, str)]
        return before, after

    def write(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write the table in the format the extension names (JSON: the whole comparison)."""
        return Path(view("ScenarioComparison.write", self, path, force=force))

    def write_map(self, path: str | os.PathLike[str], *, force: bool = False) -> Path:
        """Write a difference map: baseline routes dashed, scenario routes solid, changes lit."""
        return Path(view("ScenarioComparison.write_map", self, path, force=force))

    def __rich__(self) -> Any:
        return view("ScenarioComparison.rich", self)

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False, na_rep=""))


def _stay(route: Route | str, rule: MaxStay) -> float:
    """Longest stay of a road driver in the rule's country on a route (0 when none)."""
    from corridors.routing.constraints import driver_stays

    if isinstance(route, str):
        return math.nan
    return round(max((s.hours for s in driver_stays(route, rule)), default=0.0), 1)


def _route_changed(a: Route | str, b: Route | str) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) != isinstance(b, str)
    return a.link_ids != b.link_ids


def _deltas(a: Route | str, b: Route | str) -> dict[str, float]:
    row = {}
    for short, attr in _METRICS:
        va = math.nan if isinstance(a, str) else float(getattr(a, attr))
        vb = math.nan if isinstance(b, str) else float(getattr(b, attr))
        row[f"baseline_{short}"] = round(va, 2)
        row[f"scenario_{short}"] = round(vb, 2)
        row[f"delta_{short}"] = round(vb - va, 2)
    return row


def _notes(a: Route | str, b: Route | str) -> str:
    return "; ".join(
        f"{label}: {r}" for label, r in (("baseline", a), ("scenario", b)) if isinstance(r, str)
    )


def _modes(route: Route | str) -> str:
    if isinstance(route, str):
        return ""
    km: dict[str, float] = {}
    for c in route.components:
        if c.kind == "haul":
            km[c.mode] = km.get(c.mode, 0.0) + c.distance_km
    return ", ".join(f"{m} {v:,.0f} km" for m, v in sorted(km.items(), key=lambda x: -x[1]))


def _corridor(route: Route | str) -> str:
    if isinstance(route, str):
        return "no route"
    return route.corridor or "other"


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read a scenario file, or a shipped scenario by name; see :meth:`Scenario.from_yaml`.

    Raises
    ------
    ScenarioError
        If ``path`` is neither a file nor the name of a shipped scenario, or the file is
        malformed.
    """
    target = Path(path)
    if not target.is_file():
        shipped = {p.stem: p for p in shipped_scenarios()}
        if str(path) in shipped:
            target = shipped[str(path)]
        elif not target.exists():
            msg = (
                f"no scenario file {path}{suggest(str(path), shipped)}"
                " (give a path, or a shipped scenario: `corridors scenario list`)"
            )
            raise ScenarioError(msg)
    return Scenario.from_yaml(target)


def shipped_scenarios() -> list[Path]:
    """Return the scenario files that ship with corridors."""
    folder = shipped_scenarios_dir()
    return sorted(folder.glob("*.yaml")) if folder is not None else []
