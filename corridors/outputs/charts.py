"""Charts of sweeps and Monte Carlo runs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from corridors.outputs.map_style import ROUTE_COLOURS
from corridors.routing.objectives import UNITS as _UNITS

if TYPE_CHECKING:
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult


def _figure(n: int) -> tuple[Any, list[Any]]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(8.27, 3.2 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def sweep_figure(result: SweepResult, *, top: int = 6) -> Any:
    """Return a figure: per OD pair, each corridor's objective against the swept value.

    Only the ``top`` corridors with the lowest objective anywhere in the sweep are drawn;
    break-even values are marked with a dashed line.
    """
    p = result.parameters[0]
    t = result.table[(result.table["corridor"] != "best") & result.table["objective"].notna()]
    pairs = list(dict.fromkeys(zip(result.table["origin"], result.table["destination"])))
    fig, axes = _figure(max(1, len(pairs)))
    even = result.break_even()
    unit = _UNITS[result.by]
    for ax, (o, d) in zip(axes, pairs):
        sub = t[(t["origin"] == o) & (t["destination"] == d)]
        ranked = sub.groupby("corridor")["objective"].min().sort_values().index[:top]
        for i, cid in enumerate(ranked):
            line = sub[sub["corridor"] == cid]
            if len(result.parameters) > 1:
                line = line.groupby(p, as_index=False)["objective"].min()
            line = line.sort_values(p)
            ax.plot(
                line[p],
                line["objective"],
                marker="o",
                ms=3,
                color=ROUTE_COLOURS[i % len(ROUTE_COLOURS)],
                label=cid,
            )
        for row in even[(even["origin"] == o) & (even["destination"] == d)].to_dict("records"):
            if math.isfinite(row["break_even"]):
                ax.axvline(row["break_even"], color="0.3", ls="--", lw=0.8)
                ax.annotate(
                    f"break-even {row['break_even']:.3g}",
                    (row["break_even"], ax.get_ylim()[1]),
                    fontsize=7,
                    rotation=90,
                    va="top",
                    ha="right",
                )
        ax.set_title(f"{o} → {d}", fontsize=9)
        ax.set_xlabel(p, fontsize=8)
        ax.set_ylabel(f"{result.by} ({unit})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if len(ranked):
            ax.legend(fontsize=6, loc="best")
    fig.suptitle(f"{result.name}: sweep of {', '.join(result.parameters)}", fontsize=10)
    return fig


def montecarlo_figure(result: MonteCarloResult, *, top: int = 6) -> Any:
    """Return a figure: per OD pair, box plots of each corridor's objective over the draws."""
    cs = result.corridor_samples
    pairs = list(dict.fromkeys(zip(result.samples["origin"], result.samples["destination"])))
    fig, axes = _figure(max(1, len(pairs)))
    unit = _UNITS[result.by]
    for ax, (o, d) in zip(axes, pairs):
        best = result.samples[
            (result.samples["origin"] == o) & (result.samples["destination"] == d)
        ]
        sub = cs[(cs["origin"] == o) & (cs["destination"] == d) & cs["objective"].notna()]
        ranked = sub.groupby("corridor")["objective"].median().sort_values().index[:top].tolist()
        data = [best["objective"].dropna().to_numpy()] + [
            sub[sub["corridor"] == c]["objective"].to_numpy() for c in ranked
        ]
        labels = ["best route", *ranked]
        ax.boxplot(data, vert=False, whis=(5, 95), showfliers=False)
        ax.set_yticks(range(1, len(labels) + 1), labels, fontsize=7)
        ax.set_title(f"{o} → {d}", fontsize=9)
        ax.set_xlabel(f"{result.by} ({unit}); whiskers p5–p95", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(f"{result.name}: {result.draws:,} draws, seed {result.seed}", fontsize=10)
    return fig
