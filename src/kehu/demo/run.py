"""`run_demo`: generate the demo company, import it, run every later stage that exists.

The pipeline is the one a user walks through: workspace → exports → `import_file` per file →
dedupe → analyze → plan → alerts → report. Stages owned by other floors are looked up by
module and function name and skipped cleanly when that floor is not installed yet; a stage
that fails is reported (with its message) and the demo goes on with the next one.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kehu.demo.generate import DemoManifest, generate
from kehu.demo.headline import headline, render_headline
from kehu.errors import KehuError
from kehu.i18n import Catalog
from kehu.workspace import CONFIG_FILE, Workspace

EXPORTS_DIR = "exports"

MSG = Catalog(
    {
        "not_empty": (
            "{path} 不是空文件夹,也不是 kehu 工作区;请换一个文件夹或先清空它",
            "{path} is neither empty nor a kehu workspace; choose another folder or empty it",
        ),
        "not_dir": ("{path} 是一个文件,不是文件夹", "{path} is a file, not a folder"),
        "step_generate": (
            "生成演示公司数据(种子 {seed},规模 {size})",
            "generating the demo company (seed {seed}, size {size})",
        ),
        "step_import": ("导入 {file}", "importing {file}"),
        "step_dedupe": ("客户去重", "finding duplicate customers"),
        "step_analyze": (
            "客户分析(RFM、价值、CLV、流失预警)",
            "analysing customers (RFM, value, CLV, churn)",
        ),
        "step_plan": ("生成客户发展计划任务", "planning customer development tasks"),
        "step_alerts": ("评估预警规则", "evaluating alert rules"),
        "step_report": ("生成月度报告", "writing the monthly report"),
        "skipped": ("未安装,跳过", "not installed, skipped"),
        "needs_analysis": ("需要先完成客户分析,跳过", "needs the analysis step, skipped"),
        "title_files": ("导入结果", "Imports"),
        "col_file": ("文件", "File"),
        "col_kind": ("类型", "Kind"),
        "col_read": ("读取", "Read"),
        "col_loaded": ("载入", "Loaded"),
        "col_rejected": ("拒绝", "Rejected"),
        "col_status": ("状态", "Status"),
        "title_steps": ("处理步骤", "Steps"),
        "col_step": ("步骤", "Step"),
        "col_seconds": ("耗时(秒)", "Seconds"),
        "col_detail": ("说明", "Detail"),
        "ok": ("完成", "done"),
        "failed": ("失败", "failed"),
        "done": (
            "[green]✓[/] 演示工作区已就绪:{path}\n  客户 {customers:,} 个 · 订单 {orders:,} 条"
            " · 真值文件 {truth}\n  试试: kehu -w {path} analyze show",
            "[green]✓[/] demo workspace ready: {path}\n  {customers:,} customers · {orders:,}"
            " orders · truth file {truth}\n  try: kehu -w {path} analyze show",
        ),
    }
)


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
    ws.save_settings()
    return ws


def optional(module: str, attr: str) -> Callable[..., Any] | None:
    """`module.attr` if that floor is installed, else None (a missing inner import is a bug
    and is raised)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return None
        raise
    return getattr(mod, attr, None)


