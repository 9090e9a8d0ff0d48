"""Web commands: serve, users, tokens, audit (thin: logic lives in kehu.web)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import typer
from rich.table import Table

from kehu.access.audit import action_label
from kehu.cli.common import console, lang_of, open_app, print_json
from kehu.errors import KehuError
from kehu.i18n import tr


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    users = typer.Typer(help="Users and roles of the web dashboard and API. 用户与角色")
    users.command("add")(users_add)
    users.command("list")(users_list)
    users.command("passwd")(users_passwd)
    users.command("set")(users_set)
    app.add_typer(users, name="users")
    tokens = typer.Typer(help="API tokens for integrations (push API). 接口令牌")
    tokens.command("create")(tokens_create)
    tokens.command("list")(tokens_list)
    tokens.command("revoke")(tokens_revoke)
    app.add_typer(tokens, name="tokens")
    app.command("audit")(audit_log)


def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default 8000)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log requests."),
) -> None:
    """Run the web dashboard and REST API (OpenAPI at /docs). 启动网页与接口服务"""
    import uvicorn

    from kehu.web import accesslog
    from kehu.web.app import create_app

    app = open_app(ctx)
    lang = lang_of(ctx)
    host = host or app.settings.web.host
    port = port or app.settings.web.port
    if not app.has_admin():
        console.print(
            tr(
                lang,
                "[yellow]还没有管理员账号:先运行 `kehu users add admin --role admin`[/]",
                "[yellow]no admin user yet: run `kehu users add admin --role admin` first[/]",
            )
        )
    console.print(
        tr(
            lang,
            f"[green]●[/] kehu 网页服务 http://{host}:{port}  (接口文档 /docs,Ctrl+C 停止)",
            f"[green]●[/] kehu web on http://{host}:{port}  (API docs at /docs, Ctrl+C stops)",
        )
    )
    config = uvicorn.Config(
        create_app(app.ws),
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=10,
    )
    accesslog.install()  # after uvicorn.Config, which sets up the loggers
    uvicorn.Server(config).run()
    app.close()


def _read_password(lang: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt(tr(lang, "密码", "Password"), hide_input=True)
    second = typer.prompt(tr(lang, "再输入一次", "Repeat"), hide_input=True)
    if first != second:
        raise KehuError("两次输入的密码不一致", "the two passwords differ")
    return first


def users_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name (log-in name)."),
    role: str = typer.Option(..., "--role", help="admin | manager | rep | viewer (read-only)"),
    region: str = typer.Option(
        None,
        "--region",
        help="Sales region (managers: required; viewers: regions they read, else like a rep).",
    ),
    display_name: str = typer.Option(
        None, "--display-name", help="Name used in customers.owner, if not the user name."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    no_password: bool = typer.Option(
        False, "--no-password", help="API-only user (tokens, no page login)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Add a user with a role (argon2-hashed password). 新增用户"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    password = None if no_password else _read_password(lang, password_stdin)
    user = app.auth().add_user(
        name, role, region=region, password=password, display_name=display_name, by="cli"
    )
    if as_json:
        print_json(user.to_json())
        return
    console.print(
        tr(
            lang,
            f"[green]✓[/] 已创建用户 {user.name}({user.role}"
            f"{' · ' + user.region if user.region else ''})",
            f"[green]✓[/] user {user.name} created ({user.role}"
            f"{', ' + user.region if user.region else ''})",
        )
    )


def users_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List users and roles. 用户列表"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    users = app.auth().list_users()
    if as_json:
        print_json([u.to_json() for u in users])
        return
    table = Table(title=tr(lang, "用户", "Users"))
    for head in (
        tr(lang, "用户名", "user"),
        tr(lang, "角色", "role"),
        tr(lang, "区域", "region"),
        tr(lang, "显示名", "display name"),
        tr(lang, "最近登录", "last login"),
        tr(lang, "状态", "status"),
    ):
        table.add_column(head)
    for u in users:
        table.add_row(
            u.name,
            u.role,
            u.region or "",
            u.display_name or "",
            u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "",
            tr(lang, "启用", "active") if u.active else tr(lang, "停用", "disabled"),
        )
    console.print(table)


def users_passwd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
) -> None:
    """Set a user's password (their sessions end). 修改密码"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    app.auth().set_password(name, _read_password(lang, password_stdin), by="cli")
    console.print(
        tr(lang, f"[green]✓[/] 已更新 {name} 的密码", f"[green]✓[/] password of {name} set")
    )


