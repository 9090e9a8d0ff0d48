"""`kehu forecast`: the open deals' win probabilities and the period's pipeline forecast
beside the stage-weighted one and the target, with its backtest (logic in
kehu.analytics.forecast, reached through `kehu.app`; this module parses options and draws)."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Group
from rich.table import Table

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
from kehu.i18n import catalog

T = catalog("cli_forecast")
GROUP_TITLES = {"region": "by_region", "owner": "by_owner"}


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)


def forecast(
    ctx: typer.Context,
    as_of: str = typer.Option(
        None, "--as-of", help="Day to forecast from YYYY-MM-DD (default: the deals' latest date)."
    ),
    grain: str = typer.Option(
        None, "--grain", help="Period forecast: month, quarter or year (default forecast.grain)."
    ),
    deals: int = typer.Option(10, "--deals", min=0, help="Open deals to list, most likely first."),
    reps: bool = typer.Option(False, "--reps", help="Also show the forecast of every rep."),
    no_backtest: bool = typer.Option(False, "--no-backtest", help="Skip the backtest (faster)."),
    show_history: bool = history_option(),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every figure)."),
    own_lang: str = lang_option(),
) -> None:
    """Win probability of each open deal and the period's pipeline forecast, backtested. 商机预测"""
    app = open_app(ctx)
    lang = command_lang(ctx, own_lang)
    if show_history:
        runs = app.forecast_history()
        print_runs(runs, as_json, lambda: render_history(runs, lang) if runs else T("none", lang))
        return
    out = err_console if as_json else console
    with out.status(T("running", lang)):
        result = app.forecast(parse_date(as_of), grain=grain, backtest=not no_backtest)
    if as_json:
        print_json(result)
        return
    console.print(render(result, lang, deals, reps=reps))


def _money(v: float | None) -> str:
    """Yuan, in 万 (10^4) from 10,000 up so the tables fit a terminal."""
    if v is None:
        return "—"
    return f"¥{v / 1e4:,.1f}万" if abs(v) >= 1e4 else f"¥{v:,.0f}"


def _pct(v: float | None, signed: bool = False) -> str:
    return "—" if v is None else format(v, "+.1%" if signed else ".1%")


def _f(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def _units(rows: list[dict[str, Any]], title: str, lang: str, coverage: float) -> Table:
    tbl = Table(title=title)
    for key in ("unit", "closed", "open_deals", "forecast"):
        tbl.add_column(T(key, lang), justify="left" if key == "unit" else "right")
    tbl.add_column(T("interval", lang, coverage=coverage), justify="right")
    for key in ("stage_weighted", "target", "sales"):
        tbl.add_column(T(key, lang), justify="right")
    for r in rows:
        tbl.add_row(
            r["name"] or T("total", lang),
            _money(r["closed"]),
            str(r["open_deals"]),
            _money(r["forecast"]),
            f"{_money(r['low'])}–{_money(r['high'])}",
            _money(r["stage_weighted"]),
            _money(r["target"]),
            _money(r["sales"]),
        )
    return tbl


def _deals(rows: list[dict[str, Any]], lang: str) -> Table:
    tbl = Table(title=T("deals_title", lang))
    for key in ("deal", "owner", "stage", "amount", "p"):
        tbl.add_column(T(key, lang), justify="right" if key in ("amount", "p") else "left")
    tbl.add_column(T("why", lang), min_width=30)
    for d in rows:
        tbl.add_row(
            d["deal"],
            d["owner"],
            d["stage"] or "—",
            _money(d["amount"]),
            _pct(d["p"]),
            "\n".join(r["en" if lang == "en" else "zh"] for r in d["reasons"]),
        )
    return tbl


def _backtest(bt: dict[str, Any] | None, lang: str) -> list[Any]:
    if not bt or not bt.get("deals"):
        return [T("no_backtest", lang)]
    periods = Table(title=T("backtest_title", lang))
    coverage = bt.get("interval", 0.9)
    keys = ("period", "open_deals", "actual", "forecast", "error", "stage_weighted", "stage_error")
    for key in keys:
        periods.add_column(T(key, lang), justify="left" if key == "period" else "right")
    periods.add_column(T("interval", lang, coverage=coverage), justify="right")
    for r in bt.get("periods", []):
        periods.add_row(
            r["period"],
            str(r["open_deals"]),
            _money(r["actual"]),
            _money(r["forecast"]),
            _pct(r["error"], signed=True),
            _money(r["stage_weighted"]),
            _pct(r["stage_error"], signed=True),
            f"{_money(r['low'])}–{_money(r['high'])}" + ("" if r["inside"] else " ✗"),
        )
    scores = Table(title=T("scores_title", lang, deals=bt["deals"]))
    for key in ("score", "auc", "brier"):
        scores.add_column(T(key, lang), justify="left" if key == "score" else "right")
    for key in ("model", "stage_weighted", "base_rate"):
        scores.add_row(T(key, lang), _f(bt[key]["roc_auc"]), _f(bt[key]["brier"]))
    return [periods, scores] if bt.get("periods") else [scores]


def render(result: dict[str, Any], lang: str, n_deals: int = 10, *, reps: bool = True) -> Group:
    """The forecast, its regions (and reps), the likeliest deals and the backtest."""
    coverage = result.get("interval", 0.9)
    parts: list[Any] = [
        _units([result["total"]], T("title", lang, **result), lang, coverage),
        *(
            _units(result[g], T(title, lang), lang, coverage)
            for g, title in GROUP_TITLES.items()
            if result.get(g) and (reps or g != "owner")
        ),
        T("target_note", lang),
    ]
    if n_deals and result["deals"]:
        parts.append(_deals(result["deals"][:n_deals], lang))
    if not result.get("stage_history"):
        parts.append(T("no_history", lang))
    parts.extend(_backtest(result.get("backtest"), lang))
    return Group(*parts)


def render_history(runs: list[dict[str, Any]], lang: str) -> Table:
    tbl = Table(title=T("history_title", lang))
    keys = ("run_at", "period", "open_deals", "forecast", "stage_weighted", "target")
    for key in keys:
        tbl.add_column(T(key, lang))
    tbl.add_column("AUC")
    for r in runs:
        tbl.add_row(
            str(r["run_at"])[:19],
            r["period"],
            str(r["open_deals"]),
            _money(r["forecast"]),
            _money(r["stage_weighted"]),
            _money(r["target"]),
            _f(r["backtest_auc"]),
        )
    return tbl
