"""Customer lifecycle classes (seed 003: 非客户 → 潜在 → 目标 → 初次购买 → 重复购买 → 忠诚 →
流失 → 挽回, or 永远流失).

The first rule that matches wins (purchase days count same-day orders once when
`rfm.merge_same_day`; "interval" = the mean gap between purchase days):
1. no order on or before as_of: `target` with an open opportunity at as_of; `non_customer`
   when the first record of the customer is `lifecycle.non_customer_days` or more before
   as_of; else `prospect`;
2. `lost_forever`: no order for `lifecycle.forever_days` days; `lost`: no order for
   `lifecycle.lost_days` days (recency_days >= lost_days);
3. `at_risk`: 2+ purchase days and recency_days > at_risk_gap_factor x the customer's own
   mean interval;
4. `won_back`: the customer came back after a gap of >= lost_days, and that return was less
   than lost_days ago (after that the customer is judged as repeat / loyal again);
5. `loyal`: >= loyal_min_orders purchase days and a relationship (first order to as_of) of
   >= loyal_min_years;
6. `repeat`: 2+ purchase days; 7. `first_purchase`: one purchase day.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from kehu.config import LifecycleSettings

STAGES: tuple[str, ...] = (
    "non_customer",
    "prospect",
    "target",
    "first_purchase",
    "repeat",
    "loyal",
    "at_risk",
    "lost",
    "lost_forever",
    "won_back",
)


def lifecycle_expr(t: ir.Table, s: LifecycleSettings) -> ir.StringValue:
    """The lifecycle code from recency_days, purchase_days_total, mean_interval_days,
    days_since_return, order_tenure_days (first order to as_of), known_days (first record
    to as_of) and open_opportunities."""
    n = t.purchase_days_total.fill_null(0)
    recency = t.recency_days
    return ibis.cases(
        ((n == 0) & (t.open_opportunities.fill_null(0) > 0), "target"),
        ((n == 0) & (t.known_days.fill_null(0) >= s.non_customer_days), "non_customer"),
        (n == 0, "prospect"),
        (recency >= s.forever_days, "lost_forever"),
        (recency >= s.lost_days, "lost"),
        ((n >= 2) & (recency > s.at_risk_gap_factor * t.mean_interval_days), "at_risk"),
        (t.days_since_return.notnull() & (t.days_since_return < s.lost_days), "won_back"),
        (
            (n >= s.loyal_min_orders) & (t.order_tenure_days >= 365.25 * s.loyal_min_years),
            "loyal",
        ),
        (n >= 2, "repeat"),
        else_="first_purchase",
    )


def lifecycle_for(
    *,
    purchase_days: int,
    recency_days: int | None,
    mean_interval_days: float | None,
    days_since_return: int | None,
    order_tenure_days: int | None,
    open_opportunities: int,
    s: LifecycleSettings,
    known_days: int | None = None,
) -> str:
    """The same rule in plain Python (used by explanations and as the tests' reference)."""
    if purchase_days == 0 or recency_days is None:
        if open_opportunities > 0:
            return "target"
        old = known_days is not None and known_days >= s.non_customer_days
        return "non_customer" if old else "prospect"
    if recency_days >= s.forever_days:
        return "lost_forever"
    if recency_days >= s.lost_days:
        return "lost"
    if (
        purchase_days >= 2
        and mean_interval_days is not None
        and recency_days > s.at_risk_gap_factor * mean_interval_days
    ):
        return "at_risk"
    if days_since_return is not None and days_since_return < s.lost_days:
        return "won_back"
    if (
        purchase_days >= s.loyal_min_orders
        and order_tenure_days is not None
        and order_tenure_days >= 365.25 * s.loyal_min_years
    ):
        return "loyal"
    return "repeat" if purchase_days >= 2 else "first_purchase"