def users_set(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(None, "--role", help="admin | manager | rep | viewer (read-only)"),
    region: str = typer.Option(None, "--region", help="Sales region."),
    display_name: str = typer.Option(None, "--display-name", help="Name in customers.owner."),
    active: bool = typer.Option(None, "--active/--disabled", help="Enable or disable."),
) -> None:
    """Change a user's role, region, display name or active flag. 修改用户"""
    app = open_app(ctx)
    user = app.auth().update_user(
        name, role=role, region=region, display_name=display_name, active=active, by="cli"
    )
    console.print(f"[green]✓[/] {user.name}: {user.role} {user.region or ''}")


def tokens_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The user the token acts as."),
    label: str = typer.Option(None, "--label", help="What the token is for."),
) -> None:
    """Create an API token; it is printed once and stored only as a hash. 创建令牌"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    token = app.auth().create_token(name, label, by="cli")
    console.print(
        tr(
            lang,
            "[yellow]令牌只显示这一次,请立即保存:[/]",
            "[yellow]The token is shown only once; store it now:[/]",
        ),
        highlight=False,
    )
    sys.stdout.write(token + "\n")
    sys.stdout.flush()


def tokens_list(
    ctx: typer.Context,
    user: str = typer.Option(None, "--user", help="Only this user's tokens."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List API tokens (ids, owners, last use; never the secrets). 令牌列表"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    tokens = app.auth().list_tokens(user)
    if as_json:
        print_json([t.to_json() for t in tokens])
        return
    table = Table(title=tr(lang, "API 令牌", "API tokens"))
    for head in ("id", tr(lang, "用户", "user"), tr(lang, "说明", "label"),
                 tr(lang, "创建", "created"), tr(lang, "最近使用", "last used"),
                 tr(lang, "状态", "status")):  # fmt: skip
        table.add_column(head)
    for t in tokens:
        table.add_row(
            t.token_id,
            t.user_name,
            t.label or "",
            t.created_at.strftime("%Y-%m-%d %H:%M") if t.created_at else "",
            t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "",
            tr(lang, "已吊销", "revoked") if t.revoked_at else tr(lang, "有效", "active"),
        )
    console.print(table)


def tokens_revoke(
    ctx: typer.Context, token_id: str = typer.Argument(..., help="Token id (from tokens list).")
) -> None:
    """Revoke an API token. 吊销令牌"""
    app = open_app(ctx)
    app.auth().revoke_token(token_id, by="cli")
    console.print(
        tr(lang_of(ctx), f"[green]✓[/] 已吊销 {token_id}", f"[green]✓[/] revoked {token_id}")
    )


def audit_log(
    ctx: typer.Context,
    action: str = typer.Option(None, "--action", help="login, export, import, merge, ..."),
    user: str = typer.Option(None, "--user", help="Only this user's events."),
    days: float = typer.Option(None, "--days", help="Only the last N days."),
    limit: int = typer.Option(100, "--limit", help="At most N events."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show the audit log: logins, exports, imports, merges, config changes. 审计日志"""
    app = open_app(ctx)
    lang = lang_of(ctx)
    since = datetime.now() - timedelta(days=days) if days else None
    events = app.audit_events(action=action, user=user, since=since, limit=limit)
    if as_json:
        print_json([e.to_json() for e in events])
        return
    table = Table(title=tr(lang, "审计日志", "Audit log"))
    for head in (tr(lang, "时间", "time"), tr(lang, "用户", "user"), tr(lang, "操作", "action"),
                 tr(lang, "对象", "target"), "IP"):  # fmt: skip
        table.add_column(head)
    for e in events:
        table.add_row(
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.user_name or "",
            action_label(e.action, lang),
            e.target or "",
            e.ip or "",
        )
    console.print(table)
