"""Which tasks, goals and targets a scope sees (`kehu.planning.visibility`), through `Kehu`:
the rules the CLI and the web share, checked against rows whose owners are known."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kehu.access.scope import Scope
from kehu.app import Kehu
from kehu.errors import AccessDenied, NotFoundError
from kehu.planning.visibility import visible_gaps, visible_goals
from kehu.workspace import Workspace

ADMIN = Scope(user="boss", role="admin")
EAST = Scope(user="wang", role="manager", regions=("华东",))
ZHANG = Scope(user="zhang", role="rep", owners=("张伟",))
VIEWER = Scope(user="v", role="rep", owners=("张伟",), read_only=True)


@pytest.fixture
def k(ws: Workspace) -> Kehu:
    """Customers C1 (华东, 张伟), C2 (华东, 李娜), C3 (华北, 赵强); a task on each, one of them
    overdue and one done; targets of every kind of unit."""
    past = date.today() - timedelta(days=3)
    with ws.transaction() as cur:
        for cid, region, owner in (("C1", "华东", "张伟"), ("C2", "华东", "李娜"),
                                   ("C3", "华北", "赵强")):  # fmt: skip
            cur.execute(
                "INSERT INTO customers (customer_id, name, region, owner) VALUES (?, ?, ?, ?)",
                [cid, "客户" + cid, region, owner],
            )
        tasks = ((1, "C1", "open", past), (2, "C2", "open", None), (3, "C3", "done", None),
                 (4, "C1", "done", None))  # fmt: skip
        for tid, cid, status, due in tasks:
            cur.execute(
                "INSERT INTO tasks (task_id, customer_id, playbook, period, status, due_date)"
                " VALUES (?, ?, 'p', '2026-12', ?, ?)",
                [tid, cid, status, due],
            )
        for tid, region, owner, cid in (("T0", None, None, None), ("T1", "华东", None, None),
                                        ("T2", None, "张伟", None), ("T3", None, None, "C2"),
                                        ("T4", "华北", "赵强", None)):  # fmt: skip
            cur.execute(
                "INSERT INTO targets (source, target_id, period, region, owner, customer_id,"
                " amount) VALUES ('plan', ?, '2026', ?, ?, ?, 1000)",
                [tid, region, owner, cid],
            )
    return Kehu(ws, "tester")


def test_task_counts_and_updates_follow_the_scope(k: Kehu) -> None:
    assert k.task_counts() == {"open": 2, "overdue": 1, "done": 2}
    assert k.task_counts(scope=ADMIN) == k.task_counts()
    assert k.task_counts(scope=EAST) == {"open": 2, "overdue": 1, "done": 1}
    assert k.task_counts(scope=ZHANG) == {"open": 1, "overdue": 1, "done": 1}
    with pytest.raises(NotFoundError):  # 李娜's task reads as unknown to 张伟
        k.set_task_status(2, "done", scope=ZHANG)
    with pytest.raises(AccessDenied):  # a viewer may read, never write
        k.set_task_status(1, "done", scope=VIEWER)
    assert k.set_task_status(1, "done", "打过电话", scope=ZHANG)["status"] == "done"
    assert k.task_counts(scope=ZHANG) == {"open": 0, "overdue": 0, "done": 2}


def test_target_rows_by_unit(k: Kehu) -> None:
    assert k.target_periods() == ["2026"]
    every = {r["target_id"] for r in k.target_progress("2026")}
    assert every == {"T0", "T1", "T2", "T3", "T4"}
    seen = {s.user: {r["target_id"] for r in k.target_progress("2026", scope=s)}
            for s in (ADMIN, EAST, ZHANG)}  # fmt: skip
    assert seen["boss"] == every
    # the manager: the company total, the region, an owner selling there, a customer there
    assert seen["wang"] == {"T0", "T1", "T2", "T3"}
    assert seen["zhang"] == {"T2"}  # own name only: not the total, not 李娜's customer


def test_goals_and_gaps(k: Kehu) -> None:
    goals = [
        {"goal_id": 1, "scope_key": None, "scope_value": None, "owner": "boss"},
        {"goal_id": 2, "scope_key": "region", "scope_value": "华东", "owner": "wang"},
        {"goal_id": 3, "scope_key": "region", "scope_value": "华北", "owner": "x"},
        {"goal_id": 4, "scope_key": "owner", "scope_value": "张伟", "owner": "x"},
        {"goal_id": 5, "scope_key": "owner", "scope_value": "赵强", "owner": "wang"},
    ]
    gaps = [{"period": "2026", "unit": "华东"}, {"period": "2026", "unit": "华北"}]

    def ids(scope: Scope) -> list[int]:
        return [g["goal_id"] for g in visible_goals(k.ws, goals, scope)]

    assert ids(ADMIN) == [1, 2, 3, 4, 5]
    assert ids(ZHANG) == [1, 4]
    # the company, the region, an owner selling there (张伟), and the manager's own goal
    assert ids(EAST) == [1, 2, 4, 5]
    assert visible_gaps(gaps, EAST) == gaps[:1]
    assert visible_gaps(gaps, ZHANG) == [] and visible_gaps(gaps, None) == gaps
