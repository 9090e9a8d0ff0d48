"""The demo company's customers as they really are (entities), before any export dirt.

`build_world` draws every customer's attributes and latent behaviour (order rate, order value,
margin, payment habits, what happens to them: churn, win-back, growth) with one numpy
Generator, vectorised so 5·10^5 customers take a few seconds. Days are int epoch days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from kehu.demo import names as N
from kehu.demo.codes import credit_codes, id_numbers, landline_numbers, mobile_numbers
from kehu.demo.columns import tight
from kehu.demo.params import DemoParams
from kehu.demo.people import Names, person_names, unique_person_names

# what happens to a customer over the three years
STEADY, CHURN, WONBACK, GROWING, DECLINING, NEW, PROSPECT, ACQUIRED = range(8)
STATE_NAMES = ("steady", "churn", "won_back", "growing", "declining", "new", "prospect", "acquired")
# planted relation to another customer that is NOT a duplicate
REL_NONE, REL_BRANCH, REL_SAME_NAME = 0, 1, 2

_CITIES = [(pi, c) for pi, p in enumerate(N.PROVINCES) for c in p.cities]
CITY_PROV = np.array([pi for pi, _ in _CITIES])
CITY_NAME = np.array([c.name for _, c in _CITIES])
CITY_SHORT = np.array([c.short for _, c in _CITIES])
CITY_CODE = np.array([c.code for _, c in _CITIES])
CITY_AREA = np.array([c.area_code for _, c in _CITIES])
CITY_POST = np.array([c.postcode for _, c in _CITIES])
PROV_NAME = np.array([p.name for p in N.PROVINCES])
PROV_SHORT = np.array([p.short for p in N.PROVINCES])
PROV_REGION = np.array([N.REGIONS.index(p.region) for p in N.PROVINCES])
PROV_IS_CITY = np.array([p.name.endswith("市") for p in N.PROVINCES])
REGION_NAME = np.array(N.REGIONS)
IND_WORD = np.array([i.word for i in N.INDUSTRIES])
LEGAL = np.array([f for f, _ in N.LEGAL_FORMS])
BRAND = np.array(list(N.BRAND_CHARS))
CATEGORIES = np.array([c for c, _ in N.CATALOGUE])


def epoch_day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


@dataclass
class Reps:
    """Sales reps (客户经理): unique Chinese names, each working one region."""

    names: Names
    region: np.ndarray

    @property
    def name(self) -> np.ndarray:
        return self.names.name


@dataclass
class World:
    """All customers (entities) with their attributes and latent behaviour."""

    params: DemoParams
    w0: int  # first day of the order window (epoch day)
    as_of: int  # last day (the reference date)
    season: np.ndarray  # relative order intensity per window day (mean 1)
    reps: Reps
    n: int
    is_person: np.ndarray
    city: np.ndarray
    prov: np.ndarray
    region: np.ndarray
    industry: np.ndarray  # index into INDUSTRIES, -1 for persons
    legal: np.ndarray  # index into LEGAL_FORMS, -1 for persons
    brand: np.ndarray  # 字号 (str), "" for persons
    style: np.ndarray  # 0 city prefix, 1 province prefix, 2 (城市) after the brand, 3 none
    name: np.ndarray
    person: Names  # names drawn for every row (used where is_person)
    reg_id: np.ndarray
    founded: np.ndarray  # epoch day, -1 for persons
    birth: np.ndarray  # epoch day, -1 for companies
    employees: np.ndarray  # -1 for persons
    revenue: np.ndarray  # yuan (multiple of 10,000), -1 for persons
    position: np.ndarray  # leader | major | follower ("" for persons)
    budget_growth: np.ndarray
    benchmark: np.ndarray
    reference: np.ndarray
    district: np.ndarray
    address: np.ndarray
    phone: np.ndarray
    email: np.ndarray
    owner: np.ndarray  # index into reps
    coop_start: np.ndarray  # epoch day of the first order (-1: prospect)
    created: np.ndarray  # epoch day the CRM record was created
    state: np.ndarray
    start: np.ndarray  # first day orders may happen
    end: np.ndarray  # last day orders may happen (churn date for churners)
    decay_len: np.ndarray  # days of fading activity before the churn date
    lapse: np.ndarray  # won-back: first day of the gap (-1 otherwise)
    ret: np.ndarray  # won-back: first day after the gap
    growth: np.ndarray  # log growth of the order rate per year
    lam: np.ndarray  # orders per year
    aov: np.ndarray  # typical order value, yuan
    margin: np.ndarray
    terms: np.ndarray  # payment terms, days
    delay: np.ndarray  # typical payment delay after the due date, days
    p_ledger: np.ndarray  # share of orders through 直销/招投标 (the finance ledger)
    cats: np.ndarray  # (n, 2) preferred product categories
    disc: np.ndarray  # price level vs list price
    satisfaction: np.ndarray  # latent NPS level
    relation: np.ndarray  # REL_* (planted non-duplicate look-alikes)
    related_to: np.ndarray  # the entity it looks like (-1)
    tags: np.ndarray = field(default_factory=lambda: np.array([]))

    @property
    def days(self) -> int:
        return self.as_of - self.w0 + 1


def seasonality(w0: int, as_of: int) -> np.ndarray:
    """Chinese B2B calendar: quiet February (春节), October dip (国庆), year-end peak; few
    weekend orders. Normalised to mean 1 over the window."""
    days = np.arange(w0, as_of + 1).astype("datetime64[D]")
    month = days.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
    monthly = np.array([0.85, 0.45, 1.1, 1.0, 1.0, 1.1, 0.95, 0.9, 1.05, 0.8, 1.15, 1.55])
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    wk = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.3, 0.12))
    s = monthly[month] * wk
    return s / s.mean()


def _counts(n: int, share: float, minimum: int = 1) -> int:
    k = int(round(n * share))
    return max(k, minimum) if n >= 50 and share > 0 else k


def build_world(rng: np.random.Generator, params: DemoParams, n: int, size: float) -> World:
    """Draw n customers (entities) and the sales team."""
    as_of = epoch_day(params.as_of)
    w0 = _window_start(params)
    is_person = rng.random(n) < params.person_share

    # ---- location -----------------------------------------------------------------------
    w = np.array(
        [
            p.weight * c.weight / sum(x.weight for x in p.cities)
            for p in N.PROVINCES
            for c in p.cities
        ]
    )
    city = rng.choice(len(w), size=n, p=w / w.sum())
    prov = CITY_PROV[city]
    region = PROV_REGION[prov]

    # ---- sales team ---------------------------------------------------------------------
    reps = _reps(rng, params, size, region)
    owner = np.empty(n, dtype=np.int64)
    for r in range(len(N.REGIONS)):
        mine = np.flatnonzero(reps.region == r)
        rows = np.flatnonzero(region == r)
        owner[rows] = mine[rng.integers(0, len(mine), size=len(rows))]

    # ---- company names ------------------------------------------------------------------
    iw = np.array([i.weight for i in N.INDUSTRIES])
    industry = np.where(is_person, -1, rng.choice(len(iw), size=n, p=iw / iw.sum()))
    lw = np.array([x for _, x in N.LEGAL_FORMS])
    legal = np.where(is_person, -1, rng.choice(len(lw), size=n, p=lw / lw.sum()))
    brand = _brands(rng, n)
    small_form = np.isin(legal, [_legal_index("厂"), _legal_index("经营部")])
    style = rng.choice(3, size=n, p=[0.6, 0.15, 0.25])
    style = np.where(small_form | ((style == 1) & PROV_IS_CITY[prov]), 0, style)
    name = _company_names(brand, industry, legal, style, city, prov).astype("U64")
    company = ~is_person
    for _ in range(50):  # one name per registration: redraw the 字号 of repeats
        _, first = np.unique(name[company], return_index=True)
        dup = np.ones(company.sum(), dtype=bool)
        dup[first] = False
        rows = np.flatnonzero(company)[dup]
        if len(rows) == 0:
            break
        brand[rows] = _brands(rng, len(rows))
        name[rows] = _company_names(
            brand[rows], industry[rows], legal[rows], style[rows], city[rows], prov[rows]
        )

    # ---- planted look-alikes that are different customers ---------------------------------
    relation = np.zeros(n, dtype=np.int64)
    related_to = np.full(n, -1, dtype=np.int64)
    companies = np.flatnonzero(company & ~small_form)
    k_branch = _counts(n, params.branch_share)
    k_same = _counts(n, params.same_name_share)
    picks = rng.permutation(companies)
    branch_rows = picks[:k_branch]
    same_rows = picks[k_branch : k_branch + k_same]
    # their originals come from the remaining companies (a firm is not its own look-alike)
    rest = picks[k_branch + k_same :]
    pools = (rest[: len(rest) // 2], rest[len(rest) // 2 :])
    for rows, rel, others in (
        (branch_rows, REL_BRANCH, pools[0]),
        (same_rows, REL_SAME_NAME, pools[1]),
    ):
        if len(rows) == 0 or len(others) == 0:
            continue
        orig = others[rng.integers(0, len(others), size=len(rows))]
        relation[rows] = rel
        related_to[rows] = orig
        brand[rows], industry[rows], legal[rows] = brand[orig], industry[orig], legal[orig]
        # a different city than the original
        shift = rng.integers(1, len(CITY_NAME), size=len(rows))
        city[rows] = (city[orig] + shift) % len(CITY_NAME)
        prov[rows], region[rows] = CITY_PROV[city[rows]], PROV_REGION[CITY_PROV[city[rows]]]
        for r in range(len(N.REGIONS)):
            mine = np.flatnonzero(reps.region == r)
            sel = rows[region[rows] == r]
            owner[sel] = mine[rng.integers(0, len(mine), size=len(sel))]
        if rel == REL_BRANCH:
            name[rows] = np.char.add(np.char.add(name[orig], CITY_SHORT[city[rows]]), "分公司")
            style[rows] = style[orig]
        else:
            style[rows] = style[orig]
            # "no region" names are then literally identical: 鑫源五金制品厂 in two cities
            bare = rng.random(len(rows)) < 0.4
            style[rows[bare]] = 3
            style[orig[bare]] = 3
            name[rows] = _company_names(
                brand[rows], industry[rows], legal[rows], style[rows], city[rows], prov[rows]
            )
            name[orig] = _company_names(
                brand[orig], industry[orig], legal[orig], style[orig], city[orig], prov[orig]
            )

    person = person_names(rng, n)
    name = np.where(is_person, person.name, name)
    brand = np.where(is_person, "", brand)

    # ---- registration, size, dates -----------------------------------------------------
    founded_year = np.clip(2025 - rng.exponential(12, size=n).astype(int), 1985, 2023)
    founded = np.array([epoch_day(date(int(y), 1, 1)) for y in range(1985, 2024)])[
        founded_year - 1985
    ] + rng.integers(0, 365, size=n)
    org_type = np.where(small_form & (legal == _legal_index("经营部")), 2, 1)
    credit = credit_codes(rng, CITY_CODE[city], founded_year, org_type)
    birth = epoch_day(date(1962, 1, 1)) + rng.integers(0, 38 * 365, size=n)
    ids = id_numbers(rng, CITY_CODE[city], birth.astype("datetime64[D]"), person.female)
    reg_id = np.where(is_person, ids, credit)
    founded = np.where(is_person, -1, founded)
    birth = np.where(is_person, birth, -1)

    employees = np.clip(np.round(rng.lognormal(np.log(120), 1.3, size=n)), 3, 200_000)
    employees = np.where(is_person, -1, employees).astype(np.int64)
    revenue = employees * rng.integers(40, 150, size=n) * 10_000
    revenue = np.where(is_person, -1, revenue)
    rank = np.argsort(np.argsort(-np.where(is_person, -1, employees))) / max(n, 1)
    position = np.where(rank < 0.05, "leader", np.where(rank < 0.25, "major", "follower"))
    position = np.where(is_person, "", position)
    benchmark = (position == "leader") & (rng.random(n) < 0.4)
    reference = (rng.random(n) < 0.03) | (benchmark & (rng.random(n) < 0.3))
    budget_growth = np.round(rng.normal(0.06, 0.08, size=n), 2)

    # ---- behaviour ------------------------------------------------------------------------
    state, start, end, decay_len, lapse, ret, growth = _fates(rng, params, n, w0, as_of, founded)
    lam = rng.lognormal(np.log(params.orders_median), params.orders_sigma, size=n)
    lam = np.where(is_person, rng.lognormal(np.log(params.person_orders_median), 0.6, n), lam)
    lam = np.where(np.isin(state, [CHURN, WONBACK]), np.maximum(lam, 3.0), lam)
    size_effect = np.where(is_person, 1.0, (np.maximum(employees, 1) / 120.0) ** 0.3)
    aov = rng.lognormal(np.log(params.aov_median), params.aov_sigma, size=n) * size_effect
    aov = np.where(is_person, rng.lognormal(np.log(params.person_aov_median), 0.8, n), aov)
    margin = np.clip(rng.normal(0.27, 0.07, size=n), 0.05, 0.5)
    losing = rng.random(n) < params.loss_making_share
    margin = np.where(losing, rng.uniform(-0.2, -0.03, size=n), margin)
    terms = rng.choice(np.array([30, 60, 90]), size=n, p=[0.5, 0.3, 0.2])
    terms = np.where(is_person, 0, terms)
    bad_payer = rng.random(n) < params.bad_payer_share
    delay = np.where(bad_payer, rng.uniform(30, 120, n), rng.uniform(-8, 10, n))
    delay = np.where(state == CHURN, delay + 20, delay)
    p_ledger = np.where(is_person, 0.15, rng.beta(3, 2, size=n))
    cats = _category_prefs(rng, aov)
    disc = np.round(rng.uniform(0.78, 1.0, size=n), 2)
    satisfaction = rng.normal(8.0, 1.2, size=n)

    # ---- contact data -------------------------------------------------------------------
    district = _pick_districts(rng, city)
    road = np.array(N.ROADS)[rng.integers(0, len(N.ROADS), size=n)]
    number = rng.integers(1, 999, size=n).astype(str)
    prefix = np.where(
        PROV_IS_CITY[prov], CITY_NAME[city], np.char.add(PROV_NAME[prov], CITY_NAME[city])
    )
    address = np.char.add(
        np.char.add(np.char.add(prefix, district), road), np.char.add(number, "号")
    )
    landline = landline_numbers(rng, CITY_AREA[city])
    mobile = mobile_numbers(rng, n, N.MOBILE_PREFIXES)
    phone = np.where(~is_person & (rng.random(n) < 0.75), landline, mobile)
    brand_py = _brand_pinyin(brand)
    person_mail = np.char.add(
        np.char.add(
            np.char.add(person.surname_py, person.given_py),
            rng.integers(1, 999, size=n).astype(str),
        ),
        np.char.add("@", np.array(N.EMAIL_DOMAINS_PERSON)[rng.integers(0, 6, size=n)]),
    )
    email = np.where(is_person, person_mail, np.char.add(np.char.add("info@", brand_py), ".com.cn"))
    email = np.where(rng.random(n) < 0.2, "", email)

    coop_start = np.where(state == PROSPECT, -1, start)
    created = np.where(state == PROSPECT, start, start - rng.integers(0, 90, size=n))
    tag_idx = rng.integers(-6, len(N.TAGS), size=n)
    tags = np.where(tag_idx < 0, "", np.array(N.TAGS)[np.maximum(tag_idx, 0)])
    tags = np.where(
        benchmark, np.char.add(tags, np.where(tags == "", "行业标杆", ";行业标杆")), tags
    )

    name, address, email, district = (tight(x) for x in (name, address, email, district))
    return World(
        params=params,
        w0=w0,
        as_of=as_of,
        season=seasonality(w0, as_of),
        reps=reps,
        n=n,
        is_person=is_person,
        city=city,
        prov=prov,
        region=region,
        industry=industry,
        legal=legal,
        brand=brand,
        style=style,
        name=name,
        person=person,
        reg_id=reg_id,
        founded=founded,
        birth=birth,
        employees=employees,
        revenue=revenue,
        position=position,
        budget_growth=budget_growth,
        benchmark=benchmark,
        reference=reference,
        district=district,
        address=address,
        phone=phone,
        email=email,
        owner=owner,
        coop_start=coop_start,
        created=created,
        state=state,
        start=start,
        end=end,
        decay_len=decay_len,
        lapse=lapse,
        ret=ret,
        growth=growth,
        lam=lam,
        aov=aov,
        margin=margin,
        terms=terms,
        delay=delay,
        p_ledger=p_ledger,
        cats=cats,
        disc=disc,
        satisfaction=satisfaction,
        relation=relation,
        related_to=related_to,
        tags=tags,
    )


def _window_start(params: DemoParams) -> int:
    """The day after the same date `years` earlier: 2026-10-31 -> 2023-11-01."""
    a = params.as_of
    try:
        back = a.replace(year=a.year - params.years)
    except ValueError:  # 29 February
        back = a.replace(year=a.year - params.years, day=28)
    return epoch_day(back) + 1


def _legal_index(form: str) -> int:
    return [f for f, _ in N.LEGAL_FORMS].index(form)


def _brands(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.integers(0, len(BRAND), size=n)
    b = (a + rng.integers(1, len(BRAND), size=n)) % len(BRAND)
    return np.char.add(BRAND[a], BRAND[b])


def _brand_pinyin(brand: np.ndarray) -> np.ndarray:
    table = {c: p for c, p in N.BRAND_PINYIN.items()}
    uniq, inv = np.unique(brand, return_inverse=True)
    py = np.array(["".join(table.get(c, "") for c in b) or "kehu" for b in uniq])
    return py[inv]


def company_name(brand: str, industry: int, legal: int, style: int, city: int, prov: int) -> str:
    """One company name, the way `_company_names` builds them (used by the dirt module)."""
    return str(
        _company_names(
            np.array([brand]),
            np.array([industry]),
            np.array([legal]),
            np.array([style]),
            np.array([city]),
            np.array([prov]),
        )[0]
    )


def _company_names(
    brand: np.ndarray,
    industry: np.ndarray,
    legal: np.ndarray,
    style: np.ndarray,
    city: np.ndarray,
    prov: np.ndarray,
) -> np.ndarray:
    """行政区划 + 字号 + 行业 + 组织形式, or 字号 + 行业 + （行政区划）+ 组织形式."""
    ind = IND_WORD[np.maximum(industry, 0)]
    form = LEGAL[np.maximum(legal, 0)]
    core = np.char.add(brand, ind)
    region = np.where(style == 1, PROV_SHORT[prov], CITY_SHORT[city])
    prefixed = np.char.add(np.char.add(region, core), form)
    bracket = np.char.add(
        np.char.add(np.char.add(core, "（"), CITY_SHORT[city]), np.char.add("）", form)
    )
    bare = np.char.add(core, form)
    return np.where(style == 2, bracket, np.where(style == 3, bare, prefixed))


def _reps(rng: np.random.Generator, params: DemoParams, size: float, region: np.ndarray) -> Reps:
    k = max(len(N.REGIONS), int(round(params.reps_per_size * size)))
    share = np.bincount(region, minlength=len(N.REGIONS)).astype(float)
    share = share / max(share.sum(), 1)
    per = np.maximum(1, np.floor(share * k)).astype(int)
    while per.sum() < k:  # largest remainder
        per[np.argmax(share * k - per)] += 1
    names = unique_person_names(rng, int(per.sum()))
    return Reps(names, np.repeat(np.arange(len(N.REGIONS)), per))


def _fates(
    rng: np.random.Generator, p: DemoParams, n: int, w0: int, as_of: int, founded: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Assign each customer what happens to it, with the dates that define it."""
    state = np.full(n, STEADY, dtype=np.int64)
    order = rng.permutation(n)
    pos = 0
    for st, share in (
        (NEW, p.new_share),
        (PROSPECT, p.prospect_share),
        (ACQUIRED, p.acquired_share),
        (CHURN, p.churn_share),
        (WONBACK, p.wonback_share),
        (GROWING, p.growing_share),
        (DECLINING, p.declining_share),
    ):
        k = _counts(n, share)
        state[order[pos : pos + k]] = st
        pos += k
    days = as_of - w0 + 1
    before = w0 - 1 - rng.exponential(1400, size=n).astype(np.int64)
    start = np.maximum(before, np.where(founded > 0, founded + 30, before))
    start = np.minimum(start, w0 - 1)
    start = np.where(state == NEW, as_of - rng.integers(5, p.new_days, size=n), start)
    start = np.where(
        state == ACQUIRED, w0 + rng.integers(30, max(31, days - p.new_days), size=n), start
    )
    start = np.where(state == PROSPECT, as_of - rng.integers(10, 700, size=n), start)
    end = np.full(n, as_of, dtype=np.int64)
    churn_day = w0 + rng.integers(240, days - 45, size=n)
    end = np.where(state == CHURN, churn_day, end)
    end = np.where(state == PROSPECT, start - 1, end)  # never orders
    decay_len = rng.integers(120, 200, size=n)
    lapse = np.where(state == WONBACK, w0 + rng.integers(150, max(151, days - 420), size=n), -1)
    ret = np.where(
        state == WONBACK, np.minimum(lapse + rng.integers(240, 400, size=n), as_of - 30), -1
    )
    growth = np.zeros(n)
    growth = np.where(state == GROWING, np.log(rng.uniform(2, 4, n)) / p.years, growth)
    growth = np.where(state == DECLINING, -np.log(rng.uniform(2, 3, n)) / p.years, growth)
    return state, start, end, decay_len, lapse, ret, growth


