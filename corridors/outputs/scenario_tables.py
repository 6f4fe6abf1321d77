"""Rich tables for scenario comparisons, sweeps and Monte Carlo runs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from corridors.outputs.table_fit import Col, FitTable
from corridors.routing.objectives import UNITS as _UNITS

if TYPE_CHECKING:
    from rich.console import Group

    from corridors.routing.results import Route
    from corridors.scenarios.comparison import ScenarioComparison
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult


def _n(value: Any, digits: int = 0, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def objective_text(by: str) -> str:
    """Return what an objective minimises, in words, with its unit."""
    unit = _UNITS[by]
    if by == "generalized":
        return f"generalized cost ({unit} = cost + value of time × hours)"
    return f"{by} ({unit})"


def corridor_label(found: Route | str) -> str:
    """Return the named corridor a route follows, as the route says, for a table cell."""
    if isinstance(found, str):
        return "no route"
    return found.corridor or "(no named corridor)"


def _followed(found: Route | str) -> str:
    """Return the corridor cell: the corridor followed, or why there is no route."""
    return f"no route: {found}" if isinstance(found, str) else corridor_label(found)


def _planned(route: Route | str) -> list[str]:
    """Statuses other than operational among a route's hauls (it counts them as built)."""
    if isinstance(route, str):
        return []
    return sorted(
        {c.status for c in route.components if c.kind == "haul" and c.status} - {"operational", ""}
    )


def _cells(route: Route | str, metrics: tuple[tuple[str, int], ...]) -> list[str]:
    if isinstance(route, str):
        return ["" for _ in metrics]
    return [_n(getattr(route, attr), digits) for attr, digits in metrics]


def _delta(a: Route | str, b: Route | str, metrics: tuple[tuple[str, int], ...]) -> list[str]:
    if isinstance(a, str) or isinstance(b, str):
        return ["" for _ in metrics]
    return [_n(getattr(b, attr) - getattr(a, attr), digits, sign=True) for attr, digits in metrics]


_METRICS = (("distance_km", 0), ("time_h", 1), ("cost_usd", 0), ("co2_kg", 0))


def comparison_table(result: ScenarioComparison) -> Group:
    """Return the changes applied and, per OD pair, baseline, scenario and change side by side.

    Each pair takes three rows: the baseline's best route, the scenario's, and the change;
    a cell is blank only where there is no route (the note says why).
    """
    from rich.console import Group
    from rich.markup import escape

    changes = FitTable(
        [Col("#"), Col("action"), Col("what it did")], title=f"Scenario: {escape(result.name)}"
    )
    for change in result.log:
        changes.add_row(str(change.index), change.action, escape(change.summary))
    table = FitTable(
        [
            Col("from → to"),
            Col("case"),
            Col("corridor followed"),
            Col("km", numeric=True, keep=7),
            Col("h", numeric=True),
            Col("USD", numeric=True),
            Col("kg CO2", numeric=True, keep=5),
        ],
        title=(
            f"Best route by {escape(objective_text(result.by))}: "
            "baseline, scenario and change per OD pair"
        ),
        caption=(
            "baseline: the best route without the scenario; scenario: with it; change: "
            "scenario minus baseline. corridor followed: the named corridor the best route "
            "follows, if any. Costs in USD and CO2 in kg per unit of the cargo profile."
        ),
    )
    for pair in result.pairs:
        a, b = result.baseline[pair], result.scenario[pair]
        od = escape(f"{pair[0]} → {pair[1]}")
        moved = corridor_label(a) != corridor_label(b)
        table.add_row(od, "baseline", escape(_followed(a)), *_cells(a, _METRICS))
        same = isinstance(a, str) and a == b
        scen = "no route, for the same reason" if same else _followed(b)
        table.add_row("", "scenario", escape(scen), *_cells(b, _METRICS))
        table.add_row("", "change", "changed" if moved else "same", *_delta(a, b, _METRICS))
    parts: list[Any] = [changes, table]
    stays = [k for k in result.to_frame().columns if k.startswith("scenario_stay_h_")]
    if stays:
        cols = [Col("from → to")]
        for key in stays:
            c = key.rsplit("_", 1)[-1]
            cols += [
                Col(f"baseline route in {c}", numeric=True),
                Col(f"scenario route in {c}", numeric=True),
                Col("limit", numeric=True),
            ]
        st = FitTable(cols, title="Road drivers' longest stay (h) against the limit")
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
    pairs = list(dict.fromkeys((o, d) for o, d, _ in result.corridors))
    for o, d in pairs:
        corr = FitTable(
            [
                Col("corridor"),
                Col("case"),
                Col("km", numeric=True, keep=7),
                Col("h", numeric=True),
                Col("USD", numeric=True),
                Col("note"),
            ],
            title=escape(
                f"{o} → {d}: named corridors, each routed through its waypoints "
                "(baseline, scenario, change)"
            ),
        )
        metrics = _METRICS[:3]
        counted = False
        for (o2, d2, cid), (a, b) in result.corridors.items():
            if (o2, d2) != (o, d):
                continue
            for case, found in (("baseline", a), ("scenario", b)):
                note = f"no route: {found}" if isinstance(found, str) else ""
                if case == "scenario" and isinstance(a, str) and a == b:
                    note = "no route, for the same reason"
                plan = _planned(found)
                if plan:
                    counted = True
                    note = f"counts its {' and '.join(plan)} links as built"
                corr.add_row(
                    escape(cid) if case == "baseline" else "",
                    case,
                    *_cells(found, metrics),
                    escape(note),
                )
            if not isinstance(a, str) and not isinstance(b, str):
                corr.add_row("", "change", *_delta(a, b, metrics), "")
        if counted:
            corr.caption = (
                "A corridor that counts its planned links as built has the same route before "
                "and after a scenario that opens them: its change is 0 by definition."
            )
        parts.append(corr)
    return Group(*parts)


