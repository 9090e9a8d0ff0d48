"""Pages of competitors, the market and key-account plans (their texts kept here)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kehu.app import (
    MARKET_DIMENSIONS,
    PLAN_RACI,
    PLAN_ROLE_CODES,
    PLAN_ROLES,
    PLAN_STATUSES,
    PLAN_TEXTS,
    contact_when,
    label,
    plan_status_text,
    team_role,
)
from kehu.i18n import catalog
from kehu.web import charts
from kehu.web.api.deps import FormUser, PageUser, State, client_ip, lang_of
from kehu.web.api.params import PathId, Word
from kehu.web.pages import render
from kehu.web.services import market

router = APIRouter(include_in_schema=False)

TEXTS = catalog("web_market")


def _texts(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {"m": lambda key, **kw: TEXTS(key, lang, **kw)}


@router.get("/market", response_class=HTMLResponse)
def market_page(
    request: Request, state: State, who: PageUser, by: Word = "section"
) -> HTMLResponse:
    by = by if by in MARKET_DIMENSIONS else "section"
    view = market.market_view(state, who.scope, lang_of(request))
    rule = state.settings.market
    return render(
        request,
        "market.html",
        who,
        nav="market",
        view=view,
        by=by,
        dims=MARKET_DIMENSIONS,
        white_n=rule.white_space_customers,
        white_p=f"{rule.white_space_penetration * 100:g}%",
        **_texts(request),
    )


@router.get("/competitors", response_class=HTMLResponse)
def competitors_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    view = market.competitors(state, who.scope)
    return render(request, "competitors.html", who, nav="competitors", view=view, **_texts(request))


def _plan_texts(request: Request) -> dict[str, Any]:
    lang = lang_of(request)
    return {
        "p": lambda key, **kw: PLAN_TEXTS(key, lang, **kw),
        "status_text": lambda code: plan_status_text(code, lang),
        "team_role": lambda code: team_role(code, lang),
        "contact_when": lambda days: contact_when(days, lang),
    }


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, state: State, who: PageUser) -> HTMLResponse:
    lang = lang_of(request)
    tiers = "/".join(label("value_tier", t, lang) for t in state.settings.account_plan.tiers)
    return render(
        request,
        "accounts.html",
        who,
        nav="accounts",
        view=market.key_accounts(state, who.scope),
        tiers=tiers,
        **_plan_texts(request),
    )


def _map_data(plan: dict[str, Any], lang: str) -> dict[str, Any]:
    """The relationship map: the customer in the middle, its contacts around it."""
    return {
        "center": plan["customer"]["name"],
        "contacts": [
            {
                "name": r["name"],
                "title": r["title"],
                "role": label("contact_role", r["role"], lang),
                "influence": r["influence"],
                "attitude": r["attitude"],
                "attitude_label": label("attitude", r["attitude"], lang),
                "relationship": r["relationship"],
                "last": contact_when(r["days_since_contact"], lang),
            }
            for r in plan["decision_chain"]
        ],
    }


@router.get("/accounts/{customer_id}", response_class=HTMLResponse)
def account_plan_page(
    request: Request,
    state: State,
    who: PageUser,
    customer_id: PathId,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    plan = market.account_plan(state, who.scope, customer_id, year)
    lang = lang_of(request)
    return render(
        request,
        "account_plan.html",
        who,
        nav="accounts",
        plan=plan,
        chart_data={"relationship": charts.relationship(_map_data(plan, lang))},
        can_edit=who.scope.may("edit_plan"),
        raci_codes=PLAN_RACI,
        statuses=PLAN_STATUSES,
        roles=PLAN_ROLES,
        **_plan_texts(request),
    )


def _rows(form: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows posted as `<prefix>_<field>_<i>` (0, 1, ...), in index order."""
    index = sorted({int(k.rsplit("_", 1)[1]) for k in form if k.startswith(prefix + "_")
                    and k.rsplit("_", 1)[1].isdigit()})  # fmt: skip
    return [{f: str(form.get(f"{prefix}_{f}_{i}") or "") for f in fields} for i in index]


def plan_edits(form: Any, lang: str) -> dict[str, Any]:
    """The plan edits of a posted form. An action whose text is unchanged keeps both of its
    languages; an edited one is stored as typed."""
    actions = []
    for a in _rows(form, "act", ("text", "zh", "en", "owner", "due", "done")):
        original = a["en"] if lang == "en" else a["zh"]
        text = a["text"].strip()
        same = text and text == original
        kept = {"zh": a["zh"], "en": a["en"]} if same else {"zh": text, "en": text}
        actions.append({**kept, "owner": a["owner"], "due": a["due"], "done": a["done"] == "1"})
    codes = {
        team_role(code, lang): code for code in PLAN_ROLE_CODES
    }  # drafted roles keep their code
    team = [{**m, "role": codes.get(m["role"].strip(), m["role"])}
            for m in _rows(form, "team", ("name", "role", "raci"))]  # fmt: skip
    return {
        "revenue_goal": str(form.get("revenue_goal") or ""),
        "share_goal": str(form.get("share_goal") or ""),
        "categories": str(form.get("categories") or ""),
        "status": str(form.get("status") or "draft"),
        "notes": str(form.get("notes") or ""),
        "team": team,
        "actions": actions,
    }


@router.post("/accounts/{customer_id}")
async def account_plan_save(
    request: Request, state: State, who: FormUser, customer_id: PathId
) -> Response:
    form = await request.form()
    year = str(form.get("year") or "")
    edits = plan_edits(form, lang_of(request))
    market.save_account_plan(
        state, who.scope, customer_id, edits, int(year) if year.isdigit() else None,
        ip=client_ip(request),
    )  # fmt: skip
    back = f"/accounts/{customer_id}" + (f"?year={year}&" if year.isdigit() else "?")
    return RedirectResponse(back + "done=plan_saved", status_code=303)


@router.get("/accounts/{customer_id}/export")
def account_plan_export(
    request: Request,
    state: State,
    who: PageUser,
    customer_id: PathId,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",  # noqa: A002
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    data, media, name = market.export_account_plan(
        state, who.scope, customer_id, format, lang_of(request), year, ip=client_ip(request)
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
