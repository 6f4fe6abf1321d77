"""Maps of the network and its routes: interactive HTML (offline) and static print figures.

Three public functions share one set of styles:

- :func:`interactive` returns a ``folium.Map``. Leaflet, jQuery and their stylesheet are
  inlined from installed packages (XStatic-Leaflet, XStatic-jQuery), and the base map is
  the country polygons shipped in geodata, so a saved map makes no network request at all
  unless tiles are asked for (``tiles=True``).
- :func:`static` returns a matplotlib figure (Agg, A4 width) in a Lambert conformal conic
  projection, with greedy label placement, a legend, a scale bar and the attribution.
- :func:`write_map` writes either, chosen by the file extension, atomically.

Routes are drawn in Okabe–Ito colours (safe for colour-blind readers); a scenario map draws
baseline routes dashed, scenario routes solid and the changed links in a highlight.
matplotlib, geopandas and folium are imported inside the functions, so ``import corridors``
stays light.
"""

from __future__ import annotations

import base64
import functools
import html
import importlib
import json
import logging
import math
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from corridors._errors import InvalidOptionError, OutputError
from corridors._output import check_writable, write_with

if TYPE_CHECKING:
    import folium
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from corridors.network import Network
    from corridors.routing import Comparison, Route

    RouteInput = Route | Comparison | Iterable[Route] | None

__all__ = [
    "ATTRIBUTION",
    "FORMATS",
    "MODE_COLOURS",
    "ROUTE_COLOURS",
    "interactive",
    "static",
    "write_map",
]

log = logging.getLogger("corridors")

#: Attribution printed on every map (data the maps and the network derive from).
ATTRIBUTION = "© OpenStreetMap contributors; Natural Earth; GeoNames"
#: File extensions :func:`write_map` understands.
FORMATS = (".html", ".png", ".svg", ".pdf")
#: Okabe–Ito colours for routes, in the order they are used (black is kept for baselines).
ROUTE_COLOURS = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)
#: Colours of baseline routes on a scenario map (dashed).
BASELINE_COLOURS = ("#000000", "#56B4E9", "#CC79A7", "#D55E00", "#009E73", "#0072B2")
#: Network colours by mode (drawn faint under the routes).
MODE_COLOURS = {
    "rail": "#5e3c99",
    "road": "#a6611a",
    "ferry": "#2c7fb8",
    "sea": "#6fa8d6",
    "pipeline": "#4d9221",
}
STATUS_LABELS = {
    "operational": "operational",
    "under_construction": "under construction",
    "planned": "planned / proposed",
    "closed": "closed",
}
_CLOSED_COLOUR = "#8c8c8c"
_HIGHLIGHT = "#ff4fc1"  # outside the route palette, so a changed link reads as such
_HIGHLIGHT_EDGE = "#9c0f6e"
_WATER = "#d4e6f3"
_LAND = "#f3f0e8"
_BORDER_LINE = "#9a9a9a"
_PORT_COLOUR = "#1f78b4"
_BORDER_COLOUR = "#3a3a3a"
# Leaflet dash arrays and matplotlib line styles per link status.
_DASH_HTML = {"operational": None, "under_construction": "8 6", "planned": "2 6", "closed": "1 5"}
_DASH_MPL: dict[str, Any] = {
    "operational": "-",
    "under_construction": (0, (4.0, 2.5)),
    "planned": (0, (1.0, 1.8)),
    "closed": (0, (1.0, 3.0)),
}
# Lambert conformal conic for the study region (Central Asia, Caspian, Iran, Caucasus).
_REGION_CRS = "+proj=lcc +lat_0=40 +lon_0=60 +lat_1=30 +lat_2=48 +datum=WGS84 +units=m +no_defs"
_A4_WIDTH_IN = 8.27
_PNG_DPI = 250
_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "svg.fonttype": "none",  # text stays text in SVG (searchable, editable)
    "svg.hashsalt": "corridors",  # reproducible element ids
    "pdf.fonttype": 42,
    "axes.linewidth": 0.6,
}


# -- shared model ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Link:
    link_id: str
    mode: str
    status: str
    u: str
    v: str
    name: str
    gauge_mm: int | None
    length_km: float
    open_year: int | None
    source_ids: tuple[str, ...]
    coords: tuple[tuple[float, float], ...]


@dataclass
class _Leg:
    kind: str
    mode: str
    from_node: str
    to_node: str
    from_name: str
    to_name: str
    country: str
    distance_km: float
    time_h: float
    cost_usd: float
    co2_kg: float
    gauge_mm: int | None
    status: str
    link_id: str
    friction_id: str
    source_ids: str
    note: str
    coords: tuple[tuple[float, float], ...]


@dataclass
class _Drawn:
    route: Route
    label: str
    colour: str
    baseline: bool
    legs: list[_Leg] = field(default_factory=list)
    unit: str = ""

    @property
    def hauls(self) -> list[_Leg]:
        return [leg for leg in self.legs if leg.kind == "haul" and len(leg.coords) >= 2]

    @property
    def stops(self) -> list[_Leg]:
        return [leg for leg in self.legs if leg.kind != "haul" and leg.coords]

    def totals(self) -> str:
        r = self.route
        return (
            f"{r.distance_km:,.0f} km, {r.time_h:,.0f} h ({r.time_h / 24:.1f} d), "
            f"USD {r.cost_usd:,.0f} per {self.unit or r.profile}"
        )


@dataclass(frozen=True)
class _Key:
    """One legend entry: a line, a point or a highlight."""

    section: str
    label: str
    kind: str  # line | point | halo
    colour: str
    status: str = "operational"
    width: float = 2.0
    edge: str = "#ffffff"
    size: float = 5.0
    detail: str = ""


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _ids(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p for p in value.split("|") if p)
    if isinstance(value, Iterable):
        return tuple(str(p) for p in value if str(p))
    return ()


def _node_name(net: Network, node: str) -> str:
    data = net.G.nodes.get(node) or {}
    return str(data.get("name") or node)


