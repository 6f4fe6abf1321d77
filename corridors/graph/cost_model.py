"""The cost model: what each leg costs, looked up in the speed, rate, emission and friction tables.

A :class:`Component` is one item of cost (a haul, a wait or a friction) with its distance,
time, money and CO2 and the sources they come from; :class:`Lookup` finds, for a cargo
profile, the most specific table row that applies to a mode, country, link or place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from corridors.data.geodata import records
from corridors.errors import GeodataError
from corridors.graph.profiles import Profile

if TYPE_CHECKING:
    from collections.abc import Sequence

    import numpy as np

    from corridors.data.geodata import Geodata


#: The quantities every cost component carries and a route sums: its totals, in table order.
SUMMED = ("distance_km", "time_h", "cost_usd", "co2_kg")


@dataclass(frozen=True)
class Component:
    """One item of cost on a routing-graph edge: a haul, a wait or a friction.

    ``kind`` is ``haul``, ``wait``, ``border``, ``port``, ``gauge_break`` or ``transfer``.
    """

    kind: str
    from_node: str
    to_node: str
    mode: str
    country: str
    distance_km: float
    time_h: float
    cost_usd: float
    co2_kg: float
    gauge_mm: int | None = None
    status: str = "operational"
    link_id: str | None = None
    friction_id: str | None = None
    source_ids: tuple[str, ...] = ()
    #: every friction row the component charges (a border crossing: its exit and its entry,
    #: combined by :func:`combine_sides`)
    friction_ids: tuple[str, ...] = ()
    note: str = ""

    @property
    def charged_rows(self) -> tuple[str, ...]:
        """Every friction row the component charges; empty for a haul or a wait."""
        return self.friction_ids or ((self.friction_id,) if self.friction_id else ())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _scope(value: Any) -> str:
    return "*" if _blank(value) else str(value)


class Lookup:
    """Most-specific-row lookups over the rate, speed and friction tables."""

    def __init__(self, geodata: Geodata, profile: Profile) -> None:
        self.profile = profile

        def fits(row: dict[str, Any]) -> bool:
            return _scope(row.get("profile")).lower() in ("*", profile.id)

        self.rates = [r for r in records(geodata.tables["rates"]) if fits(r)]
        self.speeds = records(geodata.tables["speeds"])
        self.frictions = [r for r in records(geodata.frictions) if fits(r)]
        # friction rows by (kind, node), in table order, with their scopes worked out once:
        # a routing graph asks for several hundred frictions
        self._by_node: dict[tuple[str, str], list[_FrictionRow]] = {}
        for i, r in enumerate(self.frictions):
            row = _FrictionRow(
                index=i,
                row=r,
                mode=_scope(r["mode"]),
                to_mode=_scope(r["to_mode"]),
                both=_scope(r["direction"]) in ("*", "both"),
                to_node="" if _blank(r["to_node"]) else str(r["to_node"]),
                side="" if _blank(r.get("side")) else str(r["side"]),
                country=_scope(r.get("country")).upper(),
            )
            self._by_node.setdefault((str(r["kind"]), str(r["node"])), []).append(row)
        ef = geodata.tables["emissions"]
        self.emissions = {str(r["mode"]): r for r in records(ef)}
        # a link without a rate row of its own pays its mode's rate in its country: asked
        # once per mode and country, not once per link (a large network has millions)
        self._rate_links = {r["link"] for r in self.rates if not _blank(r["link"])}
        self._rates: dict[tuple[str, str, str], tuple[float, float, tuple[str, ...]]] = {}
        self._speeds: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}

    def have_own_rates(self, link_ids: Sequence[str]) -> np.ndarray:
        """Return, per link id, whether a rate row names it (else its mode and country decide)."""
        import numpy as np

        named = self._rate_links.__contains__
        return np.fromiter(map(named, link_ids), dtype=bool, count=len(link_ids))

    def _best(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        # a profile-specific row beats a `*` row at the same scope; then the first row
        return max(rows, key=lambda r: _scope(r.get("profile")).lower() == self.profile.id)

    @staticmethod
    def _ids(row: dict[str, Any]) -> tuple[str, ...]:
        ids = row.get("source_id")
        return tuple(ids) if isinstance(ids, list) else ()

    def speed(self, mode: str, country: str) -> tuple[float, tuple[str, ...]]:
        """Return a mode's speed (km/h) in a country, else its `*` default, with source ids."""
        known = self._speeds.get((mode, country))
        if known is not None:
            return known
        for scope in (country, "*"):
            hit = [r for r in self.speeds if r["mode"] == mode and _scope(r["country"]) == scope]
            if hit:
                found = self._speeds[(mode, country)] = (float(hit[0]["kph"]), self._ids(hit[0]))
                return found
        msg = f"speeds.csv has no speed for mode {mode!r} (add a row with country `*`)"
        raise GeodataError(msg)

    def rate_row(self, link_id: str, mode: str, country: str) -> dict[str, Any]:
        """Return the rate row that applies to a link: its own, its country's, else `*`."""
        rows = [r for r in self.rates if r["mode"] == mode]
        for hit in (
            [r for r in rows if not _blank(r["link"]) and r["link"] == link_id],
            [r for r in rows if _blank(r["link"]) and _scope(r["country"]) == country],
            [r for r in rows if _blank(r["link"]) and _scope(r["country"]) == "*"],
        ):
            if hit:
                return self._best(hit)
        msg = (
            f"rates.csv has no {mode} rate for profile {self.profile.id!r} "
            f"(add a row with country `*`)"
        )
        raise GeodataError(msg)

    def rate(self, link_id: str, mode: str, country: str) -> tuple[float, float, tuple[str, ...]]:
        """Return a link's USD per unit-km and per unit (0 if blank), with their source ids."""
        key = (link_id if link_id in self._rate_links else "", mode, country)
        known = self._rates.get(key)
        if known is not None:
            return known
        row = self.rate_row(link_id, mode, country)
        per_km = 0.0 if _blank(row["usd_per_unit_km"]) else float(row["usd_per_unit_km"])
        per_unit = 0.0 if _blank(row["usd_per_unit"]) else float(row["usd_per_unit"])
        found = self._rates[key] = (per_km, per_unit, self._ids(row))
        return found

    def co2_per_km(self, mode: str) -> tuple[float, tuple[str, ...]]:
        """Return a mode's kg CO2 per km for one unit of the profile's cargo, with source ids."""
        row = self.emissions.get(mode)
        if row is None:
            msg = f"emissions.csv has no factor for mode {mode!r}"
            raise GeodataError(msg)
        return float(row["kg_co2_per_tkm"]) * self.profile.tonnes_per_unit, self._ids(row)

    def friction(
        self,
        kind: str,
        node: str,
        *,
        to_node: str = "",
        mode: str = "*",
        to_mode: str = "*",
        side: str = "",
    ) -> dict[str, Any] | None:
        """Return the most specific friction row, or None when no row applies.

        ``side`` (a port's ``load`` or ``discharge``) also admits the rows for that side,
        which beat the rows without one at the same place.
        """

        def matches(row: _FrictionRow, a: str, b: str) -> bool:
            # a row pricing one side of a crossing is found by `border_rows`, never here
            if row.side and row.side != side:
                return False
            return row.mode in ("*", a) and row.to_mode in ("*", b)

        for place in (node, "*"):
            hit: list[_FrictionRow] = []
            if kind == "border" and place != "*":
                rows = self._by_node.get((kind, node), [])
                if to_node != node:
                    rows = sorted([*rows, *self._by_node.get((kind, to_node), [])], key=_index)
                for row in rows:
                    forward = row.row["node"] == node and row.to_node == to_node
                    backward = row.both and row.row["node"] == to_node and row.to_node == node
                    if (forward and matches(row, mode, to_mode)) or (
                        backward and matches(row, to_mode, mode)
                    ):
                        hit.append(row)
            else:
                for row in self._by_node.get((kind, place), []):
                    if matches(row, mode, to_mode) or (row.both and matches(row, to_mode, mode)):
                        hit.append(row)
            if hit:
                hit = [r for r in hit if r.side] or hit
                specific = [r.row for r in hit if r.mode != "*"] or [r.row for r in hit]
                return self._best(specific)
        return None

    def border_rows(
        self, node: str, to_node: str, countries: tuple[str, str], mode: str
    ) -> list[dict[str, Any]]:
        """Return the rows a crossing from ``node`` to ``to_node`` by ``mode`` pays.

        A row for the whole crossing at these nodes wins. Otherwise the crossing pays its
        exit (the leaving country's row at ``node``, else that country's default, else the
        regional exit default) and its entry (the same for the entering country at
        ``to_node``); :func:`border_component` combines them. Without any side rows, the
        whole-crossing default applies.

        Parameters
        ----------
        node, to_node
            The last node in the leaving country and the first in the entering one.
        countries
            Their ISO codes.
        mode
            The mode that crosses.

        Returns
        -------
        rows
            No row, one whole-crossing row, or the exit row and/or the entry row.
        """
        whole = self.friction("border", node, to_node=to_node, mode=mode, to_mode=mode)
        if whole is not None and str(whole["node"]) != "*":
            return [whole]
        sides = []
        for side, here, there, country in (
            ("exit", node, to_node, countries[0]),
            ("entry", to_node, node, countries[1]),
        ):
            row = self._side_row(side, here, there, country, mode)
            if row is not None:
                sides.append(row)
        if sides:
            return sides
        return [] if whole is None else [whole]

    def risk_row(self, country: str, mode: str) -> dict[str, Any] | None:
        """Return the risk and insurance surcharge for entering ``country`` by ``mode``.

        Rows have ``kind`` ``risk``, ``node`` ``*`` and ``country`` set; a country without
        a row pays none (the documented default).
        """
        hit = [
            r
            for r in self._by_node.get(("risk", "*"), [])
            if r.country == country and r.mode in ("*", mode)
        ]
        if not hit:
            return None
        specific = [r for r in hit if r.mode != "*"] or hit
        return self._best([r.row for r in specific])

    def _side_row(
        self, side: str, here: str, there: str, country: str, mode: str
    ) -> dict[str, Any] | None:
        def fits(row: _FrictionRow) -> bool:
            return row.side == side and row.mode in ("*", mode)

        at_node = [
            r
            for r in self._by_node.get(("border", here), [])
            if fits(r) and r.to_node in ("", there)
        ]
        defaults = [r for r in self._by_node.get(("border", "*"), []) if fits(r)]
        for hit in (
            [r for r in at_node if r.to_node == there],
            at_node,
            [r for r in defaults if r.country == country],
            [r for r in defaults if r.country == "*"],
        ):
            if hit:
                specific = [r for r in hit if r.mode != "*"] or hit
                return self._best([r.row for r in specific])
        return None


