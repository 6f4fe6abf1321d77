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
``growth``
    freight demand times ``factor``, all of it or the rows ``where`` selects (``origin``,
    ``destination``, ``profile``, ``demand`` row ids); it changes what flow assignment
    loads, not the network.
``capacity``
    one row of ``capacities.csv`` by ``id``: ``set`` to a value in ``unit`` (``Mt/yr`` by
    default) or ``scale`` by a factor; used by flow assignment.

Applying a scenario never modifies the network it is applied to.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.data.locate import shipped_scenarios_dir
from corridors.errors import InvalidOptionError, NoRouteError, ScenarioError
from corridors.routing.constraints import best_route, constrained
from corridors.routing.options import RouteOptions
from corridors.scenarios.comparison import Pair, ScenarioComparison
from corridors.scenarios.schema import MaxStay, ScenarioDoc, parse, suggest
from corridors.scenarios.yaml_lines import LineMap, load_yaml

if TYPE_CHECKING:
    from corridors.flows.inputs import CapacityRow, DemandRow
    from corridors.graph.network import Network
    from corridors.routing.results import Route
    from corridors.scenarios.apply import Applied, Edits
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult

#: What ``base:`` names to start from the network as it is.
BASELINE = "baseline"
#: Set to ``1`` to let ``base:`` name scenario files anywhere.
BASE_ANYWHERE_ENV = "CORRIDORS_SCENARIO_BASE_ANYWHERE"
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
    def from_yaml(cls, path: str | os.PathLike[str], *, base_anywhere: bool = False) -> Scenario:
        """Read and validate a scenario file (and the files it builds on).

        Parameters
        ----------
        path
            The scenario file.
        base_anywhere
            Let ``base:`` name a scenario file outside the scenario's folder and the shipped
            scenarios (also set by ``CORRIDORS_SCENARIO_BASE_ANYWHERE=1``). Off by default,
            so a scenario from elsewhere cannot make corridors read other files.

        Raises
        ------
        ScenarioError
            With ``file:line`` and the key for a malformed file, an unknown key or a value
            of the wrong type, a missing, circular or out-of-bounds ``base``.
        """
        anywhere = base_anywhere or os.environ.get(BASE_ANYWHERE_ENV, "") == "1"
        return cls._load(Path(path), (), anywhere)

    @classmethod
    def _load(cls, path: Path, chain: tuple[Path, ...], anywhere: bool) -> Scenario:
        resolved = path.expanduser().resolve()
        if resolved in chain:
            loop = " → ".join(p.name for p in (*chain, resolved))
            msg = f"{path}: circular base: {loop}; a scenario cannot build on itself"
            raise ScenarioError(msg)
        data, lines = load_yaml(path)
        doc = parse(data, lines)
        base = None
        if doc.base != BASELINE:
            target = _base_file(path, doc.base, lines, anywhere)
            base = cls._load(target, (*chain, resolved), anywhere)
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

    def flow_inputs(
        self,
        demand: Sequence[DemandRow],
        capacities: Sequence[CapacityRow],
        net: Network | None = None,
    ) -> tuple[list[DemandRow], list[CapacityRow]]:
        """Return the demand and capacities with the ``growth`` and ``capacity`` changes.

        The base scenarios' changes apply first. ``corridors.assign(..., scenario=S)`` and
        ``corridors flows DEMAND --scenario S`` call this.

        Raises
        ------
        ScenarioError
            If a change names an unknown place, profile or capacity, or matches no row.
        """
        from corridors.scenarios.apply import apply_flow_changes

        net = _net(net)
        rows, caps = list(demand), list(capacities)
        if self.base is not None:
            rows, caps = self.base.flow_inputs(rows, caps, net)
        return apply_flow_changes(net, self.doc, self.lines, rows, caps)

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
        scheduler: Any = None,
    ) -> SweepResult:
        """Evaluate the scenario over a grid of parameter values.

        See :mod:`corridors.scenarios.sweeps`. ``workers`` processes share the grid points,
        or a Dask cluster does (``scheduler``: an address or a ``dask.distributed.Client``);
        the result does not depend on either.
        """
        from corridors.scenarios.sweeps import run_sweep

        return run_sweep(
            self,
            values,
            net=_net(net),
            od=od,
            progress=progress,
            workers=workers,
            scheduler=scheduler,
        )

    def montecarlo(
        self,
        *,
        draws: int | None = None,
        seed: int | None = None,
        net: Network | None = None,
        od: Iterable[str | Pair] | None = None,
        workers: int = 1,
        progress: Progress | None = None,
        scheduler: Any = None,
        crew: int | None = None,
    ) -> MonteCarloResult:
        """Draw the ``uncertain`` parameters and route every pair per draw (batch).

        ``workers`` local processes share the draws, or a Dask cluster does (``scheduler``:
        an address or a ``dask.distributed.Client``); the result depends on the seed alone.
        Trucks are timed with the rests of a crew of ``crew`` drivers (one by default, as
        the scenario's routes; 0 for driving alone).
        """
        from corridors.scenarios.montecarlo import run_montecarlo

        return run_montecarlo(
            self,
            draws=self.doc.draws if draws is None else draws,
            seed=self.doc.seed if seed is None else seed,
            net=_net(net),
            od=od,
            workers=workers,
            progress=progress,
            scheduler=scheduler,
            crew=crew,
        )

    def __repr__(self) -> str:
        return f"<Scenario {self.name!r}: {len(self.doc.changes)} change(s)>"


