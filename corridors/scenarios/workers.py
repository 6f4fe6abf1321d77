"""Independent tasks run in order, in this process or on forked worker processes.

The pool is :class:`concurrent.futures.ProcessPoolExecutor`: a worker that dies fails the
run at once (``BrokenProcessPool``) where a ``multiprocessing.Pool`` would wait forever.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


#: Most worker processes a run may ask for.
MAX_WORKERS = 64


def check_workers(workers: object) -> int:
    """Return ``workers`` if it is a whole number of processes in range, else raise."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        from corridors.errors import InvalidOptionError

        msg = f"workers={workers!r} is out of range; give 1 to {MAX_WORKERS}"
        raise InvalidOptionError(msg)
    return workers


def default_workers(workers: int | None) -> int:
    """Return ``workers``, or by default the CPU count, at most 2 (the draws' sweet spot).

    The default is one worker where processes cannot be forked.
    """
    import os

    if workers is None and not can_fork():
        return 1
    return check_workers(workers if workers is not None else max(1, min(2, os.cpu_count() or 1)))


def can_fork() -> bool:
    """Return whether worker processes can be forked here (not on Windows, for one)."""
    import multiprocessing as mp

    return "fork" in mp.get_all_start_methods()


def _worker_setup() -> None:
    # Ctrl-C reaches the whole process group; the parent alone handles it. A worker the
    # parent stops gets SIGTERM and should just end, whatever handler it was forked with.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop(pool: Any) -> None:
    # End the workers now: a task under way could run for minutes, then write to a parent
    # that has gone. The executor sees them die and fails what is left by itself; calling
    # its shutdown here would race its feeder thread and print a traceback.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()
    # a worker forked while this process held its signals keeps the noting handler until
    # its set-up runs, and notes SIGTERM instead of ending: kill what is still alive
    deadline = time.monotonic() + 1.0
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            process.join(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
    # let the executor's thread finish failing the pool: at exit Python 3.11 wakes it
    # through a pipe that thread may be closing, which prints an ignored EBADF traceback
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        with contextlib.suppress(RuntimeError):
            manager.join(timeout=10)


class _Deferred:
    """Hold SIGINT and SIGTERM while this thread is inside the pool's locks.

    A signal handler that raises (Ctrl-C's KeyboardInterrupt, the command line's
    Terminated) can fire between a lock's acquire and release inside the executor, which
    then never shuts down. While deferred, a signal is only noted; :meth:`check` stops the
    pool and delivers it where no lock is held.
    """

    SIGNALS = ("SIGINT", "SIGTERM")

    def __init__(self) -> None:
        import signal
        import threading

        self.pending: int | None = None
        self.saved: dict[int, Any] = {}
        self.active = threading.current_thread() is threading.main_thread()
        self.numbers = [getattr(signal, name) for name in self.SIGNALS if hasattr(signal, name)]

    def _note(self, signum: int, frame: object) -> None:
        if self.pending is None:
            self.pending = signum

    def hold(self) -> None:
        import signal

        if self.active:
            for number in self.numbers:
                self.saved[number] = signal.signal(number, self._note)

    def release(self) -> None:
        import signal

        for number, handler in self.saved.items():
            signal.signal(number, handler)
        self.saved.clear()

    def check(self, pool: Any) -> None:
        """Deliver a signal noted while held, after stopping the pool.

        Called after :meth:`release` too: a signal noted between the last check and the
        release would otherwise wait for the next check, past code that may run for long.
        """
        if self.pending is None:
            return
        import signal

        _stop(pool)
        self.release()
        signal.raise_signal(self.pending)  # the handler the program set runs now


def run_ordered(
    task: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    on_result: Callable[[R], None],
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Call ``on_result(task(item))`` for every item, in the order of ``items``.

    With more than one worker the tasks run on forked worker processes, so they see the
    module state set before the call (no pickling of networks); ``meanwhile`` then runs
    here while they work. Where processes cannot be forked the tasks run here, in order.
    Workers ignore Ctrl-C: the interrupt (or a SIGTERM turned into
    :class:`~corridors.errors.Terminated`) reaches this process, which stops the workers
    and re-raises it.

    Raises
    ------
    WorkerError
        If a worker process died (for example killed for lack of memory).
    """
    if workers == 1 or len(items) < 2 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        for item in items:
            on_result(task(item))
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    from corridors.errors import WorkerError

    deferred = _Deferred()
    deferred.hold()
    pool = ProcessPoolExecutor(
        min(workers, len(items)), mp_context=mp.get_context("fork"), initializer=_worker_setup
    )
    try:
        futures = []
        for item in items:  # the workers start at once
            futures.append(pool.submit(task, item))
            deferred.check(pool)
        if meanwhile is not None:
            # our own code: signals may raise where they land, and one noted since the
            # last check is delivered before it runs (it may run for minutes)
            deferred.release()
            deferred.check(pool)
            meanwhile()
            deferred.hold()
        for future in futures:
            while not future.done():
                wait([future], timeout=0.2, return_when=FIRST_COMPLETED)
                deferred.check(pool)
            deferred.release()
            deferred.check(pool)
            on_result(future.result())
            deferred.hold()
    except BrokenProcessPool:
        deferred.release()
        _stop(pool)
        msg = (
            "a worker process died during the run (killed by the system, perhaps for lack "
            "of memory); run again with --workers 1 (workers=1) or a smaller run"
        )
        raise WorkerError(msg) from None
    except BaseException:
        deferred.release()
        _stop(pool)
        raise
    deferred.release()
    deferred.check(pool)
    pool.shutdown(wait=True)