@dataclass(frozen=True)
class _FrictionRow:
    """A friction row with its scopes normalised, and its position in the table."""

    index: int
    row: dict[str, Any]
    mode: str
    to_mode: str
    both: bool
    to_node: str
    side: str = ""
    country: str = "*"


def _index(row: _FrictionRow) -> int:
    return row.index


def border_component(
    rows: list[dict[str, Any]], node: str, to_node: str, mode: str, country: str
) -> Component | None:
    """Return one crossing's component from the rows it pays (None without rows).

    A side row is one country's figure for the whole crossing: the CAREC CPMM time and
    cost at a border run from arriving at the first country's post to leaving the
    second's. A crossing priced by its exit and its entry row therefore takes their mean
    (:func:`combine_sides`), not their sum, which would count the crossing twice.

    The component's ``friction_id`` is its first row; ``friction_ids`` names every row, and
    the note says which side each prices.
    """
    # of two sides, the crossing's fee is the mean of those that know one
    fees_known = len(rows) > 1 and any(not math.isnan(side_value(r, "fee_usd")) for r in rows)
    unknown_fee = "the other side's stands" if fees_known else "counted as 0"
    parts = [
        friction_component(r, "border", node, to_node, mode, country, unknown_fee=unknown_fee)
        for r in rows
    ]
    found = [p for p in parts if p is not None]
    if not found:
        return None
    if len(found) == 1:
        return replace(found[0], friction_ids=(str(found[0].friction_id),))
    notes = []
    for row, part in zip(rows, found, strict=True):
        side = "" if _blank(row.get("side")) else str(row["side"])
        notes.append(f"{side or 'crossing'} {part.time_h:g} h: {part.note}".strip())
    return replace(
        found[0],
        time_h=combine_sides([side_value(r, "time_h") for r in rows]),
        cost_usd=combine_sides([side_value(r, "fee_usd") for r in rows]),
        source_ids=tuple(dict.fromkeys(i for p in found for i in p.source_ids)),
        friction_ids=tuple(str(p.friction_id) for p in found),
        note="mean of the two sides: " + "; ".join(notes),
    )


