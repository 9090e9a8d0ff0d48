"""Workspace commands: init, config."""

from __future__ import annotations

import typer

from kehu.app import Kehu
from kehu.cli.common import console, lang_of, open_app, state
from kehu.config import dump_settings
from kehu.i18n import tr


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    config_app = typer.Typer(help="Show or check the workspace settings (kehu.toml). 配置")
    config_app.command("show")(config_show)
    config_app.command("check")(config_check)
    app.add_typer(config_app, name="config")


def init(
    ctx: typer.Context,
    directory: str = typer.Argument(None, help="Folder to create (default: -w or current)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing kehu.toml."),
) -> None:
    """Create a workspace: kehu.toml with the seed defaults and an empty store. 新建工作区"""
    st = state(ctx)
    app = Kehu.init(directory or st.workspace, overwrite=force)
    lang = lang_of(ctx)
    root = app.root
    done = "[green]✓[/]"
    console.print(tr(lang, f"{done} 已创建工作区 {root}", f"{done} created workspace {root}"))
    app.close()


def config_show(ctx: typer.Context) -> None:
    """Print the settings in force, every default included. 显示配置"""
    console.print(dump_settings(open_app(ctx).settings), markup=False, highlight=False)


def config_check(ctx: typer.Context) -> None:
    """Validate kehu.toml; exit 2 with the key and the fix when it is wrong. 校验配置"""
    open_app(ctx)
    console.print(tr(lang_of(ctx), "[green]✓[/] 配置有效", "[green]✓[/] settings are valid"))
