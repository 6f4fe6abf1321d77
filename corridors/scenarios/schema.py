"""The scenario file format: pydantic models and one-line, line-numbered error messages."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from corridors.data.vocabulary import FRICTION_KINDS, GAUGES, MODES, STATUSES
from corridors.errors import ScenarioError
from corridors.flows.inputs import TONNE_UNITS
from corridors.routing.objectives import OBJECTIVES
from corridors.scenarios.distributions import DISTRIBUTIONS
from corridors.scenarios.yaml_lines import LineMap, Loc, dotted

#: Attributes a ``set`` or ``scale`` change may touch, by the table that holds them.
LINK_ATTRS = ("speed_kph", "headway_h", "sailing_h", "length_km", "capacity")
FRICTION_ATTRS = ("time_h", "fee_usd")
RATE_ATTRS = ("usd_per_unit_km", "usd_per_unit")
ATTRS = LINK_ATTRS + FRICTION_ATTRS + RATE_ATTRS
#: Link attributes that must stay above zero.
POSITIVE_ATTRS = ("speed_kph", "headway_h", "sailing_h", "length_km")
#: Selector keys that make sense for each family of attributes.
SELECTOR_KEYS = {
    "link": ("link", "node", "country", "border", "mode", "corridor"),
    "friction": ("friction", "kind", "node", "country", "border", "mode", "corridor", "profile"),
    "rate": ("link", "country", "mode", "profile"),
}
#: Attributes that Monte Carlo draws can vary (they change edge weights, not the graph).
UNCERTAIN_ATTRS = ("time_h", "fee_usd", "headway_h", "speed_kph", "sailing_h")
ACTIONS = ("open", "close", "add_link", "set", "scale", "max_stay", "growth", "capacity")
#: Upper bound on any number in a scenario: far beyond anything physical, below overflow.
MAX_VALUE = 1e7
MAX_DRAWS = 100_000

_ISO2 = re.compile(r"^[A-Z]{2}$")
_BORDER = re.compile(r"^([A-Z]{2})\s*([->])\s*([A-Z]{2})$")


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [str(value)]
    return value


Names = Annotated[list[str], BeforeValidator(_as_list)]


def _finite(value: float, name: str) -> float:
    if not math.isfinite(value) or abs(value) > MAX_VALUE:
        msg = f"{name} must be a finite number below {MAX_VALUE:,.0f}"
        raise ValueError(msg)
    return value


def _one_of(what: str, allowed: Mapping[str, Any]) -> AfterValidator:
    """Validate a name against one of the vocabularies, read when a file is checked."""

    def check(value: str) -> str:
        key = value.strip().lower()
        if key not in allowed:
            msg = f"unknown {what} {value!r}; choose from: {', '.join(allowed)}"
            raise ValueError(msg)
        return key

    return AfterValidator(check)


#: A mode, link status or objective, checked against its one definition.
ModeName = Annotated[str, _one_of("mode", MODES)]
StatusName = Annotated[str, _one_of("status", STATUSES)]
ObjectiveName = Annotated[str, _one_of("objective", OBJECTIVES)]
DistributionName = Annotated[str, _one_of("distribution", DISTRIBUTIONS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Selector(_Strict):
    """What a change applies to: every criterion given must match (they combine with AND)."""

    link: Names = []
    node: Names = []
    country: Names = []
    border: Names = []
    mode: Names = []
    corridor: Names = []
    friction: Names = []
    kind: Names = []
    profile: Names = []

    @field_validator("country")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        out = [v.upper() for v in value]
        for code in out:
            if not _ISO2.match(code):
                msg = f"{code!r} is not an ISO 3166-1 alpha-2 code (e.g. TM, IR)"
                raise ValueError(msg)
        return out

    @field_validator("border")
    @classmethod
    def _borders(cls, value: list[str]) -> list[str]:
        out = []
        for pair in value:
            hit = _BORDER.match(pair.upper())
            if not hit:
                msg = f"{pair!r} must be two ISO codes: TM-IR (both directions) or TM>IR (one)"
                raise ValueError(msg)
            out.append(f"{hit.group(1)}{hit.group(2)}{hit.group(3)}")
        return out

    @field_validator("mode")
    @classmethod
    def _modes(cls, value: list[str]) -> list[str]:
        out = [v.lower() for v in value]
        for mode in out:
            if mode not in MODES:
                msg = f"unknown mode {mode!r}; choose from: {', '.join(MODES)}"
                raise ValueError(msg)
        return out

    @field_validator("kind")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        out = [v.lower() for v in value]
        for kind in out:
            if kind not in FRICTION_KINDS:
                msg = f"unknown friction kind {kind!r}; choose from: {', '.join(FRICTION_KINDS)}"
                raise ValueError(msg)
        return out

    def given(self) -> list[str]:
        """Return the criteria that are set."""
        return [name for name in type(self).model_fields if getattr(self, name)]


class OpenClose(Selector):
    """Body of ``open`` and ``close``: links selected by id, place, country, border, mode..."""

    @model_validator(mode="after")
    def _links_only(self) -> OpenClose:
        wrong = [k for k in ("friction", "kind", "profile") if getattr(self, k)]
        if wrong:
            msg = f"`{wrong[0]}` selects frictions, which cannot be opened or closed; use set"
            raise ValueError(msg)
        if not self.given():
            msg = "give at least one of link, node, country, border, mode, corridor"
            raise ValueError(msg)
        return self


class Adjust(_Strict):
    """Body of ``set`` and ``scale``: a selector under ``where`` and attribute values."""

    where: Selector = Selector()
    speed_kph: float | None = None
    headway_h: float | None = None
    sailing_h: float | None = None
    length_km: float | None = None
    capacity: float | None = None
    time_h: float | None = None
    fee_usd: float | None = None
    usd_per_unit_km: float | None = None
    usd_per_unit: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Adjust:
        values = self.values()
        if not values:
            msg = f"give at least one attribute to change: {', '.join(ATTRS)}"
            raise ValueError(msg)
        for name, value in values.items():
            _finite(value, name)
            if value < 0:
                msg = f"{name} is {value:g}; it must not be negative"
                raise ValueError(msg)
        for family in self.families():
            bad = [k for k in self.where.given() if k not in SELECTOR_KEYS[family]]
            if bad:
                names = [a for a in values if a in _family_attrs(family)]
                msg = (
                    f"`where.{bad[0]}` does not select {family} rows for {', '.join(names)}; "
                    f"use {', '.join(SELECTOR_KEYS[family])}"
                )
                raise ValueError(msg)
        return self

    def values(self) -> dict[str, float]:
        """Return the attributes given, with their values."""
        return {a: float(v) for a in ATTRS if (v := getattr(self, a)) is not None}

    def families(self) -> list[str]:
        """Return the tables the change touches: ``link``, ``friction``, ``rate``."""
        names = self.values()
        return [
            f for f in ("link", "friction", "rate") if any(a in names for a in _family_attrs(f))
        ]


def _family_attrs(family: str) -> tuple[str, ...]:
    return {"link": LINK_ATTRS, "friction": FRICTION_ATTRS, "rate": RATE_ATTRS}[family]


Point = tuple[float, float]


class AddLink(_Strict):
    """Body of ``add_link``: a new link between two existing places."""

    id: str = Field(min_length=1)
    u: str = Field(min_length=1)
    v: str = Field(min_length=1)
    mode: ModeName
    gauge_mm: int | None = None
    status: StatusName = "operational"
    open_year: int | None = Field(default=None, ge=1850, le=2100)
    length_km: float | None = Field(default=None, gt=0, le=40_000)
    waypoints: list[str | Point] = []
    speed_kph: float | None = Field(default=None, gt=0, le=1_000)
    sailing_h: float | None = Field(default=None, ge=0, le=10_000)
    headway_h: float | None = Field(default=None, ge=0, le=10_000)
    usd_per_unit_km: float | None = Field(default=None, ge=0, le=1_000)
    usd_per_unit: float | None = Field(default=None, ge=0, le=MAX_VALUE)
    border_time_h: float | None = Field(default=None, ge=0, le=10_000)
    border_fee_usd: float | None = Field(default=None, ge=0, le=MAX_VALUE)
    oneway: bool = False
    profiles: Names = []
    source_id: Names = []
    note: str = ""

    @model_validator(mode="after")
    def _gauge(self) -> AddLink:
        if self.mode == "rail" and self.gauge_mm not in GAUGES:
            msg = f"a rail link needs gauge_mm, one of {', '.join(map(str, GAUGES))}"
            raise ValueError(msg)
        if self.mode != "rail" and self.gauge_mm is not None:
            msg = f"gauge_mm is for rail links; a {self.mode} link has none"
            raise ValueError(msg)
        if self.u == self.v:
            msg = f"u and v are the same place ({self.u}); a link joins two places"
            raise ValueError(msg)
        for point in self.waypoints:
            if not isinstance(point, str):
                lon, lat = point
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    msg = f"waypoint {list(point)} is not [lon, lat] in degrees"
                    raise ValueError(msg)
        return self


class MaxStay(_Strict):
    """Body of ``max_stay``: the longest a driver may stay in a country (a visa limit)."""

    country: str
    mode: Literal["road"] = "road"
    days: float = Field(gt=0, le=3_650)
    turnaround_h: float = Field(default=0.0, ge=0, le=10_000)
    on_violation: Literal["infeasible", "driver_change"] = "infeasible"
    driver_change_h: float = Field(default=0.0, ge=0, le=10_000)
    driver_change_usd: float = Field(default=0.0, ge=0, le=MAX_VALUE)

    @field_validator("country")
    @classmethod
    def _iso(cls, value: str) -> str:
        code = value.upper()
        if not _ISO2.match(code):
            msg = f"{value!r} is not an ISO 3166-1 alpha-2 code (e.g. IR)"
            raise ValueError(msg)
        return code

    @property
    def limit_h(self) -> float:
        """The limit in hours."""
        return self.days * 24.0


class DemandWhere(_Strict):
    """Which demand rows a ``growth`` change scales: every criterion given must match."""

    demand: Names = []
    origin: Names = []
    destination: Names = []
    profile: Names = []

    def given(self) -> list[str]:
        """Return the criteria that are set."""
        return [name for name in type(self).model_fields if getattr(self, name)]


class Growth(_Strict):
    """Body of ``growth``: demand rows (all, or those ``where`` selects) times ``factor``.

    ``distribution`` (optional) is what a flow Monte Carlo run draws the factor from.
    """

    factor: float = Field(gt=0, le=1_000)
    where: DemandWhere = DemandWhere()
    distribution: Annotated[Distribution, BeforeValidator(_distribution)] | None = None

    @model_validator(mode="after")
    def _drawn(self) -> Growth:
        d = self.distribution
        if d is not None and d.from_data:
            msg = f"demand rows have no low/high range: give the {d.kind} distribution low and high"
            raise ValueError(msg)
        if d is not None and d.low is not None and d.low <= 0:
            msg = "a growth factor is positive: give the distribution a low above 0"
            raise ValueError(msg)
        return self


class CapacityChange(_Strict):
    """Body of ``capacity``: one row of ``capacities.csv`` set to a value or scaled."""

    id: str = Field(min_length=1)
    set: float | None = Field(default=None, gt=0, le=MAX_VALUE)
    scale: float | None = Field(default=None, gt=0, le=1_000)
    unit: str = "Mt/yr"

    @model_validator(mode="after")
    def _one(self) -> CapacityChange:
        if (self.set is None) == (self.scale is None):
            msg = "give either `set` (a capacity in `unit`) or `scale` (a factor), not both"
            raise ValueError(msg)
        if self.unit not in TONNE_UNITS:
            msg = f"unit {self.unit!r} is not one of {', '.join(TONNE_UNITS)}"
            raise ValueError(msg)
        return self

    @property
    def tonnes(self) -> float | None:
        """The capacity set, in tonnes per year (None for a scale)."""
        return None if self.set is None else self.set * TONNE_UNITS[self.unit]


class Change(_Strict):
    """One change: exactly one action, with the sources it cites."""

    open: OpenClose | None = None
    close: OpenClose | None = None
    add_link: AddLink | None = None
    set: Adjust | None = None
    scale: Adjust | None = None
    max_stay: MaxStay | None = None
    growth: Growth | None = None
    capacity: CapacityChange | None = None
    id: str | None = None
    cites: Names = []
    note: str = ""

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        given = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(given) != 1:
            msg = (
                f"a change needs exactly one action of {', '.join(ACTIONS)}"
                f"{'; it has ' + ', '.join(given) if given else ''}"
            )
            raise ValueError(msg)
        for body in (self.scale, self.set):
            if body is None:
                continue
            for name, value in body.values().items():
                if name in POSITIVE_ATTRS and value == 0:
                    msg = (
                        f"{name} 0 is not a valid link value; give a positive number "
                        "(to stop traffic, close the links instead)"
                    )
                    raise ValueError(msg)
        return self

    @property
    def action(self) -> str:
        """The action's name."""
        return next(a for a in ACTIONS if getattr(self, a) is not None)

    @property
    def body(self) -> Any:
        """The action's parameters."""
        return getattr(self, self.action)


