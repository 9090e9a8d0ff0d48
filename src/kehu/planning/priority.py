"""Task priority (seed 000 优先级排序标准) as a weighted 0-100 score of four components.

Each component is in [0, 1]:
- strategic fit: `plan.tier_fit[value_tier]` (strategic 1.0, core 0.75, potential 0.5, basic 0.25);
- expected value vs cost: percentile rank of `predicted_clv - yearly cost of the playbook`;
- growth potential: percentile rank of the predicted change in yearly purchases
  (`expected_purchases` scaled to a year minus `orders_12m`), averaged with the percentile
  rank of the customer's `budget_growth` when the customers table has it;
- risk: `churn_risk` (a customer about to leave needs action sooner).
Percentile rank = (average rank - 1) / (n - 1) over the customers being planned; a missing
input scores 0.5 (neutral) for ranked components and 0 for risk and fit.
priority = 100 x sum(w_i x s_i) / sum(w_i), with the weights `plan.weights`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kehu.config import ClvSettings, PlanSettings

_UNIT_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}


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


def score(frame: pd.DataFrame, plan: PlanSettings, clv: ClvSettings) -> pd.DataFrame:
    """Add score_* columns, `priority` (0-100) and `priority_band` to a copy of `frame`.

    `frame` needs value_tier, predicted_clv, expected_purchases, orders_12m, churn_risk,
    cost (yearly cost to serve) and optionally budget_growth.
    """
    out = frame.copy()

    def num(col: str) -> pd.Series:
        if col not in out:
            return pd.Series(np.nan, index=out.index, dtype="float64")
        return pd.to_numeric(out[col], errors="coerce").astype("float64")

    out["score_strategic_fit"] = out["value_tier"].map(plan.tier_fit).astype("float64").fillna(0.0)
    out["score_value"] = percentile_rank(num("predicted_clv") - num("cost").fillna(0.0))
    per_year = 365.0 / horizon_days(clv)
    growth = percentile_rank(num("expected_purchases") * per_year - num("orders_12m").fillna(0.0))
    budget = num("budget_growth")
    if budget.notna().any():
        budget_rank = percentile_rank(budget)
        growth = growth.where(budget.isna(), (growth + budget_rank) / 2.0)
    out["score_growth"] = growth
    out["score_risk"] = num("churn_risk").clip(0.0, 1.0).fillna(0.0)
    w = plan.weights
    total = w.strategic_fit + w.value + w.growth + w.risk
    out["priority"] = (
        100.0
        * (
            w.strategic_fit * out["score_strategic_fit"]
            + w.value * out["score_value"]
            + w.growth * out["score_growth"]
            + w.risk * out["score_risk"]
        )
        / total
    ).round(1)
    out["priority_band"] = np.where(
        out["priority"] >= plan.high_priority,
        "high",
        np.where(out["priority"] >= plan.medium_priority, "medium", "low"),
    )
    return out
