"""Point-in-time churn features, written once as Ibis expressions over the canonical tables.

`feature_table(tables, as_of, settings)` returns one row per customer with at least one
order on or before `as_of`, using only records dated on or before `as_of` (so the same code
builds the training rows at past dates). The order features come from
`kehu.analytics.purchases.purchase_facts` (the pass `analyze` makes for RFM; it passes those
rows in): orders are counted as purchase days (same-day orders once), spend over the RFM
window (12 months by default). "Current" is the `churn.period_days` up to `as_of`,
"previous" the period before it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from kehu.analytics.features import Windows
from kehu.analytics.purchases import purchase_facts
from kehu.config import Settings

# The purchase model's outputs at the date (`baseline.add_purchase_features`).
PURCHASE_FEATURES: tuple[str, ...] = ("p_no_purchase", "expected_purchases_h", "p_alive")
# Model inputs; the rule signals are among them (docs/clv_churn.md lists each one).
FEATURES: tuple[str, ...] = (
    "recency_days",
    "tenure_days",
    "n_orders",
    "mean_interval_days",
    "gap_ratio",
    "orders_cur",
    "orders_prev",
    "spend_12m",
    "spend_prev_12m",
    "spend_trend",
    "avg_order_value",
    "interactions_cur",
    "interactions_prev",
    "tickets_cur",
    "complaints_cur",
    "complaints_prev",
    "open_tickets",
    "nps_last",
    "overdue_amount",
    "overdue_orders",
    "overdue_max_days",
    *PURCHASE_FEATURES,
)


def _day(d: date) -> ir.DateScalar:
    return ibis.date(d)


def orders_features(purchases: ir.Table, as_of: date) -> ir.Table:
    """The order features from `purchase_facts` rows (customers with an order by `as_of`)."""
    p = purchases.filter(purchases.first_order_date.notnull())
    return p.select(
        "customer_id",
        first_order=p.first_order_date,
        last_order=p.last_order_date,
        n_orders=p.purchase_days_total,
        # exact decimal sums, cast at the end: float sums depend on the row order of a
        # parallel scan, and LightGBM's bins would follow the last bit
        spend_total=p.spend_total.cast("float64"),
        orders_cur=p.purchase_days_cur,
        orders_prev=p.purchase_days_prev,
        spend_12m=p.spend_12m.cast("float64").fill_null(0.0),
        spend_prev_12m=p.spend_prev_12m.cast("float64").fill_null(0.0),
        recency_days=_day(as_of).delta(p.last_order_date, unit="day"),
        tenure_days=_day(as_of).delta(p.first_order_date, unit="day"),
        x=p.x,  # the purchase model's inputs (`baseline.py`)
        t_x_days=p.t_x_days,
        T_days=p.T_days,
    )


def _payments(t: ir.Table, as_of: date, settings: Settings) -> ir.Table:
    """Outstanding money at `as_of` on orders more than `overdue_days` past their due date."""
    o = t.filter((t.order_date <= _day(as_of)) & t.due_date.notnull())
    amount = o.amount  # exact decimals, like `_orders`
    paid = o.paid_amount
    paid_by_then = o.paid_date.notnull() & (o.paid_date <= _day(as_of))
    outstanding = ibis.cases(
        (paid_by_then, amount - paid.fill_null(amount)),
        (o.paid_date.notnull(), amount),  # paid later than as_of: still open then
        else_=amount - paid.fill_null(0),
    )
    past_due = _day(as_of).delta(o.due_date, unit="day")
    o = o.mutate(outstanding=outstanding, past_due=past_due)
    late = o.filter((o.outstanding > 0.005) & (o.past_due > settings.churn.overdue_days))
    return late.group_by("customer_id").aggregate(
        overdue_amount=late.outstanding.sum().cast("float64"),
        overdue_orders=late.count(),
        overdue_max_days=late.past_due.max(),
    )


def _counts(
    t: ir.Table, when: ir.DateColumn, as_of: date, period: int, name: str, extra: Any = None
) -> ir.Table:
    cur_start = as_of - timedelta(days=period)
    prev_start = as_of - timedelta(days=2 * period)
    t = t.mutate(_d=when)
    t = t.filter(t._d <= _day(as_of))
    cur = (t._d > _day(cur_start)).cast("int64")
    prev = ((t._d > _day(prev_start)) & (t._d <= _day(cur_start))).cast("int64")
    metrics = {f"{name}_cur": cur.sum(), f"{name}_prev": prev.sum()}
    if extra:
        metrics.update(extra(t, cur, prev))
    return t.group_by("customer_id").aggregate(**metrics)


def _tickets(t: ir.Table, as_of: date, settings: Settings) -> ir.Table:
    cats = [c.strip().lower() for c in settings.churn.complaint_categories]
    end = ibis.timestamp(as_of + timedelta(days=1))

    def extra(tt: ir.Table, cur: ir.IntegerColumn, prev: ir.IntegerColumn) -> dict[str, Any]:
        # no strip(): imports trim text, and TRIM mis-compiles on Spark (decision 31)
        is_complaint = tt.category.lower().isin(cats).fill_null(False).cast("int64")
        still_open = (tt.resolved_at.isnull() | (tt.resolved_at >= end)).cast("int64")
        return {
            "complaints_cur": (is_complaint * cur).sum(),
            "complaints_prev": (is_complaint * prev).sum(),
            "open_tickets": still_open.sum(),
        }

    return _counts(t, t.opened_at.date(), as_of, settings.churn.period_days, "tickets", extra)


def _nps(t: ir.Table, as_of: date, settings: Settings) -> ir.Table:
    start = as_of - timedelta(days=settings.churn.nps_lookback_days)
    s = t.filter((t.surveyed_on <= _day(as_of)) & (t.surveyed_on > _day(start)) & t.nps.notnull())
    # Latest survey per customer; survey_id breaks ties so every engine picks the same row.
    ranked = s.mutate(
        _rn=ibis.row_number().over(
            group_by=s.customer_id, order_by=[s.surveyed_on.desc(), s.survey_id.desc()]
        )
    )
    last = ranked.filter(ranked._rn == 0)
    return last.select("customer_id", nps_last=last.nps, nps_date=last.surveyed_on)


def feature_table(
    tables: dict[str, ir.Table],
    as_of: date,
    settings: Settings,
    purchases: ir.Table | None = None,
) -> ir.Table:
    """The per-customer feature expression at `as_of` (see module docstring); `purchases`
    are the `purchase_facts` rows at `as_of` when the caller has them already."""
    period = settings.churn.period_days
    if purchases is None:
        purchases = purchase_facts(tables["orders"], Windows.of(as_of, settings))
    out = orders_features(purchases, as_of)
    joins: list[ir.Table] = [_payments(tables["orders"], as_of, settings)]
    if "interactions" in tables:
        it = tables["interactions"]
        joins.append(_counts(it, it.occurred_at.date(), as_of, period, "interactions"))
    if "tickets" in tables:
        joins.append(_tickets(tables["tickets"], as_of, settings))
    if "surveys" in tables:
        joins.append(_nps(tables["surveys"], as_of, settings))
    for j in joins:
        out = out.left_join(j, "customer_id").drop("customer_id_right")
    return out


def feature_frame(
    tables: dict[str, ir.Table],
    as_of: date,
    settings: Settings,
    purchases: ir.Table | None = None,
) -> pd.DataFrame:
    """Execute `feature_table` and add the derived columns (interval, gap ratio, trends)."""
    df = feature_table(tables, as_of, settings, purchases).to_pyarrow().to_pandas()
    return derive(df)


def derive(df: pd.DataFrame) -> pd.DataFrame:
    """Fill absent counts with 0 and compute ratios; every FEATURES column exists after."""
    zero_fill = (
        "interactions_cur",
        "interactions_prev",
        "tickets_cur",
        "tickets_prev",
        "complaints_cur",
        "complaints_prev",
        "open_tickets",
        "overdue_amount",
        "overdue_orders",
    )
    for col in zero_fill:
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0) if col in df else 0
    for col in ("nps_last", "overdue_max_days"):
        if col not in df:
            df[col] = float("nan")
    if "nps_date" not in df:
        df["nps_date"] = pd.NaT
    num = [c for c in (*FEATURES, "x", "t_x_days", "T_days") if c in df.columns]
    df[num] = df[num].apply(pd.to_numeric, errors="coerce").astype(float)
    span = pd.to_numeric(df["tenure_days"] - df["recency_days"], errors="coerce").astype(float)
    many = df["n_orders"] >= 2
    df["mean_interval_days"] = (span / (df["n_orders"] - 1)).where(many)
    df["gap_ratio"] = (df["recency_days"] / df["mean_interval_days"].clip(lower=1.0)).where(many)
    prev = df["spend_prev_12m"]
    df["spend_trend"] = (df["spend_12m"] / prev).where(prev > 0)
    df["avg_order_value"] = df["spend_total"].astype(float) / df["n_orders"]
    df["customer_id"] = df["customer_id"].astype(str)
    return df.sort_values("customer_id", kind="stable").reset_index(drop=True)


def label_frame(tables: dict[str, ir.Table], as_of: date, horizon_days: int) -> pd.DataFrame:
    """customer_id, bought: 1 when the customer ordered in (as_of, as_of + horizon]."""
    o = tables["orders"]
    end = as_of + timedelta(days=horizon_days)
    window = o.filter((o.order_date > _day(as_of)) & (o.order_date <= _day(end)))
    df = window.select("customer_id").distinct().to_pyarrow().to_pandas()
    df["customer_id"] = df["customer_id"].astype(str)
    df["bought"] = 1
    return df
