"""Locate the geodata folder and the seed records that ship with corridors."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

from corridors.errors import GeodataError


@cache
def package_version() -> str:
    """Return the installed version of corridors (``0+unknown`` in a source tree).

    Read from the package's metadata when first asked for: ``importlib.metadata`` takes
    longer to import than a route takes to find.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("corridors")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    # PACKAGE_VERSION, the name the version had when it was read on import
    if name == "PACKAGE_VERSION":
        return package_version()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


#: The file that marks a folder as a corridors geodata folder.
MANIFEST_FILES = ("nodes.csv", "links.csv")

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the corridors package


def _candidates() -> list[Path]:
    # Installed wheel first, then the source checkout the package sits in.
    return [_PACKAGE_DIR / "_shipped" / "geodata", _PACKAGE_DIR.parent / "geodata"]


def _is_geodata(path: Path) -> bool:
    return all((path / name).is_file() for name in MANIFEST_FILES)


def geodata_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the geodata folder to read.

    The order of preference is: the ``path`` argument, the ``CORRIDORS_GEODATA``
    environment variable, the copy installed with the package, the copy in a source
    checkout.

    Parameters
    ----------
    path
        A folder holding ``nodes.csv``, ``links.csv`` and the other geodata files.

    Returns
    -------
    folder
        The resolved folder.

    Raises
    ------
    GeodataError
        If the chosen folder is not a geodata folder.
    """
    chosen = path if path is not None else os.environ.get("CORRIDORS_GEODATA") or None
    if chosen is not None:
        folder = Path(chosen).expanduser().resolve()
        if not _is_geodata(folder):
            msg = (
                f"{folder} is not a geodata folder: it must hold "
                f"{' and '.join(MANIFEST_FILES)} (copy the shipped geodata/ and edit it)"
            )
            raise GeodataError(msg)
        return folder
    for folder in _candidates():
        if _is_geodata(folder):
            return folder
    msg = "the shipped geodata folder is missing; reinstall corridors or set CORRIDORS_GEODATA"
    raise GeodataError(msg)


def seeds_dir(geodata: Path) -> Path | None:
    """Return the seed records folder that belongs with a geodata folder, if any."""
    for folder in (
        geodata / "seeds",
        geodata.parent / "seeds",
        _PACKAGE_DIR / "_shipped" / "seeds",
        _PACKAGE_DIR.parent / "seeds",
    ):
        if folder.is_dir():
            return folder
    return None


def content_hash(folder: Path) -> str:
    """Return a SHA-256 over the names and bytes of every data file in a geodata folder."""
    digest = hashlib.sha256()
    for file in sorted(folder.rglob("*")):
        if file.is_file() and file.suffix in {".csv", ".yaml", ".yml", ".geojson"}:
            digest.update(file.relative_to(folder).as_posix().encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()


def shipped_scenarios_dir() -> Path | None:
    """Return the folder of the scenario files that ship with corridors, if there is one."""
    for folder in (_PACKAGE_DIR / "_shipped" / "scenarios", _PACKAGE_DIR.parent / "scenarios"):
        if folder.is_dir():
            return folder
    return None
