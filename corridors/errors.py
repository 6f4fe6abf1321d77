"""Exceptions raised by corridors and the CLI exit codes they map to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NO_ROUTE = 1
EXIT_BAD_INPUT = 2
EXIT_RUN_FAILED = 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
EXIT_TERMINATED = 143  # SIGTERM, as shells report it


class CorridorsError(Exception):
    """Base class of every error corridors raises on purpose."""

    exit_code = EXIT_BAD_INPUT


class UnknownPlaceError(CorridorsError, LookupError):
    """A place name, id or coordinate could not be matched to the network."""


class AmbiguousPlaceError(CorridorsError, LookupError):
    """A place name matches several nodes; the user must choose one by id."""


class GeodataError(CorridorsError, ValueError):
    """The network data is missing, malformed or inconsistent."""


class ScenarioError(CorridorsError, ValueError):
    """A scenario file is malformed or does not apply to the network."""


class InvalidOptionError(CorridorsError, ValueError):
    """A query option is out of range or of the wrong kind."""


class NoRouteError(CorridorsError):
    """No route satisfies the query; the message names what blocks it."""

    exit_code = EXIT_NO_ROUTE


class OutputError(CorridorsError, OSError):
    """An output file cannot be written where it was asked for."""


class WorkerError(CorridorsError, RuntimeError):
    """A worker process died (killed by the system, for example for memory) during a run."""

    exit_code = EXIT_RUN_FAILED


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM).

    The command line raises it from its SIGTERM handler, so a termination unwinds like
    Ctrl-C: every temporary file is removed and worker processes are stopped.
    """
