"""The root typer app and its global options (-w/--workspace, --lang)."""

from __future__ import annotations

import typer

from kehu.cli.common import CliState

app = typer.Typer(
    name="kehu",
    help="kehu 客户 — customer development planning and customer analytics.\n\n"
    "客户资源梳理 · 价值分层 · 精准营销 · 流失预警 · 销售目标拆解",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from kehu import __version__

        typer.echo(f"kehu {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: str = typer.Option(
        None,
        "-w",
        "--workspace",
        envvar="KEHU_WORKSPACE",
        help="Workspace folder (default: current folder). 工作区目录",
    ),
    lang: str = typer.Option(
        None, "--lang", envvar="KEHU_LANG", help="Output language: zh or en. 输出语言"
    ),
    version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="Show the version and exit."
    ),
) -> None:
    """kehu 客户: turn scattered customer data into segments, predictions, plans and alerts."""
    ctx.obj = CliState(workspace=workspace, lang_option=lang)
