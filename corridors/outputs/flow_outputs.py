"""Freight-flow results as tables and as a flow map (width by tonnes, colour by utilisation)."""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.outputs.atomic import check_writable, write_with
from corridors.outputs.formats import MAP_FORMATS, pick
from corridors.outputs.map_style import LAND, WATER, countries_path, drawn_links

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

    from corridors.flows.results import FlowResult
    from corridors.graph.network import Network

#: Utilisation classes of the flow map: upper bound, colour, label. Links that draw on no
#: capacity are drawn in ``NO_CAPACITY``.
UTILISATION_CLASSES = (
    (0.5, "#4575b4", "below 50% of capacity"),
    (0.8, "#fdae61", "50-80%"),
    (1.0, "#d73027", "80-100%"),
    (float("inf"), "#67001f", "over capacity"),
)
NO_CAPACITY = ("#7f7f7f", "no capacity in the data")
#: Line width in pixels of the busiest link; others scale with their tonnes.
MAX_WIDTH = 14.0
MIN_WIDTH = 1.5


def _edge_utilisation(result: FlowResult) -> np.ndarray:
    """Give each table link the highest utilisation among the capacities it draws on."""
    links = result.table.links
    out = np.full(links.n_links, np.nan)
    s = links.shared
    if s is None or not s.n:
        return out
    use = result.capacity_use()["utilisation"].to_numpy()
    m = s.members.tocoo()
    for cap, edge in zip(m.row, m.col):
        out[edge] = use[cap] if np.isnan(out[edge]) else max(out[edge], use[cap])
    return out


def link_flows(result: FlowResult, net: Network) -> pd.DataFrame:
    """Give each network link that carries freight, both directions summed, with geometry.

    Parameters
    ----------
    result : FlowResult
        An assignment.
    net : Network
        The network it was made on (for the link geometry).

    Returns
    -------
    geopandas.GeoDataFrame
        ``link_id``, ``mode``, ``u``, ``v``, ``tonnes`` and ``tonnes:P`` per profile (both
        directions), ``utilisation`` (highest among the capacities it draws on; NaN for
        none), ``delay_h``, and the line geometry (EPSG:4326).
    """
    import geopandas as gpd
    from shapely.geometry import LineString

    e = result.edges()
    e["utilisation"] = _edge_utilisation(result)
    e = e[(e["kind"] == "link") & (e["tonnes"] > 0)]
    cols = [c for c in e.columns if c.startswith("tonnes")]
    g = e.groupby("link_id")
    out = g[cols].sum()
    out["utilisation"] = g["utilisation"].max()
    out["delay_h"] = g["delay_h"].max()
    out["mode"] = g["mode"].first()
    drawn = {d.link_id: d for d in drawn_links(net)}
    out = out[out.index.isin(list(drawn))]
    out["u"] = [drawn[i].u for i in out.index]
    out["v"] = [drawn[i].v for i in out.index]
    geometry = [LineString(drawn[i].coords) for i in out.index]
    frame = out.reset_index().sort_values("tonnes", ascending=False, ignore_index=True)
    order = [geometry[list(out.index).index(i)] for i in frame["link_id"]]
    out_frame: pd.DataFrame = gpd.GeoDataFrame(frame, geometry=order, crs="EPSG:4326")
    return out_frame


def flow_tables(result: FlowResult, net: Network) -> dict[str, pd.DataFrame]:
    """Give the named tables a flow result exports as, the link flows first.

    Parameters
    ----------
    result : FlowResult
        An assignment.
    net : Network
        The network it was made on.

    Returns
    -------
    dict
        ``links`` (:func:`link_flows`), ``capacities`` (use and utilisation), ``places``
        (tonnes arriving by mode), ``modal_split``, ``totals`` (one row).
    """
    return {
        "links": link_flows(result, net),
        "capacities": result.capacity_use(),
        "places": result.place_loads(),
        "modal_split": result.modal_split(),
        "totals": pd.DataFrame([result.totals()]),
    }


def _colour(utilisation: float) -> str:
    if not np.isfinite(utilisation):
        return NO_CAPACITY[0]
    return next(c for bound, c, _ in UTILISATION_CLASSES if utilisation < bound)


