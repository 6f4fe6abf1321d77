"""Maps: interactive HTML (opened offline in headless Chromium) and static PNG/SVG/PDF.

The browser tests need Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright``
Python package; they never let playwright download a browser. When either is missing they
fail with the command that installs it (CI installs both).
"""

from __future__ import annotations

import html as html_lib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from corridors import routing
from corridors.data.vocabulary import mode_label
from corridors.errors import InvalidOptionError, OutputError
from corridors.graph.network import Network, load_network
from corridors.outputs import map_html as _map_html
from corridors.outputs import map_style as _map_style
from corridors.outputs import maps
from corridors.outputs.formats import MAP_FORMATS

CHROMIUM = Path(os.environ.get("CORRIDORS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # belt and braces: no name resolves, so nothing could leave even if asked to
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "code.jquery.com",
    "cdnjs.cloudflare.com",
    "netdna.bootstrapcdn.com",
    "unpkg.com",
    "tile.openstreetmap.org",
)


# -- helpers --------------------------------------------------------------------------------
def _html(m: Any) -> str:
    return str(m.get_root().render())


def _external_refs(page: str) -> list[str]:
    """URLs a page would fetch: script src, link href, CSS url(), img src."""
    refs = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)
    refs += re.findall(r"<link[^>]*\bhref=[\"']([^\"']+)", page)
    refs += re.findall(r"<img[^>]*\bsrc=[\"']([^\"']+)", page)
    refs += re.findall(r"url\(\s*[\"']?((?:https?:)?//[^)\"']+)", page)
    return [r for r in refs if not r.startswith(("data:", "#"))]


def _pixels(png: bytes | Path) -> Any:
    from PIL import Image

    data = png.read_bytes() if isinstance(png, Path) else png
    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB"), dtype=float)


def _not_blank(pixels: Any) -> None:
    assert pixels.std() > 20, "image is (nearly) one colour"
    # one integer per RGB colour: a unique over rows (axis=0) takes tens of seconds on a
    # full-page screenshot
    rgb = pixels.reshape(-1, 3).astype(np.int64)
    colours = np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2])
    assert len(colours) > 50, f"only {len(colours)} distinct colours"


@pytest.fixture(scope="module")
def toy_route(toy: Network) -> routing.Route:
    return routing.route(toy, "Alpha", "Gamma")


@pytest.fixture(scope="module")
def real_route(net: Network) -> routing.Route:
    return routing.route(net, "Almaty", "Bandar Abbas")


