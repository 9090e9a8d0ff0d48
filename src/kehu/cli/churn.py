"""`kehu churn`: train / apply a churn model on a labelled attribute table.

The workspace's own churn warning (rules + history model) runs inside `kehu analyze`; these
commands cover the other common case: a table of customer attributes with a churn label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from kehu.cli.common import console, lang_of, open_app, print_json
from kehu.i18n import tr
from kehu.spreadsheet import frame_to_csv

churn_app = typer.Typer(
    help="Churn models on labelled attribute tables. 流失模型", no_args_is_help=True
)

DROP_WHY = {
    "id": ("ID 列", "id column"),
    "identifier": ("每行取值都不同(像编号)", "one value per row (an identifier)"),
    "too_many_levels": ("取值过多", "too many distinct values"),
    "empty": ("全部为空", "empty"),
}


def register(app: typer.Typer) -> None:
    """Add the `churn` sub-app (its commands are attached at import, once)."""
    app.add_typer(churn_app, name="churn")


def train(
    ctx: typer.Context,
    table: Path = typer.Option(..., "--table", help="CSV / XLSX / Parquet, one row per customer."),
    label: str = typer.Option(..., "--label", help="Churn label column (Yes/No, 1/0, 是/否)."),
    id_column: str = typer.Option(None, "--id", help="Customer id column (left out)."),
    test_size: float = typer.Option(0.25, "--test-size", help="Holdout share (stratified)."),
    seed: int = typer.Option(42, "--seed", help="Random seed of the splits."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Train a churn model on a labelled table; report holdout AUC, Brier, top features. 训练"""
    app = open_app(ctx)
    report = app.train_churn_model(
        table, label, id_column=id_column, test_size=test_size, seed=seed
    )
    if as_json:
        print_json(report)
        return
    _print_report(report, lang_of(ctx))


def _print_report(r: dict[str, Any], lang: str) -> None:
    auc = r["roc_auc"]
    console.print(
        tr(
            lang,
            f"[green]✓[/] 已在 {r['n_train'] + r['n_validation']} 行上训练流失模型"
            f"({r['trees']} 棵树),留出 {r['n_holdout']} 行检验:",
            f"[green]✓[/] churn model trained on {r['n_train'] + r['n_validation']} rows"
            f" ({r['trees']} trees), checked on {r['n_holdout']} held-out rows:",
        )
    )
    console.print(
        tr(
            lang,
            f"  ROC AUC [bold]{auc:.3f}[/]  Brier {r['brier']:.4f}"
            f"(按基准流失率 {r['positive_rate']:.1%} 预测为 {r['brier_base_rate']:.4f})",
            f"  ROC AUC [bold]{auc:.3f}[/]  Brier {r['brier']:.4f}"
            f" (predicting the base rate {r['positive_rate']:.1%}: {r['brier_base_rate']:.4f})",
        )
    )
    tbl = Table(title=tr(lang, "最重要的特征", "Top features"))
    tbl.add_column(tr(lang, "特征", "feature"))
    tbl.add_column(tr(lang, "平均 |SHAP|", "mean |SHAP|"), justify="right")
    for f in r["top_features"]:
        tbl.add_row(str(f["feature"]), f"{f['mean_abs_shap']:.3f}")
    console.print(tbl)
    tbl = Table(title=tr(lang, "校准(留出集)", "Calibration (holdout)"))
    for head in (
        ("区间", "bin"),
        ("行数", "rows"),
        ("平均预测", "predicted"),
        ("实际", "observed"),
    ):
        tbl.add_column(tr(lang, *head), justify="right")
    for b in r["reliability"]:
        tbl.add_row(b["bin"], str(b["n"]), f"{b['mean_predicted']:.3f}", f"{b['observed']:.3f}")
    console.print(tbl)
    for col, why in r["dropped"].items():
        zh, en = DROP_WHY.get(why, (why, why))
        console.print(tr(lang, f"  [dim]未使用列 {col}:{zh}[/]", f"  [dim]left out {col}: {en}[/]"))
    console.print(tr(lang, f"  模型已保存:{r['model_file']}", f"  model saved: {r['model_file']}"))


def score(
    ctx: typer.Context,
    table: Path = typer.Option(
        ..., "--table", help="CSV / XLSX / Parquet with the model's columns."
    ),
    id_column: str = typer.Option(None, "--id", help="Customer id column."),
    out: Path = typer.Option(None, "-o", "--out", help="Write id, churn_risk to CSV/Parquet."),
    limit: int = typer.Option(20, "--limit", help="Rows to print (highest risk first)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Score a table with the model saved by `kehu churn train`. 流失打分"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    scored = app.score_churn_table(table, id_column=id_column)
    ranked = scored.sort_values("churn_risk", ascending=False, kind="stable")
    if out is not None:
        if out.suffix.lower() == ".parquet":
            ranked.to_parquet(out, index=False)
        else:
            frame_to_csv(ranked, out)
    if as_json:
        print_json(
            {
                "rows": len(scored),
                "out": str(out) if out else None,
                "scores": ranked.head(limit).to_dict(orient="records"),
            }
        )
        return
    tbl = Table(title=tr(lang, f"流失风险最高的 {limit} 行", f"Top {limit} by churn risk"))
    tbl.add_column("id")
    tbl.add_column(tr(lang, "流失风险", "churn risk"), justify="right")
    for row in ranked.head(limit).itertuples():
        tbl.add_row(str(row.id), f"{row.churn_risk:.1%}")
    console.print(tbl)
    if out is not None:
        console.print(tr(lang, f"[green]✓[/] 已写入 {out}", f"[green]✓[/] written to {out}"))


churn_app.command("train")(train)
churn_app.command("score")(score)
