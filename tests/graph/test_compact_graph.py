"""A routing graph held as codes reads as the tuples, dicts and object arrays it replaced."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.graph.compact import Coded, Vertices
from corridors.graph.cost_model import SUMMED
from corridors.graph.edge_components import CODED
from corridors.graph.network import Network
from corridors.routing import corridor_match, edge_weights
from corridors.routing.options import RouteOptions


def test_coded_column_decodes_and_tests_as_the_values() -> None:
    values = ["rail", "road", "", "rail", "sea", "road", "rail"]
    col = Coded.of(values)
    assert col.decode().tolist() == values
    assert col.decode().dtype == object
    wanted = ["rail", "sea", "air"]
    assert col.isin(wanted).tolist() == np.isin(np.array(values, dtype=object), wanted).tolist()
    assert not col.isin([]).any()
    joined = Coded.concat([col, Coded.constant("air", 2), col.take(np.array([4, 0]))])
    assert joined.decode().tolist() == [*values, "air", "air", "sea", "rail"]


def test_sorted_unique_is_numpys_unique() -> None:
    from corridors.graph.compact import sorted_unique

    rng = np.random.default_rng(7)
    checked = 0
    for size in (0, 1, 2, 5, 1000, 100_000):
        for high in (1, 3, 50, 10**9):
            values = rng.integers(-high, high + 1, size)
            for dtype in (np.int64, np.int32):
                got = sorted_unique(values.astype(dtype))
                want = np.unique(values.astype(dtype))
                assert got.dtype == want.dtype and np.array_equal(got, want)
                checked += 1
    assert checked == 48


def test_components_added_as_columns_are_numbered_as_one_by_one() -> None:
    from corridors.graph.edge_components import ColumnsBuilder

    floats = {name: np.arange(4, dtype=np.float64) for name in SUMMED}
    same = {name: "" for name in CODED if name not in ("link_id", "mode")}
    for modes in (["rail", "road"], ["rail", "road", "rail"]):  # the second names one twice
        builder = ColumnsBuilder()
        codes = np.array([0, 1, 1, 0]) if len(modes) == 2 else np.array([0, 1, 2, 0])
        builder.add_many(
            floats,
            coded={
                "link_id": (np.array([0, 1, 2, 3]), ["a", "b", "c", "d"]),
                "mode": (codes, modes),
            },
            same=same,
        )
        columns = builder.columns()
        assert columns.values["link_id"] == ["a", "b", "c", "d"]
        assert columns.values["mode"] == ["rail", "road"]
        mode = [columns.values["mode"][c] for c in columns.codes["mode"].tolist()]
        assert mode == [modes[c] for c in codes.tolist()]


def test_components_given_in_the_builders_numbering_decode_as_given_by_value() -> None:
    from corridors.graph.cost_model import Component
    from corridors.graph.edge_components import ColumnsBuilder

    floats = {name: np.arange(3, dtype=np.float64) for name in SUMMED}
    same = {name: "" for name in CODED if name not in ("link_id", "from_node")}
    places = ["aa", "bb", "cc", "dd"]
    one = Component("haul", "cc", "dd", "rail", "KZ", 1.0, 1.0, 1.0, 1.0, link_id="x")
    decoded = []
    for numbered in (False, True):
        builder = ColumnsBuilder(
            numbered={"from_node": dict(zip(places, range(4)))} if numbered else None
        )
        builder.add(one)  # a component one at a time first: its place is "cc" either way
        at = np.array([3, 0, 2])
        builder.add_many(
            floats,
            coded={"link_id": (np.array([0, 0, 1]), ["y", "z"])}
            | ({} if numbered else {"from_node": (np.array([0, 1, 2]), ["dd", "aa", "cc"])}),
            same=same,
            numbered={"from_node": at} if numbered else None,
        )
        columns = builder.columns()
        decoded.append(
            [columns.values["from_node"][c] for c in columns.codes["from_node"].tolist()]
        )
    assert decoded[0] == decoded[1] == ["cc", "dd", "aa", "cc"]
    with pytest.raises(ValueError, match="not numbered 0, 1"):
        ColumnsBuilder(numbered={"from_node": {"aa": 1, "bb": 2}})
    with pytest.raises(ValueError, match="not numbered by the builder"):
        ColumnsBuilder().add_many(floats, coded={}, same=same, numbered={"from_node": at})


@settings(max_examples=300)
@given(
    known=st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=6),
    values=st.lists(st.sampled_from("abcdefghij"), max_size=12),
)
def test_codes_of_many_values_are_those_given_one_at_a_time(
    known: list[str], values: list[str]
) -> None:
    from corridors.graph.edge_components import _codes_of

    index = {v: i for i, v in enumerate(known)}
    expected_index = dict(index)
    expected = [expected_index.setdefault(v, len(expected_index)) for v in values]
    assert _codes_of(index, values).tolist() == expected
    assert list(index.items()) == list(expected_index.items())  # same codes, same order


def test_vertex_index_finds_every_vertex_and_nothing_else(net: Network) -> None:
    rg = net.routing_graph("teu")
    pairs = list(rg.vnodes)
    assert len(pairs) == rg.n_nodes == len(set(pairs))
    by_pair = {v: i for i, v in enumerate(pairs)}
    assert all(rg.index[v] == i for v, i in by_pair.items())
    assert rg.vnodes[5] == pairs[5] and rg.vnodes[-1] == pairs[-1]
    place = pairs[0][0]
    assert rg.index.get((place, "no such layer")) is None
    assert rg.index.get(("no such place", pairs[0][1]), -1) == -1
    assert ("no such place", "o") not in rg.index
    with pytest.raises(KeyError):
        rg.index[("no such place", "o")]
    # built again from the pairs, the vertices read the same
    again = Vertices.of(pairs)
    assert [again.find(p, x) for p, x in pairs[:50]] == list(range(50))


def test_arrival_nodes_are_the_places_in_layers(net: Network) -> None:
    rg = net.routing_graph("teu")
    places = sorted({p for p, _ in rg.vnodes})[::7][:40]
    wanted = set(places)
    expected = [i for i, (p, x) in enumerate(rg.vnodes) if p in wanted and x.endswith("|in")]
    assert rg.arrival_nodes(places).tolist() == expected
    assert rg.arrival_nodes(["no such place"]).tolist() == []


def test_edge_filters_on_codes_match_the_object_arrays(net: Network) -> None:
    rg = net.routing_graph("teu")
    is_link = rg.kind == "link"
    crossing = is_link & (rg.u_country != rg.v_country)
    a, b = rg.u_country[crossing][0], rg.v_country[crossing][0]
    some_links = sorted(set(rg.link_id[is_link].tolist()))[:5]
    some_places = sorted(set(rg.u_place.tolist()))[:5]
    opts = replace(
        RouteOptions.build(modes=["rail", "sea"], statuses=["operational", "planned"]),
        avoid_countries=frozenset({"AF"}),
        avoid_nodes=frozenset(some_places),
        avoid_links=frozenset(some_links),
        avoid_borders=frozenset({frozenset((a, b))}),
    )
    ok = ~is_link | np.isin(rg.status, list(opts.statuses))
    ok &= ~is_link | np.isin(rg.mode, list(opts.modes or ()))
    ok &= ~(np.isin(rg.u_country, ["AF"]) | np.isin(rg.v_country, ["AF"]))
    ok &= ~(np.isin(rg.u_place, some_places) | np.isin(rg.v_place, some_places))
    ok &= ~np.isin(rg.link_id, some_links)
    pair = np.array(
        [frozenset((x, y)) == frozenset((a, b)) for x, y in zip(rg.u_country, rg.v_country)]
    )
    ok &= ~(crossing & pair)
    got = edge_weights.edge_mask(rg, opts)
    assert got.tolist() == ok.tolist()
    assert 0 < got.sum() < rg.n_edges


def test_a_network_keeping_one_routing_graph_lets_the_older_go(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.data import geodata

    trims: list[int] = []
    real = geodata.give_back_memory
    monkeypatch.setattr(geodata, "give_back_memory", lambda: trims.append(1) or real())
    fresh = Network(net.geodata)
    fresh.routing_graphs_kept = 1
    first = fresh.routing_graph("teu")
    assert trims == []  # nothing let go yet
    fresh.routing_graph("bulk")
    assert list(fresh._routing) == ["bulk"]
    assert trims == [1]  # the memory of the graph let go is handed back
    again = fresh.routing_graph("teu")
    assert again is not first and list(fresh._routing) == ["teu"]
    assert np.array_equal(again.time_h, first.time_h) and again.vnodes == first.vnodes
    assert again.link_id.tolist() == first.link_id.tolist()


def test_large_reads_builds_and_contractions_hand_their_temporary_memory_back(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.data import geodata
    from corridors.graph import routing_graph
    from corridors.routing import contraction

    trims: list[str] = []
    for module in (geodata, routing_graph, contraction):
        monkeypatch.setattr(module, "give_back_memory", lambda m=module: trims.append(m.__name__))
    # the shipped network is below every size at which it happens
    read = geodata.read_geodata(net.geodata.folder)
    fresh = Network(read)
    rg = fresh.routing_graph("teu")
    assert contraction.contraction_for(fresh, rg) is None
    assert trims == []
    # at the sizes lowered, each hands its memory back once, when it ends
    monkeypatch.setattr(geodata, "_TRIM_AFTER_ROWS", 1)
    monkeypatch.setattr(routing_graph, "_TRIM_AFTER_EDGES", 1)
    monkeypatch.setattr(contraction, "CONTRACT_EDGES", 1)
    fresh = Network(geodata.read_geodata(net.geodata.folder))
    rg = fresh.routing_graph("teu")
    assert contraction.contraction_for(fresh, rg) is not None
    contraction.contraction_for(fresh, rg)  # made once, kept
    assert trims == [
        "corridors.data.geodata",
        "corridors.graph.routing_graph",
        "corridors.routing.contraction",
    ]


def test_corridor_links_with_one_routing_graph_kept_are_the_same(net: Network) -> None:
    whole = corridor_match.corridor_links(Network(net.geodata))
    fresh = Network(net.geodata)
    fresh.routing_graphs_kept = 1
    found = corridor_match.corridor_links(fresh)
    assert found == whole and list(found) == list(whole)
    assert len(fresh._routing) == 1


def test_a_networks_profiles_share_one_build_basis(net: Network) -> None:
    from corridors.graph import routing_graph

    fresh = Network(net.geodata)
    teu, bulk = fresh.routing_graph("teu"), fresh.routing_graph("bulk")
    # the places and link ids are read once, and both graphs hold the same strings
    assert teu.vertices.places is bulk.vertices.places
    basis = routing_graph._BASES[fresh]
    assert basis.serves(fresh)
    # the node ids and link ids are the network's own strings, not copies of them
    assert all(a is b for a, b in zip(sorted(fresh.nodes.ids), basis.places.tolist(), strict=True))
    ids = basis.link_arrays["link_id"].tolist()
    assert all(a is b for a, b in zip(fresh.link_columns["id"], ids, strict=True))
    # each graph equals the one a network of its own builds from its own basis
    for pid, rg in (("teu", teu), ("bulk", bulk)):
        alone = Network(net.geodata).routing_graph(pid)
        assert alone.vertices.places is not rg.vertices.places
        assert np.array_equal(alone.src, rg.src) and np.array_equal(alone.dst, rg.dst)
        assert np.array_equal(alone.time_h, rg.time_h)
        assert alone.link_id.tolist() == rg.link_id.tolist()
        assert alone.components == rg.components
    # tables replaced under the network: the next build reads them again
    changed = Network(net.geodata)
    changed.routing_graph("teu")
    old = routing_graph._BASES[changed]
    old_view = changed.link_columns["id"]
    changed.geodata = type(net.geodata).__new__(type(net.geodata))
    changed.geodata.__dict__.update(net.geodata.__dict__)
    changed.geodata.tables = {**net.geodata.tables, "links": net.geodata.links.copy()}
    assert not old.serves(changed)
    again = changed.routing_graph("bulk")
    assert routing_graph._BASES[changed] is not old
    assert np.array_equal(again.time_h, bulk.time_h)
    # the network's own views of its links were read again from the new table
    assert changed.link_columns["id"] is not old_view
    assert changed.link_columns["id"] == old_view
