"""The one hook through which results reach the outputs stage: maps, charts, tables, files.

Results (:class:`~corridors.routing.results.Route`, ``Comparison``, scenario comparisons,
sweeps and Monte Carlo runs) offer ``.explore()``, ``.plot()``, ``.write()`` and rich / HTML
display as conveniences, but the code that draws and writes lives in
:mod:`corridors.outputs`, a later stage that the routing and scenario stages never import.
Instead a result calls :func:`view` with the name of what it wants (``"Route.explore"``);
:mod:`corridors.outputs.views` registers one function per name with :func:`register`, and
the package front door imports that module (it loads nothing heavy), so the views are in
place whenever any part of ``corridors`` is imported.

To give a new result a view: name it ``"<Class>.<method>"``, call :func:`view` from the
method, and register the drawing function in :mod:`corridors.outputs.views`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

View = Callable[..., Any]
_V = TypeVar("_V", bound=View)

_VIEWS: dict[str, View] = {}


def register(name: str) -> Callable[[_V], _V]:
    """Return a decorator that registers a function as the view called ``name``."""

    def decorate(func: _V) -> _V:
        _VIEWS[name] = func
        return func

    return decorate


def view(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the view registered as ``name`` with the result and the caller's arguments.

    Raises
    ------
    LookupError
        If no view of that name is registered (``corridors.outputs.views`` was not imported).
    """
    try:
        func = _VIEWS[name]
    except KeyError:
        msg = f"no view {name!r} is registered; import corridors.outputs.views to register them"
        raise LookupError(msg) from None
    return func(*args, **kwargs)


def registered() -> list[str]:
    """Return the names of the registered views, sorted."""
    return sorted(_VIEWS)
