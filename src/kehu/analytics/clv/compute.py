"""`compute_clv`: historical value to date and predicted, discounted CLV per customer.

Steps (documented in docs/clv_churn.md):
1. `purchase_summary` at the calibration cut-off (`clv.calibration_end`, else `as_of`) feeds
   the fits: the purchase model (BG/NBD or Pareto/NBD) on (x, t_x, T) and Gamma-Gamma on
   customers with x > 0 (spend = mean value of repeat occasions).
2. The fitted parameters are applied to each customer's summary at `as_of`: p_alive,
   expected purchases over `clv.horizon` time units, expected spend per purchase.
3. predicted_clv = Σ_k ΔE_k · spend · margin / (1 + d_m)^k over monthly steps k = 1..K,
   where ΔE_k is the expected purchases in month k, d_m = (1 + discount_rate)^(1/12) − 1
   and the last step may be a part month. margin = the customer's own margin from cost when
   known (`clv.use_observed_margin`), else `clv.margin`.
4. clv_historical = revenue to date (net of returns); profit_historical = revenue − cost,
   with orders lacking a cost counted at `clv.margin`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.clv import bgnbd, gammagamma, paretonbd, uncertainty
from kehu.analytics.clv.fitting import FitResult, unique_rows
from kehu.analytics.clv.summary import UNIT_DAYS, purchase_summary
from kehu.config import ClvSettings
from kehu.i18n import catalog

FRAME_COLUMNS = (
    "customer_id",
    "clv_historical",
    "profit_historical",
    "p_alive",
    "expected_purchases",
    "predicted_clv",
)
MONTH_DAYS = 365.2425 / 12.0

MSG = catalog("clv")


@dataclass
class ClvOutput:
    """Per-customer CLV frame plus the fitted parameters (for `kehu analyze --json`)."""

    frame: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    loglik: float | None = None


def compute_clv(orders: Any, as_of: date, settings: ClvSettings) -> ClvOutput:
    """CLV for every customer with orders on or before `as_of` (see module docstring).

    `orders`: pyarrow.Table or pandas.DataFrame with customer_id, order_date, amount and
    optionally cost. Records after `as_of` are ignored (point-in-time).
    """
    unit = settings.time_unit
    now = purchase_summary(orders, as_of, unit)
    cal_end = settings.calibration_end
    calib = now if cal_end is None or cal_end >= as_of else purchase_summary(orders, cal_end, unit)
    return clv_from_summary(now, calib, as_of, settings)


def clv_from_summary(
    now: pd.DataFrame, calib: pd.DataFrame, as_of: date, settings: ClvSettings
) -> ClvOutput:
    """CLV from purchase summaries (`kehu.analytics.clv.summary`) at `as_of` (scored) and at
    the calibration cut-off (fitted; the same frame when there is none)."""
    unit = settings.time_unit
    cal_end = settings.calibration_end
    info: dict[str, Any] = {
        "model": settings.model,
        "time_unit": unit,
        "horizon": settings.horizon,
        "discount_rate": settings.discount_rate,
        "discount_step": "month",
        "calibration_end": (cal_end if cal_end and cal_end < as_of else as_of).isoformat(),
        "as_of": as_of.isoformat(),
    }
    frame = _historical(now, settings)
    if now.empty:
        info.update(status="no_orders", **_msg("no_orders", as_of=as_of.isoformat()))
        return ClvOutput(_finish(frame), info, None)

    fit = calib.dropna(subset=["x"])
    n_repeat = int((fit["x"] > 0).sum())
    if n_repeat < settings.min_repeat_customers:
        info.update(
            status="insufficient_data",
            **_msg("few_repeat", n=n_repeat, need=settings.min_repeat_customers),
        )
        return ClvOutput(_finish(frame), info, None)

    x, t_x, T = (fit[c].to_numpy(float) for c in ("x", "t_x", "T"))
    try:
        purchase = (
            paretonbd.fit_pareto_nbd(x, t_x, T)
            if settings.model == "paretonbd"
            else bgnbd.fit_bgnbd(x, t_x, T)
        )
    except (ValueError, FloatingPointError) as exc:
        info.update(status="fit_failed", **_msg("fit_failed", err=str(exc)))
        return ClvOutput(_finish(frame), info, None)
    info["purchase"] = purchase.to_dict()
    info["purchase"]["cov_log"] = uncertainty.log_covariance(
        purchase.model, purchase.params, x, t_x, T
    )
    spend_fit, spend_note = _fit_spend(fit)
    info["spend"] = spend_fit.to_dict() if spend_fit else None
    if spend_note:
        info["spend_note"] = spend_note

    pred = _predict(now, purchase, spend_fit, settings)
    for col in pred.columns:  # aligned on the rows of `now` (NaN where x is null)
        frame[col] = pred[col]
    info.update(status="ok", **_msg("ok"))
    info["totals"] = {
        "customers": len(frame),
        "predicted_clv": _nan_sum(frame["predicted_clv"]),
        "expected_purchases": _nan_sum(frame["expected_purchases"]),
        "mean_p_alive": float(np.nanmean(frame["p_alive"]))
        if frame["p_alive"].notna().any()
        else None,
    }
    return ClvOutput(_finish(frame), info, purchase.loglik)


def discount_weights(settings: ClvSettings) -> tuple[np.ndarray, np.ndarray]:
    """Step ends (in time units) and the discount factor of each monthly step."""
    horizon_days = settings.horizon * UNIT_DAYS[settings.time_unit]
    steps = max(1, math.ceil(horizon_days / MONTH_DAYS - 1e-9))
    ends_days = np.minimum(np.arange(1, steps + 1) * MONTH_DAYS, horizon_days)
    monthly = (1.0 + settings.discount_rate) ** (1.0 / 12.0) - 1.0
    factors = (1.0 + monthly) ** -(ends_days / MONTH_DAYS)
    return ends_days / UNIT_DAYS[settings.time_unit], factors


def purchase_curve(
    model: str, params: dict[str, float], settings: ClvSettings, x: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per (x, T) row, for a customer alive at T: expected purchases over `clv.horizon` and
    their discounted sum over the monthly steps (step 3 of the module docstring)."""
    module = paretonbd if model == "paretonbd" else bgnbd
    ends, factors = discount_weights(settings)
    with np.errstate(all="ignore"):
        curve = np.column_stack([module.expected_purchases_if_alive(params, e, x, T) for e in ends])
    per_step = np.clip(np.diff(curve, axis=1, prepend=0.0), 0.0, None)
    return curve[:, -1], (per_step * factors).sum(axis=1)


