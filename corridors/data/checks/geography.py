"""Checks 4-6, 8 and 9: countries, lengths, gauges, orphan nodes, the closed Caspian."""

from __future__ import annotations

import math
from typing import Any

from corridors.data.checks import feature_scan
from corridors.data.checks.base import (
    BORDER_TOLERANCE_KM,
    CASPIAN_LAT,
    CASPIAN_LON,
    DETOUR_MIN_KM,
    DETOUR_RATIO,
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
    among,
    cell_text,
    choices,
    fmt,
    geodesic_km,
    geodesic_km_array,
    in_box,
    like,
    num,
    plural,
)
from corridors.data.checks.feature_scan import FeatureScan
from corridors.data.checks.scan_ahead import ScanAhead
from corridors.data.vocabulary import GAUGES, MODES, is_water


def point_rows(starts: Any, sizes: Any) -> Any:
    """Return the rows of some lines' points in flat coordinate arrays, line after line.

    ``starts`` and ``sizes`` are each line's first row and number of points.
    """
    import numpy as np

    # a line's rows are its start plus 0, 1, ... along it
    rows = np.repeat(np.asarray(starts) - (np.cumsum(sizes) - sizes), sizes)
    return rows + np.arange(len(rows))


class GeographyChecks(Base):
    """Checks 4-6, 8 and 9: countries, lengths, gauges, orphan nodes, the closed Caspian."""

    #: ``geometry/links.geojson`` being read in a second process, if it is (see scan_ahead)
    ahead: ScanAhead | None = None

    # -- 4. countries

    def check_node_countries(self) -> None:
        """Check that every node lies within tolerance of its country's polygon."""
        if self.countries is None:
            return
        file = "nodes.csv"
        for row in self.rows_where("nodes", self.nodes_outside()):
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

    def nodes_outside(self) -> Any:
        """Return the nodes not inside their own country's polygon (a bool per row).

        Only these can be reported by :meth:`check_node_countries`; a node inside lies 0 km
        from its country. Each country's nodes are tested at once.
        """
        import numpy as np
        import shapely

        assert self.countries is not None
        rows = self.rows["nodes"]
        lon, lat = rows.numbers("lon"), rows.numbers("lat")
        outside = np.ones(len(lon), dtype=bool)
        groups: dict[str, list[int]] = {}
        for i, country in enumerate(rows.texts("country")):
            groups.setdefault(country, []).append(i)
        for country, members in groups.items():
            geom = self.countries.geoms.get(country)
            if geom is None:
                continue
            shapely.prepare(geom)
            at = np.asarray(members, dtype=np.int64)
            outside[at[shapely.contains_xy(geom, lon[at], lat[at])]] = False
        return outside

    def check_geometry(self) -> None:
        """Check that each link geometry feature names a known link and is a valid LineString.

        The features are read one at a time into flat coordinate arrays
        (:func:`~corridors.data.checks.feature_scan.scan_features`); the checks on the
        drawn lines (their ends, their length, the countries they cross) then run on all of
        them at once (:meth:`check_drawn_lines`).
        """
        path = self.data.folder / "geometry" / "links.geojson"
        file = "geometry/links.geojson"
        if not path.is_file():
            return
        ahead = self.ahead
        if ahead is not None and ahead.path == path:
            scan = ahead.scan()
        else:
            scan = feature_scan.scan_features(path)
        if scan is None:
            # not a plain FeatureCollection: read whole, its problem is worded as for any file
            doc = self.read_geojson(path, file)
            if doc is None:
                return
            scan = feature_scan.scan_whole(doc["features"], path.read_text(encoding="utf-8"))
            del doc
        self.take_features(file, scan)

    def take_features(self, file: str, scan: FeatureScan) -> None:
        """Report the features that are not a known link's line, and check the others."""
        import numpy as np

        if scan.problems is not None:
            for check, line, message in scan.problems:
                self.add(check, file, line, message)
            return
        links = self.links
        ids = scan.ids
        drawn = scan.kinds.count(feature_scan.DRAWN)
        count = np.frombuffer(scan.count, dtype=np.int64) if drawn else np.zeros(0, np.int64)
        x = np.frombuffer(scan.x, dtype=np.float64) if len(scan.x) else np.zeros(0)
        y = np.frombuffer(scan.y, dtype=np.float64) if len(scan.y) else np.zeros(0)
        lines = scan.lines.tolist()
        if drawn == len(ids) and all(map(links.__contains__, ids)):
            kept: dict[str, Any] = {"ids": ids, "lines": lines, "count": count, "x": x, "y": y}
            if scan.seg is not None:
                kept["seg"] = scan.seg
        else:
            keep: list[int] = []  # the positions of the kept lines among the drawn ones
            at = 0
            for lid, line, kind in zip(ids, lines, scan.kinds):
                if kind == feature_scan.NO_ID:
                    self.add("geometry", file, line, "feature without `id`; give it its link id")
                elif lid not in links:
                    message = f"feature {lid!r} is not a link id in links.csv{like(lid, links)}"
                    self.add("geometry", file, line, message)
                elif kind == feature_scan.NOT_A_LINE:
                    message = (
                        f"feature {lid!r}: geometry must be a LineString of at least two "
                        "[lon, lat] positions of finite numbers"
                    )
                    self.add("schema", file, line, message)
                else:
                    keep.append(at)
                at += kind == feature_scan.DRAWN
            chosen = np.asarray(keep, dtype=np.int64)
            starts = np.cumsum(count) - count
            sizes = count[chosen]
            points = point_rows(starts[chosen], sizes)
            where = [i for i, kind in enumerate(scan.kinds) if kind == feature_scan.DRAWN]
            kept = {
                "ids": [ids[where[k]] for k in keep],
                "lines": [lines[where[k]] for k in keep],
                "count": sizes,
                "x": x[points],
                "y": y[points],
            }
        kept["start"] = np.cumsum(kept["count"]) - kept["count"]
        self.check_drawn_lines(file, kept)

    def check_drawn_lines(self, file: str, drawn: dict[str, Any]) -> None:
        """Check every drawn line's ends, and a rail or road line's length and countries."""
        import numpy as np

        ids: list[str] = drawn["ids"]
        if not ids:
            return
        first = self.links.first
        drawn["at"] = np.fromiter((first[lid] for lid in ids), dtype=np.int64, count=len(ids))
        self.check_geometry_ends(file, drawn)
        modes = self.rows["links"].texts("mode")
        land = np.array([modes[i] in ("rail", "road") for i in drawn["at"].tolist()], dtype=bool)
        self.check_shape_lengths(file, drawn, land)
        self.check_shape_countries(file, drawn, land)

    def check_shape_lengths(self, file: str, drawn: dict[str, Any], land: Any) -> None:
        """Check that a rail or road link's drawn line agrees with its stated length."""
        import numpy as np

        x, y, start, count = drawn["x"], drawn["y"], drawn["start"], drawn["count"]
        seg = drawn.get("seg")
        if seg is None:  # not measured ahead (see scan_ahead)
            seg = geodesic_km_array(x[:-1], y[:-1], x[1:], y[1:])
        # each line's segments summed one after another from its first, as a plain sum: the
        # k-th segments of all lines with more than k are added in one step, the longest
        # lines first so that those are a leading slice
        order = np.argsort(-count, kind="stable")
        segments, first = count[order] - 1, start[order]
        running = np.zeros(len(count), dtype=np.float64)
        for k in range(int(segments[0])):
            m = int(np.searchsorted(-segments, -k, side="left"))
            running[:m] = running[:m] + seg[first[:m] + k]
        total = np.empty_like(running)
        total[order] = running
        lengths = self.rows["links"].numbers("length_km")[drawn["at"]]
        for i in np.flatnonzero(land).tolist():
            lid, line = drawn["ids"][i], drawn["lines"][i]
            stated = float(lengths[i])
            if not stated > 0:
                continue  # no number, or reported by check_links
            length = float(total[i])
            if abs(length / stated - 1.0) <= SHAPE_LENGTH_TOLERANCE:
                continue
            self.add(
                "geometry",
                file,
                line,
                f"feature {lid!r} is drawn {length:.0f} km long but links.csv says "
                f"{fmt(stated)} km; a drawn line must agree with the length within "
                f"{SHAPE_LENGTH_TOLERANCE:.0%} — the line follows another track or road, or "
                "the length is wrong",
            )

    def check_shape_countries(self, file: str, drawn: dict[str, Any], land: Any) -> None:
        """Check that a drawn rail or road line stays within the countries of its two ends."""
        if self.countries is None:
            return
        import numpy as np
        import shapely

        country = [*self.rows["nodes"].texts("country"), ""]  # row -1: not a node
        # the lines grouped by the countries of their ends, as codes in the isos' order so
        # that a pair's smaller code is its first country
        isos = sorted(set(country))
        number = {iso: k for k, iso in enumerate(isos)}
        node_code = np.fromiter(map(number.__getitem__, country), np.int64, len(country))
        lands = np.flatnonzero(land)
        cu = node_code[self.link_ends[0][drawn["at"][lands]]]
        cv = node_code[self.link_ends[1][drawn["at"][lands]]]
        key = np.minimum(cu, cv) * len(isos) + np.maximum(cu, cv)
        keys, first, which_group = np.unique(key, return_index=True, return_inverse=True)
        by_group = np.argsort(which_group, kind="stable")
        ends_at = np.cumsum(np.bincount(which_group, minlength=len(keys)))
        groups: list[tuple[tuple[str, ...], Any]] = []
        for g in np.argsort(first, kind="stable").tolist():  # in the order lines first meet
            a, b = divmod(int(keys[g]), len(isos))
            ends: tuple[str, ...] = (isos[a],) if a == b else (isos[a], isos[b])
            if all(iso in self.countries.geoms for iso in ends):  # else check 4 reports it
                low = int(ends_at[g - 1]) if g else 0
                groups.append((ends, lands[by_group[low : ends_at[g]]]))
        x, y, start, count = drawn["x"], drawn["y"], drawn["start"], drawn["count"]
        for ends, picked in groups:
            area = self.grown_countries(ends)
            sizes = count[picked]
            at = point_rows(start[picked], sizes)
            which = np.repeat(np.arange(len(picked)), sizes)
            lines = shapely.linestrings(np.column_stack([x[at], y[at]]), indices=which)
            # most lines lie inside, which the prepared area tells at once
            inside = shapely.contains(area, lines)
            for j in np.flatnonzero(~inside).tolist():
                line = lines[j]
                if line.length == 0:
                    continue
                share = line.difference(area).length / line.length
                if share <= SHAPE_OUTSIDE_SHARE:
                    continue
                i = int(picked[j])
                self.add(
                    "geometry",
                    file,
                    drawn["lines"][i],
                    f"feature {drawn['ids'][i]!r} runs {share:.0%} of its length outside "
                    f"{', '.join(ends)} (the countries of its ends; at most "
                    f"{SHAPE_OUTSIDE_SHARE:.0%} allowed); split the link where it crosses into "
                    "another country, or redraw it",
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

    def check_geometry_ends(self, file: str, drawn: dict[str, Any]) -> None:
        """Check that each drawn line starts near its link's u node and ends near its v node."""
        import numpy as np

        ids: list[str] = drawn["ids"]
        ux, uy = self.end_points(drawn["at"], "u")
        vx, vy = self.end_points(drawn["at"], "v")
        known = ~np.isnan(ux) & ~np.isnan(vx)
        a = np.column_stack([ux, uy])
        b = np.column_stack([vx, vy])
        first = drawn["start"]
        last = first + drawn["count"] - 1
        x, y = drawn["x"], drawn["y"]
        ahead = np.maximum(
            geodesic_km_array(a[:, 0], a[:, 1], x[first], y[first]),
            geodesic_km_array(b[:, 0], b[:, 1], x[last], y[last]),
        )
        for i in np.flatnonzero(known & ~(ahead <= GEOMETRY_END_KM)).tolist():
            lid, line = ids[i], drawn["lines"][i]
            link = self.links[lid]
            f, t = int(first[i]), int(last[i])
            behind = max(
                geodesic_km(float(a[i, 0]), float(a[i, 1]), float(x[t]), float(y[t])),
                geodesic_km(float(b[i, 0]), float(b[i, 1]), float(x[f]), float(y[f])),
            )
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
                    f"feature {lid!r} ends {float(ahead[i]):.0f} km from its link's nodes; its "
                    f"ends must lie within {fmt(GEOMETRY_END_KM)} km of u ({link['u']}) and v "
                    f"({link['v']})",
                )

    # -- 5. lengths

    def lengths_off(self) -> Any:
        """Return the links :meth:`check_lengths` may report (a bool per row).

        The geodesic distances of all links at once; a link within a millionth of a bound
        is taken as off, and the row check then decides it as it always did.
        """
        import numpy as np

        rows = self.rows["links"]
        modes = rows.texts("mode")
        n = len(modes)
        everywhere = np.arange(n)
        ux, uy = self.end_points(everywhere, "u")
        vx, vy = self.end_points(everywhere, "v")
        xy = {"ux": ux, "uy": uy, "vx": vx, "vy": vy}
        length = rows.numbers("length_km")
        known = among(modes, MODES) & (length > 0) & ~np.isnan(xy["ux"]) & ~np.isnan(xy["vx"])
        off = np.zeros(n, dtype=bool)
        at = np.flatnonzero(known)
        if not len(at):
            return off
        geo = geodesic_km_array(
            np.asarray(xy["ux"])[at],
            np.asarray(xy["uy"])[at],
            np.asarray(xy["vx"])[at],
            np.asarray(xy["vy"])[at],
        )
        stated = length[at]
        slack = 1e-6
        land = among([modes[i] for i in at.tolist()], ("rail", "road"))
        near = stated < geo * MIN_LENGTH_RATIO * (1 + slack)
        near |= land & (stated > (MAX_LAND_RATIO * geo + SHORT_LINK_SLACK_KM) * (1 - slack))
        factors: dict[str, float] = {}
        for method in set(rows.texts("length_method")):
            if method.startswith("geodesic_factor:"):
                try:
                    factors[method] = float(method.partition(":")[2])
                except ValueError:
                    continue
        if factors:
            methods = rows.texts("length_method")
            factor = np.array([factors.get(methods[i], math.nan) for i in at.tolist()])
            expect = geo * factor
            with np.errstate(invalid="ignore"):
                near |= np.abs(stated - expect) > np.maximum(1.0, 0.02 * expect) * (1 - slack)
            # a factor that is not a finite number: the row check words what it finds
            near |= ~np.isnan(factor) & ~np.isfinite(expect)
        off[at[near]] = True
        return off

    def detours(self) -> list[tuple[str, float]]:
        """Return the matched-line links that run far round, with their ratio to the geodesic.

        A rail or road link whose length is that of the line it was matched to
        (``matched_line``), whose places are at least :data:`DETOUR_MIN_KM` apart and whose
        length is at least :data:`DETOUR_RATIO` times the geodesic between them, as
        ``(link id, length / geodesic)``, in file order.
        """
        import numpy as np

        rows = self.rows["links"]
        methods = rows.texts("length_method")
        at = np.flatnonzero(
            among(methods, ("matched_line",)) & among(rows.texts("mode"), ("rail", "road"))
        )
        if not len(at):
            return []
        ux, uy = self.end_points(at, "u")
        vx, vy = self.end_points(at, "v")
        geo = geodesic_km_array(ux, uy, vx, vy)
        length = rows.numbers("length_km")[at]
        with np.errstate(invalid="ignore", divide="ignore"):
            far = (geo >= DETOUR_MIN_KM) & (length >= DETOUR_RATIO * geo)
        ids = rows.texts("id")
        return [(ids[i], float(length[k] / geo[k])) for k, i in enumerate(at.tolist()) if far[k]]

    def check_lengths(self) -> None:
        """Check link lengths against the geodesic distance between their ends."""
        detours = self.detours()
        if detours:
            listed = ", ".join(f"{lid} ({ratio:.2f} ×)" for lid, ratio in detours[:12])
            self.warnings.append(
                f"links.csv: {plural(len(detours), 'rail or road link')} measured on a matched "
                f"line run at least {fmt(DETOUR_RATIO)} × the geodesic between places "
                f"{fmt(DETOUR_MIN_KM)} km or more apart, with no published length to confirm "
                f"the line: {listed}{' ...' if len(detours) > 12 else ''}; a published length "
                "(length_method published) settles each"
            )
        for row in self.rows_where("links", self.lengths_off()):
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
        import numpy as np

        meeting: dict[str, dict[int, list[str]]] = {}
        links = self.rows["links"]
        rail = among(links.texts("mode"), ("rail",))
        gauges = links.numbers("gauge_mm")
        for row in self.rows_where("links", rail & np.isnan(gauges)):
            self.add(
                "gauges",
                "links.csv",
                row["_line"],
                f"rail link {row['id']} has no gauge_mm; set one of {choices(GAUGES)}",
            )
        ids, ends_u, ends_v = links.texts("id"), links.texts("u"), links.texts("v")
        status = links.texts("status")
        for i in np.flatnonzero(rail & ~np.isnan(gauges)).tolist():
            if status[i] == "closed":
                continue
            gauge = int(gauges[i])
            for end in (ends_u[i], ends_v[i]):
                meeting.setdefault(end, {}).setdefault(gauge, []).append(ids[i])
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
        links = self.rows["links"]
        ends = set(links.texts("u")) | set(links.texts("v"))
        lines = self.rows["nodes"].frame["_line"].to_numpy()
        for node, i in self.nodes.first.items():
            if node not in ends:
                self.add(
                    "orphans",
                    "nodes.csv",
                    int(lines[i]),
                    f"node {node} is on no link; connect it with a link in links.csv or remove it",
                )

    # -- 9. Caspian

    def is_caspian(self, node: str) -> bool:
        """Return True if the node has valid coordinates inside the Caspian box."""
        xy = self.coords(node)
        return xy is not None and in_box(*xy, CASPIAN_LON, CASPIAN_LAT)

    def check_caspian(self) -> None:
        """Check that no ferry or sea link joins a Caspian port to a node off the Caspian."""
        modes = self.rows["links"].texts("mode")
        water = {mode: is_water(mode) for mode in set(modes)}
        for row in self.rows_where("links", [water[mode] for mode in modes]):
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
