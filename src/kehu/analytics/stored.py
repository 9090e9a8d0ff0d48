"""What is stored: snapshot dates, the data's last day, table presence (every floor above)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from kehu.errors import KehuError

if TYPE_CHECKING:
    from kehu.workspace import Workspace

SNAPSHOT = "customer_snapshot"


def table_exists(ws: Workspace, name: str) -> bool:
    return bool(
        ws.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])
    )


def table_columns(ws: Workspace, name: str) -> set[str]:
    rows = ws.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
    )
    return {r[0] for r in rows}


def snapshot_dates(ws: Workspace) -> list[date]:
    """The as_of dates of the stored snapshots, oldest first (empty without analytics)."""
    if not table_exists(ws, SNAPSHOT):
        return []
    return [r[0] for r in ws.rows(f"SELECT DISTINCT as_of FROM {SNAPSHOT} ORDER BY 1")]


def snapshot_at(ws: Workspace, as_of: date | None = None) -> date:
    """The snapshot in force at `as_of`: the latest one on or before it (latest if None)."""
    dates = snapshot_dates(ws)
    if as_of is not None:
        dates = [d for d in dates if d <= as_of]
    if not dates:
        when_zh = f"{as_of} 及之前" if as_of else ""
        when_en = f" on or before {as_of}" if as_of else ""
        raise KehuError(
            f"没有{when_zh}的客户快照:请先运行 `kehu analyze`",
            f"no customer snapshot{when_en}: run `kehu analyze` first",
        )
    return dates[-1]


def data_end(ws: Workspace) -> date:
    """The last day with activity (orders, interactions, tickets, surveys, opportunities).

    Used as the default 'today' of KPIs, goals and target progress, so a workspace whose
    data stops in the past is measured where its data ends. Today when the store is empty.
    """
    row = ws.rows(
        """
        SELECT greatest(
            (SELECT max(order_date) FROM orders),
            (SELECT CAST(max(occurred_at) AS DATE) FROM interactions),
            (SELECT CAST(max(opened_at) AS DATE) FROM tickets),
            (SELECT max(surveyed_on) FROM surveys),
            (SELECT greatest(max(created_on), max(closed_on)) FROM opportunities)
        )
        """
    )[0][0]
    if row is None:
        return date.today()
    return row.date() if isinstance(row, datetime) else row
