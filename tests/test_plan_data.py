"""Tiny hand-made datasets for the planning tests (imported by test_plan*/test_kpi*/...).

Snapshot rows are inserted directly with the contract columns of `customer_snapshot`
(CONTRACTS.md), so these tests do not depend on the analytics engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from kehu.workspace import Workspace

SNAPSHOT_DDL = """
CREATE TABLE IF NOT EXISTS customer_snapshot (
    as_of DATE NOT NULL, customer_id VARCHAR NOT NULL, recency_days INTEGER,
    orders_12m INTEGER, spend_12m DECIMAL(18,2), r_score INTEGER, f_score INTEGER,
    m_score INTEGER, rfm_type VARCHAR, rfm_segment VARCHAR, value_score DOUBLE,
    value_tier VARCHAR, value_confidence DOUBLE, abc_class VARCHAR, lifecycle VARCHAR,
    clv_historical DOUBLE, profit_historical DOUBLE, p_alive DOUBLE, expected_purchases DOUBLE,
    predicted_clv DOUBLE, churn_risk DOUBLE, churn_reasons VARCHAR, main_categories VARCHAR,
    avg_order_value DECIMAL(18,2), payment_cadence_days DOUBLE, key_contact VARCHAR,
    open_tickets INTEGER, top_needs VARCHAR, owner VARCHAR, region VARCHAR,
    industry_name VARCHAR, customer_type VARCHAR, name VARCHAR
)
"""


def insert(ws: Workspace, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert dict rows (columns named by the dict keys)."""
    if table == "customer_snapshot":
        ws.con.execute(SNAPSHOT_DDL)
    for row in rows:
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        ws.con.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))


def customers(ws: Workspace, rows: Sequence[tuple[str, str, str | None, str | None]]) -> None:
    """(customer_id, name, region, owner) rows."""
    insert(
        ws,
        "customers",
        [{"customer_id": c, "name": n, "region": r, "owner": o} for c, n, r, o in rows],
    )


def orders(ws: Workspace, rows: Sequence[tuple[Any, ...]]) -> None:
    """(order_id, customer_id, order_date, amount[, due_date, paid_amount, paid_date]) rows."""
    out = []
    for r in rows:
        row = {
            "source": "crm",
            "order_id": r[0],
            "customer_id": r[1],
            "order_date": r[2],
            "amount": r[3],
        }
        for key, val in zip(("due_date", "paid_amount", "paid_date"), r[4:], strict=False):
            row[key] = val
        out.append(row)
    insert(ws, "orders", out)


def snapshot(ws: Workspace, as_of: date, rows: Sequence[dict[str, Any]]) -> None:
    insert(ws, "customer_snapshot", [{"as_of": as_of, **r} for r in rows])


def test_helpers_insert(ws: Workspace) -> None:
    customers(ws, [("c1", "甲公司", "华东", "alice")])
    orders(ws, [("o1", "c1", date(2026, 1, 5), 100)])
    snapshot(ws, date(2026, 1, 31), [{"customer_id": "c1", "rfm_type": "new"}])
    assert ws.scalar("SELECT count(*) FROM orders") == 1
    assert ws.scalar("SELECT rfm_type FROM customer_snapshot") == "new"