def side_value(row: dict[str, Any], column: str) -> float:
    """Return a side row's ``time_h`` or ``fee_usd``, NaN where the row does not know it."""
    value = row.get(column)
    return math.nan if value is None or _blank(value) else float(value)


def combine_sides(values: list[float]) -> float:
    """Return a crossing's value from its side rows' values: the mean of the known ones.

    Each side's figure measures the whole crossing (see :func:`border_component`); a side
    that does not know a value (NaN) leaves it to the other, and with none known it is 0.
    For two known sides this is ``(exit + entry) / 2``, correctly rounded, which is what
    array code that redraws one side computes too.
    """
    known = [v for v in values if not math.isnan(v)]
    return math.fsum(known) / len(known) if known else 0.0


def friction_parts(component: Component) -> list[Component]:
    """Return a component once per friction row it charges (a crossing's exit and entry).

    Scenario selectors and edits work row by row; each part carries one row's id (and the
    whole component's values: the part says which row, not what the row alone charges).
    """
    if len(component.friction_ids) < 2:
        return [component]
    return [
        replace(component, friction_id=fid, friction_ids=(fid,)) for fid in component.friction_ids
    ]


def friction_component(
    row: dict[str, Any] | None,
    kind: str,
    node: str,
    to_node: str,
    mode: str,
    country: str,
    *,
    unknown_fee: str = "counted as 0",
) -> Component | None:
    """Return the cost component a friction row charges at a place (None without a row).

    A row without a fee charges none; its note says "fee not known, " and ``unknown_fee``
    (what the fee becomes: zero, or the other side's at a crossing of two sides).
    """
    if row is None:
        return None
    import pandas as pd

    time_h = 0.0 if pd.isna(row["time_h"]) else float(row["time_h"])
    fee_known = not pd.isna(row["fee_usd"])
    fee = float(row["fee_usd"]) if fee_known else 0.0
    ids = tuple(row["source_id"]) if isinstance(row["source_id"], list) else ()
    method = str(row["method"]) if isinstance(row.get("method"), str) else ""
    if not fee_known:
        method = "; ".join(x for x in (method, f"fee not known, {unknown_fee}") if x)
    return Component(
        kind=kind,
        from_node=node,
        to_node=to_node,
        mode=mode,
        country=country,
        distance_km=0.0,
        time_h=time_h,
        cost_usd=fee,
        co2_kg=0.0,
        friction_id=str(row["id"]),
        source_ids=ids,
        note=method,
    )
