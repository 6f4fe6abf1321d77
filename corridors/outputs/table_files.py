"""Tables to files: check and prepare named tables, then one writer per table format.

The formats themselves (extension, name, what can be written as them) are listed once in
:mod:`corridors.outputs.formats`; this module holds the code that writes tables.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from corridors.errors import InvalidOptionError, OutputError

if TYPE_CHECKING:
    import geopandas as gpd

CRS = "EPSG:4326"
#: Excel's limit on the characters of one cell.
XLSX_CELL_LIMIT = 32_767
_BAD_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def joined(value: Any) -> Any:
    """Turn list cells into ``|``-separated text, as in the geodata CSV files."""
    if isinstance(value, list | tuple | set | frozenset):
        return "|".join(str(v) for v in value)
    return value


def check_name(name: object) -> str:
    """Return ``name`` if it can be a layer or sheet name, else raise InvalidOptionError."""
    if not isinstance(name, str) or not name.strip() or len(name) > 31 or _BAD_NAME.search(name):
        msg = (
            f"table name {name!r} cannot be a layer or sheet name; use 1 to 31 characters "
            "without [ ] : * ? / \\"
        )
        raise InvalidOptionError(msg)
    return name


def prepare(name: str, frame: object) -> tuple[pd.DataFrame, Any]:
    """Return a table's plain columns and its geometry in EPSG:4326 (or None)."""
    if not isinstance(frame, pd.DataFrame):
        msg = f"table {name!r} is a {type(frame).__name__}; give a pandas DataFrame"
        raise InvalidOptionError(msg)
    geometry = None
    data = frame
    if getattr(frame, "_geometry_column_name", None) in frame:
        gdf: gpd.GeoDataFrame = frame
        if gdf.crs is None:
            msg = f"table {name!r} has geometry but no CRS; set one with .set_crs()"
            raise InvalidOptionError(msg)
        geometry = gdf.geometry.to_crs(CRS)
        data = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name]))
    if not isinstance(data.index, pd.RangeIndex) or any(n is not None for n in data.index.names):
        data = data.reset_index()
    else:
        data = data.reset_index(drop=True)
    data.columns = [str(c) for c in data.columns]
    duplicated = sorted({c for c in data.columns if list(data.columns).count(c) > 1})
    if duplicated:
        msg = f"table {name!r} has duplicate column(s) {', '.join(duplicated)}; rename them"
        raise InvalidOptionError(msg)
    if geometry is not None and "geometry" in data.columns:
        msg = f"table {name!r} has a column named geometry besides its geometry; rename it"
        raise InvalidOptionError(msg)
    for col in data.columns:
        if data[col].dtype == object:
            data[col] = data[col].map(_cell)
    if geometry is not None:
        geometry = geometry.reset_index(drop=True)
    return data, geometry


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return joined(value)


Prepared = dict[str, tuple[pd.DataFrame, Any]]


def _geo(data: pd.DataFrame, geometry: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if geometry is None:
        geometry = gpd.GeoSeries([None] * len(data), crs=CRS)
    return gpd.GeoDataFrame(data, geometry=geometry.values, crs=CRS)


def _with_wkt(data: pd.DataFrame, geometry: Any) -> pd.DataFrame:
    if geometry is None:
        return data
    import shapely

    out = data.copy()
    out["geometry"] = shapely.to_wkt(geometry.values, rounding_precision=-1)
    return out


def _sidecar(tmp: Path, suffix: str, write: Callable[[Path], None]) -> None:
    """Write through a temporary name with the real extension (GDAL drivers check it)."""
    side = tmp.with_name(f"{tmp.name}{suffix}")
    try:
        write(side)
        side.replace(tmp)
    finally:
        for extra in (side, *(side.with_name(f"{side.name}-{x}") for x in ("journal", "wal"))):
            if extra.exists():
                extra.unlink()


def _write_gpkg(prepared: Prepared, tmp: Path) -> None:
    import pyogrio
    import pyogrio.errors

    def write(side: Path) -> None:
        for name, (data, geometry) in prepared.items():
            frame = data if geometry is None else _geo(data, geometry)
            try:
                pyogrio.write_dataframe(frame, side, layer=name, driver="GPKG")
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as err:
                # GDAL reports a full disk as a failed commit or insert; the atomic write
                # turns this into a one-line error naming the file
                said = " ".join(str(err).split())
                said = said if len(said) <= 160 else said[:159] + "…"
                msg = f"the GeoPackage writer failed ({said}); is the disk full?"
                raise OSError(msg) from err

    _sidecar(tmp, ".gpkg", write)


def _write_geojson(prepared: Prepared, tmp: Path) -> None:
    ((data, geometry),) = prepared.values()
    frame = _geo(data, geometry)
    tmp.write_text(frame.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8")


def _write_parquet(prepared: Prepared, tmp: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        msg = (
            "writing .parquet needs pyarrow, an optional part of corridors: "
            "pip install 'corridors[parquet]' (or write .gpkg, .geojson or .csv)"
        )
        raise OutputError(msg)
    ((data, geometry),) = prepared.values()
    frame = data if geometry is None else _geo(data, geometry)
    frame.to_parquet(tmp, index=False)


def _write_csv(prepared: Prepared, tmp: Path) -> None:
    ((data, geometry),) = prepared.values()
    _with_wkt(data, geometry).to_csv(tmp, index=False, encoding="utf-8")


def _xlsx_value(value: Any, name: str, column: str) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > XLSX_CELL_LIMIT:
            msg = (
                f"table {name!r} column {column!r} has a value of {len(value):,} characters, "
                f"more than an Excel cell holds ({XLSX_CELL_LIMIT:,}); export to .gpkg, "
                ".parquet or .csv instead"
            )
            raise OutputError(msg)
    return value


def _write_xlsx(prepared: Prepared, tmp: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for name, (data, geometry) in prepared.items():
        sheet = book.create_sheet(title=name)
        frame = _with_wkt(data, geometry)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            cells = []
            for column, raw in zip(frame.columns, row):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(raw, name, column))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, even when it starts with "="
                cells.append(cell)
            sheet.append(cells)
    # the workbook is zipped in memory, then written in one go: openpyxl writing to a
    # full disk leaves a half-closed zip whose clean-up prints a traceback later
    buffer = io.BytesIO()
    book.save(buffer)
    tmp.write_bytes(buffer.getvalue())


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value if isinstance(value, str | int | float | bool) else str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    # floats keep every digit (json writes their shortest exact repr)
    columns = [str(c) for c in frame.columns]
    return [
        dict(zip(columns, map(_json_value, row)))
        for row in frame.itertuples(index=False, name=None)
    ]


def _write_json(prepared: Prepared, tmp: Path) -> None:
    # one table: a list of records; several: an object of them keyed by table name
    tables = {
        name: _records(_with_wkt(data, geometry)) for name, (data, geometry) in prepared.items()
    }
    payload = next(iter(tables.values())) if len(tables) == 1 else tables
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


#: Format extension -> the function that writes prepared tables in that format.
WRITERS: dict[str, Callable[[Prepared, Path], None]] = {
    ".gpkg": _write_gpkg,
    ".geojson": _write_geojson,
    ".parquet": _write_parquet,
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
    ".json": _write_json,
}
