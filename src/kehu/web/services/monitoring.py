"""Alerts for the web: the scope's alerts (list, ack) through `kehu.monitor.state`.

Customer alerts follow the customer's scope. Alerts without a customer (a KPI, a goal) are
shown to admins and managers, not to reps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.errors import KehuError, NotFoundError
from kehu.web.services.common import parse_json, query, table_exists

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState

STATUSES = ("open", "acked", "resolved")
ALERT_FIELDS = (
    "alert_id, rule, kind, severity, status, subject_type, subject_id, customer_id,"
    " customer_name, owner, title_zh, title_en, detail_zh, detail_en, evidence, as_of,"
    " first_seen_at, last_seen_at, resolved_at, acked_at, acked_by"
)


def _alert_scope(scope: Scope) -> tuple[str, list[Any]]:
    if scope.sees_all:
        return "TRUE", []
    cond, params = scope.customer_ids_sql()
    if scope.role == "manager":
        return f"(customer_id IS NULL OR {cond})", params
    return f"(customer_id IS NOT NULL AND {cond})", params


def list_alerts(
    state: WebState,
    scope: Scope,
    *,
    status: str | None = "open",
    severity: str | None = None,
    customer_id: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The scope's alerts, newest first."""
    if status and status not in STATUSES:
        raise KehuError(
            f"预警状态 {status!r} 无效:可选 {', '.join(STATUSES)}",
            f"unknown alert status {status!r}: use {', '.join(STATUSES)}",
        )
    if not table_exists(state.ws, "alerts"):
        return []
    cond, params = _alert_scope(scope)
    where = [cond]
    for col, value in (("status", status), ("severity", severity), ("customer_id", customer_id)):
        if value:
            where.append(f"{col} = ?")
            params.append(value)
    rows = query(
        state.ws,
        f"SELECT {ALERT_FIELDS} FROM alerts WHERE {' AND '.join(where)}"
        " ORDER BY last_seen_at DESC NULLS LAST, alert_id DESC LIMIT ?",
        [*params, int(limit)],
    )
    for row in rows:
        row["evidence"] = parse_json(row.get("evidence"), {}) or {}
    return rows


def alert_counts(state: WebState, scope: Scope) -> dict[str, int]:
    if not table_exists(state.ws, "alerts"):
        return {}
    cond, params = _alert_scope(scope)
    rows = state.ws.rows(
        f"SELECT coalesce(severity, 'info'), count(*) FROM alerts WHERE {cond}"
        " AND status = 'open' GROUP BY 1",
        params,
    )
    return {r[0]: int(r[1]) for r in rows}


def ack_alert(
    state: WebState, scope: Scope, alert_id: int, *, ip: str | None = None
) -> dict[str, Any]:
    """Acknowledge an alert the scope may see; audited."""
    scope.require("ack_alert")
    cond, params = _alert_scope(scope)
    exists = table_exists(state.ws, "alerts") and state.ws.rows(
        f"SELECT 1 FROM alerts WHERE alert_id = ? AND {cond}", [alert_id, *params]
    )
    if not exists:
        raise NotFoundError(f"找不到预警 {alert_id}", f"no alert with id {alert_id}")
    alert = state.kehu_as(scope.user).ack_alert(alert_id)
    audit.record(state.ws, "alert_ack", user=scope.user, target=str(alert_id), ip=ip)
    state.changed("activity")
    alert.pop("deliveries", None)
    return {k: v for k, v in alert.items()}
