"""Cargo profiles: the unit that rates, fees and emissions are counted per."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from corridors.data.geodata import records
from corridors.errors import GeodataError

if TYPE_CHECKING:
    from corridors.data.geodata import Geodata


@dataclass(frozen=True)
class Profile:
    """A cargo profile: the unit that rates, fees and emissions are counted per.

    Attributes
    ----------
    id
        Profile id (``teu``, ``bulk``, ``oil``...).
    label
        Human-readable label.
    unit
        Unit of cargo (``TEU``, ``t``).
    tonnes_per_unit
        Cargo tonnes in one unit, for emissions per tonne-km.
    value_of_time_usd_per_h
        USD one unit of cargo loses per hour in transit (generalized cost).
    modes
        Modes this cargo can travel by.
    """

    id: str
    label: str
    unit: str
    tonnes_per_unit: float
    value_of_time_usd_per_h: float
    modes: tuple[str, ...]


def profiles_from_geodata(geodata: Geodata) -> dict[str, Profile]:
    """Return the cargo profiles defined in ``profiles.csv``, keyed by id."""
    out: dict[str, Profile] = {}
    for row in records(geodata.tables["profiles"]):
        out[str(row["id"]).lower()] = Profile(
            id=str(row["id"]).lower(),
            label=str(row["label"]),
            unit=str(row["unit"]),
            tonnes_per_unit=float(row["tonnes_per_unit"]),
            value_of_time_usd_per_h=float(row["value_of_time_usd_per_h"]),
            modes=tuple(row["modes"]),
        )
    if not out:
        msg = "profiles.csv defines no cargo profile; add at least one row (e.g. teu)"
        raise GeodataError(msg)
    return out
