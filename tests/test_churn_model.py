"""The history model on a synthetic workspace where churners are planted.

Customers buy at their own pace; 60 % of them stop at a random day. Before stopping they
show the seed's warning signs (complaints, a low NPS, unpaid invoices, fewer visits), so a
model trained on past as-of dates must find them on the latest labelled date.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from kehu.analytics.churn import compute_churn
from kehu.analytics.churn.baseline import add_purchase_features
from kehu.analytics.churn.features import feature_frame
from kehu.analytics.churn.reasons import MODEL_CODES, build_reasons, may_show
from kehu.analytics.churn.rules import RULES, rule_hits, typical_interval
from kehu.workspace import Workspace

START = date(2022, 1, 1)
END = date(2024, 12, 31)


def planted_history(n: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    days = (END - START).days
    day = lambda d: START + timedelta(days=int(d))  # noqa: E731
    ids = [f"C{i:04d}" for i in range(n)]
    rate = rng.gamma(2.0, 1 / 60.0, n)  # orders per day
    first = rng.integers(0, days // 3, n)
    stops = rng.random(n) < 0.6
    churn = np.where(stops, first + rng.integers(120, days, n), days + 10_000)
    orders, visits, tickets, surveys = [], [], [], []
    for i, c in enumerate(ids):
        t, k = float(first[i]), 0
        while t <= min(churn[i], days):
            late = churn[i] - t < 150
            due = day(t) + timedelta(days=30)
            unpaid = late and rng.random() < 0.7
            orders.append(
                {
                    "order_id": f"O{i}-{k}",
                    "customer_id": c,
                    "order_date": day(t),
                    "amount": round(float(rng.gamma(2, 500)), 2),
                    "due_date": due,
                    "paid_date": None if unpaid else due - timedelta(days=int(rng.integers(0, 10))),
                }
            )
            t += rng.exponential(1 / rate[i])
            k += 1
        t = float(first[i])
        while t <= min(days, churn[i] - 120):
            visits.append(
                {
                    "interaction_id": f"I{i}-{len(visits)}",
                    "customer_id": c,
                    "occurred_at": pd.Timestamp(day(t)) + pd.Timedelta(hours=10),
                }
            )
            t += rng.exponential(20)
        if stops[i]:
            for j in range(int(rng.integers(1, 4))):
                d = churn[i] - int(rng.integers(0, 120))
                if 0 <= d <= days:
                    tickets.append(
                        {
                            "ticket_id": f"T{i}-{j}",
                            "customer_id": c,
                            "category": "投诉",
                            "opened_at": pd.Timestamp(day(d)),
                        }
                    )
            d, nps = churn[i] - int(rng.integers(0, 90)), int(rng.integers(0, 6))
        else:
            d, nps = int(rng.integers(first[i], days + 1)), int(rng.integers(6, 11))
        if 0 <= d <= days:
            surveys.append(
                {"survey_id": f"S{i}", "customer_id": c, "surveyed_on": day(d), "nps": nps}
            )
    out = {
        "customers": pd.DataFrame({"customer_id": ids, "name": ids}),
        "orders": pd.DataFrame(orders),
        "interactions": pd.DataFrame(visits),
        "tickets": pd.DataFrame(tickets),
        "surveys": pd.DataFrame(surveys),
    }
    o = out["orders"]
    o["paid_amount"] = np.where(o["paid_date"].isna(), np.nan, o["amount"])
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace.init(tmp_path_factory.mktemp("churn") / "ws")
    for name, df in planted_history(600, seed=3).items():
        df = df.assign(source="crm") if name != "customers" else df
        ws.con.register("_rows", df)
        ws.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _rows")
        ws.con.unregister("_rows")
    yield ws
    ws.close()


def _tables(ws: Workspace) -> dict:
    return {n: ws.table(n) for n in ("customers", "orders", "interactions", "tickets", "surveys")}


@pytest.fixture(scope="module")
def scored(history: Workspace):  # noqa: ANN201
    return compute_churn(_tables(history), END, history.settings)


def test_model_is_trained_and_beats_chance(scored) -> None:  # noqa: ANN001
    m = scored.model
    assert m["mode"] == "model", m.get("message_en")
    h = m["holdout"]
    assert h["roc_auc"] > 0.8
    assert h["brier"] < h["brier_base_rate"]
    assert sum(b["n"] for b in h["reliability"]) == h["n"]
    assert m["test_date"] == (END - timedelta(days=90)).isoformat()
    assert len(m["train_dates"]) >= 1 and m["calibration_date"] < m["test_date"]
    assert m["top_features"] and json.dumps(m)


def test_risks_and_reasons(scored) -> None:  # noqa: ANN001
    f = scored.frame
    assert f["churn_risk"].between(0, 1).all()
    top = f.nlargest(25, "churn_risk")
    known = set(RULES) | set(MODEL_CODES)
    model_reasons = 0
    for text in top["churn_reasons"]:
        reasons = json.loads(text)
        assert reasons, "a high-risk customer must have reasons"
        for r in reasons:
            assert r["code"] in known and r["zh"] and r["en"] and isinstance(r["evidence"], dict)
            model_reasons += "model_contribution" in r["evidence"]
    assert model_reasons > 0  # SHAP reasons appear next to the rules
    low = f[f["churn_risk"] < 0.05]
    assert len(low) > 0
    # SHAP reasons for the model-scored (active) customers above churn.reason_min_risk; the
    # long-silent ones are scored by the purchase model (decision 42)
    assert 0 < scored.model["explained"] <= int((f["churn_risk"] >= 0.3).sum())
    assert scored.model["source"] == "model" and scored.model["backtest"]["winner"] == "model"


def test_rules_only_when_asked_or_when_history_is_short(history: Workspace) -> None:
    s = history.settings.model_copy(deep=True)
    s.churn.model = "rules"
    out = compute_churn(_tables(history), END, s)
    assert out.model["mode"] == "rules" and out.model["status"] == "disabled"
    s = history.settings.model_copy(deep=True)
    s.churn.min_history_days = 5000
    out = compute_churn(_tables(history), END, s)
    assert out.model["status"] == "history_short"
    assert "no trained model" in out.model["message_en"] and "不训练模型" in out.model["message_zh"]
    assert out.model["mode"] == "purchase" and out.model["source"].startswith("purchase_")
    s = history.settings.model_copy(deep=True)
    s.churn.min_positives = 100_000
    s.churn.train_dates = 3
    out = compute_churn(_tables(history), END, s)
    assert out.model["status"] == "few_positives"


def test_training_dates_use_a_seeded_customer_sample(history: Workspace, scored) -> None:  # noqa: ANN001
    s = history.settings.model_copy(deep=True)
    s.churn.train_customers = 300
    out = compute_churn(_tables(history), END, s)
    m = out.model
    assert m["mode"] == "model", m.get("message_en")
    population = m["training_sample"]["population"]
    assert 200 < m["training_sample"]["customers"] < 400 < population
    # the holdout and calibration rows come from the sample only
    assert m["holdout"]["n"] < scored.model["holdout"]["n"]
    assert m["n_calibration"] < scored.model["n_calibration"]
    assert m["holdout"]["roc_auc"] > 0.75
    # scoring still covers every customer, and the sample is the same on a second run
    assert len(out.frame) == len(scored.frame)
    again = compute_churn(_tables(history), END, s)
    assert again.model["holdout"] == m["holdout"]
    assert "training_sample" not in scored.model


def test_model_without_a_purchase_model(history: Workspace) -> None:
    """No purchase model can be fitted: the trained model competes alone, the rules risk
    scoring the customers it does not."""
    s = history.settings.model_copy(deep=True)
    s.clv.min_repeat_customers = 10**9
    out = compute_churn(_tables(history), END, s)
    m = out.model
    assert m["mode"] == "model" and m["source"] == "model", m.get("backtest")
    assert set(m["backtest"]["roc_auc"]) == {"model"} and "purchase_model" not in m
    assert out.frame["churn_risk"].between(0, 1).all()
    assert "trained model AUC" in m["backtest_en"] and "next best" not in m["backtest_en"]


def test_shap_is_skipped_only_where_no_model_reason_could_show(history: Workspace) -> None:
    """`_explain` leaves out the rows `may_show` bars for every group: whatever their
    contributions, the reasons built are the same as with them."""
    s = history.settings
    df = feature_frame(_tables(history), END, s)
    add_purchase_features(df, s)
    typical = typical_interval(df)
    hits = rule_hits(df, s.churn, typical)
    rng = np.random.default_rng(5)
    contrib = pd.DataFrame(rng.normal(0.5, 1.0, (len(df), len(MODEL_CODES))), columns=MODEL_CODES)
    risk = rng.uniform(0.0, 1.0, len(df))
    barred = ~np.logical_or.reduce([may_show(c, df, hits, s.churn) for c in MODEL_CODES])
    assert 0 < barred.sum() < len(df)  # both kinds of rows are present
    kw = {"typical": typical, "currency": "CNY", "risk": risk}
    full = build_reasons(df, hits, s.churn, contributions=contrib, **kw)
    skipped = build_reasons(df, hits, s.churn, contributions=contrib.mul(~barred, axis=0), **kw)
    assert (full == skipped).all()
    assert full[~barred].str.contains("model_contribution").any()
