"""Planning commands: plan, playbooks, tasks, kpis, goals, targets (through `kehu.app`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from kehu.app import (
    BANDS,
    DIMENSIONS,
    GOAL_STATUS,
    KPI_BY_CODE,
    PRIORITY_FACTORS,
    SEGMENT_DIMENSIONS,
    TASK_STATUS,
    code_label,
    format_change,
    format_value,
    gap_text,
    get_kpi,
    goal_title,
    label,
    parse_month_weights,
    parse_weights,
    partial_note,
    segment_label,
    team,
)
from kehu.calendar import Period
from kehu.cli.common import answered, console, lang_of, open_app, parse_date, print_json
from kehu.errors import KehuError
from kehu.i18n import tr


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("playbooks")(playbooks)
    tasks_app = typer.Typer(
        help="Tasks from `kehu plan`: list, done, export. 任务", no_args_is_help=True
    )
    tasks_app.command("list")(tasks_list)
    tasks_app.command("done")(tasks_done)
    tasks_app.command("cancel")(tasks_cancel)
    tasks_app.command("export")(tasks_export)
    app.add_typer(tasks_app, name="tasks")
    app.command("kpis")(kpis)
    goals_app = typer.Typer(help="SMART goals on KPIs. 目标", no_args_is_help=True)
    goals_app.command("add")(goals_add)
    goals_app.command("list")(goals_list)
    goals_app.command("progress")(goals_progress)
    goals_app.command("remove")(goals_remove)
    app.add_typer(goals_app, name="goals")
    targets_app = typer.Typer(help="Sales-target decomposition. 销售目标拆解", no_args_is_help=True)
    targets_app.command("split")(targets_split)
    targets_app.command("progress")(targets_progress)
    targets_app.command("simulate")(targets_simulate)
    app.add_typer(targets_app, name="targets")


def _seg(kind: str, code: Any, lang: str) -> str:
    if code is None or code != code:  # None or NaN
        return "—"
    return label(kind, str(code), lang)


# ---- plan, playbooks -------------------------------------------------------------------------


def plan(
    ctx: typer.Context,
    as_of: str = typer.Option(None, "--as-of", help="Use the snapshot in force on this date."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be created."),
    top: int = typer.Option(10, "--top", help="How many new tasks to show."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Turn the latest customer snapshot into tasks (playbooks, RACI, priority). 生成行动计划"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    res = app.plan(parse_date(as_of), dry_run=dry_run)
    if as_json:
        print_json({**res.to_json(), "top": res.top(top)})
        return
    verb = tr(lang, "将新建", "would create") if dry_run else tr(lang, "新建", "created")
    console.print(
        tr(
            lang,
            f"快照 {res.as_of}:{res.candidates} 位客户需要行动,{verb} {res.created} 个任务,"
            f"{res.existing} 个已有任务",
            f"snapshot {res.as_of}: {res.candidates} customers need action, {verb} "
            f"{res.created} tasks, {res.existing} already covered",
        )
    )
    if res.held_out:
        counts = ", ".join(f"{k} {v}" for k, v in res.held_out.items())
        console.print(
            tr(
                lang,
                f"对照组:{sum(res.held_out.values())} 位符合条件的客户留作对照,不建任务({counts})",
                f"control groups: {sum(res.held_out.values())} eligible customers held out, no"
                f" task ({counts})",
            )
        )
    for zh, en in res.warnings:
        console.print(f"[bold yellow]{tr(lang, '警告', 'Warning')}: {escape(tr(lang, zh, en))}[/]")
    if not res.created:
        return
    table = Table(title=tr(lang, "优先级最高的新任务", "Top new tasks"))
    for col in (
        tr(lang, "客户", "customer"),
        tr(lang, "策略方向", "direction"),
        tr(lang, "优先级", "priority"),
        tr(lang, "战略/投产/成长/风控/紧迫", "fit/ROI/growth/risk/urgency"),
        tr(lang, "截止", "due"),
        "R",
        "A",
    ):
        table.add_column(col)
    for t in res.top(top):
        table.add_row(
            f"{t['customer_name'] or ''} ({t['customer_id']})",
            tr(lang, t["direction_zh"], t["direction_en"]),
            f"{t['priority']:.1f} {code_label(BANDS, t['priority_band'], lang)}",
            "/".join(f"{t[f'score_{f}']:.2f}" for f in PRIORITY_FACTORS),
            str(t["due_date"])[:10],
            team(t["owner"], lang),
            team(t["accountable"], lang),
        )
    console.print(table)


def playbooks(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show the playbooks in force (defaults + playbook file + kehu.toml). 分层策略"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    books = app.playbooks()
    if as_json:
        print_json({k: b.to_json() for k, b in books.items()})
        return
    table = Table(title=tr(lang, "分层策略", "Playbooks"), show_lines=True)
    for col in (
        tr(lang, "客户类型/层级", "type / tier"),
        tr(lang, "策略方向", "direction"),
        tr(lang, "具体措施", "measures"),
        tr(lang, "频率", "cadence"),
        tr(lang, "年成本(元)", "yearly cost"),
    ):
        table.add_column(col)
    for key, b in books.items():
        table.add_row(
            f"{b.name(lang)}\n[dim]{key}[/]",
            b.direction(lang),
            _measure_lines(b.actions, lang),
            b.cadence,
            f"{b.yearly_cost:,.0f}",
        )
    console.print(table)
    rules = Table(
        title=tr(lang, "挽回措施(按流失原因,合并为一项任务)", "Rescue measures by churn reason"),
        show_lines=True,
    )
    for col in (
        tr(lang, "流失原因", "reason"),
        tr(lang, "具体措施", "measures"),
        tr(lang, "期限(天)", "due (days)"),
    ):
        rules.add_column(col)
    for name_zh, name_en, actions, due in app.rescue_rules():
        rules.add_row(tr(lang, name_zh, name_en), _measure_lines(actions, lang), str(due))
    console.print(rules)


def _measure_lines(actions: Any, lang: str) -> str:
    return "\n".join(
        f"{i}. {a.text(lang)}" + (f" [C: {team(a.consulted, lang)}]" if a.consulted else "")
        for i, a in enumerate(actions, 1)
    )


# ---- tasks -------------------------------------------------------------------------------------


def tasks_list(
    ctx: typer.Context,
    owner: str = typer.Option(None, "--owner", help="Only this owner's tasks."),
    status: str = typer.Option(None, "--status", help="open | done | cancelled"),
    customer: str = typer.Option(None, "--customer", help="Only this customer's tasks."),
    limit: int = typer.Option(50, "--limit", help="At most this many (0 = all)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List tasks, highest priority first. 任务列表"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    rows = app.tasks(owner=owner, status=status, customer_id=customer, limit=limit or None)
    if answered(rows, as_json, tr(lang, "没有任务", "no tasks")):
        return
    table = Table()
    for col in ("ID", tr(lang, "客户", "customer"), tr(lang, "策略方向", "direction"),
                tr(lang, "优先级", "priority"), tr(lang, "截止", "due"),
                tr(lang, "状态", "status"), "R", "A"):  # fmt: skip
        table.add_column(col)
    for t in rows:
        table.add_row(
            str(t["task_id"]),
            f"{t['customer_name'] or ''} ({t['customer_id']})",
            tr(lang, t["direction_zh"] or "", t["direction_en"] or ""),
            f"{t['priority']:.1f} {code_label(BANDS, t['priority_band'], lang)}",
            str(t["due_date"]),
            code_label(TASK_STATUS, t["status"], lang),
            team(t["owner"], lang),
            team(t["accountable"], lang),
        )
    console.print(table)


def _close(ctx: typer.Context, task_id: int, status: str, note: str | None) -> None:
    app = open_app(ctx)
    lang = lang_of(ctx)
    task = app.set_task_status(task_id, status, note)
    word = tr(lang, "已完成", "done") if status == "done" else tr(lang, "已取消", "cancelled")
    console.print(f"[green]✓[/] #{task_id} {task['customer_name'] or task['customer_id']}: {word}")


def tasks_done(
    ctx: typer.Context,
    task_id: int = typer.Argument(..., help="Task id (from `kehu tasks list`)."),
    note: str = typer.Option(None, "--note", help="What was done."),
) -> None:
    """Mark a task done. 完成任务"""
    _close(ctx, task_id, "done", note)


def tasks_cancel(
    ctx: typer.Context,
    task_id: int = typer.Argument(..., help="Task id."),
    note: str = typer.Option(None, "--note", help="Why."),
) -> None:
    """Cancel a task. 取消任务"""
    _close(ctx, task_id, "cancelled", note)


def tasks_export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "-o", "--out", help="File: .csv, .xlsx or .json"),
    status: str = typer.Option(None, "--status", help="open | done | cancelled"),
    owner: str = typer.Option(None, "--owner", help="Only this owner's tasks."),
) -> None:
    """Export tasks (CSV opens in Excel; XLSX; JSON). 导出任务"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    n = app.export_tasks(out, status=status, owner=owner, lang=lang)
    console.print(
        tr(lang, f"[green]✓[/] 已导出 {n} 个任务到 {out}", f"[green]✓[/] {n} tasks -> {out}")
    )


