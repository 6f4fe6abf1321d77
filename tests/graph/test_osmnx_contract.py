"""The shipped network passes OSMnx's own graph contract and works with its I/O and stats."""

from __future__ import annotations

import warnings
from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest

from corridors.graph.network import Network, stand_in_osmid


@pytest.fixture(scope="module")
def G(net: Network) -> nx.MultiDiGraph:  # noqa: N802 (OSMnx names a graph G)
    return net.G


def test_validate_graph_passes(G: nx.MultiDiGraph) -> None:
    # strict=False: OSMnx only warns that node ids are strings, which we keep on purpose.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ox.convert.validate_graph(G, strict=False)
    messages = " ".join(str(w.message) for w in caught)
    assert "street_count" not in messages and "osmid" not in messages, messages


def test_every_edge_has_an_integer_osmid(G: nx.MultiDiGraph) -> None:
    checked = matched = 0
    for _, _, data in G.edges(data=True):
        ids = data["osmid"] if isinstance(data["osmid"], list) else [data["osmid"]]
        assert ids and all(isinstance(i, int) for i in ids)
        if all(i < 0 for i in ids):
            assert ids == [stand_in_osmid(data["link_id"])]
        else:
            assert all(i > 0 for i in ids)  # real OSM way ids, never mixed with a stand-in
            matched += 1
        checked += 1
    assert checked == G.number_of_edges() > 800
    # the links drawn along OSM railway ways carry their way ids, both directions
    assert matched >= 100


def test_stand_in_is_negative_and_stable() -> None:
    a, b = stand_in_osmid("rail-kz-almaty-kz-astana"), stand_in_osmid("road-a-b")
    assert a < 0 and b < 0 and a != b
    assert a == stand_in_osmid("rail-kz-almaty-kz-astana")


def test_street_count_is_distinct_neighbours(G: nx.MultiDiGraph) -> None:
    for node, data in G.nodes(data=True):
        neighbours = set(G.predecessors(node)) | set(G.successors(node))
        assert data["street_count"] == len(neighbours)


def test_basic_stats(G: nx.MultiDiGraph) -> None:
    stats = ox.stats.basic_stats(G)
    assert stats["n"] == G.number_of_nodes()
    assert stats["m"] == G.number_of_edges()
    total_m = sum(d["length"] for _, _, d in G.edges(data=True))
    assert stats["edge_length_total"] == pytest.approx(total_m)


def test_geopackage(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    import pyogrio

    out = tmp_path / "network.gpkg"
    ox.save_graph_geopackage(G, out)
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert {"nodes", "edges"} <= layers
    edges = pyogrio.read_dataframe(out, layer="edges")
    # OSMnx writes the undirected graph by default: one row per link.
    assert len(edges) == len({d["link_id"] for _, _, d in G.edges(data=True)})
    ox.save_graph_geopackage(G, out, directed=True)
    assert len(pyogrio.read_dataframe(out, layer="edges")) == G.number_of_edges()


def test_graphml_round_trip(G: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = tmp_path / "network.graphml"
    ox.save_graphml(G, out)
    H = ox.load_graphml(out, node_dtypes={"osmid": str})
    assert set(H.nodes) == set(G.nodes)
    assert H.number_of_edges() == G.number_of_edges()
    for u, v, k, data in G.edges(keys=True, data=True):
        back = H.edges[u, v, k]
        assert back["osmid"] == data["osmid"]
        assert back["oneway"] is data["oneway"]
        assert back["length"] == pytest.approx(data["length"])
