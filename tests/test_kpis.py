"""Every KPI formula pinned by hand on a tiny dataset (the arithmetic is in the comments)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from test_plan_data import customers, insert, orders, snapshot

from kehu.analytics.kpis import KPIS, compute_kpis, format_change, format_value, kpi_value
from kehu.errors import KehuError
from kehu.workspace import Workspace

D = date
T = datetime


@pytest.fixture
def kws(ws: Workspace) -> Workspace:
    """Five customers over Nov 2025 - Mar 2026; active window W = 60 days."""
    ws.settings.kpi.active_days = 60
    customers(
        ws,
        [
            ("c1", "甲", "华东", "alice"),
            ("c2", "乙", "华东", "bob"),
            ("c3", "丙", "华北", "alice"),
            ("c4", "丁", "华北", "bob"),
            ("c5", "戊", "华南", "carol"),  # a prospect: contacts, no order
        ],
    )
    # (id, customer, date, amount, due_date, paid_amount, paid_date)
    orders(
        ws,
        [
            ("o1", "c1", D(2025, 12, 10), 100, D(2026, 1, 9), 100, D(2025, 12, 20)),
            ("o2", "c1", D(2026, 1, 5), 200, D(2026, 1, 31), 150, None),
            ("o3", "c1", D(2026, 1, 20), 300, D(2026, 2, 19), None, None),
            ("o4", "c1", D(2026, 2, 15), 400, None, None, D(2026, 3, 1)),
            ("o5", "c2", D(2025, 12, 20), 1000, D(2026, 1, 19), 1000, D(2026, 1, 15)),
            ("o6", "c2", D(2026, 1, 10), 500, D(2026, 2, 9), 0, None),
            ("o7", "c3", D(2025, 11, 1), 50, D(2025, 12, 1), 50, D(2025, 12, 1)),
            ("o8", "c3", D(2026, 3, 3), 700, D(2026, 4, 2), None, None),
            ("o9", "c4", D(2026, 2, 1), 80, None, None, None),
        ],
    )
    insert(
        ws,
        "interactions",
        [
            {"source": "crm", "interaction_id": "i1", "customer_id": "c1",
             "occurred_at": T(2026, 1, 8, 10)},
            {"source": "crm", "interaction_id": "i2", "customer_id": "c5",
             "occurred_at": T(2026, 1, 15, 10)},
            {"source": "crm", "interaction_id": "i3", "customer_id": "c4",
             "occurred_at": T(2026, 2, 3, 10)},
            {"source": "crm", "interaction_id": "i4", "customer_id": "c2",
             "occurred_at": T(2026, 3, 5, 10)},
        ],
    )  # fmt: skip
    insert(
        ws,
        "surveys",
        [
            {"source": "s", "survey_id": "s1", "customer_id": "c1", "surveyed_on": D(2026, 1, 3),
             "nps": 10, "csat": 5},
            {"source": "s", "survey_id": "s2", "customer_id": "c2", "surveyed_on": D(2026, 1, 4),
             "nps": 9, "csat": 3},
            {"source": "s", "survey_id": "s3", "customer_id": "c3", "surveyed_on": D(2026, 1, 5),
             "nps": 5},
            {"source": "s", "survey_id": "s4", "customer_id": "c4", "surveyed_on": D(2026, 1, 6),
             "nps": 7},
            {"source": "s", "survey_id": "s5", "customer_id": "c1", "surveyed_on": D(2026, 2, 6),
             "nps": 6},
        ],
    )  # fmt: skip
    insert(
        ws,
        "tickets",
        [
            {"source": "t", "ticket_id": "t1", "customer_id": "c1",
             "opened_at": T(2026, 1, 5, 9), "first_response_at": T(2026, 1, 5, 10, 30),
             "resolved_at": T(2026, 1, 6, 9), "satisfaction": 4},
            {"source": "t", "ticket_id": "t2", "customer_id": "c2",
             "opened_at": T(2026, 1, 10, 8), "first_response_at": T(2026, 1, 10, 11),
             "resolved_at": T(2026, 1, 12, 8)},
            {"source": "t", "ticket_id": "t3", "customer_id": "c3",
             "opened_at": T(2026, 1, 20, 8)},
        ],
    )  # fmt: skip
    insert(
        ws,
        "opportunities",
        [
            {"source": "crm", "opportunity_id": "p1", "customer_id": "c1", "status": "won",
             "created_on": D(2025, 12, 1), "closed_on": D(2026, 1, 15)},
            {"source": "crm", "opportunity_id": "p2", "customer_id": "c2", "status": "Lost",
             "created_on": D(2026, 1, 2), "closed_on": D(2026, 1, 20)},
            {"source": "crm", "opportunity_id": "p3", "customer_id": "c5", "status": "open",
             "created_on": D(2026, 1, 10)},
            {"source": "crm", "opportunity_id": "p4", "customer_id": "c4", "status": "赢单",
             "created_on": D(2026, 1, 25), "closed_on": D(2026, 2, 1)},
        ],
    )  # fmt: skip
    snapshot(
        ws,
        D(2026, 2, 15),
        [
            {"customer_id": "c1", "predicted_clv": 1000.0, "rfm_type": "high_value"},
            {"customer_id": "c2", "predicted_clv": 500.0, "rfm_type": "churn_risk"},
            {"customer_id": "c3", "predicted_clv": None, "rfm_type": "low_value"},
            {"customer_id": "c4", "predicted_clv": 300.0, "rfm_type": "new"},
        ],
    )
    return ws


def values(rows: list[dict], kpi: str, group: str | None = None) -> list[float | None]:
    return [
        None if (v := kpi_value(rows, kpi, p, group)) is None else round(v, 6)
        for p in ("2026-01", "2026-02", "2026-03")
    ]


@pytest.fixture
def rows(kws: Workspace) -> list[dict]:
    return compute_kpis(kws, "month", None, D(2026, 1, 1), D(2026, 3, 31))


def test_revenue_active_new(rows: list[dict]) -> None:
    # Jan: 200 + 300 + 500; Feb: 400 + 80; Mar: 700 (Dec, the previous, 1100)
    assert values(rows, "revenue") == [1000, 480, 700]
    jan = next(r for r in rows if r["kpi"] == "revenue" and r["period"] == "2026-01")
    assert jan["previous"] == 1100 and jan["change"] == -100
    assert jan["change_pct"] == pytest.approx(-100 / 1100)
    assert values(rows, "active_customers") == [2, 2, 1]  # {c1,c2}, {c1,c4}, {c3}
    assert values(rows, "new_customers") == [0, 1, 0]  # c4's first order is 2026-02-01


def test_repurchase_and_retention(rows: list[dict]) -> None:
    # Jan: c1 bought on 2 days of the 2 buyers -> 1/2; Feb: 0/2; Mar: 0/1
    assert values(rows, "repurchase_rate") == [0.5, 0.0, 0.0]
    # cohort = buyers of the previous month: Dec {c1,c2} -> Jan both; Jan {c1,c2} -> Feb c1;
    # Feb {c1,c4} -> Mar none
    assert values(rows, "retention_rate") == [1.0, 0.5, 0.0]


def test_churn_rate_and_coverage(rows: list[dict]) -> None:
    # active on d = an order in (d-60, d]. Start of Jan (12-31): c1, c2 (c3's 11-01 is 60 days
    # back: out). Start of Mar (02-28): c1, c2, c4; end of Mar (03-31, window from 01-31):
    # c2's last order 01-10 is out -> 1 of 3 lapsed.
    assert values(rows, "churn_rate") == [0.0, 0.0, round(1 / 3, 6)]
    # active at the end: Jan {c1,c2}, c1 contacted -> 1/2; Feb {c1,c2,c4}, c4 -> 1/3;
    # Mar {c1,c3,c4}, only c2 (inactive) contacted -> 0
    assert values(rows, "coverage") == [0.5, round(1 / 3, 6), 0.0]


def test_nps_csat(rows: list[dict]) -> None:
    # Jan: promoters 10, 9; detractor 5; passive 7 -> (2 - 1) / 4 x 100; Feb: one 6 -> -100
    assert values(rows, "nps") == [25.0, -100.0, None]
    # Jan ratings: survey csat 5, 3 + ticket t1 satisfaction 4 -> 2 of 3 are >= 4
    assert values(rows, "csat") == [round(2 / 3, 6), None, None]


def test_ticket_times(rows: list[dict]) -> None:
    # responses 1.5 h and 3 h (t3 unanswered) -> mean 2.25; within 2 h: 1 of 3 tickets
    assert values(rows, "first_response_hours") == [2.25, None, None]
    assert values(rows, "response_sla_rate") == [round(1 / 3, 6), None, None]
    # resolutions 24 h and 48 h -> 36; within 24 h: 1 of 3
    assert values(rows, "resolution_hours") == [36.0, None, None]
    assert values(rows, "resolution_sla_rate") == [round(1 / 3, 6), None, None]


def test_conversions(rows: list[dict]) -> None:
    # closed in Jan: p1 won, p2 lost -> 1/2; Feb: p4 "赢单" -> 1/1
    assert values(rows, "conversion_rate") == [0.5, 1.0, None]
    # first contact in Jan: c4 (opp 01-25, first order 02-01 within 90 d) and c5 (no order);
    # c2 bought before its first contact -> excluded
    assert values(rows, "lead_conversion_rate") == [0.5, None, None]


def test_collection_rate(rows: list[dict]) -> None:
    # due in Jan: o1 100/100, o2 150/200, o5 1000/1000 -> 1250/1300
    # due in Feb: o3 0/300, o6 0/500; due in Mar: o4 (order + 30 d grace, paid) 400, o9 0/80
    assert values(rows, "collection_rate") == [round(1250 / 1300, 6), 0.0, round(400 / 480, 6)]


def test_avg_clv_uses_snapshot_at_period_end(rows: list[dict]) -> None:
    # the only snapshot is 2026-02-15: none at the end of Jan; (1000 + 500 + 300) / 3 after
    assert values(rows, "avg_clv") == [None, 600.0, 600.0]


def test_by_region_and_segment(kws: Workspace) -> None:
    rows = compute_kpis(kws, "month", "region", D(2026, 1, 1), D(2026, 3, 31), kpis=["revenue"])
    assert values(rows, "revenue", "华东") == [1000, 400, 0]
    assert values(rows, "revenue", "华北") == [0, 80, 700]
    rows = compute_kpis(
        kws, "month", "rfm_type", D(2026, 1, 1), D(2026, 3, 31), kpis=["active_customers"]
    )
    # segments come from the snapshot in force at the period end (the first one before it)
    assert values(rows, "active_customers", "high_value") == [1, 1, 0]
    assert values(rows, "active_customers", "new") == [0, 1, 0]


def test_quarter_and_year(kws: Workspace) -> None:
    rows = compute_kpis(kws, "quarter", None, D(2026, 1, 1), D(2026, 3, 31), kpis=["revenue"])
    assert [r["value"] for r in rows] == [2180]
    assert rows[0]["previous"] == 1150  # 2025-Q4: 50 + 100 + 1000
    rows = compute_kpis(kws, "year", None, D(2026, 1, 1), D(2026, 3, 31), kpis=["revenue"])
    assert rows[0]["period"] == "2026" and rows[0]["value"] == 2180


def test_every_kpi_reported(rows: list[dict]) -> None:
    assert {r["kpi"] for r in rows} == {k.code for k in KPIS}


def test_empty_store_and_errors(ws: Workspace) -> None:
    rows = compute_kpis(ws, "month", None, D(2026, 1, 1), D(2026, 1, 31))
    assert kpi_value(rows, "revenue", "2026-01") == 0
    assert kpi_value(rows, "nps", "2026-01") is None
    with pytest.raises(KehuError):
        compute_kpis(ws, "week")
    with pytest.raises(KehuError):
        compute_kpis(ws, "month", "colour")
    with pytest.raises(KehuError):
        compute_kpis(ws, "month", kpis=["nope"])


def test_formatting() -> None:
    assert format_value(0.125, "ratio") == "12.5%"
    assert format_value(1234567.4, "yuan") == "¥1,234,567"
    assert format_value(None, "count") == "—"
    assert format_change(-0.021, "ratio", "en") == "−2.1 pp"


def test_range_clips_the_first_period(kws: Workspace) -> None:
    rows = compute_kpis(
        kws, "month", None, D(2026, 1, 15), D(2026, 2, 28),
        kpis=["revenue", "active_customers", "retention_rate", "new_customers"],
    )  # fmt: skip
    jan = {r["kpi"]: r for r in rows if r["period"] == "2026-01"}
    # only 01-15 .. 01-31 counts: o3 (c1, 300)
    assert jan["revenue"]["value"] == 300 and jan["revenue"]["period_start"] == D(2026, 1, 15)
    assert jan["active_customers"]["value"] == 1
    # Feb's cohort is the (clipped) January: {c1}, who bought again in Feb
    assert kpi_value(rows, "retention_rate", "2026-02") == 1.0
    assert kpi_value(rows, "new_customers", "2026-02") == 1


@pytest.fixture
def mid_quarter(ws: Workspace) -> Workspace:
    """Data that stops on 2026-02-10, 41 days into Q1."""
    customers(ws, [("c1", "甲", "华东", "alice"), ("c2", "乙", "华北", "bob")])
    orders(
        ws,
        [
            ("o1", "c1", D(2025, 10, 5), 100, None, None, None),
            ("o2", "c2", D(2025, 11, 20), 200, None, None, None),  # after 11-10: not to-date
            ("o3", "c1", D(2025, 12, 15), 400, None, None, None),
            ("o4", "c1", D(2026, 1, 10), 300, None, None, None),
            ("o5", "c2", D(2026, 2, 10), 50, None, None, None),
        ],
    )
    return ws


def test_partial_quarter_compared_period_to_date(mid_quarter: Workspace) -> None:
    rows = compute_kpis(mid_quarter, "quarter", kpis=["revenue", "active_customers"])
    q1 = {r["kpi"]: r for r in rows if r["period"] == "2026-Q1"}
    q4 = {r["kpi"]: r for r in rows if r["period"] == "2025-Q4"}
    rev = q1["revenue"]
    # Q1 to 02-10 = 41 days; Q4's first 41 days are 10-01 .. 11-10: only o1 (100), not 700
    assert rev["partial"] and rev["days"] == 41 and rev["period_days"] == 90
    assert (rev["compared_start"], rev["compared_end"]) == (D(2025, 10, 1), D(2025, 11, 10))
    assert rev["value"] == 350 and rev["previous"] == 100 and rev["change"] == 250
    assert q1["active_customers"]["previous"] == 1  # c1 only, c2 bought after 11-10
    # a finished quarter keeps the whole previous quarter
    assert not q4["revenue"]["partial"] and q4["revenue"]["value"] == 700
    assert q4["revenue"]["compared_end"] == D(2025, 9, 30)


def test_kpis_cli_marks_partial_quarter(mid_quarter: Workspace) -> None:
    from typer.testing import CliRunner

    from kehu.cli import app

    root = str(mid_quarter.root)
    mid_quarter.close()
    for lang, words in (
        ("zh", ["至今", "尚未结束", "41/90", "2025-10-01 至 2025-11-10"]),
        ("en", ["to date", "not over", "41 of 90", "2025-10-01 to 2025-11-10"]),
    ):
        res = CliRunner().invoke(
            app,
            ["-w", root, "--lang", lang, "kpis", "--period", "quarter", "--kpi", "revenue"],
            env={"COLUMNS": "200"},
        )
        assert res.exit_code == 0, res.output
        for w in words:
            assert w in res.output
        assert "+¥250" in res.output  # 350 vs 100 to date, not −¥350 vs the full 700


def test_report_compares_partial_quarter_to_date(mid_quarter: Workspace, tmp_path) -> None:
    from kehu.calendar import Period
    from kehu.monitor.report.build import write_report
    from kehu.monitor.report.data import kpi_section

    section = kpi_section(mid_quarter, Period.parse("2026-Q1"), 2, "zh")
    rev = next(r for r in section["rows"] if r["code"] == "revenue")
    assert (rev["value"], rev["previous"]) == (350, 100)  # Q4's first 41 days, not all 700
    assert "41/92" not in section["partial_note"] and "41/90" in section["partial_note"]
    html = write_report(mid_quarter, "2026-Q1", fmt="html", out=tmp_path / "q.html", lang="en")
    text = (tmp_path / "q.html").read_text(encoding="utf-8")
    assert html["sections"]["kpis"] and "2026-Q1 is not over (41 of 90 days)" in text


def test_manager_scope_sums_groups_period_to_date(mid_quarter: Workspace) -> None:
    from kehu.web.services.kpis import _combine

    whole = compute_kpis(mid_quarter, "quarter", kpis=["revenue", "active_customers"])
    regions = compute_kpis(mid_quarter, "quarter", "region", kpis=["revenue", "active_customers"])
    combined = _combine(regions)
    key = ("kpi", "period", "value", "previous", "change", "partial")
    assert [tuple(r[k] for k in key) for r in combined] == [tuple(r[k] for k in key) for r in whole]


def test_partial_period_group_without_activity_before(mid_quarter: Workspace) -> None:
    rows = compute_kpis(mid_quarter, "quarter", "region", kpis=["revenue", "active_customers"])
    north = {r["kpi"]: r for r in rows if r["period"] == "2026-Q1" and r["group"] == "华北"}
    # c2 (华北) bought 50 on 02-10; nothing in Q4's first 41 days (its order was on 11-20)
    assert north["revenue"]["value"] == 50 and north["revenue"]["previous"] == 0
    assert north["revenue"]["change"] == 50


def test_web_cards_say_the_month_is_to_date(mid_quarter: Workspace) -> None:
    from kehu.access.scope import Scope
    from kehu.web.app import create_app
    from kehu.web.services.kpis import kpi_cards

    state = create_app(mid_quarter, background=False).state.kehu
    for scope in (Scope("a", "admin"), Scope("m", "manager", regions=("华东", "华北"))):
        card = next(c for c in kpi_cards(state, scope, "zh") if c["code"] == "revenue")
        # February to the 10th (50) against January 1-10 (300 on 01-10)
        assert card["partial"] and (card["days"], card["period_days"]) == (10, 28)
        assert card["value"] == 50 and card["previous"] == 300
