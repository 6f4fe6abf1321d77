"""A scenario's comparison with its base: per OD pair and per named corridor, with deltas."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.routing.views import view
from corridors.scenarios.schema import MaxStay

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Route
    from corridors.scenarios.apply import Applied

#: Origin-destination pair as typed (place names or ids).
Pair = tuple[str, str]

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
