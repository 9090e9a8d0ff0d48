"""Synthetic customers with planted duplicates and hard non-duplicates (vectorised).

Used by the dedupe benchmark (10^6 records) and the labelled tests. Companies are named the
way the 企业名称登记管理规定 prescribes (region + brand + industry + legal form, unique per
city); persons have Chinese names. Duplicates vary the way real exports do: region moved into
(full-width) brackets or dropped, traditional characters, 有限公司 vs 有限责任公司, a
romanised person name, reformatted phones, missing fields. Hard non-duplicates: branch
offices (分公司) of a customer and the same brand + industry in another city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kehu.datafiles import read_toml
from kehu.dedupe.regions import CITIES
from kehu.idcodes import RESIDENT_CHECK, USCC_CHARS, resident_check_indices, uscc_check_indices

NONE = np.array(None, dtype=object)  # "no value" for np.where: rows of None, not "None"

# The word lists are data: `kehu/data/synthetic_names.toml`.
_NAMES = read_toml("synthetic_names.toml")
BRAND_CHARS = list("".join(_NAMES["brand_chars"]))
INDUSTRIES: list[str] = _NAMES["industries"]
LEGAL = np.array([f["form"] for f in _NAMES["legal"]])
LEGAL_P = np.array([f["weight"] for f in _NAMES["legal"]])
SURNAMES = list("".join(_NAMES["surnames"]))
SURNAME_P = np.linspace(3.0, 0.6, len(SURNAMES))
GIVEN = list("".join(_NAMES["given"]))
DOMAINS = np.array(_NAMES["domains"])
_FULLWIDTH = str.maketrans({"(": "（", ")": "）"})


@dataclass
class SyntheticSet:
    """Records (customers-table columns + `entity_id`) and the true duplicate clusters."""

    records: pd.DataFrame
    clusters: list[list[str]]  # ids of records that are one customer (size >= 2)
    customer_type: dict[str, str]


_USCC = np.array(list(USCC_CHARS))
_ID_CHECK = np.array(list(RESIDENT_CHECK))


def _join(chars: np.ndarray) -> np.ndarray:
    """(n, k) array of single characters -> n strings of length k."""
    k = chars.shape[1]
    return np.ascontiguousarray(chars.astype("<U1")).view(f"<U{k}").ravel()


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n,) non-negative ints -> (n, width) digit values, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1)
    return (values[:, None] // powers) % 10


def _uscc(rng: np.random.Generator, n: int) -> np.ndarray:
    """n valid 统一社会信用代码 (enterprise, '91' + area + 9 random + check), vectorised."""
    vals = np.concatenate(
        [
            np.tile([9, 1], (n, 1)),
            _digits(rng.integers(110000, 660000, n), 6),
            rng.integers(0, 31, (n, 9)),
        ],
        axis=1,
    )
    check = uscc_check_indices(vals)
    return _join(_USCC[np.concatenate([vals, check[:, None]], axis=1)])


def _resident_ids(rng: np.random.Generator, n: int, births: np.ndarray) -> np.ndarray:
    """n valid 18-digit resident ID numbers for the given birth dates, vectorised."""
    ymd = pd.to_datetime(births).strftime("%Y%m%d").to_numpy().astype(np.int64)
    vals = np.concatenate(
        [
            _digits(rng.integers(110000, 660000, n), 6),
            _digits(ymd, 8),
            _digits(rng.integers(0, 1000, n), 3),
        ],
        axis=1,
    )
    check = _ID_CHECK[resident_check_indices(vals)]
    return _join(np.concatenate([vals.astype(str), check[:, None]], axis=1))


def _pinyin_of(chars: np.ndarray) -> np.ndarray:
    from kehu.dedupe.normalize import to_pinyin

    uniq, inv = np.unique(chars, return_inverse=True)
    return np.array([to_pinyin(u) for u in uniq], dtype=object)[inv]


def generate(
    n: int,
    *,
    seed: int = 7,
    dup_share: float = 0.08,
    person_share: float = 0.15,
    branch_share: float = 0.01,
    same_core_share: float = 0.01,
) -> SyntheticSet:
    """About `n` records: entities, their duplicates (dup_share of entities get 1–2 more
    records) and hard non-duplicates (branches, same brand + industry in another city)."""
    rng = np.random.default_rng(seed)
    n_entities = max(int(n / (1 + dup_share * 1.3)), 4)
    n_person = int(n_entities * person_share)
    n_company = n_entities - n_person
    cities = np.array(list(CITIES))
    city_prov = np.array([CITIES[c] for c in cities])

    # ---- companies: unique (city, core) --------------------------------------------------
    draw = int(n_company * 1.15) + 10
    b = np.array(BRAND_CHARS)
    three = rng.random(draw) < 0.35
    brand = np.char.add(
        np.char.add(b[rng.integers(0, len(b), draw)], b[rng.integers(0, len(b), draw)]),
        np.where(three, b[rng.integers(0, len(b), draw)], ""),
    )
    industry = np.array(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), draw)]
    city_ix = rng.integers(0, len(cities), draw)
    key = np.char.add(np.char.add(cities[city_ix], "|"), np.char.add(brand, industry))
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)[:n_company]
    brand, industry, city_ix = brand[keep], industry[keep], city_ix[keep]
    n_company = len(keep)
    legal = rng.choice(LEGAL, n_company, p=LEGAL_P)
    c_city, c_prov = cities[city_ix], city_prov[city_ix]
    c_name = np.char.add(np.char.add(np.char.add(c_city, brand), industry), legal)
    # ---- persons ---------------------------------------------------------------------------
    sur = np.array(SURNAMES)[rng.choice(len(SURNAMES), n_person, p=SURNAME_P / SURNAME_P.sum())]
    giv = np.array(GIVEN)
    g2 = np.where(rng.random(n_person) < 0.7, giv[rng.integers(0, len(giv), n_person)], "")
    p_name = np.char.add(np.char.add(sur, giv[rng.integers(0, len(giv), n_person)]), g2)
    births = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 20000, n_person), "D")
    p_city_ix = rng.integers(0, len(cities), n_person)

    ctype = np.array(["company"] * n_company + ["person"] * n_person)
    m = n_company + n_person
    ent = pd.DataFrame(
        {
            "entity_id": np.arange(m),
            "customer_type": ctype,
            "name": np.concatenate([c_name, p_name]).astype(object),
            "city": np.concatenate([c_city, cities[p_city_ix]]),
            "province": np.concatenate([c_prov, city_prov[p_city_ix]]),
        }
    )
    ent["registration_id"] = np.concatenate(
        [_uscc(rng, n_company), _resident_ids(rng, n_person, births.to_numpy())]
    )
    mobile = np.char.add("+861", rng.integers(3_000_000_000, 9_999_999_999, m).astype(str))
    ent["phone"] = mobile
    handle = _pinyin_of(ent["name"].str.slice(0, 4).to_numpy().astype(str))
    ent["email"] = [
        f"{h}{i % 997}@{d}"
        for h, i, d in zip(handle, range(m), rng.choice(DOMAINS, m), strict=True)
    ]
    ent["district"] = np.where(
        rng.random(m) < 0.7,
        np.char.add(np.array(list("东西南北中新"))[rng.integers(0, 6, m)], "城区"),
        NONE,
    )
    ent["postcode"] = np.char.zfill(rng.integers(100000, 860000, m).astype(str), 6)
    founded = pd.Timestamp("1985-01-01") + pd.to_timedelta(rng.integers(0, 13000, m), "D")
    ent["founded_on"] = np.where(ctype == "company", founded.strftime("%Y-%m-%d"), NONE)
    ent["birth_date"] = np.concatenate([[None] * n_company, births.strftime("%Y-%m-%d").to_numpy()])
    ent["contact_name"] = np.where(
        ctype == "company",
        np.char.add(
            np.array(SURNAMES)[rng.integers(0, len(SURNAMES), m)], giv[rng.integers(0, len(giv), m)]
        ),
        NONE,
    )
    ent["source"] = "crm"

    # ---- duplicates ------------------------------------------------------------------------
    n_dup_ent = int(m * dup_share)
    dup_ent = rng.choice(m, n_dup_ent, replace=False)
    copies = np.where(rng.random(n_dup_ent) < 0.25, 2, 1)
    dup_src = np.repeat(dup_ent, copies)
    dups = ent.iloc[dup_src].reset_index(drop=True)
    dups = _vary(
        dups,
        rng,
        brand_of=dict(zip(range(n_company), brand, strict=True)),
        industry_of=dict(zip(range(n_company), industry, strict=True)),
        legal_of=dict(zip(range(n_company), legal, strict=True)),
    )
    dups["source"] = rng.choice(np.array(["erp", "finance", "service", "crm"]), len(dups))

    # ---- hard non-duplicates ---------------------------------------------------------------
    hard = []
    n_branch = int(n_company * branch_share)
    if n_branch:
        heads = rng.choice(n_company, n_branch, replace=False)
        br = ent.iloc[heads].copy()
        br_city = cities[rng.integers(0, len(cities), n_branch)]
        br["name"] = [f"{nm}{c}分公司" for nm, c in zip(br["name"], br_city, strict=True)]
        br["city"] = br_city
        br["province"] = [CITIES[c] for c in br_city]
        br["registration_id"] = _uscc(rng, n_branch)
        br["phone"] = np.char.add(
            "+861", rng.integers(3_000_000_000, 9_999_999_999, n_branch).astype(str)
        )
        br["email"] = None
        hard.append(br)
    n_same = int(n_company * same_core_share)
    if n_same:
        src = rng.choice(n_company, n_same, replace=False)
        sc = ent.iloc[src].copy()
        new_city = cities[rng.integers(0, len(cities), n_same)]
        ok = new_city != sc["city"].to_numpy()
        sc, new_city = sc[ok], new_city[ok]
        sc["name"] = [
            f"{c}{brand[i]}{industry[i]}{legal[i]}"
            for c, i in zip(new_city, sc["entity_id"], strict=True)
        ]
        sc["city"] = new_city
        sc["province"] = [CITIES[c] for c in new_city]
        sc["registration_id"] = _uscc(rng, len(sc))
        sc["phone"] = np.char.add(
            "+861", rng.integers(3_000_000_000, 9_999_999_999, len(sc)).astype(str)
        )
        sc["email"] = None
        sc["founded_on"] = None
        sc["contact_name"] = None
        hard.append(sc)
    next_entity = m
    for frame in hard:
        frame["entity_id"] = np.arange(next_entity, next_entity + len(frame))
        next_entity += len(frame)

    records = pd.concat([ent, dups, *hard], ignore_index=True)
    order = rng.permutation(len(records))
    records = records.iloc[order].reset_index(drop=True)
    records["customer_id"] = [f"C{i:07d}" for i in range(len(records))]
    records["source_id"] = records["customer_id"]
    grouped = records.groupby("entity_id")["customer_id"].agg(list)
    clusters = [ids for ids in grouped.tolist() if len(ids) > 1]
    types = dict(zip(records["customer_id"], records["customer_type"], strict=True))
    return SyntheticSet(records, clusters, types)


def _vary(
    dups: pd.DataFrame,
    rng: np.random.Generator,
    *,
    brand_of: dict[int, str],
    industry_of: dict[int, str],
    legal_of: dict[int, str],
) -> pd.DataFrame:
    """Re-write duplicate records the way a second system would have entered them."""
    from zhconv import convert

    k = len(dups)
    is_company = (dups["customer_type"] == "company").to_numpy()
    names = dups["name"].to_numpy().astype(object)
    style = rng.integers(0, 7, k)
    out = []
    for i in range(k):
        name, ent = names[i], int(dups["entity_id"].iat[i])
        if is_company[i]:
            city, br, ind, lg = dups["city"].iat[i], brand_of[ent], industry_of[ent], legal_of[ent]
            s = style[i]
            if s == 0:
                name = f"{br}{ind}({city}){lg}"
            elif s == 1:
                name = f"{br}{ind}({city}){lg}".translate(_FULLWIDTH)
            elif s == 2:
                name = convert(name, "zh-hant")
            elif s == 3:
                name = (
                    name.replace("有限责任公司", "有限公司")
                    if "有限责任" in name
                    else name.replace("有限公司", "有限责任公司")
                )
            elif s == 4:
                name = f"{city}市{br}{ind}{lg}"
            elif s == 5:
                name = f"{br}{ind}{lg}"
            else:
                name = f" {city} {br}{ind} {lg} "
        else:
            s = style[i] % 4
            if s == 0:
                name = convert(name, "zh-hant")
            elif s == 1:
                name = " ".join(name)
            elif s == 2:
                from pypinyin import lazy_pinyin

                fam, giv = lazy_pinyin(name[0]), lazy_pinyin(name[1:])
                name = f"{''.join(giv).capitalize()} {''.join(fam).capitalize()}"
        out.append(name)
    dups = dups.copy()
    dups["name"] = out
    # Reformat phones the way other systems print them (import normalises; features too).
    phones = dups["phone"].to_numpy().astype(str)
    fmt = rng.integers(0, 3, k)
    dups["phone"] = np.where(
        fmt == 0,
        phones,
        np.where(
            fmt == 1,
            np.char.add("0086 ", np.char.lstrip(phones, "+86")),
            np.char.lstrip(phones, "+86"),
        ),
    )
    # Missing fields: each identifier dropped independently.
    for col, p in (
        ("registration_id", 0.45),
        ("phone", 0.3),
        ("email", 0.5),
        ("district", 0.5),
        ("postcode", 0.4),
        ("founded_on", 0.5),
        ("birth_date", 0.4),
        ("contact_name", 0.5),
    ):
        drop = rng.random(k) < p
        dups[col] = dups[col].astype(object).where(~drop, None)
    dups["email"] = dups["email"].map(
        lambda e: e.upper() if isinstance(e, str) and len(e) % 3 == 0 else e
    )
    return dups