def sweep_table(result: SweepResult) -> Group:
    """Return the best corridor per swept value and the break-even points."""
    from rich.console import Group
    from rich.markup import escape

    unit = _UNITS[result.by]
    done = "" if result.completed == result.total else f" ({result.completed} of {result.total})"
    table = FitTable(
        [
            *[Col(p, numeric=True) for p in result.parameters],
            Col("from → to"),
            Col("best corridor"),
            Col(f"{result.by} ({unit})", numeric=True),
        ],
        title=escape(
            f"Sweep of {', '.join(result.parameters)}: best named corridor by "
            f"{objective_text(result.by)}{done}"
        ),
    )
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
        be = FitTable(
            [
                Col("from → to"),
                Col("what"),
                Col("from corridor"),
                Col("to corridor"),
                Col("between"),
                Col("break-even", numeric=True),
            ],
            title="Break-even: where the best corridor switches",
        )
        for row in even.to_dict("records"):
            be.add_row(
                escape(f"{row['origin']} → {row['destination']}"),
                escape(str(row["switch"])),
                escape(str(row["from_corridor"])),
                escape(str(row["to_corridor"])),
                escape(str(row["between"])),
                _n(row["break_even"], 3),
            )
        if even.empty:
            be.caption = "the best corridor is the same at every value swept"
        parts.append(be)
    return Group(*parts)


