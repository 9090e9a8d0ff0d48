"""`kehu demo`: build a demo workspace from a generated Chinese B2B supplier."""

from __future__ import annotations

import typer

from kehu.app import Kehu
from kehu.cli.common import command_lang, console, lang_option, parse_date, print_json
from kehu.errors import EXIT_FAILURE


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    directory: str = typer.Argument(
        None, help="Folder for the demo workspace (default ./kehu-demo). 演示工作区目录"
    ),
    seed: int = typer.Option(7, "--seed", help="Random seed; same seed, same files. 随机种子"),
    size: float = typer.Option(
        1.0, "--size", help="Scale: 1 ≈ 2,000 customers; 250 ≈ 500,000 customers, 10^7 orders. 规模"
    ),
    fmt: str = typer.Option(
        "auto",
        "--format",
        help="mixed (GBK CSV, XLSX, UTF-8 CSV), parquet, or auto (parquet above size 10). 文件格式",
    ),
    as_of: str = typer.Option(
        None, "--as-of", help="Reference date the history ends on (default 2026-10-31). 参考日期"
    ),
    import_only: bool = typer.Option(
        False, "--import-only", help="Stop after the imports (no dedupe/analysis). 只导入"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON. 输出 JSON"),
    own_lang: str = lang_option(),
) -> None:
    """Generate a demo company, import it and run the analysis. 生成演示公司并导入分析"""
    lang = command_lang(ctx, own_lang)
    ref = parse_date(as_of)
    summary = Kehu.demo(
        directory or "kehu-demo",
        seed=seed,
        size=size,
        lang=lang,
        console=None if as_json else console,
        fmt=fmt,
        as_of=ref,
        analyze=not import_only,
    )
    if as_json:
        print_json(summary)
    if not summary["ok"]:
        raise typer.Exit(EXIT_FAILURE)