def _category_prefs(rng: np.random.Generator, aov: np.ndarray) -> np.ndarray:
    """Two preferred categories per customer, by order size (robots go to big buyers)."""
    small = np.array(
        [
            i
            for i, c in enumerate(CATEGORIES)
            if c in ("传感器", "备品备件", "变频器", "人机界面", "PLC控制器", "伺服系统")
        ]
    )
    mid = np.array(
        [
            i
            for i, c in enumerate(CATEGORIES)
            if c in ("PLC控制器", "伺服系统", "变频器", "运维服务", "人机界面", "工业软件")
        ]
    )
    big = np.array(
        [i for i, c in enumerate(CATEGORIES) if c in (*N.BIG_TICKET, "PLC控制器", "运维服务")]
    )
    n = len(aov)
    out = np.empty((n, 2), dtype=np.int64)
    for pool, mask in (
        (small, aov < 20_000),
        (mid, (aov >= 20_000) & (aov < 150_000)),
        (big, aov >= 150_000),
    ):
        rows = np.flatnonzero(mask)
        a = rng.integers(0, len(pool), size=len(rows))
        b = (a + rng.integers(1, len(pool), size=len(rows))) % len(pool)
        out[rows, 0], out[rows, 1] = pool[a], pool[b]
    return out


def _pick_districts(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    out = np.empty(len(city), dtype=object)
    for ci, (_, c) in enumerate(_CITIES):
        rows = np.flatnonzero(city == ci)
        out[rows] = np.array(c.districts)[rng.integers(0, len(c.districts), size=len(rows))]
    return out.astype(str)
