"""Normalise customer names for matching: text, company names, person names, ids.

Company names follow the 2020 企业名称登记管理规定 (Art. 6): region + brand (字号) + industry
+ legal form, with the region allowed in brackets after the brand. `parse_company` splits a
name into those parts so that brand + industry (the *core*) is the main key and the region a
separate comparison: 北京华为科技有限公司, 华为科技(北京)有限公司 and 北京華為科技有限責任公司
all give core 华为科技, region 北京. Branch offices (…分公司, …分行) are separate entities and
carry an `entity` key that never equals the head office's.

Everything here is pure Python over one string; `features.py` applies it to whole columns
(once per distinct value).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kehu.datafiles import read_toml
from kehu.dedupe.latin import sinicize
from kehu.dedupe.regions import (
    CITIES,
    COUNTRY_NAMES,
    canonical_region,
    match_region_prefix,
    match_region_suffix,
    province_of,
)
from kehu.idcodes import (
    USCC_CHARS,
    org_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# The word lists are data; `kehu/data/name_words.toml` says what each one is for.
WORDS = read_toml("name_words.toml")
_BRACKETS = str.maketrans(WORDS["brackets"])
_DROP = re.compile(r"[\s·•・.,，。、;；:：!！?？\-_—–~～/\\|*#&+@%^`]+")


@lru_cache(maxsize=1)
def _simplify_table() -> dict[int, str]:
    """zhconv's single-character traditional → simplified table, for str.translate.

    Names change script, not vocabulary, so zhconv's phrase rules (which also swap regional
    words) are not applied; a character-level table is exact for names and 100x faster.
    """
    from zhconv import zhconv as _z

    table = _z.getdict("zh-hans")
    return {ord(k): v for k, v in table.items() if len(k) == 1 and k != v}


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (華為 → 华为)."""
    return text.translate(_simplify_table())


