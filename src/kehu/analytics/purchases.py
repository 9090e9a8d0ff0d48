"""Purchase facts: one pass over the orders gives the inputs of RFM and of the CLV models.

`purchase_facts(orders, w)` groups the orders dated on or before `w.as_of` by (customer, day),
then by customer (two plain aggregations, no window, no sort), giving:

- money to date: orders_total (rows), spend_total (exact decimal), revenue (float);
- RFM inputs: first_order_date, last_order_date, purchase_days_total (same-day orders once),
  purchase_days_12m and order_rows_12m and spend_12m in the current window, spend_prev_12m;
- churn inputs: purchase_days_cur and purchase_days_prev in the churn rules' two periods;
- CLV summary (`kehu.analytics.clv.summary`): purchase occasions are the days whose net amount
  is not negative (a day of returns is no purchase); x = occasions − 1, first_day, last_day,
  t_x_days = last_day − first_day, T_days = as_of − first_day, m_repeat = mean value of the
  occasions after the first, m_all = mean value of all occasions. Customers with orders but
  no occasion (every day nets below 0) have null x.

Costs are left to `features.money_aggregates` (used by `kehu.analytics.features.order_facts`, which
reads the cost column anyway): this pass is what RFM and the CLV fit need, and nothing else.
Pure Ibis: the same expression runs on DuckDB and Spark. `analyze` computes it once and
scores RFM from it (`kehu.analytics.core.rfm_table`); the CLV fit reads the same rows.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from kehu.analytics.features import Windows, money_aggregates
from kehu.analytics.numeric import when


def money_facts(orders: ir.Table, as_of: date) -> ir.Table:
    """customer_id plus `money_aggregates` of the orders on or before `as_of`."""
    o = orders.filter(orders.order_date <= ibis.literal(as_of))
    return o.group_by("customer_id").agg(**money_aggregates(o, ibis.literal(True)))


def purchase_facts(orders: ir.Table, w: Windows) -> ir.Table:
    """One row per customer with an order on or before `w.as_of` (see module docstring)."""
    o = orders.filter(orders.order_date <= ibis.literal(w.as_of))
    # A day's net amount as decimal(18, 2), the type of one amount (DuckDB would widen the sum
    # to 128-bit integers, which makes the second aggregation 10 % slower); a customer's
    # orders of one day would need to pass 10^16 to overflow, and the cast then fails loudly.
    days = o.group_by(["customer_id", "order_date"]).agg(
        v=o.amount.sum().cast(o.amount.type()), rows=o.count()
    )
    d = days.order_date
    buy = days.v >= 0
    cur = w.current(d)
    per = days.group_by("customer_id").agg(
        first_order_date=d.min(),
        last_order_date=d.max(),
        orders_total=days.rows.sum(),
        spend_total=days.v.sum(),
        purchase_days_total=days.count(),
        purchase_days_12m=when(cur).count(),
        order_rows_12m=when(cur, days.rows).sum().fill_null(0),
        purchase_days_cur=when(d >= ibis.literal(w.period_start)).count(),
        purchase_days_prev=when(
            (d >= ibis.literal(w.period_prev_start)) & (d < ibis.literal(w.period_start))
        ).count(),
        spend_12m=when(cur, days.v).sum(),
        spend_prev_12m=when(w.previous(d), days.v).sum(),
        _occasions=when(buy).count(),
        first_day=when(buy, d).min(),
        last_day=when(buy, d).max(),
        # exact sums, cast after: a float sum would depend on the row order of the scan
        _value_sum=when(buy, days.v).sum().cast("float64"),
        _first_value=days.v.argmin(d, where=buy).cast("float64"),
    )
    n = per._occasions
    return per.mutate(
        revenue=per.spend_total.cast("float64"),
        x=ibis.ifelse(n > 0, (n - 1).cast("float64"), ibis.null("float64")),
        t_x_days=per.last_day.delta(per.first_day, unit="day").cast("float64"),
        T_days=ibis.literal(w.as_of).delta(per.first_day, unit="day").cast("float64"),
        m_repeat=ibis.ifelse(
            n > 1,
            (per._value_sum - per._first_value) / (n - 1).cast("float64"),
            ibis.null("float64"),
        ),
        m_all=ibis.ifelse(n > 0, per._value_sum / n.cast("float64"), ibis.null("float64")),
    ).drop("_occasions", "_value_sum", "_first_value")
