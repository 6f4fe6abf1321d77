"""Checks 4-6, 8 and 9: countries, lengths, gauges, orphan nodes, the closed Caspian."""

from __future__ import annotations

import itertools
from typing import Any

from corridors.data.checks.base import (
    BORDER_TOLERANCE_KM,
    CASPIAN_LAT,
    CASPIAN_LON,
    GEOMETRY_END_KM,
    ISO2_CODE,
    MAX_LAND_RATIO,
    MIN_LENGTH_RATIO,
    PORT_TOLERANCE_KM,
    REGION_LAT,
    REGION_LON,
    SHAPE_BORDER_SLACK_DEG,
    SHAPE_LENGTH_TOLERANCE,
    SHAPE_OUTSIDE_SHARE,
    SHORT_LINK_SLACK_KM,
    Base,
    QuotedLines,
    cell_text,
    choices,
    fmt,
    geodesic_km,
    in_box,
    like,
    num,
)
from corridors.data.geodata import line_points
from corridors.data.vocabulary import GAUGES, MODES, is_water


class GeographyChecks(Base):
    """Checks 4-6, 8 and 9: countries, lengths, gauges, orphan nodes, the closed Caspian."""

    # -- 4. countries

    def check_node_countries(self) -> None:
        """Check that every node lies within tolerance of its country's polygon."""
        if self.countries is None:
            return
        file = "nodes.csv"
        for row in self.rows["nodes"]:
            node, country = cell_text(row["id"]), cell_text(row["country"])
            lon, lat = num(row["lon"]), num(row["lat"])
            if lon is None or lat is None or not in_box(lon, lat, REGION_LON, REGION_LAT):
                continue  # reported by check_nodes
            if not ISO2_CODE.match(country):
                continue
            if country not in self.countries.geoms:
                self.add(
                    "countries",
                    file,
                    row["_line"],
                    f"{node}: country {country} has no polygon in countries.geojson; add the "
                    f"Natural Earth polygon of {country} (property `iso2`)",
                )
                continue
            port = cell_text(row["kind"]) == "port"
            tolerance = PORT_TOLERANCE_KM if port else BORDER_TOLERANCE_KM
            off = self.countries.outside_km(country, lon, lat)
            if off <= tolerance:
                continue
            if not self.countries.covers(lon, lat) and not self.swap_hint(row, lon, lat):
                x0, y0, x1, y1 = (round(b, 1) for b in self.countries.bounds)
                self.add(
                    "countries",
                    file,
                    row["_line"],
                    f"{node} (lon {fmt(lon)}, lat {fmt(lat)}) lies outside the area "
                    f"countries.geojson covers (lon {fmt(x0)}…{fmt(x1)}, lat {fmt(y0)}…"
                    f"{fmt(y1)}); countries.geojson must cover every node: add {country}'s "
                    "polygon without clipping it",
                )
                continue
            inside = self.countries.containing(lon, lat)
            where = f", inside {inside}" if inside else ""
            self.add(
                "countries",
                file,
                row["_line"],
                f"{node} (lon {fmt(lon)}, lat {fmt(lat)}) is {off:.1f} km outside {country}"
                f"{where}; a node must lie within {fmt(tolerance)} km of its country's polygon "
                f"({'ports' if port else 'non-port nodes'}; {fmt(PORT_TOLERANCE_KM)} km for "
                f"ports, {fmt(BORDER_TOLERANCE_KM)} km otherwise) — check the coordinates "
                f"and `country`" + self.swap_hint(row, lon, lat),
            )

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

    def check_shape_countries(self, file: str, line: int, lid: str, coords: list[Any]) -> None:
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

    def grown_countries(self, isos: tuple[str, ...]) -> Any:
        """Return the union of the countries' polygons grown by the border slack (cached)."""
        from shapely.ops import unary_union

        cache: dict[tuple[str, ...], Any] = self.__dict__.setdefault("_grown", {})
        if isos not in cache:
            assert self.countries is not None
            import shapely

            grown = unary_union(
                [self.countries.geoms[i].buffer(SHAPE_BORDER_SLACK_DEG) for i in isos]
            )
            # prepared once: most lines lie inside, which a prepared test finds at once
            shapely.prepare(grown)
            cache[isos] = grown
        return cache[isos]

    def check_geometry_ends(self, file: str, line: int, lid: str, coords: list[Any]) -> None:
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

    # -- 5. lengths

    def check_lengths(self) -> None:
        """Check link lengths against the geodesic distance between their ends."""
        for row in self.rows["links"]:
            mode = cell_text(row["mode"])
            length = num(row["length_km"])
            a, b = self.coords(cell_text(row["u"])), self.coords(cell_text(row["v"]))
            if mode not in MODES or length is None or length <= 0 or a is None or b is None:
                continue
            geo = geodesic_km(*a, *b)
            ends = f"{row['u']} and {row['v']}"
            if length < geo * MIN_LENGTH_RATIO:
                self.add(
                    "lengths",
                    "links.csv",
                    row["_line"],
                    f"length_km {fmt(length)} is shorter than the {geo:.1f} km geodesic "
                    f"distance between {ends}; lengths must be ≥ the straight-line distance "
                    "(check the length and the two nodes' coordinates)",
                )
            elif mode in ("rail", "road") and length > MAX_LAND_RATIO * geo + SHORT_LINK_SLACK_KM:
                limit = MAX_LAND_RATIO * geo + SHORT_LINK_SLACK_KM
                self.add(
                    "lengths",
                    "links.csv",
                    row["_line"],
                    f"length_km {fmt(length)} is more than {fmt(MAX_LAND_RATIO)} × the "
                    f"{geo:.1f} km geodesic distance between {ends} (+ {fmt(SHORT_LINK_SLACK_KM)}"
                    f" km = {limit:.1f} km); a {mode} link that long should be split at the "
                    "places it passes, or its length or a node is wrong",
                )
            method = cell_text(row["length_method"])
            if method.startswith("geodesic_factor:"):
                try:
                    factor = float(method.partition(":")[2])
                except ValueError:
                    continue
                expect = geo * factor
                if abs(length - expect) > max(1.0, 0.02 * expect):
                    self.add(
                        "lengths",
                        "links.csv",
                        row["_line"],
                        f"length_km {fmt(length)} does not match its length_method {method} "
                        f"(geodesic {geo:.1f} km × {fmt(factor)} = {expect:.1f} km); "
                        "recompute it or change length_method",
                    )

    # -- 6. gauges

    def check_gauges(self) -> None:
        """Check rail gauges, and that nodes where gauges meet have a gauge_break friction."""
        meeting: dict[str, dict[int, list[str]]] = {}
        for row in self.rows["links"]:
            if cell_text(row["mode"]) != "rail":
                continue
            gauge = num(row["gauge_mm"])
            if gauge is None:
                self.add(
                    "gauges",
                    "links.csv",
                    row["_line"],
                    f"rail link {row['id']} has no gauge_mm; set one of {choices(GAUGES)}",
                )
                continue
            if cell_text(row["status"]) == "closed":
                continue
            for end in (cell_text(row["u"]), cell_text(row["v"])):
                meeting.setdefault(end, {}).setdefault(int(gauge), []).append(cell_text(row["id"]))
        breaks = {
            cell_text(r["node"])
            for r in self.rows["frictions"]
            if cell_text(r["kind"]) == "gauge_break"
        }
        for node, by_gauge in sorted(meeting.items()):
            if len(by_gauge) < 2 or node in breaks or node not in self.nodes:
                continue
            detail = "; ".join(f"{g} mm: {', '.join(ids)}" for g, ids in sorted(by_gauge.items()))
            self.add(
                "gauges",
                "nodes.csv",
                self.nodes[node]["_line"],
                f"{node} joins rail gauges {' and '.join(str(g) for g in sorted(by_gauge))} "
                f"({detail}) but frictions.csv has no gauge_break row for {node}; add one "
                "with its bogie-exchange or transshipment time and fee (the `*` row is only "
                "a fallback)",
            )
        for row in self.rows["frictions"]:
            node = cell_text(row["node"])
            kind = cell_text(row["kind"])
            if kind == "gauge_break" and node in self.nodes and len(meeting.get(node, {})) < 2:
                self.warn(
                    "frictions.csv",
                    row["_line"],
                    f"gauge_break row {row['id']} is at {node}, where rail links of only "
                    "one gauge meet, so no route ever pays it",
                )

    # -- 8. orphans

    def check_orphans(self) -> None:
        """Report every node that is not an end of any link."""
        ends = {cell_text(r[c]) for r in self.rows["links"] for c in ("u", "v")}
        for node, row in self.nodes.items():
            if node not in ends:
                self.add(
                    "orphans",
                    "nodes.csv",
                    row["_line"],
                    f"node {node} is on no link; connect it with a link in links.csv or remove it",
                )

    # -- 9. Caspian

    def is_caspian(self, node: str) -> bool:
        """Return True if the node has valid coordinates inside the Caspian box."""
        xy = self.coords(node)
        return xy is not None and in_box(*xy, CASPIAN_LON, CASPIAN_LAT)

    def check_caspian(self) -> None:
        """Check that no ferry or sea link joins a Caspian port to a node off the Caspian."""
        for row in self.rows["links"]:
            mode = cell_text(row["mode"])
            if not is_water(mode):
                continue
            u, v = cell_text(row["u"]), cell_text(row["v"])
            if self.coords(u) is None or self.coords(v) is None:
                continue
            inner = [n for n in (u, v) if self.is_caspian(n)]
            if len(inner) == 1:
                outer = v if inner[0] == u else u
                self.add(
                    "caspian",
                    "links.csv",
                    row["_line"],
                    f"{mode} link joins the Caspian port {inner[0]} to {outer}, which is not on "
                    "the Caspian (a closed sea: Caspian ports lie in lon 46–56 E, lat 36–48 N); "
                    f"{mode} links from a Caspian port must end at another Caspian port",
                )
