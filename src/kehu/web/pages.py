"""Server-rendered pages (Jinja2). Each page calls service functions with the user's scope;
charts get their data as a JSON block that `static/js/app.js` hands to ECharts."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from kehu import __version__
from kehu.access.audit import action_label
from kehu.access.throttle import LoginThrottled
from kehu.app import ALERT_STATUSES, LABELS, column_label, label, segment_label
from kehu.errors import KehuError
from kehu.web import charts
from kehu.web.api.customers import ListQuery
from kehu.web.api.deps import (
    SESSION_COOKIE,
    FormUser,
    Lang,
    PageUser,
    Principal,
    State,
    _principal,
    client_ip,
    lang_of,
)
from kehu.web.api.params import NextUrl, PathId, RowId, Text, Word
from kehu.web.i18n import LANG_COOKIE, catalog, translator
from kehu.web.services import (
    admin,
    backtest,
    customer360,
    customers,
    dashboard,
    exports,
    imports,
    kpis,
    monitoring,
    planning,
    quality,
    reports,
)

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


# ---- formatting helpers available in templates -------------------------------------------
def money(value: Any, lang: str = "zh") -> str:
    """¥1,234,567 / ¥123.4万 style, compact for cards."""
    if value is None:
        return "—"
    v = float(value)
    if lang == "zh" and abs(v) >= 1e8:
        return f"¥{v / 1e8:,.2f}亿"
    if lang == "zh" and abs(v) >= 1e4:
        return f"¥{v / 1e4:,.1f}万"
    if lang != "zh" and abs(v) >= 1e6:
        return f"¥{v / 1e6:,.2f}M"
    if lang != "zh" and abs(v) >= 1e3:
        return f"¥{v / 1e3:,.1f}k"
    return f"¥{v:,.0f}"


def money_full(value: Any) -> str:
    return "—" if value is None else f"¥{float(value):,.2f}"


def num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{digits}f}"


def pct(value: Any, digits: int = 0) -> str:
    return "—" if value is None else f"{float(value) * 100:.{digits}f}%"


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, datetime | date):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def to_json(data: Any) -> str:
    """JSON for a <script type="application/json"> block (safe against </script>)."""
    text = json.dumps(data, ensure_ascii=False, default=_json_default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


templates.env.filters.update(money=money, money_full=money_full, num=num, pct=pct)
templates.env.globals.update(version=__version__, money_full=money_full)
KNOWN_NOTICES = frozenset(k for k in catalog().keys() if k.startswith("done_"))  # noqa: SIM118


def render(
    request: Request,
    name: str,
    who: Principal | None,
    *,
    nav: str = "",
    status_code: int = 200,
    **ctx: Any,
) -> HTMLResponse:
    lang = lang_of(request)
    state = request.app.state.kehu
    t = translator(lang)
    base: dict[str, Any] = {
        "request": request,
        "t": t,
        "lang": lang,
        "who": who,
        "user": who.user if who else None,
        "scope": who.scope if who else None,
        "csrf": who.csrf_token if who else "",
        "nav": nav,
        "label": lambda kind, code: label(kind, code, lang),
        "col": lambda c: column_label(c, lang),
        "money": lambda v: money(v, lang),
        "workspace": state.settings.workspace.name,
        "path": request.url.path,
        "query": request.url.query,
        "to_json": to_json,
        "notice": request.query_params.get("done"),
        "known_notices": KNOWN_NOTICES,
        "today": date.today().isoformat(),
        "plan_allowed": bool(who and who.scope.may("plan")),
        "can_write": bool(who and not who.scope.read_only),  # a viewer sees no write forms
    }
    base.update(ctx)
    return templates.TemplateResponse(request, name, base, status_code=status_code)


def render_error(request: Request, status: int, message: str | None) -> HTMLResponse:
    who = _principal(request)
    return render(request, "error.html", who, status_code=status, status=status, message=message)


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    mode = request.app.state.kehu.settings.web.secure_cookies
    if mode == "always":
        return True
    if mode == "never":
        return False
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto == "https"


# ---- login, logout, language ---------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: NextUrl = "/") -> HTMLResponse:  # noqa: A002
    return render(request, "login.html", None, next=_safe_next(next), error=None)


@router.post("/login")
def login_submit(
    request: Request,
    state: State,
    lang: Lang,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),  # noqa: A002
) -> Response:
    try:
        user = state.auth.authenticate(username, password, ip=client_ip(request))
    except KehuError as exc:
        throttled = isinstance(exc, LoginThrottled)
        page = render(
            request,
            "login.html",
            None,
            next=_safe_next(next),
            error=exc.message(lang),
            username=username,
            status_code=429 if throttled else 401,
        )
        if isinstance(exc, LoginThrottled):
            page.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return page
    secret, sess = state.auth.create_session(
        user, ip=client_ip(request), user_agent=request.headers.get("user-agent")
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(state.settings.web.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, state: State, who: FormUser) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        state.auth.end_session(secret, ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(request: Request, code: PathId, next: NextUrl = "/") -> Response:  # noqa: A002
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in ("zh", "en"):
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", path="/", httponly=False
        )
    return response


# ---- dashboard -----------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def overview(request: Request, state: State, who: PageUser, lang: Lang) -> HTMLResponse:
    scope = who.scope
    summary = dashboard.summary(state, scope)
    dims = dashboard.with_labels(summary["dimensions"], lang)
    flows = dashboard.flows(state, scope)
    for link in flows["links"]:
        link["from_label"] = label(flows["dimension"], link["from"], lang)
        link["to_label"] = label(flows["dimension"], link["to"], lang)
    cards = dashboard.snapshot_cards(state, scope)
    kpi_cards = kpis.kpi_cards(state, scope, lang)
    data = {
        "rfm_type": dims["rfm_type"],
        "value_tier": dims["value_tier"],
        "lifecycle": dims["lifecycle"],
        "pareto": dashboard.pareto(state, scope),
        "flows": flows,
    }
    return render(
        request,
        "overview.html",
        who,
        nav="overview",
        summary=summary["totals"],
        cards=cards,
        kpi_cards=kpi_cards,
        dims=dims,
        flows=flows,
        watchlist=dashboard.watchlist(state, scope, lang),
        alerts=monitoring.list_alerts(state, scope, status="open", limit=6),
        tasks=planning.task_counts(state, scope),
        pareto=data["pareto"],
        chart_data=charts.overview(data, translator(lang)) | {"lang": lang},
    )


# ---- customers -----------------------------------------------------------------------------
@router.get("/customers", response_class=HTMLResponse)
def customers_page(
    request: Request, state: State, who: PageUser, lang: Lang, cq: ListQuery
) -> HTMLResponse:
    result = customers.list_customers(state, who.scope, cq)
    params = dict(request.query_params)
    params.pop("page", None)

    def link(**changes: Any) -> str:
        merged = {**params, **{k: v for k, v in changes.items() if v is not None}}
        return "/customers?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    def sort_link(col: str) -> str:
        order = "asc" if (cq.sort == col and cq.desc) else "desc"
        if cq.sort != col and col in ("name", "customer_id", "region", "owner"):
            order = "asc"
        return link(sort=col, order=order)

    export_q = urlencode({k: v for k, v in params.items() if v})
    options = customers.filter_options(state, who.scope)
    return render(
        request,
        "customers.html",
        who,
        nav="customers",
        result=result,
        cq=cq,
        filters=dict(cq.filters),
        options=options,
        segments={
            dim: [(key, segment_label(dim, key, lang)) for key in options[dim]]
            for dim in ("industry", "size")
        },
        link=link,
        sort_link=sort_link,
        export_url="/customers/export?" + export_q,
        codes={k: list(v) for k, v in LABELS.items()},
    )


@router.get("/customers/export")
def customers_export(
    request: Request,
    state: State,
    who: PageUser,
    lang: Lang,
    cq: ListQuery,
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",  # noqa: A002
) -> Response:
    data, media, name = exports.export_customers(
        state, who.scope, cq, format, lang, ip=client_ip(request)
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request, state: State, who: PageUser, lang: Lang, customer_id: PathId
) -> HTMLResponse:
    view = customer360.customer_360(state, who.scope, customer_id, lang)
    snap = view["snapshot"]
    radar = [
        {"code": k, "value": snap.get(f"value_{k}")}
        for k in ("contribution", "growth", "stability", "strategic")
    ]
    return render(
        request,
        "customer.html",
        who,
        nav="customers",
        v=view,
        c=view["customer"],
        s=snap,
        chart_data=charts.customer(
            view["monthly_spend"],
            view["history"],
            radar,
            translator(lang),
            lambda c: column_label(c, lang),
        )
        | {"lang": lang},
    )


# ---- alerts and tasks ----------------------------------------------------------------------
@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request, state: State, who: PageUser, status: Word = "open"
) -> HTMLResponse:
    status = status if status in ALERT_STATUSES else "open"
    return render(
        request,
        "alerts.html",
        who,
        nav="alerts",
        status=status,
        alerts=monitoring.list_alerts(state, who.scope, status=status, limit=300),
        counts=monitoring.alert_counts(state, who.scope),
    )


@router.post("/alerts/{alert_id}/ack")
def alerts_ack(request: Request, state: State, who: FormUser, alert_id: RowId) -> Response:
    monitoring.ack_alert(state, who.scope, alert_id, ip=client_ip(request))
    return RedirectResponse("/alerts?done=acked", status_code=303)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    state: State,
    who: PageUser,
    status: Word = "open",
    band: Text = None,
) -> HTMLResponse:
    status = status if status in ("open", "done", "cancelled") else "open"
    band = band if band in ("high", "medium", "low") else None
    return render(
        request,
        "tasks.html",
        who,
        nav="tasks",
        status=status,
        band=band,
        tasks=planning.list_tasks(state, who.scope, status=status, band=band, limit=300),
        counts=planning.task_counts(state, who.scope),
    )


@router.post("/tasks/{task_id}")
async def tasks_update(request: Request, state: State, who: FormUser, task_id: RowId) -> Response:
    form = await request.form()
    status = str(form.get("status") or "done")
    note = str(form.get("note") or "") or None
    planning.set_task_status(state, who.scope, task_id, status, note, ip=client_ip(request))
    back = _safe_next(str(form.get("next") or "/tasks"))
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}done=task", status_code=303)


# ---- administration and account ----------------------------------------------------------
@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    return render(
        request,
        "users.html",
        who,
        nav="users",
        users=admin.list_users(state, who.scope),
        tokens=admin.list_tokens(state, who.scope),
    )


@router.post("/admin/users")
async def users_add(request: Request, state: State, who: FormUser) -> Response:
    form = await request.form()
    admin.add_user(
        state,
        who.scope,
        str(form.get("user") or ""),
        str(form.get("role") or "rep"),
        region=str(form.get("region") or "") or None,
        password=str(form.get("password") or "") or None,
        display_name=str(form.get("display_name") or "") or None,
    )
    return RedirectResponse("/admin/users?done=user_added", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, state: State, who: PageUser, lang: Lang, action: Text = None
) -> HTMLResponse:
    events = admin.audit_events(state, who.scope, action=action or None, limit=500)
    for e in events:
        e["action_label"] = action_label(e["action"], lang)
    return render(request, "audit.html", who, nav="audit", events=events, action=action)


@router.get("/admin/settings", response_class=HTMLResponse)
def settings_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    return render(
        request,
        "settings.html",
        who,
        nav="settings",
        text=admin.settings_text(state, who.scope),
        error=None,
        diff=None,
    )


@router.post("/admin/settings", response_class=HTMLResponse)
async def settings_save(request: Request, state: State, who: FormUser, lang: Lang) -> Response:
    form = await request.form()
    text = str(form.get("settings") or "")
    try:
        result = admin.save_settings_text(state, who.scope, text, ip=client_ip(request))
    except KehuError as exc:
        return render(
            request,
            "settings.html",
            who,
            nav="settings",
            text=text,
            error=exc.message(lang),
            diff=None,
            status_code=400,
        )
    return render(
        request,
        "settings.html",
        who,
        nav="settings",
        text=admin.settings_text(state, who.scope),
        error=None,
        diff=result["diff"],
    )


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    return render(
        request,
        "account.html",
        who,
        nav="account",
        tokens=admin.list_tokens(state, who.scope, who.user.name),
        new_token=None,
        error=None,
    )


@router.post("/account/tokens", response_class=HTMLResponse)
async def account_token(request: Request, state: State, who: FormUser) -> HTMLResponse:
    form = await request.form()
    created = admin.create_token(state, who.scope, str(form.get("label") or "") or None)
    return render(
        request,
        "account.html",
        who,
        nav="account",
        tokens=admin.list_tokens(state, who.scope, who.user.name),
        new_token=created["token"],
        error=None,
    )


@router.post("/account/tokens/{token_id}/revoke")
def account_token_revoke(
    request: Request, state: State, who: FormUser, token_id: PathId
) -> Response:
    admin.revoke_token(state, who.scope, token_id)
    return RedirectResponse("/account?done=token_revoked", status_code=303)


@router.post("/account/password", response_class=HTMLResponse)
async def account_password(request: Request, state: State, who: FormUser, lang: Lang) -> Response:
    form = await request.form()
    try:
        admin.change_own_password(
            state, who.scope, str(form.get("current") or ""), str(form.get("new") or "")
        )
    except KehuError as exc:
        return render(
            request,
            "account.html",
            who,
            nav="account",
            tokens=admin.list_tokens(state, who.scope, who.user.name),
            new_token=None,
            error=exc.message(lang),
            status_code=400,
        )
    response = RedirectResponse("/login?done=password", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def snapshot_date_options(state: Any) -> list[str]:
    return [d.isoformat() for d in reversed(state.kehu.snapshot_dates())]


# ---- goals, targets, reports ---------------------------------------------------------------
@router.get("/goals", response_class=HTMLResponse)
def goals_page(request: Request, state: State, who: PageUser, lang: Lang) -> HTMLResponse:
    from kehu.app import KPI_BY_CODE

    goals = planning.list_goals(state, who.scope, lang)
    return render(
        request,
        "goals.html",
        who,
        nav="goals",
        goals=goals,
        metrics=[(k.code, k.label(lang)) for k in KPI_BY_CODE.values()],
        can_add=who.scope.may("add_goal"),
        chart_data={
            f"goal_{g['goal_id']}": charts.goal(g["series"], translator(lang)) for g in goals
        }
        | {"lang": lang},
    )


@router.post("/goals")
async def goals_add(request: Request, state: State, who: FormUser) -> Response:
    form = await request.form()
    deadline = date.fromisoformat(str(form.get("deadline") or ""))
    planning.add_goal(
        state,
        who.scope,
        metric=str(form.get("metric") or ""),
        target=str(form.get("target") or ""),
        deadline=deadline,
        owner=str(form.get("owner") or "") or None,
        goal_scope=str(form.get("scope") or "") or None,
        name=str(form.get("name") or "") or None,
        ip=client_ip(request),
    )
    return RedirectResponse("/goals?done=goal", status_code=303)


@router.get("/targets", response_class=HTMLResponse)
def targets_page(
    request: Request, state: State, who: PageUser, lang: Lang, period: Text = None
) -> HTMLResponse:
    periods = planning.target_periods(state)
    period = period if period in periods else None
    rows = planning.target_progress(state, who.scope, period)
    period = period or (rows[0]["period"] if rows else None)
    return render(
        request,
        "targets.html",
        who,
        nav="targets",
        rows=rows,
        periods=periods,
        period=period,
        gaps=planning.target_gaps(state, who.scope, period, lang),
    )


@router.post("/tasks/plan")
def tasks_plan(request: Request, state: State, who: FormUser) -> Response:
    planning.make_plan(state, who.scope, ip=client_ip(request))
    return RedirectResponse("/tasks?done=plan", status_code=303)


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    return render(
        request,
        "reports.html",
        who,
        nav="reports",
        reports=reports.list_reports(state, who.scope),
    )


@router.post("/reports")
async def reports_generate(request: Request, state: State, who: FormUser, lang: Lang) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    await run_in_threadpool(
        reports.generate,
        state,
        who.scope,
        period=str(form.get("period") or "") or None,
        kind=str(form.get("kind") or "") or None,
        fmt=str(form.get("format") or "html"),
        lang=str(form.get("lang") or lang),
        ip=client_ip(request),
    )
    return RedirectResponse("/reports?done=report", status_code=303)


@router.get("/reports/{report_id}")
def reports_download(request: Request, state: State, who: PageUser, report_id: PathId) -> Response:
    from fastapi.responses import FileResponse

    path, media = reports.report_file(state, who.scope, report_id)
    inline = path.suffix in (".html", ".pdf")
    return FileResponse(
        path,
        media_type=media,
        filename=path.name,
        content_disposition_type="inline" if inline else "attachment",
    )


# ---- imports and data quality --------------------------------------------------------------
@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    return render(
        request,
        "imports.html",
        who,
        nav="imports",
        step=1,
        kinds=imports.kinds(),
        log=imports.import_log(state, who.scope, 20),
        view=None,
    )


@router.post("/imports")
async def imports_upload(request: Request, state: State, who: FormUser) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise KehuError("请选择要导入的文件", "choose a file to import")
    data = await upload.read()
    view = await run_in_threadpool(
        imports.upload,
        state,
        who.scope,
        upload.filename or "upload.csv",
        data,
        str(form.get("kind") or ""),
        str(form.get("source") or "") or None,
    )
    return RedirectResponse(f"/imports/{view['upload_id']}", status_code=303)


@router.get("/imports/{upload_id}", response_class=HTMLResponse)
def imports_review(
    request: Request, state: State, who: PageUser, upload_id: PathId
) -> HTMLResponse:
    view = imports.last_preview(state, who.scope, upload_id)
    return render(request, "imports.html", who, nav="imports", step=2, view=view, kinds=[], log=[])


def _form_mapping(form: Any) -> dict[str, str | None]:
    mapping: dict[str, str | None] = {}
    i = 0
    while f"hdr_{i}" in form:
        mapping[str(form.get(f"hdr_{i}"))] = str(form.get(f"col_{i}") or "") or None
        i += 1
    return mapping


@router.post("/imports/{upload_id}/preview")
async def imports_preview(
    request: Request, state: State, who: FormUser, upload_id: PathId
) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    await run_in_threadpool(imports.preview, state, who.scope, upload_id, _form_mapping(form))
    return RedirectResponse(f"/imports/{upload_id}", status_code=303)


@router.post("/imports/{upload_id}/commit", response_class=HTMLResponse)
async def imports_commit(
    request: Request, state: State, who: FormUser, upload_id: PathId
) -> HTMLResponse:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    done = await run_in_threadpool(
        imports.commit,
        state,
        who.scope,
        upload_id,
        _form_mapping(form),
        ip=client_ip(request),
    )
    return render(request, "imports.html", who, nav="imports", step=3, view=done, kinds=[], log=[])


@router.get("/backtest", response_class=HTMLResponse)
def backtest_page(request: Request, state: State, who: PageUser, lang: Lang) -> HTMLResponse:
    return render(
        request,
        "backtest.html",
        who,
        nav="backtest",
        result=backtest.latest(state, who.scope),
        runs=backtest.history(state, who.scope, 20),
        names=backtest.names(lang),
    )


@router.get("/quality", response_class=HTMLResponse)
def quality_page(request: Request, state: State, who: PageUser, lang: Lang) -> HTMLResponse:
    report = quality.quality(state, who.scope)
    pairs = quality.review_pairs(state, who.scope, 30) if who.scope.may("merge") else []
    return render(request, "quality.html", who, nav="quality", report=report, pairs=pairs)


@router.post("/quality/merge")
async def quality_merge(request: Request, state: State, who: FormUser) -> Response:
    form = await request.form()
    quality.merge(
        state,
        who.scope,
        str(form.get("a") or ""),
        str(form.get("b") or ""),
        str(form.get("keep") or "") or None,
        ip=client_ip(request),
    )
    return RedirectResponse("/quality?done=merged", status_code=303)


@router.post("/quality/reject")
async def quality_reject(request: Request, state: State, who: FormUser) -> Response:
    form = await request.form()
    quality.reject(
        state, who.scope, str(form.get("a") or ""), str(form.get("b") or ""), ip=client_ip(request)
    )
    return RedirectResponse("/quality?done=not_duplicate", status_code=303)
