"""Check 10 holds one profile's routing graph at a time, builds each once, and reports as before."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from corridors.graph import routing_graph
from corridors.routing.network_checks import validate


def test_check_10_builds_each_graph_with_no_other_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[weakref.ref[Any]] = []
    alive_at_build: list[int] = []
    real = routing_graph.build_routing_graph

    profiles: list[str] = []

    def counting(net: Any, profile: Any) -> Any:
        gc.collect()
        profiles.append(profile.id)
        alive_at_build.append(sum(ref() is not None for ref in built))
        rg = real(net, profile)
        built.append(weakref.ref(rg))
        return rg

    monkeypatch.setattr(routing_graph, "build_routing_graph", counting)
    report = validate()
    assert not report.by_check.get("routing")
    # every profile was built once, and none while another one was held: each corridor is
    # routed while its own profile's graph is at hand, and the routes are not labelled
    assert len(profiles) >= 3
    assert sorted(profiles) == sorted(set(profiles))
    assert alive_at_build == [0] * len(built)
