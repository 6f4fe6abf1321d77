"""Model against published figures: each observation's query routed and measured.

:func:`check_observations` routes every row of ``geodata/observations.csv`` on a network,
reads the measure the row names off the route, and says whether it lies within the
published range widened by the row's tolerance. The share that agrees is compared with
:data:`REQUIRED_SHARE`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corridors.data.observations import MEASURES, Observation
from corridors.errors import CorridorsError
from corridors.graph.cost_model import Component
from corridors.routing.solve import route

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Route

#: Share of observations the model must reproduce within their tolerance.
REQUIRED_SHARE = 0.8

_CROSSING_KINDS = frozenset({"border", "gauge_break"})


def _sum(route_: Route, pick: Callable[[Component], bool], field: str) -> float:
    return float(math.fsum(getattr(c, field) for c in route_.components if pick(c)))


def _measure(route_: Route, measure: str) -> float:
    # every measure is a sum over the route's components, so it reads the same costs
    # a route, a skim and a Monte Carlo draw sum
    if measure == "distance_km":
        return route_.distance_km
    if measure == "time_h":
        return route_.time_h
    if measure == "time_d":
        return route_.time_h / 24
    if measure == "cost_usd":
        return route_.cost_usd
    if measure == "haul_time_h":
        return _sum(route_, lambda c: c.kind == "haul", "time_h")
    if measure == "haul_cost_usd":
        return _sum(route_, lambda c: c.kind == "haul", "cost_usd")
    if measure == "crossing_time_h":
        return _sum(route_, lambda c: c.kind in _CROSSING_KINDS, "time_h")
    msg = f"measure {measure!r} is unknown; choose from: {', '.join(MEASURES)}"
    raise ValueError(msg)


@dataclass(frozen=True)
class ObservationResult:
    """One observation and what the model gives for it.

    ``model`` is NaN and ``error`` says why when the query does not route.
    """

    observation: Observation
    model: float
    error: str = ""

    @property
    def agrees(self) -> bool:
        """Whether the model value lies within the observation's bounds."""
        return not self.error and self.observation.agrees(self.model)

    @property
    def ratio(self) -> float:
        """Model value over the published central value (NaN when there is none)."""
        published = self.observation.published
        if self.error or published == 0:
            return math.nan
        return self.model / published


@dataclass(frozen=True)
class ObservationReport:
    """Every observation's result and the share that agrees."""

    results: tuple[ObservationResult, ...]
    required_share: float = REQUIRED_SHARE

    @property
    def share(self) -> float:
        """Share of observations within tolerance (0 when there are none)."""
        if not self.results:
            return 0.0
        return sum(r.agrees for r in self.results) / len(self.results)

    @property
    def passed(self) -> bool:
        """Whether the share reaches the required share."""
        return bool(self.results) and self.share >= self.required_share

    @property
    def misses(self) -> list[ObservationResult]:
        """Results outside tolerance, in file order."""
        return [r for r in self.results if not r.agrees]

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """Per kind of figure: (agreeing, total)."""
        out: dict[str, tuple[int, int]] = {}
        for r in self.results:
            hit, total = out.get(r.observation.kind, (0, 0))
            out[r.observation.kind] = (hit + r.agrees, total + 1)
        return out


def model_value(net: Network, obs: Observation) -> float:
    """Route one observation's query on a network and return its measure.

    Raises
    ------
    CorridorsError
        If a place is unknown or no route exists under the query's options.
    """
    keywords: dict[str, object] = {"by": obs.by, "profile": obs.profile}
    if obs.via:
        keywords["via"] = list(obs.via)
    if obs.modes:
        keywords["modes"] = list(obs.modes)
    if obs.avoid_countries:
        keywords["avoid_countries"] = list(obs.avoid_countries)
    if obs.include_planned:
        keywords["include_planned"] = True
    found = route(net, obs.origin, obs.destination, **keywords)  # type: ignore[arg-type]
    return _measure(found, obs.measure)


def check_observations(
    net: Network,
    observations: Sequence[Observation],
    *,
    required_share: float = REQUIRED_SHARE,
) -> ObservationReport:
    """Compare the model with every observation.

    Parameters
    ----------
    net
        The network to route on.
    observations
        Rows of ``observations.csv`` (see :func:`corridors.data.observations.read_observations`).
    required_share
        Share of observations that must agree for the report to pass.

    Returns
    -------
    report
        One result per observation, in order; a query that does not route counts as a miss
        and carries the reason.
    """
    results = []
    for obs in observations:
        try:
            results.append(ObservationResult(obs, model_value(net, obs)))
        except CorridorsError as err:
            results.append(ObservationResult(obs, math.nan, str(err)))
    return ObservationReport(tuple(results), required_share)
