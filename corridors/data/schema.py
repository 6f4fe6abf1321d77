"""Column contract of the geodata tables: names, types and which are required."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["str", "float", "int", "bool", "list"]


@dataclass(frozen=True)
class Column:
    """One column of a geodata table."""

    name: str
    type: ColumnType
    required: bool = False


def _cols(spec: str) -> tuple[Column, ...]:
    # "name:type!" -> required column; "name:type" -> optional.
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        required = kind.endswith("!")
        out.append(Column(name, kind.rstrip("!"), required))  # type: ignore[arg-type]
    return tuple(out)


TABLES: dict[str, tuple[Column, ...]] = {
    "nodes": _cols(
        "id:str! name:str! aliases:list kind:str! country:str! lon:float! lat:float! "
        "coord_ref:str! locode:str osm_id:str geonames_id:str source_id:list note:str"
    ),
    "links": _cols(
        "id:str! u:str! v:str! mode:str! gauge_mm:int status:str! open_year:int "
        "length_km:float! length_km_low:float length_km_high:float length_method:str! "
        "length_source_id:list speed_kph:float sailing_h:float headway_h:float "
        "capacity:float capacity_unit:str oneway:bool profiles:list source_id:list! note:str"
    ),
    "frictions": _cols(
        "id:str! kind:str! node:str! to_node:str side:str country:str mode:str to_mode:str "
        "direction:str "
        "profile:str time_h:float! time_h_low:float time_h_high:float fee_usd:float "
        "fee_usd_low:float fee_usd_high:float source_id:list method:str note:str"
    ),
    "rates": _cols(
        "id:str! mode:str! country:str link:str profile:str! usd_per_unit_km:float "
        "usd_per_unit:float source_id:list method:str note:str"
    ),
    "speeds": _cols("id:str! mode:str! country:str kph:float! source_id:list method:str note:str"),
    "emissions": _cols("mode:str! kg_co2_per_tkm:float! source_id:list method:str note:str"),
    "profiles": _cols(
        "id:str! label:str! unit:str! tonnes_per_unit:float! value_of_time_usd_per_h:float! "
        "modes:list! source_id:list method:str note:str"
    ),
    "sections": _cols(
        "id:str! name:str! from:str! to:str! via:list mode:str! published_km:float! "
        "published_km_low:float published_km_high:float check:str source_id:list! note:str"
    ),
    "driving_rules": _cols(
        "id:str! profile:str mode:str! crew:int! daily_driving_h:float! "
        "extended_daily_driving_h:float extended_days_per_week:int break_after_h:float "
        "break_h:float daily_rest_h:float! rest_window_h:float! weekly_driving_h:float! "
        "fortnight_driving_h:float daily_periods_per_week:int! weekly_rest_h:float! "
        "source_id:list method:str note:str"
    ),
    "timetables": _cols(
        "id:str! link:str! from:str! weekdays:list per_week:float departure:str "
        "source_id:list method:str note:str"
    ),
}

#: Tables a geodata folder may leave out (an empty table: no driving rules, no timetables).
OPTIONAL_TABLES = frozenset({"driving_rules", "timetables"})

#: Tables every row of which must carry a source id or a method.
PROVENANCE = {
    "nodes": ("source_id", "coord_ref"),
    "links": ("source_id",),
    "frictions": ("source_id", "method"),
    "rates": ("source_id", "method"),
    "speeds": ("source_id", "method"),
    "emissions": ("source_id", "method"),
    "profiles": ("source_id", "method"),
    "sections": ("source_id",),
    "driving_rules": ("source_id", "method"),
    "timetables": ("source_id", "method"),
}
