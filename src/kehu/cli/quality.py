"""`kehu quality` and `kehu dedupe …` (thin: through `kehu.app`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from kehu.app import REVIEW_FIELDS
from kehu.cli.common import answered, console, err_console, lang_of, open_app, print_json
from kehu.i18n import catalog, tr

T = catalog("cli_quality")

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def register(app: typer.Typer) -> None:
    app.command("quality")(quality_cmd)
    dedupe_app = typer.Typer(
        help="Find, review, merge and undo duplicate customers. 客户查重与合并",
        invoke_without_command=True,
    )
    dedupe_app.callback(invoke_without_command=True)(dedupe_cmd)
    dedupe_app.command("review")(review_cmd)
    dedupe_app.command("merge")(merge_cmd)
    dedupe_app.command("reject")(reject_cmd)
    dedupe_app.command("undo")(undo_cmd)
    dedupe_app.command("log")(log_cmd)
    app.add_typer(dedupe_app, name="dedupe")


# ---- kehu quality ------------------------------------------------------------------------
def quality_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
    as_of: str = typer.Option(None, "--as-of", help="Reference date (default today). 基准日期"),
) -> None:
    """Data-quality report: completeness, invalid values, duplicates, orphans, stale records.
    数据质量报告"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    ref = date.fromisoformat(as_of) if as_of else None
    report = app.quality_report(ref)
    if as_json:
        print_json(report)
        return
    key_fields = app.settings.quality.key_fields
    tbl = Table(title=T("q_tables", lang))
    for col in ("table", "rows", "filled", "lowest"):
        tbl.add_column(T(col, lang), justify="right" if col in ("rows", "filled") else "left")
    for t in report["tables"]:
        comp = t["completeness"]
        keys = [c for c in key_fields.get(t["table"], []) if c in comp] or list(comp)
        mean = sum(comp[c] for c in keys) / len(keys) if keys and t["rows"] else 0.0
        low = sorted((v, c) for c, v in comp.items() if c not in ("created_at", "updated_at"))[:3]
        tbl.add_row(
            t["table"],
            f"{t['rows']:,}",
            f"{mean:.0%}" if t["rows"] else "—",
            ", ".join(f"{c} {v:.0%}" for v, c in low) if t["rows"] else "",
        )
    console.print(T("q_title", lang, as_of=report["as_of"]))
    console.print(tbl)
    findings = report["findings"]
    if not findings:
        console.print(T("no_findings", lang))
        return
    ft = Table(show_lines=True)
    for col in ("severity", "table", "column", "count", "finding", "fix"):
        ft.add_column(T(col, lang), overflow="fold")
    for f in findings:
        sev = f["severity"]
        msg = f["message_en"] if lang == "en" else f["message_zh"]
        if f["examples"]:
            msg += f"\n[dim]{T('examples', lang)}: {', '.join(map(str, f['examples']))}[/]"
        ft.add_row(
            f"[{SEVERITY_STYLE[sev]}]{T(sev, lang)}[/]",
            f["table"],
            f["column"] or "",
            f"{f['count']:,}",
            msg,
            f["fix_en"] if lang == "en" else f["fix_zh"],
        )
    console.print(ft)
    console.print(T("summary", lang, **report["summary"]))


