"""Rich tables and HTML for routes and comparisons."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

from corridors.outputs.table_fit import Col, FitTable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Group

    from corridors.routing.results import Comparison, Route


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def mode_km(route: Route) -> dict[str, float]:
    """Return the km a route hauls by each mode, largest first."""
    km: dict[str, float] = {}
    for c in route.components:
        if c.kind == "haul" and c.distance_km:
            km[c.mode] = km.get(c.mode, 0.0) + c.distance_km
    return dict(sorted(km.items(), key=lambda item: -item[1]))


def mode_mix(route: Route, unit: bool = True) -> str:
    """Return a route's km by mode as text, e.g. ``rail 1,740 km + road 1,102 km``.

    Without ``unit`` the ``km`` is left to the column heading: ``rail 1,740 + road 1,102``.
    """
    km = " km" if unit else ""
    return " + ".join(f"{m} {v:,.0f}{km}" for m, v in mode_km(route).items()) or "no haul"


#: A route with more legs than this shows each run of consecutive hauls of one mode in one
#: country as one row: on a detailed network a route can have thousands of legs, and a
#: table of each would run to more lines than anyone reads (and take minutes to print).
MAX_LEG_ROWS = 100

#: What a row of runs of hauls adds up from its legs.
_SUMMED = ("distance_km", "time_h", "cost_usd", "co2_kg")


def shown_legs(route: Route) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """Return the rows a leg table shows, each with its leg number or numbers.

    Every leg is a row, unless the route has more than :data:`MAX_LEG_ROWS` legs; then each
    run of consecutive hauls of one mode in one country is one row (numbered ``first–last``,
    its figures summed, its sources those of its legs), and the second value says so.
    """
    rows = route.leg_rows()
    if len(rows) <= MAX_LEG_ROWS:
        return [(str(i), row) for i, row in enumerate(rows, start=1)], None
    out: list[tuple[str, dict[str, Any]]] = []
    start = 0
    while start < len(rows):
        first, end = rows[start], start + 1
        if first["kind"] == "haul":
            while end < len(rows) and _same_run(first, rows[end]):
                end += 1
        if end - start == 1:
            out.append((f"{start + 1:,}", first))
        else:
            run = rows[start:end]
            gauges = {r["gauge_mm"] for r in run}
            sources = dict.fromkeys(s for r in run for s in str(r["source_ids"]).split("|") if s)
            merged = {
                **first,
                "kind": f"{end - start:,} hauls",
                "to": run[-1]["to"],
                "to_name": run[-1]["to_name"],
                **{name: math.fsum(r[name] for r in run) for name in _SUMMED},
                "gauge_mm": first["gauge_mm"] if len(gauges) == 1 else None,
                "link_id": None,
                "source_ids": "|".join(sources),
                "note": "",
            }
            out.append((f"{start + 1:,}–{end:,}", merged))
        start = end
    note = (
        f"{len(rows):,} legs: each run of hauls of one mode in one country is one row "
        "(Route.legs lists every leg)"
    )
    return out, note


def _same_run(first: dict[str, Any], row: dict[str, Any]) -> bool:
    return row["kind"] == "haul" and (row["mode"], row["country"]) == (
        first["mode"],
        first["country"],
    )


def route_table(route: Route) -> FitTable:
    """Return a table of a route's legs with a totals row, fitted to the console's width."""
    from rich.markup import escape

    rows, note = shown_legs(route)
    table = FitTable(
        [
            Col("#", keep=2),
            Col("leg", footer="total"),
            Col("mode", keep=6),
            Col("from → to"),
            Col("country", keep=5),
            Col("km", numeric=True, keep=8, footer=_num(route.distance_km)),
            Col("h", numeric=True, footer=_num(route.time_h, 1)),
            Col("USD", numeric=True, footer=_num(route.cost_usd)),
            Col("kg CO2", numeric=True, keep=4, footer=_num(route.co2_kg)),
            Col("sources", keep=1),
        ],
        title=escape(route.summary()),
        caption=escape(note) if note else None,
    )
    # plain rows: printing one route need not import pandas
    for number, row in rows:
        where = (
            f"{row['from_name']} → {row['to_name']}"
            if row["from"] != row["to"]
            else str(row["from_name"])
        )
        table.add_row(
            number,
            str(row["kind"]),
            str(row["mode"]),
            escape(where),
            str(row["country"]),
            _num(row["distance_km"]) if row["distance_km"] else "",
            _num(row["time_h"], 1),
            _num(row["cost_usd"]),
            _num(row["co2_kg"]) if row["co2_kg"] else "",
            escape(str(row["source_ids"]).replace("|", ", ")),
        )
    return table


#: The totals both summaries show for each route, before their own trailing columns.
_TOTAL_COLS = (
    Col("km", numeric=True, keep=8),
    Col("h", numeric=True),
    Col("days", numeric=True, keep=3),
    Col("USD", numeric=True),
    Col("kg CO2", numeric=True, keep=4),
    Col("borders", numeric=True, keep=5),
    Col("transfers", numeric=True, keep=2),
    Col("km by mode", keep=7),
)


def _total_cells(route: Route) -> list[str]:
    """Return a route's cells for :data:`_TOTAL_COLS`."""
    from rich.markup import escape

    return [
        _num(route.distance_km),
        _num(route.time_h, 1),
        _num(route.time_h / 24, 1),
        _num(route.cost_usd),
        _num(route.co2_kg),
        str(len(route.border_crossings)),
        str(len(route.transfers)),
        escape(mode_mix(route, unit=False)),
    ]


