"""Checks 1-9 read large tables a chunk of rows at a time and links.geojson a feature at a
time; both find what reading every row as a dict and the whole file at once finds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from corridors.data.checks import base, feature_scan
from corridors.data.locate import geodata_dir
from corridors.data.validation import check_folder

from .test_drawn_lines_columns import _spoil


def _reports(
    folder: Path | None, monkeypatch: pytest.MonkeyPatch, chunks: bool = True
) -> tuple[str, str, str]:
    """The report read as the shipped network is (every row a dict, the file streamed),
    with every table read in chunks of seven rows, and with links.geojson read whole."""
    usual = str(check_folder(folder))
    chunked = usual
    if chunks:
        with monkeypatch.context() as m:
            m.setattr(base, "HELD_ROWS", 7)
            m.setattr(base, "ROW_CHUNK", 7)
            chunked = str(check_folder(folder))
    with monkeypatch.context() as m:
        m.setattr(feature_scan, "scan_features", lambda *_: None)
        whole = str(check_folder(folder))
    return usual, chunked, whole


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), folder)
    return folder


def test_shipped_network_reads_the_same_every_way(monkeypatch: pytest.MonkeyPatch) -> None:
    usual, chunked, whole = _reports(None, monkeypatch)
    assert usual == chunked == whole
    assert usual.splitlines()[-1].endswith(("no problems", "warnings", "warning"))


def _spoil_tables(folder: Path) -> None:
    """Break rows of nodes.csv and links.csv in ways the row checks report."""
    nodes = (folder / "nodes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    nodes.append(nodes[3])  # a node id twice
    first = nodes[5].split(",")
    first[5] = "200"  # longitude out of range
    nodes[5] = ",".join(first)
    second = nodes[6].split(",")
    second[5], second[6] = second[6], second[5]  # lon and lat swapped
    nodes[6] = ",".join(second)
    (folder / "nodes.csv").write_text("".join(nodes), encoding="utf-8")
    links = (folder / "links.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    row = links[10].split(",")
    row[2] = "xx-nowhere"  # an end that is no node
    links[10] = ",".join(row)
    row = links[20].split(",")
    row[7] = "-3"  # a negative length
    links[20] = ",".join(row)
    links.append(links[30])  # a link id twice
    (folder / "links.csv").write_text("".join(links), encoding="utf-8")


def test_spoilt_tables_read_the_same_every_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(tmp_path)
    _spoil_tables(folder)
    usual, chunked, whole = _reports(folder, monkeypatch)
    assert usual == chunked == whole
    for fragment in ("xx-nowhere", "length_km -3", "duplicate id", "not WGS 84", "outside AF"):
        assert fragment in usual, fragment


def test_spoilt_lines_read_the_same_every_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _copy(tmp_path)
    path = folder / "geometry" / "links.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    _spoil(doc["features"])
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    usual, chunked, whole = _reports(folder, monkeypatch)
    assert usual == chunked == whole
    assert "runs from v to u" in usual and "feature without `id`" in usual


def _header(doc: dict[str, Any], how: str) -> str:
    if how == "crs last":
        doc["crs"] = {"type": "name", "properties": {"name": "EPSG:32632"}}
    elif how == "crs first":
        doc = {"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, **doc}
    elif how == "no type":
        del doc["type"]
    elif how == "type last":
        doc = {"features": doc["features"], "type": "FeatureCollection"}
    elif how == "features not a list":
        doc["features"] = {"a": 1}
    elif how == "no features":
        del doc["features"]
    elif how == "empty":
        doc["features"] = []
    elif how == "a feature not an object":
        doc["features"][3] = 7
    elif how == "a short position":
        doc["features"][4]["geometry"]["coordinates"][0] = [50.0]
    elif how == "projected":
        doc["features"][5]["geometry"]["coordinates"][0] = [500000.0, 4400000.0]
    elif how == "two problems":
        doc["features"][2] = "x"
        doc["crs"] = {"type": "name", "properties": {"name": "EPSG:32632"}}
    elif how == "not an object":
        return json.dumps(doc["features"])
    elif how == "invalid":
        return json.dumps(doc, indent=1)[:-40]
    elif how == "features twice":
        text = json.dumps(doc, indent=1)
        return text[:-1] + ', "features": []}'
    return json.dumps(doc, indent=1)


@pytest.mark.parametrize(
    "how",
    [
        "crs last",
        "crs first",
        "no type",
        "type last",
        "features not a list",
        "no features",
        "empty",
        "a feature not an object",
        "a short position",
        "projected",
        "two problems",
        "not an object",
        "invalid",
        "features twice",
    ],
)
def test_odd_line_files_read_the_same_every_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / "geometry" / "links.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(_header(doc, how), encoding="utf-8")
    usual, _, whole = _reports(folder, monkeypatch, chunks=False)
    assert usual == whole
    if how not in ("type last", "empty", "features twice"):
        assert "geometry/links.geojson" in usual, how
