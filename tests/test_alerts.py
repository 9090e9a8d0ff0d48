"""Alert rules, evaluation and alert state (no network)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_alerts_support import AS_OF, build_demo, insert

from kehu.config import AlertRule, settings_from_dict
from kehu.errors import ConfigError, KehuError, NotFoundError
from kehu.monitor import rules as R
from kehu.monitor.alerts import run_alerts
from kehu.monitor.state import ack, get_alert, list_alerts
from kehu.workspace import Workspace


def _rule(**kw: object) -> AlertRule:
    base = {"name": "r", "field": "x", "op": ">", "value": 1}
    base.update(kw)
    return AlertRule.model_validate(base)


@settings(deadline=None)  # each example is a DuckDB query; a loaded machine is slow
@given(
    st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=30),
    st.floats(-1e6, 1e6),
    st.sampled_from([">", ">=", "<", "<=", "==", "!="]),
)
def test_compare_matches_python(values: list[float | None], threshold: float, op: str) -> None:
    series = pd.Series(values, dtype="float64")
    got = R.compare(series, op, threshold).tolist()
    ops = {
        ">": float.__gt__,
        ">=": float.__ge__,
        "<": float.__lt__,
        "<=": float.__le__,
        "==": float.__eq__,
        "!=": float.__ne__,
    }
    want = [v is not None and ops[op](float(v), threshold) for v in values]
    assert got == want


def test_scope_and_in() -> None:
    df = pd.DataFrame({"x": [0.7, 0.9, 0.5, 0.95], "value_tier": ["core", "basic", "core", None]})
    rule = _rule(field="x", op=">", value=0.6, scope={"value_tier": ["strategic", "core"]})
    assert R.match_rows(df, rule).index.tolist() == [0]
    rule = _rule(field="value_tier", op="in", value=["basic", "core"])
    assert R.match_rows(df, rule).index.tolist() == [0, 1, 2]
    rule = _rule(field="value_tier", op="not_in", value=["basic"])
    assert R.match_rows(df, rule).index.tolist() == [0, 2]  # missing never matches
    with pytest.raises(KehuError, match="nope"):
        R.match_rows(df, _rule(field="nope"))


def test_change_ops() -> None:
    prev = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "spend": [100.0, 100.0, 0.0, 50.0],
            "tier": ["core", "core", "basic", "strategic"],
        }
    )
    cur = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "e"],
            "spend": [69.0, 71.0, 10.0, 1.0],
            "tier": ["basic", "core", "basic", "basic"],
        }
    )
    drop = _rule(kind="change", field="spend", op="pct_drop", value=0.3)
    got = R.match_change(prev, cur, "customer_id", drop)
    assert got["customer_id"].tolist() == ["a"]  # -31% only; c has no base, e is new
    assert got["_change"].iloc[0] == pytest.approx(-0.31)
    trans = _rule(
        kind="change", field="tier", op="transition", from_values=["core"], to_values=["basic"]
    )
    assert R.match_change(prev, cur, "customer_id", trans)["customer_id"].tolist() == ["a"]
    changed = _rule(kind="change", field="tier", op="changed")
    assert R.match_change(prev, cur, "customer_id", changed)["customer_id"].tolist() == ["a"]


def test_rule_config_errors_name_the_rule() -> None:
    with pytest.raises(ConfigError, match="pct_drop"):
        settings_from_dict(
            {
                "alerts": {
                    "rules": [
                        {
                            "name": "bad",
                            "kind": "threshold",
                            "field": "x",
                            "op": "pct_drop",
                            "value": 1,
                        }
                    ]
                }
            }
        )
    with pytest.raises(ConfigError, match="duplicate"):
        settings_from_dict(
            {
                "alerts": {
                    "rules": [
                        {"name": "a", "field": "x", "value": 1},
                        {"name": "a", "field": "y", "value": 1},
                    ]
                }
            }
        )
    with pytest.raises(ConfigError, match="url"):
        settings_from_dict({"notify": {"channels": {"w": {"type": "wecom"}}}})


def test_default_rules_find_the_seeded_conditions(ws: Workspace) -> None:
    expect = build_demo(ws)
    result = run_alerts(ws, send=False)
    assert result.snapshot == AS_OF
    alerts = list_alerts(ws, limit=10_000)
    for rule, ids in expect.items():
        got = sorted(a["customer_id"] for a in alerts if a["rule"] == rule)
        assert got == sorted(ids), rule
    assert "goal_at_risk" not in result.by_rule  # no goals in this workspace
    churn = next(a for a in alerts if a["rule"] == "key_account_churn_risk")
    assert churn["evidence"]["value"] == 0.8 and churn["evidence"]["threshold"] == 0.6
    assert churn["evidence"]["churn_reasons"][0]["code"] == "gap"
    assert churn["owner"] in ("张伟", "李娜", None)
    tier = next(a for a in alerts if a["rule"] == "tier_downgrade")
    assert tier["detail_zh"] == "价值层级: 核心级 → 基础级"
    assert tier["evidence"]["previous"] == "core"
    sla = next(a for a in alerts if a["rule"] == "ticket_sla_breach")
    assert sla["evidence"]["value"] == pytest.approx(5.0)


def test_unchanged_condition_never_realerts(ws: Workspace) -> None:
    build_demo(ws)
    first = run_alerts(ws, send=False)
    assert first.new
    second = run_alerts(ws, send=False)
    assert second.new == [] and second.unchanged == len(first.new)
    assert ws.scalar("SELECT count(*) FROM alerts") == len(first.new)


def test_cleared_condition_resolves_and_returns_as_new(ws: Workspace) -> None:
    build_demo(ws)
    run_alerts(ws, send=False)
    cid = ws.scalar("SELECT customer_id FROM alerts WHERE rule = 'key_account_churn_risk' LIMIT 1")
    with ws.transaction() as cur:
        cur.execute(
            "UPDATE customer_snapshot SET churn_risk = 0.1 WHERE customer_id = ? AND as_of = ?",
            [cid, AS_OF],
        )
    result = run_alerts(ws, send=False)
    assert result.resolved == 1 and result.new == []
    row = ws.rows(
        "SELECT status, resolution FROM alerts WHERE customer_id = ?"
        " AND rule = 'key_account_churn_risk'",
        [cid],
    )
    assert row == [("resolved", "cleared")]
    with ws.transaction() as cur:
        cur.execute(
            "UPDATE customer_snapshot SET churn_risk = 0.9 WHERE customer_id = ? AND as_of = ?",
            [cid, AS_OF],
        )
    assert len(run_alerts(ws, send=False).new) == 1


def test_new_snapshot_with_new_change_supersedes(ws: Workspace) -> None:
    build_demo(ws)
    run_alerts(ws, send=False)
    before = ws.scalar("SELECT count(*) FROM alerts WHERE rule = 'tier_downgrade'")
    # A later snapshot where one customer falls core -> basic again (a new state).
    later = AS_OF + timedelta(days=31)
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO customer_snapshot SELECT * REPLACE (CAST(? AS DATE) AS as_of)"
            " FROM customer_snapshot WHERE as_of = ?",
            [later, AS_OF],
        )
        cur.execute(
            "UPDATE customer_snapshot SET value_tier = 'core' WHERE as_of = ?"
            " AND customer_id = 'C0011'",
            [AS_OF],
        )
        cur.execute(
            "UPDATE customer_snapshot SET value_tier = 'basic' WHERE as_of = ?"
            " AND customer_id = 'C0011'",
            [later],
        )
    result = run_alerts(ws, send=False)
    assert result.snapshot == later
    rows = ws.rows(
        "SELECT status, resolution FROM alerts WHERE rule = 'tier_downgrade'"
        " AND customer_id = 'C0011' ORDER BY alert_id"
    )
    assert rows == [("resolved", "superseded"), ("open", None)]
    assert ws.scalar("SELECT count(*) FROM alerts WHERE rule = 'tier_downgrade'") == before + 1


def test_ack(ws: Workspace) -> None:
    build_demo(ws)
    run_alerts(ws, send=False)
    first = list_alerts(ws, "open")[0]
    acked = ack(ws, first["alert_id"], "tester")
    assert acked["status"] == "acked" and acked["acked_by"] == "tester"
    assert run_alerts(ws, send=False).new == []  # an acked condition does not come back
    assert get_alert(ws, first["alert_id"])["status"] == "acked"
    with pytest.raises(NotFoundError):
        ack(ws, 999_999)


def test_custom_threshold_rule_on_row_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ws = Workspace.init(tmp_path / "w")
    ws.settings = settings_from_dict(
        {
            "alerts": {
                "rules": [
                    {
                        "name": "big_unpaid",
                        "kind": "threshold",
                        "table": "orders",
                        "field": "unpaid_amount",
                        "op": ">=",
                        "value": 5000,
                        "severity": "low",
                    }
                ]
            }
        }
    )
    insert(ws, "customers", [{"customer_id": "c1", "name": "甲公司", "owner": "王五"}])
    insert(
        ws,
        "orders",
        [
            {
                "source": "erp",
                "order_id": "o1",
                "customer_id": "c1",
                "order_date": AS_OF,
                "amount": 8000,
                "paid_amount": 1000,
                "due_date": AS_OF,
            },
            {
                "source": "erp",
                "order_id": "o2",
                "customer_id": "c1",
                "order_date": AS_OF,
                "amount": 8000,
                "paid_amount": 8000,
                "due_date": AS_OF,
            },
        ],
    )
    result = run_alerts(ws, AS_OF, send=False)
    assert result.by_rule == {"big_unpaid": 1}
    alert = list_alerts(ws)[0]
    assert alert["subject_id"] == "erp/o1" and alert["owner"] == "王五"
    assert alert["evidence"]["value"] == 7000
    ws.close()


def test_goal_at_risk(ws: Workspace) -> None:
    """Goal status comes from the planning floor's evaluation, not the stored column."""
    build_demo(ws, n=6)
    insert(
        ws,
        "goals",
        [
            {
                "goal_id": 1,
                "name": "Q4 新客 200",
                "metric": "new_customers",
                "target": 200,
                "target_spec": "200",
                "start_date": AS_OF - timedelta(days=61),
                "deadline": AS_OF + timedelta(days=30),
                "grain": "month",
                "owner": "李娜",
                "status": "on_track",
            },
        ],
    )
    result = run_alerts(ws, AS_OF, send=False)
    assert result.by_rule.get("goal_at_risk") == 1
    alert = list_alerts(ws, rule="goal_at_risk")[0]
    assert (alert["subject_type"], alert["subject_id"], alert["owner"]) == ("goal", "1", "李娜")
    assert alert["customer_name"] == "Q4 新客 200"
    assert alert["evidence"]["target"] == 200
    assert alert["evidence"]["value"] in ("at_risk", "missed")
    assert alert["detail_zh"].startswith("状态 ")


