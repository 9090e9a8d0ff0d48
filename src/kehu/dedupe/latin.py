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

from kehu.dedupe.regions import CITIES, PROVINCES

# English industry words (longest first when matching) -> 行业 as registered.
INDUSTRY_EN = {
    "information technology": "信息技术",
    "technologies": "科技",
    "technology": "科技",
    "tech": "科技",
    "electronics": "电子",
    "electronic": "电子",
    "electric": "电气",
    "trading": "贸易",
    "trade": "贸易",
    "software": "软件",
    "network": "网络",
    "networks": "网络",
    "information": "信息",
    "logistics": "物流",
    "industrial": "实业",
    "industries": "实业",
    "industry": "实业",
    "pharmaceutical": "医药",
    "pharmaceuticals": "医药",
    "machinery": "机械",
    "chemical": "化工",
    "chemicals": "化工",
    "textile": "纺织",
    "textiles": "纺织",
    "communication": "通信",
    "communications": "通信",
    "telecom": "通信",
    "investment": "投资",
    "construction": "建设",
    "engineering": "工程",
    "materials": "材料",
    "new materials": "新材料",
    "food": "食品",
    "foods": "食品",
    "automotive": "汽车",
    "auto": "汽车",
    "energy": "能源",
    "consulting": "咨询",
    "biotech": "生物科技",
    "biotechnology": "生物科技",
    "environmental": "环保",
    "equipment": "设备",
    "digital": "数字",
    "international": "国际",
    "group": "集团",
}

# English legal forms (as lower-case word sequences) -> 组织形式.
LEGAL_EN = {
    "co ltd": "有限公司",
    "company limited": "有限公司",
    "co limited": "有限公司",
    "limited": "有限公司",
    "ltd": "有限公司",
    "llc": "有限公司",
    "corp": "公司",
    "corporation": "公司",
    "company": "公司",
    "co": "公司",
    "inc": "公司",
    "incorporated": "公司",
    "group co ltd": "集团有限公司",
    "group corporation": "集团公司",
    "stock co ltd": "股份有限公司",
    "joint stock co ltd": "股份有限公司",
    "branch": "分公司",
    "branch office": "分公司",
}

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
