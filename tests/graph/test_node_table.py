"""The table views a route reads answer as the physical graph would."""

from __future__ import annotations

import json
import pickle

import pytest

from corridors.data.geodata import read_geodata, read_line_shapes, scan_feature_collection
from corridors.graph.network import Network, _feature_spans
from corridors.graph.places import PlaceIndex


@pytest.fixture(scope="module")
def fresh(net: Network) -> Network:
    """A network of the shipped tables whose physical graph has not been built."""
    return Network(net.geodata)


def test_routes_and_places_do_not_build_the_physical_graph(fresh: Network) -> None:
    from corridors import routing

    routing.route(fresh, "Almaty", "Bandar Abbas")
    fresh.places.resolve("43.2,76.9")  # snapped to the nearest place with a land link
    assert not fresh.has_graph


def test_node_table_holds_the_graph_node_attributes(net: Network, fresh: Network) -> None:
    G = net.G
    assert set(fresh.nodes) == set(G.nodes)
    for node, data in G.nodes(data=True):
        expected = {k: v for k, v in data.items() if k != "street_count"}
        assert fresh.nodes[node] == expected
        assert fresh.nodes.value(node, "country") == data["country"]
    assert fresh.nodes.value("xx-nowhere", "country", "none") == "none"


def test_link_lines_equal_the_graph_edge_lines(net: Network, fresh: Network) -> None:
    G = net.G
    wanted = [(data["link_id"], u, v) for u, v, data in G.edges(data=True)]
    some = wanted[0]
    lines = fresh.link_geometry([*wanted, ("xx-not-a-link", some[1], some[2])])
    assert list(lines) == list(dict.fromkeys(wanted))
    for u, v, data in G.edges(data=True):
        assert list(lines[(data["link_id"], u, v)].coords) == list(data["geometry"].coords)
    assert len(lines) == G.number_of_edges()
    # the wrong way along a one-way link is no edge
    oneway = next((k for k in wanted if (k[0], k[2], k[1]) not in lines), None)
    if oneway is not None:
        assert fresh.link_geometry([(oneway[0], oneway[2], oneway[1])]) == {}


def test_large_shape_files_are_read_by_feature(
    net: Network, fresh: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.graph.network as network

    monkeypatch.setattr(network, "WHOLE_SHAPES_BYTES", 0)
    G = net.G
    wanted = [(data["link_id"], u, v) for u, v, data in G.edges(data=True)][:200]
    lines = Network(net.geodata).link_geometry(wanted)
    for key in wanted:
        expected = G.get_edge_data(key[1], key[2])
        drawn = next(d["geometry"] for d in expected.values() if d["link_id"] == key[0])
        assert list(lines[key].coords) == list(drawn.coords)


def test_place_index_from_the_tables_ranks_and_snaps_as_from_the_graph(
    net: Network, fresh: Network
) -> None:
    G = net.G
    index = fresh.places
    assert index._degree == {n: d for n, d in G.degree() if d}
    land = {
        n
        for n in G.nodes
        if any(d.get("mode") in ("rail", "road") for *_, d in G.edges(n, data=True))
    }
    assert {n for n in G.nodes if index._has_land_link(n)} == land
    factors = sorted(
        float(str(d["length_method"]).split(":", 1)[1])
        for *_, d in G.edges(data=True)
        if d.get("mode") == "road"
        and str(d.get("length_method", "")).startswith("geodesic_factor:")
    )
    assert index.road_factor == factors[len(factors) // 2]
    other = PlaceIndex(fresh.nodes, fresh.link_columns)
    assert other.keys == net.places.keys


def test_place_info_and_option_names_read_from_the_tables(net: Network, fresh: Network) -> None:
    from corridors.routing.options import _names_of

    for node, data in net.G.nodes(data=True):
        info = fresh.place_info[node]
        assert (info.x, info.y, info.country) == (data["x"], data["y"], data["country"])
    infos = fresh.place_info
    assert len(infos) == net.G.number_of_nodes() and set(infos) == set(net.G.nodes)
    assert "no-such-node" not in infos and infos.get("no-such-node") is None
    # made on request, and sent to another process as the plain dict it stands for
    sent = pickle.loads(pickle.dumps(infos))
    assert type(sent) is dict and sent == dict(infos.items()) and infos == sent
    assert infos == Network(net.geodata).place_info  # equal tables, equal places
    # a network sent to a worker leaves its place facts behind and makes them again there
    moved = pickle.loads(pickle.dumps(fresh))
    assert "place_info" not in vars(moved)
    assert moved.place_info == sent and isinstance(moved.place_info, type(infos))
    names = _names_of(fresh)
    countries, links, borders = names.countries, names.links, names.borders
    assert links == {str(k) for *_, k in net.G.edges(data="link_id")}
    assert countries == {str(c) for _, c in net.G.nodes(data="country") if c}
    assert all(len(b) == 2 for b in borders)


def test_a_cached_network_reads_its_columns_without_its_tables(net: Network) -> None:
    plain = read_geodata(net.geodata.folder)
    rows = plain.table_rows()
    cached = type(plain).from_rows(
        plain.folder,
        rows,
        corridors=plain.corridors,
        sources=plain.sources,
        seeds=plain.seeds,
        digest=plain.digest,
        problems=[],
    )
    columns = cached.table_columns("links", ("id", "u", "oneway"))
    assert "tables" not in cached.__dict__
    assert columns == plain.table_columns("links", ("id", "u", "oneway"))


SHAPES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"id": "a"},
            "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
        },
        {"type": "Feature", "properties": {}, "geometry": None},
        {
            "type": "Feature",
            "properties": {"id": "a"},
            "geometry": {"type": "LineString", "coordinates": [[5, 6], [7, 8.5]]},
        },
    ],
}


