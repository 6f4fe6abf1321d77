"""Time `corridors route` in a new process with the network cached on disk.

Each case runs the CLI as a user would (a new interpreter, output to /dev/null) after one
run that fills a private cache; the wall and CPU (user + system) times of every run are
kept and their medians printed with the load average before and after. With ``--before
SRC`` the same commands also run on another source tree of corridors (put first on
``PYTHONPATH``; ``git archive <commit> | tar -x -C SRC`` makes one), alternating run by run
so that both see the same load. Runs write and read Python's bytecode caches as an
installed package does (``PYTHONDONTWRITEBYTECODE`` is dropped: with it set and no cache
written yet, every module of corridors is compiled from source on every run).

    python -m benchmarks.bench_startup [--runs 7] [--before /tmp/corridors-before]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = [
    ("route kz-almaty ir-bandar-abbas", ["route", "kz-almaty", "ir-bandar-abbas"]),
    ("route Tashkent Karachi --by cost", ["route", "Tashkent", "Karachi", "--by", "cost"]),
    (
        "route kz-almaty tr-istanbul --mode road",
        ["route", "kz-almaty", "tr-istanbul", "--mode", "road"],
    ),
    ("--help", ["--help"]),
]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Return the wall and CPU seconds of one run of a command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # outside the checkout: `python -m` puts the working folder first on the path
    subprocess.run(
        argv,
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Time the cases and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another corridors source tree to compare")
    args = parser.parse_args()
    trees: list[tuple[str, dict[str, str]]] = []
    cache = Path(tempfile.mkdtemp(prefix="corridors-startup-"))
    base = {**os.environ, "CORRIDORS_CACHE_DIR": str(cache / "now"), "COLUMNS": "160"}
    # as an installed package runs: its modules' bytecode written once and then read
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    trees.append(("this code", base))
    if args.before is not None:
        old = {
            **base,
            "CORRIDORS_CACHE_DIR": str(cache / "before"),
            "PYTHONPATH": str(args.before.resolve()),
        }
        trees.append((f"before ({args.before})", old))
    try:
        print(f"load average at the start: {os.getloadavg()[0]:.2f}")
        for label, extra in CASES:
            argv = [sys.executable, "-m", "corridors", *extra]
            for _, env in trees:
                _run(argv, env)  # fills the cache (and the OS file cache)
            times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in trees}
            for _ in range(args.runs):
                for name, env in trees:
                    times[name].append(_run(argv, env))
            for name, runs in times.items():
                wall = statistics.median(w for w, _ in runs)
                cpu = statistics.median(c for _, c in runs)
                print(f"{label:45} {name:30} wall {wall:.3f} s  cpu {cpu:.3f} s")
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
