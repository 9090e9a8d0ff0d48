"""Why an item is recommended, as a fact about the purchases: of the customers who bought
one of this customer's items, the share who also bought it (the customer's own item with the
highest share), else the share of all customers who bought it."""

from __future__ import annotations

from typing import Any

import numpy as np

from kehu.analytics.recommend.data import Incidence
from kehu.analytics.recommend.models import together
from kehu.i18n import catalog

T = catalog("recommend")


def because(inc: Incidence, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per recommended slot of `best` (customers × k item indexes): the bought item whose
    buyers most often also bought it (-1: none did) and that share of them."""
    both = together(inc)
    n = np.diag(both).copy()
    also = np.divide(both, n[:, None], out=np.zeros_like(both), where=n[:, None] > 0)
    np.fill_diagonal(also, 0.0)
    bought = inc.bought.tocoo()  # every customer of `inc` bought at least one item
    row, item = bought.row, bought.col
    popular = n / max(1, inc.weights.shape[0])
    src = np.full(best.shape, -1, dtype=np.int64)
    share = np.zeros(best.shape)
    for slot in range(best.shape[1]):
        target = best[row, slot]
        val = np.where(target >= 0, also[item, np.maximum(target, 0)], 0.0)
        top = np.lexsort((-val, row))  # by customer, then the largest share first
        _, first = np.unique(row[top], return_index=True)
        pick = top[first]
        customer = row[pick]
        found = val[pick] > 0
        src[customer, slot] = np.where(found, item[pick], -1)
        share[customer, slot] = np.where(
            found, val[pick], popular[np.maximum(best[customer, slot], 0)]
        )
    return src, share


def affinities(inc: Incidence) -> list[dict[str, Any]]:
    """Per item X its closest item Y by cosine ("customers who buy X also buy Y"), with the
    share of X's buyers who bought Y and the lift over Y's share of everyone; closest first."""
    both = together(inc)
    n = np.diag(both).copy()
    cosine = np.divide(both, np.sqrt(np.outer(n, n)), out=np.zeros_like(both), where=both > 0)
    np.fill_diagonal(cosine, 0.0)
    out = []
    for x in np.argsort(-cosine.max(axis=1), kind="stable"):
        y = int(np.argmax(cosine[x]))
        if cosine[x, y] <= 0:
            continue
        share = float(both[x, y] / n[x])
        out.append({"item": str(inc.items[x]), "also": str(inc.items[y]), "share": share,
                    "lift": share / float(n[y] / len(inc.customers)),
                    "cosine": float(cosine[x, y])})  # fmt: skip
    return out


def sentence(entry: dict[str, Any], lang: str) -> str:
    """The reason of one recommended item, in the customer's own terms."""
    if entry.get("because"):
        return T(
            "because", lang, item=entry["item"], because=entry["because"], share=entry["share"]
        )
    return T("popular", lang, item=entry["item"], share=entry["share"])
