"""Rich tables for scenario comparisons, sweeps and Monte Carlo runs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from corridors.routing.objectives import UNITS as _UNITS

if TYPE_CHECKING:
    from rich.console import Group

    from corridors.scenarios.comparison import ScenarioComparison
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult


def _n(value: Any, digits: int = 0, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def _short(value: Any, width: int = 90) -> str:
    text = str(value or "")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def comparison_table(result: ScenarioComparison) -> Group:
    """Return the changes applied and a baseline-versus-scenario table per OD pair."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    changes = Table(title=f"Scenario: {escape(result.name)}", title_justify="left")
    changes.add_column("#", justify="right")
    changes.add_column("action")
    changes.add_column("what it did")
    for a in result.log:
        changes.add_row(str(a.index), a.action, escape(a.summary))
    table = Table(title=f"Best route by {result.by}: baseline → scenario", title_justify="left")
    for name in ("from → to", "corridor (baseline → scenario)"):
        table.add_column(name)
    for name in ("km", "Δ km", "h", "Δ h", "USD", "Δ USD", "kg CO2", "Δ kg CO2"):
        table.add_column(name, justify="right")
    table.add_column("note")
    for row in result.to_frame().to_dict("records"):
        moved = "" if not row["corridor_changed"] else " (changed)"
        table.add_row(
            escape(f"{row['origin']} → {row['destination']}"),
            escape(f"{row['baseline_corridor']} → {row['scenario_corridor']}{moved}"),
            _n(row["scenario_km"]),
            _n(row["delta_km"], sign=True),
            _n(row["scenario_h"], 1),
            _n(row["delta_h"], 1, sign=True),
            _n(row["scenario_usd"]),
            _n(row["delta_usd"], sign=True),
            _n(row["scenario_kg_co2"]),
            _n(row["delta_kg_co2"], sign=True),
            escape(_short(row["note"])),
        )
    parts: list[Any] = [changes, table]
    stays = [k for k in result.to_frame().columns if k.startswith("scenario_stay_h_")]
    if stays:
        st = Table(title="Road drivers' stay (h) against the limit", title_justify="left")
        st.add_column("from → to")
        for key in stays:
            c = key.rsplit("_", 1)[-1]
            st.add_column(f"baseline route in {c}", justify="right")
            st.add_column(f"scenario route in {c}", justify="right")
            st.add_column("limit", justify="right")
        for row in result.to_frame().to_dict("records"):
            cells = []
            for key in stays:
                c = key.rsplit("_", 1)[-1]
                cells += [
                    _n(row[f"baseline_stay_h_{c}"], 1),
                    _n(row[f"scenario_stay_h_{c}"], 1),
                    _n(row[f"stay_limit_h_{c}"]),
                ]
            st.add_row(escape(f"{row['origin']} → {row['destination']}"), *cells)
        parts.append(st)
    frame = result.corridor_frame()
    if not frame.empty:
        corr = Table(title="Named corridors: baseline → scenario", title_justify="left")
        corr.add_column("from → to")
        corr.add_column("corridor")
        for name in ("km", "Δ km", "h", "Δ h", "USD", "Δ USD"):
            corr.add_column(name, justify="right")
        corr.add_column("note")
        for row in frame.to_dict("records"):
            corr.add_row(
                escape(f"{row['origin']} → {row['destination']}"),
                escape(str(row["corridor"])),
                _n(row["scenario_km"]),
                _n(row["delta_km"], sign=True),
                _n(row["scenario_h"], 1),
                _n(row["delta_h"], 1, sign=True),
                _n(row["scenario_usd"]),
                _n(row["delta_usd"], sign=True),
                escape(_short(row["note"])),
            )
        parts.append(corr)
    return Group(*parts)


def sweep_table(result: SweepResult) -> Group:
    """Return the best corridor per swept value and the break-even points."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    unit = _UNITS[result.by]
    done = "" if result.completed == result.total else f" ({result.completed} of {result.total})"
    table = Table(
        title=f"Sweep of {', '.join(result.parameters)}: best named corridor by {result.by}{done}",
        title_justify="left",
    )
    for p in result.parameters:
        table.add_column(p, justify="right")
    table.add_column("from → to")
    table.add_column("best corridor")
    table.add_column(f"{result.by} ({unit})", justify="right")
    for row in result.best().to_dict("records"):
        table.add_row(
            *[f"{row[p]:g}" for p in result.parameters],
            escape(f"{row['origin']} → {row['destination']}"),
            escape(str(row["corridor"])),
            _n(row["objective"], 1),
        )
    parts: list[Any] = [table]
    even = result.break_even()
    if len(result.parameters) == 1:
        be = Table(title="Break-even: where the best corridor switches", title_justify="left")
        for name in ("from → to", "what", "from corridor", "to corridor", "between", "break-even"):
            be.add_column(name)
        for row in even.to_dict("records"):
            be.add_row(
                escape(f"{row['origin']} → {row['destination']}"),
                str(row["switch"]),
                escape(str(row["from_corridor"])),
                escape(str(row["to_corridor"])),
                str(row["between"]),
                _n(row["break_even"], 3),
            )
        if even.empty:
            be.caption = "the best corridor is the same at every value swept"
        parts.append(be)
    return Group(*parts)


def montecarlo_table(result: MonteCarloResult) -> Group:
    """Return per OD pair and corridor the time and cost percentiles and P(best)."""
    from rich.console import Group
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=(
            f"Monte Carlo: {escape(result.name)}, {result.draws:,} draws (seed {result.seed}), "
            f"best by {result.by}"
        ),
        title_justify="left",
    )
    table.add_column("from → to")
    table.add_column("corridor")
    for name in ("h p5", "h p50", "h p95", "USD p5", "USD p50", "USD p95", "P(best)"):
        table.add_column(name, justify="right")
    summary = result.summary()
    for row in summary.to_dict("records"):
        if (
            row["corridor"] != "best"
            and row["p_best"] == 0
            and math.isnan(row.get("time_h_p50", math.nan))
        ):
            continue
        table.add_row(
            escape(f"{row['origin']} → {row['destination']}"),
            escape(str(row["corridor"])),
            _n(row.get("time_h_p5"), 1),
            _n(row.get("time_h_p50"), 1),
            _n(row.get("time_h_p95"), 1),
            _n(row.get("cost_usd_p5")),
            _n(row.get("cost_usd_p50")),
            _n(row.get("cost_usd_p95")),
            "" if row["corridor"] == "best" else f"{row['p_best']:.1%}",
        )
    table.caption = (
        "P(best): share of draws whose best route follows the corridor; corridor rows give "
        "that corridor's own route, its alignment held fixed"
    )
    notes = [escape(n) for n in result.notes]
    return Group(table, *notes)
