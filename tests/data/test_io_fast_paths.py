"""The fast readers give exactly what the slow ones give: YAML via libyaml, rows via columns."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import TOY

from corridors.data import yaml_parse as _yaml
from corridors.data.geodata import records
from corridors.data.locate import geodata_dir, seeds_dir
from corridors.graph.network import Network


def _yaml_files() -> list[Path]:
    found = [*sorted(geodata_dir().glob("*.yaml")), *sorted(TOY.glob("*.yaml"))]
    seeds = seeds_dir(geodata_dir())
    if seeds is not None:
        found += sorted(seeds.glob("*.yaml"))
    return found


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_yaml_data_and_lines_match_the_pure_python_parser(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _yaml.safe_load(text) == yaml.safe_load(text)
    fast, slow = _yaml.compose(text), yaml.compose(text, Loader=yaml.SafeLoader)

    def marks(node: Any) -> list[tuple[str, int, int]]:
        out = [(type(node).__name__, node.start_mark.line, node.start_mark.column)]
        children = node.value if isinstance(node.value, list) else []
        for child in children:
            for part in child if isinstance(child, tuple) else (child,):
                out += marks(part)
        return out

    assert marks(fast) == marks(slow)


def test_malformed_yaml_reports_what_the_pure_python_parser_reports() -> None:
    text = "sources:\n  - id: a\n    title: [unclosed\n  - id: b\n"
    with pytest.raises(yaml.YAMLError) as slow:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as fast:
        _yaml.safe_load(text)
    assert str(fast.value) == str(slow.value)


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if list(x) != list(y):
            return False
        for key in x:
            u, v = x[key], y[key]
            if type(u) is not type(v):
                return False
            both_nan = isinstance(u, float) and math.isnan(u) and math.isnan(v)
            if not both_nan and u != v:
                return False
    return True


def test_records_equal_to_dict_on_every_table(net: Network, toy: Network) -> None:
    for network in (net, toy):
        for name, frame in network.geodata.tables.items():
            assert _same(records(frame), frame.to_dict("records")), name


def test_records_of_nullable_columns_box_missing_values_as_pandas_does() -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", None, "c"],
            "n": pd.array([1, None, 3], dtype="Int64"),
            "x": [1.0, float("nan"), 2.0],
            "ids": [["s1"], [], None],
        }
    )
    assert _same(records(frame), frame.to_dict("records"))
    assert records(frame)[1]["n"] is None
