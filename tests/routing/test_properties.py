"""Property tests (hypothesis) on the real shipped network.

The hubs and countries are taken from the ``net`` fixture, never at import time, so that
loading the network happens inside the session's isolated cache (see ``conftest.py``).

Each property runs its hypothesis examples inside the test and counts the examples on which
its assertions about a found route ran; the test fails unless at least ``MIN_CHECKED`` did.
An example without a route still asserts that having none is right, but it does not count,
so a property cannot pass having checked nothing.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import corridors
from corridors import routing
from corridors.graph.network import Network
from corridors.routing import batch
from corridors.routing.objectives import OBJECTIVES

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)

#: Of the ``SETTINGS.max_examples`` examples a property draws, how many must reach its
#: assertions on a route. On the shipped network every pair of hubs connects, so all do
#: unless a country is avoided (about one example in ten has no route then).
MIN_CHECKED = 15


@pytest.fixture(scope="module")
def hubs(net: Network) -> list[str]:
    """The places a user routes between: cities and ports of the shipped network."""
    return sorted(n for n, d in net.G.nodes(data=True) if d.get("kind") in ("city", "port"))


@pytest.fixture(scope="module")
def countries(net: Network) -> list[str]:
    """Every country with a node in the shipped network."""
    return sorted({d["country"] for _, d in net.G.nodes(data=True)})


def _pairs(hubs: list[str]) -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.sampled_from(hubs), st.sampled_from(hubs)).filter(lambda p: p[0] != p[1])


def _route_or_none(net: Network, o: str, d: str, **kw: object) -> routing.Route | None:
    try:
        return routing.route(net, o, d, **kw)  # type: ignore[arg-type]
    except corridors.NoRouteError:
        return None


def _no_route(tally: Counter[str]) -> None:
    tally["no route"] += 1
    event("no route")


def _assert_checked_enough(tally: Counter[str]) -> None:
    assert tally["examples"] > 0, "hypothesis ran no examples"
    assert tally["checked"] >= MIN_CHECKED, (
        f"the property was asserted on {tally['checked']} of {tally['examples']} examples "
        f"({tally['no route']} had no route); at least {MIN_CHECKED} are needed"
    )


def _enters(net: Network, r: routing.Route, country: str) -> bool:
    return country in r.countries or any(
        net.G.nodes[n]["country"] == country for n in r.nodes if n in net.G
    )


def test_best_by_time_is_never_slower_than_an_alternative(net: Network, hubs: list[str]) -> None:
    tally: Counter[str] = Counter()

    # exact for additive times (crew=0): with crew rests the search weights driving by a
    # long-run factor and an alternative may, timed exactly, beat the route it chose
    @SETTINGS
    @given(pair=_pairs(hubs))
    def check(pair: tuple[str, str]) -> None:
        tally["examples"] += 1
        try:
            alts = routing.alternatives(net, *pair, k=3, by="time", crew=0)
        except corridors.NoRouteError:
            # no alternatives means no best route either
            with pytest.raises(corridors.NoRouteError):
                routing.route(net, *pair, by="time")
            _no_route(tally)
            return
        best = routing.route(net, *pair, by="time", crew=0)
        assert alts[0].time_h == best.time_h
        assert all(best.time_h <= a.time_h + 1e-9 for a in alts)
        tally["checked"] += 1

    check()
    _assert_checked_enough(tally)


def test_avoided_countries_are_never_entered(
    net: Network, hubs: list[str], countries: list[str]
) -> None:
    tally: Counter[str] = Counter()

    @SETTINGS
    @given(pair=_pairs(hubs), avoid=st.sampled_from(countries))
    def check(pair: tuple[str, str], avoid: str) -> None:
        tally["examples"] += 1
        r = _route_or_none(net, *pair, avoid_countries=avoid, include_planned=True)
        if r is None:
            # Right only if a place of the query is in the avoided country, or if every
            # route enters it: then none of the best routes without the restriction may
            # keep out of it, or that one would have been the answer.
            if avoid not in {net.G.nodes[n]["country"] for n in pair}:
                try:
                    unrestricted = routing.alternatives(net, *pair, k=3, include_planned=True)
                except corridors.NoRouteError:
                    unrestricted = []  # not connected at all
                for u in unrestricted:
                    assert _enters(net, u, avoid), (pair, avoid, u.countries)
            _no_route(tally)
            return
        assert avoid not in r.countries
        assert all(net.G.nodes[n]["country"] != avoid for n in r.nodes if n in net.G)
        tally["checked"] += 1

    check()
    _assert_checked_enough(tally)


def test_totals_equal_the_sum_of_legs(net: Network, hubs: list[str]) -> None:
    tally: Counter[str] = Counter()

    @SETTINGS
    @given(pair=_pairs(hubs), by=st.sampled_from(list(OBJECTIVES)))
    def check(pair: tuple[str, str], by: str) -> None:
        tally["examples"] += 1
        r = _route_or_none(net, *pair, by=by)
        if r is None:
            _no_route(tally)
            return
        legs = r.leg_frame()
        for col, total in [
            ("time_h", r.time_h),
            ("cost_usd", r.cost_usd),
            ("distance_km", r.distance_km),
            ("co2_kg", r.co2_kg),
        ]:
            assert math.fsum(legs[col]) == pytest.approx(total, rel=1e-12, abs=1e-9)
        tally["checked"] += 1

    check()
    _assert_checked_enough(tally)


def test_results_are_identical_across_runs(net: Network, hubs: list[str]) -> None:
    tally: Counter[str] = Counter()

    @SETTINGS
    @given(pair=_pairs(hubs))
    def check(pair: tuple[str, str]) -> None:
        tally["examples"] += 1
        a = _route_or_none(net, *pair, by="generalized")
        b = _route_or_none(net, *pair, by="generalized")
        assert (a is None) == (b is None)
        if a is None or b is None:
            _no_route(tally)
            return
        assert a.to_dict() == b.to_dict()
        tally["checked"] += 1

    check()
    _assert_checked_enough(tally)


def test_skim_agrees_with_route_on_the_real_network(net: Network, hubs: list[str]) -> None:
    sample = hubs[:: max(1, len(hubs) // 12)][:12]
    pairs = [(o, d) for o in sample for d in sample if o != d]
    for by in ("time", "cost"):
        matrix = batch.skim(net, sample, by=by)
        compared = 0
        for o, d in pairs:
            r = _route_or_none(net, o, d, by=by)  # both with the default crew's rests
            value = matrix.loc[o, d]
            if r is None:
                assert math.isnan(value), (o, d, by)
            else:
                assert value == r.total(by), (o, d, by)
                compared += 1
        for o in sample:
            assert math.isnan(matrix.loc[o, o]), (o, by)  # no route from a place to itself
        # most pairs must have a route, or agreeing on "no route" would be all it checked
        assert compared >= len(pairs) // 2, f"{compared} of {len(pairs)} pairs routed by {by}"
