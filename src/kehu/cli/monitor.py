"""Monitoring commands: alerts run/list/ack, feedback, report, run, schedule.

`alerts run` (and `run`, whose alerts step it is) exits 3 (`EXIT_UNDELIVERED`) when a digest
could not be delivered after its retries: the failures are recorded first (retried on the
next run), so schedulers see the outage."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kehu.app import (
    AlertRunResult,
    DigestResult,
    Kehu,
    print_pipeline_run,
    render_feedback,
    severity_label,
    value_label,
)
from kehu.cli.common import console, err_console, lang_of, open_app, parse_date, print_json
from kehu.errors import EXIT_UNDELIVERED, KehuError
from kehu.i18n import tr


def register(app: typer.Typer) -> None:
    alerts_app = typer.Typer(help="Alert rules and notifications. 预警", no_args_is_help=True)
    alerts_app.command("run")(alerts_run)
    alerts_app.command("list")(alerts_list)
    alerts_app.command("ack")(alerts_ack)
    app.add_typer(alerts_app, name="alerts")
    app.command("feedback")(feedback)
    app.command("report")(report)
    app.command("run")(run)
    app.command("schedule")(schedule)


def alerts_run(
    ctx: typer.Context,
    as_of: str = typer.Option(None, "--as-of", help="Evaluate at this date (YYYY-MM-DD)."),
    no_send: bool = typer.Option(False, "--no-send", help="Store alerts, notify nobody."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Evaluate the alert rules, store new alerts, send digests. 运行预警"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    result = app.run_alerts(parse_date(as_of), send=not no_send, lang=lang)
    failed = result.delivery.failed_digests if result.delivery else []
    if as_json:
        print_json(result.to_json())
    else:
        _print_run(result, lang)
    if failed:
        _print_failed(app, failed, lang)
        raise typer.Exit(EXIT_UNDELIVERED)


def _print_failed(app: Kehu, failed: list[DigestResult], lang: str) -> None:
    """One line on stderr: how many alerts did not go out, through which channel to whom, and
    the endpoints tried (as `notify_log` recorded them: no query strings, no secrets)."""
    alerts = sum(d.alerts for d in failed)
    where = ", ".join(
        f"{d.channel} → {d.owner or tr(lang, '未分配', 'unassigned')}" for d in failed
    )
    targets = ", ".join(app.notify_targets([d.digest_id for d in failed]))
    err_console.print(
        tr(
            lang,
            f"[red]✗[/] {alerts} 条预警({len(failed)} 份摘要)未送达:{where}(目标 {targets});"
            "已记录,下次运行会重试",
            f"[red]✗[/] {alerts} alerts in {len(failed)} digests not delivered: {where}"
            f" (target {targets}); recorded, retried on the next run",
        )
    )


def _print_run(result: AlertRunResult, lang: str) -> None:
    console.print(
        tr(
            lang,
            f"预警评估日期 {result.as_of}:新增 {len(result.new)} 条,未变化 {result.unchanged} 条,"
            f"已解除 {result.resolved} 条",
            f"alerts at {result.as_of}: {len(result.new)} new, {result.unchanged} unchanged, "
            f"{result.resolved} resolved",
        )
    )
    for rule, (why_zh, why_en) in result.skipped.items():
        console.print(
            tr(
                lang,
                f"  [dim]跳过规则 {rule}:{why_zh}[/]",
                f"  [dim]skipped rule {rule}: {why_en}[/]",
            )
        )
    if result.delivery:
        for d in result.delivery.digests:
            who = d.owner or tr(lang, "未分配", "unassigned")
            mark = "[green]✓[/]" if d.ok else "[red]✗[/]"
            tail = "" if d.ok else f" — {d.error}"
            console.print(
                f"  {mark} {d.channel} → {who}: {d.alerts} "
                + tr(lang, "条", "alerts")
                + f" ({d.attempts}x){tail}"
            )


def alerts_list(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", help="open | acked | resolved"),
    rule: str = typer.Option(None, "--rule", help="Only this rule."),
    owner: str = typer.Option(None, "--owner", help="Only this owner."),
    limit: int = typer.Option(200, "--limit"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List alerts, newest first. 预警列表"""
    if status and status not in ("open", "acked", "resolved"):
        raise KehuError(
            f"状态应为 open/acked/resolved:{status}",
            f"status must be open, acked or resolved: {status}",
        )
    app = open_app(ctx)
    lang = lang_of(ctx)
    rows = app.alerts(status, rule=rule, owner=owner, limit=limit)
    if as_json:
        print_json(rows)
        return
    table = Table(show_lines=False)
    for col in (
        tr(lang, "编号", "ID"),
        tr(lang, "级别", "Severity"),
        tr(lang, "状态", "Status"),
        tr(lang, "预警", "Alert"),
        tr(lang, "对象", "Subject"),
        tr(lang, "负责人", "Owner"),
        tr(lang, "详情", "Detail"),
    ):
        table.add_column(col)
    for a in rows:
        en = lang == "en"
        subject = a["customer_name"] or a["customer_id"] or a["subject_id"]
        table.add_row(
            str(a["alert_id"]),
            severity_label(a["severity"], lang),
            value_label("status", a["status"], lang),
            a["title_en"] if en else a["title_zh"],
            str(subject),
            a["owner"] or "—",
            a["detail_en"] if en else a["detail_zh"],
        )
    console.print(table)


