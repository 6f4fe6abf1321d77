"""Tables and item views behind ``corridors data list`` and ``corridors data show``."""

from __future__ import annotations

import difflib
import math
from typing import TYPE_CHECKING, Any

import yaml

from corridors.data.geodata import records
from corridors.errors import InvalidOptionError
from corridors.outputs.table_fit import Col, FitTable

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

    from corridors.graph.network import Network

#: Tables ``listing`` can show, and the columns it shows for each (None: every column).
LISTINGS: dict[str, tuple[str, ...] | None] = {
    "nodes": ("id", "name", "kind", "country", "lon", "lat", "coord_ref", "source_id"),
    "links": (
        "id",
        "mode",
        "gauge_mm",
        "status",
        "open_year",
        "length_km",
        "length_method",
        "source_id",
        "length_source_id",
    ),
    "frictions": (
        "id",
        "kind",
        "node",
        "to_node",
        "mode",
        "to_mode",
        "direction",
        "profile",
        "time_h",
        "fee_usd",
        "source_id",
        "method",
    ),
    "corridors": ("id", "name", "waypoints", "modes", "include", "cites"),
    "sources": ("id", "kind", "title", "publisher", "date", "licence", "url"),
    "sections": ("id", "name", "from", "to", "via", "mode", "published_km", "source_id"),
    "seeds": None,
    "rates": None,
    "speeds": None,
    "profiles": None,
    "emissions": None,
}
#: Columns shown with their ``_low``/``_high`` range as ``value (low–high)``.
_RANGED = ("length_km", "time_h", "fee_usd", "published_km")
_RIGHT = ("lon", "lat", "gauge_mm", "open_year", *_RANGED)
#: Where ``show`` looks for an id, in this order.
_KINDS = (
    "nodes",
    "links",
    "frictions",
    "corridors",
    "sources",
    "seeds",
    "sections",
    "rates",
    "speeds",
    "profiles",
)
_SEED_KEYS = ("id", "date", "outlet", "publisher", "language", "title", "url")


def listing(net: Network, table: str) -> RenderableType:
    """Return a table of one kind of item in the network data, with its sources.

    Parameters
    ----------
    net
        The network whose data to list.
    table
        ``nodes``, ``links``, ``frictions``, ``corridors``, ``sources``, ``sections``,
        ``seeds``, ``rates``, ``speeds``, ``profiles`` or ``emissions``.

    Returns
    -------
    table
        A rich table, one row per item, sorted by id.

    Raises
    ------
    InvalidOptionError
        If ``table`` is not one of the tables above.
    """
    from rich.table import Table

    key = table.strip().lower()
    if key not in LISTINGS:
        hint = difflib.get_close_matches(key, list(LISTINGS), n=1)
        tail = f" (did you mean {hint[0]!r}?)" if hint else ""
        msg = f"unknown table {table!r}{tail}; choose one of: {', '.join(LISTINGS)}"
        raise InvalidOptionError(msg)
    rows = _rows(net, key)
    columns = LISTINGS[key] or _all_columns(rows)
    out = Table(
        title=f"{key} ({len(rows)}) in {net.geodata.folder}",
        title_justify="left",
    )
    for column in columns:
        out.add_column(column, justify="right" if column in _RIGHT else "left", overflow="fold")
    for row in sorted(rows, key=lambda r: str(r.get("id") or r.get("mode") or "")):
        out.add_row(*[_value(row, c) for c in columns])
    return out


def show(net: Network, item_id: str) -> RenderableType:
    """Return every attribute of one item and the sources it cites.

    For a node this also lists its links and the frictions charged at it, so a question
    such as "where does the 36 h at Dostyk come from?" is answered by the friction row and
    the title, publisher, date and URL of each source it cites.

    Parameters
    ----------
    net
        The network whose data to search.
    item_id
        The id of a node, link, friction, corridor, source, seed, section, rate, speed or
        profile (a node's exact name or alias works too).

    Returns
    -------
    view
        A rich renderable: the attribute table, related rows and the cited sources.

    Raises
    ------
    InvalidOptionError
        If nothing has that id; the message suggests the three closest ids.
    """
    from rich.console import Group

    hits = _find(net, item_id)
    if not hits:
        hits = _find_by_name(net, item_id)
    if not hits:
        every = sorted({i for kind in _KINDS for i in _ids(net, kind)})
        close = difflib.get_close_matches(item_id, every, n=3, cutoff=0.4)
        if not close:
            low = item_id.strip().lower()
            close = [i for i in every if low and low in i.lower()][:3]
        tail = f"; did you mean: {', '.join(close)}?" if close else ""
        msg = (
            f"unknown id {item_id!r}: no node, link, friction, corridor, source or seed has it"
            f"{tail} (`corridors data list TABLE` lists the ids)"
        )
        raise InvalidOptionError(msg)
    parts: list[RenderableType] = []
    for kind, row in hits:
        parts.extend(_view(net, kind, row))
    return Group(*parts)


