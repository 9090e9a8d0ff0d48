"""SMART goals: target parsing, baselines, linear projection and status, storage."""

from __future__ import annotations

from datetime import date

import pytest
from test_plan_data import customers, orders

from kehu.analytics.kpis import get_kpi
from kehu.errors import KehuError
from kehu.planning import goals
from kehu.workspace import Workspace

D = date
START, DEADLINE = D(2026, 1, 1), D(2026, 3, 31)


@pytest.fixture
def gws(ws: Workspace) -> Workspace:
    customers(
        ws,
        [
            ("c1", "甲", "华东", "alice"),
            ("c2", "乙", "华东", "bob"),
            ("c3", "丙", "华北", "alice"),
            ("c4", "丁", "华北", "bob"),
            ("c5", "戊", "华南", "carol"),
        ],
    )
    orders(
        ws,
        [
            ("d1", "c1", D(2025, 12, 5), 100),  # Dec: c1, c2 new, 2 active
            ("d2", "c2", D(2025, 12, 6), 100),
            ("j1", "c3", D(2026, 1, 10), 100),  # Jan: c3, c4 new, 2 active
            ("j2", "c4", D(2026, 1, 12), 100),
            ("f1", "c1", D(2026, 2, 3), 250),  # Feb: c5 new, 3 active (c1, c3, c5)
            ("f2", "c3", D(2026, 2, 4), 100),
            ("f3", "c5", D(2026, 2, 5), 100),
        ],
    )
    return ws


def add(ws: Workspace, metric: str, target: str, **kw) -> dict:
    return goals.add_goal(ws, metric, target, DEADLINE, "alice", start=START, **kw)


def test_parse_target() -> None:
    rate, count = get_kpi("retention_rate"), get_kpi("new_customers")
    assert goals.parse_target("+10%", rate) == goals.TargetSpec("relative", 0.10)
    assert goals.parse_target("-5%", count) == goals.TargetSpec("relative", -0.05)
    assert goals.parse_target("+5pp", rate) == goals.TargetSpec("delta", 0.05)
    assert goals.parse_target("85%", rate) == goals.TargetSpec("absolute", 0.85)
    assert goals.parse_target("200", count) == goals.TargetSpec("absolute", 200.0)
    assert goals.parse_target("1.2万", count) == goals.TargetSpec("absolute", 12000.0)
    assert goals.parse_target("+30", count) == goals.TargetSpec("delta", 30.0)
    for bad, kpi in (("+5pp", count), ("150", rate), ("lots", count)):
        with pytest.raises(KehuError):
            goals.parse_target(bad, kpi)
    assert goals.parse_scope("region=华东") == ("region", "华东")
    with pytest.raises(KehuError):
        goals.parse_scope("colour=red")


def test_additive_goal_projection_and_status(gws: Workspace) -> None:
    g = add(gws, "new_customers", "4")
    assert g["target"] == 4 and g["baseline"] == 2  # 90 days before Jan 1: c1, c2 in Dec
    rep = goals.progress(gws, g["goal_id"], as_of=D(2026, 1, 31))[0]
    # cumulative 2 after 31 of 90 days -> projected 2 x 90 / 31 = 5.81 >= 4
    assert rep["status"] == "on_track" and rep["actual"] == 2
    assert rep["projected"] == pytest.approx(2 * 90 / 31)
    rep = goals.progress(gws, g["goal_id"], as_of=D(2026, 2, 28))[0]
    jan, feb = rep["periods"]
    assert (jan["cumulative"], feb["cumulative"]) == (2, 3)
    assert feb["expected"] == pytest.approx(4 * 59 / 90)
    assert feb["projected"] == pytest.approx(3 * 90 / 59) and feb["status"] == "on_track"
    rep = goals.progress(gws, g["goal_id"], as_of=D(2026, 4, 15))[0]
    assert rep["status"] == "missed" and rep["actual"] == 3 and len(rep["periods"]) == 3
    easy = add(gws, "new_customers", "3")
    assert goals.progress(gws, easy["goal_id"], as_of=D(2026, 2, 28))[0]["status"] == "achieved"


