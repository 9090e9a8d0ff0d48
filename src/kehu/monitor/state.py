"""Alert state in the store: open new conditions, keep unchanged ones quiet, resolve cleared ones.

A condition is identified by a stable key (`rule|subject_type:subject_id`) and a state. An open
or acknowledged alert with the same key and state is the same condition: it only gets its
`last_seen_at` refreshed, so people are never alerted twice for it. A new state supersedes the
old alert; a threshold condition that no longer holds is resolved (events stay until acked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from kehu.config import Settings
from kehu.errors import KehuError, NotFoundError
from kehu.monitor.evaluate import Evaluation, Finding
from kehu.workspace import Workspace

if TYPE_CHECKING:
    from kehu.access.scope import Scope

LIVE = ("open", "acked")
STATUSES = ("open", "acked", "resolved")


@dataclass
class StateChange:
    new: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)


def _channels_for(finding: Finding, settings: Settings) -> list[str]:
    configured = [n for n, c in settings.notify.channels.items() if c.enabled]
    wanted = finding.rule.channels or settings.alerts.default_channels or configured
    return [c for c in wanted if c in configured]


NEW_COLUMNS = (
    "alert_id", "rule", "kind", "severity", "condition_key", "state", "subject_type",
    "subject_id", "customer_id", "customer_name", "owner", "title_zh", "title_en", "detail_zh",
    "detail_en", "evidence", "as_of",
)  # fmt: skip


@dataclass
class _Writes:
    """What one run changes, written as a few set-based statements, not one per alert."""

    new: list[tuple[Any, ...]] = field(default_factory=list)  # NEW_COLUMNS
    refreshed: list[tuple[int, str, str, str]] = field(default_factory=list)
    closed: list[tuple[int, str]] = field(default_factory=list)  # (alert_id, resolution)
    deliveries: list[tuple[int, str]] = field(default_factory=list)  # (alert_id, channel)


def _evidence_text(f: Finding) -> str:
    return json.dumps(f.evidence, ensure_ascii=False, default=str)


def _new_row(alert_id: int, f: Finding) -> tuple[Any, ...]:
    rule = f.rule
    return (
        alert_id, rule.name, rule.kind, rule.severity, f.key, f.state, f.subject_type,
        f.subject_id, f.customer_id, f.customer_name, f.owner, rule.title_zh or rule.name,
        rule.title_en or rule.name, f.detail_zh, f.detail_en, _evidence_text(f), f.as_of,
    )  # fmt: skip


def _arrow(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> pa.Table:
    """Rows as an Arrow table: ids as integers, the rest as text (DuckDB casts on insert)."""
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    return pa.table(
        {
            n: pa.array(c, pa.int64())
            if n == "alert_id"
            else pa.array([None if v is None else str(v) for v in c], pa.string())
            for n, c in zip(names, columns, strict=True)
        }
    )


_NAMES = ", ".join(NEW_COLUMNS)
# (rows of _Writes, registered name, its columns, statements run on it with $now)
_STEPS = (
    (
        "refreshed",
        "_alert_seen",
        ("alert_id", "detail_zh", "detail_en", "evidence"),
        # the same condition, re-worded with today's figures (days overdue grow)
        (
            "UPDATE alerts SET last_seen_at = $now, detail_zh = s.detail_zh,"
            " detail_en = s.detail_en, evidence = s.evidence FROM _alert_seen s"
            " WHERE alerts.alert_id = s.alert_id",
        ),
    ),
    (
        "closed",
        "_alert_closed",
        ("alert_id", "resolution"),
        (
            "UPDATE alerts SET status = 'resolved', resolution = c.resolution,"
            " resolved_at = $now, updated_at = $now FROM _alert_closed c"
            " WHERE alerts.alert_id = c.alert_id",
            "UPDATE alert_deliveries SET status = 'cancelled', updated_at = $now"
            " WHERE alert_id IN (SELECT alert_id FROM _alert_closed)"
            " AND status IN ('pending', 'failed')",
        ),
    ),
    (
        "new",
        "_alert_new",
        NEW_COLUMNS,
        (
            f"INSERT INTO alerts ({_NAMES}, status, first_seen_at, last_seen_at, created_at,"
            f" updated_at) SELECT {_NAMES}, 'open', $now, $now, $now, $now FROM _alert_new",
        ),
    ),
    (
        "deliveries",
        "_alert_deliveries",
        ("alert_id", "channel"),
        (
            "INSERT INTO alert_deliveries (alert_id, channel, status, runs, created_at,"
            " updated_at) SELECT alert_id, channel, 'pending', 0, $now, $now"
            " FROM _alert_deliveries",
        ),
    ),
)


def _write(cur: Any, w: _Writes, now: datetime) -> None:
    for attr, name, columns, statements in _STEPS:
        rows = getattr(w, attr)
        if rows:
            cur.register(name, _arrow(columns, rows))
            for sql in statements:
                cur.execute(sql, {"now": now})


def apply(
    ws: Workspace, evaluation: Evaluation, settings: Settings, now: datetime | None = None
) -> StateChange:
    """Store the evaluation's findings as alert events (one transaction)."""
    now = now or datetime.now()
    change = StateChange()
    live = {
        r[1]: (r[0], r[2], r[3])
        for r in ws.rows(
            "SELECT alert_id, condition_key, state, kind FROM alerts"
            " WHERE status IN ('open', 'acked')"
        )
    }
    seen: set[str] = set()
    writes = _Writes()
    with ws.transaction() as cur:
        next_id = int(cur.execute("SELECT coalesce(max(alert_id), 0) FROM alerts").fetchall()[0][0])
        for finding in evaluation.findings:
            key = finding.key
            if key in seen:
                continue
            seen.add(key)
            existing = live.get(key)
            if existing and existing[1] == finding.state:
                writes.refreshed.append(
                    (existing[0], finding.detail_zh, finding.detail_en, _evidence_text(finding))
                )
                change.unchanged.append(existing[0])
                continue
            if existing:
                writes.closed.append((existing[0], "superseded"))
                change.superseded.append(existing[0])
            next_id += 1
            writes.new.append(_new_row(next_id, finding))
            writes.deliveries += [(next_id, c) for c in _channels_for(finding, settings)]
            change.new.append(next_id)
        for key, (alert_id, _state, kind) in live.items():
            rule = key.split("|", 1)[0]
            if key not in seen and kind == "threshold" and rule in evaluation.evaluated:
                writes.closed.append((alert_id, "cleared"))
                change.resolved.append(alert_id)
        _write(cur, writes, now)
    return change


