"""RouteOptions: validated once, frozen, and the keywords override an options object."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest

import corridors
from corridors.graph.network import Network
from corridors.routing.options import RouteOptions


def test_keywords_round_trip_through_an_options_object() -> None:
    opts = RouteOptions.build(
        by="Cost",
        profile="bulk",
        via=["Baku", ["Tbilisi", "Batumi"]],
        include_planned=True,
        modes="rail,ferry",
        avoid_countries=["ru", "AF"],
        avoid_borders="TM>IR",
        value_of_time=3.5,
    )
    assert opts.by == "cost"
    assert opts.statuses == {"operational", "under_construction", "planned"}
    assert opts.avoid_countries == {"RU", "AF"}
    assert opts.avoid_borders == {frozenset({"TM", "IR"})}
    assert opts.via == ("Baku", ("Tbilisi", "Batumi"))
    assert RouteOptions.build(**opts.as_keywords()) == opts
    with pytest.raises(FrozenInstanceError):
        opts.by = "time"  # type: ignore[misc]


def test_keywords_override_the_options_they_are_given_with() -> None:
    base = RouteOptions.build(by="cost", avoid_countries="AF")
    assert RouteOptions.build(base) is base
    faster = RouteOptions.build(base, by="time")
    assert (faster.by, faster.avoid_countries) == ("time", frozenset({"AF"}))


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"speed": 3}, "unknown route option 'speed'; choose from: by, profile, via"),
        ({"by": "fastest"}, "unknown objective by='fastest'; choose one of: time, cost"),
        ({"modes": "air"}, "unknown mode 'air'; choose from: rail, road"),
        ({"statuses": "open"}, "unknown status 'open'"),
        ({"avoid_borders": "KZTM"}, "must be two ISO codes like KZ-TM"),
    ],
)
def test_bad_options_fail_with_what_would_be_right(
    keywords: dict[str, object], message: str
) -> None:
    with pytest.raises(corridors.InvalidOptionError, match=message.replace("(", r"\(")):
        RouteOptions.build(**keywords)  # type: ignore[arg-type]


def test_an_options_object_routes_as_its_keywords_do(net: Network) -> None:
    keywords = {"by": "cost", "profile": "bulk", "avoid_countries": ["AF"]}
    by_keywords = corridors.route("Almaty", "Karachi", network=net, **keywords)
    by_options = corridors.route(
        "Almaty", "Karachi", network=net, options=RouteOptions.build(**keywords)
    )
    assert by_options.to_dict() == by_keywords.to_dict()
    assert "AF" not in by_options.countries
