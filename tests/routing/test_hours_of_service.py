"""Hours of service on the shipped network: a long truck route carries every rest the rules need.

The checks below re-derive the rules' arithmetic from the leg list alone (driving and
standing hours in order), with the limits typed here from the AETR text, not read back from
the code that inserts the rests.
"""

from __future__ import annotations

import math

import pytest
from conftest import one_line_error, run_cli

from corridors.graph.network import Network
from corridors.routing import route
from corridors.routing.options import RouteOptions

EPS = 1e-6
REST_KINDS = ("break", "daily_rest", "weekly_rest")

# AETR Art. 6-8 (and Regulation (EC) 561/2006), one driver
SINGLE = {
    "break_after": 4.5,
    "break": 0.75,
    "daily": 9.0,
    "daily_ext": 10.0,
    "ext_per_week": 2,
    "daily_rest": 11.0,
    "duty": 24.0 - 11.0,
    "weekly": 56.0,
    "fortnight": 90.0,
    "periods": 6,
    "weekly_rest": 45.0,
}
# two drivers: 9 h daily rest within 30 h, breaks while the other drives, limits per driver
CREW2 = {
    **SINGLE,
    "break_after": math.inf,
    "daily": 18.0,
    "daily_ext": 20.0,
    "daily_rest": 9.0,
    "duty": 30.0 - 9.0,
    "weekly": 112.0,
    "fortnight": 180.0,
}


def _into(note: str) -> float:
    """Hours into its haul a rest starts, as its note states it ("..., 2.0 h into this haul")."""
    return float(note.split(" h into this haul")[0].rsplit(", ", 1)[-1])


def _timeline(r) -> list[tuple[str, float]]:
    """The truck's periods in order: ("drive", h), a rest kind, or ("stand", h).

    A rest inside a haul is listed after the haul: the haul is split where the rest starts.
    """
    out: list[tuple[str, float]] = []
    comps = r.components
    for i, c in enumerate(comps):
        if c.kind == "haul" and c.mode == "road":
            j = i + 1
            done = 0.0
            while j < len(comps) and comps[j].kind in REST_KINDS:
                # notes round to 0.1 h: the split is good to 0.05 h
                at = _into(comps[j].note)
                out.append(("drive", max(at - done, 0.0)))
                out.append((comps[j].kind, comps[j].time_h))
                done = max(at, done)
                j += 1
            out.append(("drive", c.time_h - done))
        elif c.kind in REST_KINDS:
            continue
        elif c.time_h > 0:
            out.append(("stand", c.time_h))
    return out


def _check(r, rules: dict[str, float]) -> dict[str, int]:
    """Check every limit between rests, and that each rest row was due; count them."""
    since_break = today = duty = week = last_week = 0.0
    periods = ext_used = 0
    counts = dict.fromkeys(REST_KINDS, 0)

    def end_day(hours: float) -> None:
        nonlocal since_break, today, duty, periods, ext_used
        if today > rules["daily"] + 0.1:
            ext_used += 1
        periods += today > EPS
        since_break = today = duty = 0.0

    def end_week() -> None:
        nonlocal week, last_week, periods, ext_used
        last_week, week, periods, ext_used = week, 0.0, 0, 0

    for kind, hours in _timeline(r):
        if kind == "drive":
            since_break += hours
            today += hours
            duty += hours
            week += hours
            tol = 0.1  # rest positions are stated to 0.1 h
            if hours <= tol:
                continue  # a rest due before this haul starts (after a long queue)
            assert since_break <= rules["break_after"] + tol
            assert today <= rules["daily_ext"] + tol
            assert duty <= rules["duty"] + tol
            continue
        if kind == "break":
            counts["break"] += 1
            assert hours == pytest.approx(rules["break"])
            # a break is taken only when 4.5 h of driving are done (not earlier)
            assert since_break >= rules["break_after"] - 0.1
            since_break = 0.0
            duty += hours
        elif kind == "daily_rest":
            counts["daily_rest"] += 1
            assert hours == pytest.approx(rules["daily_rest"])
            # due: the day's driving or the duty window is used up
            limit = rules["daily_ext"] if ext_used < rules["ext_per_week"] else rules["daily"]
            assert today >= limit - 0.1 or duty >= rules["duty"] - 0.1
            end_day(hours)
        elif kind == "weekly_rest":
            counts["weekly_rest"] += 1
            assert hours == pytest.approx(rules["weekly_rest"])
            end_day(hours)
            end_week()
        else:  # standing still: a rest when long enough, else duty time
            if hours >= rules["weekly_rest"] - EPS and week > EPS:
                end_day(hours)
                end_week()
            elif hours >= rules["daily_rest"] - EPS:
                end_day(hours)
            else:
                duty += hours
                if hours >= rules["break"] - EPS:
                    since_break = 0.0
        assert periods <= rules["periods"]
        assert ext_used <= rules["ext_per_week"]
        assert week <= min(rules["weekly"], rules["fortnight"] - last_week) + 0.1
    return counts