class Distribution(_Strict):
    """A probability distribution for a Monte Carlo parameter (see ``distributions``)."""

    kind: DistributionName
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    median: float | None = Field(default=None, gt=0)
    sigma: float | None = Field(default=None, gt=0, le=5)
    values: list[float] = []
    weights: list[float] = []

    @model_validator(mode="after")
    def _params(self) -> Distribution:
        for name in ("low", "mode", "high", "median"):
            value = getattr(self, name)
            if value is not None:
                _finite(value, name)
        for value in [*self.values, *self.weights]:
            _finite(value, "values and weights")
        DISTRIBUTIONS[self.kind].check(self)
        return self

    @property
    def from_data(self) -> bool:
        """Whether the bounds come from each row's ``_low``/``_high`` columns."""
        return DISTRIBUTIONS[self.kind].ranged and self.low is None


def _distribution(value: Any) -> Any:
    return {"kind": value} if isinstance(value, str) else value


class Uncertain(_Strict):
    """One uncertain parameter: rows selected by ``where``, one attribute, a distribution."""

    where: Selector = Selector()
    attribute: Literal["time_h", "fee_usd", "headway_h", "speed_kph", "sailing_h"]
    distribution: Annotated[Distribution, BeforeValidator(_distribution)]
    relative: bool = False
    shared: bool = False
    cites: Names = []
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Uncertain:
        family = "friction" if self.attribute in FRICTION_ATTRS else "link"
        bad = [k for k in self.where.given() if k not in SELECTOR_KEYS[family]]
        if bad:
            msg = (
                f"`where.{bad[0]}` does not select {family} rows for {self.attribute}; "
                f"use {', '.join(SELECTOR_KEYS[family])}"
            )
            raise ValueError(msg)
        if self.shared and not self.relative:
            msg = "a shared draw scales every matched row together: set relative: true"
            raise ValueError(msg)
        if self.distribution.from_data and self.attribute not in FRICTION_ATTRS:
            msg = (
                f"the data has no low/high range for {self.attribute}; give low and high "
                "(with relative: true for multipliers)"
            )
            raise ValueError(msg)
        if self.distribution.from_data and (self.relative or self.shared):
            msg = "bounds from the data are absolute per row; drop relative/shared or give bounds"
            raise ValueError(msg)
        return self


