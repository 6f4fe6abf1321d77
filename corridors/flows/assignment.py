"""One entry point for every assignment method on a link table.

``aon`` loads every trip on its free-flow shortest path; ``equilibrium`` finds the capacity-
constrained user equilibrium (see :mod:`corridors.flows.equilibrium`); ``logit`` spreads trips
over efficient routes by a logit model at free-flow costs, ``sue`` at congested costs (see
:mod:`corridors.flows.logit`).
"""

from __future__ import annotations

from collections.abc import Sequence

from corridors.errors import InvalidOptionError
from corridors.flows.classes import DemandClass
from corridors.flows.equilibrium import Equilibrium, Progress, solve
from corridors.flows.links import LinkTable
from corridors.flows.methods import ALGORITHMS, ASSIGN_METHODS


def assign_links(
    links: LinkTable,
    classes: Sequence[DemandClass],
    *,
    method: str = "equilibrium",
    algorithm: str = "bfw",
    gap: float = 1e-4,
    max_iter: int = 1000,
    theta: float = 1.0,
    progress: Progress | None = None,
) -> Equilibrium:
    """Assign demand classes to a link table.

    Parameters
    ----------
    links : LinkTable
        The network.
    classes : sequence of DemandClass
        The demand.
    method : {"aon", "logit", "equilibrium", "sue"}
        How trips choose routes (``sue``: logit at congested costs, by successive averages;
        its gap is the relative difference between the loading and the flows).
    algorithm : {"bfw", "cfw", "fw", "msa"}
        The equilibrium algorithm (``method="equilibrium"`` only).
    gap : float
        Target relative gap of the equilibrium.
    max_iter : int
        Iterations at most.
    theta : float
        Logit dispersion per unit of cost (``method="logit"`` only).
    progress : callable, optional
        Called as ``progress(iteration, gap)`` after each equilibrium iteration.

    Returns
    -------
    Equilibrium
        For ``aon`` and ``logit`` the flows of one loading at free-flow costs, with no gaps
        and ``converged`` false (neither looks at congestion).
    """
    if method not in ASSIGN_METHODS:
        msg = f"unknown assignment method {method!r}; use one of {', '.join(ASSIGN_METHODS)}"
        raise InvalidOptionError(msg)
    if algorithm not in ALGORITHMS:
        msg = f"unknown equilibrium algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}"
        raise InvalidOptionError(msg)
    if method == "equilibrium":
        return solve(
            links, classes, method=algorithm, gap=gap, max_iter=max_iter, progress=progress
        )
    if method == "aon":
        loaded = solve(links, classes, method="fw", gap=gap, max_iter=0)
        loaded.method = "aon"
        return loaded
    from corridors.flows.logit import logit_assign, sue_assign

    if method == "sue":
        return sue_assign(
            links, classes, theta=theta, gap=gap, max_iter=max_iter, progress=progress
        )
    return logit_assign(links, classes, theta=theta)
