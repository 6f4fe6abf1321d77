"""Monte Carlo over freight demand and capacities: how likely each bottleneck is to bind.

Each draw takes

- a factor for every ``growth`` change of the scenario that gives a ``distribution`` (the
  change's own ``factor`` is replaced by the draw for the rows it selects), and
- a capacity for every row of ``capacities.csv`` from a triangular distribution over its
  published range (``capacity_low``, ``capacity``, ``capacity_high``; a row without a range
  keeps its value),

assigns the demand at equilibrium, and records each capacity's utilisation and the volumes
the flow observations measure (the Caspian crossings, say). Every value is drawn in this
process from one seeded generator before any assignment runs, so the result depends on the
seed alone, not on how many worker processes share the draws. The corridor link table is
built once; a draw changes only the trips and the capacities.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from corridors.errors import InvalidOptionError
from corridors.flows.inputs import (
    CapacityRow,
    DemandRow,
    Observation,
    read_capacities,
    read_demand,
    read_observations,
    read_queue_costs,
)
from corridors.scenarios.distributions import DISTRIBUTIONS
from corridors.scenarios.schema import MAX_DRAWS, Distribution, Growth
from corridors.scenarios.workers import check_workers, run_ordered

if TYPE_CHECKING:
    from corridors.flows.corridor_table import CorridorTable
    from corridors.graph.network import Network
    from corridors.scenarios.scenario import Scenario

Floats = npt.NDArray[np.float64]
#: Percentiles the summaries report.
PERCENTILES = (5, 50, 95)
#: What the forked workers read: set before the draws run, cleared after.
_STATE: dict[str, Any] = {}


@dataclass
class FlowMonteCarloResult:
    """The draws of a flow Monte Carlo run and their summaries.

    Attributes
    ----------
    draws : pandas.DataFrame
        One row per draw: ``draw``, ``growth:<k>`` per uncertain growth change,
        ``capacity:<id>`` and ``use:<id>`` per capacity, ``obs:<id>`` per flow observation
        (modelled tonnes), ``iterations``, ``gap``, ``converged``.
    threshold : float
        Utilisation at or above which a capacity counts as binding.
    seed : int
    observations : list of Observation
        The published volumes the ``obs:`` columns are modelled for (never inputs).
    """

    draws: pd.DataFrame
    threshold: float
    seed: int
    observations: list[Observation]

    def __repr__(self) -> str:
        top = self.bottlenecks().head(1)
        what = (
            f"; {top['id'].iloc[0]} binds in {top['p_binds'].iloc[0]:.0%} of draws"
            if len(top)
            else ""
        )
        return f"FlowMonteCarloResult({len(self.draws)} draws, seed {self.seed}{what})"

    def bottlenecks(self) -> pd.DataFrame:
        """Give each capacity's probability of binding and percentiles of its utilisation.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``p_binds`` (share of draws with utilisation at or above the threshold),
            ``use_p5``, ``use_p50``, ``use_p95``, ``capacity_p50_t``; most likely to bind
            first.
        """
        rows = []
        for col in (c for c in self.draws.columns if c.startswith("use:")):
            cid = col.removeprefix("use:")
            use = self.draws[col].to_numpy()
            q = np.percentile(use, PERCENTILES)
            rows.append(
                {
                    "id": cid,
                    "p_binds": float(np.mean(use >= self.threshold)),
                    **{f"use_p{p}": float(v) for p, v in zip(PERCENTILES, q)},
                    "capacity_p50_t": float(np.median(self.draws[f"capacity:{cid}"])),
                }
            )
        out = pd.DataFrame(rows)
        if out.empty:
            return out
        return out.sort_values(["p_binds", "use_p50"], ascending=False, ignore_index=True)

    def volumes(self) -> pd.DataFrame:
        """Give percentiles of each observed volume over the draws, beside the published one.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``published_t``, ``p5_t``, ``p50_t``, ``p95_t``, ``p_within`` (share of
            draws inside the published range).
        """
        rows = []
        for o in self.observations:
            col = f"obs:{o.id}"
            if col not in self.draws:
                continue
            v = self.draws[col].to_numpy()
            q = np.percentile(v, PERCENTILES)
            rows.append(
                {
                    "id": o.id,
                    "published_t": o.tonnes_per_year,
                    **{f"p{p}_t": float(x) for p, x in zip(PERCENTILES, q)},
                    "p_within": float(np.mean((v >= o.low_tonnes) & (v <= o.high_tonnes))),
                }
            )
        return pd.DataFrame(rows)


def _growth_params(scenario: Scenario | None, rows: list[DemandRow], net: Network) -> list[Any]:
    """Give ``(growth body, row mask)`` for every growth change with a distribution."""
    if scenario is None:
        return []
    from corridors.scenarios.apply import growth_masks

    return growth_masks(scenario, rows, net)


def _draw_capacities(caps: list[CapacityRow], n: int, rng: np.random.Generator) -> Floats:
    tri = DISTRIBUTIONS["triangular"]
    lo = np.array([c.low_tonnes for c in caps])
    mid = np.array([c.tonnes_per_year for c in caps])
    hi = np.array([c.high_tonnes for c in caps])
    return tri.sample(Distribution(kind="triangular"), lo, mid, hi, (n, len(caps)), rng)


def _draw_growth(changes: list[tuple[Growth, Floats]], n: int, rng: np.random.Generator) -> Floats:
    out = np.ones((n, len(changes)))
    for k, (body, _) in enumerate(changes):
        d = body.distribution
        assert d is not None
        lo, hi = float(d.low or body.factor), float(d.high or body.factor)
        mid = float(d.mode if d.mode is not None else (lo + hi) / 2)
        out[:, k] = DISTRIBUTIONS[d.kind].sample(
            d, np.array([lo]), np.array([mid]), np.array([hi]), (n, 1), rng
        )[:, 0]
    return out


def _one_draw(i: int) -> dict[str, Any]:
    """Assign draw ``i`` on the table the run prepared (runs in workers too)."""
    from corridors.flows.assign import demand_classes
    from corridors.flows.assignment import assign_links
    from corridors.flows.inputs import scale_demand
    from corridors.flows.results import FlowResult

    s = _STATE
    table: CorridorTable = s["table"]
    rows: list[DemandRow] = s["rows"]
    factor = np.ones(len(rows))
    for k, (body, mask) in enumerate(s["growth"]):
        factor[mask] *= s["growth_draws"][i, k] / body.factor
    drawn = [scale_demand([r], float(f))[0] if f != 1.0 else r for r, f in zip(rows, factor)]
    links = table.links
    cap = s["cap_draws"][i]
    if links.shared is not None:
        links = dataclasses.replace(links, shared=dataclasses.replace(links.shared, capacity=cap))
    kept = [dataclasses.replace(c, tonnes_per_year=float(v)) for c, v in zip(table.capacities, cap)]
    here = dataclasses.replace(table, links=links, capacities=kept)
    solution = assign_links(
        links, demand_classes(here, drawn), method="equilibrium", **s["options"]
    )
    result = FlowResult(table=here, solution=solution, demand=drawn, method="equilibrium")
    use = result.capacity_use()
    out: dict[str, Any] = {"draw": i}
    for k in range(len(s["growth"])):
        out[f"growth:{k}"] = float(s["growth_draws"][i, k])
    for cid, c, u in zip(use["id"], use["capacity_t"], use["utilisation"]):
        out[f"capacity:{cid}"] = float(c)
        out[f"use:{cid}"] = float(u)
    judged = result.judge(s["observations"])
    for oid, v in zip(judged.get("id", []), judged.get("modelled_t", [])):
        out[f"obs:{oid}"] = float(v)
    out.update(iterations=solution.iterations, gap=solution.gap, converged=solution.converged)
    return out


def _chunk(ids: list[int]) -> list[dict[str, Any]]:
    return [_one_draw(i) for i in ids]


def flow_montecarlo(
    demand: str | Path | Sequence[DemandRow],
    network: Network | None = None,
    *,
    scenario: Scenario | None = None,
    draws: int = 200,
    seed: int = 0,
    threshold: float = 1.0,
    gap: float = 1e-4,
    max_iter: int = 1000,
    algorithm: str = "bfw",
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> FlowMonteCarloResult:
    """Draw demand growth and capacities, assign each draw, and say what binds how often.

    Parameters
    ----------
    demand : str, pathlib.Path or sequence of DemandRow
        A demand CSV, a shipped demand name (``"baseline-2024"``), or rows.
    network : Network, optional
        The network (the shipped one by default).
    scenario : Scenario, optional
        Its network and flow changes apply; its ``growth`` changes with a ``distribution``
        are drawn.
    draws : int
        Number of draws.
    seed : int
        Seed of the generator all values are drawn from.
    threshold : float
        Utilisation at or above which a capacity binds (1 = full).
    gap, max_iter, algorithm
        As for :func:`corridors.flows.assign.assign` at equilibrium.
    workers : int
        Processes sharing the draws (the result does not depend on it).
    progress : callable, optional
        Called as ``progress(done, draws)``.

    Returns
    -------
    FlowMonteCarloResult
    """
    from corridors.flows.corridor_table import build_table
    from corridors.graph.network import load_network
    from corridors.routing.options import RouteOptions

    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        msg = f"draws must be a whole number from 1 to {MAX_DRAWS:,}, not {draws!r}"
        raise InvalidOptionError(msg)
    if not (threshold > 0 and np.isfinite(threshold)):
        msg = f"the binding threshold is a positive utilisation (1 = full), not {threshold!r}"
        raise InvalidOptionError(msg)
    workers = check_workers(workers)
    net = network if network is not None else load_network()
    if scenario is not None:
        net = scenario.apply(net)
    rows = list(read_demand(net, demand)) if isinstance(demand, str | Path) else list(demand)
    caps = read_capacities(net)
    if scenario is not None:
        rows, caps = scenario.flow_inputs(rows, caps, net)
    table = build_table(
        net, sorted({r.profile for r in rows}), caps, RouteOptions.build(), read_queue_costs(net)
    )
    rng = np.random.default_rng(seed)
    growth = _growth_params(scenario, rows, net)
    _STATE.update(
        table=table,
        rows=rows,
        growth=growth,
        growth_draws=_draw_growth(growth, draws, rng),
        cap_draws=_draw_capacities(table.capacities, draws, rng),
        observations=read_observations(net),
        options={"algorithm": algorithm, "gap": gap, "max_iter": max_iter},
    )
    size = max(1, draws // (4 * workers))
    chunks = [list(range(a, min(a + size, draws))) for a in range(0, draws, size)]
    out: list[dict[str, Any]] = []

    def collect(part: list[dict[str, Any]]) -> None:
        out.extend(part)
        if progress is not None:
            progress(len(out), draws)

    try:
        run_ordered(_chunk, chunks, workers, collect)
    finally:
        observations = _STATE["observations"]
        _STATE.clear()
    return FlowMonteCarloResult(pd.DataFrame(out), threshold, seed, observations)
