"""`kehu effect`: treated vs control of a past plan recovers a planted effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from effect_support import CHURN_CONTROL, EFFECT, LATER, N_HIGH, PLAN, build
from scipy import stats
from typer.testing import CliRunner

from kehu.access.scope import Scope
from kehu.app import Kehu
from kehu.cli import app as cli
from kehu.errors import KehuError
from kehu.planning.effect import EffectReport
from kehu.workspace import Workspace


@pytest.fixture(scope="module")
def wdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("effect") / "ws"
    ws = Workspace.init(root)
    build(ws)
    ws.close()
    return root


@pytest.fixture(scope="module")
def kehu(wdir: Path) -> Kehu:
    k = Kehu.open(wdir)
    yield k
    k.close()


@pytest.fixture(scope="module")
def report(kehu: Kehu) -> EffectReport:
    return kehu.playbook_effect()


def by_book(report: EffectReport) -> dict:
    return {p.playbook: p for p in report.playbooks}


def test_the_randomised_interval_contains_the_planted_churn_effect_and_excludes_zero(
    report: EffectReport,
) -> None:
    assert report.plan_date == PLAN and report.outcome_snapshot == LATER
    rescue = by_book(report)["rfm_type.churn_risk"]
    churn = rescue.estimates["churn"]
    assert rescue.evidence == "randomised" and rescue.held_out == churn.n_control
    assert churn.low < EFFECT < churn.high and churn.high < 0
    assert abs(churn.control - CHURN_CONTROL) < 0.1
    revenue = rescue.estimates["revenue"]
    assert revenue.excludes_zero and revenue.low > 0  # survivors buy more, and more survive
    nps = rescue.estimates["nps"]
    assert nps.enough and not nps.excludes_zero  # no NPS effect was planted


def test_revenue_interval_is_welchs_and_agrees_with_scipy(kehu: Kehu, report: EffectReport) -> None:
    rows = kehu.ws.read(
        """SELECT a.arm, coalesce(sum(o.amount), 0) FROM plan_arms a LEFT JOIN orders o
           ON o.customer_id = a.customer_id AND o.order_date > ? AND o.order_date <= ?
           WHERE a.playbook = 'rfm_type.churn_risk' AND a.as_of = ?
           GROUP BY a.customer_id, a.arm""",
        [PLAN, report.outcome_date, PLAN],
    ).fetchall()
    t = np.array([float(v) for a, v in rows if a == "treated"])
    c = np.array([float(v) for a, v in rows if a == "control"])
    ci = stats.ttest_ind(t, c, equal_var=False).confidence_interval(0.95)
    e = by_book(report)["rfm_type.churn_risk"].estimates["revenue"]
    assert e.diff == pytest.approx(t.mean() - c.mean())
    assert (e.low, e.high) == pytest.approx((ci.low, ci.high))
    assert e.n_treated == len(t) and e.n_control == len(c)


def test_a_protected_playbook_is_measured_by_matching_labelled_weaker(
    report: EffectReport, kehu: Kehu
) -> None:
    high = by_book(report)["rfm_type.high_value"]
    assert high.evidence == "matched" and high.held_out == 0 and high.eligible == N_HIGH
    churn = high.estimates["churn"]
    assert churn.n_treated == N_HIGH and churn.low < 0 < churn.high  # nothing was planted
    table = kehu.playbook_effect_rows(report, "en")
    labels = {r["evidence"] for r in table["rows"] if r["playbook"] == "High-value customer"}
    assert labels == {"matched comparison (weaker evidence)"}


def test_verdicts_follow_the_intervals(kehu: Kehu, report: EffectReport) -> None:
    rows = kehu.playbook_effect_rows(report, "en")["rows"]
    rescue = {r["outcome"]: r for r in rows if r["playbook"] != "High-value customer"}
    assert rescue["churn"]["verdict"] == "works: lowers churn"
    assert rescue["revenue per customer"]["verdict"] == "works: raises revenue per customer"
    assert rescue["NPS mean (0–10)"]["verdict"] == "no clear effect: the interval includes 0"
    zh = kehu.playbook_effect_rows(report, "zh")["rows"][0]
    assert zh["verdict"] == "有效:流失率降低"


def effect_with(kehu: Kehu, **changes: int) -> EffectReport:
    """The effect report under other `[effect]` settings (the module's workspace restored)."""
    settings = kehu.ws.settings
    kept = settings.effect
    settings.effect = kept.model_copy(update=changes)
    try:
        return kehu.playbook_effect()
    finally:
        settings.effect = kept


def test_below_the_minimum_n_it_says_not_enough_data(kehu: Kehu) -> None:
    report = effect_with(kehu, min_n=1000)
    e = by_book(report)["rfm_type.churn_risk"].estimates["churn"]
    assert not e.enough and e.low is None and e.diff is not None
    row = kehu.playbook_effect_rows(report, "en")["rows"][0]
    assert row["verdict"] == "not enough data: each group needs at least 1000 customers"


def test_a_plan_whose_outcome_date_has_not_come_is_not_measured(kehu: Kehu) -> None:
    report = effect_with(kehu, window_days=400)
    assert report.plan_date == PLAN and not report.measurable and not report.playbooks


def test_a_manager_sees_the_effect_among_own_region_only(kehu: Kehu, report: EffectReport) -> None:
    scope = Scope(role="manager", user="li", regions=("华北",))
    mine = by_book(kehu.playbook_effect(scope=scope))["rfm_type.churn_risk"]
    whole = by_book(report)["rfm_type.churn_risk"]
    n_north = kehu.ws.scalar(
        """SELECT count(*) FROM plan_arms a JOIN customers c USING (customer_id)
           WHERE c.region = '华北' AND a.playbook = 'rfm_type.churn_risk'"""
    )
    assert mine.eligible == n_north < whole.eligible


def test_the_command_prints_zh_and_en_and_writes_xlsx(wdir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "effect.xlsx"
    res = runner.invoke(cli, ["-w", str(wdir), "effect", "--lang", "en", "--xlsx", str(out)])
    assert res.exit_code == 0, res.output
    assert "Customer at risk of churn: randomised control" in res.output
    assert "High-value customer: matched comparison (weaker evidence)" in res.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet.title == "playbook effect" and sheet.max_row == 1 + 3 * 2
    assert sheet["J2"].value == "works: lowers churn"  # verdict of the rescue's churn row
    zh = runner.invoke(cli, ["-w", str(wdir), "--lang", "zh", "effect"])
    assert zh.exit_code == 0 and "随机对照" in zh.output
    bad = runner.invoke(cli, ["-w", str(wdir), "effect", "--plan", "2026-13-01"])
    assert isinstance(bad.exception, KehuError) and bad.exception.exit_code == 2
    assert "--plan expects a date as YYYY-MM-DD: 2026-13-01" in bad.exception.message("en")
