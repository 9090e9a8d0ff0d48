"""Per-customer facts from the orders for value and lifecycle: gaps, payments, profit.

Pure Ibis. `order_facts` is one pass over *all* orders: a lag window gives each order the gap
to the customer's previous order (0 for a second order on the same day), and one group-by
computes the gap statistics, margins and collections with `order_date <= as_of` in each
aggregate, so later orders are ignored (point in time) yet still tell when the customer first
appeared. The counts and sums of RFM come from `kehu.analytics.purchases` (no window needed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from kehu.analytics.numeric import when
from kehu.config import Settings


@dataclass(frozen=True)
class Windows:
    """The date windows of one snapshot: last 12 months (by default) and the 12 before, and
    the churn rules' current and previous period (`churn.period_days`, 90 days)."""

    as_of: date
    start: date  # first day inside the current window
    prev_start: date  # first day inside the previous window
    due_cutoff: date  # orders without due_date dated on or before this are due
    period_start: date  # first day of the current churn period
    period_prev_start: date  # first day of the previous churn period

    @classmethod
    def of(cls, as_of: date, settings: Settings) -> Windows:
        return cls.around(
            as_of,
            settings.rfm.window_days,
            settings.churn.period_days,
            settings.value.collection_grace_days,
        )

    @classmethod
    def around(cls, as_of: date, days: int = 365, period: int = 90, grace: int = 0) -> Windows:
        """Windows of `days` and churn periods of `period` days ending on `as_of`."""
        return cls(
            as_of=as_of,
            start=as_of - timedelta(days=days - 1),
            prev_start=as_of - timedelta(days=2 * days - 1),
            due_cutoff=as_of - timedelta(days=grace),
            period_start=as_of - timedelta(days=period - 1),
            period_prev_start=as_of - timedelta(days=2 * period - 1),
        )

    def current(self, day: ir.DateValue) -> ir.BooleanValue:
        return day >= ibis.literal(self.start)

    def previous(self, day: ir.DateValue) -> ir.BooleanValue:
        return (day >= ibis.literal(self.prev_start)) & (day < ibis.literal(self.start))


ZERO = ibis.literal(Decimal("0.00"), type="decimal(18, 2)")


def money_aggregates(o: ir.Table, where: ir.BooleanValue) -> dict[str, ir.Value]:
    """cost (sum of known costs), costed_revenue (revenue of the orders with a cost) and
    costed_orders, over the orders `where` holds: the CLV's profit and observed margin."""
    has_cost = where & o.cost.notnull()
    return {
        "cost": when(where, o.cost).sum().cast("float64"),
        "costed_revenue": when(has_cost, o.amount).sum().cast("float64"),
        "costed_orders": when(has_cost).count(),
    }


def order_facts(orders: ir.Table, w: Windows, lost_days: int) -> ir.Table:
    """One row per customer with any order (also after as_of), facts up to as_of that need
    each order's gap to the previous one or its payment (the counts and sums of RFM and CLV
    come from `kehu.analytics.purchases.purchase_facts`).

    Columns: customer_id, first_seen_order (earliest order at any date), cost,
    costed_revenue, costed_orders (to date, `money_aggregates`), profit_12m (orders
    with a cost only; null when none), costed_spend_12m, due_12m, paid_12m (回款: paid on or
    before as_of, orders due by then), days_to_pay, gap_count, gap_sum, gap_sq_sum (gaps
    between purchase days), and return_date (the latest purchase day after a gap of at least
    `lost_days`: the customer came back after being lost).
    """
    # No tie-breaker needed (and sorting 10^7 string ids costs 10 s): whatever the order of
    # same-day orders, exactly one of them gets the positive gap to the previous day and the
    # others get 0, so every aggregate below is the same on every engine.
    # Only the columns used below go through the window (it carries whatever it is given).
    o = orders.select(
        "customer_id", "order_date", "amount", "cost", "paid_amount", "paid_date", "due_date"
    )
    prev = o.order_date.lag().over(group_by=o.customer_id, order_by=o.order_date)
    o = o.mutate(_gap=o.order_date.delta(prev, unit="day"))
    amount = o.amount  # sums stay exact decimals: 100000.10 + 99999.90 is 200000.00
    pit = o.order_date <= ibis.literal(w.as_of)
    cur = pit & w.current(o.order_date)
    has_cost = cur & o.cost.notnull()
    tracked = o.paid_amount.notnull() | o.paid_date.notnull()
    due = (o.due_date.notnull() & (o.due_date <= ibis.literal(w.as_of))) | (
        o.due_date.isnull() & (o.order_date <= ibis.literal(w.due_cutoff))
    )
    paid_by_then = o.paid_date.isnull() | (o.paid_date <= ibis.literal(w.as_of))
    paid_value = ibis.cases(
        (~paid_by_then, ZERO),
        (o.paid_amount.notnull(), o.paid_amount),
        else_=amount,  # a paid_date without an amount means paid in full
    )
    in_collection = cur & tracked & due
    pay_days = o.paid_date.delta(o.order_date, unit="day")
    real_gap = pit & (o._gap > 0)
    gap = o._gap.cast("float64")
    return o.group_by("customer_id").agg(
        first_seen_order=o.order_date.min(),
        **money_aggregates(o, pit),
        profit_12m=when(has_cost, amount - o.cost).sum(),
        costed_spend_12m=when(has_cost, amount).sum(),
        due_12m=when(in_collection, amount).sum(),
        paid_12m=when(in_collection, paid_value).sum(),
        days_to_pay=when(pit & o.paid_date.notnull() & paid_by_then, pay_days).mean(),
        gap_count=when(real_gap).count(),
        gap_sum=when(real_gap, gap).sum(),
        gap_sq_sum=when(real_gap, gap * gap).sum(),
        return_date=when(pit & (o._gap >= lost_days), o.order_date).max(),
    )


def payment_facts(orders: ir.Table, w: Windows) -> ir.Table:
    """Payment dates in the window (on or before as_of): paid_days (distinct), first, last.

    The payment cadence (季度回款 ≈ 91 days) describes the current cooperation, so only the
    last 12 months count; it also keeps the distinct pass small.
    """
    o = orders
    paid = o.filter(
        o.paid_date.notnull()
        & (o.paid_date <= ibis.literal(w.as_of))
        & (o.paid_date >= ibis.literal(w.start))
        & (o.order_date <= ibis.literal(w.as_of))
    )
    days = paid.select("customer_id", "paid_date").distinct()
    return days.group_by("customer_id").agg(
        paid_days=days.count(),
        first_paid=days.paid_date.min(),
        last_paid=days.paid_date.max(),
    )
