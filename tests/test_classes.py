"""The seeds' other classes (CLV × profit matrix, key customers, relationship phase, depth D)
and the lifecycle's 非客户 / 永远流失: pinned at their boundaries on a hand-made workspace,
the Ibis rules checked against their Python twins, and the labels never contradicting."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd
import pytest
from classes_data import AS_OF, DEPTH, KEY, LIFE_AND_PHASE, build, settings_for
from hypothesis import given, settings
from hypothesis import strategies as st

from kehu.analytics import classes
from kehu.analytics.classes_explain import class_texts, explain_matrix
from kehu.analytics.coherence import NOT_AT_RISK, story, watch_counts
from kehu.analytics.explain import score_lines
from kehu.analytics.snapshot import compute_snapshot
from kehu.analytics.sources import source_tables
from kehu.config import Settings
from kehu.workspace import Workspace

CON = ibis.duckdb.connect()
INPUT_SCHEMA = {
    "customer_id": "string", "lifecycle": "string", "abc_class": "string",
    "predicted_clv": "float64", "clv_historical": "float64", "profit_12m": "float64",
    "spend_12m": "float64", "spend_prev_12m": "float64", "first_order_date": "date",
    "tickets_12m": "int32", "tickets_prev_12m": "int32", "is_benchmark": "boolean",
    "is_reference": "boolean", "industry_position": "string", "industry_code": "string",
    "share_of_wallet": "float64", "wallet_size": "float64",
}  # fmt: skip


def run_classes(data: dict[str, list], s: Settings) -> list[dict]:
    """`classes.add_classes` over hand-made input columns, on DuckDB."""
    t = ibis.memtable(data, schema=INPUT_SCHEMA)
    out: list[dict] = CON.to_pyarrow(classes.add_classes(t, s)).to_pylist()
    return out


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Any:
    ws = Workspace.init(tmp_path_factory.mktemp("classes") / "ws")
    build(ws)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def rows(ws: Workspace) -> dict[str, dict[str, Any]]:
    table, _, _ = compute_snapshot(source_tables(ws.ibis), AS_OF, settings_for(ws))
    return {r["customer_id"]: r for r in table.to_pylist()}


@pytest.mark.parametrize("cid", sorted(LIFE_AND_PHASE))
def test_lifecycle_and_phase_at_their_boundaries(rows: dict, cid: str) -> None:
    life, phase = LIFE_AND_PHASE[cid]
    assert (rows[cid]["lifecycle"], rows[cid]["relationship_phase"]) == (life, phase)


@pytest.mark.parametrize("cid", sorted(KEY))
def test_key_class_and_its_basis(rows: dict, cid: str) -> None:
    assert (rows[cid]["key_class"], rows[cid]["key_basis"]) == KEY[cid]


def test_money_is_abc_a(rows: dict) -> None:
    assert rows["BIG"]["abc_class"] == rows["BIG_DUAL"]["abc_class"] == "A"
    assert {r["key_class"] for r in rows.values() if r["abc_class"] == "A"} <= {
        "high_value",
        "dual",
    }


@pytest.mark.parametrize("cid", sorted(DEPTH))
def test_depth(rows: dict, cid: str) -> None:
    count, share = DEPTH[cid]
    assert rows[cid]["category_count"] == count
    if share is None:
        assert rows[cid]["share_of_wallet"] is None
    else:
        assert rows[cid]["share_of_wallet"] == pytest.approx(share)


def test_service_load_and_first_record_columns(rows: dict) -> None:
    assert (rows["LOAD_3_OVER_2"]["tickets_12m"], rows["LOAD_3_OVER_2"]["tickets_prev_12m"]) == (
        3,
        2,
    )
    assert rows["NC_365"]["known_days"] == 365


def test_matrix_only_for_buyers_and_ranked_within_them(rows: dict) -> None:
    buyers = {c: r for c, r in rows.items() if r["first_order_date"] is not None}
    assert all(r["matrix_class"] == "none" for c, r in rows.items() if c not in buyers)
    assert all(r["matrix_class"] in classes.MATRIX[:-1] for r in buyers.values())
    assert rows["BIG"]["profit_above_share"] == 0.0  # nobody above the biggest spender
    assert rows["BIG_DUAL"]["profit_above_share"] == 0.0  # tied with it


def _matrix(values: list[tuple[float | None, float | None, bool]], s: Settings) -> list[dict]:
    """add_classes over buyers with (predicted_clv, profit_12m, bought) and nothing else."""
    n = len(values)
    data = {
        "customer_id": [f"C{i:02d}" for i in range(n)],
        "lifecycle": ["repeat" if v[2] else "prospect" for v in values],
        "abc_class": ["C"] * n,
        "predicted_clv": [v[0] for v in values],
        "clv_historical": [None] * n,
        "profit_12m": [v[1] for v in values],
        "spend_12m": [100.0] * n,
        "spend_prev_12m": [100.0] * n,
        "first_order_date": [AS_OF if v[2] else None for v in values],
        "tickets_12m": [0] * n,
        "tickets_prev_12m": [0] * n,
        "is_benchmark": [None] * n,
        "is_reference": [None] * n,
        "industry_position": [None] * n,
        "industry_code": [None] * n,
        "share_of_wallet": [None] * n,
        "wallet_size": [None] * n,
    }
    return run_classes(data, s)


def test_matrix_cut_offs_and_ties() -> None:
    s = Settings()
    s.classes.clv_top_share = s.classes.profit_top_share = 0.3
    # 10 buyers: CLV 10..1 (top 3 high); profit ties at the cut-off: 3 share the 3rd place
    clv = [10.0, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    profit = [100.0, 1, 50, 50, 50, 2, 3, 4, 0, -5]
    out = _matrix([(c, p, True) for c, p in zip(clv, profit, strict=True)], s)
    got = [r["matrix_class"] for r in out]
    assert out[3]["clv_above_share"] == pytest.approx(0.3)  # 3 of 10 higher: not < 0.3
    assert out[2]["profit_above_share"] == pytest.approx(0.1)  # the three 50s tie at rank 1
    assert got == [
        "strategic",  # CLV 10 (0 above), profit 100 (0 above)
        "high_potential",  # CLV 9 (0.1), profit 1 (0.6 above)
        "strategic",  # CLV 8 (0.2), profit 50 (0.1)
        "basic",  # CLV 7 (0.3: not high), profit 50 (0.1)
        "basic",
        "inefficient",
        "inefficient",
        "inefficient",
        "inefficient",
        "inefficient",
    ]


def test_zero_or_negative_values_are_never_high_and_non_buyers_get_no_class() -> None:
    s = Settings()
    out = _matrix([(0.0, -1.0, True), (0.0, 0.0, True), (5.0, 5.0, False)], s)
    assert [r["matrix_class"] for r in out] == ["inefficient", "inefficient", "none"]
    assert out[2]["clv_above_share"] is None


def test_without_costs_profit_is_spend_times_margin() -> None:
    s = Settings()
    s.classes.profit_top_share = 0.5
    out = _matrix([(1.0, None, True), (1.0, 20.0, True)], s)  # spend 100 × 0.30 = 30 > 20
    assert out[0]["profit_above_share"] == 0.0
    assert out[1]["profit_above_share"] == 0.5


LIFECYCLES = ("non_customer", "prospect", "target", "first_purchase", "repeat", "loyal",
              "at_risk", "lost", "lost_forever", "won_back")  # fmt: skip


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(LIFECYCLES),
            st.floats(0, 1000),  # spend_12m
            st.floats(0, 1000),  # spend_prev_12m
            st.integers(0, 5),  # tickets
            st.integers(0, 5),  # tickets the year before
            st.sampled_from(["A", "B", "C"]),
            st.booleans(),  # benchmark
            st.one_of(st.none(), st.floats(-100, 1000)),  # predicted CLV
        ),
        min_size=1,
        max_size=25,
    )
)
def test_ibis_rules_equal_python_and_labels_never_contradict(cases: list[tuple]) -> None:
    s = Settings()
    n = len(cases)
    bought = [c[0] not in ("non_customer", "prospect", "target") for c in cases]
    data = {
        "customer_id": [f"C{i:02d}" for i in range(n)],
        "lifecycle": [c[0] for c in cases],
        "abc_class": [c[5] for c in cases],
        "predicted_clv": [c[7] if b else None for c, b in zip(cases, bought, strict=True)],
        "clv_historical": [None] * n,
        "profit_12m": [None] * n,
        "spend_12m": [c[1] for c in cases],
        "spend_prev_12m": [c[2] for c in cases],
        "first_order_date": [AS_OF if b else None for b in bought],
        "tickets_12m": [c[3] for c in cases],
        "tickets_prev_12m": [c[4] for c in cases],
        "is_benchmark": [c[6] for c in cases],
        "is_reference": [False] * n,
        "industry_position": [None] * n,
        "industry_code": [None] * n,
        "share_of_wallet": [None] * n,
        "wallet_size": [None] * n,
    }
    out = run_classes(data, s)
    for i, (case, row) in enumerate(zip(cases, out, strict=True)):
        life = case[0]
        phase = classes.phase_for(
            lifecycle=life, spend_12m=case[1], spend_prev_12m=case[2], tickets_12m=case[3],
            tickets_prev_12m=case[4], s=s,
        )  # fmt: skip
        assert row["relationship_phase"] == phase
        # a lost customer is in termination and nowhere else; a non-customer has no phase
        assert (phase == "termination") == (life in ("lost", "lost_forever"))
        assert (phase == "none") == (life == "non_customer")
        if phase in ("growth", "return"):
            assert life in ("repeat", "loyal", "won_back")
        money, influence = case[5] == "A", case[6]
        expected = {(True, True): "dual", (True, False): "high_value", (False, True): "key"}
        assert row["key_class"] == expected.get((money, influence), "regular")
        assert (row["matrix_class"] == "none") == (life in ("non_customer", "prospect", "target"))
        if life in ("lost", "lost_forever"):  # never "strategic" nor "high potential"
            assert row["matrix_class"] in ("basic", "inefficient")
        # the explanation states the class it explains
        full = {**{k: v[i] for k, v in data.items()}, **row}
        assert row["matrix_class"] == "none" or explain_matrix(full, s, "zh").endswith(
            {"strategic": "战略型", "high_potential": "高潜力型", "basic": "基础型",
             "inefficient": "低效型"}[row["matrix_class"]]
        )  # fmt: skip


def test_lost_forever_is_never_at_risk_nor_loyal(rows: dict) -> None:
    gone = rows["GONE_730"]
    assert "lost_forever" in NOT_AT_RISK and "non_customer" in NOT_AT_RISK
    told = story({**gone, "churn_risk": 0.99, "p_alive": 0.1}, 0.5, 90, "zh")
    assert told["watch"] is False and told["label"] == "永远流失"
    assert "流失风险上升" not in (told["label"] or "")
    frame = pd.DataFrame(
        [{"lifecycle": "lost_forever", "churn_risk": 0.99},
         {"lifecycle": "lost", "churn_risk": 0.99}, {"lifecycle": "repeat", "churn_risk": 0.99}]
    )  # fmt: skip
    counts = watch_counts(frame, 0.5)
    assert (counts["at_risk"], counts["lost"], counts["lost_forever"]) == (1, 1, 1)


def test_360_lines_explain_each_class_with_the_customers_figures(ws: Workspace, rows: dict) -> None:
    s = settings_for(ws)
    down = rows["DOWN_25"]
    text = class_texts(down, s, "en")["relationship_phase"]
    assert "¥75.00" in text and "-25%" in text and text.endswith("④ Retention")
    zh = class_texts(rows["IND"], s, "zh")["key_class"]
    assert "战略行业 C39" in zh and zh.endswith("重点客户")
    nc = class_texts(rows["NC_365"], s, "zh")
    assert nc["matrix_class"].startswith("尚无订单") and "没有客户关系" in nc["relationship_phase"]
    lines = {line.code: line for line in score_lines(rows["BIG_DUAL"], s, "zh")}
    assert lines["key_class"].label.endswith("双料客户")
    assert "行业标杆" in lines["key_class"].text
    assert lines["matrix_class"].label.endswith(
        {"strategic": "战略型", "high_potential": "高潜力型", "basic": "基础型",
         "inefficient": "低效型"}[rows["BIG_DUAL"]["matrix_class"]]
    )  # fmt: skip
    assert "资源策略" in lines["matrix_class"].text


def test_flows_show_moves_into_non_customer_and_lost_forever(ws: Workspace) -> None:
    from datetime import timedelta

    from kehu.analytics.flows import flows
    from kehu.analytics.snapshot import analyze

    later = AS_OF + timedelta(days=1)
    for day in (AS_OF, later):
        analyze(ws, day)
    moved = flows(ws.ibis.table("customer_snapshot"), AS_OF, later, "lifecycle")
    cells = {(c["from"], c["to"]): c["customers"] for c in moved["cells"]}
    assert cells[("prospect", "non_customer")] == 1  # NC_364 reaches 365 days
    assert cells[("lost", "lost_forever")] == 1  # GONE_729 reaches 730 days
    assert moved["codes"][0] == "non_customer" and "lost_forever" in moved["codes"]
    by_phase = flows(ws.ibis.table("customer_snapshot"), AS_OF, later, "relationship_phase")
    phases = {(c["from"], c["to"]): c["customers"] for c in by_phase["cells"]}
    assert phases[("cultivation", "none")] == 1  # NC_364: no relationship any more
    assert "absent" not in by_phase["codes"]  # everyone is in both snapshots