# ---- KPIs --------------------------------------------------------------------------------------


def kpis(
    ctx: typer.Context,
    period: str = typer.Option("month", "--period", help="month | quarter | year"),
    by: str = typer.Option(
        None, "--by", help="region | owner | rfm_type | value_tier | industry | size"
    ),
    start: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    end: str = typer.Option(None, "--to", help="Last day (default: the data's last day)."),
    kpi: list[str] = typer.Option(None, "--kpi", help="Only these KPIs (repeatable)."),
    show: int = typer.Option(6, "--show", help="Periods shown in the table."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (all rows)."),
) -> None:
    """KPIs per period with the change vs the previous period. 关键指标"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    rows = app.kpis(period, by, first, last, kpis=kpi or None)
    if as_json:
        print_json(rows)
        return
    labels = sorted({r["period"] for r in rows})[-max(show, 1) :]
    table = Table(title=tr(lang, "关键指标", "KPIs"))
    table.add_column(tr(lang, "指标", "KPI"))
    if by:
        table.add_column(code_label(DIMENSIONS, by, lang))
    partial = next((r for r in rows if r["partial"] and r["period"] in labels), None)
    for lab in labels:
        head = lab
        if partial is not None and lab == partial["period"]:
            head += tr(lang, " (至今)", " (to date)")
        table.add_column(head, justify="right")
    table.add_column(tr(lang, "环比", "vs prev."), justify="right")
    if partial is not None:
        table.caption = partial_note(partial, lang)
    seen: dict[tuple[str, Any], dict[str, dict]] = {}
    for r in rows:
        seen.setdefault((r["kpi"], r["group"]), {})[r["period"]] = r
    for (code, grp), per in seen.items():
        k = KPI_BY_CODE[code]
        latest = per.get(labels[-1]) if labels else None
        change = format_change(latest["change"], k.unit, lang) if latest else "—"
        if latest and latest["change"] is not None and latest["change"] != 0:
            good = (latest["change"] > 0) == k.higher_is_better
            change = f"[{'green' if good else 'red'}]{change}[/]"
        grp_text = [] if not by else [
            _seg(by, grp, lang) if by in ("rfm_type", "value_tier")
            else segment_label(by, grp, lang) if by in SEGMENT_DIMENSIONS else (grp or "—")
        ]  # fmt: skip
        cells = [format_value(per[lab]["value"], k.unit, lang) if lab in per else "—"
                 for lab in labels]  # fmt: skip
        table.add_row(k.label(lang), *grp_text, *cells, change)
    console.print(table)


# ---- goals -------------------------------------------------------------------------------------


def goals_add(
    ctx: typer.Context,
    metric: str = typer.Option(..., "--metric", help="A KPI code, e.g. new_customers."),
    target: str = typer.Option(..., "--target", help="200 | 85% | +10% | +5pp | +30"),
    by: str = typer.Option(None, "--by", help="Deadline (YYYY-MM-DD)."),
    owner: str = typer.Option(..., "--owner", help="Who owns the goal."),
    scope: str = typer.Option(None, "--scope", help="region=华东 | rfm_type=high_value ..."),
    name: str = typer.Option(None, "--name", help="A name for the goal."),
    start: str = typer.Option(None, "--from", help="Start (default: this period's start)."),
    period: str = typer.Option(None, "--period", help="2027-Q1 etc.: sets --from and --by."),
    grain: str = typer.Option(None, "--grain", help="month | quarter | year (progress steps)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Add a SMART goal, e.g. quarterly new customers reach 200. 新增目标"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    first, deadline = parse_date(start, "--from"), parse_date(by, "--by")
    if period:
        p = Period.parse(period)
        first, deadline = first or p.start, deadline or p.end
    if deadline is None:
        raise KehuError(
            "请用 --by 给出截止日期(或 --period)", "give a deadline with --by (or --period)"
        )
    goal = app.add_goal(metric, target, deadline, owner, scope=scope, name=name, start=first,
                       grain=grain)  # fmt: skip
    if as_json:
        print_json(goal)
        return
    console.print(f"[green]✓[/] #{goal['goal_id']} {goal_title(goal, lang)}")


def _goal_table(rows: list[dict], lang: str) -> Table:
    table = Table()
    for col in ("ID", tr(lang, "目标", "goal"), tr(lang, "负责人", "owner"),
                tr(lang, "目标值", "target"), tr(lang, "实际", "actual"),
                tr(lang, "预测", "projected"), tr(lang, "状态", "status")):  # fmt: skip
        table.add_column(col)
    colour = {"on_track": "green", "achieved": "green", "at_risk": "yellow", "missed": "red"}
    for g in rows:
        unit = g.get("unit") or _unit(g["metric"])
        status = g.get("status")
        text = code_label(GOAL_STATUS, status, lang) if status else "—"
        if status in colour:
            text = f"[{colour[status]}]{text}[/]"
        table.add_row(
            str(g["goal_id"]),
            goal_title(g, lang),
            g["owner"] or "",
            format_value(g["target"], unit, lang),
            format_value(g.get("actual"), unit, lang),
            format_value(g.get("projected"), unit, lang),
            text,
        )
    return table


def _unit(metric: str) -> str:
    return get_kpi(metric).unit


def goals_list(
    ctx: typer.Context,
    owner: str = typer.Option(None, "--owner", help="Only this owner's goals."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List goals with their last evaluated status. 目标列表"""
    app = open_app(ctx)
    rows = app.goals(owner)
    if as_json:
        print_json(rows)
        return
    console.print(_goal_table(rows, lang_of(ctx)))


def goals_progress(
    ctx: typer.Context,
    goal_id: int = typer.Argument(None, help="One goal (default: all)."),
    as_of: str = typer.Option(None, "--as-of", help="Evaluate at this date."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Progress vs actual per period; on-track / at-risk / missed by linear projection. 目标进度"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    reports = app.goal_progress(goal_id, parse_date(as_of))
    if as_json:
        print_json(reports)
        return
    console.print(_goal_table(reports, lang))
    if goal_id is not None and reports and reports[0]["periods"]:
        rep = reports[0]
        table = Table(title=tr(lang, "分期进度", "Per period"))
        for col in (tr(lang, "期间", "period"), tr(lang, "实际", "actual"),
                    tr(lang, "累计", "cumulative"), tr(lang, "应达", "expected"),
                    tr(lang, "预测", "projected"), tr(lang, "状态", "status")):  # fmt: skip
            table.add_column(col)
        for p in rep["periods"]:
            table.add_row(
                p["period"],
                *(format_value(p[k], rep["unit"], lang)
                  for k in ("actual", "cumulative", "expected", "projected")),
                code_label(GOAL_STATUS, p["status"], lang),
            )  # fmt: skip
        console.print(table)


def goals_remove(ctx: typer.Context, goal_id: int = typer.Argument(..., help="Goal id.")) -> None:
    """Delete a goal and its progress history. 删除目标"""
    app = open_app(ctx)
    app.remove_goal(goal_id)
    console.print(
        tr(
            lang_of(ctx),
            f"[green]✓[/] 已删除目标 #{goal_id}",
            f"[green]✓[/] goal #{goal_id} removed",
        )
    )


# ---- targets -----------------------------------------------------------------------------------


def targets_split(
    ctx: typer.Context,
    total: str = typer.Option(..., "--total", help="Company total in yuan, e.g. 50000000."),
    period: str = typer.Option(..., "--period", help="2027 | 2027-Q1 | 2027-03"),
    by: str = typer.Option("region", "--by", help="region | owner | customer"),
    months: bool = typer.Option(False, "--months", help="Also split each target by month."),
    month_weights: str = typer.Option(
        None, "--month-weights", help="Month percentages, e.g. 8,8,9,... (implies --months)."
    ),
    weights: str = typer.Option(None, "--weights", help="history=0.6,potential=0.4"),
    floor: float = typer.Option(None, "--floor", help="Target >= floor x last period."),
    cap: float = typer.Option(None, "--cap", help="Target <= cap x last period."),
    rounding: str = typer.Option(None, "--round", help="yuan | fen"),
    out: Path = typer.Option(None, "-o", "--out", help="XLSX file to write."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the split, write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Split a sales target over regions / owners / customers (exact sum). 销售目标拆解"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    res = app.split_targets(
        total, period, by, weights=parse_weights(weights), floor=floor, cap=cap,
        months=months, month_weights=parse_month_weights(month_weights), rounding=rounding,
        write=not dry_run, out=out, lang=lang,
    )  # fmt: skip
    if as_json:
        print_json(res.to_json())
        return
    table = Table(title=tr(lang, f"{res.period.label} 销售目标拆解", f"{res.period.label} targets"))
    for col in (tr(lang, "单元", "unit"), tr(lang, "基期销售额", "basis sales"),
                tr(lang, "目标额", "target"), tr(lang, "增长", "growth"),
                tr(lang, "商机期望值", "expected pipeline"), ""):  # fmt: skip
        table.add_column(col, justify="right" if col else "left")
    for r in sorted(res.rows, key=lambda r: -r["target"])[:30]:
        flag = "floor" if r["at_floor"] else ("cap" if r["at_cap"] else "")
        growth = "—" if r["growth"] is None else f"{r['growth'] * 100:+.1f}%"
        table.add_row(
            r["unit"], f"{r['history']:,.2f}", f"{r['target']:,.2f}", growth,
            f"{r['expected_pipeline']:,.2f}", flag,
        )  # fmt: skip
    console.print(table)
    console.print(
        tr(
            lang,
            f"共 {len(res.rows)} 个单元,合计 {sum(r['target'] for r in res.rows):,.2f}"
            f"(基期 {res.basis[0]} ~ {res.basis[1]})",
            f"{len(res.rows)} units, sum {sum(r['target'] for r in res.rows):,.2f} "
            f"(basis {res.basis[0]} ~ {res.basis[1]})",
        )
    )
    if res.excluded_customers:
        console.print(
            tr(
                lang,
                f"[yellow]注意:{res.excluded_customers} 位客户没有{by},其基期销售额"
                f" {res.excluded_sales:,.2f} 未计入拆解[/]",
                f"[yellow]note: {res.excluded_customers} customers have no {by}; their basis "
                f"sales {res.excluded_sales:,.2f} are left out[/]",
            )
        )
    if res.xlsx:
        console.print(
            tr(
                lang,
                f"[green]✓[/] 已写入目标表和 {res.xlsx}",
                f"[green]✓[/] wrote the targets table and {res.xlsx}",
            )
        )


def targets_simulate(
    ctx: typer.Context,
    total: str = typer.Option(..., "--total", help="Company total in yuan, e.g. 50000000."),
    period: str = typer.Option(..., "--period", help="2027 | 2027-Q1 | 2027-03"),
    by: str = typer.Option("region", "--by", help="region | owner"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Chance of reaching each unit's target: current split vs the best one. 目标达成模拟"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    res = app.simulate_targets(total, period, by)
    if as_json:
        print_json(res)
        return
    table = Table(
        title=tr(lang, f"{res['period']} 目标达成概率({res['simulations']:,} 次模拟)",
                 f"{res['period']} chance of reaching the targets ({res['simulations']:,} draws)")
    )  # fmt: skip
    for col in (tr(lang, "单元", "unit"), tr(lang, "预期销售额", "expected sales"),
                tr(lang, "标准差", "sd"), tr(lang, "现拆解目标", "current target"),
                tr(lang, "达成概率", "chance"), tr(lang, "最优目标", "best target"),
                tr(lang, "达成概率", "chance")):  # fmt: skip
        table.add_column(col, justify="left" if col == tr(lang, "单元", "unit") else "right")
    for r in sorted(res["rows"], key=lambda r: -r["expected"])[:30]:
        full = tr(lang, "(满负荷)", " (at capacity)") if r["full"] else ""
        table.add_row(
            r["unit"] + full, f"{r['expected']:,.0f}", f"{r['sd']:,.0f}", f"{r['current']:,.0f}",
            f"{r['p_current']:.0%}", f"{r['best']:,.0f}", f"{r['p_best']:.0%}",
        )  # fmt: skip
    console.print(table)
    console.print(
        tr(
            lang,
            f"总额 {res['total']:,.0f}(预期 {res['expected']:,.0f}):达成总额的概率"
            f" {res['p_total']:.0%};各单元都达成的概率:现拆解 {res['p_all_current']:.0%},"
            f"最优拆解 {res['p_all_best']:.0%}(快照 {res['snapshot']},"
            f"潜在客户商机 {res['prospect_deals']} 个)",
            f"total {res['total']:,.0f} (expected {res['expected']:,.0f}): chance of reaching"
            f" the total {res['p_total']:.0%}; chance that every unit reaches its own: current"
            f" split {res['p_all_current']:.0%}, best split {res['p_all_best']:.0%} (snapshot"
            f" {res['snapshot']}, {res['prospect_deals']} prospect deals)",
        )
    )


def targets_progress(
    ctx: typer.Context,
    period: str = typer.Option(
        None, "--period", help="2027 | 2027-Q1 | 2027-03 (default: current)."
    ),
    as_of: str = typer.Option(None, "--as-of", help="Measure up to this date."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Target attainment per unit: actual orders vs target, pace. 目标达成"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    rows = app.target_progress(period, parse_date(as_of))
    if as_json:
        print_json(rows)
        return
    r0 = rows[0]
    table = Table(
        title=tr(lang, f"{r0['period']} 目标达成(截至 {r0['as_of']},时间进度 {r0['elapsed']:.0%})",
                 f"{r0['period']} attainment (to {r0['as_of']}, {r0['elapsed']:.0%} of the period)")
    )  # fmt: skip
    for col in (tr(lang, "单元", "unit"), tr(lang, "目标", "target"), tr(lang, "实际", "actual"),
                tr(lang, "达成率", "attainment"), tr(lang, "预计全期", "projected")):  # fmt: skip
        table.add_column(col, justify="left" if col == tr(lang, "单元", "unit") else "right")
    for r in rows:
        att = "—" if r["attainment"] is None else f"{r['attainment']:.1%}"
        colour = "green" if r["on_pace"] else "yellow"
        proj = "—" if r["projected"] is None else f"[{colour}]{r['projected']:,.0f}[/]"
        table.add_row(r["unit"], f"{r['target']:,.0f}", f"{r['actual']:,.0f}", att, proj)
    console.print(table)
    gaps = [g for g in app.target_gaps() if g["period"] == r0["period"]]
    if gaps:
        n = len(gaps)
        console.print(tr(lang, f"[yellow]⚠ 目标在各层级之间对不上({n} 处):[/]",
                         f"[yellow]⚠ targets do not add up across levels ({n}):[/]"))  # fmt: skip
        for g in gaps:
            console.print("  " + gap_text(g, lang))