def test_relative_level_goal_least_squares(gws: Workspace) -> None:
    g = add(gws, "active_customers", "+50%")
    assert g["baseline"] == 2 and g["target"] == pytest.approx(3)  # Dec: 2 active -> x 1.5
    rep = goals.progress(gws, g["goal_id"], as_of=D(2026, 1, 31))[0]
    # points (-1, 2) baseline, (0, 2) Jan -> flat line -> 2 at the deadline (x = 2) < 3
    assert rep["projected"] == pytest.approx(2) and rep["status"] == "at_risk"
    assert rep["periods"][0]["expected"] == pytest.approx(2 + 1 / 3)
    rep = goals.progress(gws, g["goal_id"], as_of=D(2026, 2, 28))[0]
    # + (1, 3): slope 0.5 through the mean (0, 7/3) -> 7/3 + 1 at x = 2
    assert rep["projected"] == pytest.approx(7 / 3 + 1) and rep["status"] == "on_track"
    rep = goals.progress(gws, g["goal_id"], as_of=D(2026, 3, 31))[0]
    assert rep["status"] == "missed" and rep["actual"] == 0  # nobody bought in March


def test_scope_and_storage(gws: Workspace) -> None:
    g = add(gws, "revenue", "1000", scope="region=华东", name="华东一季度销售额")
    rep = goals.progress(gws, as_of=D(2026, 2, 28))[0]
    assert rep["actual"] == 250 and rep["scope_value"] == "华东"
    stored = gws.rows(
        "SELECT period, actual, cumulative, status FROM goal_progress WHERE goal_id = ?"
        " ORDER BY period",
        [g["goal_id"]],
    )
    assert [r[:3] for r in stored] == [("2026-01", 0.0, 0.0), ("2026-02", 250.0, 250.0)]
    listed = goals.list_goals(gws)[0]
    assert listed["status"] == rep["status"] and listed["evaluated_as_of"] == D(2026, 2, 28)
    assert goals.goal_title(listed, "en") == "华东一季度销售额"
    status = goals.goals_status(gws, as_of=D(2026, 1, 31))
    assert status[0]["actual"] == 0 and "periods" not in status[0]
    assert goals.list_goals(gws)[0]["evaluated_as_of"] == D(2026, 2, 28)  # no write
    goals.remove_goal(gws, g["goal_id"])
    assert goals.list_goals(gws) == [] and gws.scalar("SELECT count(*) FROM goal_progress") == 0


def test_pending_errors_and_title(gws: Workspace) -> None:
    g = goals.add_goal(gws, "revenue", "5000", D(2026, 6, 30), "bob", start=D(2026, 4, 1))
    assert goals.progress(gws, g["goal_id"], as_of=D(2026, 2, 28))[0]["status"] == "pending"
    assert goals.goal_title(g, "en") == "Revenue reaches ¥5,000 by 2026-06-30"
    with pytest.raises(KehuError):  # no NPS before the start: no baseline
        add(gws, "nps", "+10%")
    with pytest.raises(KehuError):
        goals.add_goal(gws, "revenue", "1", D(2025, 1, 1), "bob", start=START)
    with pytest.raises(KehuError):
        add(gws, "happiness", "1")
    with pytest.raises(KehuError):
        goals.get_goal(gws, 42)


def test_lower_is_better_projection() -> None:
    goal = {"start_date": START, "deadline": DEADLINE, "target": 0.10, "baseline": 0.20,
            "grain": "month"}  # fmt: skip
    series = [
        {"period": "2026-01", "start": D(2026, 1, 1), "end": D(2026, 1, 31), "value": 0.18},
        {"period": "2026-02", "start": D(2026, 2, 1), "end": D(2026, 2, 28), "value": 0.15},
    ]
    rows = goals.evaluate(goal, get_kpi("churn_rate"), series, on_track=1.0)
    # points (-1, .20), (0, .18), (1, .15): slope -0.025, mean .17667 -> .12667 at x = 2
    assert rows[-1]["projected"] == pytest.approx(0.53 / 3 - 0.05)
    assert rows[-1]["status"] == "at_risk"
    goal["target"] = 0.13
    assert goals.evaluate(goal, get_kpi("churn_rate"), series, 1.0)[-1]["status"] == "on_track"
