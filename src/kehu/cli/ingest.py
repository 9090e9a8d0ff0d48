"""Ingest commands: `kehu import` and `kehu export` (thin: through `kehu.app`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kehu.app import ImportResult
from kehu.app import Progress as ProgressFn
from kehu.cli.common import console, err_console, lang_of, open_app, print_json
from kehu.i18n import catalog

T = catalog("cli_ingest")
PREVIEW_REJECTS = 10


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)


def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV/TSV/XLSX/Parquet export to import. 导入文件"),
    kind: str = typer.Option(
        ...,
        "--kind",
        "-k",
        help="customers | contacts | orders | interactions | tickets | surveys | "
        "opportunities | targets. 数据类型",
    ),
    source: str = typer.Option(
        None, "--source", "-s", help="Source system name (default: workspace.default_source). 来源"
    ),
    mapping: Path = typer.Option(
        None, "--mapping", "-m", help="TOML file mapping other headers to columns. 表头映射文件"
    ),
    encoding: str = typer.Option(
        None, "--encoding", "-e", help="Force an encoding (default: detect). 编码"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report, write nothing. 预演"),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON. 输出 JSON"),
    dedupe: bool = typer.Option(
        False, "--dedupe", help="Do not create customers that likely exist already. 导入查重"
    ),
) -> None:
    """Import an export: every row is loaded or rejected with the reason. 导入数据"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    with _progress(lang, enabled=not json_out) as progress:
        result = app.import_file(
            file,
            kind,
            source=source,
            mapping=mapping,
            encoding=encoding,
            dry_run=dry_run,
            dedupe=dedupe,
            progress=progress,
        )
    if json_out:
        print_json(result.to_json())
    else:
        render_result(result, lang)


def export_cmd(
    ctx: typer.Context,
    table: str = typer.Argument(..., help="Table to export, e.g. customers. 表名"),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Output file: .csv (UTF-8 BOM), .xlsx or .parquet. 输出文件"
    ),
    headers: str = typer.Option(
        "code", "--headers", help="Header style: code (column names) or zh (中文表头)."
    ),
) -> None:
    """Export a table to CSV (opens in Excel), XLSX or Parquet. 导出数据表"""
    rows = open_app(ctx).export_table(table, output, headers=headers)
    console.print(T("exported", lang_of(ctx), rows=rows, path=output))


@contextmanager
def _progress(lang: str, *, enabled: bool) -> Iterator[ProgressFn | None]:
    if not enabled or not err_console.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(T(f"stage_{stage}", lang), total=total or None)
        bar.update(tasks[stage], completed=done, total=total or None)

    with bar:
        yield update


def render_result(result: ImportResult, lang: str) -> None:
    """The summary table, a preview of the rejects and the findings."""
    title = T("title_dry" if result.status == "dry-run" else "title", lang)
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("file", result.file or "—"),
        ("kind", result.kind),
        ("source", result.source),
        ("format", f"{result.file_format} / {result.encoding or '—'}"),
        ("header_row", str(result.header_row or "—")),
        ("read", f"{result.read:,}"),
        ("loaded", f"[green]{result.loaded:,}[/]"),
        ("inserted", f"{result.inserted:,}"),
        ("updated", f"{result.updated:,}"),
        ("unchanged", f"{result.unchanged:,}"),
        ("rejected", f"[red]{result.rejected:,}[/]" if result.rejected else "0"),
    ]
    if result.rejects_file:
        rows.append(("rejects_file", result.rejects_file))
    if result.unmapped_columns:
        rows.append(("unmapped", ", ".join(result.unmapped_columns)))
    rows += [("import_id", result.import_id), ("seconds", f"{result.seconds:.2f} s")]
    for key, value in rows:
        table.add_row(T(key, lang), value)
    console.print(table)
    if result.rejects:
        shown = result.rejects[:PREVIEW_REJECTS]
        rt = Table(
            title=T("rejects_title", lang, n=len(shown), total=len(result.rejects)),
            title_justify="left",
        )
        for key in ("row", "column", "value", "reason"):
            rt.add_column(T(key, lang))
        for r in shown:
            rt.add_row(str(r.row_number), r.column or "—", _short(r.value), r.reason(lang))
        console.print(rt)
    if result.findings:
        ft = Table(title=T("findings_title", lang), title_justify="left")
        for key in ("column", "reason", "count", "examples"):
            ft.add_column(T(key, lang))
        for f in result.findings:
            ft.add_row(f.column or "—", f.text(lang), f"{f.count:,}", ", ".join(f.examples))
        console.print(ft)
    if result.read and not result.loaded:
        console.print(T("all_rejected", lang))


def _short(value: str | None, width: int = 40) -> str:
    if value is None:
        return "—"
    return value if len(value) <= width else value[: width - 1] + "…"
