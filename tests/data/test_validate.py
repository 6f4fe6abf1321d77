"""`corridors.data.validation`: one broken thing in a copy of the toy data, one precise message."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import TOY, run_cli

from corridors.data.geodata import Problem, read_geodata
from corridors.data.validation import ValidationReport, estimation_methods
from corridors.routing.network_checks import validate

REPO_GEODATA = Path(__file__).resolve().parents[2] / "geodata"

# The toy joins 1435 and 1520 mm at bb-beta (an under-construction 1520 line) with only the
# `*` gauge-break row; the validator asks for a row of its own there.
GAUGE_BB_BETA = "gauge-bb-beta,gauge_break,bb-beta,,rail,rail,both,*,6,,,250,,,toy,,\n"


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _line(path: Path, start: str) -> int:
    """Line number (1-based) of the first line of a file that starts with ``start``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(start):
            return number
    msg = f"no line starts with {start!r} in {path.name}"
    raise AssertionError(msg)


def _lines(report: ValidationReport) -> list[str]:
    return [str(p) for p in report.problems]


def _only(report: ValidationReport, prefix: str, *fragments: str) -> str:
    """Return the one problem line that starts with ``prefix`` and holds every fragment."""
    hits = [
        line
        for line in _lines(report)
        if line.startswith(prefix) and all(f in line for f in fragments)
    ]
    assert len(hits) == 1, "\n".join(_lines(report))
    return hits[0]


def _add_country(folder: Path, iso2: str, x0: float, x1: float, y0: float, y1: float) -> None:
    path = folder / "countries.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    doc["features"].append(
        {
            "type": "Feature",
            "properties": {"iso2": iso2},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
    )
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """A copy of the toy geodata that validates with no problems."""
    folder = tmp_path / "geodata"
    shutil.copytree(TOY, folder)
    frictions = folder / "frictions.csv"
    if ",gauge_break,bb-beta," not in frictions.read_text(encoding="utf-8"):
        _append(frictions, GAUGE_BB_BETA)
    return folder


# --- the good data -----------------------------------------------------------------------


def test_toy_copy_validates(good: Path) -> None:
    report = validate(good)
    assert report.ok, "\n".join(_lines(report))
    assert report.problems == [] and report.by_check == {}
    assert report.folder == good.resolve()
    assert report.counts["nodes"] == 9 and report.counts["links"] == 12
    assert report.summary().startswith(
        "9 nodes, 12 links, 8 frictions, 2 corridors, 1 sources: no problems"
    )
    # no check was skipped
    assert not any("skipped" in w for w in report.warnings)


def test_shipped_toy_lacks_only_the_gauge_break_at_bb_beta() -> None:
    report = validate(TOY)
    assert set(report.by_check) <= {"gauges"}
    for line in _lines(report):
        assert line.startswith("nodes.csv:6: bb-beta joins rail gauges 1435 and 1520")


def test_report_api(good: Path) -> None:
    (good / "sources.yaml").write_text(
        (good / "sources.yaml").read_text(encoding="utf-8").replace("licence: MIT", ""),
        encoding="utf-8",
    )
    report = validate(good)
    assert not report.ok
    assert report.by_check == {"sources": 1}
    assert report.summary().startswith(
        "9 nodes, 12 links, 8 frictions, 2 corridors, 1 sources: 1 problem"
    )
    assert isinstance(report.problems[0], Problem)
    assert str(report).splitlines()[0] == str(report.problems[0])
    assert "sources.yaml:2: source 'toy' has no licence" in str(report)


def test_every_problem_is_collected_not_just_the_first(good: Path) -> None:
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,120,",
        "aa-alpha,aa-port,rail,1520,operational,,50,",
    )
    _replace(good / "nodes.csv", "cc-gamma,Gamma,,city,CC,13.0", "cc-gamma,Gamma,,city,CC,12.3")
    _append(good / "nodes.csv", "cc-lonely,Lonely,,city,CC,13.5,40.5,toy:lonely,,,,toy,\n")
    report = validate(good)
    assert set(report.by_check) >= {"lengths", "countries", "orphans"}


