"""``load_validated``: a validation and a load on one reading of the tables."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import corridors.data.geodata as geodata_module
import corridors.data.validation as validation_module
import corridors.graph.network as network_module
from corridors import routing
from corridors.errors import GeodataError
from corridors.graph.network import Network, load_network
from corridors.routing.network_checks import load_validated, validate

#: Pairs routed on both networks: the corridor questions and a Caspian crossing.
PAIRS = (
    ("Almaty", "Bandar Abbas"),
    ("Tashkent", "Karachi"),
    ("Aktau", "Baku"),
    ("Khorgos", "Istanbul"),
)


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Count the readings of a folder's tables, wherever a module calls ``read_geodata``."""
    reads: list[Path] = []
    real = geodata_module.read_geodata

    def reading(path: Any = None, **kwargs: Any) -> Any:
        reads.append(Path(path) if path is not None else Path())
        return real(path, **kwargs)

    for module in (geodata_module, validation_module, network_module):
        monkeypatch.setattr(module, "read_geodata", reading)
    return reads


@pytest.mark.slow
def test_load_validated_is_a_validation_and_a_load(
    net: Network, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = net.geodata.folder
    expected = validate(folder)
    reads = _count_reads(monkeypatch)
    loaded, report = load_validated(folder)
    assert len(reads) == 1, reads
    assert report.ok
    assert (report.problems, report.warnings, report.counts) == (
        expected.problems,
        expected.warnings,
        expected.counts,
    )
    # the routes of a network loaded the usual way, to the last bit and leg
    compared = 0
    for origin, destination in PAIRS:
        for by in ("time", "cost"):
            ours = routing.route(loaded, origin, destination, by=by)
            usual = routing.route(net, origin, destination, by=by)
            assert ours.to_dict() == usual.to_dict(), (origin, destination, by)
            assert ours.link_ids == usual.link_ids
            compared += 1
    assert compared == 2 * len(PAIRS)
    # kept as load_network keeps a network: in this process, and on disk for another
    assert loaded.cached and loaded.routing_graphs_kept is None
    profiles = [str(p) for p in loaded.geodata.tables["profiles"]["id"]]
    assert all(loaded.holds_routing_graph(p) for p in profiles)
    assert load_network(folder) is loaded
    assert len(reads) == 1, "load_network read the tables again"
    assert len(list(cache_dir.glob("network-*.json"))) == 1
    network_module._MEMORY.clear()
    again = load_network(folder)
    assert again is not loaded and len(reads) == 1, "the cache on disk was not used"
    assert routing.route(again, "Almaty", "Bandar Abbas").to_dict() == (
        routing.route(net, "Almaty", "Bandar Abbas").to_dict()
    )


@pytest.mark.slow
def test_load_validated_without_the_cache_keeps_nothing(net: Network, cache_dir: Path) -> None:
    loaded, report = load_validated(net.geodata.folder, cache=False)
    assert report.ok and not loaded.cached
    assert not network_module._MEMORY
    assert not cache_dir.exists() or not list(cache_dir.iterdir())
    # a network built for the checks holds one routing graph at a time; this one holds all
    assert loaded.routing_graphs_kept is None
    assert routing.route(loaded, "Tashkent", "Karachi").to_dict() == (
        routing.route(net, "Tashkent", "Karachi").to_dict()
    )


@pytest.mark.slow
def test_load_validated_refuses_a_folder_with_a_problem(
    net: Network, cache_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "geodata"
    shutil.copytree(net.geodata.folder, folder)
    # a problem only check 10 finds: the tables are sound, the corridor cannot route
    with (folder / "corridors.yaml").open("a", encoding="utf-8") as out:
        out.write(
            "- id: inland_sea\n  name: By sea from Almaty\n"
            "  waypoints: [kz-almaty, ir-bandar-abbas]\n  modes: [sea]\n"
            "  cites: [seed-003]\n"
        )
    expected = [str(p) for p in validate(folder).problems]
    assert len(expected) == 1 and "corridor 'inland_sea'" in expected[0]
    with pytest.raises(GeodataError) as raised:
        load_validated(folder)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("geodata has 1 problem(s): ") and expected[0] in message
    assert not network_module._MEMORY
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


@pytest.mark.slow
def test_a_network_too_large_for_the_disk_is_kept_in_memory_holding_its_graphs(
    net: Network, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.graph import cache as disk

    monkeypatch.setattr(disk, "too_large", lambda n_links: True)
    loaded, _ = load_validated(net.geodata.folder)
    assert load_network(net.geodata.folder) is loaded
    assert not cache_dir.exists() or not list(cache_dir.iterdir())
    # check 10 held one routing graph at a time; a loaded network holds what it builds,
    # so labelling a route with corridors of other profiles does not let its own go
    assert loaded.routing_graphs_kept is None
    routing.route(loaded, "Almaty", "Bandar Abbas")
    assert loaded.holds_routing_graph("teu") and loaded.holds_routing_graph("oil")
