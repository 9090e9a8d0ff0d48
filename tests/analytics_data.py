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
