"""Alerts for the web: the scope's alerts (list, counts, ack) through `kehu.app.Kehu`, as plain
values; which alerts a scope sees is the domain's rule (`kehu.monitor.state.scope_sql`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def list_alerts(
    state: WebState,
    scope: Scope,
    *,
    status: str | None = "open",
    severity: str | None = None,
    customer_id: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """The scope's alerts, last seen first."""
    rows = state.kehu.alerts(
        status or None, severity=severity, customer_id=customer_id, limit=limit, scope=scope
    )
    return plain_tree(rows)


def alert_counts(state: WebState, scope: Scope) -> dict[str, int]:
    """Open alerts per severity."""
    return state.kehu.open_alert_counts(scope=scope)


def ack_alert(
    state: WebState, scope: Scope, alert_id: int, *, ip: str | None = None
) -> dict[str, Any]:
    """Acknowledge an alert the scope may see; audited."""
    alert = state.kehu_as(scope.user).ack_alert(alert_id, scope=scope)
    audit.record(state.ws, "alert_ack", user=scope.user, target=str(alert_id), ip=ip)
    state.changed("activity")
    alert.pop("deliveries", None)
    return plain_tree(alert)
