"""Probability distributions for Monte Carlo parameters, defined once: checks and sampling.

Each kind says which parameters it needs (checked when a scenario file is read, with a
message naming what is missing) and how it draws values. The scenario schema validates
``distribution.kind`` against :data:`DISTRIBUTIONS`; :mod:`corridors.scenarios.montecarlo`
draws through it. To add a distribution, add an entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


class Params(Protocol):
    """What a scenario file gives for one distribution (``uncertain[].distribution``)."""

    @property
    def kind(self) -> str:
        """The distribution's name."""

    @property
    def low(self) -> float | None:
        """Lower bound."""

    @property
    def mode(self) -> float | None:
        """Most likely value (triangular)."""

    @property
    def high(self) -> float | None:
        """Upper bound."""

    @property
    def median(self) -> float | None:
        """Median (lognormal)."""

    @property
    def sigma(self) -> float | None:
        """Standard deviation of the log (lognormal)."""

    @property
    def values(self) -> Sequence[float]:
        """Values to choose from (empirical)."""

    @property
    def weights(self) -> Sequence[float]:
        """Weights of the values (empirical; equal when empty)."""


#: ``sample(params, low, mode, high, shape, rng)``: draws of shape ``shape``; ``low``,
#: ``mode`` and ``high`` are per-row arrays (from the file, or each row's data range).
Sampler = Callable[[Params, Floats, Floats, Floats, tuple[int, int], np.random.Generator], Floats]


@dataclass(frozen=True)
class Distribution:
    """One kind of distribution.

    Attributes
    ----------
    kind
        Its name in a scenario file.
    check
        Raises ``ValueError`` saying what is wrong with a file's parameters.
    sample
        Draws values (see :data:`Sampler`).
    ranged
        Whether it is set by a low-high range, which may come from each data row's
        ``_low``/``_high`` columns when the file gives no bounds.
    """

    kind: str
    check: Callable[[Params], None]
    sample: Sampler
    ranged: bool = False


def _check_range(p: Params) -> None:
    if (p.low is None) != (p.high is None):
        msg = f"give both low and high for a {p.kind} distribution, or neither"
        raise ValueError(msg)


def _check_triangular(p: Params) -> None:
    if p.low is not None and p.high is not None:
        mid = p.mode if p.mode is not None else (p.low + p.high) / 2
        if not p.low <= mid <= p.high:
            msg = "a triangular distribution needs low <= mode <= high"
            raise ValueError(msg)
    _check_range(p)


def _check_uniform(p: Params) -> None:
    if p.low is not None and p.high is not None and p.low > p.high:
        msg = "a uniform distribution needs low <= high"
        raise ValueError(msg)
    _check_range(p)


def _check_lognormal(p: Params) -> None:
    if p.median is None or p.sigma is None:
        msg = "a lognormal distribution needs median and sigma (of the log)"
        raise ValueError(msg)


def _check_empirical(p: Params) -> None:
    if not p.values:
        msg = "an empirical distribution needs values"
        raise ValueError(msg)
    if p.weights and (len(p.weights) != len(p.values) or min(p.weights) < 0 or sum(p.weights) <= 0):
        msg = "weights must be one non-negative number per value, not all zero"
        raise ValueError(msg)


def _triangular(
    p: Params, lo: Floats, mid: Floats, hi: Floats, shape: tuple[int, int], rng: np.random.Generator
) -> Floats:
    flat = hi <= lo
    out = rng.triangular(
        np.broadcast_to(lo, shape),
        np.broadcast_to(np.where(flat, lo, mid), shape),
        np.broadcast_to(np.where(flat, lo + 1.0, hi), shape),
    )
    out[:, flat] = lo[flat]  # a degenerate range is a fixed value
    return np.asarray(out, dtype=float)


def _uniform(
    p: Params, lo: Floats, mid: Floats, hi: Floats, shape: tuple[int, int], rng: np.random.Generator
) -> Floats:
    return np.asarray(rng.uniform(np.broadcast_to(lo, shape), np.broadcast_to(hi, shape)))


def _lognormal(
    p: Params, lo: Floats, mid: Floats, hi: Floats, shape: tuple[int, int], rng: np.random.Generator
) -> Floats:
    median, sigma = float(p.median or 1.0), float(p.sigma or 0.0)
    return np.asarray(median * np.exp(sigma * rng.standard_normal(shape)))


def _empirical(
    p: Params, lo: Floats, mid: Floats, hi: Floats, shape: tuple[int, int], rng: np.random.Generator
) -> Floats:
    values = np.asarray(p.values, dtype=float)
    weights = np.asarray(p.weights or [1.0] * len(values), dtype=float)
    return np.asarray(rng.choice(values, size=shape, p=weights / weights.sum()), dtype=float)


DISTRIBUTIONS: dict[str, Distribution] = {
    d.kind: d
    for d in (
        Distribution("triangular", _check_triangular, _triangular, ranged=True),
        Distribution("uniform", _check_uniform, _uniform, ranged=True),
        Distribution("lognormal", _check_lognormal, _lognormal),
        Distribution("empirical", _check_empirical, _empirical),
    )
}
