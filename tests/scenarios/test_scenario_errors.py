"""Malformed scenario files, bad run settings, interrupts: one-line errors, exit 2, no output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import one_line_error, run_cli
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import corridors
from corridors.errors import CorridorsError
from corridors.graph.network import Network
from corridors.scenarios.scenario import Scenario

GOOD = """\
name: test
cites: [seed-003]
od: ['Almaty:Bandar Abbas']
changes:
  - close: {border: TM-IR}
"""


# (file text, line the error names, what the message must say)
CASES = {
    "syntax": ("name: test\ncites: [seed-003\nchanges: []\n", 3, r"invalid YAML"),
    "unknown top key": (
        GOOD.replace("changes:", "chnages:"),
        4,
        r"unknown key `chnages`; did you mean `changes`\?",
    ),
    "unknown selector key": (
        GOOD.replace("border: TM-IR", "bordr: TM-IR"),
        5,
        r"unknown key `changes\[0\]\.close\.bordr`; did you mean `border`\?",
    ),
    "unknown action": (GOOD.replace("close:", "shut:"), 5, r"unknown key `changes\[0\]\.shut`"),
    "wrong type": (GOOD + "year: soon\n", 6, r"`year`: .*integer.*\(got 'soon'\)"),
    "negative speed": (
        GOOD.replace("- close: {border: TM-IR}", "- set: {where: {mode: rail}, speed_kph: -5}"),
        5,
        r"speed_kph is -5; it must not be negative",
    ),
    "bad border": (GOOD.replace("TM-IR", "TMIR"), 5, r"must be two ISO codes"),
    "selector matches nothing": (
        GOOD.replace("border: TM-IR", "link: rail-kz-zhanaozen-kz-bolashakk"),
        5,
        r"no link 'rail-kz-zhanaozen-kz-bolashakk'; did you mean `rail-kz-zhanaozen-kz-bolashak`\?",
    ),
    "border without links": (GOOD.replace("TM-IR", "KZ-PK"), 5, r"matches no link"),
    "unknown source": (GOOD.replace("seed-003", "seed-033"), 2, r"cites 'seed-033'.*did you mean"),
    "unknown parameter": (
        GOOD.replace(
            "- close: {border: TM-IR}", "- scale: {where: {mode: ferry}, headway_h: $fast}"
        ),
        5,
        r"uses \$fast, which `parameters` does not define",
    ),
    "two actions": (
        GOOD.replace("- close: {border: TM-IR}", "- {close: {border: TM-IR}, open: {mode: rail}}"),
        5,
        r"exactly one action",
    ),
    "duplicate key": (GOOD + "name: again\n", 6, r"key `name` is given twice"),
    "not a mapping": ("- just\n- a list\n", 1, r"is a mapping with name, cites and changes"),
    "missing name": (GOOD.replace("name: test\n", ""), 1, r"key `name` is required"),
    "unknown place": (
        GOOD.replace("border: TM-IR", "node: Almatx"),
        5,
        r"unknown place 'Almatx'.*did you mean",
    ),
    "unknown corridor": (
        GOOD.replace("border: TM-IR", "corridor: ktii"),
        5,
        r"unknown corridor 'ktii'; did you mean `kti`\?",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_scenario_api(tmp_path: Path, net: Network, case: str) -> None:
    text, line, pattern = CASES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(corridors.ScenarioError) as info:
        Scenario.from_yaml(path).apply(net)
    message = str(info.value)
    assert re.search(pattern, message), message
    assert f"{path}:{line}:" in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    "case",
    ["syntax", "unknown top key", "negative speed", "selector matches nothing", "duplicate key"],
)
def test_malformed_scenario_cli(tmp_path: Path, case: str) -> None:
    text, line, pattern = CASES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    proc = run_cli("scenario", "run", str(path), "--out", str(out))
    assert proc.returncode == 2
    message = one_line_error(proc.stderr)
    assert re.search(pattern, message) and f"bad.yaml:{line}:" in message, message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_circular_base(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD + "base: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD + "base: a.yaml\n", encoding="utf-8")
    with pytest.raises(
        corridors.ScenarioError, match=r"circular base: a\.yaml → b\.yaml → a\.yaml"
    ):
        Scenario.from_yaml(tmp_path / "a.yaml")
    proc = run_cli("scenario", "validate", str(tmp_path / "a.yaml"))
    assert proc.returncode == 2
    assert "circular base" in one_line_error(proc.stderr)


def test_missing_base_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD + "base: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(corridors.ScenarioError, match=r"a\.yaml:6: `base` is 'nowhere\.yaml'"):
        Scenario.from_yaml(tmp_path / "a.yaml")
    proc = run_cli("scenario", "run", "ferry-headway-halvd")
    assert proc.returncode == 2
    assert "did you mean `ferry-headway-halved`" in one_line_error(proc.stderr)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["montecarlo", "ferry-headway-halved", "--draws", "0"], "draws=0 is out of range"),
        (
            ["montecarlo", "ferry-headway-halved", "--draws", "10000000"],
            "draws=10000000 is out of range",
        ),
        (["montecarlo", "ferry-headway-halved", "--workers", "0"], "workers=0 is out of range"),
        (["sweep", "ferry-headway-halved", "--workers", "0"], "workers=0 is out of range"),
        (["montecarlo", "tm-ir-border-closed"], "no `uncertain` section"),
        (["sweep", "tm-ir-border-closed"], "nothing to sweep"),
        (
            ["sweep", "ferry-headway-halved", "--set", "headway=1,2"],
            "not a parameter; did you mean",
        ),
        (["sweep", "ferry-headway-halved", "--set", "headway_factor=1:0:1"], "STOP >= START"),
        (
            ["sweep", "ferry-headway-halved", "--set", "headway_factor=fast"],
            "values must be numbers",
        ),
        (["sweep", "ferry-headway-halved", "--set", "headway_factor=0:1000:0.01"], "at most 2,000"),
        (["run", "ferry-headway-halved", "--od", "Khorgos"], "must be ORIGIN:DESTINATION"),
        (["run", "ferry-headway-halved", "--by", "speed"], "`by`"),
    ],
)
def test_out_of_range_runs_exit_2(args: list[str], expected: str) -> None:
    proc = run_cli("scenario", *args)
    assert proc.returncode == 2, proc.stderr
    assert expected in one_line_error(proc.stderr)


def test_out_of_range_runs_in_the_api(net: Network) -> None:
    s = corridors.scenarios.load_scenario("ferry-headway-halved")
    with pytest.raises(corridors.InvalidOptionError, match="draws=0"):
        s.montecarlo(draws=0, net=net)
    with pytest.raises(corridors.InvalidOptionError, match="draws=10000000"):
        s.montecarlo(draws=10**7, net=net)
    with pytest.raises(corridors.ScenarioError, match="no parameter 'speed'"):
        s.with_parameters(speed=2)


def test_existing_output_needs_force_and_stays_intact(tmp_path: Path) -> None:
    out = tmp_path / "result.csv"
    out.write_text("previous\n", encoding="utf-8")
    proc = run_cli("scenario", "run", "tm-ir-border-closed", "--out", str(out))
    assert proc.returncode == 2
    assert "--force" in one_line_error(proc.stderr)
    assert out.read_text(encoding="utf-8") == "previous\n"


def _ctrl_c_heard() -> None:
    # a run started in the background of a shell without job control inherits SIGINT
    # ignored, and Python then never turns it into KeyboardInterrupt; a user's Ctrl-C at a
    # terminal is heard, which is what these tests stand for
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _sweep_process(out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corridors",
            "scenario",
            "sweep",
            "iran-driver-visa-14d",
            "--set",
            "visa_days=1:60:0.25",
            "--out",
            str(out),
            "--force",
        ],
        cwd=out.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_heard,
    )


@pytest.mark.serial
def test_interrupted_sweep_stops_cleanly_and_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    out.write_text("previous results\n", encoding="utf-8")
    proc = _sweep_process(out)
    assert proc.stderr is not None
    started = proc.stderr.readline()  # printed once the sweep loop is about to start
    assert started.startswith("sweeping 237 point(s)"), started
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    hit = re.search(r"interrupted after (\d+) of 237 point\(s\); nothing written", err)
    assert hit, err
    assert 0 <= int(hit.group(1)) < 237
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep.csv"]


@pytest.mark.serial
def test_interrupted_montecarlo_with_two_processes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "corridors",
            "scenario",
            "montecarlo",
            "ferry-headway-halved",
            "--draws",
            "100000",
            "--workers",
            "2",
            "--out",
            str(tmp_path / "mc.csv"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_heard,
    )
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith("drawing 100,000")
    time.sleep(3.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted after" in err
    assert list(tmp_path.iterdir()) == []


# -- fuzz: the parser and applier end in a scenario or a project error, nothing else ---------------

_KEYS = [
    "name",
    "cites",
    "changes",
    "od",
    "base",
    "year",
    "by",
    "profile",
    "include",
    "parameters",
    "sweep",
    "uncertain",
    "draws",
    "seed",
    "open",
    "close",
    "set",
    "scale",
    "add_link",
    "max_stay",
    "where",
    "link",
    "node",
    "country",
    "border",
    "mode",
    "corridor",
    "kind",
    "time_h",
    "headway_h",
    "speed_kph",
    "fee_usd",
    "days",
    "attribute",
    "distribution",
    "x",
]
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["TM-IR", "rail", "seed-003", "Almaty:Bandar Abbas", "kti", "IR", "$x", "", "ферри"]
    ),
    st.text(max_size=12),
)
_DOCS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(_KEYS), st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=20,
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(doc={"\n": None})  # a key with a line break: the message must stay on one line
@given(doc=_DOCS)
def test_scenario_parser_fuzz(tmp_path: Path, net: Network, doc: object) -> None:
    base = {"name": "fuzz", "cites": ["seed-003"]}
    data = {**base, **doc} if isinstance(doc, dict) else doc
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        Scenario.from_yaml(path).apply(net)
    except CorridorsError as err:
        assert str(err) and "\n" not in str(err)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=200))
def test_scenario_text_fuzz(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        Scenario.from_yaml(path)
    except CorridorsError as err:
        assert str(err)


# -- aliases and `base:` bounds ------------------------------------------------------------
def _alias_bomb(depth: int = 12) -> str:
    # each level lists the one above nine times: 9**depth strings from a few hundred bytes
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return GOOD + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [_alias_bomb(), GOOD + "base: &b baseline\n", GOOD.replace("TM-IR", "&x TM-IR")],
    ids=["bomb", "anchor-only", "anchor-in-change"],
)
def test_anchors_and_aliases_are_refused_quickly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(corridors.ScenarioError, match=r"anchors and aliases .* not allowed"):
        Scenario.from_yaml(path)
    assert time.monotonic() - start < 5
    proc = run_cli("scenario", "validate", str(path))
    assert proc.returncode == 2
    assert re.search(
        r"bomb\.yaml:\d+: invalid YAML: anchors and aliases", one_line_error(proc.stderr)
    )


def test_oversized_scenario_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(GOOD + "# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(corridors.ScenarioError, match=r"limited to 1048576 bytes"):
        Scenario.from_yaml(path)


@pytest.mark.parametrize(
    "base",
    ["/etc/passwd", "../../../../../../etc/shadow", "../outside.yaml", "/etc/hostname"],
)
def test_base_outside_the_folder_is_refused_without_reading_it(tmp_path: Path, base: str) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    secret = "secret-first-line: do not show"
    (tmp_path / "outside.yaml").write_text(secret + "\n", encoding="utf-8")
    path = inner / "a.yaml"
    path.write_text(GOOD + f"base: {base}\n", encoding="utf-8")
    with pytest.raises(corridors.ScenarioError, match=r"a\.yaml:6: `base` is .* outside") as err:
        Scenario.from_yaml(path)
    assert "secret" not in str(err.value) and "root:" not in str(err.value)
    proc = run_cli("scenario", "validate", str(path))
    assert proc.returncode == 2
    line = one_line_error(proc.stderr)
    assert "outside" in line and "CORRIDORS_SCENARIO_BASE_ANYWHERE=1" in line
    assert "secret" not in proc.stderr + proc.stdout and "root:" not in proc.stderr + proc.stdout


def test_base_anywhere_is_an_explicit_choice(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text(GOOD, encoding="utf-8")
    path = inner / "a.yaml"
    path.write_text(GOOD + "base: ../outside.yaml\n", encoding="utf-8")
    s = Scenario.from_yaml(path, base_anywhere=True)
    assert s.base is not None and s.base.path.name == "outside.yaml"
    # even then a base must be a scenario file, so no other file is parsed and echoed
    path.write_text(GOOD + "base: /etc/passwd\n", encoding="utf-8")
    with pytest.raises(corridors.ScenarioError, match=r"not a \.yaml scenario file"):
        Scenario.from_yaml(path, base_anywhere=True)


def test_base_may_name_a_shipped_scenario_and_a_file_below(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_text(GOOD, encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text(GOOD + "base: sub/b.yaml\n", encoding="utf-8")
    assert Scenario.from_yaml(path).base is not None
    path.write_text(GOOD + "base: ferry-headway-halved\n", encoding="utf-8")
    s = Scenario.from_yaml(path)
    assert s.base is not None and s.base.path.name == "ferry-headway-halved.yaml"


def test_symlinked_base_pointing_outside_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text(GOOD, encoding="utf-8")
    (inner / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    path = inner / "a.yaml"
    path.write_text(GOOD + "base: link.yaml\n", encoding="utf-8")
    with pytest.raises(corridors.ScenarioError, match=r"outside"):
        Scenario.from_yaml(path)


@pytest.mark.parametrize(
    ("written", "code"),
    [("\\e", "001B"), ("\\0", "0000"), ("\\x9b", "009B"), ("\x1b", "1B"), ("\x00", "0")],
    ids=["escaped-esc", "escaped-nul", "escaped-csi", "raw-esc", "raw-nul"],
)
def test_control_characters_in_scenario_text_are_refused(
    tmp_path: Path, written: str, code: str
) -> None:
    # YAML itself refuses raw control characters; written as escapes they parse, and the
    # loader refuses them
    path = tmp_path / "esc.yaml"
    path.write_text(GOOD.replace("name: test", f'name: "test{written}[2J"'), encoding="utf-8")
    proc = run_cli("scenario", "validate", str(path))
    assert proc.returncode == 2
    line = one_line_error(proc.stderr)
    assert re.search(
        rf"esc\.yaml:1: (a value holds the control character U\+{code}|invalid YAML: "
        rf"unacceptable character #x0*{code})",
        line,
        re.IGNORECASE,
    ), line
    assert "\x1b" not in proc.stderr + proc.stdout and "\x00" not in proc.stderr + proc.stdout


def test_markup_in_a_scenario_name_is_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "markup.yaml"
    path.write_text(GOOD.replace("name: test", 'name: "[bold red]Evil[/]"'), encoding="utf-8")
    proc = run_cli("scenario", "validate", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "[bold red]Evil[/]" in proc.stdout
