"""Exports on the shipped network: every format read back, the CLI, and bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import run_cli

import corridors
import corridors.outputs.export as exporting
from corridors.graph.network import Network
from corridors.outputs.formats import MULTI_TABLE, TABLE_FORMATS

FORMATS = list(TABLE_FORMATS)
PAIR = ("Almaty", "Bandar Abbas")


@pytest.fixture(scope="module")
def alternatives(net: Network) -> list[corridors.Route]:
    return corridors.alternatives(*PAIR, k=2, network=net)


@pytest.fixture(scope="module")
def comparison(net: Network) -> corridors.Comparison:
    return corridors.compare(*PAIR, corridors=["kti", "sarakhs"], network=net)


def _objects(net: Network, alternatives: Any, comparison: Any) -> dict[str, Any]:
    return {"network": net, "alternatives": alternatives, "comparison": comparison}


# -- reading back ---------------------------------------------------------------------------
def _read(path: Path, name: str) -> pd.DataFrame:
    ext = path.suffix
    if ext == ".gpkg":
        return pyogrio.read_dataframe(path, layer=name)
    if ext == ".geojson":
        return gpd.read_file(path)
    if ext == ".parquet":
        try:
            return gpd.read_parquet(path)
        except ValueError:  # no geo metadata: a table without geometry
            return pd.read_parquet(path)
    if ext == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    if ext == ".json":
        payload = json.loads(path.read_text(encoding="utf-8"))
        records = payload[name] if isinstance(payload, dict) else payload
        # as text, the way the CSV is read: null is an empty cell
        return pd.DataFrame(
            [{k: "" if v is None else str(v) for k, v in row.items()} for row in records]
        )
    return pd.read_excel(path, sheet_name=name, dtype=str)


def _text(series: pd.Series) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in series]


def _geoms(series: pd.Series) -> gpd.GeoSeries:
    if isinstance(series.dtype, gpd.array.GeometryDtype):
        return gpd.GeoSeries(series.values)
    # WKT text from CSV / XLSX; an empty cell is no geometry
    return gpd.GeoSeries(
        shapely.from_wkt([v if isinstance(v, str) and v else None for v in series])
    )


def _assert_same_table(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Same columns in the same order, same rows, same values and geometry."""
    assert len(expected) > 0
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    geometry = expected.geometry.name if isinstance(expected, gpd.GeoDataFrame) else None
    for col in expected.columns:
        e = expected[col].reset_index(drop=True)
        g = got[col].reset_index(drop=True)
        if col == geometry:
            want, have = _geoms(e), _geoms(g)
            assert want.notna().all()
            assert have.geom_equals_exact(want, tolerance=1e-9).all(), col
        elif pd.api.types.is_bool_dtype(e):
            assert [str(v).lower() for v in g] == [str(v).lower() for v in e], col
        elif pd.api.types.is_numeric_dtype(e):
            have_num = pd.to_numeric(g.replace("", np.nan)).astype(float).to_numpy()
            want_num = e.astype(float).to_numpy()
            np.testing.assert_allclose(have_num, want_num, rtol=1e-12, equal_nan=True, err_msg=col)
        else:
            assert _text(g) == _text(e), col


# -- the tables -----------------------------------------------------------------------------
def test_network_tables_match_the_graph(net: Network) -> None:
    found = exporting.network_tables(net)
    assert list(found) == ["links", "nodes"]
    links, nodes = found["links"], found["nodes"]
    assert links.crs.to_epsg() == 4326 and nodes.crs.to_epsg() == 4326
    assert len(links) == len(net.geodata.links) and links["id"].is_unique
    assert set(nodes["id"]) == set(net.G.nodes) and len(nodes) == net.G.number_of_nodes()
    for row in links.itertuples():
        edges = net.G.get_edge_data(row.u, row.v)
        (data,) = [d for d in edges.values() if d["link_id"] == row.id]
        assert row.geometry.equals(data["geometry"])  # oriented from u to v
        assert row.length == pytest.approx(data["length"])
    for row in nodes.itertuples():
        assert (row.geometry.x, row.geometry.y) == (
            net.G.nodes[row.id]["x"],
            net.G.nodes[row.id]["y"],
        )
    # list cells are text, as in the CSV files
    assert all(isinstance(v, str) for v in links["source_id"])
    assert str(links["gauge_mm"].dtype) == "Int64"


