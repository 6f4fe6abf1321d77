"""Write a geodata folder scaled up to N links, for timing validation at scale.

Every shipped rail and road link that stays in one country and is drawn along a line is cut
into ``k`` pieces of equal length along its drawn shape, through ``k - 1`` new junction
nodes on that line (a link whose line or pieces leave its country is not cut: its
junctions or pieces would lie outside it); the first piece keeps the link's id (so rates
and sections still name it), the others get ``ID-pI``. Each piece carries ``1 / k`` of the
link's length, or its geodesic length where that is longer (a short piece of a nearly
straight link), and its part of the shape, so the folder validates without a problem, as
the shipped one does, and exercises the shape checks at scale. Other links are copied
whole. Run ``python -m benchmarks.big_geodata OUT 1000000`` and then
``corridors data validate --geodata OUT``.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Geod

from corridors.data.checks.base import MAX_LAND_RATIO, SHORT_LINK_SLACK_KM
from corridors.data.locate import geodata_dir

GEOD = Geod(ellps="WGS84")


def _cut(points: list[list[float]], k: int) -> list[list[list[float]]]:
    """Cut a polyline into ``k`` pieces of equal geodesic length (cut points rounded)."""
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    _, _, step = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    along = np.concatenate([[0.0], np.cumsum(step)])
    marks = along[-1] * np.arange(1, k) / k
    seg = np.clip(np.searchsorted(along, marks, side="right") - 1, 0, len(step) - 1)
    t = np.where(step[seg] > 0, (marks - along[seg]) / np.where(step[seg] > 0, step[seg], 1), 0)
    cut_lon = np.round(lon[seg] + (lon[seg + 1] - lon[seg]) * t, 6)
    cut_lat = np.round(lat[seg] + (lat[seg + 1] - lat[seg]) * t, 6)
    pieces: list[list[list[float]]] = []
    start, first = [float(lon[0]), float(lat[0])], 1
    for i in range(k - 1):
        end = [float(cut_lon[i]), float(cut_lat[i])]
        inner = [[float(lon[j]), float(lat[j])] for j in range(first, int(seg[i]) + 1)]
        pieces.append([start, *inner, end])
        start, first = end, int(seg[i]) + 1
    pieces.append([start, *[[float(lon[j]), float(lat[j])] for j in range(first, len(lon))]])
    return pieces


def country_polygons(folder: Path) -> dict[str, Any]:
    """Each country's polygon of ``countries.geojson``, by ISO code."""
    import shapely
    from shapely.geometry import shape

    doc = json.loads((folder / "countries.geojson").read_text("utf-8"))
    out = {}
    for feature in doc["features"]:
        geom = shape(feature["geometry"])
        shapely.prepare(geom)
        out[feature["properties"]["iso2"]] = geom
    return out


def _inside(polygon: Any, points: list[list[float]]) -> bool:
    """Whether every point of a drawn line lies in its country (so do its cut points)."""
    import shapely

    if polygon is None:
        return False
    xy = np.asarray(points, dtype=np.float64)
    return bool(shapely.contains_xy(polygon, xy[:, 0], xy[:, 1]).all())


def _dense(points: list[list[float]], steps: int = 8) -> list[list[float]]:
    """A line's points with ``steps - 1`` more along each of its segments."""
    xy = np.asarray(points, dtype=np.float64)
    t = np.arange(steps)[:, None, None] / steps
    inner = xy[:-1][None] + (xy[1:] - xy[:-1])[None] * t
    return [*inner.reshape(-1, 2).tolist(), points[-1]]


