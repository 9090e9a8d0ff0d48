"""`kehu plan`: playbook matching, RACI, due dates, priority, idempotence; tasks."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, timedelta

import pandas as pd
import pytest
from test_plan_data import customers, snapshot

from kehu.config import ClvSettings, PlanSettings, settings_from_dict
from kehu.errors import ConfigError, KehuError
from kehu.planning import priority
from kehu.planning.owners import Team, balance
from kehu.planning.plan import make_plan
from kehu.planning.playbook import load_playbooks
from kehu.planning.tasks import export_tasks, list_tasks, set_status
from kehu.workspace import Workspace

AS_OF = date(2026, 11, 20)

ROWS = [
    # id, rfm_type, value_tier, churn_risk, predicted_clv, owner, region
    ("a", "churn_risk", "core", 0.80, 20000.0, "alice", "华东"),
    ("b", "high_value", "strategic", 0.70, 90000.0, "bob", "华北"),
    ("c", "new", "basic", 0.10, 3000.0, "carol", "华南"),
    ("d", "high_value", "strategic", 0.10, 120000.0, "alice", "华东"),
    ("e", "potential", "core", 0.20, 30000.0, None, "华北"),
    ("f", "potential", "potential", 0.30, 8000.0, "bob", "华南"),
    ("g", "low_value", "basic", 0.40, 500.0, "carol", "华南"),
    ("h", "potential", "basic", 0.20, 2000.0, "carol", None),
]


REASONS = {"a": ("order_gap", "complaints_rising"), "b": ("payment_overdue",)}


def _reasons(cid: str) -> str:
    codes = REASONS.get(cid, ("order_gap",))
    return json.dumps([{"code": c, "zh": c, "en": c, "evidence": {}} for c in codes])


def load(ws: Workspace, as_of: date = AS_OF) -> None:
    snapshot(
        ws,
        as_of,
        [
            {
                "customer_id": cid, "name": f"客户{cid}", "rfm_type": rfm, "value_tier": tier,
                "churn_risk": risk, "predicted_clv": clv, "owner": owner, "region": region,
                "expected_purchases": 4.0, "orders_12m": 3,
                "churn_reasons": _reasons(cid),
            }
            for cid, rfm, tier, risk, clv, owner, region in ROWS
        ],
    )  # fmt: skip


@pytest.fixture
def pws(ws: Workspace) -> Workspace:
    customers(ws, [(r[0], f"客户{r[0]}", r[6], r[5]) for r in ROWS])
    ws.settings.plan.managers = {"alice": "wang"}
    ws.settings.plan.region_leads = {"华北": "li"}
    load(ws)
    return ws


def tasks_by_customer(ws: Workspace) -> dict[str, dict]:
    return {t["customer_id"]: t for t in list_tasks(ws)}


def test_plan_matches_playbooks_in_precedence_order(pws: Workspace) -> None:
    res = make_plan(pws)
    assert res.as_of == AS_OF and res.created == 7 and res.existing == 0
    got = {c: t["playbook"] for c, t in tasks_by_customer(pws).items()}
    assert got == {
        "a": "rfm_type.churn_risk",  # rfm type churn_risk
        "b": "value_tier.strategic",  # strategic first; churn_risk 0.70: rescue merged in
        "c": "rfm_type.new",
        "d": "value_tier.strategic",
        "e": "value_tier.core",
        "f": "value_tier.potential",
        "h": "rfm_type.potential",  # basic tier, potential type
    }  # g: low value + basic tier -> standard service, no task
    assert res.by_playbook["rfm_type.churn_risk"] == 1


def test_task_fields_raci_due_period(pws: Workspace) -> None:
    make_plan(pws)
    t = tasks_by_customer(pws)
    assert (t["a"]["owner"], t["a"]["accountable"]) == ("alice", "wang")  # manager of alice
    assert (t["b"]["owner"], t["b"]["accountable"]) == ("bob", "li")  # lead of 华北
    # 华南 has no manager: no placeholder A, the plan says so once
    assert (t["c"]["owner"], t["c"]["accountable"]) == ("carol", None)
    assert t["e"]["owner"] == "li" and t["e"]["accountable"] == "li"  # no owner: the lead
    assert t["a"]["informed"] == "sales_ops"
    # a: risk 0.80 (urgent) with an order gap and rising complaints -> merged measures
    assert [x["code"] for x in t["a"]["actions"]] == [
        "emergency_team", "custom_compensation", "gap_callback", "replenish_offer",
        "complaint_review", "quality_check",
    ]  # fmt: skip
    assert t["a"]["consulted"] == (
        "emergency_team,finance,tech_support,sales_ops,customer_service"
    )  # tech_support = plan.consulted for the call without its own
    assert t["a"]["period"] == "2026-11" and t["c"]["period"] == "once"
    assert t["f"]["period"] == "2026-Q4"
    # urgent and complaints are due within 3 days whatever the band; onboarding within 14
    assert t["a"]["due_date"] == AS_OF + timedelta(days=3)
    assert t["c"]["due_date"] <= AS_OF + timedelta(days=14)
    band_days = {"high": 7, "medium": 14, "low": 30}
    assert t["d"]["due_date"] == AS_OF + timedelta(days=band_days[t["d"]["priority_band"]])
    assert t["b"]["reason"]["trigger"] == "churn_risk"
    assert t["b"]["reason"]["churn_reasons"][0]["code"] == "payment_overdue"
    # b keeps the strategic measures after the overdue payment's finance measures, due in 7 days
    assert [x["code"] for x in t["b"]["actions"]] == [
        "reconcile", "payment_plan", "senior_visit", "custom_plan", "priority_supply",
    ]  # fmt: skip
    assert t["b"]["due_date"] <= AS_OF + timedelta(days=7)
    assert t["a"]["direction_zh"].startswith("挽回")
    assert all(x["status"] == "open" for x in t.values())


def test_unresolved_accountable_warns_once(pws: Workspace) -> None:
    res = make_plan(pws, dry_run=True)
    assert res.no_accountable == 3  # c, f (华南) and h (no region): nobody configured
    assert len(res.warnings) == 1 and "region_leads" in res.warnings[0][1]
    assert "审批人" in res.warnings[0][0]
    pws.settings.plan.region_leads = {"华北": "li", "华南": "zhao"}
    pws.settings.plan.accountable = "chen"  # the company-wide fallback, a real person
    res = make_plan(pws, dry_run=True)
    assert res.no_accountable == 0 and res.warnings == []
    assert set(res.frame["accountable"]) == {"wang", "li", "zhao", "chen"}


def test_manager_users_are_region_leads(pws: Workspace) -> None:
    pws.cursor().execute(
        "INSERT INTO users (user_name, role, region, display_name, active)"
        " VALUES ('zhao', 'manager', '华南', '赵经理', true), ('q', 'rep', '华南', NULL, true)"
    )
    res = make_plan(pws, dry_run=True)
    acc = dict(zip(res.frame["customer_id"], res.frame["accountable"], strict=True))
    assert acc["c"] == acc["f"] == "赵经理" and acc["h"] is None
    assert res.no_accountable == 1


def test_plan_is_idempotent(pws: Workspace) -> None:
    first = make_plan(pws)
    again = make_plan(pws)
    assert again.created == 0 and again.existing == first.created
    assert pws.scalar("SELECT count(*) FROM tasks") == 7
    ids = sorted(t["task_id"] for t in list_tasks(pws))
    assert ids == list(range(1, 8))


def test_next_period_respects_open_and_closed_tasks(pws: Workspace) -> None:
    make_plan(pws)
    t = tasks_by_customer(pws)
    set_status(pws, t["d"]["task_id"], "done", note="visited")
    set_status(pws, t["e"]["task_id"], "cancelled")
    # same month: a done / cancelled task still holds its period
    assert make_plan(pws).created == 0
    later = AS_OF + timedelta(days=31)  # December
    load(pws, later)
    res = make_plan(pws)
    # d and e (monthly, closed) get December's task; a, b (open rescue) keep their open task;
    # c (once) never again; f, h (quarterly, open) -> same quarter anyway
    assert sorted(res.frame["customer_id"]) == ["d", "e"]
    assert set(res.frame["period"]) == {"2026-12"}


def test_dry_run_writes_nothing(pws: Workspace) -> None:
    res = make_plan(pws, dry_run=True)
    assert res.created == 7 and pws.scalar("SELECT count(*) FROM tasks") == 0


def test_plan_as_of_picks_snapshot_and_needs_one(ws: Workspace) -> None:
    with pytest.raises(KehuError):
        make_plan(ws)
    load(ws)
    with pytest.raises(KehuError):
        make_plan(ws, as_of=AS_OF - timedelta(days=1))
    assert make_plan(ws, as_of=AS_OF + timedelta(days=5)).as_of == AS_OF


def test_priority_components_by_hand() -> None:
    frame = pd.DataFrame(
        {
            "value_tier": ["strategic", "core", "basic"],
            "predicted_clv": [1000.0, 5000.0, None],
            "cost": [500.0, 500.0, 100.0],
            "expected_purchases": [2.0, 10.0, 1.0],  # per 52 weeks
            "orders_12m": [4, 4, 4],
            "churn_risk": [0.9, 0.1, None],
            "spend_12m": [None, None, 10000.0],
            "collection_rate": [1.0, 0.725, None],
        }
    )
    out = priority.score(frame, PlanSettings(), ClvSettings())
    assert out["score_strategic_fit"].tolist() == [1.0, 0.75, 0.25]
    # ROI 2x, 10x and (no CLV: the 12-month spend) 100x on log10(x) / log10(100)
    assert out["score_value"].tolist() == pytest.approx([math.log10(2) / 2, 0.5, 1.0])
    # yearly purchases 2 x 365/364 - 4 < 1 x .. - 4 < 10 x .. - 4 -> ranks 0.5, 1.0, 0.0
    assert out["score_growth"].tolist() == [0.5, 1.0, 0.0]
    # collection 100% is no payment risk; 72.5% is half-way to 50%; unknown 0.75
    assert out["score_risk"].tolist() == pytest.approx([1.0, 0.5, 0.75])
    assert out["score_urgency"].tolist() == [0.9, 0.1, 0.0]
    # 100 x (0.3 fit + 0.25 ROI + 0.15 growth + 0.1 risk + 0.2 urgency)
    assert out["priority"].tolist() == [69.3, 57.0, 40.0]
    assert out["priority_band"].tolist() == ["high", "high", "low"]  # cut-offs 55 and 45


def test_tasks_list_filters_and_export(pws: Workspace, tmp_path) -> None:
    make_plan(pws)
    assert {t["customer_id"] for t in list_tasks(pws, owner="carol")} == {"c", "h"}
    prios = [t["priority"] for t in list_tasks(pws)]
    assert prios == sorted(prios, reverse=True)
    set_status(pws, list_tasks(pws, owner="carol")[0]["task_id"], "done")
    assert len(list_tasks(pws, status="done")) == 1
    assert list_tasks(pws, status="done")[0]["closed_at"] is not None
    with pytest.raises(KehuError):
        list_tasks(pws, status="finished")
    with pytest.raises(KehuError):
        set_status(pws, 999, "done")
    n = export_tasks(pws, tmp_path / "t.csv", lang="zh")
    assert n == 7
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["具体措施"] and "负责人(R)" in rows[0]
    assert export_tasks(pws, tmp_path / "t.xlsx", status="open", lang="en") == 6
    assert export_tasks(pws, tmp_path / "t.json") == 7
    assert len(json.loads((tmp_path / "t.json").read_text("utf-8"))) == 7
    with pytest.raises(KehuError):
        export_tasks(pws, tmp_path / "t.pdf")


def test_playbook_overrides_and_errors(tmp_path) -> None:
    s = settings_from_dict(
        {"playbooks": {"value_tier": {"core": {"direction_zh": "重点维护", "cadence": "quarter"}}}}
    )
    books = load_playbooks(s)
    assert books["value_tier.core"].direction_zh == "重点维护"
    assert books["value_tier.core"].cadence == "quarter"
    assert books["value_tier.core"].direction_en.startswith("Maintain")  # default kept
    extra = tmp_path / "pb.toml"
    extra.write_text(
        '[rfm_type.new]\ndirection_en = "Welcome"\n'
        '[[rfm_type.new.actions]]\ncode = "gift"\nzh = "礼品"\nen = "Gift"\ncost = 10\n',
        encoding="utf-8",
    )
    s = settings_from_dict({"plan": {"playbook_file": "pb.toml"}})
    books = load_playbooks(s, tmp_path)
    assert books["rfm_type.new"].direction_en == "Welcome"
    assert [a.code for a in books["rfm_type.new"].actions] == ["gift"]
    assert books["rfm_type.new"].yearly_cost == 10.0  # once a year at most
    with pytest.raises(ConfigError):
        load_playbooks(settings_from_dict({"playbooks": {"value_tier": {"gold": {}}}}))
    with pytest.raises(ConfigError):
        load_playbooks(settings_from_dict({"plan": {"precedence": ["value_tier.gold"]}}))
    with pytest.raises(ConfigError):
        settings_from_dict({"playbooks": {"segment": {}}})
    with pytest.raises(ConfigError):
        load_playbooks(settings_from_dict({"plan": {"playbook_file": "missing.toml"}}), tmp_path)


def test_lost_customers_skipped_and_owner_cap(pws: Workspace) -> None:
    snapshot(pws, AS_OF, [{"customer_id": "z", "rfm_type": "churn_risk", "churn_risk": 0.95,
                           "lifecycle": "lost", "owner": "alice"}])  # fmt: skip
    pws.settings.plan.max_open_per_owner = 1
    res = make_plan(pws)
    # z is lost: no task. alice has a and d (华东, alone), bob b (华北) and f (华南), carol c
    # (华南) and h (no region), li e (华北 lead): one open task each, nobody else has room
    assert "z" not in set(res.frame["customer_id"])
    assert res.created == 4 and res.deferred == 3
    assert sum(res.deferred_by_owner.values()) == 3 and res.deferred_by_owner["alice"] == 1
    assert any("max_open_per_owner" in en for _, en in res.warnings)
    counts = pd.Series([t["owner"] for t in list_tasks(pws)]).value_counts()
    assert counts.max() == 1
    alice = list_tasks(pws, owner="alice")
    assert len(alice) == 1
    set_status(pws, alice[0]["task_id"], "done")
    again = make_plan(pws)
    assert again.created == 1 and again.deferred == 2  # alice has room again; bob, carol not


def test_balance_moves_overflow_to_the_region_reps() -> None:
    new = pd.DataFrame(
        {
            "customer_id": ["t1", "t2", "t3", "t4"],
            "priority": [90.0, 80.0, 70.0, 60.0],
            "owner": ["x", "x", "x", "z"],
            "region": ["R", "R", "R", "S"],
        }
    )
    team = Team({}, {"R": "boss"}, {"R": ["x", "y"], "S": ["z"]})
    plan = PlanSettings(max_open_per_owner=2)
    out, deferred = balance(new, {"y": 1}, team, plan)
    assert dict(zip(out["customer_id"], out["owner"], strict=True)) == {
        "t1": "x", "t2": "x", "t3": "y", "t4": "z",
    }  # fmt: skip
    assert deferred == {} and set(out["accountable"]) == {"boss", None}
    out, deferred = balance(new, {"y": 2}, team, PlanSettings(max_open_per_owner=1))
    assert list(out["customer_id"]) == ["t1", "t4"] and deferred == {"x": 2}
