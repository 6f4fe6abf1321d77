"""A border crossing combines the exiting country's figure and the entering country's.

Each country's CPMM figure measures the whole crossing, so the crossing takes their mean.
"""

from __future__ import annotations

import pytest

from corridors import routing
from corridors.data.geodata import records
from corridors.graph.network import Network


def _rows(net: Network) -> dict[str, dict]:
    return {str(r["id"]): r for r in records(net.geodata.frictions)}


def test_crossing_is_the_mean_of_exit_and_entry(net: Network) -> None:
    rows = _rows(net)
    r = routing.route(net, "cn-alashankou", "kz-aktogay", modes="rail")
    crossing = next(c for c in r.components if c.kind == "border")
    assert crossing.friction_ids == (
        "border-exit-cn-alashankou-kz-dostyk-rail-teu",
        "border-entry-kz-rail-teu",
    )
    exit_row, entry_row = (rows[f] for f in crossing.friction_ids)
    assert (exit_row["side"], entry_row["side"]) == ("exit", "entry")
    assert entry_row["country"] == "KZ" and entry_row["node"] == "*"
    assert crossing.time_h == pytest.approx((exit_row["time_h"] + entry_row["time_h"]) / 2)
    # the Chinese side's fee is not published: the Kazakh figure prices the crossing alone
    # (an unknown side is not a zero that halves it), and the leg says so
    assert crossing.cost_usd == pytest.approx(entry_row["fee_usd"])
    assert "fee not known, the other side's stands" in crossing.note


def test_a_side_without_data_takes_the_regional_default(net: Network) -> None:
    rows = _rows(net)
    r = routing.route(net, "ir-astara", "az-astara", modes="rail")
    crossing = next(c for c in r.components if c.kind == "border")
    assert crossing.friction_ids == (
        "border-exit-default-rail-teu",
        "border-entry-default-rail-teu",
    )
    assert all(rows[f]["method"].startswith("analogy:") for f in crossing.friction_ids)


def test_a_row_for_the_whole_crossing_wins(net: Network) -> None:
    r = routing.route(net, "by-brest", "pl-malaszewicze", modes="rail")
    crossing = next(c for c in r.components if c.kind == "border")
    assert crossing.friction_ids == ("border-by-brest-pl-malaszewicze-rail-teu",)


def test_each_direction_pays_its_own_sides(net: Network) -> None:
    out = routing.route(net, "pk-torkham", "af-torkham", modes="road")
    back = routing.route(net, "af-torkham", "pk-torkham", modes="road")
    (a,) = (c for c in out.components if c.kind == "border")
    (b,) = (c for c in back.components if c.kind == "border")
    assert a.friction_ids == (
        "border-exit-pk-torkham-af-torkham-road-teu",
        "border-entry-af-torkham-pk-torkham-road-teu",
    )
    assert b.friction_ids == (
        "border-exit-af-torkham-pk-torkham-road-teu",
        "border-entry-pk-torkham-af-torkham-road-teu",
    )
    assert b.time_h > a.time_h  # Pakistan's inbound post is the slow one (120 h)
    # the JSON legs name both rows a crossing combines
    (leg,) = (x for x in back.to_dict()["legs"] if x["kind"] == "border")
    assert leg["friction_ids"] == list(b.friction_ids)
    # and so does the leg table (its exports and the map's popup read it)
    legs = back.leg_frame()
    (cell,) = legs.loc[legs["kind"] == "border", "friction_ids"]
    assert cell.split("|") == list(b.friction_ids)
    assert (legs.loc[legs["kind"] == "haul", "friction_ids"] == "").all()
    page = back.explore(net).get_root().render()
    assert "Friction rows" in page and all(f in page for f in b.friction_ids)


def test_entering_a_country_with_a_risk_row_pays_it_and_a_scenario_can_zero_it(
    net: Network,
) -> None:
    from corridors.scenarios.scenario import Scenario

    rows = _rows(net)
    r = routing.route(net, "cn-shanghai", "ir-bandar-abbas", modes="sea")
    (risk,) = (c for c in r.components if c.kind == "risk")
    assert risk.friction_ids == ("risk-ir-sea-teu",)
    assert risk.cost_usd == rows["risk-ir-sea-teu"]["fee_usd"] and risk.time_h == 0
    # a country without a risk row pays none
    other = routing.route(net, "cn-shanghai", "ge-poti", modes="sea")
    assert not [c for c in other.components if c.kind == "risk"]
    zero = Scenario.from_dict(
        {
            "name": "no risk priced",
            "cites": ["financialexpress-gulf-wrs-2026"],
            "changes": [{"set": {"where": {"kind": "risk"}, "fee_usd": 0}}],
        }
    ).apply(net)
    again = routing.route(zero, "cn-shanghai", "ir-bandar-abbas", modes="sea")
    assert again.cost_usd == pytest.approx(r.cost_usd - risk.cost_usd)