# --- 1. schema, types and values --------------------------------------------------------


def test_missing_column(good: Path) -> None:
    path = good / "links.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [c for c in rows[0] if c != "mode"])
        writer.writeheader()
        writer.writerows([{k: v for k, v in r.items() if k != "mode"} for r in rows])
    report = validate(good)
    _only(report, "links.csv:1: ", "missing required column(s): mode")
    assert any("routing check skipped" in w for w in report.warnings)


def test_nan_length(good: Path) -> None:
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,120,",
        "aa-alpha,aa-port,rail,1520,operational,,nan,",
    )
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    _only(validate(good), f"links.csv:{line}: ", "`length_km`", "finite number")


def test_negative_length(good: Path) -> None:
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,120,",
        "aa-alpha,aa-port,rail,1520,operational,,-120,",
    )
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    _only(validate(good), f"links.csv:{line}: length_km -120 is not valid; it must be a positive")


@pytest.mark.parametrize(
    ("file", "row", "old", "new", "expected"),
    [
        (
            "links.csv",
            "road-aa-alpha-bb-beta,",
            ",road,,operational,,220,",
            ",train,,operational,,220,",
            "`mode` is 'train'; expected one of: rail, road, ferry, sea, pipeline",
        ),
        (
            "links.csv",
            "road-aa-alpha-bb-beta,",
            ",road,,operational,,220,",
            ",road,,open,,220,",
            "`status` is 'open'; expected one of: operational",
        ),
        (
            "links.csv",
            "road-aa-alpha-bb-beta,",
            ",road,,operational,,220,",
            ",road,1520,operational,,220,",
            "gauge_mm 1520 is set on a road link; leave gauge_mm empty",
        ),
        (
            "links.csv",
            "rail-aa-alpha-aa-port,",
            "aa-port,rail,1520,",
            "aa-port,rail,1000,",
            "gauge_mm 1000 is not a gauge of the region; expected one of: 1435, 1520, 1676",
        ),
        (
            "links.csv",
            "rail-bb-beta-cc-gamma,",
            "planned,2030,",
            "planned,3030,",
            "open_year 3030 is not a plausible year (1850–2100)",
        ),
        (
            "links.csv",
            "rail-aa-alpha-aa-port,",
            "aa-port,rail,1520,operational,,120,,,published,",
            "aa-port,rail,1520,operational,,120,,,guessed,",
            "length_method 'guessed' is not one of: published, geodesic_factor:F",
        ),
        (
            "links.csv",
            "rail-aa-alpha-aa-border,",
            "aa-border,rail,1520,operational,,90,,",
            "aa-border,rail,1520,operational,,90,100,",
            "length_km_low 100 is greater than length_km 90",
        ),
        (
            "nodes.csv",
            "aa-alpha,",
            "aa-alpha,Alpha,Alfa|Альфа,city,",
            "aa-alpha,Alpha,Alfa|Альфа,town,",
            "`kind` is 'town'; expected one of: city, junction, border, port, terminal",
        ),
        (
            "nodes.csv",
            "cx-gamma,",
            "cc-gamma,Gamma,,city,CC,",
            "cx-gamma,Gamma,,city,CC,",
            "id 'cx-gamma' starts with 'cx-' but country is CC",
        ),
        (
            "frictions.csv",
            "border-ab-rail,",
            ",rail,,forward,*,10,",
            ",rail,,backward,*,10,",
            "`direction` is 'backward'; expected one of: forward, both",
        ),
        (
            "frictions.csv",
            "border-ab-rail,",
            ",rail,,forward,*,10,",
            ",rail,,forward,container,10,",
            "`profile` is 'container'; expected one of: *, teu, bulk",
        ),
        (
            "frictions.csv",
            "border-ba-rail,",
            "*,4,,,50,",
            "*,4,,,-50,",
            "fee_usd -50 is not valid; it must be zero or a positive number",
        ),
        (
            "rates.csv",
            "rail-bb,",
            "rail-bb,rail,BB,,*,0.5,",
            "rail-bb,rail,BB,,*,-0.5,",
            "usd_per_unit_km -0.5 is not valid",
        ),
        (
            "speeds.csv",
            "road,",
            "road,road,*,50,",
            "road,road,*,0,",
            "kph 0 is not valid; it must be a positive number of km/h",
        ),
        (
            "profiles.csv",
            "bulk,",
            "bulk,Grain,t,1,",
            "bulk,Grain,t,0,",
            "tonnes_per_unit 0 is not valid; it must be a positive number",
        ),
    ],
)
def test_enum_and_value_checks(
    good: Path, file: str, row: str, old: str, new: str, expected: str
) -> None:
    _replace(good / file, old, new)
    line = _line(good / file, row)
    _only(validate(good), f"{file}:{line}: ", expected)


