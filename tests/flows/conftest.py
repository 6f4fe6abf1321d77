"""Sioux Falls as AequilibraE ships it, written as TNTP files and solved by AequilibraE.

The network and demand are read at test time from the installed ``aequilibrae`` wheel
(``reference_files/sioux_falls.zip``; MIT licence with an attribution clause, AequilibraE
Developers), never copied into this repository. They are written here as TNTP network and
trips files in a temporary folder, so the TNTP readers and ``corridors flows --tntp-net``
run on a real network. AequilibraE's own bi-conjugate Frank-Wolfe solution at a given
relative gap is the reference the solver is compared with. Tests that use these fixtures
are skipped when ``aequilibrae`` or ``openmatrix`` is not installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from benchmarks.assignment_peer import LinkData


@dataclass(frozen=True)
class SiouxFalls:
    """AequilibraE's Sioux Falls and the TNTP files written from it."""

    data: LinkData
    net: Path
    trips: Path

    def bpr_time(self, flow: np.ndarray) -> np.ndarray:
        """Link times at the given flows, by the network's own BPR functions."""
        d = self.data
        return d.free_flow_time * (1.0 + d.b * (flow / d.capacity) ** d.power)


def _num(x: float) -> str:
    # repr is the shortest text that reads back as the same float
    return repr(float(x))


def write_tntp_net(data: LinkData, path: Path) -> None:
    """Write a link table as a TNTP network file (length, speed, toll unknown: written 0)."""
    n_nodes = int(max(data.a_node.max(), data.b_node.max()))
    lines = [
        f"<NUMBER OF ZONES> {data.n_zones}",
        f"<NUMBER OF NODES> {n_nodes}",
        # zones may be passed through unless the network says otherwise
        f"<FIRST THRU NODE> {data.n_zones + 1 if data.blocked_zones else 1}",
        f"<NUMBER OF LINKS> {len(data.a_node)}",
        "<END OF METADATA>",
        "",
        "~ init term capacity length free_flow_time b power speed toll type ;",
    ]
    for i in range(len(data.a_node)):
        fields = (
            str(int(data.a_node[i])),
            str(int(data.b_node[i])),
            _num(data.capacity[i]),
            "0",
            _num(data.free_flow_time[i]),
            _num(data.b[i]),
            _num(data.power[i]),
            "0",
            "0",
            "1",
        )
        lines.append("\t" + "\t".join(fields) + "\t;")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_tntp_trips(data: LinkData, path: Path) -> None:
    """Write a zone-to-zone matrix as a TNTP trips file, one ``Origin`` block per zone."""
    lines = [
        f"<NUMBER OF ZONES> {data.n_zones}",
        f"<TOTAL OD FLOW> {_num(data.demand.sum())}",
        "<END OF METADATA>",
        "",
    ]
    for o in range(data.n_zones):
        lines.append(f"Origin {o + 1}")
        row = data.demand[o]
        entries = [f"{d + 1} : {_num(row[d])};" for d in np.flatnonzero(row)]
        # five entries a line, as the published files have them
        lines.extend("    " + "    ".join(entries[k : k + 5]) for k in range(0, len(entries), 5))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_tntp_flows(data: LinkData, flow: np.ndarray, cost: np.ndarray, path: Path) -> None:
    """Write link flows and costs as a TNTP flow (solution) file: From, To, Volume, Cost."""
    lines = ["From \tTo \tVolume \tCost "]
    for i in range(len(data.a_node)):
        a, b = int(data.a_node[i]), int(data.b_node[i])
        lines.append(f"{a} \t{b} \t{_num(flow[i])} \t{_num(cost[i])} ")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def sioux_falls(tmp_path_factory: pytest.TempPathFactory) -> SiouxFalls:
    """AequilibraE's Sioux Falls (24 nodes and zones, 76 links) as TNTP files."""
    pytest.importorskip("aequilibrae")
    pytest.importorskip("openmatrix")
    from benchmarks.assignment_peer import aequilibrae_sioux_falls

    data = aequilibrae_sioux_falls()
    folder = tmp_path_factory.mktemp("sioux_falls")
    net, trips = folder / "SiouxFalls_net.tntp", folder / "SiouxFalls_trips.tntp"
    write_tntp_net(data, net)
    write_tntp_trips(data, trips)
    return SiouxFalls(data, net, trips)


@pytest.fixture(scope="session")
def aequilibrae_flows(sioux_falls: SiouxFalls) -> Callable[[float], np.ndarray]:
    """AequilibraE's bi-conjugate Frank-Wolfe link flows at a relative gap (link order kept)."""
    from benchmarks.assignment_peer import solve_aequilibrae

    solved: dict[float, np.ndarray] = {}

    def flows(gap: float) -> np.ndarray:
        if gap not in solved:
            theirs, their_gap, _ = solve_aequilibrae(sioux_falls.data, gap)
            assert their_gap <= gap, f"AequilibraE stopped at gap {their_gap:g} > {gap:g}"
            solved[gap] = theirs
        return solved[gap]

    return flows
