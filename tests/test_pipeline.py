"""`kehu run` end to end on a small inbox, and the cron loop of `kehu schedule`."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kehu.config import settings_from_dict
from kehu.errors import KehuError
from kehu.jobs.inbox import kind_of
from kehu.jobs.pipeline import run_pipeline
from kehu.jobs.schedule import run_schedule
from kehu.workspace import Workspace


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _inbox(ws: Workspace, n: int = 40) -> Path:
    rng = random.Random(5)
    inbox = ws.root / ws.settings.ingest.watch_dir
    _write(
        inbox / "customers_2026.csv",
        [
            {
                "customer_id": f"K{i:03d}",
                "name": f"测试客户{i}有限公司",
                "owner": ["张伟", "李娜"][i % 2],
                "region": ["华东", "华北"][i % 2],
            }
            for i in range(n)
        ],
    )
    orders = []
    for i in range(n):
        day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 60))
        while day < date(2026, 9, 1) - timedelta(days=(i % 4) * 200):
            orders.append(
                {
                    "order_id": f"O{len(orders)}",
                    "customer_id": f"K{i:03d}",
                    "order_date": day.isoformat(),
                    "amount": rng.randint(2, 90) * 1000,
                }
            )
            day += timedelta(days=rng.randint(10, 90))
    _write(inbox / "orders" / "ledger.csv", orders)
    (inbox / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return inbox


def test_kind_detection(tmp_path: Path) -> None:
    patterns = settings_from_dict({}).schedule.kind_patterns
    assert kind_of(tmp_path / "orders" / "x.csv", tmp_path, patterns) == "orders"
    assert kind_of(tmp_path / "客户档案.xlsx", tmp_path, patterns) == "customers"
    assert kind_of(tmp_path / "Tickets-2026.csv", tmp_path, patterns) == "tickets"
    assert kind_of(tmp_path / "misc.csv", tmp_path, patterns) is None


def test_pipeline_runs_once_then_is_idempotent(ws: Workspace) -> None:
    ws.settings.schedule.report_formats = ["html"]
    _inbox(ws)
    first = run_pipeline(ws, lang="zh")
    assert first["status"] == "ok", first["error"]
    steps = {s["step"]: s for s in first["steps"]}
    assert [s["step"] for s in first["steps"]] == ["import", "analyze", "plan", "alerts", "report"]
    imp = steps["import"]["summary"]
    assert [f["kind"] for f in imp["imported"]] == ["customers", "orders"]
    assert imp["unknown_kind"] == ["notes.csv"]
    assert steps["analyze"]["summary"]["customers"] == 40
    report = Path(steps["report"]["summary"]["files"][0]["path"])
    assert report.exists()
    tasks = ws.scalar("SELECT count(*) FROM tasks")
    alerts = ws.scalar("SELECT count(*) FROM alerts")

    second = run_pipeline(ws, lang="zh")
    s2 = {s["step"]: s["summary"] for s in second["steps"]}
    assert second["status"] == "ok"
    assert s2["import"]["imported"] == [] and s2["import"]["seen"] == 2
    assert s2["analyze"]["skipped"] is True
    assert s2["plan"]["created"] == 0
    assert s2["alerts"]["new"] == 0
    assert ws.scalar("SELECT count(*) FROM tasks") == tasks
    assert ws.scalar("SELECT count(*) FROM alerts") == alerts
    assert ws.scalar("SELECT count(*) FROM customers") == 40
    assert ws.scalar("SELECT count(*) FROM pipeline_runs WHERE status = 'ok'") == 2


def test_failed_step_is_recorded(ws: Workspace) -> None:
    ws.settings.schedule.steps = ["report"]
    ws.settings.schedule.report_formats = ["html"]
    ws.settings.report.out_dir = "kehu.toml/cannot"  # a file, not a folder
    result = run_pipeline(ws)
    assert result["status"] == "failed" and result["steps"][0]["status"] == "failed"
    assert ws.scalar("SELECT status FROM pipeline_runs") == "failed"


def test_schedule_loop_fires_on_cron_times(ws: Workspace) -> None:
    clock = {"now": datetime(2026, 10, 1, 6, 59, 30)}
    fired: list[datetime] = []

    def fake_run(_ws: Workspace, **_kw: object) -> dict:
        fired.append(clock["now"])
        return {"run_id": "x", "status": "ok", "seconds": 0, "steps": []}

    def sleep(s: float) -> None:
        clock["now"] += timedelta(seconds=s)

    runs = run_schedule(
        ws, "0 7 * * *", max_runs=2, now=lambda: clock["now"], sleep=sleep, run=fake_run
    )
    assert runs == 2
    assert fired == [datetime(2026, 10, 1, 7, 0), datetime(2026, 10, 2, 7, 0)]
    with pytest.raises(KehuError):
        run_schedule(ws, "not a cron", max_runs=1)
