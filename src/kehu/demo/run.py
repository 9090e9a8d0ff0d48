"""`run_demo`: generate the demo company, import it, run every later stage that exists.

The pipeline is the one a user walks through: workspace → exports → `import_file` per file →
dedupe → analyze → plan → alerts → report. Stages owned by other floors are looked up by
module and function name and skipped cleanly when that floor is not installed yet; a stage
that fails is reported (with its message) and the demo goes on with the next one.
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kehu.demo.generate import DemoManifest, generate, resolve_format
from kehu.demo.headline import headline, render_headline
from kehu.demo.names import REGION_MANAGERS
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
        "skipped": ("跳过", "skipped"),
        "not_installed": ("未安装,跳过", "not installed, skipped"),
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
        "committed": ("已提交", "committed"),
        "name_generate": ("生成数据", "generate"),
        "name_dedupe": ("去重", "dedupe"),
        "name_analyze": ("分析", "analyze"),
        "name_plan": ("计划", "plan"),
        "name_alerts": ("预警", "alerts"),
        "name_report": ("报告", "report"),
        "brief_dedupe": (
            "自动合并 {merged} 条记录,{review} 对待人工复核",
            "merged {merged} records, {review} pairs to review",
        ),
        "brief_analyze": ("{customers} 个客户,截至 {as_of}", "{customers} customers as of {as_of}"),
        "brief_plan": ("新建 {created} 项任务", "created {created} tasks"),
        "brief_alerts": ("{findings} 条预警,其中新增 {new} 条", "{findings} alerts, {new} new"),
        "brief_import": ("载入 {loaded},拒绝 {rejected}", "loaded {loaded}, rejected {rejected}"),
        "unmapped": (
            "[dim]{file}:未映射的列 {columns}(已报告,未导入)[/]",
            "[dim]{file}: unmapped columns {columns} (reported, not imported)[/]",
        ),
        "failed": ("失败", "failed"),
        "done": (
            "[green]✓[/] 演示工作区已就绪:{path}\n  客户 {customers:,} 个 · 订单 {orders:,} 条"
            " · 真值文件 {truth}\n  试试: kehu -w {path} customers · kehu -w {path} tasks list"
            " · kehu -w {path} alerts list",
            "[green]✓[/] demo workspace ready: {path}\n  {customers:,} customers · {orders:,}"
            " orders · truth file {truth}\n  try: kehu -w {path} customers · kehu -w {path}"
            " tasks list · kehu -w {path} alerts list",
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
    ws.settings.plan.region_leads = dict(REGION_MANAGERS)
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
    """A step's result for the JSON summary: its `to_json()`, or its scalar fields."""
    if obj is None:
        return {}
    if hasattr(obj, "to_json"):
        out = obj.to_json()
        return _trim(out) if isinstance(out, dict) else {"value": out}
    if isinstance(obj, dict):
        return _trim(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: (v.isoformat() if isinstance(v, date) else v)
            for f in dataclasses.fields(obj)
            if isinstance(v := getattr(obj, f.name), int | float | str | bool | date)
        }
    return {"value": str(obj)}


def _trim(data: dict[str, Any], limit: int = 20) -> dict[str, Any]:
    """Long lists (merge logs, new ids) become their length in the summary."""
    return {k: (len(v) if isinstance(v, list) and len(v) > limit else v) for k, v in data.items()}


def brief(key: str, data: dict[str, Any], lang: str) -> str:
    """One line about a finished step, from the fields its result is known to carry."""
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
            return str(data["path"])
        if key.startswith("import:"):
            return MSG("brief_import", lang, loaded=data["loaded"], rejected=data["rejected"])
    except (KeyError, TypeError):
        return ""
    return ""


class _Steps:
    """Runs one step at a time: progress line, timing, failure capture."""

    def __init__(self, progress: Progress | None, lang: str) -> None:
        self.progress = progress
        self.lang = lang
        self.done: list[StepResult] = []

    def run(
        self, key: str, label: str, fn: Callable[[], Any] | None, why: str = "not_installed"
    ) -> Any:
        task = self.progress.add_task(label, total=None) if self.progress else None
        t = time.perf_counter()
        status, detail, value = "ok", "", None
        if fn is None:
            status, detail = "skipped", MSG(why, self.lang)
        else:
            try:
                value = fn()
            except KehuError as exc:
                status, detail = "failed", exc.message(self.lang)
            except Exception as exc:  # another floor's bug must not hide the rest
                status, detail = "failed", f"{type(exc).__name__}: {exc}"
        data = _jsonable(value) if status == "ok" and key != "generate" else {}
        if status == "ok":
            detail = brief(key, data, self.lang)
        self.done.append(StepResult(key, status, time.perf_counter() - t, detail, data))
        _finish(self.progress, task, label, status, self.lang)
        return value


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
    files: list[dict[str, Any]] = []
    analysed = None
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
            import_file = optional("kehu.ingest", "import_file")
            for f in manifest.files:
                fn = None
                if import_file is not None:
                    fn = partial(import_file, ws, f.path, f.kind, source=f.source)
                res = steps.run(
                    f"import:{f.path.name}", MSG("step_import", lang, file=f.path.name), fn
                )
                files.append(_file_row(f, res, steps.done[-1]))
            if analyze:
                analysed = _later_stages(ws, steps, manifest.as_of, lang)
        summary = _summary(ws, root, manifest, files, steps.done, seed, size, analysed is not None)
    finally:
        ws.close()
    if console is not None:
        print_summary(console, summary, lang)
    return summary


def _later_stages(ws: Workspace, steps: _Steps, as_of: date, lang: str) -> Any:
    """dedupe → analyze → plan → alerts → report, each only if its floor is installed."""
    dedupe = optional("kehu.dedupe.run", "run_dedupe")
    steps.run("dedupe", MSG("step_dedupe", lang), dedupe and partial(dedupe, ws))
    analyze = optional("kehu.analytics.snapshot", "analyze")
    analysed = steps.run(
        "analyze", MSG("step_analyze", lang), analyze and partial(analyze, ws, as_of)
    )
    snap = getattr(analysed, "as_of", None)
    later: list[tuple[str, str, str, Callable[[Callable[..., Any]], Any]]] = [
        ("plan", "kehu.planning.plan", "make_plan", lambda f: f(ws, snap)),
        ("alerts", "kehu.monitor.alerts", "run_alerts", lambda f: f(ws, snap, send=False)),
        ("report", "kehu.monitor.report", "make_report", lambda f: f(ws, as_of=snap, lang=lang)),
    ]
    for key, module, attr, call in later:
        fn = optional(module, attr)
        ready = fn is not None and analysed is not None
        steps.run(
            key,
            MSG(f"step_{key}", lang),
            partial(call, fn) if ready else None,
            "not_installed" if fn is None else "needs_analysis",
        )
    return analysed


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