def test_coordinates_outside_the_study_region(good: Path) -> None:
    _replace(
        good / "nodes.csv", "cc-twin,Twin,,city,CC,13.0,41.0", "cc-twin,Twin,,city,CC,-30.0,41.0"
    )
    line = _line(good / "nodes.csv", "cc-twin,")
    _only(
        validate(good),
        f"nodes.csv:{line}: lon -30, lat 41 is outside the study region",
        "lon −20…145 E, lat −10…70 N",
    )


def test_swapped_coordinates(good: Path) -> None:
    _replace(
        good / "nodes.csv",
        "aa-alpha,Alpha,Alfa|Альфа,city,AA,10.0,40.0",
        "aa-alpha,Alpha,Alfa|Альфа,city,AA,40.0,10.0",
    )
    report = validate(good)
    hit = _only(report, "nodes.csv:2: aa-alpha (lon 40, lat 10) is ")
    assert "lon and lat look swapped: lon 10, lat 40 lies in AA, so swap the two columns" in hit


# --- 2. unique ids -----------------------------------------------------------------------


def test_duplicate_node_id(good: Path) -> None:
    _append(good / "nodes.csv", "aa-alpha,Alpha again,,city,AA,10.1,40.1,toy:alpha2,,,,toy,\n")
    _only(validate(good), "nodes.csv:11: duplicate id 'aa-alpha' (first on line 2)")


def test_duplicate_corridor_and_source_ids(good: Path) -> None:
    _append(
        good / "corridors.yaml",
        "  - id: rail_line\n    name: Again\n    waypoints: [aa-alpha, aa-port]\n",
    )
    _append(
        good / "sources.yaml",
        "  - id: toy\n    title: Again\n    kind: estimate\n    licence: MIT\n",
    )
    report = validate(good)
    _only(report, "corridors.yaml:11: duplicate id 'rail_line' (first on line 2)")
    _only(report, "sources.yaml:8: duplicate id 'toy' (first on line 2)")


# --- 3. references -----------------------------------------------------------------------


def test_link_to_missing_node(good: Path) -> None:
    _replace(
        good / "links.csv",
        "rail-aa-alpha-aa-port,aa-alpha,aa-port,",
        "rail-aa-alpha-aa-port,aa-alpha,aa-prt,",
    )
    report = validate(good)
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    hit = _only(report, f"links.csv:{line}: v 'aa-prt' is not a node id in nodes.csv")
    assert "did you mean 'aa-port'?" in hit
    assert any("routing check skipped" in w for w in report.warnings)


def test_friction_section_and_corridor_references(good: Path) -> None:
    _replace(
        good / "frictions.csv",
        "border-ab-rail,border,aa-border,bb-border,",
        "border-ab-rail,border,aa-border,bb-bordr,",
    )
    _replace(
        good / "sections.csv", ",aa-alpha,bb-beta,,rail,", ",aa-alpha,bb-beta,cc-nowhere,rail,"
    )
    _replace(good / "corridors.yaml", "[aa-port, bb-port]", "[aa-port, zz-port]")
    report = validate(good)
    _only(report, "frictions.csv:2: to_node 'bb-bordr' is not a node id")
    _only(report, "sections.csv:2: via 'cc-nowhere' is not a node id")
    _only(report, "corridors.yaml:7: corridor 'ferry_line': waypoint 'zz-port' is not a node id")


