"""Helpers for the monitoring tests: a small demo-like workspace built with plain SQL.

It holds two monthly snapshots (so change rules fire), tickets, surveys and orders around
the latest snapshot date, with owners, so every default alert rule has something to find.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

from kehu.workspace import Workspace

AS_OF = date(2026, 10, 1)
PREV = date(2026, 9, 1)
OWNERS = ["张伟", "李娜", None]
TIERS = ["strategic", "core", "potential", "basic"]
RFM = ["high_value", "potential", "new", "churn_risk", "low_value"]


def insert(ws: Workspace, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    with ws.transaction() as cur:
        cur.executemany(sql, [[r[c] for c in cols] for r in rows])


def build_demo(ws: Workspace, n: int = 40, seed: int = 3) -> dict[str, list[str]]:
    """Fill `ws`; returns the customer ids expected to trip each default rule."""
    rng = random.Random(seed)
    expect: dict[str, list[str]] = {
        k: []
        for k in (
            "key_account_churn_risk",
            "tier_downgrade",
            "spend_drop",
            "nps_detractor",
            "ticket_sla_breach",
            "payment_overdue",
        )
    }
    customers, snaps, tickets, surveys, orders = [], [], [], [], []
    for i in range(n):
        cid = f"C{i:04d}"
        owner = OWNERS[i % 3]
        region = ["华东", "华北", "华南"][i % 3]
        customers.append(
            {
                "customer_id": cid,
                "name": f"客户{i}有限公司",
                "owner": owner,
                "region": region,
                "source": "crm",
                "source_id": cid,
            }
        )
        prev_tier = TIERS[i % 4]
        tier = prev_tier
        if i % 10 == 1:  # core -> basic
            prev_tier, tier = "core", "basic"
            expect["tier_downgrade"].append(cid)
        prev_spend = 100_000 + 10_000 * i
        spend = prev_spend
        if i % 7 == 3 and tier in ("strategic", "core", "potential"):
            spend = prev_spend * 0.5
            expect["spend_drop"].append(cid)
        risk = round(rng.uniform(0.05, 0.5), 3)
        if i % 5 == 0:
            risk = 0.8
            if tier in ("strategic", "core"):
                expect["key_account_churn_risk"].append(cid)
        reasons = json.dumps(
            [
                {
                    "code": "gap",
                    "zh": "超过平常购买间隔",
                    "en": "longer gap",
                    "evidence": {"days": 120},
                }
            ],
            ensure_ascii=False,
        )
        for as_of, t, s, r in ((PREV, prev_tier, prev_spend, 0.1), (AS_OF, tier, spend, risk)):
            snaps.append(
                {
                    "as_of": as_of,
                    "customer_id": cid,
                    "name": f"客户{i}有限公司",
                    "owner": owner,
                    "region": region,
                    "value_tier": t,
                    "rfm_type": RFM[i % 5],
                    "spend_12m": s,
                    "churn_risk": r,
                    "churn_reasons": reasons,
                    "predicted_clv": 50_000 + 3_000 * i,
                    "clv_historical": 80_000 + 2_000 * i,
                    "profit_historical": 20_000 - 900 * i,
                    "recency_days": 10 + i * 3,
                    "orders_12m": 1 + i % 12,
                    "lifecycle": ["repeat", "loyal", "at_risk", "lost"][i % 4],
                }
            )
        opened = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=3 + i % 20)
        late = i % 4 == 0
        tickets.append(
            {
                "source": "svc",
                "ticket_id": f"T{i}",
                "customer_id": cid,
                "category": "投诉",
                "opened_at": opened,
                "first_response_at": opened + timedelta(hours=5 if late else 1),
                "status": "closed",
                "description": "发货延迟,客服回复太慢",
            }
        )
        if late:
            expect["ticket_sla_breach"].append(cid)
        # an old late ticket (outside the 30-day window) must not alert
        old = opened - timedelta(days=200)
        tickets.append(
            {
                "source": "svc",
                "ticket_id": f"TOLD{i}",
                "customer_id": cid,
                "category": "售后服务",
                "opened_at": old,
                "first_response_at": old + timedelta(hours=9),
                "status": "closed",
                "description": "old",
            }
        )
        nps = 3 if i % 6 == 0 else 9
        surveys.append(
            {
                "source": "svy",
                "survey_id": f"S{i}",
                "customer_id": cid,
                "surveyed_on": AS_OF - timedelta(days=1 + i % 10),
                "nps": nps,
                "comment": "价格太贵,质量不稳定" if nps < 7 else "很好",
            }
        )
        if nps <= 6:
            expect["nps_detractor"].append(cid)
        overdue = i % 8 == 5
        orders.append(
            {
                "source": "erp",
                "order_id": f"O{i}",
                "customer_id": cid,
                "order_date": AS_OF - timedelta(days=90),
                "amount": 10_000,
                "paid_amount": 0 if overdue else 10_000,
                "due_date": AS_OF - timedelta(days=60),
            }
        )
        if overdue:
            expect["payment_overdue"].append(cid)
    insert(ws, "customers", customers)
    insert(ws, "customer_snapshot", snaps)
    insert(ws, "tickets", tickets)
    insert(ws, "surveys", surveys)
    insert(ws, "orders", orders)
    return expect