def flow_map(result: FlowResult, net: Network, *, title: str | None = None) -> folium.Map:
    """Draw the flows over the network map: width by tonnes, colour by utilisation.

    Parameters
    ----------
    result : FlowResult
        An assignment.
    net : Network
        The network it was made on.
    title : str, optional
        Map title; by default the method and the tonnes assigned.

    Returns
    -------
    folium.Map
        A self-contained map (no network request when opened).
    """
    import folium as folium_module

    fol: Any = folium_module

    from corridors.outputs.map_html import interactive

    flows = link_flows(result, net)
    total = result.totals()["tonnes"]
    heading = title or f"Freight flows ({result.method}): {total / 1e6:,.1f} Mt/yr assigned"
    fmap = interactive(net, title=heading)
    top = float(flows["tonnes"].max()) if len(flows) else 1.0
    layer = fol.FeatureGroup(name="Freight flows (width: t/yr; colour: utilisation)")
    for link_id, tonnes, util, line in zip(
        flows["link_id"].astype(str),
        flows["tonnes"].astype(float),
        flows["utilisation"].astype(float),
        flows.geometry,
    ):
        width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * tonnes / top
        use = f"{util:.0%} of capacity" if np.isfinite(util) else NO_CAPACITY[1]
        tip = html.escape(f"{link_id}: {tonnes / 1e6:,.2f} Mt/yr; {use}")
        coords = [(lat, lon) for lon, lat in line.coords]
        fol.PolyLine(
            coords,
            weight=width,
            color=_colour(util),
            opacity=0.85,
            tooltip=tip,
            class_name="corridors-flow",
        ).add_to(layer)
    layer.add_to(fmap)
    # the layer control renders the layers it lists, so it must come after the new one
    for key in [k for k, child in fmap._children.items() if type(child).__name__ == "LayerControl"]:
        fmap._children.move_to_end(key)
    items = [*UTILISATION_CLASSES, (None, *NO_CAPACITY)]
    legend = "".join(
        f'<div><span style="display:inline-block;width:18px;height:6px;background:{c};'
        f'margin-right:6px"></span>{html.escape(label)}</div>'
        for _, c, label in items
    )
    box = (
        '<div class="corridors-flow-legend" style="position:absolute;top:70px;right:10px;'
        "z-index:1000;background:#fff;padding:6px 8px;border:1px solid #999;font:12px sans-serif"
        f'"><b>Freight flows</b><div>line width ∝ t/yr (widest {top / 1e6:,.1f} Mt)</div>'
        f"{legend}</div>"
    )
    root: Any = fmap.get_root()
    root.html.add_child(fol.Element(box))
    return fmap


def flow_figure(result: FlowResult, net: Network, *, title: str | None = None) -> Figure:
    """Draw the flows as a static figure: width by tonnes, colour by utilisation.

    Longitude and latitude axes (equirectangular), the geodata's countries as the base.

    Parameters
    ----------
    result : FlowResult
        An assignment.
    net : Network
        The network it was made on.
    title : str, optional
        Figure title; by default the method and the tonnes assigned.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import geopandas as gpd
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.lines import Line2D

    flows = link_flows(result, net)
    fig = MplFigure(figsize=(11.7, 7.0), dpi=150)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor(WATER)
    base = countries_path(net)
    if base is not None:
        gpd.read_file(base).plot(ax=ax, color=LAND, edgecolor="#999999", linewidth=0.4)
    top = float(flows["tonnes"].max()) if len(flows) else 1.0
    for tonnes, util, line in zip(
        flows["tonnes"].astype(float), flows["utilisation"].astype(float), flows.geometry
    ):
        xs, ys = zip(*line.coords)
        width = 0.6 + 6.0 * tonnes / top
        ax.plot(xs, ys, color=_colour(util), linewidth=width, solid_capstyle="round")
    if len(flows):
        x0, y0, x1, y1 = flows.total_bounds
        pad = 2.0
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    total = result.totals()["tonnes"]
    ax.set_title(title or f"Freight flows ({result.method}): {total / 1e6:,.1f} Mt/yr assigned")
    handles = [
        Line2D([], [], color=c, linewidth=3, label=label)
        for _, c, label in (*UTILISATION_CLASSES, (None, *NO_CAPACITY))
    ]
    ax.legend(handles=handles, title=f"width ∝ t/yr (widest {top / 1e6:,.1f} Mt)",
              loc="lower left", fontsize=7, title_fontsize=7)  # fmt: skip
    return fig


def write_flow_map(
    path: str | os.PathLike[str],
    result: FlowResult,
    net: Network,
    *,
    title: str | None = None,
    force: bool = False,
) -> Path:
    """Write the flow map, atomically: ``.html`` interactive, ``.png``/``.svg``/``.pdf`` static.

    Parameters
    ----------
    path : str or os.PathLike
        Output file; its extension picks the format.
    result, net, title
        As for :func:`flow_map`.
    force : bool
        Overwrite ``path`` if it exists.

    Returns
    -------
    pathlib.Path
    """
    suffix = pick(path, MAP_FORMATS, "flow map").suffix
    check_writable(path, force=force)
    if suffix != ".html":
        from corridors.outputs.map_static import save_figure

        fig = flow_figure(result, net, title=title)
        return write_with(path, lambda tmp: save_figure(fig, tmp, suffix), force=force)
    page: Any = flow_map(result, net, title=title).get_root().render()

    def write(tmp: Path) -> None:
        tmp.write_text(page, encoding="utf-8")

    return write_with(path, write, force=force)
