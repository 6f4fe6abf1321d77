"""The on-disk network cache: plain data, a private folder, damaged files rebuilt, no leftovers."""

from __future__ import annotations

import base64
import json
import logging
import os
import pickle
import re
import stat
from pathlib import Path

import pytest

import corridors
from corridors import routing
from corridors.data.geodata import Geodata
from corridors.data.locate import content_hash, geodata_dir
from corridors.graph import cache as disk
from corridors.graph import network as network_module
from corridors.graph.network import Network

#: A packed index column (little-endian int64) whose one index is far past any edge.
_FAR = base64.b64encode((99_999_999).to_bytes(8, "little")).decode("ascii")


def _entry() -> Path:
    return disk.cache_path(content_hash(geodata_dir(None)))


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


class _Plant:
    """Pickles to a call that writes a marker file: what a planted cache would run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "ran"))  # type: ignore[return-value]


def test_cache_is_plain_json_in_a_private_folder(cache_dir: Path, net: Network) -> None:
    loaded = corridors.load_network()
    path = _entry()
    assert path.is_file() and path.suffix == ".json"
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    assert json.loads(path.read_text())["digest"] == loaded.digest
    assert not list(cache_dir.glob("*.tmp")) and not list(cache_dir.glob(".*.tmp"))


def test_network_from_the_cache_routes_as_the_one_built(cache_dir: Path, net: Network) -> None:
    corridors.load_network()
    network_module._MEMORY.clear()
    cached = corridors.load_network()
    assert cached is not net
    assert list(cached.G.edges(keys=True, data="length")) == list(
        net.G.edges(keys=True, data="length")
    )
    for profile in ("teu", "bulk", "oil"):
        a, b = cached.routing_graph(profile), net.routing_graph(profile)
        assert a.components == b.components and a.vnodes == b.vnodes
        assert (a.cost_usd == b.cost_usd).all() and (a.src == b.src).all()
    for o, d, by in [("Almaty", "Bandar Abbas", "cost"), ("Khorgos", "Istanbul", "time")]:
        assert (
            routing.route(cached, o, d, by=by).to_dict()
            == routing.route(net, o, d, by=by).to_dict()
        )


def test_a_cached_network_decodes_only_the_routing_graphs_asked_for(
    cache_dir: Path, net: Network
) -> None:
    corridors.load_network()
    network_module._MEMORY.clear()
    # the first route from the cache finds the named corridors' links (on every profile)
    # and keeps them in a note beside the cache; routes after it read the note
    routing.route(corridors.load_network(), "Almaty", "Bandar Abbas")
    network_module._MEMORY.clear()
    cached = corridors.load_network()
    assert cached._routing == {} and set(cached._unread) == set(net.profiles)
    first = routing.route(cached, "Tashkent", "Karachi")
    assert list(cached._routing) == ["teu"] and set(cached._unread) == {"bulk", "oil"}
    assert first.to_dict() == routing.route(net, "Tashkent", "Karachi").to_dict()
    bulk = cached.routing_graph("bulk")
    assert list(cached._routing) == ["teu", "bulk"] and set(cached._unread) == {"oil"}
    assert bulk.components == net.routing_graph("bulk").components


def test_a_damaged_graph_found_late_is_built_from_the_tables(
    cache_dir: Path, caplog: pytest.LogCaptureFixture, net: Network
) -> None:
    corridors.load_network()
    path = _entry()
    doc = json.loads(path.read_text())
    doc["routing"]["oil"]["arrays"]["src"] = "*"
    path.write_text(json.dumps(doc))
    network_module._MEMORY.clear()
    with caplog.at_level(logging.WARNING, logger="corridors"):
        cached = corridors.load_network()
        assert path.is_file() and not _warnings(caplog)  # the other graphs are not read
        cached.routing_graph("teu")
        assert not _warnings(caplog)
        oil = cached.routing_graph("oil")
    (warning,) = _warnings(caplog)
    assert "discarding the unreadable network cache" in warning and "rebuilding" in warning
    assert not path.exists()  # the next load rebuilds it
    assert oil.components == net.routing_graph("oil").components
    assert (oil.cost_usd == net.routing_graph("oil").cost_usd).all()


def test_tables_round_trip_through_rows_with_their_types(net: Network) -> None:
    g = net.geodata
    again = Geodata.from_rows(
        g.folder,
        g.table_rows(),
        corridors=g.corridors,
        sources=g.sources,
        seeds=g.seeds,
        digest=g.digest,
        problems=g.problems,
    )
    for name, frame in g.tables.items():
        assert again.tables[name].equals(frame), name
        assert list(again.tables[name].dtypes) == list(frame.dtypes), name


def test_planted_pickle_runs_no_code_and_is_replaced(
    cache_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    marker = tmp_path / "planted-code-ran"
    cache_dir.mkdir(mode=0o700)
    path = _entry()
    path.write_bytes(pickle.dumps(_Plant(marker)))
    with caplog.at_level(logging.WARNING, logger="corridors"):
        loaded = corridors.load_network()
    assert not marker.exists(), "the planted file ran code"
    assert routing.route(loaded, "Almaty", "Bandar Abbas").distance_km > 0
    (warning,) = _warnings(caplog)
    assert "discarding the unreadable network cache" in warning and "rebuilding" in warning
    assert json.loads(path.read_text())["format"] == disk.FORMAT  # rebuilt as data


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short
        lambda text: "\x80" + text,  # not UTF-8
        # numbers where a packed column belongs, and text that is not base64
        lambda text: re.sub(r'"src":"[^"]*"', '"src":[0,1,"x"]', text, count=1),
        lambda text: re.sub(r'"dst":"', '"dst":"*', text, count=1),
        # bytes that are not a whole number of numbers
        lambda text: re.sub(r'"time_h":"', '"time_h":"AAAA', text, count=1),
        # an index far past the end of the components
        lambda text: re.sub(r'"edge_items":"[^"]*"', f'"edge_items":"{_FAR}"', text, count=1),
        # a text column's code past its distinct values, and places out of order
        lambda text: re.sub(r'"codes":"[^"]*"', f'"codes":"{_FAR}"', text, count=1),
        lambda text: text.replace('"places":["', '"places":["~","', 1),
        lambda text: json.dumps({**json.loads(text), "format": 0}),  # another layout
        lambda text: "[]",
    ],
    ids=[
        "truncated",
        "not-utf8",
        "bad-array",
        "not-base64",
        "partial-number",
        "bad-index",
        "bad-text-code",
        "places-out-of-order",
        "old-format",
        "not-an-object",
    ],
)
def test_damaged_cache_is_rebuilt_with_one_warning(
    cache_dir: Path, caplog: pytest.LogCaptureFixture, damage: object, net: Network
) -> None:
    corridors.load_network()
    path = _entry()
    path.write_text(damage(path.read_text()))  # type: ignore[operator]
    network_module._MEMORY.clear()
    with caplog.at_level(logging.WARNING, logger="corridors"):
        loaded = corridors.load_network()
        # a damaged routing graph is found when its profile is first asked for
        for profile in loaded.profiles:
            loaded.routing_graph(profile)
        network_module._MEMORY.clear()
        again = corridors.load_network()  # reads (or writes) the rebuilt file quietly
        for profile in again.profiles:
            again.routing_graph(profile)
    assert len(_warnings(caplog)) == 1, _warnings(caplog)
    assert path.is_file()  # written again, whole
    expected = routing.route(net, "Tashkent", "Karachi").to_dict()
    assert routing.route(loaded, "Tashkent", "Karachi").to_dict() == expected
    assert routing.route(again, "Tashkent", "Karachi").to_dict() == expected


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_folder_others_can_write_is_refused(
    cache_dir: Path, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    cache_dir.mkdir()
    cache_dir.chmod(0o777)
    marker = tmp_path / "planted-code-ran"
    _entry().write_bytes(pickle.dumps(_Plant(marker)))
    with caplog.at_level(logging.WARNING, logger="corridors"):
        corridors.load_network()
        network_module._MEMORY.clear()
        corridors.load_network()
    (warning,) = _warnings(caplog)
    assert "other users can write to it" in warning and "chmod 700" in warning
    assert not marker.exists()
    assert [p.name for p in cache_dir.iterdir()] == [_entry().name]  # nothing written


@pytest.mark.parametrize("error", [KeyboardInterrupt, MemoryError, OSError(28, "No space")])
def test_a_failed_write_leaves_no_temporary_file(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(disk.json, "dump", fail)
    if isinstance(error, type) and issubclass(error, KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            corridors.load_network()
    else:
        corridors.load_network()  # a cache that cannot be written costs only the cache
    assert list(cache_dir.iterdir()) == []


def test_a_cache_too_large_to_read_is_not_kept(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # the reader refuses a file over MAX_BYTES: kept, it would be discarded by every run
    # (a network whose links' count foretells it builds nothing for the file: see below)
    monkeypatch.setattr(disk, "MAX_BYTES", 2 * 2**20)  # the shipped network's takes 3-4 MB
    monkeypatch.setattr(disk, "BYTES_PER_LINK", 1)
    monkeypatch.setattr(disk, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="corridors"):
        net = corridors.load_network()
        assert net.routing_graph("teu").n_edges > 0
        network_module._MEMORY.clear()
        corridors.load_network()
    assert list(cache_dir.iterdir()) == []
    said = _warnings(caplog)
    assert len(said) == 1, said
    assert "more than the 2 MB a cache is read up to; it is not kept" in said[0]
    assert "discarding" not in said[0]


def test_a_network_too_large_for_the_cache_builds_nothing_for_it(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # 782 links × 3,000 bytes at least: over a limit of 2,000,000 bytes
    monkeypatch.setattr(disk, "MAX_BYTES", 2_000_000)
    monkeypatch.setattr(disk, "_WARNED", set())
    with caplog.at_level(logging.WARNING, logger="corridors"):
        net = corridors.load_network()
        assert corridors.load_network() is net
    assert net._routing == {}  # no routing graph built for a file that is not written
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []
    said = _warnings(caplog)
    assert len(said) == 1, said
    assert f"a network of {len(net.geodata.tables['links']):,} links is not kept" in said[0]
    path = routing.route(net, "Almaty", "Bandar Abbas")
    assert path.total("distance") > 0 and "teu" in net._routing


def test_key_follows_code_and_data(monkeypatch: pytest.MonkeyPatch) -> None:
    first = disk.cache_path("a" * 64)
    assert disk.cache_path("b" * 64) != first
    monkeypatch.setattr(disk, "_CODE_DIGEST", ["another build"])
    assert disk.cache_path("a" * 64) != first


def test_platform_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CORRIDORS_CACHE_DIR")
    monkeypatch.setattr(disk.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert disk.cache_dir() == tmp_path / "corridors"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG rules say
    assert disk.cache_dir() == Path.home() / ".cache" / "corridors"


def test_cache_keeps_the_corridors_and_reads_the_bibliography_when_asked(
    cache_dir: Path, net: Network
) -> None:
    corridors.load_network()
    assert json.loads(_entry().read_text())["corridors"] == net.geodata.corridors
    network_module._MEMORY.clear()
    cached = corridors.load_network()
    assert "sources" not in vars(cached.geodata)  # not read yet
    assert cached.geodata.corridors == net.geodata.corridors
    assert cached.geodata.sources == net.geodata.sources
    assert cached.geodata.seeds == net.geodata.seeds
