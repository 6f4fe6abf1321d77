"""Assignment of the shipped demand to the shipped network, with its capacities."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from corridors.errors import GeodataError, InvalidOptionError
from corridors.flows import inputs
from corridors.flows.assign import assign
from corridors.flows.results import FlowResult
from corridors.graph.network import Network, load_network

EAST = ("kz-aktau-port", "kz-kuryk", "tm-turkmenbashi")
WEST = ("az-alat", "az-baku", "az-sangachal")


@pytest.fixture(scope="module")
def baseline(net: Network) -> FlowResult:
    return assign("baseline-2024", net, method="equilibrium", gap=1e-4)


def test_shipped_inputs_read_and_cite_known_sources(net: Network) -> None:
    caps = inputs.read_capacities(net)
    assert {c.id for c in caps} >= {"cap-kz-aktau-port", "cap-ferry-kz-aktau-port-az-alat"}
    aktau = next(c for c in caps if c.id == "cap-kz-aktau-port")
    assert aktau.tonnes_per_year == 11e6 and aktau.vdf == "queue"
    feeder = next(c for c in caps if c.id == "cap-ferry-kz-aktau-port-az-alat")
    assert feeder.tonnes_per_year == 89_000 * 10
    rows = inputs.read_demand(net, "baseline-2024")
    oil = next(r for r in rows if r.id == "btc-kazakh-oil")
    assert oil.profile == "oil" and oil.tonnes_per_year == 1.5e6
    trade = next(r for r in rows if r.id == "kazakhstan-iran-trade")
    # USD 340 M at the bulk profile's 266 USD/t
    assert trade.tonnes_per_year == pytest.approx(340e6 / 266)
    # the observations judged against are not among the inputs' sources
    judged = {s for o in inputs.read_observations(net) for s in o.source_id}
    used = {s for r in rows for s in r.source_id} | {s for c in caps for s in c.source_id}
    assert judged and not judged & used


def test_equilibrium_reaches_the_gap_and_conserves_tonnes(
    net: Network, baseline: FlowResult
) -> None:
    sol = baseline.solution
    assert sol.converged and sol.gap <= 1e-4
    assert sol.unreachable == []
    totals = baseline.totals()
    assert totals["tonnes"] == pytest.approx(sum(r.tonnes_per_year for r in baseline.demand))
    # tonnes leaving each origin's start node equal its demand
    e = baseline.edges()
    starts = e[e["kind"] == "start"].groupby("u_place")["tonnes"].sum()
    for r in baseline.demand:
        if r.id == "btc-kazakh-oil":
            assert starts[r.origin] == pytest.approx(r.tonnes_per_year, rel=1e-9)
    assert totals["tkm"] > 0 and totals["co2_kg"] > 0 and totals["cost_usd"] > 0


def test_oil_crosses_the_caspian_and_fills_the_pipeline(baseline: FlowResult) -> None:
    use = baseline.capacity_use().set_index("id")
    assert use.loc["cap-pipeline-btc", "tonnes"] == pytest.approx(1.5e6)
    assert use.loc["cap-pipeline-btc", "utilisation"] == pytest.approx(0.03)
    assert baseline.volume(EAST, WEST, modes=("ferry", "sea")) >= 1.5e6
    ranked = baseline.bottlenecks()
    assert list(ranked["delay_added_th"]) == sorted(ranked["delay_added_th"], reverse=True)


def test_judgement_against_observations_is_reported(net: Network, baseline: FlowResult) -> None:
    table = baseline.judge(inputs.read_observations(net))
    titr = table.set_index("id").loc["titr-2024"]
    assert titr["observed_t"] == 4.5e6
    assert titr["modelled_t"] == pytest.approx(baseline.volume(EAST, WEST, modes=("ferry", "sea")))


def test_a_tight_capacity_moves_flow_and_is_reported_overloaded(net: Network) -> None:
    caps = inputs.read_capacities(net)
    tight = [
        inputs.CapacityRow(**{**c.__dict__, "tonnes_per_year": 1e6, "low_tonnes": 1e6})
        if c.id == "cap-kz-aktau-port"
        else c
        for c in caps
    ]
    free = assign("baseline-2024", net, capacities=caps, gap=1e-4)
    squeezed = assign("baseline-2024", net, capacities=tight, gap=1e-4)
    assert squeezed.solution.converged
    before = free.capacity_use().set_index("id").loc["cap-kz-aktau-port"]
    after = squeezed.capacity_use().set_index("id").loc["cap-kz-aktau-port"]
    assert after["delay_h"] > before["delay_h"]
    assert after["tonnes"] < before["tonnes"]  # some cargo goes another way
    assert squeezed.bottlenecks(1)["id"].iloc[0] == "cap-kz-aktau-port"


def test_all_or_nothing_and_logit_assign_everything(net: Network) -> None:
    aon = assign("baseline-2024", net, method="aon")
    logit = assign("baseline-2024", net, method="logit", theta=0.05)
    for r in (aon, logit):
        e = r.edges()
        ends = e[e["kind"] == "end"]["tonnes"].sum()
        assert ends == pytest.approx(sum(d.tonnes_per_year for d in r.demand), rel=1e-9)
    # logit spreads the containers over more links than all-or-nothing
    used = {m: int((r.edges()["units:teu"] > 1e-6).sum()) for m, r in (("a", aon), ("l", logit))}
    assert used["l"] > used["a"]


def test_bad_demand_rows_are_refused_with_file_and_line(net: Network, tmp_path: Path) -> None:
    bad = tmp_path / "d.csv"
    head = "id,origin,destination,profile,quantity,unit,year,value_usd,source_id,method\n"
    bad.write_text(head + "x,kz-nowhere,az-baku,bulk,1,Mt/yr,2024,,seed-004,published\n")
    with pytest.raises(GeodataError, match=r"d\.csv:2: origin 'kz-nowhere'"):
        inputs.read_demand(net, bad)
    bad.write_text(head + "x,kz-astana,az-baku,bulk,1,Mt/yr,2024,5,seed-004,published\n")
    with pytest.raises(GeodataError, match="either quantity"):
        inputs.read_demand(net, bad)
    bad.write_text(head + "x,kz-astana,az-baku,bulk,1,kg,2024,,seed-004,published\n")
    with pytest.raises(GeodataError, match="unit 'kg'"):
        inputs.read_demand(net, bad)
    bad.write_text(head + "x,kz-astana,az-baku,bulk,1,Mt/yr,2024,,no-such-source,published\n")
    with pytest.raises(GeodataError, match="no-such-source"):
        inputs.read_demand(net, bad)
    with pytest.raises(GeodataError, match="baseline-2024"):
        inputs.read_demand(net, "missing-demand")
    with pytest.raises(InvalidOptionError):
        assign("baseline-2024", net, method="fastest")


def test_bad_capacity_rows_are_refused(net: Network, tmp_path: Path) -> None:
    folder = tmp_path / "geodata"
    shutil.copytree(net.geodata.folder, folder)
    path = folder / "capacities.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("kz-aktau-port,ferry|sea,11", "kz-aktau-port,ferry|boat,11"))
    other = load_network(folder)
    with pytest.raises(GeodataError, match=r"capacities\.csv:2: modes"):
        inputs.read_capacities(other)
    path.write_text(text.replace(",queue,24,astanatimes", ",queue,,astanatimes"))
    with pytest.raises(GeodataError, match="service_h"):
        inputs.read_capacities(load_network(folder))
    assert np.isfinite([c.tonnes_per_year for c in inputs.read_capacities(net)]).all()


@pytest.mark.slow
def test_data_validate_checks_the_flow_tables(net: Network, tmp_path: Path) -> None:
    from conftest import run_cli

    ok = run_cli("data", "validate")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # the sources only the flow tables cite count as cited
    assert "astanatimes-aktau-kuryk-2024" not in ok.stdout
    folder = tmp_path / "geodata"
    shutil.copytree(net.geodata.folder, folder)
    demand = folder / "demand" / "baseline-2024.csv"
    demand.write_text(
        demand.read_text(encoding="utf-8").replace(
            "kz-aktau-port,tr-ceyhan", "kz-nowhere,tr-ceyhan"
        ),
        encoding="utf-8",
    )
    bad = run_cli("data", "validate", "--geodata", str(folder))
    assert bad.returncode == 2
    assert "baseline-2024.csv:2: origin 'kz-nowhere'" in bad.stdout
    assert "flow tables" in bad.stderr


#: ``data validate`` in a process where building the physical graph or loading the network
#: a second time fails: the flow tables are checked on the tables the validation read
_VALIDATE_ON_THE_TABLES_READ = """
import runpy, sys
import corridors.graph.network as network