def test_missing_default_speed(good: Path) -> None:
    _replace(good / "speeds.csv", "road,road,*,50,toy,,\n", "")
    _only(validate(good), "speeds.csv: no default speed for road")


# --- 4. countries and CRS ----------------------------------------------------------------


def test_node_outside_its_country(good: Path) -> None:
    _replace(good / "nodes.csv", "cc-gamma,Gamma,,city,CC,13.0", "cc-gamma,Gamma,,city,CC,12.3")
    line = _line(good / "nodes.csv", "cc-gamma,")
    hit = _only(validate(good), f"nodes.csv:{line}: cc-gamma (lon 12.3, lat 40) is ")
    assert "km outside CC, inside BB" in hit and "within 5 km" in hit


def test_ports_may_lie_offshore(good: Path) -> None:
    # move the toy coast of AA north of aa-port (lat 39): 6.7 km offshore is fine for a port
    _replace(
        good / "countries.geojson",
        "[[9.0, 38.0], [11.025, 38.0], [11.025, 42.0], [9.0, 42.0], [9.0, 38.0]]",
        "[[9.0, 39.06], [11.025, 39.06], [11.025, 42.0], [9.0, 42.0], [9.0, 39.06]]",
    )
    assert validate(good).ok
    _replace(good / "nodes.csv", "aa-port,Alpha Port,,port,", "aa-port,Alpha Port,,terminal,")
    hit = _only(validate(good), "nodes.csv:4: aa-port (lon 10, lat 39) is 6.7 km outside AA")
    assert "within 5 km" in hit and "15 km for ports" in hit


def test_country_without_polygon(good: Path) -> None:
    _replace(good / "countries.geojson", '"iso2": "CC"', '"iso2": "XC"')
    hit = _only(
        validate(good), "nodes.csv:8: cc-gamma: country CC has no polygon in countries.geojson"
    )
    assert "add the Natural Earth polygon" in hit


def test_missing_countries_file(good: Path) -> None:
    (good / "countries.geojson").unlink()
    _only(validate(good), "countries.geojson: file is missing")


def test_wrong_crs(good: Path) -> None:
    _replace(
        good / "countries.geojson", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::3857"
    )
    hit = _only(validate(good), "countries.geojson:3: wrong CRS 'urn:ogc:def:crs:EPSG::3857'")
    assert "reproject the file to EPSG:4326" in hit


def test_projected_coordinates_without_crs_member(good: Path) -> None:
    doc = json.loads((good / "countries.geojson").read_text(encoding="utf-8"))
    del doc["crs"]
    for feature in doc["features"]:
        ring = feature["geometry"]["coordinates"][0]
        feature["geometry"]["coordinates"][0] = [[x * 111_000, y * 111_000] for x, y in ring]
    (good / "countries.geojson").write_text(json.dumps(doc), encoding="utf-8")
    _only(validate(good), "countries.geojson", "wrong CRS", "not longitude/latitude in degrees")


def _geometry(folder: Path, link: str, coords: list[list[float]], crs: str | None = None) -> None:
    doc: dict[str, object] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": link},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    (folder / "geometry").mkdir(exist_ok=True)
    (folder / "geometry" / "links.geojson").write_text(json.dumps(doc, indent=1), encoding="utf-8")