def alternatives_table(routes: Sequence[Route]) -> FitTable:
    """Return routes side by side, one row each: totals, mode mix, corridor and countries."""
    from rich.markup import escape

    first = routes[0]
    o = first.place_name(first.origin.node)
    d = first.place_name(first.destination.node)
    table = FitTable(
        [Col("#"), *_TOTAL_COLS, Col("corridor", keep=6), Col("countries", keep=1)],
        title=escape(
            f"{o} → {d}: {len(routes)} routes by {first.by} (per {first.profile}), "
            "best first; legs of each below"
        ),
        caption="corridor: the named corridor the route follows, if any",
    )
    for i, r in enumerate(routes, start=1):
        table.add_row(
            str(i),
            *_total_cells(r),
            escape(r.corridor or "none"),
            escape("→".join(r.countries)),
        )
    return table


def _share(value: Any) -> str:
    """Return a corridor share as a percentage; empty where there is none (the best route)."""
    from corridors.routing.results import percent

    return "" if value is None or value != value else percent(float(value))


def comparison_table(comparison: Comparison) -> Group:
    """Return one row per corridor that serves the pair, and why the others do not."""
    from rich.console import Group
    from rich.markup import escape

    o, d = comparison.origin.label, comparison.destination.label
    frame = comparison.to_frame()
    table = FitTable(
        [
            Col("corridor"),
            *_TOTAL_COLS,
            Col("on corridor", numeric=True, keep=6),
            Col("countries", keep=1),
        ],
        title=escape(
            f"{o} → {d}: corridors compared by {comparison.by} (per {comparison.profile}); "
            "best = the best route whatever corridor it follows"
        ),
    )
    for row in frame.to_dict("records"):
        route = comparison.routes.get(str(row["corridor"]))
        if route is None:
            continue
        table.add_row(
            escape(str(row["corridor"])),
            *_total_cells(route),
            _share(row.get("corridor_share")),
            escape("→".join(route.countries)),
        )
    parts: list[Any] = [table]
    missing = [c for c in frame["corridor"] if c not in comparison.routes]
    if missing:
        why = FitTable(
            [Col("corridor"), Col("why it cannot serve this pair")],
            title='Not serving this pair (JSON: key "unavailable")',
        )
        for cid in missing:
            why.add_row(escape(str(cid)), escape(comparison.reasons.get(cid, "")))
        parts.append(why)
    return Group(*parts)


def route_html(route: Route) -> str:
    """Return an HTML summary and leg table of a route for notebooks."""
    import pandas as pd

    from corridors.routing.results import LEG_COLUMNS

    rows, note = shown_legs(route)
    frame = pd.DataFrame([row for _, row in rows], columns=LEG_COLUMNS)[
        [
            "kind",
            "mode",
            "from_name",
            "to_name",
            "country",
            "distance_km",
            "time_h",
            "cost_usd",
            "co2_kg",
            "gauge_mm",
            "source_ids",
        ]
    ].rename(
        columns={
            "from_name": "from",
            "to_name": "to",
            "distance_km": "km",
            "time_h": "h",
            "cost_usd": "USD",
            "co2_kg": "kg CO2",
            "gauge_mm": "gauge (mm)",
        }
    )
    table = frame.to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.1f}")
    caption = f"<p>{html.escape(note)}</p>" if note else ""
    return f"<p><b>{html.escape(route.summary())}</b></p>{caption}{table}"
