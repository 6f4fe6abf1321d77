"""YAML parsing of the geodata files, on libyaml's C parser when PyYAML was built with it.

The C parser reads ``sources.yaml`` about eight times faster than the pure-Python one and
gives the same data and line marks. A file it refuses is parsed again by the pure-Python
parser, so error messages read as they always have.

Anchors and aliases (``&name`` / ``*name``) are refused before anything is built: an alias
repeats a subtree without its bytes, so a few hundred bytes can stand for billions of values
(the "billion laughs"), and no corridors file needs them.
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST: Any = getattr(yaml, "CSafeLoader", None)


class AliasError(yaml.MarkedYAMLError):
    """A YAML document uses an anchor or an alias, which corridors files may not."""


def refuse_aliases(text: str) -> None:
    """Raise :class:`AliasError` at the first anchor or alias in ``text``.

    Only the parser's events are read (linear in the text); a syntax error is left for the
    loader to report.

    Raises
    ------
    AliasError
        With the line of the first ``&anchor`` or ``*alias``.
    """
    if "&" not in text and "*" not in text:
        return  # neither can occur without its sign
    try:
        for event in yaml.parse(text, Loader=_FAST or yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise AliasError(
                    problem="anchors and aliases (&name, *name) are not allowed; "
                    "write each value out",
                    problem_mark=event.start_mark,  # type: ignore[arg-type]
                )
    except AliasError:
        raise
    except yaml.YAMLError:
        return


def safe_load(text: str) -> Any:
    """Parse a YAML document into Python data, as ``yaml.safe_load`` does, without aliases.

    Raises
    ------
    yaml.YAMLError
        For invalid YAML, and :class:`AliasError` for an anchor or alias.
    """
    refuse_aliases(text)
    if _FAST is not None:
        try:
            return yaml.load(text, Loader=_FAST)  # CSafeLoader: the safe loader, in C
        except yaml.YAMLError:
            pass  # the pure-Python parser below raises the error users know
    return yaml.safe_load(text)


def compose(text: str) -> yaml.Node | None:
    """Parse a YAML document into its node tree (with line marks), without aliases."""
    refuse_aliases(text)
    if _FAST is not None:
        try:
            return yaml.compose(text, Loader=_FAST)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)
