"""What a route query returns: a route with its legs and totals, and a corridor comparison."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corridors.data.vocabulary import is_transfer
from corridors.graph.cost_model import Component
from corridors.graph.driving_rules import REST_KINDS
from corridors.graph.places import Place, PlaceInfo
from corridors.routing.objectives import OBJECTIVES
from corridors.routing.views import view

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from corridors.graph.network import Network


LEG_COLUMNS = [
    "kind",
    "mode",
    "from",
    "to",
    "from_name",
    "to_name",
    "country",
    "distance_km",
    "time_h",
    "cost_usd",
    "co2_kg",
    "gauge_mm",
    "status",
    "link_id",
    "friction_id",
    "friction_ids",
    "source_ids",
    "note",
]


def percent(share: float) -> str:
    """Return a share as a whole percentage, rounded down (59.8% is 59%, under a 60% bar)."""
    return f"{math.floor(share * 100 + 1e-9)}%"


#: A haul's key in a route's lines: (link id, from node, to node).
HaulKey = tuple[str, str, str]


class HaulLines(Mapping[HaulKey, Any]):
    """A route's haul lines (shapely), drawn from its network when first read.

    Answering a route needs no lines, so shapely is imported only for a map, a GeoDataFrame
    or a file that draws them. A copy or a pickle holds the lines themselves, not the
    network.

    Parameters
    ----------
    net
        The network the route was found on.
    wanted
        ``(link id, from, to)`` of each haul travelled.
    """

    def __init__(self, net: Network, wanted: list[HaulKey]) -> None:
        self._net = net
        self._wanted = wanted
        self._lines: dict[HaulKey, Any] | None = None

    def _drawn(self) -> dict[HaulKey, Any]:
        if self._lines is None:
            self._lines = self._net.link_geometry(self._wanted)
        return self._lines

    def __getitem__(self, key: HaulKey) -> Any:
        return self._drawn()[key]

    def __iter__(self) -> Iterator[HaulKey]:
        return iter(self._drawn())

    def __len__(self) -> int:
        return len(self._drawn())

    def __reduce__(self) -> tuple[type[dict[HaulKey, Any]], tuple[dict[HaulKey, Any]]]:
        return dict, (dict(self._drawn()),)

    def __repr__(self) -> str:
        return f"<HaulLines of {len(self._wanted)} hauls>"


@dataclass
class Route:
    """A route: its legs (hauls, waits and frictions in travel order) and their totals.

    Attributes
    ----------
    origin, destination
        The resolved places.
    by
        The objective the route minimises.
    profile
        The cargo profile id the costs are for.
    components
        Every cost item in travel order.
    corridor
        Id of the named corridor the route follows, if any: most of its km run on the
        corridor's links (or, in a comparison, the corridor it was routed along).
    closest
        The closest named corridor and the share of the route's km on it.
    value_of_time
        USD per unit per hour used for the generalized cost.
    """

    origin: Place
    destination: Place
    by: str
    profile: str
    components: list[Component]
    places: Mapping[str, PlaceInfo] = field(repr=False)
    value_of_time: float = 0.0
    corridor: str | None = None
    #: the named corridor closest to the route and the share of the route's haul km on its
    #: links (see :mod:`corridors.routing.corridor_match`)
    closest: tuple[str, float] | None = None
    #: line of each haul, keyed by (link id, from node, to node)
    haul_geometry: Mapping[HaulKey, Any] = field(default_factory=dict, repr=False)
    #: routing-graph edge indices of the path (empty for routes not built by a solver)
    edges: list[int] = field(default_factory=list, repr=False)

    # -- totals ---------------------------------------------------------------------------
    @property
    def distance_km(self) -> float:
        """Total distance in km."""
        return float(math.fsum(c.distance_km for c in self.components))

    @property
    def time_h(self) -> float:
        """Total time in hours, frictions included."""
        return float(math.fsum(c.time_h for c in self.components))

    @property
    def cost_usd(self) -> float:
        """Total cost in USD per unit of the cargo profile."""
        return float(math.fsum(c.cost_usd for c in self.components))

    @property
    def co2_kg(self) -> float:
        """Total emissions in kg CO2 per unit of the cargo profile."""
        return float(math.fsum(c.co2_kg for c in self.components))

    @property
    def driving_h(self) -> float:
        """Hours trucks are driven (the road hauls)."""
        return float(
            math.fsum(c.time_h for c in self.components if c.kind == "haul" and c.mode == "road")
        )

    @property
    def rest_h(self) -> float:
        """Hours truck crews stand for breaks, daily and weekly rests (included in time_h)."""
        return float(math.fsum(c.time_h for c in self.components if c.kind in REST_KINDS))

    @property
    def generalized_usd(self) -> float:
        """Cost plus value of time × time, in USD per unit."""
        return self.cost_usd + self.value_of_time * self.time_h

    def total(self, by: str) -> float:
        """Return the total of one objective (``time``, ``cost``, ``distance``...)."""
        return float(
            OBJECTIVES[by].of(
                self.time_h, self.cost_usd, self.distance_km, self.co2_kg, self.value_of_time
            )
        )

    @property
    def totals(self) -> dict[str, float]:
        """Totals of distance, time, cost, CO2 and generalized cost."""
        return {
            "distance_km": round(self.distance_km, 3),
            "time_h": round(self.time_h, 3),
            "cost_usd": round(self.cost_usd, 2),
            "co2_kg": round(self.co2_kg, 3),
            "generalized_usd": round(self.generalized_usd, 2),
        }

    # -- structure ------------------------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        """Places passed, in order."""
        out: list[str] = []
        for comp in self.components:
            if comp.kind != "haul":
                continue  # frictions restate places a haul already reached
            for node in (comp.from_node, comp.to_node):
                if not out or out[-1] != node:
                    out.append(node)
        if not out:
            out = [self.origin.node]
        return out

    @property
    def link_ids(self) -> list[str]:
        """Physical links used, in order."""
        return [c.link_id for c in self.components if c.kind == "haul" and c.link_id]

    @property
    def countries(self) -> list[str]:
        """Countries entered, in order (sea legs are in no country)."""
        out: list[str] = []
        for comp in self.components:
            if comp.kind == "haul":
                for node in (comp.from_node, comp.to_node):
                    code = self._country(node)
                    if code and (not out or out[-1] != code):
                        out.append(code)
        return out

    def _country(self, node: str) -> str:
        info = self.places.get(node)
        return info.country if info else ""

    @property
    def border_crossings(self) -> list[dict[str, Any]]:
        """Border crossings in order: places, countries, mode, time and fee."""
        out = []
        for comp in self.components:
            if comp.kind == "border":
                a, b = comp.country.split(">") if ">" in comp.country else ("", "")
                out.append(
                    {
                        "from": comp.from_node,
                        "to": comp.to_node,
                        "from_country": a,
                        "to_country": b,
                        "mode": comp.mode,
                        "time_h": comp.time_h,
                        "fee_usd": comp.cost_usd,
                        "source_ids": list(comp.source_ids),
                    }
                )
        return out

    @property
    def transfers(self) -> list[dict[str, Any]]:
        """Gauge breaks, mode transfers and port lifts, in order."""
        return [
            {
                "kind": c.kind,
                "at": c.from_node,
                "modes": c.mode,
                "time_h": c.time_h,
                "fee_usd": c.cost_usd,
                "source_ids": list(c.source_ids),
            }
            for c in self.components
            if is_transfer(c.kind)
        ]

    # -- tables ---------------------------------------------------------------------------
    def leg_rows(self) -> list[dict[str, Any]]:
        """Return the legs as plain rows (the columns of :meth:`leg_frame`, without pandas)."""
        return [
            {
                "kind": c.kind,
                "mode": c.mode,
                "from": c.from_node,
                "to": c.to_node,
                "from_name": self.place_name(c.from_node),
                "to_name": self.place_name(c.to_node),
                "country": c.country,
                "distance_km": c.distance_km,
                "time_h": c.time_h,
                "cost_usd": c.cost_usd,
                "co2_kg": c.co2_kg,
                "gauge_mm": c.gauge_mm,
                "status": c.status,
                "link_id": c.link_id,
                "friction_id": c.friction_id,
                # every row the leg charges: a border's exit and entry rows
                "friction_ids": "|".join(c.charged_rows),
                "source_ids": "|".join(c.source_ids),
                "note": c.note,
            }
            for c in self.components
        ]

    def leg_frame(self) -> pd.DataFrame:
        """Return the legs as a DataFrame (no geometry; see :attr:`legs` for that)."""
        import pandas as pd

        return pd.DataFrame(self.leg_rows(), columns=LEG_COLUMNS)

    @property
    def legs(self) -> gpd.GeoDataFrame:
        """The legs as a GeoDataFrame (EPSG:4326): lines for hauls, points for frictions."""
        import geopandas as gpd
        from shapely.geometry import LineString, Point

        frame = self.leg_frame()
        geoms = []
        for c in self.components:
            line = self.haul_geometry.get((c.link_id or "", c.from_node, c.to_node))
            if c.kind == "haul" and line is not None:
                geoms.append(line)
            elif c.kind == "haul":
                a, b = self.xy(c.from_node), self.xy(c.to_node)
                geoms.append(LineString([a, b]))
            else:
                geoms.append(Point(self.xy(c.from_node)))
        return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")

    def xy(self, node: str) -> tuple[float, float]:
        """Return a node's lon, lat (a snapped end's own point for an access leg's end)."""
        if node in self.places:
            return self.places[node].x, self.places[node].y
        # the user's own point at the outer end of an access leg
        end = self.origin if node == f"@{self.origin.query}" else self.destination
        return end.lon, end.lat

    def place_name(self, node: str, default: str | None = None) -> str:
        """Return a node's name (``default``, else the id, for a node not in the network)."""
        info = self.places.get(node)
        if info:
            return info.name
        return default if default is not None else node.lstrip("@")

    def to_dict(self) -> dict[str, Any]:
        """Return the route as plain data (what ``--json`` prints for each route)."""
        legs = [
            {
                "from": c.from_node,
                "to": c.to_node,
                "kind": c.kind,
                "mode": c.mode,
                "country": c.country,
                "distance_km": round(c.distance_km, 3),
                "time_h": round(c.time_h, 3),
                "cost_usd": round(c.cost_usd, 2),
                "co2_kg": round(c.co2_kg, 3),
                "status": c.status,
                "gauge_mm": c.gauge_mm,
                "link_id": c.link_id,
                "friction_id": c.friction_id,
                # a crossing names its exit and entry rows; its time is their mean
                "friction_ids": list(c.charged_rows),
                "source_ids": list(c.source_ids),
            }
            for c in self.components
        ]
        out: dict[str, Any] = {
            "origin": self.origin.node,
            "destination": self.destination.node,
            "by": self.by,
            "profile": self.profile,
            "totals": self.totals,
            "driving_h": round(self.driving_h, 3),
            "rest_h": round(self.rest_h, 3),
            "legs": legs,
            "countries": self.countries,
            "border_crossings": self.border_crossings,
            "transfers": self.transfers,
        }
        if self.corridor:
            out["corridor"] = self.corridor
        if self.closest:
            out["closest_corridor"] = self.closest[0]
            out["closest_corridor_share"] = round(self.closest[1], 3)
        return out

    def to_json(self, **kwargs: Any) -> str:
        """Return :meth:`to_dict` as JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def summary(self) -> str:
        """Return a one-line summary of the route."""
        o = self.place_name(self.origin.node)
        d = self.place_name(self.destination.node)
        corridor = f" [{self.label}]" if self.label else ""
        rest = self.rest_h
        resting = f", {rest:,.1f} h of it crew rest" if rest > 0 else ""
        return (
            f"{o} → {d} by {self.by}{corridor}: {self.distance_km:,.0f} km, "
            f"{self.time_h:,.1f} h ({self.time_h / 24:.1f} d{resting}), "
            f"USD {self.cost_usd:,.0f}, "
            f"{self.co2_kg:,.0f} kg CO2 per {self.profile}; "
            f"{'→'.join(self.countries)}; {len(self.border_crossings)} border(s), "
            f"{len(self.transfers)} transfer(s)"
        )

    @property
    def label(self) -> str:
        """The corridor the route follows with its share of the route's km, or the closest."""
        if self.corridor and self.closest and self.closest[0] == self.corridor:
            return f"{self.corridor}, {percent(self.closest[1])} of km on it"
        if self.corridor:
            return self.corridor
        if self.closest:
            return (
                f"no named corridor; closest {self.closest[0]}, "
                f"{percent(self.closest[1])} of km on it"
            )
        return "no named corridor"

    def __str__(self) -> str:
        return self.summary()

    def explore(self, net: Network | None = None, **kwargs: Any) -> Any:
        """Return an interactive folium map of the route (see ``corridors.maps.interactive``).

        ``net`` is the network the route was found on (the shipped one by default).
        """
        return view("Route.explore", self, net, **kwargs)

    def plot(self, net: Network | None = None, **kwargs: Any) -> Any:
        """Return a static matplotlib figure of the route (see ``corridors.maps.static``)."""
        return view("Route.plot", self, net, **kwargs)

    def __rich__(self) -> Any:
        return view("Route.rich", self)

    def _repr_html_(self) -> str:
        return str(view("Route.html", self))


