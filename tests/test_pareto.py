"""Pareto / ABC: cumulative-share classes, deterministic ties, the summary sentence's numbers."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics.pareto import add_abc, pareto_summary
from kehu.config import AbcSettings

CON = ibis.duckdb.connect()


def classes(spends: dict[str, float], s: AbcSettings | None = None) -> dict[str, str]:
    t = ibis.memtable(
        {"customer_id": list(spends), "spend_12m": [float(v) for v in spends.values()]}
    )
    out = CON.to_pyarrow(add_abc(t, s or AbcSettings())).to_pylist()
    return {r["customer_id"]: r["abc_class"] for r in out}


def test_cumulative_share_boundaries():
    # Shares 50, 20, 10, 10, 5, 5: the share *before* each customer decides its class.
    got = classes({"a": 50, "b": 20, "c": 10, "d": 10, "e": 5, "f": 5})
    assert got == {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "C"}


def test_ties_break_on_customer_id_and_zero_spend_is_c():
    got = classes({"y": 40, "x": 40, "z": 20, "none": 0, "neg": -5})
    # x comes before y: x (before 0%) A, y (before 40%) A, z (before 80%) B.
    assert got == {"x": "A", "y": "A", "z": "B", "none": "C", "neg": "C"}
    got = classes({"y": 60, "x": 60})
    assert got == {"x": "A", "y": "A"}  # x before 0%, y before 50%


def test_cutoffs_are_settings():
    got = classes({"a": 50, "b": 30, "c": 20}, AbcSettings(a_share=0.5, b_share=0.8))
    assert got == {"a": "A", "b": "B", "c": "C"}
    with pytest.raises(ValueError):
        AbcSettings(a_share=0.9, b_share=0.8)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=40))
def test_a_head_reaches_its_share_and_classes_are_ordered(spends):
    data = {f"c{i:02d}": v for i, v in enumerate(spends)}
    got = classes(data)
    assert set(got.values()) <= {"A", "B", "C"}
    total = sum(v for v in spends if v > 0)
    rank = {"A": 0, "B": 1, "C": 2}
    ordered = sorted(data, key=lambda c: (-data[c], c))
    assert [rank[got[c]] for c in ordered] == sorted(rank[got[c]] for c in ordered)
    if total:
        a_revenue = sum(data[c] for c in data if got[c] == "A")
        assert a_revenue / total >= 0.7 - 1e-9


def test_pareto_summary_numbers_and_negative_profit():
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(10)],
            "name": [f"客户{i}" for i in range(10)],
            "spend_12m": [500.0, 200, 100, 60, 40, 30, 30, 20, 20, 0],
            "profit_12m": [300.0, 50, -20, 10, 5, None, -40, 2, 3, None],
            "abc_class": ["A", "A", "B", "B", "C", "C", "C", "C", "C", "C"],
        }
    )
    p = pareto_summary(frame, AbcSettings(pareto_top=0.2))
    # 9 customers with revenue; top 20% -> ceil(1.8) = 2 customers: 700 of 1000.
    assert p["active_customers"] == 9
    assert p["top_customers"] == 2
    assert p["top_revenue_share"] == pytest.approx(0.7)
    # Profit over customers with a cost: 300+50-20+10+5-40+2+3 = 310; top two give 350.
    assert p["profit_total"] == pytest.approx(310)
    assert p["top_profit_share"] == pytest.approx(350 / 310)
    assert p["negative_profit_count"] == 2
    assert [r["customer_id"] for r in p["negative_profit"]] == ["c6", "c2"]
    assert p["abc"]["A"] == {"customers": 2, "revenue_share": pytest.approx(0.7)}


def test_pareto_summary_without_revenue():
    frame = pd.DataFrame(
        {"customer_id": ["a"], "name": ["x"], "spend_12m": [0.0], "profit_12m": [None],
         "abc_class": ["C"]}
    )  # fmt: skip
    p = pareto_summary(frame, AbcSettings())
    assert p["top_revenue_share"] is None and p["top_profit_share"] is None
    assert p["negative_profit"] == []
