"""The seed's churn-warning rules at their boundaries, on small hand-built workspaces."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics.churn import compute_churn
from kehu.analytics.churn.features import feature_frame, feature_table
from kehu.analytics.churn.rules import RULES, rule_hits, rules_risk, typical_interval
from kehu.config import ChurnSettings, Settings
from kehu.workspace import Workspace

AS_OF = date(2024, 6, 30)


def _insert(ws: Workspace, table: str, rows: list[dict]) -> None:
    df = pd.DataFrame(rows).assign(source="crm")
    ws.con.register("_rows", df)
    ws.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
    ws.con.unregister("_rows")


def _customers(ws: Workspace, *ids: str) -> None:
    ws.con.executemany(
        "INSERT INTO customers (customer_id, name) VALUES (?, ?)", [(i, i) for i in ids]
    )


def _orders(ws: Workspace, cid: str, days_ago: list[int], **extra: object) -> None:
    rows = [
        {
            "order_id": f"{cid}-{k}",
            "customer_id": cid,
            "order_date": AS_OF - timedelta(days=d),
            "amount": 100.0,
            **extra,
        }
        for k, d in enumerate(days_ago)
    ]
    _insert(ws, "orders", rows)


def _tables(ws: Workspace) -> dict:
    return {n: ws.table(n) for n in ("customers", "orders", "interactions", "tickets", "surveys")}


def _hits(ws: Workspace, s: Settings | None = None) -> pd.DataFrame:
    s = s or ws.settings
    df = feature_frame(_tables(ws), AS_OF, s)
    hits = rule_hits(df, s.churn, typical_interval(df))
    return hits.set_index(df["customer_id"])


def test_gap_rule_boundaries(ws: Workspace) -> None:
    _customers(ws, "A42", "A43", "SHORT", "ONE")
    _orders(ws, "A42", [42 + 42, 42 + 21, 42])  # interval 21, silent exactly 2 x 21 days
    _orders(ws, "A43", [43 + 42, 43 + 21, 43])  # one day longer
    _orders(ws, "SHORT", [12 + 10, 12 + 5, 12])  # gap 12 > 2 x 5, but under gap_min_days 30
    _orders(ws, "ONE", [200])
    hits = _hits(ws)
    assert not hits.loc["A42", "order_gap"]
    assert hits.loc["A43", "order_gap"]
    assert not hits.loc["SHORT", "order_gap"]
    assert not hits.loc["ONE", "order_gap"]
    # typical interval = median of (21, 21, 5) = 21: 200 > 42 -> the single-order rule
    assert hits.loc["ONE", "single_order_gap"]
    assert not hits.loc["A43", "single_order_gap"]


def test_gap_reason_reads_like_the_seed(ws: Workspace) -> None:
    _customers(ws, "G")
    _orders(ws, "G", [90 + 42, 90 + 21, 90])
    out = compute_churn(_tables(ws), AS_OF, ws.settings)
    reasons = json.loads(out.frame.set_index("customer_id").loc["G", "churn_reasons"])
    gap = next(r for r in reasons if r["code"] == "order_gap")
    assert gap["zh"] == "90 天无订单,而其平均下单间隔为 21 天"
    assert gap["en"] == "No order for 90 days; usual interval 21 days"
    assert gap["evidence"] == {
        "days_since_last_order": 90,
        "mean_interval_days": 21.0,
        "gap_factor": 2.0,
    }
    assert set(reasons[0]) == {"code", "zh", "en", "evidence"}
    assert out.model["mode"] == "rules" and out.model["status"] == "history_short"


def test_activity_drop_boundaries(ws: Workspace) -> None:
    _customers(ws, "D2", "D3", "D1", "I")
    _orders(ws, "D2", [170, 160, 150, 140, 10, 5])  # previous 4, current 2 -> -50 %
    _orders(ws, "D3", [170, 160, 150, 140, 10, 5, 3])  # previous 4, current 3 -> -25 %
    _orders(ws, "D1", [300, 150])  # previous 1 -> 0: below activity_min_previous 2
    _orders(ws, "I", [5])
    _insert(
        ws,
        "interactions",
        [
            {
                "interaction_id": f"i{k}",
                "customer_id": "I",
                "occurred_at": AS_OF - timedelta(days=d),
            }
            for k, d in enumerate([170, 150, 120, 100, 20])
        ],
    )
    hits = _hits(ws)
    assert hits.loc["D2", "order_drop"]
    assert not hits.loc["D3", "order_drop"]
    assert not hits.loc["D1", "order_drop"]
    assert hits.loc["I", "interaction_drop"]  # 4 -> 1
    s = Settings()
    s.churn.activity_drop = 0.8  # needs a fall of 80 %: 4 -> 1 is 75 %
    assert not _hits(ws, s).loc["I", "interaction_drop"]


def _tickets(ws: Workspace, cid: str, cats_days: list[tuple[str, int]]) -> None:
    _insert(
        ws,
        "tickets",
        [
            {
                "ticket_id": f"{cid}-t{k}",
                "customer_id": cid,
                "category": cat,
                "opened_at": pd.Timestamp(AS_OF - timedelta(days=d)) + pd.Timedelta(hours=9),
            }
            for k, (cat, d) in enumerate(cats_days)
        ],
    )


def test_complaint_rule_boundaries(ws: Workspace) -> None:
    _customers(ws, "UP", "FLAT", "ONE", "ASK")
    for c in ("UP", "FLAT", "ONE", "ASK"):
        _orders(ws, c, [5])
    _tickets(ws, "UP", [("投诉", 100), ("投诉", 10), ("Complaint", 0)])  # 1 -> 2
    _tickets(ws, "FLAT", [("投诉", 100), ("投诉", 120), ("投诉", 10), ("投诉", 20)])  # 2 -> 2
    _tickets(ws, "ONE", [("投诉", 10)])  # 0 -> 1 < complaint_rise 2
    _tickets(ws, "ASK", [("产品咨询", 10), ("产品咨询", 11), ("建议", 12)])  # not complaints
    hits = _hits(ws)
    assert hits["complaints_rising"].to_dict() == {
        "ASK": False,
        "FLAT": False,
        "ONE": False,
        "UP": True,
    }


def test_nps_rule_boundaries(ws: Workspace) -> None:
    _customers(ws, "N6", "N7", "OLD", "LATEST")
    surveys = [("N6", 6, 30), ("N7", 7, 30), ("OLD", 2, 400), ("LATEST", 3, 200), ("LATEST", 9, 20)]
    for c in ("N6", "N7", "OLD", "LATEST"):
        _orders(ws, c, [5])
    _insert(
        ws,
        "surveys",
        [
            {
                "survey_id": f"s{k}",
                "customer_id": c,
                "nps": n,
                "surveyed_on": AS_OF - timedelta(days=d),
            }
            for k, (c, n, d) in enumerate(surveys)
        ],
    )
    hits = _hits(ws)
    assert hits["nps_detractor"].to_dict() == {
        "LATEST": False,  # the latest survey counts
        "N6": True,
        "N7": False,
        "OLD": False,  # older than nps_lookback_days
    }


def test_overdue_rule_boundaries_and_point_in_time(ws: Workspace) -> None:
    ids = ("D30", "D31", "PAID", "PAID_LATER", "PART", "FUTURE")
    _customers(ws, *ids)
    due = lambda d: AS_OF - timedelta(days=d)  # noqa: E731
    _orders(ws, "D30", [60], due_date=due(30))
    _orders(ws, "D31", [60], due_date=due(31))
    _orders(ws, "PAID", [90], due_date=due(60), paid_date=due(50), paid_amount=100.0)
    _orders(ws, "PAID_LATER", [90], due_date=due(60), paid_date=AS_OF + timedelta(days=3))
    _orders(ws, "PART", [90], due_date=due(60), paid_date=due(55), paid_amount=40.0)
    _orders(ws, "FUTURE", [-5], due_date=due(-35))  # ordered after as_of: not seen
    hits = _hits(ws)
    assert hits["payment_overdue"].to_dict() == {
        "D30": False,
        "D31": True,
        "PAID": False,
        "PAID_LATER": True,  # unpaid on the as-of day
        "PART": True,
    }
    out = compute_churn(_tables(ws), AS_OF, ws.settings).frame.set_index("customer_id")
    part = json.loads(out.loc["PART", "churn_reasons"])
    pay = next(r for r in part if r["code"] == "payment_overdue")
    assert pay["evidence"] == {"overdue_amount": 60.0, "overdue_orders": 1, "max_days_overdue": 60}
    assert "60.00 元" in pay["zh"] and "CNY 60.00" in pay["en"]


def test_rules_risk_is_the_noisy_or_of_weights(ws: Workspace) -> None:
    _customers(ws, "R", "CALM")
    _orders(ws, "R", [90 + 42, 90 + 21, 90], due_date=AS_OF - timedelta(days=60))
    _orders(ws, "CALM", [30, 20, 10])
    out = compute_churn(_tables(ws), AS_OF, ws.settings).frame.set_index("customer_id")
    w = ws.settings.churn.rule_weights
    # order_gap; order_drop (3 orders in the previous 90 days, none since); overdue
    expected = 1 - (1 - w.order_gap) * (1 - w.order_drop) * (1 - w.payment_overdue)
    assert out.loc["R", "churn_risk"] == pytest.approx(round(expected, 4))
    assert out.loc["CALM", "churn_risk"] == 0.0
    assert json.loads(out.loc["CALM", "churn_reasons"]) == []
    codes = [r["code"] for r in json.loads(out.loc["R", "churn_reasons"])]
    assert codes == ["order_gap", "order_drop", "payment_overdue"]  # heavier weight first


def test_customers_without_orders_are_left_out(ws: Workspace) -> None:
    _customers(ws, "P", "B")
    _orders(ws, "B", [3])
    _tickets(ws, "P", [("投诉", 1), ("投诉", 2)])
    out = compute_churn(_tables(ws), AS_OF, ws.settings)
    assert list(out.frame["customer_id"]) == ["B"]


def test_empty_workspace(ws: Workspace) -> None:
    out = compute_churn(_tables(ws), AS_OF, ws.settings)
    assert out.frame.empty and list(out.frame.columns) == [
        "customer_id",
        "churn_risk",
        "churn_reasons",
    ]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(st.booleans(), min_size=len(RULES), max_size=len(RULES)), min_size=1),
    st.integers(0, len(RULES) - 1),
)
def test_rules_risk_bounded_and_monotone(rows: list[list[bool]], extra: int) -> None:
    s = ChurnSettings()
    hits = pd.DataFrame(rows, columns=list(RULES))
    risk = rules_risk(hits, s)
    assert ((risk >= 0) & (risk <= 1)).all()
    more = hits.copy()
    more[RULES[extra]] = True
    assert (rules_risk(more, s) >= risk - 1e-12).all()
    assert np.array_equal(risk == 0, ~hits.any(axis=1).to_numpy())


def test_orders_alone_are_enough(ws: Workspace) -> None:
    _customers(ws, "G")
    _orders(ws, "G", [90 + 42, 90 + 21, 90])
    out = compute_churn({"orders": ws.table("orders")}, AS_OF, ws.settings)
    reasons = json.loads(out.frame.loc[0, "churn_reasons"])
    assert [r["code"] for r in reasons] == ["order_gap", "order_drop"]
    assert out.model["rules"]["hits"]["nps_detractor"] == 0


def test_feature_expressions_compile_for_spark(ws: Workspace) -> None:
    """The point-in-time features have a Spark SQL form (no DuckDB-only operation, no TRIM)."""
    pytest.importorskip("pyspark")
    import ibis

    _ = ibis.pyspark  # loading the backend registers the dialect's options
    sql = ibis.to_sql(feature_table(_tables(ws), AS_OF, ws.settings), dialect="pyspark")
    assert "DATEDIFF" in sql.upper() and "ROW_NUMBER()" in sql.upper()
    assert "TRIM(" not in sql.upper()
