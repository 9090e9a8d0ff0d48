"""The alert rules run as SQL in the engine: on the demo company they find exactly what the
default rules say, recomputed here in plain pandas from the full tables."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest

from kehu.analytics.snapshot import analyze
from kehu.monitor import sources as S
from kehu.monitor.evaluate import evaluate
from kehu.workspace import Workspace


@pytest.fixture(scope="module")
def two_snapshots(analysed_demo: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A copy of the demo with a second, earlier snapshot, so the change rules run too."""
    analysed_demo.con.execute("CHECKPOINT")
    root = tmp_path_factory.mktemp("alerts_engine") / "ws"
    shutil.copytree(analysed_demo.root, root)
    ws = Workspace.open(root)
    current = S.snapshot_pair(ws).current
    assert current is not None
    analyze(ws, current - timedelta(days=61))
    return ws


def _table(ws: Workspace, sql: str) -> pd.DataFrame:
    return ws.cursor().execute(sql).df()


def _window(at: pd.Series, now: pd.Timestamp, days: int) -> pd.Series:
    at = pd.to_datetime(at)
    return (at > now - pd.Timedelta(days=days)) & (at <= now)


def _expected(ws: Workspace, when: date) -> dict[str, set[str]]:
    """Subjects each default rule must flag, by the rules' meaning (docs/monitoring.md)."""
    pair = S.snapshot_pair(ws, when)
    now = pd.Timestamp(S.evaluation_now(when))
    days = ws.settings.alerts.event_lookback_days
    snaps = _table(ws, "SELECT * FROM customer_snapshot")
    cur = snaps[snaps["as_of"] == pd.Timestamp(pair.current)].set_index("customer_id")
    prev = snaps[snaps["as_of"] == pd.Timestamp(pair.previous)].set_index("customer_id")
    both = cur.join(prev, rsuffix="_prev", how="inner")
    out: dict[str, set[str]] = {}
    risky = cur[(cur["churn_risk"] > 0.6) & cur["value_tier"].isin(["strategic", "core"])]
    out["key_account_churn_risk"] = {f"customer:{c}" for c in risky.index}
    fell = both["value_tier_prev"].isin(["strategic", "core"]) & (both["value_tier"] == "basic")
    out["tier_downgrade"] = {f"customer:{c}" for c in both.index[fell]}
    old = both["spend_12m_prev"].astype(float)
    change = (both["spend_12m"].astype(float) - old) / old.abs()
    dropped = (old != 0) & (change < -0.3)
    dropped &= both["value_tier"].isin(["strategic", "core", "potential"])
    out["spend_drop"] = {f"customer:{c}" for c in both.index[dropped.fillna(False)]}
    surveys = _table(ws, "SELECT * FROM surveys")
    low = (surveys["nps"] <= 6) & _window(surveys["surveyed_on"], now, days)
    out["nps_detractor"] = {
        f"survey:{s}/{i}" for s, i in surveys.loc[low, ["source", "survey_id"]].values
    }
    tickets = _table(ws, "SELECT * FROM tickets")
    answered = pd.to_datetime(tickets["first_response_at"]).fillna(now)
    hours = (answered - pd.to_datetime(tickets["opened_at"])).dt.total_seconds() / 3600
    late = (hours > 2) & _window(tickets["opened_at"], now, days)
    out["ticket_sla_breach"] = {
        f"ticket:{s}/{i}" for s, i in tickets.loc[late, ["source", "ticket_id"]].values
    }
    orders = _table(ws, "SELECT * FROM orders")
    due = pd.to_datetime(orders["due_date"])
    unpaid = due.notna() & orders["paid_date"].isna()
    unpaid &= orders["paid_amount"].fillna(0).astype(float) < orders["amount"].astype(float)
    overdue = unpaid & ((now.normalize() - due).dt.days > 30)
    out["payment_overdue"] = {
        f"order:{s}/{i}" for s, i in orders.loc[overdue, ["source", "order_id"]].values
    }
    return out


def test_engine_rules_match_the_rules_meaning_on_the_demo(two_snapshots: Workspace) -> None:
    ws = two_snapshots
    when = S.snapshot_pair(ws).current
    assert when is not None
    evaluation = evaluate(ws, ws.settings)
    got: dict[str, set[str]] = {}
    for f in evaluation.findings:
        got.setdefault(f.rule.name, set()).add(f"{f.subject_type}:{f.subject_id}")
    expected = _expected(ws, when)
    for rule, subjects in expected.items():
        assert rule in evaluation.evaluated, rule
        assert got.get(rule, set()) == subjects, rule
    # not vacuous: the demo trips the customer, order and change rules
    for rule in ("key_account_churn_risk", "payment_overdue", "tier_downgrade", "spend_drop"):
        assert expected[rule], rule


def test_findings_carry_the_row_they_fired_on(two_snapshots: Workspace) -> None:
    ws = two_snapshots
    evaluation = evaluate(ws, ws.settings)
    overdue = [f for f in evaluation.findings if f.rule.name == "payment_overdue"]
    assert overdue
    f = overdue[0]
    source, order_id = f.subject_id.split("/", 1)
    row = (
        ws.cursor()
        .execute(
            "SELECT amount, amount - coalesce(paid_amount, 0), customer_id FROM orders"
            " WHERE source = ? AND order_id = ?",
            [source, order_id],
        )
        .fetchone()
    )
    assert row is not None
    assert f.evidence["value"] > 30
    assert f.evidence["amount"] == pytest.approx(float(row[0]))
    assert f"¥{float(row[1]):,.2f} unpaid" in f.detail_en
    assert f.customer_id == row[2]
    drop = next(f for f in evaluation.findings if f.rule.name == "spend_drop")
    assert drop.evidence["change"] < -0.3
    assert drop.evidence["previous"] > drop.evidence["value"]
