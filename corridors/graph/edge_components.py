"""The cost components of a routing graph's edges, held as columns.

A routing graph of a million links has several million cost components; as Python objects
they would take gigabytes. :class:`ComponentColumns` holds them as arrays (the four summed
totals as floats, every other field as a code into that field's distinct values) and
:class:`EdgeComponents` gives each edge's components as :class:`Component` objects, made
only when an edge is asked for (a route's edges) and kept while the graph lives.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import fields
from itertools import pairwise
from typing import Any, overload

import numpy as np

from corridors.graph.cost_model import SUMMED, Component

#: Every field of a component, in the order :class:`Component` takes them.
FIELDS = tuple(f.name for f in fields(Component))
#: The fields held as codes into a list of distinct values (all but the summed totals).
CODED = tuple(name for name in FIELDS if name not in SUMMED)


class ComponentColumns:
    """Cost components as columns: float arrays for the totals, codes for the rest.

    Parameters
    ----------
    floats
        ``distance_km``, ``time_h``, ``cost_usd`` and ``co2_kg`` of every component.
    codes
        For every other field of :class:`Component`, each component's code into
        ``values[field]``.
    values
        For every coded field, its distinct values.
    """

    def __init__(
        self,
        floats: dict[str, np.ndarray],
        codes: dict[str, np.ndarray],
        values: dict[str, list[Any]],
    ) -> None:
        self.floats = floats
        self.codes = codes
        self.values = values
        self._made: dict[int, Component] = {}

    def __len__(self) -> int:
        return len(self.floats["time_h"])

    def row(self, i: int) -> Component:
        """Return component ``i`` as an object (the same object on every call)."""
        made = self._made.get(i)
        if made is None:
            kwargs: dict[str, Any] = {name: float(self.floats[name][i]) for name in SUMMED}
            for name in CODED:
                kwargs[name] = self.values[name][self.codes[name][i]]
            made = self._made[i] = Component(**kwargs)
        return made

    def where(self, name: str, value: Any) -> np.ndarray:
        """Return a boolean mask of the components whose field ``name`` equals ``value``."""
        if name in SUMMED:
            return np.asarray(self.floats[name] == value)
        try:
            code = self.values[name].index(value)
        except ValueError:
            return np.zeros(len(self), dtype=bool)
        return np.asarray(self.codes[name] == code)


def _codes_of(index: dict[Any, int], values: Sequence[Any]) -> np.ndarray:
    """Return each value's code in ``index``, giving new values the next codes in order.

    The same codes as ``index.setdefault(value, len(index))`` value by value, found with
    dictionaries built in C: a routing graph's hauls bring a million link ids and places at
    once, where the index holds the few thousand of the edges built one at a time.
    """
    at = dict(zip(values, range(len(values))))
    if len(at) != len(values):  # a value given twice: number them one at a time
        return np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)
    codes = np.full(len(values), -1, dtype=np.int64)
    # the smaller dictionary is walked: the values already known are found in it
    if len(index) <= len(at):
        for value, code in index.items():
            i = at.get(value)
            if i is not None:
                codes[i] = code
    else:
        for i, value in enumerate(values):
            codes[i] = index.get(value, -1)
    new = np.flatnonzero(codes < 0)
    codes[new] = np.arange(len(index), len(index) + len(new), dtype=np.int64)
    if len(new) == len(values):
        index.update(zip(values, codes.tolist()))
    elif len(new):
        index.update(zip([values[i] for i in new.tolist()], codes[new].tolist()))
    return codes


class ColumnsBuilder:
    """Collects components one at a time into columns, without keeping the objects.

    Parameters
    ----------
    numbered
        For some coded fields, distinct values numbered first: each maps a value to its
        number, 0, 1, ... in the mapping's order. :meth:`add_many` may then be given those
        fields' codes in that numbering. A routing graph numbers its hauls' places and link
        ids so: it has them as codes already, and hashing a million strings per field and
        build costs seconds.
    """

    def __init__(self, numbered: dict[str, dict[Any, int]] | None = None) -> None:
        self._numbered = dict(numbered or {})
        for name, index in self._numbered.items():
            if name not in CODED:
                msg = f"{name!r} is not a coded component field"
                raise ValueError(msg)
            # the ends of the numbering, as a cheap guard against a mapping of other numbers
            if index and (
                next(iter(index.values())) != 0 or index[next(reversed(index))] != len(index) - 1
            ):
                msg = f"the values numbered for {name!r} are not numbered 0, 1, ... in order"
                raise ValueError(msg)
        self._start()

    def _start(self) -> None:
        self._floats = {name: array("d") for name in SUMMED}
        # four bytes a code, as the columns keep them (a field has fewer distinct values
        # than there are components)
        self._codes = {name: array("i") for name in CODED}
        self._index: dict[str, dict[Any, int]] = {
            name: self._numbered[name].copy() if name in self._numbered else {} for name in CODED
        }

    def add(self, comp: Component) -> int:
        """Append a component's fields; return its row number."""
        row = len(self._floats["time_h"])
        for name in SUMMED:
            self._floats[name].append(getattr(comp, name))
        for name in CODED:
            value = getattr(comp, name)
            index = self._index[name]
            code = index.get(value)
            if code is None:
                code = index[value] = len(index)
            self._codes[name].append(code)
        return row

    def add_many(
        self,
        floats: dict[str, np.ndarray],
        coded: dict[str, tuple[np.ndarray, Sequence[Any]]],
        same: dict[str, Any],
        numbered: dict[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Append many components given as columns; return their row numbers.

        Parameters
        ----------
        floats
            Every summed total (:data:`SUMMED`), one value per component.
        coded
            For some coded fields, each component's position in a list of that field's
            values, and the list (as ``pandas.factorize`` gives them).
        same
            For every other coded field, the one value all these components have.
        numbered
            For fields the builder numbered values of (see the class), each component's
            code in that numbering, given instead of in ``coded`` or ``same``.
        """
        numbered = numbered or {}
        if not set(numbered) <= set(self._numbered):
            msg = (
                f"fields not numbered by the builder: {sorted(set(numbered) - set(self._numbered))}"
            )
            raise ValueError(msg)
        n = len(floats["time_h"])
        first = len(self._floats["time_h"])
        for name in SUMMED:
            # as bytes: no Python float per component on the way
            self._floats[name].frombytes(np.ascontiguousarray(floats[name], np.float64).tobytes())
        for name in CODED:
            index = self._index[name]
            if name in numbered:
                codes = np.asarray(numbered[name])
                self._codes[name].frombytes(np.ascontiguousarray(codes, np.int32).tobytes())
            elif name in coded:
                local, values = coded[name]
                # each distinct value is looked up once, not once per component; into an
                # empty index (the first columns of a build) they are put at once
                known = _codes_of(index, values)
                codes = known[np.asarray(local, dtype=np.int64)]
                self._codes[name].frombytes(np.ascontiguousarray(codes, np.int32).tobytes())
            else:
                code = index.setdefault(same[name], len(index))
                self._codes[name].frombytes(np.full(n, code, dtype=np.int32).tobytes())
        return np.arange(first, first + n, dtype=np.int64)

    def columns(self) -> ComponentColumns:
        """Return the columns collected so far, and empty the builder.

        Each collected column is let go as soon as its array is made, so a builder of
        millions of components is not held twice.
        """
        floats = {name: np.array(self._floats.pop(name), dtype=np.float64) for name in SUMMED}
        codes = {name: np.array(self._codes.pop(name), dtype=np.int32) for name in CODED}
        values = {name: list(index) for name, index in self._index.items()}
        self._start()
        return ComponentColumns(floats=floats, codes=codes, values=values)


class EdgeComponents(Sequence[tuple[Component, ...]]):
    """Each edge's cost components in travel order, made into objects when asked for.

    ``edges[i]`` is the tuple of edge ``i``'s components, as the routing graph gave it
    before the components were held as columns; iterating makes every edge's.

    Parameters
    ----------
    columns
        The components.
    start
        Edge ``i``'s components are rows ``items[start[i]:start[i + 1]]`` of ``columns``
        (``n_edges + 1`` offsets).
    items
        Row numbers into ``columns``.
    """

    def __init__(self, columns: ComponentColumns, start: np.ndarray, items: np.ndarray) -> None:
        self.columns = columns
        self.start = start
        self.items = items

    def __len__(self) -> int:
        return len(self.start) - 1

    def rows(self, i: int) -> np.ndarray:
        """Return the component rows of edge ``i``."""
        return self.items[self.start[i] : self.start[i + 1]]

    def rows_of(self, edges: Sequence[int] | np.ndarray) -> np.ndarray:
        """Return the component rows of the given edges, one after another in their order."""
        at = np.asarray(edges, dtype=np.int64)
        begin, count = self.start[at], self.start[at + 1] - self.start[at]
        # each edge's run of rows, laid end to end without a Python loop over the edges
        offset = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(
            np.cumsum(count) - count, count
        )
        return np.asarray(self.items[np.repeat(begin, count) + offset], dtype=np.int64)

    @overload
    def __getitem__(self, i: int) -> tuple[Component, ...]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[Component, ...]]: ...

    def __getitem__(self, i: int | slice) -> tuple[Component, ...] | list[tuple[Component, ...]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        j = int(i)
        if j < 0:
            j += n
        if not 0 <= j < n:
            msg = f"edge {i} out of range (the graph has {n} edges)"
            raise IndexError(msg)
        row = self.columns.row
        return tuple(row(int(r)) for r in self.items[self.start[j] : self.start[j + 1]])

    def __iter__(self) -> Iterator[tuple[Component, ...]]:
        row = self.columns.row
        items = self.items.tolist()
        start = self.start.tolist()
        for a, b in pairwise(start):
            yield tuple(row(r) for r in items[a:b])

    def __eq__(self, other: object) -> bool:
        # equal when every edge has equal components, however they are held
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def edge_of_rows(self) -> np.ndarray:
        """Return, for every entry of ``items``, the edge it belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.start))


def edge_components(per_edge: Sequence[Sequence[Component]]) -> EdgeComponents:
    """Return the components of edges given as lists of objects (for small graphs and tests)."""
    builder = ColumnsBuilder()
    items = [builder.add(c) for comps in per_edge for c in comps]
    start = np.zeros(len(per_edge) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in per_edge], out=start[1:])
    return EdgeComponents(builder.columns(), start, np.asarray(items, dtype=np.int64))


def components_along(held: Sequence[tuple[Component, ...]], path: Sequence[int]) -> list[Component]:
    """Return the components of a path's edges, one edge after another.

    On held columns, the rows of the whole path are found at once and each is made into
    an object once per graph: a path of a million-link network crosses tens of thousands
    of edges.
    """
    if isinstance(held, EdgeComponents):
        row = held.columns.row
        return [row(r) for r in held.rows_of(path).tolist()]
    return [c for e in path for c in held[e]]
