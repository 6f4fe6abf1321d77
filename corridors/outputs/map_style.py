"""Shared styles and the drawing model of the maps: links, legs, legend keys, bounds."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.data.vocabulary import MODES, STATUSES, mode_colour, mode_label
from corridors.errors import InvalidOptionError
from corridors.outputs.route_tables import mode_mix

if TYPE_CHECKING:
    from corridors.graph.network import Network
    from corridors.routing.results import Comparison, Route

    RouteInput = Route | Comparison | Iterable[Route] | None

log = logging.getLogger("corridors")


#: Attribution printed on every map (data the maps and the network derive from).
ATTRIBUTION = "© OpenStreetMap contributors; Natural Earth; GeoNames"
#: Okabe–Ito colours for routes, in the order they are used (black is kept for baselines).
ROUTE_COLOURS = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#882255",  # wine (Paul Tol's muted scheme from here on)
    "#44AA99",  # teal
    "#999933",  # olive
    "#332288",  # indigo
    "#AA4499",  # purple
    "#F0E442",  # yellow, last: faint on a light map
)
#: Colours of baseline routes on a scenario map (dashed).
BASELINE_COLOURS = ("#000000", "#56B4E9", "#CC79A7", "#D55E00", "#009E73", "#0072B2")
CLOSED_COLOUR = "#8c8c8c"
HIGHLIGHT = "#ff4fc1"  # outside the route palette, so a changed link reads as such
HIGHLIGHT_EDGE = "#9c0f6e"
WATER = "#d4e6f3"
LAND = "#f3f0e8"
BORDER_LINE = "#9a9a9a"
PORT_COLOUR = "#1f78b4"
BORDER_COLOUR = "#3a3a3a"
# Leaflet dash arrays and matplotlib line styles per link status.
DASH_HTML = {"operational": None, "under_construction": "8 6", "planned": "2 6", "closed": "1 5"}
DASH_MPL: dict[str, Any] = {
    "operational": "-",
    "under_construction": (0, (4.0, 2.5)),
    "planned": (0, (1.0, 1.8)),
    "closed": (0, (1.0, 3.0)),
}
# Lambert conformal conic for the study region (Central Asia, Caspian, Iran, Caucasus).
REGION_CRS = "+proj=lcc +lat_0=40 +lon_0=60 +lat_1=30 +lat_2=48 +datum=WGS84 +units=m +no_defs"
A4_WIDTH_IN = 8.27
PNG_DPI = 250
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "svg.fonttype": "none",  # text stays text in SVG (searchable, editable)
    "svg.hashsalt": "corridors",  # reproducible element ids
    "pdf.fonttype": 42,
    "axes.linewidth": 0.6,
}


# -- shared model ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DrawnLink:
    """One physical link as a map draws it: its attributes and lon/lat coordinates."""

    link_id: str
    mode: str
    status: str
    u: str
    v: str
    name: str
    gauge_mm: int | None
    length_km: float
    open_year: int | None
    source_ids: tuple[str, ...]
    coords: tuple[tuple[float, float], ...]


@dataclass
class DrawnLeg:
    """One leg of a route as a map draws it: a haul or a stop, its totals and coordinates."""

    kind: str
    mode: str
    from_node: str
    to_node: str
    from_name: str
    to_name: str
    country: str
    distance_km: float
    time_h: float
    cost_usd: float
    co2_kg: float
    gauge_mm: int | None
    status: str
    link_id: str
    friction_ids: str
    source_ids: str
    note: str
    coords: tuple[tuple[float, float], ...]


@dataclass
class Drawn:
    """A route to draw, with its label, colour, legs, cargo unit and whether it is a baseline."""

    route: Route
    label: str
    colour: str
    baseline: bool
    legs: list[DrawnLeg] = field(default_factory=list)
    unit: str = ""
    #: lowest objective of the routes drawn for its OD pair
    best: bool = False

    @property
    def hauls(self) -> list[DrawnLeg]:
        """Haul legs with at least two coordinates, drawn as lines."""
        return [leg for leg in self.legs if leg.kind == "haul" and len(leg.coords) >= 2]

    @property
    def stops(self) -> list[DrawnLeg]:
        """Legs other than hauls (borders, ports, transfers) that have coordinates."""
        return [leg for leg in self.legs if leg.kind != "haul" and leg.coords]

    def totals(self) -> str:
        """Return the route's distance, time and cost per cargo unit as one line of text."""
        r = self.route
        return (
            f"{r.distance_km:,.0f} km, {r.time_h:,.0f} h ({r.time_h / 24:.1f} d), "
            f"USD {r.cost_usd:,.0f} per {self.unit or r.profile}"
        )


