"""`compute_churn`: churn_risk (0–1) and churn_reasons for every customer with orders.

1. Features at `as_of` (point-in-time Ibis expressions, `features.py`).
2. The seed's rules (`rules.py`) give each customer warning reasons and a rules risk.
3. A LightGBM model trained on the workspace's own history (`model.py`) gives a calibrated
   probability of no order within `churn.horizon_days`, when the history allows it.
4. churn_risk = the model probability when a model was trained, else the rules risk;
   churn_reasons = the rule reasons, then the model's SHAP reasons (`reasons.py`).
Customers without any order on or before `as_of` are not in the frame (churn is undefined).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kehu.analytics.churn.features import feature_frame
from kehu.analytics.churn.model import train_history_model
from kehu.analytics.churn.reasons import build_reasons
from kehu.analytics.churn.rules import RULES, rule_hits, rules_risk, typical_interval
from kehu.config import Settings
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
) -> ChurnOutput:
    """Churn risk and reasons at `as_of` (see module docstring); `purchases` are the
    `purchase_facts` rows at `as_of` when the caller computed them already."""
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
    feature_seconds = time.perf_counter() - started

    model, info = train_history_model(ws_tables, as_of, settings)
    contributions = None
    if model is not None:
        risk = model.predict(df)
        contributions = pd.DataFrame(0.0, index=df.index, columns=[])
        explain = risk >= s.reason_min_risk
        if explain.sum() > s.max_explained:  # TreeSHAP for the riskiest customers only
            keep = np.zeros(len(risk), dtype=bool)
            if s.max_explained:
                keep[np.argpartition(-risk, s.max_explained - 1)[: s.max_explained]] = True
            explain &= keep
        info["explained"] = int(explain.sum())
        if explain.any():
            part = model.contributions(df[explain])
            contributions = part.reindex(df.index, fill_value=0.0)
    else:
        risk = r_risk
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
