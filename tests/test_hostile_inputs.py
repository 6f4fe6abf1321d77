"""Hostile inputs: every row gets a one-line error (or a valid answer), never a traceback.

Scenario-file rows live in the scenario tests; geodata-copy rows in test_validate.py.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from conftest import one_line_error, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors
from corridors import routing
from corridors.data.locate import geodata_dir
from corridors.graph.network import Network
from corridors.outputs import atomic as _output


# -- places -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "node"),
    [
        ("Алматы", "kz-almaty"),
        ("بندرعباس", "ir-bandar-abbas"),
        ("Aqtau", "kz-aktau-port"),
        ("Türkmenbaşy", "tm-turkmenbashi"),
        ("bandar-e abbas", "ir-bandar-abbas"),
    ],
)
def test_other_scripts_and_spellings_resolve(net: Network, query: str, node: str) -> None:
    place = net.places.resolve(query)
    assert place.node == node and place.access_km == 0


def test_misspelt_place_suggests_three_names(net: Network) -> None:
    with pytest.raises(corridors.UnknownPlaceError, match=r"did you mean: .*Almaty \(kz-almaty\)"):
        net.places.resolve("Almatx")
    proc = run_cli("route", "Almatx", "Bandar Abbas")
    assert proc.returncode == 2
    line = one_line_error(proc.stderr)
    assert line.count("(") >= 3  # three suggestions, each with its id


def test_ambiguous_place_asks_to_choose(net: Network) -> None:
    with pytest.raises(corridors.AmbiguousPlaceError, match=r"az-alat.*uz-alat"):
        net.places.resolve("Alat")
    # where no route decides (a skim's rows), the CLI still asks to choose
    proc = run_cli("skim", "Alat", "--to", "Tbilisi")
    assert proc.returncode == 2
    line = one_line_error(proc.stderr)
    assert "az-alat" in line and "uz-alat" in line and "AZ" in line and "UZ" in line
    # a route query chooses the Alat that gives the best route, and says so
    proc = run_cli("route", "Alat", "Tbilisi")
    assert proc.returncode == 0, proc.stderr
    assert "az-alat; chosen over uz-alat" in proc.stderr


# -- no route ---------------------------------------------------------------------------
def test_origin_equals_destination_exits_1() -> None:
    proc = run_cli("route", "Almaty", "kz-almaty")
    assert proc.returncode == 1
    assert "same place" in one_line_error(proc.stderr)


def test_unreachable_pair_names_the_block() -> None:
    proc = run_cli(
        "route",
        "Almaty",
        "Karachi",
        "--mode",
        "rail",
        "--avoid-country",
        "UZ",
        "--avoid-country",
        "IR",
    )
    assert proc.returncode == 1
    line = one_line_error(proc.stderr)
    assert "no route from kz-almaty to pk-karachi" in line
    assert "avoiding countries IR, UZ" in line


def test_everything_closed_exits_1(net: Network) -> None:
    with pytest.raises(corridors.NoRouteError, match="statuses closed"):
        routing.route(net, "Almaty", "Tashkent", statuses="closed")
    proc = run_cli("route", "Almaty", "Tashkent", "--mode", "pipeline")
    assert proc.returncode == 1
    assert "modes pipeline" in one_line_error(proc.stderr)


# -- bounds -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-k", "0"], "1 to 20"),
        (["-k", "10000"], "1 to 20"),
        (["--value-of-time", "1e12"], "value of time"),
        (["--value-of-time", "-5"], "value of time"),
        (["--year", "3000"], "between 1850 and 2100"),
        (["--by", "fastest"], "unknown objective"),
        (["--profile", "reefer"], "unknown profile"),
        (["--avoid-border", "KZTM"], "KZ-TM"),
    ],
)
def test_out_of_range_options_exit_2(args: list[str], expected: str) -> None:
    proc = run_cli("route", "Almaty", "Tashkent", *args)
    assert proc.returncode == 2
    assert expected in one_line_error(proc.stderr)


def test_out_of_range_options_in_the_api(net: Network) -> None:
    with pytest.raises(corridors.InvalidOptionError):
        routing.alternatives(net, "Almaty", "Tashkent", k=10_000)
    with pytest.raises(corridors.InvalidOptionError):
        routing.route(net, "Almaty", "Tashkent", value_of_time=float("nan"))


# -- output files -----------------------------------------------------------------------
def test_output_in_missing_folder(tmp_path: Path) -> None:
    proc = run_cli("compare", "Almaty", "Tashkent", "--csv", str(tmp_path / "no" / "t.csv"))
    assert proc.returncode == 2
    assert "does not exist" in one_line_error(proc.stderr)
    with pytest.raises(corridors.OutputError, match="does not exist"):
        _output.write_text(tmp_path / "no" / "t.csv", "x")


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, who can write anywhere; simulate the permission check.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(corridors.OutputError, match="not writable"):
        _output.write_text(tmp_path / "t.csv", "x")
    assert list(tmp_path.iterdir()) == []


def test_existing_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    out.write_text("previous")
    proc = run_cli("route", "Almaty", "Tashkent", "--map", str(out))
    assert proc.returncode == 2
    assert "--force" in one_line_error(proc.stderr)
    assert out.read_text() == "previous"


def test_disk_full_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    out.write_text("previous")

    def writer(tmp: Path) -> None:
        tmp.write_text("half a tab")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(corridors.OutputError, match="No space left on device"):
        _output.write_with(out, writer, force=True)
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_interrupted_write_leaves_no_temp_file(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"

    def writer(tmp: Path) -> None:
        tmp.write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _output.write_with(out, writer)
    assert list(tmp_path.iterdir()) == []


# -- a user's geodata copy --------------------------------------------------------------
def test_broken_geodata_copy_reports_file_and_row(tmp_path: Path) -> None:
    copy = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    text = (copy / "links.csv").read_text(encoding="utf-8").splitlines()
    fields = text[1].split(",")
    fields[7] = "-5"  # length_km
    text[1] = ",".join(fields)
    (copy / "links.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    proc = run_cli("route", "Almaty", "Tashkent", "--geodata", str(copy))
    assert proc.returncode == 2
    assert "links.csv:2" in one_line_error(proc.stderr)
    proc = run_cli("data", "validate", "--geodata", str(copy))
    assert proc.returncode == 2
    assert "links.csv:2:" in proc.stdout


# -- fuzz -------------------------------------------------------------------------------
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=40))
def test_place_resolver_fuzz(net: Network, text: str) -> None:
    try:
        place = net.places.resolve(text)
    except corridors.CorridorsError as err:
        assert "\n" not in str(err).strip() or isinstance(err, corridors.AmbiguousPlaceError)
    else:
        assert place.node in net.G


def test_force_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    out = tmp_path / "private.csv"
    out.write_text("previous")
    out.chmod(0o600)
    _output.write_text(out, "new", force=True)
    assert out.read_text() == "new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    proc = run_cli("compare", "Almaty", "Tashkent", "--csv", str(out), "--force")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("suffix", [".gpkg", ".xlsx"])
def test_export_on_a_full_disk_is_one_error_and_no_file(
    net: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    import pyogrio
    import pyogrio.errors

    import corridors.outputs.export as exporting

    def gdal_full(*args: object, **kwargs: object) -> None:
        # what pyogrio raises when SQLite hits a full disk
        msg = "sqlite3_exec(CREATE TABLE ...) failed: database or disk is full"
        raise pyogrio.errors.FeatureError(msg)

    monkeypatch.setattr(pyogrio, "write_dataframe", gdal_full)
    monkeypatch.setattr(Path, "write_bytes", _no_space)  # the zipped workbook's one write
    out = tmp_path / f"net{suffix}"
    found = exporting.selected(net, out, layer=None)
    with pytest.raises(corridors.OutputError, match=r"cannot write .*(disk is full|No space)"):
        exporting.export_tables(found, out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"type": "FeatureCollection", "features": [', "invalid JSON"),
        ('{"type": "FeatureCollection", "features": {}}', "list of features"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"id": "x"}, "geometry": {"type": "LineString", "coordinates": [[1]]}}]}',
            "LineString of at least two",
        ),
    ],
    ids=["truncated", "features-not-a-list", "one-number-position"],
)
def test_broken_link_geometry_is_one_error(tmp_path: Path, content: str, says: str) -> None:
    copy = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    (copy / "geometry" / "links.geojson").write_text(content, encoding="utf-8")
    with pytest.raises(corridors.GeodataError, match=says):
        corridors.load_network(copy, cache=False)
    proc = run_cli("route", "Almaty", "Tashkent", "--geodata", str(copy))
    assert proc.returncode == 2
    assert "geometry/links.geojson" in one_line_error(proc.stderr)
    proc = run_cli("data", "validate", "--geodata", str(copy))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "geometry/links.geojson" in proc.stdout


@pytest.mark.parametrize("table", ["nodes", "links"])
def test_empty_table_is_one_error(tmp_path: Path, table: str) -> None:
    copy = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    (copy / f"{table}.csv").write_text("", encoding="utf-8")
    proc = run_cli("route", "Almaty", "Tashkent", "--geodata", str(copy))
    assert proc.returncode == 2
    assert f"{table}.csv: file is empty" in one_line_error(proc.stderr)


def test_problem_lines_are_physical_after_a_cell_spanning_lines(tmp_path: Path) -> None:
    copy = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    lines = (copy / "nodes.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    row[header.index("note")] = '"a note\nover two lines"'
    lines[3] = ",".join(row)  # the record of line 4 now ends on line 5
    bad = lines[4].split(",")
    bad[header.index("lat")] = "north"
    lines[4] = ",".join(bad)  # this record starts on line 6
    (copy / "nodes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("data", "validate", "--geodata", str(copy))
    assert proc.returncode == 2
    assert "nodes.csv:6: column `lat` is 'north'" in proc.stdout, proc.stdout


# -- names the network does not have ------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--avoid-country", "XX"], r"avoid-country 'XX' is not a country of the network"),
        (
            ["--avoid-link", "rail-kz-zhanaozen-kz-bolashakk"],
            r"not a link id .*did you mean rail-kz-zhanaozen-kz-bolashak",
        ),
        (["--avoid-border", "KZ-PK"], r"avoid-border KZ-PK is not a border .*KZ-TM"),
        (["--via", "Almaty"], r"via kz-almaty is the origin"),
        (["--via", "Tashkent"], r"via uz-tashkent is the destination"),
    ],
)
def test_unknown_avoided_names_and_degenerate_via_exit_2(args: list[str], says: str) -> None:
    proc = run_cli("route", "Almaty", "Tashkent", *args)
    assert proc.returncode == 2
    assert re.search(says, one_line_error(proc.stderr))


def test_unknown_avoided_names_in_the_api(net: Network) -> None:
    with pytest.raises(corridors.InvalidOptionError, match="not a country"):
        routing.route(net, "Almaty", "Tashkent", avoid_countries=["XX"])
    with pytest.raises(corridors.InvalidOptionError, match="not a link id"):
        corridors.skim(["Almaty", "Tashkent"], network=net, avoid_links=["no-such-link"])
    # a known border still routes
    assert routing.route(net, "Almaty", "Tashkent", avoid_borders=["KZ-TM"]).distance_km > 0


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("length_km", "1e308", r"length_km 1e\+308 is larger than any real value; .*40,000 of km"),
        ("note", "bad\x00note", r"control character U\+0000"),
        ("note", "\x1b[2Jclear", r"control character U\+001B"),
    ],
)
def test_validator_bounds_lengths_and_refuses_control_characters(
    tmp_path: Path, column: str, value: str, says: str
) -> None:
    copy = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    lines = (copy / "links.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index(column)] = value
    lines[1] = ",".join(row)
    (copy / "links.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("data", "validate", "--geodata", str(copy))
    assert proc.returncode == 2
    hit = [line for line in proc.stdout.splitlines() if line.startswith("links.csv:2:")]
    assert any(re.search(says, line) for line in hit), proc.stdout
    assert "\x1b" not in proc.stdout and "\x00" not in proc.stdout


def test_tables_beyond_the_row_limit_are_refused_with_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridors.data import geodata as reading

    monkeypatch.setattr(reading, "MAX_ROWS", 50)  # the shipped links.csv has more
    copy = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    with pytest.raises(corridors.GeodataError) as err:
        corridors.load_network(copy, cache=False)
    listed = str(err.value).split(": ", 1)[1]
    # whole-file problems come first in the summary: they explain the rest
    assert listed.startswith("frictions.csv: more than 50 rows; geodata tables are limited to")
    assert "links.csv: more than 50 rows" in listed