def _try(net: Network, pair: Pair, options: RouteOptions, rules: Sequence[MaxStay]) -> Route | str:
    try:
        return best_route(net, *pair, options, rules)
    except NoRouteError as err:
        return str(err)


def _base_file(path: Path, name: str, lines: LineMap, anywhere: bool) -> Path:
    """Return the file ``base: name`` in ``path`` points at, refusing one out of bounds.

    A base is a ``.yaml`` file in the scenario's folder (or below it) or a shipped scenario
    (by file name or name); it is checked before it is opened, so no error ever shows the
    content of a file that is not a scenario.
    """
    folder = path.expanduser().resolve().parent
    where = lines.where(("base",))
    target = (folder / name).resolve()
    shipped = shipped_scenarios_dir()
    if not target.is_file() and shipped is not None:
        for candidate in (shipped / name, shipped / f"{name}.yaml"):
            if candidate.resolve().parent == shipped.resolve() and candidate.is_file():
                target = candidate.resolve()
                break
    bounds = [folder, *([shipped.resolve()] if shipped is not None else [])]
    if not anywhere and not any(target.is_relative_to(b) for b in bounds):
        msg = (
            f"{where}: `base` is {name!r}, which is outside {folder} and the shipped "
            "scenarios; put the base scenario beside this file, or allow bases anywhere "
            f"with {BASE_ANYWHERE_ENV}=1 (base_anywhere=True in Python)"
        )
        raise ScenarioError(msg)
    if target.suffix.lower() not in (".yaml", ".yml"):
        msg = f"{where}: `base` is {name!r}, which is not a .yaml scenario file"
        raise ScenarioError(msg)
    if not target.is_file():
        msg = (
            f"{where}: `base` is {name!r}, which is not a file "
            f"next to {path.name}; give `baseline` or a scenario file's path"
        )
        raise ScenarioError(msg)
    return target


def load_scenario(path: str | os.PathLike[str], *, base_anywhere: bool = False) -> Scenario:
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
    return Scenario.from_yaml(target, base_anywhere=base_anywhere)


def shipped_scenarios() -> list[Path]:
    """Return the scenario files that ship with corridors."""
    folder = shipped_scenarios_dir()
    return sorted(folder.glob("*.yaml")) if folder is not None else []
