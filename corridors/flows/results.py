"""What an assignment of the corridor network gives back: loads, bottlenecks, volumes, totals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridors.flows.corridor_table import CorridorTable
from corridors.flows.equilibrium import Equilibrium
from corridors.flows.inputs import DemandRow, Observation
from corridors.flows.vdf import delay, shared_flow


@dataclass
class FlowResult:
    """Freight assigned to the corridor network.

    Attributes
    ----------
    table : CorridorTable
        The network as assigned on (its links, classes and capacities).
    solution : Equilibrium
        The solver's flows (per class in profile units; in tonnes summed), gaps, iterations.
    demand : list of DemandRow
        The demand assigned.
    method : str
        ``aon``, ``logit`` or ``equilibrium``.
    """

    table: CorridorTable
    solution: Equilibrium
    demand: list[DemandRow]
    method: str

    def __repr__(self) -> str:
        t = self.totals()
        sol = self.solution
        gap = f", gap {sol.gap:.1e} after {sol.iterations} iterations" if sol.gaps else ""
        return (
            f"FlowResult({self.method}{gap}: {t['tonnes'] / 1e6:,.2f} Mt/yr, "
            f"{t['tkm'] / 1e9:,.1f} bn t-km, {len(self.demand)} demand rows)"
        )

    def _repr_html_(self) -> str:
        """Show the totals and the capacities ranked by delay in a notebook."""
        import html

        totals = pd.DataFrame([self.totals()]).to_html(index=False, float_format="{:,.0f}".format)
        ranked = self.bottlenecks().to_html(index=False, float_format="{:,.2f}".format)
        return (
            f"<p><b>{html.escape(repr(self))}</b></p>{totals}"
            f"<p>Capacities, by the delay they add</p>{ranked}"
        )

    # -- per link --------------------------------------------------------------------------

    def edges(self) -> pd.DataFrame:
        """Give every link of the table with its flow per class and in tonnes, and its delay.

        Returns
        -------
        pandas.DataFrame
            The table's edge attributes, ``units:P`` (profile units per year) and ``tonnes:P``
            per profile, ``tonnes`` (all classes), ``delay_h`` (congestion hours added).
        """
        t = self.table
        out = t.edges[["kind", "link_id", "mode", "u_place", "v_place", "u_country",
                       "v_country"]].copy()  # fmt: skip
        for pid, f in self.solution.class_flow.items():
            out[f"units:{pid}"] = f
            out[f"tonnes:{pid}"] = f * t.tonnes_per_unit[pid]
        out["tonnes"] = self.solution.flow
        out["delay_h"] = self.solution.time - t.links.free_time
        return out

    def link_loads(self) -> pd.DataFrame:
        """Give the tonnes per year on each network link and direction (links that carry any).

        Returns
        -------
        pandas.DataFrame
            One row per ``link_id`` and direction: ``u_place``, ``v_place``, ``mode``,
            ``tonnes`` and ``tonnes:P`` per profile, ``delay_h``.
        """
        e = self.edges()
        e = e[(e["kind"] == "link") & (e["tonnes"] > 0)]
        cols = [c for c in e.columns if c.startswith("tonnes")]
        g = e.groupby(["link_id", "u_place", "v_place", "mode"], as_index=False)
        out = g[cols].sum()
        out["delay_h"] = g["delay_h"].max()["delay_h"]
        return out.sort_values("tonnes", ascending=False, ignore_index=True)

    def place_loads(self) -> pd.DataFrame:
        """Give the tonnes per year arriving at each place by each mode (through traffic too).

        Returns
        -------
        pandas.DataFrame
            ``place``, ``mode``, ``tonnes``.
        """
        e = self.edges()
        e = e[(e["kind"] == "link") & (e["tonnes"] > 0)]
        out = pd.DataFrame(e.groupby(["v_place", "mode"], as_index=False)["tonnes"].sum())
        out.columns = pd.Index(["place", "mode", "tonnes"])
        return out.sort_values("tonnes", ascending=False, ignore_index=True)

    # -- capacities -------------------------------------------------------------------------

    def capacity_use(self) -> pd.DataFrame:
        """Give each capacity's load, utilisation, delay and spare capacity.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``target``, ``capacity_t``, ``tonnes``, ``utilisation``, ``delay_h``
            (added to each unit that passes), ``delay_added_th`` (tonne-hours per year:
            ``delay_h x tonnes``), ``spare_t`` (capacity left, negative when overloaded).
        """
        links = self.table.links
        s = links.shared
        if s is None:
            return pd.DataFrame(columns=["id", "target", "capacity_t", "tonnes", "utilisation",
                                         "delay_h", "delay_added_th", "spare_t"])  # fmt: skip
        v = shared_flow(links, self.solution.flow)
        d = delay(s.vdf, s.free_time, s.capacity, s.alpha, s.beta, v)
        return pd.DataFrame(
            {
                "id": list(s.names),
                "target": [c.target for c in self.table.capacities],
                "capacity_t": s.capacity,
                "tonnes": v,
                "utilisation": v / s.capacity,
                "delay_h": d,
                "delay_added_th": d * v,
                "spare_t": s.capacity - v,
            }
        )

    def violations(self) -> pd.DataFrame:
        """Give the capacities loaded beyond their hard capacity (utilisation above 1).

        The queueing wait grows without bound as a capacity fills, but past a knee it goes
        on as a straight line so that the solver can run; an equilibrium may then load a
        capacity past 1. Those loads could not pass in a year: they are reported, not hidden.

        Returns
        -------
        pandas.DataFrame
            As :meth:`capacity_use`, the rows above capacity, most overloaded first.
        """
        use = self.capacity_use()
        over = use[use["utilisation"] > 1.0]
        return over.sort_values("utilisation", ascending=False, ignore_index=True)

    def bottlenecks(self, n: int | None = None) -> pd.DataFrame:
        """Give the capacities ranked by the delay they add (then by the least spare capacity).

        Parameters
        ----------
        n : int, optional
            Keep the first ``n``.

        Returns
        -------
        pandas.DataFrame
            As :meth:`capacity_use`, sorted.
        """
        use = self.capacity_use().sort_values(
            ["delay_added_th", "spare_t"], ascending=[False, True], ignore_index=True
        )
        return use if n is None else use.head(n)

    # -- volumes ---------------------------------------------------------------------------

    def volume(
        self,
        from_places: Iterable[str],
        to_places: Iterable[str],
        *,
        modes: Sequence[str] | None = None,
        both_ways: bool = True,
    ) -> float:
        """Give the tonnes per year on links from one set of places to another.

        Parameters
        ----------
        from_places, to_places : iterable of str
            Place ids at the two ends.
        modes : sequence of str, optional
            Only links of these modes.
        both_ways : bool
            Count the links from ``to_places`` to ``from_places`` too.

        Returns
        -------
        float
        """
        a, b = set(from_places), set(to_places)
        e = self.edges()
        e = e[e["kind"] == "link"]
        if modes is not None:
            e = e[e["mode"].isin(list(modes))]
        sel = e["u_place"].isin(a) & e["v_place"].isin(b)
        if both_ways:
            sel |= e["u_place"].isin(b) & e["v_place"].isin(a)
        return float(e.loc[sel, "tonnes"].sum())

    def crossing(self, place: str) -> float:
        """Give the tonnes per year on links that cross a border at ``place``."""
        e = self.edges()
        e = e[(e["kind"] == "link") & (e["u_country"] != e["v_country"])]
        return float(e.loc[(e["u_place"] == place) | (e["v_place"] == place), "tonnes"].sum())

    def modal_split(self) -> pd.DataFrame:
        """Give tonne-kilometres per year by mode, with shares.

        Returns
        -------
        pandas.DataFrame
            ``mode``, ``tkm``, ``share``.
        """
        e = self.table.edges
        out: dict[str, float] = {}
        for pid, f in self.solution.class_flow.items():
            tkm = f * self.table.tonnes_per_unit[pid] * np.nan_to_num(e[f"distance_km:{pid}"])
            link = (e["kind"] == "link").to_numpy()
            for mode, value in (
                pd.Series(tkm[link]).groupby(e["mode"][link].to_numpy()).sum().items()
            ):
                out[str(mode)] = out.get(str(mode), 0.0) + float(value)
        df = pd.DataFrame({"mode": list(out), "tkm": list(out.values())})
        total = df["tkm"].sum()
        df["share"] = df["tkm"] / total if total > 0 else 0.0
        return df.sort_values("tkm", ascending=False, ignore_index=True)

    def totals(self) -> dict[str, float]:
        """Give the year's totals over all classes.

        Returns
        -------
        dict
            ``tonnes`` (demand assigned), ``tkm``, ``tonne_hours`` (with congestion delay),
            ``delay_tonne_hours``, ``cost_usd`` (transport cost, without the value of time),
            ``co2_kg``.
        """
        e = self.table.edges
        dl = self.solution.time - self.table.links.free_time
        out = dict.fromkeys(("tkm", "tonne_hours", "delay_tonne_hours", "cost_usd", "co2_kg"), 0.0)
        for pid, f in self.solution.class_flow.items():
            t = f * self.table.tonnes_per_unit[pid]
            out["tkm"] += float(np.sum(t * np.nan_to_num(e[f"distance_km:{pid}"])))
            out["tonne_hours"] += float(np.sum(t * (np.nan_to_num(e[f"time_h:{pid}"]) + dl)))
            out["delay_tonne_hours"] += float(np.sum(t * dl))
            out["cost_usd"] += float(np.sum(f * np.nan_to_num(e[f"cost_usd:{pid}"])))
            out["co2_kg"] += float(np.sum(f * np.nan_to_num(e[f"co2_kg:{pid}"])))
        lost = {(c, o, d) for c, o, d, _ in self.solution.unreachable}
        out["tonnes"] = (
            float(sum(r.tonnes_per_year for r in self.demand))
            - float(
                sum(q * self.table.tonnes_per_unit[c] for c, _, _, q in self.solution.unreachable)
            )
            if lost
            else float(sum(r.tonnes_per_year for r in self.demand))
        )
        return out

    def judge(self, observations: Sequence[Observation]) -> pd.DataFrame:
        """Set modelled volumes beside published ones (observations are never inputs).

        ``caspian_crossings`` observations name ``EAST > WEST`` port lists; the modelled
        volume is every ferry and sea link between them, both ways. ``border_crossing``
        observations name a border place.

        Returns
        -------
        pandas.DataFrame
            ``id``, ``observed_t``, ``low_t``, ``high_t``, ``modelled_t``, ``ratio``,
            ``within``.
        """
        rows = []
        for o in observations:
            if o.measure == "caspian_crossings":
                east, _, west = o.targets.partition(">")
                value = self.volume(
                    [p.strip() for p in east.split("|")],
                    [p.strip() for p in west.split("|")],
                    modes=("ferry", "sea"),
                )
            elif o.measure == "border_crossing":
                value = self.crossing(o.targets.strip())
            else:
                continue
            rows.append(
                {
                    "id": o.id,
                    "observed_t": o.tonnes_per_year,
                    "low_t": o.low_tonnes,
                    "high_t": o.high_tonnes,
                    "modelled_t": value,
                    "ratio": value / o.tonnes_per_year if o.tonnes_per_year else np.nan,
                    "within": o.low_tonnes <= value <= o.high_tonnes,
                }
            )
        return pd.DataFrame(rows)
