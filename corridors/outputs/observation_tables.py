"""Plain-text lines of a model-against-published report (``corridors data check-observations``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corridors.routing.observations import ObservationReport, ObservationResult


def _clean(text: str) -> str:
    # text from the data files reaches a terminal: control characters are shown escaped
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _published(result: ObservationResult) -> str:
    obs = result.observation
    if obs.low == obs.high:
        return _number(obs.published)
    return f"{_number(obs.published)} ({_number(obs.low)}-{_number(obs.high)})"


def report_lines(report: ObservationReport) -> list[str]:
    """One line per observation, then a line per kind and the overall share.

    Parameters
    ----------
    report
        The result of :func:`corridors.routing.observations.check_observations`.

    Returns
    -------
    lines
        ``ok``/``MISS``, id, measure and unit, model value, published value (range),
        accepted bounds and model/published ratio; a query that does not route shows why.
    """
    lines = []
    for result in report.results:
        obs = result.observation
        lo, hi = obs.bounds()
        status = "ok  " if result.agrees else "MISS"
        model = _number(result.model)
        tail = (
            f"error: {_clean(result.error)}"
            if result.error
            else f"accepted {_number(lo)}-{_number(hi)}, ratio {result.ratio:.2f}"
        )
        lines.append(
            f"{status} {_clean(obs.id)}: {obs.measure} model {model} {obs.unit}, "
            f"published {_published(result)} {obs.unit}; {tail}"
        )
    for kind, (hit, total) in sorted(report.by_kind().items()):
        lines.append(f"{kind}: {hit}/{total} within tolerance")
    agree = sum(r.agrees for r in report.results)
    verdict = "meets" if report.passed else "is below"
    lines.append(
        f"{agree}/{len(report.results)} observations within tolerance ({report.share:.0%}); "
        f"{verdict} the required {report.required_share:.0%}"
    )
    return lines
