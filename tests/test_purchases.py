"""`purchase_facts` (the one pass over the orders behind RFM and CLV) against plain pandas."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics.churn.sample import in_sample, md5_cutoff
from kehu.analytics.features import Windows
from kehu.analytics.purchases import purchase_facts

AS_OF = date(2024, 6, 30)
W = Windows.around(AS_OF)

order_rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", "D"]),
        st.integers(-800, 60),  # days from AS_OF: both windows, and orders after as_of
        st.sampled_from([-300.0, -5.5, 0.0, 10.25, 99.99, 1234.5]),
        st.sampled_from([None, 3.0, 50.0]),
    ),
    min_size=1,
    max_size=40,
)


def _expected(df: pd.DataFrame) -> pd.DataFrame:
    pit = df[df["order_date"] <= AS_OF]
    rows = []
    for cid, g in pit.groupby("customer_id"):
        days = g.groupby("order_date")["amount"].sum().sort_index()
        cur = days[days.index >= W.start]
        prev = days[(days.index >= W.prev_start) & (days.index < W.start)]
        occ = days[days >= 0]
        n = len(occ)
        rows.append(
            {
                "customer_id": cid,
                "orders_total": len(g),
                "spend_total": g["amount"].sum(),
                "purchase_days_total": len(days),
                "purchase_days_12m": len(cur),
                "order_rows_12m": int((g["order_date"] >= W.start).sum()),
                "purchase_days_cur": int((days.index >= W.period_start).sum()),
                "purchase_days_prev": int(
                    ((days.index >= W.period_prev_start) & (days.index < W.period_start)).sum()
                ),
                "spend_12m": cur.sum() if len(cur) else np.nan,
                "spend_prev_12m": prev.sum() if len(prev) else np.nan,
                "last_order_date": days.index.max(),
                "x": n - 1 if n else np.nan,
                "t_x_days": (occ.index.max() - occ.index.min()).days if n else np.nan,
                "T_days": (AS_OF - occ.index.min()).days if n else np.nan,
                "m_repeat": occ.iloc[1:].mean() if n > 1 else np.nan,
                "m_all": occ.mean() if n else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("customer_id").sort_index() if rows else pd.DataFrame()


@settings(max_examples=40, deadline=None)
@given(order_rows)
def test_purchase_facts_match_pandas(rows: list) -> None:
    df = pd.DataFrame(rows, columns=["customer_id", "day", "amount", "cost"])
    df["order_date"] = [AS_OF + timedelta(days=int(d)) for d in df["day"]]
    table = pa.table(
        {
            "customer_id": df["customer_id"],
            "order_date": pa.array(df["order_date"], pa.date32()),
            "amount": df["amount"].astype(float),
            "cost": pa.array(df["cost"], pa.float64(), from_pandas=True),
        }
    )
    got = ibis.duckdb.connect().to_pyarrow(purchase_facts(ibis.memtable(table), W)).to_pandas()
    got = got.set_index("customer_id").sort_index()
    want = _expected(df)
    if want.empty:  # every order is after as_of
        assert got.empty
        return
    assert list(got.index) == list(want.index)
    for col in want.columns:
        a = pd.to_numeric(got[col], errors="coerce") if col != "last_order_date" else got[col]
        b = want[col]
        if col == "last_order_date":
            assert list(a) == list(b)
        else:
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-12, atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5000), st.integers(1, 5000))
def test_md5_sample_keeps_about_the_asked_share(limit: int, population: int) -> None:
    ids = [f"C{i:06d}" for i in range(population)]
    cutoff = md5_cutoff(limit, population)
    t = ibis.memtable(pa.table({"customer_id": ids}))
    kept = ibis.duckdb.connect().to_pyarrow(t.filter(in_sample(t.customer_id, cutoff)))
    want = [i for i in ids if hashlib.md5(i.encode()).hexdigest() < cutoff]
    assert sorted(kept["customer_id"].to_pylist()) == want  # the engine's MD5 is the standard
    share = min(1.0, limit / population)
    assert abs(len(want) - share * population) <= 4 * (population * share * (1 - share)) ** 0.5 + 2
