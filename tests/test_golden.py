"""Golden outputs: routes, scenario runs, a seeded Monte Carlo run and a sweep, held exactly.

The files under ``tests/golden/`` hold what the public API returned for these queries; any
change to what the model computes shows up here as a diff.
Regenerate them only when a change of results is intended:
``CORRIDORS_WRITE_GOLDEN=1 pytest tests/test_golden.py``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import corridors

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("CORRIDORS_WRITE_GOLDEN") == "1"

# Twenty queries that between them use every objective, profile and constraint keyword.
ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("Almaty", "Bandar Abbas", {}),
    ("Almaty", "Bandar Abbas", {"by": "cost"}),
    ("Almaty", "Bandar Abbas", {"by": "distance", "profile": "bulk"}),
    ("Almaty", "Bandar Abbas", {"by": "co2"}),
    ("Almaty", "Bandar Abbas", {"by": "generalized", "value_of_time": 5.0}),
    ("Khorgos", "Istanbul", {"by": "cost"}),
    ("Khorgos", "Istanbul", {"modes": ["rail", "ferry", "sea"]}),
    ("Astana", "Tehran", {"avoid_countries": ["TM"]}),
    ("Aktau", "Baku", {}),
    ("Almaty", "Karachi", {"include_planned": True}),
    ("Almaty", "Karachi", {"year": 2030, "by": "cost"}),
    ("Tashkent", "Bandar Abbas", {"via": ["ir-sarakhs"]}),
    ("Urumqi", "Constanta", {"by": "cost", "profile": "teu"}),
    ("Atyrau", "Ceyhan", {"profile": "oil", "by": "cost"}),
    ("Almaty", "Moscow", {"modes": "road"}),
    ("Termez", "Karachi", {"by": "cost"}),
    ("Dostyk", "Tbilisi", {"avoid_borders": ["KZ-RU"]}),
    ("Almaty", "Mersin", {"statuses": ["operational", "under_construction"]}),
    ("Bishkek", "Bandar Abbas", {"by": "time", "avoid_countries": "AF"}),
    ("Almaty", "Istanbul", {"via": [["Baku", "Tbilisi"]], "by": "cost"}),
]


def _plain(value: Any) -> Any:
    """Turn frames and numbers into JSON that keeps every float exactly (repr round-trips)."""
    if isinstance(value, pd.DataFrame):
        return {
            "columns": [str(c) for c in value.columns],
            "rows": [[_plain(v) for v in row] for row in value.itertuples(index=False)],
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if pd.isna(value):
        return "NaN"
    return str(value)


def _check(name: str, produced: Any) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(_plain(produced), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name}: output differs from {path.name}"


def _route_record(origin: str, destination: str, options: dict[str, Any]) -> Any:
    try:
        return corridors.route(origin, destination, **options).to_dict()
    except corridors.NoRouteError as exc:
        return {"no_route": str(exc)}


def test_routes_match_golden() -> None:
    records = [
        {"origin": o, "destination": d, "options": opts, "route": _route_record(o, d, opts)}
        for o, d, opts in ROUTES
    ]
    found = sum(1 for r in records if "no_route" not in r["route"])
    assert found >= 18, f"only {found} of {len(ROUTES)} golden queries found a route"
    _check("routes", records)


def test_compare_matches_golden() -> None:
    comparison = corridors.compare("Almaty", "Bandar Abbas", by="cost")
    _check("compare-almaty-bandar-abbas", comparison.to_dict())


SHIPPED = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_matches_golden(path: Path) -> None:
    result = corridors.load_scenario(path).compare()
    _check(
        f"scenario-{path.stem}",
        {"table": result.to_frame(), "corridors": result.corridor_frame(), **result.to_dict()},
    )


def test_seeded_montecarlo_matches_golden() -> None:
    scenario = corridors.load_scenario(GOLDEN.parents[1] / "scenarios/ferry-headway-halved.yaml")
    result = scenario.montecarlo(draws=40, seed=7)
    _check(
        "montecarlo-ferry-headway-halved",
        {
            "samples": result.samples,
            "corridor_samples": result.corridor_samples,
            "summary": result.summary(),
            "notes": result.notes,
        },
    )


def test_sweep_matches_golden() -> None:
    scenario = corridors.load_scenario(GOLDEN.parents[1] / "scenarios/aktau-grain-silo.yaml")
    result = scenario.sweep()
    _check(
        "sweep-aktau-grain-silo",
        {"table": result.table, "best": result.best(), "completed": result.completed},
    )