def _historical(now: pd.DataFrame, settings: ClvSettings) -> pd.DataFrame:
    revenue = now["revenue"].fillna(0.0)
    costed = now["costed_revenue"].fillna(0.0)
    profit = (costed - now["cost"].fillna(0.0)) + (revenue - costed) * settings.margin
    return pd.DataFrame(
        {
            "customer_id": now["customer_id"].astype(str),
            "clv_historical": revenue.round(2),
            "profit_historical": profit.round(2),
        }
    )


def _fit_spend(fit: pd.DataFrame) -> tuple[FitResult | None, dict[str, str] | None]:
    x, m = fit["x"].to_numpy(float), fit["m_repeat"].to_numpy(float)
    try:
        res = gammagamma.fit_gamma_gamma(x, m)  # it keeps the rows with x > 0 and m̄ > 0
    except ValueError as exc:
        return None, _msg("spend_fallback", why=str(exc))
    if res.params["q"] <= 1.0:
        return res, _msg("spend_fallback", why="q <= 1")
    return res, None


def _predict(
    now: pd.DataFrame,
    purchase: FitResult,
    spend_fit: FitResult | None,
    settings: ClvSettings,
) -> pd.DataFrame:
    ok = now.dropna(subset=["x"])
    x_all, t_all, T_all = (ok[c].to_numpy(float) for c in ("x", "t_x", "T"))
    model = paretonbd if purchase.model == "paretonbd" else bgnbd
    params = purchase.params
    with np.errstate(all="ignore"):
        # The purchase curve (hypergeometric functions) on distinct (x, T) only; BG/NBD's
        # closed-form p_alive costs less on every row than finding the distinct rows.
        if model is bgnbd:
            alive = model.p_alive(params, x_all, t_all, T_all)
        else:
            (ux, ut, uT), inv = unique_rows([x_all, t_all, T_all])
            alive = model.p_alive(params, ux, ut, uT)[inv]
        (vx, vT), inv2 = unique_rows([x_all, T_all])
        total, disc = purchase_curve(purchase.model, params, settings, vx, vT)
    discounted = disc[inv2] * alive
    expected = total[inv2] * alive
    x = ok["x"].to_numpy(float)
    if spend_fit is not None and spend_fit.params["q"] > 1.0:
        spend = gammagamma.expected_spend(spend_fit.params, x, ok["m_repeat"].to_numpy(float))
    else:
        spend = ok["m_all"].to_numpy(float)
    spend = np.clip(np.nan_to_num(spend, nan=0.0), 0.0, None)
    margin = np.full(len(ok), settings.margin)
    if settings.use_observed_margin:
        costed = ok["costed_revenue"].to_numpy(float)
        cost = ok["cost"].to_numpy(float)
        with np.errstate(all="ignore"):
            own = (costed - cost) / costed
        usable = np.isfinite(own) & (costed > 0)
        margin = np.where(usable, np.clip(own, -1.0, 1.0), margin)
    return pd.DataFrame(
        {
            "p_alive": alive,
            "expected_purchases": expected,
            "predicted_clv": np.round(discounted * spend * margin, 2),
        },
        index=ok.index,
    )


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    for col in FRAME_COLUMNS:
        if col not in frame.columns:
            frame[col] = np.nan
    return frame.loc[:, list(FRAME_COLUMNS)].reset_index(drop=True)


def _nan_sum(series: pd.Series) -> float | None:
    return round(float(series.sum()), 2) if series.notna().any() else None


def _msg(key: str, **kwargs: object) -> dict[str, str]:
    zh, en = MSG.pair(key, **kwargs)
    return {"message_zh": zh, "message_en": en}