# ---------------------------------------------------------------------------------------
# rows


def _rows(net: Network, kind: str) -> list[dict[str, Any]]:
    data = net.geodata
    if kind in data.tables:
        return records(data.tables[kind])
    if kind == "corridors":
        return [dict(c) for c in data.corridors if isinstance(c, dict)]
    if kind == "sources":
        return [dict(s) for s in data.sources.values()]
    if kind == "seeds":
        return [dict(s) for s in data.seeds.values()]
    return []


def _ids(net: Network, kind: str) -> list[str]:
    return [str(r["id"]) for r in _rows(net, kind) if r.get("id")]


def _find(net: Network, item_id: str) -> list[tuple[str, dict[str, Any]]]:
    wanted = item_id.strip()
    for exact in (True, False):
        hits = []
        for kind in _KINDS:
            for row in _rows(net, kind):
                rid = str(row.get("id") or "")
                if rid and (rid == wanted if exact else rid.lower() == wanted.lower()):
                    hits.append((kind, row))
        if hits:
            return hits
    return []


def _find_by_name(net: Network, text: str) -> list[tuple[str, dict[str, Any]]]:
    from corridors.graph.places import normalise

    nodes = net.places.keys.get(normalise(text), ())
    if len(nodes) != 1:
        return []
    node = next(iter(nodes))
    return [("nodes", r) for r in _rows(net, "nodes") if r["id"] == node]


def _all_columns(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key != "_line" and key != "note" and not key.endswith(("_low", "_high")):
                seen.setdefault(key, None)
    if any(key in seen for key in _SEED_KEYS) and "facts" in seen:
        return tuple(k for k in _SEED_KEYS if k in seen)
    return tuple(seen)


# ---------------------------------------------------------------------------------------
# formatting


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str | list | dict) and len(value) == 0


def _cell(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list):
        return " | ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False).strip()
    return str(value)


