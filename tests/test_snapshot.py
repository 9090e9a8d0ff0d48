"""`analyze`: stored snapshot, point-in-time correctness, re-runs, portraits, flows, portability."""

from __future__ import annotations

import json
from datetime import date, timedelta

import ibis
import pytest
from analytics_data import build, insert, order

from kehu.analytics import snapshot
from kehu.analytics.core import core_snapshot
from kehu.analytics.flows import ABSENT, flows
from kehu.analytics.sources import Availability, as_of_view, source_tables
from kehu.errors import KehuError
from kehu.store.tables.analytics import SNAPSHOT_COLUMNS
from kehu.workspace import Workspace

CONTRACT_COLUMNS = [
    "customer_id",
    "as_of",
    "recency_days",
    "orders_12m",
    "spend_12m",
    "r_score",
    "f_score",
    "m_score",
    "rfm_type",
    "rfm_segment",
    "value_score",
    "value_tier",
    "value_confidence",
    "abc_class",
    "lifecycle",
    "clv_historical",
    "profit_historical",
    "p_alive",
    "expected_purchases",
    "predicted_clv",
    "churn_risk",
    "churn_reasons",
    "main_categories",
    "avg_order_value",
    "payment_cadence_days",
    "key_contact",
    "open_tickets",
    "top_needs",
    "owner",
    "region",
    "industry_name",
    "customer_type",
    "name",
]

D1, D2 = date(2023, 12, 31), date(2024, 6, 30)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    ws = Workspace.init(tmp_path_factory.mktemp("snap") / "ws")
    ws.settings.churn.model = "rules"  # keep the test fast; the model has its own tests
    build(ws)
    results = {d: snapshot.analyze(ws, d) for d in (D1, D2)}
    try:
        yield ws, results
    finally:
        ws.close()


def stored(ws: Workspace, day: date) -> dict[str, dict]:
    rows = ws.con.execute("SELECT * FROM customer_snapshot WHERE as_of = ?", [day])
    names = [d[0] for d in rows.description]
    return {r[1]: dict(zip(names, r, strict=True)) for r in rows.fetchall()}


def test_snapshot_has_the_contract_columns(history):
    ws, _ = history
    have = {r[0] for r in ws.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name='customer_snapshot'"
    )}  # fmt: skip
    assert set(CONTRACT_COLUMNS) <= have
    assert list(SNAPSHOT_COLUMNS)[:2] == ["as_of", "customer_id"]


def test_every_customer_gets_one_row_with_filled_classes(history):
    ws, results = history
    rows = stored(ws, D2)
    assert results[D2].customers == len(rows) == 15
    for r in rows.values():
        for col in ("rfm_type", "rfm_segment", "value_tier", "abc_class", "lifecycle"):
            assert r[col] is not None
        assert 0 <= r["value_score"] <= 100
    assert rows["LEAD"]["lifecycle"] == "target"
    assert rows["C00"]["lifecycle"] == "lost" or rows["C00"]["recency_days"] > 200


def test_customers_first_seen_later_are_not_in_past_snapshots(history):
    ws, _ = history
    assert "NEWBIE" in stored(ws, D2)
    assert "NEWBIE" not in stored(ws, D1)
    assert "LEAD" not in stored(ws, D1)  # its opportunity was created after D1
    assert "BARE" in stored(ws, D1)  # no dated record at all: always in


def test_clv_and_churn_columns_are_filled(history):
    ws, results = history
    rows = stored(ws, D2)
    assert rows["C01"]["clv_historical"] > 0
    assert rows["C01"]["churn_risk"] is not None
    assert isinstance(json.loads(rows["C01"]["churn_reasons"] or "[]"), list)
    summary = results[D2].summary
    assert summary["clv"]["available"] and "params" in summary["clv"]
    assert summary["churn"]["available"]
    assert set(summary["timings"]) >= {"core", "clv", "churn", "write", "total"}


