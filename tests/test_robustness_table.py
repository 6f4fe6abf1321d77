"""The table of hostile inputs in docs/robustness.md, checked case by case and kept current.

``CASES`` run the command line as a user would and check its exit code and one-line error;
``PROVEN`` rows name the test that holds them (signals, monkeypatched disks, planted cache
files). The document is written from both: ``CORRIDORS_WRITE_ROBUSTNESS=1 pytest
tests/test_robustness_table.py`` rewrites it, and the test fails while the checked-in copy
is stale.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import one_line_error, run_cli

from corridors.data.locate import geodata_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "robustness.md"

GOOD_SCENARIO = """\
name: test
cites: [seed-003]
od: ['Almaty:Bandar Abbas']
changes:
  - close: {border: TM-IR}
"""


@dataclass(frozen=True)
class Case:
    """A hostile input given to the command line, and what must come out."""

    kind: str
    what: str
    setup: Callable[[Path], list[str]]  # builds files under a folder; returns the CLI args
    code: int
    says: str  # a pattern the one-line error (or, for exit 0, stderr) must match
    outcome: str  # the same, in words, for the table
    report: str = ""  # a pattern a line of stdout (the validation report) must match


@dataclass(frozen=True)
class Proven:
    """A hostile input whose outcome another test holds."""

    kind: str
    what: str
    outcome: str
    test: str  # path::function of the test


def _geodata(folder: Path, edit: Callable[[Path], None]) -> Path:
    copy = folder / "geodata"
    shutil.copytree(geodata_dir(None), copy)
    edit(copy)
    return copy


def _route_on(edit: Callable[[Path], None]) -> Callable[[Path], list[str]]:
    return lambda folder: ["route", "Almaty", "Tashkent", "--geodata", str(_geodata(folder, edit))]


def _validate_on(edit: Callable[[Path], None]) -> Callable[[Path], list[str]]:
    return lambda folder: ["data", "validate", "--geodata", str(_geodata(folder, edit))]


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda copy: (copy / name).write_text(text, encoding="utf-8")


def _link_cell(column: str, value: str) -> Callable[[Path], None]:
    def edit(copy: Path) -> None:
        lines = (copy / "links.csv").read_text(encoding="utf-8").splitlines()
        header = lines[0].split(",")
        row = lines[1].split(",")
        row[header.index(column)] = value
        lines[1] = ",".join(row)
        (copy / "links.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _scenario(text: str, command: str = "validate") -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        (folder / "inner").mkdir()
        path = folder / "inner" / "s.yaml"
        path.write_text(text, encoding="utf-8")
        return ["scenario", command, str(path)]

    return setup


def _bomb() -> str:
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    return GOOD_SCENARIO + "\n".join(lines) + "\n"


def _route(*extra: str) -> Callable[[Path], list[str]]:
    return lambda folder: ["route", "Almaty", "Tashkent", *extra]


GEOMETRY = "geometry/links.geojson"
CASES = [
    # scenario files
    Case(
        "Scenario files",
        "YAML alias bomb (9^11 strings from 600 bytes)",
        _scenario(_bomb()),
        2,
        r"s\.yaml:\d+: invalid YAML: anchors and aliases .* not allowed",
        "`FILE:LINE: invalid YAML: anchors and aliases (&name, *name) are not allowed`",
    ),
    Case(
        "Scenario files",
        "`base: /etc/passwd`",
        _scenario(GOOD_SCENARIO + "base: /etc/passwd\n"),
        2,
        r"`base` is '/etc/passwd', which is outside",
        "refused before it is opened; names the option that allows bases elsewhere",
    ),
    Case(
        "Scenario files",
        "`base: ../../../../etc/shadow`",
        _scenario(GOOD_SCENARIO + "base: ../../../../etc/shadow\n"),
        2,
        r"`base` is '\.\./\.\./\.\./\.\./etc/shadow', which is outside",
        "refused before it is opened; no content of the file is shown",
    ),
    Case(
        "Scenario files",
        "scenario name with a terminal escape sequence (ESC [2J)",
        _scenario(GOOD_SCENARIO.replace("name: test", 'name: "test\\e[2J"')),
        2,
        r"s\.yaml:1: a value holds the control character U\+001B",
        "`FILE:1: a value holds the control character U+001B; remove it`",
    ),
    Case(
        "Scenario files",
        "scenario file over 1 MiB",
        _scenario(GOOD_SCENARIO + "# " + "x" * (1024 * 1024) + "\n"),
        2,
        r"scenario files are limited to 1048576 bytes",
        "refused before parsing: scenario files are limited to 1 MiB",
    ),
    # geodata
    Case(
        "Geodata",
        "empty `nodes.csv`",
        _route_on(_write("nodes.csv", "")),
        2,
        r"nodes\.csv: file is empty",
        "`geodata has N problem(s): nodes.csv: file is empty; expected a header line; ...`",
    ),
    Case(
        "Geodata",
        "empty `links.csv`",
        _route_on(_write("links.csv", "")),
        2,
        r"links\.csv: file is empty",
        "`geodata has N problem(s): links.csv: file is empty; ...`",
    ),
    Case(
        "Geodata",
        "`geometry/links.geojson` cut short",
        _route_on(_write(GEOMETRY, '{"type": "FeatureCollection", "features": [')),
        2,
        r"geometry/links\.geojson:\d+: invalid JSON",
        "`geometry/links.geojson:LINE: invalid JSON: ...`",
    ),
    Case(
        "Geodata",
        "`geometry/links.geojson` whose `features` is not a list",
        _route_on(_write(GEOMETRY, '{"type": "FeatureCollection", "features": {}}')),
        2,
        r"expected a GeoJSON FeatureCollection with a list of features",
        "`geometry/links.geojson: expected a GeoJSON FeatureCollection with a list of features`",
    ),
    Case(
        "Geodata",
        "`geometry/links.geojson` with a one-number position",
        _route_on(
            _write(
                GEOMETRY,
                '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                '{"id": "x"}, "geometry": {"type": "LineString", "coordinates": [[1]]}}]}',
            )
        ),
        2,
        r"is not a LineString of at least two \[lon, lat\] positions",
        "names the feature: not a LineString of at least two [lon, lat] positions",
    ),
    Case(
        "Geodata",
        "`length_km` of 1e308 (`data validate`)",
        _validate_on(_link_cell("length_km", "1e308")),
        2,
        r"\d+ problem\(s\)",
        "`links.csv:2: length_km 1e+308 is larger than any real value; it must be at most "
        "40,000 of km`",
        r"^links\.csv:2: length_km 1e\+308 is larger than any real value; .*40,000 of km$",
    ),
    Case(
        "Geodata",
        "NUL character in a cell (`data validate`)",
        _validate_on(_link_cell("note", "a\x00b")),
        2,
        r"\d+ problem\(s\)",
        "links.csv:2: column note holds the control character U+0000; remove it",
        r"^links\.csv:2: column `note` holds the control character U\+0000; remove it$",
    ),
    # options
    Case(
        "Query options",
        "`--avoid-country XX`",
        _route("--avoid-country", "XX"),
        2,
        r"avoid-country 'XX' is not a country of the network",
        "refused, listing the network's countries",
    ),
    Case(
        "Query options",
        "`--avoid-link` with a typo",
        _route("--avoid-link", "rail-kz-zhanaozen-kz-bolashakk"),
        2,
        r"did you mean rail-kz-zhanaozen-kz-bolashak",
        "refused with the closest link ids",
    ),
    Case(
        "Query options",
        "`--avoid-border KZ-PK` (no link crosses it)",
        _route("--avoid-border", "KZ-PK"),
        2,
        r"avoid-border KZ-PK is not a border .*borders of KZ and PK",
        "refused, listing the borders of the two countries",
    ),
    Case(
        "Query options",
        "`--via` equal to the origin",
        _route("--via", "Almaty"),
        2,
        r"via kz-almaty is the origin",
        "`via kz-almaty is the origin; a waypoint must be another place`",
    ),
]

PROVEN = [
    Proven(
        "Network cache",
        "cache file replaced by a pickle that would run code",
        "runs no code (the cache is JSON); discarded and rebuilt with one warning",
        "tests/graph/test_cache.py::test_planted_pickle_runs_no_code_and_is_replaced",
    ),
    Proven(
        "Network cache",
        "cache file cut short, not UTF-8, wrong types, packed numbers that are not base64 or "
        "not whole numbers, bad indices, old format, not an object",
        "discarded and rebuilt with one warning; the next run reads the new file quietly",
        "tests/graph/test_cache.py::test_damaged_cache_is_rebuilt_with_one_warning",
    ),
    Proven(
        "Network cache",
        "cache folder other users can write to",
        "not used (one warning: chmod 700 or another CORRIDORS_CACHE_DIR); nothing read or written",
        "tests/graph/test_cache.py::test_folder_others_can_write_is_refused",
    ),
    Proven(
        "Network cache",
        "full disk, MemoryError or Ctrl-C while the cache is written",
        "no temporary file left; only the cache is lost (Ctrl-C still stops the run)",
        "tests/graph/test_cache.py::test_a_failed_write_leaves_no_temporary_file",
    ),
    Proven(
        "Network cache",
        "random damage to a cache file (cut, flipped byte, spliced JSON), property-tested",
        "read or discarded, never an exception",
        "tests/test_fuzz_inputs.py::test_damaged_cache_files_are_refused_never_raise",
    ),
    Proven(
        "Scenario files",
        "YAML with anchors and aliases, property-tested",
        "refused within 2 s",
        "tests/test_fuzz_inputs.py::test_yaml_with_aliases_is_refused_at_once",
    ),
    Proven(
        "Scenario files",
        "`base:` through a symlink pointing outside the folder",
        "refused (the link is resolved before the bound is checked)",
        "tests/scenarios/test_scenario_errors.py::test_symlinked_base_pointing_outside_is_refused",
    ),
    Proven(
        "Geodata",
        "bad row after a quoted cell spanning two lines",
        "the problem names the physical line (`nodes.csv:6`), not the row number",
        "tests/test_hostile_inputs.py::test_problem_lines_are_physical_after_a_cell_spanning_lines",
    ),
    Proven(
        "Geodata",
        "any `nodes.csv` / `links.csv` content, property-tested",
        "problems on one line each, never an exception, no control character echoed",
        "tests/test_fuzz_inputs.py::test_any_nodes_and_links_tables_give_problems_not_exceptions",
    ),
    Proven(
        "Resources",
        "a `links.csv` of more than 2,500,000 rows",
        "refused while it streams: `links.csv: more than 2,500,000 rows; geodata tables are "
        "limited to 2,500,000 rows` (a million links are read and checked; BENCHMARKS.md "
        "gives their time and memory)",
        "tests/test_hostile_inputs.py::test_tables_beyond_the_row_limit_are_refused_with_the_limit",
    ),
    Proven(
        "Resources",
        "`corridors data validate` on a network too large for the memory left (check 10's "
        "routing graphs)",
        "one line, `error: the network of N links is too large to check in this machine's "
        "memory: ...` (exit 2), not a problem of the data",
        "tests/routing/test_check_ten_memory.py::"
        "test_memory_running_out_in_check_ten_is_one_error_about_size",
    ),
    Proven(
        "Output files",
        "GeoPackage or XLSX export on a full disk",
        "`error: cannot write FILE: ...` (exit 2); no file, no temporary file",
        "tests/test_hostile_inputs.py::test_export_on_a_full_disk_is_one_error_and_no_file",
    ),
    Proven(
        "Output files",
        "`--force` over a 0600 file",
        "the new file keeps mode 0600",
        "tests/test_hostile_inputs.py::test_force_keeps_the_mode_of_the_file_it_replaces",
    ),
    Proven(
        "Processes",
        "SIGTERM to a Monte Carlo parent with two workers (while loading, while drawing)",
        "exit 143, no traceback, workers stopped, nothing (and no `.X.tmp`) left",
        "tests/test_process_signals.py::test_sigterm_to_a_montecarlo_parent_stops_quietly",
    ),
    Proven(
        "Processes",
        "SIGTERM to a sweep parent",
        "exit 143, `interrupted after N of M point(s); nothing written`, previous file kept",
        "tests/test_process_signals.py::test_sigterm_to_a_sweep_parent_keeps_the_previous_file",
    ),
    Proven(
        "Processes",
        "SIGTERM to a validation while a child reads its drawn lines ahead",
        "exit 143, `terminated`, no traceback, the child stopped",
        "tests/test_process_signals.py::test_sigterm_to_a_validation_stops_its_read_ahead_child",
    ),
    Proven(
        "Processes",
        "the read-ahead child killed",
        "the validation reads the file itself: the same result",
        "tests/data/test_scan_ahead.py::test_a_child_that_dies_leaves_the_parent_to_read_the_file",
    ),
    Proven(
        "Processes",
        "the read-ahead child's answer cut short, padded or malformed (twelve kinds)",
        "refused; the validation then reads the file itself",
        "tests/data/test_scan_ahead.py::test_an_answer_that_is_not_sound_is_refused",
    ),
    Proven(
        "Processes",
        "a worker killed (SIGKILL, as the out-of-memory killer does)",
        "the run fails at once with a one-line error (exit 3) instead of hanging",
        "tests/test_process_signals.py::test_a_killed_worker_fails_the_run_instead_of_hanging",
    ),
    Proven(
        "Processes",
        "a platform without `fork`",
        "one worker by default; the tasks run in this process, in order",
        "tests/test_process_signals.py::test_without_fork_one_worker_runs_in_order",
    ),
]

KINDS = [
    "Network cache",
    "Scenario files",
    "Geodata",
    "Query options",
    "Resources",
    "Output files",
    "Processes",
]


def render() -> str:
    """Return docs/robustness.md as the cases say."""
    out = [
        "# Robustness: hostile inputs and what corridors does with them",
        "",
        "Generated from `tests/test_robustness_table.py`, which runs every row marked `CLI`",
        "as a user would (exit code and one-line `error:` checked, no traceback) and checks",
        "that every other row's test exists. Rewrite it with",
        "`CORRIDORS_WRITE_ROBUSTNESS=1 pytest tests/test_robustness_table.py`.",
        "",
        "Exit codes: 0 ok, 1 no route, 2 bad input, 3 a run failed (a worker died), 130",
        "Ctrl-C, 143 SIGTERM. Limits: geodata tables 2,500,000 rows; scenario files 1 MiB; link",
        "lengths 40,000 km, speeds 1,000 km/h, sailing and headway 8,760 h; network cache",
        "files 512 MiB.",
        "",
        "The property tests run 100 examples each in the suite; run",
        "`HYPOTHESIS_PROFILE=thorough pytest tests/test_fuzz_inputs.py` (10,000 each) once",
        "before each release. Last thorough run, 2026-12-06: five properties, 10,000 examples",
        "each, none failing, in 64 minutes on 2 busy cores (geodata tables 35 minutes, damaged",
        "cache files 21).",
    ]
    for kind in KINDS:
        out += ["", f"## {kind}", "", "| hostile input | outcome | checked by |", "|---|---|---|"]
        for case in CASES:
            if case.kind == kind:
                out.append(f"| {case.what} | exit {case.code}: {case.outcome} | CLI |")
        for proven in PROVEN:
            if proven.kind == kind:
                name = proven.test.split("::")[1]
                out.append(f"| {proven.what} | {proven.outcome} | `{name}` |")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("case", CASES, ids=[c.what for c in CASES])
def test_hostile_input_on_the_command_line(tmp_path: Path, case: Case) -> None:
    args = case.setup(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    proc = run_cli(*args)
    assert proc.returncode == case.code, proc.stderr[-2000:]
    line = one_line_error(proc.stderr)
    assert re.search(case.says, line), line
    if case.report:
        assert re.search(case.report, proc.stdout, re.MULTILINE), proc.stdout[-2000:]
    assert "\x1b" not in proc.stdout + proc.stderr and "\x00" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing left behind


@pytest.mark.parametrize("proven", PROVEN, ids=[p.what for p in PROVEN])
def test_proven_rows_name_tests_that_exist(proven: Proven) -> None:
    path, name = proven.test.split("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert name in names, f"{proven.test} does not exist"


def test_every_kind_has_rows_and_the_doc_is_current() -> None:
    for kind in KINDS:
        assert any(c.kind == kind for c in [*CASES, *PROVEN]), kind
    text = render()
    if os.environ.get("CORRIDORS_WRITE_ROBUSTNESS") == "1":
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, (
        "docs/robustness.md is stale: rerun with CORRIDORS_WRITE_ROBUSTNESS=1"
    )
