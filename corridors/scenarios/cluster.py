"""Independent tasks run in order on a Dask distributed cluster.

The local worker pool (:mod:`corridors.scenarios.workers`) shares module state with forked
processes; a cluster's workers are other processes, possibly on other machines, so the
state a task reads is sent to every worker once (``scatter``, broadcast), installed in the
task's module before the first task there, and each task then runs exactly as it does
locally. Results come back in the order of the tasks, so a run gives the same result on a
cluster as on one process. ``dask.distributed`` is imported only here, when a cluster is
asked for (``pip install 'corridors[cluster]'``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from corridors.errors import InvalidOptionError

T = TypeVar("T")
R = TypeVar("R")

#: What a run takes as a cluster: a scheduler address or a ``dask.distributed.Client``.
Scheduler = Any

#: Tasks submitted ahead of the results collected, per worker thread.
AHEAD = 4


def connect(scheduler: Scheduler) -> tuple[Any, bool]:
    """Return a client for ``scheduler`` and whether this call opened it.

    Raises
    ------
    InvalidOptionError
        If dask.distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        from dask.distributed import Client
    except ImportError:
        msg = (
            "running on a cluster needs dask.distributed: "
            "pip install 'corridors[cluster]' (or drop --scheduler to run here)"
        )
        raise InvalidOptionError(msg) from None
    if isinstance(scheduler, Client):
        return scheduler, False
    if not isinstance(scheduler, str) or not scheduler.strip():
        msg = f"scheduler={scheduler!r} is not an address; give one such as tcp://10.0.0.5:8786"
        raise InvalidOptionError(msg)
    try:
        refused = _refused(scheduler)
        if refused is not None:
            raise refused
        # typed as Any: distributed's stubs mark Client's constructor untyped in some releases
        connect: Any = Client
        return connect(scheduler, timeout="10s", set_as_default=False), True
    except OSError as err:
        msg = f"no Dask scheduler answers at {scheduler}: {err}; start one or drop --scheduler"
        raise InvalidOptionError(msg) from None


def _refused(address: str) -> OSError | None:
    """Return the error of a ``tcp://`` address whose host refuses a connection outright.

    Dask's client keeps retrying a refused connection until its timeout (10 s); a host that
    answers "refused" at once has no scheduler listening, so the run can say so at once.
    Any other outcome (connected, no answer yet, another scheme) is left to the client.
    """
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address.strip())
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number: the client words the error
        return None
    if parts.scheme != "tcp" or not host or port is None:
        return None
    try:
        with socket.create_connection((host, port), timeout=2.0):
            return None
    except ConnectionRefusedError as err:
        return err
    except OSError:
        return None


def _install(module: str, token: str, state: Mapping[str, Any]) -> dict[str, Any]:
    """Give ``module``'s ``_STATE`` the run's state, once per run and worker process."""
    held: dict[str, Any] = importlib.import_module(module)._STATE
    if held.get("cluster run") != token:
        held.clear()
        held.update(state)
        held["cluster run"] = token
    return held


def _call(task: Callable[[T], R], token: str, state: Mapping[str, Any], item: T) -> R:
    _install(task.__module__, token, state)
    return task(item)


def run_ordered(
    task: Callable[[T], R],
    items: Sequence[T],
    scheduler: Scheduler,
    on_result: Callable[[R], None],
    state: Mapping[str, Any],
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Call ``on_result(task(item))`` for every item, in order, with tasks on a cluster.

    Parameters
    ----------
    task
        A module-level function that reads its module's ``_STATE``.
    items
        One task each.
    scheduler
        A scheduler address (``tcp://host:8786``) or a ``dask.distributed.Client``.
    on_result
        Called here with each result, in the order of ``items``.
    state
        What ``_STATE`` holds for the tasks; sent to each worker once.
    meanwhile
        Run here while the cluster works.
    """
    import uuid

    client, opened = connect(scheduler)
    futures: list[Any] = []
    try:
        token = uuid.uuid4().hex
        # a list of one: a dict would be scattered value by value under its own keys
        shared = client.scatter([dict(state)], broadcast=True, hash=False)[0]
        threads = max(1, sum(client.nthreads().values()))
        window = AHEAD * threads
        futures = [
            client.submit(_call, task, token, shared, item, pure=False) for item in items[:window]
        ]
        if meanwhile is not None:
            meanwhile()
        for i in range(len(items)):
            on_result(futures[i].result())
            futures[i] = None  # the result is kept by on_result; free the worker's copy
            nxt = i + window
            if nxt < len(items):
                futures.append(client.submit(_call, task, token, shared, items[nxt], pure=False))
    except BaseException:
        client.cancel([f for f in futures if f is not None])
        raise
    finally:
        if opened:
            client.close()
