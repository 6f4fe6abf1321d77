"""The quick ASCII path of place-name matching gives the full fold's keys."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.graph import places
from corridors.graph.network import Network


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_ascii_keys_equal_the_full_fold(text: str) -> None:
    assert places.normalise(text) == places._fold(text)


def test_every_ascii_character_and_the_shipped_names(net: Network) -> None:
    checked = 0
    for c in string.printable + "".join(chr(i) for i in range(32)):
        assert places.normalise(f"a{c}B{c}{c}") == places._fold(f"a{c}B{c}{c}")
        checked += 1
    for node in net.nodes:
        for name in [node, str(net.nodes.value(node, "name") or "")]:
            if name.isascii():
                assert places.normalise(name) == places._fold(name)
                checked += 1
    assert checked > 500
    # a non-ASCII name still folds diacritics and Persian letter variants
    assert places.normalise("Türkmenbaşy") == "turkmenbasy"
    assert places.normalise("كابل") == places.normalise("کابل")  # Arabic and Persian kaf


def test_a_node_id_is_resolved_without_the_name_keys(net: Network) -> None:
    index = places.PlaceIndex(net.nodes, net.link_columns)
    assert index.resolve("kz-almaty").node == "kz-almaty"
    assert "keys" not in vars(index)  # at a million places the keys take seconds to make
    assert index.resolve("Almaty").node == "kz-almaty"
    assert "keys" in vars(index)
    assert index.keys == net.places.keys


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=20), max_size=12))
def test_folding_many_at_once_equals_one_at_a_time(texts: list[str]) -> None:
    # any characters: ASCII (folded together), others, and line breaks of their own
    assert places.normalise_all(texts) == [places.normalise(t) for t in texts]


def test_the_name_keys_are_every_name_folded_one_at_a_time(net: Network) -> None:
    index = places.PlaceIndex(net.nodes, net.link_columns)
    expected: dict[str, set[str]] = {}
    for node in net.nodes:
        names = [node, str(net.nodes.value(node, "name") or "")]
        names += list(net.nodes.value(node, "aliases") or [])
        names.append(node.split("-", 1)[-1])
        for name in names:
            if key := places.normalise(name):
                expected.setdefault(key, set()).add(node)
    assert {key: set(found) for key, found in index.keys.items()} == expected
    assert all(len(set(found)) == len(found) for found in index.keys.values())
    assert len(expected) > 2 * len(net.nodes)
    assert any(not key.isascii() for key in expected)  # the aliases in other scripts count
