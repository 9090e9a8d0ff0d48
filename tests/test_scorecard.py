"""Scorecards: every figure equals the one computed by hand on a small workspace."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from test_plan_data import customers, insert, orders
from typer.testing import CliRunner

from kehu.access.scope import Scope
from kehu.analytics.kpis import compute_kpis
from kehu.cli import app
from kehu.cli.common import console
from kehu.errors import KehuError
from kehu.planning.scorecard import scorecards, visible
from kehu.workspace import Workspace


@pytest.fixture
def sws(ws: Workspace) -> Workspace:
    customers(
        ws,
        [
            ("a", "甲", "华东", "alice"),
            ("b", "乙", "华东", "alice"),
            ("c", "丙", "华东", "bob"),
            ("d", "丁", "华北", "bob"),
            ("e", "戊", "华北", "carol"),
        ],
    )
    orders(
        ws,
        [
            ("o0", "a", date(2026, 2, 1), 800),  # Q1
            ("o1", "a", date(2026, 4, 1), 1000),  # Q2
            ("o2", "b", date(2026, 5, 1), 500),
            ("o3", "c", date(2026, 6, 1), 2000),
            ("o4", "d", date(2026, 6, 2), 300),
            ("o5", "a", date(2026, 7, 1), 1500),  # Q3: b and d lapse, e is new
            ("o6", "c", date(2026, 8, 1), 1000),
            ("o7", "e", date(2026, 9, 1), 400),
            ("o8", "b", date(2026, 10, 5), 100),  # Q4: the data end, so Q3 is complete
        ],
    )
    target = {"source": "plan", "amount": 0}
    insert(
        ws,
        "targets",
        [
            {**target, "target_id": "t1", "period": "2026-Q3", "region": "华东",
             "owner": "alice", "amount": 2000},
            {**target, "target_id": "t2", "period": "2026-07", "owner": "bob", "amount": 500},
            {**target, "target_id": "t3", "period": "2026-08", "owner": "bob", "amount": 500},
            {**target, "target_id": "t4", "period": "2026-09", "owner": "bob", "amount": 1000},
            {**target, "target_id": "t5", "period": "2026-Q3", "region": "华北", "amount": 1000},
            {**target, "target_id": "t6", "period": "2026-Q3", "customer_id": "a",
             "amount": 99999},  # a customer's target is no rep's
        ],
    )  # fmt: skip
    insert(
        ws,
        "surveys",
        [
            {"source": "s", "survey_id": "v1", "customer_id": "a", "surveyed_on": date(2026, 7, 2),
             "nps": 10},
            {"source": "s", "survey_id": "v2", "customer_id": "b", "surveyed_on": date(2026, 7, 3),
             "nps": 6},
            {"source": "s", "survey_id": "v3", "customer_id": "c", "surveyed_on": date(2026, 8, 3),
             "nps": 9},
        ],
    )  # fmt: skip
    insert(
        ws,
        "tickets",
        [
            {"source": "s", "ticket_id": "k1", "customer_id": "a",
             "opened_at": datetime(2026, 7, 1, 9), "first_response_at": datetime(2026, 7, 1, 10)},
        ],
    )  # fmt: skip
    task = {"customer_name": "x", "playbook": "value_tier.core", "period": "once"}
    insert(
        ws,
        "tasks",
        [
            {**task, "task_id": 1, "customer_id": "a", "owner": "alice", "region": "华东",
             "due_date": date(2026, 7, 10), "status": "done", "closed_at": datetime(2026, 7, 9)},
            {**task, "task_id": 2, "customer_id": "b", "owner": "alice", "region": "华东",
             "due_date": date(2026, 8, 10), "status": "done", "closed_at": datetime(2026, 8, 12)},
            {**task, "task_id": 3, "customer_id": "b", "owner": "alice", "region": "华东",
             "due_date": date(2026, 9, 1), "status": "open"},
            {**task, "task_id": 4, "customer_id": "a", "owner": "alice", "region": "华东",
             "due_date": date(2026, 9, 5), "status": "cancelled"},
            {**task, "task_id": 5, "customer_id": "c", "owner": "bob", "region": "华东",
             "due_date": date(2026, 7, 20), "status": "done",
             "closed_at": datetime(2026, 7, 20, 18)},
        ],
    )  # fmt: skip
    return ws


def test_rep_figures_equal_the_hand_computed_ones(sws: Workspace) -> None:
    cards = scorecards(sws)
    assert (cards.period, cards.previous, cards.partial) == ("2026-Q3", "2026-Q2", False)
    reps = {r.unit: r for r in cards.of("rep")}
    a = reps["alice"].values
    assert a["revenue"] == 1500 and a["revenue_prev"] == 1500 and a["revenue_growth"] == 0
    assert a["target"] == 2000 and a["attainment"] == 0.75
    assert a["new_customers"] == 0
    assert a["retention"] == 0.5  # Q2 buyers a, b; a bought again
    assert a["churned_revenue"] == 500 and a["churned_share"] == pytest.approx(1 / 3)
    assert a["nps"] == 0  # one promoter (10), one detractor (6)
    assert a["on_time"] == pytest.approx(1 / 3) and a["tasks_due"] == 3  # cancelled: not due
    assert a["sla"] == 1.0
    assert reps["alice"].points == {
        "attainment": 50.0, "revenue_growth": 50.0, "new_customers": 0.0, "retention": 0.0,
        "churned_revenue": 0.0, "nps": 0.0, "on_time": 0.0, "sla": 100.0,
    }  # fmt: skip
    assert reps["alice"].score == 27.5  # (0.25·50 + 0.10·50 + 0.10·100) / 1.00
    b = reps["bob"].values
    assert b["target"] == 2000 and b["attainment"] == 0.5  # three monthly rows add up
    assert b["revenue_growth"] == pytest.approx(1000 / 2300 - 1)
    assert b["churned_revenue"] == 300 and b["churned_share"] == pytest.approx(300 / 2300)
    assert b["nps"] == 100 and b["on_time"] == 1.0 and b["sla"] is None
    assert reps["bob"].points["churned_revenue"] == 56.5  # (0.1304 - 0.3) / (0 - 0.3)
    assert reps["bob"].points["sla"] is None and "sla" not in reps["bob"].counted
    # without tickets the SLA weight drops out: (0.1·56.5 + 0.1·100 + 0.1·100) / 0.90
    assert reps["bob"].score == 28.5
    c = reps["carol"]
    assert c.values["new_customers"] == 1 and c.values["attainment"] is None
    assert c.counted == ["new_customers"] and c.score == 11.1  # 1/3 a month of 3
    assert [(r.unit, r.rank, r.ranked) for r in cards.of("rep")] == [
        ("bob", 1, 3), ("alice", 2, 3), ("carol", 3, 3),
    ]  # fmt: skip
    # trend: alice's Q2 — growth 1500/800 -> 100, one new (b) -> 11.1, Q1's buyer a kept -> 100,
    # nothing churned -> 100: (10 + 1.11 + 15 + 10) / 0.45 = 80.2
    assert reps["alice"].previous_score == 80.2 and reps["alice"].trend == -52.7


def test_team_figures_and_the_kpis_agree(sws: Workspace) -> None:
    cards = scorecards(sws, "2026-Q3")
    teams = {r.unit: r for r in cards.of("team")}
    east = teams["华东"]
    assert east.values["revenue"] == 2500 and east.values["revenue_prev"] == 3500
    assert east.values["target"] == 2000  # no region row: its reps' rows (alice's)
    assert east.values["retention"] == pytest.approx(2 / 3)
    assert east.values["churned_revenue"] == 500
    assert east.values["nps"] == pytest.approx(100 / 3)
    assert east.values["on_time"] == 0.5 and east.values["sla"] == 1.0
    assert east.points["attainment"] == 100.0 and east.points["retention"] == 41.7
    assert east.score == pytest.approx(53.2, abs=0.05)
    north = teams["华北"]
    assert north.values["target"] == 1000 and north.values["attainment"] == 0.4
    assert north.values["revenue_growth"] == pytest.approx(400 / 300 - 1)
    assert north.values["retention"] == 0 and north.values["churned_share"] == 1.0
    assert north.score == pytest.approx((10 + 1.11) / 0.7, abs=0.05)
    # one definition: the scorecard's retention and NPS are the KPIs by region
    kpis = compute_kpis(sws, "quarter", "region", date(2026, 7, 1), date(2026, 9, 30),
                        kpis=["retention_rate", "nps"])  # fmt: skip
    got = {(r["kpi"], r["group"]): r["value"] for r in kpis if r["period"] == "2026-Q3"}
    assert got[("retention_rate", "华东")] == pytest.approx(east.values["retention"])
    assert got[("nps", "华东")] == pytest.approx(east.values["nps"])


def test_configured_teams_sum_their_reps(sws: Workspace) -> None:
    sws.settings.scorecard.teams = {"一组": ["alice", "carol"]}
    team = scorecards(sws, "2026-Q3").of("team")
    assert [t.unit for t in team] == ["一组"]
    v = team[0].values
    assert v["revenue"] == 1900 and v["target"] == 2000 and v["new_customers"] == 1
    assert v["retention"] == 0.5 and v["on_time"] == pytest.approx(1 / 3)


def test_weights_are_configurable(sws: Workspace) -> None:
    sc = sws.settings.scorecard
    for m in ("revenue_growth", "new_customers", "retention", "churned_revenue", "nps",
              "on_time", "sla"):  # fmt: skip
        getattr(sc, m).weight = 0.0
    reps = {r.unit: r for r in scorecards(sws, "2026-Q3").of("rep")}
    assert reps["alice"].score == 50.0 and reps["bob"].score == 0.0
    assert reps["carol"].score is None and reps["carol"].rank is None  # no target: unscored


def test_a_rep_sees_only_itself_a_manager_its_region(sws: Workspace) -> None:
    cards = scorecards(sws, "2026-Q3")
    mine = visible(cards, Scope("alice", "rep", owners=("alice",)), {})
    assert [(r.kind, r.unit) for r in mine.rows] == [("rep", "alice")]
    north = visible(cards, Scope("li", "manager", regions=("华北",)), {})
    # bob's customers are one in each region: his home is the first by name (华东)
    assert sorted((r.kind, r.unit) for r in north.rows) == [("rep", "carol"), ("team", "华北")]
    assert len(visible(cards, Scope("root", "admin"), {}).rows) == len(cards.rows)


def test_scorecard_command_table_json_and_workbook(
    sws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "_width", 250)  # every column readable
    root = str(sws.root)
    sws.close()
    runner = CliRunner()
    en = runner.invoke(app, ["-w", root, "--lang", "en", "scorecard"])
    assert en.exit_code == 0, en.output
    assert "Scorecards 2026-Q3" in en.output and "Target attainment" in en.output
    assert "1/3" in en.output and "75.0%" in en.output and "-52.7" in en.output
    zh = runner.invoke(app, ["-w", root, "--lang", "zh", "scorecard", "--teams"])
    assert zh.exit_code == 0 and "目标达成率" in zh.output and "alice" not in zh.output
    out = tmp_path / "review.xlsx"
    js = runner.invoke(app, ["-w", root, "scorecard", "--json", "--xlsx", str(out)])
    assert js.exit_code == 0, js.output
    data = json.loads(js.output[js.output.index("{") :])
    assert [r["unit"] for r in data["reps"]] == ["bob", "alice", "carol"]
    assert data["reps"][1]["score"] == 27.5 and data["rubric"]["sla"]["zero"] == 0.8
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["销售代表", "团队", "评分规则"]
    reps = list(book["销售代表"].iter_rows(values_only=True))
    assert reps[0][:4] == ("排名", "销售代表", "区域", "销售额")
    assert reps[2][1] == "alice" and reps[2][3] == 1500 and reps[2][-3] == 27.5
    bad = runner.invoke(app, ["-w", root, "scorecard", "--grain", "week"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2  # main(): exit 2
    assert "week" in bad.exception.en and "quarter" in bad.exception.en


def test_no_targets_no_tasks_no_surveys_still_scores(sws: Workspace) -> None:
    for table in ("targets", "tasks", "surveys", "tickets"):
        sws.con.execute(f"DELETE FROM {table}")
    reps = {r.unit: r for r in scorecards(sws, "2026-Q3").of("rep")}
    assert reps["alice"].values["attainment"] is None and reps["alice"].values["on_time"] is None
    # growth 0 -> 50, new 0 -> 0, retention 0.5 -> 0, churned 1/3 -> 0 over weights 0.45
    assert reps["alice"].counted == ["revenue_growth", "new_customers", "retention",
                                     "churned_revenue"]  # fmt: skip
    assert reps["alice"].score == round(0.10 * 50 / 0.45, 1)
