"""What a user would otherwise write: the baselines kehu is measured against.

- `pandas_rfm`: a straightforward pandas script computing the same RFM scores and five types.
- `lifetimes_clv`: lifetimes' summary_data_from_transaction_data + BetaGeoFitter (+ Gamma-Gamma).
- `pymc_clv`: pymc-marketing's `rfm_summary` + BG/NBD fitted by MAP.
Each takes the orders as a pandas DataFrame (customer_id, order_date, amount) and an as-of date.
"""

from __future__ import annotations

from datetime import date, timedelta

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
