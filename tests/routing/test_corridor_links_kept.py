"""The named corridors' links are found once and kept beside the cached network."""

from __future__ import annotations

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
