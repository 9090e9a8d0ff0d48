"""The seed's churn-warning rules, vectorised over the feature frame.

Each rule is a boolean column (thresholds from `[churn]` in kehu.toml):
- order_gap: ≥ 2 order days and days since the last order > gap_factor × the customer's own
  mean interval between order days, and ≥ gap_min_days.
- single_order_gap: a single order day, and days since it > gap_factor × the typical interval
  of the customer base (median of the customers' mean intervals), and ≥ gap_min_days.
- order_drop / interaction_drop: previous period ≥ activity_min_previous and the current
  period ≤ previous × (1 − activity_drop).
- complaints_rising: complaints in the current period ≥ complaint_rise and more than in the
  previous period.
- nps_detractor: the latest NPS (within nps_lookback_days) ≤ detractor_max.
- payment_overdue: money still unpaid more than overdue_days after its due date.
Rules risk = 1 − Π(1 − weight) over the rules a customer hits (0 when none).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kehu.config import ChurnSettings

RULES: tuple[str, ...] = (
    "order_gap",
    "single_order_gap",
    "order_drop",
    "interaction_drop",
    "complaints_rising",
    "nps_detractor",
    "payment_overdue",
)


def typical_interval(df: pd.DataFrame) -> float | None:
    """Median mean-interval (days) over customers with ≥ 2 order days, or None."""
    vals = df["mean_interval_days"].dropna()
    return float(vals.median()) if len(vals) else None


def _drop(cur: pd.Series, prev: pd.Series, s: ChurnSettings) -> pd.Series:
    return (prev >= s.activity_min_previous) & (cur <= prev * (1.0 - s.activity_drop) + 1e-9)


def rule_hits(df: pd.DataFrame, s: ChurnSettings, typical: float | None) -> pd.DataFrame:
    """One boolean column per rule, aligned with `df` (see module docstring)."""
    rec = df["recency_days"]
    long_enough = rec >= s.gap_min_days
    interval = df["mean_interval_days"]
    hits = pd.DataFrame(index=df.index)
    hits["order_gap"] = (df["n_orders"] >= 2) & (rec > s.gap_factor * interval) & long_enough
    if typical is None:
        hits["single_order_gap"] = False
    else:
        hits["single_order_gap"] = (
            (df["n_orders"] == 1) & (rec > s.gap_factor * typical) & long_enough
        )
    hits["order_drop"] = _drop(df["orders_cur"], df["orders_prev"], s)
    hits["interaction_drop"] = _drop(df["interactions_cur"], df["interactions_prev"], s)
    hits["complaints_rising"] = (df["complaints_cur"] >= s.complaint_rise) & (
        df["complaints_cur"] > df["complaints_prev"]
    )
    hits["nps_detractor"] = df["nps_last"].notna() & (df["nps_last"] <= s.detractor_max)
    hits["payment_overdue"] = df["overdue_amount"] > 0.005
    return hits.fillna(False).astype(bool)


def rules_risk(hits: pd.DataFrame, s: ChurnSettings) -> np.ndarray:
    """Noisy-OR of the weights of the rules hit: 1 − Π(1 − w_rule)."""
    keep = np.ones(len(hits))
    for rule in RULES:
        w = float(getattr(s.rule_weights, rule))
        keep *= np.where(hits[rule].to_numpy(), 1.0 - w, 1.0)
    return 1.0 - keep
