"""Vocabulary of the demo company: places, name parts, industries, products and staff titles.

Everything the generator draws from is data (`kehu/data/demo/vocabulary.json`), so the demo
reads like a real Chinese B2B customer base: real provinces, cities (with their
administrative division codes, phone area codes and postcodes), the seven sales regions,
company names built the way the 企业名称登记管理规定 prescribes (行政区划 + 字号 + 行业 +
组织形式), and GB/T 4754-2017 industry divisions. Pinyin is stored next to each character
used in person names so the generator can spell names in pinyin without a per-row lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kehu.datafiles import read_json


def vocabulary(name: str) -> dict[str, Any]:
    """One of the demo's data files (`data/demo/<name>.json`)."""
    return dict(read_json(f"demo/{name}.json"))


@dataclass(frozen=True)
class City:
    name: str  # 苏州市
    short: str  # 苏州
    code: str  # 行政区划代码 (city level), e.g. 320500
    area_code: str  # 电话区号 without the leading 0, e.g. 512
    postcode: str
    districts: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Province:
    name: str  # 江苏省
    short: str  # 江苏
    region: str
    weight: float  # rough share of B2B demand
    cities: tuple[City, ...]


@dataclass(frozen=True)
class Industry:
    word: str  # 行业表述 in the company name
    section: str  # GB/T 4754-2017 门类
    division: str  # 大类 code
    division_name: str
    weight: float


def _rows(items: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(x) for x in items)


_V = vocabulary("vocabulary")

REGIONS: tuple[str, ...] = tuple(_V["regions"])
# the sales manager of each region: RACI "A" of the demo plan ([plan] region_leads)
REGION_MANAGERS: dict[str, str] = _V["region_managers"]
PROVINCES: tuple[Province, ...] = tuple(
    Province(
        p["name"], p["short"], p["region"], p["weight"],
        tuple(City(**(c | {"districts": tuple(c["districts"])})) for c in p["cities"]),
    )
    for p in _V["provinces"]
)  # fmt: skip
ROADS: tuple[str, ...] = tuple(_V["roads"])
# company names: 字号 characters, with a homophone/near-form typo for some
BRAND_CHARS: tuple[str, ...] = tuple(_V["brand_chars"])
BRAND_PINYIN: dict[str, str] = _V["brand_pinyin"]
TYPO: dict[str, str] = _V["typo"]
# (组织形式, weight). The first is the most common; 有限责任公司 and 有限公司 are the variant
# pair that real exports mix up.
LEGAL_FORMS: tuple[tuple[str, float], ...] = _rows(_V["legal_forms"])
SECTIONS: dict[str, str] = _V["sections"]
_DIVISIONS: dict[str, str] = _V["divisions"]
# An industrial-automation / IT-services supplier sells mostly to manufacturers.
INDUSTRIES: tuple[Industry, ...] = tuple(Industry(**i) for i in _V["industries"])
# (surname, pinyin, relative frequency)
SURNAMES: tuple[tuple[str, str, float], ...] = _rows(_V["surnames"])
GIVEN: tuple[tuple[str, str], ...] = _rows(_V["given"])
# the supplier's catalogue: (category, [(product, unit price in yuan)])
CATALOGUE: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = tuple(
    (category, _rows(products)) for category, products in _V["catalogue"]
)
# Categories whose typical order is large (a customer with a large order value leans to them).
BIG_TICKET: tuple[str, ...] = tuple(_V["big_ticket"])
CHANNELS: tuple[str, ...] = tuple(_V["channels"])
# Ledger (finance, keyed by CRM numbers) holds 直销/招投标; the ERP export holds the others.
LEDGER_CHANNELS: tuple[str, ...] = tuple(_V["ledger_channels"])
# decision-chain roles (决策链) and titles
CONTACT_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (role, tuple(titles)) for role, titles in _V["contact_roles"]
)
EMAIL_DOMAINS_PERSON: tuple[str, ...] = tuple(_V["email_domains_person"])
MOBILE_PREFIXES: list[str] = _V["mobile_prefixes"]
TAGS: tuple[str, ...] = tuple(_V["tags"])
ERP_BANKS: tuple[str, ...] = tuple(_V["erp_banks"])
