"""Pareto / ABC (帕累托 80/20): who brings the revenue and the profit.

ABC class by cumulative share of 12-month revenue: customers are ordered by spend_12m
(descending, customer_id breaks ties), and a customer is A when the share of the customers
before it is below `abc.a_share` (70%), B below `abc.b_share` (90%), else C; customers without
positive spend are C. So class A is the smallest head that reaches 70% of the revenue.

`pareto_summary` states "the top x% of customers give y% of revenue and z% of profit" over the
customers with 12-month revenue (x = `abc.pareto_top`), and lists customers whose profit is
negative (the seed: some customers cost more than they bring).
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from kehu.analytics.ranking import top_rows, with_windows
from kehu.config import AbcSettings


def add_abc(t: ir.Table, s: AbcSettings) -> ir.Table:
    """Add abc_class to a table with customer_id and spend_12m (coalesced to 0)."""

    def share_before(n: ir.Table) -> ir.FloatingValue:
        window = ibis.cumulative_window(order_by=[n._spend.desc(), n.customer_id.asc()])
        running = n._spend.sum().over(window)
        positive_total = ibis.ifelse(n._spend > 0, n._spend, 0.0).sum().over()
        return (running - n._spend) / positive_total

    t = with_windows(t, {"_spend": t.spend_12m.cast("float64")}, {"_before": share_before})
    spend = t.spend_12m.cast("float64")
    abc = ibis.cases(
        (spend <= 0, "C"),
        (t._before < s.a_share, "A"),
        (t._before < s.b_share, "B"),
        else_="C",
    )
    return t.mutate(abc_class=abc).drop("_before")


def pareto_summary(frame: pd.DataFrame, s: AbcSettings, negative_limit: int = 10) -> dict[str, Any]:
    """The Pareto sentence's numbers, ABC counts and the negative-profit customers.

    `frame` needs customer_id, name, spend_12m, profit_12m, abc_class.
    """
    spend = frame["spend_12m"].astype("float64").fillna(0.0)
    profit = frame["profit_12m"].astype("float64")
    narrow = pd.DataFrame({"customer_id": frame["customer_id"], "_spend": spend, "_profit": profit})
    active = narrow[spend > 0]
    n_active = len(active)
    out: dict[str, Any] = {
        "top_share": s.pareto_top,
        "active_customers": n_active,
        "revenue_total": float(active["_spend"].sum()),
        "top_customers": 0,
        "top_revenue_share": None,
        "top_profit_share": None,
        "profit_total": None,
    }
    if n_active:
        k = max(1, math.ceil(s.pareto_top * n_active))
        top = top_rows(active, ["_spend", "customer_id"], [False, True], k)
        out["top_customers"] = k
        out["top_revenue_share"] = float(top["_spend"].sum() / active["_spend"].sum())
        profits = active["_profit"].dropna()
        if len(profits):
            total_profit = float(profits.sum())
            out["profit_total"] = total_profit
            if total_profit > 0:
                out["top_profit_share"] = float(top["_profit"].fillna(0).sum() / total_profit)
    abc = frame["abc_class"].value_counts()
    revenue_by_class = frame.assign(_spend=spend).groupby("abc_class")["_spend"].sum()
    total = float(spend[spend > 0].sum()) or np.nan
    out["abc"] = {
        cls: {
            "customers": int(abc.get(cls, 0)),
            "revenue_share": _share(float(revenue_by_class.get(cls, 0.0)), total),
        }
        for cls in ("A", "B", "C")
    }
    losing = profit < 0
    negative = (
        frame.loc[losing, ["customer_id", "name", "spend_12m"]]
        .assign(profit_value=profit[losing])  # the whole Series would add rows to an empty frame
        .sort_values(["profit_value", "customer_id"], ascending=[True, True])
    )
    out["negative_profit_count"] = len(negative)
    out["negative_profit_total"] = float(negative["profit_value"].sum()) if len(negative) else 0.0
    out["negative_profit"] = [
        {
            "customer_id": row.customer_id,
            "name": row.name,
            "spend_12m": float(row.spend_12m or 0),
            "profit_12m": float(row.profit_value),
        }
        for row in negative.head(negative_limit).itertuples(index=False)
    ]
    return out


def _share(part: float, total: float) -> float | None:
    if not total or math.isnan(total):
        return None
    return part / total
