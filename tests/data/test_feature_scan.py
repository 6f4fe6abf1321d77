"""Reading links.geojson's features: the usual line read in one pass gives what the two
general readers give, and the streamed scan what a scan of the file read whole gives."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridors.data.checks.base import feature_problem
from corridors.data.checks.feature_scan import DRAWN, plain_points, scan_features, scan_whole
from corridors.data.geodata import line_points
from corridors.data.locate import geodata_dir

SHIPPED_LINES = geodata_dir(None) / "geometry" / "links.geojson"


def test_the_shipped_lines_scan_the_same_streamed_and_whole() -> None:
    streamed = scan_features(SHIPPED_LINES)
    assert streamed is not None and streamed.problems is None
    text = SHIPPED_LINES.read_text(encoding="utf-8")
    whole = scan_whole(json.loads(text)["features"], text)
    assert streamed == whole
    assert len(streamed.ids) > 300 and streamed.kinds.count(DRAWN) == len(streamed.ids)
    assert len(streamed.x) == sum(streamed.count) > 2 * len(streamed.ids)


_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200),
    st.integers(min_value=-200, max_value=200),
    st.booleans(),
    st.none(),
    st.text(max_size=2),
)
_degrees = st.tuples(
    st.floats(min_value=-180, max_value=180), st.floats(min_value=-90, max_value=90)
).map(list)
_usual = st.fixed_dictionaries(
    {"type": st.just("LineString"), "coordinates": st.lists(_degrees, max_size=5)}
)
_positions = st.one_of(
    _degrees,
    st.lists(_numbers, min_size=0, max_size=4),
    st.just([[1.0, 2.0], [3.0, 4.0]]),
    st.integers(),
)
_geometries = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["LineString", "LineString", "MultiLineString", "Point"]),
        "coordinates": st.one_of(st.lists(_positions, max_size=5), st.none(), st.integers()),
    },
    optional={"geometries": st.one_of(st.just([]), st.just([{"type": "Point"}]))},
)
_checked: list[bool] = []


@given(st.one_of(_usual, _geometries, st.none(), st.lists(st.integers()), st.text(max_size=3)))
def test_the_usual_line_read_in_one_pass_is_what_the_two_readers_give(geometry: Any) -> None:
    plain = plain_points(geometry)
    _checked.append(plain is not None)
    if plain is None:
        return
    assert feature_problem({"geometry": geometry}, "") is None
    points = line_points(geometry)
    assert points is not None
    assert plain == ([p[0] for p in points], [p[1] for p in points])
    assert all(math.isfinite(v) for v in plain[0] + plain[1])


def test_the_property_above_saw_usual_lines_and_others() -> None:
    # runs after the property test in file order: both outcomes must have been exercised
    if not _checked:
        pytest.skip("the property test did not run in this session")
    assert sum(_checked) >= 5 and _checked.count(False) >= 5, (
        f"{sum(_checked)} usual lines of {len(_checked)} geometries"
    )
