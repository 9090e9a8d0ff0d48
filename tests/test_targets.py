"""Sales-target decomposition: exact sums, floors and caps, months, storage, attainment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_plan_data import customers, orders, snapshot

from kehu.calendar import Period
from kehu.errors import KehuError
from kehu.planning.allocate import INF, InfeasibleError, allocate
from kehu.planning.targets import (
    parse_month_weights,
    parse_weights,
    split_targets,
    target_progress,
)
from kehu.workspace import Workspace

D = date


def reference(total: float, w: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Water-filling by bisection on lambda (an independent check of allocate's solver)."""
    hi_f = np.where(hi >= INF, np.inf, hi).astype(float)
    pos = w > 0
    w = w / w.max()
    a, b = 0.0, 1.0
    f = lambda lam: np.where(pos, np.clip(lam * w, lo, hi_f), lo).sum()  # noqa: E731
    while f(b) < total:
        b *= 2
    for _ in range(200):
        m = (a + b) / 2
        a, b = (m, b) if f(m) < total else (a, m)
    return np.where(pos, np.clip(b * w, lo, hi_f), lo)


units_st = st.lists(
    st.tuples(
        st.integers(0, 10**7),  # history (yuan)
        st.one_of(st.just(0.0), st.floats(1e-9, 1e6)),  # weight (a share, never subnormal)
    ),
    min_size=1,
    max_size=30,
)


@given(
    units=units_st,
    total=st.integers(0, 10**9),
    floor=st.one_of(st.none(), st.floats(0, 1.5)),
    cap=st.one_of(st.none(), st.floats(0.5, 3)),
)
@settings(max_examples=200, deadline=None)
def test_allocate_sums_exactly_and_respects_bounds(
    units: list[tuple[int, float]], total: int, floor: float | None, cap: float | None
) -> None:
    hist = np.array([u[0] for u in units], dtype="int64")
    w = np.array([u[1] for u in units])
    lo = np.ceil(hist * (floor or 0)).astype("int64")
    hi = np.where((hist > 0) & (cap is not None), np.floor(hist * (cap or 0)), INF).astype("int64")
    assume(np.all(lo <= hi))
    try:
        out = allocate(total, w, lo, hi)
    except InfeasibleError as exc:
        assert total < exc.min_total or total > exc.max_total
        return
    assert int(out.sum()) == total
    assert np.all(out >= lo) and np.all(out <= hi)
    weights = w if w.sum() > 0 else np.ones(len(w))
    expected = reference(float(total), weights, lo.astype(float), hi)
    assert np.all(np.abs(out - expected) <= 1.0 + 1e-6 * max(1.0, float(total)))


def test_allocate_largest_remainder() -> None:
    # 10 over 3 equal units: 3.33 each -> the first unit gets the extra one (tie -> earlier)
    assert allocate(10, np.array([1.0, 1.0, 1.0])).tolist() == [4, 3, 3]
    # 100 by 1:2:3:4 -> 10, 20, 30, 40 exactly
    assert allocate(100, np.array([1.0, 2, 3, 4])).tolist() == [10, 20, 30, 40]
    # 7 by 0.5, 0.3, 0.2 -> 3.5, 2.1, 1.4 -> floors 3, 2, 1 and the one left goes to 3.5
    assert allocate(7, np.array([0.5, 0.3, 0.2])).tolist() == [4, 2, 1]


@pytest.fixture
def tws(ws: Workspace) -> Workspace:
    """Three regions with 2025-Q4 sales 600 / 300 / 100; predicted CLV only in 华南."""
    customers(
        ws,
        [
            ("e1", "东一", "华东", "alice"),
            ("e2", "东二", "华东", "bob"),
            ("n1", "北一", "华北", "bob"),
            ("s1", "南一", "华南", "carol"),
            ("x1", "无区域", None, "carol"),
        ],
    )
    orders(
        ws,
        [
            ("a", "e1", D(2025, 10, 5), 400),
            ("b", "e2", D(2025, 11, 5), 200),
            ("c", "n1", D(2025, 12, 5), 300),
            ("d", "s1", D(2025, 12, 6), 100),
            ("e", "x1", D(2025, 12, 7), 50),
            # 2026-Q1 actuals for attainment
            ("f", "e1", D(2026, 1, 10), 330),
            ("g", "n1", D(2026, 2, 10), 150),
        ],
    )
    return ws


def by_unit(res) -> dict[str, Decimal]:
    return {r["unit"]: r["target"] for r in res.rows}


def test_split_from_history(tws: Workspace) -> None:
    res = split_targets(tws, 2000, "2026-Q1", "region", write=False)
    assert by_unit(res) == {"华东": 1200, "华北": 600, "华南": 200}
    assert res.basis == (D(2025, 10, 1), D(2025, 12, 31))
    assert res.excluded_customers == 1 and res.excluded_sales == 50  # x1 has no region


