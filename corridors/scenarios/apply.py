"""Apply a scenario's changes to a copy of a network's tables and build the new network."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors.data.geodata import records
from corridors.data.vocabulary import FRICTION_KINDS
from corridors.errors import (
    AmbiguousPlaceError,
    GeodataError,
    NoRouteError,
    ScenarioError,
    UnknownPlaceError,
)
from corridors.graph.cost_model import Component, Lookup, friction_parts
from corridors.scenarios.schema import (
    FRICTION_ATTRS,
    LINK_ATTRS,
    RATE_ATTRS,
    AddLink,
    Adjust,
    CapacityChange,
    Change,
    DemandWhere,
    Growth,
    OpenClose,
    ScenarioDoc,
    Selector,
    suggest,
)
from corridors.scenarios.yaml_lines import LineMap, Loc, dotted

if TYPE_CHECKING:
    from corridors.flows.inputs import CapacityRow, DemandRow
    from corridors.graph.network import Network

#: Rows of a table may be copied (a default made specific); this marks the copies.
SCENARIO_METHOD = "scenario:given"


@dataclass
class Applied:
    """What one change did, for the log a scenario run prints."""

    index: int
    action: str
    summary: str
    links: list[str] = field(default_factory=list)
    frictions: list[str] = field(default_factory=list)
    rates: list[str] = field(default_factory=list)


@dataclass
class Edits:
    """Everything a scenario changes, accumulated over its changes."""

    tables: dict[str, pd.DataFrame]
    closed_directions: set[tuple[str, str, str]] = field(default_factory=set)
    geometry: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    log: list[Applied] = field(default_factory=list)
    changed_links: set[str] = field(default_factory=set)


class Context:
    """Lookups over the network a change is applied to."""

    def __init__(self, net: Network, edits: Edits, lines: LineMap, doc: ScenarioDoc) -> None:
        self.net = net
        self.edits = edits
        self.lines = lines
        self.doc = doc
        self.country = {str(r["id"]): str(r["country"]) for r in records(edits.tables["nodes"])}
        self._corridor_cache: dict[tuple[str, bool], Any] = {}
        self._sides: tuple[Any, dict[str, str]] | None = None

    def fail(self, loc: Loc, message: str) -> ScenarioError:
        """Return a ScenarioError whose message names the file line and key at ``loc``."""
        return ScenarioError(f"{self.lines.where(loc)}: `{dotted(loc)}`: {message}")

    @property
    def links(self) -> pd.DataFrame:
        """The links table, with the scenario's edits so far."""
        return self.edits.tables["links"]

    # -- places ---------------------------------------------------------------------------
    def node(self, name: str, loc: Loc) -> str:
        """Return the node a node id or place name resolves to (empty for a blank name).

        An unknown or ambiguous place name raises a ScenarioError at ``loc``.
        """
        if name in self.country:
            return name
        try:
            return self.net.places.resolve(name).node if name.strip() else ""
        except (UnknownPlaceError, AmbiguousPlaceError) as err:
            raise self.fail(loc, str(err)) from None

    def exact_node(self, name: str, loc: Loc) -> str:
        """Resolve a name to a node of the network itself (no snapping to a nearby node)."""
        node = self.node(name, loc)
        place = self.net.places.resolve(name) if name not in self.country else None
        if place is not None and place.access_km:
            raise self.fail(loc, f"{name!r} is not a network place (nearest is {node})")
        return node

    # -- corridors --------------------------------------------------------------------------
    def corridor_route(self, cid: str, loc: Loc, *, any_status: bool) -> Any:
        """Return the route of corridor ``cid``, cached per corridor and ``any_status``.

        With ``any_status`` the route may also use under-construction and planned links.
        """
        from corridors import routing

        known = {str(c["id"]): c for c in self.net.geodata.corridors}
        if cid not in known:
            raise self.fail(loc, f"unknown corridor {cid!r}{suggest(cid, known)}")
        key = (cid, any_status)
        if key not in self._corridor_cache:
            spec = dict(known[cid])
            if any_status:
                spec["include"] = ["operational", "under_construction", "planned"]
            try:
                self._corridor_cache[key] = routing.route_corridor(self.net, spec)
            except NoRouteError as err:
                raise self.fail(loc, f"corridor {cid} has no route here: {err}") from None
        return self._corridor_cache[key]

    # -- links ----------------------------------------------------------------------------------
    def select_links(
        self, sel: Selector, loc: Loc, *, any_status: bool = False
    ) -> tuple[list[str], set[tuple[str, str, str]]]:
        """Return matching link ids and, for one-way border selectors, the directed edges."""
        links = self.links
        keep = np.ones(len(links), dtype=bool)
        u_c = links["u"].map(self.country).to_numpy(object)
        v_c = links["v"].map(self.country).to_numpy(object)
        ids = links["id"].astype(str)
        if sel.link:
            known = set(ids)
            for i, link in enumerate(sel.link):
                if link not in known:
                    raise self.fail((*loc, "link", i), f"no link {link!r}{suggest(link, known)}")
            keep &= ids.isin(sel.link).to_numpy()
        if sel.node:
            nodes = [self.node(n, (*loc, "node", i)) for i, n in enumerate(sel.node)]
            keep &= (links["u"].isin(nodes) | links["v"].isin(nodes)).to_numpy()
        if sel.country:
            present = set(self.country.values())
            for i, code in enumerate(sel.country):
                if code not in present:
                    raise self.fail(
                        (*loc, "country", i),
                        f"no place of the network is in {code}{suggest(code, sorted(present))}",
                    )
            keep &= np.isin(u_c, sel.country) | np.isin(v_c, sel.country)
        directed: set[tuple[str, str, str]] = set()
        if sel.border:
            crossing = np.zeros(len(links), dtype=bool)
            for pair in sel.border:
                a, b = pair[:2], pair[-2:]
                hit = ((u_c == a) & (v_c == b)) | ((u_c == b) & (v_c == a))
                crossing |= hit
                if ">" in pair:
                    for row in links[hit & keep].to_dict("records"):
                        if self.country[row["u"]] == a:
                            directed.add((str(row["id"]), row["u"], row["v"]))
                        elif not row.get("oneway"):
                            directed.add((str(row["id"]), row["v"], row["u"]))
            keep &= crossing
        if sel.mode:
            keep &= links["mode"].isin(sel.mode).to_numpy()
        if sel.corridor:
            on: set[str] = set()
            for i, cid in enumerate(sel.corridor):
                found = self.corridor_route(cid, (*loc, "corridor", i), any_status=any_status)
                on |= set(found.link_ids)
            keep &= ids.isin(on).to_numpy()
        chosen = ids[keep].tolist()
        if not chosen:
            raise self.fail(loc, f"matches no link ({_describe(sel)}); check the selector")
        if directed:
            directed = {d for d in directed if d[0] in set(chosen)}
        return chosen, directed

    # -- frictions in effect ----------------------------------------------------------------
    def friction_components(self, sel: Selector, loc: Loc) -> list[tuple[str, Component]]:
        """Return ``(profile, component)`` for every friction the selector reaches."""
        profiles = [p.lower() for p in sel.profile] or list(self.net.profiles)
        for i, p in enumerate(profiles):
            if p not in self.net.profiles:
                raise self.fail(
                    (*loc, "profile", i), f"unknown profile {p!r}{suggest(p, self.net.profiles)}"
                )
        nodes = [self.node(n, (*loc, "node", i)) for i, n in enumerate(sel.node)]
        present = set(self.country.values())
        for i, code in enumerate(sel.country):
            if code not in present:
                raise self.fail((*loc, "country", i), f"no place of the network is in {code}")
        on_corridor: set[tuple[str | None, str, str]] | None = None
        if sel.corridor:
            on_corridor = set()
            for i, cid in enumerate(sel.corridor):
                found = self.corridor_route(cid, (*loc, "corridor", i), any_status=False)
                on_corridor |= {
                    (part.friction_id, part.from_node, part.to_node)
                    for c in found.components
                    for part in friction_parts(c)
                }
        all_rows = set(self.edits.tables["frictions"]["id"].astype(str))
        for i, fid in enumerate(sel.friction):
            if fid not in all_rows:
                raise self.fail(
                    (*loc, "friction", i), f"no friction {fid!r}{suggest(fid, all_rows)}"
                )
        out: list[tuple[str, Component]] = []
        seen: set[tuple[str, str | None, str, str]] = set()
        for profile in profiles:
            rg = self.net.routing_graph(profile)
            for comps in rg.components:
                for c in (part for comp in comps for part in friction_parts(comp)):
                    if c.friction_id is None or c.kind not in FRICTION_KINDS:
                        continue
                    key = (profile, c.friction_id, c.from_node, c.to_node)
                    if key in seen or not self.friction_matches(c, sel, nodes, on_corridor):
                        continue
                    seen.add(key)
                    out.append((profile, c))
        if not out:
            raise self.fail(loc, f"matches no friction in effect ({_describe(sel)})")
        return out

    def border_side(self, c: Component) -> str:
        """Return the side (``exit``/``entry``) a border component's row prices, else ``""``."""
        if c.kind != "border" or c.friction_id is None:
            return ""
        frictions = self.edits.tables["frictions"]
        # the table is replaced, not edited in place, when a change adds or copies rows
        if self._sides is None or self._sides[0] is not frictions:
            column = frictions["side"] if "side" in frictions else [None] * len(frictions)
            found = {
                str(fid): side if isinstance(side, str) else ""
                for fid, side in zip(frictions["id"], column, strict=True)
            }
            self._sides = (frictions, found)
        return self._sides[1].get(c.friction_id, "")

    def friction_matches(
        self,
        c: Component,
        sel: Selector,
        nodes: list[str],
        on_corridor: set[tuple[str | None, str, str]] | None,
    ) -> bool:
        """Return whether a friction component is one the selector picks."""
        if sel.friction and c.friction_id not in sel.friction:
            return False
        if sel.kind and c.kind not in sel.kind:
            return False
        if nodes and c.from_node not in nodes and c.to_node not in nodes:
            return False
        countries = {self.country.get(c.from_node, ""), self.country.get(c.to_node, "")}
        side = self.border_side(c)
        if side:
            # a row pricing one side of a crossing belongs to that side's country only
            countries = {self.country.get(c.from_node if side == "exit" else c.to_node, "")}
        if sel.country and not countries & set(sel.country):
            return False
        if sel.border:
            if c.kind != "border":
                return False
            a_c, b_c = self.country.get(c.from_node, ""), self.country.get(c.to_node, "")
            ok = False
            for pair in sel.border:
                a, b = pair[:2], pair[-2:]
                ok |= (a_c, b_c) == (a, b) or (">" not in pair and (a_c, b_c) == (b, a))
            if not ok:
                return False
        if sel.mode and not set(c.mode.split(">")) & set(sel.mode):
            return False
        return on_corridor is None or (c.friction_id, c.from_node, c.to_node) in on_corridor

    # -- flows ----------------------------------------------------------------------------------
    def capacity_row(self, cid: str, loc: Loc) -> CapacityRow:
        """Return the row of ``capacities.csv`` with id ``cid``; unknown ids fail at ``loc``."""
        from corridors.flows.inputs import read_capacities

        rows = {c.id: c for c in read_capacities(self.net)}
        if cid not in rows:
            raise self.fail(loc, f"no capacity {cid!r}{suggest(cid, rows)}")
        return rows[cid]

    def demand_rule(self, where: DemandWhere, loc: Loc) -> dict[str, set[str]]:
        """Return the checked criteria of a demand selector: node ids and profile ids."""
        rule: dict[str, set[str]] = {}
        for end in ("origin", "destination"):
            names = getattr(where, end)
            if names:
                rule[end] = {self.node(n, (*loc, end, k)) for k, n in enumerate(names)}
        if where.profile:
            known = list(self.net.profiles)
            for k, p in enumerate(where.profile):
                if p.lower() not in known:
                    raise self.fail(
                        (*loc, "profile", k), f"unknown profile {p!r}{suggest(p.lower(), known)}"
                    )
            rule["profile"] = {p.lower() for p in where.profile}
        if where.demand:
            rule["demand"] = set(where.demand)
        return rule