def test_route_tables_hold_every_leg(alternatives: list[corridors.Route]) -> None:
    found = exporting.route_tables(alternatives)
    legs, summary = found["legs"], found["summary"]
    assert len(legs) == sum(len(r.components) for r in alternatives)
    assert list(legs.columns[:2]) == ["route", "leg"]
    for i, r in enumerate(alternatives, 1):
        mine = legs[legs["route"] == i].reset_index(drop=True)
        assert mine["leg"].tolist() == list(range(1, len(r.components) + 1))
        assert mine["time_h"].sum() == pytest.approx(r.time_h)
        assert mine["link_id"].fillna("").tolist() == r.leg_frame()["link_id"].fillna("").tolist()
        assert mine.geometry.geom_equals_exact(r.legs.geometry, 0).all()
    assert summary["route"].tolist() == [1, 2]
    assert summary["cost_usd"].tolist() == pytest.approx([r.cost_usd for r in alternatives])


def test_comparison_tables_hold_every_corridor(comparison: corridors.Comparison) -> None:
    found = exporting.comparison_tables(comparison)
    legs = found["legs"]
    assert set(legs["corridor"]) == set(comparison.routes) >= {"kti", "sarakhs"}
    for cid, r in comparison.routes.items():
        assert (legs["corridor"] == cid).sum() == len(r.components)
        assert legs.loc[legs["corridor"] == cid, "distance_km"].sum() == pytest.approx(
            r.distance_km
        )
    pd.testing.assert_frame_equal(found["summary"], comparison.to_frame())


# -- every format read back -----------------------------------------------------------------
@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("kind", ["network", "alternatives", "comparison"])
def test_export_reads_back(
    kind: str, ext: str, net: Network, alternatives: Any, comparison: Any, tmp_path: Path
) -> None:
    obj = _objects(net, alternatives, comparison)[kind]
    out = tmp_path / f"{kind}{ext}"
    assert corridors.export(obj, out) == out
    every = exporting.tables(obj)
    names = list(every)
    expected_names = names if ext in MULTI_TABLE else names[:1]
    assert expected_names[0] == ("links" if kind == "network" else "legs")
    if ext == ".gpkg":
        assert sorted(pyogrio.list_layers(out)[:, 0]) == sorted(expected_names)
    if ext == ".xlsx":
        assert list(pd.read_excel(out, sheet_name=None)) == expected_names
    for name in expected_names:
        got = _read(out, name)
        _assert_same_table(every[name], got)
        if ext in (".gpkg", ".geojson", ".parquet") and name in ("links", "nodes", "legs"):
            assert got.crs.to_epsg() == 4326
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp file left


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".gpkg"])
def test_summary_layer_alone(ext: str, comparison: Any, tmp_path: Path) -> None:
    out = tmp_path / f"summary{ext}"
    corridors.export(comparison, out, layer="summary")
    _assert_same_table(comparison.to_frame(), _read(out, "summary"))


def test_dataframes_export_with_their_index_and_crs(tmp_path: Path, net: Network) -> None:
    matrix = corridors.skim(["Almaty", "Aktau"], ["Bandar Abbas", "Karachi"], network=net)
    out = tmp_path / "skim.xlsx"
    corridors.export(matrix, out, layer="skim")
    got = pd.read_excel(out, sheet_name="skim")
    assert got.iloc[:, 0].tolist() == matrix.index.tolist()  # the origins are kept
    np.testing.assert_allclose(got.iloc[:, 1:].to_numpy(float), matrix.to_numpy(float))
    nodes = exporting.network_tables(net)["nodes"]
    projected = nodes.to_crs("EPSG:3857")
    exporting.export_tables({"nodes": projected}, tmp_path / "nodes.parquet")
    back = gpd.read_parquet(tmp_path / "nodes.parquet")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.geom_equals_exact(nodes.geometry, tolerance=1e-7).all()


