"""What the customers do over three years: orders, interactions, tickets, surveys, deals.

Events are drawn as inhomogeneous Poisson processes by thinning: candidates at each
customer's peak rate, kept with probability intensity/peak, where the intensity carries the
business calendar, the customer's growth or decline, the fading before a churn date and the
gap of a won-back customer. Everything is vectorised over all customers at once. Results are
dicts of numpy arrays keyed by entity (`ent`); `kehu.demo.records` turns entities into the
ids of the exported records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kehu.demo import names as N
from kehu.demo import texts as T
from kehu.demo.codes import mobile_numbers
from kehu.demo.columns import Cat, tight
from kehu.demo.people import person_names
from kehu.demo.world import CHURN, PROSPECT, World

Arrays = dict[str, Any]  # numpy columns, some of them categorical (`Cat`)

_PROD = [(ci, p, price) for ci, (_, items) in enumerate(N.CATALOGUE) for p, price in items]
PROD_CAT = np.array([c for c, _, _ in _PROD])
PROD_NAME = np.array([p for _, p, _ in _PROD])
PROD_PRICE = np.array([x for _, _, x in _PROD])
_CAT_OFF = np.array([PROD_CAT.tolist().index(c) for c in range(len(N.CATALOGUE))])
_CAT_CNT = np.bincount(PROD_CAT)
SPARE_CATS = np.array(
    [i for i, (c, _) in enumerate(N.CATALOGUE) if c in ("传感器", "备品备件", "人机界面", "变频器")]
)
PROJECT_CATS = np.array(
    [i for i, (c, _) in enumerate(N.CATALOGUE) if c in ("工业软件", "系统集成", "运维服务")]
)


def thinned(
    rng: np.random.Generator, rate_max: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate events: Poisson(rate_max·span) per entity, uniform days in [a, b]."""
    span = np.maximum(b - a + 1, 0)
    counts = rng.poisson(rate_max * span)
    ent = np.repeat(np.arange(len(a), dtype=np.int64), counts)
    day = a[ent] + (rng.random(len(ent)) * span[ent]).astype(np.int64)
    return ent, day


def _churn_fade(w: World, ent: np.ndarray, day: np.ndarray, lead: int, floor: float) -> np.ndarray:
    """1 before the fade, falling linearly to `floor` at the churn date (churners only)."""
    length = w.decay_len[ent] + lead
    x = np.clip((day - (w.end[ent] - length)) / length, 0.0, 1.0)
    return np.where(w.state[ent] == CHURN, 1.0 - (1.0 - floor) * x, 1.0)


def expected_orders(w: World, lam: np.ndarray) -> float:
    """Approximate expected order count (to scale the rate to a requested total)."""
    cs = np.concatenate([[0.0], np.cumsum(w.season)])
    a = np.clip(np.maximum(w.start, w.w0) - w.w0, 0, w.days)
    b = np.clip(np.minimum(w.end, w.as_of) - w.w0 + 1, 0, w.days)
    mass = np.maximum(cs[b] - cs[np.minimum(a, b)], 0)
    gap = np.where(w.lapse >= 0, (w.ret - w.lapse), 0)
    fade = np.where(w.state == CHURN, 0.45 * w.decay_len, 0)
    return float((lam / 365.0 * np.maximum(mass - gap - fade, 0)).sum())


BLOCK = 50_000  # customers per block: bounds the temporaries of the thinning


def by_blocks(n: int, fn: Callable[[int, int], Arrays]) -> Arrays:
    """Run `fn(lo, hi)` over blocks of customers and concatenate the columns."""
    parts = [fn(lo, min(lo + BLOCK, n)) for lo in range(0, max(n, 1), BLOCK)]
    # column by column, dropping each block's copy as it goes (peak: one extra column)
    return {k: np.concatenate([p.pop(k) for p in parts]) for k in list(parts[0])}


def sort_events(ev: Arrays) -> Arrays:
    """Chronological, ties by customer (ids are numbered in this order)."""
    order = np.lexsort((ev["ent"], ev["day"]))
    for k in list(ev):  # in place, one column at a time
        ev[k] = ev[k][order]
    return ev


def orders(rng: np.random.Generator, w: World, n_orders: int | None = None) -> Arrays:
    """Orders with amount, cost, payment and channel; sorted by (date, entity)."""
    lam = w.lam
    if n_orders:
        lam = lam * (1.08 * n_orders / max(expected_orders(w, lam), 1.0))
    ev = by_blocks(w.n, lambda lo, hi: _orders_block(rng, w, lam, lo, hi))
    if n_orders and len(ev["ent"]) > n_orders:
        pick = np.sort(rng.choice(len(ev["ent"]), size=n_orders, replace=False))
        ev = {k: v[pick] for k, v in ev.items()}
    return sort_events(ev)


