"""`kehu run`: one idempotent pass of the whole pipeline.

import new files from the watched folder (each file once, remembered by SHA-256) → analyze
(only when something was imported or the snapshot for today's as_of is missing) → plan (open
tasks are never duplicated) → alerts (unchanged conditions never re-alert) → reports
(the same period's files are rewritten in place). A second run with no new data changes
nothing and sends nothing.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from kehu.errors import KehuError
from kehu.i18n import tr
from kehu.store.schema import DATA_TABLES
from kehu.workspace import Workspace

SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet"}
KIND_ORDER = [t.kind for t in DATA_TABLES if t.kind]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def kind_of(path: Path, inbox: Path, patterns: dict[str, list[str]]) -> str | None:
    """The import kind of a file: its sub-folder's name, else the first matching pattern."""
    rel = path.relative_to(inbox)
    if len(rel.parts) > 1 and rel.parts[0] in KIND_ORDER:
        return rel.parts[0]
    name = path.name.lower()
    for kind in KIND_ORDER:
        if any(fnmatch.fnmatch(name, p.lower()) for p in patterns.get(kind, [])):
            return kind
    return None


def import_new_files(ws: Workspace, run_id: str) -> dict[str, Any]:
    """Import every file of the watched folder not seen before (by content hash)."""
    from kehu.ingest import import_file

    inbox = ws.root / ws.settings.ingest.watch_dir
    summary: dict[str, Any] = {"imported": [], "failed": [], "unknown_kind": [], "seen": 0}
    if not inbox.is_dir():
        return summary
    seen = {r[0] for r in ws.rows("SELECT sha256 FROM inbox_files")}
    files = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        if path.suffix.lower() not in SUFFIXES or path.name.startswith((".", "~$")):
            continue
        digest = sha256(path)
        if digest in seen:
            summary["seen"] += 1
            continue
        kind = kind_of(path, inbox, ws.settings.schedule.kind_patterns)
        if kind is None:
            summary["unknown_kind"].append(str(path.relative_to(inbox)))
            continue
        files.append((KIND_ORDER.index(kind), str(path), path, kind, digest))
    for _, _, path, kind, digest in sorted(files):
        rel = str(path.relative_to(ws.root))
        status, message, import_id = "imported", None, None
        try:
            result = import_file(ws, path, kind, dedupe=ws.settings.schedule.import_dedupe)
            import_id = result.import_id
            summary["imported"].append({"file": rel, "kind": kind, **result.to_json()})
        except KehuError as exc:
            status, message = "failed", exc.en
            summary["failed"].append({"file": rel, "kind": kind, "error": exc.en})
        with ws.transaction() as cur:
            cur.execute(
                "INSERT INTO inbox_files (sha256, path, kind, bytes, import_id, status, message,"
                " processed_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    digest,
                    rel,
                    kind,
                    path.stat().st_size,
                    import_id,
                    status,
                    message,
                    datetime.now(),
                    run_id,
                ],
            )
        seen.add(digest)
    return summary


def _analyze(ws: Workspace, imported: bool) -> dict[str, Any]:
    from kehu.analytics.snapshot import analyze, default_as_of

    as_of = default_as_of(ws)
    exists = ws.scalar("SELECT count(*) FROM customer_snapshot WHERE as_of = ?", [as_of])
    if exists and not imported:
        return {"skipped": True, "as_of": as_of.isoformat(), "reason": "no new data"}
    result = analyze(ws, as_of)
    return {"skipped": False, "as_of": result.as_of.isoformat(), "customers": result.customers}


def _plan(ws: Workspace) -> dict[str, Any]:
    from kehu.planning.plan import make_plan

    result = make_plan(ws)
    return {
        "as_of": result.as_of.isoformat(),
        "created": result.created,
        "existing": result.existing,
    }


def _alerts(ws: Workspace, lang: str) -> dict[str, Any]:
    from kehu.monitor.alerts import run_alerts

    result = run_alerts(ws, lang=lang).to_json()
    result.pop("new_ids", None)
    return result


def _reports(ws: Workspace, lang: str, run_id: str) -> dict[str, Any]:
    from kehu.monitor.report.build import write_report

    out = []
    for fmt in ws.settings.schedule.report_formats:
        r = write_report(ws, None, fmt=fmt, lang=lang, run_id=run_id)
        out.append({"format": fmt, "path": r["path"], "period": r["period"]})
    return {"files": out}


def run_pipeline(
    ws: Workspace,
    *,
    lang: str | None = None,
    trigger: str = "manual",
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the configured steps once; each step's outcome is stored in `pipeline_runs`."""
    lang = lang or ws.lang
    run_id = uuid.uuid4().hex[:16]
    started = datetime.now()
    with ws.transaction() as cur:
        cur.execute(
            "INSERT INTO pipeline_runs (run_id, started_at, status, trigger) VALUES"
            " (?, ?, 'running', ?)",
            [run_id, started, trigger],
        )
    steps: list[dict[str, Any]] = []
    status, error = "ok", None
    imported = False
    for step in ws.settings.schedule.steps:
        t0 = time.perf_counter()
        if log:
            log(step)
        try:
            if step == "import":
                summary = import_new_files(ws, run_id)
                imported = bool(summary["imported"])
            elif step == "analyze":
                summary = _analyze(ws, imported)
            elif step == "plan":
                summary = _plan(ws)
            elif step == "alerts":
                summary = _alerts(ws, lang)
            else:
                summary = _reports(ws, lang, run_id)
            steps.append(
                {
                    "step": step,
                    "status": "ok",
                    "seconds": round(time.perf_counter() - t0, 2),
                    "summary": summary,
                }
            )
        except Exception as exc:  # a failed step stops the run; it is recorded, not lost
            message = exc.en if isinstance(exc, KehuError) else f"{type(exc).__name__}: {exc}"
            steps.append(
                {
                    "step": step,
                    "status": "failed",
                    "seconds": round(time.perf_counter() - t0, 2),
                    "error": message,
                }
            )
            status = "failed"
            error = message if isinstance(exc, KehuError) else traceback.format_exc(limit=6)
            break
    finished = datetime.now()
    with ws.transaction() as cur:
        cur.execute(
            "UPDATE pipeline_runs SET finished_at = ?, status = ?, steps = ?, error = ?"
            " WHERE run_id = ?",
            [finished, status, json.dumps(steps, ensure_ascii=False, default=str), error, run_id],
        )
    return {
        "run_id": run_id,
        "status": status,
        "started_at": started.isoformat(),
        "seconds": round((finished - started).total_seconds(), 2),
        "steps": steps,
        "error": error,
    }


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
