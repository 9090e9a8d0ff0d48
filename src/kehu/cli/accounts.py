"""`kehu accounts` and `kehu account-plan`: key-account plans in the terminal and as files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kehu.app import PLAN_TEXTS, label, plan_sections, plan_status_text
from kehu.cli.common import console, lang_of, open_app, parse_date, print_json


def register(app: typer.Typer) -> None:
    app.command("accounts")(accounts)
    app.command("account-plan")(account_plan)


def accounts(
    ctx: typer.Context,
    year: int = typer.Option(None, "--year", help="Plan year (default: the snapshot's). 年份"),
    as_of: str = typer.Option(None, "--as-of", help="Snapshot date (default latest). 快照日期"),
    owner: str = typer.Option(None, "--owner", help="Only this owner's customers. 只看该负责人"),
    region: str = typer.Option(None, "--region", help="Only this sales region. 只看该区域"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Key accounts (战略级 / 核心级) and the state of their plans. 大客户及其计划"""
    lang = lang_of(ctx)
    k = open_app(ctx)
    view = k.key_accounts(parse_date(as_of, "--as-of"), owner=owner, region=region, year=year)
    if as_json:
        print_json(view)
        return
    tiers = "/".join(label("value_tier", t, lang) for t in k.ws.settings.account_plan.tiers)
    tbl = Table(title=f"{PLAN_TEXTS('accounts', lang)} · {view['year']}",
                caption=PLAN_TEXTS("accounts_sub", lang, tiers=tiers))  # fmt: skip
    for h in ("customer", "value_tier", "spend_12m", "owner"):
        tbl.add_column(PLAN_TEXTS(h, lang))
    tbl.add_column(PLAN_TEXTS("plan_status", lang))
    for a in view["accounts"]:
        tbl.add_row(
            f"{a['name']} ({a['customer_id']})",
            label("value_tier", a["value_tier"], lang),
            f"¥{a['spend_12m'] or 0:,.0f}",
            a["owner"] or "—",
            plan_status_text(a["plan_status"], lang),
        )
    console.print(tbl)


def account_plan(
    ctx: typer.Context,
    customer_id: str = typer.Argument(..., help="Customer id. 客户编号"),
    year: int = typer.Option(None, "--year", help="Plan year (default: the snapshot's). 年份"),
    out: Path = typer.Option(None, "-o", "--out", help="Write .xlsx or .pdf. 导出文件"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """One key-account plan: goals, decision chain, team, deals, risks, actions. 大客户计划"""
    lang = lang_of(ctx)
    k = open_app(ctx)
    if out is not None:
        path = k.export_account_plan(customer_id, out, year=year, lang=lang)
        console.print(f"[green]✓[/] {path}")
        return
    plan = k.account_plan(customer_id, year=year)
    if as_json:
        print_json(plan)
        return
    c = plan["customer"]
    console.print(f"[bold]{PLAN_TEXTS('title', lang, name=c['name'], year=plan['year'])}[/]")
    status = plan_status_text(plan["status"], lang)
    meta = PLAN_TEXTS("meta", lang, as_of=plan["as_of"], region=c["region"] or "—",
                      owner=c["owner"] or "—", status=status)  # fmt: skip
    console.print(meta)
    if not plan["saved"]:
        console.print(f"[yellow]{PLAN_TEXTS('draft_note', lang)}[/]")
    for heading, header, rows in plan_sections(plan, lang):
        tbl = Table(title=heading, show_header=any(header), title_justify="left")
        for h in header:
            tbl.add_column(h)
        for r in rows:
            tbl.add_row(*(str(v) for v in r))
        if not rows:
            console.print(f"[bold]{heading}[/]: {PLAN_TEXTS('none', lang)}")
            continue
        console.print(tbl)
