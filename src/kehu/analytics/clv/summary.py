"""Per-customer purchase summary for the CLV models.

Purchase occasions are days with a non-negative net amount: same-day orders are merged into one
transaction (the models run in continuous time and a day is the finest grain the orders
carry), and days whose net amount is negative (returns, credit notes) are not
purchases. For each customer, as of a cut-off day:
    x   = purchase occasions − 1 (repeat purchases)
    t_x = days from the first to the last occasion, in time units
    T   = days from the first occasion to the cut-off, in time units
    m̄   = mean value of the repeat occasions (NaN when x = 0)
plus money to date (every order, net): revenue, cost where known, revenue of costed orders.

The aggregation is `kehu.analytics.purchases.purchase_facts` (the pass `analyze` makes anyway
for RFM) with the costs of `money_facts`; `purchase_summary` runs both on an in-memory order
table, `summary_frame` turns such rows into the model inputs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kehu.analytics.features import Windows
from kehu.analytics.purchases import money_facts, purchase_facts

# Days per time unit; a month is 1/12 of the mean Gregorian year.
UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12.0}

SUMMARY_COLUMNS = (
    "customer_id", "revenue", "cost", "costed_revenue", "costed_orders", "x", "first_day",
    "last_day", "m_repeat", "m_all", "t_x_days", "T_days",
)  # fmt: skip
_FLOATS = ("x", "t_x_days", "T_days", "revenue", "cost", "costed_revenue", "m_repeat", "m_all")


def _check_unit(time_unit: str) -> float:
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {sorted(UNIT_DAYS)}")
    return UNIT_DAYS[time_unit]


def summary_frame(rows: pd.DataFrame, time_unit: str = "week") -> pd.DataFrame:
    """SUMMARY_COLUMNS rows (`purchase_facts` joined with `money_facts`) as model inputs:
    floats, plus t_x and T in `time_unit` (row order kept: the fits do not depend on it)."""
    unit = _check_unit(time_unit)
    df = rows.loc[:, list(SUMMARY_COLUMNS)].copy()
    df["customer_id"] = df["customer_id"].astype(str)
    for col in _FLOATS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["t_x"] = df["t_x_days"] / unit
    df["T"] = df["T_days"] / unit
    return df


def _order_table(orders: Any) -> pa.Table:
    table = (
        orders
        if isinstance(orders, pa.Table)
        else pa.Table.from_pandas(pd.DataFrame(orders), preserve_index=False)
    )
    cols = {
        "customer_id": pc.cast(table["customer_id"], pa.string()),
        "order_date": pc.cast(table["order_date"], pa.date32()),
        "amount": pc.cast(table["amount"], pa.float64()),
        "cost": pc.cast(table["cost"], pa.float64())
        if "cost" in table.column_names
        else pa.nulls(table.num_rows, pa.float64()),
    }
    return pa.table(cols)


def purchase_summary(orders: Any, cutoff: date, time_unit: str = "week") -> pd.DataFrame:
    """One row per customer with orders on or before `cutoff`.

    `orders`: pyarrow.Table or pandas.DataFrame with customer_id, order_date, amount and
    optionally cost. Columns: SUMMARY_COLUMNS plus t_x, T (in `time_unit`). Customers whose
    every day nets below 0 have x, t_x, T = NaN (no purchase occasion).
    """
    _check_unit(time_unit)
    w = Windows.around(cutoff)
    con = ibis.duckdb.connect()
    try:
        table = ibis.memtable(_order_table(orders))
        bought, money = purchase_facts(table, w), money_facts(table, cutoff)
        expr = bought.left_join(money, "customer_id").select(*SUMMARY_COLUMNS)
        rows = con.to_pyarrow(expr).to_pandas()
    finally:
        con.disconnect()
    frame = summary_frame(rows, time_unit)
    return frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
