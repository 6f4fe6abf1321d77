"""Every example in README.md runs: console commands, the quickstart and the Python blocks."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import corridors

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: The CLI installed beside the Python that runs the tests.
CLI = str(Path(sys.executable).with_name("corridors"))


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def _console_commands() -> list[list[str]]:
    """The ``$ corridors ...`` lines of the console blocks, as argument lists."""
    out = []
    for block in _blocks("console"):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append(shlex.split(line[2:], comments=True))
    return out


def _quickstart_commands() -> list[list[str]]:
    """The ``.venv/bin/corridors ...`` parts of the bash blocks.

    The quickstart creates a venv and pip-installs the package before running the CLI. The
    test suite itself runs from a pip-installed package, so only the ``corridors ...`` part
    of such a line runs here, with the CLI installed beside the test's Python.
    """
    out = []
    for block in _blocks("bash"):
        for line in block.splitlines():
            for part in line.split("&&"):
                args = shlex.split(part, comments=True)
                if args and (args[0] == "corridors" or args[0].endswith(".venv/bin/corridors")):
                    out.append(["corridors", *args[1:]])
    return out


def _run(args: list[str], cwd: Path, columns: int = 160) -> subprocess.CompletedProcess[str]:
    assert args[0] == "corridors", args
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": str(columns)}
    return subprocess.run(
        [CLI, *args[1:]], capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False
    )


CONSOLE = _console_commands()
QUICKSTART = _quickstart_commands()


def test_readme_has_examples() -> None:
    assert len(CONSOLE) >= 5
    assert len(QUICKSTART) == 1  # the install-and-compare line
    assert len(_blocks("python")) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("args", CONSOLE + QUICKSTART, ids=lambda a: " ".join(a)[:60])
def test_readme_command_runs(args: list[str], tmp_path: Path) -> None:
    proc = _run(args, tmp_path)
    assert proc.returncode == 0, f"{shlex.join(args)} exited {proc.returncode}: {proc.stderr}"
    assert (proc.stdout + proc.stderr).strip(), f"{shlex.join(args)} printed nothing"
    if "--corridor" in args and args[1] == "compare":
        # an example that asks for corridors shows them serving the pair
        assert "cannot serve this pair" not in proc.stdout, proc.stdout


def test_quickstart_runs_on_any_supported_python_and_activates_the_venv() -> None:
    block = next(b for b in _blocks("bash") if "venv" in b)
    assert not re.search(r"python3\.\d+", block), block  # 3.11 and 3.12 both work
    assert ". .venv/bin/activate" in block or "source .venv/bin/activate" in block
    assert re.search(r"&& corridors ", block)  # the bare command, as after activation


def test_readme_counts_the_notebooks() -> None:
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    count = len(list((README.parent / "notebooks").glob("*.ipynb")))
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert f"notebooks](notebooks/) work through {words[count]} questions" in text


#: A number cut short by a too-narrow column: "5,4…", "+1,…", "264…".
CUT_NUMBER = re.compile(r"[\d,.+]…")


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("args", CONSOLE + QUICKSTART, ids=lambda a: " ".join(a)[:60])
def test_readme_command_fits_the_terminal(args: list[str], columns: int, tmp_path: Path) -> None:
    """In an 80- or 120-column terminal no line is wider and nothing is cut with an ellipsis."""
    if "--json" in args:
        pytest.skip("JSON is for programs: one line by design")
    proc = _run(args, tmp_path, columns=columns)
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert len(line) <= columns, f"{len(line)} > {columns}: {line!r}"
        assert not CUT_NUMBER.search(line), line
        assert "…" not in line, line


@pytest.mark.slow
def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict[str, object] = {"__name__": "__readme__"}
    for i, block in enumerate(_blocks("python"), 1):
        exec(compile(block, f"README.md python block {i}", "exec"), namespace)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written, "the Python examples wrote none of the files they name"


def test_what_the_network_says_paragraph_holds() -> None:
    """The README's example findings are what the shipped network gives."""
    import itertools

    text = README.read_text(encoding="utf-8")
    para = text[text.index("What the shipped network says") : text.index("## What-if scenarios")]
    para = " ".join(para.split())
    comparison = corridors.compare("Almaty", "Bandar Abbas", by="cost")
    best = comparison.routes["best"]
    kti, sarakhs = comparison.routes["kti"], comparison.routes["sarakhs"]
    # the cheapest route runs by rail over the KTI railway (the corridor's own route is it);
    # without Turkmenistan, by rail and the Caspian ferry
    assert best.cost_usd == kti.cost_usd and best.closest is not None and best.closest[0] == "kti"
    assert {c.mode for c in best.components if c.kind == "haul"} == {"rail"}
    assert list(best.countries) == ["KZ", "TM", "IR"]
    ferry = corridors.route("Almaty", "Bandar Abbas", by="cost", avoid_countries=["TM"])
    assert any(c.mode == "ferry" and c.kind == "haul" for c in ferry.components)
    assert list(ferry.countries) == ["KZ", "IR"]
    assert kti.cost_usd < sarakhs.cost_usd < ferry.cost_usd
    assert kti.distance_km - sarakhs.distance_km > 1_500  # "nearly 2,000 km shorter"
    assert sarakhs.time_h < kti.time_h  # "and faster"
    for stated, route in (("1,070", kti), ("1,310", ferry), ("1,170", sarakhs)):
        assert f"USD {stated}" in para and abs(route.cost_usd - float(stated.replace(",", ""))) < 15
    for origin in ("Zhanaozen", "Beyneu", "Aktau"):
        rail = corridors.route(origin, "Bandar Abbas", by="cost", modes="rail")
        assert rail.corridor == "kti", origin
    hubs = re.search(r"14 hubs \(([^)]*)\)", para)
    assert hubs is not None
    names = [h.strip() for h in hubs.group(1).split(",")]
    routed = by_road = 0
    for a, b in itertools.permutations(names, 2):
        route = corridors.route(a, b, by="time")
        routed += 1
        km: dict[str, float] = {}
        for c in route.components:
            if c.kind == "haul":
                km[c.mode] = km.get(c.mode, 0.0) + c.distance_km
        by_road += km.get("road", 0.0) > 0.5 * sum(km.values())
    assert f"of the {routed} routed pairs" in para
    assert f"{by_road} run mostly by road" in para
    assert by_road < routed / 2  # "rail wins on most pairs"
