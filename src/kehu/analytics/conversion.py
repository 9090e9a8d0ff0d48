"""Conversion success rates per class (seed 003: 6 % prospect/target, 15 % first-time, 50 %
repeat/loyal) and the expected value of the open pipeline (decision 60.5).

Re-estimated from the workspace's own orders: the cohort is every customer as it stood
`conversion.horizon_days` before as_of (d0), classed by its purchase days up to d0 — none, or
lost at d0 (no order for `lifecycle.lost_days`): `prospect`; one: `first_purchase`; two or
more: `repeat`. Customers lost for good at d0 (`lifecycle.forever_days`) and never-buyers
first recorded `lifecycle.non_customer_days` or more before d0 are left out, as the
lifecycle leaves them out of the funnel. Success = an order in (d0, as_of]. A class with at
least `conversion.min_customers` customers uses its own rate (with a Wilson interval at
`conversion.confidence`); otherwise the configured seed rate.

Lifecycle → class: prospect, target, lost → `prospect`; first_purchase → `first_purchase`;
repeat, loyal, at_risk, won_back → `repeat`; non_customer and lost_forever have no rate (0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from kehu.analytics.intervals import wilson
from kehu.analytics.sources import first_seen
from kehu.config import Settings

CLASSES = ("prospect", "first_purchase", "repeat")
CLASS_OF: dict[str, str] = {
    "prospect": "prospect", "target": "prospect", "lost": "prospect",
    "first_purchase": "first_purchase",
    "repeat": "repeat", "loyal": "repeat", "at_risk": "repeat", "won_back": "repeat",
}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    """The success rate used for one class, and the evidence behind it."""

    klass: str
    rate: float
    source: str  # "workspace" (own history) or "default" (the configured seed rate)
    customers: int  # in the class at d0
    converted: int  # of them, bought in (d0, as_of]
    low: float | None  # Wilson interval of the workspace's rate
    high: float | None
    default: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def cohort_table(tables: dict[str, ir.Table], as_of: date, s: Settings) -> ir.Table:
    """(klass, customers, converted) of the cohort at d0 = as_of − conversion.horizon_days."""
    d0 = ibis.literal(as_of - timedelta(days=s.conversion.horizon_days))
    end = ibis.literal(as_of)
    life = s.lifecycle
    o = tables["orders"]
    before = o.order_date <= d0
    per = o.group_by("customer_id").agg(
        days_before=o.order_date.nunique(where=before),
        last_before=o.order_date.max(where=before),
        after=o.count(where=(o.order_date > d0) & (o.order_date <= end)),
        first_order=o.order_date.min(),
    )
    seen = first_seen(tables, skip=("orders",))
    cust = tables["customers"].select("customer_id")
    t = cust.left_join(per, cust.customer_id == per.customer_id).drop("customer_id_right")
    t = t.left_join(seen, t.customer_id == seen.customer_id).drop("customer_id_right")
    n = t.days_before.fill_null(0)
    earliest = ibis.least(t.seen, t.first_order)
    silent = d0.delta(t.last_before, unit="day")
    klass = ibis.cases(
        (earliest.notnull() & (earliest > d0), ibis.null("string")),  # not there yet
        ((n == 0) & (d0.delta(t.seen, unit="day") >= life.non_customer_days), ibis.null("string")),
        ((n > 0) & (silent >= life.forever_days), ibis.null("string")),
        ((n == 0) | (silent >= life.lost_days), "prospect"),
        (n == 1, "first_purchase"),
        else_="repeat",
    )
    t = t.mutate(klass=klass).filter(lambda x: x.klass.notnull())
    return t.group_by("klass").agg(
        customers=t.count(), converted=t.count(where=t.after.fill_null(0) > 0)
    )


def conversion_rates(tables: dict[str, ir.Table], as_of: date, s: Settings) -> dict[str, Rate]:
    """The rate of each class: the workspace's own when it has enough history, else the
    configured default."""
    c = s.conversion
    counts: dict[str, tuple[int, int]] = {}
    if c.estimate:
        frame = cohort_table(tables, as_of, s).to_pyarrow().to_pylist()
        counts = {r["klass"]: (int(r["customers"]), int(r["converted"])) for r in frame}
    out = {}
    for klass in CLASSES:
        default = float(getattr(c, klass))
        n, k = counts.get(klass, (0, 0))
        low = high = None
        if n > 0:
            low, high = wilson(k, n, c.confidence)
        own = c.estimate and n >= c.min_customers
        out[klass] = Rate(
            klass, k / n if own else default, "workspace" if own else "default", n, k, low,
            high, default,
        )  # fmt: skip
    return out


def rate_for(lifecycle: str | None, rates: dict[str, Rate]) -> float:
    """The success rate of a customer in lifecycle stage `lifecycle` (0 outside the funnel)."""
    klass = CLASS_OF.get(lifecycle or "")
    return 0.0 if klass is None else rates[klass].rate


def rate_sql(column: str, rates: dict[str, Rate]) -> str:
    """`rate_for` as a SQL expression over a lifecycle column."""
    whens = " ".join(
        f"WHEN '{stage}' THEN {rates[klass].rate!r}" for stage, klass in CLASS_OF.items()
    )
    return f"(CASE {column} {whens} ELSE 0.0 END)"
