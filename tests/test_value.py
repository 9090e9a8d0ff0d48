"""The composite value score: tiers at their edges, indicators, renormalisation, confidence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics import value
from kehu.analytics.labels import codes
from kehu.analytics.sources import Availability
from kehu.config import ValueSettings, settings_from_dict

CON = ibis.duckdb.connect()

SCHEMA = {
    "customer_id": "string",
    "spend_12m": "decimal(18,2)",
    "spend_prev_12m": "decimal(18,2)",
    "costed_spend_12m": "decimal(18,2)",
    "profit_12m": "decimal(18,2)",
    "due_12m": "decimal(18,2)",
    "paid_12m": "decimal(18,2)",
    "open_pipeline": "decimal(18,2)",
    "budget_growth": "float64",
    "industry_code": "string",
    "annual_revenue": "decimal(18,2)",
    "employees": "int32",
    "tenure_days": "int64",
    "gap_count": "int64",
    "gap_sum": "float64",
    "gap_sq_sum": "float64",
    "complaints_12m": "int64",
    "orders_12m": "int32",
    "is_benchmark": "boolean",
    "is_reference": "boolean",
    "industry_position": "string",
}
ZERO_DEFAULTS = {"spend_12m": 0, "spend_prev_12m": 0, "open_pipeline": 0, "complaints_12m": 0,
                 "orders_12m": 0}  # fmt: skip
NONE = Availability()
ALL = Availability(orders=True, costs=True, payments=True, opportunities=True, tickets=True)


def scored(rows: list[dict[str, Any]], avail: Availability = NONE, s: ValueSettings | None = None):
    s = s or ValueSettings()
    data = {
        col: [_cast(r.get(col, ZERO_DEFAULTS.get(col)), typ) for r in rows]
        for col, typ in SCHEMA.items()
    }
    arrow = ibis.schema(SCHEMA).to_pyarrow()
    t = ibis.memtable(pa.table(data, schema=arrow))
    out = CON.to_pyarrow(value.add_value(t, s, avail).order_by("customer_id")).to_pylist()
    return {r["customer_id"]: r for r in out}


def _cast(v: Any, typ: str) -> Any:
    if v is None:
        return None
    return Decimal(str(v)) if typ.startswith("decimal") else v


# ---- tiers ---------------------------------------------------------------------------------------
EDGES = {49.99: "basic", 50: "potential", 69.99: "potential", 70: "core", 89.99: "core",
         90: "strategic", 0: "basic", 100: "strategic"}  # fmt: skip


@pytest.mark.parametrize(("score", "tier"), sorted(EDGES.items()))
def test_tier_edges_python(score, tier):
    assert value.tier_for(score, ValueSettings()) == tier


def test_tier_edges_ibis():
    t = ibis.memtable({"score": [float(x) for x in EDGES]})
    out = CON.to_pyarrow(t.mutate(tier=value.tier_expr(t.score, ValueSettings()))).to_pylist()
    assert {r["score"]: r["tier"] for r in out} == {float(k): v for k, v in EDGES.items()}


def test_tier_cutoffs_are_settings():
    s = ValueSettings(tier_strategic=80, tier_core=60, tier_potential=40)
    assert [value.tier_for(x, s) for x in (79.99, 80, 59.99, 60, 39.99, 40)] == [
        "core",
        "strategic",
        "potential",
        "core",
        "basic",
        "potential",
    ]
    with pytest.raises(Exception, match="tier_strategic > tier_core"):
        settings_from_dict({"value": {"tier_core": 95}})


def test_weights_must_sum_to_one():
    with pytest.raises(Exception, match="sum to 1.0"):
        settings_from_dict({"value": {"weights": {"contribution": 0.5}}})


# ---- scores --------------------------------------------------------------------------------------
def test_only_sales_data_renormalises_and_lowers_confidence():
    out = scored([{"customer_id": "a", "spend_12m": 100}, {"customer_id": "b", "spend_12m": 300}])
    # sales_share: b is the top (100); 75% of revenue comes before a: 95 - 0.25 x 50 = 82.5.
    # spend trend: no previous year -> the top of the rubric (100) for both.
    assert out["a"]["value_contribution"] == 82.5
    assert out["b"]["value_contribution"] == 100.0
    assert out["a"]["value_growth"] == 100.0
    assert out["a"]["value_stability"] is None and out["a"]["value_strategic"] is None
    assert out["a"]["value_score"] == pytest.approx(round((0.4 * 82.5 + 0.3 * 100) / 0.7, 2))
    assert out["b"]["value_score"] == 100.0
    # contribution: sales_share (0.5 of 1.0) · 0.4 + growth: spend_trend (0.45 of 1.0) · 0.3
    assert out["a"]["value_confidence"] == pytest.approx(0.4 * 0.5 + 0.3 * 0.45)


def test_customer_without_any_data_scores_zero_and_does_not_crash():
    out = scored([{"customer_id": "p"}], ALL)
    row = out["p"]
    assert row["value_score"] == 0.0
    assert row["value_tier"] == "basic"
    assert 0 < row["value_confidence"] < 1


def test_every_indicator_from_hand_computed_inputs():
    full = {
        "customer_id": "x",
        "spend_12m": 1000,
        "spend_prev_12m": 1000,  # flat trend -> 60
        "costed_spend_12m": 1000,
        "profit_12m": 300,
        "due_12m": 1000,
        "paid_12m": 800,  # 回款率 80% -> 50
        "open_pipeline": 500,  # half a year's spend: 70 + 0.2 x 100 = 90
        "budget_growth": 0.05,  # +5% with growth_full 10% -> 75
        "industry_code": "C39",
        "annual_revenue": 5_000_000,
        "tenure_days": round(365.25 * 2.5),  # 2.5 of 5 years -> 50
        "gap_count": 4,
        "gap_sum": 120.0,
        "gap_sq_sum": 4 * 30.0**2,  # all gaps 30 days: CV 0 -> 100
        "complaints_12m": 1,
        "orders_12m": 4,  # 0.25 complaints per order: 70 - 0.15 x 200 = 40
        "is_benchmark": True,
        "is_reference": False,
        "industry_position": "Leader",
    }
    s = ValueSettings(industry_growth={"C39": -0.2})  # -20% -> 0
    row = scored([full], ALL, s)["x"]
    # Single customer: the Pareto top (100), its margin is the workspace's (ratio 1:
    # 85 + 0.1 x 75 = 92.5), the only company size (percentile 100).
    contribution = (0.5 * 100 + 0.25 * 92.5 + 0.25 * 50) / 1.0
    growth = (0.45 * 60 + 0.10 * 90 + 0.25 * 75 + 0.10 * 0 + 0.10 * 100) / 1.0
    stability = (0.4 * 50 + 0.3 * 100 + 0.3 * 40) / 1.0
    strategic = (0.4 * 100 + 0.3 * 0 + 0.3 * 100) / 1.0
    assert row["value_contribution"] == pytest.approx(contribution, abs=0.01)
    assert row["value_growth"] == pytest.approx(growth, abs=0.01)
    assert row["value_stability"] == pytest.approx(stability, abs=0.01)
    assert row["value_strategic"] == pytest.approx(strategic)
    expected = 0.4 * contribution + 0.3 * growth + 0.2 * stability + 0.1 * strategic
    assert row["value_score"] == pytest.approx(expected, abs=0.01)
    assert row["value_confidence"] == pytest.approx(1.0)


def test_pareto_position_shares_ties_and_zero_spend_scores_zero():
    out = scored(
        [
            {"customer_id": "a", "spend_12m": 0},
            {"customer_id": "b", "spend_12m": 10},
            {"customer_id": "c", "spend_12m": 10},
            {"customer_id": "d", "spend_12m": 40},
        ]
    )
    assert out["a"]["value_contribution"] == 0.0
    # b and c tie on spend: for both, d's 40 of 60 comes before: 95 - (2/3 - 0.5) x 50.
    assert (
        out["b"]["value_contribution"]
        == out["c"]["value_contribution"]
        == round(95 - (2 / 3 - 0.5) * 50, 2)
    )
    assert out["d"]["value_contribution"] == 100.0


def test_dimension_weights_follow_settings():
    s = ValueSettings(weights={"contribution": 1.0, "growth": 0.0, "stability": 0.0,
                               "strategic": 0.0})  # fmt: skip
    out = scored([{"customer_id": "a", "spend_12m": 5, "is_benchmark": True}], NONE, s)
    assert out["a"]["value_score"] == 100.0
    assert out["a"]["value_confidence"] == pytest.approx(0.5)


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "spend": st.integers(0, 10**7),
                "prev": st.integers(0, 10**7),
                "bench": st.one_of(st.none(), st.booleans()),
                "growth": st.one_of(st.none(), st.floats(-1, 1)),
                "tenure": st.one_of(st.none(), st.integers(0, 10000)),
            }
        ),
        min_size=1,
        max_size=20,
    )
)
def test_every_customer_gets_one_tier_and_a_bounded_score(rows):
    data = [
        {
            "customer_id": f"c{i}",
            "spend_12m": r["spend"],
            "spend_prev_12m": r["prev"],
            "is_benchmark": r["bench"],
            "budget_growth": r["growth"],
            "tenure_days": r["tenure"],
        }
        for i, r in enumerate(rows)
    ]
    out = scored(data, ALL)
    assert len(out) == len(rows)
    for r in out.values():
        assert 0.0 <= r["value_score"] <= 100.0
        assert 0.0 <= r["value_confidence"] <= 1.0
        assert r["value_tier"] in codes("value_tier")
        assert r["value_tier"] == value.tier_for(r["value_score"], ValueSettings())


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(0, 10**8), min_size=2, max_size=20))
def test_value_score_is_monotone_in_spend(spends):
    out = scored([{"customer_id": f"c{i:02d}", "spend_12m": s} for i, s in enumerate(spends)])
    rows = list(out.values())
    for a in rows:
        for b in rows:
            if a["spend_12m"] >= b["spend_12m"]:
                assert a["value_score"] >= b["value_score"]


# ---- the rubric ----------------------------------------------------------------------------------
def test_rubric_is_linear_between_breakpoints_flat_outside_and_keeps_null():
    t = ibis.memtable({"x": [-1.0, 0.0, 0.25, 0.5, 0.9, 2.0, None]})
    points = [(0.0, 0.0), (0.5, 80.0), (1.0, 100.0)]
    out = CON.to_pyarrow(t.mutate(y=value.rubric(t.x, points))).to_pylist()
    assert [r["y"] for r in out] == [0.0, 0.0, 40.0, 80.0, 96.0, 100.0, None]


def test_rubric_breakpoints_are_validated():
    with pytest.raises(Exception, match="growing inputs"):
        settings_from_dict({"value": {"rubric": {"margin": [[1.0, 0], [0.5, 50]]}}})
    with pytest.raises(Exception, match="within 0-100"):
        settings_from_dict({"value": {"rubric": {"margin": [[0.0, 0], [1.0, 120]]}}})
    s = settings_from_dict({"value": {"rubric": {"collection": [[0.0, 0], [1.0, 100]]}}})
    out = scored([{"customer_id": "a", "spend_12m": 10, "due_12m": 100, "paid_12m": 70}], ALL,
                 s.value)  # fmt: skip
    assert out["a"]["value_contribution"] == pytest.approx((0.5 * 100 + 0.25 * 70) / 0.75)


def _workspace() -> list[dict[str, Any]]:
    """A hand-made customer base: one seed-strategic account, one basic, twelve in between."""
    five_years = round(365.25 * 6)
    strategic = {
        "customer_id": "s", "spend_12m": 3_000_000, "spend_prev_12m": 2_600_000,  # +15%
        "costed_spend_12m": 3_000_000, "profit_12m": 750_000, "due_12m": 2_800_000,
        "paid_12m": 2_800_000, "open_pipeline": 1_500_000, "budget_growth": 0.12,
        "annual_revenue": 2_000_000_000, "tenure_days": five_years, "gap_count": 23,
        "gap_sum": 23 * 15.0, "gap_sq_sum": 23 * (15.0**2 + 4.0**2),  # steady, CV 0.27
        "complaints_12m": 0, "orders_12m": 24, "is_benchmark": True, "is_reference": True,
        "industry_position": "龙头",
    }  # fmt: skip
    basic = {
        "customer_id": "b", "spend_12m": 40_000, "spend_prev_12m": 60_000,  # -33%
        "costed_spend_12m": 40_000, "profit_12m": 4_000, "due_12m": 40_000, "paid_12m": 30_000,
        "open_pipeline": 0, "budget_growth": -0.05, "annual_revenue": 20_000_000,
        "tenure_days": 300, "gap_count": 2, "gap_sum": 200.0,
        "gap_sq_sum": 30.0**2 + 170.0**2,  # erratic, CV 0.7
        "complaints_12m": 1, "orders_12m": 3, "is_benchmark": False, "is_reference": False,
        "industry_position": "跟随",
    }  # fmt: skip
    middle = [
        {
            "customer_id": f"m{i:02d}", "spend_12m": 300_000 + 40_000 * i,
            "spend_prev_12m": 300_000 + 40_000 * i, "costed_spend_12m": 300_000 + 40_000 * i,
            "profit_12m": 60_000 + 8_000 * i, "due_12m": 300_000, "paid_12m": 285_000,
            "budget_growth": 0.03, "annual_revenue": 200_000_000, "tenure_days": 3 * 365,
            "gap_count": 11, "gap_sum": 11 * 30.0, "gap_sq_sum": 11 * (30.0**2 + 30.0**2),
            "complaints_12m": 1, "orders_12m": 12, "is_benchmark": False,
            "is_reference": i == 0, "industry_position": "骨干",
        }
        for i in range(12)
    ]  # fmt: skip
    return [strategic, basic, *middle]


def test_seed_profiles_pin_the_rubric():
    """Top contribution + long stable cooperation + benchmark >= 90; the basic profile < 50."""
    out = scored(_workspace(), ALL)
    assert out["s"]["value_score"] >= 90 and out["s"]["value_tier"] == "strategic"
    assert out["b"]["value_score"] < 50 and out["b"]["value_tier"] == "basic"
    middle = [r["value_tier"] for k, r in out.items() if k.startswith("m")]
    assert "strategic" not in middle and "basic" not in middle
    assert out["s"]["value_confidence"] == pytest.approx(0.97)  # only industry growth unknown
