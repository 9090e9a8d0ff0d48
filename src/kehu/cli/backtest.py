"""`kehu backtest`: how the predictions made at a past date held up (logic in
kehu.analytics.backtest, reached through `kehu.app`; this module parses options and draws
the tables)."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Group
from rich.table import Table

from kehu.app import ANALYSIS_STAGES, BACKTEST_NAMES, label
from kehu.cli.common import (
    command_lang,
    console,
    err_console,
    history_option,
    lang_option,
    open_app,
    parse_date,
    print_json,
    print_runs,
)
from kehu.i18n import tr


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest)


def backtest(
    ctx: typer.Context,
    as_of: str = typer.Option(
        None,
        "--as-of",
        help="Past date YYYY-MM-DD to predict from (default: the latest date that leaves"
        " a full horizon of later orders).",
    ),
    horizon: int = typer.Option(
        None, "--horizon", help="Days after --as-of to compare with (default churn.horizon_days)."
    ),
    show_history: bool = history_option(),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every figure)."),
    own_lang: str = lang_option(),
) -> None:
    """Predict from a past date with only what was known then; compare with what happened. 回测"""
    app = open_app(ctx)
    lang = command_lang(ctx, own_lang)
    if show_history:
        runs = app.backtest_history()
        print_runs(runs, as_json, lambda: render_history(runs, lang))
        return
    out = err_console if as_json else console
    with out.status(tr(lang, "回测中…", "backtesting…")) as status:

        def progress(stage: str, step: int, total: int) -> None:
            status.update(f"[{step}/{total}] {ANALYSIS_STAGES(stage, lang)}…")

        result = app.backtest(parse_date(as_of), horizon, progress=progress)
    if as_json:
        print_json(result)
        return
    console.print(render_result(result, lang))


def _f(v: float | None, fmt: str = ".3f") -> str:
    return "—" if v is None else format(v, fmt)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:+.1%}"


def _churn_table(result: dict[str, Any], lang: str) -> Table:
    tbl = Table(title=tr(lang, "流失预警:预测无购买 vs 实际", "Churn warning: predicted vs actual"))
    tbl.add_column(tr(lang, "评分", "score"))
    for head in ("ROC AUC", "PR AUC", "Brier", tr(lang, "前10% 提升度", "lift top 10%"),
                 tr(lang, "前10% 捕获率", "capture top 10%"),
                 tr(lang, "前20% 提升度", "lift top 20%"),
                 tr(lang, "前20% 捕获率", "capture top 20%")):  # fmt: skip
        tbl.add_column(head, justify="right")
    for name, m in result["overall"]["churn"].items():
        tbl.add_row(
            BACKTEST_NAMES(name, lang), _f(m["roc_auc"]), _f(m["pr_auc"]), _f(m["brier"], ".4f"),
            _f(m["lift_top10"], ".2f"), _f(m["capture_top10"], ".1%"),
            _f(m["lift_top20"], ".2f"), _f(m["capture_top20"], ".1%"),
        )  # fmt: skip
    return tbl


def _reliability_table(result: dict[str, Any], lang: str) -> Table:
    tbl = Table(
        title=tr(lang, "kehu 流失风险的校准(10 个区间)", "kehu churn risk calibration (10 bins)")
    )
    for head in (("区间", "bin"), ("客户数", "customers"), ("平均预测", "predicted"),
                 ("实际流失率", "observed")):  # fmt: skip
        tbl.add_column(tr(lang, *head), justify="right")
    for b in result["overall"]["churn"]["kehu"]["reliability"]:
        tbl.add_row(b["bin"], str(b["n"]), f"{b['mean_predicted']:.3f}", f"{b['observed']:.3f}")
    return tbl


def _amount_table(result: dict[str, Any], lang: str) -> Table:
    h = result["horizon_days"]
    tbl = Table(
        title=tr(lang, f"未来 {h} 天的购买次数与收入:预测 vs 实际",
                 f"Purchases and revenue in the next {h} days: predicted vs actual")
    )  # fmt: skip
    tbl.add_column(tr(lang, "模型", "model"))
    for head in (("预测次数", "purchases pred."), ("实际次数", "actual"),
                 ("总量误差", "total error"), ("相关系数", "correlation"),
                 ("预测收入", "revenue pred."), ("实际收入", "actual"),
                 ("总量误差", "total error"), ("相关系数", "correlation")):  # fmt: skip
        tbl.add_column(tr(lang, *head), justify="right")
    used = result.get("kehu_purchase_model")
    overall = result["overall"]
    for name, p in overall["purchases"].items():
        r = overall["revenue"][name]
        label = BACKTEST_NAMES(f"{name}_model", lang) + (
            tr(lang, "(kehu 采用)", " (kehu uses)") if name == used else ""
        )
        tbl.add_row(
            label, _f(p["predicted"], ",.0f"), _f(p["actual"], ",.0f"), _pct(p["total_error"]),
            _f(p["correlation"]), _f(r["predicted"], ",.0f"), _f(r["actual"], ",.0f"),
            _pct(r["total_error"]), _f(r["correlation"]),
        )  # fmt: skip
    return tbl


def _group_table(result: dict[str, Any], key: str, title: tuple[str, str], lang: str) -> Table:
    used = result.get("kehu_purchase_model") or "bgnbd"
    tbl = Table(title=tr(lang, *title))
    tbl.add_column(tr(lang, "分组", "group"))
    for head in (("客户数", "customers"), ("实际流失率", "churn rate"), ("kehu AUC", "kehu AUC"),
                 ("BG/NBD AUC", "BG/NBD AUC"), ("朴素 AUC", "naive AUC"),
                 ("预测次数", "purchases pred."), ("实际次数", "actual"),
                 ("预测收入", "revenue pred."), ("实际收入", "actual")):  # fmt: skip
        tbl.add_column(tr(lang, *head), justify="right")
    for g in result[key]:
        name = label("value_tier", g["group"], lang) if key == "by_value_tier" else g["group"]
        c, p, r = g["churn"], g["purchases"][used], g["revenue"][used]
        tbl.add_row(
            name, f"{g['customers']:,}", _f(g["churn_rate"], ".1%"), _f(c["kehu"]["roc_auc"]),
            _f(c["bgnbd"]["roc_auc"]), _f(c["naive"]["roc_auc"]), _f(p["predicted"], ",.0f"),
            _f(p["actual"], ",.0f"), _f(r["predicted"], ",.0f"), _f(r["actual"], ",.0f"),
        )  # fmt: skip
    return tbl


def verdict(result: dict[str, Any], lang: str) -> str:
    """One sentence: kehu's churn AUC against the two baselines, and the better purchase model."""
    c = result["overall"]["churn"]
    k, b, n = c["kehu"]["roc_auc"], c["bgnbd"]["roc_auc"], c["naive"]["roc_auc"]
    best = result.get("best_purchase_model")
    model = BACKTEST_NAMES(f"{best}_model", lang) if best else "—"
    return tr(
        lang,
        f"流失风险 AUC {_f(k)},BG/NBD 基线 {_f(b)},上期行为基线 {_f(n)};"
        f"购买次数预测较准的模型:{model}",
        f"churn risk AUC {_f(k)}, BG/NBD baseline {_f(b)}, last-period baseline {_f(n)};"
        f" the more accurate purchase model: {model}",
    )


