"""GB/T 4754-2017 (国民经济行业分类) sections and divisions, read from the shipped table.

Stored industry codes are the section letter ('C') or section + division ('C39'); every floor
that names an industry (the importer's matcher, the market view) reads the names from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kehu.datafiles import read_csv

TABLE_FILE = "gbt4754_2017.csv"


@dataclass(frozen=True)
class Industry:
    code: str  # 'C' or 'C39'
    level: str  # section | division
    section: str
    division: str | None
    name_zh: str
    name_en: str

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@cache
def industries() -> tuple[Industry, ...]:
    """All sections and divisions of GB/T 4754-2017, in code order."""
    return tuple(
        Industry(
            code=row["code"],
            level=row["level"],
            section=row["section"],
            division=row["division"] or None,
            name_zh=row["name_zh"],
            name_en=row["name_en"],
        )
        for row in read_csv(TABLE_FILE)
    )


@cache
def _by_code() -> dict[str, Industry]:
    return {ind.code: ind for ind in industries()}


def industry_name(code: str | None, lang: str = "zh") -> str | None:
    """The official name of a stored code ('C' -> 制造业), None when unknown."""
    found = _by_code().get((code or "").upper())
    return found.name(lang) if found else None