def test_link_geometry_checks(good: Path) -> None:
    _geometry(good, "rail-aa-alpha-aa-port", [[10.0, 40.0], [10.2, 39.5], [10.0, 39.0]])
    assert validate(good).ok
    _geometry(good, "rail-aa-alpha-aa-port", [[10.0, 39.0], [10.2, 39.5], [10.0, 40.0]])
    _only(validate(good), "geometry/links.geojson:", "runs from v to u; reverse its coordinates")
    _geometry(good, "rail-aa-alpha-aa-port", [[10.0, 40.0], [10.0, 39.0]], crs="EPSG:32632")
    _only(validate(good), "geometry/links.geojson:", "wrong CRS 'EPSG:32632'")
    _geometry(good, "rail-nowhere", [[10.0, 40.0], [10.0, 39.0]])
    _only(validate(good), "geometry/links.geojson:", "'rail-nowhere' is not a link id")


# --- 5. lengths --------------------------------------------------------------------------


def test_length_shorter_than_geodesic(good: Path) -> None:
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,120,",
        "aa-alpha,aa-port,rail,1520,operational,,50,",
    )
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    hit = _only(
        validate(good), f"links.csv:{line}: length_km 50 is shorter than the 111.0 km geodesic"
    )
    assert "between aa-alpha and aa-port; lengths must be ≥ the straight-line distance" in hit


def test_land_length_far_longer_than_geodesic(good: Path) -> None:
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,120,",
        "aa-alpha,aa-port,rail,1520,operational,,400,",
    )
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    _only(
        validate(good), f"links.csv:{line}: length_km 400 is more than 2.5 × the 111.0 km geodesic"
    )


def test_geodesic_factor_length_must_match(good: Path) -> None:
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,120,,,published,toy,",
        "aa-alpha,aa-port,rail,1520,operational,,120,,,geodesic_factor:1.25,,",
    )
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    _only(
        validate(good),
        f"links.csv:{line}: length_km 120 does not match its length_method geodesic_factor:1.25",
        "138.8 km",
    )


def test_matched_line_far_round_is_listed_until_a_published_length_confirms_it(
    good: Path,
) -> None:
    # 111.0 km of geodesic: 180 km on a matched line is 1.62 x, 160 km is 1.44 x
    matched = "aa-alpha,aa-port,rail,1520,operational,,180,,,matched_line,,"
    _replace(
        good / "links.csv", "aa-alpha,aa-port,rail,1520,operational,,120,,,published,toy,", matched
    )
    report = validate(good)
    assert report.ok
    listed = [w for w in report.warnings if "measured on a matched line" in w]
    assert listed == [
        "links.csv: 1 rail or road link measured on a matched line run at least 1.5 × the "
        "geodesic between places 50 km or more apart, with no published length to confirm the "
        "line: rail-aa-alpha-aa-port (1.62 ×); a published length (length_method published) "
        "settles each"
    ]
    _replace(
        good / "links.csv", matched, "aa-alpha,aa-port,rail,1520,operational,,160,,,matched_line,,"
    )
    assert not [w for w in validate(good).warnings if "matched line" in w]
    _replace(
        good / "links.csv",
        "aa-alpha,aa-port,rail,1520,operational,,160,,,matched_line,,",
        "aa-alpha,aa-port,rail,1520,operational,,180,,,published,toy,",
    )
    assert not [w for w in validate(good).warnings if "matched line" in w]


def test_shipped_matched_lines_far_round_are_listed() -> None:
    from pyproj import Geod

    report = validate(None)
    (line,) = [w for w in report.warnings if "measured on a matched line" in w]
    named = line.split("confirm the line: ")[1].split("; a published")[0]
    truncated = named.endswith(" ...")
    listed = {
        item.rsplit(" (", 1)[0]: float(item.rsplit(" (", 1)[1].split(" ")[0])
        for item in named.removesuffix(" ...").split(", ")
    }
    geodata = read_geodata(None)
    nodes = geodata.nodes.set_index("id")
    geod = Geod(ellps="WGS84")
    checked = 0
    for link in geodata.links.itertuples():
        if link.mode not in ("rail", "road") or link.length_method != "matched_line":
            continue
        u, v = nodes.loc[link.u], nodes.loc[link.v]
        km = geod.inv(u.lon, u.lat, v.lon, v.lat)[2] / 1000
        far = km >= 50 and link.length_km >= 1.5 * km
        # the warning names at most 12, and its list ends with "..." when it leaves some out
        assert (link.id in listed) == far or (far and truncated), link.id
        if far:
            assert listed[link.id] == pytest.approx(link.length_km / km, abs=0.006)
        checked += 1
    assert checked > 400 and "road-ir-rafsanjan-ir-sirjan" in listed
    # the links given published lengths are confirmed, so not listed
    assert "road-tr-samsun-tr-ankara" not in listed


