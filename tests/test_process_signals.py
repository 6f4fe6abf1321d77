"""Stopping runs: SIGTERM to a sweep or Monte Carlo parent, a worker killed, no fork."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import corridors
from corridors.scenarios import workers

# signals sent to a running process at chosen moments: run alone (scripts/test.sh)
pytestmark = pytest.mark.serial


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen(
        [sys.executable, "-m", "corridors", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("after", [0.5, 4.0])  # while loading, and while the workers draw
def test_sigterm_to_a_montecarlo_parent_stops_quietly(tmp_path: Path, after: float) -> None:
    out = tmp_path / "mc.csv"
    proc = _start(
        tmp_path,
        "scenario",
        "montecarlo",
        "ferry-headway-halved",
        "--draws",
        "100000",
        "--workers",
        "2",
        "--out",
        str(out),
    )
    time.sleep(after)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)  # would block while orphaned workers held stderr
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert err.strip().splitlines()[-1] in ("terminated",) or "nothing written" in err
    assert list(tmp_path.iterdir()) == []  # no .mc.csv.*.tmp either


@pytest.mark.slow
def test_sigterm_to_a_sweep_parent_keeps_the_previous_file(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    out.write_text("previous\n", encoding="utf-8")
    proc = _start(
        tmp_path,
        "scenario",
        "sweep",
        "aktau-grain-silo",
        "--workers",
        "2",
        "--out",
        str(out),
        "--force",
    )
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith("sweeping")
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and "nothing written" in err
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sweep.csv"]


def _suicide(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    time.sleep(0.05)
    return item


def test_a_killed_worker_fails_the_run_instead_of_hanging() -> None:
    if not workers.can_fork():
        pytest.skip("needs fork")
    seen: list[int] = []
    start = time.monotonic()
    with pytest.raises(corridors.errors.WorkerError, match="worker process died"):
        workers.run_ordered(_suicide, list(range(8)), 2, seen.append)
    assert time.monotonic() - start < 30
    assert seen == sorted(seen) and 3 not in seen
    assert corridors.errors.WorkerError.exit_code == 3


def _double(item: int) -> int:
    return item * 2


def test_without_fork_one_worker_runs_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "can_fork", lambda: False)
    assert workers.default_workers(None) == 1
    seen: list[int] = []
    workers.run_ordered(_double, [3, 1, 2], 2, seen.append)
    assert seen == [6, 2, 4]


def test_results_come_in_order_from_forked_workers() -> None:
    seen: list[int] = []
    workers.run_ordered(_double, list(range(20)), 2, seen.append)
    assert seen == [2 * i for i in range(20)]


def _slow(item: int) -> int:
    time.sleep(0.5)
    return item


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt, as in a shell, whatever the tests were started with.

    A command started in the background of a shell without job control (``cmd &``)
    inherits SIGINT ignored, and Python then installs no handler of its own.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("where", ["meanwhile", "result"])
@pytest.mark.usefixtures("ctrl_c_raises")
def test_a_signal_noted_just_before_the_pool_lets_go_is_delivered_at_once(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A signal that lands while held, after the last check, is not kept until the end."""
    if not workers.can_fork():
        pytest.skip("needs fork")
    real_release = workers._Deferred.release
    releases: list[int] = []

    def release(self: workers._Deferred) -> None:
        releases.append(1)
        # the first release before our own code: the signal lands while still held
        if len(releases) == (1 if where == "meanwhile" else 2) and self.saved:
            signal.raise_signal(signal.SIGINT)
        real_release(self)

    monkeypatch.setattr(workers._Deferred, "release", release)
    ran: list[str] = []
    seen: list[int] = []

    def meanwhile() -> None:
        ran.append("meanwhile")

    def on_result(item: int) -> None:
        seen.append(item)

    with pytest.raises(KeyboardInterrupt):
        workers.run_ordered(_slow, list(range(6)), 2, on_result, meanwhile)
    # the interrupt reached us before any more of our own code ran
    if where == "meanwhile":
        assert ran == []
    assert seen == []


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_to_a_validation_stops_its_read_ahead_child(tmp_path: Path) -> None:
    # the shipped folder with its drawn lines copied thirty times under other ids: a file
    # large enough to be read by a child while the tables are read
    import json
    import shutil

    from corridors.data.checks.scan_ahead import SCAN_AHEAD_BYTES
    from corridors.data.locate import geodata_dir

    folder = tmp_path / "geodata"
    shutil.copytree(geodata_dir(None), folder)
    lines = folder / "geometry" / "links.geojson"
    doc = json.loads(lines.read_text(encoding="utf-8"))
    doc["features"] += [
        {**f, "properties": {**f["properties"], "id": f"{f['properties']['id']}-copy{k}"}}
        for k in range(30)
        for f in doc["features"]
    ]
    lines.write_text(json.dumps(doc), encoding="utf-8")
    assert lines.stat().st_size >= SCAN_AHEAD_BYTES
    proc = _start(tmp_path, "data", "validate", "--geodata", str(folder))
    deadline = time.monotonic() + 60
    child: list[int] = []
    while not child and proc.poll() is None and time.monotonic() < deadline:
        child = _children(proc.pid)
        time.sleep(0.005)
    assert child, "no read-ahead child was seen"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "terminated"
    state = Path(f"/proc/{child[0]}/stat")
    assert not state.exists() or state.read_text().rsplit(")", 1)[1].split()[0] == "Z"
