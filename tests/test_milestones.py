"""Milestones per goal (quarters → months) and their Gantt-style timeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kehu.charts import SPAN_COLOURS, echarts_option
from kehu.monitor.report.png import chart_png
from kehu.planning.milestones import milestones, timeline

REVENUE = {
    "goal_id": 1, "metric": "revenue", "start_date": date(2026, 7, 1),
    "deadline": date(2026, 12, 31), "target": 18400.0, "baseline": None,
    "periods": [
        {"period": "2026-07", "end": date(2026, 7, 31), "actual": 4000.0, "cumulative": 4000.0},
        {"period": "2026-08", "end": date(2026, 8, 31), "actual": 2000.0, "cumulative": 6000.0},
        {"period": "2026-09", "end": date(2026, 9, 30), "actual": 3000.0, "cumulative": 9000.0},
    ],
}  # fmt: skip


def test_quarters_then_months_with_the_straight_line_and_status() -> None:
    got = milestones(REVENUE, as_of=date(2026, 10, 15))
    assert [(m["level"], m["period"]) for m in got] == [
        ("quarter", "2026-Q3"), ("month", "2026-07"), ("month", "2026-08"), ("month", "2026-09"),
        ("quarter", "2026-Q4"), ("month", "2026-10"), ("month", "2026-11"), ("month", "2026-12"),
    ]  # fmt: skip
    by = {m["period"]: m for m in got}
    # 184 days for 18,400: 100 a day; July's 31 days -> 3,100, Q3's 92 -> 9,200
    assert by["2026-07"]["expected"] == 3100 and by["2026-07"]["actual"] == 4000
    assert by["2026-07"]["status"] == "met"
    assert (by["2026-08"]["expected"], by["2026-08"]["status"]) == (6200, "missed")
    assert (by["2026-Q3"]["expected"], by["2026-Q3"]["actual"]) == (9200, 9000)
    assert by["2026-Q3"]["status"] == "missed"
    assert by["2026-Q4"]["status"] == "current" and by["2026-Q4"]["expected"] == 18400
    assert by["2026-11"]["status"] == "planned" and by["2026-11"]["actual"] is None


def test_a_level_goal_moves_from_its_baseline_and_lower_can_be_better() -> None:
    goal = {"goal_id": 2, "metric": "churn_rate", "start_date": "2026-01-01",
            "deadline": "2026-12-31", "target": 0.10, "baseline": 0.20,
            "periods": [{"period": "2026-03", "end": "2026-03-31", "actual": 0.17,
                         "cumulative": None}]}  # fmt: skip
    q1 = milestones(goal, as_of=date(2026, 4, 2))[0]
    assert q1["period"] == "2026-Q1"
    assert q1["expected"] == pytest.approx(0.20 - 0.10 * 90 / 365, abs=1e-4)
    assert q1["status"] == "met"  # 0.17 is below the line's 0.175
    no_base = {**goal, "baseline": None}
    got = milestones(no_base, as_of=date(2026, 4, 2))
    assert got[0]["expected"] is None and got[0]["status"] == "no_data"
    assert got[-1]["expected"] == 0.10  # the target on the last day


def test_a_window_inside_a_quarter_is_clipped() -> None:
    goal = {**REVENUE, "start_date": date(2026, 8, 15), "deadline": date(2026, 9, 14)}
    got = milestones(goal, as_of=date(2026, 8, 1))
    assert [(m["period"], str(m["start"]), str(m["end"])) for m in got] == [
        ("2026-Q3", "2026-08-15", "2026-09-14"),
        ("2026-08", "2026-08-15", "2026-08-31"),
        ("2026-09", "2026-09-01", "2026-09-14"),
    ]
    assert {m["status"] for m in got} == {"planned"}


def test_the_timeline_is_one_bar_per_quarter_in_echarts_and_png() -> None:
    goals = [{"title": "销售额达到 18,400", "milestones": milestones(REVENUE, date(2026, 10, 15))}]
    chart = timeline(goals, "timeline")
    assert chart.categories == ["销售额达到 18,400 · 2026-Q3", "销售额达到 18,400 · 2026-Q4"]
    assert chart.spans == [("2026-07-01", "2026-10-01", "missed"),
                           ("2026-10-01", "2027-01-01", "current")]  # fmt: skip
    opt = echarts_option(chart)
    offset, bars = opt["series"]
    assert opt["xAxis"]["type"] == "time" and offset["itemStyle"]["color"] == "transparent"
    day = 86_400_000
    assert bars["data"][0]["value"] == 92 * day and offset["data"][0] == opt["xAxis"]["min"]
    assert bars["data"][0]["itemStyle"]["color"] == SPAN_COLOURS["missed"]
    assert opt["xAxis"]["max"] - opt["xAxis"]["min"] == 184 * day
    assert chart_png(chart)[:4] == b"\x89PNG"


def test_the_economics_page_shows_milestones_and_the_timeline(tmp_path: Path) -> None:
    import warnings

    from test_web_support import login, seed_workspace

    from kehu.planning.goals import add_goal
    from kehu.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    ws = seed_workspace(tmp_path / "ws")
    add_goal(
        ws,
        "revenue",
        "+10%",
        date(2026, 12, 31),
        "admin",
        name="下半年销售额",
        start=date(2026, 7, 1),
    )
    client = TestClient(create_app(ws, background=False))
    login(client, "admin")
    data = client.get("/api/v1/plan/economics").json()
    (goal,) = data["goals"]
    quarters = [m for m in goal["milestones"] if m["level"] == "quarter"]
    assert quarters and quarters[-1]["end"] == "2026-12-31"
    assert data["timeline"]["option"]["yAxis"]["data"][0].endswith(quarters[0]["period"])
    page = client.get("/plan/economics")
    assert page.status_code == 200 and 'id="chart-timeline"' in page.text
    assert "下半年销售额" in page.text
    ws.close()
