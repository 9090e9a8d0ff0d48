"""Customer flows (客户流转): how customers moved between classes from one snapshot to another.

`flow_table(snapshot, d_from, d_to, by)` is pure Ibis over `customer_snapshot`: one row per
(from class, to class) with the number of customers, their 12-month revenue at the from-date
and at the to-date. Customers present on one date only get the class `ABSENT` on the other
(new customers flow in from it; customers merged away or removed flow out to it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from kehu.analytics.labels import LABELS
from kehu.errors import KehuError

FLOW_BY = ("lifecycle", "rfm_type", "value_tier", "rfm_segment", "abc_class", "matrix_class",
           "key_class", "relationship_phase")  # fmt: skip
ABSENT = "absent"


def flow_table(snapshot: ir.Table, d_from: date, d_to: date, by: str) -> ir.Table:
    """(from_code, to_code, customers, revenue_from, revenue_to), ordered by the codes."""
    a = snapshot.filter(snapshot.as_of == ibis.literal(d_from)).select(
        cid=snapshot.customer_id, code=snapshot[by], spend=snapshot.spend_12m.cast("float64")
    )
    b = snapshot.filter(snapshot.as_of == ibis.literal(d_to)).select(
        cid=snapshot.customer_id, code=snapshot[by], spend=snapshot.spend_12m.cast("float64")
    )
    j = a.outer_join(b, a.cid == b.cid)
    pairs = j.select(
        from_code=ibis.coalesce(a.code, ABSENT),
        to_code=ibis.coalesce(b.code, ABSENT),
        spend_from=a.spend.fill_null(0.0),
        spend_to=b.spend.fill_null(0.0),
    )
    return (
        pairs.group_by(["from_code", "to_code"])
        .agg(
            customers=pairs.count(),
            revenue_from=pairs.spend_from.sum(),
            revenue_to=pairs.spend_to.sum(),
        )
        .order_by(["from_code", "to_code"])
    )


def flows(snapshot: ir.Table, d_from: date, d_to: date, by: str = "lifecycle") -> dict[str, Any]:
    """The flow matrix as data: codes in display order, cells, and the totals per date."""
    if by not in FLOW_BY:
        raise KehuError(
            f"--by 只能是 {', '.join(FLOW_BY)}(收到 {by!r})",
            f"--by must be one of {', '.join(FLOW_BY)} (got {by!r})",
        )
    dates = set(snapshot.select("as_of").distinct().to_pandas()["as_of"].map(_as_date))
    for d in (d_from, d_to):
        if d not in dates:
            raise KehuError(
                f"没有 {d} 的客户快照;先运行 `kehu analyze --as-of {d}`",
                f"no customer snapshot for {d}; run `kehu analyze --as-of {d}` first",
            )
    cells: pd.DataFrame = flow_table(snapshot, d_from, d_to, by).to_pandas()
    known = list(LABELS[by])
    seen = set(cells["from_code"]) | set(cells["to_code"])
    order = [c for c in known if c in seen] + sorted(seen - set(known) - {ABSENT})
    if ABSENT in seen:
        order.append(ABSENT)
    moved = cells[cells["from_code"] != cells["to_code"]]
    return {
        "from": d_from.isoformat(),
        "to": d_to.isoformat(),
        "by": by,
        "codes": order,
        "cells": [
            {
                "from": r.from_code,
                "to": r.to_code,
                "customers": int(r.customers),
                "revenue_from": float(r.revenue_from),
                "revenue_to": float(r.revenue_to),
            }
            for r in cells.itertuples(index=False)
        ],
        "customers_moved": int(moved["customers"].sum()),
        "customers_total": int(cells["customers"].sum()),
    }


def _as_date(x: Any) -> date:
    if isinstance(x, pd.Timestamp):
        return x.date()
    return x
