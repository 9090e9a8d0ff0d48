"""Competitors, shares of wallet, lost-to reasons and regional market potential for the demo.

Drawn from a generator of their own, so planting them never moves the other files' rows.
Each competitor is strong in some regions and has a price position that shapes why deals
are lost to it; the true share of wallet and the planted penetration go into truth.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kehu.demo.columns import Cat
from kehu.demo.names import vocabulary
from kehu.demo.records import MISSING, Frame, Records
from kehu.demo.world import REGION_NAME, World
from kehu.industries import industries


@dataclass(frozen=True)
class Rival:
    competitor_id: str
    name: str
    aliases: str
    price_position: str  # premium | parity | discount
    strengths: str
    weaknesses: str
    home: tuple[int, ...]  # regions (index into REGION_NAME) where it is strong


# The competitors, loss reasons and note templates are data: `kehu/data/demo/competition.json`.
_DATA = vocabulary("competition")
POOL = tuple(Rival(**{**r, "home": tuple(r["home"])}) for r in _DATA["rivals"])
N_RIVALS = 5  # competitors active in one demo company's market, drawn from POOL per seed
LOSS_REASONS: tuple[str, ...] = tuple(_DATA["loss_reasons"])
# loss-reason weights by price position (a discounter wins on price, a premium brand on product)
REASON_WEIGHTS = {k: tuple(v) for k, v in _DATA["loss_reason_weights"].items()}
MENTION_TEMPLATES: tuple[str, ...] = tuple(_DATA["mention_templates"])
INCUMBENT_SHARE = 0.65  # companies with another supplier named
ESTIMATE_SHARE = 0.7  # of those, the rep wrote an estimated share of wallet
WALLET_SHARE = 0.5  # of those, the yearly wallet is known
MENTION_RATE = 0.06  # interaction notes at customers with an incumbent that name it


def _rival_weights(rivals: tuple[Rival, ...], region: np.ndarray) -> np.ndarray:
    """(n, rivals) pick weights: 3x in a rival's home regions."""
    w = np.ones((len(region), len(rivals)))
    for k, r in enumerate(rivals):
        w[np.isin(region, r.home), k] = 3.0
    return w / w.sum(axis=1, keepdims=True)


def _pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    cum = weights.cumsum(axis=1)
    return (rng.random(len(weights))[:, None] > cum).sum(axis=1)


def plant(rng: np.random.Generator, w: World, ev: dict[str, Any], rec: Records) -> dict[str, Any]:
    """Add competitor columns to the CRM customers and opportunities, competitor mentions to
    interaction notes, and the competitors and market-potential frames; returns the truth."""
    picked = np.sort(rng.choice(len(POOL), size=N_RIVALS, replace=False))
    rivals = tuple(POOL[i] for i in picked)
    n = w.n
    company = ~w.is_person
    has = company & (rng.random(n) < INCUMBENT_SHARE)
    rival = np.where(has, _pick(rng, _rival_weights(rivals, w.region)), -1)
    share = np.clip(rng.beta(2.5, 2.5, n), 0.1, 0.9)
    yearly = w.lam * w.aov  # expected yearly spend with us, yuan
    wallet = np.round(yearly / share / 10000) * 10000
    estimate = has & (rng.random(n) < ESTIMATE_SHARE)
    noisy = np.clip(np.round((share + rng.normal(0, 0.08, n)) * 20) / 20, 0.05, 0.95)
    known_wallet = has & (rng.random(n) < WALLET_SHARE) & (wallet > 0)
    names = np.array(["", *[r.name for r in rivals]])
    short = np.array(["", *[r.aliases.split(";")[0] for r in rivals]])
    # reps type the short name about half the time
    typed = np.where(rng.random(n) < 0.5, short[rival + 1], names[rival + 1])
    _customer_columns(rec, w, typed, estimate, noisy, known_wallet, wallet)
    lost_to = _deal_columns(rng, w, rivals, ev["opportunities"], rec, rival)
    mentions = _mentions(rng, rivals, ev["interactions"], rec, rival)
    rec.competitors = _competitors_frame(rivals)
    chains = _decision_chains(rng, w, rec, has, yearly)
    market, cells = _market(rng, w, yearly)
    rec.market_potential = market
    assert rec.crm_ids is not None  # set when the records are built
    crm = rec.crm_ids.tolist()
    return {
        "competitors": [r.competitor_id for r in rivals],
        "incumbent": {crm[e]: rivals[rival[e]].competitor_id for e in np.flatnonzero(has)},
        "share_of_wallet": {crm[e]: round(float(share[e]), 4) for e in np.flatnonzero(has)},
        "lost_to": lost_to,
        "mentions": mentions,
        "market_potential": cells,
        "decision_chains": chains,
    }


