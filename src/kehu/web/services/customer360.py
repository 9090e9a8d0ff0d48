"""Customer 360: profile, portrait, scores with explanations, timeline, tasks and strategy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.access.masking import mask_records
from kehu.analytics.clv_band import customer_band
from kehu.analytics.coherence import customer_story
from kehu.web.services import monitoring, planning
from kehu.web.services.common import parse_json, query, table_columns, table_exists
from kehu.web.services.customers import get_customer
from kehu.web.services.explain import explain_scores

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

TIMELINE_LIMIT = 200


def customer_360(state: WebState, scope: Scope, customer_id: str, lang: str) -> dict[str, Any]:
    """Everything the 360 page shows; `NotFoundError` outside the scope."""
    profile = get_customer(state, scope, customer_id)  # raises when out of scope
    ws = state.ws
    snapshot: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    if table_exists(ws, "customer_snapshot"):
        rows = query(
            ws,
            "SELECT * FROM customer_snapshot WHERE customer_id = ? ORDER BY as_of DESC LIMIT 1",
            [customer_id],
        )
        snapshot = rows[0] if rows else {}
        cols = set(table_columns(ws, "customer_snapshot"))
        hist_cols = [
            c
            for c in ("as_of", "rfm_type", "value_tier", "value_score", "lifecycle", "churn_risk")
            if c in cols
        ]
        history = query(
            ws,
            f"SELECT {', '.join(hist_cols)} FROM customer_snapshot WHERE customer_id = ?"
            " ORDER BY as_of",
            [customer_id],
        )
    reasons = parse_json(snapshot.get("churn_reasons"), []) or []
    return {
        "customer": profile,
        "snapshot": snapshot,
        "churn_reasons": [
            {
                "code": r.get("code"),
                "text": r.get("en" if lang == "en" else "zh") or r.get("code"),
                "evidence": r.get("evidence") or {},
            }
            for r in reasons
            if isinstance(r, dict)
        ],
        "explanations": explain_scores(snapshot, state.settings, lang),
        "story": customer_story(snapshot, state.settings, lang) if snapshot else None,
        "history": history,
        "timeline": timeline(state, customer_id),
        "monthly_spend": monthly_spend(state, customer_id),
        "contacts": mask_records(
            query(
                ws,
                "SELECT name, title, role, is_key, phone, email FROM contacts"
                " WHERE customer_id = ? ORDER BY is_key DESC NULLS LAST, name",
                [customer_id],
            ),
            scope,
        ),
        "opportunities": query(
            ws,
            "SELECT opportunity_id, name, stage, status, amount, created_on, closed_on"
            " FROM opportunities WHERE customer_id = ? ORDER BY created_on DESC LIMIT 20",
            [customer_id],
        ),
        "tasks": planning.open_tasks(state, scope, customer_id),
        "alerts": monitoring.list_alerts(
            state, scope, status="open", limit=20, customer_id=customer_id
        ),
        "strategy": planning.strategy_for(state, snapshot, lang),
        "clv_band": customer_band(ws, customer_id, snapshot["as_of"], snapshot)
        if snapshot.get("as_of")
        else None,
        "needs": needs(state, customer_id),
    }


def needs(state: WebState, customer_id: str) -> dict[str, Any]:
    """Pain points and needs from the customer's own texts and opportunities; the phrase
    vocabulary of all customers is computed once per data change."""
    from kehu.monitor.feedback import customer_needs, feedback_vocabulary

    vocab = state.cached(
        "customers", ("feedback-vocabulary",), lambda: feedback_vocabulary(state.ws)
    )
    return customer_needs(state.ws, customer_id, vocab)


def timeline(state: WebState, customer_id: str, limit: int = TIMELINE_LIMIT) -> list[dict]:
    """Orders, interactions, tickets and surveys, newest first."""
    sql = """
    SELECT * FROM (
      SELECT 'order' AS kind, CAST(order_date AS TIMESTAMP) AS "at", order_id AS ref,
             coalesce(product_category, product, '') AS title, CAST(amount AS DOUBLE) AS amount,
             NULL AS status, channel AS detail
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
             'NPS ' || coalesce(CAST(nps AS VARCHAR), '—'), NULL, NULL, coalesce(comment, '')
      FROM surveys WHERE customer_id = $id
    ) ORDER BY "at" DESC, ref LIMIT $limit
    """
    cur = state.ws.cursor()
    try:
        cur.execute(sql, {"id": customer_id, "limit": int(limit)})
        names = [d[0] for d in cur.description or []]
        rows = []
        for r in cur.fetchall():
            item = dict(zip(names, r, strict=True))
            item["at"] = item["at"].isoformat(sep=" ", timespec="minutes") if item["at"] else None
            rows.append(item)
        return rows
    finally:
        cur.close()


def monthly_spend(state: WebState, customer_id: str, months: int = 24) -> list[dict[str, Any]]:
    """Spend per month for the last `months` months that have data."""
    rows = query(
        state.ws,
        "SELECT strftime(date_trunc('month', order_date), '%Y-%m') AS month,"
        " sum(amount) AS amount, count(*) AS orders FROM orders WHERE customer_id = ?"
        " GROUP BY 1 ORDER BY 1 DESC LIMIT ?",
        [customer_id, months],
    )
    return list(reversed(rows))
