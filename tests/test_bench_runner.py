"""The benchmark runner runs end to end and writes its report; nothing here is timed.

The runner's numbers are not checked (they depend on the machine); what is checked is
that one command produces the rows, ratios and checks it promises, that ``--update``
rewrites only the marked blocks of a Markdown file, and that a file without them is
refused before anything runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "benchmarks" / "run.py"

DOC = """# Benchmarks

Prose before.

<!-- machine:start -->
old machine
<!-- machine:end -->

Prose between.

<!-- results:start -->
old results
<!-- results:end -->

Prose after.
"""


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_quick_route_workload_writes_json_and_updates_the_document(tmp_path: Path) -> None:
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(DOC, encoding="utf-8")
    out = tmp_path / "bench.json"
    proc = _run("--quick", "--only", "1", "--json", str(out), "--update", str(doc), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    methods = {r["method"] for r in report["rows"]}
    assert "routing.route (p50)" in methods
    assert any(m.startswith("`corridors route ") for m in methods)
    assert all(r["total_s"] > 0 for r in report["rows"])
    assert report["facts"]["network"]["kind"] == "shipped"
    text = doc.read_text(encoding="utf-8")
    assert "old results" not in text and "old machine" not in text
    assert "### Workload 1 route" in text and "| Python |" in text
    for kept in ("Prose before.", "Prose between.", "Prose after."):
        assert kept in text


def test_update_without_marked_blocks_is_refused_before_running(tmp_path: Path) -> None:
    doc = tmp_path / "NOTES.md"
    doc.write_text("# no blocks here\n", encoding="utf-8")
    proc = _run("--update", str(doc), cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no <!-- results:start -->" in lines[0], proc.stderr
    assert doc.read_text(encoding="utf-8") == "# no blocks here\n"
    missing = _run("--update", str(tmp_path / "absent.md"), cwd=tmp_path)
    assert missing.returncode == 2 and "cannot read it" in missing.stderr
