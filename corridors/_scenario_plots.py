"""Charts of sweeps and Monte Carlo runs, and writing a result as a table or a figure."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors._map_style import ROUTE_COLOURS
from corridors._query import UNITS as _UNITS

if TYPE_CHECKING:
    import pandas as pd

    from corridors.montecarlo import MonteCarloResult
    from corridors.sweeps import SweepResult

FIGURE_FORMATS = (".png", ".svg", ".pdf")


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


def write_table_or_figure(
    table: pd.DataFrame,
    figure: Callable[[], Any],
    path: str | os.PathLike[str],
    *,
    force: bool = False,
) -> Path:
    """Write ``table`` (CSV, JSON, Parquet) or ``figure()`` (PNG, SVG, PDF) by extension.

    Raises
    ------
    OutputError
        If the extension is none of those, or the path cannot be written.
    """
    from corridors._errors import OutputError
    from corridors._output import check_writable, write_with
    from corridors.scenarios import TABLE_FORMATS, write_frame

    suffix = Path(path).suffix.lower()
    if suffix in TABLE_FORMATS:
        return write_frame(table, path, force=force)
    if suffix not in FIGURE_FORMATS:
        msg = f"cannot write {path}: use one of {', '.join(TABLE_FORMATS + FIGURE_FORMATS)}"
        raise OutputError(msg)
    check_writable(path, force=force)
    fig = figure()

    def save(tmp: Path) -> None:
        fig.savefig(tmp, format=suffix.lstrip("."), dpi=200)

    return write_with(path, save, force=force)