def _value(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if column == "waypoints" and isinstance(value, list):
        return " → ".join(str(v) for v in value)
    text = _cell(value)
    if column in _RANGED:
        low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
        if not _blank(low) or not _blank(high):
            text += f" ({_cell(low) or '?'}–{_cell(high) or '?'})"
    return text


def _attributes(title: str, row: dict[str, Any], file: str | None) -> Table:
    from rich.table import Table

    out = Table(title=title, title_justify="left", show_header=False)
    out.add_column("attribute", style="bold")
    out.add_column("value", overflow="fold")
    for key, value in row.items():
        if key == "_line":
            continue
        text = _cell(value)
        if key == "waypoints" and isinstance(value, list):
            text = " → ".join(str(v) for v in value)
        out.add_row(key, text)
    if file:
        line = row.get("_line")
        out.add_row("defined in", f"{file}:{line}" if line else file)
    return out


def _cited(row: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for key in ("source_id", "length_source_id", "cites"):
        value = row.get(key)
        items = value if isinstance(value, list) else ([] if _blank(value) else [value])
        ids.extend(str(v) for v in items)
    return list(dict.fromkeys(ids))


def _sources_table(net: Network, ids: list[str]) -> Table:
    from rich.table import Table

    out = Table(title="sources cited", title_justify="left")
    for column in ("id", "title", "publisher", "date", "url"):
        out.add_column(column, overflow="fold")
    data = net.geodata
    for sid in ids:
        entry = data.sources.get(sid) or data.seeds.get(sid)
        if entry is None:
            out.add_row(sid, "(not in sources.yaml or seeds/)", "", "", "")
            continue
        out.add_row(
            sid,
            _cell(entry.get("title") or entry.get("headline")),
            _cell(entry.get("publisher") or entry.get("outlet")),
            _cell(entry.get("date")),
            _cell(entry.get("url")) or f"({_cell(entry.get('kind'))})",
        )
    return out


def _method_note(net: Network, row: dict[str, Any]) -> str | None:
    from corridors.data.validation import estimation_methods

    methods = estimation_methods(net.geodata.folder)
    notes = []
    for column in ("method", "length_method"):
        for method in _cell(row.get(column)).split("|"):
            method = method.strip()
            if not method or method == "published":
                continue
            base = method.split(":", 1)[0]
            text = methods.get(method) or next(
                (d for m, d in methods.items() if m.split(":", 1)[0] == base), ""
            )
            notes.append(f"{column} {method}: {text or 'see geodata/README.md'}")
    return "\n".join(notes) or None


def _friction_table(net: Network, rows: list[dict[str, Any]], title: str) -> FitTable:
    from rich.markup import escape

    out = FitTable(
        [
            Col("id"),
            Col("kind", keep=3),
            Col("where"),
            Col("mode", keep=4),
            Col("profile", keep=2),
            Col("h", numeric=True),
            Col("USD", numeric=True),
            Col("sources", keep=1),
        ],
        title=escape(title),
    )
    for row in rows:
        where = _cell(row["node"])
        if not _blank(row.get("to_node")):
            arrow = "↔" if _cell(row.get("direction")) in ("", "both") else "→"
            where += f" {arrow} {_cell(row['to_node'])}"
        mode = _cell(row.get("mode")) or "*"
        if not _blank(row.get("to_mode")) and row.get("to_mode") != row.get("mode"):
            mode += f" → {_cell(row['to_mode'])}"
        out.add_row(
            _cell(row["id"]),
            _cell(row["kind"]),
            where,
            mode,
            _cell(row.get("profile")) or "*",
            _value(row, "time_h"),
            _value(row, "fee_usd"),
            " | ".join(_cited(row)) or _cell(row.get("method")),
        )
    return out


def _name(net: Network, node: Any) -> str:
    key = str(node)
    if key in net.G.nodes:
        return f"{key} ({net.G.nodes[key].get('name')})"
    return key


# ---------------------------------------------------------------------------------------
# views


def _view(net: Network, kind: str, row: dict[str, Any]) -> list[RenderableType]:
    file = {
        "corridors": "corridors.yaml",
        "sources": "sources.yaml",
        "seeds": None,
    }.get(kind, f"{kind}.csv")
    label = kind[:-1] if kind.endswith("s") else kind
    parts: list[RenderableType] = [_attributes(f"{label} {row.get('id')}", row, file)]
    cited = _cited(row)
    if kind == "nodes":
        parts.extend(_node_extras(net, row, cited))
    elif kind == "links":
        parts.append(f"joins {_name(net, row['u'])} and {_name(net, row['v'])}")
    elif kind == "frictions":
        where = [_name(net, row["node"])]
        if not _blank(row.get("to_node")):
            where.append(_name(net, row["to_node"]))
        parts.append("at " + " → ".join(where))
    elif kind == "corridors":
        points = [_name(net, p) for p in row.get("waypoints") or []]
        parts.append("waypoints: " + " → ".join(points))
    elif kind in ("sources", "seeds"):
        users = _cited_by(net, str(row.get("id")))
        more = f" and {len(users) - 40} more" if len(users) > 40 else ""
        parts.append(
            f"cited by {len(users)} row(s): {', '.join(users[:40])}{more}"
            if users
            else "cited by no row"
        )
    note = _method_note(net, row)
    if note:
        parts.append(note)
    if cited:
        parts.append(_sources_table(net, cited))
    return parts


def _node_extras(net: Network, row: dict[str, Any], cited: list[str]) -> list[RenderableType]:

    node = str(row["id"])
    links = [r for r in _rows(net, "links") if node in (r["u"], r["v"])]
    out: list[RenderableType] = []
    table = FitTable(
        [
            Col("id"),
            Col("to", keep=5),
            Col("mode", keep=4),
            Col("gauge_mm", numeric=True, keep=3),
            Col("status", keep=2),
            Col("length_km", numeric=True),
            Col("sources", keep=1),
        ],
        title=f"links at {node} ({len(links)})",
    )
    for link in sorted(links, key=lambda r: str(r["id"])):
        other = link["v"] if link["u"] == node else link["u"]
        table.add_row(
            _cell(link["id"]),
            _name(net, other),
            _cell(link["mode"]),
            _value(link, "gauge_mm"),
            _cell(link["status"]),
            _value(link, "length_km"),
            " | ".join(_cited(link)),
        )
    out.append(table)
    frictions = [r for r in _rows(net, "frictions") if node in (r["node"], r.get("to_node"))]
    out.append(_friction_table(net, frictions, f"frictions at {node} ({len(frictions)})"))
    if not frictions:
        out.append("no friction row names this node: the `*` defaults apply here")
    for friction in frictions:
        for sid in _cited(friction):
            if sid not in cited:
                cited.append(sid)
    return out


def _cited_by(net: Network, source: str) -> list[str]:
    users = []
    for kind in ("nodes", "links", "frictions", "rates", "speeds", "profiles", "sections"):
        for row in _rows(net, kind):
            if source in _cited(row):
                users.append(f"{kind}:{row['id']}")
    for row in _rows(net, "emissions"):
        if source in _cited(row):
            users.append(f"emissions:{row['mode']}")
    for row in _rows(net, "corridors"):
        if source in _cited(row):
            users.append(f"corridors:{row.get('id')}")
    return users
