"""Control groups of `kehu plan`: the hold-out draw, its record and the coherence rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_plan_data import customers, snapshot

from kehu.errors import ConfigError
from kehu.planning import control
from kehu.planning.plan import make_plan
from kehu.planning.tasks import list_tasks
from kehu.workspace import Workspace

AS_OF = date(2026, 11, 20)
N_RISK, N_HIGH, N_NEW = 300, 60, 10  # churn-risk, high-value (protected), new (too few)


def _rows() -> list[tuple[str, str, str, float]]:
    rows = [(f"r{i:03d}", "churn_risk", "core", 0.7) for i in range(N_RISK)]
    rows += [(f"h{i:03d}", "high_value", "core", 0.1) for i in range(N_HIGH)]
    rows += [(f"n{i:03d}", "new", "basic", 0.1) for i in range(N_NEW)]
    return rows


def load(ws: Workspace, as_of: date) -> None:
    snapshot(
        ws,
        as_of,
        [
            {"customer_id": cid, "name": cid, "rfm_type": rfm, "value_tier": tier,
             "churn_risk": risk, "predicted_clv": 5000.0, "owner": "alice", "region": "华东",
             "expected_purchases": 2.0, "orders_12m": 2, "churn_reasons": "[]"}
            for cid, rfm, tier, risk in _rows()
        ],
    )  # fmt: skip


@pytest.fixture
def cws(ws: Workspace) -> Workspace:
    customers(ws, [(c, c, "华东", "alice") for c, *_ in _rows()])
    load(ws, AS_OF)
    return ws


def arms(ws: Workspace, as_of: date = AS_OF) -> dict[tuple[str, str], str]:
    rows = ws.read(
        "SELECT customer_id, playbook, arm FROM plan_arms WHERE as_of = ?", [as_of]
    ).fetchall()
    return {(c, p): a for c, p, a in rows}


def test_control_customers_get_no_task_and_every_eligible_arm_is_recorded(
    cws: Workspace,
) -> None:
    res = make_plan(cws)
    recorded = arms(cws)
    held = {c for (c, p), a in recorded.items() if a == control.CONTROL}
    tasked = {t["customer_id"] for t in list_tasks(cws)}
    assert len(recorded) == N_RISK + N_HIGH + N_NEW  # every eligible customer, both arms
    assert held and not held & tasked
    assert tasked | held == {c for c, *_ in _rows()}
    assert res.held_out == {"rfm_type.churn_risk": len(held)}
    assert res.created == N_RISK + N_HIGH + N_NEW - len(held) == res.candidates
    # 10 % of 300 customers: a binomial count within ±4 standard deviations (sd ≈ 5.2)
    assert 9 <= len(held) <= 51
    assert all(c.startswith("r") for c in held)  # protected and too-small playbooks keep all


def test_a_re_plan_and_a_later_plan_keep_every_customer_in_its_arm(cws: Workspace) -> None:
    make_plan(cws)
    first = arms(cws)
    make_plan(cws)
    assert arms(cws) == first
    later = date(2026, 12, 20)
    load(cws, later)
    make_plan(cws, later)
    assert arms(cws, later) == first


def test_shares_per_playbook_zero_and_protection_are_configurable(cws: Workspace) -> None:
    plan = cws.settings.plan
    plan.control_share = 0.0
    plan.control_shares = {"rfm_type.high_value": 0.5}
    plan.control_protected = []
    res = make_plan(cws)
    assert set(res.held_out) == {"rfm_type.high_value"}
    assert 10 <= res.held_out["rfm_type.high_value"] <= 50  # half of 60, ±5 sd
    plan.control_shares = {}
    assert make_plan(cws).held_out == {}  # 0 holds out nobody
    assert set(arms(cws).values()) == {control.TREATED}


def test_dry_run_records_no_arms(cws: Workspace) -> None:
    res = make_plan(cws, dry_run=True)
    assert res.held_out and not arms(cws)


def test_an_unknown_playbook_in_the_control_settings_is_a_config_error(cws: Workspace) -> None:
    cws.settings.plan.control_shares = {"rfm_type.nope": 0.2}
    with pytest.raises(ConfigError, match="rfm_type.nope"):
        make_plan(cws)


@given(st.integers(0, 2**31), st.text(min_size=1, max_size=12), st.text(max_size=12))
def test_the_draw_is_a_fixed_uniform_number(seed: int, playbook: str, customer: str) -> None:
    u = control.draw(seed, playbook, customer)
    assert 0.0 <= u < 1.0
    assert u == control.draw(seed, playbook, customer)


def test_the_draw_is_uniform_over_customers() -> None:
    draws = [control.draw(0, "rfm_type.churn_risk", f"c{i}") for i in range(20_000)]
    for cut in (0.1, 0.5):  # share below the cut within ±4 sd of a binomial
        below = sum(u < cut for u in draws) / len(draws)
        assert abs(below - cut) < 4 * (cut * (1 - cut) / len(draws)) ** 0.5
    assert control.draw(1, "rfm_type.churn_risk", "c0") != draws[0]  # the seed redraws
