"""FastAPI dependencies: the server state, the current user and scope, CSRF, language."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from kehu.access.auth import Session, User
from kehu.access.scope import Scope, scope_for
from kehu.errors import AccessDenied
from kehu.web.i18n import LANG_COOKIE, pick_lang
from kehu.web.services.state import WebState

SESSION_COOKIE = "kehu_session"

# routes that change only the caller's own account; open to a viewer, all other writes are not
SELF_SERVICE = frozenset(
    {
        "/logout",
        "/account/password",
        "/account/tokens",
        "/account/tokens/{token_id}/revoke",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    }
)


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class NotAuthenticated(AccessDenied):
    """No valid session or token on an API request (HTTP 401)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, the scope, and how they proved it."""

    user: User
    scope: Scope
    via: str  # session | token
    session: Session | None = None

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""


async def get_state(request: Request) -> WebState:
    return request.app.state.kehu


async def get_lang(request: Request) -> str:
    return lang_of(request)


def lang_of(request: Request) -> str:
    """The page language: ?lang=, then the cookie, the browser, the workspace default."""
    explicit = request.query_params.get("lang")
    if explicit in ("zh", "en"):
        return explicit
    state: WebState = request.app.state.kehu
    return pick_lang(
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        state.settings.workspace.lang,
    )


def check_csrf(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one a form sent."""
    return bool(given) and hmac.compare_digest(expected, given or "")


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _principal(request: Request) -> Principal | None:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    state: WebState = request.app.state.kehu
    header = request.headers.get("authorization", "")
    principal = None
    if header.lower().startswith("bearer "):
        user = state.auth.token_user(header[7:].strip())
        if user is not None:
            principal = Principal(user, scope_for(user, state.settings.web), "token")
    else:
        sess = state.auth.session(request.cookies.get(SESSION_COOKIE))
        if sess is not None:
            principal = Principal(
                sess.user, scope_for(sess.user, state.settings.web), "session", sess
            )
    request.state.principal = principal
    return principal


async def api_principal(
    request: Request,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller of an API route; 401 without credentials, 403 on a missing CSRF header.

    Session-authenticated writes must send the session's CSRF token in `X-CSRF-Token`;
    bearer-token clients are not exposed to CSRF (browsers never add the header).
    """
    principal = _principal(request)
    if principal is None:
        raise NotAuthenticated("需要登录或 API 令牌", "log in or send an API token")
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and principal.via == "session"
        and not check_csrf(principal.csrf_token, x_csrf_token)
    ):
        raise AccessDenied("CSRF 校验失败,请刷新页面", "CSRF check failed; reload the page")
    _refuse_read_only(request, principal)
    return principal


def _refuse_read_only(request: Request, principal: Principal) -> None:
    """A viewer may not write: every non-GET route refuses it, its own account's excepted."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not principal.scope.read_only:
        return
    route = request.scope.get("route")
    if getattr(route, "path", None) in SELF_SERVICE:
        return
    raise AccessDenied("只读账号不能修改数据", "a read-only (viewer) account cannot change data")


async def page_principal(request: Request) -> Principal:
    """The logged-in user of a page; anonymous visitors are sent to the login page."""
    principal = _principal(request)
    if principal is None or principal.via != "session":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return principal


async def form_principal(request: Request) -> Principal:
    """A page form post: logged in, and the form's csrf_token matches the session's."""
    principal = await page_principal(request)
    form = await request.form()
    given = form.get("csrf_token")
    if not check_csrf(principal.csrf_token, given if isinstance(given, str) else None):
        raise AccessDenied("表单已过期,请刷新后重试", "the form expired; reload and try again")
    _refuse_read_only(request, principal)
    return principal


State = Annotated[WebState, Depends(get_state)]
Lang = Annotated[str, Depends(get_lang)]
ApiUser = Annotated[Principal, Depends(api_principal)]
PageUser = Annotated[Principal, Depends(page_principal)]
FormUser = Annotated[Principal, Depends(form_principal)]


def _default(value: object) -> object:
    from kehu.web.services.common import plain

    out = plain(value)
    if out is value:
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")
    return out


def json_response(data: object, status_code: int = 200) -> Response:
    """JSON bytes without FastAPI's per-field re-validation (hot, already-plain payloads)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_default)
    return Response(body.encode("utf-8"), status_code, media_type="application/json")