def test_feature_scan_reads_what_json_reads() -> None:
    text = json.dumps(SHAPES, indent=1)
    members = list(scan_feature_collection(text))
    assert [m[0] for m in members] == ["type", "features[]", "features[]", "features[]"]
    for _key, start, end, value in members:
        assert json.loads(text[start:end]) == value
    spans = _feature_spans(text)
    assert spans is not None
    whole = read_line_shapes(text)
    assert {k: json.loads(text[a:b])["geometry"]["coordinates"] for k, (a, b) in spans.items()} == {
        k: [list(p) for p in v] for k, v in whole.items()
    }


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"features": [1,]}',
        '{"features": [], "features": []}',
        '{"type": "FeatureCollection"} x',
        '{"features": {"a": 1}}',
    ],
)
def test_feature_spans_leave_odd_files_to_the_whole_reader(text: str) -> None:
    assert _feature_spans(text) is None


def test_avoiding_countries_reads_no_link_names(net: Network) -> None:
    from corridors.routing import route
    from corridors.routing.options import _names_of

    own = Network(net.geodata)
    route(own, "Almaty", "Bandar Abbas", avoid_countries=["RU"])
    names = _names_of(own)
    # the countries were read for the check; the pass over every link was not made
    assert "RU" in names.countries
    assert "_links_and_borders" not in vars(names)
    route(own, "Almaty", "Bandar Abbas", avoid_borders=["KZ-TM"])
    assert "_links_and_borders" in vars(names)
    assert frozenset(("KZ", "TM")) in names.borders


def test_a_route_reads_only_the_node_columns_it_uses(net: Network) -> None:
    from corridors.graph.node_table import TableColumns
    from corridors.routing import route

    own = Network(net.geodata)
    r = route(own, "Almaty", "Bandar Abbas")
    columns = own.nodes._nodes
    assert isinstance(columns, TableColumns)
    read = set(columns._held)
    assert {"name", "country"} <= read  # the legs' place names and countries
    assert not read & {"note", "coord_ref", "locode", "osm_id", "geonames_id", "source_id"}
    # a column read later gives what the table holds, and a node's dict every column
    assert own.nodes.value("ir-bandar-abbas", "locode") == net.nodes.value(
        "ir-bandar-abbas", "locode"
    )
    assert own.nodes["kz-almaty"] == net.nodes["kz-almaty"]
    assert r.total("time") == route(net, "Almaty", "Bandar Abbas").total("time")
