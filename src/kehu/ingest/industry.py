"""Industry names or codes → GB/T 4754-2017 (国民经济行业分类), shipped as versioned data.

Codes are stored as the section letter ('C') or section + division ('C39'). Input can be a
code ('C', 'C39', 'C-39', '39', a 3/4-digit group/class '3911' → C39), an official name
(Chinese or English), a common synonym (互联网 → I64, 软件 → I65, 制造业/制造 → C), or a
longer text containing one ('汽车零部件制造' → C36). Longest match wins; divisions beat
sections; anything else is unmatched (the importer reports it, it never rejects the row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kehu.datafiles import read_csv
from kehu.industries import Industry, industries
from kehu.ingest.clean.text import match_key, normalize_text

SYNONYM_FILE = "industry_synonyms.csv"
_CODE = re.compile(r"(?P<sec>[a-t])?\s*[-.]?\s*(?P<div>\d{2,4})?(?:\s+(?P<rest>.*))?")


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, Industry]
    by_division: dict[str, Industry]
    by_name: dict[str, Industry]  # match_key(name) -> industry (official names, zh and en)
    synonyms: dict[str, Industry]  # match_key(synonym) -> industry
    contained: list[tuple[str, Industry]]  # keys to look for inside longer text, longest first


@cache
def _index() -> _Index:
    by_code = {ind.code: ind for ind in industries()}
    by_division = {ind.division: ind for ind in industries() if ind.division}
    by_name: dict[str, Industry] = {}
    for ind in industries():  # sections first in each pair, divisions override equal names
        by_name[match_key(ind.name_zh)] = ind
        by_name[match_key(ind.name_en)] = ind
    synonyms = {match_key(row["synonym"]): by_code[row["code"]] for row in read_csv(SYNONYM_FILE)}
    contained: dict[str, Industry] = {}
    for ind in industries():
        key = match_key(ind.name_zh)
        if ind.level == "division" or key not in contained:
            contained[key] = ind
    for key, ind in synonyms.items():
        if len(key) >= 2 and not key.isascii():
            contained.setdefault(key, ind)
    ordered = sorted(contained.items(), key=lambda kv: (-len(kv[0]), kv[1].level != "division"))
    return _Index(by_code, by_division, by_name, synonyms, ordered)


def industry_by_code(code: str) -> Industry | None:
    """The section or division with exactly this stored code ('C', 'C39')."""
    return _index().by_code.get(code.upper())


def match_industry(text: str | None) -> tuple[str, str] | None:
    """(code, Chinese name) for a code, name or synonym; None when nothing fits."""
    found = lookup_industry(text)
    return (found.code, found.name_zh) if found else None


@cache
def lookup_industry(text: str | None) -> Industry | None:
    """Like `match_industry`, returning the whole `Industry` record."""
    if text is None:
        return None
    norm = normalize_text(text)
    if not norm:
        return None
    index = _index()
    by_code = _match_code(norm.casefold(), index)
    if by_code is not None:
        return by_code
    key = match_key(norm)
    if not key:
        return None
    for candidate in (
        key,
        key.removesuffix("行业"),
        key.removesuffix("领域"),
        key.removesuffix("业"),
    ):
        if candidate in index.by_name:
            return index.by_name[candidate]
        if candidate in index.synonyms:
            return index.synonyms[candidate]
    for needle, ind in index.contained:
        if needle in key:
            return ind
    if len(key) >= 2 and not key.isascii():  # a fragment of exactly one official name
        hits = {ind.code: ind for ind in industries() if key in match_key(ind.name_zh)}
        if len(hits) == 1:
            return next(iter(hits.values()))
    return None


def _match_code(text: str, index: _Index) -> Industry | None:
    m = _CODE.fullmatch(text)
    if not m or not (m["sec"] or m["div"]):
        return None
    section = m["sec"].upper() if m["sec"] else None
    division = m["div"][:2] if m["div"] else None
    if m["rest"] and not division:
        return None  # 'c something' is a name, not a code
    if division is None:
        return index.by_code.get(section) if section else None
    found = index.by_division.get(division)
    if found is None or (section and found.section != section):
        return None
    return found
