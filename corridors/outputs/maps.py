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

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from corridors.outputs.atomic import check_writable, write_with
from corridors.outputs.formats import MAP_FORMATS

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route

    RouteInput = Route | Comparison | Iterable[Route] | None

__all__ = [
    "ATTRIBUTION",
    "FORMATS",
    "MAP_FORMATS",
    "ROUTE_COLOURS",
    "interactive",
    "static",
    "write_map",
]

from corridors.outputs.map_html import (
    interactive,
)
from corridors.outputs.map_static import (
    map_format,
    save_figure,
    static,
)
from corridors.outputs.map_style import (
    ATTRIBUTION,
    ROUTE_COLOURS,
)

#: File extensions :func:`write_map` writes (see ``corridors.outputs.formats``).
FORMATS = MAP_FORMATS


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
    suffix = map_format(path)
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
    return write_with(path, lambda tmp: save_figure(fig, tmp, suffix), force=force)
