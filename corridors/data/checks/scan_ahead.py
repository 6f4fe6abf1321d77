"""Read a large ``links.geojson`` in a second process while the tables are read.

The features of the drawn lines need nothing from the tables (see :mod:`feature_scan`),
and reading a million of them is a plain Python loop of several seconds. A forked child
reads them, and the geodesic length of every step between two points, while the parent
reads the CSV tables on the other core; the parent takes the result when the geometry
check runs.

The child hands its result back through a pipe as JSON and raw arrays, never as a format
that runs code. Whatever goes wrong in it (an error, a kill, a malformed answer) costs only
the time: the parent then reads the file itself, as it would without a child. No child is
started where ``fork`` is missing, where other threads run (a fork copies only the calling
thread, and a lock one of the others held would never be let go in the child), or for a
file too small to be worth a process.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import sys
import threading
from array import array
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from corridors.data.checks.base import geodesic_km_array
from corridors.data.checks.feature_scan import DRAWN, FeatureScan, scan_features
from corridors.data.geodata import give_back_memory

#: Files smaller than this are read in process: a child costs a fork and a pipe, and the
#: shipped file (a third of a megabyte) reads in a few milliseconds.
SCAN_AHEAD_BYTES = 8 * 2**20

_LENGTH = struct.Struct("<Q")
#: The answer's arrays, in the order they follow its JSON header.
_BLOCKS = ("lines", "kinds", "count", "x", "y", "seg")


class ScanAhead:
    """A ``links.geojson`` being read in a forked child; :meth:`scan` takes the result.

    Use it as a context manager: leaving it stops a child whose result was not taken.

    Parameters
    ----------
    path
        The file.
    min_bytes
        Read in process (no child) when the file is smaller than this; by default
        :data:`SCAN_AHEAD_BYTES`.
    """

    def __init__(self, path: Path, min_bytes: int | None = None) -> None:
        self.path = path
        self.pid: int | None = None
        self._pipe: IO[bytes] | None = None
        if _worth_a_child(path, SCAN_AHEAD_BYTES if min_bytes is None else min_bytes):
            self._start()

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        parent = os.getpid()
        # what the parent printed must not be printed again by the child
        sys.stdout.flush()
        sys.stderr.flush()
        # Ctrl-C and SIGTERM wait until the child has its own handlers: one landing just
        # after the fork would otherwise unwind the child through the parent's code
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read_end)
                _child(self.path, write_end, parent, held)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(write_end)
        self.pid = pid
        self._pipe = os.fdopen(read_end, "rb")

    def scan(self) -> FeatureScan | None:
        """Return what :func:`~corridors.data.checks.feature_scan.scan_features` returns.

        The child's answer when it gave a sound one, otherwise the file read here.
        """
        if self.pid is None:
            return scan_features(self.path)
        answer = None
        with contextlib.suppress(OSError, ValueError, UnicodeDecodeError, RecursionError):
            answer = _read_answer(self._pipe)
        status = self._reap(kill=answer is None)
        if answer is None or status != 0:
            return scan_features(self.path)
        return answer.scan

    def close(self) -> None:
        """Stop and reap the child if it is still there."""
        self._reap(kill=True)

    def _reap(self, kill: bool) -> int | None:
        pid, pipe = self.pid, self._pipe
        self.pid = self._pipe = None
        if pipe is not None:
            pipe.close()  # a child still writing then ends on a broken pipe
        if pid is None:
            return None
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    def __enter__(self) -> ScanAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _worth_a_child(path: Path, min_bytes: int) -> bool:
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    try:
        return path.is_file() and path.stat().st_size >= min_bytes
    except OSError:
        return False


def _child(
    path: Path, write_end: int, parent: int, held: set[int | signal.Signals]
) -> None:  # pragma: no cover - in the child
    """Read the file, write the answer to the pipe and exit; never return to the caller.

    Starts with SIGINT and SIGTERM blocked; ``held`` is the signal mask to go back to.
    """
    code = 1
    try:
        # Ctrl-C reaches the whole process group: the parent stops this child itself
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        _end_with(parent)
        scan = scan_features(path)
        give_back_memory()
        with os.fdopen(write_end, "wb") as out:
            for part in _answer_parts(scan):
                out.write(part)
        code = 0
    except BaseException:  # any failure only makes the parent read the file itself
        code = 1
    finally:
        os._exit(code)


def _end_with(parent: int) -> None:  # pragma: no cover - in the child
    """Have the system kill this child when the parent ends (Linux), however it ends."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent ended before that took hold
        os._exit(1)