def _jsonable(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if hasattr(obj, "to_json"):
        out = obj.to_json()
        return out if isinstance(out, dict) else {"value": out}
    if isinstance(obj, dict):
        return obj
    return {"value": str(obj)}


def run_demo(
    directory: str | Path | None = None,
    *,
    seed: int = 7,
    size: float = 1.0,
    lang: str = "zh",
    console: Console | None = None,
    fmt: str = "auto",
    as_of: date | None = None,
) -> dict[str, Any]:
    """Build the demo workspace in `directory` (default ./kehu-demo) and return a summary.

    With a console, shows a progress line per step and the final tables; without one it is
    silent (for `--json` and for tests).
    """
    root = Path(directory or "kehu-demo").expanduser().resolve()
    ws = prepare_workspace(root, lang)
    steps: list[StepResult] = []
    files: list[dict[str, Any]] = []
    try:
        with _progress(console) as progress:

            def run(
                key: str, label: str, fn: Callable[[], Any] | None, why: str = "skipped"
            ) -> Any:
                task = progress.add_task(label, total=None) if progress else None
                t = time.perf_counter()
                if fn is None:
                    steps.append(StepResult(key, "skipped", 0.0, MSG(why, lang)))
                    _finish(progress, task, label, "skipped", lang)
                    return None
                try:
                    value = fn()
                except KehuError as exc:
                    steps.append(
                        StepResult(key, "failed", time.perf_counter() - t, exc.message(lang))
                    )
                    _finish(progress, task, label, "failed", lang)
                    return None
                except Exception as exc:  # another floor's bug must not hide the rest
                    steps.append(
                        StepResult(
                            key, "failed", time.perf_counter() - t, f"{type(exc).__name__}: {exc}"
                        )
                    )
                    _finish(progress, task, label, "failed", lang)
                    return None
                steps.append(
                    StepResult(
                        key,
                        "ok",
                        time.perf_counter() - t,
                        data=_jsonable(value) if key != "generate" else {},
                    )
                )
                _finish(progress, task, label, "ok", lang)
                return value

            manifest: DemoManifest = run(
                "generate",
                MSG("step_generate", lang, seed=seed, size=size),
                lambda: generate(root / EXPORTS_DIR, seed=seed, size=size, fmt=fmt, as_of=as_of),
            )
            if manifest is None:
                raise KehuError(steps[-1].detail)
            import_file = optional("kehu.ingest", "import_file")
            for f in manifest.files:
                label = MSG("step_import", lang, file=f.path.name)
                fn = (
                    None
                    if import_file is None
                    else (lambda f=f: import_file(ws, f.path, f.kind, source=f.source))
                )
                res = run(f"import:{f.path.name}", label, fn)
                files.append(_file_row(f, res, steps[-1]))
            report_as_of = manifest.as_of
            dedupe = optional("kehu.dedupe", "run_dedupe")
            run("dedupe", MSG("step_dedupe", lang), dedupe and (lambda: dedupe(ws)))
            analyze = optional("kehu.analytics.snapshot", "analyze")
            analysed = run(
                "analyze",
                MSG("step_analyze", lang),
                analyze and (lambda: analyze(ws, report_as_of)),
            )
            snap_as_of = getattr(analysed, "as_of", None)
            later: list[tuple[str, str, str, Callable[[Callable[..., Any]], Any]]] = [
                ("plan", "kehu.planning.plan", "make_plan", lambda f: f(ws, snap_as_of)),
                (
                    "alerts",
                    "kehu.monitor.alerts",
                    "run_alerts",
                    lambda f: f(ws, snap_as_of, send=False),
                ),
                ("report", "kehu.monitor.report", "make_report", lambda f: f(ws, as_of=snap_as_of)),
            ]
            for key, module, attr, call in later:
                fn = optional(module, attr)
                ready = fn is not None and analysed is not None
                run(
                    key,
                    MSG(f"step_{key}", lang),
                    (lambda fn=fn, call=call: call(fn)) if ready else None,
                    "skipped" if fn is None else "needs_analysis",
                )
        summary = _summary(ws, root, manifest, files, steps, seed, size, analysed is not None)
    finally:
        ws.close()
    if console is not None:
        print_summary(console, summary, lang)
    return summary


def _file_row(f: Any, res: Any, step: StepResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "file": f.path.name,
        "kind": f.kind,
        "source": f.source,
        "rows": f.rows,
        "planted_bad_rows": f.bad_rows,
        "status": step.status,
    }
    if res is not None:
        for key in (
            "import_id",
            "read",
            "loaded",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "rejects_file",
            "status",
        ):
            value = getattr(res, key, None)
            if value is not None:
                row[key] = str(value) if key == "rejects_file" else value
        row["unmapped_columns"] = list(getattr(res, "unmapped_columns", []) or [])
    elif step.detail:
        row["error"] = step.detail
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
        style = "red" if status == "failed" else ""
        t.add_row(
            f["file"],
            f["kind"],
            _n(f.get("read")),
            _n(f.get("loaded")),
            _n(f.get("rejected")),
            f"[{style}]{status}[/]" if style else status,
        )
    console.print(t)
    s = Table(title=MSG("title_steps", lang))
    for key in ("col_step", "col_status", "col_seconds", "col_detail"):
        s.add_column(MSG(key, lang))
    for step in summary["steps"]:
        s.add_row(step["step"], step["status"], f"{step['seconds']:.1f}", step["detail"][:80])
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


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))