def test_portrait_fields(history):
    ws, _ = history
    c01 = stored(ws, D2)["C01"]
    assert c01["key_contact"] == "王五 (采购总监)"
    assert c01["open_tickets"] == 2  # the complaint (no resolved_at) + resolved only after D2
    assert c01["top_needs"] == "售后服务, 产品咨询, 投诉"
    assert set(c01["main_categories"].split(", ")) == {"硬件", "软件", "服务"}
    assert c01["payment_cadence_days"] == pytest.approx(25.0, abs=0.1)
    assert c01["days_to_pay"] == pytest.approx(30.0)
    assert c01["collection_rate"] == pytest.approx(1.0)
    assert stored(ws, D2)["C05"]["collection_rate"] == pytest.approx(0.5)
    assert c01["owner"] == "rep1" and c01["region"] == "华东" and c01["name"] == "客户C01"
    assert float(c01["avg_order_value"]) > 2000


def test_point_in_time_equals_history_truncated(history, tmp_path):
    ws, _ = history
    before = stored(ws, D1)
    cut = Workspace.init(tmp_path / "cut")
    cut.settings.churn.model = "rules"
    build(cut)
    cut.con.execute("DELETE FROM orders WHERE order_date > ?", [D1])
    cut.con.execute("DELETE FROM tickets WHERE opened_at >= ?", [D1 + timedelta(days=1)])
    cut.con.execute("DELETE FROM opportunities WHERE created_on > ?", [D1])
    # The customers that only appeared after D1 were not in the CRM yet either.
    cut.con.execute("DELETE FROM customers WHERE customer_id IN ('LEAD', 'NEWBIE')")
    snapshot.analyze(cut, D1)
    after = stored(cut, D1)
    cut.close()
    assert before.keys() == after.keys()
    skip = {"churn_risk", "churn_reasons"}  # churn has its own point-in-time tests
    for cid, row in before.items():
        for col, v in row.items():
            if col in skip:
                continue
            w = after[cid][col]
            if isinstance(v, float) and isinstance(w, float):
                assert v == pytest.approx(w, rel=1e-9, abs=1e-9), (cid, col)
            else:
                assert v == w, (cid, col)


