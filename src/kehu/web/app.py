"""`create_app(ws)`: the FastAPI application (JSON API under /api/v1, pages, static files).

Routes are thin: dependencies resolve the caller (`api/deps.py`), service functions
(`services/`) do the work inside the caller's scope. Operation ids are the route function
names (stable; set explicitly on API routes), so generated clients keep working.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kehu import __version__
from kehu.app import Workspace
from kehu.errors import AccessDenied, KehuError, NotFoundError
from kehu.web.api import (
    admin,
    alerts,
    backtest,
    customers,
    economics,
    effect,
    forecast,
    imports,
    kpis,
    market,
    planning,
    push,
    quality,
    reports,
    satisfaction,
    snapshot,
    system,
)
from kehu.web.api.deps import LoginRequired, NotAuthenticated, lang_of
from kehu.web.services import warmup
from kehu.web.services.state import WebState

HERE = Path(__file__).parent
log = logging.getLogger("kehu.web")

API_ROUTERS = (
    system,
    customers,
    snapshot,
    kpis,
    alerts,
    planning,
    economics,
    imports,
    reports,
    quality,
    backtest,
    forecast,
    effect,
    market,
    satisfaction,
    push,
    admin,
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _operation_id(route: APIRoute) -> str:
    return route.operation_id or route.name


def create_app(ws: Workspace, *, background: bool = True) -> FastAPI:
    """The web application over one opened workspace (the process's only writer).

    `background=False` turns off the cache warm-up threads (tests that close the store)."""
    state = WebState(ws, warm=warmup.warm)
    state.rewarm = background

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("kehu web serving %s", ws.root)
        if background:
            state.start_warm_up()
        else:
            state.ready.set()
        yield
        log.info("kehu web stopping; checkpointing the store")
        state.stop()
        with ws.transaction():
            pass
        ws.cursor().execute("CHECKPOINT")

    app = FastAPI(
        title="kehu 客户 API",
        version=__version__,
        description="Customers, snapshot analytics, KPIs, alerts, plans, imports and reports. "
        "Authenticate with `Authorization: Bearer <token>` (`kehu tokens create NAME`).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
    )
    app.state.kehu = state
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in API_ROUTERS:
        app.include_router(module.router)
    from kehu.web import pages

    app.include_router(pages.router)
    from kehu.web import market_pages

    app.include_router(market_pages.router)
    from kehu.web import forecast_pages

    app.include_router(forecast_pages.router)
    from kehu.web import effect_pages

    app.include_router(effect_pages.router)
    from kehu.web import economics_pages

    app.include_router(economics_pages.router)
    from kehu.web import satisfaction_pages

    app.include_router(satisfaction_pages.router)

    @app.get("/docs", include_in_schema=False)
    def swagger_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="kehu API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/img/favicon.svg",
        )

    _install_handlers(app)

    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Pure ASGI middleware adding security headers (cheaper than BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if not path.startswith(("/docs", "/static")):
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Content-Security-Policy", CSP)
                if path.startswith("/api/") or "text/html" in headers.get("content-type", ""):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/openapi"))


def _status(exc: KehuError) -> int:
    if isinstance(exc, NotAuthenticated):
        return 401
    if isinstance(exc, AccessDenied):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    return 400


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    @app.exception_handler(KehuError)
    async def kehu_error(request: Request, exc: KehuError) -> Response:
        status = _status(exc)
        lang = lang_of(request)
        if _wants_json(request):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return JSONResponse(
                {
                    "error": {
                        "type": type(exc).__name__,
                        "message": exc.message(lang),
                        "zh": exc.zh,
                        "en": exc.en,
                    }
                },
                status_code=status,
                headers=headers,
            )
        from kehu.web.pages import render_error

        return render_error(request, status, exc.message(lang))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request) or exc.status_code not in (404, 405):
            return JSONResponse({"error": {"message": exc.detail}}, status_code=exc.status_code)
        from kehu.web.pages import render_error

        return render_error(request, exc.status_code, None)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # a bug or a broken store: the user gets a message, the server log the trace
        # (Starlette re-raises after this answer); each request has its own cursor, so the
        # next request is not affected
        err = KehuError(
            "服务器内部错误,已记录在服务器日志中;请稍后重试或联系管理员",
            "internal server error, recorded in the server log; retry later or ask an admin",
        )
        if _wants_json(request):
            body = {"error": {"type": "InternalError", "message": err.message(lang_of(request)),
                              "zh": err.zh, "en": err.en}}  # fmt: skip
            return JSONResponse(body, status_code=500)
        from kehu.web.pages import render_error

        return render_error(request, 500, err.message(lang_of(request)))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"error": {"message": "invalid request", "detail": errors}}, 422)
        from kehu.web.pages import render_error

        return render_error(
            request, 422, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in errors if e["loc"])
        )