def _answer_parts(scan: FeatureScan | None) -> list[Any]:
    """Return the answer as a list of byte buffers: a length, a JSON header, the arrays."""
    if scan is None:
        head: dict[str, Any] = {"whole": True}
        blocks: list[Any] = []
    elif scan.problems is not None:
        head = {"problems": [list(p) for p in scan.problems]}
        blocks = []
    else:
        import numpy as np

        x = np.frombuffer(scan.x, dtype=np.float64) if len(scan.x) else np.zeros(0)
        y = np.frombuffer(scan.y, dtype=np.float64) if len(scan.y) else np.zeros(0)
        # every step's length, the lines' own and those from one line's end to the next
        # line's start alike: the check takes the ones within lines
        seg = geodesic_km_array(x[:-1], y[:-1], x[1:], y[1:]) if len(x) > 1 else np.zeros(0)
        blocks = [scan.lines, scan.kinds, scan.count, scan.x, scan.y, seg]
        head = {"ids": scan.ids, "sizes": [memoryview(b).nbytes for b in blocks]}
    text = json.dumps(head).encode("utf-8")
    return [_LENGTH.pack(len(text)), text, *(memoryview(b).cast("B") for b in blocks)]


class _Answer:
    def __init__(self, scan: FeatureScan | None) -> None:
        self.scan = scan


def _exactly(pipe: IO[bytes], size: int) -> bytes:
    data = pipe.read(size)
    if len(data) != size:
        msg = "the child's answer ends early"
        raise ValueError(msg)
    return data


def _read_answer(pipe: IO[bytes] | None) -> _Answer | None:
    """Read and check the child's answer; None when it is not a sound one."""
    if pipe is None:
        return None
    (size,) = _LENGTH.unpack(_exactly(pipe, _LENGTH.size))
    head = json.loads(_exactly(pipe, size).decode("utf-8"))
    if not isinstance(head, dict):
        return None
    if head.get("whole") is True:
        return _Answer(None) if pipe.read(1) == b"" else None
    if "problems" in head:
        problems = head["problems"]
        if not isinstance(problems, list) or not all(_is_found(p) for p in problems):
            return None
        found = [(str(p[0]), int(p[1]), str(p[2])) for p in problems]
        return _Answer(FeatureScan(problems=found)) if pipe.read(1) == b"" else None
    ids, sizes = head.get("ids"), head.get("sizes")
    if not (isinstance(ids, list) and all(type(i) is str for i in ids)):
        return None
    if not (
        isinstance(sizes, list)
        and len(sizes) == len(_BLOCKS)
        and all(type(s) is int and s >= 0 for s in sizes)
    ):
        return None
    raw = dict(zip(_BLOCKS, (_exactly(pipe, s) for s in sizes), strict=True))
    if pipe.read(1) != b"":
        return None
    scan = FeatureScan(ids=ids, kinds=bytearray(raw["kinds"]))
    for name, code in (("lines", "q"), ("count", "q"), ("x", "d"), ("y", "d")):
        if len(raw[name]) % 8:
            return None
        column: array[Any] = array(code)
        column.frombytes(raw[name])
        setattr(scan, name, column)
    points = len(scan.x)
    if not (
        len(scan.lines) == len(scan.kinds) == len(ids)
        and len(scan.y) == points
        and sum(scan.count) == points
        and scan.kinds.count(DRAWN) == len(scan.count)
        and len(raw["seg"]) == 8 * max(points - 1, 0)
    ):
        return None
    import numpy as np

    scan.seg = np.frombuffer(raw["seg"], dtype=np.float64)
    return _Answer(scan)


def _is_found(item: Any) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 3
        and type(item[0]) is str
        and type(item[1]) is int
        and type(item[2]) is str
    )
