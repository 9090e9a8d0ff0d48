"""`kehu competitors`, `kehu market`: competitor and market views in the terminal (thin over
`kehu.app.Kehu`)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from kehu.app import MARKET_DIMENSIONS, label
from kehu.cli.common import console, lang_of, open_app, parse_date, print_json
from kehu.errors import KehuError
from kehu.i18n import catalog

T = catalog("cli_market")


def register(app: typer.Typer) -> None:
    app.command("competitors")(competitors)
    app.command("market")(market)


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
    view = open_app(ctx).competitors(parse_date(as_of, "--as-of"), owner=owner, region=region)
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
    if by not in MARKET_DIMENSIONS:
        raise KehuError(
            f"--by 应为 {' / '.join(MARKET_DIMENSIONS)}:{by}",
            f"--by must be {', '.join(MARKET_DIMENSIONS)}: {by}",
        )
    lang = lang_of(ctx)
    view = open_app(ctx).market(parse_date(as_of, "--as-of"), owner=owner, region=region, lang=lang)
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
