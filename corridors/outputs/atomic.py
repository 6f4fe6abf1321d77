"""Atomic writes: a temp file beside the target, renamed into place, removed on failure."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from corridors.errors import OutputError


def check_writable(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Check, before any work, that ``path`` can be written.

    Raises
    ------
    OutputError
        If the folder is missing or read-only, or the file exists and ``force`` is off.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        msg = f"cannot write {target}: folder {folder} does not exist (create it first)"
        raise OutputError(msg)
    if not os.access(folder, os.W_OK):
        msg = f"cannot write {target}: folder {folder} is not writable (choose another folder)"
        raise OutputError(msg)
    if target.is_dir():
        msg = f"cannot write {target}: it is a folder (give a file name)"
        raise OutputError(msg)
    if target.exists() and not force:
        msg = f"{target} already exists; pass --force (force=True) to overwrite it"
        raise OutputError(msg)
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any error (including KeyboardInterrupt) the temporary file is removed and an
    existing ``path`` is left untouched.
    """
    target = check_writable(path, force=force)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent if str(target.parent) else None,
        prefix=f".{target.name}.",
        suffix=".tmp",
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # mkstemp creates 0600; an existing file keeps its mode (so --force never widens a
        # private file), a new one gets the mode a plain open() would (0666 less umask)
        tmp.chmod(_mode_for(target))
        yield tmp
        tmp.replace(target)
    except OSError as err:
        msg = f"cannot write {target}: {err.strerror or err}"
        raise OutputError(msg) from err
    except MemoryError:
        msg = f"cannot write {target}: out of memory"
        raise OutputError(msg) from None
    finally:
        # also on KeyboardInterrupt and the Terminated a SIGTERM raises in the command line
        tmp.unlink(missing_ok=True)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text(path: str | os.PathLike[str], text: str, *, force: bool = False) -> Path:
    """Write text atomically and return the path."""
    with atomic_path(path, force=force) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_with(
    path: str | os.PathLike[str], writer: Callable[[Path], None], *, force: bool = False
) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path, force=force) as tmp:
        writer(tmp)
    return Path(path)
