"""Rep capacity: new tasks stay with their owner while there is room, else go to the rep of
the region with the lowest load share, else are left out and reported."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_plan import pws  # noqa: F401  (fixture)

from kehu.config import CapacitySettings, PlanSettings
from kehu.planning import capacity
from kehu.planning.owners import Team
from kehu.planning.plan import make_plan
from kehu.workspace import Workspace

TEAM = Team(managers={}, region_leads={"华东": "wang"}, reps={"华东": ["alice", "bob"]})


def _new(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "owner", "priority", "playbook"])
    return frame.assign(region="华东", due_date=pd.Timestamp("2026-12-10"))


def test_tasks_move_to_the_rep_with_room_and_the_rest_is_reported() -> None:
    new = _new([(f"a{i}", "alice", 100 - 10 * i, "value_tier.core") for i in range(1, 5)])
    cap = CapacitySettings(per_rep=2)
    kept, left, rows = capacity.fit(new, {("alice", "2026-12"): 1.0}, TEAM, cap, PlanSettings())
    assert dict(zip(kept["customer_id"], kept["owner"], strict=True)) == {
        "a1": "alice", "a2": "bob", "a3": "bob",
    }  # fmt: skip
    assert set(kept["accountable"]) == {"wang"}  # A follows the new owner's region lead
    assert list(left["customer_id"]) == ["a4"]
    assert list(left["detail"]) == ["alice 2026-12 2/2 tasks"]
    assert rows == [
        {"owner": "alice", "period": "2026-12", "unit": "tasks", "capacity": 2.0,
         "open_load": 1.0, "new_load": 1.0, "left_out": 1, "left_out_load": 1.0},
        {"owner": "bob", "period": "2026-12", "unit": "tasks", "capacity": 2.0,
         "open_load": 0.0, "new_load": 2.0, "left_out": 0, "left_out_load": 0.0},
    ]  # fmt: skip


def test_hours_per_playbook_and_a_reps_own_capacity() -> None:
    new = _new([("s1", "alice", 90, "value_tier.strategic"), ("c1", "alice", 80, "value_tier.core"),
                ("c2", "alice", 70, "value_tier.core")])  # fmt: skip
    cap = CapacitySettings(unit="hours", per_rep=6, reps={"bob": 0},
                           hours={"value_tier.strategic": 5.0}, default_hours=2.0)  # fmt: skip
    kept, left, rows = capacity.fit(new, {}, TEAM, cap, PlanSettings())
    # alice: 5 h (s1) then 2 h would be 7 > 6; bob has no limit (0): c1 and c2 go to him
    assert dict(zip(kept["customer_id"], kept["owner"], strict=True)) == {
        "s1": "alice", "c1": "bob", "c2": "bob",
    }  # fmt: skip
    assert left.empty
    assert [(r["owner"], r["new_load"], r["capacity"]) for r in rows] == [
        ("alice", 5.0, 6.0), ("bob", 4.0, None),
    ]  # fmt: skip


def test_no_capacity_set_changes_nothing() -> None:
    new = _new([("a1", "alice", 90, "value_tier.core")])
    kept, left, rows = capacity.fit(new, {}, TEAM, CapacitySettings(), PlanSettings())
    assert kept is new and left.empty and rows == []


def test_the_plan_records_capacity(pws: Workspace) -> None:  # noqa: F811
    pws.settings.capacity.per_rep = 1
    res = make_plan(pws)
    got = pws.rows("SELECT owner, period, new_load, left_out FROM plan_capacity")
    assert got and all(new <= 1 for _, _, new, _ in got)  # nobody over capacity in a month
    assert res.left_out_capacity == sum(int(n) for *_, n in got) > 0
    left = pws.scalar("SELECT count(*) FROM plan_left_out WHERE reason = 'capacity'")
    assert left == res.left_out_capacity
    assert any("capacity" in en for _, en in res.warnings)
    assert res.created + res.left_out_capacity == res.candidates
    assert date.today()  # keeps the import honest
    with pytest.raises(ValueError):
        CapacitySettings(per_rep=-1)


def test_budget_command_shows_capacity(pws: Workspace) -> None:  # noqa: F811
    import json

    from typer.testing import CliRunner

    from kehu.cli import app

    pws.settings.capacity.per_rep = 1
    make_plan(pws)
    root = str(pws.root)
    pws.close()
    (pws.root / "kehu.toml").write_text("[capacity]\nper_rep = 1.0\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["-w", root, "budget", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["capacity"] and {r["reason"] for r in data["left_out"]} == {"capacity"}
    text = CliRunner().invoke(app, ["-w", root, "--lang", "en", "budget"])
    assert "Rep capacity" in text.output and "at capacity" in text.output
