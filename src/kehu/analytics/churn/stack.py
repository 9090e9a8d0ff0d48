"""The purchase model recalibrated on the workspace's own history (a stacked logistic model).

BG/NBD and Pareto/NBD rank customers from (x, t_x, T) through a fixed parametric form. Where
the form does not fit the workspace (on CDNOW it keeps one-time buyers alive) the ranking is
off by a smooth function of those same statistics, which a model with a few parameters can
learn from a few thousand customers, where a boosted tree model overfits (decision 47).
Inputs (STACK_INPUTS): the purchase model's log-odds of no order in the horizon
(`base_logit`), log(1 + recency), recency / tenure, log(1 + repeat purchases x) and
log(1 + tenure); standardised, L2-penalised logistic regression (C = STACK_C), fitted on
every customer at each labelled past date (rolling origins). Its probability is adjusted by
the evidence rules like the purchase candidates (`baseline.adjust`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from kehu.analytics.churn.baseline import adjust, base_logit, evidence_log_odds
from kehu.config import ChurnSettings

STACK_INPUTS = ("purchase_log_odds", "log_recency", "recency_share", "log_repeats", "log_tenure")
STACK_C = 1.0  # inverse L2 strength on standardised inputs


def stack_inputs(df: pd.DataFrame) -> np.ndarray:
    """The STACK_INPUTS matrix of a feature frame with purchase features."""
    recency = df["recency_days"].to_numpy(float)
    tenure = df["tenure_days"].to_numpy(float)
    return np.column_stack(
        [
            base_logit(df),
            np.log1p(recency),
            recency / np.maximum(tenure, 1.0),
            np.log1p(df["x"].fillna(0.0).to_numpy(float)),
            np.log1p(tenure),
        ]
    )


@dataclass
class Stack:
    """p = 1 / (1 + exp(−(b + Σ w_j·(z_j − mean_j) / sd_j))) over the STACK_INPUTS z."""

    mean: np.ndarray
    sd: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def fit(cls, frames: list[pd.DataFrame]) -> Stack:
        """Fitted on the labelled frames (`churned`) of the past dates together."""
        rows = pd.concat(frames, ignore_index=True)
        z = stack_inputs(rows)
        mean, sd = z.mean(axis=0), z.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        # Newton steps: five inputs, so each costs little, and 5 of them reach the optimum
        # where L-BFGS took 13 passes over the ≈ 3·10^5 rows (decision 65)
        lr = LogisticRegression(C=STACK_C, solver="newton-cholesky", max_iter=100)
        lr.fit((z - mean) / sd, rows["churned"].to_numpy(int))
        return cls(mean, sd, lr.coef_[0].astype(float), float(lr.intercept_[0]))

    def log_odds(self, df: pd.DataFrame) -> np.ndarray:
        return self.intercept + ((stack_inputs(df) - self.mean) / self.sd) @ self.coef

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """The probability of no order in the horizon, before the evidence rules."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(df)))

    def risk(self, df: pd.DataFrame, hits: pd.DataFrame, s: ChurnSettings) -> np.ndarray:
        """The candidate churn risk: `predict` adjusted by the evidence rules."""
        return adjust(self.predict(df), evidence_log_odds(hits, s))

    def describe(self) -> dict[str, float]:
        """The coefficients per standardised input (for `kehu analyze --json`)."""
        out = {name: round(float(w), 4) for name, w in zip(STACK_INPUTS, self.coef, strict=True)}
        return out | {"intercept": round(self.intercept, 4)}