@dataclass(frozen=True)
class Key:
    """One legend entry: a line, a point or a highlight."""

    section: str
    label: str
    kind: str  # line | point | halo
    colour: str
    status: str = "operational"
    width: float = 2.0
    edge: str = "#ffffff"
    size: float = 5.0
    detail: str = ""


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def id_tuple(value: Any) -> tuple[str, ...]:
    """Return the non-empty ids of a ``|``-separated string or an iterable; () otherwise."""
    if isinstance(value, str):
        return tuple(p for p in value.split("|") if p)
    if isinstance(value, Iterable):
        return tuple(str(p) for p in value if str(p))
    return ()


def node_name(net: Network, node: str) -> str:
    """Return a node's name, or its id if it has none."""
    data = net.G.nodes.get(node) or {}
    return str(data.get("name") or node)


def drawn_links(net: Network) -> list[DrawnLink]:
    """Return each physical link once, with its geometry oriented as first stored."""
    out: dict[str, DrawnLink] = {}
    for u, v, data in net.G.edges(data=True):
        link_id = str(data.get("link_id") or f"{u}-{v}")
        if link_id in out:
            continue
        geom = data.get("geometry")
        if geom is not None:
            coords = tuple((float(x), float(y)) for x, y, *_ in geom.coords)
        else:
            a, b = net.G.nodes[u], net.G.nodes[v]
            coords = ((float(a["x"]), float(a["y"])), (float(b["x"]), float(b["y"])))
        out[link_id] = DrawnLink(
            link_id=link_id,
            mode=str(data.get("mode") or ""),
            status=str(data.get("status") or "operational"),
            u=str(u),
            v=str(v),
            name=f"{node_name(net, u)} – {node_name(net, v)}",
            gauge_mm=_int(data.get("gauge_mm")),
            length_km=_num(data.get("length_km")) or 0.0,
            open_year=_int(data.get("open_year")),
            source_ids=id_tuple(data.get("source_id")),
            coords=coords,
        )
    return sorted(out.values(), key=lambda link: link.link_id)


def _as_routes(given: RouteInput, what: str) -> list[tuple[Route, str | None]]:
    """Normalise a Route, a Comparison or an iterable of routes to (route, label) pairs."""
    from corridors.routing.results import Comparison, Route

    value: Any = given
    if value is None:
        return []
    if isinstance(value, Route):
        return [(value, None)]
    if isinstance(value, Comparison):
        # labelled by what each route is (its mode mix), not by the corridor's name alone
        return [(r, None) for r in value.routes.values()]
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"{what} must be a Route, a Comparison or a list of routes, not {value!r}"
        raise InvalidOptionError(msg)
    out: list[tuple[Route, str | None]] = []
    for item in value:
        if isinstance(item, Route):
            out.append((item, None))
        elif isinstance(item, Comparison):
            out += _as_routes(item, what)
        else:
            msg = f"{what} must hold Route objects; got {type(item).__name__}"
            raise InvalidOptionError(msg)
    return out


def _default_label(net: Network, route: Route) -> str:
    """Label a route by what it is: the corridor it follows (if any) and its real mode mix."""
    if route.corridor:
        return f"{route.corridor}: {mode_mix(route)}"
    o = route.place_name(route.origin.node, route.origin.label)
    d = route.place_name(route.destination.node, route.destination.label)
    return f"{o} → {d}: {mode_mix(route)}"


def corridor_name(net: Network, route: Route) -> str:
    """Return the name of the corridor a route follows, or ``""``."""
    for spec in net.geodata.corridors:
        if route.corridor and str(spec.get("id")) == route.corridor:
            return str(spec.get("name") or route.corridor)
    return ""


