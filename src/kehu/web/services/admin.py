"""Administration: users, API tokens, the audit log and workspace settings."""

from __future__ import annotations

import difflib
import tomllib
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.config import dump_settings, settings_from_dict
from kehu.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def list_users(state: WebState, scope: Scope) -> list[dict[str, Any]]:
    scope.require("users")
    return [u.to_json() for u in state.auth.list_users()]


def add_user(
    state: WebState,
    scope: Scope,
    name: str,
    role: str,
    *,
    region: str | None = None,
    password: str | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    scope.require("users")
    user = state.auth.add_user(
        name, role, region=region, password=password, display_name=display_name, by=scope.user
    )
    return user.to_json()


def update_user(
    state: WebState,
    scope: Scope,
    name: str,
    *,
    role: str | None = None,
    region: str | None = None,
    display_name: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    scope.require("users")
    user = state.auth.update_user(
        name, role=role, region=region, display_name=display_name, active=active, by=scope.user
    )
    if password:
        state.auth.set_password(name, password, by=scope.user)
    return user.to_json()


def change_own_password(state: WebState, scope: Scope, current: str, new: str) -> None:
    """A user changes their own password (the current one is checked)."""
    state.auth.authenticate(scope.user, current)
    state.auth.set_password(scope.user, new, by=scope.user)


def list_tokens(state: WebState, scope: Scope, user: str | None = None) -> list[dict[str, Any]]:
    """Admins see every token (or one user's); others see their own."""
    if not scope.may("users"):
        user = scope.user
    return [t.to_json() for t in state.auth.list_tokens(user)]


def create_token(
    state: WebState, scope: Scope, label: str | None, user: str | None = None
) -> dict[str, Any]:
    """A token for the caller (admins may create one for another user); shown once."""
    owner = user if (user and scope.may("users")) else scope.user
    token = state.auth.create_token(owner, label, by=scope.user)
    return {"user": owner, "label": label, "token": token, "token_id": token.split("_")[1]}


def revoke_token(state: WebState, scope: Scope, token_id: str) -> None:
    mine = {t.token_id for t in state.auth.list_tokens(scope.user)}
    if token_id not in mine and not scope.may("users"):
        raise NotFoundError(f"没有令牌 {token_id}", f"no token {token_id}")
    state.auth.revoke_token(token_id, by=scope.user)


def audit_events(
    state: WebState,
    scope: Scope,
    *,
    action: str | None = None,
    user: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    scope.require("audit")
    return [e.to_json() for e in audit.events(state.ws, action=action, user=user, limit=limit)]


def settings_text(state: WebState, scope: Scope) -> str:
    scope.require("config")
    return dump_settings(state.settings)


def save_settings_text(
    state: WebState, scope: Scope, text: str, *, ip: str | None = None
) -> dict[str, Any]:
    """Validate and save a new kehu.toml; the change is audited with a diff."""
    scope.require("config")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"不是有效的 TOML: {exc}", f"not valid TOML: {exc}") from None
    new = settings_from_dict(raw, source="kehu.toml")
    before = dump_settings(state.settings)
    after = dump_settings(new)
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    if not diff:
        return {"changed": False, "diff": []}
    ws = state.ws
    ws.settings = new
    ws.save_settings()
    state.settings = new
    state.auth.settings = new.web
    audit.record(
        ws, "config_change", user=scope.user, target="kehu.toml", detail={"diff": diff}, ip=ip
    )
    state.changed()
    return {"changed": True, "diff": diff}
