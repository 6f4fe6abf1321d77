"""The words the geodata uses, defined once: modes, link statuses, node kinds, friction kinds.

Each is a mapping from the id written in the tables to what the rest of the package needs to
know about it (a label for people, a colour for maps, whether a mode travels on water), in
the order tables and legends list them. Every check, query option, scenario field and map
legend reads these mappings when it runs, so adding an entry here is what makes a new mode
or friction kind known everywhere; what it costs is the cost model's business
(:mod:`corridors.graph.routing_graph`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    """A way of carrying freight.

    Attributes
    ----------
    id
        The value of ``mode`` in the tables.
    label
        What maps and tables call it.
    colour
        Its colour on maps (the network drawn under the routes).
    water
        Whether it sails: a change to or from it at a port charges port handling, and its
        links take ``sailing_h`` and ``headway_h``.
    """

    id: str
    label: str
    colour: str
    water: bool = False


@dataclass(frozen=True)
class FrictionKind:
    """A kind of cost paid at a place rather than along a link.

    Attributes
    ----------
    id
        The value of ``kind`` in ``frictions.csv``.
    label
        What maps and tables call it.
    transfer
        Whether the cargo is handled from one vehicle to another (drawn as a transfer).
    """

    id: str
    label: str
    transfer: bool = False


MODES: dict[str, Mode] = {
    m.id: m
    for m in (
        Mode("rail", "Rail", "#5e3c99"),
        Mode("road", "Road", "#a6611a"),
        Mode("ferry", "Ferry", "#2c7fb8", water=True),
        Mode("sea", "Sea", "#6fa8d6", water=True),
        Mode("pipeline", "Pipeline", "#4d9221"),
    )
}

#: Link status -> how legends and popups say it.
STATUSES: dict[str, str] = {
    "operational": "operational",
    "under_construction": "under construction",
    "planned": "planned / proposed",
    "closed": "closed",
}

NODE_KINDS = ("city", "junction", "border", "port", "terminal")

#: Kinds of place where the default ``transfer`` row of ``frictions.csv`` applies: a town,
#: port or terminal has somewhere to lift a load between a train and a truck. A border post
#: or a junction changes mode only through a ``transfer`` row of its own, which names the
#: terminal there; otherwise routes would hop off the train onto a truck for each crossing.
TRANSFER_NODE_KINDS = frozenset({"city", "port", "terminal"})

FRICTION_KINDS: dict[str, FrictionKind] = {
    k.id: k
    for k in (
        FrictionKind("border", "Border crossing"),
        FrictionKind("port", "Port handling", transfer=True),
        FrictionKind("gauge_break", "Gauge break", transfer=True),
        FrictionKind("transfer", "Mode transfer", transfer=True),
        FrictionKind("risk", "Risk and insurance surcharge"),
    )
}

#: Sides of a border crossing a friction row may give: the country of its node's figure for
#: crossings leaving it (``exit``) or entering it (``entry``). Each side's figure measures the
#: whole crossing (both countries' posts), so a crossing with both takes their mean; a border
#: row without a side prices the crossing at its nodes.
BORDER_SIDES = ("exit", "entry")

#: Sides of a port a friction row may give: ``load`` is the time a box spends in the port
#: from the land until its ship sails (an export's dwell), ``discharge`` the time from the
#: ship until it leaves the port by land (an import's). A port row without a side applies
#: either way, and to a box moved between two ships.
PORT_SIDES = ("load", "discharge")

#: Rail track gauges in mm: 1435 standard, 1520 Russian, 1676 Indian (Pakistan).
GAUGES = (1435, 1520, 1676)


def is_water(mode: str) -> bool:
    """Return whether a mode sails (ferry, sea); unknown modes do not."""
    spec = MODES.get(mode)
    return spec is not None and spec.water


def water_modes() -> tuple[str, ...]:
    """Return the modes that sail, in table order."""
    return tuple(m for m, spec in MODES.items() if spec.water)


def mode_label(mode: str) -> str:
    """Return what maps and tables call a mode (the id itself when it is unknown)."""
    spec = MODES.get(mode)
    return spec.label if spec is not None else mode


def friction_label(kind: str) -> str:
    """Return what maps and tables call a friction kind (the id, spaced, when it is unknown)."""
    spec = FRICTION_KINDS.get(kind)
    return spec.label if spec is not None else kind.replace("_", " ")


def mode_colour(mode: str) -> str:
    """Return a mode's map colour (grey when it is unknown)."""
    spec = MODES.get(mode)
    return spec.colour if spec is not None else "#777777"


def is_transfer(kind: str) -> bool:
    """Return whether a friction kind hands the cargo from one vehicle to another."""
    spec = FRICTION_KINDS.get(kind)
    return spec is not None and spec.transfer