def _best_of_pairs(routes: list[Route]) -> set[int]:
    """Return the routes with the lowest objective of two or more for one OD pair."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, r in enumerate(routes):
        groups.setdefault((r.origin.node, r.destination.node, r.by), []).append(i)
    best = set()
    for members in groups.values():
        if len(members) > 1:
            best.add(min(members, key=lambda i: (routes[i].total(routes[i].by), i)))
    return best


def _route_legs(route: Route) -> list[DrawnLeg]:
    legs = route.legs
    out: list[DrawnLeg] = []
    for row in legs.to_dict("records"):
        geom = row["geometry"]
        coords: tuple[tuple[float, float], ...] = ()
        if geom is not None and not geom.is_empty:
            coords = tuple((float(x), float(y)) for x, y, *_ in geom.coords)
        out.append(
            DrawnLeg(
                kind=str(row["kind"]),
                mode=str(row["mode"] or ""),
                from_node=str(row["from"]),
                to_node=str(row["to"]),
                from_name=str(row["from_name"]),
                to_name=str(row["to_name"]),
                country=str(row["country"] or ""),
                distance_km=_num(row["distance_km"]) or 0.0,
                time_h=_num(row["time_h"]) or 0.0,
                cost_usd=_num(row["cost_usd"]) or 0.0,
                co2_kg=_num(row["co2_kg"]) or 0.0,
                gauge_mm=_int(row["gauge_mm"]),
                status=str(row["status"] or ""),
                link_id=str(row["link_id"] or ""),
                friction_ids=str(row["friction_ids"] or ""),
                source_ids=str(row["source_ids"] or ""),
                note=str(row["note"] or "") if row["note"] == row["note"] else "",
                coords=coords,
            )
        )
    return out


def prepare(
    net: Network,
    routes: RouteInput,
    baseline: RouteInput,
    labels: Sequence[str] | str | None,
) -> list[Drawn]:
    """Pair routes with labels and colours: scenario routes first, then the baseline."""
    main = _as_routes(routes, "routes")
    base = _as_routes(baseline, "baseline")
    given: list[str] = [labels] if isinstance(labels, str) else list(labels or [])
    total = len(main) + len(base)
    if given and len(given) != total:
        msg = (
            f"labels has {len(given)} item(s) but there are {total} route(s) "
            f"({len(main)} route(s) + {len(base)} baseline route(s)); give one label per route"
        )
        raise InvalidOptionError(msg)
    drawn: list[Drawn] = []
    units: dict[str, str] = {}

    def unit(profile: str) -> str:
        if profile not in units:
            try:
                units[profile] = net.profile(profile).unit
            except Exception:  # a route from another network's profile
                units[profile] = profile
        return units[profile]

    best = _best_of_pairs([route for route, _ in main])
    for i, (route, own) in enumerate(main):
        label = given[i] if given else own or _default_label(net, route)
        if i in best:
            label = f"★ best by {route.by}: {label}"
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        drawn.append(Drawn(route, label, colour, False, _route_legs(route), unit(route.profile)))
        drawn[-1].best = i in best
    for j, (route, own) in enumerate(base):
        label = given[len(main) + j] if given else own or _default_label(net, route)
        colour = BASELINE_COLOURS[j % len(BASELINE_COLOURS)]
        drawn.append(Drawn(route, label, colour, True, _route_legs(route), unit(route.profile)))
    if base and main:
        for d in drawn:
            d.label = f"{'Baseline' if d.baseline else 'Scenario'}: {d.label}"
    return drawn


def changed_link_ids(
    net: Network, changed_links: Iterable[str] | str, links: list[DrawnLink]
) -> list[DrawnLink]:
    """Return the drawn links with the given ids, in order and without repeats.

    Raises InvalidOptionError, with close matches, if an id is not a link of the network.
    """
    wanted = [changed_links] if isinstance(changed_links, str) else list(changed_links or ())
    by_id = {link.link_id: link for link in links}
    unknown = [str(x) for x in wanted if str(x) not in by_id]
    if unknown:
        import difflib

        hints = difflib.get_close_matches(unknown[0], list(by_id), n=3)
        hint = f"; did you mean {', '.join(hints)}?" if hints else ""
        msg = (
            f"changed_links: unknown link id(s) {', '.join(unknown[:5])} in this network "
            f"(pass the scenario's network for links a scenario adds){hint}"
        )
        raise InvalidOptionError(msg)
    seen: dict[str, DrawnLink] = {}
    for x in wanted:
        seen.setdefault(str(x), by_id[str(x)])
    return list(seen.values())


def profile_id(net: Network, drawn: list[Drawn]) -> str:
    """Return the first route's profile, else the network's default profile, else ``*``."""
    if drawn:
        return drawn[0].route.profile
    try:
        return net.profile().id
    except Exception:  # a folder without profiles still maps
        return "*"


def frictions_at(net: Network, node: str, profile: str) -> list[dict[str, Any]]:
    """Frictions paid at ``node`` for ``profile`` (node-specific rows only)."""
    from corridors.data.geodata import records

    frame = net.geodata.frictions
    if frame.empty:
        return []
    rows = frame[
        ((frame["node"] == node) | ((frame["to_node"] == node) & (frame["direction"] == "both")))
        & frame["profile"].isin([profile, "*"])
    ]
    return records(rows)


def places(net: Network, kinds: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """Return the network's nodes of the given kinds as (id, attributes) pairs, sorted."""
    return sorted(
        (str(n), d) for n, d in net.G.nodes(data=True) if str(d.get("kind") or "") in kinds
    )


