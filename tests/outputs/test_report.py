"""`corridors report`: one self-contained page (or its PDF) answering one question."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import one_line_error, run_cli

import corridors
from corridors.errors import InvalidOptionError, OutputError
from corridors.graph.network import Network
from corridors.outputs.report import parts_of
from outputs.test_maps import _not_blank, _pixels, browser  # noqa: F401 - the fixture

REMOTE = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def compare_report(net: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "almaty-bandar-abbas.html"
    return corridors.report(out, compare="Almaty:Bandar Abbas", net=net)


@pytest.fixture(scope="module")
def scenario_report(net: Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "tm-ir-border-closed.html"
    return corridors.report(out, scenario="tm-ir-border-closed", net=net)


def test_breakdown_adds_up_to_the_route(net: Network) -> None:
    r = corridors.route("Almaty", "Bandar Abbas", network=net)
    parts = parts_of(r)
    assert parts["haul"][0] > 0 and "border" in parts
    assert sum(h for h, _ in parts.values()) == pytest.approx(r.time_h)
    assert sum(usd for _, usd in parts.values()) == pytest.approx(r.cost_usd)


def test_report_page_is_self_contained_and_cites_its_sources(
    compare_report: Path, net: Network
) -> None:
    page = compare_report.read_text(encoding="utf-8")
    # only the bibliography links out (as plain links, never loaded)
    loaded = [m for m in re.findall(r"<(?:img|script|link|iframe)[^>]*>", page) if REMOTE.search(m)]
    assert loaded == []
    refs = {int(n) for n in re.findall(r"\[(\d+)\]", page)}
    entries = re.findall(r'<li id="src-([^"]+)">', page)
    assert refs and max(refs) == len(entries)
    for sid in entries:
        assert sid in net.geodata.sources or sid in net.geodata.seeds
    comparison = corridors.compare("Almaty", "Bandar Abbas", network=net)
    rows = re.findall(r"<tr><td>", page.split('class="summary"')[1].split("</table>")[0])
    assert len(rows) == len(comparison.routes)
    for question in ("Assumptions and data", "geodata " + net.digest[:12], "lowest time (h)"):
        assert question in page


def test_scenario_report_shows_the_changes_and_deltas(scenario_report: Path, net: Network) -> None:
    page = scenario_report.read_text(encoding="utf-8")
    assert "What the scenario changes" in page
    assert page.count("<b>change</b>") >= 1
    # the scenario closes every rail and road link across the Turkmenistan-Iran border
    country = dict(zip(net.geodata.nodes["id"], net.geodata.nodes["country"], strict=True))
    links = net.geodata.links
    crossing = [
        lid
        for lid, u, v, mode in zip(links["id"], links["u"], links["v"], links["mode"], strict=True)
        if mode in ("rail", "road") and {country[u], country[v]} == {"TM", "IR"}
    ]
    assert len(crossing) >= 3  # KTI, Sarakhs by rail and road
    assert f"closed {len(crossing)} link(s)" in page


def test_report_refuses_bad_requests(net: Network, tmp_path: Path) -> None:
    with pytest.raises(InvalidOptionError, match="exactly one"):
        corridors.report(tmp_path / "r.html", net=net)
    with pytest.raises(OutputError):
        corridors.report(tmp_path / "r.txt", route="Almaty:Tashkent", net=net)
    assert not list(tmp_path.iterdir())
    proc = run_cli("report", str(tmp_path / "r.html"), "--route", "Almaty")
    assert proc.returncode == 2
    assert "ORIGIN:DESTINATION" in one_line_error(proc.stderr)
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
@pytest.mark.parametrize("which", ["compare_report", "scenario_report"])
def test_report_renders_in_chromium(browser: Any, which: str, request: Any) -> None:  # noqa: F811
    path: Path = request.getfixturevalue(which)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, offline=True)
    asked: list[str] = []
    context.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page = context.new_page()
    page.on("request", lambda r: asked.append(r.url))
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        assert [u for u in asked if not u.startswith(("file:", "data:"))] == []
        assert page.locator("table.summary tr").count() >= 2
        width = page.eval_on_selector("img.map", "i => i.naturalWidth")
        assert width > 300  # the map decoded
        segments = page.eval_on_selector_all(
            ".chart .seg", "es => es.map(e => e.getBoundingClientRect().width)"
        )
        assert segments and max(segments) > 50  # stacked bars drawn
        assert page.locator("ol.bib li").count() > 5
        _not_blank(_pixels(page.screenshot(full_page=True)))
    finally:
        context.close()


@pytest.mark.browser
def test_pdf_report_prints_pages_that_are_not_blank(tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    out = tmp_path / "almaty-bandar-abbas.pdf"
    proc = run_cli("report", str(out), "--compare", "Almaty:Bandar Abbas")
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF")
    pdf = pdfium.PdfDocument(str(out))
    assert len(pdf) >= 2
    for index in (0, 1):
        image = pdf[index].render(scale=1.0).to_pil().convert("RGB")
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        pixels = _pixels(buf.getvalue())
        ink = (pixels.sum(axis=2) < 600).mean()
        assert ink > 0.01, f"page {index + 1} is (nearly) blank"
        if index == 0:
            _not_blank(pixels)
    assert np.isfinite(ink)
