"""Planted cross-sell affinities: a buyer of category A goes on to buy B with probability p
after a lag, by re-labelling some of its later orders (amounts and dates stay, so revenue,
CLV and churn figures are unchanged); the pairs and who adopted are recorded in truth.json."""

from __future__ import annotations

from typing import Any

import numpy as np

from kehu.demo.events import _CAT_CNT, _CAT_OFF, PROD_PRICE, PROJECT_CATS, Arrays
from kehu.demo.world import CATEGORIES, World

# (bought first, bought next, probability, mean lag in days)
PAIRS = (("PLC控制器", "人机界面", 0.6, 90), ("工业软件", "运维服务", 0.6, 120),
         ("伺服系统", "变频器", 0.5, 60))  # fmt: skip
MIN_LAG = 30  # days: the next category is never bought at once
LATER_SHARE = 0.35  # of the adopter's orders after its first B order, the share that are B
STREAM = 2020  # this plant's own random stream: `numpy.random.default_rng([seed, STREAM])`


def plant_cross_sell(rng: np.random.Generator, w: World, orders: Arrays) -> dict[str, Any]:
    """Re-label the adopters' later orders in `orders` (sorted by day); the truth to record."""
    ent, day, cat, prod, qty = (orders[k] for k in ("ent", "day", "cat", "prod", "qty"))
    names = CATEGORIES.tolist()
    pairs = []
    for a_name, b_name, p, lag_mean in PAIRS:
        a, b = names.index(a_name), names.index(b_name)
        first_a = _first_day(ent, day, cat == a, w.n)
        first_b = _first_day(ent, day, cat == b, w.n)
        buyers = np.flatnonzero((first_a >= 0) & ((first_b < 0) | (first_b > first_a)))
        adopt = buyers[rng.random(len(buyers)) < p]
        start = np.full(w.n, -1, dtype=np.int64)
        start[adopt] = first_a[adopt] + MIN_LAG + rng.exponential(lag_mean - MIN_LAG, len(adopt))
        after = (start[ent] >= 0) & (day >= start[ent]) & (cat != a)
        first_after = after & _is_first(ent, after)
        pick = first_after | (after & (rng.random(len(ent)) < LATER_SHARE))
        cat[pick] = b
        prod[pick] = _CAT_OFF[b] + (rng.random(int(pick.sum())) * _CAT_CNT[b]).astype(prod.dtype)
        amount = orders["amount_fen"][pick] / 100.0
        unit = PROD_PRICE[prod[pick]] * w.disc[ent[pick]]
        qty[pick] = 1 if b in PROJECT_CATS else np.maximum(1, np.round(amount / unit))
        adopters = np.unique(ent[first_after])
        pairs.append({"from": a_name, "to": b_name, "p": p, "lag_days_mean": lag_mean,
                      "buyers": int(len(buyers)), "adopters": int(len(adopters))})  # fmt: skip
    return {"pairs": pairs, "min_lag_days": MIN_LAG}


def _first_day(ent: np.ndarray, day: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per entity, the first day of an order in `mask` (-1: none)."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, ent[mask], day[mask].astype(np.int64))
    return np.where(out == np.iinfo(np.int64).max, -1, out)


def _is_first(ent: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """True on the first row in `mask` of each entity (rows sorted by day)."""
    idx = np.flatnonzero(mask)
    _, first = np.unique(ent[idx], return_index=True)
    out = np.zeros(len(ent), dtype=bool)
    out[idx[first]] = True
    return out
