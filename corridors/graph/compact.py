"""Compact columns of a routing graph: repeated strings as codes, vertices as two codes.

A routing graph of a million links has about four million vertices and five million
edges. Held as Python objects (a ``(place, layer)`` tuple per vertex, a dict keyed by
them, an object array per string attribute of the edges) it takes gigabytes; held here it
takes a few bytes per vertex and per edge. :class:`Coded` is a column of repeated strings
as integer codes into its distinct values; :class:`Vertices` holds every vertex as a place
code and a layer code, :class:`VertexList` and :class:`VertexIndex` give the
``(place, layer)`` view and its reverse look-up without making an object per vertex.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Return the distinct values of an integer array, sorted (as ``numpy.unique``).

    By sorting: numpy 2's ``unique`` of a bare integer array hashes it, about thirty times
    slower than a sort for the millions of codes a large routing graph has.
    """
    ordered = np.sort(np.asarray(values), kind="stable")
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _factorize(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return codes (first seen first) and the distinct values.

    ``pandas.factorize`` where pandas is loaded already (building a graph from the tables
    loads it); else a dict, so that a network read from its cache routes without it.
    """
    pd = sys.modules.get("pandas")
    if pd is not None and len(values) > 1000:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
        out = np.empty(len(uniques), dtype=object)
        out[:] = list(uniques)
        return _small(np.asarray(codes), len(out)), out
    seen: dict[Any, int] = {}
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    codes = np.fromiter(
        (seen.setdefault(v, len(seen)) for v in items), dtype=np.int64, count=len(items)
    )
    out = np.empty(len(seen), dtype=object)
    out[:] = list(seen)
    return _small(codes, len(out)), out


def _small(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Return codes in the smallest of int16 and int32 that holds ``n_values`` values."""
    dtype = np.int16 if n_values < 2**15 else np.int32
    return np.asarray(codes, dtype=dtype)


class Coded:
    """A column of repeated values as codes into the list of its distinct values.

    Parameters
    ----------
    codes
        Each row's position in ``values``.
    values
        The distinct values (an object array).
    """

    __slots__ = ("codes", "values")

    def __init__(self, codes: np.ndarray, values: np.ndarray) -> None:
        self.codes = _small(codes, len(values))
        self.values = values

    @classmethod
    def of(cls, column: Any) -> Coded:
        """Return a column of values (a list or an array) as codes."""
        if isinstance(column, Coded):
            return column
        codes, values = _factorize(column)
        return cls(codes, values)

    @classmethod
    def constant(cls, value: Any, n: int) -> Coded:
        """Return ``n`` rows of one value."""
        values = np.empty(1, dtype=object)
        values[0] = value
        return cls(np.zeros(n, dtype=np.int16), values)

    @classmethod
    def concat(cls, parts: Sequence[Coded]) -> Coded:
        """Return the rows of several columns, one after the other."""
        values = np.concatenate([p.values for p in parts]) if parts else np.empty(0, object)
        remap, distinct = _factorize(values)
        remap = remap.astype(np.int64)
        codes, at = [], 0
        for p in parts:
            codes.append(remap[at : at + len(p.values)][p.codes.astype(np.int64)])
            at += len(p.values)
        joined = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
        return cls(joined, distinct)

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, rows: np.ndarray) -> Coded:
        """Return the given rows."""
        return Coded(self.codes[rows], self.values)

    def decode(self) -> np.ndarray:
        """Return the column as an object array (each value shared, not copied)."""
        return np.asarray(self.values[self.codes])

    def codes_of(self, wanted: Iterable[Any]) -> np.ndarray:
        """Return the codes of those of ``wanted`` the column holds."""
        want = set(wanted)
        return np.array([i for i, v in enumerate(self.values.tolist()) if v in want], np.int64)

    def isin(self, wanted: Iterable[Any]) -> np.ndarray:
        """Return a boolean mask of the rows whose value is one of ``wanted``."""
        hit = np.zeros(len(self.values), dtype=bool)
        hit[self.codes_of(wanted)] = True
        return np.asarray(hit[self.codes])


