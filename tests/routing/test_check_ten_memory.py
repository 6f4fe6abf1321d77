"""Check 10 running out of memory is the machine's limit, said in one line, not a data problem."""

from __future__ import annotations

import pytest
from conftest import TOY

from corridors.errors import GeodataError
from corridors.graph.network import Network
from corridors.routing.network_checks import validate


def test_memory_running_out_in_check_ten_is_one_error_about_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def too_big(self: Network, profile: str | None = None) -> None:
        raise MemoryError

    monkeypatch.setattr(Network, "routing_graph", too_big)
    with pytest.raises(GeodataError) as caught:
        validate(TOY)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("the network of 12 links is too large to check in this machine's")
    assert "ran out of memory" in message


def test_check_ten_builds_no_physical_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Network) -> None:
        msg = "the physical graph was built"
        raise AssertionError(msg)

    monkeypatch.setattr(Network, "G", property(refuse))
    report = validate(TOY)
    assert report.by_check.get("routing", 0) == 0
