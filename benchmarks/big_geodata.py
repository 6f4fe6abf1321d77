"""Write a geodata folder scaled up to N links, for timing validation at scale.

Every shipped link is cut into ``k`` pieces through ``k - 1`` new junction nodes placed
along the straight line between its ends; the first piece keeps the link's id (so rates
and sections still name it), the others get ``ID-pI``; each piece carries ``1 / k`` of the
length. The link geometry file is dropped (its shapes would no longer end at the link's
nodes). Run ``python -m benchmarks.big_geodata OUT 1000000`` and then
``corridors data validate --geodata OUT``.
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

from corridors.data.locate import geodata_dir


def write(out: Path, target_links: int) -> int:
    """Write the scaled folder to ``out``; return the number of links written."""
    shipped = geodata_dir(None)
    shutil.copytree(shipped, out)
    (out / "geometry" / "links.geojson").unlink(missing_ok=True)
    with (shipped / "nodes.csv").open(encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with (shipped / "links.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        link_fields = list(reader.fieldnames or [])
        links = list(reader)
    k = max(1, round(target_links / len(links)))
    where = {n["id"]: n for n in nodes}
    node_fields = list(nodes[0])
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
            a, b = where[link["u"]], where[link["v"]]
            ends = [link["u"]]
            for i in range(1, k):
                t = i / k
                country = a["country"] if t < 0.5 else b["country"]
                node_id = f"{country.lower()}-syn{number}-{i}"
                lon = float(a["lon"]) + (float(b["lon"]) - float(a["lon"])) * t
                lat = float(a["lat"]) + (float(b["lat"]) - float(a["lat"])) * t
                node_out.writerow(
                    {
                        **dict.fromkeys(node_fields, ""),
                        "id": node_id,
                        "name": node_id,
                        "kind": "junction",
                        "country": country,
                        "lon": f"{lon:.5f}",
                        "lat": f"{lat:.5f}",
                        "coord_ref": "interpolated",
                        "source_id": a["source_id"],
                    }
                )
                ends.append(node_id)
            ends.append(link["v"])
            for i in range(k):
                piece = dict(link)
                piece["id"] = link["id"] if i == 0 else f"{link['id']}-p{i}"
                piece["u"], piece["v"] = ends[i], ends[i + 1]
                for column in ("length_km", "length_km_low", "length_km_high"):
                    if link[column]:
                        piece[column] = f"{float(link[column]) / k:.6g}"
                link_out.writerow(piece)
                written += 1
    return written


if __name__ == "__main__":
    print(write(Path(sys.argv[1]), int(sys.argv[2])))