class OD(_Strict):
    """An origin-destination pair."""

    origin: str = Field(min_length=1)
    destination: str = Field(min_length=1)


def _od(value: Any) -> Any:
    if isinstance(value, str):
        origin, sep, destination = value.partition(":")
        if not sep:
            msg = f"{value!r} must be ORIGIN:DESTINATION, e.g. Almaty:Bandar Abbas"
            raise ValueError(msg)
        return {"origin": origin.strip(), "destination": destination.strip()}
    if isinstance(value, list | tuple) and len(value) == 2:
        return {"origin": value[0], "destination": value[1]}
    return value


class ScenarioDoc(_Strict):
    """A whole scenario file."""

    name: str = Field(min_length=1)
    description: str = ""
    cites: Names = Field(min_length=1)
    base: str = "baseline"
    year: int | None = Field(default=None, ge=1850, le=2100)
    include: list[StatusName] = []
    profile: str | None = None
    by: ObjectiveName = "time"
    value_of_time: float | None = Field(default=None, ge=0, le=1e6)
    od: list[Annotated[OD, BeforeValidator(_od)]] = []
    corridors: Names = []
    parameters: dict[str, float] = {}
    sweep: dict[str, list[float]] = {}
    changes: list[Change] = []
    uncertain: list[Uncertain] = []
    draws: int = Field(default=1000, ge=1, le=MAX_DRAWS)
    seed: int = Field(default=0, ge=0, le=2**63 - 1)

    @field_validator("parameters")
    @classmethod
    def _params(cls, value: dict[str, float]) -> dict[str, float]:
        for name, number in value.items():
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                msg = f"parameter name {name!r} must be letters, digits and _"
                raise ValueError(msg)
            _finite(number, name)
        return value


