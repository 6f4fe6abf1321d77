"""Write a scenario result to a file: its table or its chart, by the file's extension."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.outputs.atomic import check_writable, write_with
from corridors.outputs.export import export_tables
from corridors.outputs.formats import RESULT_FORMATS, TABLE_FORMATS, pick

if TYPE_CHECKING:
    from corridors.scenarios.comparison import ScenarioComparison
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult


def write_result(
    result: ScenarioComparison | SweepResult | MonteCarloResult,
    path: str | os.PathLike[str],
    *,
    force: bool = False,
) -> Path:
    """Write a result atomically: a table format writes its table, a figure format its chart.

    A scenario comparison has no chart; as JSON it is written whole (its ``to_dict()``).
    A sweep writes its full table, a Monte Carlo run its summary.

    Raises
    ------
    OutputError
        If the result cannot be written in the extension's format (the message lists those
        it can), or the path cannot be written.
    """
    from corridors.scenarios.montecarlo import MonteCarloResult
    from corridors.scenarios.sweeps import SweepResult

    chart: Callable[[], Any] | None = None
    if isinstance(result, SweepResult):
        fmt = pick(path, RESULT_FORMATS, "sweep")
        table, name, chart = result.table, "sweep", result.plot
    elif isinstance(result, MonteCarloResult):
        fmt = pick(path, RESULT_FORMATS, "Monte Carlo summary")
        from corridors.outputs.scenario_tables import montecarlo_file_frame

        table, name, chart = montecarlo_file_frame(result), "montecarlo", result.plot
    else:
        fmt = pick(path, TABLE_FORMATS, "scenario comparison")
        table, name = result.to_frame(), "scenario"
        if fmt.suffix == ".json":
            check_writable(path, force=force)
            text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)

            def write_json(tmp: Path) -> None:
                tmp.write_text(text, encoding="utf-8")

            return write_with(path, write_json, force=force)
    if fmt.kind == "table" or chart is None:  # a comparison took only table formats above
        return export_tables({name: table}, path, force=force)
    check_writable(path, force=force)
    figure = chart()

    def save(tmp: Path) -> None:
        figure.savefig(tmp, format=fmt.suffix.lstrip("."), dpi=200)

    return write_with(path, save, force=force)
