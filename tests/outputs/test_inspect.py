"""`corridors data list/show`: tables of the data and one item with its sources."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from conftest import TOY, run_cli
from rich.console import Console

import corridors
from corridors.errors import InvalidOptionError
from corridors.graph.network import Network
from corridors.outputs import data_views as _inspect


def _render(renderable: object) -> str:
    console = Console(file=io.StringIO(), width=250, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("nodes", ["aa-alpha", "Alpha", "toy:alpha", "bb-twin"]),
        ("links", ["rail-bb-border-bb-beta-1520", "under_construction", "published"]),
        ("frictions", ["border-ab-rail", "10 (5–20)", "gauge-bb-border", "5 (3–8)"]),
        ("corridors", ["rail_line", "aa-border → bb-border", "ferry_line"]),
        ("sources", ["toy", "Hand-made toy network for unit tests", "MIT"]),
        ("sections", ["alpha-beta-rail", "180 (170–190)"]),
        ("rates", ["rail-bb", "0.5"]),
        ("Profiles", ["teu", "Container"]),
    ],
)
def test_listing(toy: Network, table: str, expected: list[str]) -> None:
    text = _render(_inspect.listing(toy, table))
    assert text.startswith(f"{table.lower()} (")
    for fragment in expected:
        assert fragment in text, text


def test_listing_rows_sorted_by_id(toy: Network) -> None:
    text = _render(_inspect.listing(toy, "nodes"))
    ids = [n for n in ("aa-alpha", "aa-border", "aa-port", "bb-beta", "cc-twin") if n in text]
    assert sorted(ids, key=text.index) == ids


def test_listing_unknown_table_names_the_valid_ones(toy: Network) -> None:
    with pytest.raises(InvalidOptionError, match="unknown table 'node'") as err:
        _inspect.listing(toy, "node")
    assert "did you mean 'nodes'?" in str(err.value)
    assert "nodes, links, frictions, corridors, sources, sections, seeds" in str(err.value)


def test_show_node_lists_links_frictions_and_sources(toy: Network) -> None:
    text = _render(_inspect.show(toy, "bb-border"))
    assert "node bb-border" in text and "Beta Border" in text
    assert "nodes.csv:5" in text
    assert "links at bb-border (3)" in text and "rail-bb-border-bb-beta-1520" in text
    assert "frictions at bb-border (3)" in text
    assert "border-ab-rail" in text and "aa-border → bb-border" in text and "10 (5–20)" in text
    assert "gauge-bb-border" in text
    assert "sources cited" in text and "Hand-made toy network for unit tests" in text
    assert "corridors tests" in text and "2026-11-22" in text


def test_show_friction_answers_where_the_hours_come_from(toy: Network) -> None:
    text = _render(_inspect.show(toy, "border-ab-rail"))
    assert "friction border-ab-rail" in text
    for fragment in ("time_h_low", "time_h_high", "frictions.csv:2", "Alpha Border"):
        assert fragment in text
    assert "Hand-made toy network for unit tests" in text


def test_show_link_corridor_and_source(toy: Network) -> None:
    link = _render(_inspect.show(toy, "rail-bb-beta-cc-gamma"))
    assert "planned" in link and "2030" in link and "joins bb-beta (Beta) and cc-gamma" in link
    corridor = _render(_inspect.show(toy, "ferry_line"))
    assert "aa-port (Alpha Port) → bb-port (Beta Port)" in corridor
    assert "corridors.yaml" in corridor
    source = _render(_inspect.show(toy, "toy"))
    assert "source toy" in source and "licence" in source
    assert "cited by" in source and "frictions:border-ab-rail" in source


def test_show_by_case_and_by_name(toy: Network) -> None:
    assert "node bb-border" in _render(_inspect.show(toy, "BB-Border"))
    assert "node bb-border" in _render(_inspect.show(toy, "Beta Border"))


def test_show_unknown_id_suggests_three(toy: Network) -> None:
    with pytest.raises(InvalidOptionError, match="unknown id 'bb-bta'") as err:
        _inspect.show(toy, "bb-bta")
    message = str(err.value)
    assert "did you mean: bb-beta" in message
    suggested = message.split("did you mean: ")[1].split("?")[0].split(", ")
    assert len(suggested) == 3


def test_show_method_and_seed(tmp_path: Path) -> None:
    folder = tmp_path / "geodata"
    shutil.copytree(TOY, folder)
    (folder / "seeds").mkdir()
    (folder / "seeds" / "seed-x.yaml").write_text(
        "id: seed-x\ndate: '2025-01-02'\noutlet: Example News\nlanguage: tr\n"
        "title: A seed article\nfacts:\n  - id: seed-x-f1\n    text: A fact.\n",
        encoding="utf-8",
    )
    (folder / "README.md").write_text(
        "## Estimation methods\n\n| method | how |\n|---|---|\n"
        "| `mode_default` | the mode's default speed |\n",
        encoding="utf-8",
    )
    text = (folder / "speeds.csv").read_text(encoding="utf-8")
    text = text.replace("road,road,*,50,toy,,", "road,road,*,50,seed-x,mode_default,")
    (folder / "speeds.csv").write_text(text, encoding="utf-8")
    net = corridors.load_network(folder, cache=False)
    seed = _render(_inspect.show(net, "seed-x"))
    assert "A seed article" in seed and "cited by 1 row(s): speeds:road" in seed
    road = _render(_inspect.show(net, "road"))  # a speed row and an emissions mode
    assert "method mode_default: the mode's default speed" in road
    assert "Example News" in road and "2025-01-02" in road
    assert "seed-x" in _render(_inspect.listing(net, "seeds"))


def test_cli_list_and_show() -> None:
    proc = run_cli("data", "list", "frictions", "--geodata", str(TOY))
    assert proc.returncode == 0, proc.stderr
    assert "border-ab-rail" in proc.stdout
    proc = run_cli("data", "show", "border-ab-rail", "--geodata", str(TOY))
    assert proc.returncode == 0, proc.stderr
    assert "Hand-made toy network for unit tests" in proc.stdout


def test_cli_show_unknown_id_one_line_error() -> None:
    proc = run_cli("data", "show", "kz-nowhere", "--geodata", str(TOY))
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: unknown id 'kz-nowhere'")
