"""Property tests (hypothesis) on the real shipped network."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors
from corridors import routing
from corridors.graph.network import Network
from corridors.routing import batch

# Hubs a user routes between: cities and ports of the shipped network.
_NET = corridors.load_network()
HUBS = sorted(n for n, d in _NET.G.nodes(data=True) if d.get("kind") in ("city", "port"))
COUNTRIES = sorted({d["country"] for _, d in _NET.G.nodes(data=True)})
pairs = st.tuples(st.sampled_from(HUBS), st.sampled_from(HUBS)).filter(lambda p: p[0] != p[1])
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _route_or_none(net: Network, o: str, d: str, **kw: object) -> routing.Route | None:
    try:
        return routing.route(net, o, d, **kw)  # type: ignore[arg-type]
    except corridors.NoRouteError:
        return None


@SETTINGS
@given(pair=pairs)
def test_best_by_time_is_never_slower_than_an_alternative(
    net: Network, pair: tuple[str, str]
) -> None:
    try:
        alts = routing.alternatives(net, *pair, k=3, by="time")
    except corridors.NoRouteError:
        return
    best = routing.route(net, *pair, by="time")
    assert alts[0].time_h == best.time_h
    assert all(best.time_h <= a.time_h + 1e-9 for a in alts)


@SETTINGS
@given(pair=pairs, avoid=st.sampled_from(COUNTRIES))
def test_avoided_countries_are_never_entered(
    net: Network, pair: tuple[str, str], avoid: str
) -> None:
    r = _route_or_none(net, *pair, avoid_countries=avoid, include_planned=True)
    if r is None:
        return
    assert avoid not in r.countries
    assert all(net.G.nodes[n]["country"] != avoid for n in r.nodes if n in net.G)


@SETTINGS
@given(pair=pairs, by=st.sampled_from(["time", "cost", "distance", "co2", "generalized"]))
def test_totals_equal_the_sum_of_legs(net: Network, pair: tuple[str, str], by: str) -> None:
    r = _route_or_none(net, *pair, by=by)
    if r is None:
        return
    legs = r.leg_frame()
    for col, total in [
        ("time_h", r.time_h),
        ("cost_usd", r.cost_usd),
        ("distance_km", r.distance_km),
        ("co2_kg", r.co2_kg),
    ]:
        assert math.fsum(legs[col]) == pytest.approx(total, rel=1e-12, abs=1e-9)


@SETTINGS
@given(pair=pairs)
def test_results_are_identical_across_runs(net: Network, pair: tuple[str, str]) -> None:
    a = _route_or_none(net, *pair, by="generalized")
    b = _route_or_none(net, *pair, by="generalized")
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert a.to_dict() == b.to_dict()


def test_skim_agrees_with_route_on_the_real_network(net: Network) -> None:
    hubs = HUBS[:: max(1, len(HUBS) // 12)][:12]
    for by in ("time", "cost"):
        matrix = batch.skim(net, hubs, by=by)
        for o in hubs:
            for d in hubs:
                r = _route_or_none(net, o, d, by=by) if o != d else None
                value = matrix.loc[o, d]
                if r is None:
                    assert math.isnan(value)
                else:
                    assert value == r.total(by), (o, d, by)
