"""`kehu run`: one idempotent pass of the whole pipeline.

import new files from the watched folder (each file once, remembered by SHA-256) → analyze
(only when something was imported or the snapshot for today's as_of is missing) → plan (open
tasks are never duplicated) → alerts (unchanged conditions never re-alert) → reports
(the same period's files are rewritten in place). A second run with no new data changes
nothing and sends nothing. `kehu demo` takes the same pipeline over the files it generated.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from kehu.errors import KehuError
from kehu.i18n import tr
from kehu.jobs.inbox import Inbound
from kehu.jobs.steps import STEPS, Run, Watch
from kehu.workspace import Workspace


def run_pipeline(
    ws: Workspace,
    *,
    lang: str | None = None,
    trigger: str = "manual",
    steps: Sequence[str] | None = None,
    files: Sequence[Inbound] | None = None,
    as_of: date | None = None,
    send: bool = True,
    formats: Sequence[str] | None = None,
    watch: Watch | None = None,
) -> dict[str, Any]:
    """Run the steps (default: the configured ones) once; a failed step stops the run.

    `files` replaces the watched folder, `as_of` the default snapshot date, `formats` the
    configured report formats; `send=False` records alerts without delivering them. Each
    step's outcome is stored in `pipeline_runs`.
    """
    run = Run(
        run_id=uuid.uuid4().hex[:16],
        lang=lang or ws.lang,
        files=files,
        as_of=as_of,
        send=send,
        formats=formats,
        watch=watch,
    )
    started = datetime.now()
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO pipeline_runs (run_id, started_at, status, trigger) VALUES"
            " (?, ?, 'running', ?)",
            [run.run_id, started, trigger],
        )
    done: list[dict[str, Any]] = []
    status, error = "ok", None
    for step in steps or ws.settings.schedule.steps:
        t0 = time.perf_counter()
        entry: dict[str, Any]
        shown: dict[str, Any]
        if watch:
            watch.begin(step, None)
        try:
            summary = STEPS[step](ws, run)
            entry = {"step": step, "status": "ok", "seconds": _since(t0), "summary": summary}
            shown = summary
        except Exception as exc:  # a failed step stops the run; it is recorded, not lost
            message = exc.en if isinstance(exc, KehuError) else f"{type(exc).__name__}: {exc}"
            entry = {"step": step, "status": "failed", "seconds": _since(t0), "error": message}
            status = "failed"
            error = message if isinstance(exc, KehuError) else traceback.format_exc(limit=6)
            shown = {"error": exc.message(run.lang) if isinstance(exc, KehuError) else message}
        done.append(entry)
        if watch:
            watch.end(step, None, entry["status"], shown)
        if status == "failed":
            break
    finished = datetime.now()
    with ws.transaction() as cur:
        cur.execute(
            "UPDATE pipeline_runs SET finished_at = ?, status = ?, steps = ?, error = ?"
            " WHERE run_id = ?",
            [
                finished,
                status,
                json.dumps(done, ensure_ascii=False, default=str),
                error,
                run.run_id,
            ],
        )
    return {
        "run_id": run.run_id,
        "status": status,
        "started_at": started.isoformat(),
        "seconds": round((finished - started).total_seconds(), 2),
        "steps": done,
        "error": error,
    }


def _since(t0: float) -> float:
    return round(time.perf_counter() - t0, 2)


def print_run(result: dict[str, Any], console: Console, lang: str) -> None:
    """A short human summary of a pipeline run."""
    ok = result["status"] == "ok"
    console.print(
        tr(
            lang,
            f"{'[green]✓' if ok else '[red]✗'}[/] 流水线运行 {result['run_id']}"
            f"({result['seconds']} 秒)",
            f"{'[green]✓' if ok else '[red]✗'}[/] pipeline run {result['run_id']}"
            f" ({result['seconds']} s)",
        )
    )
    for s in result["steps"]:
        mark = "[green]✓[/]" if s["status"] == "ok" else "[red]✗[/]"
        detail = s.get("error") or _brief(s["step"], s.get("summary", {}), lang)
        console.print(f"  {mark} {s['step']:<8} {s['seconds']:>6}s  {detail}")


def _brief(step: str, summary: dict[str, Any], lang: str) -> str:
    if step == "import":
        return tr(
            lang,
            f"新文件 {len(summary['imported'])},失败 {len(summary['failed'])},"
            f"已处理过 {summary['seen']},无法识别类型 {len(summary['unknown_kind'])}",
            f"{len(summary['imported'])} new, {len(summary['failed'])} failed, "
            f"{summary['seen']} seen before, {len(summary['unknown_kind'])} unknown kind",
        )
    if step == "analyze":
        if summary.get("skipped"):
            return tr(
                lang,
                f"无新数据,沿用 {summary['as_of']} 快照",
                f"no new data, snapshot {summary['as_of']} kept",
            )
        return tr(
            lang,
            f"快照 {summary['as_of']}:{summary['customers']} 位客户",
            f"snapshot {summary['as_of']}: {summary['customers']} customers",
        )
    if step == "plan":
        return tr(
            lang,
            f"新任务 {summary['created']},已有 {summary['existing']}",
            f"{summary['created']} new tasks, {summary['existing']} existing",
        )
    if step == "alerts":
        return tr(
            lang,
            f"新预警 {summary['new']},未变化 {summary['unchanged']}",
            f"{summary['new']} new alerts, {summary['unchanged']} unchanged",
        )
    return ", ".join(Path(f["path"]).name for f in summary.get("files", []))
