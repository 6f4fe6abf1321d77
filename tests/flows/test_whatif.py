"""Demand growth, changed capacities and growth sweeps on the shipped network."""

from __future__ import annotations

import pytest
from conftest import one_line_error, run_cli

from corridors.errors import InvalidOptionError
from corridors.flows import inputs
from corridors.flows.assign import assign
from corridors.flows.whatif import growth_sweep, saturating_growth, scale_demand, set_capacity
from corridors.graph.network import Network


def test_growth_scales_every_row_and_the_assigned_tonnes(net: Network) -> None:
    rows = inputs.read_demand(net, "baseline-2024")
    grown = scale_demand(rows, 1.62)
    assert [g.tonnes_per_year for g in grown] == pytest.approx(
        [1.62 * r.tonnes_per_year for r in rows]
    )
    base = assign(rows, net).totals()["tonnes"]
    assert assign(rows, net, growth=1.62).totals()["tonnes"] == pytest.approx(1.62 * base)
    with pytest.raises(InvalidOptionError, match="positive factor"):
        scale_demand(rows, 0)


def test_more_capacity_at_aktau_cuts_its_delay(net: Network) -> None:
    caps = inputs.read_capacities(net)
    more = set_capacity(caps, {"cap-kz-aktau-port": 30e6})
    base = assign("baseline-2024", net, capacities=caps, growth=2).capacity_use()
    wider = assign("baseline-2024", net, capacities=more, growth=2).capacity_use()
    b = base.set_index("id").loc["cap-kz-aktau-port"]
    w = wider.set_index("id").loc["cap-kz-aktau-port"]
    assert w["capacity_t"] == 30e6 and w["delay_h"] < b["delay_h"]
    with pytest.raises(InvalidOptionError, match="no capacity 'cap-x'"):
        set_capacity(caps, {"cap-x": 1.0})


def test_growth_sweep_finds_where_aktau_saturates(net: Network) -> None:
    # the queue at Aktau sends cargo to Kuryk and Alat as it grows, so Aktau fills slowly
    sweep = growth_sweep("baseline-2024", [1, 4, 12], net, watch=["cap-kz-aktau-port"])
    use = sweep["use:cap-kz-aktau-port"].to_list()
    assert use == sorted(use) and use[0] < 1 < use[-1]
    g = saturating_growth(sweep, "cap-kz-aktau-port")
    assert g is not None and 4 < g < 12
    assert sweep["converged"].all()


def test_cli_growth_capacity_and_sweep(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("flows", "baseline-2024", "--sweep-growth", "1,3", "--out",
                   str(tmp_path / "sweep.csv"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "top bottleneck" in proc.stdout and (tmp_path / "sweep.csv").exists()
    proc = run_cli("flows", "baseline-2024", "--growth", "2", "--capacity", "cap-kz-aktau-port=30")
    assert proc.returncode == 0, proc.stderr
    assert "growth x2" in proc.stdout and "30.00" in proc.stdout
    bad = run_cli("flows", "baseline-2024", "--capacity", "cap-kz-aktau-port")
    assert bad.returncode == 2 and "ID=MT" in one_line_error(bad.stderr)
    bad = run_cli("flows", "baseline-2024", "--sweep-growth", "1,x")
    assert bad.returncode == 2 and "--sweep-growth" in one_line_error(bad.stderr)