# ---- kehu dedupe -------------------------------------------------------------------------
def dedupe_cmd(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Score and report; merge nothing. 预演"),
    output: Path = typer.Option(
        None, "-o", "--output", help="Write the scored pairs (CSV/XLSX/Parquet). 输出候选对"
    ),
    min_probability: float = typer.Option(
        None,
        "--min-probability",
        min=0.0,
        max=1.0,
        help="Also list pairs down to this probability in -o (default: dedupe.review).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Find duplicate customers (Splink); merge sure clusters, queue the rest for review.
    客户查重"""
    if ctx.invoked_subcommand is not None:
        return
    app = open_app(ctx)
    lang = lang_of(ctx)
    with err_console.status(T("stage", lang, stage="…")) as status:

        def progress(stage: str) -> None:
            status.update(T("stage", lang, stage=stage))

        res = app.dedupe(
            dry_run=dry_run,
            output=output,
            min_probability=min_probability,
            progress=None if as_json else progress,
        )
    if as_json:
        print_json(res.to_json())
        return
    tbl = Table(title=T("d_title_dry" if dry_run else "d_title", lang), show_header=False)
    tbl.add_column()
    tbl.add_column(justify="right")
    tbl.add_row(T("records", lang), f"{res.records:,}")
    if res.candidate_pairs >= 0:
        tbl.add_row(T("candidates", lang), f"{res.candidate_pairs:,}")
    tbl.add_row(T("scored", lang), f"{res.scored_pairs:,}")
    tbl.add_row(T("auto", lang), f"{res.auto_clusters:,} / {res.auto_records:,}")
    if not dry_run:
        tbl.add_row(T("merged", lang), f"{res.merged_records:,}")
    tbl.add_row(T("review", lang), f"{res.review_pairs:,}")
    tbl.add_row(T("blocked", lang), f"{res.blocked_pairs:,}")
    tbl.add_row(T("trained", lang), T("trained_yes" if res.trained else "trained_no", lang))
    tbl.add_row(T("seconds", lang), f"{sum(res.timings.values()):.1f}")
    if res.output:
        tbl.add_row(T("output", lang), res.output)
    console.print(tbl)
    _print_learning(res, lang)
    if res.review_pairs:
        console.print(T("next_review", lang, n=res.review_pairs))


def _print_learning(res: Any, lang: str) -> None:
    """What the reviewed pairs changed: m moves, the threshold, and the figures since the
    last run."""
    info = res.learning
    if not info or not info["labels"]:
        return
    if not info["applied"]:
        console.print(T("learn_wait", lang, n=info["labels"], k=info["needed"]))
        return
    console.print(T("learned", lang, n=info["labels"], m=info["matches"], x=info["non_matches"]))
    for comp, levels in info["m_changes"].items():
        for level, (a, b) in levels.items():
            console.print(T("learn_m", lang, field=comp, level=level, a=a, b=b))
    if info["auto_merge"]:
        console.print(T("learn_auto", lang, t=info["auto_merge"]))
    for key, (a, b) in res.changes.items():
        if a != b and key in ("auto_records", "review_pairs"):
            what = T("auto" if key == "auto_records" else "review", lang)
            console.print(T("change", lang, what=what, a=a, b=b))


def _side_by_side(pair: dict[str, Any], i: int, n: int, lang: str) -> Table:
    tbl = Table(title=T("r_pair", lang, i=i, n=n, p=pair["probability"]))
    tbl.add_column(T("r_field", lang))
    tbl.add_column(pair["id_l"])
    tbl.add_column(pair["id_r"])
    for field in REVIEW_FIELDS:
        a, b = pair["left"].get(field), pair["right"].get(field)
        if a is None and b is None:
            continue
        same = a is not None and a == b
        style = "green" if same else ""
        tbl.add_row(
            field,
            f"[{style}]{a if a is not None else ''}[/]"
            if style
            else str(a if a is not None else ""),
            f"[{style}]{b if b is not None else ''}[/]"
            if style
            else str(b if b is not None else ""),
        )
    notes = []
    if pair["agreed"]:
        notes.append(f"{T('r_agreed', lang)}: {', '.join(pair['agreed'])}")
    if pair.get("hold"):
        notes.append(T(f"r_hold_{pair['hold']}", lang))
    if notes:
        tbl.caption = "\n".join(notes)
    return tbl


def review_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Pairs to show. 显示对数"),
    interactive: bool = typer.Option(
        False, "--interactive", "-i", help="Decide each pair now. 逐对确认"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Show suspected duplicates side by side (most likely first). 复核疑似重复"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    pairs = app.pending_pairs(limit)
    if answered(pairs, as_json, T("r_none", lang)):
        return
    for i, pair in enumerate(pairs, 1):
        console.print(_side_by_side(pair, i, len(pairs), lang))
        if not interactive:
            continue
        answer = typer.prompt(T("r_prompt", lang), default="s").strip().lower()[:1]
        if answer == "q":
            break
        if answer == "m":
            rec = app.merge(pair["id_l"], pair["id_r"])
            console.print(
                T(
                    "merged_ok",
                    lang,
                    ids=", ".join(rec.merged_ids),
                    survivor=rec.survivor_id,
                    merge_id=rec.merge_id,
                )
            )
        elif answer == "r":
            app.reject(pair["id_l"], pair["id_r"])
            console.print(T("rejected_ok", lang, a=pair["id_l"], b=pair["id_r"]))


def merge_cmd(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="Customer id."),
    b: str = typer.Argument(..., help="Customer id."),
    keep: str = typer.Option(
        None, "--keep", help="Id that survives (default: dedupe.survivorship)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Merge two customers (children and ids move to the survivor; undoable). 合并客户"""
    app = open_app(ctx)
    rec = app.merge(a, b, keep=keep)
    if as_json:
        print_json(
            {"merge_id": rec.merge_id, "survivor_id": rec.survivor_id, "merged_ids": rec.merged_ids}
        )
        return
    console.print(
        T(
            "merged_ok",
            lang_of(ctx),
            ids=", ".join(rec.merged_ids),
            survivor=rec.survivor_id,
            merge_id=rec.merge_id,
        )
    )


def reject_cmd(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="Customer id."),
    b: str = typer.Argument(..., help="Customer id."),
    note: str = typer.Option(None, "--note", help="Why they differ. 备注"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Mark two customers as different; the pair is never proposed again. 不是同一客户"""
    app = open_app(ctx)
    res = app.reject(a, b, note=note)
    if as_json:
        print_json(res)
        return
    console.print(T("rejected_ok", lang_of(ctx), a=res["id_l"], b=res["id_r"]))


def undo_cmd(
    ctx: typer.Context,
    merge_id: str = typer.Argument(..., help="Merge id, e.g. M000012 (see `kehu dedupe log`)."),
    force: bool = typer.Option(
        False, "--force", help="Undo even if the survivor changed since. 强制撤销"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """Undo a merge: restore every record exactly as before. 撤销合并"""
    app = open_app(ctx)
    res = app.undo_merge(merge_id, force=force)
    if as_json:
        print_json(res)
        return
    console.print(
        T(
            "undone_ok",
            lang_of(ctx),
            merge_id=res["merge_id"],
            ids=", ".join(res["restored_ids"]),
            n=res["child_rows"],
        )
    )


def log_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", "-n", min=1),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output. JSON 输出"),
) -> None:
    """List merges, newest first (ids for `kehu dedupe undo`). 合并记录"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    rows = app.merge_log(limit)
    if answered(rows, as_json, T("log_empty", lang)):
        return
    tbl = Table(title=T("log_title", lang))
    for col in (
        "merge_id",
        "created_at",
        "method",
        "survivor_id",
        "merged_ids",
        "probability",
        "status",
    ):
        tbl.add_column(col)
    for r in rows:
        prob = f"{r['probability']:.4f}" if r["probability"] is not None else ""
        tbl.add_row(
            r["merge_id"],
            str(r["created_at"])[:19],
            r["method"],
            r["survivor_id"],
            r["merged_ids"],
            prob,
            tr(lang, "已撤销", "undone")
            if r["status"] == "undone"
            else tr(lang, "生效", "applied"),
        )
    console.print(tbl)