# -- messages -------------------------------------------------------------------------------


def suggest(word: str, options: Iterable[str]) -> str:
    """Return ``; did you mean X?`` for the closest option, or the options when few."""
    pool = [str(o) for o in options]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    if close:
        return f"; did you mean `{close[0]}`?"
    if len(pool) <= 12:
        return f"; allowed: {', '.join(pool)}"
    return ""


def _allowed_keys(doc_loc: Loc) -> list[str]:
    """Keys allowed at a location, for the suggestion on an unknown key."""
    model: Any = ScenarioDoc
    for part in doc_loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return list(model.model_fields) if hasattr(model, "model_fields") else []


def _model_of(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_of(arg)
        if found is not None:
            return found
    metadata = getattr(annotation, "__origin__", None)
    if metadata is not None and isinstance(metadata, type) and issubclass(metadata, BaseModel):
        return metadata
    return None


def _clean_loc(loc: tuple[Any, ...]) -> Loc:
    # pydantic inserts a union member's name (e.g. `function-before[...]`) into locations
    return tuple(p for p in loc if isinstance(p, int) or not str(p).startswith("function-"))


def _message(err: dict[str, Any]) -> tuple[Loc, str]:
    loc = _clean_loc(tuple(err["loc"]))
    kind = err["type"]
    key = dotted(loc)
    if kind == "extra_forbidden":
        word = str(loc[-1])
        return loc, f"unknown key `{key}`{suggest(word, _allowed_keys(loc[:-1]))}"
    if kind == "missing":
        return loc, f"key `{key}` is required"
    text = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) or value is None else f" (got {value!r})"
    return loc, f"`{key}`: {text}{shown}"


