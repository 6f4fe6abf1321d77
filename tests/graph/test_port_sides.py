"""A port row may price one side of a port: loading (an export's dwell) or discharge (an import's).

Where a port publishes both, a box the ship brings pays the discharge row and a box the ship
takes away pays the load row; a port without such rows pays its row without a side both ways.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from corridors import routing
from corridors.data.geodata import records
from corridors.data.locate import geodata_dir
from corridors.data.validation import check_folder
from corridors.graph.cost_model import Lookup
from corridors.graph.network import Network


def _rows(net: Network) -> dict[str, dict[str, Any]]:
    return {str(r["id"]): r for r in records(net.geodata.frictions)}


def _ports(route: routing.Route) -> list[Any]:
    return [c for c in route.components if c.kind == "port"]


def test_each_way_through_a_port_pays_its_own_side(net: Network) -> None:
    rows = _rows(net)
    there = routing.route(net, "ir-chabahar", "in-nhava-sheva", modes="sea")
    back = routing.route(net, "in-nhava-sheva", "ir-chabahar", modes="sea")
    load_here, discharge_there = _ports(there)
    load_there, discharge_here = _ports(back)
    assert discharge_there.friction_id == "port-in-nhava-sheva-sea-teu-discharge"
    assert load_there.friction_id == "port-in-nhava-sheva-sea-teu-load"
    assert rows[str(discharge_there.friction_id)]["side"] == "discharge"
    assert rows[str(load_there.friction_id)]["side"] == "load"
    # the published figures, not the World Bank default the other ports take
    assert discharge_there.time_h == pytest.approx(19.0)
    assert load_there.time_h == pytest.approx(74.5)
    # Chabahar publishes no side: its one row prices both ways
    assert load_here.friction_id == discharge_here.friction_id == "port-ir-chabahar-sea-teu"
    assert load_here.time_h == discharge_here.time_h == rows["port-ir-chabahar-sea-teu"]["time_h"]
    # the route's time is the sum of its legs, the port sides included
    assert there.time_h == pytest.approx(sum(c.time_h for c in there.components))
    assert there.time_h - back.time_h == pytest.approx(19.0 - 74.5)


def _lookup(net: Network, frictions: list[dict[str, Any]]) -> Lookup:
    base = {
        "to_node": None,
        "country": None,
        "to_mode": "*",
        "direction": "both",
        "profile": "*",
        "fee_usd": 1.0,
        "source_id": None,
    }
    table = pd.DataFrame([{**base, **f} for f in frictions])
    geodata = SimpleNamespace(tables=net.geodata.tables, frictions=table)
    return Lookup(geodata, net.profiles["teu"])  # type: ignore[arg-type]


def test_a_side_row_beats_the_row_without_one_only_on_its_own_side(net: Network) -> None:
    look = _lookup(
        net,
        [
            {"id": "any", "kind": "port", "node": "p", "side": None, "mode": "sea", "time_h": 84},
            {"id": "in", "kind": "port", "node": "p", "side": "discharge", "mode": "sea"},
            {"id": "default-out", "kind": "port", "node": "*", "side": "load", "mode": "sea"},
            {"id": "default", "kind": "port", "node": "*", "side": None, "mode": "*"},
        ],
    )

    def found(node: str, side: str) -> str | None:
        row = look.friction("port", node, mode="sea", to_mode="*", side=side)
        return None if row is None else str(row["id"])

    assert found("p", "discharge") == "in"
    # the place's own row beats a default with the side asked for
    assert found("p", "load") == "any"
    assert found("p", "") == "any"  # a move between two ships takes no side's row
    assert found("q", "load") == "default-out"
    assert found("q", "discharge") == "default"


def _copy_with(tmp_path: Path, edits: dict[str, dict[str, str]]) -> Path:
    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), folder)
    path = folder / "frictions.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row in rows[1:]:
        for name, value in edits.get(row[0], {}).items():
            row[header.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return folder


def test_validation_takes_each_kind_of_row_s_own_sides(tmp_path: Path) -> None:
    folder = _copy_with(
        tmp_path,
        {
            "port-in-nhava-sheva-sea-teu-load": {"side": "exit"},
            "border-entry-kg-rail-teu": {"side": "load"},
            "gauge-tr-akyaka-teu": {"side": "discharge"},
        },
    )
    report = check_folder(folder)
    messages = [p.message for p in report.problems if p.file == "frictions.csv"]
    assert len(messages) == 3, messages
    assert "`side` is 'exit'; expected one of: load, discharge (or empty)" in messages
    assert "`side` is 'load'; expected one of: exit, entry (or empty)" in messages
    assert any("a gauge_break row has none" in m for m in messages)
