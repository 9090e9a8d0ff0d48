"""`compute_churn`: churn_risk (0–1) and churn_reasons for every customer with orders.

1. Features at `as_of` (point-in-time Ibis expressions, `features.py`).
2. The seed's rules (`rules.py`) give each customer warning reasons and a rules risk.
3. The purchase model (BG/NBD or Pareto/NBD, `baseline.py`) gives P(no order within
   `churn.horizon_days`) two ways, each adjusted by the evidence rules.
4. When the history allows it, two models trained on the workspace's own history: the
   purchase model recalibrated by a logistic stack (`stack.py`) and a LightGBM model with the
   purchase model's outputs among its features (`model.py`).
5. churn_risk = the candidate that won a time-split backtest on the workspace's own history
   (`choose.py`; the rules risk only when no purchase model can be fitted); churn_reasons =
   the rule reasons and the model / purchase-pattern reasons, by contribution (`reasons.py`).
Customers without any order on or before `as_of` are not in the frame (churn is undefined).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kehu.analytics.churn.baseline import (
    CANDIDATES,
    add_purchase_features,
    candidate_risks,
    logit,
    purchase_probability,
)
from kehu.analytics.churn.choose import (
    DEFAULT,
    hybrid,
    purchase_backtest,
    stack_risk,
    verdict,
    with_fallback,
)
from kehu.analytics.churn.features import feature_frame
from kehu.analytics.churn.model import HistoryModel, train_history_model
from kehu.analytics.churn.reasons import MODEL_CODES, build_reasons, may_show
from kehu.analytics.churn.rules import RULES, rule_hits, rules_risk, typical_interval
from kehu.config import ChurnSettings, Settings
from kehu.errors import KehuError

FRAME_COLUMNS = ("customer_id", "churn_risk", "churn_reasons")


@dataclass
class ChurnOutput:
    """Per-customer risk and reasons, plus the model info shown by `kehu analyze --json`."""

    frame: pd.DataFrame
    model: dict[str, Any] = field(default_factory=dict)


def compute_churn(
    ws_tables: dict[str, ir.Table],
    as_of: date,
    settings: Settings,
    purchases: ir.Table | None = None,
    purchase_fit: dict[str, Any] | None = None,
) -> ChurnOutput:
    """Churn risk and reasons at `as_of` (see module docstring); `purchases` are the
    `purchase_facts` rows at `as_of` when the caller computed them already, `purchase_fit`
    the snapshot's purchase model ({"model", params...}; fitted here when None)."""
    if "orders" not in ws_tables:
        raise KehuError("流失预警需要 orders 表", "churn warning needs the orders table")
    s = settings.churn
    started = time.perf_counter()
    df = feature_frame(ws_tables, as_of, settings, purchases)
    if df.empty:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in FRAME_COLUMNS})
        empty["churn_risk"] = empty["churn_risk"].astype(float)
        return ChurnOutput(empty, {"mode": "rules", "customers": 0})
    typical = typical_interval(df)
    hits = rule_hits(df, s, typical)
    r_risk = rules_risk(hits, s)
    fit = add_purchase_features(df, settings, purchase_fit) if s.model != "rules" else None
    cands = with_fallback(candidate_risks(df, hits, s), r_risk) if fit else {}
    feature_seconds = time.perf_counter() - started

    model, info = train_history_model(ws_tables, as_of, settings)
    choice = info.pop("choice", None)
    if model is None and cands and "history_days" in info:
        first = as_of - timedelta(days=info["history_days"])
        choice = purchase_backtest(ws_tables, as_of, first, settings)
    winner = (choice or {}).get("winner") or (DEFAULT if cands else "rules")
    # the purchase model may have been fitted at t_1 and not at as_of
    if (winner in CANDIDATES and winner not in cands) or (winner == "stack" and not cands):
        winner = "rules"
    contributions = None
    if winner == "model" and model is not None:
        best = max(cands, key=lambda k: choice["roc_auc"].get(k, -1.0), default=None)
        active = (df["recency_days"] <= s.active_days).to_numpy()
        scored = np.full(len(df), np.nan)
        scored[active] = model.predict(df[active])
        risk = hybrid(scored, cands[best] if best else r_risk)
        contributions = _explain(model, df, hits, risk, active, s, info)
        if best:
            contributions["purchase_pattern"] = np.where(
                active, contributions["purchase_pattern"], _purchase_contribution(df, best)
            )
    elif winner == "stack" and model is not None and model.stack is not None:
        risk = stack_risk(model.stack, df, hits, s, r_risk)
        p = model.stack.predict(df)
        contributions = pd.DataFrame({"purchase_pattern": _relative_log_odds(p)})
    elif winner in cands:
        risk = cands[winner]
        contributions = pd.DataFrame({"purchase_pattern": _purchase_contribution(df, winner)})
    else:
        risk = r_risk
    trained = winner in ("model", "stack")
    info["mode"] = "model" if trained else "purchase" if winner in cands else "rules"
    info["source"] = winner
    if fit is not None:
        info["purchase_model"] = fit
    if choice is not None:
        info["backtest"] = choice
    if winner != "rules":
        info |= verdict(choice, s.horizon_days)
    reasons = build_reasons(
        df,
        hits,
        s,
        typical=typical,
        currency=settings.workspace.currency,
        risk=risk,
        contributions=contributions,
    )
    frame = pd.DataFrame(
        {
            "customer_id": df["customer_id"].astype(str),
            "churn_risk": np.round(np.clip(risk, 0.0, 1.0), 4),
            "churn_reasons": reasons,
        }
    )
    info["customers"] = int(len(frame))
    info["rules"] = {
        "hits": {rule: int(hits[rule].sum()) for rule in RULES},
        "typical_interval_days": None if typical is None else round(typical, 1),
    }
    info["risk_bands"] = {
        "high_0.7+": int((frame["churn_risk"] >= 0.7).sum()),
        "medium_0.4-0.7": int(((frame["churn_risk"] >= 0.4) & (frame["churn_risk"] < 0.7)).sum()),
        "low_<0.4": int((frame["churn_risk"] < 0.4).sum()),
    }
    info.setdefault("seconds", {})["scoring_features"] = round(feature_seconds, 3)
    info["seconds"]["total"] = round(time.perf_counter() - started, 3)
    return ChurnOutput(frame.reset_index(drop=True), info)