def _links(net: Network) -> list[_Link]:
    """Return each physical link once, with its geometry oriented as first stored."""
    out: dict[str, _Link] = {}
    for u, v, data in net.G.edges(data=True):
        link_id = str(data.get("link_id") or f"{u}-{v}")
        if link_id in out:
            continue
        geom = data.get("geometry")
        if geom is not None:
            coords = tuple((float(x), float(y)) for x, y, *_ in geom.coords)
        else:
            a, b = net.G.nodes[u], net.G.nodes[v]
            coords = ((float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"])))
        out[link_id] = _Link(
            link_id=link_id,
            mode=str(data.get("mode") or ""),
            status=str(data.get("status") or "operational"),
            u=str(u),
            v=str(v),
            name=f"{_node_name(net, u)} – {_node_name(net, v)}",
            gauge_mm=_int(data.get("gauge_mm")),
            length_km=_num(data.get("length_km")) or 0.0,
            open_year=_int(data.get("open_year")),
            source_ids=_ids(data.get("source_id")),
            coords=coords,
        )
    return sorted(out.values(), key=lambda link: link.link_id)


def _as_routes(given: RouteInput, what: str) -> list[tuple[Route, str | None]]:
    """Normalise a Route, a Comparison or an iterable of routes to (route, label) pairs."""
    from corridors.routing import Comparison, Route

    value: Any = given
    if value is None:
        return []
    if isinstance(value, Route):
        return [(value, None)]
    if isinstance(value, Comparison):
        return [(r, value.names.get(cid)) for cid, r in value.routes.items()]
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"{what} must be a Route, a Comparison or a list of routes, not {value!r}"
        raise InvalidOptionError(msg)
    out: list[tuple[Route, str | None]] = []
    for item in value:
        if isinstance(item, Route):
            out.append((item, None))
        elif isinstance(item, Comparison):
            out += _as_routes(item, what)
        else:
            msg = f"{what} must hold Route objects; got {type(item).__name__}"
            raise InvalidOptionError(msg)
    return out


def _default_label(net: Network, route: Route) -> str:
    if route.corridor:
        for spec in net.geodata.corridors:
            if str(spec.get("id")) == route.corridor:
                return str(spec.get("name") or route.corridor)
        return route.corridor
    o = route.place_name(route.origin.node, route.origin.label)
    d = route.place_name(route.destination.node, route.destination.label)
    return f"{o} → {d}"


def _route_legs(route: Route) -> list[_Leg]:
    legs = route.legs
    out: list[_Leg] = []
    for row in legs.to_dict("records"):
        geom = row["geometry"]
        coords: tuple[tuple[float, float], ...] = ()
        if geom is not None and not geom.is_empty:
            coords = tuple((float(x), float(y)) for x, y, *_ in geom.coords)
        out.append(
            _Leg(
                kind=str(row["kind"]),
                mode=str(row["mode"] or ""),
                from_node=str(row["from"]),
                to_node=str(row["to"]),
                from_name=str(row["from_name"]),
                to_name=str(row["to_name"]),
                country=str(row["country"] or ""),
                distance_km=_num(row["distance_km"]) or 0.0,
                time_h=_num(row["time_h"]) or 0.0,
                cost_usd=_num(row["cost_usd"]) or 0.0,
                co2_kg=_num(row["co2_kg"]) or 0.0,
                gauge_mm=_int(row["gauge_mm"]),
                status=str(row["status"] or ""),
                link_id=str(row["link_id"] or ""),
                friction_id=str(row["friction_id"] or ""),
                source_ids=str(row["source_ids"] or ""),
                note=str(row["note"] or "") if row["note"] == row["note"] else "",
                coords=coords,
            )
        )
    return out


def _prepare(
    net: Network,
    routes: RouteInput,
    baseline: RouteInput,
    labels: Sequence[str] | str | None,
) -> list[_Drawn]:
    """Pair routes with labels and colours: scenario routes first, then the baseline."""
    main = _as_routes(routes, "routes")
    base = _as_routes(baseline, "baseline")
    given: list[str] = [labels] if isinstance(labels, str) else list(labels or [])
    total = len(main) + len(base)
    if given and len(given) != total:
        msg = (
            f"labels has {len(given)} item(s) but there are {total} route(s) "
            f"({len(main)} route(s) + {len(base)} baseline route(s)); give one label per route"
        )
        raise InvalidOptionError(msg)
    drawn: list[_Drawn] = []
    units: dict[str, str] = {}

    def unit(profile: str) -> str:
        if profile not in units:
            try:
                units[profile] = net.profile(profile).unit
            except Exception:  # a route from another network's profile
                units[profile] = profile
        return units[profile]

    for i, (route, own) in enumerate(main):
        label = given[i] if given else own or _default_label(net, route)
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        drawn.append(_Drawn(route, label, colour, False, _route_legs(route), unit(route.profile)))
    for j, (route, own) in enumerate(base):
        label = given[len(main) + j] if given else own or _default_label(net, route)
        colour = BASELINE_COLOURS[j % len(BASELINE_COLOURS)]
        drawn.append(_Drawn(route, label, colour, True, _route_legs(route), unit(route.profile)))
    if base and main:
        for d in drawn:
            d.label = f"{'Baseline' if d.baseline else 'Scenario'}: {d.label}"
    return drawn


def _changed(net: Network, changed_links: Iterable[str] | str, links: list[_Link]) -> list[_Link]:
    wanted = [changed_links] if isinstance(changed_links, str) else list(changed_links or ())
    by_id = {link.link_id: link for link in links}
    unknown = [str(x) for x in wanted if str(x) not in by_id]
    if unknown:
        import difflib

        hints = difflib.get_close_matches(unknown[0], list(by_id), n=3)
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        msg = (
            f"changed_links: unknown link id(s) {', '.join(unknown[:5])} in this network "
            f"(pass the scenario's network for links a scenario adds){hint}"
        )
        raise InvalidOptionError(msg)
    seen: dict[str, _Link] = {}
    for x in wanted:
        seen.setdefault(str(x), by_id[str(x)])
    return list(seen.values())


def _profile_id(net: Network, drawn: list[_Drawn]) -> str:
    if drawn:
        return drawn[0].route.profile
    try:
        return net.profile().id
    except Exception:  # a folder without profiles still maps
        return "*"


def _frictions_at(net: Network, node: str, profile: str) -> list[dict[str, Any]]:
    """Frictions paid at ``node`` for ``profile`` (node-specific rows only)."""
    from corridors.io import records

    frame = net.geodata.frictions
    if frame.empty:
        return []
    rows = frame[
        ((frame["node"] == node) | ((frame["to_node"] == node) & (frame["direction"] == "both")))
        & frame["profile"].isin([profile, "*"])
    ]
    return records(rows)


def _places(net: Network, kinds: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(
        (str(n), d) for n, d in net.G.nodes(data=True) if str(d.get("kind") or "") in kinds
    )


def _bounds(drawn: list[_Drawn], changed: list[_Link], net: Network) -> tuple[float, ...]:
    """Lon/lat bounds of the routes and changed links, or of the network without them."""
    xs: list[float] = []
    ys: list[float] = []
    for d in drawn:
        for leg in d.legs:
            for x, y in leg.coords:
                xs.append(x)
                ys.append(y)
    for link in changed:
        for x, y in link.coords:
            xs.append(x)
            ys.append(y)
    if not xs:
        for _, data in net.G.nodes(data=True):
            xs.append(float(data["x"]))
            ys.append(float(data["y"]))
    if not xs:
        return (40.0, 25.0, 80.0, 50.0)
    return (min(xs), min(ys), max(xs), max(ys))


def _keys(
    drawn: list[_Drawn],
    links: list[_Link],
    changed: list[_Link],
    *,
    show_all_modes: bool,
    show_closed: bool,
    interactive: bool = False,
) -> list[_Key]:
    """Legend entries shared by the interactive and the static maps."""
    keys: list[_Key] = []
    for d in drawn:
        keys.append(
            _Key(
                "Routes",
                d.label,
                "line",
                d.colour,
                "under_construction" if d.baseline else "operational",
                3.0,
                detail=d.totals(),
            )
        )
    if changed:
        keys.append(_Key("Routes", "changed link (scenario)", "halo", _HIGHLIGHT, width=7.0))
    modes = sorted({link.mode for link in links if link.status != "closed"}, key=_mode_order)
    if not show_all_modes:
        on_route = {leg.mode for d in drawn for leg in d.hauls}
        modes = [m for m in modes if m in on_route] or modes
    for mode in modes:
        keys.append(_Key("Network", mode, "line", MODE_COLOURS.get(mode, "#777777")))
    statuses = [
        s
        for s in STATUS_LABELS
        if any(link.status == s for link in links) and (show_closed or s != "closed")
    ]
    for status in statuses:
        colour = _CLOSED_COLOUR if status == "closed" else "#555555"
        keys.append(_Key("Link status", STATUS_LABELS[status], "line", colour, status, 1.6))
    keys.append(_Key("Places", "border crossing", "point", _BORDER_COLOUR, size=4.0))
    keys.append(_Key("Places", "port", "point", _PORT_COLOUR, size=5.0))
    if drawn:
        keys.append(_Key("Places", "route end", "point", "#ffffff", edge="#000000", size=7.0))
    if interactive and any(d.stops for d in drawn):
        keys.append(
            _Key("Places", "border, port or transfer on a route", "point", "#ffffff", size=4.0)
        )
    elif any(leg.kind in ("transfer", "gauge_break") for d in drawn for leg in d.legs):
        keys.append(
            _Key("Places", "transfer / gauge break", "square", "#ffffff", edge="#000000", size=5.0)
        )
    return keys


def _mode_order(mode: str) -> int:
    order = list(MODE_COLOURS)
    return order.index(mode) if mode in order else len(order)


def _countries_path(net: Network) -> Path | None:
    path = Path(net.geodata.folder) / "countries.geojson"
    if path.is_file():
        return path
    log.info("no countries.geojson in %s: the map has no country base", net.geodata.folder)
    return None


def _fmt_range(value: Any, low: Any, high: Any, unit: str, money: bool = False) -> str:
    v = _num(value)
    if v is None:
        return "not known"
    lo, hi = _num(low), _num(high)
    text = f"USD {v:,.2f}" if money else f"{v:,.1f} {unit}"
    if lo is not None and hi is not None and (lo, hi) != (v, v):
        text += f" ({lo:,.1f}–{hi:,.1f})" if not money else f" ({lo:,.2f}–{hi:,.2f})"
    return text


def _title(drawn: list[_Drawn], title: str | None, net: Network) -> str:
    if title:
        return title
    main = [d for d in drawn if not d.baseline]
    if not drawn:
        return "Corridor network"
    first = (main or drawn)[0].route
    o = first.place_name(first.origin.node, first.origin.label)
    d = first.place_name(first.destination.node, first.destination.label)
    if main and len(main) < len(drawn):
        return f"{o} → {d}: baseline and scenario"
    if len(drawn) > 1:
        return f"{o} → {d}: {len(drawn)} routes compared"
    return f"{o} → {d}"


def _subtitle(drawn: list[_Drawn], net: Network) -> str:
    n_links = len(net.geodata.links)
    data = f"network of {n_links} links, geodata {net.digest[:8]}"
    if not drawn:
        return data.capitalize()
    by = sorted({d.route.by for d in drawn})
    profiles = sorted({d.unit or d.route.profile for d in drawn})
    return f"Routes by {', '.join(by)}; costs per {', '.join(profiles)}; {data}"


# -- interactive ----------------------------------------------------------------------------
def _js_safe(text: str) -> str:
    """Make HTML safe inside the JavaScript template literals folium writes."""
    return text.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _e(value: Any) -> str:
    return _js_safe(html.escape(str(value)))


def _table(rows: Sequence[tuple[str, Any]], head: str = "") -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v != "")
    top = f"<b>{_e(head)}</b>" if head else ""
    return f'<div class="corridors-popup">{top}<table>{body}</table></div>'


@functools.cache
def _inline_assets() -> str:
    """Leaflet, its CSS (images as data URIs) and jQuery, from installed XStatic packages."""
    try:
        leaflet = importlib.import_module("xstatic.pkg.leaflet")
        jquery = importlib.import_module("xstatic.pkg.jquery")
    except ImportError as err:  # pragma: no cover - declared dependencies
        msg = (
            "interactive maps inline Leaflet and jQuery from the XStatic-Leaflet and "
            "XStatic-jQuery packages; install them (pip install XStatic-Leaflet XStatic-jQuery)"
        )
        raise ImportError(msg) from err
    lf_dir = Path(leaflet.BASE_DIR)
    jq_dir = Path(jquery.BASE_DIR)

    def image(match: re.Match[str]) -> str:
        data = (lf_dir / "images" / match.group(2)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    css = (lf_dir / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(r"url\((['\"]?)images/([\w.-]+\.png)\1\)", image, css)
    scripts = []
    for path in (lf_dir / "leaflet.js", jq_dir / "jquery.min.js"):
        code = path.read_text(encoding="utf-8")
        code = re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.MULTILINE)
        scripts.append(code.replace("</script", "<\\/script"))
    return f"<style>{css}</style>\n<style>{_MAP_CSS}</style>\n" + "".join(
        f"<script>{code}</script>\n" for code in scripts
    )


_MAP_CSS = f"""
.leaflet-container {{ background: {_WATER};
  font: 12px/1.4 "Helvetica Neue", Arial, Helvetica, sans-serif; }}
.corridors-legend {{ background: rgba(255,255,255,0.93); padding: 4px 8px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); max-height: 45vh; max-width: 40vw; overflow: auto;
  line-height: 1.25; font-size: 11px; }}
.corridors-legend summary {{ font-weight: bold; cursor: pointer; }}
.corridors-legend .sec {{ font-weight: bold; margin: 4px 0 1px; }}
.corridors-legend .grid {{ display: grid; grid-template-columns: auto auto; column-gap: 10px; }}
.corridors-legend .row {{ display: flex; align-items: center; gap: 5px; }}
.corridors-legend small {{ color: #444; }}
.corridors-legend svg {{ flex: none; }}
.corridors-title {{ position: absolute; top: 8px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: rgba(255,255,255,0.93); padding: 4px 12px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font-size: 15px; font-weight: bold;
  pointer-events: none; text-align: center; }}
.corridors-title small {{ display: block; font-weight: normal; font-size: 11px; color: #444; }}
.corridors-popup table {{ border-collapse: collapse; }}
.corridors-popup th {{ text-align: left; padding: 1px 6px 1px 0; vertical-align: top;
  color: #444; font-weight: normal; }}
.corridors-popup td {{ padding: 1px 0; vertical-align: top; }}
.corridors-popup .fr {{ margin-top: 4px; border-top: 1px solid #ddd; padding-top: 3px; }}
.corridors-end {{ font-weight: bold; }}
"""


def _folium() -> Any:
    """Import folium lazily (about a second), untyped for the checker."""
    return importlib.import_module("folium")


def _script_element(code: str) -> Any:
    """Return a folium element that runs ``code`` with ``map`` bound to its parent map."""
    branca: Any = importlib.import_module("branca.element")
    template: Any = importlib.import_module("folium.template")
    Template = template.Template

    element = branca.MacroElement()
    element._name = "CorridorsScript"
    element._template = Template(
        "{% macro script(this, kwargs) %}\n"
        "(function (map) { {{ this.code }} })({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )
    element.code = code
    return element


def _raw_element(content: str) -> Any:
    branca: Any = importlib.import_module("branca.element")
    Template = importlib.import_module("folium.template").Template

    element = branca.Element()
    element._template = Template("{{ this.content }}")
    element.content = content
    return element


def _json_js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _swatch_html(key: _Key) -> str:
    if key.kind == "point":
        stroke = "#000000" if key.edge == "#000000" or key.colour == "#ffffff" else "#ffffff"
        return (
            f'<svg width="24" height="12"><circle cx="12" cy="6" r="{min(key.size, 5.0):.0f}" '
            f'fill="{key.colour}" stroke="{stroke}" stroke-width="1.5"/></svg>'
        )
    if key.kind == "halo":
        return (
            '<svg width="24" height="12"><line x1="2" y1="6" x2="22" y2="6" '
            f'stroke="{_HIGHLIGHT_EDGE}" stroke-width="10" stroke-linecap="round"/>'
            '<line x1="2" y1="6" x2="22" y2="6" '
            f'stroke="{key.colour}" stroke-width="8" stroke-linecap="round"/></svg>'
        )
    dash = _DASH_HTML.get(key.status)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="24" height="12"><line x1="2" y1="6" x2="22" y2="6" stroke="{key.colour}" '
        f'stroke-width="{key.width:.1f}"{dash_attr} stroke-linecap="round"/></svg>'
    )


def _legend_html(keys: list[_Key]) -> str:
    sections: dict[str, list[str]] = {}
    for key in keys:
        detail = f"<br><small>{html.escape(key.detail)}</small>" if key.detail else ""
        text = f"<span>{html.escape(key.label)}{detail}</span>"
        sections.setdefault(key.section, []).append(
            f'<div class="row">{_swatch_html(key)}{text}</div>'
        )
    parts = ["<details open><summary>Legend</summary>"]
    for section, rows in sections.items():
        css = "list" if section == "Routes" else "grid"
        parts.append(
            f'<div class="sec">{html.escape(section)}</div><div class="{css}">{"".join(rows)}</div>'
        )
    parts.append("</details>")
    return "".join(parts)


def _feature(link: _Link, style: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {
            "type": "LineString",
            "coordinates": [[round(x, 4), round(y, 4)] for x, y in link.coords],
        },
        "properties": {
            "link": link.link_id,
            "name": link.name,
            "mode": link.mode,
            "status": STATUS_LABELS.get(link.status, link.status)
            + (f" ({link.open_year})" if link.open_year else ""),
            "gauge": f"{link.gauge_mm} mm" if link.gauge_mm else "",
            "km": f"{link.length_km:,.0f}",
            "sources": ", ".join(link.source_ids),
            "style": style,
        },
    }


def _network_style(link: _Link, weight: float = 2.0) -> dict[str, Any]:
    closed = link.status == "closed"
    style: dict[str, Any] = {
        "color": _CLOSED_COLOUR if closed else MODE_COLOURS.get(link.mode, "#777777"),
        "weight": weight,
        "opacity": 0.55 if closed else 0.8,
        "className": f"corridors-link corridors-{link.mode}",
    }
    dash = _DASH_HTML.get(link.status)
    if dash:
        style["dashArray"] = dash
    return style


def _add_network(fmap: Any, links: list[_Link]) -> None:
    folium = _folium()

    groups: dict[str, list[_Link]] = {}
    for link in links:
        key = "closed" if link.status == "closed" else link.mode
        groups.setdefault(key, []).append(link)
    fields = ["name", "mode", "status", "gauge", "km", "link", "sources"]
    aliases = ["Link", "Mode", "Status", "Gauge", "km", "Id", "Sources"]
    for key in sorted(groups, key=lambda k: (k == "closed", _mode_order(k))):
        members = groups[key]
        name = "Network: closed links" if key == "closed" else f"Network: {key}"
        group = folium.FeatureGroup(name=name, show=key != "closed")
        collection = {
            "type": "FeatureCollection",
            "features": [_feature(link, _network_style(link)) for link in members],
        }
        folium.GeoJson(
            collection,
            name=name,
            style_function=lambda feature: feature["properties"]["style"],
            highlight_function=lambda feature: {"weight": 5, "opacity": 1.0},
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
            smooth_factor=1.0,
        ).add_to(group)
        group.add_to(fmap)


def _friction_html(net: Network, rows: list[dict[str, Any]]) -> str:
    parts = []
    for row in rows:
        kind = str(row.get("kind") or "")
        to_node = str(row.get("to_node") or "")
        where = f" → {_node_name(net, to_node)}" if kind == "border" and to_node else ""
        modes = str(row.get("mode") or "*")
        if row.get("to_mode") == row.get("to_mode") and row.get("to_mode"):
            modes += f" → {row['to_mode']}"
        sources = list(_ids(row.get("source_id")))
        method = row.get("method")
        if isinstance(method, str) and method and method != "published":
            sources.append(f"method {method}")
        parts.append(
            '<div class="fr">'
            + _table(
                [
                    ("Kind", f"{kind.replace('_', ' ')}{where}"),
                    ("Mode", modes),
                    ("Direction", row.get("direction") or ""),
                    (
                        "Dwell",
                        _fmt_range(
                            row.get("time_h"), row.get("time_h_low"), row.get("time_h_high"), "h"
                        ),
                    ),
                    (
                        "Fee",
                        _fmt_range(
                            row.get("fee_usd"),
                            row.get("fee_usd_low"),
                            row.get("fee_usd_high"),
                            "",
                            money=True,
                        ),
                    ),
                    ("Sources", ", ".join(sources)),
                ]
            )
            + "</div>"
        )
    return "".join(parts)


def _add_places(fmap: Any, net: Network, profile: str) -> None:
    folium = _folium()

    for kind, label, colour, radius in (
        ("border", "Border crossings", _BORDER_COLOUR, 4),
        ("port", "Ports", _PORT_COLOUR, 5),
    ):
        group = folium.FeatureGroup(name=label)
        for node, data in _places(net, (kind,)):
            rows = _frictions_at(net, node, profile)
            head = _table(
                [
                    ("Country", data.get("country") or ""),
                    (
                        "UN/LOCODE",
                        data.get("locode") if isinstance(data.get("locode"), str) else "",
                    ),
                    ("Node", node),
                    ("Sources", ", ".join(_ids(data.get("source_id")))),
                ],
                head=str(data.get("name") or node),
            )
            if rows:
                body = f"<div>Frictions per {_e(profile)}:</div>" + _friction_html(net, rows)
            else:
                body = "<div>No crossing-specific figures: the network defaults apply.</div>"
            folium.CircleMarker(
                location=(float(data["y"]), float(data["x"])),
                radius=radius,
                color="#ffffff",
                weight=1.2,
                fill=True,
                fill_color=colour,
                fill_opacity=0.95,
                class_name=f"corridors-{kind}",
                tooltip=folium.Tooltip(_e(data.get("name") or node)),
                popup=folium.Popup(head + body, max_width=380),
            ).add_to(group)
        group.add_to(fmap)


def _leg_tooltip(leg: _Leg) -> str:
    if leg.kind == "haul":
        return (
            f"{leg.mode} {leg.from_name} → {leg.to_name}: {leg.distance_km:,.0f} km, "
            f"{leg.time_h:,.1f} h, USD {leg.cost_usd:,.0f}"
        )
    return (
        f"{leg.kind.replace('_', ' ')} at {leg.from_name} ({leg.mode}): "
        f"{leg.time_h:,.1f} h, USD {leg.cost_usd:,.0f}"
    )


def _leg_popup(leg: _Leg, label: str) -> str:
    return _table(
        [
            ("Route", label),
            ("Leg", leg.kind.replace("_", " ")),
            ("Mode", leg.mode),
            ("From", leg.from_name),
            ("To", leg.to_name),
            ("Country", leg.country),
            ("Distance", f"{leg.distance_km:,.1f} km"),
            ("Time", f"{leg.time_h:,.2f} h"),
            ("Cost", f"USD {leg.cost_usd:,.2f}"),
            ("CO2", f"{leg.co2_kg:,.1f} kg"),
            ("Gauge", f"{leg.gauge_mm} mm" if leg.gauge_mm else ""),
            ("Status", STATUS_LABELS.get(leg.status, leg.status) if leg.status else ""),
            ("Link", leg.link_id),
            ("Friction", leg.friction_id),
            ("Sources", leg.source_ids.replace("|", ", ")),
            ("Note", leg.note),
        ],
        head=_leg_tooltip(leg),
    )


def _add_routes(fmap: Any, drawn: list[_Drawn]) -> None:
    folium = _folium()

    n = len(drawn)
    for i, d in enumerate(drawn):
        role = "Baseline" if d.baseline else "Route"
        group = folium.FeatureGroup(name=f"{role}: {d.label}")
        weight = 4.0 + 2.0 * (n - 1 - i) if not d.baseline else 3.0
        for leg in d.hauls:
            latlon = [(y, x) for x, y in leg.coords]
            if not d.baseline:
                folium.PolyLine(
                    latlon,
                    color="#ffffff",
                    weight=weight + 3,
                    opacity=0.9,
                    class_name="corridors-route-casing",
                    interactive=False,
                ).add_to(group)
            folium.PolyLine(
                latlon,
                color=d.colour,
                weight=weight,
                opacity=0.95,
                dash_array="10 7" if d.baseline else None,
                class_name="corridors-baseline" if d.baseline else "corridors-route",
                tooltip=folium.Tooltip(_e(_leg_tooltip(leg))),
                popup=folium.Popup(_leg_popup(leg, d.label), max_width=420),
            ).add_to(group)
        for leg in d.stops:
            x, y = leg.coords[0]
            folium.CircleMarker(
                location=(y, x),
                radius=5,
                color=d.colour,
                weight=2.5,
                fill=True,
                fill_color="#ffffff",
                fill_opacity=1.0,
                class_name="corridors-friction",
                tooltip=folium.Tooltip(_e(_leg_tooltip(leg))),
                popup=folium.Popup(_leg_popup(leg, d.label), max_width=420),
            ).add_to(group)
        route = d.route
        for place, where in ((route.origin, "origin"), (route.destination, "destination")):
            x, y = route._xy(place.node)
            name = route.place_name(place.node, place.label)
            folium.CircleMarker(
                location=(y, x),
                radius=7,
                color="#000000",
                weight=2,
                fill=True,
                fill_color=d.colour,
                fill_opacity=1.0,
                class_name="corridors-end",
                tooltip=folium.Tooltip(
                    _e(name), permanent=True, direction="right", className="corridors-end"
                ),
                popup=folium.Popup(
                    _table([("Route", d.label), ("Totals", d.totals())], head=f"{where}: {name}"),
                    max_width=380,
                ),
            ).add_to(group)
        group.add_to(fmap)


def _add_changed(fmap: Any, changed: list[_Link]) -> None:
    folium = _folium()

    if not changed:
        return
    group = folium.FeatureGroup(name="Changed links")
    for link in changed:
        latlon = [(y, x) for x, y in link.coords]
        folium.PolyLine(
            latlon,
            color=_HIGHLIGHT_EDGE,
            weight=14,
            opacity=0.85,
            interactive=False,
            class_name="corridors-changed-edge",
        ).add_to(group)
        tip = f"changed: {link.name} ({link.mode}, {STATUS_LABELS.get(link.status, link.status)})"
        folium.PolyLine(
            latlon,
            color=_HIGHLIGHT,
            weight=11,
            opacity=0.95,
            class_name="corridors-changed",
            tooltip=folium.Tooltip(_e(tip)),
            popup=folium.Popup(
                _table(
                    [
                        ("Link", link.link_id),
                        ("Mode", link.mode),
                        ("Status", STATUS_LABELS.get(link.status, link.status)),
                        ("Length", f"{link.length_km:,.0f} km"),
                        ("Sources", ", ".join(link.source_ids)),
                    ],
                    head=f"Changed link: {link.name}",
                ),
                max_width=380,
            ),
        ).add_to(group)
    group.add_to(fmap)


def _add_countries(fmap: Any, net: Network, *, tiles: bool) -> None:
    folium = _folium()

    path = _countries_path(net)
    if path is None:
        return
    import geopandas as gpd
    import shapely

    frame = gpd.read_file(path)
    frame["geometry"] = shapely.set_precision(frame.geometry.simplify(0.02), 0.005)
    frame = frame[~frame.geometry.is_empty]
    name_col = "name" if "name" in frame.columns else frame.columns[0]
    keep = [c for c in ("name", "iso2") if c in frame.columns] or [name_col]
    frame = frame[[*keep, "geometry"]]
    folium.GeoJson(
        json.loads(frame.to_json()),
        name="Countries",
        style_function=lambda _f: {
            "fillColor": _LAND,
            "fillOpacity": 0.35 if tiles else 1.0,
            "color": _BORDER_LINE,
            "weight": 0.8,
            "className": "corridors-country",
        },
        tooltip=folium.GeoJsonTooltip(fields=[keep[0]], labels=False),
    ).add_to(fmap)


def interactive(
    net: Network,
    routes: RouteInput = (),
    *,
    labels: Sequence[str] | str | None = None,
    title: str | None = None,
    tiles: bool = False,
    changed_links: Iterable[str] | str = (),
    baseline: RouteInput = (),
) -> folium.Map:
    """Return an interactive map of the network and routes that works offline.

    The network is drawn by mode (colours) and status (solid operational, dashed under
    construction, dotted planned; closed links grey, in a layer hidden by default). Ports
    and border crossings are markers whose popups give dwell times, fees and source ids
    for the routes' cargo profile. Each route leg has a tooltip (mode, km, h, USD) and a
    popup with its sources. A legend, a title and a layer control are included; the view
    fits the routes (or the network when there is none).

    Leaflet, jQuery and the stylesheet are inlined from the installed XStatic packages and
    the country polygons of the geodata form the base map, so the saved HTML makes no
    network request unless ``tiles`` is on.

    Parameters
    ----------
    net
        The network (see :func:`corridors.load_network`).
    routes
        A :class:`~corridors.routing.Route`, a :class:`~corridors.routing.Comparison`, or
        a list of routes, drawn in distinct Okabe–Ito colours.
    labels
        Legend label per route (routes first, then baseline routes); default the named
        corridor a route follows, else "origin → destination".
    title
        Title shown on the map and as the page title; default from the routes.
    tiles
        Add OpenStreetMap tiles under the countries (needs a network connection).
    changed_links
        Link ids a scenario changed, drawn in a highlight.
    baseline
        Baseline routes of a scenario map, drawn dashed over the (solid) scenario routes.

    Returns
    -------
    folium.Map
        The map; ``m.save("map.html")`` or :func:`write_map` writes it.

    Raises
    ------
    InvalidOptionError
        If a route is not a Route, ``labels`` does not match the routes, or a changed link
        id is not in ``net``.
    """
    fol = _folium()

    drawn = _prepare(net, routes, baseline, labels)
    links = _links(net)
    changed = _changed(net, changed_links, links)
    west, south, east, north = _bounds(drawn, changed, net)
    fmap = fol.Map(
        location=((south + north) / 2, (west + east) / 2),
        zoom_start=4,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    # Self-contained: no CDN links; the assets are inlined in the page head instead.
    fmap.default_js = []
    fmap.default_css = []
    root: Any = fmap.get_root()
    page_title = _title(drawn, title, net)
    root.title = html.escape(page_title)
    root.header.add_child(_raw_element(_inline_assets()), name="corridors_assets", index=0)
    if tiles:
        fol.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)").add_to(fmap)
    _add_countries(fmap, net, tiles=tiles)
    _add_network(fmap, links)
    _add_changed(fmap, changed)
    _add_places(fmap, net, _profile_id(net, drawn))
    _add_routes(fmap, [d for d in drawn if not d.baseline])
    _add_routes(fmap, [d for d in drawn if d.baseline])
    keys = _keys(drawn, links, changed, show_all_modes=True, show_closed=True, interactive=True)
    legend = _legend_html(keys)
    subtitle = _subtitle(drawn, net)
    heading = f"{html.escape(page_title)}<small>{html.escape(subtitle)}</small>"
    _script_element(
        "var c = L.control({position: 'bottomleft'});"
        "c.onAdd = function () {"
        " var d = L.DomUtil.create('div', 'corridors-legend');"
        f" d.innerHTML = {_json_js(legend)};"
        " L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);"
        " return d; };"
        "c.addTo(map);"
        "var t = L.DomUtil.create('div', 'corridors-title', map.getContainer());"
        f" t.innerHTML = {_json_js(heading)};"
        f"map.attributionControl.addAttribution({_json_js(html.escape(ATTRIBUTION))});"
    ).add_to(fmap)
    fol.LayerControl(collapsed=True).add_to(fmap)
    pad = 0.02 * max(east - west, north - south, 0.5)
    fmap.fit_bounds(
        [[south - pad, west - pad], [north + pad, east + pad]],
        padding_top_left=(20, 60),
        padding_bottom_right=(20, 20),
    )
    return cast("folium.Map", fmap)


# -- static ---------------------------------------------------------------------------------
@dataclass
class _Label:
    text: str
    x: float
    y: float
    priority: int  # 0 always shown, larger = dropped first
    bold: bool = False
    size: float = 8.0
    colour: str = "#111111"
    italic: bool = False


def _projection(bounds: tuple[float, ...]) -> str:
    west, south, east, north = bounds
    cx, cy = (west + east) / 2, (south + north) / 2
    if 20.0 <= cx <= 100.0 and 10.0 <= cy <= 60.0 and east - west < 80:
        return _REGION_CRS
    lat1 = south + (north - south) / 6
    lat2 = north - (north - south) / 6
    if abs(lat2 - lat1) < 1:
        lat1, lat2 = cy - 2, cy + 2
    return (
        f"+proj=lcc +lat_0={cy:.2f} +lon_0={cx:.2f} +lat_1={lat1:.2f} +lat_2={lat2:.2f} "
        "+datum=WGS84 +units=m +no_defs"
    )


def _extent(
    bounds: tuple[float, ...], fwd: Callable[[Any, Any], tuple[Any, Any]]
) -> tuple[float, float, float, float]:
    """Projected extent of lon/lat bounds, padded, at least 400 km and of sane aspect."""
    import numpy as np

    west, south, east, north = bounds
    t = np.linspace(0.0, 1.0, 25)
    lon = np.concatenate(
        [west + (east - west) * t, np.full(25, east), east - (east - west) * t, np.full(25, west)]
    )
    lat = np.concatenate(
        [
            np.full(25, south),
            south + (north - south) * t,
            np.full(25, north),
            north - (north - south) * t,
        ]
    )
    xs, ys = fwd(lon, lat)
    x0, x1, y0, y1 = float(np.min(xs)), float(np.max(xs)), float(np.min(ys)), float(np.max(ys))
    w, h = max(x1 - x0, 4e5), max(y1 - y0, 4e5)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * 1.14, h * 1.14
    ratio = h / w
    if ratio < 0.62:
        h = w * 0.62
    elif ratio > 1.15:
        w = h / 1.15
    return (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2)


def _transformers(crs: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    from pyproj import Transformer

    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return fwd.transform, inv.transform


def _xy(coords: Sequence[tuple[float, float]], fwd: Callable[..., Any]) -> Any:
    import numpy as np

    arr = np.asarray(coords, dtype=float)
    xs, ys = fwd(arr[:, 0], arr[:, 1])
    return np.column_stack([xs, ys])


def _geo_box(
    extent: tuple[float, float, float, float], inv: Callable[..., Any]
) -> tuple[float, float, float, float]:
    import numpy as np

    x0, x1, y0, y1 = extent
    t = np.linspace(0.0, 1.0, 21)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(21, x1), x1 - (x1 - x0) * t, np.full(21, x0)])
    ys = np.concatenate([np.full(21, y0), y0 + (y1 - y0) * t, np.full(21, y1), y1 - (y1 - y0) * t])
    lon, lat = inv(xs, ys)
    return (
        max(float(np.min(lon)) - 3, -180.0),
        max(float(np.min(lat)) - 3, -85.0),
        min(float(np.max(lon)) + 3, 180.0),
        min(float(np.max(lat)) + 3, 85.0),
    )


def _draw_countries(
    ax: Axes, net: Network, crs: str, box: tuple[float, float, float, float]
) -> list[_Label]:
    path = _countries_path(net)
    if path is None:
        ax.set_facecolor("#ffffff")
        return []
    import geopandas as gpd

    ax.set_facecolor(_WATER)
    frame = gpd.read_file(path)
    frame["geometry"] = frame.geometry.clip_by_rect(*box)
    frame = frame[~frame.geometry.is_empty].to_crs(crs)
    if frame.empty:
        return []
    frame.plot(ax=ax, facecolor=_LAND, edgecolor=_BORDER_LINE, linewidth=0.45, zorder=1)
    labels = []
    name_col = "name" if "name" in frame.columns else None
    if name_col:
        for name, geom in zip(frame[name_col], frame.geometry):
            point = geom.representative_point()
            labels.append(
                _Label(str(name), point.x, point.y, 9, size=7.0, colour="#7a7a7a", italic=True)
            )
    return labels


def _draw_graticule(
    ax: Axes, fwd: Callable[..., Any], box: tuple[float, float, float, float]
) -> None:
    import numpy as np
    from matplotlib.collections import LineCollection

    west, south, east, north = box
    step = 10 if max(east - west, north - south) > 25 else 5
    lines = []
    for lon in range(int(math.floor(west / step) * step), int(east) + step, step):
        lat = np.linspace(south, north, 60)
        lines.append(np.column_stack(fwd(np.full_like(lat, lon), lat)))
    for lat0 in range(int(math.floor(south / step) * step), int(north) + step, step):
        lon_arr = np.linspace(west, east, 120)
        lines.append(np.column_stack(fwd(lon_arr, np.full_like(lon_arr, lat0))))
    ax.add_collection(
        LineCollection(lines, colors="#9fb3c4", linewidths=0.3, alpha=0.6, zorder=1.5)
    )


def _draw_network(ax: Axes, links: list[_Link], fwd: Callable[..., Any]) -> None:
    from matplotlib.collections import LineCollection

    groups: dict[tuple[str, str], list[Any]] = {}
    for link in links:
        if link.status == "closed" or len(link.coords) < 2:
            continue
        groups.setdefault((link.mode, link.status), []).append(_xy(link.coords, fwd))
    for (mode, status), lines in sorted(groups.items()):
        ax.add_collection(
            LineCollection(
                lines,
                colors=MODE_COLOURS.get(mode, "#777777"),
                linewidths=0.7,
                linestyles=_DASH_MPL.get(status, "-"),
                alpha=0.55,
                zorder=2,
            )
        )


def _draw_changed(ax: Axes, changed: list[_Link], fwd: Callable[..., Any]) -> None:
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection

    if not changed:
        return
    lines = [_xy(link.coords, fwd) for link in changed if len(link.coords) >= 2]
    ax.add_collection(
        LineCollection(
            lines,
            colors=_HIGHLIGHT,
            linewidths=7.0,
            alpha=0.8,
            capstyle="round",
            zorder=3,
            path_effects=[
                patheffects.Stroke(linewidth=8.6, foreground=_HIGHLIGHT_EDGE),
                patheffects.Normal(),
            ],
        )
    )


def _draw_routes(ax: Axes, drawn: list[_Drawn], fwd: Callable[..., Any]) -> Any:
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection

    samples = []
    main = [d for d in drawn if not d.baseline]
    n = len(main)
    for i, d in enumerate(drawn):
        lines = [_xy(leg.coords, fwd) for leg in d.hauls]
        if not lines:
            continue
        samples += lines
        if d.baseline:
            collection = LineCollection(
                lines,
                colors=d.colour,
                linewidths=1.6,
                linestyles=(0, (4.0, 2.5)),
                zorder=5,
                capstyle="butt",
            )
        else:
            width = 2.6 + 1.4 * (n - 1 - i)
            collection = LineCollection(
                lines,
                colors=d.colour,
                linewidths=width,
                capstyle="round",
                joinstyle="round",
                zorder=4,
                path_effects=[
                    patheffects.Stroke(linewidth=width + 1.8, foreground="#ffffff"),
                    patheffects.Normal(),
                ],
            )
        ax.add_collection(collection)
    if not samples:
        return np.empty((0, 2))
    return np.concatenate(samples)


def _short(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


def _route_places(
    drawn: list[_Drawn], fwd: Callable[..., Any]
) -> tuple[list[_Label], dict[str, list[tuple[float, float]]]]:
    """Labels for route ends, borders, ports and transfers on the routes; their markers."""
    labels: list[_Label] = []
    marks: dict[str, list[tuple[float, float]]] = {"border": [], "port": [], "transfer": []}
    done: set[str] = set()

    def xy(node: str, route: Route) -> tuple[float, float]:
        lon, lat = route._xy(node)
        x, y = fwd(lon, lat)
        return float(x), float(y)

    for d in drawn:
        route = d.route
        for place in (route.origin, route.destination):
            if place.node in done:
                continue
            done.add(place.node)
            x, y = xy(place.node, route)
            name = route.place_name(place.node, place.label)
            labels.append(_Label(name, x, y, 0, bold=True, size=9.0))
    for d in drawn:
        route = d.route
        for leg in d.legs:
            if leg.from_node in done or leg.kind == "haul":
                continue
            x, y = xy(leg.from_node, route)
            if leg.kind == "border":
                done.update({leg.from_node, leg.to_node})
                a, b = _short(leg.from_name), _short(leg.to_name)
                text = a if a == b else f"{a} / {b}"
                labels.append(_Label(text, x, y, 1, size=7.5))
                marks["border"].append((x, y))
            elif leg.kind == "port":
                done.add(leg.from_node)
                labels.append(_Label(_short(leg.from_name), x, y, 2, size=7.5, colour="#0b4a7a"))
                marks["port"].append((x, y))
            elif leg.kind in ("transfer", "gauge_break"):
                done.add(leg.from_node)
                what = leg.mode.replace(">", "→") if leg.kind == "transfer" else "gauge break"
                text = f"{_short(leg.from_name)} ({what})"
                labels.append(_Label(text, x, y, 3, size=7.0, colour="#333333"))
                marks["transfer"].append((x, y))
    return labels, marks


def _draw_places(
    ax: Axes,
    net: Network,
    drawn: list[_Drawn],
    fwd: Callable[..., Any],
    marks: dict[str, list[tuple[float, float]]],
) -> None:
    for kind, colour, size in (("border", _BORDER_COLOUR, 5.0), ("port", _PORT_COLOUR, 7.0)):
        pts = [(float(d["x"]), float(d["y"])) for _, d in _places(net, (kind,))]
        if pts:
            xy = _xy(pts, fwd)
            ax.scatter(xy[:, 0], xy[:, 1], s=size, c=colour, alpha=0.45, linewidths=0, zorder=2.5)
    styles = {
        "border": (_BORDER_COLOUR, "#ffffff", 22.0, "o"),
        "port": (_PORT_COLOUR, "#ffffff", 30.0, "o"),
        "transfer": ("#ffffff", "#222222", 20.0, "s"),
    }
    for kind, points in marks.items():
        if points:
            face, edge, size, marker = styles[kind]
            ax.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                s=size,
                c=face,
                marker=marker,
                edgecolors=edge,
                linewidths=0.8,
                zorder=6,
            )
    for d in sorted(drawn, key=lambda d: not d.baseline):  # scenario ends on top
        route = d.route
        for place in (route.origin, route.destination):
            x, y = fwd(*route._xy(place.node))
            ax.scatter([x], [y], s=60, c=d.colour, edgecolors="#000000", linewidths=1.2, zorder=7)


_OFFSETS = (
    (5, 4, "left", "bottom"),
    (5, -4, "left", "top"),
    (-5, 4, "right", "bottom"),
    (-5, -4, "right", "top"),
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
)


def _point_box(xy: Any, half: float = 3.0) -> Any:
    from matplotlib.transforms import Bbox

    x, y = float(xy[0]), float(xy[1])
    return Bbox([[x - half, y - half], [x + half, y + half]])


def _place_labels(
    ax: Axes, labels: list[_Label], avoid: Any, obstacles: Sequence[Any] = ()
) -> None:
    """Greedy placement: each label, by priority, takes the first free candidate spot.

    Candidates are eight positions around the point, then the same farther out with a
    leader line. A spot is free when it overlaps no placed label and no labelled point and
    lies inside the axes; among free spots the one covering the fewest route vertices wins.
    Labels of priority 0 (route ends) are always drawn; others are dropped when no spot
    is free.
    """
    import numpy as np
    from matplotlib import patheffects

    fig = ax.figure
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    renderer = get_renderer() if get_renderer is not None else None
    ordered = sorted(labels, key=lambda lab: lab.priority)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inside = [lab for lab in ordered if x0 <= lab.x <= x1 and y0 <= lab.y <= y1]
    to_disp = ax.transData.transform
    avoid_disp = to_disp(avoid) if len(avoid) else np.empty((0, 2))
    points = [_point_box(to_disp((lab.x, lab.y))) for lab in inside if lab.priority < 9]
    placed: list[Any] = list(obstacles)
    axes_box = ax.get_window_extent(renderer)
    effects = [patheffects.withStroke(linewidth=2.4, foreground="#ffffff")]
    for lab in inside:
        best: tuple[int, Any, Any] | None = None
        rings = ((1.0, False), (2.6, True)) if lab.priority < 9 else ((0.0, False),)
        for scale, leader in rings:
            offsets = _OFFSETS if scale else ((0, 0, "center", "center"),)
            for dx, dy, ha, va in offsets:
                text = ax.annotate(
                    lab.text,
                    xy=(lab.x, lab.y),
                    xytext=(dx * scale, dy * scale),
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    fontsize=lab.size,
                    fontweight="bold" if lab.bold else "normal",
                    fontstyle="italic" if lab.italic else "normal",
                    color=lab.colour,
                    zorder=9 if lab.priority < 9 else 2.8,
                    path_effects=effects,
                    annotation_clip=False,
                    arrowprops={
                        "arrowstyle": "-",
                        "lw": 0.5,
                        "color": "#333333",
                        "shrinkA": 0,
                        "shrinkB": 2,
                    }
                    if leader
                    else None,
                )
                if renderer is None:
                    best = (0, text, None)
                    break
                box = text.get_window_extent(renderer).expanded(1.04, 1.1)
                own = _point_box(to_disp((lab.x, lab.y)))
                clash = (
                    box.x0 < axes_box.x0
                    or box.x1 > axes_box.x1
                    or box.y0 < axes_box.y0
                    or box.y1 > axes_box.y1
                    or any(box.overlaps(p) for p in placed)
                    or any(box.overlaps(p) for p in points if p.bounds != own.bounds)
                )
                if clash:
                    text.remove()
                    continue
                inside_pts = (
                    int(
                        np.count_nonzero(
                            (avoid_disp[:, 0] >= box.x0)
                            & (avoid_disp[:, 0] <= box.x1)
                            & (avoid_disp[:, 1] >= box.y0)
                            & (avoid_disp[:, 1] <= box.y1)
                        )
                    )
                    if len(avoid_disp)
                    else 0
                )
                if best is None or inside_pts < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (inside_pts, text, box)
                else:
                    text.remove()
                if inside_pts == 0:
                    break
            if best is not None:
                break
        if best is None and lab.priority == 0:
            dx, dy, ha, va = _OFFSETS[0]
            ax.annotate(
                lab.text,
                xy=(lab.x, lab.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=lab.size,
                fontweight="bold" if lab.bold else "normal",
                color=lab.colour,
                zorder=9,
                path_effects=effects,
                annotation_clip=False,
            )
        elif best is not None and best[2] is not None:
            placed.append(best[2])


def _scale_bar(ax: Axes, crs: str, inv: Callable[..., Any], avoid: Any) -> Any:
    """Draw a scale bar in the corner with the fewest route vertices; return its box."""
    import numpy as np
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox
    from pyproj import Proj

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, hgt = x1 - x0, y1 - y0
    mx, my = x0 + 0.5 * w, y0 + 0.5 * hgt
    lon, lat = inv(mx, my)
    factor = float(Proj(crs).get_factors(lon, lat).parallel_scale)
    target_km = 0.22 * w / factor / 1000.0
    nice = [n for n in (10, 20, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000) if n <= target_km]
    km = nice[-1] if nice else 5
    length = km * 1000.0 * factor
    h = 0.008 * hgt
    corners = (
        (x0 + 0.04 * w, y0 + 0.04 * hgt),
        (x1 - 0.06 * w - length, y0 + 0.04 * hgt),
        (x0 + 0.04 * w, y1 - 0.08 * hgt),
        (x1 - 0.06 * w - length, y1 - 0.08 * hgt),
    )
    pts = np.asarray(avoid, dtype=float).reshape(-1, 2)

    def crowd(corner: tuple[float, float]) -> int:
        bx, by = corner
        inside = (
            (pts[:, 0] >= bx - 0.04 * w)
            & (pts[:, 0] <= bx + length + 0.06 * w)
            & (pts[:, 1] >= by - 0.03 * hgt)
            & (pts[:, 1] <= by + 0.07 * hgt)
        )
        return int(np.count_nonzero(inside))

    bx, by = min(corners, key=crowd)
    for k in range(4):
        ax.add_patch(
            Rectangle(
                (bx + k * length / 4, by),
                length / 4,
                h,
                facecolor="#222222" if k % 2 == 0 else "#ffffff",
                edgecolor="#222222",
                linewidth=0.6,
                zorder=8,
            )
        )
    for frac, text in ((0.0, "0"), (0.5, f"{km / 2:g}"), (1.0, f"{km:g} km")):
        ax.text(
            bx + frac * length,
            by + 1.8 * h,
            text,
            ha="center",
            va="bottom",
            fontsize=7,
            zorder=8,
            path_effects=_halo(),
        )
    corners_disp = ax.transData.transform(
        [(bx - 0.02 * w, by - 0.01 * hgt), (bx + length + 0.04 * w, by + 0.05 * hgt)]
    )
    return Bbox(corners_disp)


def _rc() -> Any:
    return dict(_RC)


def _halo() -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground="#ffffff")]


def _handles(keys: list[_Key]) -> tuple[list[Any], list[Any]]:
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    routes: list[Any] = []
    others: list[Any] = []
    for key in keys:
        if key.kind in ("point", "square"):
            handle = Line2D(
                [],
                [],
                linestyle="none",
                marker="o" if key.kind == "point" else "s",
                markersize=key.size,
                markerfacecolor=key.colour,
                markeredgecolor="#000000"
                if key.colour == "#ffffff" or key.edge == "#000000"
                else "#ffffff",
                label=key.label,
            )
        elif key.kind == "halo":
            handle = Line2D(
                [],
                [],
                color=key.colour,
                linewidth=6.0,
                solid_capstyle="butt",
                label=key.label,
                path_effects=[
                    patheffects.Stroke(linewidth=7.6, foreground=_HIGHLIGHT_EDGE),
                    patheffects.Normal(),
                ],
            )
        else:
            style = _DASH_MPL.get(key.status, "-")
            label = key.label
            if key.section == "Routes":
                wrapped = textwrap.wrap(key.label, 100) + ([key.detail] if key.detail else [])
                label = "\n".join(wrapped)
            elif key.section == "Network":
                label = f"{key.label} network"
            elif key.section == "Link status":
                label = f"link {key.label}"
            handle = Line2D(
                [],
                [],
                color=key.colour,
                linewidth=key.width if key.section == "Routes" else 1.4,
                linestyle=style,
                label=label,
            )
        (routes if key.section == "Routes" else others).append(handle)
    return routes, others


def _notebook_display() -> None:
    # In a Jupyter kernel, importing pyplot registers the inline formatter for Figure,
    # so the figure returned by `static` displays as an image.
    if "ipykernel" in sys.modules:
        importlib.import_module("matplotlib.pyplot")


def _draw_static(
    net: Network,
    drawn: list[_Drawn],
    changed: list[_Link],
    links: list[_Link],
    title: str | None,
    ax: Axes | None,
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bounds = _bounds(drawn, changed, net)
    crs = _projection(bounds)
    fwd, inv = _transformers(crs)
    extent = _extent(bounds, fwd)
    x0, x1, y0, y1 = extent
    own_figure = ax is None
    map_w = _A4_WIDTH_IN - 0.7
    map_h = map_w * (y1 - y0) / (x1 - x0)
    if ax is None:
        fig = Figure(figsize=(_A4_WIDTH_IN, map_h + 3.0), dpi=100, facecolor="#ffffff")
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
    box = _geo_box(extent, inv)
    country_labels = _draw_countries(ax, net, crs, box)
    _draw_graticule(ax, fwd, box)
    _draw_network(ax, links, fwd)
    _draw_changed(ax, changed, fwd)
    avoid = _draw_routes(ax, drawn, fwd)
    labels, marks = _route_places(drawn, fwd)
    _draw_places(ax, net, drawn, fwd, marks)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#666666")
    keys = _keys(drawn, links, changed, show_all_modes=not drawn, show_closed=False)
    if not marks["transfer"]:
        keys = [k for k in keys if k.kind != "square"]
    route_handles, other_handles = _handles(keys)
    page_title = _title(drawn, title, net)
    subtitle = _subtitle(drawn, net)
    if own_figure:
        _layout(fig, ax, map_w, map_h, route_handles, other_handles, page_title, subtitle)
    else:
        ax.set_title(page_title, fontsize=11, fontweight="bold")
        ax.legend(
            handles=route_handles + other_handles,
            loc="lower right",
            fontsize=6.5,
            framealpha=0.9,
            ncols=1,
        )
        ax.text(
            0.995,
            0.005,
            ATTRIBUTION,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=6,
            color="#333333",
            zorder=10,
            path_effects=_halo(),
        )
    anchors = [(lab.x, lab.y) for lab in labels]
    bar = _scale_bar(ax, crs, inv, [*avoid.tolist(), *anchors])
    _place_labels(ax, labels + country_labels, avoid, [bar])
    return fig


def _layout(
    fig: Figure,
    ax: Axes,
    map_w: float,
    map_h: float,
    route_handles: list[Any],
    other_handles: list[Any],
    title: str,
    subtitle: str,
) -> None:
    """Stack title, map, legends and attribution on an A4-wide page."""
    margin = 0.35
    top = 0.72
    legends = []
    if route_handles:
        legends.append(
            fig.legend(
                handles=route_handles,
                loc="upper left",
                ncols=1,
                frameon=False,
                fontsize=8,
                handlelength=2.6,
                borderaxespad=0.0,
                title=None,
            )
        )
    if other_handles:
        legends.append(
            fig.legend(
                handles=other_handles,
                loc="upper left",
                ncols=4,
                frameon=False,
                fontsize=7.5,
                handlelength=2.2,
                columnspacing=1.2,
                borderaxespad=0.0,
            )
        )
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    heights = [leg.get_window_extent(renderer).height / fig.dpi for leg in legends]
    bottom = 0.4
    total = top + map_h + 0.12 + sum(heights) + 0.08 * len(heights) + bottom
    fig.set_size_inches(_A4_WIDTH_IN, total)
    W, H = _A4_WIDTH_IN, total
    ax.set_position((margin / W, (H - top - map_h) / H, map_w / W, map_h / H))
    y = H - top - map_h - 0.12
    for leg, h in zip(legends, heights):
        leg.set_bbox_to_anchor((margin / W, y / H), transform=fig.transFigure)
        y -= h + 0.08
    fig.text(margin / W, (H - 0.22) / H, title, fontsize=13, fontweight="bold", va="top")
    fig.text(margin / W, (H - 0.5) / H, subtitle, fontsize=8, color="#444444", va="top")
    fig.text(
        (W - margin) / W,
        0.15 / H,
        ATTRIBUTION,
        fontsize=7,
        color="#333333",
        ha="right",
        va="bottom",
    )
    from corridors import __version__

    fig.text(
        margin / W,
        0.15 / H,
        f"Made with corridors {__version__}",
        fontsize=7,
        color="#777777",
        ha="left",
        va="bottom",
    )


def _format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        msg = (
            f"cannot write {path}: unknown map format {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
        raise OutputError(msg)
    return suffix


def _save_figure(fig: Figure, tmp: Path, suffix: str) -> None:
    import matplotlib as mpl

    fmt = suffix.lstrip(".")
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None},
    }[fmt]
    with mpl.rc_context(_rc()):
        fig.savefig(tmp, format=fmt, dpi=_PNG_DPI, metadata=metadata, facecolor="#ffffff")


def static(
    net: Network,
    routes: RouteInput = (),
    path: str | os.PathLike[str] | None = None,
    *,
    labels: Sequence[str] | str | None = None,
    title: str | None = None,
    changed_links: Iterable[str] | str = (),
    baseline: RouteInput = (),
    ax: Axes | None = None,
    force: bool = False,
) -> Figure:
    """Return a static map for print: A4 width, Lambert conformal conic, legend, scale bar.

    Countries are drawn on a water background (so the Caspian reads as water), the network
    faint by mode and status, routes bold in Okabe–Ito colours (baseline routes dashed),
    changed links highlighted. Route ends, border crossings and ports on the routes are
    labelled by a greedy placement that keeps labels from hiding each other. The title,
    a subtitle (objective, profile, geodata digest), the legend and the attribution
    "© OpenStreetMap contributors; Natural Earth; GeoNames" sit around the map.

    Parameters
    ----------
    net
        The network (see :func:`corridors.load_network`).
    routes
        A Route, a Comparison or a list of routes.
    path
        Also write the figure here (``.png`` at 250 dpi, ``.svg``, ``.pdf``), atomically.
    labels
        Legend label per route (routes first, then baseline routes).
    title
        Figure title; default from the routes.
    changed_links
        Link ids a scenario changed, drawn in a highlight.
    baseline
        Baseline routes, drawn dashed.
    ax
        Draw into this (plain, unprojected) matplotlib axes instead of a new figure; the
        legend and attribution then go inside the axes.
    force
        Overwrite ``path`` if it exists.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (Agg canvas; no pyplot state is touched outside Jupyter).

    Raises
    ------
    OutputError
        If ``path`` has an unknown extension or cannot be written.
    InvalidOptionError
        If the routes, labels or changed links are invalid.
    """
    import matplotlib as mpl

    suffix = _format(path) if path is not None else ""
    if suffix == ".html":
        msg = f"cannot write {path} from static(); use write_map() or interactive() for HTML"
        raise OutputError(msg)
    if path is not None:
        check_writable(path, force=force)
    drawn = _prepare(net, routes, baseline, labels)
    links = _links(net)
    changed = _changed(net, changed_links, links)
    _notebook_display()
    with mpl.rc_context(_rc()):
        fig = _draw_static(net, drawn, changed, links, title, ax)
    if path is not None:
        write_with(path, lambda tmp: _save_figure(fig, tmp, suffix), force=force)
    return fig


def write_map(
    path: str | os.PathLike[str],
    net: Network,
    routes: RouteInput = (),
    *,
    labels: Sequence[str] | str | None = None,
    title: str | None = None,
    changed_links: Iterable[str] | str = (),
    baseline: RouteInput = (),
    force: bool = False,
) -> Path:
    """Write a map, chosen by the extension: ``.html`` interactive, ``.png/.svg/.pdf`` static.

    The HTML is self-contained (no network request when opened). The file is written
    atomically: on any error no partial file is left and an existing file is untouched.

    Parameters
    ----------
    path
        Output file; its extension picks the format.
    net, routes, labels, title, changed_links, baseline
        As for :func:`interactive` and :func:`static`.
    force
        Overwrite ``path`` if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        If the extension is not one of ``.html``, ``.png``, ``.svg``, ``.pdf``, the folder
        is missing or read-only, or the file exists and ``force`` is off.
    InvalidOptionError
        If the routes, labels or changed links are invalid.
    """
    suffix = _format(path)
    check_writable(path, force=force)
    if suffix == ".html":
        fmap = interactive(
            net, routes, labels=labels, title=title, changed_links=changed_links, baseline=baseline
        )
        page = fmap.get_root().render()

        def write_html(tmp: Path) -> None:
            tmp.write_text(page, encoding="utf-8")

        return write_with(path, write_html, force=force)
    fig = static(
        net, routes, labels=labels, title=title, changed_links=changed_links, baseline=baseline
    )
    return write_with(path, lambda tmp: _save_figure(fig, tmp, suffix), force=force)