def alerts_ack(
    ctx: typer.Context,
    alert_ids: list[int] = typer.Argument(..., help="Alert id(s)."),
    user: str = typer.Option(None, "--user", help="Who acknowledges (recorded)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Acknowledge alerts: they stop notifying and never re-alert. 确认预警"""
    app = open_app(ctx)
    done = [app.ack_alert(i, user) for i in alert_ids]
    if as_json:
        print_json(done)
        return
    for a in done:
        console.print(
            tr(
                lang_of(ctx),
                f"[green]✓[/] 已确认预警 {a['alert_id']}",
                f"[green]✓[/] acknowledged alert {a['alert_id']}",
            )
        )


def feedback(
    ctx: typer.Context,
    period: str = typer.Option(
        None,
        "--period",
        help="month | quarter | year grouping, or a single period like 2026-10 / 2026-Q3 / 2026.",
    ),
    top: int = typer.Option(None, "--top", help="Issues per period."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Feedback text analysis: categories, frequent issues, complaint trend. 反馈分析"""
    summary = open_app(ctx).feedback_summary(period, top=top, lang=lang_of(ctx))
    if as_json:
        print_json(summary)
        return
    render_feedback(summary, console, lang_of(ctx))


def report(
    ctx: typer.Context,
    period: str = typer.Option(
        None,
        "--period",
        help="2026-10 (monthly) or 2026-Q3 (quarterly); default: the last complete period.",
    ),
    kind: str = typer.Option(None, "--kind", help="monthly | quarterly"),
    fmt: str = typer.Option(None, "--format", help="html | xlsx | pdf"),
    out: Path = typer.Option(None, "-o", "--output", help="Output file."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Write the review-meeting report (HTML / XLSX / PDF). 周期报告"""
    lang = lang_of(ctx)
    result = open_app(ctx).report(period, kind=kind, fmt=fmt, lang=lang, out=out)
    if as_json:
        print_json(result)
        return
    console.print(
        tr(
            lang,
            f"[green]✓[/] 已生成报告 {result['path']}",
            f"[green]✓[/] report written to {result['path']}",
        )
    )


def run(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run the pipeline once: import new files → analyze → plan → alerts → reports. 运行流水线"""
    app = open_app(ctx)
    result = app.run_pipeline(lang=lang_of(ctx))
    if as_json:
        print_json(result)
    else:
        print_pipeline_run(result, console, lang_of(ctx))
    if result["status"] != "ok":
        raise typer.Exit(1)
    delivery = next(
        (s["summary"].get("delivery") for s in result["steps"] if s["step"] == "alerts"), None
    )
    failed = [DigestResult(**d) for d in (delivery or {}).get("digests", []) if not d["ok"]]
    if failed:
        _print_failed(app, failed, lang_of(ctx))
        raise typer.Exit(EXIT_UNDELIVERED)


def schedule(
    ctx: typer.Context,
    cron: str = typer.Option(None, "--cron", help='Cron expression, e.g. "0 7 * * *".'),
    max_runs: int = typer.Option(None, "--max-runs", help="Stop after this many runs."),
) -> None:
    """Run the pipeline on a cron schedule until Ctrl-C. 定时运行"""
    open_app(ctx).run_schedule(cron, console=console, lang=lang_of(ctx), max_runs=max_runs)