def _describe_demand(where: DemandWhere) -> str:
    return "; ".join(f"{k}={','.join(getattr(where, k))}" for k in where.given())


def _describe(sel: Selector) -> str:
    parts = [f"{k}={','.join(getattr(sel, k))}" for k in sel.given()]
    return "; ".join(parts) or "no criteria"


def _geodesic_km(points: list[tuple[float, float]]) -> float:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    lons, lats = zip(*points)
    return float(geod.line_length(list(lons), list(lats))) / 1000.0


def _circuity(links: pd.DataFrame, xy: dict[str, tuple[float, float]], mode: str) -> float:
    """Median length over geodesic distance of the data's links of one mode."""
    ratios = []
    for row in links[links["mode"] == mode].to_dict("records"):
        km = _geodesic_km([xy[row["u"]], xy[row["v"]]])
        if km > 1 and math.isfinite(row["length_km"]):
            ratios.append(float(row["length_km"]) / km)
    return float(np.median(ratios)) if ratios else 1.25


def _add_ids(row: dict[str, Any], ids: list[str]) -> None:
    have = row.get("source_id")
    have = list(have) if isinstance(have, list) else []
    row["source_id"] = list(dict.fromkeys([*have, *ids]))


def _note(row: dict[str, Any], text: str, column: str = "note") -> None:
    old = row.get(column)
    old = old if isinstance(old, str) and old else ""
    row[column] = f"{old}; {text}" if old else text