def _drive_segments(r) -> list[float]:
    """Driving hours split at every rest row and every long-enough stop: the rules' units."""
    return [h for k, h in _timeline(r) if k == "drive"]


def test_a_long_truck_route_carries_every_rest_the_rules_require(net: Network) -> None:
    r = route(net, "Khorgos", "Istanbul", modes="road")
    assert r.distance_km > 5000
    counts = _check(r, SINGLE)
    driving = sum(_drive_segments(r))
    assert driving == pytest.approx(r.driving_h)
    # the rules' arithmetic, independently: one driver drives at most 10 h between daily
    # rests (9 h most days), so n hours of driving need at least ceil(n / 10) - 1 rests of
    # 11 h or more, counting the long border stops that serve as one
    long_stops = sum(1 for k, h in _timeline(r) if k == "stand" and h >= SINGLE["daily_rest"])
    rests = counts["daily_rest"] + counts["weekly_rest"] + long_stops
    assert rests >= math.ceil(driving / SINGLE["daily_ext"]) - 1
    # at most 56 h between weekly rests, so a weekly rest at least every 56 h of driving
    assert (
        counts["weekly_rest"]
        + sum(1 for k, h in _timeline(r) if k == "stand" and h >= SINGLE["weekly_rest"])
        >= math.ceil(driving / SINGLE["weekly"]) - 1
    )
    # a 45-min stop at least every 4.5 h of driving
    stops = (
        counts["break"]
        + rests
        + sum(
            1
            for k, h in _timeline(r)
            if k == "stand" and SINGLE["break"] <= h < SINGLE["daily_rest"]
        )
    )
    assert stops >= math.ceil(driving / SINGLE["break_after"]) - 1
    # and nothing more than that: no driving stretch between stops reaches the limit early
    assert counts["break"] <= math.ceil(driving / SINGLE["break_after"])
    # the route's time is driving + rests + standing, and the rest is in the total
    assert r.rest_h == pytest.approx(
        counts["break"] * 0.75 + counts["daily_rest"] * 11 + counts["weekly_rest"] * 45
    )
    assert r.time_h == pytest.approx(
        math.fsum(c.time_h for c in r.components if c.kind not in REST_KINDS) + r.rest_h
    )
    assert r.rest_h > 0.25 * r.time_h


def test_limits_hold_within_every_stretch_of_driving(net: Network) -> None:
    """Between two stops, driving never exceeds 4.5 h; between rests, never 10 h."""
    r = route(net, "Khorgos", "Istanbul", modes="road")
    since_break = today = 0.0
    for kind, hours in _timeline(r):
        if kind == "drive":
            since_break += hours
            today += hours
            assert since_break <= 4.5 + 0.1
            assert today <= 10.0 + 0.1
        elif hours >= 0.75:
            since_break = 0.0
            if hours >= 11:
                today = 0.0


