"""Top-level shortcuts that route on the shipped network unless given another one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corridors.graph.network import Network, load_network
from corridors.routing import batch, named_corridors, solve
from corridors.routing.results import Comparison, Route

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd


def _net(network: Network | None) -> Network:
    return network if network is not None else load_network()


def route(
    origin: str, destination: str, *, network: Network | None = None, **options: Any
) -> Route:
    """Find the best route; see :func:`corridors.routing.route` for the options."""
    return solve.route(_net(network), origin, destination, **options)


def alternatives(
    origin: str, destination: str, *, k: int = 3, network: Network | None = None, **options: Any
) -> list[Route]:
    """Find up to ``k`` different routes; see :func:`corridors.routing.alternatives`."""
    return solve.alternatives(_net(network), origin, destination, k=k, **options)


def pareto(
    origin: str, destination: str, *, network: Network | None = None, **options: Any
) -> list[Route]:
    """Find non-dominated routes; see :func:`corridors.routing.pareto`."""
    return solve.pareto(_net(network), origin, destination, **options)


def compare(
    origin: str, destination: str, *, network: Network | None = None, **options: Any
) -> Comparison:
    """Compare named corridors; see :func:`corridors.routing.compare`."""
    return named_corridors.compare(_net(network), origin, destination, **options)


def skim(
    origins: Iterable[str],
    destinations: Iterable[str] | None = None,
    *,
    network: Network | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Compute an OD matrix in batch; see :func:`corridors.routing.batch.skim`."""
    return batch.skim(_net(network), origins, destinations, **options)
