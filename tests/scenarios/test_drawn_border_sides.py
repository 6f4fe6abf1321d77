"""A drawn border side moves its crossing as editing that row in the table does."""

from __future__ import annotations

import pytest

import corridors
from corridors import routing
from corridors.data.geodata import records
from corridors.scenarios.montecarlo import uncertain_targets
from corridors.scenarios.scenario import Scenario

#: Pakistan's inbound figure at Torkham; the Afghan figure prices the same crossing's exit
ENTRY = "border-entry-pk-torkham-af-torkham-road-teu"
EXIT = "border-exit-af-torkham-pk-torkham-road-teu"


def _drawn() -> Scenario:
    return Scenario.from_dict(
        {
            "name": "Torkham inbound varies",
            "cites": ["carec-cpmm-2022-pk"],
            "by": "time",
            "od": ["Kabul:Peshawar"],
            "uncertain": [
                {"where": {"friction": [ENTRY]}, "attribute": "time_h", "distribution": "uniform"}
            ],
        }
    )


def test_each_draw_equals_a_route_on_the_table_with_that_side_set(
    net: corridors.Network,
) -> None:
    s = _drawn()
    draws, seed = 4, 11
    result = s.montecarlo(draws=draws, seed=seed, net=net, workers=1, crew=0)
    applied = s.apply(net)
    rg = applied.routing_graph("teu")
    targets, params, sides, _ = uncertain_targets(s, applied, rg, draws, seed)
    assert sides is not None and len(targets) == 1
    # the row prices one crossing, so every use follows one drawn value
    assert set(targets[0].instance.tolist()) == {0}
    rows = {str(r["id"]): r for r in records(net.geodata.frictions)}
    exit_h = float(rows[EXIT]["time_h"])
    values = [float(params[0][k][0]) for k in range(draws)]
    assert len(set(values)) == draws
    checked = 0
    for k, v in enumerate(values):
        edited = Scenario.from_dict(
            {
                "name": "Torkham inbound set",
                "cites": ["carec-cpmm-2022-pk"],
                "changes": [{"set": {"where": {"friction": [ENTRY]}, "time_h": v}}],
            }
        ).apply(net)
        r = routing.route(edited, "Kabul", "Peshawar", by="time", crew=0)
        crossing = [c for c in r.components if c.kind == "border"]
        assert [c.friction_ids for c in crossing] == [(EXIT, ENTRY)]
        # each side's figure is a measurement of the whole crossing: the mean, not the sum
        assert crossing[0].time_h == (exit_h + v) / 2
        sample = result.samples[result.samples["draw"] == k]
        assert len(sample) == 1
        assert float(sample["time_h"].iloc[0]) == pytest.approx(r.time_h, rel=1e-12)
        checked += 1
    assert checked == draws


def test_the_crossing_is_the_mean_of_its_two_sides(net: corridors.Network) -> None:
    r = routing.route(net, "Kabul", "Peshawar", by="time", crew=0)
    rows = {str(f["id"]): f for f in records(net.geodata.frictions)}
    (crossing,) = [c for c in r.components if c.kind == "border"]
    ex, en = (rows[f] for f in crossing.friction_ids)
    assert (ex["side"], en["side"]) == ("exit", "entry")
    assert crossing.time_h == pytest.approx((ex["time_h"] + en["time_h"]) / 2)
    assert crossing.cost_usd == pytest.approx((ex["fee_usd"] + en["fee_usd"]) / 2)
    # the two countries' figures differ, so the mean is neither of them
    assert ex["time_h"] < crossing.time_h < en["time_h"]


def test_one_side_set_moves_the_crossing_by_half_both_sides_set_it_outright(
    net: corridors.Network,
) -> None:
    def crossing_h(changes: list[dict]) -> float:
        doc = {"name": "UZ sides", "cites": ["carec-cpmm-2022-uz"], "changes": changes}
        after = Scenario.from_dict(doc).apply(net)
        r = routing.route(after, "Tashkent", "Almaty", modes="rail")
        (crossing,) = [c for c in r.components if c.kind == "border"]
        assert len(crossing.friction_ids) == 2
        return crossing.time_h

    before = crossing_h([])
    one = crossing_h([{"set": {"where": {"kind": "border", "country": "UZ"}, "time_h": 10}}])
    both = crossing_h([{"set": {"where": {"border": "UZ-KZ"}, "time_h": 10}}])
    rows = {str(f["id"]): f for f in records(net.geodata.frictions)}
    r = routing.route(net, "Tashkent", "Almaty", modes="rail")
    (crossing,) = [c for c in r.components if c.kind == "border"]
    uz, kz = (float(rows[f]["time_h"]) for f in crossing.friction_ids)
    assert before == pytest.approx((uz + kz) / 2)
    assert one == pytest.approx((10 + kz) / 2)
    assert both == pytest.approx(10)