def test_split_with_potential_floor_and_cap(tws: Workspace) -> None:
    snapshot(tws, D(2025, 12, 31), [{"customer_id": "s1", "predicted_clv": 5000.0}])
    # shares: 0.6 x (0.6, 0.3, 0.1) + 0.4 x (0, 0, 1) = (0.36, 0.18, 0.46)
    res = split_targets(tws, 1100, "2026-Q1", "region", write=False)
    assert by_unit(res) == {"华东": 396, "华北": 198, "华南": 506}
    # floor 1.0: 华东 and 华北 lifted to last period (600, 300), 华南 gets the rest
    res = split_targets(tws, 1100, "2026-Q1", "region", floor=1.0, write=False)
    assert by_unit(res) == {"华东": 600, "华北": 300, "华南": 200}
    assert [r["at_floor"] for r in res.rows] == [True, True, False]
    # cap 1.5: 华南 held at 150, 950 shared 2:1 -> 633.33 / 316.67 -> 633 / 317
    res = split_targets(tws, 1100, "2026-Q1", "region", cap=1.5, write=False)
    assert by_unit(res) == {"华东": 633, "华北": 317, "华南": 150}
    with pytest.raises(KehuError):  # floors sum to 1000 > 900
        split_targets(tws, 900, "2026-Q1", "region", floor=1.0, write=False)


def test_split_rounding_to_fen_and_whole_yuan(tws: Workspace) -> None:
    res = split_targets(tws, "1000.01", "2026-Q1", "region", rounding="fen", write=False)
    assert sum(r["target"] for r in res.rows) == Decimal("1000.01")
    with pytest.raises(KehuError):
        split_targets(tws, "1000.5", "2026-Q1", "region", write=False)


def test_split_months_and_storage(tws: Workspace, tmp_path) -> None:
    out = tmp_path / "t.xlsx"
    res = split_targets(tws, 1000, "2026-Q1", "owner", month_weights=[1, 1, 2], out=out, lang="en")
    # owners: alice 400, bob 500, carol 150 (x1 counts: its owner is set) -> total 1050
    assert by_unit(res) == {"alice": 381, "bob": 476, "carol": 143}
    for r in res.rows:
        assert sum(r["months"].values()) == r["target"]
    assert res.rows[0]["months"] == {"2026-01": 95, "2026-02": 95, "2026-03": 191}
    stored = tws.rows(
        "SELECT period, owner, amount FROM targets WHERE source = 'plan' ORDER BY 1, 2"
    )
    assert ("2026-Q1", "alice", Decimal("381.00")) in stored
    assert len(stored) == 3 + 9
    split_targets(tws, 1000, "2026-Q1", "owner", out=out)  # re-run replaces, no duplicates
    assert tws.scalar("SELECT count(*) FROM targets WHERE source = 'plan'") == 3
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["目标拆解", "参数"]
    assert book.active["A5"].value == "合计" and book.active["E5"].value == 1000


def test_split_seasonality_from_history(tws: Workspace) -> None:
    # past sales by calendar month: Oct 400, Nov 200, Dec 450 -> Q4 2026 shares 400:200:450
    tws.settings.targets.history_basis = "last_year"  # units from 2025-Q4 sales
    res = split_targets(tws, 1050, "2026-Q4", "region", months=True, write=False)
    assert res.month_shares == [round(400 / 1050, 6), round(200 / 1050, 6), round(450 / 1050, 6)]
    total_by_month = [sum(r["months"][m] for r in res.rows) for m in res.months]
    assert sum(total_by_month) == 1050


def test_target_progress(tws: Workspace) -> None:
    split_targets(tws, 2000, "2026-Q1", "region", write=True, out=tws.path("t.xlsx"))
    rows = target_progress(tws, "2026-Q1", as_of=D(2026, 2, 14))
    got = {r["unit"]: r for r in rows}
    assert got["华东"]["actual"] == 330 and got["华东"]["target"] == 1200
    assert got["华东"]["attainment"] == pytest.approx(330 / 1200)
    assert got["华北"]["actual"] == 150
    assert got["华南"]["actual"] == 0
    elapsed = 45 / 90  # 2026-01-01 .. 02-14 of a 90-day quarter
    assert got["华东"]["elapsed"] == pytest.approx(elapsed)
    assert got["华东"]["projected"] == pytest.approx(330 / elapsed)
    # default period: the one holding the data's last day (2026-02-10)
    assert target_progress(tws)[0]["period"] == "2026-Q1"


def test_progress_of_imported_company_and_combined_targets(tws: Workspace) -> None:
    tws.con.execute(
        "INSERT INTO targets (source, target_id, period, region, owner, amount) VALUES"
        " ('crm', 'all', '2026-Q1', NULL, NULL, 1000),"
        " ('crm', 'eb', '2026-Q1', '华东', 'alice', 500)"
    )
    rows = {r["target_id"]: r for r in target_progress(tws, "2026-Q1")}
    assert rows["all"]["actual"] == 480 and rows["all"]["unit_kind"] == "company"
    assert rows["eb"]["actual"] == 330


