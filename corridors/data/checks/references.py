"""Checks 2 and 3: unique ids, references between tables and the default rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from corridors.data.checks.base import (
    Base,
    cell_text,
    id_list,
    like,
    num,
    plural,
)
from corridors.data.schema import TABLES
from corridors.data.vocabulary import MODES, is_water


class ReferenceChecks(Base):
    """Checks 2 and 3: unique ids, references between tables and the default rows."""

    # -- 2. unique ids

    def check_ids(self) -> None:
        """Check that ids are unique within each table, corridors.yaml and sources.yaml."""
        for name, columns in TABLES.items():
            key = "mode" if name == "emissions" else "id"
            if key not in {c.name for c in columns}:
                continue
            seen: dict[str, int] = {}
            for row in self.rows[name]:
                value = cell_text(row[key])
                if not value:
                    continue
                if value in seen:
                    self.add(
                        "ids",
                        f"{name}.csv",
                        row["_line"],
                        f"duplicate {key} {value!r} (first on line {seen[value]}); "
                        f"every {key} in {name}.csv must be unique",
                    )
                else:
                    seen[value] = row["_line"]
        for file, items in (("corridors.yaml", self.corridors), ("sources.yaml", self.sources)):
            first: dict[str, int] = {}
            for item, line in items:
                value = str(item.get("id") or "")
                if not value:
                    continue
                if value in first:
                    self.add(
                        "ids",
                        file,
                        line,
                        f"duplicate id {value!r} (first on line {first[value]}); ids must be "
                        "unique",
                    )
                else:
                    first[value] = line

    # -- 3. references and defaults

    def ref(self, file: str, line: int, column: str, node: str) -> None:
        """Report ``node`` if it is not empty and not a node id in nodes.csv."""
        if node and node not in self.nodes:
            self.add(
                "references",
                file,
                line,
                f"{column} {node!r} is not a node id in nodes.csv{like(node, self.nodes)}",
            )

    def check_references(self) -> None:
        """Check that node and link ids used by other tables and corridors.yaml exist."""
        for row in self.rows["links"]:
            for column in ("u", "v"):
                self.ref("links.csv", row["_line"], column, cell_text(row[column]))
        for row in self.rows["frictions"]:
            node = cell_text(row["node"])
            if node != "*":
                self.ref("frictions.csv", row["_line"], "node", node)
            to_node = cell_text(row["to_node"])
            if to_node != "*":
                self.ref("frictions.csv", row["_line"], "to_node", to_node)
        for row in self.rows["rates"]:
            link = cell_text(row["link"])
            if link and link not in self.links:
                self.add(
                    "references",
                    "rates.csv",
                    row["_line"],
                    f"link {link!r} is not a link id in links.csv{like(link, self.links)}",
                )
        for row in self.rows["sections"]:
            self.ref("sections.csv", row["_line"], "from", cell_text(row["from"]))
            self.ref("sections.csv", row["_line"], "to", cell_text(row["to"]))
            for node in id_list(row["via"]):
                self.ref("sections.csv", row["_line"], "via", node)
        for item, line in self.corridors:
            for point in item.get("waypoints") or []:
                # a waypoint may list alternatives (e.g. [kz-aktau-port, kz-kuryk])
                for node in point if isinstance(point, list) else [point]:
                    self.ref("corridors.yaml", line, f"corridor {item.get('id')!r}: waypoint", node)
        countries = {cell_text(r["country"]) for r in self.nodes.values()}
        for name in ("rates", "speeds"):
            for row in self.rows[name]:
                country = cell_text(row["country"])
                if country and country != "*" and country not in countries:
                    self.warn(
                        f"{name}.csv",
                        row["_line"],
                        f"country {country} has no nodes, so this row never applies",
                    )

    def check_defaults(self) -> None:
        """Check that default speed, emission, rate and friction rows cover the links' needs."""
        links = [r for r in self.links.values() if cell_text(r["mode"]) in MODES]
        used = sorted({cell_text(r["mode"]) for r in links})
        speeds = {
            (cell_text(r["mode"]), cell_text(r["country"]) or "*") for r in self.rows["speeds"]
        }
        for mode in used:
            needy = [
                r["id"]
                for r in links
                if r["mode"] == mode
                and num(r["speed_kph"]) is None
                and not (is_water(mode) and num(r["sailing_h"]) is not None)
                and (mode, self.country_of(cell_text(r["u"]))) not in speeds
            ]
            if needy and (mode, "*") not in speeds:
                self.add(
                    "defaults",
                    "speeds.csv",
                    0,
                    f"no default speed for {mode} (a row with country `*`), which "
                    f"{plural(len(needy), 'link')} need (e.g. {needy[0]}); add one",
                )
        emissions = {cell_text(r["mode"]) for r in self.rows["emissions"]}
        for mode in used:
            if mode not in emissions:
                self.add(
                    "defaults",
                    "emissions.csv",
                    0,
                    f"no emission factor for mode {mode!r}, which links use; add a row",
                )
        for profile in self.rows["profiles"]:
            self.check_rates(profile, links)
        self.check_default_frictions(used)

    def check_rates(self, profile: Mapping[str, Any], links: list[Mapping[str, Any]]) -> None:
        """Check that some rate applies to every link of a mode the profile uses."""
        pid = cell_text(profile["id"])
        rates = [
            r for r in self.rows["rates"] if (cell_text(r["profile"]) or "*") in ("*", pid.lower())
        ]
        keys = {
            (cell_text(r["mode"]), cell_text(r["link"]), cell_text(r["country"]) or "*")
            for r in rates
        }
        missing: dict[str, list[str]] = {}
        for row in links:
            mode = cell_text(row["mode"])
            if mode not in id_list(profile["modes"]):
                continue
            country = self.country_of(cell_text(row["u"]))
            lid = cell_text(row["id"])
            if not any(
                (mode, link, scope) in keys
                for link, scope in ((lid, "*"), (lid, country), ("", country), ("", "*"))
            ):
                missing.setdefault(mode, []).append(lid)
        for mode, ids in sorted(missing.items()):
            self.add(
                "defaults",
                "rates.csv",
                0,
                f"no {mode} rate for profile {pid!r} applies to {plural(len(ids), 'link')} "
                f"(e.g. {ids[0]}); add a row with mode {mode}, country `*` and profile "
                f"{pid} or `*`",
            )

    def check_default_frictions(self, used: list[str]) -> None:
        """Check for the default (node ``*``) port, transfer and gauge_break frictions needed."""
        defaults = {
            cell_text(r["kind"]) for r in self.rows["frictions"] if cell_text(r["node"]) == "*"
        }
        gauges = {
            num(r["gauge_mm"]) for r in self.links.values() if cell_text(r["mode"]) == "rail"
        } - {None}
        needs = {
            "port": any(is_water(m) for m in used),
            "transfer": len([m for m in used if not is_water(m)]) > 1,
            "gauge_break": len(gauges) > 1,
        }
        for kind, needed in needs.items():
            if needed and kind not in defaults:
                self.add(
                    "defaults",
                    "frictions.csv",
                    0,
                    f"no default {kind} row (node `*`); the routing graph needs one for every "
                    f"place without its own {kind} row",
                )
