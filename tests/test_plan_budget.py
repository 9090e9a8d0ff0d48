"""The plan's budget: over-budget groups drop their new tasks lowest priority first."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_plan import ROWS, load, pws  # noqa: F401  (pws: fixture)
from test_plan_data import customers
from typer.testing import CliRunner

from kehu.cli import app
from kehu.config import settings_from_dict
from kehu.errors import ConfigError
from kehu.planning import budget
from kehu.planning.plan import make_plan
from kehu.planning.tasks import list_tasks
from kehu.workspace import Workspace


def _new(rows: list[tuple[str, str, str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["customer_id", "playbook", "value_tier", "region", "priority", "cost"]
    )


def test_region_over_budget_drops_lowest_priority_first() -> None:
    new = _new(
        [
            ("a", "value_tier.core", "core", "华东", 80.0, 400.0),
            ("b", "value_tier.core", "core", "华东", 60.0, 300.0),
            ("c", "value_tier.core", "core", "华东", 40.0, 200.0),
            ("d", "value_tier.core", "core", "华东", 20.0, 100.0),
            ("e", "value_tier.core", "core", "华北", 10.0, 999.0),  # no limit on 华北
        ]
    )
    # 华东 spends 250 on open tasks + 1000 new = 1250 against 900: over by 350.
    # Lowest first: d (100) leaves 1150 > 900, c (200) leaves 950 > 900, b (300) leaves 650.
    kept, dropped, over = budget.fit(new, {("region", "华东"): 250.0}, {("region", "华东"): 900.0})
    assert list(kept["customer_id"]) == ["a", "e"]
    assert list(dropped["customer_id"]) == ["d", "c", "b"]
    assert set(dropped["detail"]) == {"region.华东"}
    (o,) = over
    assert (o.group, o.key, o.budget, o.committed, o.planned) == ("region", "华东", 900, 250, 1000)
    assert (o.over_by, o.dropped, o.dropped_cost, o.still_over) == (350.0, 3, 600.0, 0.0)


def test_a_task_in_two_groups_and_free_tasks() -> None:
    new = _new(
        [
            ("a", "value_tier.core", "core", "华东", 90.0, 500.0),
            ("b", "value_tier.strategic", "strategic", "华北", 50.0, 500.0),
            ("c", "value_tier.core", "core", "华北", 30.0, 0.0),  # costs nothing: never dropped
            ("d", "value_tier.core", "core", "华北", 30.0, 100.0),
        ]
    )
    caps = {("tier", "core"): 550.0, ("region", "华北"): 10_000.0}
    kept, dropped, over = budget.fit(new, {}, caps)
    # core: 600 > 550 -> d (lowest with cost; c ties on priority but is free) goes, 500 fits
    assert list(dropped["customer_id"]) == ["d"] and list(dropped["detail"]) == ["tier.core"]
    assert list(kept["customer_id"]) == ["a", "b", "c"]
    assert [(o.group, o.key, o.over_by) for o in over] == [("tier", "core", 50.0)]


def test_open_tasks_alone_over_budget_say_so() -> None:
    new = _new([("a", "value_tier.core", "core", "华东", 90.0, 100.0)])
    kept, dropped, (o,) = budget.fit(new, {("tier", "core"): 800.0}, {("tier", "core"): 500.0})
    assert kept.empty and list(dropped["customer_id"]) == ["a"]
    assert (o.over_by, o.still_over) == (400.0, 300.0)


def test_unknown_budget_key_names_the_nearest() -> None:
    s = settings_from_dict({"budget": {"tier": {"strategc": 100.0}}})
    with pytest.raises(ConfigError) as err:
        budget.limits(s.budget, {"value_tier.strategic"})
    assert "budget.tier.strategc" in err.value.en and "strategic" in err.value.en
    with pytest.raises(ConfigError):
        settings_from_dict({"budget": {"region": {"华东": -1.0}}})


def test_plan_over_budget_drops_and_records(pws: Workspace) -> None:  # noqa: F811
    free = make_plan(pws, dry_run=True).frame
    south = free[free["region"] == "华南"].sort_values("priority")
    assert len(south) == 2  # c (new) and f (potential)
    low, high = south.iloc[0], south.iloc[1]
    pws.settings.budget.region = {"华南": float(high["cost"])}  # room for the higher one only
    res = make_plan(pws)
    assert res.left_out_budget == 1 and res.created == len(free) - 1
    (o,) = res.over_budget
    assert o.dropped == 1 and o.over_by == pytest.approx(low["cost"], abs=0.01)
    assert any("region.华南" in en and "lowest priority first" in en for _, en in res.warnings)
    tasks = {t["customer_id"] for t in list_tasks(pws)}
    assert low["customer_id"] not in tasks and high["customer_id"] in tasks
    left = pws.rows("SELECT customer_id, reason, detail, cost FROM plan_left_out")
    assert left == [(low["customer_id"], "budget", "region.华南", pytest.approx(low["cost"]))]
    # a re-run keeps it out (the kept task is now open and counts) and records it once
    again = make_plan(pws)
    assert again.created == 0 and again.left_out_budget == 1
    assert pws.scalar("SELECT count(*) FROM plan_left_out") == 1


def test_budget_command_shows_groups_and_left_out(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    customers(ws, [(r[0], f"客户{r[0]}", r[6], r[5]) for r in ROWS])
    load(ws)
    ws.close()
    (tmp_path / "ws" / "kehu.toml").write_text('[budget.region]\n"华南" = 1.0\n', encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["-w", str(tmp_path / "ws"), "--lang", "en", "plan"])
    assert first.exit_code == 0, first.output
    assert "budget region.华南" in first.output
    res = runner.invoke(app, ["-w", str(tmp_path / "ws"), "--lang", "en", "budget", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [(b["group"], b["key"], b["budget"]) for b in data["budget"]] == [
        ("region", "华南", 1.0)
    ]
    assert {r["customer_id"] for r in data["left_out"]} == {"c", "f"}  # both 华南 tasks cost > 1
    assert {r["reason"] for r in data["left_out"]} == {"budget"}
    text = runner.invoke(app, ["-w", str(tmp_path / "ws"), "--lang", "zh", "budget"])
    assert text.exit_code == 0 and "超出预算 region.华南" in text.output