# --- 6. gauges ---------------------------------------------------------------------------


def test_missing_gauge_break(good: Path) -> None:
    _replace(
        good / "frictions.csv",
        "gauge-bb-border,gauge_break,bb-border,,rail,rail,both,*,5,3,8,200,,,toy,,\n",
        "",
    )
    hit = _only(validate(good), "nodes.csv:5: bb-border joins rail gauges 1435 and 1520")
    assert "frictions.csv has no gauge_break row for bb-border" in hit


def test_rail_link_needs_a_gauge(good: Path) -> None:
    _replace(good / "links.csv", "aa-port,rail,1520,", "aa-port,rail,,")
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    _only(validate(good), f"links.csv:{line}: rail link rail-aa-alpha-aa-port has no gauge_mm")


# --- 7. sources --------------------------------------------------------------------------


def test_unsourced_row(good: Path) -> None:
    _replace(good / "rates.csv", "rail-bb,rail,BB,,*,0.5,,toy,,", "rail-bb,rail,BB,,*,0.5,,,,")
    line = _line(good / "rates.csv", "rail-bb,")
    hit = _only(validate(good), f"rates.csv:{line}: row 'rail-bb' names no source")
    assert "`source_id` or `method`" in hit


def test_unknown_source_id(good: Path) -> None:
    _replace(
        good / "links.csv",
        "rail-aa-border-bb-border,aa-border,bb-border,rail,1520,operational,,5,,,published,toy,,,,,,,toy,",
        "rail-aa-border-bb-border,aa-border,bb-border,rail,1520,operational,,5,,,published,toy,,,,,,,toy|toyy,",
    )
    line = _line(good / "links.csv", "rail-aa-border-bb-border,")
    hit = _only(
        validate(good), f"links.csv:{line}: source_id 'toyy' is not in sources.yaml or seeds/"
    )
    assert "did you mean 'toy'?" in hit


def test_unknown_corridor_citation_and_published_length_without_source(good: Path) -> None:
    _replace(
        good / "corridors.yaml",
        "    cites: [toy]\n  - id: ferry_line",
        "    cites: [toy, nope]\n  - id: ferry_line",
    )
    _replace(good / "links.csv", ",200,,,published,toy,", ",200,,,published,,")
    report = validate(good)
    _only(report, "corridors.yaml:2: cites 'nope' is not in sources.yaml or seeds/")
    _only(report, "links.csv:2: length_method is published but length_source_id is empty")


def test_source_needs_licence_and_url(good: Path) -> None:
    _append(good / "sources.yaml", "  - id: paper\n    title: A paper\n    kind: news\n")
    _replace(
        good / "links.csv",
        "bb-twin,cc-twin,road,,operational,,100,,,published,toy,",
        "bb-twin,cc-twin,road,,operational,,100,,,published,paper,",
    )
    report = validate(good)
    _only(report, "sources.yaml:8: source 'paper' has no licence")
    _only(report, "sources.yaml:8: source 'paper' has no url")