def test_rerun_replaces_only_that_date(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    ws.settings.churn.model = "rules"
    build(ws)
    snapshot.analyze(ws, D1)
    snapshot.analyze(ws, D2)
    d2_before = stored(ws, D2)
    insert(ws, "orders", [order("LEAD", D1 - timedelta(days=3), "70000")])
    snapshot.analyze(ws, D1)
    assert stored(ws, D1)["LEAD"]["orders_total"] == 1
    assert stored(ws, D2) == d2_before  # untouched
    counts = dict(ws.rows("SELECT as_of, count(*) FROM customer_snapshot GROUP BY 1"))
    assert counts == {D1: 14, D2: 15}
    assert ws.scalar("SELECT count(*) FROM analytics_runs") == 2
    ws.close()


def test_default_as_of_is_the_day_after_the_data(history):
    ws, _ = history
    latest = ws.scalar("SELECT max(order_date) FROM orders")
    assert latest < date(2025, 1, 1)
    assert snapshot.default_as_of(ws, today=date(2025, 1, 1)) == latest + timedelta(days=1)
    assert snapshot.default_as_of(ws, today=latest) == latest  # data reaches today: today


def test_unknown_engine_is_a_clear_error(history):
    ws, _ = history
    with pytest.raises(KehuError, match="engine"):
        snapshot.engine_tables(ws, "nosuch")


def test_flows_between_two_snapshots(history):
    ws, _ = history
    data = flows(ws.table("customer_snapshot"), D1, D2, "lifecycle")
    cells = {(c["from"], c["to"]): c for c in data["cells"]}
    assert data["customers_total"] == 15
    assert cells[(ABSENT, "first_purchase")]["customers"] == 1  # NEWBIE appeared
    assert cells[(ABSENT, "target")]["customers"] == 1  # LEAD: first seen after D1
    assert cells[("prospect", "prospect")]["customers"] == 1  # BARE
    assert sum(c["customers"] for c in data["cells"]) == 15
    d2 = stored(ws, D2)
    revenue_to = sum(c["revenue_to"] for c in data["cells"])
    assert revenue_to == pytest.approx(sum(float(r["spend_12m"]) for r in d2.values()))
    with pytest.raises(KehuError, match="kehu analyze"):
        flows(ws.table("customer_snapshot"), D1, date(2020, 1, 1))
    with pytest.raises(KehuError, match="--by"):
        flows(ws.table("customer_snapshot"), D1, D2, "color")


def test_core_expression_compiles_for_spark(history):
    """The whole core expression has a Spark SQL form (no DuckDB-only operation)."""
    pytest.importorskip("pyspark")
    _ = ibis.pyspark  # loading the backend registers the dialect's options

    ws, _ = history
    tables = source_tables(ws.ibis)
    avail = Availability(orders=True, costs=True, payments=True, opportunities=True, tickets=True)
    for mode in ("thresholds", "quantiles"):
        settings = ws.settings.model_copy(deep=True)
        settings.rfm.mode = mode
        sql = ibis.to_sql(core_snapshot(tables, D2, settings, avail), dialect="pyspark")
        assert "DATEDIFF" in sql.upper() and "RANK()" in sql.upper()
    assert Availability.of(as_of_view(tables, D2)).tickets


def test_empty_and_order_less_workspaces(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    result = snapshot.analyze(ws, D2)
    assert result.customers == 0 and result.summary["clv"]["available"] is False
    insert(
        ws, "customers", [{"customer_id": "A", "name": "甲"}, {"customer_id": "B", "name": "乙"}]
    )
    result = snapshot.analyze(ws, D2)
    rows = stored(ws, D2)
    assert result.customers == 2
    assert {r["lifecycle"] for r in rows.values()} == {"prospect"}
    assert {r["rfm_type"] for r in rows.values()} == {"low_value"}
    assert all(r["value_tier"] == "basic" and r["predicted_clv"] is None for r in rows.values())
    ws.close()


def test_overview_cards_compare_the_last_two_snapshots(history):
    """The overview's cards, checked against the stored rows counted here, for everyone and
    within a rep's scope (the customers of one owner)."""
    from kehu.access.scope import Scope
    from kehu.analytics.coherence import NOT_AT_RISK
    from kehu.app import Kehu

    ws, _ = history
    k = Kehu(ws)
    owner = ws.scalar("SELECT owner FROM customers WHERE owner IS NOT NULL ORDER BY 1 LIMIT 1")
    mine = {r[0] for r in ws.rows("SELECT customer_id FROM customers WHERE owner = ?", [owner])}

    def expect(day: date, keep: set[str] | None) -> dict[str, float]:
        rows = [r for cid, r in stored(ws, day).items() if keep is None or cid in keep]
        return {
            "customers_active": sum(1 for r in rows if (r["orders_12m"] or 0) > 0),
            "spend_12m": float(sum(r["spend_12m"] or 0 for r in rows)),
            "predicted_clv": float(sum(r["predicted_clv"] or 0 for r in rows)),
            "high_value": sum(1 for r in rows if r["rfm_type"] == "high_value"),
            "key_accounts": sum(1 for r in rows if r["value_tier"] in ("strategic", "core")),
            "at_risk": sum(
                1
                for r in rows
                if (r["churn_risk"] or 0) >= 0.6 and r["lifecycle"] not in NOT_AT_RISK
            ),  # fmt: skip
        }

    for scope, keep in ((None, None), (Scope(user="r", role="rep", owners=(owner,)), mine)):
        cards = {c["code"]: c for c in k.overview_cards(scope=scope)}
        now, before = expect(D2, keep), expect(D1, keep)
        for code, value in now.items():
            card = cards[code]
            assert card["value"] == pytest.approx(value), code
            assert card["previous"] == pytest.approx(before[code]), code
            assert card["as_of"] == D2 and card["previous_as_of"] == D1
            if value == before[code]:
                assert card["direction"] is None and card["good"] is None
            else:
                assert card["direction"] == ("up" if value > before[code] else "down")
        risk = cards["at_risk"]
        assert risk["good"] == (None if risk["direction"] is None else risk["direction"] == "down")
    assert 0 < len(mine) < ws.scalar("SELECT count(*) FROM customers")
