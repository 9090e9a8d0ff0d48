"""The stacked purchase model: learns where the purchase model's ranking is off in its own
statistics, and the evidence rules only ever raise its risk."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from kehu.analytics.churn.baseline import EVIDENCE_RULES
from kehu.analytics.churn.rules import RULES
from kehu.analytics.churn.stack import STACK_INPUTS, Stack
from kehu.config import ChurnSettings

S = ChurnSettings()


def _frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Customers whose purchase model says E[purchases] = x / T-ish, while truly the ones
    silent for a large share of their tenure churn far more (what BG/NBD misses on CDNOW)."""
    tenure = rng.uniform(100, 500, n)
    recency = tenure * rng.beta(1.0, 2.0, n)
    x = rng.poisson(2.0, n).astype(float)
    expected = (x + 0.5) / tenure * 90.0 * rng.lognormal(0.0, 0.3, n)
    log_odds = -1.0 + 4.0 * (recency / tenure) - 0.8 * expected
    churned = rng.random(n) < 1.0 / (1.0 + np.exp(-log_odds))
    return pd.DataFrame(
        {
            "recency_days": recency,
            "tenure_days": tenure,
            "x": x,
            "expected_purchases_h": expected,
            "p_no_purchase": np.exp(-expected),
            "churned": churned.astype(int),
        }
    )


def test_stack_ranks_better_than_the_purchase_model_it_starts_from() -> None:
    rng = np.random.default_rng(3)
    past = [_frame(rng, 1500) for _ in range(3)]
    later = _frame(rng, 3000)
    stack = Stack.fit(past)
    y = later["churned"]
    base = roc_auc_score(y, -later["expected_purchases_h"])
    learnt = roc_auc_score(y, stack.predict(later))
    assert learnt > base + 0.03, (learnt, base)
    coef = stack.describe()
    assert set(coef) == {*STACK_INPUTS, "intercept"}
    assert coef["recency_share"] > 0 and coef["purchase_log_odds"] > 0
    # calibrated on the past dates: mean predicted near the later churn rate
    assert abs(stack.predict(later).mean() - y.mean()) < 0.03


def test_evidence_only_raises_the_stack_risk() -> None:
    rng = np.random.default_rng(4)
    frame = _frame(rng, 400)
    stack = Stack.fit([frame])
    hits = pd.DataFrame(False, index=frame.index, columns=list(RULES))
    hits.loc[::3, "payment_overdue"] = True
    p, risk = stack.predict(frame), stack.risk(frame, hits, S)
    marked = hits[list(EVIDENCE_RULES)].any(axis=1).to_numpy()
    assert np.array_equal(risk[~marked], p[~marked])
    assert np.all(risk[marked] > p[marked])
