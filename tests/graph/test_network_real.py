"""The shipped network: coverage, OSMnx conventions, published lengths, corridors."""

from __future__ import annotations

import math
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import osmnx as ox
import pytest

import corridors
from corridors import routing
from corridors.data.geodata import records
from corridors.data.locate import geodata_dir
from corridors.graph.network import Network


def test_network_size(net: Network) -> None:
    assert net.G.number_of_nodes() >= 150
    assert len(net.geodata.links) >= 200


def test_osmnx_conventions(net: Network) -> None:
    assert net.G.graph["crs"] == "EPSG:4326"
    nodes, edges = ox.graph_to_gdfs(net.G)
    assert len(nodes) == net.G.number_of_nodes()
    assert len(edges) == net.G.number_of_edges()
    assert (edges["length"] > 0).all()
    assert edges.crs.to_epsg() == 4326
    # nearest_nodes on the projected graph (scipy's tree; an unprojected graph would need
    # scikit-learn), array form as the scalar form casts ids to int: Aktau port's own
    # coordinates give back Aktau port
    projected = ox.project_graph(net.G)
    x, y = projected.nodes["kz-aktau-port"]["x"], projected.nodes["kz-aktau-port"]["y"]
    assert list(ox.distance.nearest_nodes(projected, [x], [y])) == ["kz-aktau-port"]
    # k_shortest_paths on the physical graph by length
    paths = list(
        ox.routing.k_shortest_paths(net.G, "kz-almaty", "ir-bandar-abbas", 2, weight="length")
    )
    assert len(paths) == 2 and paths[0] != paths[1]


def test_every_named_corridor_routes_end_to_end(net: Network) -> None:
    assert len(net.geodata.corridors) >= 12
    for spec in net.geodata.corridors:
        r = routing.route_corridor(net, spec)
        assert r.distance_km > 0, spec["id"]
        assert routing.match_corridor(net, r) == spec["id"], spec["id"]
        for code in spec.get("avoid_countries") or []:
            assert code not in r.countries, spec["id"]


def test_published_section_lengths(net: Network) -> None:
    sections = [s for s in records(net.geodata.tables["sections"]) if s["check"] != "none"]
    assert len(sections) >= 10
    failures = []
    for s in sections:
        r = routing.route(
            net,
            s["from"],
            s["to"],
            via=s["via"],
            by="distance",
            modes=s["mode"],
            include_planned=True,
        )
        low = s["published_km_low"] if not math.isnan(s["published_km_low"]) else s["published_km"]
        high = (
            s["published_km_high"] if not math.isnan(s["published_km_high"]) else s["published_km"]
        )
        if not low - 1e-6 <= r.distance_km <= high + 1e-6:
            failures.append(
                f"{s['id']}: network {r.distance_km:.1f} km, "
                f"published {low}-{high} km ({'|'.join(s['source_id'])})"
            )
    assert not failures, "\n".join(failures)


def _assert_kti(net: Network, r: routing.Route) -> None:
    nodes = r.nodes
    crossings = [(c["from"], c["to"]) for c in r.border_crossings]
    assert ("kz-bolashak", "tm-serhetyaka") in crossings
    assert ("tm-akyayla", "ir-incheh-borun") in crossings
    for a, b in [("kz-bolashak", "tm-serhetyaka"), ("tm-akyayla", "ir-incheh-borun")]:
        assert nodes.index(a) + 1 == nodes.index(b)
    assert r.countries[-3:] == ["KZ", "TM", "IR"][-len(r.countries[-3:]) :]
    # the 1520/1435 gauge break into Iran is paid, with time and cost
    breaks = [t for t in r.transfers if t["kind"] == "gauge_break"]
    assert breaks and all(t["time_h"] > 0 and t["fee_usd"] > 0 for t in breaks)
    # KTI is the closest named corridor; whether the route carries its name depends on how
    # much of the trip runs on it (from Almaty most of it runs on Kazakh lines before Beyneu)
    assert r.closest is not None and r.closest[0] == "kti"


def test_almaty_bandar_abbas_without_uzbek_transit_takes_kti(net: Network) -> None:
    # From Almaty the Sarakhs route through Uzbekistan is shorter (about 3,800 km against
    # about 5,400 km); KTI is the corridor for cargo that does not transit Uzbekistan.
    via_uz = routing.route(net, "Almaty", "Bandar Abbas", by="distance")
    assert "UZ" in via_uz.countries and "tm-sarakhs" in via_uz.nodes
    r = routing.route(
        net, "Almaty", "Bandar Abbas", by="distance", modes="rail", avoid_countries="UZ"
    )
    assert r.countries == ["KZ", "TM", "IR"]
    _assert_kti(net, r)
    assert r.distance_km > via_uz.distance_km


def test_western_kazakhstan_to_bandar_abbas_by_cost_takes_kti(net: Network) -> None:
    _assert_kti(net, routing.route(net, "Zhanaozen", "Bandar Abbas", by="cost"))
    # Beyneu sits where KTI and the Aktau-Amirabad ferry cost about the same once both
    # sides of the two KTI borders are paid: whichever wins, the other is within 5 %
    best = routing.route(net, "Beyneu", "Bandar Abbas", by="cost")
    kti = routing.route(net, "Beyneu", "Bandar Abbas", by="cost", via=["kz-bolashak"])
    _assert_kti(net, kti)
    assert best.cost_usd <= kti.cost_usd <= best.cost_usd * 1.05


