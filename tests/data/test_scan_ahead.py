"""links.geojson read ahead in a forked child gives what reading it in process gives.

The child is only started where no other thread runs, which a test process cannot promise
(a cluster test may leave threads behind), so each case runs in a fresh interpreter that
reports what happened as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from corridors.data.checks.scan_ahead import _read_answer
from corridors.data.locate import geodata_dir

# children killed and signalled at chosen moments: run alone (scripts/test.sh)
pytestmark = pytest.mark.serial

SHIPPED = geodata_dir(None)
SHIPPED_LINES = SHIPPED / "geometry" / "links.geojson"

# Run in a fresh interpreter: each file is read ahead (a child forced however small the
# file) and in process, and the two compared; "fallbacks" counts the reads the parent did
# itself after the child was started.
_PROBE = """
import json, os, signal, sys
from pathlib import Path
import numpy as np
from corridors.data.checks import scan_ahead
from corridors.data.checks.base import geodesic_km_array
from corridors.data.checks.feature_scan import scan_features

mode, files = sys.argv[1], sys.argv[2:]
# a process started in the background may inherit Ctrl-C ignored: handle it, as a shell does
signal.signal(signal.SIGINT, signal.default_int_handler)
fallbacks = []
def counted(path):
    fallbacks.append(str(path))
    return scan_features(path)

def fields(scan):
    if scan is None:
        return None
    return [scan.problems, scan.ids, list(scan.lines), bytes(scan.kinds).hex(),
            list(scan.count), list(scan.x), list(scan.y)]

out = {}
for name in files:
    path = Path(name)
    ahead = scan_ahead.ScanAhead(path, min_bytes=0)
    pid = ahead.pid
    scan_ahead.scan_features = counted  # the child, already forked, keeps the real one
    if mode == "killed":
        os.kill(pid, signal.SIGKILL)
    if mode == "signals":
        import time
        time.sleep(0.5)  # the child is then blocked writing an answer larger than the pipe
        def fields(pid):
            rows = dict(
                line.split(":\t", 1) for line in open(f"/proc/{pid}/status").read().splitlines()
            )
            return {key: int(rows[key], 16) for key in ("SigBlk", "SigIgn")}
        out[name] = {"child": fields(pid), "parent": fields(os.getpid())}
        ahead.close()
        scan_ahead.scan_features = scan_features
        continue
    if mode == "closed":
        ahead.close()
        try:
            os.kill(pid, 0)
            gone = False
        except ProcessLookupError:
            gone = True
        out[name] = {"started": pid is not None, "gone": gone}
        scan_ahead.scan_features = scan_features
        continue
    before = len(fallbacks)
    got = ahead.scan()
    scan_ahead.scan_features = scan_features
    want = scan_features(path)
    seg_ok = None
    if got is not None and got.seg is not None:
        x, y = np.asarray(got.x), np.asarray(got.y)
        seg_ok = bool(np.array_equal(got.seg, geodesic_km_array(x[:-1], y[:-1], x[1:], y[1:])))
    out[name] = {
        "started": pid is not None,
        "fallbacks": len(fallbacks) - before,
        "same": fields(got) == fields(want),
        "kind": "whole" if want is None else "problems" if want.problems else "features",
        "features": 0 if want is None else len(want.ids),
        "seg_ok": seg_ok,
        "reaped": ahead.pid is None,
    }
print(json.dumps(out))
"""


def _python(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a script in a fresh interpreter (the shipped geodata, whatever the environment)."""
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "CORRIDORS_GEODATA": ""},
    )


def _answer_of(script: str, *args: str | Path) -> dict[str, Any]:
    """Run a script that prints a JSON object, and return the object."""
    done = _python(script, *args)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _probe(mode: str, *files: Path) -> dict[str, Any]:
    return _answer_of(_PROBE, mode, *files)