def render_result(result: dict[str, Any], lang: str) -> Group:
    """Every table of one backtest."""
    head = tr(
        lang,
        f"[bold]回测[/] 截至 {result['as_of']} 预测,与之后 {result['horizon_days']} 天的实际对比"
        f"(数据 {result['data_from']} 至 {result['data_to']});客户 {result['customers']:,} 位,"
        f"实际未再购买 {result['overall']['churn_rate']:.1%}",
        f"[bold]Backtest[/] predicted as of {result['as_of']}, compared with the next"
        f" {result['horizon_days']} days (data {result['data_from']} to {result['data_to']});"
        f" {result['customers']:,} customers, {result['overall']['churn_rate']:.1%} bought nothing",
    )
    return Group(
        head,
        verdict(result, lang),
        _churn_table(result, lang),
        _reliability_table(result, lang),
        _amount_table(result, lang),
        *(
            _group_table(result, key, title, lang)
            for key, title in (
                ("by_value_tier", ("按价值等级", "By value tier")),
                ("by_region", ("按地区", "By region")),
            )
            if result[key]
        ),
    )


def render_history(runs: list[dict[str, Any]], lang: str) -> Table | str:
    """The stored runs, newest first."""
    if not runs:
        return tr(
            lang, "还没有回测记录;运行 kehu backtest", "no backtest runs yet; run kehu backtest"
        )
    tbl = Table(title=tr(lang, "回测历史", "Backtest history"))
    for head in (("运行时间", "run at"), ("预测日", "as of"), ("预测期(天)", "horizon (days)"),
                 ("客户数", "customers"), ("实际流失率", "churn rate"), ("kehu AUC", "kehu AUC"),
                 ("BG/NBD AUC", "BG/NBD AUC"), ("朴素 AUC", "naive AUC"), ("Brier", "Brier"),
                 ("购买总量误差", "purchases error"),
                 ("购买相关系数", "purchases corr.")):  # fmt: skip
        tbl.add_column(tr(lang, *head), justify="right")
    for r in runs:
        tbl.add_row(
            str(r["run_at"])[:19], str(r["as_of"]), str(r["horizon_days"]), f"{r['customers']:,}",
            _f(r["churn_rate"], ".1%"), _f(r["churn_auc"]), _f(r["bgnbd_auc"]),
            _f(r["naive_auc"]), _f(r["churn_brier"], ".4f"), _pct(r["purchases_error"]),
            _f(r["purchases_corr"]),
        )  # fmt: skip
    return tbl
