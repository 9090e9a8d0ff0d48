"""What a user would otherwise write: the baselines kehu is measured against.

- `pandas_rfm`: a straightforward pandas script computing the same RFM scores and five types.
- `duckdb_rfm`: the same pass as kehu's `rfm` step hand-written as one DuckDB query over the
  workspace's orders table (RFM inputs, scores and five types, and the CLV summary).
- `lifetimes_clv`: lifetimes' summary_data_from_transaction_data + BetaGeoFitter (+ Gamma-Gamma).
- `pymc_clv`: pymc-marketing's `rfm_summary` + BG/NBD fitted by MAP.
The pandas/lifetimes/pymc ones take the orders as a pandas DataFrame (customer_id, order_date,
amount) and an as-of date; `duckdb_rfm` takes a DuckDB connection to the workspace.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd


def pandas_rfm(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The seed's threshold RFM scoring, written the way an analyst would in pandas."""
    as_of_ts = pd.Timestamp(as_of)
    df = orders[orders["order_date"] < as_of_ts]
    last = df.groupby("customer_id")["order_date"].max()
    window = df[df["order_date"] >= as_of_ts - pd.Timedelta(days=365)]
    freq = window.groupby("customer_id")["order_date"].nunique()
    spend = window.groupby("customer_id")["amount"].sum()
    out = pd.DataFrame({"last": last})
    out["recency_days"] = (as_of_ts - out["last"]).dt.days
    out["orders_12m"] = freq.reindex(out.index).fillna(0)
    out["spend_12m"] = spend.reindex(out.index).fillna(0)
    out["r"] = np.select([out.recency_days <= 30, out.recency_days <= 90], [5, 3], 1)
    out["f"] = np.select([out.orders_12m >= 10, out.orders_12m >= 5], [5, 3], 1)
    out["m"] = np.select([out.spend_12m >= 500_000, out.spend_12m >= 200_000], [5, 3], 1)

    def level(s: pd.Series) -> pd.Series:
        return pd.Series(np.select([s >= 4, s >= 2], ["high", "mid"], "low"), index=s.index)

    r, f, m = level(out.r), level(out.f), level(out.m)
    out["rfm_type"] = np.select(
        [
            (r == "high") & (f == "high") & (m == "high"),
            (r == "high") & ((f == "mid") | (m == "mid")),
            r == "high",
            (f != "low") | (m != "low"),
        ],
        ["high_value", "potential", "new", "churn_risk"],
        "low_value",
    )
    return out


def _daily(orders: pd.DataFrame, as_of: date) -> pd.DataFrame:
    return orders[orders["order_date"] < pd.Timestamp(as_of)]


def lifetimes_clv(orders: pd.DataFrame, as_of: date) -> dict[str, float]:
    """lifetimes' summary + BG/NBD (+ Gamma-Gamma on repeat buyers), in weeks."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    summary = summary_data_from_transaction_data(
        _daily(orders, as_of),
        "customer_id",
        "order_date",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(as_of - timedelta(days=1)),
        freq="W",
    )
    bg = BetaGeoFitter(penalizer_coef=0.0)
    bg.fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    gg = GammaGammaFitter(penalizer_coef=0.0)
    gg.fit(repeat["frequency"], repeat["monetary_value"])
    params = {k: float(v) for k, v in bg.params_.items()}
    params.update({f"gg_{k}": float(v) for k, v in gg.params_.items()})
    return params


def pymc_clv(orders: pd.DataFrame, as_of: date) -> dict[str, float]:
    """pymc-marketing's rfm_summary + BG/NBD fitted by MAP (HalfFlat priors = the MLE)."""
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel
    from pymc_marketing.clv.utils import rfm_summary

    data = rfm_summary(
        _daily(orders, as_of),
        "customer_id",
        "order_date",
        "amount",
        observation_period_end=pd.Timestamp(as_of - timedelta(days=1)),
        time_unit="W",
    )
    flat = {k: Prior("HalfFlat") for k in ("r", "alpha", "a", "b")}
    model = BetaGeoModel(data=data, model_config=flat)
    model.fit(method="map")
    post = model.fit_result
    return {k: float(post[k].mean()) for k in ("r", "alpha", "a", "b")}


# Orders by (customer, day), then by customer; every customer (none ordered: lowest scores).
DUCKDB_RFM_SQL = """
CREATE OR REPLACE TEMP TABLE duckdb_rfm AS
WITH days AS (
  SELECT customer_id, order_date AS d, sum(amount)::DECIMAL(18, 2) AS v, count(*) AS n
  FROM orders WHERE order_date <= $as_of GROUP BY ALL
), per AS (
  SELECT customer_id,
    min(d) AS first_order_date, max(d) AS last_order_date, sum(n) AS orders_total,
    sum(v) AS spend_total, count(*) AS purchase_days_total,
    count(*) FILTER (d >= $start) AS orders_12m, sum(v) FILTER (d >= $start) AS spend_12m,
    count(*) FILTER (v >= 0) AS occasions,
    min(d) FILTER (v >= 0) AS first_day, max(d) FILTER (v >= 0) AS last_day,
    sum(v) FILTER (v >= 0)::DOUBLE AS value_sum, arg_min(v, d) FILTER (v >= 0) AS first_v
  FROM days GROUP BY customer_id
), rfm AS (
  SELECT c.customer_id, p.*  EXCLUDE (customer_id),
    ($as_of - p.last_order_date)::INT AS recency_days,
    CASE WHEN recency_days <= 30 THEN 5 WHEN recency_days <= 90 THEN 3 ELSE 1 END AS r,
    CASE WHEN p.orders_12m >= 10 THEN 5 WHEN p.orders_12m >= 5 THEN 3 ELSE 1 END AS f,
    CASE WHEN p.spend_12m >= 500000 THEN 5 WHEN p.spend_12m >= 200000 THEN 3 ELSE 1 END AS m,
    CASE WHEN p.occasions > 0 THEN p.occasions - 1 END AS x,
    (p.last_day - p.first_day)::DOUBLE AS t_x_days, ($as_of - p.first_day)::DOUBLE AS T_days,
    CASE WHEN p.occasions > 1 THEN (p.value_sum - p.first_v) / (p.occasions - 1) END
      AS m_repeat
  FROM customers c LEFT JOIN per p USING (customer_id)
)
SELECT *, CASE
    WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'high_value'
    WHEN r >= 4 AND (f BETWEEN 2 AND 3 OR m BETWEEN 2 AND 3) THEN 'potential'
    WHEN r >= 4 THEN 'new'
    WHEN f >= 2 OR m >= 2 THEN 'churn_risk'
    ELSE 'low_value' END AS rfm_type
FROM rfm
"""


def duckdb_rfm(con: Any, as_of: date, window_days: int = 365) -> int:
    """The RFM pass as an analyst would write it in DuckDB; the customers it scored."""
    start = as_of - timedelta(days=window_days - 1)
    con.execute(DUCKDB_RFM_SQL, {"as_of": as_of, "start": start})
    return int(con.execute("SELECT count(*) FROM duckdb_rfm").fetchone()[0])
