"""Published figures against the model: the observations file, its check and the CLI."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import run_cli

from corridors.data.locate import geodata_dir
from corridors.data.observations import KINDS, MEASURES, read_observations
from corridors.errors import GeodataError
from corridors.graph.network import Network
from corridors.routing.observations import REQUIRED_SHARE, check_observations, model_value
from corridors.routing.solve import route


@pytest.fixture(scope="module")
def observations() -> list:
    return read_observations()


def test_shipped_observations_cover_every_kind_of_figure(observations: list) -> None:
    assert len(observations) >= 30
    kinds = {o.kind for o in observations}
    for wanted in ("truck", "rail", "ferry", "multimodal", "border", "rate", "distance"):
        assert wanted in kinds
    assert {o.measure for o in observations} <= set(MEASURES)
    assert {o.kind for o in observations} <= set(KINDS)


def test_every_observation_cites_a_source_with_a_url(net: Network, observations: list) -> None:
    sources = net.geodata.sources
    for obs in observations:
        assert obs.source_ids, obs.id
        for sid in obs.source_ids:
            assert sid in sources, (obs.id, sid)
            assert str(sources[sid].get("url", "")).startswith("http"), sid


def test_every_observation_query_routes(net: Network, observations: list) -> None:
    report = check_observations(net, observations)
    failed = [(r.observation.id, r.error) for r in report.results if r.error]
    assert failed == []
    assert all(math.isfinite(r.model) and r.model > 0 for r in report.results)


def test_agreement_follows_the_range_and_tolerance(net: Network, observations: list) -> None:
    base = next(o for o in observations if o.id == "rail-kti-ir-km")
    value = model_value(net, base)
    expected = route(
        net, base.origin, base.destination, by="distance", modes=["rail"], via=list(base.via)
    )
    assert value == pytest.approx(expected.distance_km)
    exact = replace(base, published=value, low=value, high=value, tolerance=0.0)
    double = replace(base, published=2 * value, low=2 * value, high=2 * value, tolerance=0.1)
    report = check_observations(net, [exact, double], required_share=0.5)
    assert [r.agrees for r in report.results] == [True, False]
    assert report.share == 0.5 and report.passed
    assert not check_observations(net, [double]).passed


def test_cli_prints_model_against_published_and_exits_by_the_share(observations: list) -> None:
    result = run_cli("data", "check-observations")
    lines = result.stdout.splitlines()
    for obs in observations:
        assert any(f" {obs.id}: " in line for line in lines), obs.id
    hits = sum(line.startswith("ok ") for line in lines)
    share = hits / len(observations)
    assert f"{hits}/{len(observations)} observations within tolerance" in lines[-1]
    assert result.returncode == (0 if share >= REQUIRED_SHARE else 1)
    relaxed = run_cli("data", "check-observations", "--min-share", "0")
    assert relaxed.returncode == 0


def test_cli_refuses_a_malformed_observation_file(tmp_path: Path) -> None:
    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), folder)
    path = folder / "observations.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace(",distance_km,", ",furlongs,", 1)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(GeodataError, match=r"observations\.csv:2: measure .furlongs."):
        read_observations(folder)
    result = run_cli("data", "check-observations", "--geodata", str(folder))
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error:")
    assert "furlongs" in result.stderr and "Traceback" not in result.stderr
    report = run_cli("data", "validate", "--geodata", str(folder))
    assert "observations.csv:2" in report.stdout