def _orders_block(rng: np.random.Generator, w: World, lam: np.ndarray, lo: int, hi: int) -> Arrays:
    a = np.maximum(w.start[lo:hi], w.w0)
    b = np.minimum(w.end[lo:hi], w.as_of)
    s_max = float(w.season.max())
    tmax = np.exp(np.maximum(w.growth[lo:hi], 0) * np.maximum(b - a, 0) / 365.0)
    local, day = thinned(rng, lam[lo:hi] / 365.0 * s_max * tmax, a, b)
    ent = local + lo
    keep = w.season[day - w.w0] / s_max
    keep *= np.exp(w.growth[ent] * (day - a[local]) / 365.0) / tmax[local]
    keep *= _churn_fade(w, ent, day, 0, 0.15)
    keep *= ~((day >= w.lapse[ent]) & (day < w.ret[ent]))
    sel = rng.random(len(ent)) < keep
    ent, day = ent[sel], day[sel]
    n = len(ent)

    u = rng.random(n)
    spare = SPARE_CATS[rng.integers(0, len(SPARE_CATS), n)]  # the odd spare-parts order
    cat = np.where(u < 0.6, w.cats[ent, 0], np.where(u < 0.9, w.cats[ent, 1], spare))
    prod = _CAT_OFF[cat] + (rng.random(n) * _CAT_CNT[cat]).astype(np.int64)
    price = PROD_PRICE[prod]
    target = w.aov[ent] * rng.lognormal(0.0, 0.5, size=n)
    qty = np.maximum(1, np.round(target / price))
    project = np.isin(cat, PROJECT_CATS)
    qty = np.where(project, 1, qty)
    goods_fen = np.round(qty * price * w.disc[ent] * 100)
    project_fen = np.maximum(np.round(target / 100), 10) * 10_000
    amount = np.where(project, project_fen, goods_fen).astype(np.int64)
    big = amount >= 5_000_000  # >= 50,000 yuan: contract prices are round hundreds
    amount = np.where(big, np.round(amount / 10_000) * 10_000, amount).astype(np.int64)
    amount = np.maximum(amount, 100)
    cost = np.round(amount * (1.0 - w.margin[ent] + rng.normal(0, 0.04, n))).astype(np.int64)

    ledger = rng.random(n) < w.p_ledger[ent]
    r2 = rng.random(n)
    channel = np.where(
        ledger,
        np.where((amount >= 20_000_000) & (r2 < 0.6), 1, 0),
        np.where((amount < 2_000_000) & (r2 < 0.35), 3, 2),
    )

    due = day + w.terms[ent]
    paid_day = due + np.round(w.delay[ent] + rng.normal(0, 7, n)).astype(np.int64)
    paid_day = np.maximum(paid_day, day)
    settled = paid_day <= w.as_of
    dispute = rng.random(n) < np.where(w.state[ent] == CHURN, 0.08, 0.015)
    part = np.round(amount * rng.uniform(0.7, 0.95, n)).astype(np.int64)
    paid = np.where(settled, np.where(dispute, part, amount), 0)
    partial_open = ~settled & (rng.random(n) < 0.2)
    paid = np.where(partial_open, np.round(amount * rng.uniform(0.3, 0.7, n)), paid)
    paid_date = np.where(settled, paid_day, np.where(partial_open, day + 1, -1))
    return {
        "ent": ent.astype(np.int32),
        "day": day.astype(np.int32),
        "cat": cat.astype(np.int8),
        "prod": prod.astype(np.int16),
        "qty": qty.astype(np.int32),
        "amount_fen": amount,
        "cost_fen": cost,
        "paid_fen": paid.astype(np.int64),
        "due": due.astype(np.int32),
        "paid_day": paid_date.astype(np.int32),
        "channel": channel.astype(np.int8),
        "ledger": ledger,
    }


