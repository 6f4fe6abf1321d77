"""Check 1: the columns, types, enum values and ranges of every table."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

from corridors.data.checks.base import (
    DIRECTIONS,
    ID_PATTERN,
    ISO2_CODE,
    LENGTH_METHODS,
    REGION_LAT,
    REGION_LON,
    YEARS,
    Base,
    among,
    cell_text,
    choices,
    fmt,
    id_list,
    in_box,
    method_known,
    num,
    out_of_order,
    out_of_range,
)
from corridors.data.vocabulary import (
    BORDER_SIDES,
    FRICTION_KINDS,
    GAUGES,
    MODES,
    NODE_KINDS,
    PORT_SIDES,
    STATUSES,
    is_water,
    water_modes,
)

#: Bounds no real value reaches (stated method): a link is shorter than the Earth's
#: circumference (40,075 km), no freight mode runs at 1,000 km/h, and no sailing or
#: headway lasts a year (8,760 h). They stop 1e308 from turning totals into infinities.
MAX_LINK_KM = 40_000.0
MAX_SPEED_KPH = 1_000.0
MAX_HOURS = 8_760.0


class ValueChecks(Base):
    """Check 1: the columns, types, enum values and ranges of every table."""

    # -- 1. schema and values

    def check_enum(
        self, file: str, row: Mapping[str, Any], column: str, allowed: Iterable[str], blank: bool
    ) -> None:
        """Check that a cell holds one of the ``allowed`` values (or is empty, if ``blank``)."""
        value = cell_text(row.get(column))
        options = tuple(allowed)
        if (value == "" and blank) or value in options:
            return
        shown = "empty" if value == "" else repr(value)
        self.add(
            "schema",
            file,
            row["_line"],
            f"`{column}` is {shown}; expected one of: {choices(options)}"
            + ("" if not blank else " (or empty)"),
        )

    def check_range(
        self,
        file: str,
        row: Mapping[str, Any],
        column: str,
        *,
        positive: bool = False,
        unit: str = "",
        most: float | None = None,
    ) -> None:
        """Check that a numeric cell, if given, is not negative (or is above 0 if ``positive``).

        With ``most``, also that it is at most that bound.
        """
        value = num(row.get(column))
        if value is None:
            return
        if most is not None and value > most:
            self.add(
                "values",
                file,
                row["_line"],
                f"{column} {value:.6g} is larger than any real value; it must be at most "
                f"{most:,.0f}{unit}",
            )
            return
        bad = value <= 0 if positive else value < 0
        if bad:
            need = "a positive number" if positive else "zero or a positive number"
            self.add(
                "values",
                file,
                row["_line"],
                f"{column} {fmt(value)} is not valid; it must be {need}{unit}",
            )

    def check_low_high(self, file: str, row: Mapping[str, Any], column: str) -> None:
        """Check that a value's ``_low`` and ``_high`` bounds are not negative and are ordered."""
        value = num(row.get(column))
        low, high = num(row.get(f"{column}_low")), num(row.get(f"{column}_high"))
        for name, bound in ((f"{column}_low", low), (f"{column}_high", high)):
            if bound is not None and bound < 0:
                self.add("values", file, row["_line"], f"{name} {fmt(bound)} must not be negative")
        order = [
            (n, v) for n, v in ((f"{column}_low", low), (column, value), (f"{column}_high", high))
        ]
        given = [(n, v) for n, v in order if v is not None]
        for (n1, v1), (n2, v2) in itertools.pairwise(given):
            if v1 > v2:
                self.add(
                    "values",
                    file,
                    row["_line"],
                    f"{n1} {fmt(v1)} is greater than {n2} {fmt(v2)}; a range must satisfy "
                    f"{column}_low ≤ {column} ≤ {column}_high",
                )

    def node_suspects(self) -> Any:
        """Return the nodes :meth:`check_nodes` may report (a bool per row), from the columns."""
        import numpy as np

        rows = self.rows["nodes"]
        ids, countries = rows.texts("id"), rows.texts("country")
        suspect = ~among(rows.texts("kind"), NODE_KINDS)
        # an id matching the pattern and starting with its country's code, or no id
        well_formed = np.fromiter(
            (
                not node or (node[:2] == country.lower() and ID_PATTERN.match(node) is not None)
                for node, country in zip(ids, countries)
            ),
            dtype=bool,
            count=len(ids),
        )
        suspect |= ~well_formed
        codes = {c: not c or ISO2_CODE.match(c) is not None for c in set(countries)}
        suspect |= ~np.fromiter((codes[c] for c in countries), dtype=bool, count=len(ids))
        lon, lat = rows.numbers("lon"), rows.numbers("lat")
        with np.errstate(invalid="ignore"):
            inside = (lon >= REGION_LON[0]) & (lon <= REGION_LON[1])
            inside &= (lat >= REGION_LAT[0]) & (lat <= REGION_LAT[1])
        suspect |= ~inside & ~np.isnan(lon) & ~np.isnan(lat)
        return suspect

    def check_nodes(self) -> None:
        """Check each node's kind, country code, id format and coordinates."""
        file = "nodes.csv"
        for row in self.rows_where("nodes", self.node_suspects()):
            line = row["_line"]
            node, country = cell_text(row["id"]), cell_text(row["country"])
            self.check_enum(file, row, "kind", NODE_KINDS, blank=False)
            if country and not ISO2_CODE.match(country):
                self.add(
                    "schema",
                    file,
                    line,
                    f"country {country!r} is not an ISO 3166-1 alpha-2 code in capitals (e.g. KZ)",
                )
            if node and not ID_PATTERN.match(node):
                self.add(
                    "schema",
                    file,
                    line,
                    f"id {node!r} must be `{{iso2}}-{{slug}}` in lower-case ASCII letters, "
                    "digits and hyphens (e.g. kz-dostyk)",
                )
            elif node and ISO2_CODE.match(country) and node[:2] != country.lower():
                self.add(
                    "schema",
                    file,
                    line,
                    f"id {node!r} starts with {node[:3]!r} but country is {country}; a node id "
                    f"starts with its country code ({country.lower()}-...)",
                )
            lon, lat = num(row["lon"]), num(row["lat"])
            if lon is None or lat is None:
                continue
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.add(
                    "values",
                    file,
                    line,
                    f"lon {fmt(lon)}, lat {fmt(lat)} are not WGS 84 degrees (lon −180…180, "
                    f"lat −90…90){self.swap_hint(row, lon, lat)}",
                )
            elif not (in_box(lon, lat, REGION_LON, REGION_LAT)):
                self.add(
                    "values",
                    file,
                    line,
                    f"lon {fmt(lon)}, lat {fmt(lat)} is outside the study region (lon −20…145 "
                    "E, lat −10…70 N, which includes the far ends of the sea legs)"
                    + self.swap_hint(row, lon, lat),
                )

    def link_suspects(self) -> Any:
        """Return the links :meth:`check_links` may report (a bool per row), from the columns."""
        import numpy as np

        rows = self.rows["links"]
        modes = rows.texts("mode")
        suspect = ~among(modes, MODES) | ~among(rows.texts("status"), STATUSES)
        gauge = rows.numbers("gauge_mm")
        rail_gauge = among(modes, ("rail",)) & np.isin(gauge, np.array(GAUGES, dtype=float))
        suspect |= ~np.isnan(gauge) & ~rail_gauge
        # a length method's problems depend on it and the mode alone: each pair met is
        # checked once, on a row of its own
        methods = rows.texts("length_method")
        pairs = set(zip(methods, modes))
        found = self.found["schema"]
        before = len(found)
        bad = set()
        for method, mode in pairs:
            self.check_length_method("links.csv", {"length_method": method, "_line": 0}, mode)
            if len(found) > before:
                bad.add((method, mode))
                del found[before:]
        if bad:
            suspect |= np.fromiter(
                (pair in bad for pair in zip(methods, modes)), dtype=bool, count=len(modes)
            )
        suspect |= np.fromiter(
            (bool(u) and u == v for u, v in zip(rows.texts("u"), rows.texts("v"))),
            dtype=bool,
            count=len(modes),
        )
        year = rows.numbers("open_year")
        with np.errstate(invalid="ignore"):
            suspect |= (year < YEARS[0]) | (year > YEARS[1])
        length = rows.numbers("length_km")
        suspect |= out_of_range(length, positive=True, most=MAX_LINK_KM)
        suspect |= out_of_order(
            length, rows.numbers("length_km_low"), rows.numbers("length_km_high")
        )
        suspect |= out_of_range(rows.numbers("speed_kph"), positive=True, most=MAX_SPEED_KPH)
        suspect |= out_of_range(rows.numbers("sailing_h"), positive=True, most=MAX_HOURS)
        suspect |= out_of_range(rows.numbers("headway_h"), positive=True, most=MAX_HOURS)
        suspect |= out_of_range(rows.numbers("capacity"))
        return suspect

    def check_links(self) -> None:
        """Check each link's mode, status, gauge, length method, ends, year and ranges."""
        file = "links.csv"
        for row in self.rows_where("links", self.link_suspects()):
            line = row["_line"]
            mode = cell_text(row["mode"])
            self.check_enum(file, row, "mode", MODES, blank=False)
            self.check_enum(file, row, "status", STATUSES, blank=False)
            gauge = num(row["gauge_mm"])
            if gauge is not None and mode != "rail" and mode in MODES:
                self.add(
                    "schema",
                    file,
                    line,
                    f"gauge_mm {fmt(gauge)} is set on a {mode} link; leave gauge_mm empty "
                    "for modes other than rail",
                )
            elif gauge is not None and mode == "rail" and int(gauge) not in GAUGES:
                self.add(
                    "schema",
                    file,
                    line,
                    f"gauge_mm {fmt(gauge)} is not a gauge of the region; expected one of: "
                    f"{choices(GAUGES)}",
                )
            self.check_length_method(file, row, mode)
            u, v = cell_text(row["u"]), cell_text(row["v"])
            if u and u == v:
                self.add(
                    "schema",
                    file,
                    line,
                    f"u and v are both {u!r}; a link joins two different nodes",
                )
            year = num(row["open_year"])
            if year is not None and not YEARS[0] <= year <= YEARS[1]:
                self.add(
                    "values",
                    file,
                    line,
                    f"open_year {fmt(year)} is not a plausible year ({YEARS[0]}–{YEARS[1]})",
                )
            self.check_range(file, row, "length_km", positive=True, unit=" of km", most=MAX_LINK_KM)
            self.check_low_high(file, row, "length_km")
            self.check_range(
                file, row, "speed_kph", positive=True, unit=" of km/h", most=MAX_SPEED_KPH
            )
            self.check_range(
                file, row, "sailing_h", positive=True, unit=" of hours", most=MAX_HOURS
            )
            self.check_range(
                file, row, "headway_h", positive=True, unit=" of hours", most=MAX_HOURS
            )
            self.check_range(file, row, "capacity")

    def check_length_method(self, file: str, row: Mapping[str, Any], mode: str) -> None:
        """Check that a link's length_method is known, well formed and suits its mode."""
        method = cell_text(row["length_method"])
        if not method:
            return  # read_geodata reports the empty required cell
        base, _, arg = method.partition(":")
        line = row["_line"]
        if base not in LENGTH_METHODS or (base != "geodesic_factor" and arg):
            if method_known(method, self.methods):
                return  # another method the folder's README documents
            self.add(
                "schema",
                file,
                line,
                f"length_method {method!r} is not one of: published, geodesic_factor:F "
                "(e.g. geodesic_factor:1.25), osm_route, searoute (or a method described in "
                "README.md 'Estimation methods')",
            )
        elif base == "geodesic_factor":
            try:
                factor = float(arg)
            except ValueError:
                factor = math.nan
            if not factor >= 1.0:
                self.add(
                    "schema",
                    file,
                    line,
                    f"length_method {method!r} needs a factor of at least 1 after the colon "
                    "(e.g. geodesic_factor:1.25)",
                )
        elif base == "osm_route" and mode in MODES and mode != "rail":
            self.add(
                "schema",
                file,
                line,
                f"length_method osm_route is for rail links, not {mode}; use published or "
                "geodesic_factor:F",
            )
        elif base == "searoute" and mode in MODES and not is_water(mode):
            self.add(
                "schema",
                file,
                line,
                f"length_method searoute is for sea and ferry links, not {mode}; use published "
                "or geodesic_factor:F",
            )

    def check_frictions(self) -> None:
        """Check each friction row's enum columns, border and port rules, times and fees."""
        file = "frictions.csv"
        any_mode = ("*", *MODES)
        profiles = ("*", *self.profiles)
        for row in self.rows["frictions"]:
            line = row["_line"]
            kind = cell_text(row["kind"])
            self.check_enum(file, row, "kind", FRICTION_KINDS, blank=False)
            self.check_enum(file, row, "direction", DIRECTIONS, blank=True)
            sides = {"border": BORDER_SIDES, "port": PORT_SIDES}.get(kind)
            if sides is not None:
                self.check_enum(file, row, "side", sides, blank=True)
            elif cell_text(row.get("side")):
                self.add(
                    "values",
                    file,
                    line,
                    f"`side` prices one side of a border crossing or a port; a {kind} row "
                    "has none (leave it empty)",
                )
            self.check_enum(file, row, "mode", any_mode, blank=True)
            self.check_enum(file, row, "to_mode", any_mode, blank=True)
            self.check_enum(file, row, "profile", profiles, blank=True)
            node = cell_text(row["node"])
            if kind == "border" and node != "*" and not cell_text(row["to_node"]):
                self.add(
                    "schema",
                    file,
                    line,
                    "a border friction at a node needs `to_node`, the node on the other side "
                    "of the border",
                )
            mode = cell_text(row["mode"])
            if kind == "port" and mode not in ("", "*", *water_modes()):
                self.add(
                    "schema",
                    file,
                    line,
                    f"a port friction's mode is {mode!r}; port rows apply to sea or ferry (or `*`)",
                )
            for column in ("time_h", "fee_usd"):
                self.check_range(file, row, column)
                self.check_low_high(file, row, column)

    def check_small_tables(self) -> None:
        """Check the rows of the rates, speeds, emissions, profiles and sections tables."""
        profiles = ("*", *self.profiles)
        for row in self.rows["rates"]:
            self.check_enum("rates.csv", row, "mode", MODES, blank=False)
            self.check_enum("rates.csv", row, "profile", profiles, blank=False)
            self.check_country("rates.csv", row)
            for column in ("usd_per_unit_km", "usd_per_unit"):
                self.check_range("rates.csv", row, column)
            if num(row["usd_per_unit_km"]) is None and num(row["usd_per_unit"]) is None:
                self.add(
                    "values",
                    "rates.csv",
                    row["_line"],
                    "neither usd_per_unit_km nor usd_per_unit is given; a rate needs one or both",
                )
        for row in self.rows["speeds"]:
            self.check_enum("speeds.csv", row, "mode", MODES, blank=False)
            self.check_country("speeds.csv", row)
            self.check_range(
                "speeds.csv", row, "kph", positive=True, unit=" of km/h", most=MAX_SPEED_KPH
            )
        for row in self.rows["emissions"]:
            self.check_enum("emissions.csv", row, "mode", MODES, blank=False)
            self.check_range("emissions.csv", row, "kg_co2_per_tkm")
        for row in self.rows["profiles"]:
            for mode in id_list(row["modes"]):
                if mode not in MODES:
                    self.add(
                        "schema",
                        "profiles.csv",
                        row["_line"],
                        f"modes lists {mode!r}; expected modes from: {choices(MODES)}",
                    )
            self.check_range("profiles.csv", row, "tonnes_per_unit", positive=True)
            self.check_range("profiles.csv", row, "value_of_time_usd_per_h")
        for row in self.rows["sections"]:
            self.check_enum("sections.csv", row, "mode", MODES, blank=False)
            self.check_range("sections.csv", row, "published_km", positive=True, unit=" of km")
            self.check_low_high("sections.csv", row, "published_km")

    def check_country(self, file: str, row: Mapping[str, Any]) -> None:
        """Check that a row's country is empty, ``*`` or an ISO 3166-1 alpha-2 code."""
        country = cell_text(row["country"])
        if country and country != "*" and not ISO2_CODE.match(country):
            self.add(
                "schema",
                file,
                row["_line"],
                f"country {country!r} is neither `*` nor an ISO 3166-1 alpha-2 code (e.g. KZ)",
            )

    def check_corridor_entries(self) -> None:
        """Check each corridor's id, name, waypoints, modes and included statuses."""
        file = "corridors.yaml"
        for item, line in self.corridors:
            cid = item.get("id")
            if not cid or not isinstance(cid, str):
                self.add("schema", file, line, "corridor without an `id`; give it a short id")
            if not item.get("name"):
                self.add("schema", file, line, f"corridor {cid!r} has no `name`")
            points = item.get("waypoints")
            if not isinstance(points, list) or len(points) < 2:
                self.add(
                    "schema",
                    file,
                    line,
                    f"corridor {cid!r}: `waypoints` must be a list of at least two node ids",
                )
            for key, allowed in (("modes", MODES), ("include", STATUSES)):
                values = item.get(key) or []
                if not isinstance(values, list):
                    values = [values]
                for value in values:
                    if value not in allowed:
                        self.add(
                            "schema",
                            file,
                            line,
                            f"corridor {cid!r}: `{key}` lists {value!r}; expected values "
                            f"from: {choices(allowed)}",
                        )
