"""Churn reasons are true sentences: over generated customer histories (hypothesis) and the
analysed demo, every reason's numbers are the customer's data, its direction raises the
risk (a rule that fired, or evidence that `points_to_churn`), and the list is ranked by
contribution."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics.churn.features import derive, feature_frame
from kehu.analytics.churn.reasons import (
    EVIDENCE,
    MODEL_CODES,
    build_reasons,
    points_to_churn,
    rule_log_odds,
)
from kehu.analytics.churn.rules import RULES, rule_hits, typical_interval
from kehu.analytics.snapshot import engine_tables
from kehu.config import ChurnSettings
from kehu.workspace import Workspace

S = ChurnSettings()
count = st.integers(0, 8)
money = st.floats(0, 50_000, allow_nan=False).map(lambda v: round(v, 2))
history = st.fixed_dictionaries(
    {
        "recency_days": st.integers(0, 1500),
        "span": st.integers(0, 1500),
        "n_orders": st.integers(1, 60),
        "orders_cur": count,
        "orders_prev": count,
        "spend_12m": money,
        "spend_prev_12m": money,
        "spend_total": money,
        "interactions_cur": count,
        "interactions_prev": count,
        "tickets_cur": count,
        "complaints_cur": count,
        "complaints_prev": count,
        "open_tickets": count,
        "nps_last": st.one_of(st.none(), st.integers(0, 10)),
        "overdue_amount": st.one_of(st.just(0.0), money),
        "overdue_orders": count,
        "overdue_max_days": st.integers(31, 400),
        "p_no_purchase": st.floats(0, 1, allow_nan=False),
    }
)


# What makes each model reason's evidence argue for churn, written out from the words
# (never "0 vs 0", never spend growth, never a neutral / positive NPS, never a long
# relationship called short).
RAISES = {
    "recency": lambda r, s: r["recency_days"] > r["mean_interval_days"],
    "order_activity": lambda r, s: r["orders_cur"] < r["orders_prev"],
    "spend_trend": lambda r, s: r["spend_12m"] < r["spend_prev_12m"],
    "interaction_activity": lambda r, s: r["interactions_cur"] < r["interactions_prev"],
    "service_issues": lambda r, s: r["complaints_cur"] >= 1,
    "open_tickets": lambda r, s: r["open_tickets"] >= 1,
    "nps_score": lambda r, s: r["nps_last"] <= s.detractor_max,
    "payment_delay": lambda r, s: r["overdue_amount"] > 0,
    "short_relationship": lambda r, s: r["tenure_days"] < 2 * s.period_days,
    "purchase_pattern": lambda r, s: r["p_no_purchase"] >= 0.5,
}


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["tenure_days"] = df["recency_days"] + df["span"]
    df.loc[df["n_orders"] == 1, "tenure_days"] = df["recency_days"]
    df["customer_id"] = [f"C{i:04d}" for i in range(len(df))]
    df["nps_last"] = df["nps_last"].astype(float)
    return derive(df.drop(columns="span"))


def _value(df: pd.DataFrame, i: int, column: str) -> float:
    if column in df:
        return float(df.loc[i, column])
    return {
        "period_days": S.period_days,
        "gap_factor": S.gap_factor,
        "detractor_max": S.detractor_max,
        "short_days": 2 * S.period_days,
        "horizon_days": S.horizon_days,
    }[column]


def check_reasons(
    df: pd.DataFrame, texts: pd.Series, hits: pd.DataFrame, s: ChurnSettings, typical: float | None
) -> int:
    """Assert every reason line is true for its row; returns the number of lines checked."""
    shown = 0
    for i, text in enumerate(texts):
        reasons = json.loads(text)
        scores = []
        for r in reasons:
            code, ev = r["code"], r["evidence"]
            keys = [k for k, _, _ in EVIDENCE[code]]
            assert list(ev)[: len(keys)] == keys
            for key, column, kind in EVIDENCE[code]:
                want = typical if column == "typical_interval" else _value(df, i, column)
                digits = {"int": 0, "num1": 1, "num2": 2, "num3": 3}[kind]
                assert abs(ev[key] - want) <= 0.5 * 10**-digits + 1e-9, (code, key)
            if code in RULES:
                assert hits.loc[i, code], code  # the rule it paraphrases fired
                scores.append(rule_log_odds(s, code))
            else:
                assert code in MODEL_CODES
                assert points_to_churn(code, df.iloc[[i]].reset_index(drop=True), s)[0], code
                assert RAISES[code](df.loc[i], s), (code, ev)  # stated independently here
                assert ev["model_contribution"] > 0
                scores.append(ev["model_contribution"])
            for lang in ("zh", "en"):
                assert "0 次,上一周期 0 次" not in r[lang] and "0 vs 0" not in r[lang]
            shown += 1
        assert scores == sorted(scores, reverse=True) or np.allclose(
            sorted(scores, reverse=True), scores, atol=1e-3
        )
    return shown


@settings(max_examples=40, deadline=None)
@given(st.lists(history, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_generated_histories(rows: list[dict], rnd) -> None:  # noqa: ANN001
    df = _frame(rows)
    typical = typical_interval(df)
    hits = rule_hits(df, S, typical)
    contrib = pd.DataFrame(
        {c: [rnd.uniform(-1, 2) for _ in range(len(df))] for c in MODEL_CODES}, index=df.index
    )
    risk = np.array([rnd.random() for _ in range(len(df))])
    texts = build_reasons(
        df, hits, S, typical=typical, currency="CNY", risk=risk, contributions=contrib
    )
    check_reasons(df, texts, hits, S, typical)


def test_demo_reasons_are_true(analysed_demo: Workspace) -> None:
    ws = analysed_demo
    as_of = ws.scalar("SELECT max(as_of) FROM customer_snapshot")
    snap = ws.con.execute(
        "SELECT customer_id, churn_reasons FROM customer_snapshot WHERE as_of = ?"
        " AND churn_reasons IS NOT NULL ORDER BY customer_id",
        [as_of],
    ).df()
    day = as_of if isinstance(as_of, date) else as_of.date()
    df = feature_frame(engine_tables(ws, "duckdb"), day, ws.settings)
    run = json.loads(ws.scalar("SELECT summary_json FROM analytics_runs WHERE as_of = ?", [as_of]))
    fit = run["churn"].get("purchase_model")
    if fit is not None:
        from kehu.analytics.churn.baseline import add_purchase_features

        add_purchase_features(df, ws.settings, fit)
    df = df.set_index("customer_id").loc[snap["customer_id"]].reset_index()
    s = ws.settings.churn
    typical = typical_interval(feature_frame(engine_tables(ws, "duckdb"), day, ws.settings))
    hits = rule_hits(df, s, typical)
    shown = check_reasons(df, snap["churn_reasons"].reset_index(drop=True), hits, s, typical)
    assert shown > 100