def _cite_link(links: pd.DataFrame, idx: Any, cites: list[str], text: str) -> None:
    """Add a change's sources and a note to one row of the links table."""
    row: dict[str, Any] = {"source_id": links.at[idx, "source_id"], "note": links.at[idx, "note"]}
    _add_ids(row, cites)
    _note(row, text)
    links.at[idx, "source_id"] = row["source_id"]
    links.at[idx, "note"] = row["note"]


class _Applier:
    def __init__(self, net: Network, doc: ScenarioDoc, lines: LineMap) -> None:
        tables = {k: v.copy(deep=True) for k, v in net.geodata.tables.items()}
        for name in ("links", "frictions", "rates"):
            # list cells are shared by a shallow copy; copy them too
            if "source_id" in tables[name]:
                tables[name]["source_id"] = [
                    list(v) if isinstance(v, list) else v for v in tables[name]["source_id"]
                ]
        self.edits = Edits(tables)
        self.ctx = Context(net, self.edits, lines, doc)
        self.net = net
        self.doc = doc
        self.look = Lookup(net.geodata, net.profile())

    def cites(self, change: Change) -> list[str]:
        return list(change.cites) or list(self.doc.cites)

    def check_cites(self, ids: list[str], loc: Loc) -> None:
        known = self.net.geodata.source_ids()
        for i, sid in enumerate(ids):
            if sid not in known:
                raise self.ctx.fail(
                    (*loc, i),
                    f"cites {sid!r}, which is neither a source nor a seed record"
                    f"{suggest(sid, known)}",
                )

    def run(self) -> Edits:
        self.check_cites(list(self.doc.cites), ("cites",))
        for i, change in enumerate(self.doc.changes):
            loc: Loc = ("changes", i, change.action)
            if change.cites:
                self.check_cites(list(change.cites), ("changes", i, "cites"))
            handler = getattr(self, f"do_{change.action}")
            applied = handler(i, change, change.body, loc)
            self.edits.log.append(applied)
        return self.edits

    # -- open / close ---------------------------------------------------------------------------
    def _set_status(
        self, i: int, change: Change, body: OpenClose, loc: Loc, status: str
    ) -> Applied:
        links = self.edits.tables["links"]
        ids, directed = self.ctx.select_links(body, loc, any_status=status == "operational")
        if directed:
            self.edits.closed_directions |= directed
            if status != "closed":
                raise self.ctx.fail(loc, "one-way borders (A>B) can only be closed")
            self.edits.changed_links |= {d[0] for d in directed}
            return Applied(
                i,
                "close",
                f"closed {len(directed)} link direction(s) {', '.join(body.border)}",
                links=sorted({d[0] for d in directed}),
            )
        mask = links["id"].isin(ids)
        if status == "operational":
            mask &= links["status"] != "operational"
        else:
            mask &= links["status"] != "closed"
        changed = links.loc[mask, "id"].astype(str).tolist()
        links.loc[mask, "status"] = status
        cites = self.cites(change)
        for idx in links.index[mask]:
            _cite_link(links, idx, cites, f"scenario {self.doc.name}: {status}")
        self.edits.changed_links |= set(changed)
        verb = "opened" if status == "operational" else "closed"
        already = len(ids) - len(changed)
        tail = f" ({already} already {status})" if already else ""
        return Applied(i, change.action, f"{verb} {len(changed)} link(s){tail}", links=changed)

    def do_open(self, i: int, change: Change, body: OpenClose, loc: Loc) -> Applied:
        return self._set_status(i, change, body, loc, "operational")

    def do_close(self, i: int, change: Change, body: OpenClose, loc: Loc) -> Applied:
        return self._set_status(i, change, body, loc, "closed")

    # -- add_link ----------------------------------------------------------------------------------
    def do_add_link(self, i: int, change: Change, body: AddLink, loc: Loc) -> Applied:
        t = self.edits.tables
        links = t["links"]
        if body.id in set(links["id"].astype(str)):
            raise self.ctx.fail((*loc, "id"), f"link {body.id!r} already exists; choose a new id")
        u = self.ctx.exact_node(body.u, (*loc, "u"))
        v = self.ctx.exact_node(body.v, (*loc, "v"))
        if u == v:
            raise self.ctx.fail(loc, f"u and v are the same place ({u})")
        xy = {str(r["id"]): (float(r["lon"]), float(r["lat"])) for r in records(t["nodes"])}
        points: list[tuple[float, float]] = [xy[u]]
        for j, p in enumerate(body.waypoints):
            points.append(
                xy[self.ctx.exact_node(p, (*loc, "waypoints", j))]
                if isinstance(p, str)
                else (float(p[0]), float(p[1]))
            )
        points.append(xy[v])
        sources = list(body.source_id) or self.cites(change)
        self.check_cites(sources, (*loc, "source_id"))
        if body.length_km is not None:
            km, how = float(body.length_km), "scenario:given"
        elif body.waypoints:
            km, how = _geodesic_km(points), "scenario:waypoints"
        else:
            # the median circuity of the data's links of the same mode
            factor = _circuity(links, xy, body.mode)
            km = _geodesic_km(points) * factor
            how = f"geodesic_factor:{factor:.3f}"
        row: dict[str, Any] = dict.fromkeys(links.columns)
        row.update(
            id=body.id,
            u=u,
            v=v,
            mode=body.mode,
            gauge_mm=body.gauge_mm,
            status=body.status,
            open_year=math.nan if body.open_year is None else body.open_year,
            length_km=km,
            length_km_low=math.nan,
            length_km_high=math.nan,
            length_method=how,
            length_source_id=[],
            speed_kph=math.nan if body.speed_kph is None else body.speed_kph,
            sailing_h=math.nan if body.sailing_h is None else body.sailing_h,
            headway_h=math.nan if body.headway_h is None else body.headway_h,
            capacity=math.nan,
            capacity_unit=None,
            oneway=body.oneway,
            profiles=list(body.profiles),
            source_id=sources,
            note=body.note or f"added by scenario {self.doc.name}",
            _line=0,
        )
        t["links"] = pd.concat([links, pd.DataFrame([row])], ignore_index=True)
        self.edits.geometry[body.id] = points
        self.edits.changed_links.add(body.id)
        extra = []
        if body.usd_per_unit_km is not None or body.usd_per_unit is not None:
            rates = t["rates"]
            rate = dict.fromkeys(rates.columns)
            rate.update(
                id=f"scenario-{body.id}",
                mode=body.mode,
                country=None,
                link=body.id,
                profile="*",
                usd_per_unit_km=body.usd_per_unit_km if body.usd_per_unit_km is not None else 0.0,
                usd_per_unit=body.usd_per_unit if body.usd_per_unit is not None else math.nan,
                source_id=sources,
                method=SCENARIO_METHOD,
                _line=0,
            )
            t["rates"] = pd.concat([rates, pd.DataFrame([rate])], ignore_index=True)
            extra.append("its own rate")
        cu, cv = self.ctx.country[u], self.ctx.country[v]
        if cu != cv and body.border_time_h is not None:
            frictions = t["frictions"]
            fr = dict.fromkeys(frictions.columns)
            fr.update(
                id=f"scenario-border-{body.id}",
                kind="border",
                node=u,
                to_node=v,
                mode=body.mode,
                direction="both",
                profile="*",
                time_h=body.border_time_h,
                fee_usd=math.nan if body.border_fee_usd is None else body.border_fee_usd,
                source_id=sources,
                method=SCENARIO_METHOD,
                _line=0,
            )
            for col in ("time_h_low", "time_h_high", "fee_usd_low", "fee_usd_high"):
                fr[col] = math.nan
            t["frictions"] = pd.concat([frictions, pd.DataFrame([fr])], ignore_index=True)
            extra.append(f"a {cu}-{cv} border row")
        elif cu != cv:
            extra.append(f"the default {body.mode} border row for {cu}-{cv}")
        tail = f", with {' and '.join(extra)}" if extra else ""
        return Applied(
            i, "add_link", f"added {body.mode} link {u}–{v}, {km:,.0f} km{tail}", links=[body.id]
        )

    # -- set / scale -------------------------------------------------------------------------------
    def do_set(self, i: int, change: Change, body: Adjust, loc: Loc) -> Applied:
        return self._adjust(i, change, body, loc, scale=False)

    def do_scale(self, i: int, change: Change, body: Adjust, loc: Loc) -> Applied:
        return self._adjust(i, change, body, loc, scale=True)

    def _adjust(self, i: int, change: Change, body: Adjust, loc: Loc, *, scale: bool) -> Applied:
        values = body.values()
        where = (*loc, "where")
        applied = Applied(i, change.action, "")
        parts = []
        verb = "×" if scale else "="
        cites = self.cites(change)
        if "link" in body.families():
            ids, _ = self.ctx.select_links(body.where, where)
            skipped = self._adjust_links(ids, values, scale, cites)
            applied.links = ids
            self.edits.changed_links |= set(ids)
            attrs = ", ".join(f"{a} {verb} {values[a]:g}" for a in values if a in LINK_ATTRS)
            note = f" ({skipped} without a value left alone)" if skipped else ""
            parts.append(f"{attrs} on {len(ids)} link(s){note}")
        if "friction" in body.families():
            rows = self._adjust_frictions(body.where, where, values, scale, cites)
            applied.frictions = rows
            attrs = ", ".join(f"{a} {verb} {values[a]:g}" for a in values if a in FRICTION_ATTRS)
            parts.append(f"{attrs} on {len(rows)} friction row(s)")
        if "rate" in body.families():
            rows = self._adjust_rates(body.where, where, values, scale, cites)
            applied.rates = rows
            attrs = ", ".join(f"{a} {verb} {values[a]:g}" for a in values if a in RATE_ATTRS)
            parts.append(f"{attrs} on {len(rows)} rate row(s)")
        applied.summary = "; ".join(parts)
        return applied

    def _effective_speed(self, row: dict[str, Any]) -> float:
        speed = row.get("speed_kph")
        if speed is not None and math.isfinite(speed):
            return float(speed)
        return self.look.speed(str(row["mode"]), self.ctx.country[row["u"]])[0]

    def _adjust_links(
        self, ids: list[str], values: dict[str, float], scale: bool, cites: list[str]
    ) -> int:
        links = self.edits.tables["links"]
        skipped = 0
        for idx in links.index[links["id"].isin(ids)]:
            row = links.loc[idx].to_dict()
            for attr in (a for a in values if a in LINK_ATTRS):
                old = row.get(attr)
                if attr == "speed_kph":
                    old = self._effective_speed(row)
                elif attr == "sailing_h" and not (old is not None and math.isfinite(old)):
                    old = float(row["length_km"]) / self._effective_speed(row)
                if scale and not (old is not None and math.isfinite(old)):
                    skipped += 1
                    continue
                new = float(old) * values[attr] if scale else values[attr]
                links.at[idx, attr] = new
                if attr == "length_km":
                    for bound in ("length_km_low", "length_km_high"):
                        b = row.get(bound)
                        if b is not None and math.isfinite(b) and old:
                            links.at[idx, bound] = b * new / float(old)
            _cite_link(links, idx, cites, f"scenario {self.doc.name}")
        return skipped

    def _adjust_frictions(
        self, sel: Selector, loc: Loc, values: dict[str, float], scale: bool, cites: list[str]
    ) -> list[str]:
        frictions = self.edits.tables["frictions"]
        by_id = {str(r["id"]): r for r in records(frictions)}
        targets: dict[str, dict[str, Any]] = {}
        for profile, comp in self.ctx.friction_components(sel, loc):
            row = by_id[str(comp.friction_id)]
            explicit = bool(sel.friction) and str(row["id"]) in sel.friction
            # a risk row is already one country's: it is changed where it stands
            if str(row["node"]) != "*" or explicit or comp.kind == "risk":
                targets.setdefault(str(row["id"]), row)
                continue
            # a default row: make a copy specific to this place, so only it changes
            copy = dict(row)
            suffix = f"{comp.from_node}>{comp.to_node}" if comp.kind == "border" else comp.from_node
            copy["id"] = f"{row['id']}@{suffix}"
            # a row for the entering side sits at the node the crossing enters
            side = row.get("side")
            entry = comp.kind == "border" and isinstance(side, str) and side == "entry"
            copy["node"] = comp.to_node if entry else comp.from_node
            if comp.kind == "border":
                copy["to_node"] = comp.from_node if entry else comp.to_node
            else:
                copy["to_node"] = None
            copy["direction"] = "forward" if comp.kind == "border" else row["direction"]
            if profile != "*" and str(row.get("profile") or "*") == "*":
                copy["profile"] = profile
            _note(copy, f"default row {row['id']} made specific to this place")
            copy["_line"] = 0
            targets.setdefault(str(copy["id"]), copy)
        out = []
        for fid, row in targets.items():
            for attr in (a for a in values if a in FRICTION_ATTRS):
                old = row.get(attr)
                if scale and not (old is not None and math.isfinite(old)):
                    continue
                new = float(old or 0.0) * values[attr] if scale else values[attr]
                for bound in (f"{attr}_low", f"{attr}_high"):
                    b = row.get(bound)
                    if b is not None and math.isfinite(b):
                        row[bound] = b * (
                            values[attr] if scale else (new / old if old else math.nan)
                        )
                row[attr] = new
            _add_ids(row, cites)
            _note(row, f"scenario {self.doc.name}")
            out.append(fid)
        rows = records(frictions)
        index = {str(r["id"]): k for k, r in enumerate(rows)}
        for fid, row in targets.items():
            if fid in index:
                rows[index[fid]] = row
            else:
                rows.append(row)
        self.edits.tables["frictions"] = pd.DataFrame(rows, columns=frictions.columns)
        return out

    def _adjust_rates(
        self, sel: Selector, loc: Loc, values: dict[str, float], scale: bool, cites: list[str]
    ) -> list[str]:
        rates = self.edits.tables["rates"]
        rows = records(rates)
        index = {str(r["id"]): k for k, r in enumerate(rows)}
        profiles = [p.lower() for p in sel.profile] or list(self.net.profiles)
        links = self.edits.tables["links"]
        contexts: list[tuple[str, str, str]] = []  # (link, mode, country)
        if sel.link:
            ids, _ = self.ctx.select_links(Selector(link=sel.link), (*loc,))
            for r in links[links["id"].isin(ids)].to_dict("records"):
                contexts.append((str(r["id"]), str(r["mode"]), self.ctx.country[r["u"]]))
        else:
            modes = sel.mode or sorted(set(links["mode"]))
            countries = sel.country or ["*"]
            contexts = [("", m, c) for m in modes for c in countries]
        targets: dict[str, dict[str, Any]] = {}
        current = replace(self.net.geodata, tables=dict(self.edits.tables))
        for profile in profiles:
            if profile not in self.net.profiles:
                raise self.ctx.fail((*loc, "profile"), f"unknown profile {profile!r}")
            look = Lookup(current, self.net.profile(profile))
            for link, mode, country in contexts:
                try:
                    row = dict(look.rate_row(link, mode, country))
                except GeodataError:  # no rate for this mode and profile: nothing to change
                    continue
                scope_ok = (link and row.get("link") == link) or (
                    not link and (str(row.get("country") or "*") == country)
                )
                if not scope_ok:
                    _note(row, f"general row {row['id']} made specific")
                    row["id"] = f"{row['id']}@{link or country}"
                    row["link"] = link or None
                    row["country"] = None if link else country
                    row["_line"] = 0
                if sel.profile and str(row.get("profile") or "*") not in ("*", profile):
                    continue
                targets.setdefault(str(row["id"]), row)
        if not targets:
            raise self.ctx.fail(loc, "matches no rate row; check mode, country and profile")
        for rid, row in targets.items():
            for attr in (a for a in values if a in RATE_ATTRS):
                old = row.get(attr)
                if scale and not (old is not None and math.isfinite(old)):
                    continue
                row[attr] = float(old or 0.0) * values[attr] if scale else values[attr]
            _add_ids(row, cites)
            _note(row, f"scenario {self.doc.name}")
            if rid in index:
                rows[index[rid]] = row
            else:
                index[rid] = len(rows)
                rows.append(row)
        self.edits.tables["rates"] = pd.DataFrame(rows, columns=rates.columns)
        return sorted(targets)

    # -- demand and capacity (they change what flows are assigned, not the network) ----------
    def do_growth(self, i: int, change: Change, body: Growth, loc: Loc) -> Applied:
        rule = self.ctx.demand_rule(body.where, (*loc, "where"))
        what = f" of {_describe_demand(body.where)}" if rule else ""
        return Applied(i, "growth", f"demand{what} × {body.factor:g}")

    def do_capacity(self, i: int, change: Change, body: CapacityChange, loc: Loc) -> Applied:
        row = self.ctx.capacity_row(body.id, (*loc, "id"))
        if body.tonnes is not None:
            return Applied(
                i,
                "capacity",
                f"{body.id} = {body.set:g} {body.unit} (was {row.tonnes_per_year / 1e6:g} Mt/yr)",
            )
        return Applied(i, "capacity", f"{body.id} × {body.scale:g}")

    # -- constraints ------------------------------------------------------------------------------
    def do_max_stay(self, i: int, change: Change, body: Any, loc: Loc) -> Applied:
        present = set(self.ctx.country.values())
        if body.country not in present:
            raise self.ctx.fail((*loc, "country"), f"no place of the network is in {body.country}")
        how = (
            "the route is infeasible"
            if body.on_violation == "infeasible"
            else (
                f"a driver change costs {body.driver_change_h:g} h "
                f"and USD {body.driver_change_usd:g}"
            )
        )
        return Applied(
            i,
            "max_stay",
            f"{body.mode} drivers may stay {body.days:g} days in {body.country}; beyond it {how}",
        )


