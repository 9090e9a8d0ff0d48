"""The time-split holdout: fit on the purchases known at T − h, and score each model by the
items its customers bought for the first time in (T − h, T]."""

from __future__ import annotations

from typing import Any

import numpy as np

from kehu.analytics.recommend.data import Purchases, incidence
from kehu.analytics.recommend.models import FIT, top_k

K_HITS = (1, 3, 5)
RECALL_K = 5


def holdout(
    p: Purchases, day: np.datetime64, horizon_days: int, half_life: float, models: tuple[str, ...]
) -> dict[str, Any]:
    """Recall@5 and hit rate@k of each model for the customers who bought something new in
    the last `horizon_days` before `day`, known history only."""
    cutoff = day - np.timedelta64(horizon_days, "D")
    past = p.until(cutoff)
    items = np.unique(past.item)
    inc = incidence(past, cutoff, half_life, items)
    fresh = (p.first_day > cutoff) & (p.first_day <= day) & np.isin(p.customer, inc.customers)
    fresh &= np.isin(p.item, items)  # an item nobody had bought cannot be recommended
    row = np.searchsorted(inc.customers, p.customer[fresh])
    col = np.searchsorted(items, p.item[fresh])
    evaluated = np.unique(row)
    truth = np.zeros((len(evaluated), len(items)), dtype=bool)
    truth[np.searchsorted(evaluated, row), col] = True
    result: dict[str, Any] = {
        "cutoff": str(cutoff),
        "horizon_days": horizon_days,
        "customers_with_history": len(inc.customers),
        "customers_evaluated": len(evaluated),
        "new_items": int(truth.sum()),
        "items": len(items),
        "models": {},
    }
    if not len(evaluated):
        return result
    k = max(*K_HITS, RECALL_K)
    for name in models:
        best, _ = top_k(inc, FIT[name](inc), k)
        picked = best[evaluated]
        hit = np.take_along_axis(truth, np.maximum(picked, 0), axis=1) & (picked >= 0)
        found = np.cumsum(hit, axis=1)
        at = {j: found[:, min(j, found.shape[1]) - 1] for j in (*K_HITS, RECALL_K)}
        result["models"][name] = {
            f"recall_at_{RECALL_K}": float(np.mean(at[RECALL_K] / truth.sum(axis=1))),
            **{f"hit_at_{j}": float(np.mean(at[j] > 0)) for j in K_HITS},
        }
    return result


def best_model(evaluation: dict[str, Any]) -> str:
    """The model with the highest recall@5, then hit rate@1, then the simpler (popularity
    when nothing could be evaluated)."""
    scores = evaluation["models"]
    if not scores:
        return "popularity"
    simple = {m: i for i, m in enumerate(("popularity", "cooccurrence", "als"))}
    return max(
        scores,
        key=lambda m: (scores[m][f"recall_at_{RECALL_K}"], scores[m]["hit_at_1"], -simple[m]),
    )
