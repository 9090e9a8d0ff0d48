"""Tasks created by `kehu plan`: list, close (done / cancelled), export."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from kehu.errors import KehuError, NotFoundError
from kehu.i18n import pairs, tr
from kehu.planning.labels import BANDS, TASK_STATUS, factors, label, team
from kehu.spreadsheet import excel_writer, frame_to_csv

if TYPE_CHECKING:
    from kehu.workspace import Workspace

STATUSES = ("open", "done", "cancelled")

_LIST_COLUMNS = (
    "task_id", "customer_id", "customer_name", "playbook", "period", "as_of", "direction_zh",
    "direction_en", "actions", "reason", "owner", "accountable", "consulted", "informed",
    "region", "rfm_type", "value_tier", "churn_risk", "predicted_clv", "cost", "priority",
    "priority_band", "score_strategic_fit", "score_value", "score_growth", "score_risk",
    "score_urgency", "due_date", "status", "closed_at", "note", "created_at",
)  # fmt: skip


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise KehuError(
            f"任务状态 {status!r} 无效:可选 open、done、cancelled",
            f"unknown task status {status!r}: use open, done or cancelled",
        )


def list_tasks(
    ws: Workspace,
    *,
    owner: str | None = None,
    status: str | None = None,
    customer_id: str | None = None,
    band: str | None = None,
    customer_ids: list[str] | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Tasks, highest priority first (open and overdue first among equals)."""
    _check_status(status)
    if customer_ids is not None and not customer_ids:
        return []
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    for col, val in (
        ("owner", owner),
        ("status", status),
        ("customer_id", customer_id),
        ("priority_band", band),
    ):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    if customer_ids is not None:
        where.append(f"customer_id IN ({', '.join('?' for _ in customer_ids)})")
        params.extend(customer_ids)
    sql = f"SELECT {', '.join(_LIST_COLUMNS)} FROM tasks WHERE {' AND '.join(where)}"
    sql += " ORDER BY status = 'open' DESC, priority DESC, due_date, task_id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    cur = ws.read(sql, params)
    names = [d[0] for d in cur.description]
    return [_parsed(dict(zip(names, r, strict=True))) for r in cur.fetchall()]


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    row["actions"] = json.loads(row["actions"]) if row["actions"] else []
    row["reason"] = json.loads(row["reason"]) if row["reason"] else {}
    return row


def set_status(ws: Workspace, task_id: int, status: str, note: str | None = None) -> dict:
    """Mark a task done or cancelled (or re-open it); returns the updated task."""
    _check_status(status)
    with ws.transaction() as cur:
        row = cur.execute("SELECT status FROM tasks WHERE task_id = ?", [task_id]).fetchone()
        if row is None:
            raise NotFoundError(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}")
        now = datetime.now()
        closed = None if status == "open" else now
        cur.execute(
            "UPDATE tasks SET status = ?, closed_at = ?, note = coalesce(?, note), updated_at = ?"
            " WHERE task_id = ?",
            [status, closed, note, now, task_id],
        )
    return list_tasks_by_id(ws, task_id)


def list_tasks_by_id(ws: Workspace, task_id: int) -> dict[str, Any]:
    sql = f"SELECT {', '.join(_LIST_COLUMNS)} FROM tasks WHERE task_id = ?"
    cur = ws.read(sql, [task_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    if row is None:
        raise NotFoundError(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}")
    return _parsed(dict(zip(names, row, strict=True)))


_HEADERS = pairs("headers", "tasks")


def task_frame(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """Tasks as a human table in `lang` (headers and texts translated)."""
    records = []
    for r in rows:
        records.append(
            {
                "task_id": r["task_id"],
                "customer_id": r["customer_id"],
                "customer_name": r["customer_name"],
                "direction": tr(lang, r["direction_zh"] or "", r["direction_en"] or ""),
                "measures": "; ".join(tr(lang, a["zh"], a["en"]) for a in r["actions"]),
                "priority": r["priority"],
                "priority_band": label(BANDS, r["priority_band"], lang),
                "factors": factors(r, lang),
                "due_date": r["due_date"],
                "status": label(TASK_STATUS, r["status"], lang),
                "owner": team(r["owner"], lang),
                "accountable": team(r["accountable"], lang),
                "consulted": team(r["consulted"], lang),
                "informed": team(r["informed"], lang),
                "region": r["region"],
                "rfm_type": r["rfm_type"],
                "value_tier": r["value_tier"],
                "churn_risk": r["churn_risk"],
                "predicted_clv": r["predicted_clv"],
                "period": r["period"],
                "playbook": r["playbook"],
                "note": r["note"],
            }
        )
    frame = pd.DataFrame(records, columns=list(_HEADERS))
    return frame.rename(columns={k: tr(lang, *v) for k, v in _HEADERS.items()})


def export_tasks(
    ws: Workspace,
    out: str | Path,
    *,
    status: str | None = None,
    owner: str | None = None,
    lang: str = "zh",
) -> int:
    """Write tasks to CSV (UTF-8 with BOM, opens in Excel), XLSX or JSON; returns the rows."""
    path = Path(out)
    rows = list_tasks(ws, status=status, owner=owner)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, default=str, indent=2), "utf-8")
        return len(rows)
    frame = task_frame(rows, lang)
    if suffix == ".csv":
        frame_to_csv(frame, path)
    elif suffix == ".xlsx":
        with excel_writer(path) as xw:
            sheet = tr(lang, "任务", "tasks")
            frame.to_excel(xw, sheet_name=sheet, index=False)
            xw.sheets[sheet].freeze_panes(1, 0)
    else:
        raise KehuError(
            f"不支持的导出格式 {path.suffix!r}:请用 .csv、.xlsx 或 .json",
            f"cannot export to {path.suffix!r}: use .csv, .xlsx or .json",
        )
    return len(rows)