def _customer_columns(
    rec: Records,
    w: World,
    typed: np.ndarray,
    estimate: np.ndarray,
    noisy: np.ndarray,
    known_wallet: np.ndarray,
    wallet: np.ndarray,
) -> None:
    e = rec.crm_ent
    rec.crm["incumbent_supplier"] = typed[e]
    pct = np.char.add(np.round(noisy * 100).astype(int).astype(str), "%")
    rec.crm["share_of_wallet"] = np.where(estimate[e], pct[e], "")
    rec.crm["wallet_size"] = np.where(known_wallet[e], (wallet[e] * 100).astype(np.int64), MISSING)


def _deal_columns(
    rng: np.random.Generator,
    w: World,
    rivals: tuple[Rival, ...],
    op: dict[str, Any],
    rec: Records,
    rival: np.ndarray,
) -> dict[str, int]:
    """A competitor on most deals (the incumbent more often than not); lost deals name the
    winner and a reason that fits its price position."""
    ent = op["ent"]
    m = len(ent)
    random_rival = _pick(rng, _rival_weights(rivals, w.region[ent]))
    inc = rival[ent]
    bidder = np.where((inc >= 0) & (rng.random(m) < 0.7), inc, random_rival)
    bidder = np.where(rng.random(m) < 0.65, bidder, -1)
    status = op["status"].strings()
    lost = status == "lost"
    winner = np.where(
        lost & (rng.random(m) < 0.85), np.where(bidder >= 0, bidder, random_rival), -1
    )
    reason = np.full(m, -1)
    for k, r in enumerate(rivals):
        sel = winner == k
        reason[sel] = rng.choice(
            len(LOSS_REASONS), size=int(sel.sum()), p=REASON_WEIGHTS[r.price_position]
        )
    names = np.array(["", *[r.name for r in rivals]])
    rec.opportunities["competitor"] = Cat((bidder + 1).astype(np.int32), names)
    rec.opportunities["lost_to"] = Cat((winner + 1).astype(np.int32), names)
    rec.opportunities["lost_reason"] = Cat(
        (reason + 1).astype(np.int32), np.array(["", *LOSS_REASONS])
    )
    return {r.competitor_id: int((winner == k).sum()) for k, r in enumerate(rivals)}


def _mentions(
    rng: np.random.Generator,
    rivals: tuple[Rival, ...],
    inter: dict[str, Any],
    rec: Records,
    rival: np.ndarray,
) -> int:
    """Some notes at customers with an incumbent name it (new entries of the note pool)."""
    note = rec.interactions["summary"]
    assert isinstance(note, Cat)  # the note pool is a categorical column
    comp = rival[inter["ent"]]
    pick = (comp >= 0) & (rng.random(len(comp)) < MENTION_RATE)
    base = len(note.values)
    extra = [t.format(name=r.aliases.split(";")[0]) for r in rivals for t in MENTION_TEMPLATES]
    codes = note.codes.copy()
    which = rng.integers(len(MENTION_TEMPLATES), size=int(pick.sum()))
    codes[pick] = base + comp[pick] * len(MENTION_TEMPLATES) + which
    rec.interactions["summary"] = Cat(codes.astype(np.int32), np.concatenate([note.values, extra]))
    return int(pick.sum())


# influence on the buying decision by role: P(high), P(medium); the rest is low
ROLE_INFLUENCE = {"高层": (0.8, 0.15), "采购": (0.4, 0.5), "技术": (0.3, 0.55),
                  "财务": (0.15, 0.5), "使用": (0.05, 0.35)}  # fmt: skip
CHAINS_IN_TRUTH = 50  # decision chains recorded for the largest accounts


