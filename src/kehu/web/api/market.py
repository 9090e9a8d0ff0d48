"""Competitors, market and key-account plans over the API (the caller's customers only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from kehu.web.api.deps import ApiUser, Lang, State, client_ip
from kehu.web.api.models import AccountPlan, Competitors, KeyAccounts, Market
from kehu.web.api.params import PathId
from kehu.web.services import market

router = APIRouter(prefix="/api/v1", tags=["market"])


@router.get("/competitors", operation_id="competitors", response_model=Competitors)
def competitors(state: State, who: ApiUser) -> dict[str, Any]:
    """Per competitor: customers covered, revenue and pipeline at stake, win/loss; per
    customer: incumbent supplier and share of wallet; competitor mentions in notes."""
    return market.competitors(state, who.scope)


@router.get("/market", operation_id="market", response_model=Market)
def market_view(state: State, who: ApiUser, lang: Lang) -> dict[str, Any]:
    """Revenue, customers, growth and share by industry section/division, region and company
    size; penetration, coverage and white space per imported market cell."""
    return market.market_view(state, who.scope, lang)


Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/accounts", operation_id="key_accounts", response_model=KeyAccounts)
def key_accounts(state: State, who: ApiUser, year: Year = None) -> dict[str, Any]:
    """Key accounts (the plan tiers, default 战略级 / 核心级) and their plans' state."""
    return market.key_accounts(state, who.scope, year)


@router.get("/accounts/{customer_id}/plan", operation_id="account_plan", response_model=AccountPlan)
def account_plan(
    state: State, who: ApiUser, customer_id: PathId, year: Year = None
) -> dict[str, Any]:
    """A key-account plan: facts, goals, decision chain, team, deals, risks, actions."""
    return market.account_plan(state, who.scope, customer_id, year)


@router.post(
    "/accounts/{customer_id}/plan", operation_id="save_account_plan", response_model=AccountPlan
)
def save_account_plan(
    request: Request,
    state: State,
    who: ApiUser,
    customer_id: PathId,
    edits: Annotated[dict[str, Any], Body()],
    year: Year = None,
) -> dict[str, Any]:
    """Save edited parts: revenue_goal, share_goal, categories, team [{name, role, raci}],
    actions [{zh, en, owner, due, done}], notes, status (draft | agreed)."""
    return market.save_account_plan(
        state, who.scope, customer_id, edits, year, ip=client_ip(request)
    )


@router.get(
    "/accounts/{customer_id}/plan/export",
    operation_id="export_account_plan",
    response_class=Response,
)
def export_account_plan(
    request: Request,
    state: State,
    who: ApiUser,
    lang: Lang,
    customer_id: PathId,
    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx",  # noqa: A002
    year: Year = None,
) -> Response:
    """The plan as an XLSX workbook or a PDF for the account review."""
    data, media, name = market.export_account_plan(
        state, who.scope, customer_id, format, lang, year, ip=client_ip(request)
    )
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
