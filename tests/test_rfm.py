"""RFM scores at the seed's boundaries, both modes, types and segments for every pattern."""

from __future__ import annotations

from itertools import product

import ibis
import pytest
from analytics_data import AS_OF, core_rows, customer, days_before, insert, order
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics import rfm
from kehu.analytics.labels import codes
from kehu.config import RfmLevel, RfmSettings, settings_from_dict
from kehu.workspace import Workspace


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    """Customers sitting exactly on every seed boundary (as_of = 2024-06-30), scored once."""
    ws = Workspace.init(tmp_path_factory.mktemp("rfm") / "ws")
    custs, orders = [], []
    # Recency 30 / 31 / 90 / 91 days (one small order each).
    for n in (30, 31, 90, 91):
        custs.append(customer(f"R{n}"))
        orders.append(order(f"R{n}", days_before(n)))
    # Frequency 4 / 5 / 9 / 10 purchase days in the window.
    for n in (4, 5, 9, 10):
        custs.append(customer(f"F{n}"))
        orders += [order(f"F{n}", days_before(10 + 7 * k)) for k in range(n)]
    # Monetary: one order of exactly the boundary amount.
    for amount in ("199999.99", "200000.00", "499999.99", "500000.00"):
        cid = f"M{amount}"
        custs.append(customer(cid))
        orders.append(order(cid, days_before(5), amount))
    # Two orders summing exactly to 200,000.00 (decimal sums must be exact).
    custs.append(customer("MSUM"))
    orders += [
        order("MSUM", days_before(3), "100000.10"),
        order("MSUM", days_before(4), "99999.90"),
    ]
    custs.append(customer("NEVER"))
    custs.append(customer("OLD"))
    orders.append(order("OLD", days_before(500), "900000"))
    # The window: the last 365 days including as_of.
    custs += [customer("IN"), customer("OUT"), customer("TODAY")]
    orders += [
        order("IN", days_before(364), "10"),
        order("OUT", days_before(365), "10"),
        order("TODAY", AS_OF, "10"),
    ]
    insert(ws, "customers", custs)
    insert(ws, "orders", orders)
    try:
        yield core_rows(ws)
    finally:
        ws.close()


def test_recency_boundaries(rows):
    assert {n: rows[f"R{n}"]["recency_days"] for n in (30, 31, 90, 91)} == {
        30: 30,
        31: 31,
        90: 90,
        91: 91,
    }
    assert [rows[f"R{n}"]["r_score"] for n in (30, 31, 90, 91)] == [5, 3, 3, 1]


def test_frequency_boundaries(rows):
    assert [rows[f"F{n}"]["orders_12m"] for n in (4, 5, 9, 10)] == [4, 5, 9, 10]
    assert [rows[f"F{n}"]["f_score"] for n in (4, 5, 9, 10)] == [1, 3, 3, 5]


def test_monetary_boundaries(rows):
    got = [rows[f"M{a}"]["m_score"] for a in ("199999.99", "200000.00", "499999.99", "500000.00")]
    assert got == [1, 3, 3, 5]
    assert rows["MSUM"]["m_score"] == 3
    assert str(rows["MSUM"]["spend_12m"]) == "200000.00"


def test_no_orders_get_lowest_scores(rows):
    never, old = rows["NEVER"], rows["OLD"]
    assert never["recency_days"] is None
    assert (never["r_score"], never["f_score"], never["m_score"]) == (1, 1, 1)
    # Ordered 500 days ago: recency known, nothing in the window.
    assert old["recency_days"] == 500 and old["orders_12m"] == 0
    assert (old["f_score"], old["m_score"]) == (1, 1)


def test_window_is_the_last_365_days_including_as_of(rows):
    assert rows["IN"]["orders_12m"] == 1
    assert rows["OUT"]["orders_12m"] == 0
    assert rows["TODAY"]["recency_days"] == 0 and rows["TODAY"]["r_score"] == 5


@pytest.mark.parametrize(("merge", "expected"), [(True, 1), (False, 2)])
def test_same_day_orders(ws, merge, expected):
    ws.settings.rfm.merge_same_day = merge
    insert(ws, "customers", [customer("C")])
    insert(ws, "orders", [order("C", days_before(3), "150"), order("C", days_before(3), "250")])
    row = core_rows(ws)["C"]
    assert row["orders_12m"] == expected
    assert str(row["spend_12m"]) == "400.00"  # spend is always summed


