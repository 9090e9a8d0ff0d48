"""Lifecycle classes (潜在 → 目标 → 初次 → 重复 → 忠诚 / 流失风险 → 流失 → 挽回) on built data."""

from __future__ import annotations

import ibis
import pytest
from analytics_data import at, core_rows, customer, days_before, insert, order
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics import lifecycle
from kehu.config import LifecycleSettings
from kehu.workspace import Workspace

ORDERS_DAYS_AGO: dict[str, list[int]] = {
    "FIRST": [10],
    "REPEAT": [20, 10],
    "AT_RISK": [100, 90, 80],  # mean gap 10, silent 80 > 2 x 10
    "EDGE_RISK": [60, 50, 40, 20],  # mean gap 13.3, silent 20 <= 26.7
    "ALIVE_364": [364],
    "LOST_365": [365],
    "LOYAL": [400, 300, 200, 100, 20],  # 5 purchase days over 400 days
    "YOUNG_5": [100, 80, 60, 40, 20],  # 5 purchase days but only 100 days long
    "WON_BACK": [800, 700, 20],  # back after a 680-day gap, 20 days ago
    "WON_LONG_AGO": [1500, 1100, 900, 700, 500, 300, 100, 30],  # returned 1100 days ago
}


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    ws = Workspace.init(tmp_path_factory.mktemp("life") / "ws")
    ids = [*ORDERS_DAYS_AGO, "PROSPECT", "TOUCHED", "TARGET", "OPP_LOST", "OPP_CLOSED_LATER"]
    insert(ws, "customers", [customer(c) for c in ids])
    insert(
        ws,
        "orders",
        [order(c, days_before(n)) for c, ns in ORDERS_DAYS_AGO.items() for n in ns],
    )
    insert(
        ws,
        "interactions",
        [{"source": "crm", "interaction_id": "I1", "customer_id": "TOUCHED", "kind": "call",
          "occurred_at": at(days_before(3))}],
    )  # fmt: skip
    opp = {"source": "crm", "amount": 1000, "created_on": days_before(50)}
    insert(
        ws,
        "opportunities",
        [
            {**opp, "opportunity_id": "P1", "customer_id": "TARGET", "status": "open"},
            {**opp, "opportunity_id": "P2", "customer_id": "OPP_LOST", "status": "lost",
             "closed_on": days_before(10)},
            {**opp, "opportunity_id": "P3", "customer_id": "OPP_CLOSED_LATER", "status": "lost",
             "closed_on": days_before(-10)},
        ],
    )  # fmt: skip
    try:
        yield core_rows(ws)
    finally:
        ws.close()


EXPECTED = {
    "PROSPECT": "prospect",
    "TOUCHED": "prospect",
    "TARGET": "target",
    "OPP_LOST": "prospect",
    "OPP_CLOSED_LATER": "target",  # still open at as_of: closed only later
    "FIRST": "first_purchase",
    "REPEAT": "repeat",
    "AT_RISK": "at_risk",
    "EDGE_RISK": "repeat",
    "ALIVE_364": "first_purchase",
    "LOST_365": "lost",
    "LOYAL": "loyal",
    "YOUNG_5": "repeat",
    "WON_BACK": "won_back",
    "WON_LONG_AGO": "loyal",
}


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_lifecycle_rules(rows, cid):
    assert rows[cid]["lifecycle"] == EXPECTED[cid]


def test_mean_interval_and_recency(rows):
    assert rows["AT_RISK"]["mean_interval_days"] == pytest.approx(10.0)
    assert rows["AT_RISK"]["recency_days"] == 80
    assert rows["LOYAL"]["first_order_date"] == days_before(400)
    assert rows["LOYAL"]["last_order_date"] == days_before(20)


def test_settings_move_the_boundaries():
    s = LifecycleSettings(lost_days=90, loyal_min_orders=3, at_risk_gap_factor=5)
    base = {"recency_days": 89, "mean_interval_days": 30.0, "days_since_return": None,
            "order_tenure_days": 400, "open_opportunities": 0}  # fmt: skip
    assert lifecycle.lifecycle_for(purchase_days=3, s=s, **base) == "loyal"
    assert lifecycle.lifecycle_for(purchase_days=3, s=s, **{**base, "recency_days": 90}) == "lost"
    assert lifecycle.lifecycle_for(purchase_days=2, s=s, **base) == "repeat"
    gone = {**base, "recency_days": s.forever_days}
    assert lifecycle.lifecycle_for(purchase_days=3, s=s, **gone) == "lost_forever"
    never = {**base, "recency_days": None, "known_days": s.non_customer_days}
    assert lifecycle.lifecycle_for(purchase_days=0, s=s, **never) == "non_customer"
    assert lifecycle.lifecycle_for(purchase_days=0, s=s, **{**never, "known_days": 364}) == (
        "prospect"
    )


CON = ibis.duckdb.connect()


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12),  # purchase days
            st.integers(0, 900),  # recency
            st.floats(1, 400),  # mean interval
            st.one_of(st.none(), st.integers(0, 900)),  # days since return
            st.integers(0, 2000),  # tenure
            st.integers(0, 2),  # open opportunities
            st.one_of(st.none(), st.integers(0, 900)),  # days since the first record
        ),
        min_size=1,
        max_size=30,
    )
)
def test_ibis_rule_equals_python_rule_and_is_total(cases):
    s = LifecycleSettings()
    data = {
        "purchase_days_total": [c[0] for c in cases],
        "recency_days": [c[1] if c[0] else None for c in cases],
        "mean_interval_days": [c[2] if c[0] >= 2 else None for c in cases],
        "days_since_return": [c[3] if c[0] >= 2 else None for c in cases],
        "order_tenure_days": [c[4] if c[0] else None for c in cases],
        "open_opportunities": [c[5] for c in cases],
        "known_days": [c[6] for c in cases],
    }
    t = ibis.memtable(
        data,
        schema={"purchase_days_total": "int64", "recency_days": "int64",
                "mean_interval_days": "float64", "days_since_return": "int64",
                "order_tenure_days": "int64", "open_opportunities": "int64",
                "known_days": "int64"},
    )  # fmt: skip
    out = CON.to_pyarrow(t.mutate(stage=lifecycle.lifecycle_expr(t, s))).to_pylist()
    for row in out:
        expected = lifecycle.lifecycle_for(
            purchase_days=row["purchase_days_total"],
            recency_days=row["recency_days"],
            mean_interval_days=row["mean_interval_days"],
            days_since_return=row["days_since_return"],
            order_tenure_days=row["order_tenure_days"],
            open_opportunities=row["open_opportunities"],
            s=s,
            known_days=row["known_days"],
        )
        assert row["stage"] == expected
        assert row["stage"] in lifecycle.STAGES
