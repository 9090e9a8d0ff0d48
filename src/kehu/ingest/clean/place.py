"""Provinces → official full names (广东 / 广东省 / Guangdong → 广东省)."""

from __future__ import annotations

from functools import cache

from kehu.datafiles import read_csv
from kehu.ingest.clean.text import match_key


@cache
def _province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in read_csv("provinces.csv"):
        full = row["name_zh"]
        for alias in (full, row["short_zh"], row["name_en"], row["code"]):
            index[match_key(alias)] = full
        index[match_key(row["name_en"] + " province")] = full
    index[match_key("Tibet")] = "西藏自治区"
    index[match_key("Macau")] = "澳门特别行政区"
    index[match_key("Inner Mongolia")] = "内蒙古自治区"
    return index


def normalize_province(value: str | None) -> str | None:
    """The official full name, or None when the text names no province (callers keep the
    original text then and report it)."""
    if value is None:
        return None
    key = match_key(value)
    if not key:
        return None
    index = _province_index()
    if key in index:
        return index[key]
    for short in sorted({k for k in index if not k.isascii()}, key=len, reverse=True):
        if key.startswith(short) and len(short) >= 2:  # '广东省深圳市' in a province column
            return index[short]
    return None


def province_names() -> list[str]:
    """All official province-level names, in code order."""
    return list(dict.fromkeys(_province_index().values()))
