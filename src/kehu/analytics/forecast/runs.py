"""Forecast runs: forecast the period (and backtest the past ones) on a workspace, store the
run in `forecast_runs`, read the history and the newest run."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from kehu.analytics import run_log
from kehu.analytics.forecast.data import TARGETS, load
from kehu.analytics.forecast.run import as_day, backtest, forecast, summarize, targets_in
from kehu.calendar import Grain, Period
from kehu.config import ForecastSettings
from kehu.errors import KehuError

if TYPE_CHECKING:
    from kehu.workspace import Workspace

TABLE = "forecast_runs"
HISTORY_COLUMNS = ("run_at", "as_of", "period", "open_deals", "closed", "forecast", "low",
                   "high", "stage_weighted", "target", "backtest_auc", "stage_auc",
                   "backtest_brier", "stage_brier", "forecast_error",
                   "stage_error")  # fmt: skip


def run(
    ws: Workspace,
    as_of: date | None = None,
    *,
    grain: Grain | None = None,
    with_backtest: bool = True,
    store: bool = True,
) -> dict[str, Any]:
    """Forecast the period holding `as_of` (default: the deals' latest date) and backtest the
    past periods; store the run unless `store` is False."""
    cfg = ws.settings.forecast
    if grain:
        cfg = cfg.model_copy(update={"grain": grain})
    p = load(ws)
    if not len(p.deals):
        raise KehuError(
            "还没有商机数据:请先导入 `kehu import --kind opportunities`",
            "no opportunities yet: import some with `kehu import --kind opportunities`",
        )
    day = as_day(as_of, p)
    result = forecast(p, day, cfg, sales_to_date(ws, Period.containing(day.date(), cfg.grain), day))
    result["grain"] = cfg.grain
    result["interval"] = cfg.interval
    result["stage_history"] = bool(len(p.stages))
    result["backtest"] = backtest(p, day, cfg) if with_backtest else None
    result["run_at"] = datetime.now().isoformat()
    if store:
        save(ws, result)
    return result


SALES = """
SELECT coalesce(c.region, '') AS region, coalesce(c.owner, '') AS owner,
       sum(CAST(o.amount AS DOUBLE)) AS amount
FROM orders o LEFT JOIN customers c USING (customer_id)
WHERE o.order_date BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL
"""


def sales_to_date(ws: Workspace, period: Period, day: pd.Timestamp) -> pd.DataFrame:
    """The period's orders up to `day` by the customers' region and owner (targets' units)."""
    return ws.read(SALES, [period.start, day.date()]).df()


def _headline(result: dict[str, Any]) -> list[Any]:
    total, bt = result["total"], result.get("backtest") or {}
    model, stage = bt.get("model") or {}, bt.get("stage_weighted") or {}
    return [
        result["as_of"],
        result["period"],
        total["open_deals"],
        total["closed"],
        total["forecast"],
        total["low"],
        total["high"],
        total["stage_weighted"],
        total["target"],
        model.get("roc_auc"),
        stage.get("roc_auc"),
        model.get("brier"),
        stage.get("brier"),
        bt.get("mean_abs_error"),
        bt.get("stage_mean_abs_error"),
    ]


def save(ws: Workspace, result: dict[str, Any]) -> None:
    """Append one run (its run_at is the key)."""
    run_log.append(ws, TABLE, HISTORY_COLUMNS, result, _headline(result))


def history(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """The latest runs, newest first (headline columns only)."""
    return run_log.history(ws, TABLE, HISTORY_COLUMNS, limit)


def latest(ws: Workspace, cfg: ForecastSettings, *, whole: bool = True) -> dict[str, Any] | None:
    """The full result of the newest run, or None before the first. Unless `whole`, `ws` is
    a scope's view: the run keeps the deals of its customers, its totals are recomputed from
    them, and the backtest keeps its scores but not the company's amounts."""
    result = run_log.latest(ws, TABLE)
    return result if whole or result is None else _narrowed(ws, result, cfg)


WON = """
SELECT o.owner, coalesce(c.region, '') AS region, CAST(o.amount AS DOUBLE) AS amount
FROM opportunities o LEFT JOIN customers c USING (customer_id)
WHERE lower(o.status) = 'won' AND o.closed_on BETWEEN ? AND ?
"""


def _narrowed(ws: Workspace, result: dict[str, Any], cfg: ForecastSettings) -> dict[str, Any]:
    seen = {r[0] for r in ws.rows("SELECT customer_id FROM customers")}
    deals = [d for d in result["deals"] if d["customer_id"] in seen]
    period = Period.parse(result["period"])
    day = pd.Timestamp(result["as_of"])
    frame = pd.DataFrame(deals, columns=["owner", "region", "amount", "p", "p_stage"])
    won = ws.read(WON, [period.start, day.date()]).df()
    won["owner"] = won["owner"].fillna("")
    targets = ws.read(TARGETS).df()
    grouped = summarize(
        frame, won, targets_in(targets, period), sales_to_date(ws, period, day), cfg
    )
    bt = result.get("backtest") or {}
    kept = {
        k: bt[k] for k in ("deals", "win_rate", "model", "stage_weighted", "base_rate") if k in bt
    }
    return {**result, **grouped, "deals": deals, "backtest": kept or None, "scoped": True}
