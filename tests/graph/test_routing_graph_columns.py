"""The routing-graph builder that works on columns gives the graph the edge-by-edge one gave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridors.data.geodata import read_geodata
from corridors.graph import routing_graph
from corridors.graph.network import Network
from corridors.graph.routing_graph import RoutingGraph, build_routing_graph

from .reference_routing_graph import ReferenceBuilder

# every edge array the builder defines
COLUMNS = tuple(routing_graph._EDGE_COLUMNS)


def assert_same_graph(new: RoutingGraph, old: RoutingGraph) -> None:
    assert new.vnodes == old.vnodes
    assert new.index == old.index
    for name in COLUMNS:
        a, b = getattr(new, name), getattr(old, name)
        assert a.dtype == b.dtype, name
        if a.dtype == object:
            assert a.tolist() == b.tolist(), name
        else:
            # bit for bit, NaN where NaN
            assert np.array_equal(a, b, equal_nan=True), name
    assert len(new.components) == len(old.components)
    for i, (x, y) in enumerate(zip(new.components, old.components, strict=True)):
        assert x == y, f"edge {i}: {x} != {y}"
    assert np.array_equal(new.driving_h, old.driving_h)


def test_shipped_network_gives_the_same_graph_for_every_profile(net: Network) -> None:
    for pid in net.profiles:
        profile = net.profile(pid)
        assert_same_graph(build_routing_graph(net, profile), ReferenceBuilder(net, profile).build())


def test_toy_network_gives_the_same_graph(toy: Network) -> None:
    for pid in toy.profiles:
        profile = toy.profile(pid)
        assert_same_graph(build_routing_graph(toy, profile), ReferenceBuilder(toy, profile).build())


def test_split_links_give_the_same_graph(tmp_path: Path) -> None:
    """Links cut into pieces (new junctions, link ids repeated as pieces) build alike."""
    from benchmarks.big_geodata import write

    write(tmp_path / "geodata", 4000)
    net = Network(read_geodata(tmp_path / "geodata", strict=False))
    profile = net.profile("teu")
    assert_same_graph(build_routing_graph(net, profile), ReferenceBuilder(net, profile).build())


def test_a_missing_speed_fails_as_before(net: Network, tmp_path: Path) -> None:
    """The first edge whose row is missing decides the error, as edge by edge."""
    import shutil

    from corridors.errors import GeodataError

    folder = tmp_path / "geodata"
    shutil.copytree(net.geodata.folder, folder)
    speeds = folder / "speeds.csv"
    lines = speeds.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [x for x in lines[1:] if ",road," not in x]
    assert len(kept) < len(lines)
    speeds.write_text("\n".join(kept) + "\n", encoding="utf-8")
    other = Network(read_geodata(folder, strict=False))
    profile = other.profile("teu")
    with pytest.raises(GeodataError) as new:
        build_routing_graph(other, profile)
    with pytest.raises(GeodataError) as old:
        ReferenceBuilder(other, profile).build()
    assert str(new.value) == str(old.value)


def test_a_direction_closed_by_a_scenario_is_left_out_alike(net: Network) -> None:
    from corridors.scenarios.scenario import Scenario

    s = Scenario.from_dict(
        {"name": "one way", "cites": ["seed-003"], "changes": [{"close": {"border": "TM>IR"}}]}
    )
    after = s.apply(net)
    assert after.closed_directions
    profile = after.profile("teu")
    new = build_routing_graph(after, profile)
    assert_same_graph(new, ReferenceBuilder(after, profile).build())
    assert new.n_edges < net.routing_graph("teu").n_edges