def test_a_crew_of_two_stops_only_for_daily_and_weekly_rests(net: Network) -> None:
    one = route(net, "Khorgos", "Istanbul", modes="road")
    two = route(net, "Khorgos", "Istanbul", modes="road", crew=2)
    counts = _check(two, CREW2)
    assert counts["break"] == 0
    assert counts["daily_rest"] >= 1
    assert two.rest_h < one.rest_h
    assert two.time_h < one.time_h


def test_route_choice_counts_rests(net: Network) -> None:
    """By time, a truck route is chosen only if it beats the others with its rests."""
    best = route(net, "Khorgos", "Istanbul", by="time")
    road = route(net, "Khorgos", "Istanbul", by="time", modes="road")
    assert best.time_h <= road.time_h + EPS


def test_crew_option_is_checked() -> None:
    assert RouteOptions.build(crew=2).crew == 2
    result = run_cli("route", "Almaty", "Tashkent", "--crew", "3")
    assert result.returncode == 2
    assert "crew" in one_line_error(result.stderr)


def test_crew_option_on_the_command_line() -> None:
    one = run_cli("route", "Khorgos", "Istanbul", "--mode", "road", "--json")
    two = run_cli("route", "Khorgos", "Istanbul", "--mode", "road", "--crew", "2", "--json")
    assert one.returncode == two.returncode == 0
    import json

    a = json.loads(one.stdout)["routes"][0]
    b = json.loads(two.stdout)["routes"][0]
    assert a["rest_h"] > b["rest_h"] > 0
    assert any(leg["kind"] == "weekly_rest" for leg in a["legs"])


def test_compare_times_each_corridor_with_the_crew_given() -> None:
    import json

    runs = {
        crew: run_cli(
            "compare",
            "Almaty",
            "Bandar Abbas",
            "--corridor",
            "road_almaty_bandar_abbas",
            "--crew",
            crew,
            "--json",
        )
        for crew in ("1", "2")
    }
    assert all(r.returncode == 0 for r in runs.values()), [r.stderr for r in runs.values()]
    rows = {
        crew: next(
            x for x in json.loads(r.stdout)["routes"] if x["key"] == "road_almaty_bandar_abbas"
        )
        for crew, r in runs.items()
    }
    one, two = rows["1"], rows["2"]
    # the same road, driven as long; a lone driver rests far longer than a crew of two
    assert one["driving_h"] == two["driving_h"] > 0
    assert one["rest_h"] > two["rest_h"] > 0
    saved = one["totals"]["time_h"] - two["totals"]["time_h"]
    assert abs(saved - (one["rest_h"] - two["rest_h"])) < 0.01


def test_skim_on_the_command_line_times_trucks_with_the_crew_given() -> None:
    import json

    cells = {}
    for crew in ("0", "1", "2"):
        proc = run_cli(
            "skim", "Khorgos", "--to", "Istanbul", "--profile", "bulk", "--crew", crew, "--json"
        )
        assert proc.returncode == 0, proc.stderr
        cells[crew] = json.loads(proc.stdout)["Khorgos"]["Istanbul"]
    routed = {
        crew: json.loads(
            run_cli(
                "route", "Khorgos", "Istanbul", "--profile", "bulk", "--crew", crew, "--json"
            ).stdout
        )["routes"][0]
        for crew in ("1", "2")
    }
    # the skim's cell is the route's time, rests included (JSON totals are rounded to 3
    # places; the API's are equal to the bit, tests/routing/test_bench_equivalence.py)
    for crew, r in routed.items():
        assert round(cells[crew], 3) == r["totals"]["time_h"], (crew, cells[crew], r["totals"])
    assert cells["0"] < cells["2"] < cells["1"]


def test_skim_refuses_a_departure_date(net: Network) -> None:
    from corridors.errors import InvalidOptionError
    from corridors.routing import batch

    with pytest.raises(InvalidOptionError, match="depart"):
        batch.skim(net, ["Almaty"], ["Tashkent"], depart="2026-12-07")
