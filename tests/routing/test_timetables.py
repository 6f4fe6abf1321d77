"""Timetabled sailings: the expected wait without a date, the next sailing with one."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import one_line_error, run_cli

from corridors.data.locate import geodata_dir
from corridors.errors import GeodataError
from corridors.graph.network import Network, load_network
from corridors.routing import route

LINK = "ferry-kz-kuryk-az-alat"


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """The shipped network with a made-up timetable on the Kuryk-Alat ferry (test data)."""
    folder = tmp_path_factory.mktemp("geodata") / "geodata"
    shutil.copytree(geodata_dir(), folder)
    (folder / "timetables.csv").write_text(
        "id,link,from,weekdays,per_week,departure,source_id,method,note\n"
        f"test-kuryk-alat,{LINK},kz-kuryk,mon|thu,,18:00,,test_data,not a real timetable\n",
        encoding="utf-8",
    )
    return load_network(folder, cache=False)


def _wait(r) -> object:
    waits = [c for c in r.components if c.kind == "wait" and c.link_id == LINK]
    assert len(waits) == 1
    return waits[0]


def test_without_a_date_the_wait_is_the_expected_one(scheduled: Network) -> None:
    r = route(scheduled, "kz-kuryk", "az-alat", modes="ferry", by="time")
    wait = _wait(r)
    # Monday 18:00 and Thursday 18:00: gaps of 72 h and 96 h; arriving at a random hour,
    # the expected wait is (72² + 96²) / (2 × 168)
    assert wait.time_h == pytest.approx((72**2 + 96**2) / (2 * 168))
    assert "expected wait" in wait.note and "mon, thu at 18:00" in wait.note


@pytest.mark.parametrize(
    ("depart", "hours"),
    [
        ("2026-12-07T10:00", 8.0),  # a Monday morning: the Monday 18:00 sailing
        ("2026-12-07T18:00", 0.0),  # at the minute of the sailing
        ("2026-12-08T06:00", 60.0),  # Tuesday 06:00 to Thursday 18:00
        ("2026-12-11", 72.0 + 18.0),  # Friday 00:00 to Monday 18:00
    ],
)
def test_with_a_date_the_route_waits_for_the_next_sailing(
    scheduled: Network, depart: str, hours: float
) -> None:
    r = route(scheduled, "kz-kuryk", "az-alat", modes="ferry", by="time", depart=depart)
    # the route starts at the port: the clock reaches the ferry after the port's handling
    before = sum(c.time_h for c in r.components[: r.components.index(_wait(r))])
    start = datetime.fromisoformat(depart)
    arrive = start.timestamp() / 3600 + before
    monday = datetime(2026, 12, 7).timestamp() / 3600
    sailings = [monday + h for h in (18, 3 * 24 + 18, 7 * 24 + 18, 10 * 24 + 18)]
    expected = min(s for s in sailings if s >= arrive - 1e-9) - arrive
    assert _wait(r).time_h == pytest.approx(expected)
    if before == 0:
        assert _wait(r).time_h == pytest.approx(hours)
    assert "next sailing" in _wait(r).note


def test_a_dated_truck_route_waits_on_the_same_clock_as_its_rests(scheduled: Network) -> None:
    r = route(
        scheduled, "Atyrau", "az-alat", modes="road,ferry", via=["kz-kuryk"], depart="2026-12-07"
    )
    comps = r.components
    wait = _wait(r)
    before = sum(c.time_h for c in comps[: comps.index(wait)])
    at = datetime(2026, 12, 7).timestamp() / 3600 + before
    monday = datetime(2026, 12, 7).timestamp() / 3600
    sailings = [monday + 7 * 24 * w + h for w in range(4) for h in (18, 3 * 24 + 18)]
    assert wait.time_h == pytest.approx(min(s for s in sailings if s >= at - 1e-9) - at)
    # more than a day's driving before the sailing: the rest falls before the wait
    driven = sum(
        c.time_h for c in comps[: comps.index(wait)] if c.kind == "haul" and c.mode == "road"
    )
    assert driven > 10
    assert any(c.kind == "daily_rest" for c in comps[: comps.index(wait)])


def test_bad_timetables_and_dates_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(), folder)
    (folder / "timetables.csv").write_text(
        "id,link,from,weekdays,per_week,departure,source_id,method,note\n"
        f"bad,{LINK},kz-kuryk,mon|xyz,,18:00,,test_data,\n",
        encoding="utf-8",
    )
    with pytest.raises(GeodataError, match="unknown weekday 'xyz'"):
        load_network(folder, cache=False).routing_graph()
    result = run_cli("route", "kz-kuryk", "az-alat", "--depart", "next monday")
    assert result.returncode == 2
    assert "YYYY-MM-DD" in one_line_error(result.stderr)
