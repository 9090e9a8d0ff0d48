"""The readable summary of one snapshot, as plain data (codes and numbers; labels at display).

`summarize(frame, settings)` turns the per-customer snapshot into what a sales manager reads:
counts and revenue share per customer type, value tier, segment and lifecycle stage, the Pareto
sentence, negative-profit customers, the top churn risks with their reasons and a CLV headline.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.coherence import NOT_AT_RISK, watch_counts
from kehu.analytics.labels import codes
from kehu.analytics.pareto import pareto_summary
from kehu.analytics.ranking import top_rows
from kehu.config import Settings

TOP_RISKS = 10

SUMMARY_COLUMNS = (
    "customer_id", "name", "owner", "rfm_type", "rfm_segment", "value_tier", "lifecycle",
    "abc_class", "value_score", "value_confidence", "spend_12m", "profit_12m", "churn_risk",
    "churn_reasons", "predicted_clv", "clv_historical", "p_alive", "expected_purchases",
)  # fmt: skip


def _num(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


def distribution(frame: pd.DataFrame, column: str, kind: str) -> list[dict[str, Any]]:
    """Customers and 12-month revenue per code of `column`, every known code listed."""
    spend = frame["spend_12m"].fillna(0.0)
    total_rev = float(spend[spend > 0].sum())
    n = len(frame)
    counts = frame[column].value_counts()
    revenue = frame.assign(_s=spend.clip(lower=0)).groupby(column)["_s"].sum()
    rows = []
    for code in [*codes(kind), *sorted(set(counts.index) - set(codes(kind)))]:
        c = int(counts.get(code, 0))
        r = float(revenue.get(code, 0.0))
        rows.append(
            {
                "code": code,
                "customers": c,
                "customer_share": c / n if n else None,
                "revenue": r,
                "revenue_share": r / total_rev if total_rev else None,
            }
        )
    return rows


def top_churn_risks(frame: pd.DataFrame, limit: int = TOP_RISKS) -> list[dict[str, Any]]:
    """The customers a manager should call first: still active, ranked by revenue at risk
    (churn_risk x 12-month spend), then by risk and customer_id."""
    keep = frame["churn_risk"].notna() & ~frame["lifecycle"].isin(NOT_AT_RISK)
    risky = frame.loc[keep, ["customer_id", "churn_risk"]]
    if risky.empty:
        return []
    value = frame.loc[keep, "spend_12m"].fillna(0.0).clip(lower=0.0)
    risky = risky.assign(at_risk_value=risky["churn_risk"] * value)
    first = top_rows(
        risky, ["at_risk_value", "churn_risk", "customer_id"], [False, False, True], limit
    )
    risky = frame.loc[first.index].assign(at_risk_value=first["at_risk_value"])
    out = []
    for row in risky.itertuples(index=False):
        try:
            reasons = json.loads(row.churn_reasons) if row.churn_reasons else []
        except (TypeError, ValueError):
            reasons = []
        out.append(
            {
                "customer_id": row.customer_id,
                "name": row.name,
                "owner": row.owner,
                "value_tier": row.value_tier,
                "rfm_type": row.rfm_type,
                "lifecycle": row.lifecycle,
                "churn_risk": _num(row.churn_risk),
                "spend_12m": _num(row.spend_12m),
                "revenue_at_risk": _num(row.at_risk_value),
                "reasons": reasons,
            }
        )
    return out


def clv_headline(frame: pd.DataFrame) -> dict[str, Any]:
    pred = frame["predicted_clv"].astype("float64")
    hist = frame["clv_historical"].astype("float64")
    have = pred.notna()
    out: dict[str, Any] = {
        "customers_with_prediction": int(have.sum()),
        "predicted_total": _num(pred[have].sum()) if have.any() else None,
        "predicted_mean": _num(pred[have].mean()) if have.any() else None,
        "historical_total": _num(hist.sum()) if hist.notna().any() else None,
        "expected_purchases_total": _num(frame["expected_purchases"].astype("float64").sum())
        if frame["expected_purchases"].notna().any()
        else None,
    }
    if have.any():
        keys = ["predicted_clv", "customer_id"]
        first = top_rows(frame.loc[have, keys], keys, [False, True], 5).index
        top = frame.loc[first, ["customer_id", "name", "predicted_clv", "p_alive"]]
        out["top"] = [
            {
                "customer_id": r.customer_id,
                "name": r.name,
                "predicted_clv": _num(r.predicted_clv),
                "p_alive": _num(r.p_alive),
            }
            for r in top.itertuples(index=False)
        ]
        share = float(pred[have].nlargest(max(1, int(have.sum()) // 5)).sum())
        out["top20_share"] = share / float(pred[have].sum()) if pred[have].sum() > 0 else None
    return out


def summarize(frame: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    """Everything `kehu analyze` prints (and --json returns), from the snapshot frame."""
    spend = frame["spend_12m"].fillna(0.0)
    profit = frame["profit_12m"]
    return {
        "customers": len(frame),
        "active_customers": int((spend > 0).sum()),
        "revenue_12m": float(spend[spend > 0].sum()),
        "profit_12m": _num(profit.sum()) if profit.notna().any() else None,
        "value_confidence_mean": _num(frame["value_confidence"].mean()) if len(frame) else None,
        "rfm_type": distribution(frame, "rfm_type", "rfm_type"),
        "rfm_segment": distribution(frame, "rfm_segment", "rfm_segment"),
        "value_tier": distribution(frame, "value_tier", "value_tier"),
        "lifecycle": distribution(frame, "lifecycle", "lifecycle"),
        "pareto": pareto_summary(frame, settings.abc),
        "churn_top": top_churn_risks(frame),
        "churn_watch": watch_counts(frame, settings.plan.churn_threshold),
        "clv_headline": clv_headline(frame),
    }


def numeric_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The summary columns with money as float (decimals from the store become floats)."""
    out = frame.loc[:, [c for c in SUMMARY_COLUMNS if c in frame.columns]].copy()
    for col in ("spend_12m", "profit_12m", "value_score", "value_confidence", "churn_risk",
                "predicted_clv", "clv_historical", "p_alive", "expected_purchases"):  # fmt: skip
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        else:
            out[col] = np.nan
    for col in ("churn_reasons", "owner", "name"):
        if col not in out.columns:
            out[col] = None
    return out
