"""The planning commands end to end through the CLI (plan, tasks, kpis, goals, targets)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from test_plan import ROWS, load
from test_plan_data import customers, orders
from typer.testing import CliRunner

from kehu.cli import app
from kehu.errors import KehuError
from kehu.workspace import Workspace


@pytest.fixture
def wdir(tmp_path: Path) -> str:
    ws = Workspace.init(tmp_path / "ws")
    customers(ws, [(r[0], f"客户{r[0]}", r[6], r[5]) for r in ROWS])
    orders(
        ws,
        [
            ("o1", "a", date(2026, 8, 3), 1000),
            ("o2", "b", date(2026, 9, 4), 2000),
            ("o3", "d", date(2026, 10, 5), 3000),
            ("o4", "c", date(2026, 11, 6), 500),
        ],
    )
    load(ws)
    ws.close()
    return str(tmp_path / "ws")


def run(wdir: str, *args: str) -> str:
    res = CliRunner().invoke(app, ["-w", wdir, "--lang", "en", *args])
    assert res.exit_code == 0, (res.output, res.exception)
    return res.output


def test_plan_and_tasks(wdir: str, tmp_path: Path) -> None:
    out = run(wdir, "plan")
    assert "created 7 tasks" in out and "Top new tasks" in out
    # nobody is configured as a manager here: one loud warning, no placeholder A; e has no
    # owner and no region manager either (the second warning)
    flat = out.replace("\n", " ")
    assert out.count("Warning:") == 2 and flat.count("no accountable (A)") == 1
    assert "7 tasks have no accountable" in flat and "[plan] region_leads" in flat
    assert "already covered" in run(wdir, "plan")
    again = json.loads(run(wdir, "plan", "--json"))
    assert again["created"] == 0 and again["warnings"] == []  # nothing new, nothing to warn
    tasks = json.loads(run(wdir, "tasks", "list", "--json"))
    assert len(tasks) == 7
    tid = str(tasks[0]["task_id"])
    assert "done" in run(wdir, "tasks", "done", tid, "--note", "called")
    assert len(json.loads(run(wdir, "tasks", "list", "--status", "open", "--json"))) == 6
    assert "cancelled" in run(wdir, "tasks", "cancel", str(tasks[1]["task_id"]))
    run(wdir, "tasks", "export", "-o", str(tmp_path / "t.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert sheet["A1"].value == "task id" and sheet.max_row == 8
    headers = [c.value for c in sheet[1]]
    factors = sheet.cell(2, headers.index("priority factors") + 1).value
    assert factors.startswith("strategic fit ") and "churn urgency" in factors
    mine = json.loads(run(wdir, "tasks", "list", "--owner", "alice", "--json"))
    assert {t["customer_id"] for t in mine} == {"a", "d"}
    assert "ID" in run(wdir, "tasks", "list", "--owner", "alice")
    shown = run(wdir, "playbooks")
    assert "Playbooks" in shown and "Rescue measures by churn reason" in shown
    assert "Overdue payment" in shown and "order_gap" not in shown  # names, not codes
    assert len(json.loads(run(wdir, "playbooks", "--json"))) == 9


def test_kpis_goals_targets(wdir: str, tmp_path: Path) -> None:
    rows = json.loads(run(wdir, "kpis", "--from", "2026-08-01", "--json"))
    rev = {r["period"]: r["value"] for r in rows if r["kpi"] == "revenue"}
    assert rev == {"2026-08": 1000, "2026-09": 2000, "2026-10": 3000, "2026-11": 500}
    table = run(wdir, "kpis", "--by", "region", "--kpi", "revenue", "--period", "year")
    assert "Revenue" in table and "华东" in table
    out = run(wdir, "goals", "add", "--metric", "revenue", "--target", "+10%", "--period",
              "2026-Q4", "--owner", "alice", "--json")  # fmt: skip
    goal = json.loads(out)
    assert goal["baseline"] == 3000 and goal["target"] == pytest.approx(3300)
    assert "Revenue" in run(wdir, "goals", "list")
    prog = json.loads(run(wdir, "goals", "progress", "1", "--as-of", "2026-11-30", "--json"))
    assert prog[0]["actual"] == 3500 and prog[0]["status"] == "achieved"
    assert "Per period" in run(wdir, "goals", "progress", "1", "--as-of", "2026-11-30")
    xlsx = tmp_path / "split.xlsx"
    res = json.loads(
        run(wdir, "targets", "split", "--total", "3000", "--period", "2026-Q4", "--by",
            "owner", "--weights", "history=1", "-o", str(xlsx), "--json")
    )  # fmt: skip
    targets = {r["unit"]: r["target"] for r in res["rows"]}
    assert targets == {"alice": "1000", "bob": "2000", "carol": "0"}  # carol: potential only
    assert xlsx.exists()
    prog = json.loads(run(wdir, "targets", "progress", "--as-of", "2026-11-30", "--json"))
    # Q4 sales to date: alice's d 3000, carol's c 500, bob none
    assert {r["unit"]: r["actual"] for r in prog} == {"alice": 3000, "bob": 0, "carol": 500}
    assert "attainment" in run(wdir, "targets", "progress")
    assert "removed" in run(wdir, "goals", "remove", "1")


def test_user_errors_are_kehu_errors(wdir: str) -> None:
    res = CliRunner().invoke(app, ["-w", wdir, "kpis", "--period", "week"])
    assert isinstance(res.exception, KehuError)
    res = CliRunner().invoke(app, ["-w", wdir, "targets", "split", "--total", "x",
                                   "--period", "2026-Q4"])  # fmt: skip
    assert isinstance(res.exception, KehuError)