def refuse(*args, **kwargs):
    raise SystemExit("asked for the physical graph or a second load of the network")

network.network_from_geodata = refuse
network.load_network = refuse
sys.argv = ["corridors", "data", "validate", "--geodata", sys.argv[1]]
runpy.run_module("corridors", run_name="__main__")
"""


@pytest.mark.slow
def test_data_validate_checks_the_flow_tables_on_the_tables_it_read(
    net: Network, tmp_path: Path
) -> None:
    # at a million links the physical graph alone took 25 s and gigabytes, and a second
    # load built every profile's routing graph for the cache
    import os
    import subprocess
    import sys
    import tempfile

    def validate(folder: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _VALIDATE_ON_THE_TABLES_READ, str(folder)],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"},
            cwd=tempfile.gettempdir(),
            timeout=300,
            check=False,
        )

    ok = validate(net.geodata.folder)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[-1].startswith("ok: ")
    folder = tmp_path / "geodata"
    shutil.copytree(net.geodata.folder, folder)
    capacities = folder / "capacities.csv"
    lines = capacities.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[2] = "kz-nowhere" if first[1] == "place" else "no-such-link"
    capacities.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", "utf-8")
    bad = validate(folder)
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert f"capacities.csv:2: target {first[2]!r} is not a" in bad.stdout
    assert "flow tables" in bad.stderr and "asked for" not in bad.stderr


def test_result_shows_itself(baseline: FlowResult) -> None:
    assert "Mt/yr" in repr(baseline) and "gap" in repr(baseline)
    page = baseline._repr_html_()
    assert "cap-kz-aktau-port" in page and "<table" in page
