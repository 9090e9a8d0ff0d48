"""`kehu cohorts`: retention and revenue retention of first-order cohorts beside the purchase
model's expectation (logic in kehu.analytics.cohorts, reached through `kehu.app`)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Group
from rich.table import Table

from kehu.app import Cohorts, group_label
from kehu.cli.common import command_lang, console, lang_option, open_app, parse_date, print_json
from kehu.i18n import catalog
from kehu.spreadsheet import excel_writer

T = catalog("cohorts")


def register(app: typer.Typer) -> None:
    app.command("cohorts")(cohorts)


def cohorts(
    ctx: typer.Context,
    as_of: str = typer.Option(
        None, "--as-of", help="Count orders up to YYYY-MM-DD (default: after the latest order)."
    ),
    grain: str = typer.Option(
        None, "--grain", help="Cohort by first-order month or quarter (default cohorts.grain)."
    ),
    by: str = typer.Option(None, "--by", help="Split each cohort by region, channel or tier."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Also write the matrices to a workbook."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (every figure)."),
    own_lang: str = lang_option(),
) -> None:
    """Cohort retention and revenue retention beside the BG/NBD expectation. 同期群留存"""
    app = open_app(ctx)
    lang = command_lang(ctx, own_lang)
    result = app.cohorts(parse_date(as_of), grain=grain, split=by)
    if as_json:
        print_json(asdict(result))
        return
    console.print(render(result, lang))
    if xlsx is not None:
        write_xlsx(result, xlsx, lang)
        console.print(T("wrote", lang, path=xlsx))


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


def _label(result: Cohorts, lang: str) -> str:
    return T(f"model_{result.fit.model}", lang) if result.fit else ""


def _matrix(result: Cohorts, lang: str, revenue: bool) -> Table:
    title = (
        T("revenue_title", lang)
        if revenue
        else T("title", lang, grain=T(result.grain, lang), as_of=result.as_of)
    )
    tbl = Table(title=title, padding=(0, 1))
    tbl.add_column(T("cohort", lang), no_wrap=True)
    if result.split:
        tbl.add_column(T(f"by_{result.split}", lang), no_wrap=True)
    tbl.add_column(T("customers", lang), justify="right", no_wrap=True)
    for k in range(result.periods + 1):
        tbl.add_column(T("period", lang, k=k), justify="right", no_wrap=True)
    for row in result.rows:
        values = row.revenue_retention if revenue else row.retention
        cells = [
            _pct(v) if revenue or e is None or v is None else f"{_pct(v)}\n[dim]{_pct(e)}[/]"
            for v, e in zip(values, row.expected, strict=True)
        ]
        group = [group_label(result.split, row.group, lang)] if result.split else []
        tbl.add_row(row.cohort, *group, f"{row.customers:,}", *cells)
    return tbl


def render(result: Cohorts, lang: str) -> Group | str:
    """The two matrices and the notes that say what a cell holds."""
    if not result.rows:
        return T("empty", lang, as_of=result.as_of)
    if result.fit:
        model = _label(result, lang)
        notes = [T("cell_note", lang, model=model, snapshot=result.fit.snapshot)]
        gap = result.gap()
        if gap is not None:
            notes.append(T("gap", lang, model=model, gap=f"{gap:.1%}"))
    else:
        notes = [T("no_fit", lang)]
    notes.append(T("open_period", lang))
    return Group(_matrix(result, lang, False), *notes, _matrix(result, lang, True))


def write_xlsx(result: Cohorts, path: Path, lang: str) -> None:
    """Three sheets: actual retention, the model's expectation, revenue retention."""
    sheets = {"sheet_retention": "retention", "sheet_revenue": "revenue_retention"}
    if result.fit:
        sheets["sheet_expected"] = "expected"
    with excel_writer(path) as writer:
        for key, kind in sheets.items():
            frame = result.frame(kind)  # type: ignore[arg-type]
            frame.columns = [T("customers", lang)] + [
                T("period", lang, k=k) for k in range(result.periods + 1)
            ]
            frame.to_excel(writer, sheet_name=T(key, lang))
