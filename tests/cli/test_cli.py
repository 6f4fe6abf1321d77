"""The CLI run as a subprocess: output, exit codes, one-line errors, no partial files."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import TOY, one_line_error, run_cli


def _one_line_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_route_json_on_toy() -> None:
    proc = run_cli("route", "Alpha", "Beta", "--json", "-k", "2", "--geodata", str(TOY))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["origin"] == "aa-alpha" and doc["destination"] == "bb-beta"
    assert doc["by"] == "time" and doc["profile"] == "teu"
    assert len(doc["routes"]) == 2
    first = doc["routes"][0]
    assert set(first["totals"]) >= {"distance_km", "time_h", "cost_usd", "co2_kg"}
    assert first["countries"] == ["AA", "BB"]


def test_route_table_on_toy() -> None:
    proc = run_cli("route", "Alpha", "Beta", "--geodata", str(TOY))
    assert proc.returncode == 0, proc.stderr
    assert "Alpha → Beta by time" in proc.stdout
    assert "total" in proc.stdout


def test_no_route_exits_1_naming_the_block() -> None:
    proc = run_cli("route", "Beta", "Gamma", "--mode", "rail", "--geodata", str(TOY))
    assert proc.returncode == 1
    line = _one_line_error(proc.stderr)
    assert "rail-bb-beta-cc-gamma (planned)" in line


def test_unknown_place_exits_2_with_suggestions() -> None:
    proc = run_cli("route", "Alphx", "Beta", "--geodata", str(TOY))
    assert proc.returncode == 2
    assert "did you mean: Alpha (aa-alpha)" in _one_line_error(proc.stderr)


def test_ambiguous_place_lists_ids() -> None:
    # where no route decides between the places of one name, the CLI lists them
    proc = run_cli("skim", "Twin", "--to", "Alpha", "--geodata", str(TOY))
    assert proc.returncode == 2
    line = _one_line_error(proc.stderr)
    assert "bb-twin" in line and "cc-twin" in line
    # a route query takes the one that gives the best route and says which
    proc = run_cli("route", "Twin", "Alpha", "--geodata", str(TOY))
    assert proc.returncode == 0, proc.stderr
    assert "chosen over" in proc.stderr


def test_bad_option_exits_2() -> None:
    proc = run_cli("route", "Alpha", "Beta", "--by", "speed", "--geodata", str(TOY))
    assert proc.returncode == 2
    assert "unknown objective" in _one_line_error(proc.stderr)


def test_missing_geodata_folder_exits_2(tmp_path: Path) -> None:
    proc = run_cli("route", "Alpha", "Beta", "--geodata", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "is not a geodata folder" in _one_line_error(proc.stderr)


def test_existing_output_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    out.write_text("previous")
    proc = run_cli("compare", "Alpha", "Beta", "--csv", str(out), "--geodata", str(TOY))
    assert proc.returncode == 2
    assert "already exists" in _one_line_error(proc.stderr)
    assert out.read_text() == "previous"
    proc = run_cli("compare", "Alpha", "Beta", "--csv", str(out), "--force", "--geodata", str(TOY))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("corridor,")
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]  # no temp file left


def test_output_in_missing_folder_exits_2_before_work(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "m.csv"
    proc = run_cli("skim", "Alpha", "Beta", "--csv", str(out), "--geodata", str(TOY))
    assert proc.returncode == 2
    assert "does not exist" in _one_line_error(proc.stderr)
    assert not out.exists()


def test_skim_json() -> None:
    proc = run_cli(
        "skim", "Alpha", "Beta", "Gamma", "--by", "distance", "--json", "--geodata", str(TOY)
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["Alpha"]["Beta"] == 180  # the rail line, shorter than the 220 km road


def test_version_and_help() -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("corridors ")
    proc = run_cli("--help")
    assert proc.returncode == 0 and "route" in proc.stdout and "compare" in proc.stdout


def test_usage_error_exits_2() -> None:
    proc = run_cli("route", "--nonsense")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_route_title_keeps_the_corridor_tag() -> None:
    # the tag is in square brackets, which rich would read as markup
    proc = run_cli("route", "Zhanaozen", "Bandar Abbas", "--by", "cost")
    assert proc.returncode == 0, proc.stderr
    assert "[kti, 100% of km on it]" in proc.stdout.splitlines()[0]


def test_scenario_output_in_a_format_it_cannot_take_fails_before_the_run(tmp_path: Path) -> None:
    out = tmp_path / "mc.html"
    proc = run_cli(
        "scenario", "montecarlo", "ferry-headway-halved", "--draws", "5", "--out", str(out)
    )
    assert proc.returncode == 2
    line = one_line_error(proc.stderr)
    assert "a Monte Carlo summary cannot be written as HTML" in line
    assert line.endswith(".csv, .xlsx, .json, .png, .svg, .pdf")
    assert list(tmp_path.iterdir()) == []
    chart = run_cli("scenario", "sweep", "ferry-headway-halved", "--chart", str(tmp_path / "s.csv"))
    assert chart.returncode == 2
    assert "a chart cannot be written as CSV" in one_line_error(chart.stderr)
    assert list(tmp_path.iterdir()) == []