def test_xlsx_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    frame = pd.DataFrame({"note": ["=1+1", "plain"], "n": [1, 2]})
    exporting.export_tables({"notes": frame}, tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx")["notes"]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


# -- bad input through the API --------------------------------------------------------------
def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "big.xlsx"
    out.write_bytes(b"previous")
    too_long = pd.DataFrame({"text": ["x" * (exporting.XLSX_CELL_LIMIT + 1)]})
    with pytest.raises(corridors.OutputError, match="more than an Excel cell holds"):
        exporting.export_tables({"t": too_long}, out, force=True)
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["big.xlsx"]


def test_api_refuses_what_it_cannot_write(tmp_path: Path, comparison: Any) -> None:
    with pytest.raises(corridors.OutputError, match=r"\.gpkg, \.geojson, \.parquet, \.csv, \.xlsx"):
        corridors.export(comparison, tmp_path / "out.shp")
    two = exporting.comparison_tables(comparison)
    with pytest.raises(corridors.OutputError, match=r"one \.csv file"):
        exporting.export_tables(two, tmp_path / "out.csv")
    with pytest.raises(corridors.InvalidOptionError, match="unknown layer 'nodes'"):
        corridors.export(comparison, tmp_path / "out.csv", layer="nodes")
    no_crs = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(corridors.InvalidOptionError, match="no CRS"):
        exporting.export_tables({"t": no_crs}, tmp_path / "out.gpkg")
    with pytest.raises(corridors.InvalidOptionError, match="layer or sheet name"):
        exporting.export_tables({"a/b": pd.DataFrame({"a": [1]})}, tmp_path / "out.gpkg")
    with pytest.raises(corridors.InvalidOptionError, match="cannot export a int"):
        corridors.export(3, tmp_path / "out.csv")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_import_stays_light() -> None:
    code = (
        "import sys, corridors; "
        "print(sorted(m for m in ('geopandas', 'pyarrow', 'openpyxl', 'pyogrio') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/"
    )
    assert proc.stdout.strip() == "[]"


# -- the CLI --------------------------------------------------------------------------------
def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("ext", FORMATS)
def test_cli_exports_a_route(ext: str, alternatives: Any, tmp_path: Path) -> None:
    out = tmp_path / f"route{ext}"
    proc = run_cli("export", str(out), "--route", ":".join(PAIR), "-k", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"to {out}" in proc.stderr
    expected = exporting.route_tables(alternatives)
    names = list(expected) if ext in MULTI_TABLE else ["legs"]
    for name in names:
        _assert_same_table(expected[name], _read(out, name))
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.slow
def test_cli_exports_the_network_and_a_comparison(
    net: Network, comparison: Any, tmp_path: Path
) -> None:
    out = tmp_path / "nodes.geojson"
    proc = run_cli("export", str(out), "--network", "--layer", "nodes")
    assert proc.returncode == 0, proc.stderr
    _assert_same_table(exporting.network_tables(net)["nodes"], _read(out, "nodes"))
    out = tmp_path / "compare.gpkg"
    args = ["--compare", ":".join(PAIR), "--corridor", "kti", "--corridor", "sarakhs"]
    proc = run_cli("export", str(out), *args)
    assert proc.returncode == 0, proc.stderr
    for name, frame in exporting.comparison_tables(comparison).items():
        _assert_same_table(frame, _read(out, name))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["out.shp", "--network"], "unknown export format '.shp'; use one of .gpkg, .geojson"),
        (["missing/out.gpkg", "--network"], "folder missing does not exist"),
        (["out.csv"], "give exactly one of --network"),
        (["out.csv", "--network", "--compare", "Almaty:Aktau"], "give exactly one of"),
        (["out.csv", "--route", "Almaty"], "must be ORIGIN:DESTINATION"),
        (["out.csv", "--network", "--layer", "legs"], "unknown --layer 'legs' for --network"),
        (["out.csv", "--route", "Almaty:Aktau", "--layer", "nodes"], "one of: legs, summary"),
        (["out.csv", "--route", "Almaty:Aktau", "--by", "speed"], "unknown objective"),
        (["out.gpkg", "--route", "Almatx:Aktau"], "did you mean"),
    ],
)
def test_cli_bad_input_exits_2_and_writes_nothing(
    args: list[str], message: str, tmp_path: Path
) -> None:
    proc = run_cli("export", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in _one_line_error(proc.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_cli_keeps_an_existing_file_without_force(tmp_path: Path) -> None:
    out = tmp_path / "network.gpkg"
    out.write_bytes(b"previous")
    proc = run_cli("export", str(out), "--network")
    assert proc.returncode == 2
    assert "already exists" in _one_line_error(proc.stderr)
    assert out.read_bytes() == b"previous"
    proc = run_cli("export", str(out), "--network", "--force")
    assert proc.returncode == 0, proc.stderr
    assert sorted(pyogrio.list_layers(out)[:, 0]) == ["links", "nodes"]
    assert [p.name for p in tmp_path.iterdir()] == ["network.gpkg"]
