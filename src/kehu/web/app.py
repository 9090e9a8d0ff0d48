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
from starlette.exceptions import HTTPException as StarletteHTTPException

from kehu import __version__
from kehu.errors import AccessDenied, KehuError, NotFoundError
from kehu.web.api import (
    admin,
    alerts,
    customers,
    imports,
    kpis,
    planning,
    push,
    quality,
    reports,
    snapshot,
    system,
)
from kehu.web.api.deps import LoginRequired, NotAuthenticated, get_lang
from kehu.web.services.state import WebState
from kehu.workspace import Workspace

HERE = Path(__file__).parent
log = logging.getLogger("kehu.web")

API_ROUTERS = (
    system,
    customers,
    snapshot,
    kpis,
    alerts,
    planning,
    imports,
    reports,
    quality,
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


def create_app(ws: Workspace) -> FastAPI:
    """The web application over one opened workspace (the process's only writer)."""
    state = WebState(ws)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("kehu web serving %s", ws.root)
        yield
        log.info("kehu web stopping; checkpointing the store")
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

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/docs", "/static")):
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Content-Security-Policy", CSP)
        if request.url.path.startswith("/api/") or "text/html" in response.headers.get(
            "content-type", ""
        ):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


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
        lang = get_lang(request)
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

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"error": {"message": "invalid request", "detail": errors}}, 422)
        from kehu.web.pages import render_error

        return render_error(request, 422, "; ".join(str(e["msg"]) for e in errors))