def test_one_alert_list_per_scope(ws: Workspace) -> None:
    """The CLI's and the web's alert list are one read: a rep sees the alerts about their
    customers, a manager also the company's alerts about no customer, an admin all."""
    from kehu.access.scope import Scope
    from kehu.app import Kehu

    build_demo(ws)
    run_alerts(ws, send=False)
    now = pd.Timestamp("2026-01-01 08:00")
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO alerts (alert_id, rule, condition_key, status, severity, title_zh,"
            " title_en, first_seen_at, last_seen_at) VALUES (90001, 'kpi_drop', 'kpi|x', 'open',"
            " 'warning', 'KPI 下降', 'KPI fell', ?, ?)",
            [now, now],
        )
    region, owner = ws.rows(
        "SELECT c.region, c.owner FROM alerts a JOIN customers c USING (customer_id)"
        " WHERE c.region IS NOT NULL AND c.owner IS NOT NULL LIMIT 1"
    )[0]
    k = Kehu(ws, "tester")
    admin = Scope(user="a", role="admin")
    manager = Scope(user="m", role="manager", regions=(region,))
    rep = Scope(user="r", role="rep", owners=(owner,))

    def ids(sql: str, params: list[object]) -> set[int]:
        return {r[0] for r in ws.rows(f"SELECT alert_id FROM alerts WHERE {sql}", params)}

    mine = "customer_id IN (SELECT customer_id FROM customers WHERE {} = ?)"
    expect = {
        admin: ids("TRUE", []),
        manager: ids(f"customer_id IS NULL OR {mine.format('region')}", [region]),
        rep: ids(mine.format("owner"), [owner]),
    }
    assert 90001 in expect[manager] and 90001 not in expect[rep]
    assert expect[rep] and expect[rep] < expect[manager] < expect[admin]
    for scope, want in expect.items():
        got = k.alerts(limit=10_000, scope=scope)
        assert {a["alert_id"] for a in got} == want
        seen = [a["last_seen_at"] for a in got]
        assert seen == sorted(seen, reverse=True)  # last seen first
        opened = k.alerts("open", limit=10_000, scope=scope)
        assert sum(k.open_alert_counts(scope=scope).values()) == len(opened)
    assert {a["alert_id"] for a in k.alerts(limit=10_000)} == expect[admin]
    with pytest.raises(NotFoundError):  # outside the rep's scope reads as unknown
        k.ack_alert(90001, scope=rep)
    assert ws.scalar("SELECT status FROM alerts WHERE alert_id = 90001") == "open"
    assert k.ack_alert(90001, scope=manager)["acked_by"] == "tester"
    with pytest.raises(KehuError, match="unknown alert status"):
        k.alerts("closed")
