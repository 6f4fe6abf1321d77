"""The nodes and links as the physical graph holds them, read from the tables instead.

A route needs a few facts about places and links: a node's name, country, kind and
coordinates, which directions a link may be travelled, a link's drawn line. The physical
``networkx`` graph holds them too, but building it costs about 6 GB and a minute for a
million links; these views answer from the geodata tables, so a route, a place look-up or
check 10 never has to build it (:attr:`corridors.graph.network.Network.G` is built only
when something asks for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

#: Node columns the physical graph keeps apart: the id is the node's key, ``lon`` and ``lat``
#: are its ``x`` and ``y``, and ``_line`` is the row's line in nodes.csv.
_APART = ("id", "_line", "lon", "lat")


class NodeTable(Mapping[str, dict[str, Any]]):
    """Each node's attributes as the physical graph holds them (``x``, ``y``, the columns).

    ``table[node]`` is a new dict equal to ``net.G.nodes[node]`` without ``street_count``
    (an OSMnx count only the physical graph needs); a node id given twice keeps its last
    row, as the graph does.

    Parameters
    ----------
    nodes
        The nodes table's columns (:meth:`corridors.data.geodata.Geodata.table_columns`).
    """

    def __init__(self, nodes: Mapping[str, list[Any]]) -> None:
        self.ids: list[str] = [str(n) for n in nodes["id"]]
        self.index: dict[str, int] = {node: i for i, node in enumerate(self.ids)}
        self.names = [str(c) for c in nodes if c not in _APART]
        self.x: list[float] = [float(v) for v in nodes["lon"]]
        self.y: list[float] = [float(v) for v in nodes["lat"]]
        # read through ``nodes`` when first asked for: a route reads a few of the columns,
        # and at a million nodes each read column is a million Python objects
        self._nodes = nodes
        self._known = frozenset(self.names)

    def __getitem__(self, node: str) -> dict[str, Any]:
        i = self.index[node]
        out: dict[str, Any] = {"x": self.x[i], "y": self.y[i]}
        for name in self.names:
            out[name] = self._nodes[name][i]
        return out

    def __contains__(self, node: object) -> bool:
        return node in self.index

    def __iter__(self) -> Iterator[str]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def value(self, node: str, name: str, default: Any = None) -> Any:
        """Return one attribute of a node (``default`` for an unknown node or column)."""
        i = self.index.get(node)
        if i is None:
            return default
        if name == "x":
            return self.x[i]
        if name == "y":
            return self.y[i]
        return self._nodes[name][i] if name in self._known else default

    def column(self, name: str) -> list[Any]:
        """Return one attribute of every node, in the order of :attr:`ids`."""
        if name == "x":
            return self.x
        if name == "y":
            return self.y
        if name not in self._known:
            raise KeyError(name)
        return self._nodes[name]


class TableColumns(Mapping[str, list[Any]]):
    """A table's columns as lists, each read by ``read`` when first asked for.

    Parameters
    ----------
    names
        Every column of the table, in order.
    read
        Returns one column's values as a list.
    """

    def __init__(self, names: Sequence[str], read: Callable[[str], list[Any]]) -> None:
        self._order = list(names)
        self._read = read
        self._held: dict[str, list[Any]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        held = self._held.get(name)
        if held is None:
            if name not in self._order:
                raise KeyError(name)
            held = self._held[name] = self._read(name)
        return held

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)


#: The link columns a route reads (``Network.link_columns``).
LINK_COLUMNS = ("id", "u", "v", "oneway", "mode", "length_method")


def link_directions(
    links: Mapping[str, list[Any]], closed: frozenset[tuple[str, str, str]] = frozenset()
) -> Iterator[tuple[str, str, str, int]]:
    """Yield each direction of travel the physical graph has an edge for.

    A link is travelled from ``u`` to ``v``, and back unless it is ``oneway``; a direction a
    scenario closed (``(link id, from, to)`` in ``closed``) has no edge. Yields ``(link id,
    from node, to node, row)`` in the graph's order of adding them.
    """
    ids, us, vs, oneway = links["id"], links["u"], links["v"], links["oneway"]
    for row, (lid, u, v, one) in enumerate(zip(ids, us, vs, oneway, strict=True)):
        if (lid, u, v) not in closed:
            yield lid, u, v, row
        if not bool(one) and (lid, v, u) not in closed:
            yield lid, v, u, row
