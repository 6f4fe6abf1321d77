"""Interactive maps: a self-contained folium page with Leaflet and jQuery inlined."""

from __future__ import annotations

import base64
import functools
import html
import importlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import folium

    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route

    RouteInput = Route | Comparison | Iterable[Route] | None

from corridors.data.vocabulary import STATUSES, friction_label, mode_colour
from corridors.outputs.map_style import (
    ATTRIBUTION,
    BORDER_COLOUR,
    BORDER_LINE,
    CLOSED_COLOUR,
    DASH_HTML,
    HIGHLIGHT,
    HIGHLIGHT_EDGE,
    LAND,
    PORT_COLOUR,
    WATER,
    Drawn,
    DrawnLeg,
    DrawnLink,
    Key,
    changed_link_ids,
    countries_path,
    drawn_links,
    fmt_range,
    frictions_at,
    id_tuple,
    legend_keys,
    map_bounds,
    map_subtitle,
    map_title,
    mode_order,
    node_name,
    places,
    prepare,
    profile_id,
)


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
.leaflet-container {{ background: {WATER};
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


def _swatch_html(key: Key) -> str:
    if key.kind == "point":
        stroke = "#000000" if key.edge == "#000000" or key.colour == "#ffffff" else "#ffffff"
        return (
            f'<svg width="24" height="12"><circle cx="12" cy="6" r="{min(key.size, 5.0):.0f}" '
            f'fill="{key.colour}" stroke="{stroke}" stroke-width="1.5"/></svg>'
        )
    if key.kind == "halo":
        return (
            '<svg width="24" height="12"><line x1="2" y1="6" x2="22" y2="6" '
            f'stroke="{HIGHLIGHT_EDGE}" stroke-width="10" stroke-linecap="round"/>'
            '<line x1="2" y1="6" x2="22" y2="6" '
            f'stroke="{key.colour}" stroke-width="8" stroke-linecap="round"/></svg>'
        )
    dash = DASH_HTML.get(key.status)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="24" height="12"><line x1="2" y1="6" x2="22" y2="6" stroke="{key.colour}" '
        f'stroke-width="{key.width:.1f}"{dash_attr} stroke-linecap="round"/></svg>'
    )


def _legend_html(keys: list[Key]) -> str:
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


def _feature(link: DrawnLink, style: dict[str, Any]) -> dict[str, Any]:
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
            "status": STATUSES.get(link.status, link.status)
            + (f" ({link.open_year})" if link.open_year else ""),
            "gauge": f"{link.gauge_mm} mm" if link.gauge_mm else "",
            "km": f"{link.length_km:,.0f}",
            "sources": ", ".join(link.source_ids),
            "style": style,
        },
    }


def _network_style(link: DrawnLink, weight: float = 2.0) -> dict[str, Any]:
    closed = link.status == "closed"
    style: dict[str, Any] = {
        "color": CLOSED_COLOUR if closed else mode_colour(link.mode),
        "weight": weight,
        "opacity": 0.55 if closed else 0.8,
        "className": f"corridors-link corridors-{link.mode}",
    }
    dash = DASH_HTML.get(link.status)
    if dash:
        style["dashArray"] = dash
    return style