def apply_changes(net: Network, doc: ScenarioDoc, lines: LineMap) -> tuple[Network, Edits]:
    """Apply ``doc``'s changes to a copy of ``net`` and return the new network.

    ``net`` is never modified: the tables are copied, and the new network has its own
    graph and routing graphs.
    """
    from corridors.data.validation import structural_problems
    from corridors.graph.network import Network as _Network

    edits = _Applier(net, doc, lines).run()
    digest = hashlib.sha256(
        (net.digest + json.dumps(doc.model_dump(mode="json"), sort_keys=True)).encode()
    ).hexdigest()
    geodata = replace(net.geodata, tables=edits.tables, digest=digest, problems=[])
    problems = structural_problems(geodata)
    if problems:
        shown = "; ".join(str(p) for p in problems[:3])
        msg = f"{lines.file}: the scenario's changes leave invalid data: {shown}"
        raise ScenarioError(msg)
    new = _Network(geodata)
    _post_build(new, edits)
    return new, edits


def _post_build(net: Network, edits: Edits) -> None:
    """Give added links their waypoint geometry and drop the closed directions."""
    from shapely.geometry import LineString

    G = net.G
    # the routing graphs are built from the tables: they leave out the same directions
    net.closed_directions = frozenset(edits.closed_directions)
    for u, v, k, data in list(G.edges(keys=True, data=True)):
        link = str(data.get("link_id"))
        if link in edits.geometry:
            coords = edits.geometry[link]
            forward = G.nodes[u]["x"] == coords[0][0] and G.nodes[u]["y"] == coords[0][1]
            data["geometry"] = LineString(coords if forward else coords[::-1])
        if (link, u, v) in edits.closed_directions:
            G.remove_edge(u, v, k)


