"""Stage 3, routing: query options, objectives, solving, results, named corridors, batch skims.

The names below load their module on first use, so importing one module of this stage
stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module of this stage that defines it
_EXPORTS = {
    "route": "corridors.routing.solve",
    "alternatives": "corridors.routing.solve",
    "pareto": "corridors.routing.solve",
    "unexplained": "corridors.routing.solve",
    "with_access_legs": "corridors.routing.solve",
    "Route": "corridors.routing.results",
    "RouteOptions": "corridors.routing.options",
    "Comparison": "corridors.routing.results",
    "LEG_COLUMNS": "corridors.routing.results",
    "match_corridor": "corridors.routing.corridor_match",
    "corridor_signature": "corridors.routing.corridor_match",
    "compare": "corridors.routing.named_corridors",
    "route_corridor": "corridors.routing.named_corridors",
    "corridor_waypoints": "corridors.routing.named_corridors",
}

__all__ = [
    "LEG_COLUMNS",
    "Comparison",
    "Route",
    "RouteOptions",
    "alternatives",
    "compare",
    "corridor_signature",
    "corridor_waypoints",
    "match_corridor",
    "pareto",
    "route",
    "route_corridor",
    "unexplained",
    "with_access_legs",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    msg = f"module 'corridors.routing' has no attribute {name!r}"
    raise AttributeError(msg)


if TYPE_CHECKING:
    from corridors.routing.corridor_match import corridor_signature, match_corridor
    from corridors.routing.named_corridors import compare, corridor_waypoints, route_corridor
    from corridors.routing.options import RouteOptions
    from corridors.routing.results import LEG_COLUMNS, Comparison, Route
    from corridors.routing.solve import alternatives, pareto, route, unexplained, with_access_legs
