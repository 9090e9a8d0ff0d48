"""The audit log: who logged in, exported, imported, merged or changed settings, and when."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kehu.i18n import Catalog

if TYPE_CHECKING:
    import duckdb

    from kehu.workspace import Workspace

ACTIONS = Catalog(
    {
        "login": ("登录", "login"),
        "login_failed": ("登录失败", "failed login"),
        "login_throttled": ("登录被限速", "login throttled"),
        "login_after_failures": ("失败后登录成功", "login after failed attempts"),
        "logout": ("退出", "logout"),
        "export": ("导出", "export"),
        "import": ("导入", "import"),
        "push": ("接口推送", "push API"),
        "merge": ("合并客户", "merge"),
        "merge_reject": ("拒绝合并", "merge rejected"),
        "config_change": ("修改配置", "config change"),
        "user_add": ("新增用户", "user added"),
        "user_update": ("修改用户", "user changed"),
        "user_passwd": ("修改密码", "password changed"),
        "token_create": ("创建令牌", "token created"),
        "token_revoke": ("吊销令牌", "token revoked"),
        "alert_ack": ("确认预警", "alert acknowledged"),
        "task_update": ("更新任务", "task updated"),
        "account_plan_save": ("保存大客户计划", "key-account plan saved"),
        "report": ("生成报告", "report generated"),
        "goal_add": ("新增目标", "goal added"),
        "plan": ("生成行动计划", "action plan generated"),
        "analyze": ("重新分析", "analysis run"),
        "access_denied": ("越权访问被拒绝", "access denied"),
    }
)

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
    where, params = ["TRUE"], []
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
