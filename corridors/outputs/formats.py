"""Every output file format, listed once: its extension, its name and what it holds.

Each kind of object accepts its own subset, given below as an ordered tuple of extensions;
a path whose extension is not in the subset fails with the list the object can take.

To add a format: add it to :data:`FORMATS`, add its extension to the subsets that can be
written as it, and give it a writer (a table writer in
:data:`corridors.outputs.table_files.WRITERS`, or a figure format matplotlib saves).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from corridors.errors import OutputError

FormatKind = Literal["table", "map", "figure"]


@dataclass(frozen=True)
class Format:
    """One output file format.

    Attributes
    ----------
    suffix
        The file extension, lower case with its dot.
    name
        What users call the format.
    kind
        ``table`` (named tables, written by :mod:`corridors.outputs.table_files`), ``map``
        (a self-contained interactive page) or ``figure`` (a matplotlib figure).
    multi_table
        Whether one file holds several tables (layers, sheets or keys).
    """

    suffix: str
    name: str
    kind: FormatKind
    multi_table: bool = False


FORMATS: dict[str, Format] = {
    f.suffix: f
    for f in (
        Format(".gpkg", "GeoPackage", "table", multi_table=True),
        Format(".geojson", "GeoJSON", "table"),
        Format(".parquet", "GeoParquet", "table"),
        Format(".csv", "CSV", "table"),
        Format(".xlsx", "XLSX", "table", multi_table=True),
        Format(".json", "JSON", "table", multi_table=True),
        Format(".html", "HTML", "map"),
        Format(".png", "PNG", "figure"),
        Format(".svg", "SVG", "figure"),
        Format(".pdf", "PDF", "figure"),
    )
}

#: Extensions a table (network, routes, comparisons, scenario results) can be written as.
TABLE_FORMATS = tuple(s for s, f in FORMATS.items() if f.kind == "table")
#: Extensions a chart or a static map can be saved as.
FIGURE_FORMATS = tuple(s for s, f in FORMATS.items() if f.kind == "figure")
#: Extensions a map can be written as: the interactive page or a static figure.
MAP_FORMATS = (*(s for s, f in FORMATS.items() if f.kind == "map"), *FIGURE_FORMATS)
#: Extensions a sweep or a Monte Carlo run can be written as: its table or its chart.
RESULT_FORMATS = (*TABLE_FORMATS, *FIGURE_FORMATS)
#: Extensions a report can be written as: a self-contained page, or that page printed.
REPORT_FORMATS = (".html", ".pdf")
#: Extensions that hold several tables in one file.
MULTI_TABLE = tuple(s for s, f in FORMATS.items() if f.multi_table)


def pick(path: str | os.PathLike[str], accepted: Sequence[str], what: str) -> Format:
    """Return the format a path's extension names, if ``what`` can be written as it.

    Parameters
    ----------
    path
        The output path.
    accepted
        The extensions the object can be written as, in the order to list them.
    what
        What is being written, for the message (``export``, ``map``, ``table``...).

    Raises
    ------
    OutputError
        If the extension is unknown or not among ``accepted``; the message lists those.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in accepted:
        if suffix in FORMATS:
            article = "an" if what[:1].lower() in "aeiou" else "a"
            why = f"{article} {what} cannot be written as {FORMATS[suffix].name}"
        else:
            why = f"unknown {what} format {suffix or '(no extension)'!r}"
        msg = f"cannot write {path}: {why}; use one of {', '.join(accepted)}"
        raise OutputError(msg)
    return FORMATS[suffix]