def test_methods_must_be_documented(good: Path) -> None:
    (good / "README.md").write_text(
        "# toy\n\n## Estimation methods\n\n| method | how |\n|---|---|\n"
        "| `mode_default` | the mode default |\n| `geodesic_factor:F` | geodesic × F |\n\n"
        "## Other\n",
        encoding="utf-8",
    )
    assert set(estimation_methods(good)) == {"mode_default", "geodesic_factor:F"}
    _replace(good / "speeds.csv", "rail,rail,*,30,toy,,", "rail,rail,*,30,,hunch,")
    line = _line(good / "speeds.csv", "rail,")
    hit = _only(validate(good), f"speeds.csv:{line}: method 'hunch' is not described in README.md")
    assert "mode_default, geodesic_factor:F" in hit
    _replace(good / "speeds.csv", ",hunch,", ",mode_default,")
    assert validate(good).ok


# --- 8. orphans --------------------------------------------------------------------------


def test_orphan_node(good: Path) -> None:
    _append(good / "nodes.csv", "cc-lonely,Lonely,,city,CC,13.5,40.5,toy:lonely,,,,toy,\n")
    _only(validate(good), "nodes.csv:11: node cc-lonely is on no link")


# --- 9. the Caspian ----------------------------------------------------------------------


def _caspian(folder: Path, mode: str, far: tuple[float, float]) -> int:
    _add_country(folder, "DD", 49.0, 51.0, 41.0, 43.0)
    _add_country(folder, "EE", 56.0, 58.0, 24.0, 26.0)
    _add_country(folder, "FF", 51.0, 53.0, 39.0, 41.0)
    _append(
        folder / "nodes.csv",
        "dd-caspian,Caspian Port,,port,DD,50.0,42.0,toy:dd,,,,toy,\n"
        f"ee-ocean,Ocean Port,,port,EE,{far[0]},{far[1]},toy:ee,,,,toy,\n",
    )
    _append(
        folder / "links.csv",
        f"{mode}-dd-caspian-ee-ocean,dd-caspian,ee-ocean,{mode},,operational,,3000,,,published,toy,,,24,,,,toy,\n",
    )
    return _line(folder / "links.csv", f"{mode}-dd-caspian-ee-ocean,")


@pytest.mark.parametrize("mode", ["sea", "ferry"])
def test_caspian_port_never_joins_the_ocean(good: Path, mode: str) -> None:
    line = _caspian(good, mode, (57.0, 25.0))
    hit = _only(
        validate(good),
        f"links.csv:{line}: {mode} link joins the Caspian port dd-caspian to ee-ocean",
    )
    assert "lon 46–56 E, lat 36–48 N" in hit


def test_caspian_ferry_between_caspian_ports_is_fine(good: Path) -> None:
    _caspian(good, "ferry", (52.0, 40.0))
    _replace(good / "nodes.csv", "ee-ocean,Ocean Port,,port,EE,", "ee-ocean,Ocean Port,,port,FF,")
    _replace(good / "nodes.csv", "ee-ocean", "ff-ocean")
    _replace(
        good / "links.csv",
        "ferry-dd-caspian-ee-ocean,dd-caspian,ee-ocean,",
        "ferry-dd-caspian-ff-ocean,dd-caspian,ff-ocean,",
    )
    report = validate(good)
    assert "caspian" not in report.by_check, "\n".join(_lines(report))


# --- 10. corridors route -----------------------------------------------------------------


def test_unroutable_corridor(good: Path) -> None:
    _append(
        good / "corridors.yaml",
        "  - id: blocked\n    name: Blocked\n    waypoints: [aa-alpha, cc-gamma]\n"
        "    modes: [rail]\n    cites: [toy]\n",
    )
    hit = _only(
        validate(good),
        "corridors.yaml:11: corridor 'blocked' (aa-alpha → cc-gamma; statuses operational; "
        "modes rail) does not route",
    )
    assert "rail-bb-beta-cc-gamma (planned)" in hit


def test_corridor_routes_with_its_included_statuses(good: Path) -> None:
    _append(
        good / "corridors.yaml",
        "  - id: future\n    name: Future\n    waypoints: [aa-alpha, cc-gamma]\n"
        "    modes: [rail]\n    include: [planned]\n    cites: [toy]\n",
    )
    assert validate(good).ok


# --- warnings ----------------------------------------------------------------------------


