"""``corridors flows DEMAND``: tables, files and the flow map, opened in Chromium."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import one_line_error, run_cli

import corridors
from corridors.graph.network import Network
from corridors.outputs.flow_outputs import flow_tables, link_flows

CHROMIUM = Path(os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND"]


@pytest.fixture(scope="module")
def result(net: Network) -> corridors.FlowResult:
    return corridors.assign("baseline-2024", network=net)


def test_tables_hold_the_links_capacities_and_totals(
    net: Network, result: corridors.FlowResult
) -> None:
    tables = flow_tables(result, net)
    assert list(tables) == ["links", "capacities", "places", "modal_split", "totals"]
    links = tables["links"]
    assert links.crs is not None and links.geometry.notna().all()
    assert (links["tonnes"] > 0).all()
    pipe = links.set_index("link_id").loc["pipeline-az-sangachal-tr-ceyhan"]
    assert pipe["tonnes"] == pytest.approx(1.5e6)
    assert pipe["utilisation"] == pytest.approx(0.03)
    assert tables["modal_split"]["share"].sum() == pytest.approx(1.0)
    assert link_flows(result, net)["tonnes"].is_monotonic_decreasing


@pytest.mark.slow
def test_cli_assigns_the_baseline_and_writes_every_table(tmp_path: Path) -> None:
    out, flow_map = tmp_path / "flows.xlsx", tmp_path / "flows.html"
    proc = run_cli("flows", "baseline-2024", "--out", str(out), "--map", str(flow_map))
    assert proc.returncode == 0, proc.stderr
    assert "relative gap" in proc.stderr and "reached" in proc.stderr
    assert "cap-kz-aktau-port" in proc.stdout
    assert "titr-2024" in proc.stdout and "observations, not inputs" in proc.stdout
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"links", "capacities", "places", "modal_split", "totals"} <= set(sheets)
    assert flow_map.stat().st_size > 10_000
    csv_out = tmp_path / "links.csv"
    proc = run_cli("flows", "baseline-2024", "--method", "aon", "--out", str(csv_out))
    assert proc.returncode == 0, proc.stderr
    with csv_out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and "tonnes" in rows[0] and "link_id" in rows[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["no-such-demand"], "baseline-2024"),
        (["baseline-2024", "--tntp-net", "x.tntp"], "not both"),
        (["baseline-2024", "--map", "m.txt"], ".html"),
        (["baseline-2024", "--out", "f.txt"], ".csv"),
        (["baseline-2024", "--method", "walk"], "aon, logit, equilibrium"),
    ],
)
def test_bad_flow_arguments_are_one_line(tmp_path: Path, args: list[str], needle: str) -> None:
    proc = run_cli("flows", *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert needle in one_line_error(proc.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.browser
def test_flow_map_opens_offline_with_a_line_per_loaded_link(
    browser: Any, net: Network, result: corridors.FlowResult, tmp_path: Path
) -> None:
    from corridors.outputs.flow_outputs import write_flow_map

    path = write_flow_map(tmp_path / "flows.html", result, net)
    context = browser.new_context(viewport={"width": 1280, "height": 860}, offline=True)
    requests: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("path.corridors-flow", timeout=20_000)
        assert errors == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
        drawn = page.evaluate("document.querySelectorAll('path.corridors-flow').length")
        assert drawn == len(link_flows(result, net))
        widths = page.evaluate(
            "[...document.querySelectorAll('path.corridors-flow')]"
            ".map(p => parseFloat(p.getAttribute('stroke-width')))"
        )
        assert max(widths) > 3 * min(widths)  # width follows the tonnes
        legend = page.inner_text(".corridors-flow-legend")
        assert "over capacity" in legend and "no capacity in the data" in legend
    finally:
        context.close()


def test_static_flow_map_draws_the_flows(
    net: Network, result: corridors.FlowResult, tmp_path: Path
) -> None:
    import matplotlib.image as mpimg
    import numpy as np

    from corridors.outputs.flow_outputs import NO_CAPACITY, flow_figure, write_flow_map

    fig = flow_figure(result, net)
    ax = fig.axes[0]
    assert len(ax.lines) == len(link_flows(result, net))
    widths = [line.get_linewidth() for line in ax.lines]
    assert max(widths) > 3 * min(widths)
    assert NO_CAPACITY[1] in [t.get_text() for t in ax.get_legend().get_texts()]
    path = write_flow_map(tmp_path / "flows.png", result, net)
    pixels = mpimg.imread(path)
    # one integer per colour (8 bits a channel): a unique over rows (axis=0) is far slower
    channels = np.round(pixels.reshape(-1, pixels.shape[-1]) * 255).astype(np.int64)
    colours = np.unique(sum(channels[:, i] << (8 * i) for i in range(channels.shape[1])))
    assert pixels.shape[0] > 500 and len(colours) > 20
