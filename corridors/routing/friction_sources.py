"""Which friction rows carry a source for their place, and how many the corridors pay.

A friction row is *sourced* when its method is ``published``: its figure was published for
that crossing, port or station, or for that country's side of its crossings. Every other
row is *estimated*: an analogy with another place, a regional average, or a stated method.
:func:`corridor_friction_share` routes every corridor in ``corridors.yaml`` and counts the
border, port and gauge-break rows its route pays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corridors.data.geodata import records
from corridors.errors import CorridorsError
from corridors.routing.named_corridors import route_corridor

if TYPE_CHECKING:
    from corridors.graph.network import Network

#: Friction kinds whose provenance the share counts (transfers between land modes are not).
COUNTED_KINDS = ("border", "port", "gauge_break")


def is_sourced(row: dict[str, Any]) -> bool:
    """Return whether a friction row's figure was published for its own place or side."""
    return str(row.get("method") or "").strip() == "published"


@dataclass(frozen=True)
class FrictionShare:
    """Rows the corridors' routes pay, and the share of them that are sourced."""

    sourced: tuple[str, ...]
    estimated: tuple[str, ...]
    unrouted: tuple[str, ...]

    @property
    def share(self) -> float:
        """Sourced rows over all rows paid (0 when none are paid)."""
        total = len(self.sourced) + len(self.estimated)
        return len(self.sourced) / total if total else 0.0


def corridor_friction_share(net: Network, profile: str | None = None) -> FrictionShare:
    """Route every corridor and sort the border, port and gauge-break rows it pays.

    Parameters
    ----------
    net
        The network.
    profile
        Cargo profile the corridors are routed for (default: each corridor's own).

    Returns
    -------
    share
        Distinct row ids paid on the corridors, sourced and estimated; corridors that do not
        route for the profile are listed in ``unrouted``.
    """
    rows = {str(r["id"]): r for r in records(net.geodata.frictions)}
    paid: set[str] = set()
    unrouted = []
    for spec in net.geodata.corridors:
        try:
            found = route_corridor(net, spec, profile=profile)
        except CorridorsError:
            unrouted.append(str(spec.get("id")))
            continue
        for comp in found.components:
            if comp.kind in COUNTED_KINDS:
                paid.update(comp.charged_rows)
    known = sorted(fid for fid in paid if fid in rows)
    return FrictionShare(
        sourced=tuple(f for f in known if is_sourced(rows[f])),
        estimated=tuple(f for f in known if not is_sourced(rows[f])),
        unrouted=tuple(unrouted),
    )
