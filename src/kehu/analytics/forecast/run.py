"""The pipeline forecast of one period and its backtest on the workspace's past periods.

forecast = won so far in the period + Σ p × amount over the open deals, p the calibrated
chance a deal is won by the period's end; a Monte Carlo draw of every open deal gives the
interval. The stage-weighted forecast (Σ stage win rate × amount) and the target stand beside
it, per region and per rep as well as in total.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.backtest_metrics import churn_figures
from kehu.analytics.forecast.data import Pipeline
from kehu.analytics.forecast.features import samples, snapshot
from kehu.analytics.forecast.model import WinModel
from kehu.analytics.forecast.reasons import reasons
from kehu.calendar import Grain, Period
from kehu.config import ForecastSettings

GROUPS = ("region", "owner")
SEED = 20


def won_in(d: pd.DataFrame, period: Period, day: pd.Timestamp) -> pd.DataFrame:
    """Deals won in the period up to `day`."""
    start = pd.Timestamp(period.start)
    return d[(d["status"] == "won") & (d["closed_on"] >= start) & (d["closed_on"] <= day)]


def targets_in(t: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The targets set for `period`, else (a quarter, a year) those of its months."""
    if not len(t):
        return t
    own = t[t["period"].astype(str) == period.label]
    months = {m.label for m in period.month_periods()} - {period.label}
    return own if len(own) else t[t["period"].astype(str).isin(months)]


def _interval(amount: np.ndarray, prob: np.ndarray, cfg: ForecastSettings) -> np.ndarray:
    """(draws,) simulated won amounts: each open deal won with its probability."""
    rng = np.random.default_rng(SEED)
    out = np.zeros(cfg.simulations)
    for start in range(0, cfg.simulations, 500):  # 500 draws at a time bounds the memory
        k = min(500, cfg.simulations - start)
        out[start : start + k] = (rng.random((k, len(prob))) < prob) @ amount
    return out


def _quantiles(draws: np.ndarray, cfg: ForecastSettings) -> tuple[float, float]:
    """The central `interval` of the simulated amounts."""
    tail = (1 - cfg.interval) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return round(float(low), 2), round(float(high), 2)


def _row(
    name: str,
    closed: float,
    open_df: pd.DataFrame,
    target: float | None,
    sales: float,
    cfg: ForecastSettings,
) -> dict[str, Any]:
    amount = open_df["amount"].to_numpy(float)
    p, stage_p = open_df["p"].to_numpy(float), open_df["p_stage"].to_numpy(float)
    low, high = _quantiles(closed + _interval(amount, p, cfg), cfg)
    forecast = closed + float(p @ amount)
    return {
        "name": name,
        "closed": round(closed, 2),
        "open_deals": int(len(open_df)),
        "pipeline": round(float(amount.sum()), 2),
        "forecast": round(forecast, 2),
        "low": low,
        "high": high,
        "stage_weighted": round(closed + float(stage_p @ amount), 2),
        "target": None if target is None else round(target, 2),
        "sales": round(sales, 2),
    }


def _target_of(t: pd.DataFrame, column: str | None, name: str | None) -> float | None:
    """The target of the company (`column` None), a region or a rep. A row applies to the
    units it sets (kehu targets): region only is a region's, with an owner a rep's, none
    the company's; without a company row its regions' (else its reps') rows add up."""
    if not len(t):
        return None
    region, owner = t["region"].ne(""), t["owner"].ne("")
    if column == "region":
        sel = t[region & ~owner & (t["region"] == name)]
    elif column == "owner":
        sel = t[owner & (t["owner"] == name)]
    else:
        sel = next(
            (t[m] for m in (~region & ~owner, region & ~owner, owner) if m.any()), t.iloc[:0]
        )
    return float(sel["amount"].sum()) if len(sel) else None


def summarize(
    deals: pd.DataFrame,
    won: pd.DataFrame,
    targets: pd.DataFrame,
    sales: pd.DataFrame,
    cfg: ForecastSettings,
) -> dict[str, Any]:
    """Total, per region and per rep: won so far, the open deals' forecast with its interval,
    the stage-weighted forecast, the target and the sales (orders) so far. `deals` holds the
    open deals with `p` and `p_stage`, `won` the deals won in the period so far, `sales` the
    period's orders by the customers' region and owner (what targets count)."""

    def amount(df: pd.DataFrame, col: str | None, name: str | None) -> float:
        return float(df["amount"].sum() if col is None else df.loc[df[col] == name, "amount"].sum())

    def row(col: str | None, name: str | None, open_df: pd.DataFrame) -> dict[str, Any]:
        return _row(
            name or "",
            amount(won, col, name),
            open_df,
            _target_of(targets, col, name),
            amount(sales, col, name),
            cfg,
        )

    out: dict[str, Any] = {"total": row(None, None, deals)}
    for col in GROUPS:
        names = sorted(set(deals[col]) | set(won[col]))
        out[col] = [row(col, n, deals[deals[col] == n]) for n in names]
    return out


