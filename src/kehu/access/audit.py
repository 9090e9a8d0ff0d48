"""The audit log: who logged in, exported, imported, merged or changed settings, and when."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kehu.i18n import catalog

if TYPE_CHECKING:
    import duckdb

    from kehu.workspace import Workspace

ACTIONS = catalog("audit")

_KNOWN = frozenset(ACTIONS.keys())


@dataclass(frozen=True)
class AuditEvent:
    event_id: str
    at: datetime
    user_name: str | None
    action: str
    target: str | None
    detail: dict[str, Any]
    ip: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "at": self.at.isoformat(timespec="seconds"),
            "user": self.user_name,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "ip": self.ip,
        }


def record(
    ws: Workspace,
    action: str,
    *,
    user: str | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    cur: duckdb.DuckDBPyConnection | None = None,
) -> str:
    """Append one event; inside an open transaction pass its cursor as `cur`."""
    event_id = uuid.uuid4().hex
    params = [
        event_id,
        datetime.now(),
        user,
        action,
        target,
        json.dumps(detail or {}, ensure_ascii=False, default=str),
        ip,
    ]
    sql = (
        "INSERT INTO audit_log (event_id, occurred_at, user_name, action, target, detail, ip)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    if cur is not None:
        cur.execute(sql, params)
    else:
        with ws.transaction() as tx:
            tx.execute(sql, params)
    return event_id


def events(
    ws: Workspace,
    *,
    action: str | None = None,
    user: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """The newest events first, optionally filtered by action, user and start time."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if action:
        where.append("action = ?")
        params.append(action)
    if user:
        where.append("user_name = ?")
        params.append(user)
    if since:
        where.append("occurred_at >= ?")
        params.append(since)
    rows = ws.rows(
        "SELECT event_id, occurred_at, user_name, action, target, detail, ip FROM audit_log"
        f" WHERE {' AND '.join(where)} ORDER BY occurred_at DESC, event_id DESC LIMIT ?",
        [*params, int(limit)],
    )
    return [AuditEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6]) for r in rows]


def action_label(action: str, lang: str) -> str:
    """The zh/en name of an action (the code itself when unknown)."""
    return ACTIONS(action, lang) if action in _KNOWN else action
