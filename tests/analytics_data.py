"""Small hand-built workspaces for the analytics tests (rows inserted directly with SQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from kehu.analytics.core import core_snapshot
from kehu.analytics.sources import Availability, as_of_view, source_tables
from kehu.workspace import Workspace

AS_OF = date(2024, 6, 30)


def insert(ws: Workspace, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert dict rows (columns = the union of the dicts' keys)."""
    if not rows:
        return
    cols = sorted({k for r in rows for k in r})
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    ws.con.executemany(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
        [[r.get(c) for c in cols] for r in rows],
    )


def customer(cid: str, **cols: Any) -> dict[str, Any]:
    return {"customer_id": cid, "name": cols.pop("name", f"客户{cid}"), **cols}


_seq = iter(range(10**9))


def order(
    cid: str, day: date, amount: float | str | Decimal = "100.00", **cols: Any
) -> dict[str, Any]:
    return {
        "source": "crm",
        "order_id": cols.pop("order_id", f"O{next(_seq)}"),
        "customer_id": cid,
        "order_date": day,
        "amount": Decimal(str(amount)),
        **cols,
    }


def days_before(n: int, as_of: date = AS_OF) -> date:
    return as_of - timedelta(days=n)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)


def core_rows(ws: Workspace, as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
    """The core snapshot (no CLV/churn) of `as_of`, keyed by customer_id."""
    tables = source_tables(ws.ibis)
    avail = Availability.of(as_of_view(tables, as_of))
    table: pa.Table = core_snapshot(tables, as_of, ws.settings, avail).to_pyarrow()
    return {r["customer_id"]: r for r in table.to_pylist()}


def build(ws: Workspace) -> None:
    """Twelve customers with two years of orders and every kind of side record."""
    custs, orders = [], []
    start = date(2022, 7, 1)
    for i in range(12):
        cid = f"C{i:02d}"
        custs.append(
            customer(
                cid,
                region="华东" if i % 2 else "华北",
                owner=f"rep{i % 3}",
                customer_type="company",
                industry_name="制造业",
                cooperation_start=start,
                phone="+8613812345678",
            )
        )
        step = 15 + 10 * i  # customer i orders every 15 + 10i days
        stop = date(2024, 6, 30) if i % 4 else date(2023, 9, 1)  # every 4th stops early
        day, k = start, 0
        while day <= stop:
            amount = 1000 * (i + 1) + k
            cost = amount * 0.6 if i % 3 else None
            orders.append(
                order(
                    cid,
                    day,
                    f"{amount:.2f}",
                    cost=cost,
                    product_category=("硬件", "软件", "服务")[k % 3 if i % 2 else 0],
                    paid_amount=amount if i != 5 else amount / 2,
                    paid_date=day + timedelta(days=30),
                    due_date=day + timedelta(days=30),
                )
            )
            day += timedelta(days=step)
            k += 1
    custs.append(customer("NEWBIE", cooperation_start=date(2024, 3, 1)))
    orders.append(order("NEWBIE", date(2024, 3, 5), "5000"))
    custs.append(customer("LEAD"))
    custs.append(customer("BARE"))
    insert(ws, "customers", custs)
    insert(ws, "orders", orders)
    insert(
        ws,
        "contacts",
        [
            {"source": "crm", "contact_id": "K1", "customer_id": "C01", "name": "李四",
             "role": "技术", "is_key": False, "phone": "13900001111"},
            {"source": "crm", "contact_id": "K2", "customer_id": "C01", "name": "王五",
             "title": "采购总监", "role": "采购", "is_key": True},
        ],
    )  # fmt: skip
    tickets = []
    for n, (day, cat, resolved) in enumerate(
        [
            (date(2024, 5, 1), "投诉", None),
            (date(2024, 5, 3), "售后服务", date(2024, 5, 4)),
            (date(2024, 5, 20), "售后服务", date(2024, 7, 20)),  # resolved after D2: open at D2
            (date(2024, 6, 1), "产品咨询", date(2024, 6, 2)),
        ]
    ):
        tickets.append(
            {"source": "crm", "ticket_id": f"T{n}", "customer_id": "C01", "category": cat,
             "opened_at": at(day), "resolved_at": at(resolved) if resolved else None,
             "status": "closed" if resolved else "open"}
        )  # fmt: skip
    insert(ws, "tickets", tickets)
    insert(
        ws,
        "opportunities",
        [{"source": "crm", "opportunity_id": "P1", "customer_id": "LEAD", "status": "open",
          "amount": 80000, "created_on": date(2024, 5, 1)}],
    )  # fmt: skip