def apply_flow_changes(
    net: Network,
    doc: ScenarioDoc,
    lines: LineMap,
    demand: list[DemandRow],
    capacities: list[CapacityRow],
) -> tuple[list[DemandRow], list[CapacityRow]]:
    """Apply ``doc``'s ``growth`` and ``capacity`` changes to demand rows and capacities.

    Changes apply in file order, so a capacity set and then scaled ends at the product.
    A capacity change whose id is not among ``capacities`` (they were given in place of
    the shipped table) fails naming the file line.

    Returns
    -------
    tuple of (list of DemandRow, list of CapacityRow)
        New lists; the inputs are not modified.
    """
    from corridors.flows.inputs import scale_demand

    ctx = Context(net, Edits({"nodes": net.geodata.tables["nodes"]}), lines, doc)
    rows, caps = list(demand), list(capacities)
    for i, change in enumerate(doc.changes):
        loc: Loc = ("changes", i, change.action)
        if change.growth is not None:
            rule = ctx.demand_rule(change.growth.where, (*loc, "where"))
            factor = change.growth.factor
            hit = [_demand_matches(r, rule) for r in rows]
            if not any(hit):
                raise ctx.fail(loc, "matches no demand row; check origin, destination, profile")
            rows = [scale_demand([r], factor)[0] if h else r for r, h in zip(rows, hit)]
        elif change.capacity is not None:
            body = change.capacity
            ids = [c.id for c in caps]
            if body.id not in ids:
                raise ctx.fail((*loc, "id"), f"no capacity {body.id!r}{suggest(body.id, ids)}")
            caps = [_changed_capacity(c, body) if c.id == body.id else c for c in caps]
    return rows, caps


