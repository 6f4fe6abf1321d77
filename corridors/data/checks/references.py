"""Checks 2 and 3: unique ids, references between tables and the default rows."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
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
            # only rows whose value another row shares can be reported
            texts = self.rows[name].texts(key)
            counts = Counter(texts)
            shared = [bool(t) and counts[t] > 1 for t in texts]
            for row in self.rows_where(name, shared):
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
        links = self.rows["links"]
        at_u, at_v = self.link_ends
        dangling = [
            (bool(u) and i < 0) or (bool(v) and j < 0)
            for u, v, i, j in zip(links.texts("u"), links.texts("v"), at_u.tolist(), at_v.tolist())
        ]
        for row in self.rows_where("links", dangling):
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
        texts = self.rows["nodes"].texts("country")
        countries = {texts[i] for i in self.nodes.first.values()}
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
        if not self.rows["links"].plain("id") or not self.rows["links"].plain("mode"):
            self.check_defaults_by_row()
            return
        import numpy as np

        links = _LinkScopes(self)
        used = sorted(set(links.modes))
        speeds = {
            (cell_text(r["mode"]), cell_text(r["country"]) or "*") for r in self.rows["speeds"]
        }
        timed = ~np.isnan(links.numbers("speed_kph"))
        sailed = ~np.isnan(links.numbers("sailing_h"))
        for mode in used:
            if (mode, "*") in speeds:
                continue
            needy = links.where(partial(_needs_speed, mode=mode, speeds=speeds))
            needy &= ~timed
            if is_water(mode):
                needy &= ~sailed
            if needy.any():
                first = links.ids[int(np.flatnonzero(needy)[0])]
                self.no_default_speed(mode, int(needy.sum()), first)
        self.check_emissions(used)
        for profile in self.rows["profiles"]:
            self.check_rates_of(profile, links)
        self.check_default_frictions(used)

    def no_default_speed(self, mode: str, count: int, example: str) -> None:
        """Report a mode whose links need a default speed that no row gives."""
        self.add(
            "defaults",
            "speeds.csv",
            0,
            f"no default speed for {mode} (a row with country `*`), which "
            f"{plural(count, 'link')} need (e.g. {example}); add one",
        )

    def check_emissions(self, used: list[str]) -> None:
        """Check that every mode the links use has an emission factor."""
        emissions = {cell_text(r["mode"]) for r in self.rows["emissions"]}
        for mode in used:
            if mode not in emissions:
                self.add(
                    "defaults",
                    "emissions.csv",
                    0,
                    f"no emission factor for mode {mode!r}, which links use; add a row",
                )

    def rate_keys(self, profile: Mapping[str, Any]) -> tuple[str, set[tuple[str, str, str]]]:
        """Return a profile's id and its rates' (mode, link, country) keys."""
        pid = cell_text(profile["id"])
        keys = {
            (cell_text(r["mode"]), cell_text(r["link"]), cell_text(r["country"]) or "*")
            for r in self.rows["rates"]
            if (cell_text(r["profile"]) or "*") in ("*", pid.lower())
        }
        return pid, keys

    def no_rates(self, pid: str, missing: dict[str, list[str]]) -> None:
        """Report, per mode, the links of a profile that no rate applies to."""
        for mode, ids in sorted(missing.items()):
            self.add(
                "defaults",
                "rates.csv",
                0,
                f"no {mode} rate for profile {pid!r} applies to {plural(len(ids), 'link')} "
                f"(e.g. {ids[0]}); add a row with mode {mode}, country `*` and profile "
                f"{pid} or `*`",
            )

    def check_rates_of(self, profile: Mapping[str, Any], links: _LinkScopes) -> None:
        """Check that some rate applies to every link of a mode the profile uses.

        As :meth:`check_rates`, from the links' columns: a mode's default rates are looked
        up once per country, and a link's own rates only where no default applies.
        """
        import numpy as np

        pid, keys = self.rate_keys(profile)
        carried = set(id_list(profile["modes"]))
        uncovered = links.where(
            lambda mode, country: (
                mode in carried and (mode, "", country) not in keys and (mode, "", "*") not in keys
            )
        )
        missing: dict[str, list[str]] = {}
        for i in np.flatnonzero(uncovered):
            mode, country, lid = links.modes[i], links.countries[i], links.ids[i]
            if (mode, lid, "*") not in keys and (mode, lid, country) not in keys:
                missing.setdefault(mode, []).append(lid)
        self.no_rates(pid, missing)

    def check_defaults_by_row(self) -> None:
        """Check the default rows as :meth:`check_defaults` does, walking the links' rows."""
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
                self.no_default_speed(mode, len(needy), needy[0])
        self.check_emissions(used)
        for profile in self.rows["profiles"]:
            self.check_rates(profile, links)
        self.check_default_frictions(used)

    def check_rates(self, profile: Mapping[str, Any], links: list[Mapping[str, Any]]) -> None:
        """Check that some rate applies to every link of a mode the profile uses."""
        pid, keys = self.rate_keys(profile)
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
        self.no_rates(pid, missing)

    def check_default_frictions(self, used: list[str]) -> None:
        """Check for the default (node ``*``) port, transfer and gauge_break frictions needed."""
        defaults = {
            cell_text(r["kind"]) for r in self.rows["frictions"] if cell_text(r["node"]) == "*"
        }
        first = self.links.positions()
        modes = self.rows["links"].texts("mode")
        rail = [i for i in first if modes[i] == "rail"]
        gauges = set(self.rows["links"].numbers("gauge_mm")[rail].tolist())
        gauges = {g for g in gauges if not math.isnan(g)}
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


def _needs_speed(m: str, country: str, *, mode: str, speeds: set[tuple[str, str]]) -> bool:
    return m == mode and (m, country) not in speeds


class _LinkScopes:
    """The first row of each link id whose mode is known, with its mode and start country.

    What the default-row checks ask of every link, read from the columns once: a link's
    mode, id and the country of its ``u`` node (empty when ``u`` is not a node), each mode
    and country pair given a small code so that a question about a pair is asked once.
    """

    def __init__(self, checker: Base) -> None:
        import numpy as np

        rows = checker.rows["links"]
        modes, ids = rows.texts("mode"), rows.texts("id")
        self.rows = rows
        self.at = np.array(
            [i for i in checker.links.positions().tolist() if modes[i] in MODES], dtype=np.int64
        )
        node_country = [*checker.rows["nodes"].texts("country"), ""]  # row -1: not a node
        self.modes = [modes[i] for i in self.at.tolist()]
        self.ids = [ids[i] for i in self.at.tolist()]
        self.countries = [node_country[i] for i in checker.link_ends[0][self.at].tolist()]
        self.pairs: dict[tuple[str, str], int] = {}
        self.codes = np.fromiter(
            (self.pairs.setdefault(p, len(self.pairs)) for p in zip(self.modes, self.countries)),
            dtype=np.int64,
            count=len(self.modes),
        )

    def where(self, test: Callable[[str, str], bool]) -> Any:
        """Return, per link, ``test(mode, country)`` (a bool array), asked once per pair."""
        import numpy as np

        answers = np.fromiter(
            (test(mode, country) for mode, country in self.pairs), dtype=bool, count=len(self.pairs)
        )
        return answers[self.codes] if len(self.codes) else np.zeros(0, dtype=bool)

    def numbers(self, column: str) -> Any:
        """Return a numeric column at these links (as :meth:`TableRows.numbers`)."""
        return self.rows.numbers(column)[self.at]
