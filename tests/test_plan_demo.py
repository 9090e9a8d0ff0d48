"""Issue 14 acceptance on the demo (seed 7, 2,001 customers): a plan a sales manager would sign."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kehu.jobs.demo import run_demo
from kehu.planning.plan import make_plan
from kehu.workspace import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plan_demo") / "ws"
    run_demo(root, seed=7, size=1.0)
    return root


def _frames(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    ws = Workspace.open(root)
    try:
        cur = ws.cursor()
        snap = cur.execute(
            "SELECT * FROM customer_snapshot"
            " WHERE as_of = (SELECT max(as_of) FROM customer_snapshot)"
        ).df()
        tasks = cur.execute("SELECT * FROM tasks").df()
    finally:
        ws.close()
    return snap, tasks


def test_value_tiers_have_a_strategic_top_smaller_than_core(demo: Path) -> None:
    snap, _ = _frames(demo)
    tiers = snap["value_tier"].value_counts()
    assert 0 < tiers.get("strategic", 0) < tiers["core"]
    assert snap["value_score"].max() >= 90


def test_every_high_value_customer_gets_deepen_cooperation(demo: Path) -> None:
    snap, tasks = _frames(demo)
    hv = snap[(snap["rfm_type"] == "high_value") & (snap["lifecycle"] != "lost")]
    got = hv.merge(tasks, on="customer_id", how="left", suffixes=("", "_t"))
    assert len(got) == len(hv) > 0  # one task per customer
    # 战略级 comes first in plan.precedence and carries the same direction (深化合作)
    assert set(got["playbook"]) <= {"rfm_type.high_value", "value_tier.strategic"}
    assert got["direction_zh"].str.contains("深化合作").all()


def test_churn_measures_differ_by_reason(demo: Path) -> None:
    _, tasks = _frames(demo)
    churn = tasks[tasks["reason"].map(lambda r: json.loads(r)["trigger"] == "churn_risk")]
    assert len(churn) > 50
    by_reason: dict[str, set[str]] = {}
    for reason, actions in zip(churn["reason"], churn["actions"], strict=True):
        first = (json.loads(reason)["churn_reasons"] or [{"code": None}])[0]["code"]
        codes = {a["code"] for a in json.loads(actions)}
        by_reason.setdefault(first, set()).update(codes)
        if first == "payment_overdue":
            assert "reconcile" in codes
        if first in ("order_gap", "recency"):
            assert "gap_callback" in codes
    assert len({frozenset(v) for v in by_reason.values()}) >= 4
    assert churn["actions"].nunique() >= 10
    urgent = churn[churn["churn_risk"] >= 0.8]
    assert len(urgent) and urgent["actions"].str.contains("emergency_team").all()


def test_priority_bands_spread(demo: Path) -> None:
    _, tasks = _frames(demo)
    share = tasks["priority_band"].value_counts(normalize=True)
    assert set(share.index) == {"high", "medium", "low"}
    assert share.between(0.10, 0.60).all(), share.to_dict()
    for factor in ("strategic_fit", "value", "growth", "risk", "urgency"):
        assert tasks[f"score_{factor}"].between(0, 1).all()
        assert tasks[f"score_{factor}"].nunique() > 1


def test_owners_are_real_people_and_a_warning_when_not(demo: Path) -> None:
    _, tasks = _frames(demo)
    assert tasks["accountable"].notna().all()
    assert not tasks["accountable"].isin(["sales_manager", "销售经理", "unassigned"]).any()
    assert not (tasks["owner"] == "unassigned").any()
    assert tasks["accountable"].nunique() == 7  # a manager per region
    ws = Workspace.open(demo)
    try:
        ws.settings.plan.region_leads = {}
        ws.cursor().execute("DELETE FROM tasks")
        res = make_plan(ws, dry_run=True)
        assert res.no_accountable == res.created > 0
        assert len(res.warnings) == 1 and "region_leads" in res.warnings[0][1]
        assert res.frame["accountable"].isna().all()
        ws.settings.plan.max_open_per_owner = 40
        res = make_plan(ws, dry_run=True)
        counts = res.frame["owner"].value_counts()
        assert counts.max() <= 40
        assert res.deferred == sum(res.deferred_by_owner.values())
        assert res.created + res.deferred == res.candidates
    finally:
        ws.close()
