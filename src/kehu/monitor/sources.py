"""Frames the alert rules run on: snapshots, canonical tables with derived fields, goals, KPIs.

Every frame carries `_subject_type`, `_subject_id`, `_customer_id`, `_customer_name`,
`_owner` and (for dated rows) `_event_at`, so the evaluator treats all sources alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from kehu.analytics.stored import SNAPSHOT, snapshot_dates, table_exists
from kehu.errors import KehuError
from kehu.workspace import Workspace


def evaluation_now(as_of: date) -> datetime:
    """The moment rules are evaluated at: now for today, else the start of `as_of`."""
    today = date.today()
    return datetime.now() if as_of >= today else datetime.combine(as_of, time.min)


def timestamp_sql(moment: datetime) -> str:
    """A SQL timestamp literal."""
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def snapshot_sql(ws: Workspace, as_of: date) -> str:
    """SELECT of one snapshot, with the common subject columns."""
    have = {r[0] for r in ws.rows(f"DESCRIBE {SNAPSHOT}")}
    name = "s.name" if "name" in have else "NULL::VARCHAR"
    owner = "s.owner" if "owner" in have else "NULL::VARCHAR"
    return (
        "SELECT s.*, 'customer' AS _subject_type, CAST(s.customer_id AS VARCHAR) AS _subject_id,"
        f" s.customer_id AS _customer_id, {name} AS _customer_name, {owner} AS _owner"
        f" FROM {SNAPSHOT} s WHERE s.as_of = DATE '{as_of.isoformat()}'"
    )


# Dated row tables: (date column, subject type). Derived fields are documented in monitoring.md.
ROW_TABLES: dict[str, tuple[str | None, str]] = {
    "tickets": ("opened_at", "ticket"),
    "surveys": ("surveyed_on", "survey"),
    "orders": ("order_date", "order"),
    "interactions": ("occurred_at", "interaction"),
    "opportunities": ("created_on", "opportunity"),
    "contacts": (None, "contact"),
}

_DERIVED = {
    "tickets": (
        "date_diff('second', t.opened_at, coalesce(t.first_response_at, $now)) / 3600.0"
        " AS first_response_hours, "
        "CASE WHEN t.resolved_at IS NULL THEN NULL"
        " ELSE date_diff('second', t.opened_at, t.resolved_at) / 3600.0 END AS resolution_hours"
    ),
    "orders": (
        "CASE WHEN t.due_date IS NULL OR t.paid_date IS NOT NULL"
        " OR coalesce(t.paid_amount, 0) >= t.amount THEN NULL"
        " ELSE greatest(date_diff('day', t.due_date, CAST($now AS DATE)), 0) END AS overdue_days, "
        "t.amount - coalesce(t.paid_amount, 0) AS unpaid_amount"
    ),
}


def row_sql(ws: Workspace, table: str, now: datetime) -> str:
    """SELECT of a canonical child table joined to its customer (name, owner), with derived
    fields and the common subject columns."""
    if table not in ROW_TABLES:
        raise KehuError(
            f"预警规则不支持表 {table}",
            f"alert rules cannot use table {table}",
        )
    date_col, subject_type = ROW_TABLES[table]
    derived = _DERIVED.get(table)
    extra = f", {derived.replace('$now', timestamp_sql(now))}" if derived else ""
    event = f", t.{date_col} AS _event_at" if date_col else ""
    owner_expr = "coalesce(c.owner, t.owner)" if table not in ("surveys", "contacts") else "c.owner"
    columns = [r[0] for r in ws.rows(f"DESCRIBE {table}")]
    key_col = next(c for c in columns if c.endswith("_id") and c != "customer_id")
    return (
        f"SELECT t.*, c.name AS _customer_name, {owner_expr} AS _owner{event}{extra},"
        f" '{subject_type}' AS _subject_type,"
        f" CAST(t.source AS VARCHAR) || '/' || CAST(t.{key_col} AS VARCHAR) AS _subject_id,"
        " t.customer_id AS _customer_id"
        f" FROM {table} t LEFT JOIN customers c ON c.customer_id = t.customer_id"
    )


@dataclass(frozen=True)
class SnapshotPair:
    previous: date | None
    current: date | None


def snapshot_pair(ws: Workspace, as_of: date | None = None) -> SnapshotPair:
    """The snapshot in force at `as_of` (latest if None) and the one before it."""
    dates = snapshot_dates(ws)
    if as_of is not None:
        dates = [d for d in dates if d <= as_of]
    if not dates:
        return SnapshotPair(None, None)
    return SnapshotPair(dates[-2] if len(dates) > 1 else None, dates[-1])


def goals_frame(ws: Workspace, as_of: date) -> pd.DataFrame | None:
    """Goals with their current status, from the planning floor (None if it is absent)."""
    try:
        from kehu.planning.goals import goals_status
    except ImportError:
        goals_status = None  # type: ignore[assignment]
    if goals_status is not None and table_exists(ws, "goals"):
        df = pd.DataFrame(goals_status(ws, as_of=as_of))
    elif table_exists(ws, "goals"):
        df = ws.read("SELECT * FROM goals").df()
    else:
        return None
    if df.empty:
        return None
    df["_subject_type"] = "goal"
    df["_subject_id"] = df["goal_id"].astype(str)
    df["_customer_id"] = df.get("customer_id", None)
    df["_customer_name"] = df.get("name", None)
    df["_owner"] = df.get("owner", None)
    return df


def kpi_frame(ws: Workspace, as_of: date) -> pd.DataFrame | None:
    """This month's company-wide KPI values as one row (columns = KPI codes)."""
    try:
        from kehu.analytics.kpis import compute_kpis
    except ImportError:
        return None
    month_start = as_of.replace(day=1)
    rows = compute_kpis(ws, "month", None, month_start, as_of)
    if not rows:
        return None
    latest = max(r["period"] for r in rows)
    mine = [r for r in rows if r["period"] == latest]
    wide: dict[str, Any] = {r["kpi"]: r["value"] for r in mine}
    # a month that is not over is compared with the same days of the month before
    wide.update({f"{r['kpi']}_previous": r["previous"] for r in mine})
    wide.update({f"{r['kpi']}_change": r["change"] for r in mine})
    first = mine[0]
    wide.update(partial=first["partial"], days=first["days"], period_days=first["period_days"])
    df = pd.DataFrame([{**wide, "period": latest}])
    df["_subject_type"] = "kpi"
    df["_subject_id"] = latest
    df["_customer_id"] = None
    df["_customer_name"] = None
    df["_owner"] = None
    return df