class Vertices:
    """Every vertex of a routing graph as a place code and a layer code.

    Parameters
    ----------
    places
        Place ids, sorted (an object array): ``place[i]`` codes into it.
    place
        Each vertex's place code.
    layers
        Layer names (``rail:1520|in``, ``o``, ...): ``layer[i]`` codes into them.
    layer
        Each vertex's layer code.
    """

    def __init__(
        self, places: np.ndarray, place: np.ndarray, layers: Sequence[str], layer: np.ndarray
    ) -> None:
        self.places = places
        self.place = np.asarray(place, dtype=np.int32)
        self.layers = list(layers)
        self.layer = np.asarray(layer, dtype=np.int16)
        self._layer_code = {name: i for i, name in enumerate(self.layers)}
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, vnodes: Sequence[tuple[str, str]]) -> Vertices:
        """Return vertices given as ``(place, layer)`` pairs."""
        if isinstance(vnodes, VertexList):
            return vnodes.vertices
        place_ids = np.empty(len(vnodes), dtype=object)
        place_ids[:] = [p for p, _ in vnodes]
        places, place = (
            np.unique(place_ids, return_inverse=True)
            if len(vnodes)
            else (
                np.empty(0, dtype=object),
                np.zeros(0, dtype=np.int64),
            )
        )
        layer, layers = _factorize([x for _, x in vnodes])
        return cls(places, place.reshape(-1), [str(x) for x in layers], layer)

    def __len__(self) -> int:
        return len(self.place)

    def place_code(self, place: object) -> int | None:
        """Return a place's code, or None if no vertex list holds it."""
        if not isinstance(place, str):  # place ids are text; anything else is no place
            return None
        i = int(np.searchsorted(self.places, place))
        if i < len(self.places) and self.places[i] == place:
            return i
        return None

    def find(self, place: str, layer: str) -> int | None:
        """Return the vertex number of ``(place, layer)``, or None."""
        p, x = self.place_code(place), self._layer_code.get(layer)
        if p is None or x is None:
            return None
        keys, order = self._packed()
        k = p * len(self.layers) + x
        j = int(np.searchsorted(keys, k))
        if j < len(keys) and int(keys[j]) == k:
            return int(order[j])
        return None

    def _packed(self) -> tuple[np.ndarray, np.ndarray]:
        # the vertices sorted by (place, layer), made on the first look-up
        if self._sorted is None:
            keys = self.place.astype(np.int64) * max(1, len(self.layers)) + self.layer
            order = np.argsort(keys, kind="stable")
            self._sorted = (keys[order], order.astype(np.int32))
        return self._sorted

    def nodes(self, places: Iterable[str], layers: Iterable[str]) -> np.ndarray:
        """Return the vertices at any of ``places`` on any of ``layers``, sorted."""
        codes = [c for c in (self.place_code(p) for p in places) if c is not None]
        xs = [self._layer_code[x] for x in layers if x in self._layer_code]
        if not codes or not xs:
            return np.zeros(0, dtype=np.int64)
        keys, order = self._packed()
        n = max(1, len(self.layers))
        found = []
        for p in codes:
            lo, hi = np.searchsorted(keys, [p * n, (p + 1) * n])
            found.append(order[lo:hi][np.isin(self.layer[order[lo:hi]], xs)])
        return sorted_unique(np.concatenate(found)).astype(np.int64)


class VertexList(Sequence[tuple[str, str]]):
    """The vertices as ``(place, layer)`` pairs, each made when asked for."""

    def __init__(self, vertices: Vertices) -> None:
        self.vertices = vertices

    def __len__(self) -> int:
        return len(self.vertices)

    @overload
    def __getitem__(self, i: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, str]]: ...

    def __getitem__(self, i: int | slice) -> tuple[str, str] | list[tuple[str, str]]:
        v = self.vertices
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        j = int(i)
        if j < 0:
            j += len(v)
        if not 0 <= j < len(v):
            msg = f"vertex {i} out of range (the graph has {len(v)} vertices)"
            raise IndexError(msg)
        return (str(v.places[v.place[j]]), v.layers[v.layer[j]])

    def __iter__(self) -> Iterator[tuple[str, str]]:
        v = self.vertices
        places = v.places[v.place].tolist()
        layers = np.array(v.layers, dtype=object)[v.layer].tolist() if v.layers else []
        return zip(places, layers, strict=True)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class VertexIndex(Mapping[tuple[str, str], int]):
    """The vertex number of every ``(place, layer)``, looked up in sorted codes."""

    def __init__(self, vertices: Vertices) -> None:
        self.vertices = vertices

    def __getitem__(self, key: tuple[str, str]) -> int:
        found = self.vertices.find(*key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        """Return the vertex number of ``key``, or ``default``."""
        place, layer = key
        found = self.vertices.find(place, layer)
        return default if found is None else found

    def __contains__(self, key: object) -> bool:
        if not (isinstance(key, tuple) and len(key) == 2):
            return False
        return self.get(key) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(VertexList(self.vertices))

    def __len__(self) -> int:
        return len(self.vertices)
