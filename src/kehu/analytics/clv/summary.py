"""Per-customer purchase summary for the CLV models, computed in DuckDB from an order table.

Purchase occasions are days with a non-negative net amount: same-day orders are merged into one
transaction (the models run in continuous time and a day is the finest grain the orders
carry), and days whose net amount is negative (returns, credit notes) are not
purchases. For each customer, as of a cut-off day:
    x   = purchase occasions − 1 (repeat purchases)
    t_x = days from the first to the last occasion, in time units
    T   = days from the first occasion to the cut-off, in time units
    m̄   = mean value of the repeat occasions (NaN when x = 0)
plus money to date (every order, net): revenue, cost where known, revenue of costed orders.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

# Days per time unit; a month is 1/12 of the mean Gregorian year.
UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12.0}

_SQL = """
WITH o AS (
    SELECT CAST(customer_id AS VARCHAR) AS customer_id,
           CAST(order_date AS DATE) AS d,
           CAST(amount AS DOUBLE) AS amount,
           CAST({cost} AS DOUBLE) AS cost
    FROM orders_in
    WHERE order_date IS NOT NULL AND CAST(order_date AS DATE) <= $cutoff
),
money AS (
    SELECT customer_id,
           SUM(amount) AS revenue,
           SUM(cost) AS cost,
           SUM(CASE WHEN cost IS NOT NULL THEN amount END) AS costed_revenue,
           COUNT(cost) AS costed_orders
    FROM o GROUP BY customer_id
),
days AS (
    SELECT customer_id, d, SUM(amount) AS v FROM o GROUP BY customer_id, d HAVING SUM(amount) >= 0
),
freq AS (
    SELECT customer_id,
           COUNT(*) - 1 AS x,
           MIN(d) AS first_day,
           MAX(d) AS last_day,
           (SUM(v) - arg_min(v, d)) / NULLIF(COUNT(*) - 1, 0) AS m_repeat,
           AVG(v) AS m_all
    FROM days GROUP BY customer_id
)
SELECT money.customer_id, money.revenue, money.cost, money.costed_revenue,
       money.costed_orders,
       freq.x, freq.first_day, freq.last_day, freq.m_repeat, freq.m_all,
       date_diff('day', freq.first_day, freq.last_day) AS t_x_days,
       date_diff('day', freq.first_day, CAST($cutoff AS DATE)) AS T_days
FROM money LEFT JOIN freq USING (customer_id)
ORDER BY money.customer_id
"""


def purchase_summary(orders: Any, cutoff: date, time_unit: str = "week") -> pd.DataFrame:
    """One row per customer with orders on or before `cutoff`.

    Columns: customer_id, revenue, cost, costed_revenue, costed_orders, x, first_day,
    last_day, m_repeat, m_all, t_x_days, T_days, t_x, T (the last two in `time_unit`).
    Customers whose every day nets below 0 have x, t_x, T = NaN (no purchase occasion).
    """
    if time_unit not in UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {sorted(UNIT_DAYS)}")
    table = (
        orders
        if isinstance(orders, pa.Table)
        else pa.Table.from_pandas(pd.DataFrame(orders), preserve_index=False)
    )
    has_cost = "cost" in table.column_names
    con = duckdb.connect()
    try:
        con.register("orders_in", table)
        sql = _SQL.format(cost="cost" if has_cost else "NULL")
        df = con.execute(sql, {"cutoff": cutoff}).df()
    finally:
        con.close()
    unit = UNIT_DAYS[time_unit]
    for col in (
        "x",
        "t_x_days",
        "T_days",
        "revenue",
        "cost",
        "costed_revenue",
        "m_repeat",
        "m_all",
    ):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["t_x"] = df["t_x_days"] / unit
    df["T"] = df["T_days"] / unit
    return df
