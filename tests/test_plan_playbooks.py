"""Playbooks by the seed's table, and reason-specific rescue measures merged into one task."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pandas as pd
import pytest

from kehu.analytics.churn.reasons import TEMPLATES
from kehu.analytics.labels import codes
from kehu.config import Settings
from kehu.planning import rescue
from kehu.planning.owners import Team
from kehu.planning.plan import build_tasks
from kehu.planning.playbook import load_playbooks

AS_OF = date(2026, 11, 30)
TEAM = Team({}, {"华东": "周建华"}, {"华东": ["alice"]})
# the seed's strategy direction (分层策略) each playbook must carry
SEED_DIRECTION = {
    "value_tier.strategic": "深化合作",
    "rfm_type.high_value": "深化合作",
    "rfm_type.churn_risk": "挽回",
    "rfm_type.new": "新客培育",
    "value_tier.core": "重点维护",
    "value_tier.potential": "针对性培育",
    "rfm_type.potential": "针对性培育",
}


def seed_playbook(rfm: str, tier: str, lifecycle: str) -> str | None:
    """The seed's table as a test oracle: 战略级/高价值 first, basic / low value get no task;
    lost, lost-for-good and non-customers get none either."""
    if lifecycle in ("lost", "lost_forever", "non_customer"):
        return None
    if tier == "strategic":
        return "value_tier.strategic"
    if rfm == "high_value":
        return "rfm_type.high_value"
    if rfm in ("churn_risk", "new"):
        return f"rfm_type.{rfm}"
    if tier in ("core", "potential"):
        return f"value_tier.{tier}"
    return "rfm_type.potential" if rfm == "potential" else None


def frame(rows: list[dict]) -> pd.DataFrame:
    base = {
        "name": "客户", "owner": "alice", "region": "华东", "predicted_clv": 50_000.0,
        "expected_purchases": 6.0, "orders_12m": 5, "spend_12m": 80_000.0,
        "collection_rate": 0.98, "budget_growth": 0.05, "churn_risk": 0.1, "churn_reasons": None,
    }  # fmt: skip
    return pd.DataFrame([{**base, **r} for r in rows])


def test_every_type_tier_lifecycle_gets_the_seed_playbook() -> None:
    s = Settings()
    books = load_playbooks(s)
    combos = list(itertools.product(codes("rfm_type"), codes("value_tier"), codes("lifecycle")))
    rows = [
        {"customer_id": f"{r}|{t}|{lc}", "rfm_type": r, "value_tier": t, "lifecycle": lc}
        for r, t, lc in combos
    ]
    out = build_tasks(frame(rows), books, s, AS_OF, TEAM)
    got = dict(zip(out["customer_id"], out["playbook"], strict=True))
    for r, t, lc in combos:
        assert got.get(f"{r}|{t}|{lc}") == seed_playbook(r, t, lc), (r, t, lc)
    for key, direction in SEED_DIRECTION.items():
        assert direction in books[key].direction_zh, key
    assert set(out["playbook"]) == set(SEED_DIRECTION)
    # basic / low value: the seed's standard service exists as a playbook, but no task
    assert "标准化服务" in books["value_tier.basic"].direction_zh
    assert "标准化服务" in books["rfm_type.low_value"].direction_zh


def test_high_risk_keeps_the_higher_playbook_and_merges_the_rescue() -> None:
    s = Settings()
    reasons = json.dumps([{"code": "complaints_rising"}, {"code": "nps_detractor"}])
    rows = [
        {"customer_id": "hv", "rfm_type": "high_value", "value_tier": "core",
         "lifecycle": "loyal", "churn_risk": 0.7, "churn_reasons": reasons},
        {"customer_id": "low", "rfm_type": "low_value", "value_tier": "basic",
         "lifecycle": "at_risk", "churn_risk": 0.65, "churn_reasons": reasons},
    ]  # fmt: skip
    out = build_tasks(frame(rows), load_playbooks(s), s, AS_OF, TEAM).set_index("customer_id")
    assert out.loc["hv", "playbook"] == "rfm_type.high_value"
    assert out.loc["low", "playbook"] == "rfm_type.churn_risk"  # matched by the risk alone
    hv = [a["code"] for a in json.loads(out.loc["hv", "actions"])]
    assert hv == ["complaint_review", "quality_check", "detractor_callback", "improvement_plan",
                  "senior_visit", "custom_plan", "priority_supply"]  # fmt: skip
    low = [a["code"] for a in json.loads(out.loc["low", "actions"])]
    assert low == hv[:4]  # the rescue replaces the generic win-back measures
    assert (out["trigger"] == "churn_risk").all()
    assert (out["due_date"] <= pd.Timestamp(AS_OF) + pd.Timedelta(days=3)).all()  # complaints


def test_every_churn_reason_code_has_its_own_measures() -> None:
    _, _, by_code = rescue.rescue_book()
    assert set(by_code) == set(TEMPLATES)  # rule and model reason codes alike
    rules = ("order_gap", "single_order_gap", "order_drop", "interaction_drop",
             "complaints_rising", "nps_detractor", "payment_overdue")  # fmt: skip
    measures = {code: tuple(a.code for a in by_code[code][0]) for code in rules}
    assert len(set(measures.values())) == len(rules)  # no two rules share their measures
    assert {a.consulted for a in by_code["payment_overdue"][0]} == {"finance"}
    assert "customer_service" in {a.consulted for a in by_code["complaints_rising"][0]}
    assert by_code["complaints_rising"][1] < by_code["interaction_drop"][1]


@pytest.mark.parametrize("urgent", [False, True])
def test_several_reasons_merge_into_one_set_of_measures(urgent: bool) -> None:
    found = rescue.merge(("payment_overdue", "payment_delay", "order_gap", "unknown"), urgent)
    got = [a.code for a in found.actions]
    lead = ["emergency_team", "custom_compensation"] if urgent else []
    assert got == [*lead, "reconcile", "payment_plan", "gap_callback", "replenish_offer"]
    assert found.due_days == (3 if urgent else 7)
    assert found.codes == ("payment_overdue", "payment_delay", "order_gap")
    assert rescue.merge(("unknown",), False).due_days is None


def test_reason_codes_read_the_snapshot_json() -> None:
    text = json.dumps([{"code": "order_gap", "zh": "…"}, {"zh": "no code"}, "x"])
    assert rescue.reason_codes(text) == ("order_gap",)
    assert rescue.reason_codes(None) == () and rescue.reason_codes("not json") == ()
    assert rescue.reason_codes('{"code": "order_gap"}') == ()
