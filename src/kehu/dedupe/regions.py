"""Chinese administrative regions used to find the region part of names and addresses.

Province-level units and their prefecture-level cities (plus county-level cities that often
open a company name, such as 昆山 or 义乌), written as short names (no 省/市 suffix), in
`kehu/data/cities.csv`. The list serves the name parser (a region prefix or a bracketed
region) and the address normaliser; it is not a full gazetteer and needs none: an unknown
place simply stays part of the name, the same way in every record.
"""

from __future__ import annotations

from functools import lru_cache

from kehu.datafiles import read_csv

# province short name -> full name (the one province table, `kehu/data/provinces.csv`)
PROVINCES: dict[str, str] = {row["short_zh"]: row["name_zh"] for row in read_csv("provinces.csv")}
# Each city (short name) with its province; `bare` is "no" for a city whose bare short name is
# also an everyday word or a common brand (阿里巴巴, 东方电气, 中山大学 ...): it counts as a
# region only when written with a suffix (东方市, 中山市).
_CITY_ROWS = read_csv("cities.csv")
NO_BARE = frozenset(row["city"] for row in _CITY_ROWS if row["bare"] == "no")
# city short name -> province short name
CITIES: dict[str, str] = {row["city"]: row["province"] for row in _CITY_ROWS}

# Suffixes a city or county may carry in a name; tried longest first.
CITY_SUFFIXES = ("特别行政区", "自治州", "地区", "新区", "市", "盟", "县", "区")
PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Country-level names that act as a region in brackets, e.g. 阿里巴巴(中国)网络技术有限公司.
COUNTRY_NAMES = frozenset({"中国", "中华", "全国", "国际", "亚太", "大中华", "大陆"})


@lru_cache(maxsize=1)
def region_prefixes() -> tuple[tuple[str, str, str], ...]:
    """(written form, canonical short name, level) for every region, longest form first.

    Level is "province" or "city". A province that is also a city (北京, 上海 ...) is listed
    as a province; the canonical short name is what records are compared on.
    """
    forms: dict[str, tuple[str, str]] = {}
    for short, full in PROVINCES.items():
        forms.setdefault(full, (short, "province"))
        for suffix in PROVINCE_SUFFIXES:
            forms.setdefault(short + suffix, (short, "province"))
        forms.setdefault(short, (short, "province"))
    for short in CITIES:
        for suffix in CITY_SUFFIXES:
            forms.setdefault(short + suffix, (short, "city"))
        if short not in NO_BARE:
            forms.setdefault(short, (short, "city"))
    ordered = sorted(forms.items(), key=lambda kv: (-len(kv[0]), kv[0]))
    return tuple((form, short, level) for form, (short, level) in ordered)


@lru_cache(maxsize=1)
def _forms_by_text() -> tuple[dict[str, tuple[str, str, str]], tuple[int, ...]]:
    forms = {item[0]: item for item in region_prefixes()}
    return forms, tuple(sorted({len(f) for f in forms}, reverse=True))


def match_region_prefix(text: str) -> tuple[str, str, str] | None:
    """The longest region written at the start of `text`: (written form, short name, level)."""
    if not text:
        return None
    forms, lengths = _forms_by_text()
    for size in lengths:
        if size <= len(text):
            hit = forms.get(text[:size])
            if hit is not None:
                return hit
    return None


def match_region_suffix(text: str) -> tuple[str, str, str] | None:
    """The longest region written at the end of `text` (same tuple as the prefix match)."""
    if not text:
        return None
    forms, lengths = _forms_by_text()
    for size in lengths:
        if size <= len(text):
            hit = forms.get(text[-size:])
            if hit is not None:
                return hit
    return None


def canonical_region(text: str | None) -> tuple[str | None, str | None]:
    """(province, city) short names for a place written in any common form.

    "广东省" -> ("广东", None); "深圳市" -> ("广东", "深圳"); "北京" -> ("北京", "北京").
    Unknown text gives (None, None).
    """
    if not text:
        return None, None
    hit = match_region_prefix(text)
    if hit is None or hit[0] != text:
        return None, None
    _, short, level = hit
    if level == "province":
        # Municipalities are their own city.
        city = short if short in ("北京", "天津", "上海", "重庆", "香港", "澳门") else None
        return short, city
    return CITIES.get(short), short


def province_of(city_short: str) -> str | None:
    """The province of a city short name, or None."""
    if city_short in PROVINCES:
        return city_short
    return CITIES.get(city_short)
