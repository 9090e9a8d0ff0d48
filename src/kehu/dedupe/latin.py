"""Company names written in Latin letters, read as the Chinese parts kehu compares.

ＮＡＮＪＩＮＧ博达电子有限公司, "Nanjing 博达电子有限公司" and 南京博达电子有限公司 are one name; so
are "Huawei Technologies (Beijing) Co., Ltd." and 华为科技(北京)有限公司 once the region is read
as 北京, "Technologies" as the industry 科技 and "Co., Ltd." as 有限公司. The brand stays in
Latin letters: its pinyin equals the Chinese brand's (huawei = 华为), which is what the model
compares. A region's pinyin is only read as the region where it stands at the start of the name
or in brackets, and never when two regions share it (山西 / 陕西 shanxi, 苏州 / 宿州 suzhou).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kehu.datafiles import read_toml
from kehu.dedupe.regions import CITIES, PROVINCES

# English industry words -> 行业 as registered, and legal forms -> 组织形式: data, in
# `kehu/data/name_words.toml` (lower-case word sequences; the longest sequence wins).
_WORDS = read_toml("name_words.toml")
INDUSTRY_EN: dict[str, str] = _WORDS["latin_industry"]
LEGAL_EN: dict[str, str] = _WORDS["latin_legal"]

_WORD = re.compile(r"[a-z]+")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z .,&'\-]*")


@lru_cache(maxsize=1)
def region_pinyin() -> dict[str, str]:
    """Pinyin (no spaces, lower case) -> region short name, ambiguous readings left out."""
    from pypinyin import lazy_pinyin

    seen: dict[str, set[str]] = {}
    for short in (*PROVINCES, *CITIES):
        if len(short) < 2:
            continue
        seen.setdefault("".join(lazy_pinyin(short)).lower(), set()).add(short)
    return {py: next(iter(names)) for py, names in seen.items() if len(names) == 1}


def _phrase_map(words: list[str], table: dict[str, str]) -> list[str]:
    """Replace the longest word sequences found in `table` (left to right)."""
    longest = max(len(k.split()) for k in table)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            key = " ".join(words[i : i + size])
            if key in table:
                out.append(table[key])
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def sinicize(raw: str) -> str:
    """The name with its Latin-letter region, industry and legal-form words in Chinese
    (full-width letters included); a name without Latin letters comes back unchanged."""
    text = unicodedata.normalize("NFKC", raw)
    if not re.search(r"[A-Za-z]", text):
        return raw
    regions = region_pinyin()
    # Region at the start: "NANJING博达…", "Nanjing Boda …"
    lead = re.match(r"\s*([A-Za-z]+)", text)
    if lead and lead.group(1).lower() in regions and len(text) > lead.end():
        text = regions[lead.group(1).lower()] + text[lead.end() :]
    # Region in brackets: "(Beijing)"
    text = re.sub(
        r"[(（]\s*([A-Za-z]+)\s*[)）]",
        lambda m: f"({regions.get(m.group(1).lower(), m.group(1))})",
        text,
    )

    def english(m: re.Match[str]) -> str:
        words = _WORD.findall(m.group(0).lower())
        return "".join(_phrase_map(_phrase_map(words, INDUSTRY_EN), LEGAL_EN)) if words else ""

    return _LATIN_RUN.sub(english, text)