@pytest.fixture(scope="module")
def exports(
    net: Network, real_route: routing.Route, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Almaty → Bandar Abbas written once in every format, from the real network."""
    folder = tmp_path_factory.mktemp("maps")
    return {
        ext: maps.write_map(folder / f"almaty-bandar-abbas{ext}", net, [real_route])
        for ext in MAP_FORMATS
    }


# -- interactive: structure -----------------------------------------------------------------
def test_interactive_html_embeds_everything_and_links_no_cdn(
    toy: Network, toy_route: routing.Route
) -> None:
    page = _html(maps.interactive(toy, toy_route))
    assert _external_refs(page) == []
    for host in CDN_HOSTS:
        assert host not in page
    assert "bootstrap" not in page.lower()
    assert "awesome-markers" not in page and "fontawesome" not in page
    assert "Leaflet 1.9" in page  # inlined library
    assert "jQuery v3" in page
    assert "corridors-legend" in page
    assert "OpenStreetMap contributors; Natural Earth; GeoNames" in page
    assert "<title>Alpha → Gamma</title>" in page


def test_interactive_styles_status_and_marks_places(toy: Network) -> None:
    page = _html(maps.interactive(toy))  # no route: the network alone
    assert '"dashArray": "8 6"' in page  # under construction
    assert '"dashArray": "2 6"' in page  # planned
    assert "corridors-border" in page and "corridors-port" in page
    # border popups show the crossing's own dwell, fee and source ids
    assert "10.0 h (5.0–20.0)" in page
    assert "USD 100.00" in page
    assert "fitBounds" in page


def test_interactive_legs_have_tooltips_with_mode_km_h_usd(
    toy: Network, toy_route: routing.Route
) -> None:
    page = _html(maps.interactive(toy, toy_route))
    leg = next(leg for leg in _map_style._route_legs(toy_route) if leg.kind == "haul")
    tip = html_lib.escape(_map_html._leg_tooltip(leg))
    assert tip in page
    assert f"{leg.distance_km:,.0f} km" in tip and " h, USD " in tip
    assert page.count('"className": "corridors-route"') == len(toy_route.link_ids)


def test_comparison_routes_get_distinct_okabe_ito_colours(toy: Network) -> None:
    a = routing.route(toy, "Alpha", "Beta", by="time")
    b = routing.route(toy, "Alpha", "Beta", modes="rail")
    drawn = _map_style.prepare(toy, [a, b], (), ["by road", "by rail"])
    assert [d.colour for d in drawn] == list(maps.ROUTE_COLOURS[:2])
    page = _html(maps.interactive(toy, [a, b], labels=["by road", "by rail"]))
    assert "by road" in page and "by rail" in page
    comparison = routing.compare(toy, "Alpha", "Beta", corridors=["rail_line"])
    labels = [d.label for d in _map_style.prepare(toy, comparison, (), None)]
    # labelled by what each route is: the best marked, each with its real km by mode
    routes = list(comparison.routes.values())
    assert labels == [
        ("★ best by time: " if i == 0 else "") + _map_style._default_label(toy, r)
        for i, r in enumerate(routes)
    ]


def test_scenario_map_dashes_baseline_and_highlights_changed_links(toy: Network) -> None:
    base = routing.route(toy, "Alpha", "Beta", by="time")
    scen = routing.route(toy, "Alpha", "Beta", modes="rail")
    page = _html(maps.interactive(toy, [scen], baseline=[base], changed_links=base.link_ids))
    assert "corridors-baseline" in page and '"dashArray": "10 7"' in page
    assert "corridors-changed" in page
    assert "Baseline: " in page and "Scenario: " in page


def test_bad_inputs_are_clear_errors(toy: Network, toy_route: routing.Route) -> None:
    with pytest.raises(InvalidOptionError, match="one label per route"):
        maps.interactive(toy, [toy_route], labels=["a", "b"])
    with pytest.raises(InvalidOptionError, match="unknown link id"):
        maps.interactive(toy, [toy_route], changed_links=["rail-nowhere"])
    with pytest.raises(InvalidOptionError, match="Route objects"):
        maps.static(toy, ["Alpha"])  # type: ignore[list-item]


def test_network_without_countries_still_maps(toy: Network, tmp_path: Path) -> None:
    folder = tmp_path / "toy"
    shutil.copytree(Path(toy.geodata.folder), folder)
    (folder / "countries.geojson").unlink()
    bare = load_network(folder, cache=False)
    route = routing.route(bare, "Alpha", "Gamma")
    assert "corridors-route" in _html(maps.interactive(bare, route))
    out = maps.write_map(tmp_path / "bare.png", bare, [route])
    assert out.stat().st_size > 10_000


def test_importing_maps_stays_light() -> None:
    code = (
        "import sys, corridors.outputs.maps; "
        "heavy = [m for m in ('matplotlib', 'folium', 'geopandas', 'branca') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


# -- writing --------------------------------------------------------------------------------
def test_unknown_extension_names_the_valid_ones(toy: Network, tmp_path: Path) -> None:
    target = tmp_path / "map.jpg"
    with pytest.raises(OutputError, match=r"\.html, \.png, \.svg, \.pdf"):
        maps.write_map(target, toy)
    assert not target.exists()


def test_existing_file_needs_force(toy: Network, tmp_path: Path) -> None:
    target = tmp_path / "map.svg"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="already exists"):
        maps.write_map(target, toy)
    assert target.read_text(encoding="utf-8") == "keep me"
    maps.write_map(target, toy, force=True)
    assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_failed_write_leaves_no_partial_file(
    toy: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(fig: Any, tmp: Path, suffix: str) -> None:
        tmp.write_bytes(b"half a PNG")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(maps, "save_figure", broken)
    with pytest.raises(OutputError, match="No space left"):
        maps.write_map(tmp_path / "map.png", toy)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_fails_before_any_work(toy: Network, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        maps.write_map(tmp_path / "nope" / "map.html", toy)


# -- static ---------------------------------------------------------------------------------
def test_static_draws_into_a_given_axes(toy: Network, toy_route: routing.Route) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    out = maps.static(toy, toy_route, ax=ax, title="Toy")
    assert out is fig
    assert ax.get_title() == "Toy"
    assert ax.get_legend() is not None
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    _not_blank(_pixels(buf.getvalue()))


def test_static_path_writes_by_extension(
    toy: Network, toy_route: routing.Route, tmp_path: Path
) -> None:
    fig = maps.static(toy, toy_route, tmp_path / "toy.pdf")
    assert (tmp_path / "toy.pdf").read_bytes().startswith(b"%PDF")
    assert fig.get_figwidth() == pytest.approx(_map_style.A4_WIDTH_IN)
    with pytest.raises(OutputError, match="write_map"):
        maps.static(toy, toy_route, tmp_path / "toy.html")


def test_static_png_is_a4_wide_and_not_blank(exports: dict[str, Path]) -> None:
    pixels = _pixels(exports[".png"])
    height, width, _ = pixels.shape
    assert abs(width - _map_style.A4_WIDTH_IN * _map_style.PNG_DPI) <= 1
    assert 0.5 * width < height < 2.0 * width
    _not_blank(pixels)


def test_static_svg_has_legend_title_and_attribution(
    exports: dict[str, Path], real_route: routing.Route, net: Network
) -> None:
    svg = exports[".svg"].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    text = html_lib.unescape(svg)
    assert maps.ATTRIBUTION in text
    assert "Almaty → Bandar Abbas" in text  # title
    assert _map_style._default_label(net, real_route) in text  # legend names the corridor
    # the network key names every mode the route travels by
    modes = {c.mode for c in real_route.components if c.kind == "haul"}
    assert modes and all(f"{mode_label(m)} network" in text for m in modes), modes
    assert "border crossing" in text
    assert "km" in text  # scale bar


def test_static_pdf_is_a_pdf(exports: dict[str, Path]) -> None:
    data = exports[".pdf"].read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 50_000


def test_static_labels_do_not_overlap(net: Network, real_route: routing.Route) -> None:
    from matplotlib.text import Annotation

    fig = maps.static(net, real_route)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes = [t for t in ax.texts if isinstance(t, Annotation)]
    names = {t.get_text() for t in notes}
    assert {"Almaty", "Bandar Abbas"} <= names
    assert any(" / " in n for n in names)  # a border crossing is labelled
    boxes = [t.get_window_extent(renderer) for t in notes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), "two labels overlap"


def test_caspian_is_water_on_the_static_map(net: Network) -> None:
    import geopandas as gpd
    from shapely.geometry import LineString

    countries = gpd.read_file(Path(net.geodata.folder) / "countries.geojson")
    land = countries.union_all()
    caspian_states = {"AZ", "IR", "KZ", "RU", "TM"}

    def country(node: str) -> str:
        return str(net.G.nodes[node].get("country"))

    ferries = [
        link
        for link in _map_style.drawn_links(net)
        if link.mode == "ferry" and {country(link.u), country(link.v)} <= caspian_states
    ]
    assert len(ferries) >= 3, "the network has Caspian ferries"
    for link in ferries:
        middle = LineString(link.coords).interpolate(0.5, normalized=True)
        assert not land.contains(middle), f"{link.link_id} crosses land mid-way"
    ax = maps.static(net, ()).axes[0]
    from matplotlib.colors import to_hex

    assert to_hex(ax.get_facecolor()) == _map_style.WATER


# -- browser --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module, with networking disabled."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with "
            "`apt-get update && apt-get install -y chromium` (the browser tests need it)",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the browser tests need the playwright package: pip install playwright "
            "(no browser download: they use Debian's chromium)",
            pytrace=False,
        )
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser: Any, path: Path) -> tuple[Any, Any, list[str]]:
    """Open ``path`` offline; return the context, the page and every URL it requested."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, offline=True)
    requests: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_selector(".leaflet-overlay-pane svg path", timeout=20_000)
    page.wait_for_timeout(300)
    assert errors == [], f"JavaScript errors: {errors}"
    return context, page, requests


@pytest.mark.browser
def test_html_map_works_offline_in_chromium(
    browser: Any, exports: dict[str, Path], net: Network, real_route: routing.Route
) -> None:
    context, page, requests = _open(browser, exports[".html"])
    try:
        outside = [u for u in requests if not u.startswith(("file:", "data:"))]
        assert outside == [], f"the page made network requests: {outside}"
        assert page.evaluate("typeof window.L") == "object"
        assert page.evaluate("typeof window.jQuery") == "function"
        classes = page.evaluate("document.querySelector('.folium-map').className")
        assert "leaflet-container" in classes

        def n(selector: str) -> int:
            return int(page.evaluate("(s) => document.querySelectorAll(s).length", selector))

        hauls = [leg for leg in _map_style._route_legs(real_route) if leg.kind == "haul"]
        assert n(".leaflet-overlay-pane path.corridors-route") == len(hauls)
        assert n(".leaflet-overlay-pane path.corridors-border") > 10
        assert n(".leaflet-overlay-pane path.corridors-port") > 5
        assert n(".leaflet-overlay-pane path.corridors-end") == 2
        assert n(".leaflet-overlay-pane path.corridors-link") > 100
        assert n(".leaflet-overlay-pane path.corridors-country") > 10
        legend = page.inner_text(".corridors-legend")
        assert _map_style._default_label(net, real_route) in legend
        assert "border crossing" in legend
        assert "Almaty → Bandar Abbas" in page.inner_text(".corridors-title")
        assert "Natural Earth" in page.inner_text(".leaflet-control-attribution")
        _not_blank(_pixels(page.screenshot()))
        # a port popup (jQuery-built) shows its frictions and sources
        page.locator("path.corridors-port").first.click(force=True)
        popup = page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
        text = popup.inner_text()
        assert "Sources" in text or "defaults apply" in text
    finally:
        context.close()


@pytest.mark.browser
def test_scenario_html_in_chromium(browser: Any, toy: Network, tmp_path: Path) -> None:
    base = routing.route(toy, "Alpha", "Beta", by="time")
    scen = routing.route(toy, "Alpha", "Beta", modes="rail")
    out = maps.write_map(
        tmp_path / "scenario.html", toy, [scen], baseline=[base], changed_links=base.link_ids
    )
    context, page, requests = _open(browser, out)
    try:
        assert all(u.startswith(("file:", "data:")) for u in requests)
        for selector in ("path.corridors-baseline", "path.corridors-changed"):
            assert page.locator(selector).count() > 0, selector
        page.locator("path.corridors-route").first.hover(force=True)
        tip = page.wait_for_selector(".leaflet-tooltip:not(.corridors-end)", timeout=5_000)
        assert " km, " in tip.inner_text() and "USD" in tip.inner_text()
        _not_blank(_pixels(page.screenshot()))
    finally:
        context.close()


@pytest.mark.browser
def test_scenario_difference_map_from_the_cli_in_chromium(browser: Any, tmp_path: Path) -> None:
    from conftest import run_cli

    out = tmp_path / "difference.html"
    proc = run_cli("scenario", "run", "kz-tm-af-pk-open", "--map", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    changed = json.loads(proc.stdout)["changed_links"]
    assert changed
    context, page, requests = _open(browser, out)
    try:
        assert all(u.startswith(("file:", "data:")) for u in requests)
        n_changed = page.locator("path.corridors-changed").count()
        assert n_changed >= len(changed)  # each opened link drawn in the highlight
        assert page.locator("path.corridors-baseline").count() > 0
        legend = page.inner_text(".corridors-legend")
        assert "Baseline: " in legend and "Scenario: " in legend
        assert "KZ-TM-AF-PK railway opened" in page.inner_text(".corridors-title")
        _not_blank(_pixels(page.screenshot()))
    finally:
        context.close()


@pytest.fixture(scope="module")
def quickstart_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README quickstart's map: every corridor from Almaty to Bandar Abbas."""
    from conftest import run_cli

    out = tmp_path_factory.mktemp("quickstart") / "almaty-bandar-abbas.html"
    proc = run_cli("compare", "Almaty", "Bandar Abbas", "--map", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_quickstart_legend_marks_the_best_and_labels_are_distinct(net: Network) -> None:
    comparison = routing.compare(net, "Almaty", "Bandar Abbas")
    drawn = _map_style.prepare(net, comparison, None, None)
    labels = [d.label for d in drawn]
    assert len(set(labels)) == len(labels), labels
    colours = [d.colour for d in drawn]
    assert len(set(colours)) == len(colours), colours
    best = [d for d in drawn if d.label.startswith("★ best by time")]
    assert len(best) == 1
    assert best[0].route.time_h == min(d.route.time_h for d in drawn)
    for d in drawn:
        # the label states the km by mode the route really hauls, largest first
        mix = _map_style.mode_mix(d.route)
        assert mix in d.label
        km = {c.mode: 0.0 for c in d.route.components if c.kind == "haul"}
        for c in d.route.components:
            if c.kind == "haul":
                km[c.mode] += c.distance_km
        rail = km.get("rail", 0.0)
        if rail >= 100:
            assert "rail" in d.label, d.label


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(1280, 860), (800, 600)])
def test_quickstart_legend_never_covers_a_route(
    browser: Any, quickstart_map: Path, viewport: tuple[int, int]
) -> None:
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, offline=True
    )
    context.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    page = context.new_page()
    try:
        page.goto(quickstart_map.resolve().as_uri(), wait_until="load")
        page.wait_for_selector(".leaflet-overlay-pane svg path.corridors-route", timeout=20_000)
        page.wait_for_timeout(500)
        legend = page.eval_on_selector(
            ".corridors-legend", "e => e.getBoundingClientRect().toJSON()"
        )
        boxes = page.eval_on_selector_all(
            "path.corridors-route", "es => es.map(e => e.getBoundingClientRect().toJSON())"
        )
        assert boxes
        for box in boxes:
            apart = (
                box["left"] >= legend["right"]
                or box["bottom"] <= legend["top"]
                or box["top"] >= legend["bottom"]
                or box["right"] <= legend["left"]
            )
            assert apart, (box, legend)
        # the legend folds and unfolds
        summary = page.locator(".corridors-legend summary")
        before = page.eval_on_selector(".corridors-legend details", "d => d.open")
        summary.click()
        after = page.eval_on_selector(".corridors-legend details", "d => d.open")
        assert before != after
    finally:
        context.close()
