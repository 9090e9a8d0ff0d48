"""Per-customer facts from the orders: the inputs of RFM, value, Pareto and lifecycle.

Pure Ibis over the point-in-time orders (`sources.as_of_view`). Two passes over the orders:
`order_facts` (one group-by with conditional sums) and `purchase_day_facts` (distinct purchase
days with the gap to the previous one, for intervals, regularity and win-back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from kehu.config import Settings


@dataclass(frozen=True)
class Windows:
    """The date windows of one snapshot: last 12 months (by default) and the 12 before."""

    as_of: date
    start: date  # first day inside the current window
    prev_start: date  # first day inside the previous window
    due_cutoff: date  # orders without due_date dated on or before this are due

    @classmethod
    def of(cls, as_of: date, settings: Settings) -> Windows:
        days = settings.rfm.window_days
        return cls(
            as_of=as_of,
            start=as_of - timedelta(days=days - 1),
            prev_start=as_of - timedelta(days=2 * days - 1),
            due_cutoff=as_of - timedelta(days=settings.value.collection_grace_days),
        )

    def current(self, day: ir.DateValue) -> ir.BooleanValue:
        return day >= ibis.literal(self.start)

    def previous(self, day: ir.DateValue) -> ir.BooleanValue:
        return (day >= ibis.literal(self.prev_start)) & (day < ibis.literal(self.start))


ZERO = ibis.literal(Decimal("0.00"), type="decimal(18, 2)")


def order_facts(orders: ir.Table, w: Windows) -> ir.Table:
    """One row per ordering customer: counts, spend, profit and collection over the windows.

    Columns: customer_id, first_order_date, last_order_date, orders_total, spend_total,
    order_rows_12m, spend_12m, spend_prev_12m, profit_12m (orders with a cost only; null when
    none), costed_spend_12m, due_12m, paid_12m (回款: paid on or before as_of, orders due by
    then), days_to_pay.
    """
    o = orders
    amount = o.amount  # sums stay exact decimals: 100000.10 + 99999.90 is 200000.00
    cur = w.current(o.order_date)
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
    return o.group_by("customer_id").agg(
        first_order_date=o.order_date.min(),
        last_order_date=o.order_date.max(),
        orders_total=o.count(),
        spend_total=amount.sum(),
        order_rows_12m=o.count(where=cur),
        spend_12m=amount.sum(where=cur),
        spend_prev_12m=amount.sum(where=w.previous(o.order_date)),
        profit_12m=(amount - o.cost).sum(where=has_cost),
        costed_spend_12m=amount.sum(where=has_cost),
        due_12m=amount.sum(where=in_collection),
        paid_12m=paid_value.sum(where=in_collection),
        days_to_pay=pay_days.mean(where=o.paid_date.notnull() & paid_by_then),
    )


def payment_facts(orders: ir.Table, as_of: date) -> ir.Table:
    """paid_days (distinct payment dates on or before as_of), first_paid, last_paid."""
    paid = orders.filter(orders.paid_date.notnull() & (orders.paid_date <= ibis.literal(as_of)))
    days = paid.select("customer_id", "paid_date").distinct()
    return days.group_by("customer_id").agg(
        paid_days=days.count(),
        first_paid=days.paid_date.min(),
        last_paid=days.paid_date.max(),
    )


def purchase_day_facts(orders: ir.Table, w: Windows, lost_days: int) -> ir.Table:
    """One row per ordering customer from its distinct purchase days.

    Columns: customer_id, purchase_days_total, purchase_days_12m, gap_count, gap_sum, gap_sq_sum,
    return_date (the latest purchase day that followed a gap of at least `lost_days`: the
    customer came back after being lost). (customer_id, order_date) is unique here, so the
    window order needs no further tie-breaker.
    """
    days = orders.select("customer_id", "order_date").distinct()
    prev = days.order_date.lag().over(group_by=days.customer_id, order_by=days.order_date)
    gaps = days.mutate(gap=days.order_date.delta(prev, unit="day"))
    gap = gaps.gap.cast("float64")
    return gaps.group_by("customer_id").agg(
        purchase_days_total=gaps.count(),
        purchase_days_12m=gaps.count(where=w.current(gaps.order_date)),
        gap_count=gaps.gap.count(),
        gap_sum=gap.sum(),
        gap_sq_sum=(gap * gap).sum(),
        return_date=gaps.order_date.max(where=gaps.gap >= lost_days),
    )