def forecast(
    p: Pipeline,
    day: pd.Timestamp,
    cfg: ForecastSettings,
    sales: pd.DataFrame | None = None,
    model: WinModel | None = None,
) -> dict[str, Any]:
    """The forecast of the period holding `day`: total, per region and per rep, and every
    open deal with its probability and reasons."""
    grain: Grain = cfg.grain
    period = Period.containing(day.date(), grain)
    model = model or WinModel.fit(samples(p, day, grain))
    deals = snapshot(p, day, grain)
    deals["p"] = model.predict(deals)
    deals["p_stage"] = model.stages.predict(deals)
    no_sales = pd.DataFrame({"region": [], "owner": [], "amount": []})
    won, targets = won_in(p.deals, period, day), targets_in(p.targets, period)
    groups = summarize(deals, won, targets, no_sales if sales is None else sales, cfg)
    why = reasons(model, deals, p.stage_order)
    rows = deals.assign(reasons=why).sort_values(["p", "deal"], ascending=[False, True])
    return {
        "as_of": day.date().isoformat(),
        "period": period.label,
        "period_end": period.end.isoformat(),
        **groups,
        "trained_on": model.trained_on,
        "deals": [
            {
                "deal": r.deal,
                "customer_id": r.customer_id,
                "customer_name": r.customer_name,
                "owner": r.owner,
                "region": r.region,
                "stage": r.stage_name,
                "days_in_stage": None if pd.isna(r.days_in_stage) else int(r.days_in_stage),
                "amount": round(float(r.amount), 2),
                "p": round(float(r.p), 6),
                "p_stage": round(float(r.p_stage), 6),
                "reasons": r.reasons,
            }
            for r in rows.itertuples()
        ],
    }


def backtest(p: Pipeline, day: pd.Timestamp, cfg: ForecastSettings) -> dict[str, Any]:
    """Forecast each of the last `backtest_periods` finished periods from its first day with a
    model trained only on what was known then; compare with what the open deals did.

    Deals created later in a period cannot be in its pipeline, so a period's actual is the
    amount won by its end among the deals open on its first day."""
    grain: Grain = cfg.grain
    current = Period.containing(day.date(), grain)
    periods = [current.shift(-k) for k in range(cfg.backtest_periods, 0, -1)]
    first = p.deals["created_on"].min()
    rows: list[dict[str, Any]] = []
    ys, ps, ss, bs = [], [], [], []
    for period in periods:
        start = pd.Timestamp(period.start)
        if pd.isna(first) or start <= first:
            continue
        train = samples(p, start - pd.Timedelta(days=1), grain)
        test = snapshot(p, start, grain)
        if not len(test) or not len(train):
            continue
        model = WinModel.fit(train)
        prob, stage_p = model.predict(test), model.stages.predict(test)
        amount, y = test["amount"].to_numpy(float), test["won"].to_numpy(float)
        actual = float(y @ amount)
        low, high = _quantiles(_interval(amount, prob, cfg), cfg)
        rows.append(
            {
                "period": period.label,
                "open_deals": int(len(test)),
                "trained_on": int(len(train)),
                "actual": round(actual, 2),
                "forecast": round(float(prob @ amount), 2),
                "low": low,
                "high": high,
                "inside": low <= actual <= high,
                "stage_weighted": round(float(stage_p @ amount), 2),
                "error": _error(float(prob @ amount), actual),
                "stage_error": _error(float(stage_p @ amount), actual),
            }
        )
        ys.append(y)
        ps.append(prob)
        ss.append(stage_p)
        bs.append(np.full(len(y), model.stages.base))
    if not rows:
        return {"periods": [], "deals": 0}
    y = np.concatenate(ys)
    return {
        "periods": rows,
        "deals": int(len(y)),
        "win_rate": round(float(y.mean()), 4),
        "model": churn_figures(y, np.concatenate(ps)),
        "stage_weighted": churn_figures(y, np.concatenate(ss)),
        "base_rate": churn_figures(y, np.concatenate(bs), bins=False),
        "mean_abs_error": _mean_abs([r["error"] for r in rows]),
        "stage_mean_abs_error": _mean_abs([r["stage_error"] for r in rows]),
        "inside": sum(r["inside"] for r in rows),
        "interval": cfg.interval,
    }


def _error(forecast: float, actual: float) -> float | None:
    return round((forecast - actual) / actual, 4) if actual else None


def _mean_abs(errors: list[float | None]) -> float | None:
    known = [abs(e) for e in errors if e is not None]
    return round(float(np.mean(known)), 4) if known else None


def as_day(as_of: date | None, p: Pipeline) -> pd.Timestamp:
    return pd.Timestamp(as_of) if as_of else p.last_day
