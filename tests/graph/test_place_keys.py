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
