"""Stage 4, scenarios: the scenario file, applying it, comparisons, sweeps and Monte Carlo runs.

The names below load their module on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module of this stage that defines it
_EXPORTS = {
    "Scenario": "corridors.scenarios.scenario",
    "ScenarioComparison": "corridors.scenarios.comparison",
    "load_scenario": "corridors.scenarios.scenario",
    "shipped_scenarios": "corridors.scenarios.scenario",
}

__all__ = [
    "Scenario",
    "ScenarioComparison",
    "load_scenario",
    "shipped_scenarios",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    msg = f"module 'corridors.scenarios' has no attribute {name!r}"
    raise AttributeError(msg)


if TYPE_CHECKING:
    from corridors.scenarios.comparison import ScenarioComparison
    from corridors.scenarios.scenario import Scenario, load_scenario, shipped_scenarios