def contacts(rng: np.random.Generator, w: World) -> Arrays:
    """Decision-chain contacts: 1-6 per company (the first is the key contact); a person
    customer is their own contact."""
    k = np.where(w.is_person, 1, 1 + np.minimum(rng.poisson(1.4, w.n), 5))
    k = np.where(~w.is_person & (w.position != "follower"), np.minimum(k + 1, 6), k)
    ent = np.repeat(np.arange(w.n), k)
    first = np.concatenate([[True], ent[1:] != ent[:-1]]) if len(ent) else np.array([], bool)
    m = len(ent)
    names = person_names(rng, m)
    role = rng.integers(0, len(N.CONTACT_ROLES), size=m)
    role = np.where(first, np.where(rng.random(m) < 0.6, 0, 2), role)
    titles = [np.array(t) for _, t in N.CONTACT_ROLES]
    title = np.empty(m, dtype=object)
    for r, tt in enumerate(titles):
        rows = np.flatnonzero(role == r)
        title[rows] = tt[rng.integers(0, len(tt), size=len(rows))]
    name = np.where(w.is_person[ent], w.name[ent], names.name)
    title = np.where(w.is_person[ent], "个人客户", title.astype(str))
    phone = mobile_numbers(rng, m, N.MOBILE_PREFIXES)
    phone = np.where(w.is_person[ent], w.phone[ent], phone)
    domain = np.char.add("@", np.char.partition(w.email[ent], "@")[:, 2])
    mail = np.char.add(np.char.add(names.surname_py, names.given_py), domain)
    mail = np.where((domain == "@") | w.is_person[ent], w.email[ent], mail)
    mail = np.where(rng.random(m) < 0.3, "", mail)
    return {
        "ent": ent,
        "name": tight(name),
        "title": tight(title),
        "role": np.array([r for r, _ in N.CONTACT_ROLES])[role],
        "is_key": first,
        "phone": phone,
        "email": tight(mail),
    }


def interactions(rng: np.random.Generator, w: World, contact: Arrays) -> Arrays:
    """Visits, calls, e-mails, meetings, chats; fading before a churn, rescue calls after."""
    pools = [T.render_pool(rng, T.INTERACTION_NOTES[k], 40) for k in T.INTERACTION_KINDS]
    pools.append(np.array(T.RESCUE_NOTES))
    ev = sort_events(by_blocks(w.n, lambda lo, hi: _interactions_block(rng, w, pools, lo, hi)))
    n = len(ev["ent"])
    return {
        "ent": ev["ent"],
        "day": ev["day"],
        "minute": ev["minute"],
        "kind": Cat(ev["kind"], np.array(T.INTERACTION_KINDS)),
        "owner": w.owner[ev["ent"]],
        "contact": _pick_contact(rng, contact, ev["ent"]),
        "note": Cat(ev["note"], np.concatenate(pools)) if n else Cat(ev["note"], np.array([""])),
    }


def _interactions_block(
    rng: np.random.Generator, w: World, pools: list[np.ndarray], lo: int, hi: int
) -> Arrays:
    state, lam = w.state[lo:hi], w.lam[lo:hi]
    rate = np.where(state == PROSPECT, 5.0, 1.5 + 0.35 * np.minimum(lam, 30))
    a = np.maximum(np.maximum(w.created[lo:hi], w.w0), w.start[lo:hi] - 60)
    b = np.full(hi - lo, w.as_of)
    b = np.where(state == CHURN, np.minimum(w.end[lo:hi] + 180, w.as_of), b)
    s_max = float(w.season.max())
    local, day = thinned(rng, rate / 365.0 * s_max, a, b)
    ent = local + lo
    keep = w.season[day - w.w0] / s_max * _churn_fade(w, ent, day, 60, 0.1)
    after = (w.state[ent] == CHURN) & (day > w.end[ent])
    keep = np.where(after, 0.12 * w.season[day - w.w0] / s_max, keep)
    sel = rng.random(len(ent)) < keep
    ent, day, after = ent[sel], day[sel], after[sel]
    n = len(ent)
    kind = rng.choice(len(T.INTERACTION_KINDS), size=n, p=T.INTERACTION_P)
    minute = rng.integers(9 * 60, 18 * 60, size=n)
    note = _pick_from_pools(rng, pools, kind).codes
    rescue = after | ((w.state[ent] == CHURN) & (day > w.end[ent] - 60) & (rng.random(n) < 0.4))
    rescue_note = _pick_from_pools(rng, pools, np.full(n, len(pools) - 1)).codes
    return {
        "ent": ent.astype(np.int32),
        "day": day.astype(np.int32),
        "minute": minute.astype(np.int32),
        "kind": kind.astype(np.int8),
        "note": np.where(rescue, rescue_note, note).astype(np.int32),
    }


