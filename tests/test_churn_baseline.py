"""The purchase-model churn candidates: the evidence adjustment only adds information, and
the backtest split and choice follow their rules."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics.churn.baseline import EVIDENCE_RULES, adjust, evidence_log_odds
from kehu.analytics.churn.choose import backtest_split, compare
from kehu.analytics.churn.rules import RULES
from kehu.config import ChurnSettings

S = ChurnSettings()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=20),
    st.lists(st.lists(st.booleans(), min_size=len(RULES), max_size=len(RULES)), min_size=20),
)
def test_adjustment_only_adds_evidence(ps: list[float], flags: list[list[bool]]) -> None:
    p = np.array(ps)
    hits = pd.DataFrame(flags[: len(p)], columns=list(RULES))
    shift = evidence_log_odds(hits, S)
    out = adjust(p, shift)
    evidence = hits[list(EVIDENCE_RULES)].any(axis=1).to_numpy()
    assert np.array_equal(out[~evidence], p[~evidence])  # untouched without evidence
    assert np.all(out[evidence] >= np.clip(p[evidence], 1e-6, 1 - 1e-6) - 1e-12)
    assert np.all((out >= 0) & (out <= 1))
    # the order rules (gap, drop) never move the purchase model's probability
    only_order = hits.copy()
    only_order[list(EVIDENCE_RULES)] = False
    assert np.all(evidence_log_odds(only_order, S) == 0)


def test_one_rule_multiplies_the_odds_by_its_weight() -> None:
    hits = pd.DataFrame([[r == "complaints_rising" for r in RULES]], columns=list(RULES))
    out = adjust(np.array([0.5]), evidence_log_odds(hits, S))[0]
    w = S.rule_weights.complaints_rising
    assert np.isclose(out / (1 - out), 1 / (1 - w))


def test_backtest_split() -> None:
    first = date(1997, 1, 1)
    assert backtest_split(first, date(1998, 3, 31), S) == (date(1997, 12, 31), 90)
    # 272 days of history, 273-day horizon: split in half
    s = S.model_copy(update={"horizon_days": 273})
    assert backtest_split(first, date(1997, 9, 30), s) == (date(1997, 5, 17), 136)
    assert backtest_split(first, date(1997, 2, 20), s) is None  # 50 days: under 28 each


def test_compare_prefers_the_simpler_candidate_on_ties() -> None:
    n = 200
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "as_of": date(2020, 1, 1),
            "churned": rng.integers(0, 2, n),
            "p_no_purchase": rng.random(n),
            "recency_days": 10.0,
            "n_orders": 3.0,
            "mean_interval_days": 30.0,
        }
    )
    frame["expected_purchases_h"] = -np.log(frame["p_no_purchase"])  # same ranking
    for col in ("orders_cur", "orders_prev", "interactions_cur", "interactions_prev"):
        frame[col] = 0.0
    for col in ("complaints_cur", "complaints_prev", "overdue_amount"):
        frame[col] = 0.0
    frame["nps_last"] = np.nan
    out = compare(frame, S, model=frame["p_no_purchase"].to_numpy())
    assert out["winner"] == "purchase_exact"  # all three rank alike
    assert out["margin"] == 0.0 and set(out["roc_auc"]) == {
        "purchase_exact",
        "purchase_poisson",
        "model",
    }
