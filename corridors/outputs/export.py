"""Export the network, routes and comparisons as GIS and spreadsheet files.

The format is chosen by the file extension:

============  ==============================================================
``.gpkg``     GeoPackage, one layer per table
``.geojson``  GeoJSON, one table
``.parquet``  GeoParquet (plain Parquet for a table without geometry), one table
``.csv``      CSV, one table, geometry as WKT in a ``geometry`` column
``.xlsx``     Excel workbook, one sheet per table, geometry as WKT
``.json``     JSON records (an object of them keyed by name for several tables)
============  ==============================================================

Coordinates are longitude/latitude in EPSG:4326, as in the network graph. Every file is
written atomically (a temporary file beside the target, renamed into place), so a failed
export leaves no partial file and never damages an existing one.

:func:`tables` turns an object into named tables (the network into ``links`` and
``nodes``; routes and comparisons into ``legs`` and ``summary``); :func:`export` writes
them; :func:`export_tables` writes any named DataFrames, such as scenario results.
geopandas, pyogrio, pyarrow and openpyxl are imported inside the functions, so
``import corridors`` stays light.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.errors import InvalidOptionError, OutputError
from corridors.outputs.atomic import check_writable, write_with
from corridors.outputs.formats import FORMATS as ALL_FORMATS
from corridors.outputs.formats import MULTI_TABLE, TABLE_FORMATS, Format, pick
from corridors.outputs.table_files import (
    CRS,
    WRITERS,
    XLSX_CELL_LIMIT,
    check_name,
    joined,
    prepare,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route

    Exportable = (
        Network | Route | Sequence[Route] | Comparison | pd.DataFrame | Mapping[str, pd.DataFrame]
    )

__all__ = [
    "CRS",
    "FORMATS",
    "MULTI_TABLE",
    "XLSX_CELL_LIMIT",
    "check_format",
    "comparison_tables",
    "export",
    "export_tables",
    "network_tables",
    "route_tables",
    "selected",
    "tables",
]

#: File extension -> format name, for the formats tables export to (see ``outputs.formats``).
FORMATS = {suffix: ALL_FORMATS[suffix].name for suffix in TABLE_FORMATS}
_INT_COLUMNS = ("gauge_mm", "open_year")


# -- tables ---------------------------------------------------------------------------------
def _nullable_ints(frame: pd.DataFrame) -> pd.DataFrame:
    for col in _INT_COLUMNS:
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").round().astype("Int64")
    return frame


def network_tables(net: Network) -> dict[str, gpd.GeoDataFrame]:
    """Return the network as two GeoDataFrames in EPSG:4326: ``links`` and ``nodes``.

    Parameters
    ----------
    net
        The network.

    Returns
    -------
    dict
        ``links``: one row per physical link (a link that is not ``oneway`` is travelled
        both ways), its attributes from ``links.csv``, ``length`` in metres as in the graph,
        and the line geometry from ``u`` to ``v``. ``nodes``: one row per place with its
        attributes from ``nodes.csv`` and a point geometry.
    """
    import geopandas as gpd
    from shapely.geometry import Point

    G = net.G
    nodes = net.geodata.nodes.drop(columns=["_line"]).copy()
    geoms = [Point(G.nodes[n]["x"], G.nodes[n]["y"]) for n in nodes["id"]]
    for col in nodes.columns:
        nodes[col] = nodes[col].map(joined) if nodes[col].dtype == object else nodes[col]
    node_frame = gpd.GeoDataFrame(nodes.reset_index(drop=True), geometry=geoms, crs=CRS)

    links = net.geodata.links.drop(columns=["_line"]).copy()
    lines = []
    for link_id, u, v in zip(links["id"], links["u"], links["v"]):
        found = [
            d["geometry"]
            for d in G.get_edge_data(u, v, default={}).values()
            if d.get("link_id") == link_id
        ]
        lines.append(found[0] if found else None)
    for col in links.columns:
        links[col] = links[col].map(joined) if links[col].dtype == object else links[col]
    links["oneway"] = links["oneway"].map(lambda v: v is True).astype(bool)  # empty: both ways
    links["length"] = links["length_km"].astype(float) * 1000.0
    links = _nullable_ints(links)
    link_frame = gpd.GeoDataFrame(links.reset_index(drop=True), geometry=lines, crs=CRS)
    return {"links": link_frame, "nodes": node_frame}


def _route_legs(r: Route, key: str, value: Any) -> gpd.GeoDataFrame:
    legs = r.legs
    legs.insert(0, key, value)
    legs.insert(1, "leg", range(1, len(legs) + 1))
    return legs


def _concat(frames: list[gpd.GeoDataFrame], key: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from corridors.routing.results import LEG_COLUMNS

    if not frames:
        return gpd.GeoDataFrame(
            columns=[key, "leg", *LEG_COLUMNS], geometry=gpd.GeoSeries([], crs=CRS)
        )
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=CRS)
    return _nullable_ints(out)


def route_tables(routes: Route | Sequence[Route]) -> dict[str, pd.DataFrame]:
    """Return routes (one, or alternatives) as a ``legs`` GeoDataFrame and a ``summary``.

    Parameters
    ----------
    routes
        A route, or a list of routes such as :func:`corridors.alternatives` returns.

    Returns
    -------
    dict
        ``legs``: one row per leg (haul, wait or friction) in travel order, with ``route``
        (1 for the first route given, 2 for the next...) and ``leg`` (1, 2... within the
        route) in front of the columns of :meth:`Route.leg_frame`, and a geometry (lines for
        hauls, points for frictions). ``summary``: one row per route with its totals.
    """
    from corridors.routing.results import Route

    listed = [routes] if isinstance(routes, Route) else list(routes)
    legs = _concat([_route_legs(r, "route", i) for i, r in enumerate(listed, 1)], "route")
    rows = [
        {
            "route": i,
            "origin": r.origin.node,
            "origin_name": r.place_name(r.origin.node),
            "destination": r.destination.node,
            "destination_name": r.place_name(r.destination.node),
            "by": r.by,
            "profile": r.profile,
            "corridor": r.corridor or "",
            "distance_km": r.distance_km,
            "time_h": r.time_h,
            "cost_usd": r.cost_usd,
            "co2_kg": r.co2_kg,
            "generalized_usd": r.generalized_usd,
            "borders": len(r.border_crossings),
            "transfers": len(r.transfers),
            "countries": "→".join(r.countries),
        }
        for i, r in enumerate(listed, 1)
    ]
    return {"legs": legs, "summary": pd.DataFrame(rows)}


def comparison_tables(comparison: Comparison) -> dict[str, pd.DataFrame]:
    """Return a comparison as a ``legs`` GeoDataFrame and a ``summary`` table.

    Parameters
    ----------
    comparison
        What :func:`corridors.compare` returns.

    Returns
    -------
    dict
        ``legs``: every served corridor's legs, with ``corridor`` (the corridor id, or
        ``best`` for the unconstrained best route) and ``leg`` in front of the columns of
        :meth:`Route.leg_frame`, and a geometry. ``summary``: :meth:`Comparison.to_frame`,
        one row per corridor (a corridor that cannot serve the pair has a ``note``).
    """
    frames = [_route_legs(r, "corridor", cid) for cid, r in comparison.routes.items()]
    return {"legs": _concat(frames, "corridor"), "summary": comparison.to_frame()}


def tables(obj: Exportable, *, name: str = "table") -> dict[str, pd.DataFrame]:
    """Return the named tables an object exports as, the main table first.

    Parameters
    ----------
    obj
        A :class:`~corridors.Network`, a :class:`~corridors.routing.Route` or a
        list of them, a :class:`~corridors.Comparison`, a DataFrame or
        GeoDataFrame, or a mapping of table names to DataFrames.
    name
        The table name of a single DataFrame.

    Returns
    -------
    dict
        Table name -> DataFrame (a GeoDataFrame where the table has geometry).

    Raises
    ------
    InvalidOptionError
        If ``obj`` is none of the kinds above.
    """
    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route

    if isinstance(obj, Network):
        return dict(network_tables(obj))
    if isinstance(obj, Comparison):
        return comparison_tables(obj)
    if isinstance(obj, pd.DataFrame):
        return {name: obj}
    if isinstance(obj, Route):
        return route_tables(obj)
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, Sequence) and obj and all(isinstance(r, Route) for r in obj):
        return route_tables(obj)
    msg = (
        f"cannot export a {type(obj).__name__}; export a Network, a Route or a list of "
        "routes, a Comparison, a DataFrame or a dict of DataFrames"
    )
    raise InvalidOptionError(msg)


# -- checks ---------------------------------------------------------------------------------
def check_format(path: str | os.PathLike[str]) -> Format:
    """Return the table format a path names, or fail listing the formats tables take."""
    return pick(path, TABLE_FORMATS, "export")


# -- public writers -------------------------------------------------------------------------
def export_tables(
    tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write named DataFrames (GeoDataFrames keep their geometry) to one file.

    Parameters
    ----------
    tables
        Table name -> DataFrame. A GeoDataFrame's geometry is written in EPSG:4326
        (reprojected if it is in another CRS); list cells become ``|``-separated text and
        a non-default index becomes columns. ``.gpkg`` and ``.xlsx`` take several tables
        (one layer or sheet each); the other formats take exactly one.
    path
        Output file; its extension picks the format (see
        :data:`corridors.outputs.formats.TABLE_FORMATS`).
    force
        Overwrite ``path`` if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        If the extension is unknown, the folder is missing or read-only, the file exists
        and ``force`` is off, or a one-table format is given several tables.
    InvalidOptionError
        If a table is not a DataFrame, has an unusable name or duplicate columns, or has
        geometry without a CRS.
    """
    fmt = check_format(path)
    if not tables:
        msg = "nothing to export: give at least one table"
        raise InvalidOptionError(msg)
    if not fmt.multi_table and len(tables) > 1:
        msg = (
            f"cannot write {len(tables)} tables ({', '.join(tables)}) to one {fmt.suffix} file; "
            f"choose one (layer=..., --layer) or write {' or '.join(MULTI_TABLE)}"
        )
        raise OutputError(msg)
    names = [check_name(n) for n in tables]
    if len({n.lower() for n in names}) != len(names):
        msg = f"table names {', '.join(names)} must differ (ignoring case)"
        raise InvalidOptionError(msg)
    check_writable(path, force=force)
    prepared = {name: prepare(name, frame) for name, frame in tables.items()}
    writer = WRITERS[fmt.suffix]
    return write_with(path, lambda tmp: writer(prepared, tmp), force=force)


