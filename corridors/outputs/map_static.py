"""Static maps: matplotlib figures for print (PNG, SVG, PDF) with labels, legend and scale bar."""

from __future__ import annotations

import importlib
import math
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.data.vocabulary import mode_colour
from corridors.errors import OutputError
from corridors.outputs.atomic import check_writable, write_with
from corridors.outputs.formats import MAP_FORMATS, pick

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route

    RouteInput = Route | Comparison | Iterable[Route] | None

from corridors.outputs.map_style import (
    A4_WIDTH_IN,
    ATTRIBUTION,
    BORDER_COLOUR,
    BORDER_LINE,
    DASH_MPL,
    HIGHLIGHT,
    HIGHLIGHT_EDGE,
    LAND,
    PNG_DPI,
    PORT_COLOUR,
    RC,
    REGION_CRS,
    WATER,
    Drawn,
    DrawnLink,
    Key,
    changed_link_ids,
    countries_path,
    drawn_links,
    legend_keys,
    map_bounds,
    map_subtitle,
    map_title,
    places,
    prepare,
)


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
        return REGION_CRS
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
    path = countries_path(net)
    if path is None:
        ax.set_facecolor("#ffffff")
        return []
    import geopandas as gpd

    ax.set_facecolor(WATER)
    frame = gpd.read_file(path)
    frame["geometry"] = frame.geometry.clip_by_rect(*box)
    frame = frame[~frame.geometry.is_empty].to_crs(crs)
    if frame.empty:
        return []
    frame.plot(ax=ax, facecolor=LAND, edgecolor=BORDER_LINE, linewidth=0.45, zorder=1)
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


def _draw_network(ax: Axes, links: list[DrawnLink], fwd: Callable[..., Any]) -> None:
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
                colors=mode_colour(mode),
                linewidths=0.7,
                linestyles=DASH_MPL.get(status, "-"),
                alpha=0.55,
                zorder=2,
            )
        )


def _draw_changed(ax: Axes, changed: list[DrawnLink], fwd: Callable[..., Any]) -> None:
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection

    if not changed:
        return
    lines = [_xy(link.coords, fwd) for link in changed if len(link.coords) >= 2]
    ax.add_collection(
        LineCollection(
            lines,
            colors=HIGHLIGHT,
            linewidths=7.0,
            alpha=0.8,
            capstyle="round",
            zorder=3,
            path_effects=[
                patheffects.Stroke(linewidth=8.6, foreground=HIGHLIGHT_EDGE),
                patheffects.Normal(),
            ],
        )
    )


def _draw_routes(ax: Axes, drawn: list[Drawn], fwd: Callable[..., Any]) -> Any:
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
    drawn: list[Drawn], fwd: Callable[..., Any]
) -> tuple[list[_Label], dict[str, list[tuple[float, float]]]]:
    """Labels for route ends, borders, ports and transfers on the routes; their markers."""
    labels: list[_Label] = []
    marks: dict[str, list[tuple[float, float]]] = {"border": [], "port": [], "transfer": []}
    done: set[str] = set()

    def xy(node: str, route: Route) -> tuple[float, float]:
        lon, lat = route.xy(node)
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
    drawn: list[Drawn],
    fwd: Callable[..., Any],
    marks: dict[str, list[tuple[float, float]]],
) -> None:
    for kind, colour, size in (("border", BORDER_COLOUR, 5.0), ("port", PORT_COLOUR, 7.0)):
        pts = [(float(d["x"]), float(d["y"])) for _, d in places(net, (kind,))]
        if pts:
            xy = _xy(pts, fwd)
            ax.scatter(xy[:, 0], xy[:, 1], s=size, c=colour, alpha=0.45, linewidths=0, zorder=2.5)
    styles = {
        "border": (BORDER_COLOUR, "#ffffff", 22.0, "o"),
        "port": (PORT_COLOUR, "#ffffff", 30.0, "o"),
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
            x, y = fwd(*route.xy(place.node))
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
    return dict(RC)


def _halo() -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground="#ffffff")]


def _handles(keys: list[Key]) -> tuple[list[Any], list[Any]]:
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
                    patheffects.Stroke(linewidth=7.6, foreground=HIGHLIGHT_EDGE),
                    patheffects.Normal(),
                ],
            )
        else:
            style = DASH_MPL.get(key.status, "-")
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
    drawn: list[Drawn],
    changed: list[DrawnLink],
    links: list[DrawnLink],
    title: str | None,
    ax: Axes | None,
) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bounds = map_bounds(drawn, changed, net)
    crs = _projection(bounds)
    fwd, inv = _transformers(crs)
    extent = _extent(bounds, fwd)
    x0, x1, y0, y1 = extent
    own_figure = ax is None
    map_w = A4_WIDTH_IN - 0.7
    map_h = map_w * (y1 - y0) / (x1 - x0)
    if ax is None:
        fig = Figure(figsize=(A4_WIDTH_IN, map_h + 3.0), dpi=100, facecolor="#ffffff")
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
    keys = legend_keys(drawn, links, changed, show_all_modes=not drawn, show_closed=False)
    if not marks["transfer"]:
        keys = [k for k in keys if k.kind != "square"]
    route_handles, other_handles = _handles(keys)
    page_title = map_title(drawn, title, net)
    subtitle = map_subtitle(drawn, net)
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
    fig.set_size_inches(A4_WIDTH_IN, total)
    W, H = A4_WIDTH_IN, total
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
    from corridors.data.locate import package_version

    fig.text(
        margin / W,
        0.15 / H,
        f"Made with corridors {package_version()}",
        fontsize=7,
        color="#777777",
        ha="left",
        va="bottom",
    )


def map_format(path: str | os.PathLike[str]) -> str:
    """Return the extension of a map file, or fail listing the formats a map takes."""
    return pick(path, MAP_FORMATS, "map").suffix


def save_figure(fig: Figure, tmp: Path, suffix: str) -> None:
    """Save a figure to ``tmp`` in the format ``suffix`` names, without date or software tags."""
    import matplotlib as mpl

    fmt = suffix.lstrip(".")
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None},
        "pdf": {"CreationDate": None},
    }[fmt]
    with mpl.rc_context(_rc()):
        fig.savefig(tmp, format=fmt, dpi=PNG_DPI, metadata=metadata, facecolor="#ffffff")


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

    suffix = map_format(path) if path is not None else ""
    if suffix == ".html":
        msg = f"cannot write {path} from static(); use write_map() or interactive() for HTML"
        raise OutputError(msg)
    if path is not None:
        check_writable(path, force=force)
    drawn = prepare(net, routes, baseline, labels)
    links = drawn_links(net)
    changed = changed_link_ids(net, changed_links, links)
    _notebook_display()
    with mpl.rc_context(_rc()):
        fig = _draw_static(net, drawn, changed, links, title, ax)
    if path is not None:
        write_with(path, lambda tmp: save_figure(fig, tmp, suffix), force=force)
    return fig
