"""`run_demo`: generate the demo company, then take `kehu run`'s pipeline over its exports.

workspace → exports → the pipeline's steps import (each generated file) → dedupe → analyze
(at the generator's as_of) → plan → alerts (recorded, not sent) → report (HTML). A file that
fails to import is reported and the others load; a step that fails stops the pipeline and the
steps after it are shown as skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kehu.demo.generate import DemoManifest, generate, resolve_format
from kehu.demo.headline import headline, render_headline
from kehu.demo.names import REGION_MANAGERS
from kehu.errors import KehuError
from kehu.i18n import catalog
from kehu.jobs.inbox import Inbound
from kehu.jobs.pipeline import run_pipeline
from kehu.workspace import CONFIG_FILE, Workspace

EXPORTS_DIR = "exports"

MSG = catalog("demo")


@dataclass
class StepResult:
    key: str
    status: str  # ok | skipped | failed
    seconds: float = 0.0
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.key,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            **({"result": self.data} if self.data else {}),
        }


def prepare_workspace(directory: Path, lang: str) -> Workspace:
    """Reuse a kehu workspace, create one in an empty or missing folder, refuse anything else."""
    if directory.exists() and not directory.is_dir():
        raise KehuError(*MSG.pair("not_dir", path=directory))
    if (directory / CONFIG_FILE).exists():
        return Workspace.open(directory)
    if directory.exists() and any(directory.iterdir()):
        raise KehuError(*MSG.pair("not_empty", path=directory))
    ws = Workspace.init(directory)
    ws.settings.workspace.lang = "en" if lang == "en" else "zh"
    ws.settings.plan.region_leads = dict(REGION_MANAGERS)
    ws.save_settings()
    return ws


LATER = ("dedupe", "analyze", "plan", "alerts", "report")


def brief(key: str, data: dict[str, Any], lang: str) -> str:
    """One line about a finished step, from the fields its summary is known to carry."""
    try:
        if key == "dedupe":
            return MSG(
                "brief_dedupe", lang, merged=data["merged_records"], review=data["review_pairs"]
            )
        if key == "analyze":
            return MSG("brief_analyze", lang, customers=data["customers"], as_of=data["as_of"])
        if key == "plan":
            return MSG("brief_plan", lang, created=data["created"])
        if key == "alerts":
            return MSG("brief_alerts", lang, findings=data["findings"], new=data["new"])
        if key == "report":
            return ", ".join(str(f["path"]) for f in data["files"])
        if key.startswith("import:"):
            return MSG("brief_import", lang, loaded=data["loaded"], rejected=data["rejected"])
    except (KeyError, TypeError):
        return ""
    return ""


class _Steps:
    """The demo's view of the pipeline (its `Watch`): a progress line per step, and per file
    while importing; each step's time and one line about its outcome."""

    def __init__(self, progress: Progress | None, lang: str) -> None:
        self.progress = progress
        self.lang = lang
        self.done: list[StepResult] = []
        self.files: dict[str, dict[str, Any]] = {}  # file name -> its import outcome
        self._open: dict[tuple[str, str | None], tuple[Any, str, float]] = {}

    def run(self, key: str, label: str, fn: Callable[[], Any]) -> Any:
        """A step of the demo's own (generating the files) in the same view."""
        self.begin(key, None, label)
        value = None
        try:
            value = fn()
        except KehuError as exc:
            self.end(key, None, "failed", {"message": exc.message(self.lang)})
        else:
            self.end(key, None, "ok", {})
        return value

    def begin(self, step: str, item: str | None, label: str | None = None) -> None:
        label = label or (
            MSG("step_import", self.lang, file=item) if item else MSG(f"step_{step}", self.lang)
        )
        shown = self.progress is not None and (item is not None or step != "import")
        task = self.progress.add_task(label, total=None) if shown and self.progress else None
        self._open[(step, item)] = (task, label, time.perf_counter())

    def end(self, step: str, item: str | None, status: str, summary: dict[str, Any]) -> None:
        task, label, t0 = self._open.pop((step, item))
        if item is not None:
            self.files[item] = summary
        elif step == "import" and status == "ok":
            return  # shown file by file
        key = f"import:{item}" if item else step
        ok = status == "ok"
        detail = brief(key, summary, self.lang) if ok else summary.get("message") or ""
        data = summary if ok else {}
        self.done.append(StepResult(key, status, time.perf_counter() - t0, detail, data))
        _finish(self.progress, task, label, status, self.lang)

    def skip(self, step: str) -> None:
        """A step the pipeline did not reach because an earlier one failed."""
        label = MSG(f"step_{step}", self.lang)
        task = self.progress.add_task(label, total=None) if self.progress else None
        self.done.append(StepResult(step, "skipped", 0.0, MSG("after_failure", self.lang)))
        _finish(self.progress, task, label, "skipped", self.lang)


