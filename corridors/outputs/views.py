"""What results show and write through :mod:`corridors.routing.views`, registered by name.

Each function imports what it draws with only when called, so importing this module (the
package front door does) costs nothing heavy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.routing.views import register

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route
    from corridors.scenarios.comparison import ScenarioComparison
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult


def _network(net: Network | None) -> Network:
    from corridors.graph.network import load_network

    return net if net is not None else load_network()


@register("Route.explore")
def route_explore(route: Route, net: Network | None = None, **kwargs: Any) -> Any:
    """Return an interactive folium map of a route."""
    from corridors.outputs import maps

    return maps.interactive(_network(net), [route], **kwargs)


@register("Route.plot")
def route_plot(route: Route, net: Network | None = None, **kwargs: Any) -> Any:
    """Return a static matplotlib figure of a route."""
    from corridors.outputs import maps

    return maps.static(_network(net), [route], **kwargs)


@register("Route.rich")
def route_rich(route: Route) -> Any:
    """Return a rich table of a route's legs."""
    from corridors.outputs.route_tables import route_table

    return route_table(route)


@register("Route.html")
def route_html(route: Route) -> str:
    """Return a route as HTML for a notebook."""
    from corridors.outputs import route_tables

    return route_tables.route_html(route)


@register("Comparison.rich")
def comparison_rich(comparison: Comparison) -> Any:
    """Return a rich table of a corridor comparison."""
    from corridors.outputs.route_tables import comparison_table

    return comparison_table(comparison)


@register("ScenarioComparison.rich")
def scenario_rich(result: ScenarioComparison) -> Any:
    """Return rich tables of a scenario comparison."""
    from corridors.outputs.scenario_tables import comparison_table

    return comparison_table(result)


@register("ScenarioComparison.write")
def scenario_write(
    result: ScenarioComparison, path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write a scenario comparison's table, in the format the extension names."""
    from corridors.outputs.writing import write_result

    return write_result(result, path, force=force)


@register("ScenarioComparison.write_map")
def scenario_write_map(
    result: ScenarioComparison, path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write a difference map: baseline routes dashed, scenario routes solid, changes lit."""
    from corridors.outputs import maps

    before, after = result.routes()
    return maps.write_map(
        path,
        result.network,
        after,
        baseline=before,
        changed_links=result.changed_links,
        title=f"Scenario: {result.name}",
        force=force,
    )


@register("SweepResult.plot")
def sweep_plot(result: SweepResult, **kwargs: Any) -> Any:
    """Return a chart of each corridor's objective against the swept value."""
    from corridors.outputs.charts import sweep_figure

    return sweep_figure(result, **kwargs)


@register("SweepResult.write")
def sweep_write(result: SweepResult, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write a sweep's table or chart, in the format the extension names."""
    from corridors.outputs.writing import write_result

    return write_result(result, path, force=force)


@register("SweepResult.rich")
def sweep_rich(result: SweepResult) -> Any:
    """Return a rich table of a sweep."""
    from corridors.outputs.scenario_tables import sweep_table

    return sweep_table(result)


@register("MonteCarloResult.plot")
def montecarlo_plot(result: MonteCarloResult, **kwargs: Any) -> Any:
    """Return box plots of each corridor's objective per pair."""
    from corridors.outputs.charts import montecarlo_figure

    return montecarlo_figure(result, **kwargs)


@register("MonteCarloResult.write")
def montecarlo_write(
    result: MonteCarloResult, path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write a Monte Carlo run's summary or chart, in the format the extension names."""
    from corridors.outputs.writing import write_result

    return write_result(result, path, force=force)


@register("MonteCarloResult.rich")
def montecarlo_rich(result: MonteCarloResult) -> Any:
    """Return a rich table of a Monte Carlo run."""
    from corridors.outputs.scenario_tables import montecarlo_table

    return montecarlo_table(result)
