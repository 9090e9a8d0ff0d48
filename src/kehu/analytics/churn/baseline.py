"""The purchase model's view of churn: candidates for churn_risk when the history is short.

From each customer's (x, t_x, T) at a date, the workspace's purchase model (`clv.model`:
BG/NBD or Pareto/NBD, fitted on that date's customers, or the snapshot's own fit at as_of)
gives three features: `p_no_purchase` (the exact P(no purchase within churn.horizon_days),
`kehu.analytics.clv.p_no_purchase`), `expected_purchases_h` (expected purchases in that
horizon) and `p_alive`. Two candidate risks come from them:

- `purchase_exact`: p_no_purchase;
- `purchase_poisson`: exp(−expected_purchases_h), the probability of no purchase if the
  count in the horizon were Poisson with the model's mean. It ranks customers exactly as
  expected purchases do, which on CDNOW ranks the buyers of the next 39 weeks better than the
  exact probability (the model is misspecified for one-time buyers, decision 42).

Each is then adjusted by the seed's evidence rules that the order history does not already
hold (complaints rising, overdue payment, NPS detractor, interaction drop): a rule that
fires multiplies the odds of churn by 1 / (1 − weight), i.e. adds −ln(1 − weight) to the
log-odds. Customers without such evidence keep the purchase model's probability exactly.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kehu.analytics.churn.features import PURCHASE_FEATURES, feature_frame, label_frame
from kehu.analytics.clv import bgnbd, fit_bgnbd, fit_pareto_nbd, p_no_purchase, paretonbd
from kehu.analytics.clv.fitting import unique_rows
from kehu.analytics.clv.summary import UNIT_DAYS
from kehu.config import ChurnSettings, Settings

CANDIDATES = ("purchase_exact", "purchase_poisson")
EVIDENCE_RULES = ("complaints_rising", "payment_overdue", "nps_detractor", "interaction_drop")
_EPS = 1e-6


def fit_purchase_model(df: pd.DataFrame, settings: Settings) -> dict[str, Any] | None:
    """The purchase model fitted on `df`'s customers (x, t_x_days, T_days), as
    {"model", params...}; None when too few repeat buyers or the fit fails."""
    unit = UNIT_DAYS[settings.clv.time_unit]
    ok = df.dropna(subset=["x"])
    if int((ok["x"] > 0).sum()) < settings.clv.min_repeat_customers:
        return None
    x, t_x, T = ok["x"].to_numpy(float), ok["t_x_days"] / unit, ok["T_days"] / unit
    fit = fit_pareto_nbd if settings.clv.model == "paretonbd" else fit_bgnbd
    try:
        res = fit(x, t_x.to_numpy(float), T.to_numpy(float))
    except (ValueError, FloatingPointError):
        return None
    return {"model": res.model, **res.params}


def add_purchase_features(
    df: pd.DataFrame,
    settings: Settings,
    fit: dict[str, Any] | None = None,
    horizon_days: int | None = None,
) -> dict[str, Any] | None:
    """Add PURCHASE_FEATURES to `df` in place (NaN without a model) for a horizon of
    `horizon_days` (default churn.horizon_days); returns the fit used (`fit` when given,
    else one fitted on `df`)."""
    fit = fit if fit is not None else fit_purchase_model(df, settings)
    for col in PURCHASE_FEATURES:
        df[col] = np.nan
    if fit is None:
        return None
    unit = UNIT_DAYS[settings.clv.time_unit]
    name = fit["model"]
    module = paretonbd if name == "paretonbd" else bgnbd
    params = {k: float(fit[k]) for k in module.PARAMS}
    h = (horizon_days or settings.churn.horizon_days) / unit
    ok = df["x"].notna().to_numpy()
    x = df.loc[ok, "x"].to_numpy(float)
    t_x = df.loc[ok, "t_x_days"].to_numpy(float) / unit
    T = df.loc[ok, "T_days"].to_numpy(float) / unit
    # on the distinct (x, t_x, T) rows only: hypergeometric functions and quadrature cost
    (ux, ut, uT), inv = unique_rows([x, t_x, T])
    with np.errstate(all="ignore"):
        df.loc[ok, "p_no_purchase"] = p_no_purchase(name, params, h, ux, ut, uT)[inv]
        df.loc[ok, "expected_purchases_h"] = module.expected_purchases(params, h, ux, ut, uT)[inv]
        df.loc[ok, "p_alive"] = module.p_alive(params, ux, ut, uT)[inv]
    return {"model": name, **params}


def evidence_log_odds(hits: pd.DataFrame, s: ChurnSettings) -> np.ndarray:
    """Σ −ln(1 − weight) over the evidence rules each customer hits (0 without evidence)."""
    out = np.zeros(len(hits))
    for rule in EVIDENCE_RULES:
        w = min(float(getattr(s.rule_weights, rule)), 1.0 - _EPS)
        out += np.where(hits[rule].to_numpy(), -np.log1p(-w), 0.0)
    return out


def adjust(p: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """p with `shift` added to its log-odds; p itself (bit for bit) where shift is 0."""
    p = np.asarray(p, dtype=float)
    with np.errstate(over="ignore"):
        moved = 1.0 / (1.0 + np.exp(-(logit(p) + shift)))
    return np.where(shift != 0, moved, p)


def candidate_risks(
    df: pd.DataFrame, hits: pd.DataFrame, s: ChurnSettings
) -> dict[str, np.ndarray]:
    """The purchase-model candidates (CANDIDATES), adjusted by the evidence rules; empty
    when `df` has no purchase features."""
    if df["p_no_purchase"].isna().all():
        return {}
    shift = evidence_log_odds(hits, s)
    return {name: adjust(purchase_probability(df, name), shift) for name in CANDIDATES}


def purchase_probability(df: pd.DataFrame, source: str) -> np.ndarray:
    """A candidate before the evidence rules: p_no_purchase (`purchase_exact`) or
    exp(−expected_purchases_h) (`purchase_poisson`); NaN without a purchase model."""
    if source == "purchase_exact":
        return df["p_no_purchase"].to_numpy(float)
    return np.exp(-df["expected_purchases_h"].to_numpy(float))


def base_logit(df: pd.DataFrame) -> np.ndarray:
    """The purchase model's log-odds of exp(−expected purchases in the horizon) (0 where there
    is none): where the trained models start from (the boosting's init score, the stack's
    first input). It beat the exact probability as the start on CDNOW, full cohort and
    sample (decision 42)."""
    if "expected_purchases_h" not in df:
        return np.zeros(len(df))
    p = purchase_probability(df, "purchase_poisson")
    return np.nan_to_num(logit(p, eps=1e-4), nan=0.0)


def logit(p: np.ndarray | float, eps: float = _EPS) -> np.ndarray:
    """ln(p / (1 − p)) with p clipped to [eps, 1 − eps]."""
    q = np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)
    return np.log(q / (1.0 - q))


def labelled_frame(
    tables: dict[str, ir.Table], t: date, settings: Settings, horizon_days: int | None = None
) -> pd.DataFrame:
    """Features at t (with the purchase model fitted at t) for every customer, `active`
    (ordered within churn.active_days: the model's rows) and `churned` (no order in the
    horizon, default churn.horizon_days)."""
    s = settings.churn
    horizon = horizon_days or s.horizon_days
    df = feature_frame(tables, t, settings)
    add_purchase_features(df, settings, horizon_days=horizon)
    df["active"] = (df["recency_days"] <= s.active_days).to_numpy()
    bought = label_frame(tables, t, horizon)
    df = df.merge(bought, on="customer_id", how="left")
    df["churned"] = (df["bought"].isna()).astype(int)
    df["as_of"] = t
    return df.drop(columns="bought")
