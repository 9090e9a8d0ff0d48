"""`kehu satisfaction`: NPS/CSAT drivers, improvement measures and their effect (thin over
`kehu.app.Kehu`)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from kehu.cli.common import console, lang_of, open_app, parse_date, print_json
from kehu.i18n import catalog

T = catalog("satisfaction", "texts")


def register(app: typer.Typer) -> None:
    sat_app = typer.Typer(
        help="Satisfaction drivers and improvement measures. 满意度管理",
        invoke_without_command=True,
    )
    sat_app.callback()(show)
    sat_app.command("plan")(plan)
    sat_app.command("close")(close)
    app.add_typer(sat_app, name="satisfaction")


def _pct(value: Any, digits: int = 1) -> str:
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


def _share(x: int, n: int, rate: float) -> str:
    return f"{x}/{n} ({_pct(rate, 0)})"


def show(
    ctx: typer.Context,
    as_of: str = typer.Option(None, "--as-of", help="Date (default: the latest snapshot). 日期"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Which ticket categories, SLA breaches and late payments go with detractors, and whether
    the NPS moved after the measures. 满意度驱动因素"""
    if ctx.invoked_subcommand is not None:
        return
    lang = lang_of(ctx)
    view = open_app(ctx).satisfaction(parse_date(as_of, "--as-of"), lang=lang)
    if as_json:
        print_json(view)
        return
    console.print(f"[bold]{T('title', lang, as_of=view['as_of'])}[/]")
    nps = "—" if view["nps"] is None else f"{view['nps']:+.0f}"
    console.print(T("summary", lang, responses=view["responses"], customers=view["customers"],
                    rate=_pct(view["detractor_rate"]), nps=nps))  # fmt: skip
    console.print(T("rule", lang, days=view["window_days"], support=view["min_support"],
                    alpha=view["alpha"]), style="dim")  # fmt: skip
    if not view["drivers"]:
        console.print(T("none", lang))
    else:
        table = Table()
        level = f"{view['confidence']:.0%}"
        table.add_column(T("driver", lang), overflow="fold", min_width=10)
        for head in ("with", "without"):
            table.add_column(T(head, lang))
        table.add_column(T("difference", lang, level=level), justify="right")
        table.add_column(T("p", lang), justify="right")
        table.add_column(T("strong", lang))
        for d in view["drivers"]:
            table.add_row(
                d["label"],
                _share(d["detractors"], d["responses"], d["rate"]),
                _share(d["detractors_without"], d["responses_without"], d["rate_without"]),
                f"{_pct(d['difference'])} [{_pct(d['low'])}, {_pct(d['high'])}]",
                f"{d['p']:.3g} ({d['p_adjusted']:.3g})",
                T("yes" if d["strong"] else "no", lang),
            )
        console.print(table)
    _measures(view["measures"], lang)


def _measures(measures: list[dict[str, Any]], lang: str) -> None:
    if not measures:
        console.print(T("no_measures", lang), style="dim")
        return
    table = Table(title=T("measures", lang), title_justify="left")
    for head in ("measure", "region", "owner", "planned_on", "status", "effect"):
        table.add_column(T(head, lang) if head != "measure" else "#")
    table.add_column(T("measure", lang))
    for m in measures:
        table.add_row(str(m["measure_id"]), m["region"] or "—", m["owner"] or "—",
                      str(m["planned_on"]), m["status"], m["effect_text"], m["action"])  # fmt: skip
    console.print(table)


def plan(
    ctx: typer.Context,
    as_of: str = typer.Option(None, "--as-of", help="Date of the drivers (default latest). 日期"),
) -> None:
    """Plan an improvement measure per strong driver and region (owner: the region's lead).
    生成改进措施"""
    lang = lang_of(ctx)
    made = open_app(ctx).plan_satisfaction(parse_date(as_of, "--as-of"))
    console.print(T("planned", lang, n=len(made)))
    for m in made:
        console.print(f"  #{m['measure_id']} {m['region'] or '—'} · {m['owner'] or '—'} · "
                      f"{m['action_en'] if lang == 'en' else m['action_zh']}")  # fmt: skip


def close(
    ctx: typer.Context,
    measure_id: int = typer.Argument(..., help="Measure number (#). 措施编号"),
    cancel: bool = typer.Option(False, "--cancel", help="Cancelled rather than done. 取消"),
) -> None:
    """Mark an improvement measure done (or cancelled). 关闭措施"""
    status = "cancelled" if cancel else "done"
    open_app(ctx).close_satisfaction_measure(measure_id, status)
    console.print(T("closed", lang_of(ctx), id=measure_id, status=status))
