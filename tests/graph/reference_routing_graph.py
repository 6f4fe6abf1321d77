"""The routing-graph builder before it worked on columns, kept to check the new one against.

It walks the physical ``networkx`` graph and adds one edge at a time; the tests compare every
array and every edge's components of its graph with those of
:func:`corridors.graph.routing_graph.build_routing_graph`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cached_property
from typing import Any

import numpy as np

from corridors.data.vocabulary import TRANSFER_NODE_KINDS, is_water
from corridors.graph.cost_model import Component, Lookup, border_component, friction_component
from corridors.graph.driving_rules import CREWS, rules_from_geodata
from corridors.graph.edge_components import ColumnsBuilder, EdgeComponents
from corridors.graph.network import Network
from corridors.graph.profiles import Profile
from corridors.graph.routing_graph import DESTINATION, HELD, ORIGIN, RoutingGraph
from corridors.graph.timetables import timetables_from_geodata


def _wait(
    node: str,
    mode: str,
    country: str,
    link_id: str,
    hours: float,
    source_ids: tuple[str, ...],
    note: str,
) -> Component:
    """Return the wait for a departure at ``node`` before sailing ``link_id``."""
    return Component(
        kind="wait",
        from_node=node,
        to_node=node,
        mode=mode,
        country=country,
        distance_km=0.0,
        time_h=hours,
        cost_usd=0.0,
        co2_kg=0.0,
        link_id=link_id,
        source_ids=source_ids,
        note=note,
    )


#: The edge arrays of a routing graph and their types.
_EDGE_COLUMNS: dict[str, Any] = {
    "src": np.int64,
    "dst": np.int64,
    "kind": object,
    "link_id": object,
    "mode": object,
    "status": object,
    "open_year": np.float64,
    "u_place": object,
    "v_place": object,
    "u_country": object,
    "v_country": object,
    "distance_km": np.float64,
    "time_h": np.float64,
    "cost_usd": np.float64,
    "co2_kg": np.float64,
}


def _column(values: list[Any], dtype: Any) -> np.ndarray:
    if dtype is object:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.asarray(values, dtype=dtype)


def _layer(mode: str, gauge: Any) -> str:
    if mode == "rail":
        if gauge is None or (isinstance(gauge, float) and math.isnan(gauge)):
            return "rail:?"
        return f"rail:{int(gauge)}"
    return mode


def _layer_mode(layer: str) -> str:
    return layer.split(":", 1)[0]


class ReferenceBuilder:
    """The routing-graph builder as it was: one edge at a time over the physical graph."""

    def __init__(self, net: Network, profile: Profile) -> None:
        self.net = net
        self.G = net.G
        self.profile = profile
        self.look = Lookup(net.geodata, profile)
        self.timetables = timetables_from_geodata(net.geodata)
        self.vnodes: list[tuple[str, str]] = []
        self.index: dict[tuple[str, str], int] = {}
        self.cols: dict[str, list[Any]] = {name: [] for name in _EDGE_COLUMNS}
        self.comps = ColumnsBuilder()
        self.items: list[int] = []
        self.start: list[int] = [0]

    def node(self, place: str, layer: str) -> int:
        key = (place, layer)
        if key not in self.index:
            self.index[key] = len(self.vnodes)
            self.vnodes.append(key)
        return self.index[key]

    def country(self, place: str) -> str:
        return self.countries[place]

    @cached_property
    def countries(self) -> dict[str, str]:
        return {node: str(data.get("country") or "") for node, data in self.G.nodes(data=True)}

    def terminal(self, place: str) -> bool:
        """Whether the default mode transfer applies at ``place`` (see TRANSFER_NODE_KINDS)."""
        return str(self.G.nodes[place].get("kind") or "") in TRANSFER_NODE_KINDS

    def edge(
        self,
        a: int,
        b: int,
        kind: str,
        comps: list[Component],
        *,
        link_id: str = "",
        mode: str = "",
        status: str = "operational",
        open_year: float = math.nan,
    ) -> None:
        ua, vb = self.vnodes[a][0], self.vnodes[b][0]
        for name, value in (
            ("src", a),
            ("dst", b),
            ("kind", kind),
            ("link_id", link_id),
            ("mode", mode),
            ("status", status),
            ("open_year", open_year),
            ("u_place", ua),
            ("v_place", vb),
            ("u_country", self.country(ua)),
            ("v_country", self.country(vb)),
            ("distance_km", sum(c.distance_km for c in comps)),
            ("time_h", sum(c.time_h for c in comps)),
            ("cost_usd", sum(c.cost_usd for c in comps)),
            ("co2_kg", sum(c.co2_kg for c in comps)),
        ):
            self.cols[name].append(value)
        self.items.extend(self.comps.add(c) for c in comps)
        self.start.append(len(self.items))

    def link_components(self, u: str, v: str, data: dict[str, Any]) -> list[Component]:
        mode = str(data["mode"])
        km = float(data["length_km"])
        cu, cv = self.country(u), self.country(v)
        water = is_water(mode)
        haul_country = "" if water else cu
        link_ids = tuple(data.get("source_id") or ())
        comps: list[Component] = []
        speed_ids: tuple[str, ...] = ()
        headway = data.get("headway_h")
        sails = self.timetables.get((str(data["link_id"]), u)) if water else None
        if sails is not None:
            comps.append(
                _wait(
                    u,
                    mode,
                    cu,
                    str(data["link_id"]),
                    sails.expected_wait_h(),
                    sails.source_ids,
                    f"expected wait for a sailing ({sails.describe()}; {sails.id})",
                )
            )
        elif mode == "ferry" and headway is not None and not math.isnan(headway):
            comps.append(
                _wait(
                    u,
                    mode,
                    cu,
                    str(data["link_id"]),
                    float(headway) / 2.0,
                    link_ids,
                    "waiting for a departure: half the headway",
                )
            )
        sailing = data.get("sailing_h")
        speed = data.get("speed_kph")
        if water and sailing is not None and not math.isnan(sailing):
            hours = float(sailing)
        else:
            if speed is None or math.isnan(speed):
                speed, speed_ids = self.look.speed(mode, cu)
            hours = km / float(speed)
        per_km, per_unit, rate_ids = self.look.rate(str(data["link_id"]), mode, cu)
        co2_km, co2_ids = self.look.co2_per_km(mode)
        gauge = data.get("gauge_mm")
        comps.append(
            Component(
                kind="haul",
                from_node=u,
                to_node=v,
                mode=mode,
                country=haul_country,
                distance_km=km,
                time_h=hours,
                cost_usd=per_km * km + per_unit,
                co2_kg=co2_km * km,
                gauge_mm=None if gauge is None or math.isnan(gauge) else int(gauge),
                status=str(data["status"]),
                link_id=str(data["link_id"]),
                source_ids=tuple(dict.fromkeys(link_ids + speed_ids + rate_ids + co2_ids)),
            )
        )
        if cu != cv:
            rows = self.look.border_rows(u, v, (cu, cv), mode)
            border = border_component(rows, u, v, mode, f"{cu}>{cv}")
            if border is None:
                # Still a border crossing; with no row, clearance is in the port frictions.
                border = Component(
                    kind="border",
                    from_node=u,
                    to_node=v,
                    mode=mode,
                    country=f"{cu}>{cv}",
                    distance_km=0.0,
                    time_h=0.0,
                    cost_usd=0.0,
                    co2_kg=0.0,
                    note="no border row for this crossing: clearance counted in port handling"
                    if water
                    else "no border row for this crossing: no dwell or fee charged",
                )
            comps.append(border)
            risk = friction_component(self.look.risk_row(cv, mode), "risk", u, v, mode, cv)
            if risk is not None:
                comps.append(replace(risk, friction_ids=(str(risk.friction_id),)))
        return comps

    def transfer_components(self, place: str, a: str, b: str) -> list[Component] | None:
        ma, mb = _layer_mode(a), _layer_mode(b)
        country = self.country(place)
        if ma == mb == "rail":
            row = self.look.friction("gauge_break", place, mode="rail", to_mode="rail")
            comp = friction_component(row, "gauge_break", place, place, "rail", country)
        elif is_water(ma) or is_water(mb):
            water = ma if is_water(ma) else mb
            if is_water(ma) and is_water(mb):
                side = ""  # from one ship to another
            elif is_water(ma):
                side = "discharge"
            else:
                side = "load"
            row = self.look.friction("port", place, mode=water, to_mode="*", side=side)
            comp = friction_component(row, "port", place, place, f"{ma}>{mb}", country)
        else:
            row = self.look.friction("transfer", place, mode=ma, to_mode=mb)
            if row is not None and row["node"] == "*" and not self.terminal(place):
                return None
            comp = friction_component(row, "transfer", place, place, f"{ma}>{mb}", country)
        # No friction row, or only the default at a place with no terminal: not offered.
        return None if comp is None else [comp]

    def build(self) -> RoutingGraph:
        modes = set(self.profile.modes)

        def usable(data: dict[str, Any]) -> bool:
            only = data.get("profiles") or []
            return data["mode"] in modes and (not only or self.profile.id in only)

        layers: dict[str, set[str]] = {n: set() for n in self.G.nodes}
        for u, v, data in self.G.edges(data=True):
            if usable(data):
                layer = _layer(data["mode"], data.get("gauge_mm"))
                layers[u].add(layer)
                layers[v].add(layer)
        for place in sorted(layers):
            for layer in sorted(layers[place]):
                self.node(place, f"{layer}|in")
                self.node(place, f"{layer}|out")
        # border posts where cargo may change onto rail: the rail layers it boards there
        loaded: dict[str, set[str]] = {}
        for place in sorted(layers):
            if self.G.nodes[place].get("kind") != "border":
                continue
            rails = {x for x in layers[place] if _layer_mode(x) == "rail"}
            if rails and any(_layer_mode(x) != "rail" for x in layers[place]):
                loaded[place] = rails
        held: dict[str, set[str]] = {}
        for u, v, data in sorted(
            self.G.edges(data=True), key=lambda e: (str(e[2]["link_id"]), e[0], e[1])
        ):
            if not usable(data):
                continue
            layer = _layer(data["mode"], data.get("gauge_mm"))
            year = data.get("open_year")
            attrs: dict[str, Any] = {
                "link_id": str(data["link_id"]),
                "mode": str(data["mode"]),
                "status": str(data["status"]),
                "open_year": math.nan if year is None else float(year),
            }
            self.edge(
                self.index[(u, f"{layer}|out")],
                self.index[(v, f"{layer}|in")],
                "link",
                self.link_components(u, v, data),
                **attrs,
            )
            if layer in loaded.get(u, ()):
                # cargo put on the train at a border post: crossing on that train arrives
                # where it cannot go back onto the road (a truck crosses at a road crossing)
                crossing = self.country(u) != self.country(v)
                if crossing:
                    held.setdefault(v, set()).add(layer)
                self.edge(
                    self.node(u, f"{layer}{HELD}|out"),
                    self.node(v, f"{layer}{HELD if crossing else ''}|in"),
                    "link",
                    self.link_components(u, v, data),
                    **attrs,
                )
        for place in sorted(layers):
            present = sorted(layers[place])
            if not present:
                continue
            o = self.node(place, ORIGIN)
            d = self.node(place, DESTINATION)
            for layer in present:
                arrive = self.index[(place, f"{layer}|in")]
                depart = self.index[(place, f"{layer}|out")]
                load: list[Component] = []
                unload: list[Component] = []
                if is_water(_layer_mode(layer)):
                    # starting or ending on a ship means a port lift at this place
                    load = self.transfer_components(place, "road", layer) or []
                    unload = self.transfer_components(place, layer, "road") or []
                self.edge(o, depart, "start", load)
                self.edge(arrive, d, "end", unload)
                self.edge(arrive, depart, "through", [])
            for layer in sorted(held.get(place, ())):
                # arrived on a train boarded at the border post across the line: go on by
                # rail (a gauge break included) or end here, but no change onto the road
                arrive = self.index[(place, f"{layer}{HELD}|in")]
                self.edge(arrive, d, "end", [])
                self.edge(arrive, self.index[(place, f"{layer}|out")], "through", [])
                for b in present:
                    if b != layer and _layer_mode(b) == "rail":
                        comps = self.transfer_components(place, layer, b)
                        if comps is not None:
                            self.edge(arrive, self.index[(place, f"{b}|out")], "transfer", comps)
            for a in present:
                for b in present:
                    comps = self.transfer_components(place, a, b) if a != b else None
                    boards = _layer_mode(a) != "rail" and b in loaded.get(place, ())
                    if comps is not None:
                        self.edge(
                            self.index[(place, f"{a}|in")],
                            self.index[(place, f"{b}{HELD if boards else ''}|out")],
                            "transfer",
                            comps,
                        )
        arrays = {name: _column(values, _EDGE_COLUMNS[name]) for name, values in self.cols.items()}
        return RoutingGraph(
            profile=self.profile,
            vnodes=self.vnodes,
            index=self.index,
            components=EdgeComponents(
                self.comps.columns(),
                np.asarray(self.start, dtype=np.int64),
                np.asarray(self.items, dtype=np.int64),
            ),
            timetables=self.timetables,
            **arrays,
            driving_rules={
                crew: rules_from_geodata(self.net.geodata, self.profile.id, "road", crew)
                for crew in CREWS
            },
        )