def _demand_matches(row: DemandRow, rule: dict[str, set[str]]) -> bool:
    return (
        ("origin" not in rule or row.origin in rule["origin"])
        and ("destination" not in rule or row.destination in rule["destination"])
        and ("profile" not in rule or row.profile in rule["profile"])
        and ("demand" not in rule or row.id in rule["demand"])
    )


def _changed_capacity(row: CapacityRow, body: CapacityChange) -> CapacityRow:
    # a value set is the scenario's one figure (no range); a scale moves the range with it
    if body.tonnes is not None:
        value = body.tonnes
        return replace(row, tonnes_per_year=value, low_tonnes=value, high_tonnes=value)
    scale = float(body.scale or 1.0)
    return replace(
        row,
        tonnes_per_year=row.tonnes_per_year * scale,
        low_tonnes=row.low_tonnes * scale,
        high_tonnes=row.high_tonnes * scale,
    )


def growth_masks(
    scenario: Any, rows: list[DemandRow], net: Network
) -> list[tuple[Growth, npt.NDArray[np.bool_]]]:
    """Give every ``growth`` change with a distribution and the demand rows it selects.

    The scenario's bases come first, as they apply first.
    """
    out = growth_masks(scenario.base, rows, net) if scenario.base is not None else []
    doc, lines = scenario.doc, scenario.lines
    ctx = Context(net, Edits({"nodes": net.geodata.tables["nodes"]}), lines, doc)
    for i, change in enumerate(doc.changes):
        body = change.growth
        if body is None or body.distribution is None:
            continue
        rule = ctx.demand_rule(body.where, ("changes", i, "growth", "where"))
        out.append((body, np.array([_demand_matches(r, rule) for r in rows], dtype=bool)))
    return out
