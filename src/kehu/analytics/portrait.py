"""Portrait facts (客户画像): categories, needs, key contact, open tickets and opportunities.

Pure Ibis over the point-in-time tables. Lists are stored as text joined with ", " (top three,
most important first) so exports stay readable:
- main_categories: product categories by 12-month spend (then all-time spend, then name);
- top_needs: ticket categories by count over the 12-month window (then name);
- key_contact: "name (title)" of the contact flagged is_key, else by decision-chain role
  (高层 > 采购 > 技术 > 财务 > others), then by id; falls back to customers.contact_name;
- open_tickets: opened on or before as_of and not resolved by then (a ticket without
  resolved_at counts as open unless its status is one of CLOSED_STATUSES);
- open opportunities: created on or before as_of and not closed by then (without closed_on,
  open unless the status says won / lost / closed).
"""

from __future__ import annotations

from datetime import date, datetime, time

import ibis
import ibis.expr.types as ir

from kehu.analytics.features import Windows
from kehu.analytics.numeric import when
from kehu.analytics.sources import end_of_day

SEPARATOR = ", "
TOP_N = 3
CLOSED_STATUSES = (
    "closed", "resolved", "done", "solved", "cancelled", "canceled",
    "已关闭", "关闭", "已解决", "解决", "已完成", "完成", "已取消",
)  # fmt: skip
OPP_CLOSED = (
    "won",
    "lost",
    "closed",
    "cancelled",
    "赢单",
    "输单",
    "成交",
    "丢单",
    "关闭",
    "已关闭",
)
ROLE_RANK: dict[str, int] = {
    "高层": 0, "决策": 0, "executive": 0, "decision": 0, "decision maker": 0,
    "采购": 1, "procurement": 1, "purchasing": 1,
    "技术": 2, "technical": 2, "tech": 2,
    "财务": 3, "finance": 3,
}  # fmt: skip


def top_joined(
    t: ir.Table, label: str, order_by: list[ir.Value], column: str, n: int = TOP_N
) -> ir.Table:
    """Per customer_id, the first `n` labels by `order_by` (label breaks ties) joined as text."""
    rn = ibis.row_number().over(group_by=t.customer_id, order_by=[*order_by, t[label].asc()])
    ranked = t.mutate(_rn=rn).filter(lambda x: x._rn < n)
    parts = ranked.group_by("customer_id").agg(
        **{f"_p{i}": ranked[label].max(where=ranked._rn == i) for i in range(n)}
    )
    text = parts._p0
    for i in range(1, n):
        part = parts[f"_p{i}"]
        text = text + ibis.ifelse(part.isnull(), "", SEPARATOR + part)
    return parts.select("customer_id", **{column: text})


def main_categories(orders: ir.Table, w: Windows) -> ir.Table:
    """main_categories: top three categories by 12-month spend, then all-time spend;
    category_count: the categories with 12-month spend (breadth, the depth D of seed 003)."""
    # Ingest strips text, so an empty string is the only blank (no per-row trim on 10^7 rows).
    o = orders.filter(orders.product_category.notnull() & (orders.product_category != ""))
    cur = w.current(o.order_date)
    per_cat = o.group_by(["customer_id", "product_category"]).agg(
        spend_cur=when(cur, o.amount).sum().fill_null(0), spend_all=o.amount.sum()
    )
    top = top_joined(
        per_cat,
        "product_category",
        [per_cat.spend_cur.desc(), per_cat.spend_all.desc()],
        "main_categories",
    )
    breadth = per_cat.group_by("customer_id").agg(
        category_count=per_cat.count(where=per_cat.spend_cur > 0)
    )
    return top.left_join(breadth, top.customer_id == breadth.customer_id).select(
        top.customer_id, top.main_categories, breadth.category_count
    )


def ticket_facts(tickets: ir.Table, w: Windows, complaint_categories: list[str]) -> ir.Table:
    """open_tickets, complaints_12m, tickets_12m / tickets_prev_12m (the service load of this
    window and of the one before: cost to serve) and top_needs per customer with tickets."""
    t = tickets
    eod = ibis.literal(end_of_day(w.as_of))
    status = t.status.strip().lower()
    closed_by_status = t.resolved_at.isnull() & status.isin([s.lower() for s in CLOSED_STATUSES])
    is_open = (t.resolved_at.isnull() | (t.resolved_at >= eod)) & ~closed_by_status.fill_null(False)
    cur = t.opened_at >= ibis.literal(datetime.combine(w.start, time.min))
    prev = ~cur & (t.opened_at >= ibis.literal(datetime.combine(w.prev_start, time.min)))
    complaint = t.category.strip().lower().isin([c.lower() for c in complaint_categories])
    counts = t.group_by("customer_id").agg(
        open_tickets=t.count(where=is_open),
        complaints_12m=t.count(where=cur & complaint.fill_null(False)),
        tickets_12m=t.count(where=cur),
        tickets_prev_12m=t.count(where=prev),
    )
    recent = t.filter(cur & t.category.notnull() & (t.category.strip() != ""))
    per_cat = recent.group_by(["customer_id", "category"]).agg(n=recent.count())
    needs = top_joined(per_cat, "category", [per_cat.n.desc()], "top_needs")
    return counts.left_join(needs, counts.customer_id == needs.customer_id).select(
        counts.customer_id,
        counts.open_tickets,
        counts.complaints_12m,
        counts.tickets_12m,
        counts.tickets_prev_12m,
        needs.top_needs,
    )


def opportunity_facts(opportunities: ir.Table, as_of: date) -> ir.Table:
    """open_opportunities, open_pipeline (amount) and opportunities_total per customer."""
    o = opportunities
    day = ibis.literal(as_of)
    status = o.status.strip().lower()
    closed_by_status = status.isin([s.lower() for s in OPP_CLOSED]).fill_null(False)
    is_open = (o.closed_on.notnull() & (o.closed_on > day)) | (
        o.closed_on.isnull() & ~closed_by_status
    )
    return o.group_by("customer_id").agg(
        open_opportunities=o.count(where=is_open),
        open_pipeline=o.amount.sum(where=is_open),
        opportunities_total=o.count(),
    )


def key_contacts(contacts: ir.Table) -> ir.Table:
    """One "name (title)" per customer: key contacts first, then by decision-chain role."""
    c = contacts
    role = c.role.strip().lower()
    role_rank = ibis.cases(*((role == k, v) for k, v in ROLE_RANK.items()), else_=9)
    key_rank = ibis.ifelse(c.is_key.fill_null(False), 0, 1)
    rn = ibis.row_number().over(
        group_by=c.customer_id,
        order_by=[key_rank.asc(), role_rank.asc(), c.source.asc(), c.contact_id.asc()],
    )
    detail = ibis.coalesce(c.title, c.role)
    text = ibis.ifelse(
        detail.isnull() | (detail.strip() == ""), c.name, c.name + " (" + detail + ")"
    )
    ranked = c.mutate(_rn=rn, key_contact=text).filter(lambda x: x._rn == 0)
    return ranked.select("customer_id", "key_contact")
