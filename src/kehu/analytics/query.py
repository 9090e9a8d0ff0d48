"""Reading stored snapshots: the customer list with filters and the 360 view of one customer.

These functions read the workspace store (they are what the CLI, the API and the web pages
call, through `kehu.app.Kehu`); labels are accepted in zh, en or as codes and resolved with
`kehu.analytics.labels`. The 360 view is point-in-time: nothing dated after its snapshot day.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import ibis
import pandas as pd

from kehu.analytics.clv_band import customer_band
from kehu.analytics.coherence import customer_story
from kehu.analytics.explain import explain_all, score_lines
from kehu.analytics.labels import resolve
from kehu.analytics.segments import SEGMENT_DIMENSIONS, with_segments
from kehu.analytics.sources import end_of_day
from kehu.analytics.stored import snapshot_dates
from kehu.errors import KehuError, NotFoundError
from kehu.store.lookup import resolve_customer_id
from kehu.store.tables.analytics import SNAPSHOT_COLUMNS

if TYPE_CHECKING:
    from kehu.workspace import Workspace

LIST_COLUMNS = (
    "customer_id", "name", "rfm_type", "rfm_segment", "value_tier", "value_score", "lifecycle",
    "abc_class", "spend_12m", "recency_days", "churn_risk", "predicted_clv", "owner",
    *SEGMENT_DIMENSIONS,
)  # fmt: skip
RECENT = 10
TIMELINE = 200  # events of the 360 timeline
SPEND_MONTHS = 24


class RowScope(Protocol):
    """What a read needs of an access scope (`kehu.access.scope.Scope`, a floor beside this
    one): its predicate over the customers table."""

    def customer_sql(self, alias: str = "c") -> tuple[str, list[Any]]: ...


def customer_where(
    scope: RowScope | None = None,
    *,
    owner: str | None = None,
    region: str | None = None,
    alias: str = "c",
) -> tuple[str, list[Any]]:
    """A predicate over `customers {alias}` with its parameters: the customers inside `scope`
    (all when None) and, when given, of this owner and this region."""
    parts, params = [], []
    if scope is not None:
        cond, scope_params = scope.customer_sql(alias)
        parts.append(f"({cond})")
        params.extend(scope_params)
    prefix = f"{alias}." if alias else ""
    for column, value in (("owner", owner), ("region", region)):
        if value:
            parts.append(f"{prefix}{column} = ?")
            params.append(value)
    return (" AND ".join(parts) or "TRUE"), params


def latest_as_of(ws: Workspace) -> date | None:
    """The newest snapshot date (None before the first analysis)."""
    dates = snapshot_dates(ws)
    return dates[-1] if dates else None


def pick_as_of(ws: Workspace, as_of: date | None) -> date:
    """`as_of` if a snapshot exists for it, else the latest one; a clear error when none."""
    if as_of is None:
        latest = latest_as_of(ws)
        if latest is None:
            raise KehuError(
                "还没有客户快照;请先运行 `kehu analyze`",
                "no customer snapshot yet; run `kehu analyze` first",
            )
        return latest
    if as_of not in snapshot_dates(ws):
        raise NotFoundError(
            f"没有 {as_of} 的客户快照;先运行 `kehu analyze --as-of {as_of}`",
            f"no customer snapshot for {as_of}; run `kehu analyze --as-of {as_of}` first",
        )
    return as_of


@dataclass(frozen=True)
class CustomerFilter:
    """Which customers of a snapshot a list shows, in what order and how many: classes as a
    code or a zh/en label, `industry` (GB/T 4754 section), `size` (band) and `region` as a
    code or label, `sort` any snapshot column or segment (`limit` None: all)."""

    as_of: date | None = None
    rfm_type: str | None = None
    value_tier: str | None = None
    segment: str | None = None
    lifecycle: str | None = None
    abc_class: str | None = None
    owner: str | None = None
    industry: str | None = None
    size: str | None = None
    region: str | None = None
    sort: str = "value_score"
    desc: bool = True
    limit: int | None = 50


def list_customers(
    ws: Workspace, f: CustomerFilter = CustomerFilter(), columns: tuple[str, ...] = LIST_COLUMNS
) -> tuple[date, pd.DataFrame, int]:
    """(as_of, rows, number of matches before the limit) from the snapshot of `f.as_of`; the
    industry section, size band and region of each (analytics/segments.py) come from its
    customer record, as in the KPIs and the market view."""
    day = pick_as_of(ws, f.as_of)
    if f.sort not in SNAPSHOT_COLUMNS and f.sort not in SEGMENT_DIMENSIONS:
        raise KehuError(
            f"不能按 {f.sort!r} 排序;可用列:{', '.join(SNAPSHOT_COLUMNS)}",
            f"cannot sort by {f.sort!r}; columns: {', '.join(SNAPSHOT_COLUMNS)}",
        )
    t = ws.table("customer_snapshot")
    t = with_segments(ws, t.filter(t.as_of == ibis.literal(day)), f.industry, f.size, f.region)
    for column, text in (
        ("rfm_type", f.rfm_type),
        ("value_tier", f.value_tier),
        ("rfm_segment", f.segment),
        ("lifecycle", f.lifecycle),
        ("abc_class", f.abc_class),
    ):
        if text:
            t = t.filter(t[column] == resolve(column, text))
    if f.owner:
        t = t.filter(t.owner == f.owner)
    total = int(t.count().execute())
    key = t[f.sort].desc(nulls_first=False) if f.desc else t[f.sort].asc(nulls_first=False)
    ties = [] if f.sort == "customer_id" else [t.customer_id.asc()]  # one key per column
    t = t.order_by([key, *ties]).select(*columns)
    if f.limit is not None:
        t = t.limit(f.limit)
    return day, t.to_pandas(), total


def _records(ws: Workspace, sql: str, params: list[Any] | dict[str, Any]) -> list[dict[str, Any]]:
    # not closed: a scoped workspace answers every read on its one cursor (which holds the
    # scope's views); a plain workspace's fresh cursor is freed with the result
    cur = ws.read(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def customer_record(ws: Workspace, customer_id: str) -> dict[str, Any]:
    """The customer's stored record (`NotFoundError` for an unknown id, or one outside the
    scope a scoped workspace reads: the same answer, so ids cannot be probed)."""
    rows = _records(ws, "SELECT * FROM customers WHERE customer_id = ?", [customer_id])
    if not rows:
        raise NotFoundError(f"没有客户 {customer_id}", f"no customer {customer_id}")
    return rows[0]


def customer_360(
    ws: Workspace,
    customer_id: str,
    *,
    as_of: date | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """Profile, snapshot row with explanations, history and activity of one customer, as of
    its snapshot day (default: the customer's latest)."""
    cid = resolve_customer_id(ws, customer_id)
    profile = _records(ws, "SELECT * FROM customers WHERE customer_id = ?", [cid])[0]
    day = _view_day(ws, cid, as_of)
    snap = (
        _records(
            ws, "SELECT * FROM customer_snapshot WHERE as_of = ? AND customer_id = ?", [day, cid]
        )
        if day is not None
        else []
    )
    row = snap[0] if snap else None
    cutoff = day or date.today()
    return {
        "customer_id": cid,
        "as_of": day,
        "profile": profile,
        "snapshot": row,
        "explanations": explain_all(row, ws.settings, lang) if row else None,
        "score_lines": [asdict(line) for line in score_lines(row, ws.settings, lang)],
        "churn_reasons": churn_reasons(row, lang),
        "story": customer_story(row, ws.settings, lang) if row else None,
        "clv_band": customer_band(ws, cid, day, row) if row and day else None,
        "contacts": _records(
            ws,
            "SELECT name, title, role, is_key, phone, email FROM contacts WHERE customer_id = ?"
            " ORDER BY coalesce(is_key, false) DESC, source, contact_id",
            [cid],
        ),
        "orders": _records(
            ws,
            "SELECT order_id, order_date, amount, cost, product_category, product, paid_amount,"
            " due_date, paid_date FROM orders WHERE customer_id = ? AND order_date <= ?"
            f" ORDER BY order_date DESC, order_id DESC LIMIT {RECENT}",
            [cid, cutoff],
        ),
        "interactions": _records(
            ws,
            "SELECT occurred_at, kind, owner, contact_name, summary FROM interactions"
            " WHERE customer_id = ? AND occurred_at < ?"
            f" ORDER BY occurred_at DESC, interaction_id DESC LIMIT {RECENT}",
            [cid, end_of_day(cutoff)],
        ),
        "tickets": _records(
            ws,
            "SELECT ticket_id, opened_at, category, status, resolved_at, satisfaction, description"
            " FROM tickets WHERE customer_id = ? AND opened_at < ?"
            f" ORDER BY opened_at DESC, ticket_id DESC LIMIT {RECENT}",
            [cid, end_of_day(cutoff)],
        ),
        "opportunities": _records(
            ws,
            "SELECT opportunity_id, name, stage, status, amount, created_on, closed_on"
            " FROM opportunities WHERE customer_id = ? AND created_on <= ?"
            " ORDER BY created_on DESC LIMIT 20",
            [cid, cutoff],
        ),
        "history": _records(
            ws,
            "SELECT as_of, rfm_type, value_tier, value_score, lifecycle, churn_risk, spend_12m"
            " FROM customer_snapshot WHERE customer_id = ? AND as_of <= ?"
            " ORDER BY as_of DESC LIMIT 12",
            [cid, cutoff],
        ),
        "timeline": timeline(ws, cid, cutoff),
        "monthly_spend": monthly_spend(ws, cid, cutoff),
    }


def _view_day(ws: Workspace, customer_id: str, as_of: date | None) -> date | None:
    """The snapshot day a view of one customer stands on (default: the customer's latest)."""
    if as_of is None:
        return ws.scalar(
            "SELECT max(as_of) FROM customer_snapshot WHERE customer_id = ?", [customer_id]
        )
    return pick_as_of(ws, as_of)


def customer_timeline(
    ws: Workspace,
    customer_id: str,
    *,
    as_of: date | None = None,
    limit: int = TIMELINE,
) -> list[dict[str, Any]]:
    """The 360 view's timeline alone (up to the same day)."""
    cid = resolve_customer_id(ws, customer_id)
    return timeline(ws, cid, _view_day(ws, cid, as_of) or date.today(), limit)


def churn_reasons(row: dict[str, Any] | None, lang: str) -> list[dict[str, Any]]:
    """The stored churn reasons of a snapshot row, each with its text in `lang`."""
    try:
        stored = json.loads(row["churn_reasons"]) if row and row.get("churn_reasons") else []
    except ValueError:
        stored = []
    return [
        {**r, "text": r.get("en" if lang == "en" else "zh") or r.get("code")}
        for r in stored
        if isinstance(r, dict)
    ]


def timeline(
    ws: Workspace, customer_id: str, cutoff: date, limit: int = TIMELINE
) -> list[dict[str, Any]]:
    """Orders, interactions, tickets and surveys up to `cutoff`, newest first."""
    rows = _records(
        ws,
        """
        SELECT * FROM (
          SELECT 'order' AS kind, CAST(order_date AS TIMESTAMP) AS "at", order_id AS ref,
                 coalesce(product_category, product, '') AS title,
                 CAST(amount AS DOUBLE) AS amount, NULL AS status, channel AS detail
          FROM orders WHERE customer_id = $id
          UNION ALL
          SELECT 'interaction', occurred_at, interaction_id, coalesce(kind, ''), NULL, NULL,
                 coalesce(summary, '')
          FROM interactions WHERE customer_id = $id
          UNION ALL
          SELECT 'ticket', opened_at, ticket_id, coalesce(category, ''), NULL, status,
                 coalesce(description, '')
          FROM tickets WHERE customer_id = $id
          UNION ALL
          SELECT 'survey', CAST(surveyed_on AS TIMESTAMP), survey_id,
                 'NPS ' || coalesce(CAST(nps AS VARCHAR), '—'), NULL, NULL,
                 coalesce(comment, '')
          FROM surveys WHERE customer_id = $id
        ) WHERE "at" < $end ORDER BY "at" DESC, ref LIMIT $limit
        """,
        {"id": customer_id, "end": end_of_day(cutoff), "limit": int(limit)},
    )
    for item in rows:
        item["at"] = item["at"].isoformat(sep=" ", timespec="minutes") if item["at"] else None
    return rows


def monthly_spend(
    ws: Workspace, customer_id: str, cutoff: date, months: int = SPEND_MONTHS
) -> list[dict[str, Any]]:
    """Spend per month, oldest first, over the last `months` months with orders to `cutoff`."""
    rows = _records(
        ws,
        "SELECT strftime(date_trunc('month', order_date), '%Y-%m') AS month,"
        " sum(amount) AS amount, count(*) AS orders FROM orders"
        " WHERE customer_id = ? AND order_date <= ? GROUP BY 1 ORDER BY 1 DESC LIMIT ?",
        [customer_id, cutoff, int(months)],
    )
    return rows[::-1]
