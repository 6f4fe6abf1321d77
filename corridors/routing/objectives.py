"""What a route can minimise, defined once: each objective's name, unit, total and formula.

Every place that ranks or weighs routes (Dijkstra weights, route totals, batch skims, Monte
Carlo draws, comparison tables, the scenario file's ``by``) reads :data:`OBJECTIVES`. An
objective is computed the same way from per-edge arrays, per-draw arrays or one route's
totals, so a route's total equals what the router summed, to the last bit.

To add an objective: add an entry to :data:`OBJECTIVES` (and, when it is not a plain sum
of time, cost, distance or CO2, the column batch skims sum exactly in
:mod:`corridors.routing.batch`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from corridors.errors import InvalidOptionError

#: Weight of the tie-breaking criterion: small enough never to outweigh a real difference
#: in the objective, large enough to pick the sensible one of two equal paths.
TIE_BREAK = 1e-7


@dataclass(frozen=True)
class Objective:
    """One objective.

    Attributes
    ----------
    name
        What ``by=`` takes.
    unit
        Unit of its totals, per unit of the cargo profile.
    total
        The name of its total on a route and in tables (``time_h``...).
    formula
        ``formula(time_h, cost_usd, distance_km, co2_kg, value_of_time)``: the objective
        from the four totals (of an edge, a draw or a route) and USD per unit-hour.
    tie_break
        The objective that settles ties between equal paths.
    """

    name: str
    unit: str
    total: str
    formula: Callable[..., Any]
    tie_break: str = "generalized"

    def of(self, time_h: Any, cost_usd: Any, distance_km: Any, co2_kg: Any, vot: float) -> Any:
        """Return the objective from time, cost, distance and CO2 totals (scalars or arrays)."""
        return self.formula(time_h, cost_usd, distance_km, co2_kg, vot)


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("time", "h", "time_h", lambda t, c, d, e, vot: t),
        Objective("cost", "USD", "cost_usd", lambda t, c, d, e, vot: c),
        Objective("distance", "km", "distance_km", lambda t, c, d, e, vot: d),
        Objective("co2", "kg CO2", "co2_kg", lambda t, c, d, e, vot: e),
        Objective(
            "generalized",
            "USD",
            "generalized_usd",
            lambda t, c, d, e, vot: c + vot * t,
            tie_break="distance",
        ),
    )
}

#: Unit of each objective's totals (per unit of the cargo profile).
UNITS = {name: o.unit for name, o in OBJECTIVES.items()}


def objective(by: str) -> Objective:
    """Return the objective ``by`` names (case-insensitive).

    Raises
    ------
    InvalidOptionError
        If ``by`` names none; the message lists them.
    """
    key = str(by).strip().lower()
    if key not in OBJECTIVES:
        msg = f"unknown objective by={by!r}; choose one of: {', '.join(OBJECTIVES)}"
        raise InvalidOptionError(msg)
    return OBJECTIVES[key]