def write(out: Path, target_links: int) -> int:
    """Write the scaled folder to ``out``; return the number of links written."""
    shipped = geodata_dir(None)
    shutil.copytree(shipped, out)
    shapes_doc = json.loads((shipped / "geometry" / "links.geojson").read_text("utf-8"))
    shapes = {f["properties"]["id"]: f for f in shapes_doc["features"]}
    with (shipped / "nodes.csv").open(encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with (shipped / "links.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        link_fields = list(reader.fieldnames or [])
        links = list(reader)
    where = {n["id"]: n for n in nodes}
    polygons = country_polygons(shipped)

    def splittable(link: dict[str, str]) -> bool:
        a, b = where[link["u"]], where[link["v"]]
        return (
            link["mode"] in ("rail", "road")
            and a["country"] == b["country"]
            and link["id"] in shapes
            and _inside(polygons.get(a["country"]), shapes[link["id"]]["geometry"]["coordinates"])
        )

    def cut(link: dict[str, str], k: int) -> list[list[list[float]]]:
        """The link's pieces, or none where it is not split.

        A link is left whole where a piece would leave its country, or would wind so much
        that its share of the length is more than the validator allows over its ends'
        geodesic (a short piece of a winding line).
        """
        if not splittable(link):
            return []
        pieces = _cut(shapes[link["id"]]["geometry"]["coordinates"], k)
        polygon = polygons.get(where[link["u"]]["country"])
        ends = np.array([[*p[0], *p[-1]] for p in pieces])
        geo = np.asarray(GEOD.inv(ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3])[2]) / 1000
        share = float(link["length_km"]) / k
        if np.any(share > MAX_LAND_RATIO * geo + SHORT_LINK_SLACK_KM):
            return []
        return pieces if all(_inside(polygon, _dense(p)) for p in pieces) else []

    def pieces_for(n_split: int) -> int:
        return max(1, math.ceil((target_links - (len(links) - n_split)) / max(1, n_split)))

    # which links may be split depends a little on the number of pieces: settle both
    k_split = pieces_for(sum(map(splittable, links)))
    for _ in range(3):
        k_next = pieces_for(sum(bool(cut(link, k_split)) for link in links))
        if k_next == k_split:
            break
        k_split = k_next
    node_fields = list(nodes[0])
    features: list[dict[str, Any]] = []
    written = 0
    with (
        (out / "nodes.csv").open("w", encoding="utf-8", newline="") as nf,
        (out / "links.csv").open("w", encoding="utf-8", newline="") as lf,
    ):
        node_out = csv.DictWriter(nf, node_fields)
        link_out = csv.DictWriter(lf, link_fields)
        node_out.writeheader()
        link_out.writeheader()
        node_out.writerows(nodes)
        for number, link in enumerate(links):
            pieces = cut(link, k_split)
            if not pieces:
                link_out.writerow(link)
                if link["id"] in shapes:
                    features.append(shapes[link["id"]])
                written += 1
                continue
            a = where[link["u"]]
            shape = shapes[link["id"]]
            ends = [link["u"]]
            for i, piece_line in enumerate(pieces[:-1], start=1):
                node_id = f"{a['country'].lower()}-syn{number}-{i}"
                lon, lat = piece_line[-1]
                node_out.writerow(
                    {
                        **dict.fromkeys(node_fields, ""),
                        "id": node_id,
                        "name": node_id,
                        "kind": "junction",
                        "country": a["country"],
                        "lon": f"{lon:.6f}",
                        "lat": f"{lat:.6f}",
                        "coord_ref": "interpolated",
                        "source_id": a["source_id"],
                    }
                )
                ends.append(node_id)
            ends.append(link["v"])
            for i, piece_line in enumerate(pieces):
                piece = dict(link)
                piece["id"] = link["id"] if i == 0 else f"{link['id']}-p{i}"
                piece["u"], piece["v"] = ends[i], ends[i + 1]
                (u_lon, u_lat), (v_lon, v_lat) = piece_line[0], piece_line[-1]
                floor = GEOD.inv(u_lon, u_lat, v_lon, v_lat)[2] / 1000 * 1.0001
                for column in ("length_km", "length_km_low", "length_km_high"):
                    if link[column]:
                        share = float(link[column]) / k_split
                        piece[column] = f"{max(share, floor):.9g}"
                link_out.writerow(piece)
                features.append(
                    {
                        "type": "Feature",
                        "properties": {**shape["properties"], "id": piece["id"]},
                        "geometry": {"type": "LineString", "coordinates": piece_line},
                    }
                )
                written += 1
    doc = {"type": "FeatureCollection", "features": features}
    (out / "geometry" / "links.geojson").write_text(json.dumps(doc), encoding="utf-8")
    return written


if __name__ == "__main__":
    print(write(Path(sys.argv[1]), int(sys.argv[2])))