def raise_validation(err: ValidationError, lines: LineMap, prefix: Loc = ()) -> None:
    """Turn a pydantic error into one ScenarioError naming file, line and key."""
    parts = []
    for item in err.errors():
        loc, text = _message({**item, "loc": (*prefix, *item["loc"])})
        parts.append(f"{lines.where(loc)}: {text}")
    more = f" (and {len(parts) - 3} more)" if len(parts) > 3 else ""
    raise ScenarioError("; ".join(parts[:3]) + more) from None


def parse(data: Any, lines: LineMap) -> ScenarioDoc:
    """Validate a scenario document read from YAML.

    Raises
    ------
    ScenarioError
        With ``file:line: key: what is wrong`` for each problem found.
    """
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        msg = (
            f"{lines.file}:1: a scenario file is a mapping with name, cites and changes; "
            f"it is {kind}"
        )
        raise ScenarioError(msg)
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        msg = f"{lines.file}:1: key {bad_keys[0]!r} is not text; keys are names such as `changes`"
        raise ScenarioError(msg)
    params = data.get("parameters")
    # a malformed `parameters` is reported by the schema below; substitute with none then
    data = substitute(data, dict(params) if isinstance(params, dict) else {}, lines)
    try:
        return ScenarioDoc.model_validate(data)
    except ValidationError as err:
        raise_validation(err, lines)
    raise AssertionError  # pragma: no cover - raise_validation always raises


_PARAM = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


def substitute(data: Any, params: dict[str, Any], lines: LineMap, loc: Loc = ()) -> Any:
    """Replace ``$name`` strings with parameter values (everywhere but ``parameters``)."""
    if isinstance(data, dict):
        return {
            k: v
            if loc == () and k in ("parameters", "sweep")
            else substitute(v, params, lines, (*loc, k))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [substitute(v, params, lines, (*loc, i)) for i, v in enumerate(data)]
    if isinstance(data, str):
        hit = _PARAM.match(data.strip())
        if hit:
            name = hit.group(1)
            if name not in params:
                msg = (
                    f"{lines.where(loc)}: `{dotted(loc)}` uses ${name}, which `parameters` "
                    f"does not define{suggest(name, params)}"
                )
                raise ScenarioError(msg)
            return params[name]
    return data


def statuses(doc: ScenarioDoc) -> list[str]:
    """Return the link statuses routing allows under the scenario."""
    return sorted({"operational", *doc.include})
