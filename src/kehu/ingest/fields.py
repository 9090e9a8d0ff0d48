"""Which cleaner each canonical column gets, derived from the schema plus a few overrides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from kehu.datafiles import read_toml
from kehu.ingest.clean.text import match_key
from kehu.store.schema import Table

VALUE_FILE = "value_aliases.toml"
INT32 = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class Field:
    """How one column is cleaned. `kind` picks the cleaner; the rest are its parameters."""

    column: str
    kind: str  # text | money | date | datetime | int | number | percent | bool | phone | email |
    #           postcode | registration | province | industry | enum | tags | period
    low: int | None = None
    high: int | None = None
    partial: bool = False  # dates: accept a bare year or year-month
    ranges: bool = False  # ints: accept '50-99人'
    values: str | None = None  # enum / word section in value_aliases.toml


_OVERRIDES: dict[tuple[str, str], Field] = {
    ("*", "phone"): Field("phone", "phone"),
    ("*", "email"): Field("email", "email"),
    ("*", "postcode"): Field("postcode", "postcode"),
    ("*", "registration_id"): Field("registration_id", "registration"),
    ("*", "province"): Field("province", "province"),
    ("*", "industry_code"): Field("industry_code", "industry"),
    ("*", "industry_name"): Field("industry_name", "industry"),
    ("*", "tags"): Field("tags", "tags"),
    ("customers", "budget_growth"): Field("budget_growth", "percent"),
    ("customers", "founded_on"): Field("founded_on", "date", partial=True),
    ("customers", "birth_date"): Field("birth_date", "date", partial=True),
    ("customers", "cooperation_start"): Field("cooperation_start", "date", partial=True),
    ("customers", "employees"): Field("employees", "int", low=0, ranges=True),
    ("customers", "customer_type"): Field(
        "customer_type", "enum", values="customers.customer_type"
    ),
    ("customers", "industry_position"): Field(
        "industry_position", "enum", values="customers.industry_position"
    ),
    ("customers", "share_of_wallet"): Field("share_of_wallet", "percent", low=0, high=1),
    ("competitors", "price_position"): Field(
        "price_position", "enum", values="competitors.price_position"
    ),
    ("market_potential", "year"): Field("year", "int", low=1900, high=2200),
    ("market_potential", "companies"): Field("companies", "int", low=0),
    ("market_potential", "market_size"): Field("market_size", "money", low=0),
    ("contacts", "role"): Field("role", "enum", values="contacts.role"),
    ("contacts", "influence"): Field("influence", "enum", values="contacts.influence"),
    ("contacts", "attitude"): Field("attitude", "enum", values="contacts.attitude"),
    ("contacts", "relationship"): Field("relationship", "int", low=1, high=5),
    ("interactions", "kind"): Field("kind", "enum", values="interactions.kind"),
    ("tickets", "priority"): Field("priority", "enum", values="tickets.priority"),
    ("tickets", "status"): Field("status", "enum", values="tickets.status"),
    ("tickets", "satisfaction"): Field(
        "satisfaction", "int", low=1, high=5, values="scores.satisfaction"
    ),
    ("surveys", "csat"): Field("csat", "int", low=1, high=5, values="scores.satisfaction"),
    ("surveys", "nps"): Field("nps", "int", low=0, high=10),
    ("opportunities", "status"): Field("status", "enum", values="opportunities.status"),
    ("targets", "period"): Field("period", "period"),
}

_BY_TYPE = {
    "DECIMAL": "money",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "INTEGER": "int",
    "BIGINT": "int",
    "DOUBLE": "number",
    "BOOLEAN": "bool",
}


def field_for(table: Table, column: str) -> Field:
    """The cleaning rule for a column of a table."""
    sql_type = table.columns[column].split("(")[0].split()[0].upper()
    for key in ((table.name, column), ("*", column)):
        if key in _OVERRIDES:
            return _int_bounds(_OVERRIDES[key], sql_type)
    return _int_bounds(Field(column, _BY_TYPE.get(sql_type, "text")), sql_type)


def _int_bounds(spec: Field, sql_type: str) -> Field:
    """An INTEGER column holds 32 bits: a larger number is out of range, not a crash."""
    if spec.kind != "int" or sql_type != "INTEGER":
        return spec
    low = INT32[0] if spec.low is None else spec.low
    high = INT32[1] if spec.high is None else spec.high
    return replace(spec, low=low, high=high)


@cache
def _value_data() -> dict[str, dict[str, list[str]]]:
    data = read_toml(VALUE_FILE)
    return {k: v for k, v in data.items() if isinstance(v, dict)}


@cache
def value_index(section: str) -> dict[str, str]:
    """match_key(written value) -> stored code for one value list (codes match themselves)."""
    index: dict[str, str] = {}
    for code, aliases in _value_data().get(section, {}).items():
        index[match_key(code)] = code
        for alias in aliases:
            index.setdefault(match_key(alias), code)
    return index


def value_codes(section: str) -> list[str]:
    """The stored codes of a value list, e.g. ['visit', 'call', ...]."""
    return list(_value_data().get(section, {}))
