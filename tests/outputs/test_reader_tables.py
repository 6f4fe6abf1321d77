"""What a reader sees in the terminal: tables that fit, and scenario and Monte Carlo tables
that state what they compare and never print a dash where a value exists."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

import corridors
from corridors.graph.network import Network
from corridors.outputs.scenario_tables import montecarlo_table
from corridors.outputs.table_fit import Col, FitTable, fitted_lines

NUMBER = re.compile(r"\d[\d,]*(\.\d)?")


def test_fit_table_keeps_numbers_whole_and_names_what_it_drops() -> None:
    table = FitTable(
        [Col("place"), Col("km", numeric=True), Col("sources", keep=1), Col("note", keep=2)],
        title="t",
    )
    table.add_row("Almaty → Bandar Abbas", "12,345,678", "a-long-source-id " * 4, "some note")
    lines = list(fitted_lines(table, 40))
    assert all(len(line) <= 40 for line in lines)
    assert any("12,345,678" in line for line in lines)
    text = "\n".join(lines)
    assert "sources" in text.split("Not shown at this width:")[1]
    wide = "\n".join(fitted_lines(table, 400))
    assert "Not shown" not in wide
    assert "a-long-source-id" in wide


def test_scenario_named_corridors_show_baseline_where_scenario_has_none(net: Network) -> None:
    result = corridors.load_scenario("tm-ir-border-closed").compare(net)
    lines = list(fitted_lines(result, 80))
    assert all(len(line) <= 80 for line in lines)
    assert not any("—" in line for line in lines)
    # the KTI corridor has a baseline route (through Turkmenistan and Iran) that the closure
    # removes: its baseline row carries the numbers
    kti = [line for line in lines if "│ kti" in line and "baseline" in line]
    assert kti and all(NUMBER.search(line.split("baseline", 1)[1]) for line in kti)
    text = "\n".join(lines)
    assert "Best route by cost (USD)" in text  # the objective is stated


def test_opened_corridor_says_why_its_change_is_zero(net: Network) -> None:
    result = corridors.load_scenario("kz-tm-af-pk-open").compare(net)
    text = "\n".join(fitted_lines(result, 120))
    assert "other → other" not in text
    assert "counts its planned links as built" in text
    assert "its change is 0 by definition" in " ".join(text.split())


@pytest.fixture(scope="module")
def mc(net: Network) -> corridors.scenarios.montecarlo.MonteCarloResult:  # type: ignore[name-defined]
    return corridors.load_scenario("ferry-headway-halved").montecarlo(
        draws=200, seed=7, net=net, workers=1
    )


def test_montecarlo_rows_with_p_best_show_their_times(mc: object) -> None:
    lines = list(fitted_lines(montecarlo_table(mc), 120))  # type: ignore[arg-type]
    rows = [line for line in lines if re.search(r"\d%\s*│\s*$", line)]
    assert rows
    for line in rows:
        share = float(re.findall(r"([\d.]+)%", line)[-1])
        if share > 0:
            cells = [c.strip() for c in line.split("│")[3:-2]]
            assert all(NUMBER.fullmatch(c) for c in cells if c != ""), line
            assert "—" not in line
    text = "\n".join(lines)
    assert "generalized cost" in text
    assert "P(best): share of draws" in " ".join(text.split())


def test_montecarlo_csv_is_rounded_and_explained(mc: object, tmp_path: Path) -> None:
    path = mc.write(tmp_path / "mc.csv")  # type: ignore[attr-defined]
    frame = pd.read_csv(path)
    assert "p_best_fixed" not in frame.columns
    assert {"p_best_share", "p_lowest_fixed_share", "objective"} <= set(frame.columns)
    raw = path.read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{5,}", raw)  # no 16-digit floats


@pytest.mark.slow
def test_alternatives_start_with_a_side_by_side_summary() -> None:
    proc = run_cli("route", "Almaty", "Bandar Abbas", "--alternatives", "3", columns=80)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    summary = next(i for i, line in enumerate(lines) if "3 routes by time" in line)
    first_legs = next(i for i, line in enumerate(lines) if "┃ leg" in line)
    assert summary < first_legs
    rows = [line for line in lines[summary:first_legs] if re.match(r"│ [123] ", line)]
    assert len(rows) == 3


@pytest.mark.slow
def test_compare_names_the_json_key_and_the_reasons() -> None:
    proc = run_cli(
        "compare",
        "Khorgos",
        "Istanbul",
        "--corridor",
        "middle_corridor",
        "--corridor",
        "northern_route",
        columns=80,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Comparison.reasons" not in proc.stdout
    assert '"unavailable"' in proc.stdout
    assert "northern_route" in proc.stdout and "waypoints" in proc.stdout
