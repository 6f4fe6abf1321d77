"""The package's shape: stage folders, no import cycles, private names kept private."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

import corridors
from corridors.routing.views import registered

PACKAGE = Path(corridors.__file__).resolve().parent
STAGES = ("data", "graph", "routing", "flows", "scenarios", "outputs", "cli")


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_shipped" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def test_top_level_holds_the_front_door_errors_and_the_stages() -> None:
    top = sorted(
        p.name for p in PACKAGE.iterdir() if p.name not in ("__pycache__", "_shipped", "py.typed")
    )
    assert top == sorted(["__init__.py", "__main__.py", "errors.py", *STAGES])


def test_no_import_cycles_counting_imports_inside_functions() -> None:
    # Imports under TYPE_CHECKING only name types for annotations and never run; the layers
    # contract counts them too (no stage names a later stage's types), but within a stage a
    # module may annotate with the types of one that calls it (Scenario in sweeps).
    graph = grimp.build_graph("corridors", exclude_type_checking_imports=True)
    g = nx.DiGraph()
    for module in graph.modules:
        g.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            g.add_edge(module, imported)
    # the front door imports every stage and nothing imports it back: leave it out
    g.remove_node("corridors")
    assert g.number_of_nodes() >= 50, "the import graph lost modules"
    cycles = list(nx.simple_cycles(g))
    assert cycles == [], f"import cycles: {cycles[:3]}"


def test_no_module_imports_a_private_name_from_another() -> None:
    checked = 0
    offenders = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("corridors"):
                for alias in node.names:
                    checked += 1
                    private = alias.name.startswith("_") and not alias.name.startswith("__")
                    if private:
                        offenders.append(f"{name}: from {node.module} import {alias.name}")
    assert checked > 200, f"only {checked} imported names found"
    assert offenders == []


def test_stage_layers_contract_holds() -> None:
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "1 kept, 0 broken" in proc.stdout


def test_every_public_name_resolves_as_before() -> None:
    for name in corridors.__all__:
        assert getattr(corridors, name) is not None, name
    # module-level names the README, notebooks and earlier releases use
    assert callable(corridors.export)
    assert callable(corridors.export.export_tables)
    assert callable(corridors.maps.interactive) and callable(corridors.maps.static)
    assert callable(corridors.batch.skim) and callable(corridors.batch.skim_arrays)
    assert callable(corridors.validation.validate)
    assert corridors.validation.ValidationReport is not None
    assert callable(corridors.routing.route) and callable(corridors.routing.compare)
    assert corridors.scenarios.Scenario is corridors.Scenario
    assert callable(corridors.montecarlo.run_montecarlo) and callable(corridors.sweeps.run_sweep)
    assert corridors.network.Network is corridors.Network
    assert corridors.io.read_geodata is corridors.read_geodata
    assert corridors.costs.Profile is corridors.Profile
    assert callable(corridors.places.normalise)


def test_every_view_a_result_asks_for_is_registered() -> None:
    asked = {
        name
        for path in _modules().values()
        for name in re.findall(r"\bview\(\s*\"([A-Za-z]+\.[a-z_]+)\"", path.read_text("utf-8"))
    }
    assert len(asked) >= 12, sorted(asked)
    assert asked <= set(registered()), sorted(asked - set(registered()))
