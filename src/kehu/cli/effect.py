"""`kehu effect`: per playbook, the treated customers of a past plan vs its control group (or a
matched comparison), with confidence intervals (logic in kehu.planning.effect via `kehu.app`)."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

import typer
from rich.console import Group
from rich.table import Table

from kehu.app import EffectReport
from kehu.cli.common import command_lang, console, lang_option, open_app, parse_date, print_json
from kehu.i18n import catalog, tr

T = catalog("effect")


def register(app: typer.Typer) -> None:
    app.command("effect")(effect)


def effect(
    ctx: typer.Context,
    plan_date: str = typer.Option(
        None,
        "--plan",
        help="The plan to measure, YYYY-MM-DD (default: the latest whose outcome date has passed).",
    ),
    xlsx: Path = typer.Option(None, "--xlsx", help="Also write the table to an .xlsx workbook."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every figure)."),
    own_lang: str = lang_option(),
) -> None:
    """Did each playbook work? Churn, revenue and NPS of treated vs control customers. 打法效果"""
    app = open_app(ctx)
    lang = command_lang(ctx, own_lang)
    report = app.playbook_effect(parse_date(plan_date, "--plan"))
    if xlsx is not None and report.playbooks:
        written = app.export_playbook_effect(xlsx, report, lang)
        console.print(tr(lang, f"[green]✓[/] 已写入 {written}", f"[green]✓[/] wrote {written}"))
    if as_json:
        print_json(report.to_json())
        return
    if report.plan_date is None or report.outcome_date is None:
        console.print(T("no_plan", lang))
        return
    if not report.measurable:
        console.print(T("not_yet", lang, plan=report.plan_date, outcome=report.outcome_date))
        return
    console.print(render(app.playbook_effect_rows(report, lang), report, lang))


SHOWN = ("outcome", "treated", "control", "diff", "interval", "verdict")


def render(table: dict, report: EffectReport, lang: str) -> Group:
    """A title, then one small table per playbook (the terminal has no room for all columns)."""
    parts: list = [
        T("title", lang, plan=report.plan_date, outcome=report.outcome_date,
          days=report.window_days)
    ]  # fmt: skip
    for book, group in groupby(table["rows"], key=lambda r: (r["playbook"], r["evidence"])):
        rows = list(group)
        matched = book[1] == T("matched", lang)
        out = Table(
            title=T(
                "book_title_matched" if matched else "book_title",
                lang,
                playbook=book[0],
                evidence=book[1],
                treated=rows[0]["n_treated"],
                control=rows[0]["n_control"],
            ),  # fmt: skip
            title_justify="left",
        )
        for key in SHOWN:
            title = table["headers"]["matched" if matched and key == "control" else key]
            out.add_column(title, justify="left" if key in ("outcome", "verdict") else "right")
        for row in rows:
            out.add_row(*(str(row[k]) for k in SHOWN))
        parts.append(out)
    if any(p.evidence == "matched" for p in report.playbooks):
        parts.append(T("matched_note", lang))
    return Group(*parts)