def map_bounds(drawn: list[Drawn], changed: list[DrawnLink], net: Network) -> tuple[float, ...]:
    """Lon/lat bounds of the routes and changed links, or of the network without them."""
    xs: list[float] = []
    ys: list[float] = []
    for d in drawn:
        for leg in d.legs:
            for x, y in leg.coords:
                xs.append(x)
                ys.append(y)
    for link in changed:
        for x, y in link.coords:
            xs.append(x)
            ys.append(y)
    if not xs:
        for _, data in net.G.nodes(data=True):
            xs.append(float(data["x"]))
            ys.append(float(data["y"]))
    if not xs:
        return (40.0, 25.0, 80.0, 50.0)
    return (min(xs), min(ys), max(xs), max(ys))


def legend_keys(
    drawn: list[Drawn],
    links: list[DrawnLink],
    changed: list[DrawnLink],
    *,
    show_all_modes: bool,
    show_closed: bool,
    interactive: bool = False,
) -> list[Key]:
    """Legend entries shared by the interactive and the static maps."""
    keys: list[Key] = []
    for d in drawn:
        keys.append(
            Key(
                "Routes",
                d.label,
                "line",
                d.colour,
                "under_construction" if d.baseline else "operational",
                3.0,
                detail=d.totals(),
            )
        )
    if changed:
        keys.append(Key("Routes", "changed link (scenario)", "halo", HIGHLIGHT, width=7.0))
    modes = sorted({link.mode for link in links if link.status != "closed"}, key=mode_order)
    if not show_all_modes:
        on_route = {leg.mode for d in drawn for leg in d.hauls}
        modes = [m for m in modes if m in on_route] or modes
    for mode in modes:
        keys.append(Key("Network", mode_label(mode), "line", mode_colour(mode)))
    statuses = [
        s
        for s in STATUSES
        if any(link.status == s for link in links) and (show_closed or s != "closed")
    ]
    for status in statuses:
        colour = CLOSED_COLOUR if status == "closed" else "#555555"
        keys.append(Key("Link status", STATUSES[status], "line", colour, status, 1.6))
    keys.append(Key("Places", "border crossing", "point", BORDER_COLOUR, size=4.0))
    keys.append(Key("Places", "port", "point", PORT_COLOUR, size=5.0))
    if drawn:
        keys.append(Key("Places", "route end", "point", "#ffffff", edge="#000000", size=7.0))
    if interactive and any(d.stops for d in drawn):
        keys.append(
            Key("Places", "border, port or transfer on a route", "point", "#ffffff", size=4.0)
        )
    elif any(leg.kind in ("transfer", "gauge_break") for d in drawn for leg in d.legs):
        keys.append(
            Key("Places", "transfer / gauge break", "square", "#ffffff", edge="#000000", size=5.0)
        )
    return keys


def mode_order(mode: str) -> int:
    """Return a mode's sort position in the map's mode colours; unknown modes sort last."""
    order = list(MODES)
    return order.index(mode) if mode in order else len(order)


def countries_path(net: Network) -> Path | None:
    """Return the geodata folder's countries.geojson, or None (and log it) if it is missing."""
    path = Path(net.geodata.folder) / "countries.geojson"
    if path.is_file():
        return path
    log.info("no countries.geojson in %s: the map has no country base", net.geodata.folder)
    return None


def fmt_range(value: Any, low: Any, high: Any, unit: str, money: bool = False) -> str:
    """Return a value with its unit (or in USD) and its low–high range, or "not known"."""
    v = _num(value)
    if v is None:
        return "not known"
    lo, hi = _num(low), _num(high)
    text = f"USD {v:,.2f}" if money else f"{v:,.1f} {unit}"
    if lo is not None and hi is not None and (lo, hi) != (v, v):
        text += f" ({lo:,.1f}–{hi:,.1f})" if not money else f" ({lo:,.2f}–{hi:,.2f})"
    return text


def map_title(drawn: list[Drawn], title: str | None, net: Network) -> str:
    """Return ``title`` if given, else a title naming the routes' origin and destination."""
    if title:
        return title
    main = [d for d in drawn if not d.baseline]
    if not drawn:
        return "Corridor network"
    first = (main or drawn)[0].route
    o = first.place_name(first.origin.node, first.origin.label)
    d = first.place_name(first.destination.node, first.destination.label)
    if main and len(main) < len(drawn):
        return f"{o} → {d}: baseline and scenario"
    if len(drawn) > 1:
        return f"{o} → {d}: {len(drawn)} routes compared"
    return f"{o} → {d}"


def map_subtitle(drawn: list[Drawn], net: Network) -> str:
    """Return a subtitle naming the routes' objectives and cost units, and the network."""
    n_links = len(net.geodata.links)
    data = f"network of {n_links} links, geodata {net.digest[:8]}"
    if not drawn:
        return data.capitalize()
    by = sorted({d.route.by for d in drawn})
    profiles = sorted({d.unit or d.route.profile for d in drawn})
    return f"Routes by {', '.join(by)}; costs per {', '.join(profiles)}; {data}"