def montecarlo_table(
    result: MonteCarloResult, baseline: dict[tuple[str, str], Route | str] | None = None
) -> Group:
    """Return per OD pair the baseline, the best route's and each corridor's percentiles.

    ``baseline`` (best route per pair without the scenario, at central values) adds a row
    per pair to read the distributions against.
    """
    from rich.console import Group
    from rich.markup import escape

    table = FitTable(
        [
            Col("from → to"),
            Col("route"),
            Col("draws", numeric=True, keep=2),
            Col("h p5", numeric=True, keep=4),
            Col("h p50", numeric=True),
            Col("h p95", numeric=True, keep=5),
            Col("USD p5", numeric=True, keep=3),
            Col("USD p50", numeric=True),
            Col("USD p95", numeric=True, keep=5),
            Col("P(best)", numeric=True),
        ],
        title=(
            f"Monte Carlo: {escape(result.name)}, {result.draws:,} draws (seed {result.seed}); "
            f"best route = lowest {escape(objective_text(result.by))}"
        ),
        caption=(
            "baseline: the best route without the scenario at central values (one value, "
            "under p50). best route: the best route of each draw, whatever corridor it "
            "follows. CORRIDOR, own route: that corridor's route, its alignment held fixed. "
            "CORRIDOR, when best: the draws whose best route follows it. p5/p50/p95: "
            "percentiles over the draws that reach; draws: how many reach. P(best): share "
            "of draws whose best route follows the corridor. Per unit of the cargo profile."
        ),
    )
    samples, fixed = result.samples, result.corridor_samples
    for (o, d), group in samples.groupby(["origin", "destination"], sort=False):
        od = escape(f"{o} → {d}")
        first = True

        def add(label: str, cells: list[str], p_best: str = "", od: str = od) -> None:
            nonlocal first
            table.add_row(od if first else "", escape(label), *cells, p_best)
            first = False

        key = (str(o), str(d))
        if baseline is not None and key in baseline:
            found = baseline[key]
            if isinstance(found, str):
                add("baseline: no route", ["", "", "", "", "", "", ""])
            else:
                cells = ["", "", _n(found.time_h, 1), "", "", _n(found.cost_usd), ""]
                add("baseline", cells)
        add("best route", _stats_cells(group))
        share = group["follows"].value_counts(normalize=True)
        own = fixed[(fixed["origin"] == o) & (fixed["destination"] == d)]
        named = list(dict.fromkeys([*own["corridor"].unique().tolist(), *share.index.tolist()]))
        for cid in named:
            if not cid or cid == "other":
                continue
            p = f"{float(share.get(cid, 0.0)):.1%}"
            mine = own[own["corridor"] == cid]
            if not mine.empty:
                add(f"{cid}, own route", _stats_cells(mine), p)
            else:
                add(f"{cid}, when best", _stats_cells(group[group["follows"] == cid]), p)
        none = float(share.get("", 0.0)) + float(share.get("other", 0.0))
        if none:
            add(
                "(no named corridor), when best",
                _stats_cells(
                    group[~group["follows"].isin(named) | group["follows"].isin(["", "other"])]
                ),
                f"{none:.1%}",
            )
    notes = [escape(n) for n in result.notes]
    return Group(table, *notes)


def _stats_cells(group: Any) -> list[str]:
    """Draws that reach, and p5/p50/p95 of time and cost over them."""
    import numpy as np

    cells = []
    t = group["time_h"].to_numpy(float)
    ok = np.isfinite(t)
    cells.append(f"{int(ok.sum()):,}")
    for col, digits in (("time_h", 1), ("cost_usd", 0)):
        v = group[col].to_numpy(float)
        v = v[np.isfinite(v)]
        for q in (5, 50, 95):
            cells.append(_n(float(np.percentile(v, q)), digits) if len(v) else "")
    return cells


def montecarlo_file_frame(result: MonteCarloResult) -> Any:
    """Return the Monte Carlo summary to write: rounded, units in headers, shares explained.

    ``p_best_share`` is the share of draws whose best route follows the corridor;
    ``p_lowest_fixed_share`` the share of draws in which the corridor's own route (alignment
    held fixed) has the lowest objective of the corridors compared.
    """
    frame = result.summary().rename(
        columns={
            "p_best": "p_best_share",
            "p_best_fixed": "p_lowest_fixed_share",
            "draws_routed": "draws_reaching",
        }
    )
    for col in frame.columns:
        if col.startswith("time_h"):
            frame[col] = frame[col].round(1)
        elif col.startswith("cost_usd"):
            frame[col] = frame[col].round(0)
        elif col.endswith("_share"):
            frame[col] = frame[col].round(4)
    if "draws_reaching" in frame:
        frame["draws_reaching"] = frame["draws_reaching"].astype("Int64")
    frame.insert(3, "objective", f"{result.by} ({_UNITS[result.by]})")
    return frame
