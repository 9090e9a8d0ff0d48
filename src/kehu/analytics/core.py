"""The core snapshot as Ibis expressions: purchases → RFM → facts → value → ABC → lifecycle.

`core_snapshot(tables, as_of, settings, avail)` takes the canonical tables (any Ibis backend)
and returns one row per customer with every snapshot column except the CLV and churn ones
(computed by `kehu.analytics.clv` / `kehu.analytics.churn` on per-customer data). It is built
from three stages that `analyze` runs (and times) one by one: `rfm_table` (one pass over the
orders: purchase facts, RFM scores, type and segment; the CLV fit reads the same rows),
`facts_table` (the other sources joined on) and `score_table` (value, ABC, lifecycle).
No I/O, no globals.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import ibis.expr.types as ir

from kehu.analytics import features, lifecycle, pareto, portrait, rfm, value
from kehu.analytics.numeric import round_half_up
from kehu.analytics.purchases import purchase_facts
from kehu.analytics.sources import Availability, as_of_view, first_seen
from kehu.config import Settings

CUSTOMER_COLUMNS = (
    "customer_id",
    "name",
    "customer_type",
    "industry_code",
    "industry_name",
    "region",
    "owner",
    "contact_name",
    "cooperation_start",
    "employees",
    "annual_revenue",
    "industry_position",
    "budget_growth",
    "is_benchmark",
    "is_reference",
    "share_of_wallet",
    "wallet_size",
)

# Columns of the core expression, in snapshot order (CLV/churn columns are added later).
CORE_COLUMNS = (
    "customer_id", "recency_days", "orders_12m", "spend_12m", "r_score", "f_score", "m_score",
    "rfm_type", "rfm_segment", "value_score", "value_tier", "value_confidence",
    "value_contribution", "value_growth", "value_stability", "value_strategic", "abc_class",
    "profit_12m", "lifecycle", "first_order_date", "last_order_date", "orders_total",
    "spend_total", "spend_prev_12m", "mean_interval_days", "name", "customer_type",
    "industry_name", "region", "owner", "main_categories", "avg_order_value",
    "payment_cadence_days", "days_to_pay", "collection_rate", "key_contact", "open_tickets",
    "top_needs", "open_pipeline", "category_count", "tickets_12m", "tickets_prev_12m",
    "known_days",
)  # fmt: skip


def _days(later: date | ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    start = ibis.literal(later) if isinstance(later, date) else later
    return start.delta(earlier, unit="day")


def rfm_table(tables: dict[str, ir.Table], as_of: date, settings: Settings) -> ir.Table:
    """Stage 1: every customer with its purchase facts (`purchase_facts`), recency_days,
    orders_12m, spend_12m, r/f/m scores, rfm_type and rfm_segment.

    Customers without an order on or before `as_of` get the lowest scores; orders whose
    customer_id is unknown to the customers table are left out. Which customers existed at
    `as_of` is decided later (`customer_facts`): customers without orders never take part in
    the quantile ranks, so they cannot move anyone's score.
    """
    w = features.Windows.of(as_of, settings)
    bought = purchase_facts(tables["orders"], w)
    cust = tables["customers"].select("customer_id")
    t = cust.left_join(bought, cust.customer_id == bought.customer_id).drop("customer_id_right")
    orders_12m = t.purchase_days_12m if settings.rfm.merge_same_day else t.order_rows_12m
    t = t.mutate(
        recency_days=_days(as_of, t.last_order_date).cast("int32"),
        orders_12m=orders_12m.fill_null(0).cast("int32"),
        spend_12m=t.spend_12m.fill_null(features.ZERO),
    )
    return rfm.add_type_and_segment(rfm.add_scores(t, settings.rfm), settings.rfm)


def customer_facts(
    tables: dict[str, ir.Table], as_of: date, settings: Settings, rfm_rows: ir.Table
) -> ir.Table:
    """Every per-customer input, joined onto the customers that existed at `as_of`.

    `rfm_rows` is `rfm_table` (computed once by the caller); `order_facts` reads all orders
    (it filters by as_of inside each aggregate and also returns the first order at any
    date); the other facts read the point-in-time view.
    """
    view = as_of_view(tables, as_of)
    w = features.Windows.of(as_of, settings)
    orders = features.order_facts(tables["orders"], w, settings.lifecycle.lost_days)
    cust = tables["customers"].select(*CUSTOMER_COLUMNS)
    seen = first_seen(tables, skip=("orders",))
    cust = cust.left_join(seen, cust.customer_id == seen.customer_id).select(cust, seen=seen.seen)
    joined = cust
    for part in (rfm_rows, orders):
        joined = joined.left_join(part, joined.customer_id == part.customer_id).drop(
            "customer_id_right"
        )
    earliest = ibis.least(joined.seen, joined.first_seen_order)
    joined = joined.filter(earliest.isnull() | (earliest <= ibis.literal(as_of)))
    joined = joined.mutate(known_days=_days(as_of, earliest)).drop("seen", "first_seen_order")
    parts = [
        features.payment_facts(view["orders"], w),
        portrait.main_categories(view["orders"], w),
        portrait.ticket_facts(view["tickets"], w, settings.value.complaint_categories),
        portrait.opportunity_facts(view["opportunities"], as_of),
        portrait.key_contacts(view["contacts"]),
    ]
    for part in parts:
        joined = joined.left_join(part, joined.customer_id == part.customer_id).drop(
            "customer_id_right"
        )
    return joined


def derive(t: ir.Table, as_of: date, settings: Settings) -> ir.Table:
    """Window totals, intervals, tenures and portrait numbers from the joined facts."""
    zero = features.ZERO
    coop = ibis.ifelse(
        t.cooperation_start <= ibis.literal(as_of), t.cooperation_start, ibis.null("date")
    )
    tenure_start = ibis.coalesce(coop, t.first_order_date)
    paid_days = t.paid_days.fill_null(0)
    return t.mutate(
        spend_prev_12m=t.spend_prev_12m.fill_null(zero),
        spend_total=t.spend_total.fill_null(zero),
        orders_total=t.orders_total.fill_null(0).cast("int32"),
        purchase_days_total=t.purchase_days_total.fill_null(0),
        mean_interval_days=ibis.ifelse(
            t.gap_count > 0, t.gap_sum / t.gap_count.cast("float64"), ibis.null("float64")
        ),
        days_since_return=_days(as_of, t.return_date),
        order_tenure_days=_days(as_of, t.first_order_date),
        tenure_days=_days(as_of, tenure_start),
        open_opportunities=t.open_opportunities.fill_null(0),
        open_pipeline=t.open_pipeline.fill_null(zero),
        open_tickets=t.open_tickets.fill_null(0).cast("int32"),
        complaints_12m=t.complaints_12m.fill_null(0),
        tickets_12m=t.tickets_12m.fill_null(0).cast("int32"),
        tickets_prev_12m=t.tickets_prev_12m.fill_null(0).cast("int32"),
        category_count=t.category_count.fill_null(0).cast("int32"),
        known_days=t.known_days.cast("int32"),
        avg_order_value=ibis.ifelse(
            t.orders_total > 0,
            round_half_up(t.spend_total.cast("float64") / t.orders_total.cast("float64")),
            ibis.null("float64"),
        ),
        payment_cadence_days=ibis.ifelse(
            paid_days >= 2,
            _days(t.last_paid, t.first_paid).cast("float64") / (paid_days - 1).cast("float64"),
            ibis.null("float64"),
        ),
        collection_rate=ibis.ifelse(
            t.due_12m > 0,
            t.paid_12m.cast("float64") / t.due_12m.cast("float64"),
            ibis.null("float64"),
        ),
        key_contact=ibis.coalesce(t.key_contact, t.contact_name),
    )


def facts_table(
    tables: dict[str, ir.Table], as_of: date, settings: Settings, rfm_rows: ir.Table
) -> ir.Table:
    """Stage 2: one row per customer with every fact the scores need (the other scans)."""
    return derive(customer_facts(tables, as_of, settings, rfm_rows), as_of, settings)


def score_table(
    facts: ir.Table, settings: Settings, avail: Availability, extra: Sequence[str] = ()
) -> ir.Table:
    """Stage 3: value, ABC and lifecycle from the per-customer facts (cheap; a few windows).
    CORE_COLUMNS plus the `extra` facts columns, ordered by customer_id."""
    t = value.add_value(facts, settings.value, avail)
    t = pareto.add_abc(t, settings.abc)
    t = t.mutate(lifecycle=lifecycle.lifecycle_expr(t, settings.lifecycle))
    more = [c for c in extra if c not in CORE_COLUMNS]
    return t.select(*CORE_COLUMNS, *more).order_by("customer_id")


def core_snapshot(
    tables: dict[str, ir.Table], as_of: date, settings: Settings, avail: Availability
) -> ir.Table:
    """One row per customer with the RFM, value, ABC, lifecycle and portrait columns.

    As a single expression; `analyze` runs the three stages separately and materialises the
    RFM rows and the facts in between (`Table.cache()`), so the engine computes each once.
    """
    rows = rfm_table(tables, as_of, settings)
    return score_table(facts_table(tables, as_of, settings, rows), settings, avail)
