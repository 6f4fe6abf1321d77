"""The drawn-line checks as they were, one feature at a time, kept to check the new ones against."""

from __future__ import annotations

import itertools
from typing import Any

from corridors.data.checks.base import (
    GEOMETRY_END_KM,
    SHAPE_LENGTH_TOLERANCE,
    SHAPE_OUTSIDE_SHARE,
    QuotedLines,
    cell_text,
    fmt,
    geodesic_km,
    like,
    num,
)
from corridors.data.geodata import line_points
from corridors.data.validation import GeodataChecker


class ReferenceChecker(GeodataChecker):
    """The checker with the drawn-line checks of before: a Python loop over the features."""

    def check_geometry(self) -> None:
        """Check that each link geometry feature names a known link and is a valid LineString."""
        path = self.data.folder / "geometry" / "links.geojson"
        file = "geometry/links.geojson"
        if not path.is_file():
            return
        doc = self.read_geojson(path, file)
        if doc is None:
            return
        lines = QuotedLines(path.read_text(encoding="utf-8"))
        for feature in doc["features"]:
            props = feature.get("properties") if isinstance(feature, dict) else None
            props = props if isinstance(props, dict) else {}
            lid = str(props.get("id") or "")
            line = lines.line(lid) if lid else 0
            if not lid:
                self.add("geometry", file, line, "feature without `id`; give it its link id")
                continue
            if lid not in self.links:
                self.add(
                    "geometry",
                    file,
                    line,
                    f"feature {lid!r} is not a link id in links.csv{like(lid, self.links)}",
                )
                continue
            points = line_points(feature.get("geometry"))
            if points is None:
                self.add(
                    "schema",
                    file,
                    line,
                    f"feature {lid!r}: geometry must be a LineString of at least two "
                    "[lon, lat] positions of finite numbers",
                )
                continue
            coords = [list(p) for p in points]
            self.check_geometry_ends(file, line, lid, coords)
            if cell_text(self.links[lid]["mode"]) in ("rail", "road"):
                self.check_shape_length(file, line, lid, coords)
                self.check_shape_countries(file, line, lid, coords)

    def check_shape_length(self, file: str, line: int, lid: str, coords: list[Any]) -> None:
        """Check that a rail or road link's drawn line agrees with its stated length."""
        stated = num(self.links[lid]["length_km"])
        if stated is None or stated <= 0:
            return  # reported by check_links
        drawn = sum(
            geodesic_km(float(p[0]), float(p[1]), float(q[0]), float(q[1]))
            for p, q in itertools.pairwise(coords)
        )
        if abs(drawn / stated - 1.0) <= SHAPE_LENGTH_TOLERANCE:
            return
        self.add(
            "geometry",
            file,
            line,
            f"feature {lid!r} is drawn {drawn:.0f} km long but links.csv says {fmt(stated)} km; "
            f"a drawn line must agree with the length within {SHAPE_LENGTH_TOLERANCE:.0%} — "
            "the line follows another track or road, or the length is wrong",
        )

    def check_shape_countries(  # type: ignore[override]
        self, file: str, line: int, lid: str, coords: list[Any]
    ) -> None:
        """Check that a drawn rail or road line stays within the countries of its two ends."""
        if self.countries is None:
            return
        from shapely.geometry import LineString

        ends = tuple(sorted({self.country_of(cell_text(self.links[lid][e])) for e in "uv"}))
        if not all(iso in self.countries.geoms for iso in ends):
            return  # reported by check_node_countries
        area = self.grown_countries(ends)
        drawn = LineString([(float(p[0]), float(p[1])) for p in coords])
        if drawn.length == 0:
            return
        if area.contains(drawn):
            return  # nothing outside: the exact share below would be 0
        share = drawn.difference(area).length / drawn.length
        if share <= SHAPE_OUTSIDE_SHARE:
            return
        self.add(
            "geometry",
            file,
            line,
            f"feature {lid!r} runs {share:.0%} of its length outside {', '.join(ends)} (the "
            f"countries of its ends; at most {SHAPE_OUTSIDE_SHARE:.0%} allowed); split the link "
            "where it crosses into another country, or redraw it",
        )

    def check_geometry_ends(  # type: ignore[override]
        self, file: str, line: int, lid: str, coords: list[Any]
    ) -> None:
        """Check that a link geometry starts near the link's u node and ends near its v node."""
        link = self.links[lid]
        a, b = self.coords(cell_text(link["u"])), self.coords(cell_text(link["v"]))
        if a is None or b is None:
            return
        first, last = coords[0], coords[-1]
        ahead = max(geodesic_km(*a, first[0], first[1]), geodesic_km(*b, last[0], last[1]))
        if ahead <= GEOMETRY_END_KM:
            return
        behind = max(geodesic_km(*a, last[0], last[1]), geodesic_km(*b, first[0], first[1]))
        if behind <= GEOMETRY_END_KM:
            self.add(
                "geometry",
                file,
                line,
                f"feature {lid!r} runs from v to u; reverse its coordinates so it starts at "
                f"{link['u']}",
            )
        else:
            self.add(
                "geometry",
                file,
                line,
                f"feature {lid!r} ends {ahead:.0f} km from its link's nodes; its ends must lie "
                f"within {fmt(GEOMETRY_END_KM)} km of u ({link['u']}) and v ({link['v']})",
            )
