"""Holdout metrics of a probability model: ROC AUC, Brier score and reliability bins."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score


def auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC, or None when only one class is present."""
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, score))


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Equal-width probability bins: mean predicted vs observed rate (non-empty bins)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    idx = np.clip((p * bins).astype(int), 0, bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        if m.any():
            out.append(
                {
                    "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    "n": int(m.sum()),
                    "mean_predicted": round(float(p[m].mean()), 4),
                    "observed": round(float(y[m].mean()), 4),
                }
            )
    return out


def calibration_report(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """AUC, Brier score, the Brier score of always predicting the base rate, and bins."""
    y = np.asarray(y, dtype=float)
    base = float(y.mean())
    return {
        "roc_auc": auc(y, p),
        "brier": float(brier_score_loss(y, p)),
        "brier_base_rate": float(brier_score_loss(y, np.full(len(y), base))),
        "positive_rate": base,
        "n": int(len(y)),
        "reliability": reliability(y, p),
    }
