"""Answer a plainly written command without building the whole command line.

Building the ``typer`` command line for one run costs more than a cached route itself:
every command and option of the application is turned into a ``click`` parameter, and
each value is converted through a pydantic adapter built for its option (about 0.13 s of
CPU for a route, with click's parsing). A command whose words need no
conversion beyond text, whole numbers, decimals and flags is read here, straight from the
options the command declares, and its function called with the same values ``typer``
would pass; anything else (help, an unknown or repeated option, ``--opt=value``, a value
that starts with ``-``, a path option, a number written otherwise than plain digits, a
missing or extra argument) goes through ``typer`` unchanged, with its own messages.
"""

from __future__ import annotations

import errno
import inspect
import os
import re
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: The words read here as numbers: plain digits (and a decimal part), converted exactly as
#: the command line's own converter converts them; any other spelling goes through it.
_WHOLE = re.compile(r"[0-9]{1,15}")
_DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{1,15})?")

#: Option settings that change how a value is read: a command with an option using any of
#: them is left to ``typer``.
_SPECIAL = (
    "callback",
    "envvar",
    "parser",
    "click_type",
    "min",
    "max",
    "clamp",
    "default_factory",
    "is_eager",
    "prompt",
    "count",
    "flag_value",
    "formats",
)


@dataclass(frozen=True)
class _Param:
    """One parameter of a command as it is read here."""

    name: str
    kind: str  # "text", "texts", "flag", "whole" or "decimal"
    default: Any


def _kind(annotation: Any) -> str | None:
    """Return how a value of this annotation is read here, or None when it is not."""
    options = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, _union_type()) and len(options) == 1:
        annotation = options[0]
    if annotation is str:
        return "text"
    if annotation is bool:
        return "flag"
    if annotation is int:
        return "whole"
    if annotation is float:
        return "decimal"
    if typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,):
        return "texts"
    return None


def _union_type() -> Any:
    import types

    return types.UnionType


def _layout(
    command: Callable[..., Any],
) -> tuple[list[_Param], dict[str, _Param], set[str]] | None:
    """Return a command's arguments, its options by name, and the options read here.

    None when the command declares something this reader does not handle (a parameter
    without a ``typer`` declaration, an optional argument, a required option, one typer
    does not pass or checks or calls back on, one with names like ``--flag/--no-flag``).
    An option of another type (a path) is known, so that its absence is read, but never
    read here when given.
    """
    from typer.models import ArgumentInfo, OptionInfo

    hints = typing.get_type_hints(command, include_extras=True)
    arguments: list[_Param] = []
    options: dict[str, _Param] = {}
    simple: set[str] = set()
    for name, parameter in inspect.signature(command).parameters.items():
        hint = hints[name]
        if typing.get_origin(hint) is not typing.Annotated:
            return None
        base, *extras = typing.get_args(hint)
        infos = [e for e in extras if isinstance(e, ArgumentInfo | OptionInfo)]
        if len(infos) != 1:
            return None
        info = infos[0]
        kind = _kind(base)
        special = any(getattr(info, key, None) not in (None, False) for key in _SPECIAL)
        if isinstance(info, ArgumentInfo):
            if parameter.default is not inspect.Parameter.empty or kind != "text" or special:
                return None
            arguments.append(_Param(name, kind, None))
            continue
        if parameter.default is inspect.Parameter.empty or parameter.default is Ellipsis:
            return None  # a required option
        if kind is None and parameter.default is not None:
            return None  # typer converts (and checks) a default other than None
        if getattr(info, "expose_value", True) is not True:
            return None  # typer would not pass it
        # inside ``Annotated`` the first name given to ``typer.Option`` is kept as its default
        names = (getattr(info, "default", None), *(getattr(info, "param_decls", None) or ()))
        decls = [d for d in names if isinstance(d, str) and d.startswith("-")]
        if not decls or any("/" in d for d in decls):
            return None
        if special:
            return None  # typer runs a callback, or checks a range, even on a default
        param = _Param(name, kind or "", parameter.default)
        for decl in decls:
            options[decl] = param
            if kind is not None:
                simple.add(decl)
    return arguments, options, simple


def read(command: Callable[..., Any], words: list[str]) -> dict[str, Any] | None:
    """Return the keywords ``typer`` would call ``command`` with for ``words``.

    None when the words are not plainly written (see the module's description): they are
    then left to ``typer``, which reads them with its own checks and messages.
    """
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # a shell asking for completions
    layout = _layout(command)
    if layout is None:
        return None
    arguments, options, simple = layout
    values: dict[str, Any] = {}
    given: list[str] = []
    rest = iter(words)
    for word in rest:
        if not word.startswith("-"):
            given.append(word)
            continue
        if word not in simple:
            return None  # help, --opt=value, an unknown option, a path: typer reads them
        param = options[word]
        if param.kind == "flag":
            if param.name in values:
                return None
            values[param.name] = True
            continue
        value = next(rest, None)
        if value is None or value.startswith("-"):
            return None
        if param.kind == "texts":
            values.setdefault(param.name, []).append(value)
            continue
        if param.name in values:
            return None  # given twice: typer decides which one counts
        pattern = {"whole": _WHOLE, "decimal": _DECIMAL}.get(param.kind)
        if pattern is not None and not pattern.fullmatch(value):
            return None
        values[param.name] = (
            int(value)
            if param.kind == "whole"
            else float(value)
            if param.kind == "decimal"
            else value
        )
    if len(given) != len(arguments):
        return None
    keywords = {a.name: word for a, word in zip(arguments, given, strict=True)}
    for param in options.values():
        keywords[param.name] = values.get(param.name, param.default)
    return keywords


class _QuietFlush:
    """A stream whose flush ignores a closed pipe (the reader left, as ``head`` does)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as err:
            if err.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def run(command: Callable[..., Any], keywords: dict[str, Any]) -> None:
    """Call the command as ``typer`` runs one; never returns (exits as ``typer`` exits).

    Exit 0 when the command returns; ``typer.Exit`` leaves with its code, an interrupt
    with 130, ``typer.Abort`` or end of input with ``Aborted!`` and 1, a closed output pipe
    quietly with 1. (The commands read here raise no other ``typer`` errors: their bad
    values are reported by the command itself.)
    """
    import typer

    try:
        try:
            command(**keywords)
        except EOFError:
            sys.stderr.write("\n")
            raise typer.Abort from None
        except KeyboardInterrupt as err:
            raise typer.Exit(130) from err
        except OSError as err:
            if err.errno != errno.EPIPE:
                raise
            sys.stdout = _QuietFlush(sys.stdout)
            sys.stderr = _QuietFlush(sys.stderr)
            sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.stderr.write("Aborted!\n")
        sys.exit(1)
    sys.exit(0)