def run_demo(
    directory: str | Path | None = None,
    *,
    seed: int = 7,
    size: float = 1.0,
    lang: str = "zh",
    console: Console | None = None,
    fmt: str = "auto",
    as_of: date | None = None,
    analyze: bool = True,
) -> dict[str, Any]:
    """Build the demo workspace in `directory` (default ./kehu-demo) and return a summary.

    With a console, shows a progress line per step and the final tables; without one it is
    silent (for `--json` and for tests). `analyze=False` stops after the imports.
    """
    if size <= 0:
        raise KehuError("--size 必须大于 0", "--size must be greater than 0")
    resolve_format(fmt, size)  # refuse a bad --format before touching the folder
    root = Path(directory or "kehu-demo").expanduser().resolve()
    ws = prepare_workspace(root, lang)
    try:
        with _progress(console) as progress:
            steps = _Steps(progress, lang)
            manifest: DemoManifest = steps.run(
                "generate",
                MSG("step_generate", lang, seed=seed, size=size),
                lambda: generate(root / EXPORTS_DIR, seed=seed, size=size, fmt=fmt, as_of=as_of),
            )
            if manifest is None:
                raise KehuError(steps.done[-1].detail)
            keys = ["import", *(LATER if analyze else ())]
            run_pipeline(
                ws,
                lang=lang,
                trigger="demo",
                steps=keys,
                files=[Inbound(f.path, f.kind, f.source) for f in manifest.files],
                as_of=manifest.as_of,
                send=False,
                formats=["html"],
                watch=steps,
            )
            reached = {s.key for s in steps.done}
            for key in keys[1:]:
                if key not in reached:
                    steps.skip(key)
        files = [_file_row(f, steps.files.get(f.path.name, {})) for f in manifest.files]
        analysed = any(s.key == "analyze" and s.status == "ok" for s in steps.done)
        summary = _summary(ws, root, manifest, files, steps.done, seed, size, analysed)
    finally:
        ws.close()
    if console is not None:
        print_summary(console, summary, lang)
    return summary


FILE_FIELDS = (
    "import_id",
    "read",
    "loaded",
    "inserted",
    "updated",
    "unchanged",
    "rejected",
    "rejects_file",
    "status",
)


def _file_row(f: Any, outcome: dict[str, Any]) -> dict[str, Any]:
    """A generated file beside what its import did (the import's own status wins)."""
    row: dict[str, Any] = {
        "file": f.path.name,
        "kind": f.kind,
        "source": f.source,
        "rows": f.rows,
        "planted_bad_rows": f.bad_rows,
        "status": "failed" if "error" in outcome else ("ok" if outcome else "skipped"),
    }
    if "error" in outcome:
        row["error"] = outcome["message"]
        return row
    for key in FILE_FIELDS:
        if (value := outcome.get(key)) is not None:
            row[key] = str(value) if key == "rejects_file" else value
    if outcome:
        row["unmapped_columns"] = list(outcome.get("unmapped_columns") or [])
    return row


def _summary(
    ws: Workspace,
    root: Path,
    manifest: DemoManifest,
    files: list[dict[str, Any]],
    steps: list[StepResult],
    seed: int,
    size: float,
    analysed: bool,
) -> dict[str, Any]:
    customers = ws.scalar("SELECT count(*) FROM customers")
    orders = ws.scalar("SELECT count(*) FROM orders")
    return {
        "workspace": str(root),
        "seed": seed,
        "size": size,
        "format": manifest.fmt,
        "as_of": manifest.as_of.isoformat(),
        "exports": str(manifest.out_dir),
        "truth": str(manifest.truth_path),
        "generated": manifest.counts,
        "generate_seconds": manifest.seconds,
        "files": files,
        "store": {"customers": int(customers or 0), "orders": int(orders or 0)},
        "steps": [s.to_json() for s in steps if not s.key.startswith("import:")],
        "headline": headline(ws, manifest) if analysed else None,
        "ok": all(s.status != "failed" for s in steps),
    }


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(console: Console | None) -> Any:
    if console is None:
        return _NoProgress()
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _finish(progress: Progress | None, task: Any, label: str, status: str, lang: str) -> None:
    if progress is None or task is None:
        return
    mark = {"ok": "[green]✓[/]", "skipped": "[dim]–[/]", "failed": "[red]✗[/]"}[status]
    extra = "" if status == "ok" else f" [dim]({MSG(status if status != 'ok' else 'ok', lang)})[/]"
    progress.update(task, description=f"{mark} {label}{extra}", total=1, completed=1)


def print_summary(console: Console, summary: dict[str, Any], lang: str) -> None:
    """The import table, the step table, the analytics headline and where to go next."""
    t = Table(title=MSG("title_files", lang))
    for key in ("col_file", "col_kind", "col_read", "col_loaded", "col_rejected", "col_status"):
        t.add_column(
            MSG(key, lang),
            justify="right" if key in ("col_read", "col_loaded", "col_rejected") else "left",
        )
    for f in summary["files"]:
        status = f.get("status", "")
        text = _status(status, lang)
        t.add_row(
            f["file"],
            f["kind"],
            _n(f.get("read")),
            _n(f.get("loaded")),
            _n(f.get("rejected")),
            f"[red]{text}[/]" if status == "failed" else text,
        )
    console.print(t)
    for f in summary["files"]:
        if f.get("error"):
            console.print(f"[red]✗[/] {f['file']}: {f['error']}")
        elif f.get("unmapped_columns"):
            cols = "、".join(f["unmapped_columns"])
            console.print(MSG("unmapped", lang, file=f["file"], columns=cols))
    s = Table(title=MSG("title_steps", lang))
    for key in ("col_step", "col_status", "col_seconds", "col_detail"):
        s.add_column(MSG(key, lang))
    for step in summary["steps"]:
        name = MSG(f"name_{step['step']}", lang)
        s.add_row(
            name, _status(step["status"], lang), f"{step['seconds']:.1f}", step["detail"][:80]
        )
    console.print(s)
    if summary.get("headline"):
        render_headline(console, summary["headline"], lang)
    console.print(
        MSG(
            "done",
            lang,
            path=summary["workspace"],
            customers=summary["store"]["customers"],
            orders=summary["store"]["orders"],
            truth=summary["truth"],
        )
    )


def _status(status: str, lang: str) -> str:
    return MSG(status, lang) if status in ("ok", "failed", "committed", "skipped") else status


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))
