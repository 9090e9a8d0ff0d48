"""`kehu competitors`: the competitor view in the terminal (thin over `kehu.app.Kehu`)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from kehu.analytics.competition import Within
from kehu.app import Kehu
from kehu.cli.analyze import _date
from kehu.cli.common import console, lang_of, open_ws, print_json
from kehu.i18n import Catalog

T = Catalog(
    {
        "title": ("竞争对手({as_of})", "Competitors ({as_of})"),
        "competitor": ("竞争对手", "competitor"),
        "price": ("价格定位", "pricing"),
        "customers": ("客户", "customers"),
        "mentioned": ("提及", "mentions"),
        "revenue": ("我方收入", "our revenue"),
        "others": ("对手份额", "its wallet"),
        "pipeline": ("在争商机", "contested"),
        "won_lost": ("赢/输", "won/lost"),
        "win_rate": ("胜率", "win rate"),
        "caption": (
            "客户:涉及(其中为现有供应商);收入为近 12 个月;"
            "对手份额 = 客户采购额 × (1 − 我方钱包份额)",
            "customers: covered (incumbent at); revenue over 12 months; its wallet = customer"
            " wallet × (1 − our share)",
        ),
        "unlisted": ("(未在竞争对手清单中)", "(not in the competitor list)"),
        "cust_title": ("客户的竞争情况", "Competition by customer"),
        "customer": ("客户", "customer"),
        "sow": ("钱包份额", "share of wallet"),
        "basis_estimate": ("估计", "estimate"),
        "basis_wallet": ("按采购总额", "from wallet"),
        "none": ("没有竞争对手数据", "no competitor data"),
    }
)


def register(app: typer.Typer) -> None:
    app.command("competitors")(competitors)


def within_of(owner: str | None, region: str | None) -> Within:
    """The customers of one owner and/or region, as a predicate over `customers c`."""
    parts, params = [], []
    for column, value in (("owner", owner), ("region", region)):
        if value:
            parts.append(f"c.{column} = ?")
            params.append(value)
    return (" AND ".join(parts), params) if parts else None


def _money(value: Any) -> str:
    return "—" if value is None else f"¥{float(value):,.0f}"


def _pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


def competitors(
    ctx: typer.Context,
    as_of: str = typer.Option(None, "--as-of", help="Snapshot date (default latest). 快照日期"),
    owner: str = typer.Option(None, "--owner", help="Only this owner's customers. 只看该负责人"),
    region: str = typer.Option(None, "--region", help="Only this sales region. 只看该区域"),
    by_customer: bool = typer.Option(
        False, "--customers", help="Also list each customer's competitor. 同时列出客户明细"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Competitors: customers they cover, revenue and pipeline at stake, win/loss. 竞争对手"""
    lang = lang_of(ctx)
    view = Kehu(open_ws(ctx)).competitors(_date(as_of, "--as-of"), within=within_of(owner, region))
    if as_json:
        print_json(view)
        return
    if not view["competitors"]:
        console.print(T("none", lang))
        return
    tbl = Table(title=T("title", lang, as_of=view["as_of"]))
    tbl.add_column(T("competitor", lang), no_wrap=True)
    for h in ("customers", "revenue", "others", "pipeline", "won_lost", "win_rate"):
        tbl.add_column(T(h, lang), justify="right")
    for r in view["competitors"]:
        name = r["name"] if r["listed"] else f"{r['name']} {T('unlisted', lang)}"
        tbl.add_row(
            name,
            f"{r['customers']} ({r['incumbent_at']})",
            _money(r["revenue_at_stake"]),
            _money(r["others_spend"]),
            _money(r["pipeline_at_stake"]),
            f"{r['won']}/{r['lost']}",
            _pct(r["win_rate"]),
        )
    tbl.caption = T("caption", lang)
    console.print(tbl)
    if by_customer:
        console.print(_customer_table(view, lang))


def _customer_table(view: dict[str, Any], lang: str) -> Table:
    tbl = Table(title=T("cust_title", lang))
    for h in ("customer", "competitor", "sow", "revenue", "others", "mentioned"):
        tbl.add_column(T(h, lang), justify="left" if h in ("customer", "competitor") else "right")
    for c in view["customers"]:
        basis = T(f"basis_{c['sow_basis']}", lang) if c["sow_basis"] else ""
        tbl.add_row(
            f"{c['name']} ({c['customer_id']})",
            c["competitor_name"] or "—",
            f"{_pct(c['share_of_wallet'])} {basis}".strip(),
            _money(c["spend_12m"]),
            _money(c["others_spend"]),
            str(c["mentions"]),
        )
    return tbl