def test_almaty_bandar_abbas_avoiding_turkmenistan(net: Network) -> None:
    try:
        r = routing.route(net, "Almaty", "Bandar Abbas", by="distance", avoid_countries="TM")
    except corridors.NoRouteError as err:
        assert "TM" in str(err)
    else:
        assert "TM" not in r.countries
        assert not any(net.G.nodes[n]["country"] == "TM" for n in r.nodes if n in net.G)


def test_khorgos_istanbul_compare(net: Network) -> None:
    result = routing.compare(net, "Khorgos", "Istanbul")
    frame = result.to_frame()
    assert "middle_corridor" in result.routes
    served = [cid for cid in result.routes if cid != "best"]
    assert len(served) >= 3, frame
    mc = result.routes["middle_corridor"]
    assert any(c.mode == "ferry" for c in mc.components)
    assert "AZ" in mc.countries and "GE" in mc.countries


def test_compare_without_explanations_finds_the_same_routes(net: Network) -> None:
    # the Monte Carlo set-up skips explaining corridors that cannot serve a pair
    full = routing.compare(net, "Khorgos", "Istanbul")
    with routing.unexplained():
        quiet = routing.compare(net, "Khorgos", "Istanbul")
    assert list(quiet.routes) == list(full.routes)
    for cid, r in full.routes.items():
        assert quiet.routes[cid].cost_usd == r.cost_usd and quiet.routes[cid].nodes == r.nodes
    assert set(quiet.reasons) == set(full.reasons)
    assert "one exists with" in full.reasons["all_sea"]
    assert quiet.reasons["all_sea"] == (
        "the corridor's own rules (modes sea; statuses operational) allow no route: "
        "no route from cn-khorgos to tr-istanbul"
    )
    again = routing.compare(net, "Khorgos", "Istanbul")  # explanations are back outside
    assert again.reasons == full.reasons


def test_legs_sum_to_totals_on_real_routes(net: Network) -> None:
    for o, d in [("Almaty", "Bandar Abbas"), ("Khorgos", "Istanbul"), ("Tashkent", "Karachi")]:
        try:
            r = routing.route(net, o, d, by="cost", include_planned=True)
        except corridors.NoRouteError:
            pytest.fail(f"{o} → {d} has no route")
        legs = r.leg_frame()
        assert math.fsum(legs["time_h"]) == pytest.approx(r.time_h, rel=1e-12)
        assert math.fsum(legs["cost_usd"]) == pytest.approx(r.cost_usd, rel=1e-12)
        # a sea crossing between countries charges nothing at the border itself (clearance
        # is in the port rows): only legs that charge time or money must cite a source
        charged = legs[(legs["time_h"] > 0) | (legs["cost_usd"] > 0)]
        assert all(charged["source_ids"].str.len() > 0), "every charged leg cites a source"


def test_second_load_comes_from_the_cache(net: Network) -> None:
    again = corridors.load_network()
    assert again is net  # same process: memory cache keyed by content
    clone = pickle.loads(pickle.dumps(net))
    assert clone.digest == net.digest
    assert list(clone.G.edges(keys=True)) == list(net.G.edges(keys=True))
    a = routing.route(clone, "Khorgos", "Istanbul", by="cost")
    assert a.to_dict() == routing.route(net, "Khorgos", "Istanbul", by="cost").to_dict()


def test_disk_cache_hit_reads_files_from_the_folder_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two copies of the same bytes share one cache entry; the second must not point at the first.
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(geodata_dir(None), first)
    shutil.copytree(geodata_dir(None), second)
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    corridors.network._MEMORY.clear()
    assert corridors.load_network(first).geodata.folder == first
    shutil.rmtree(first)
    corridors.network._MEMORY.clear()
    again = corridors.load_network(second)
    assert again.geodata.folder == second
    assert (again.geodata.folder / "countries.geojson").is_file()


CACHED_ROUTE = """
import sys
import corridors
from corridors import routing
net = corridors.load_network()
r = routing.route(net, "Almaty", "Bandar Abbas")
print(r.corridor, "pandas" in sys.modules)
print(len(net.geodata.links), "pandas" in sys.modules)
"""


def test_cached_network_routes_without_reading_its_tables(net: Network) -> None:
    # `net` wrote the on-disk cache; a new process reads it as `corridors route` does
    proc = subprocess.run(
        [sys.executable, "-c", CACHED_ROUTE], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.split("\n")[:2]
    expected = routing.route(net, "Almaty", "Bandar Abbas").corridor
    assert first == f"{expected} False"  # routed without importing pandas
    assert second == f"{len(net.geodata.links)} True"  # the tables load when asked for
    clone = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(net))))
    assert clone.geodata.links.equals(net.geodata.links)


def test_aktobe_atyrau_by_road_takes_the_direct_road_not_oral(net: Network) -> None:
    """The rebuilt Kandyagash-Makat road halved the trip that once went round by Oral."""
    r = routing.route(net, "Aktobe", "Atyrau", modes="road", by="distance")
    places = {c.from_node for c in r.components} | {c.to_node for c in r.components}
    assert "kz-oral" not in places
    assert 600 < r.distance_km < 700
    # the roundabout way by Oral is still there, about 300 km longer
    detour = routing.route(net, "Aktobe", "Atyrau", modes="road", by="distance", via=["kz-oral"])
    assert detour.distance_km - r.distance_km > 250