def _decision_chains(
    rng: np.random.Generator, w: World, rec: Records, has: np.ndarray, yearly: np.ndarray
) -> dict[str, list[dict[str, Any]]]:
    """Influence by role, attitude (an incumbent turns some contacts against us) and
    relationship strength (closer with the key contact, cold with opponents)."""
    c = rec.contacts
    ent = rec.contact_ent
    assert ent is not None  # set when the records are built
    m = len(ent)
    role = np.asarray(c["role"]).astype(str)
    p_high = np.array([ROLE_INFLUENCE.get(r, (0.2, 0.4))[0] for r in role])
    p_mid = np.array([ROLE_INFLUENCE.get(r, (0.2, 0.4))[1] for r in role])
    u = rng.random(m)
    influence = np.where(u < p_high, "high", np.where(u < p_high + p_mid, "medium", "low"))
    p_opp = np.where(has[ent], 0.22, 0.08)
    v = rng.random(m)
    attitude = np.where(v < p_opp, "opponent", np.where(v < p_opp + 0.4, "neutral", "supporter"))
    key = np.asarray(c["is_key"]).astype(bool)
    strength = np.clip(np.round(rng.normal(np.where(key, 4.0, 2.8), 0.9, m)), 1, 5).astype(int)
    strength = np.where(attitude == "opponent", np.minimum(strength, 2), strength)
    person = w.is_person[ent]
    rec.contacts["influence"] = np.where(person, "", influence)
    rec.contacts["attitude"] = np.where(person, "", attitude)
    rec.contacts["relationship"] = np.where(person, -1, strength)
    companies = np.flatnonzero(~w.is_person)
    top = companies[np.argsort(-yearly[companies], kind="stable")[:CHAINS_IN_TRUTH]]
    crm = rec.crm_ids
    assert crm is not None  # set when the records are built
    ids = np.asarray(c["contact_id"]).astype(str)
    chains: dict[str, list[dict[str, Any]]] = {}
    for e in top.tolist():
        rows = np.flatnonzero(ent == e)
        chains[str(crm[e])] = [
            {"contact_id": ids[i], "role": role[i], "influence": str(influence[i]),
             "attitude": str(attitude[i]), "relationship": int(strength[i])}
            for i in rows.tolist()
        ]  # fmt: skip
    return chains


def _competitors_frame(rivals: tuple[Rival, ...]) -> Frame:
    return {
        "competitor_id": np.array([r.competitor_id for r in rivals]),
        "name": np.array([r.name for r in rivals]),
        "aliases": np.array([r.aliases for r in rivals]),
        "price_position": np.array([r.price_position for r in rivals]),
        "strengths": np.array([r.strengths for r in rivals]),
        "weaknesses": np.array([r.weaknesses for r in rivals]),
    }


def _market(
    rng: np.random.Generator, w: World, yearly: np.ndarray
) -> tuple[Frame, list[dict[str, Any]]]:
    """Market size per region x industry section x the last two years: our expected spend
    there divided by a planted penetration; a few cells with almost no customers are white
    space (large market, penetration near zero)."""
    from kehu.demo import names as N

    section = np.array([N.INDUSTRIES[i].section if i >= 0 else "" for i in w.industry])
    sections = sorted(set(section.tolist()) - {""})
    # a section named like one of its divisions (房地产业 = K and K70) is written as its letter,
    # as a market study would, so the file means the whole section
    divisions = {i.name_zh for i in industries() if i.level == "division"}
    section_name = {
        i.code: i.code if i.name_zh in divisions else i.name_zh
        for i in industries()
        if i.level == "section"
    }
    year = int(str(np.datetime64(w.as_of, "D"))[:4])
    rows: list[dict[str, Any]] = []
    for r, region in enumerate(REGION_NAME.tolist()):
        for s in sections:
            sel = (w.region == r) & (section == s)
            ours = float(yearly[sel].sum())
            white = sel.sum() <= 2 or rng.random() < 0.08
            penetration = float(rng.uniform(0.002, 0.01) if white else rng.uniform(0.03, 0.25))
            size = max(ours / penetration, float(rng.uniform(2e6, 2e7)) if white else 1e6)
            size = round(size / 1e4) * 1e4
            companies = int(max(sel.sum() / max(penetration, 0.01), 20))
            for y in (year - 1, year):
                grown = size / (1.08 if y < year else 1.0)
                rows.append({"region": region, "industry": section_name[s], "section": s,
                             "year": y, "market_size": round(grown / 1e4) * 1e4,
                             "companies": companies, "planted_penetration": round(penetration, 4),
                             "white_space": bool(white)})  # fmt: skip
    frame: Frame = {
        "region": np.array([c["region"] for c in rows]),
        "industry": np.array([c["industry"] for c in rows]),
        "year": np.array([c["year"] for c in rows]),
        "market_size": np.array([int(c["market_size"] * 100) for c in rows], dtype=np.int64),
        "companies": np.array([c["companies"] for c in rows], dtype=np.int64),
    }
    return frame, rows
