"""Time and memory of validating, loading and routing a scaled geodata folder.

``python -m benchmarks.bench_scale FOLDER`` runs, each in a new process so that its peak
memory is its own: ``corridors data validate --geodata FOLDER`` (wall time, CPU time, peak
resident memory), then a load of the network from the folder without the cache followed
by routes between named places (load time, each route's time, peak memory), then the
same routes after ``corridors.load_validated`` (a validation and a load on one reading of
the tables). Write a
folder with ``python -m benchmarks.big_geodata FOLDER N`` first. A child that runs out
of memory or time is reported as such, with what it had measured. With ``--cached`` it
also loads the network from the on-disk cache (written by a first process into a cache
folder of its own) in a new process and times the same routes. With ``--report FILE`` the
validation report is written to FILE, to compare versions byte for byte.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The routes timed after the load: one corridor question and two shorter ones.
PAIRS = (
    ("kz-almaty", "ir-bandar-abbas"),
    ("uz-tashkent", "pk-karachi"),
    ("kz-aktau-port", "az-baku"),
)

_LOAD_AND_ROUTE = """
import json, resource, sys, time
from corridors import routing
from corridors.graph.network import load_network
from corridors.routing.network_checks import load_validated

def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

t, c = time.perf_counter(), time.process_time()
if sys.argv[3] == "validated":
    net, _ = load_validated(sys.argv[1], cache=False)
else:
    net = load_network(sys.argv[1], cache=sys.argv[3] == "cache")
out = {
    "load_s": time.perf_counter() - t,
    "load_cpu_s": time.process_time() - c,
    "load_peak_bytes": peak(),
    "routes": [],
}
print(json.dumps(out), flush=True)
for o, d in json.loads(sys.argv[2]):
    for attempt in ("first", "again"):
        t, c = time.perf_counter(), time.process_time()
        found = routing.route(net, o, d)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        out["routes"].append([o, d, attempt, wall, cpu, found.distance_km])
        print(json.dumps(out), flush=True)
out["peak_bytes"] = peak()
print(json.dumps(out), flush=True)
"""


def _child(
    cmd: list[str], timeout: float, env: dict[str, str] | None = None
) -> tuple[float, float, int, str, str]:
    """Run ``cmd``; return wall s, CPU s, peak RSS bytes, stdout and the outcome."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env
        )
        last = proc.stderr.strip().splitlines()[-1:]
        outcome = f"exit {proc.returncode}" + (f": {last[0]}" if last else "")
        stdout = proc.stdout
    except subprocess.TimeoutExpired as err:
        outcome = f"stopped after {timeout:.0f} s"
        stdout = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest of any child so far: each run is its own
    # process and the validation runs first, so the load reads its peak from itself
    return wall, cpu, after.ru_maxrss * 1024, stdout, outcome


def _load_and_route(
    cmd: list[str], timeout: float, env: dict[str, str] | None = None
) -> dict[str, object]:
    """Run a load-and-route child; return its times, outcome and the last line it printed."""
    wall, cpu, _, stdout, outcome = _child(cmd, timeout, env)
    lines = stdout.strip().splitlines()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "outcome": outcome,
        **(json.loads(lines[-1]) if lines else {}),
    }


def main(
    folder: Path, timeout: float = 3600.0, cached: bool = False, report: Path | None = None
) -> dict[str, object]:
    """Measure the folder; return (and print) the numbers.

    With ``cached``, also a load from the on-disk cache in a new process and its routes;
    with ``report``, the validation report is written to that file.
    """
    cli = [sys.executable, "-m", "corridors", "data", "validate", "--geodata", str(folder)]
    wall, cpu, peak, printed, outcome = _child(cli, timeout)
    if report is not None:
        report.write_text(printed, encoding="utf-8")
    result: dict[str, object] = {
        "folder": str(folder),
        "load_average": os.getloadavg(),
        "validate": {
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_bytes": peak,
            "outcome": outcome,
        },
    }
    code = [sys.executable, "-c", _LOAD_AND_ROUTE, str(folder), json.dumps(PAIRS)]
    result["load_and_route"] = _load_and_route([*code, "no-cache"], timeout)
    # one reading of the tables for a validation and a load (corridors.load_validated)
    result["validate_and_load"] = _load_and_route([*code, "validated"], timeout)
    if cached:
        # a new process that reads the network (and the corridors' links) from the cache a
        # first process wrote, in a cache folder of its own
        with tempfile.TemporaryDirectory() as folder_for_cache:
            env = {**os.environ, "CORRIDORS_CACHE_DIR": folder_for_cache}
            _child([*code, "cache"], timeout, env)
            result["cached_load_and_route"] = _load_and_route([*code, "cache"], timeout, env)
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--cached"]
    written: Path | None = None
    if "--report" in args:
        at = args.index("--report")
        written = Path(args[at + 1])
        del args[at : at + 2]
    main(
        Path(args[0]),
        float(args[1]) if len(args) > 1 else 3600.0,
        "--cached" in sys.argv,
        written,
    )
