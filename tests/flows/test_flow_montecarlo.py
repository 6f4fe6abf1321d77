"""Monte Carlo over freight demand growth and capacities, on the shipped network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import one_line_error, run_cli

import corridors
from corridors.errors import InvalidOptionError
from corridors.flows import inputs
from corridors.graph.network import Network
from corridors.scenarios.flow_montecarlo import FlowMonteCarloResult, flow_montecarlo


@pytest.fixture(scope="module")
def drawn(net: Network) -> FlowMonteCarloResult:
    scenario = corridors.load_scenario("trans-caspian-growth")
    return flow_montecarlo("baseline-2024", net, scenario=scenario, draws=24, seed=5, threshold=0.6)


def test_draws_stay_in_their_ranges_and_follow_the_seed(net: Network, drawn) -> None:  # type: ignore[no-untyped-def]
    d = drawn.draws
    assert len(d) == 24 and d["converged"].all() and (d["gap"] <= 1e-4).all()
    g = d["growth:0"].to_numpy()
    assert g.min() >= 1.0 and g.max() <= 2.0 and g.std() > 0.05
    caps = {c.id: c for c in inputs.read_capacities(net)}
    kuryk = d["capacity:cap-kz-kuryk"].to_numpy()
    assert kuryk.min() >= caps["cap-kz-kuryk"].low_tonnes
    assert kuryk.max() <= caps["cap-kz-kuryk"].high_tonnes and kuryk.std() > 0
    # the scenario sets Alat to one figure: it is not drawn
    assert (d["capacity:cap-az-alat"] == 25e6).all()
    # the same seed gives the same draws, whatever the number of workers
    again = flow_montecarlo(
        "baseline-2024", net, scenario=corridors.load_scenario("trans-caspian-growth"),
        draws=24, seed=5, threshold=0.6, workers=2,
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.draws, d)
    other = flow_montecarlo(
        "baseline-2024", net, scenario=corridors.load_scenario("trans-caspian-growth"),
        draws=24, seed=6, threshold=0.6,
    )  # fmt: skip
    assert not np.allclose(other.draws["growth:0"], g)


def test_caspian_volume_grows_with_the_drawn_growth(drawn) -> None:  # type: ignore[no-untyped-def]
    d = drawn.draws
    caspian = d["obs:titr-2024"].to_numpy()
    assert np.corrcoef(d["growth:0"], caspian)[0, 1] > 0.9
    v = drawn.volumes().set_index("id").loc["titr-2024"]
    assert v["p5_t"] < v["p50_t"] < v["p95_t"] and v["published_t"] == 4.5e6


def test_binding_probability_counts_draws_over_the_threshold(drawn) -> None:  # type: ignore[no-untyped-def]
    ranked = drawn.bottlenecks()
    top = ranked.iloc[0]
    assert top["id"] == "cap-kz-aktau-port"
    use = drawn.draws["use:cap-kz-aktau-port"]
    assert top["p_binds"] == pytest.approx(float((use >= 0.6).mean()))
    # some draws bind at 60% and some do not: the growth range spans the threshold
    assert 0 < top["p_binds"] < 1
    assert (ranked["p_binds"].iloc[1:] == 0).all()


def test_bad_draws_are_refused(net: Network) -> None:
    with pytest.raises(InvalidOptionError, match="draws"):
        flow_montecarlo("baseline-2024", net, draws=0)
    with pytest.raises(InvalidOptionError, match="threshold"):
        flow_montecarlo("baseline-2024", net, draws=2, threshold=-1)


def test_cli_draws(tmp_path: Path) -> None:
    out = tmp_path / "draws.csv"
    args = ["--draws", "6", "--seed", "2", "--binds-at", "0.6", "--workers", "1"]
    proc = run_cli(
        "flows", "baseline-2024", "--scenario", "trans-caspian-growth", *args, "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert "how often each capacity binds" in proc.stdout and "titr-2024" in proc.stdout
    table = pd.read_csv(out)
    assert len(table) == 6 and "use:cap-kz-aktau-port" in table
    for args, word in (
        (("--draws", "0"), "--draws"),
        (("--draws", "3", "--method", "aon"), "--method"),
        (("--draws", "3", "--growth", "2"), "--growth"),
        (("--draws", "3", "--binds-at", "0"), "--binds-at"),
    ):
        bad = run_cli("flows", "baseline-2024", *args)
        assert bad.returncode == 2 and word in one_line_error(bad.stderr), bad.stderr