@given(
    hist=st.lists(st.integers(0, 10**6), min_size=1, max_size=12),
    total=st.integers(0, 10**8),
)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_split_sums_exactly_for_random_inputs(ws: Workspace, hist: list[int], total: int) -> None:
    ws.con.execute("DELETE FROM orders")
    ws.con.execute("DELETE FROM customers")
    assume(sum(hist) > 0)
    customers(ws, [(f"c{i}", f"n{i}", f"r{i}", None) for i in range(len(hist))])
    orders(ws, [(f"o{i}", f"c{i}", D(2026, 5, 1), h) for i, h in enumerate(hist) if h > 0])
    res = split_targets(ws, total, "2026-06", "customer", write=False)
    assert sum(r["target"] for r in res.rows) == total
    res = (
        split_targets(ws, total, "2026-06", "region", floor=0.9, cap=5.0, write=False)
        if (0.9 * sum(hist) <= total <= 5.0 * sum(hist))
        else None
    )
    if res is not None:
        assert sum(r["target"] for r in res.rows) == total
        for r in res.rows:
            assert r["target"] >= Decimal("0.9") * r["history"]
            assert r["target"] <= Decimal("5.0") * r["history"]


def test_parsers() -> None:
    assert parse_weights("history=0.6,potential=0.4") == {"history": 0.6, "potential": 0.4}
    with pytest.raises(KehuError):
        parse_weights("size=1")
    assert parse_month_weights("8,8,9") == [8.0, 8.0, 9.0]
    with pytest.raises(KehuError):
        parse_month_weights("a,b")
    assert Period.parse("2027-Q1").end == D(2027, 3, 31)
    assert Period.parse("2027年3月").label == "2027-03"
    assert Period.parse("2027").days == 365
    with pytest.raises(KehuError):
        Period.parse("2027-13")


def test_basis_windows(tws: Workspace) -> None:
    from kehu.planning.targets import basis_window

    # data ends 2026-02-10: 2026-Q1 is not over, so a 2026-Q2 split uses the last 91 days
    assert basis_window(tws, Period.parse("2026-Q2"), "previous") == (
        D(2026, 2, 10) - timedelta(days=90),
        D(2026, 2, 10),
    )
    assert basis_window(tws, Period.parse("2026-Q1"), "previous") == (
        D(2025, 10, 1),
        D(2025, 12, 31),
    )
    assert basis_window(tws, Period.parse("2026-Q1"), "last_year") == (
        D(2025, 1, 1),
        D(2025, 3, 31),
    )


@given(
    totals=st.lists(st.integers(0, 10**12), min_size=1, max_size=20),
    shares=st.lists(st.floats(0.001, 100), min_size=1, max_size=12),
)
@settings(max_examples=100, deadline=None)
def test_allocate_rows_matches_allocate(totals: list[int], shares: list[float]) -> None:
    from kehu.planning.allocate import allocate_rows

    out = allocate_rows(np.array(totals), np.array(shares))
    assert out.sum(axis=1).tolist() == totals
    for row, total in zip(out, totals, strict=True):
        assert row.tolist() == allocate(total, np.array(shares)).tolist()


def test_targets_page_flags_levels_that_disagree(tmp_path) -> None:
    import warnings

    from test_web_support import login, seed_workspace

    from kehu.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    ws = seed_workspace(tmp_path / "ws")
    ws.con.execute(
        "INSERT INTO targets (source, target_id, period, region, owner, amount) VALUES"
        " ('crm', 'e', '2026-Q3', '华东', NULL, 200000),"
        " ('crm', 'n', '2026-Q3', '华北', NULL, 100000),"
        " ('crm', 'z', '2026-Q3', '华东', '张伟', 150000)"
    )
    app = create_app(ws, background=False)
    for user, lang, seen in (
        ("admin", "zh", True),
        ("east_mgr", "en", True),
        ("zhang", "zh", False),
    ):
        client = TestClient(app)
        login(client, user)
        page = client.get("/targets", params={"period": "2026-Q3", "lang": lang}).text
        assert ('id="target-gaps"' in page) is seen, user
        if user == "admin":  # owners 150,000 vs regions 300,000 overall and in 华东
            assert "2026-Q3:负责人目标合计 ¥150,000 ≠ 区域目标 ¥300,000" in page
            assert "2026-Q3 华东:负责人目标合计 ¥150,000 ≠ 区域目标 ¥200,000" in page
        if user == "east_mgr":  # a manager sees their region's gap, not the company's
            assert "2026-Q3 华东: owner targets add up to ¥150,000" in page
            assert "2026-Q3: owner" not in page
    ws.close()
