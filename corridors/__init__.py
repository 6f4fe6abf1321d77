"""corridors: a transit corridor route modeller for Central Asia and its outlets.

The network is a ``networkx.MultiDiGraph`` in OSMnx conventions built from the curated,
sourced ``geodata/`` tables; routes pay border, gauge-break, port and transfer frictions
on the path that incurs them.

Heavy modules load on first use, so ``import corridors`` stays fast.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("corridors")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

# public name -> module that defines it
_EXPORTS = {
    "Network": "corridors.network",
    "load_network": "corridors.network",
    "network_from_geodata": "corridors.network",
    "Geodata": "corridors.io",
    "read_geodata": "corridors.io",
    "Route": "corridors.routing",
    "Comparison": "corridors.routing",
    "Profile": "corridors.costs",
    "Place": "corridors.places",
    "Scenario": "corridors.scenarios",
    "load_scenario": "corridors.scenarios",
    "route": "corridors._api",
    "alternatives": "corridors._api",
    "pareto": "corridors._api",
    "compare": "corridors._api",
    "skim": "corridors._api",
    "export": "corridors.export",
    "validate": "corridors.validation",
    "CorridorsError": "corridors._errors",
    "UnknownPlaceError": "corridors._errors",
    "AmbiguousPlaceError": "corridors._errors",
    "GeodataError": "corridors._errors",
    "ScenarioError": "corridors._errors",
    "InvalidOptionError": "corridors._errors",
    "NoRouteError": "corridors._errors",
    "OutputError": "corridors._errors",
}
_MODULES = (
    "batch",
    "costs",
    "io",
    "maps",
    "montecarlo",
    "network",
    "places",
    "routing",
    "scenarios",
    "sweeps",
    "validation",
)

__all__ = [
    "AmbiguousPlaceError",
    "Comparison",
    "CorridorsError",
    "Geodata",
    "GeodataError",
    "InvalidOptionError",
    "Network",
    "NoRouteError",
    "OutputError",
    "Place",
    "Profile",
    "Route",
    "Scenario",
    "ScenarioError",
    "UnknownPlaceError",
    "__version__",
    "alternatives",
    "batch",
    "compare",
    "costs",
    "export",
    "io",
    "load_network",
    "load_scenario",
    "maps",
    "montecarlo",
    "network",
    "network_from_geodata",
    "pareto",
    "places",
    "read_geodata",
    "route",
    "routing",
    "scenarios",
    "skim",
    "sweeps",
    "validate",
    "validation",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(_EXPORTS[name])
        # `export` names a module and its main function: once imported, the (callable)
        # module is bound in this namespace and wins, so every access returns one object
        return globals().get(name, getattr(module, name))
    if name in _MODULES:
        return importlib.import_module(f"corridors.{name}")
    msg = f"module 'corridors' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from corridors import (
        batch,
        costs,
        io,
        maps,
        montecarlo,
        network,
        places,
        routing,
        scenarios,
        sweeps,
        validation,
    )
    from corridors._api import alternatives, compare, pareto, route, skim
    from corridors._errors import (
        AmbiguousPlaceError,
        CorridorsError,
        GeodataError,
        InvalidOptionError,
        NoRouteError,
        OutputError,
        ScenarioError,
        UnknownPlaceError,
    )
    from corridors.costs import Profile
    from corridors.export import export
    from corridors.io import Geodata, read_geodata
    from corridors.network import Network, load_network, network_from_geodata
    from corridors.places import Place
    from corridors.routing import Comparison, Route
    from corridors.scenarios import Scenario, load_scenario
    from corridors.validation import validate
