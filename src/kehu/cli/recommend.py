"""`kehu recommend`: next-best-product — the holdout evaluation of each model beside
popularity, the strongest "bought together" pairs, and a customer's list with its reasons
(logic in kehu.analytics.recommend, reached through `kehu.app`; this module draws)."""

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
from kehu.errors import KehuError
from kehu.i18n import catalog

T = catalog("cli_recommend")
NAMES = catalog("recommend")
HIT_K = (1, 3, 5)


def register(app: typer.Typer) -> None:
    app.command("recommend")(recommend)


def recommend(
    ctx: typer.Context,
    as_of: str = typer.Option(
        None, "--as-of", help="Day to recommend from YYYY-MM-DD (default: the latest order)."
    ),
    customer: str = typer.Option(None, "--customer", help="Also show this customer's list."),
    pairs: int = typer.Option(10, "--pairs", min=0, help="Items shown with their closest item."),
    show_history: bool = history_option(),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every figure)."),
    own_lang: str = lang_option(),
) -> None:
    """What each customer is likely to buy next, tested against popularity. 交叉销售推荐"""
    app = open_app(ctx)
    lang = command_lang(ctx, own_lang)
    if show_history:
        runs = app.recommend_history()
        print_runs(runs, as_json, lambda: render_history(runs, lang) if runs else T("none", lang))
        return
    out = err_console if as_json else console
    with out.status(T("running", lang)):
        result = app.recommend(parse_date(as_of))
    lists: dict[str, Any] = {}
    if customer:
        for level in result["levels"]:
            found = app.cross_sell([customer], level=level, limit=5, lang=lang).get(customer)
            if not found:
                raise KehuError(*T.pair("no_list", customer=customer))
            lists[level] = found
    if as_json:
        print_json({**result, "customer": customer, "lists": lists} if customer else result)
        return
    console.print(render(result, lang, pairs, customer, lists))


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _level(result: dict[str, Any], level: str, lang: str, n_pairs: int) -> list[Any]:
    name = NAMES(f"level_{level}", lang)
    ev = result["evaluation"]
    parts: list[Any] = [T("title", lang, level=name, as_of=result["as_of"])]
    if not ev["models"]:
        parts.append(T("too_few", lang, level=name))
    else:
        parts.append(T("holdout", lang, level=name, **ev))
        tbl = Table()
        tbl.add_column(T("model", lang))
        tbl.add_column(T("recall", lang), justify="right")
        for k in HIT_K:
            tbl.add_column(T("hit", lang, k=k), justify="right")
        for model, s in ev["models"].items():
            mark = " ✓" if model == result["model"] else ""
            tbl.add_row(
                NAMES(f"model_{model}", lang) + mark,
                _pct(s["recall_at_5"]),
                *(_pct(s[f"hit_at_{k}"]) for k in HIT_K),
            )
        parts.append(tbl)
    how = "chosen" if result["chosen_by"] == "holdout" else "set"
    parts.append(T(how, lang, model=NAMES(f"model_{result['model']}", lang)))
    if n_pairs and result["affinities"]:
        tbl = Table(title=T("pairs_title", lang))
        for key in ("bought", "also", "share", "lift"):
            tbl.add_column(T(key, lang), justify="right" if key in ("share", "lift") else "left")
        for a in result["affinities"][:n_pairs]:
            tbl.add_row(a["item"], a["also"], _pct(a["share"]), f"{a['lift']:.2f}")
        parts.append(tbl)
    return parts


def _customer(customer: str, level: str, entries: list[dict[str, Any]], lang: str) -> Table:
    name = NAMES(f"level_{level}", lang)
    tbl = Table(title=T("customer_title", lang, customer=customer, level=name))
    for key in ("rank", "item", "why"):
        tbl.add_column(T(key, lang))
    for e in entries:
        tbl.add_row(str(e["rank"]), e["item"], e["reason"])
    return tbl


def render(
    result: dict[str, Any],
    lang: str,
    n_pairs: int = 5,
    customer: str | None = None,
    lists: dict[str, Any] | None = None,
) -> Group:
    """Each level's evaluation and pairs, then the customer's lists."""
    parts: list[Any] = []
    for level, out in result["levels"].items():
        parts.extend(_level(out, level, lang, n_pairs))
    for level, entries in (lists or {}).items():
        parts.append(_customer(customer or "", level, entries, lang))
    return Group(*parts)


def render_history(runs: list[dict[str, Any]], lang: str) -> Table:
    tbl = Table(title=T("history_title", lang))
    for key in ("run_at", "as_of", "level", "model", "evaluated", "recall", "baseline"):
        tbl.add_column(T(key, lang))
    for r in runs:
        tbl.add_row(
            str(r["run_at"])[:19],
            str(r["as_of"]),
            NAMES(f"level_{r['level']}", lang),
            NAMES(f"model_{r['model']}", lang),
            str(r["customers_evaluated"]),
            _pct(r["recall_at_5"]),
            _pct(r["popularity_recall_at_5"]),
        )
    return tbl