def test_user_defined_five_levels(ws):
    ws.settings.rfm = RfmSettings(
        frequency=[
            RfmLevel(score=5, bound=20),
            RfmLevel(score=4, bound=12),
            RfmLevel(score=3, bound=6),
            RfmLevel(score=2, bound=2),
        ],
        frequency_else=1,
    )
    counts = {"A": 1, "B": 2, "C": 6, "D": 12, "E": 20}
    insert(ws, "customers", [customer(c) for c in counts])
    insert(
        ws,
        "orders",
        [order(c, days_before(1 + k)) for c, n in counts.items() for k in range(n)],
    )
    rows = core_rows(ws)
    assert {c: rows[c]["f_score"] for c in counts} == {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}


def test_levels_are_validated():
    with pytest.raises(Exception, match="rfm.frequency"):
        settings_from_dict(
            {"rfm": {"frequency": [{"score": 5, "bound": 5}, {"score": 3, "bound": 10}]}}
        )
    with pytest.raises(Exception, match="at most 4"):
        settings_from_dict(
            {
                "rfm": {
                    "recency": [
                        {"score": s, "bound": b}
                        for s, b in zip((5, 4, 3, 2, 1), (10, 20, 30, 40, 50), strict=True)
                    ],
                    "recency_else": 1,
                }
            }
        )


def test_quantile_mode_bins_and_ties(ws):
    ws.settings.rfm.mode = "quantiles"
    spends = {f"Q{i}": 1000 * (i + 1) for i in range(10)}
    spends["TIE_A"] = spends["TIE_B"] = 5500
    insert(ws, "customers", [customer(c) for c in spends] + [customer("NONE")])
    insert(ws, "orders", [order(c, days_before(2), s) for c, s in spends.items()])
    rows = core_rows(ws)
    # 12 customers with spend: bin = floor(5 * rank / 12); equal spend -> equal score.
    assert rows["TIE_A"]["m_score"] == rows["TIE_B"]["m_score"]
    ms = [rows[f"Q{i}"]["m_score"] for i in range(10)]
    assert ms == sorted(ms) and ms[0] == 1 and ms[-1] == 5
    assert rows["NONE"]["m_score"] == 1 and rows["NONE"]["f_score"] == 1
    # Everybody bought once on the same day: one F and R value for all -> same score.
    assert len({rows[c]["f_score"] for c in spends}) == 1
    assert len({rows[c]["r_score"] for c in spends}) == 1


def test_quantile_bins_map_onto_one_to_five():
    assert rfm.quantile_bins(5) == {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}
    assert rfm.quantile_bins(3) == {0: 1, 1: 3, 2: 5}
    for q in range(2, 11):
        scores = list(rfm.quantile_bins(q).values())
        assert scores[0] == 1 and scores[-1] == 5 and scores == sorted(scores)


# ---- types and segments -------------------------------------------------------------------------
def test_seed_patterns_map_to_their_type():
    for code, levels in rfm.SEED_TYPES.items():
        assert rfm.TYPE_TABLE[levels] == code


def test_uncovered_patterns_get_documented_types():
    H, M, L = rfm.HIGH, rfm.MID, rfm.LOW
    assert rfm.type_for_levels(H, L, H) == "potential"  # recent, few but big orders
    assert rfm.type_for_levels(H, H, M) == "potential"  # tie HV/potential -> priority
    assert rfm.type_for_levels(L, H, H) == "churn_risk"  # former best customer gone quiet
    assert rfm.type_for_levels(L, M, L) == "churn_risk"  # tie churn/low -> priority
    assert rfm.type_for_levels(M, M, M) == "potential"
    assert rfm.type_for_levels(M, L, L) == "low_value"
    assert rfm.type_for_levels(M, H, H) == "high_value"


def test_seed_score_patterns_with_default_levels():
    s = RfmSettings()
    table = {
        (5, 5, 5): "high_value",
        (5, 3, 3): "potential",
        (5, 1, 1): "new",
        (1, 3, 3): "churn_risk",
        (1, 1, 1): "low_value",
    }
    for (r, f, m), code in table.items():
        levels = tuple(rfm.level_of(x, s) for x in (r, f, m))
        assert rfm.TYPE_TABLE[levels] == code


