"""Independent tasks run in order, in this process or on forked worker processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

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
    """Return ``workers``, or by default the CPU count, at most 2 (the draws' sweet spot)."""
    import os

    return check_workers(workers if workers is not None else max(1, min(2, os.cpu_count() or 1)))


def _ignore_interrupt() -> None:
    # Ctrl-C reaches the whole process group; the parent alone handles it
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_ordered(
    task: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    on_result: Callable[[R], None],
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Call ``on_result(task(item))`` for every item, in the order of ``items``.

    With more than one worker the tasks run on a pool of forked processes, so they see
    the module state set before the call (no pickling of networks); ``meanwhile`` then
    runs here while they work. Workers ignore Ctrl-C: the interrupt reaches this process,
    which stops the pool and re-raises it.
    """
    if workers == 1 or len(items) < 2:
        if meanwhile is not None:
            meanwhile()
        for item in items:
            on_result(task(item))
        return
    import multiprocessing as mp

    pool = mp.get_context("fork").Pool(min(workers, len(items)), initializer=_ignore_interrupt)
    try:
        running = pool.imap(task, items)  # the workers start at once
        if meanwhile is not None:
            meanwhile()
        for result in running:
            on_result(result)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
