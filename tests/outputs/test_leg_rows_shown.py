"""A route of many legs is shown with each run of hauls of one mode in one country as a row."""

from __future__ import annotations

import io
import itertools
import math

import pytest
from rich.console import Console

from corridors import routing
from corridors.graph.network import Network
from corridors.outputs import route_tables
from corridors.routing.results import Route


@pytest.fixture(scope="module")
def long_route(net: Network) -> Route:
    return routing.route(net, "Khorgos", "Istanbul")


def _print(route: Route) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(route_tables.route_table(route))
    return console.export_text()


def test_a_route_of_few_legs_shows_each(long_route: Route) -> None:
    rows, note = route_tables.shown_legs(long_route)
    assert note is None
    assert [r for _, r in rows] == long_route.leg_rows()
    assert [n for n, _ in rows] == [str(i) for i in range(1, len(rows) + 1)]


def test_runs_of_hauls_become_rows_that_add_up(
    long_route: Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    legs = long_route.leg_rows()
    monkeypatch.setattr(route_tables, "MAX_LEG_ROWS", 5)
    rows, note = route_tables.shown_legs(long_route)
    assert note is not None and note.startswith(f"{len(legs):,} legs")
    checked = 0
    covered: list[int] = []
    for label, row in rows:
        first, _, last = label.partition("–")
        lo, hi = int(first.replace(",", "")), int((last or first).replace(",", ""))
        covered += range(lo, hi + 1)
        run = legs[lo - 1 : hi]
        if hi == lo:
            assert row == run[0]
            continue
        assert row["kind"] == f"{len(run)} hauls"
        assert {(r["kind"], r["mode"], r["country"]) for r in run} == {
            ("haul", row["mode"], row["country"])
        }
        assert (row["from"], row["to"]) == (run[0]["from"], run[-1]["to"])
        for name in ("distance_km", "time_h", "cost_usd", "co2_kg"):
            assert row[name] == math.fsum(r[name] for r in run)
        assert set(row["source_ids"].split("|")) == {
            s for r in run for s in r["source_ids"].split("|") if s
        }
        checked += 1
    assert covered == list(range(1, len(legs) + 1))  # every leg once, in order
    assert checked >= 2, "the route should have runs of hauls to merge"
    assert len(rows) < len(legs)
    # no two rows in a row could have been one run
    for (_, a), (_, b) in itertools.pairwise(rows):
        same = (a["mode"], a["country"]) == (b["mode"], b["country"])
        assert not (same and "haul" in a["kind"] and "haul" in b["kind"])
    shown = _print(long_route)
    assert f"{len(legs):,} legs: each run of hauls" in shown
    page = route_tables.route_html(long_route)
    assert f"{len(legs):,} legs: each run of hauls" in page
    assert page.count("<tr") == len(rows) + 1  # the header and one per shown row
