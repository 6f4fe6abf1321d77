"""The named corridors' links are found once and kept beside the cached network."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import pytest

import corridors
from corridors import routing
from corridors.graph import network as network_module
from corridors.graph.network import Network
from corridors.routing import corridor_match, edge_weights


def _no_search(*args: object, **kwargs: object) -> None:
    msg = "searched the whole graph again"
    raise AssertionError(msg)


def test_a_new_process_reads_the_corridor_links(
    cache_dir: Path, net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = corridors.load_network()
    found = corridor_match.corridor_links(first)
    assert found == corridor_match.corridor_links(net)
    assert list(cache_dir.glob("note-*-corridor-links.json"))
    # a new process: nothing in memory, the network and the links read from disk
    network_module._MEMORY.clear()
    again = corridors.load_network()
    assert again is not first
    monkeypatch.setattr(edge_weights, "shortest_edges", _no_search)
    kept = corridor_match.corridor_links(again)
    assert kept == found
    # the same order of corridors and of links: shares sum in the same order
    assert [list(x) for x in kept.values()] == [list(x) for x in found.values()]
    monkeypatch.undo()
    a = routing.route(net, "kz-almaty", "ir-bandar-abbas")
    b = routing.route(again, "kz-almaty", "ir-bandar-abbas")
    assert (a.corridor, a.closest) == (b.corridor, b.closest)


def test_a_damaged_note_is_worked_out_again(
    cache_dir: Path, net: Network, caplog: pytest.LogCaptureFixture
) -> None:
    first = corridors.load_network()
    found = corridor_match.corridor_links(first)
    (note,) = cache_dir.glob("note-*-corridor-links.json")
    for bad in ('{"no-such-corridor": {}}', '{"x": ', "[1, 2]"):
        note.write_text(bad, encoding="utf-8")
        network_module._MEMORY.clear()
        again = corridors.load_network()
        with caplog.at_level(logging.WARNING):
            assert corridor_match.corridor_links(again) == found
        assert note.is_file()  # written again from the search


def test_a_network_not_from_the_cache_keeps_no_note(cache_dir: Path) -> None:
    built = corridors.load_network(cache=False)
    corridor_match.corridor_links(built)
    assert not list(cache_dir.glob("note-*"))


def test_the_corridors_of_a_profile_share_their_masks_and_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # at a million links each mask and weight array takes tens of milliseconds: each of
    # the 36 searches of the shipped corridors made a mask and a pair of weight arrays
    made: dict[str, list[object]] = {"mask": [], "weights": []}
    real_mask, real_objective = edge_weights._edge_mask, edge_weights.objective

    def mask(rg: object, opts: object) -> object:
        made["mask"].append(opts)
        return real_mask(rg, opts)  # type: ignore[arg-type]

    def objective(rg: object, by: str, value_of_time: float | None = None) -> object:
        made["weights"].append(by)
        return real_objective(rg, by, value_of_time)  # type: ignore[arg-type]

    shared = corridors.load_network(cache=False)
    searches = 2 * len(shared.geodata.corridors)
    monkeypatch.setattr(edge_weights, "_edge_mask", mask)
    monkeypatch.setattr(edge_weights, "objective", objective)
    found = corridor_match.corridor_links(shared)
    masks, weights = len(made["mask"]), len(made["weights"])
    # each profile's two objectives (and their tie-breaks) once, each distinct mask once
    profiles = {corridor_match._profile_of(shared, s, 0) for s in shared.geodata.corridors}
    assert weights == 2 * 2 * len(profiles) < 2 * searches
    assert masks < searches
    # the same links, in the same order, as when every search makes its own arrays
    made["mask"].clear()
    monkeypatch.setattr(
        corridor_match, "_sharing_arrays", lambda net, pid: contextlib.nullcontext()
    )
    alone = corridors.load_network(cache=False)
    assert corridor_match.corridor_links(alone) == found
    assert [list(x) for x in corridor_match.corridor_links(alone).values()] == [
        list(x) for x in found.values()
    ]
    assert len(made["mask"]) == searches
