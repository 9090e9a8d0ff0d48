"""Backtest runs: run one on the workspace, store it in `backtest_runs`, read the history.

The headline figures (kehu's churn AUC next to BG/NBD's and the naive baseline's, Brier
score, purchase error and correlation) are columns, so the history is one query; the full
result is kept as JSON for the report, the web page and `kehu backtest --history --json`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kehu.analytics import run_log
from kehu.analytics.backtest import run_backtest
from kehu.analytics.snapshot import Progress, engine_tables

if TYPE_CHECKING:
    from kehu.workspace import Workspace

TABLE = "backtest_runs"
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
    run_log.append(ws, TABLE, HISTORY_COLUMNS, result, _headline(result))


def history(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs, newest first (headline columns only)."""
    return run_log.history(ws, TABLE, HISTORY_COLUMNS, limit)


def latest(ws: Workspace) -> dict[str, Any] | None:
    """The full result of the newest run, or None before the first."""
    return run_log.latest(ws, TABLE)