def _pick_from_pools(rng: np.random.Generator, pools: list[np.ndarray], which: np.ndarray) -> Cat:
    """For each row, a random text from pool `which[row]` (one concatenated value array)."""
    sizes = np.array([len(p) for p in pools])
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    codes = offset[which] + (rng.random(len(which)) * sizes[which]).astype(np.int64)
    return Cat(codes, np.concatenate(pools))


def _pick_contact(rng: np.random.Generator, contact: Arrays, ent: np.ndarray) -> np.ndarray:
    """Index of a contact of each entity (contacts are grouped by entity, in entity order)."""
    starts = np.searchsorted(contact["ent"], ent, side="left")
    ends = np.searchsorted(contact["ent"], ent, side="right")
    idx = starts + (rng.random(len(ent)) * np.maximum(ends - starts, 1)).astype(np.int64)
    return np.minimum(idx, len(contact["ent"]) - 1)


TICKET_CATS = ("产品咨询", "售后服务", "投诉", "建议")
TICKET_PRIORITIES = ("高", "中", "低")
TICKET_STATUSES = ("已关闭", "已解决", "处理中", "待处理")


def tickets(rng: np.random.Generator, w: World, sla_minutes: int) -> Arrays:
    """Service requests: more complaints (and slower answers) as a churner fades out."""
    rate = 0.25 + 0.07 * np.minimum(w.lam, 30)
    a = np.maximum(np.maximum(w.start, w.w0), w.created)
    b = np.where(w.state == CHURN, np.minimum(w.end + 60, w.as_of), w.as_of)
    b = np.where(w.state == PROSPECT, a - 1, b)
    s_max = float(w.season.max())
    ent, day = thinned(rng, rate / 365.0 * s_max, a, b)
    sel = rng.random(len(ent)) < w.season[day - w.w0] / s_max
    ent, day = ent[sel], day[sel]
    # churners: a burst of complaints while they fade
    churners = np.flatnonzero(w.state == CHURN)
    burst = rng.poisson(2.5, size=len(churners))
    b_ent = np.repeat(churners, burst)
    b_day = w.end[b_ent] - (rng.random(len(b_ent)) * w.decay_len[b_ent]).astype(np.int64)
    b_day = np.clip(b_day + 15, w.w0, w.as_of)
    is_burst = np.concatenate([np.zeros(len(ent), bool), np.ones(len(b_ent), bool)])
    ent, day = np.concatenate([ent, b_ent]), np.concatenate([day, b_day])
    order = np.lexsort((ent, day))
    ent, day, is_burst = ent[order], day[order], is_burst[order]
    n = len(ent)

    unhappy = w.satisfaction[ent] < 7
    p_complaint = np.where(unhappy, 0.28, 0.12)
    u = rng.random(n)
    cat = np.where(
        u < p_complaint, 2, np.where(u < p_complaint + 0.08, 3, np.where(rng.random(n) < 0.5, 0, 1))
    )
    cat = np.where(is_burst, 2, cat)
    opened = day * 1440 + rng.integers(8 * 60, 20 * 60, size=n)  # epoch minutes
    slow = is_burst | (unhappy & (cat == 2))
    resp = np.round(rng.lognormal(np.log(np.where(slow, 80.0, 32.0)), 1.0)).astype(np.int64)
    resolve = np.round(rng.lognormal(np.log(np.where(cat == 2, 30.0, 16.0)), 1.1) * 60)
    first_response = opened + np.maximum(resp, 1)
    resolved = first_response + resolve.astype(np.int64)
    end_minute = (w.as_of + 1) * 1440 - 1
    first_response = np.where(first_response <= end_minute, first_response, -1)
    resolved = np.where(resolved <= end_minute, resolved, -1)
    status = np.where(
        resolved >= 0,
        np.where(rng.random(n) < 0.5, 0, 1),
        np.where(first_response >= 0, 2, 3),
    )
    late = (first_response < 0) | (first_response - opened > sla_minutes)
    score = 4.4 - 1.3 * (cat == 2) - 0.8 * late + rng.normal(0, 0.6, n)
    sat = np.clip(np.round(score), 1, 5).astype(np.int64)
    sat = np.where((resolved < 0) | (rng.random(n) < 0.35), -1, sat)
    prio = np.where(  # 0 高, 1 中, 2 低
        cat == 2,
        np.where(rng.random(n) < 0.7, 0, 1),
        np.where(
            cat == 1,
            np.where(rng.random(n) < 0.3, 0, 1),
            np.where(rng.random(n) < 0.5, 2, 1),
        ),
    )
    pools = [T.render_pool(rng, T.TICKET_TEMPLATES[c], 60) for c in TICKET_CATS]
    return {
        "ent": ent,
        "category": Cat(cat, np.array(TICKET_CATS)),
        "priority": Cat(prio, np.array(TICKET_PRIORITIES)),
        "opened": opened,
        "first_response": first_response,
        "resolved": resolved,
        "status": Cat(status, np.array(TICKET_STATUSES)),
        "satisfaction": sat,
        "text": _pick_from_pools(rng, pools, cat),
    }


