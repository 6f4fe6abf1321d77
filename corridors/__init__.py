"""corridors: a transit corridor route modeller for Central Asia and its outlets.

The network is a ``networkx.MultiDiGraph`` in OSMnx conventions built from the curated,
sourced ``geodata/`` tables; routes pay border, gauge-break, port and transfer frictions
on the path that incurs them.

Heavy modules load on first use, so ``import corridors`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Results show and write themselves through the views the outputs stage registers here
# (see corridors.routing.views); registering imports nothing heavy.
from corridors.outputs import views as _views  # noqa: F401

# public name -> module that defines it
_EXPORTS = {
    "Network": "corridors.graph.network",
    "load_network": "corridors.graph.network",
    "network_from_geodata": "corridors.graph.network",
    "Geodata": "corridors.data.geodata",
    "read_geodata": "corridors.data.geodata",
    "Route": "corridors.routing.results",
    "Comparison": "corridors.routing.results",
    "Profile": "corridors.graph.profiles",
    "RouteOptions": "corridors.routing.options",
    "Place": "corridors.graph.places",
    "Scenario": "corridors.scenarios.scenario",
    "load_scenario": "corridors.scenarios.scenario",
    "route": "corridors.routing.shortcuts",
    "alternatives": "corridors.routing.shortcuts",
    "pareto": "corridors.routing.shortcuts",
    "compare": "corridors.routing.shortcuts",
    "skim": "corridors.routing.shortcuts",
    "assign": "corridors.flows.assign",
    "FlowResult": "corridors.flows.results",
    "export": "corridors.outputs.export",
    "report": "corridors.outputs.report",
    "validate": "corridors.routing.network_checks",
    "load_validated": "corridors.routing.network_checks",
    "CorridorsError": "corridors.errors",
    "UnknownPlaceError": "corridors.errors",
    "AmbiguousPlaceError": "corridors.errors",
    "GeodataError": "corridors.errors",
    "ScenarioError": "corridors.errors",
    "InvalidOptionError": "corridors.errors",
    "NoRouteError": "corridors.errors",
    "OutputError": "corridors.errors",
}
# The modules users reach as ``corridors.<name>``, by the module that holds them; the
# stage packages themselves (``data``, ``graph``, ``routing``, ``flows``, ``scenarios``,
# ``outputs``, ``cli``) are reached directly.
_MODULES = {
    "batch": "corridors.routing.batch",
    "costs": "corridors.graph.routing_graph",
    "io": "corridors.data.geodata",
    "maps": "corridors.outputs.maps",
    "montecarlo": "corridors.scenarios.montecarlo",
    "network": "corridors.graph.network",
    "places": "corridors.graph.places",
    "sweeps": "corridors.scenarios.sweeps",
    "validation": "corridors.routing.network_checks",
}
_STAGES = ("data", "graph", "routing", "flows", "scenarios", "outputs", "cli")

__all__ = [
    "AmbiguousPlaceError",
    "Comparison",
    "CorridorsError",
    "FlowResult",
    "Geodata",
    "GeodataError",
    "InvalidOptionError",
    "Network",
    "NoRouteError",
    "OutputError",
    "Place",
    "Profile",
    "Route",
    "RouteOptions",
    "Scenario",
    "ScenarioError",
    "UnknownPlaceError",
    "__version__",
    "alternatives",
    "assign",
    "batch",
    "cli",
    "compare",
    "costs",
    "data",
    "export",
    "flows",
    "graph",
    "io",
    "load_network",
    "load_scenario",
    "load_validated",
    "maps",
    "montecarlo",
    "network",
    "network_from_geodata",
    "outputs",
    "pareto",
    "places",
    "read_geodata",
    "report",
    "route",
    "routing",
    "scenarios",
    "skim",
    "sweeps",
    "validate",
    "validation",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from corridors.data.locate import package_version

        return package_version()
    if name == "export":
        # `corridors.export` is both the export function and its module (which is callable:
        # `corridors.export(obj, path)` and `corridors.export.export_tables(...)` both work)
        return importlib.import_module("corridors.outputs.export")
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name in _STAGES:
        return importlib.import_module(f"corridors.{name}")
    msg = f"module 'corridors' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from corridors import cli, data, flows, graph, outputs, routing, scenarios
    from corridors.data import geodata as io
    from corridors.data.geodata import Geodata, read_geodata
    from corridors.errors import (
        AmbiguousPlaceError,
        CorridorsError,
        GeodataError,
        InvalidOptionError,
        NoRouteError,
        OutputError,
        ScenarioError,
        UnknownPlaceError,
    )
    from corridors.flows.assign import assign
    from corridors.flows.results import FlowResult
    from corridors.graph import network, places
    from corridors.graph import routing_graph as costs
    from corridors.graph.network import Network, load_network, network_from_geodata
    from corridors.graph.places import Place
    from corridors.graph.profiles import Profile
    from corridors.outputs import maps
    from corridors.outputs.export import export
    from corridors.outputs.report import report
    from corridors.routing import batch
    from corridors.routing import network_checks as validation
    from corridors.routing.network_checks import load_validated, validate
    from corridors.routing.options import RouteOptions
    from corridors.routing.results import Comparison, Route
    from corridors.routing.shortcuts import alternatives, compare, pareto, route, skim
    from corridors.scenarios import montecarlo, sweeps
    from corridors.scenarios.scenario import Scenario, load_scenario
