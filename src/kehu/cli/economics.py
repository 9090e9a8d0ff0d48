"""Plan economics and scorecards: `kehu budget`, `kehu scorecard` (through `kehu.app`)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kehu.app import SCORECARD_COLUMNS, Scorecards, scorecard_label, scorecard_value
from kehu.cli.common import console, lang_of, open_app, print_json
from kehu.i18n import catalog, tr


def register(app: typer.Typer) -> None:
    app.command("budget")(budget)
    app.command("scorecard")(scorecard)


def budget(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The plan's budget per group ([budget]) and what the last plan left out. 预算与未纳入计划"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    eco = app.plan_economics()
    if as_json:
        print_json(eco.to_json())
        return
    if not eco.budget:
        console.print(
            tr(lang, "未设置预算:在 kehu.toml 的 [budget] 中按策略、层级或区域设置年度预算",
               "no budget set: give yearly budgets per playbook, tier or region in [budget]")
        )  # fmt: skip
    else:
        table = Table(title=tr(lang, "预算(元/年)", "Budget (yuan a year)"))
        for col in (
            tr(lang, "预算组", "group"),
            tr(lang, "预算", "budget"),
            tr(lang, "未关闭任务成本", "open tasks' cost"),
            tr(lang, "余额", "left"),
        ):
            table.add_column(col, justify="right" if col != tr(lang, "预算组", "group") else "left")
        for row in eco.budget:
            table.add_row(
                f"{row['group']}.{row['key']}",
                f"{row['budget']:,.0f}",
                f"{row['committed']:,.0f}",
                f"{row['left']:,.0f}",
            )
        console.print(table)
    if not eco.left_out:
        console.print(tr(lang, "上次计划没有遗漏任务", "the last plan left nothing out"))
        return
    table = Table(title=tr(lang, "未纳入计划的任务", "Tasks the plan left out"))
    for col in (
        tr(lang, "客户", "customer"),
        tr(lang, "策略", "playbook"),
        tr(lang, "优先级", "priority"),
        tr(lang, "年成本", "yearly cost"),
        tr(lang, "原因", "reason"),
    ):
        table.add_column(col)
    for row in eco.left_out:
        why = (
            tr(lang, f"超出预算 {row['detail']}", f"over budget {row['detail']}")
            if row["reason"] == "budget"
            else tr(lang, "负责人任务已满", "owners at capacity")
        )
        table.add_row(
            f"{row['customer_name'] or ''} ({row['customer_id']})",
            row["playbook"],
            f"{row['priority']:.1f}",
            f"{row['cost']:,.0f}",
            why,
        )
    console.print(table)


def scorecard(
    ctx: typer.Context,
    period: str = typer.Option(
        None, "--period", help="2026-Q3, 2026-09 or 2026 (default: the last complete period)."
    ),
    grain: str = typer.Option(None, "--grain", help="month | quarter | year ([scorecard] grain)."),
    teams: bool = typer.Option(False, "--teams", help="Only the teams' scorecards."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Also write the review meeting's workbook."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Rep and team scorecards: attainment, revenue, retention, NPS, SLA … into one ranked
    score with the trend vs last period. 绩效记分卡"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    cards = app.scorecards(period, grain=grain)
    if xlsx is not None:
        written = app.export_scorecards(xlsx, cards.period, lang=lang)
        console.print(tr(lang, f"[green]✓[/] 已写入 {written}", f"[green]✓[/] wrote {written}"))
    if as_json:
        print_json(cards.to_json())
        return
    text = catalog("scorecard", "text")
    if cards.partial:
        console.print(text("partial", lang, period=cards.period, end=cards.end))
    kinds = ("team",) if teams else ("rep", "team")
    if not any(cards.of(k) for k in kinds):
        console.print(text("none", lang))
    for kind in kinds:
        if cards.of(kind):
            console.print(_score_table(cards, kind, lang))


def _score_table(cards: Scorecards, kind: str, lang: str) -> Table:
    table = Table(title=f"{catalog('scorecard', 'text')('title', lang, period=cards.period)}"
                  f" · {scorecard_label(kind, lang)}")  # fmt: skip
    table.add_column(scorecard_label("rank", lang), justify="right")
    table.add_column(scorecard_label(kind, lang))
    for key in SCORECARD_COLUMNS:
        table.add_column(scorecard_label(key, lang), justify="right")
    table.add_column(scorecard_label("score", lang), justify="right")
    table.add_column(scorecard_label("trend", lang), justify="right")
    for r in cards.of(kind):
        trend = "—" if r.trend is None else f"{r.trend:+.1f}"
        table.add_row(
            "—" if r.rank is None else f"{r.rank}/{r.ranked}",
            r.unit,
            *(scorecard_value(r.values, key, lang) for key in SCORECARD_COLUMNS),
            "—" if r.score is None else f"{r.score:.1f}",
            trend,
        )
    return table
