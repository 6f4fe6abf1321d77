"""Adding a mode is one entry in the vocabulary plus its data rows: shown with air freight.

The fixture registers ``air`` in :data:`corridors.data.vocabulary.MODES` (the one place a
mode is defined) and gives the toy network one air link with its speed, rate and emission
rows. Nothing else is touched, and every stage takes the new mode: the checks, the network,
route options, routing, skims, the scenario schema, the map legend and exports.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import TOY

import corridors
from corridors.data import vocabulary
from corridors.graph.network import Network
from corridors.scenarios.scenario import Scenario

AIR = vocabulary.Mode("air", "Air", "#e7298a")


def _append(path: Path, row: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    with path.open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=header).writerow(row)


@pytest.fixture
def air(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setitem(vocabulary.MODES, "air", AIR)
    folder = tmp_path / "toy-air"
    shutil.copytree(TOY, folder)
    _append(
        folder / "links.csv",
        {
            "id": "air-aa-alpha-cc-gamma",
            "u": "aa-alpha",
            "v": "cc-gamma",
            "mode": "air",
            "status": "operational",
            "length_km": "300",
            "length_method": "published",
            "length_source_id": "toy",
            "source_id": "toy",
        },
    )
    _append(
        folder / "speeds.csv",
        {"id": "air", "mode": "air", "country": "*", "kph": "600", "source_id": "toy"},
    )
    _append(
        folder / "rates.csv",
        {
            "id": "air-any",
            "mode": "air",
            "country": "*",
            "profile": "*",
            "usd_per_unit_km": "20",
            "source_id": "toy",
        },
    )
    _append(folder / "emissions.csv", {"mode": "air", "kg_co2_per_tkm": "0.6", "source_id": "toy"})
    profiles = (folder / "profiles.csv").read_text(encoding="utf-8")
    (folder / "profiles.csv").write_text(
        profiles.replace("rail|road|ferry|sea,toy", "rail|road|ferry|sea|air,toy"), encoding="utf-8"
    )
    # a scenario's own lengths are a method the folder's README must describe
    (folder / "README.md").write_text(
        "# Toy network with air freight\n\n## Estimation methods\n\n"
        "| method | how |\n|---|---|\n"
        "| `scenario:given` | a value a scenario file states |\n",
        encoding="utf-8",
    )
    return folder


def test_the_checks_accept_the_new_mode(air: Path) -> None:
    report = corridors.validate(air)
    assert report.ok, str(report)
    assert report.counts["links"] == len(corridors.read_geodata(TOY).links) + 1


def test_a_route_flies_when_flying_is_fastest(air: Path) -> None:
    net = corridors.load_network(air, cache=False)
    fastest = corridors.route("aa-alpha", "cc-gamma", network=net, by="time")
    hauls = [c for c in fastest.components if c.kind == "haul"]
    assert [c.mode for c in hauls] == ["air"]
    assert hauls[0].time_h == pytest.approx(300 / 600)
    assert hauls[0].cost_usd == pytest.approx(20 * 300)
    cheapest = corridors.route("aa-alpha", "cc-gamma", network=net, by="cost")
    assert "air" not in {c.mode for c in cheapest.components}
    grounded = corridors.route("aa-alpha", "cc-gamma", network=net, modes="rail,road")
    assert "air" not in {c.mode for c in grounded.components}
    matrix = corridors.skim(["aa-alpha"], ["cc-gamma"], network=net, by="time")
    assert matrix.loc["aa-alpha", "cc-gamma"] == fastest.time_h


def test_options_refuse_a_mode_that_is_not_defined(air: Path) -> None:
    net = corridors.load_network(air, cache=False)
    with pytest.raises(corridors.InvalidOptionError, match="unknown mode 'balloon'"):
        corridors.route("aa-alpha", "cc-gamma", network=net, modes="balloon")


def test_a_scenario_can_add_and_scale_links_of_the_new_mode(air: Path) -> None:
    net = corridors.load_network(air, cache=False)
    scenario = Scenario.from_dict(
        {
            "name": "Air link from Beta",
            "cites": ["toy"],
            "od": ["aa-alpha:cc-gamma"],
            "changes": [
                {
                    "add_link": {
                        "id": "air-bb-beta-cc-gamma",
                        "u": "bb-beta",
                        "v": "cc-gamma",
                        "mode": "air",
                        "length_km": 120,
                    }
                },
                {"set": {"where": {"mode": "air"}, "speed_kph": 300}},
            ],
        }
    )
    applied = scenario.apply(net)
    assert "air-bb-beta-cc-gamma" in set(applied.geodata.links["id"])
    slower = corridors.route("aa-alpha", "cc-gamma", network=applied, by="time")
    air_hauls = [c for c in slower.components if c.kind == "haul" and c.mode == "air"]
    assert [c.time_h for c in air_hauls] == [pytest.approx(300 / 300)]


def test_the_map_legend_draws_the_new_mode_in_its_colour(air: Path) -> None:
    from corridors.outputs import map_style

    net: Network = corridors.load_network(air, cache=False)
    links = map_style.drawn_links(net)
    keys = map_style.legend_keys([], links, [], show_all_modes=True, show_closed=True)
    network_keys = {k.label: k.colour for k in keys if k.section == "Network"}
    assert network_keys[AIR.label] == AIR.colour
    assert list(network_keys)[-1] == AIR.label  # after the built-in modes, in vocabulary order