def _explain(
    model: HistoryModel,
    df: pd.DataFrame,
    hits: pd.DataFrame,
    risk: np.ndarray,
    scored: np.ndarray,
    s: ChurnSettings,
    info: dict[str, Any],
) -> pd.DataFrame:
    """SHAP contributions per reason group for the riskiest model-scored customers (at
    most churn.max_explained), zero elsewhere and where no model reason could be shown."""
    explain = scored & (risk >= s.reason_min_risk)
    if explain.sum() > s.max_explained:  # TreeSHAP for the riskiest customers only
        keep = np.zeros(len(risk), dtype=bool)
        if s.max_explained:
            ranked = np.where(explain, risk, -1.0)
            keep[np.argpartition(-ranked, s.max_explained - 1)[: s.max_explained]] = True
        explain &= keep
    # TreeSHAP is the cost: skip rows whose every group is barred from showing anyway
    explain &= np.logical_or.reduce([may_show(code, df, hits, s) for code in MODEL_CODES])
    info["explained"] = int(explain.sum())
    out = pd.DataFrame(0.0, index=df.index, columns=list(MODEL_CODES))
    if explain.any():
        out = model.contributions(df[explain]).reindex(df.index, fill_value=0.0)
    return out


def _purchase_contribution(df: pd.DataFrame, source: str) -> np.ndarray:
    """Log-odds by which the purchase model's own probability (before the evidence rules)
    exceeds the base's mean: the weight of the purchase-pattern reason."""
    return _relative_log_odds(purchase_probability(df, source))


def _relative_log_odds(p: np.ndarray) -> np.ndarray:
    return np.nan_to_num(logit(p) - logit(np.nanmean(p)), nan=0.0)
