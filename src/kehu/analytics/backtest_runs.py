"""Backtest runs: run one on the workspace, store it in `backtest_runs`, read the history.

The headline figures (kehu's churn AUC next to BG/NBD's and the naive baseline's, Brier
score, purchase error and correlation) are columns, so the history is one query; the full
result is kept as JSON for the report, the web page and `kehu backtest --history --json`.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kehu.analytics.backtest import run_backtest
from kehu.analytics.snapshot import Progress, engine_tables

if TYPE_CHECKING:
    from kehu.workspace import Workspace

HISTORY_COLUMNS = ("run_at", "as_of", "horizon_days", "customers", "churn_rate", "churn_auc",
                   "bgnbd_auc", "naive_auc", "churn_brier", "purchases_error",
                   "purchases_corr", "purchase_model")  # fmt: skip


def backtest(
    ws: Workspace,
    as_of: date | None = None,
    horizon_days: int | None = None,
    *,
    engine: str = "duckdb",
    progress: Progress | None = None,
    store: bool = True,
) -> dict[str, Any]:
    """Run a backtest on the workspace's own history and (by default) store it."""
    ws.con.execute("SET enable_progress_bar = false")
    result = run_backtest(
        engine_tables(ws, engine), ws.settings, as_of, horizon_days, progress=progress
    )
    result["run_at"] = datetime.now().isoformat()
    if store:
        save(ws, result)
    return result


def _headline(result: dict[str, Any]) -> list[Any]:
    overall = result["overall"]
    churn, purchases = overall["churn"], overall["purchases"]
    model = result.get("kehu_purchase_model") or "bgnbd"
    used = purchases.get(model) or {}
    return [
        result["as_of"],
        result["horizon_days"],
        result["customers"],
        overall["churn_rate"],
        churn["kehu"]["roc_auc"],
        churn["bgnbd"]["roc_auc"],
        churn["naive"]["roc_auc"],
        churn["kehu"]["brier"],
        used.get("total_error"),
        used.get("correlation"),
        model,
    ]


def save(ws: Workspace, result: dict[str, Any]) -> None:
    """Append one run (its run_at is the key)."""
    with ws.transaction() as cur:
        cur.execute(
            f"INSERT INTO backtest_runs ({', '.join(HISTORY_COLUMNS)}, result_json)"
            f" VALUES ({', '.join('?' * (len(HISTORY_COLUMNS) + 1))})",
            [result["run_at"], *_headline(result), json.dumps(result, ensure_ascii=False)],
        )


def history(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs, newest first (headline columns only)."""
    rows = ws.rows(
        f"SELECT {', '.join(HISTORY_COLUMNS)} FROM backtest_runs ORDER BY run_at DESC LIMIT ?",
        [limit],
    )
    return [dict(zip(HISTORY_COLUMNS, row, strict=True)) for row in rows]


def latest(ws: Workspace) -> dict[str, Any] | None:
    """The full result of the newest run, or None before the first."""
    text = ws.scalar("SELECT result_json FROM backtest_runs ORDER BY run_at DESC LIMIT 1")
    return json.loads(text) if text else None