def _feature(lid: str | None, coords: Any) -> dict[str, Any]:
    props = {} if lid is None else {"id": lid}
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped file and spoilt ones of every kind the scan tells apart."""
    folder = tmp_path_factory.mktemp("lines")
    doc = json.loads(SHIPPED_LINES.read_text(encoding="utf-8"))
    out = {"shipped": SHIPPED_LINES}
    odd = dict(doc)
    odd["features"] = [
        *doc["features"][:5],
        _feature(None, [[60.0, 40.0], [61.0, 41.0]]),  # no id
        _feature("kz-nowhere", [[60.0, 40.0], [61, 41]]),  # integers: not the usual line
        _feature("kz-broken", [[60.0, 40.0]]),  # one position: not a line
        *doc["features"][5:9],
    ]
    out["odd"] = folder / "odd.geojson"
    out["odd"].write_text(json.dumps(odd, indent=1), encoding="utf-8")
    out["not_a_collection"] = folder / "not_a_collection.geojson"
    out["not_a_collection"].write_text(json.dumps({"type": "Feature"}), encoding="utf-8")
    out["not_utf8"] = folder / "not_utf8.geojson"
    out["not_utf8"].write_bytes(b'{"type": "FeatureCollection", "features": [], "x": "\xff"}')
    out["empty"] = folder / "empty.geojson"
    out["empty"].write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    return out


def test_a_file_read_ahead_gives_what_reading_it_here_gives(files: dict[str, Path]) -> None:
    found = _probe("scan", *files.values())
    kinds = {name: found[str(path)]["kind"] for name, path in files.items()}
    assert kinds == {
        "shipped": "features",
        "odd": "features",
        "not_a_collection": "problems",
        "not_utf8": "whole",
        "empty": "features",
    }
    for name, path in files.items():
        case = found[str(path)]
        assert case["started"] and case["reaped"], name
        assert case["same"], name
        assert case["fallbacks"] == 0, f"{name}: the parent read the file itself"
    assert found[str(files["shipped"])]["features"] > 300
    assert found[str(files["odd"])]["features"] == 12
    # the steps' lengths come with the features, equal to those measured here
    assert found[str(files["shipped"])]["seg_ok"] is True
    assert found[str(files["odd"])]["seg_ok"] is True


def test_a_child_that_dies_leaves_the_parent_to_read_the_file(files: dict[str, Path]) -> None:
    found = _probe("killed", files["shipped"], files["odd"])
    for path in (files["shipped"], files["odd"]):
        case = found[str(path)]
        assert case["started"] and case["reaped"]
        assert case["fallbacks"] == 1 and case["same"]


def test_closing_before_the_result_is_taken_stops_the_child(files: dict[str, Path]) -> None:
    found = _probe("closed", files["shipped"])
    assert found[str(files["shipped"])] == {"started": True, "gone": True}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_child_ignores_ctrl_c_and_blocks_no_signal(files: dict[str, Path]) -> None:
    # signals are held while forking; the child must let go of them once its handlers are set
    found = _probe("signals", files["shipped"])[str(files["shipped"])]
    sigint = 1 << (2 - 1)
    assert found["child"]["SigBlk"] == found["parent"]["SigBlk"]
    assert found["child"]["SigIgn"] & sigint
    assert not found["parent"]["SigIgn"] & sigint


def test_a_child_ends_with_its_parent(tmp_path: Path) -> None:
    # a file large enough that the child is still reading when the parent is killed
    doc = {
        "type": "FeatureCollection",
        "features": [
            _feature(f"kz-l{i}", [[60.0 + j * 1e-3, 40.0] for j in range(40)])
            for i in range(20_000)
        ],
    }
    path = tmp_path / "links.geojson"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from corridors.data.checks.scan_ahead import ScanAhead\n"
        "ahead = ScanAhead(Path(sys.argv[1]), min_bytes=0)\n"
        "print(ahead.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = _python(script, path)
    assert done.returncode == -9
    pid = int(done.stdout)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid), f"the child {pid} outlived its parent"


def _alive(pid: int) -> bool:
    """Return whether a process runs (a zombie left for its new parent to reap does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _answer(head: Any, *blocks: bytes, extra: bytes = b"") -> bytes:
    text = json.dumps(head).encode()
    return len(text).to_bytes(8, "little") + text + b"".join(blocks) + extra


class _Pipe:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        out = self.data[self.at : end]
        self.at += len(out)
        return out


def _read(data: bytes) -> Any:
    try:
        return _read_answer(_Pipe(data))  # type: ignore[arg-type]
    except ValueError:
        return "refused"


def _arrays(lines: list[int], kinds: bytes, count: list[int], xs: list[float]) -> list[bytes]:
    import numpy as np

    x = np.asarray(xs, dtype=np.float64)
    seg = np.zeros(max(len(xs) - 1, 0))
    return [
        np.asarray(lines, dtype=np.int64).tobytes(),
        kinds,
        np.asarray(count, dtype=np.int64).tobytes(),
        x.tobytes(),
        x.tobytes(),
        seg.tobytes(),
    ]


def test_an_answer_that_is_not_sound_is_refused() -> None:
    blocks = _arrays([3], b"\x02", [2], [1.0, 2.0])
    sizes = [len(b) for b in blocks]
    good = _read(_answer({"ids": ["kz-a"], "sizes": sizes}, *blocks))
    assert good is not None and good.scan.ids == ["kz-a"] and list(good.scan.x) == [1.0, 2.0]
    assert _read(_answer({"whole": True})).scan is None
    problems = _read(_answer({"problems": [["schema", 1, "expected a GeoJSON FeatureCollection"]]}))
    assert problems.scan.problems == [("schema", 1, "expected a GeoJSON FeatureCollection")]
    spoilt = {
        "cut short": _answer({"ids": ["kz-a"], "sizes": sizes}, *blocks)[:-4],
        "bytes after it": _answer({"ids": ["kz-a"], "sizes": sizes}, *blocks, extra=b"x"),
        "an id that is no text": _answer({"ids": [7], "sizes": sizes}, *blocks),
        "ids and lines differ": _answer({"ids": ["kz-a", "kz-b"], "sizes": sizes}, *blocks),
        "sizes missing": _answer({"ids": ["kz-a"]}, *blocks),
        "a negative size": _answer({"ids": ["kz-a"], "sizes": [-1, *sizes[1:]]}, *blocks),
        "points and counts differ": _answer(
            {"ids": ["kz-a"], "sizes": [len(b) for b in _arrays([3], b"\x02", [3], [1.0, 2.0])]},
            *_arrays([3], b"\x02", [3], [1.0, 2.0]),
        ),
        "a drawn kind without points": _answer(
            {"ids": ["kz-a"], "sizes": [len(b) for b in _arrays([3], b"\x02", [], [])]},
            *_arrays([3], b"\x02", [], []),
        ),
        "a problem of the wrong shape": _answer({"problems": [["schema", "1", "x"]]}),
        "a list for a head": _answer([1, 2]),
        "JSON that is not": b"\x05\x00\x00\x00\x00\x00\x00\x00{nope",
        "nothing": b"",
    }
    outcomes = {name: _read(data) for name, data in spoilt.items()}
    assert all(outcome in (None, "refused") for outcome in outcomes.values()), outcomes
    assert len(outcomes) == 12


def test_validation_reads_ahead_to_the_same_report(tmp_path: Path) -> None:
    # the shipped folder, and a copy whose lines the checks find fault with: every line
    # kept (the steps' lengths taken from the child) and some left out (measured here)
    spoilt = tmp_path / "spoilt"
    shutil.copytree(SHIPPED, spoilt)
    lines = spoilt / "geometry" / "links.geojson"
    doc = json.loads(lines.read_text(encoding="utf-8"))
    doc["features"][0]["geometry"]["coordinates"].reverse()
    doc["features"][1]["geometry"]["coordinates"][-1] = [75.0, 45.0]
    doc["features"].append(_feature("kz-not-a-link", [[60.0, 40.0], [61.0, 41.0]]))
    lines.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    script = (
        "import json, sys\n"
        "from corridors.data.checks import scan_ahead\n"
        "from corridors.data.validation import check_folder as validate  # checks 1-9\n"
        "started = []\n"
        "real = scan_ahead.ScanAhead._start\n"
        "def counted(self):\n"
        "    started.append(1)\n"
        "    real(self)\n"
        "scan_ahead.ScanAhead._start = counted\n"
        "out = {}\n"
        "for folder in sys.argv[1:]:\n"
        "    scan_ahead.SCAN_AHEAD_BYTES = 0\n"
        "    ahead = validate(folder)\n"
        "    scan_ahead.SCAN_AHEAD_BYTES = 1 << 62\n"
        "    here = validate(folder)\n"
        "    out[folder] = [[str(p) for p in ahead.problems], [str(p) for p in here.problems],\n"
        "                   ahead.warnings == here.warnings]\n"
        "out['started'] = len(started)\n"
        "print(json.dumps(out))\n"
    )
    found = _answer_of(script, SHIPPED, spoilt)
    assert found["started"] == 2
    shipped_ahead, shipped_here, same_warnings = found[str(SHIPPED)]
    assert shipped_ahead == shipped_here == [] and same_warnings
    spoilt_ahead, spoilt_here, same_warnings = found[str(spoilt)]
    assert spoilt_ahead == spoilt_here and same_warnings
    geometry = [p for p in spoilt_ahead if "geometry/links.geojson" in p]
    assert len(geometry) == 3, geometry
