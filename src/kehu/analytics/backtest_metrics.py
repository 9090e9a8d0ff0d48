"""Backtest figures: how well predictions made at a past as-of matched what happened next.

Pure functions over one frame per customer (no store, no engine). Churn scores are
probabilities of "no purchase in the horizon"; they are judged by ROC AUC and PR AUC, lift
and capture rate in the top 10 % / 20 % by score, the Brier score and 10 equal-width
reliability bins. The ranking figures come from one sort of the score (`Ranked`): ROC AUC by
the trapezoid and PR AUC as average precision over the distinct scores, as scikit-learn
defines them, without its four sorts and input checks per score and population. Purchase
and revenue predictions are judged by the total against the actual total (relative error),
the per-customer Pearson correlation and the mean absolute error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kehu.analytics.churn.metrics import reliability

TOP_SHARES = (0.10, 0.20)
GROUP_LIMIT = 12  # per-region figures for at most this many regions (largest first)


def _round(v: float | None, digits: int = 4) -> float | None:
    if v is None or not math.isfinite(v):
        return None
    return round(float(v), digits)


@dataclass
class Ranked:
    """Labels in descending score order (ties in input order) and the cumulative counts of
    churners / others at the last row of each distinct score."""

    y: np.ndarray
    tp: np.ndarray
    fp: np.ndarray

    @classmethod
    def of(cls, y: np.ndarray, score: np.ndarray) -> Ranked:
        order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
        ys, ps = np.asarray(y, dtype=float)[order], np.asarray(score, dtype=float)[order]
        last = (
            np.r_[np.flatnonzero(np.diff(ps) != 0), len(ps) - 1]
            if len(ps)
            else np.zeros(0, dtype=int)
        )
        tp = np.cumsum(ys)[last]
        return cls(ys, tp, (last + 1) - tp)

    def roc_auc(self) -> float | None:
        """Area under the ROC curve (None with one class only)."""
        pos, neg = (self.tp[-1], self.fp[-1]) if len(self.tp) else (0.0, 0.0)
        if pos == 0 or neg == 0:
            return None
        tpr, fpr = np.r_[0.0, self.tp / pos], np.r_[0.0, self.fp / neg]
        return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))

    def average_precision(self) -> float | None:
        """Σ (recall_k − recall_{k−1}) · precision_k over the distinct scores, descending."""
        if not len(self.tp) or self.tp[-1] == 0 or self.fp[-1] == 0:
            return None
        recall = np.r_[0.0, self.tp / self.tp[-1]]
        return float(np.sum(np.diff(recall) * self.tp / (self.tp + self.fp)))

    def top_share(self, share: float) -> dict[str, float | None]:
        """Lift and capture rate of the top `share` of customers: lift = churn rate in the
        top / overall rate, capture = top churners / all."""
        n = len(self.y)
        positives = float(self.y.sum())
        if n == 0 or positives == 0:
            return {"lift": None, "capture": None}
        k = max(1, math.ceil(share * n))
        hit = float(self.y[:k].sum())
        return {"lift": _round((hit / k) / (positives / n)), "capture": _round(hit / positives)}


def top_share(y: np.ndarray, score: np.ndarray, share: float) -> dict[str, float | None]:
    """Lift and capture rate of the top `share` of customers by score (ties kept in input
    order)."""
    return Ranked.of(y, score).top_share(share)


def churn_figures(y: np.ndarray, p: np.ndarray, *, bins: bool = True) -> dict[str, Any]:
    """Every churn figure of one score `p` (probabilities) against labels `y` (1 = churned)."""
    y = np.asarray(y, dtype=float)
    p = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    ranked = Ranked.of(y, p)
    out: dict[str, Any] = {
        "roc_auc": _round(ranked.roc_auc()),
        "pr_auc": _round(ranked.average_precision()),
        "brier": _round(float(np.mean((p - y) ** 2)), 5) if len(y) else None,
    }
    for share in TOP_SHARES:
        pct = int(round(share * 100))
        figures = ranked.top_share(share)
        out[f"lift_top{pct}"] = figures["lift"]
        out[f"capture_top{pct}"] = figures["capture"]
    if bins:
        out["reliability"] = reliability(y, p, 10)
    return out


def amount_figures(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | None]:
    """Total predicted vs actual, relative total error, per-customer correlation and MAE."""
    actual = np.asarray(actual, dtype=float)
    predicted = np.nan_to_num(np.asarray(predicted, dtype=float), nan=0.0)
    total_a, total_p = float(actual.sum()), float(predicted.sum())
    corr = None
    if len(actual) > 1 and actual.std() > 0 and predicted.std() > 0:
        corr = float(np.corrcoef(actual, predicted)[0, 1])
    return {
        "actual": _round(total_a, 2),
        "predicted": _round(total_p, 2),
        "total_error": _round((total_p - total_a) / total_a) if total_a else None,
        "correlation": _round(corr),
        "mae": _round(float(np.abs(predicted - actual).mean()), 4) if len(actual) else None,
    }


def block(
    frame: pd.DataFrame,
    churn_scores: Mapping[str, str],
    purchase_cols: Mapping[str, str],
    revenue_cols: Mapping[str, str],
    *,
    bins: bool,
) -> dict[str, Any]:
    """The figures of one population: `frame` has `churned`, `next_purchases`,
    `next_revenue` and the named score / prediction columns."""
    y = frame["churned"].to_numpy(float)
    return {
        "customers": len(frame),
        "churn_rate": _round(float(y.mean())) if len(y) else None,
        "churn": {
            name: churn_figures(y, frame[col].to_numpy(float), bins=bins)
            for name, col in churn_scores.items()
        },
        "purchases": {
            name: amount_figures(frame["next_purchases"].to_numpy(float), frame[col])
            for name, col in purchase_cols.items()
        },
        "revenue": {
            name: amount_figures(frame["next_revenue"].to_numpy(float), frame[col])
            for name, col in revenue_cols.items()
        },
    }


def evaluate(
    frame: pd.DataFrame,
    churn_scores: Mapping[str, str],
    purchase_cols: Mapping[str, str],
    revenue_cols: Mapping[str, str],
    group_columns: tuple[str, ...] = ("value_tier", "region"),
) -> dict[str, Any]:
    """Overall figures (with reliability bins) and the same per value of each group column
    (largest groups first, at most GROUP_LIMIT; missing values are left out)."""
    out: dict[str, Any] = {
        "overall": block(frame, churn_scores, purchase_cols, revenue_cols, bins=True)
    }
    for col in group_columns:
        groups: list[dict[str, Any]] = []
        if col in frame.columns:
            counts = frame[col].dropna().astype(str).value_counts(sort=True)
            for value in counts.index[:GROUP_LIMIT]:
                part = frame[frame[col].astype(str) == value]
                figures = block(part, churn_scores, purchase_cols, revenue_cols, bins=False)
                groups.append({"group": value, **figures})
        out[f"by_{col}"] = groups
    return out