def surveys(rng: np.random.Generator, w: World, share: float, english: float) -> Arrays:
    """NPS waves each June and December: detractors among the customers about to leave."""
    waves = []
    for year in range(
        int(np.datetime64(w.w0, "D").astype("datetime64[Y]").astype(int)) + 1970,
        int(np.datetime64(w.as_of, "D").astype("datetime64[Y]").astype(int)) + 1971,
    ):
        for md in ("06-20", "12-15"):
            d = int(np.datetime64(f"{year}-{md}", "D").astype(np.int64))
            if w.w0 <= d <= w.as_of:
                waves.append(d)
    ents, days = [], []
    for d in waves:
        eligible = (w.coop_start >= 0) & (w.start <= d) & ~((w.state == CHURN) & (w.end + 60 < d))
        rows = np.flatnonzero(eligible & (rng.random(w.n) < share))
        ents.append(rows)
        days.append(np.full(len(rows), d) + rng.integers(0, 10, size=len(rows)))
    ent = np.concatenate(ents) if ents else np.array([], dtype=np.int64)
    day = np.minimum(np.concatenate(days), w.as_of) if days else np.array([], dtype=np.int64)
    n = len(ent)
    fading = (w.state[ent] == CHURN) & (day >= w.end[ent] - w.decay_len[ent])
    mu = w.satisfaction[ent] - 3.5 * fading
    nps = np.clip(np.round(rng.normal(mu, 1.3)), 0, 10).astype(np.int64)
    csat = np.clip(np.round(1 + nps * 0.4 + rng.normal(0, 0.5, n)), 1, 5).astype(np.int64)
    band = np.where(nps >= 9, 0, np.where(nps >= 7, 1, 2))
    foreign = np.char.find(w.tags[ent], "外资") >= 0
    en = rng.random(n) < np.where(foreign, 0.6, english)
    has = rng.random(n) < 0.55
    pools = [np.array([""])]
    for key in ("promoter", "passive", "detractor"):
        pools.extend(np.array(x) for x in T.NPS_COMMENTS[key])  # zh pool, then en pool
    which = np.where(has, 1 + 2 * band + en, 0)
    comment = _pick_from_pools(rng, pools, which)
    return {"ent": ent, "day": day, "nps": nps, "csat": csat, "comment": comment}


OPEN_STAGES = ("线索", "需求确认", "方案报价", "商务谈判")


def opportunities(rng: np.random.Generator, w: World) -> Arrays:
    """Deals: won ones precede orders, prospects have open or lost ones."""
    rate = np.where(w.state == PROSPECT, 1.2, 0.45)
    a = np.maximum(w.created, w.w0)
    b = np.where(w.state == CHURN, np.minimum(w.end, w.as_of), w.as_of)
    ent, day = thinned(rng, rate / 365.0, a, b)
    order = np.lexsort((ent, day))
    ent, day = ent[order], day[order]
    n = len(ent)
    closed = day + rng.integers(15, 120, size=n)
    is_open = closed > w.as_of
    won = ~is_open & (rng.random(n) < np.where(w.state[ent] == PROSPECT, 0.0, 0.45))
    status = Cat(np.where(is_open, 0, np.where(won, 1, 2)), np.array(["open", "won", "lost"]))
    stage = Cat(
        np.where(is_open, rng.integers(0, 4, size=n), np.where(won, 4, 5)),
        np.array([*OPEN_STAGES, "赢单", "输单"]),
    )
    amount = np.maximum(np.round(w.aov[ent] * rng.lognormal(0.6, 0.6, n) / 1000) * 1000, 1000)
    cat = w.cats[ent, 0]
    return {
        "ent": ent,
        "day": day,
        "closed": np.where(is_open, -1, closed),
        "status": status,
        "stage": stage,
        "amount_yuan": amount.astype(np.int64),
        "cat": cat,
        "owner": w.owner[ent],
    }