def scope_sql(scope: Scope | None) -> tuple[str, list[Any]]:
    """Which alerts a scope sees: those about its customers; an alert about no customer (a
    KPI, a goal) is a company figure, shown to admins and managers, not to reps."""
    if scope is None or scope.sees_all:
        return "TRUE", []
    cond, params = scope.customer_ids_sql()
    if scope.role == "manager":
        return f"(customer_id IS NULL OR {cond})", params
    return f"(customer_id IS NOT NULL AND {cond})", params


def ack(
    ws: Workspace, alert_id: int, user: str | None = None, *, scope: Scope | None = None
) -> dict[str, Any]:
    """Acknowledge an alert: it stays on record, no longer notifies, never re-alerts (an
    alert outside `scope` is not found)."""
    cond, params = scope_sql(scope)
    row = ws.rows(f"SELECT status FROM alerts WHERE alert_id = ? AND {cond}", [alert_id, *params])
    if not row:
        raise NotFoundError(f"找不到预警 {alert_id}", f"no alert with id {alert_id}")
    now = datetime.now()
    with ws.transaction() as cur:
        if row[0][0] == "open":
            cur.execute(
                "UPDATE alerts SET status = 'acked', acked_at = ?, acked_by = ?, updated_at = ?"
                " WHERE alert_id = ?",
                [now, user, now, alert_id],
            )
        cur.execute(
            "UPDATE alert_deliveries SET status = 'cancelled', updated_at = ?"
            " WHERE alert_id = ? AND status IN ('pending', 'failed')",
            [now, alert_id],
        )
    return get_alert(ws, alert_id)


ALERT_COLUMNS = (
    "alert_id",
    "rule",
    "kind",
    "severity",
    "status",
    "subject_type",
    "subject_id",
    "customer_id",
    "customer_name",
    "owner",
    "title_zh",
    "title_en",
    "detail_zh",
    "detail_en",
    "evidence",
    "as_of",
    "first_seen_at",
    "last_seen_at",
    "resolved_at",
    "resolution",
    "acked_at",
    "acked_by",
)


def _row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    d = dict(zip(ALERT_COLUMNS, row, strict=True))
    d["evidence"] = json.loads(d["evidence"]) if d["evidence"] else {}
    return d


def get_alert(ws: Workspace, alert_id: int) -> dict[str, Any]:
    cols = ", ".join(ALERT_COLUMNS)
    rows = ws.rows(f"SELECT {cols} FROM alerts WHERE alert_id = ?", [alert_id])
    if not rows:
        raise NotFoundError(f"找不到预警 {alert_id}", f"no alert with id {alert_id}")
    alert = _row_dict(rows[0])
    alert["deliveries"] = [
        {"channel": c, "status": s, "runs": n, "last_error": e, "sent_at": t}
        for c, s, n, e, t in ws.rows(
            "SELECT channel, status, runs, last_error, sent_at FROM alert_deliveries"
            " WHERE alert_id = ? ORDER BY channel",
            [alert_id],
        )
    ]
    return alert


def list_alerts(
    ws: Workspace,
    status: str | None = None,
    *,
    rule: str | None = None,
    owner: str | None = None,
    severity: str | None = None,
    customer_id: str | None = None,
    limit: int = 200,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """The alerts `scope` sees (`scope_sql`), last seen first, optionally filtered."""
    if status and status not in STATUSES:
        raise KehuError(
            f"预警状态 {status!r} 无效:可选 {', '.join(STATUSES)}",
            f"unknown alert status {status!r}: use {', '.join(STATUSES)}",
        )
    cond, params = scope_sql(scope)
    where = [cond]
    filters = (
        ("status", status), ("rule", rule), ("owner", owner), ("severity", severity),
        ("customer_id", customer_id),
    )  # fmt: skip
    for col, val in filters:
        if val:
            where.append(f"{col} = ?")
            params.append(val)
    cols = ", ".join(ALERT_COLUMNS)
    rows = ws.rows(
        f"SELECT {cols} FROM alerts WHERE {' AND '.join(where)}"
        " ORDER BY last_seen_at DESC NULLS LAST, alert_id DESC LIMIT ?",
        [*params, int(limit)],
    )
    return [_row_dict(r) for r in rows]


def open_alert_counts(ws: Workspace, scope: Scope | None = None) -> dict[str, int]:
    """Open alerts `scope` sees, per severity."""
    cond, params = scope_sql(scope)
    rows = ws.rows(
        f"SELECT coalesce(severity, 'info'), count(*) FROM alerts WHERE {cond}"
        " AND status = 'open' GROUP BY 1",
        params,
    )
    return {r[0]: int(r[1]) for r in rows}
