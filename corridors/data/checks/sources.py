"""Check 7 and the warnings: every row's provenance, the bibliography, incomplete data."""

from __future__ import annotations

import csv
from pathlib import Path

from corridors.data.checks.base import (
    SOURCE_KINDS,
    URL_OPTIONAL_KINDS,
    Base,
    among,
    as_list,
    cell_text,
    choices,
    fmt,
    id_list,
    like,
    method_known,
    num,
    plural,
    text_cell,
)
from corridors.data.observations import FILE as OBSERVATIONS_FILE
from corridors.data.observations import Observation, read_observations
from corridors.data.schema import PROVENANCE, TABLES
from corridors.errors import GeodataError


class SourceChecks(Base):
    """Check 7 and the warnings: every row's provenance, the bibliography, incomplete data."""

    # -- 7. sources

    def check_sources(self) -> None:
        """Check that every row names a source or method, and that the sources are valid."""
        import numpy as np

        known = self.data.source_ids()
        for name, columns in PROVENANCE.items():
            file = f"{name}.csv"
            key = "mode" if name == "emissions" else "id"
            frame = self.rows[name].frame
            named = np.zeros(len(frame), dtype=bool)
            for c in columns:
                if c in frame.columns:
                    named |= np.fromiter(
                        (bool(id_list(v) or text_cell(v)) for v in frame[c].tolist()),
                        dtype=bool,
                        count=len(frame),
                    )
            for row in self.rows_where(name, ~named):
                if not any(id_list(row.get(c)) or text_cell(row.get(c)) for c in columns):
                    self.add(
                        "sources",
                        file,
                        row["_line"],
                        f"row {cell_text(row[key])!r} names no source: fill "
                        + " or ".join(f"`{c}`" for c in columns)
                        + " (a sources.yaml id, or a method from README.md "
                        "'Estimation methods')",
                    )
        self.check_cited(known)
        self.check_methods()
        links = self.rows["links"]
        uncited = [
            method == "published" and not id_list(cites)
            for method, cites in zip(
                links.texts("length_method"), links.frame["length_source_id"].tolist()
            )
        ]
        for row in self.rows_where("links", uncited):
            if cell_text(row["length_method"]) == "published" and not id_list(
                row["length_source_id"]
            ):
                self.add(
                    "sources",
                    "links.csv",
                    row["_line"],
                    f"length_method is published but length_source_id is empty; cite the "
                    f"source of the {fmt(num(row['length_km']) or 0)} km or use an "
                    "estimation method",
                )
        self.check_bibliography()
        self.check_observations(known)

    def check_cited(self, known: set[str]) -> None:
        """Check that every source id cited by a table row or corridor is in ``known``."""

        def check(file: str, line: int, column: str, ids: list[str]) -> None:
            for sid in ids:
                if sid not in known:
                    self.add(
                        "sources",
                        file,
                        line,
                        f"{column} {sid!r} is not in sources.yaml or seeds/; add it to "
                        f"sources.yaml or fix the id{like(sid, known)}",
                    )

        for name, columns in TABLES.items():
            for column in columns:
                if column.name in ("source_id", "length_source_id"):
                    # a row whose every cited id is known has nothing to report
                    cites = self.rows[name].frame[column.name].tolist()
                    unknown = [not isinstance(v, list) or not known.issuperset(v) for v in cites]
                    del cites
                    for row in self.rows_where(name, unknown):
                        ids = id_list(row[column.name])
                        check(f"{name}.csv", row["_line"], column.name, ids)
        for item, line in self.corridors:
            cites = item.get("cites") or []
            check("corridors.yaml", line, "cites", [str(c) for c in as_list(cites)])

    def check_methods(self) -> None:
        """Check that every row's ``method`` is documented in README.md, if it lists any."""
        if not self.methods:
            return
        for name in ("frictions", "rates", "speeds", "emissions", "profiles"):
            for row in self.rows[name]:
                for method in cell_text(row.get("method")).split("|"):
                    method = method.strip()
                    if method and not method_known(method, self.methods):
                        self.add(
                            "sources",
                            f"{name}.csv",
                            row["_line"],
                            f"method {method!r} is not described in README.md 'Estimation "
                            f"methods'; use one of: {choices(self.methods)} (or document it "
                            "there)",
                        )

    def check_bibliography(self) -> None:
        """Check each entry of sources.yaml for a valid kind, a title, a licence and a URL."""
        file = "sources.yaml"
        for item, line in self.sources:
            sid = item.get("id")
            if not sid:
                continue
            kind = str(item.get("kind") or "")
            if kind not in SOURCE_KINDS:
                self.add(
                    "sources",
                    file,
                    line,
                    f"source {sid!r}: kind {kind or 'empty'!r} is not one of: "
                    f"{choices(SOURCE_KINDS)}",
                )
            if not str(item.get("title") or "").strip():
                self.add("sources", file, line, f"source {sid!r} has no title")
            if not str(item.get("licence") or "").strip():
                self.add(
                    "sources",
                    file,
                    line,
                    f"source {sid!r} has no licence; state it (e.g. 'CC BY 4.0', or "
                    "'© publisher; cited for facts')",
                )
            if not str(item.get("url") or "").strip() and kind not in URL_OPTIONAL_KINDS:
                self.add(
                    "sources",
                    file,
                    line,
                    f"source {sid!r} has no url; give the URL where it can be read (only kinds "
                    f"{choices(URL_OPTIONAL_KINDS)} may go without one)",
                )

    # -- warnings

    def check_warnings(self) -> None:
        """Warn about incomplete data: ferry headways, border rows and uncited sources."""
        import numpy as np

        links = self.rows["links"]
        ferries = among(links.texts("mode"), ("ferry",)) & np.isnan(links.numbers("headway_h"))
        for row in self.rows_where("links", ferries):
            if cell_text(row["mode"]) == "ferry" and num(row["headway_h"]) is None:
                self.warn(
                    "links.csv",
                    row["_line"],
                    f"ferry link {row['id']} has no headway_h, so routes wait nothing for a "
                    "departure",
                )
        borders = [r for r in self.rows["frictions"] if cell_text(r["kind"]) == "border"]
        specific = {
            (cell_text(r["to_node"]), cell_text(r["node"]))
            if cell_text(r.get("side")) == "entry"
            else (cell_text(r["node"]), cell_text(r["to_node"]))
            for r in borders
        }
        both = {
            (cell_text(r["to_node"]), cell_text(r["node"]))
            for r in borders
            if cell_text(r["direction"]) in ("", "*", "both") and not cell_text(r.get("side"))
        }
        first = self.links.positions()
        ends_u, ends_v, modes = links.texts("u"), links.texts("v"), links.texts("mode")
        at_u, at_v = self.link_ends[0][first], self.link_ends[1][first]
        # a crossing joins two known nodes of different countries: only those links' ends
        # are paired (a pair's test does not depend on its direction)
        codes: dict[str, int] = {}
        country = np.fromiter(
            (codes.setdefault(c, len(codes)) for c in self.rows["nodes"].texts("country")),
            dtype=np.int64,
        )
        crossing = (at_u >= 0) & (at_v >= 0)
        crossing[crossing] = country[at_u[crossing]] != country[at_v[crossing]]
        land = {
            (ends_u[i], ends_v[i]) for i in first[crossing].tolist() if modes[i] in ("rail", "road")
        }
        land |= {(v, u) for u, v in land}
        priced = specific | both
        uncovered = sorted(f"{u}>{v}" for u, v in land if (u, v) not in priced)
        # the links that may join a border row's two nodes: those with one of them at an end
        ends = {node for pair in specific | both for node in pair}
        near = [i for i in first.tolist() if ends_u[i] in ends or ends_v[i] in ends]
        pairs = {(ends_u[i], ends_v[i]) for i in near}
        pairs |= {(v, u) for u, v in pairs}
        if uncovered:
            self.warnings.append(
                f"frictions.csv: {plural(len(uncovered), 'rail or road border crossing')} "
                "have no border row of their own, so the `*` default applies: "
                f"{', '.join(uncovered[:12])}{' ...' if len(uncovered) > 12 else ''}"
            )
        for row in borders:
            node, to_node = cell_text(row["node"]), cell_text(row["to_node"])
            if node in self.nodes and to_node in self.nodes and (node, to_node) not in pairs:
                self.warn(
                    "frictions.csv",
                    row["_line"],
                    f"border row {row['id']} is for {node} → {to_node}, but no link joins "
                    "them, so no route ever pays it",
                )
        self.check_uncited()

    def check_uncited(self) -> None:
        """Warn about sources in sources.yaml that no row or corridor cites."""
        cited: set[str] = set()
        for name, columns in TABLES.items():
            for column in columns:
                if column.name in ("source_id", "length_source_id"):
                    for value in self.rows[name].frame[column.name].tolist():
                        if isinstance(value, list) and value:
                            cited.update(id_list(value))
        for item, _ in self.corridors:
            cited.update(str(c) for c in as_list(item.get("cites") or []))
        for obs in self.observations():
            cited.update(obs.source_ids)
        cited.update(_flow_input_sources(self.data.folder))
        unused = sorted(str(i.get("id")) for i, _ in self.sources if i.get("id") not in cited)
        if unused:
            self.warnings.append(
                f"sources.yaml: {plural(len(unused), 'source')} cited by no row: "
                f"{', '.join(unused[:12])}{' ...' if len(unused) > 12 else ''}"
            )

    # -- observations (judged against the model, never inputs)

    def observations(self) -> list[Observation]:
        """Rows of observations.csv, or none when the folder has no such file or it is bad."""
        if not (self.data.folder / OBSERVATIONS_FILE).is_file():
            return []
        try:
            return read_observations(self.data.folder)
        except GeodataError:
            return []

    def check_observations(self, known: set[str]) -> None:
        """Check that observations.csv parses, its places exist and its sources resolve."""
        if not (self.data.folder / OBSERVATIONS_FILE).is_file():
            return
        try:
            rows = read_observations(self.data.folder)
        except GeodataError as err:
            where, _, message = str(err).partition(": ")
            line = where.rpartition(":")[2]
            self.add(
                "sources",
                OBSERVATIONS_FILE,
                int(line) if line.isdigit() else 0,
                message or str(err),
            )
            return
        for obs in rows:
            for column, places in (
                ("origin", [obs.origin]),
                ("destination", [obs.destination]),
                ("via", list(obs.via)),
            ):
                for place in places:
                    if place not in self.nodes:
                        self.add(
                            "sources",
                            OBSERVATIONS_FILE,
                            obs.line,
                            f"{column} {place!r} of observation {obs.id!r} is not a node id "
                            f"in nodes.csv{like(place, self.nodes)}",
                        )
            for sid in obs.source_ids:
                if sid not in known:
                    self.add(
                        "sources",
                        OBSERVATIONS_FILE,
                        obs.line,
                        f"observation {obs.id!r} cites {sid!r}, which is not in sources.yaml",
                    )


def _flow_input_sources(folder: Path) -> set[str]:
    """Source ids cited by the flow-assignment tables (read and checked by the flows stage)."""
    paths = [folder / "capacities.csv", folder / "flow_observations.csv"]
    paths += sorted((folder / "demand").glob("*.csv")) if (folder / "demand").is_dir() else []
    out: set[str] = set()
    for path in paths:
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as f:
                for row in csv.DictReader(f):
                    out.update(
                        s.strip() for s in (row.get("source_id") or "").split("|") if s.strip()
                    )
    return out