def test_segment_grid_examples():
    assert rfm.segment_for(5, 5, 5) == "champions"
    assert rfm.segment_for(5, 1, 1) == "new"
    assert rfm.segment_for(4, 1, 1) == "promising"
    assert rfm.segment_for(3, 3, 3) == "need_attention"
    assert rfm.segment_for(3, 1, 3) == "about_to_sleep"
    assert rfm.segment_for(1, 5, 5) == "cant_lose"
    assert rfm.segment_for(2, 3, 3) == "at_risk"
    assert rfm.segment_for(1, 1, 1) == "lost"
    assert rfm.segment_for(2, 1, 1) == "hibernating"
    assert rfm.segment_for(4, 5, 3) == "loyal"
    used = {rfm.segment_for(r, f, m) for r, f, m in product(range(1, 6), repeat=3)}
    assert used == set(codes("rfm_segment"))


CON = ibis.duckdb.connect()


def _scored(rows: list[tuple[int, int, int]], s: RfmSettings) -> list[dict]:
    t = ibis.memtable(
        {
            "r_score": [r for r, _, _ in rows],
            "f_score": [f for _, f, _ in rows],
            "m_score": [m for _, _, m in rows],
        },
        schema={"r_score": "int32", "f_score": "int32", "m_score": "int32"},
    )
    return CON.to_pyarrow(rfm.add_type_and_segment(t, s)).to_pylist()


def test_ibis_types_match_python_rule_for_all_125_patterns():
    s = RfmSettings()
    patterns = list(product(range(1, 6), repeat=3))
    out = _scored(patterns, s)
    for (r, f, m), row in zip(patterns, out, strict=True):
        levels = tuple(rfm.level_of(x, s) for x in (r, f, m))
        assert row["rfm_type"] == rfm.TYPE_TABLE[levels]
        assert row["rfm_segment"] == rfm.segment_for(r, f, m)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.tuples(*(st.integers(1, 5),) * 3), min_size=1, max_size=30),
    st.integers(2, 5),
    st.integers(1, 4),
)
def test_every_customer_gets_exactly_one_type_and_segment(rows, high, mid):
    if mid >= high:
        mid = high - 1
    s = RfmSettings(high=high, mid=mid)
    out = _scored(rows, s)
    assert len(out) == len(rows)
    assert all(r["rfm_type"] in codes("rfm_type") for r in out)
    assert all(r["rfm_segment"] in codes("rfm_segment") for r in out)


def _scores(values: dict[str, list], s: RfmSettings) -> list[dict]:
    values = {"customer_id": [f"c{i}" for i in range(len(values["orders_12m"]))], **values}
    t = ibis.memtable(
        values,
        schema={
            "customer_id": "string",
            "recency_days": "int32",
            "orders_12m": "int32",
            "spend_12m": "decimal(18,2)",
        },
    )
    return CON.to_pyarrow(rfm.add_scores(t, s)).to_pylist()


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 2000)),
            st.integers(0, 60),
            st.integers(0, 2_000_000_00),
        ),
        min_size=2,
        max_size=25,
    ),
    st.sampled_from(["thresholds", "quantiles"]),
)
def test_scores_are_monotone_in_their_inputs(rows, mode):
    from decimal import Decimal

    rows = [(r, f, Decimal(m) / 100 if f else Decimal(0)) for r, f, m in rows]
    s = RfmSettings(mode=mode)
    out = _scores(
        {
            "recency_days": [r for r, _, _ in rows],
            "orders_12m": [f for _, f, _ in rows],
            "spend_12m": [m for _, _, m in rows],
        },
        s,
    )
    for a, b in product(out, repeat=2):
        ra = a["recency_days"] if a["recency_days"] is not None else 10**9
        rb = b["recency_days"] if b["recency_days"] is not None else 10**9
        if ra <= rb:
            assert a["r_score"] >= b["r_score"]
        if a["orders_12m"] >= b["orders_12m"]:
            assert a["f_score"] >= b["f_score"]
        if a["spend_12m"] >= b["spend_12m"] and a["orders_12m"] > 0:
            assert a["m_score"] >= b["m_score"]
    for r in out:
        assert {r["r_score"], r["f_score"], r["m_score"]} <= {1, 2, 3, 4, 5}
