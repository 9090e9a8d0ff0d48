"""`kehu competitors`, `kehu market`: competitor and market views in the terminal (thin over
`kehu.app.Kehu`)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from kehu.analytics.competition import Within
from kehu.analytics.labels import label
from kehu.analytics.market import DIMENSIONS
from kehu.app import Kehu
from kehu.cli.analyze import _date
from kehu.cli.common import console, lang_of, open_ws, print_json
from kehu.errors import KehuError
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
        "m_title": (
            "市场与行业:按{dim}({as_of},客户 {n} 位)",
            "Market by {dim} ({as_of}, {n} customers)",
        ),
        "segment": ("分组", "segment"),
        "active": ("近12月有购买", "active 12m"),
        "growth": ("同比增长", "growth"),
        "share": ("收入占比", "revenue share"),
        "p_title": (
            "市场渗透与空白({year} 年市场规模)",
            "Penetration and white space ({year} market size)",
        ),
        "industry": ("行业", "industry"),
        "market_size": ("市场规模", "market size"),
        "penetration": ("渗透率", "penetration"),
        "coverage": ("客户覆盖", "coverage"),
        "potential": ("未开发潜力", "untapped"),
        "white": ("空白市场", "white space"),
        "yes": ("是", "yes"),
        "no_market": (
            "未导入市场潜力数据(kehu import --kind market_potential),无法计算渗透率",
            "no market potential imported (kehu import --kind market_potential): no penetration",
        ),
    }
)


def register(app: typer.Typer) -> None:
    app.command("competitors")(competitors)
    app.command("market")(market)


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


def _pct(value: Any, digits: int = 0) -> str:
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


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


def market(
    ctx: typer.Context,
    by: str = typer.Option(
        "section", "--by", help="section, division, region or size. 分组:行业门类/大类/区域/规模"
    ),
    as_of: str = typer.Option(None, "--as-of", help="Snapshot date (default latest). 快照日期"),
    owner: str = typer.Option(None, "--owner", help="Only this owner's customers. 只看该负责人"),
    region: str = typer.Option(None, "--region", help="Only this sales region. 只看该区域"),
    top: int = typer.Option(15, "--top", help="Rows of penetration to show. 显示行数"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Market and industry: revenue, growth and share by segment; penetration, white space.
    市场与行业分析"""
    if by not in DIMENSIONS:
        raise KehuError(
            f"--by 应为 {' / '.join(DIMENSIONS)}:{by}",
            f"--by must be {', '.join(DIMENSIONS)}: {by}",
        )
    lang = lang_of(ctx)
    view = Kehu(open_ws(ctx)).market(
        _date(as_of, "--as-of"), within=within_of(owner, region), lang=lang
    )
    if as_json:
        print_json(view)
        return
    dim = label("market_dimension", by, lang)
    tbl = Table(title=T("m_title", lang, dim=dim, as_of=view["as_of"], n=view["customers"]))
    tbl.add_column(T("segment", lang))
    for h in ("customers", "active", "revenue", "growth", "share"):
        tbl.add_column(T(h, lang), justify="right")
    for r in view["segments"][by]:
        tbl.add_row(r["label"], str(r["customers"]), str(r["active"]), _money(r["revenue"]),
                    _pct(r["growth"]), _pct(r["share"]))  # fmt: skip
    console.print(tbl)
    if not view["market_year"]:
        console.print(T("no_market", lang))
        return
    cells = Table(title=T("p_title", lang, year=view["market_year"]))
    for h in ("region", "industry"):
        cells.add_column(label("market_dimension", h, lang) if h == "region" else T(h, lang))
    for h in ("market_size", "active", "revenue", "penetration", "coverage", "potential", "white"):
        cells.add_column(T(h, lang), justify="right")
    for c in view["cells"][:top]:
        cells.add_row(
            c["region"],
            c["industry_name"] or c["industry_code"],
            _money(c["market_size"]),
            str(c["active"]),
            _money(c["revenue"]),
            _pct(c["penetration"], 1),
            _pct(c["coverage"], 1),
            _money(c["potential"]),
            T("yes", lang) if c["white_space"] else "",
        )
    console.print(cells)
