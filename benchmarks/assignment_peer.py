"""AequilibraE's traffic assignment as a peer of corridors' equilibrium solver.

Both solvers are given the same link table (node ids from 1, free-flow time, capacity, BPR
``b`` and ``power``) and the same zone-to-zone demand; AequilibraE is driven through its graph
and in-memory matrix, so no project database or spatial extension is needed.
"""

from __future__ import annotations

import sqlite3
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.peers import _Quiet


@dataclass
class LinkData:
    """A network and demand both solvers read: 1-based nodes, zones 1..n_zones."""

    a_node: np.ndarray
    b_node: np.ndarray
    free_flow_time: np.ndarray
    capacity: np.ndarray
    b: np.ndarray
    power: np.ndarray
    demand: np.ndarray  # n_zones x n_zones
    #: whether zones may not be passed through (TNTP's <FIRST THRU NODE> above 1)
    blocked_zones: bool = False

    @property
    def n_zones(self) -> int:
        return int(self.demand.shape[0])


def aequilibrae_sioux_falls() -> LinkData:
    """Sioux Falls as AequilibraE ships it (``reference_files/sioux_falls.zip``)."""
    import aequilibrae
    import openmatrix as omx

    archive = Path(aequilibrae.__file__).parent / "reference_files" / "sioux_falls.zip"
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(archive) as z:
            z.extract("project_database.sqlite", tmp)
            z.extract("matrices/demand.omx", tmp)
        con = sqlite3.connect(Path(tmp) / "project_database.sqlite")
        rows = con.execute(
            "select a_node, b_node, free_flow_time, capacity_ab, b, power from links "
            "where direction = 1 order by link_id"
        ).fetchall()
        con.close()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = omx.open_file(str(Path(tmp) / "matrices" / "demand.omx"))
            try:
                demand = np.array(f["matrix"], dtype=np.float64)
            finally:
                f.close()
    a = np.array(rows, dtype=np.float64)
    return LinkData(
        a[:, 0].astype(np.int64),
        a[:, 1].astype(np.int64),
        a[:, 2],
        a[:, 3],
        a[:, 4],
        a[:, 5],
        demand,
    )


def solve_aequilibrae(
    data: LinkData, gap: float, algorithm: str = "bfw", max_iter: int = 10_000
) -> tuple[np.ndarray, float, int]:
    """Solve with AequilibraE; return link flows (in the input order), final gap, iterations."""
    import pandas as pd
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph, TrafficAssignment, TrafficClass

    m = len(data.a_node)
    net = pd.DataFrame(
        {
            "link_id": np.arange(1, m + 1),
            "a_node": data.a_node,
            "b_node": data.b_node,
            "direction": np.ones(m, dtype=np.int8),
            "free_flow_time": data.free_flow_time,
            "capacity": data.capacity,
            "b": data.b,
            "power": data.power,
        }
    )
    zones = np.arange(1, data.n_zones + 1)
    with warnings.catch_warnings(), _Quiet():
        warnings.simplefilter("ignore")
        graph = Graph()
        graph.network = net
        graph.prepare_graph(zones)
        graph.set_graph("free_flow_time")
        graph.set_skimming(["free_flow_time"])
        graph.set_blocked_centroid_flows(data.blocked_zones)
        mat = AequilibraeMatrix()
        mat.create_empty(zones=data.n_zones, matrix_names=["demand"], memory_only=True)
        mat.index[:] = zones
        mat.matrices[:, :, 0] = data.demand
        mat.computational_view(["demand"])
        assig = TrafficAssignment()
        assig.set_classes([TrafficClass("c", graph, mat)])
        assig.set_vdf("BPR")
        assig.set_vdf_parameters({"alpha": "b", "beta": "power"})
        assig.set_capacity_field("capacity")
        assig.set_time_field("free_flow_time")
        assig.set_cores(1)
        assig.set_algorithm(algorithm)
        assig.max_iter = max_iter
        assig.rgap_target = gap
        assig.execute()
        res = assig.results()
    flows = res["demand_ab"].reindex(np.arange(1, m + 1)).to_numpy(dtype=np.float64)
    report = assig.report()
    return flows, float(report["rgap"].iloc[-1]), int(report["iteration"].iloc[-1])