def _add_network(fmap: Any, links: list[DrawnLink]) -> None:
    folium = _folium()

    groups: dict[str, list[DrawnLink]] = {}
    for link in links:
        key = "closed" if link.status == "closed" else link.mode
        groups.setdefault(key, []).append(link)
    fields = ["name", "mode", "status", "gauge", "km", "link", "sources"]
    aliases = ["Link", "Mode", "Status", "Gauge", "km", "Id", "Sources"]
    for key in sorted(groups, key=lambda k: (k == "closed", mode_order(k))):
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
        where = f" → {node_name(net, to_node)}" if kind == "border" and to_node else ""
        modes = str(row.get("mode") or "*")
        if row.get("to_mode") == row.get("to_mode") and row.get("to_mode"):
            modes += f" → {row['to_mode']}"
        sources = list(id_tuple(row.get("source_id")))
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
                        fmt_range(
                            row.get("time_h"), row.get("time_h_low"), row.get("time_h_high"), "h"
                        ),
                    ),
                    (
                        "Fee",
                        fmt_range(
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
        ("border", "Border crossings", BORDER_COLOUR, 4),
        ("port", "Ports", PORT_COLOUR, 5),
    ):
        group = folium.FeatureGroup(name=label)
        for node, data in places(net, (kind,)):
            rows = frictions_at(net, node, profile)
            head = _table(
                [
                    ("Country", data.get("country") or ""),
                    (
                        "UN/LOCODE",
                        data.get("locode") if isinstance(data.get("locode"), str) else "",
                    ),
                    ("Node", node),
                    ("Sources", ", ".join(id_tuple(data.get("source_id")))),
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


def _leg_tooltip(leg: DrawnLeg) -> str:
    if leg.kind == "haul":
        return (
            f"{leg.mode} {leg.from_name} → {leg.to_name}: {leg.distance_km:,.0f} km, "
            f"{leg.time_h:,.1f} h, USD {leg.cost_usd:,.0f}"
        )
    return (
        f"{leg.kind.replace('_', ' ')} at {leg.from_name} ({leg.mode}): "
        f"{leg.time_h:,.1f} h, USD {leg.cost_usd:,.0f}"
    )


def _leg_popup(leg: DrawnLeg, label: str) -> str:
    return _table(
        [
            ("Route", label),
            ("Leg", friction_label(leg.kind)),
            ("Mode", leg.mode),
            ("From", leg.from_name),
            ("To", leg.to_name),
            ("Country", leg.country),
            ("Distance", f"{leg.distance_km:,.1f} km"),
            ("Time", f"{leg.time_h:,.2f} h"),
            ("Cost", f"USD {leg.cost_usd:,.2f}"),
            ("CO2", f"{leg.co2_kg:,.1f} kg"),
            ("Gauge", f"{leg.gauge_mm} mm" if leg.gauge_mm else ""),
            ("Status", STATUSES.get(leg.status, leg.status) if leg.status else ""),
            ("Link", leg.link_id),
            ("Friction rows", leg.friction_ids.replace("|", ", ")),
            ("Sources", leg.source_ids.replace("|", ", ")),
            ("Note", leg.note),
        ],
        head=_leg_tooltip(leg),
    )


def _add_routes(fmap: Any, drawn: list[Drawn]) -> None:
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
            x, y = route.xy(place.node)
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


def _add_changed(fmap: Any, changed: list[DrawnLink]) -> None:
    folium = _folium()

    if not changed:
        return
    group = folium.FeatureGroup(name="Changed links")
    for link in changed:
        latlon = [(y, x) for x, y in link.coords]
        folium.PolyLine(
            latlon,
            color=HIGHLIGHT_EDGE,
            weight=14,
            opacity=0.85,
            interactive=False,
            class_name="corridors-changed-edge",
        ).add_to(group)
        tip = f"changed: {link.name} ({link.mode}, {STATUSES.get(link.status, link.status)})"
        folium.PolyLine(
            latlon,
            color=HIGHLIGHT,
            weight=11,
            opacity=0.95,
            class_name="corridors-changed",
            tooltip=folium.Tooltip(_e(tip)),
            popup=folium.Popup(
                _table(
                    [
                        ("Link", link.link_id),
                        ("Mode", link.mode),
                        ("Status", STATUSES.get(link.status, link.status)),
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

    path = countries_path(net)
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
            "fillColor": LAND,
            "fillOpacity": 0.35 if tiles else 1.0,
            "color": BORDER_LINE,
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

    drawn = prepare(net, routes, baseline, labels)
    links = drawn_links(net)
    changed = changed_link_ids(net, changed_links, links)
    west, south, east, north = map_bounds(drawn, changed, net)
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
    page_title = map_title(drawn, title, net)
    root.title = html.escape(page_title)
    root.header.add_child(_raw_element(_inline_assets()), name="corridors_assets", index=0)
    if tiles:
        fol.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)").add_to(fmap)
    _add_countries(fmap, net, tiles=tiles)
    _add_network(fmap, links)
    _add_changed(fmap, changed)
    _add_places(fmap, net, profile_id(net, drawn))
    _add_routes(fmap, [d for d in drawn if not d.baseline])
    _add_routes(fmap, [d for d in drawn if d.baseline])
    keys = legend_keys(
        drawn, links, changed, show_all_modes=True, show_closed=True, interactive=True
    )
    legend = _legend_html(keys)
    subtitle = map_subtitle(drawn, net)
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
    bounds = [[south - pad, west - pad], [north + pad, east + pad]]
    # A first view for pages that run no script, then the legend-aware one below.
    fmap.fit_bounds(bounds, padding_top_left=(20, 60), padding_bottom_right=(20, 20))
    _script_element(
        # Fold the legend when it would take too much of a small map, then keep the routes
        # clear of it: the view leaves the legend's width free on the left, and the title's
        # height at the top.
        "var lg = map.getContainer().querySelector('.corridors-legend');"
        "var det = lg && lg.querySelector('details');"
        "var size = map.getSize();"
        "if (det && (lg.offsetWidth > 0.4 * size.x || lg.offsetHeight > 0.55 * size.y))"
        " { det.open = false; }"
        "var left = lg ? lg.offsetWidth + 24 : 20;"
        f"map.fitBounds({_json_js(bounds)},"
        " {paddingTopLeft: [left, 60], paddingBottomRight: [20, 20]});"
    ).add_to(fmap)
    return cast("folium.Map", fmap)
