"""Rich tables and HTML for routes and comparisons."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from corridors.routing.results import Comparison, Route


def _num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def route_table(route: Route) -> Table:
    """Return a rich table of a route's legs with a totals row."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(route.summary()), title_justify="left", show_footer=True)
    table.add_column("#", justify="right")
    table.add_column("leg", footer="total")
    table.add_column("mode")
    table.add_column("from → to")
    table.add_column("country")
    table.add_column("km", justify="right", footer=_num(route.distance_km))
    table.add_column("h", justify="right", footer=_num(route.time_h, 1))
    table.add_column("USD", justify="right", footer=_num(route.cost_usd))
    table.add_column("kg CO2", justify="right", footer=_num(route.co2_kg))
    table.add_column("sources")
    for i, row in enumerate(route.leg_frame().to_dict("records"), start=1):
        where = (
            f"{row['from_name']} → {row['to_name']}"
            if row["from"] != row["to"]
            else str(row["from_name"])
        )
        table.add_row(
            str(i),
            str(row["kind"]),
            str(row["mode"]),
            escape(where),
            str(row["country"]),
            _num(row["distance_km"]) if row["distance_km"] else "",
            _num(row["time_h"], 1),
            _num(row["cost_usd"]),
            _num(row["co2_kg"]) if row["co2_kg"] else "",
            escape(str(row["source_ids"])),
        )
    return table


def comparison_table(comparison: Comparison) -> Table:
    """Return a rich table with one row per corridor that serves the pair."""
    from rich.table import Table

    o, d = comparison.origin.label, comparison.destination.label
    frame = comparison.to_frame()
    served = frame[frame["note"].fillna("") == ""] if "note" in frame else frame
    others = [c for c in frame["corridor"] if c not in set(served["corridor"])]
    caption = (
        f"Not serving this pair: {', '.join(others)} (reasons: --json or Comparison.reasons)"
        if others
        else None
    )
    from rich.markup import escape

    table = Table(
        title=escape(
            f"{o} → {d}: corridors compared by {comparison.by} (per {comparison.profile})"
        ),
        title_justify="left",
        caption=escape(caption) if caption else None,
        caption_justify="left",
    )
    columns = [
        ("corridor", "corridor"),
        ("distance_km", "km"),
        ("time_h", "h"),
        ("time_d", "days"),
        ("cost_usd", "USD"),
        ("co2_kg", "kg CO2"),
        ("borders", "borders"),
        ("transfers", "transfers"),
        ("countries", "countries"),
        ("corridor_share", "on corridor"),
    ]
    present = [(col, header) for col, header in columns if col in served]
    for col, header in present:
        table.add_column(header, justify="left" if col in ("corridor", "countries") else "right")
    for row in served.to_dict("records"):
        cells = []
        for col, _ in present:
            value = row.get(col)
            if col == "corridor_share":
                from corridors.routing.results import percent

                cells.append("" if value is None or value != value else percent(value))
            elif isinstance(value, float):
                cells.append(_num(value, 1 if col in ("time_h", "time_d") else 0))
            else:
                cells.append(escape(str(value)))
        table.add_row(*cells)
    return table


def route_html(route: Route) -> str:
    """Return an HTML summary and leg table of a route for notebooks."""
    frame = route.leg_frame()[
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
    return f"<p><b>{html.escape(route.summary())}</b></p>{table}"
