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
    s = catalog("economics", "page")
    if not eco.budget:
        console.print(s("no_budget", lang))
    else:
        table = Table(title=s("budget", lang))
        table.add_column(s("group", lang))
        for key in ("budget", "committed", "left"):
            table.add_column(s(key, lang), justify="right")
        for row in eco.budget:
            table.add_row(
                f"{row['group']}.{row['key']}",
                *(f"{row[k]:,.0f}" for k in ("budget", "committed", "left")),
            )
        console.print(table)
    if eco.capacity:
        table = Table(title=s("capacity", lang))
        for key in ("rep", "period", "cap", "open_load", "new_load", "no_fit"):
            table.add_column(s(key, lang))
        for c in eco.capacity:
            table.add_row(
                c["owner"], c["period"], "—" if c["capacity"] is None else f"{c['capacity']:g}",
                f"{c['open_load']:g}", f"{c['new_load']:g}", str(c["left_out"]),
            )  # fmt: skip
        console.print(table)
    if not eco.left_out:
        console.print(s("none_left_out", lang))
        return
    table = Table(title=s("left_out", lang))
    for key in ("customer", "playbook", "priority", "cost", "reason"):
        table.add_column(s(key, lang))
    for row in eco.left_out:
        budget_cut = row["reason"] == "budget"  # else at capacity
        table.add_row(
            f"{row['customer_name'] or ''} ({row['customer_id']})",
            row["playbook"],
            f"{row['priority']:.1f}",
            f"{row['cost']:,.0f}",
            s("over_budget", lang, detail=row["detail"])
            if budget_cut
            else s("at_capacity", lang, detail=row["detail"]),
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
    text = catalog("economics", "text")
    if cards.partial:
        console.print(text("partial", lang, period=cards.period, end=cards.end))
    kinds = ("team",) if teams else ("rep", "team")
    if not any(cards.of(k) for k in kinds):
        console.print(text("none", lang))
    for kind in kinds:
        if cards.of(kind):
            console.print(_score_table(cards, kind, lang))


def _score_table(cards: Scorecards, kind: str, lang: str) -> Table:
    title = catalog("economics", "text")("title", lang, period=cards.period)
    table = Table(title=f"{title} · {scorecard_label(kind, lang)}")
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