@dataclass
class Comparison:
    """Named corridors side by side between one origin and destination.

    Attributes
    ----------
    origin, destination
        The resolved places.
    routes
        Route per corridor id (missing where the corridor cannot serve the pair).
    reasons
        Why a corridor has no route, per corridor id.
    shares
        Share of each row's route km on the corridor's links.
    """

    origin: Place
    destination: Place
    by: str
    profile: str
    routes: dict[str, Route]
    reasons: dict[str, str]
    names: dict[str, str]
    #: share of each corridor row's route km on that corridor's links
    shares: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return one row per corridor: totals, borders, transfers, countries."""
        rows: list[dict[str, Any]] = []
        for cid, name in self.names.items():
            r = self.routes.get(cid)
            if r is None:
                rows.append({"corridor": cid, "name": name, "note": self.reasons.get(cid, "")})
                continue
            rows.append(
                {
                    "corridor": cid,
                    "name": name,
                    "distance_km": round(r.distance_km, 1),
                    "time_h": round(r.time_h, 1),
                    "time_d": round(r.time_h / 24, 2),
                    "cost_usd": round(r.cost_usd, 0),
                    "co2_kg": round(r.co2_kg, 1),
                    "borders": len(r.border_crossings),
                    "transfers": len(r.transfers),
                    "countries": "→".join(r.countries),
                    "corridor_share": round(self.shares[cid], 3) if cid in self.shares else None,
                    "note": "",
                }
            )
        import pandas as pd

        frame = pd.DataFrame(rows)
        if "time_h" in frame:
            # the table has no generalized cost column: rank those by time
            key = OBJECTIVES[self.by].total if OBJECTIVES[self.by].total in frame else "time_h"
            frame = frame.sort_values(key, na_position="last", kind="stable")
        return frame.reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as plain data."""
        return {
            "origin": self.origin.node,
            "destination": self.destination.node,
            "by": self.by,
            "profile": self.profile,
            # each route says which row it is: "best", or the corridor it was routed along
            "routes": [{"key": k, **r.to_dict()} for k, r in self.routes.items()],
            "unavailable": self.reasons,
            "corridor_shares": {k: round(v, 3) for k, v in self.shares.items()},
        }

    def __rich__(self) -> Any:
        return view("Comparison.rich", self)

    def _repr_html_(self) -> str:
        return str(self.to_frame().to_html(index=False, na_rep=""))
