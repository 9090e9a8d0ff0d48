"""What each pipeline step does; each returns the summary stored in `pipeline_runs`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from kehu.analytics.snapshot import analyze, default_as_of
from kehu.dedupe.run import run_dedupe
from kehu.errors import KehuError
from kehu.ingest import import_file
from kehu.jobs.inbox import Inbound, new_files, remember
from kehu.monitor.alerts import run_alerts
from kehu.monitor.report.build import write_report
from kehu.planning.plan import make_plan
from kehu.workspace import Workspace


class Watch(Protocol):
    """Told when a step (or one file of the import step) starts and ends, e.g. to draw progress."""

    def begin(self, step: str, item: str | None) -> None: ...

    def end(self, step: str, item: str | None, status: str, summary: dict[str, Any]) -> None: ...


@dataclass
class Run:
    """One run's inputs, and what an earlier step leaves for the later ones."""

    run_id: str
    lang: str
    files: Sequence[Inbound] | None = None  # None: the new files of the watched folder
    as_of: date | None = None  # the snapshot date; None: the data's default, latest after it
    send: bool = True  # deliver alert digests
    formats: Sequence[str] | None = None  # None: settings.schedule.report_formats
    watch: Watch | None = None
    imported: bool = False


def import_step(ws: Workspace, run: Run) -> dict[str, Any]:
    """Import each file; a file that fails is listed and the others still load."""
    summary: dict[str, Any] = {"imported": [], "failed": [], "unknown_kind": [], "seen": 0}
    files = new_files(ws, summary) if run.files is None else run.files
    for f in files:
        rel = _relative(f.path, ws.root)
        if run.watch:
            run.watch.begin("import", f.path.name)
        try:
            result = import_file(
                ws, f.path, f.kind, source=f.source, dedupe=ws.settings.schedule.import_dedupe
            )
            outcome = {"file": rel, "kind": f.kind, **result.to_json()}
            summary["imported"].append(outcome)
        except KehuError as exc:
            outcome = {
                "file": rel,
                "kind": f.kind,
                "error": exc.en,
                "message": exc.message(run.lang),
            }
            summary["failed"].append(outcome)
        if f.digest:
            remember(ws, f, rel, run.run_id, outcome)
        if run.watch:
            run.watch.end("import", f.path.name, "failed" if "error" in outcome else "ok", outcome)
    run.imported = bool(summary["imported"])
    return summary


def dedupe_step(ws: Workspace, run: Run) -> dict[str, Any]:
    """Find duplicate customers; long lists (the merge log) are counted, not stored."""
    out = run_dedupe(ws).to_json()
    return {k: len(v) if isinstance(v, list) and len(v) > 20 else v for k, v in out.items()}


def analyze_step(ws: Workspace, run: Run) -> dict[str, Any]:
    """The snapshot at `as_of`, skipped when it exists and nothing new was imported."""
    as_of = run.as_of or default_as_of(ws)
    exists = ws.scalar("SELECT count(*) FROM customer_snapshot WHERE as_of = ?", [as_of])
    if exists and not run.imported:
        return {"skipped": True, "as_of": as_of.isoformat(), "reason": "no new data"}
    result = analyze(ws, as_of)
    return {"skipped": False, "as_of": result.as_of.isoformat(), "customers": result.customers}


def plan_step(ws: Workspace, run: Run) -> dict[str, Any]:
    result = make_plan(ws, run.as_of)
    return {
        "as_of": result.as_of.isoformat(),
        "created": result.created,
        "existing": result.existing,
    }


def alerts_step(ws: Workspace, run: Run) -> dict[str, Any]:
    result = run_alerts(ws, run.as_of, send=run.send, lang=run.lang).to_json()
    result.pop("new_ids", None)
    return result


def report_step(ws: Workspace, run: Run) -> dict[str, Any]:
    """The report of the latest period, one file per format (rewritten in place)."""
    out = []
    for fmt in run.formats or ws.settings.schedule.report_formats:
        r = write_report(ws, None, fmt=fmt, lang=run.lang, run_id=run.run_id)
        out.append({"format": fmt, "path": r["path"], "period": r["period"]})
    return {"files": out}


STEPS: dict[str, Callable[[Workspace, Run], dict[str, Any]]] = {
    "import": import_step,
    "dedupe": dedupe_step,
    "analyze": analyze_step,
    "plan": plan_step,
    "alerts": alerts_step,
    "report": report_step,
}


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