def test_ferry_without_headway_is_a_warning(good: Path) -> None:
    _replace(good / "links.csv", ",published,toy,,10,24,", ",published,toy,,10,,")
    report = validate(good)
    assert report.ok
    assert any(
        w.startswith("links.csv:2: ferry link ferry-aa-port-bb-port has no headway_h")
        for w in report.warnings
    )


# --- CLI ---------------------------------------------------------------------------------


def test_cli_validate_good_copy_exits_0(good: Path) -> None:
    proc = run_cli("data", "validate", "--geodata", str(good))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok: 9 nodes, 12 links, 8 frictions, 2 corridors, 1 sources: no problems" in proc.stdout
    assert proc.stderr == ""


def test_cli_validate_broken_copy_exits_2(good: Path) -> None:
    _replace(
        good / "links.csv",
        "rail-aa-alpha-aa-port,aa-alpha,aa-port,",
        "rail-aa-alpha-aa-port,aa-alpha,aa-prt,",
    )
    _append(good / "nodes.csv", "aa-alpha,Alpha again,,city,AA,10.1,40.1,toy:alpha2,,,,toy,\n")
    proc = run_cli("data", "validate", "--geodata", str(good))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    line = _line(good / "links.csv", "rail-aa-alpha-aa-port,")
    assert f"links.csv:{line}: v 'aa-prt' is not a node id" in proc.stdout
    assert "nodes.csv:11: duplicate id 'aa-alpha'" in proc.stdout
    errors = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(errors) == 1 and errors[0].startswith("error: 2 problem(s) in "), proc.stderr


def test_cli_validate_not_a_geodata_folder(tmp_path: Path) -> None:
    proc = run_cli("data", "validate", "--geodata", str(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: ") and "is not a geodata folder" in proc.stderr


# --- the shipped data --------------------------------------------------------------------


def test_shipped_geodata_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The data that ships (the checkout's geodata/ when the tests run from a checkout)."""
    if (REPO_GEODATA / "nodes.csv").is_file():
        monkeypatch.setenv("CORRIDORS_GEODATA", str(REPO_GEODATA))
    report = validate()
    shown = "\n".join(_lines(report)[:60])
    assert report.ok, f"{report.summary()} {report.by_check}\n{shown}"


def test_node_beyond_the_countries_file(good: Path) -> None:
    _replace(
        good / "nodes.csv", "cc-twin,Twin,,city,CC,13.0,41.0", "cc-twin,Twin,,city,CC,100.0,30.0"
    )
    hit = _only(validate(good), "nodes.csv:9: cc-twin (lon 100, lat 30) lies outside the area")
    assert "countries.geojson covers (lon 9…14, lat 38…42)" in hit


def test_drawn_line_must_agree_with_the_stated_length(good: Path) -> None:
    # 120 km stated; a zig-zag inside Aland about 190 km long
    _geometry(good, "rail-aa-alpha-aa-port", [[10.0, 40.0], [10.9, 39.5], [10.0, 39.0]])
    line = _only(validate(good), "geometry/links.geojson:", "is drawn 19", "says 120 km")
    assert "within 25%" in line


def test_drawn_line_must_stay_in_its_countries(good: Path) -> None:
    # Long enough to agree with its length, but a fifth of it runs west of Aland.
    _replace(
        good / "links.csv",
        "rail-aa-alpha-aa-port,aa-alpha,aa-port,rail,1520,operational,,120,",
        "rail-aa-alpha-aa-port,aa-alpha,aa-port,rail,1520,operational,,260,",
    )
    _geometry(good, "rail-aa-alpha-aa-port", [[10.0, 40.0], [8.6, 39.5], [10.0, 39.0]])
    line = _only(validate(good), "geometry/links.geojson:", "outside AA")
    assert "split the link" in line
    _geometry(good, "rail-aa-alpha-aa-port", [[10.0, 40.0], [9.2, 39.5], [10.0, 39.0]])
    assert not [p for p in _lines(validate(good)) if "outside AA" in p]
