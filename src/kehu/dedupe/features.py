"""Per-record match features: the customers table turned into comparable columns.

Each text column is normalised once per distinct value (names repeat a lot), so 10^6 rows
cost seconds. Chinese text is compared in two ways that both engines agree on: exact
equality of the cleaned characters, and distances over toneless pinyin (ASCII), because
DuckDB's string distances count UTF-8 bytes (duckdb#25113).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kehu.dedupe.normalize import (
    clean_text,
    normalize_registration_id,
    parse_company,
    parse_person,
    soundex,
    to_pinyin,
)
from kehu.dedupe.regions import canonical_region, match_region_prefix

# Customer columns the features read (missing ones are treated as empty).
SOURCE_COLUMNS = (
    "customer_id",
    "name",
    "customer_type",
    "registration_id",
    "province",
    "city",
    "district",
    "address",
    "postcode",
    "founded_on",
    "birth_date",
    "contact_name",
    "phone",
    "email",
)

# Feature columns handed to Splink (besides unique_id).
FEATURE_COLUMNS = (
    "ctype",
    "ctype_given",
    "name",
    "core",
    "core_py",
    "brand",
    "region",
    "name_province",
    "legal_form",
    "legal_class",
    "entity",
    "reg_id",
    "reg_valid",
    "org_code",
    "phone",
    "email",
    "email_local",
    "province",
    "city",
    "district",
    "postcode",
    "date",
    "contact_key",
    "street",
    "block_prefix",
    "name_sdx",
)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DISTRICT_RE = re.compile(r"^([\u4e00-\u9fff]{1,6}?(?:新区|区|县|旗|市))")


def _map_unique(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """Apply `fn` once per distinct value (None stays None)."""
    uniq = values.dropna().unique()
    lookup = {v: fn(v) for v in uniq}
    return values.map(lookup)


def _blank_to_none(series: pd.Series) -> pd.Series:
    s = series.astype("object")
    return s.where(s.notna() & (s.astype(str).str.strip() != ""), None)


_TYPE_WORDS = frozenset({"company", "person", "企业", "公司", "单位", "机构", "个人", "自然人"})


def _ctype(row_type: Any, name: str) -> str:
    if isinstance(row_type, str) and row_type.strip().lower() in ("company", "person"):
        return row_type.strip().lower()
    if isinstance(row_type, str) and row_type.strip() in ("企业", "公司", "单位", "机构"):
        return "company"
    if isinstance(row_type, str) and row_type.strip() in ("个人", "自然人"):
        return "person"
    parsed = parse_company(name)
    return "company" if parsed.legal_class or len(parsed.name) >= 5 else "person"


def _phone(value: str) -> str | None:
    s = re.sub(r"[^\d+]", "", str(value))
    if not s:
        return None
    if s.startswith("+"):
        return s
    import phonenumbers

    try:
        num = phonenumbers.parse(s, "CN")
    except phonenumbers.NumberParseException:
        return s
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _email(value: str) -> str | None:
    s = str(value).strip().lower()
    return s if _EMAIL_RE.match(s) else None


def _province(value: str) -> str:
    cleaned = clean_text(value)
    return canonical_region(cleaned)[0] or cleaned


def _city(value: str) -> tuple[str | None, str]:
    cleaned = clean_text(value)
    prov, city = canonical_region(cleaned)
    return prov, city or cleaned.removesuffix("市")


def _district(value: str) -> str:
    dist = clean_text(value)
    return dist[:-1] if len(dist) > 2 and dist[-1] in "区县" else dist


def _from_address(value: str) -> tuple[str | None, str | None, str | None]:
    """(province, city, district) written at the start of an address."""
    prov = city = dist = None
    rest = clean_text(value)
    for _ in range(2):
        hit = match_region_prefix(rest)
        if hit is None:
            break
        p, c = canonical_region(hit[0])
        prov, city = prov or p, city or c
        rest = rest[len(hit[0]) :]
        if hit[2] == "city":
            break
    m = _DISTRICT_RE.match(rest)
    if m:
        dist = _district(m.group(1))
    return prov, city, dist


def _street(value: str) -> str | None:
    """The address after its province / city / district, as ASCII (pinyin for Chinese,
    no spaces or punctuation): what string distances may compare on any engine."""
    rest = clean_text(value)
    for _ in range(2):
        hit = match_region_prefix(rest)
        if hit is None:
            break
        rest = rest[len(hit[0]) :]
    m = _DISTRICT_RE.match(rest)
    if m and len(rest) > len(m.group(1)) + 2:
        rest = rest[len(m.group(1)) :]
    out = re.sub(r"[^a-z0-9]", "", to_pinyin(rest).lower())
    return out if len(out) >= 3 else None


def _places(df: pd.DataFrame) -> tuple[list[Any], list[Any], list[Any]]:
    """Canonical (province, city, district) per row: from the columns (once per distinct
    value), else from the start of the address."""
    prov = _map_unique(_blank_to_none(df["province"]), _province).tolist()
    cities = _map_unique(_blank_to_none(df["city"]), _city).tolist()
    dist = _map_unique(_blank_to_none(df["district"]), _district).tolist()
    city = [c[1] if isinstance(c, tuple) else None for c in cities]
    prov = [
        p if isinstance(p, str) else (c[0] if isinstance(c, tuple) else None)
        for p, c in zip(prov, cities, strict=True)
    ]
    address = _blank_to_none(df["address"]).tolist()
    need = [
        i
        for i, (p, c, a) in enumerate(zip(prov, city, address, strict=True))
        if isinstance(a, str) and (p is None or c is None)
    ]
    if need:
        parsed = _map_unique(pd.Series([address[i] for i in need], dtype=object), _from_address)
        for i, found in zip(need, parsed.tolist(), strict=True):
            prov[i] = prov[i] or found[0]
            city[i] = city[i] or found[1]
            if not isinstance(dist[i], str):
                dist[i] = found[2]
    dist = [d if isinstance(d, str) else None for d in dist]
    return prov, city, dist


def _date_text(values: pd.Series) -> pd.Series:
    out = pd.to_datetime(values, errors="coerce")
    return pd.Series(
        np.where(out.isna(), None, out.dt.strftime("%Y-%m-%d")), index=values.index, dtype=object
    )


def build_features(customers: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """One feature row per customer: `unique_id` + `FEATURE_COLUMNS` (None when unknown)."""
    df = customers.to_pandas() if isinstance(customers, pa.Table) else customers.copy()
    for col in SOURCE_COLUMNS:
        if col not in df.columns:
            df[col] = None
    out = pd.DataFrame({"unique_id": df["customer_id"].astype(str).to_numpy()})
    names = _blank_to_none(df["name"]).fillna("")
    types = df["customer_type"].astype("object")
    ctype = [_ctype(t, n) for t, n in zip(types.tolist(), names.tolist(), strict=True)]
    out["ctype"] = ctype
    out["ctype_given"] = [
        isinstance(t, str) and t.strip().lower() in _TYPE_WORDS for t in types.tolist()
    ]
    is_company = np.array(ctype) == "company"

    companies = _map_unique(names.where(is_company, None), parse_company)
    # An ambiguous place name (黑河, 东方 ...) opening the name is the region prefix when the
    # record is located in that city.
    prov_col, city_col, dist_col = _places(df)
    companies = pd.Series(
        [
            parse_company(n, h)
            if (_ok(c) and c.region is None and isinstance(h, str) and c.name.startswith(h))
            else c
            for c, n, h in zip(companies.tolist(), names.tolist(), city_col, strict=True)
        ],
        dtype=object,
    )
    persons = _map_unique(names.where(~is_company, None), parse_person)
    out["name"] = [
        c.name if _ok(c) else (p.name if _ok(p) else None)
        for c, p in zip(companies.tolist(), persons.tolist(), strict=True)
    ]
    out["core"] = [
        c.core if _ok(c) else (p.name if _ok(p) else None)
        for c, p in zip(companies.tolist(), persons.tolist(), strict=True)
    ]
    core_series = pd.Series(out["core"], dtype=object)
    pinyin_company = _map_unique(core_series.where(is_company, None), to_pinyin)
    person_keys = [p.key if _ok(p) else None for p in persons.tolist()]
    out["core_py"] = np.where(is_company, pinyin_company.to_numpy(), np.array(person_keys, object))
    out["brand"] = [
        c.brand if _ok(c) else (p.family if _ok(p) else None)
        for c, p in zip(companies.tolist(), persons.tolist(), strict=True)
    ]
    out["region"] = [c.region if _ok(c) else None for c in companies.tolist()]
    out["name_province"] = [c.province if _ok(c) else None for c in companies.tolist()]
    out["legal_form"] = [c.legal_form if _ok(c) else None for c in companies.tolist()]
    out["legal_class"] = [c.legal_class if _ok(c) else None for c in companies.tolist()]
    out["entity"] = [c.entity if _ok(c) else None for c in companies.tolist()]

    regs = _map_unique(_blank_to_none(df["registration_id"]), normalize_registration_id)
    out["reg_id"] = [r.value if _ok(r) else None for r in regs.tolist()]
    out["reg_valid"] = [bool(r.valid) if _ok(r) else None for r in regs.tolist()]
    out["org_code"] = [r.org_code if _ok(r) else None for r in regs.tolist()]

    out["phone"] = _map_unique(_blank_to_none(df["phone"]), _phone).to_numpy()
    emails = _map_unique(_blank_to_none(df["email"]), _email)
    out["email"] = emails.to_numpy()
    out["email_local"] = [e.split("@")[0] if isinstance(e, str) else None for e in emails]

    out["province"] = prov_col
    out["city"] = city_col
    out["district"] = dist_col
    postcode = _blank_to_none(df["postcode"]).map(
        lambda v: re.sub(r"\D", "", str(v)) or None, na_action="ignore"
    )
    # 6 digits in China; 4-5 elsewhere (FEBRL's Australian ones), all compared the same way.
    out["postcode"] = postcode.where(postcode.str.len().between(4, 10), None).to_numpy()
    out["street"] = _map_unique(_blank_to_none(df["address"]), _street).to_numpy()
    founded = _date_text(df["founded_on"])
    born = _date_text(df["birth_date"])
    out["date"] = np.where(is_company, founded.to_numpy(), born.to_numpy())
    out["date"] = (
        pd.Series(out["date"], dtype=object)
        .where(pd.Series(out["date"], dtype=object).notna(), None)
        .to_numpy()
    )
    contacts = _map_unique(_blank_to_none(df["contact_name"]), parse_person)
    out["contact_key"] = [p.key or None if _ok(p) else None for p in contacts.tolist()]
    # Blocking helper: the first six letters (about two syllables) of the name's pinyin,
    # which catches typos after them; shorter names use what they have (at least four).
    out["block_prefix"] = [
        (py.replace(" ", "")[:6] if isinstance(py, str) and len(py) >= 4 else None)
        for py in out["core_py"].tolist()
    ]
    # Blocking helper that survives a typo after the first letter of each name part:
    # the sorted Soundex codes of a person's name parts (pinyin for Chinese names).
    out["name_sdx"] = [
        (" ".join(sorted(soundex(t) for t in py.split())) if k == "person" and py else None)
        for py, k in zip(out["core_py"].tolist(), ctype, strict=True)
    ]
    # Compact Arrow-backed columns: a third of the memory of Python objects at 10^6 rows.
    for col in FEATURE_COLUMNS:
        if col in ("reg_valid", "ctype_given"):
            out[col] = out[col].astype("boolean")
        else:
            text = out[col].astype(object).where(out[col].notna(), None)
            out[col] = text.map(lambda v: v if v != "" else None, na_action="ignore").astype(
                "string[pyarrow]"
            )
    out["unique_id"] = out["unique_id"].astype("string[pyarrow]")
    return out


def _ok(value: Any) -> bool:
    return value is not None and not _isnan(value)


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and value != value


def feature_lookup(features: pd.DataFrame, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Feature rows by unique_id (for cannot-link checks and display); missing = None."""
    wanted = set(ids)
    rows = features[features["unique_id"].isin(wanted)].astype(object)
    rows = rows.where(rows.notna(), None)
    return {r["unique_id"]: r for r in rows.to_dict("records")}
