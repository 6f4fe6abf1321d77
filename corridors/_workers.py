"""Independent tasks run in order, in this process or on forked worker processes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


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
