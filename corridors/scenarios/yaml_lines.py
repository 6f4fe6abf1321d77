"""Read YAML while remembering the line of every key and list item."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from corridors.data.yaml_parse import refuse_aliases
from corridors.errors import ScenarioError

#: The largest scenario file read (the shipped ones are under 4 KiB).
MAX_BYTES = 1024 * 1024

#: A location in a YAML document: mapping keys and list indices from the root.
Loc = tuple[str | int, ...]


class LineMap:
    """Line numbers (1-based) of the keys and list items of one YAML document."""

    def __init__(self, file: str, lines: dict[Loc, int]) -> None:
        self.file = file
        self._lines = lines

    def line(self, loc: Loc) -> int:
        """Return the line of ``loc``, or of its nearest ancestor the document has."""
        for end in range(len(loc), -1, -1):
            hit = self._lines.get(tuple(loc[:end]))
            if hit is not None:
                return hit
        return 1

    def where(self, loc: Loc) -> str:
        """Return ``file:line`` for a location."""
        return f"{self.file}:{self.line(loc)}"


def _key(part: object) -> str:
    # a key with line breaks or other control characters is shown escaped, so an error
    # message about it stays on one line
    text = str(part)
    return text if text.isprintable() else repr(text)[1:-1]


def dotted(loc: Loc) -> str:
    """Render a location as ``changes[2].close.border``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{_key(part)}" if out else _key(part))
    return out or "(top level)"


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                where = f"{file}:{key_node.start_mark.line + 1}"
                msg = f"{where}: key `{dotted((*loc, key))}` is given twice; keep one"
                raise ScenarioError(msg)
            seen.add(key)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            _walk(item, (*loc, i), lines, file)


#: Control characters a scenario's text may not hold (tab and line breaks are allowed): an
#: escape sequence in a name would drive the terminal that prints it.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _refuse_control(root: yaml.Node, file: str) -> None:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            bad = _CONTROL.search(str(node.value))
            if bad:
                where = f"{file}:{node.start_mark.line + 1}"
                code = f"U+{ord(bad.group()):04X}"
                msg = f"{where}: a value holds the control character {code}; remove it"
                raise ScenarioError(msg)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            stack += list(node.value)


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse a YAML file into plain data and a map of its line numbers.

    Raises
    ------
    ScenarioError
        If the file cannot be read, is not valid YAML or repeats a key.
    """
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            msg = (
                f"scenario file {file} is {size} bytes; scenario files are limited to "
                f"{MAX_BYTES} bytes (1 MiB)"
            )
            raise ScenarioError(msg)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"scenario file {file} does not exist; check the path"
        raise ScenarioError(msg) from None
    except (OSError, UnicodeDecodeError) as err:
        msg = f"cannot read scenario file {file}: {err}"
        raise ScenarioError(msg) from None
    try:
        # anchors and aliases first: walking an alias bomb's tree would never end
        refuse_aliases(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        msg = f"{file}:{line}: invalid YAML: {problem}"
        raise ScenarioError(msg) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as err:
        # the YAML constructors raise these for values Python cannot represent
        msg = f"{file}: invalid YAML value: {err}"
        raise ScenarioError(msg) from None
    lines: dict[Loc, int] = {}
    if root is not None:
        _refuse_control(root, file)
        try:
            _walk(root, (), lines, file)
        except RecursionError:
            msg = f"{file}: the document is nested too deeply"
            raise ScenarioError(msg) from None
    return data, LineMap(file, lines)
