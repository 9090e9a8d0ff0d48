"""Alerts: list the caller's alerts, acknowledge one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from kehu.web.api.deps import ApiUser, State, client_ip
from kehu.web.api.models import Alert
from kehu.web.api.params import RowId, Text
from kehu.web.services import monitoring

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])


@router.get("", operation_id="list_alerts", response_model=list[Alert])
def list_alerts(
    state: State,
    who: ApiUser,
    status: Annotated[str | None, Query(pattern="^(open|acked|resolved)$")] = "open",
    severity: Text = None,
    customer_id: Text = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Alerts on the caller's customers (and, for managers, KPI/goal alerts), newest first."""
    return monitoring.list_alerts(
        state, who.scope, status=status, severity=severity, customer_id=customer_id, limit=limit
    )


@router.post("/{alert_id}/ack", operation_id="ack_alert", response_model=Alert)
def ack_alert(request: Request, state: State, who: ApiUser, alert_id: RowId) -> dict[str, Any]:
    """Acknowledge an alert: it stays on record and stops notifying."""
    return monitoring.ack_alert(state, who.scope, alert_id, ip=client_ip(request))
