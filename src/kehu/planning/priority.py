"""Task priority (seed 000 优先级排序标准) as a weighted 0-100 score of five factors.

Each factor is in [0, 1] and stored on the task (score_*):
- strategic fit (战略对齐度): `plan.tier_fit[value_tier]` (strategic 1.0 … basic 0.25);
- ROI (投入产出比): value at stake ÷ the task's yearly cost, on a log scale:
  log10(ratio) ÷ log10(`plan.roi_full`), clipped (ratio 1 or less -> 0, roi_full -> 1); the value
  at stake is the larger of predicted_clv and the last 12 months' spend;
- growth potential (成长潜力): percentile rank of the predicted change in yearly purchases
  (`expected_purchases` scaled to a year minus `orders_12m`), averaged with the percentile rank
  of `budget_growth` when the customers table has it;
- controllable risk (风险可控性): how well the customer pays, from the 12-month collection rate:
  1 at `plan.collection_safe` (95%) or more, 0 at `plan.collection_risky` (50%) or less, linear
  in between; 0.75 without due orders. Credit/payment risk lowers the priority;
- churn urgency (流失紧迫度): churn_risk, a separate factor (a customer about to leave needs
  action sooner).
Percentile rank = (average rank - 1) / (n - 1) over the customers being planned; a missing input
scores 0.5 (neutral). priority = 100 x sum(w_i x s_i) / sum(w_i), weights `plan.weights`; band:
high >= `plan.high_priority`, medium >= `plan.medium_priority`, else low.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kehu.config import ClvSettings, PlanSettings

_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
FACTORS = ("strategic_fit", "value", "growth", "risk", "urgency")  # score_<factor> columns


def horizon_days(clv: ClvSettings) -> float:
    """The CLV prediction horizon in days (expected_purchases is over this horizon)."""
    return float(clv.horizon) * _UNIT_DAYS[clv.time_unit]


def percentile_rank(values: pd.Series) -> pd.Series:
    """(average rank - 1) / (n - 1) over the non-missing values; missing or n == 1 -> 0.5."""
    valid = values.notna()
    n = int(valid.sum())
    out = pd.Series(0.5, index=values.index, dtype="float64")
    if n > 1:
        ranks = values[valid].rank(method="average")
        out[valid] = (ranks - 1.0) / (n - 1.0)
    return out


def roi_score(at_stake: pd.Series, cost: pd.Series, roi_full: float) -> pd.Series:
    """log10(at_stake / cost) / log10(roi_full) clipped to [0, 1]; no cost -> 1 if at stake."""
    stake = at_stake.fillna(0.0).clip(lower=0.0)
    ratio = stake / cost.where(cost > 0)
    score = np.log10(ratio.where(ratio > 0)) / np.log10(roi_full)
    free = cost.fillna(0.0) <= 0
    score = score.where(~free, (stake > 0).astype("float64"))
    return score.fillna(0.0).clip(0.0, 1.0)


def score(frame: pd.DataFrame, plan: PlanSettings, clv: ClvSettings) -> pd.DataFrame:
    """Add the score_* factors, `priority` (0-100) and `priority_band` to a copy of `frame`.

    `frame` needs value_tier, predicted_clv, expected_purchases, orders_12m, churn_risk,
    cost (yearly cost of the task) and optionally spend_12m, collection_rate, budget_growth.
    """
    out = frame.copy()

    def num(col: str) -> pd.Series:
        if col not in out:
            return pd.Series(np.nan, index=out.index, dtype="float64")
        return pd.to_numeric(out[col], errors="coerce").astype("float64")

    out["score_strategic_fit"] = out["value_tier"].map(plan.tier_fit).astype("float64").fillna(0.0)
    # a churning customer's predicted CLV collapses, yet its current revenue is what is at stake
    at_stake = pd.concat([num("predicted_clv"), num("spend_12m")], axis=1).max(axis=1)
    out["score_value"] = roi_score(at_stake, num("cost"), plan.roi_full)
    per_year = 365.0 / horizon_days(clv)
    growth = percentile_rank(num("expected_purchases") * per_year - num("orders_12m").fillna(0.0))
    budget = num("budget_growth")
    if budget.notna().any():
        budget_rank = percentile_rank(budget)
        growth = growth.where(budget.isna(), (growth + budget_rank) / 2.0)
    out["score_growth"] = growth
    span = plan.collection_safe - plan.collection_risky
    paying = ((num("collection_rate") - plan.collection_risky) / span).clip(0.0, 1.0)
    out["score_risk"] = paying.fillna(0.75)
    out["score_urgency"] = num("churn_risk").clip(0.0, 1.0).fillna(0.0)
    w = plan.weights.model_dump()
    total = sum(w.values())
    weighted = sum(w[f] * out[f"score_{f}"] for f in FACTORS)
    out["priority"] = (100.0 * weighted / total).round(1)
    out["priority_band"] = np.where(
        out["priority"] >= plan.high_priority,
        "high",
        np.where(out["priority"] >= plan.medium_priority, "medium", "low"),
    )
    return out
