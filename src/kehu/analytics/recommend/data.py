"""The customer × item incidence the recommenders learn from: who bought which category
(or product), first and last day, read from the orders in one aggregation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
import pandas as pd
from scipy import sparse

from kehu.errors import KehuError

if TYPE_CHECKING:
    from kehu.workspace import Workspace

Level = Literal["category", "product"]
COLUMN: dict[str, str] = {"category": "product_category", "product": "product"}


def check_level(level: str) -> Level:
    """Validate a level name given by a user."""
    if level not in COLUMN:
        raise KehuError(
            f"推荐层级 {level!r} 无效:可选 category、product",
            f"unknown recommendation level {level!r}: use category or product",
        )
    return cast(Level, level)


BOUGHT = """
SELECT customer_id, {col} AS item, min(order_date) AS first_day, max(order_date) AS last_day
FROM orders WHERE {col} IS NOT NULL AND trim({col}) <> '' AND order_date <= ?
GROUP BY ALL
"""


@dataclass(frozen=True)
class Purchases:
    """One row per (customer, item) bought: first and last purchase day."""

    customer: np.ndarray  # customer ids (str)
    item: np.ndarray  # item names (str)
    first_day: np.ndarray  # datetime64[D]
    last_day: np.ndarray  # datetime64[D]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Purchases:
        return cls(
            frame["customer_id"].astype(str).to_numpy(),
            frame["item"].astype(str).to_numpy(),
            frame["first_day"].to_numpy().astype("datetime64[D]"),
            frame["last_day"].to_numpy().astype("datetime64[D]"),
        )

    def until(self, day: np.datetime64) -> Purchases:
        """What was known on `day`: items first bought by then, last bought no later."""
        keep = self.first_day <= day
        return Purchases(
            self.customer[keep],
            self.item[keep],
            self.first_day[keep],
            np.minimum(self.last_day[keep], day),
        )

    @property
    def latest(self) -> np.datetime64:
        return self.last_day.max() if len(self.last_day) else np.datetime64("NaT")


def load(ws: Workspace, level: Level, as_of: object) -> Purchases:
    """Every (customer, item) bought up to `as_of`."""
    frame = ws.read(BOUGHT.format(col=COLUMN[level]), [as_of]).df()
    return Purchases.of(frame)


@dataclass(frozen=True)
class Incidence:
    """The purchases as a sparse customers × items matrix of recency weights (1 when bought
    on the reference day, halving every `half_life` days before it)."""

    customers: np.ndarray
    items: np.ndarray
    weights: sparse.csr_matrix

    @property
    def bought(self) -> sparse.csr_matrix:
        b = self.weights.copy()
        b.data = np.ones_like(b.data)
        return b


def incidence(p: Purchases, day: np.datetime64, half_life: float, items: np.ndarray) -> Incidence:
    """`p` on the axis `items` (items outside it are dropped), weighted as of `day`."""
    customers, row = np.unique(p.customer, return_inverse=True)
    col = np.searchsorted(items, p.item)
    known = (col < len(items)) & (items[np.minimum(col, len(items) - 1)] == p.item)
    age = (day - p.last_day).astype("timedelta64[D]").astype(np.float64)
    w = np.exp2(-np.maximum(age, 0.0) / half_life)
    m = sparse.csr_matrix((w[known], (row[known], col[known])), shape=(len(customers), len(items)))
    return Incidence(customers, items, m)