@lru_cache(maxsize=200_000)
def clean_text(text: str | None) -> str:
    """NFKC (full-width → half-width), traditional → simplified, unified brackets, no spaces
    or punctuation, lower-case latin. `None` and blank give ''."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    s = to_simplified(s)
    s = _DROP.sub("", s).lower()
    s = s.replace("()", "")
    return s


# ---- company names ----------------------------------------------------------------------

# Legal forms (组织形式): written form -> class (equal classes are interchangeable forms).
LEGAL_FORMS: dict[str, str] = WORDS["legal_forms"]
_LEGAL_ORDER = sorted(LEGAL_FORMS, key=len, reverse=True)
_GROUP_MARK = "集团"

# Words that end a branch name (分支机构); the branch is its own entity.
BRANCH_WORDS = tuple(WORDS["words"]["branch"])
_BRANCH_RE = re.compile("(" + "|".join(BRANCH_WORDS) + ")$")

# Industry words (行业表述) stripped from the end of the brand + industry core.
INDUSTRY_WORDS = frozenset(WORDS["words"]["industry"])
_MAX_INDUSTRY = max(len(w) for w in INDUSTRY_WORDS)
_DISTRICT_RE = re.compile(f"^[{_CJK}]{{1,4}}?(新区|开发区|工业园区|园区|区|县|旗)")
_BRACKET_RE = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class CompanyName:
    """A company name split into its registered parts (all cleaned, simplified)."""

    name: str  # the cleaned full name
    core: str  # brand + industry: the main key
    brand: str
    industry: str
    region: str | None  # city (or province) short name from the name
    province: str | None
    legal_form: str | None  # as written, e.g. 有限责任公司
    legal_class: str | None  # ltd | jsc | group | partnership | ...
    entity: str  # "head" or "branch:<place><word>", e.g. "branch:深圳分公司"


_LEGAL_LENGTHS = sorted({len(f) for f in LEGAL_FORMS}, reverse=True)


def _strip_legal(s: str) -> tuple[str, str | None]:
    for size in _LEGAL_LENGTHS:
        if len(s) > size and s[-size:] in LEGAL_FORMS:
            return s[:-size], s[-size:]
    return s, None


def _region_at_end(s: str) -> tuple[str, str | None]:
    """Split a trailing region (深圳, 深圳市) off `s`: (rest, region short name)."""
    hit = match_region_suffix(s)
    if hit is None:
        return s, None
    return s[: -len(hit[0])], hit[1]


def _split_branch(s: str) -> tuple[str, str | None]:
    """(head name, branch key) — the key is '<place><branch word>' or None for a head office."""
    # A branch written in brackets: 华为技术有限公司(深圳分公司)
    inner = _BRACKET_RE.findall(s)
    for content in inner:
        if _BRANCH_RE.search(content):
            s = s.replace(f"({content})", content)
    m = _BRANCH_RE.search(s)
    if not m or m.start() == 0:
        return s, None
    word = m.group(1)
    before = s[: m.start()]
    head, tail = before, ""
    # The branch's own place comes after the head office's legal form, if one is written.
    best = -1
    for form in _LEGAL_ORDER:
        if LEGAL_FORMS[form] in ("shop", "center", "factory", "office", "institute"):
            continue
        pos = before.rfind(form)
        if pos > 0 and pos + len(form) > best:
            best = pos + len(form)
    if best > 0:
        head, tail = before[:best], before[best:]
    else:
        head, region = _region_at_end(before)
        tail = region or ""
        if not head:
            head, tail = before, ""
    place = tail
    if tail:
        prov, city = canonical_region(tail)
        place = city or prov or tail
    return head, f"{place}{word}"


def _split_regions(s: str, home_city: str | None = None) -> tuple[str, str | None, str | None]:
    """Remove bracketed and prefixed regions: (rest, region short name, province short)."""
    region: str | None = None
    province: str | None = None
    national = False
    for content in _BRACKET_RE.findall(s):
        prov, city = canonical_region(content)
        if content in COUNTRY_NAMES:
            national = True
            s = s.replace(f"({content})", "", 1)
        elif prov or city:
            region, province = city or prov, prov
            s = s.replace(f"({content})", "", 1)
        elif content in LEGAL_FORMS or content == _GROUP_MARK:
            s = s.replace(f"({content})", content, 1)
        else:
            s = s.replace(f"({content})", content, 1)
    # Prefix: [province][city][district] (not when the region was already in brackets)
    matched_place = False
    for _ in range(0 if region else 2):
        hit = match_region_prefix(s)
        if hit is None and home_city and s.startswith(home_city):
            hit = (home_city, home_city, "city")
        if hit is None or len(s) - len(hit[0]) < 2:
            break
        form, short, level = hit
        s = s[len(form) :]
        matched_place = True
        if level == "city" or region is None or region == province:
            if level == "city":
                region = short
                province = province or CITIES.get(short)
            else:
                province = short
                region = region or short
        if level == "city":
            break
    if matched_place:
        m = _DISTRICT_RE.match(s)
        if m and len(s) - m.end() >= 2:
            s = s[m.end() :]
    if national and region is None:
        region = None
    return s, region, province


def _split_industry(core: str) -> tuple[str, str]:
    """Greedy: strip industry words off the end while the brand keeps two characters."""
    brand = core
    words: list[str] = []
    while True:
        for size in range(min(_MAX_INDUSTRY, len(brand) - 2), 1, -1):
            if brand[-size:] in INDUSTRY_WORDS:
                words.insert(0, brand[-size:])
                brand = brand[:-size]
                break
        else:
            break
    return brand, "".join(words)


@lru_cache(maxsize=500_000)
def parse_company(raw: str | None, home_city: str | None = None) -> CompanyName:
    """Split a company name into region / brand / industry / legal form / branch.

    `home_city` (the record's own city, short form) lets an ambiguous place name such as
    黑河 or 东方 count as the region prefix when the record is located there.
    """
    name = clean_text(sinicize(raw) if raw else raw)
    s, branch = _split_branch(name)
    # Legal form may be written once or twice (集团 + 有限公司): strip repeatedly.
    forms: list[str] = []
    while True:
        s2, form = _strip_legal(s)
        if form is None:
            break
        forms.insert(0, form)
        s = s2
    # A bracketed legal form inside: 华为(集团)有限公司 -> handled after regions.
    s, region, province = _split_regions(s, home_city)
    while True:
        s2, form = _strip_legal(s)
        if form is None:
            break
        forms.insert(0, form)
        s = s2
    legal_form = "".join(forms) or None
    legal_class = _legal_class(forms)
    brand, industry = _split_industry(s)
    core = s or name
    return CompanyName(
        name=name,
        core=core,
        brand=brand or core,
        industry=industry,
        region=region,
        province=province or (province_of(region) if region else None),
        legal_form=legal_form,
        legal_class=legal_class,
        entity=f"branch:{branch}" if branch else "head",
    )


def _legal_class(forms: list[str]) -> str | None:
    if not forms:
        return None
    classes = [LEGAL_FORMS[f] for f in forms]
    for preferred in ("jsc", "ltd", "partnership", "sole", "coop", "individual"):
        if preferred in classes:
            return preferred
    return classes[-1]


# ---- pinyin -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, str]:
    """Code point -> toneless pinyin (first reading), for str.translate on whole strings."""
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[int, str] = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",")[0]
        plain = unicodedata.normalize("NFKD", first)
        plain = "".join(c for c in plain if not unicodedata.combining(c))
        table[code] = plain.replace("ü", "v")
    return table


def to_pinyin(text: str) -> str:
    """Toneless pinyin of every Chinese character, concatenated (other characters kept).

    ASCII output, so string distances agree on DuckDB and Spark (DuckDB's count bytes,
    duckdb#25113); one reading per character, the same on every record.
    """
    return text.translate(_pinyin_table()) if text else ""


# ---- person names -------------------------------------------------------------------------

COMPOUND_SURNAMES = frozenset(WORDS["words"]["compound_surnames"])
_COMMON_SURNAMES = "".join(WORDS["words"]["common_surnames"])


@lru_cache(maxsize=1)
def surname_pinyins() -> frozenset[str]:
    """Toneless pinyin of common surnames (to find the family name in romanised names)."""
    from pypinyin import lazy_pinyin

    out = {"".join(lazy_pinyin(s)) for s in COMPOUND_SURNAMES}
    out.update(lazy_pinyin(c)[0] for c in _COMMON_SURNAMES)
    # Surname readings that differ from the common reading of the character.
    out.update({"shan", "zeng", "ou", "xie", "qiu", "yue", "ren"})
    return frozenset(out)


@lru_cache(maxsize=4096)
def _surname_pinyin(family: str) -> str:
    """A family name's reading as a surname (单 → shan, 曾 → zeng), via pypinyin."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(family)).lower()


@dataclass(frozen=True)
class PersonName:
    name: str  # cleaned (simplified, no spaces, lower-case latin)
    family: str
    given: str
    key: str  # order-free pinyin key: sorted [family pinyin, given pinyin] joined by a space


_LATIN_SPLIT = re.compile(r"[\s,，.·•_]+")


@lru_cache(maxsize=500_000)
def parse_person(raw: str | None) -> PersonName:
    """Family / given name and an order-free pinyin key for Chinese or romanised names.

    张小明, 張小明, "Zhang Xiaoming", "Xiaoming ZHANG" and "Zhang Xiao-Ming" share the key
    "xiaoming zhang".
    """
    if not raw:
        return PersonName("", "", "", "")
    text = to_simplified(unicodedata.normalize("NFKC", str(raw))).strip()
    if re.search(f"[{_CJK}]", text):
        han = re.sub(f"[^{_CJK}a-zA-Z]", "", text)
        family_len = 2 if han[:2] in COMPOUND_SURNAMES and len(han) > 2 else 1
        family, given = han[:family_len], han[family_len:]
        fam_py = _surname_pinyin(family)
        given_py = to_pinyin(given).lower()
        key = " ".join(sorted(p for p in (fam_py, given_py) if p))
        return PersonName(han, family, given, key)
    tokens = [t.replace("-", "").replace("'", "") for t in _LATIN_SPLIT.split(text.lower())]
    tokens = [t for t in tokens if t]
    if not tokens:
        return PersonName("", "", "", "")
    surnames = surname_pinyins()
    if len(tokens) == 1:
        family, given = tokens[0], ""
    elif tokens[0] in surnames and (len(tokens) > 2 or tokens[-1] not in surnames):
        family, given = tokens[0], "".join(tokens[1:])
    elif tokens[-1] in surnames:
        family, given = tokens[-1], "".join(tokens[:-1])
    else:
        family, given = tokens[0], "".join(tokens[1:])
    key = " ".join(sorted(p for p in (family, given) if p))
    return PersonName("".join(tokens), family, given, key)


_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


@lru_cache(maxsize=200_000)
def soundex(token: str) -> str:
    """American Soundex of an ASCII word (pinyin for Chinese): first letter + three digits;
    a typo after the first letter usually leaves it unchanged."""
    word = re.sub(r"[^a-z]", "", token.lower())
    if not word:
        return ""
    codes = word.translate(_SOUNDEX)
    out, last = [word[0]], codes[0]
    for ch, code in zip(word[1:], codes[1:], strict=True):
        if code.isdigit() and code != last:
            out.append(code)
        if ch not in "hw":  # h and w do not separate equal codes
            last = code
    return ("".join(out) + "000")[:4]


# ---- identifiers --------------------------------------------------------------------------

_CLEAN_ID = re.compile(r"[0-9A-Z]{9,18}")


@dataclass(frozen=True)
class RegistrationId:
    value: str  # cleaned: upper-case, no spaces or dashes; 15-digit ids widened to 18
    kind: str  # uscc | resident_id | org_code | other
    valid: bool  # check digit verified (uscc, resident_id, org_code)
    org_code: str | None  # 9-char organisation code (inside a USCC, or the code itself)


@lru_cache(maxsize=200_000)
def normalize_registration_id(raw: str | None) -> RegistrationId | None:
    """Clean and classify a 统一社会信用代码, resident ID number or organisation code."""
    if not raw:
        return None
    s = str(raw)
    if not _CLEAN_ID.fullmatch(s):
        s = re.sub(r"[\s\-_.]", "", unicodedata.normalize("NFKC", s)).upper()
    if not s:
        return None
    if len(s) == 15 and s.isdigit():  # first-generation ID: insert the century, add a check
        body = s[:6] + "19" + s[6:]
        return RegistrationId(
            body + (resident_id_check_char(body) or ""), "resident_id", True, None
        )
    if len(s) == 18 and s[:17].isdigit() and s[6:8] in ("19", "20"):
        valid = resident_id_check_char(s[:17]) == s[17]
        if valid or not all(c in USCC_CHARS for c in s):
            return RegistrationId(s, "resident_id", valid, None)
    if len(s) == 18 and all(c in USCC_CHARS for c in s):
        return RegistrationId(s, "uscc", uscc_check_char(s[:17]) == s[17], s[8:17])
    if len(s) == 9:
        return RegistrationId(s, "org_code", org_code_check_char(s[:8]) == s[8], s)
    return RegistrationId(s, "other", False, None)