def export(
    obj: Exportable,
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    force: bool = False,
) -> Path:
    """Export a network, routes, a comparison or a table, chosen by the file extension.

    Parameters
    ----------
    obj
        A :class:`~corridors.Network` (tables ``links`` and ``nodes``), a
        :class:`~corridors.routing.Route` or a list of routes (``legs`` and ``summary``), a
        :class:`~corridors.Comparison` (``legs`` and ``summary``), a DataFrame or
        GeoDataFrame, or a mapping of table names to DataFrames.
    path
        Output file: ``.gpkg``, ``.geojson``, ``.parquet``, ``.csv``, ``.xlsx`` or ``.json``.
    layer
        Write only this table. By default ``.gpkg`` and ``.xlsx`` get every table and the
        one-table formats the main one (``links`` or ``legs``). For a single DataFrame,
        the name of its layer or sheet (default ``table``).
    force
        Overwrite ``path`` if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        If the extension is unknown, or the file cannot be written (see
        :func:`export_tables`).
    InvalidOptionError
        If ``layer`` names no table of ``obj``, or ``obj`` cannot be exported.

    Examples
    --------
    >>> import corridors
    >>> net = corridors.load_network()
    >>> corridors.export(net, "network.gpkg")  # doctest: +SKIP
    >>> r = corridors.route("Almaty", "Bandar Abbas", network=net)
    >>> corridors.export(r, "route.csv")  # doctest: +SKIP
    """
    return export_tables(selected(obj, path, layer=layer), path, force=force)


def selected(
    obj: Exportable, path: str | os.PathLike[str], *, layer: str | None = None
) -> dict[str, pd.DataFrame]:
    """Return the tables :func:`export` writes for ``obj`` to ``path`` (see there)."""
    fmt = check_format(path)
    if isinstance(obj, pd.DataFrame):
        return tables(obj, name=layer or "table")
    found = tables(obj)
    if layer is not None:
        if layer not in found:
            msg = f"unknown layer {layer!r}; choose one of: {', '.join(found)}"
            raise InvalidOptionError(msg)
        return {layer: found[layer]}
    if not fmt.multi_table and not isinstance(obj, Mapping):
        main = next(iter(found))
        return {main: found[main]}
    return found


class _CallableModule(types.ModuleType):
    """Make ``corridors.outputs.export(obj, path)`` call :func:`export` once the module is loaded.

    ``corridors.outputs.export`` names both this module and its main function; importing the
    module binds the name to the module, so the module forwards calls to the function.
    """

    def __call__(
        self,
        obj: Exportable,
        path: str | os.PathLike[str],
        *,
        layer: str | None = None,
        force: bool = False,
    ) -> Path:
        return export(obj, path, layer=layer, force=force)


sys.modules[__name__].__class__ = _CallableModule
