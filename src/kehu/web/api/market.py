"""Competitors, market and key-account plans over the API (the caller's customers only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from kehu.web.api.deps import ApiUser, Lang, State
from kehu.web.services import market

router = APIRouter(prefix="/api/v1", tags=["market"])


@router.get("/competitors", operation_id="competitors")
def competitors(state: State, who: ApiUser) -> dict[str, Any]:
    """Per competitor: customers covered, revenue and pipeline at stake, win/loss; per
    customer: incumbent supplier and share of wallet; competitor mentions in notes."""
    return market.competitors(state, who.scope)


@router.get("/market", operation_id="market")
def market_view(state: State, who: ApiUser, lang: Lang) -> dict[str, Any]:
    """Revenue, customers, growth and share by industry section/division, region and company
    size; penetration, coverage and white space per imported market cell."""
    return market.market_view(state, who.scope, lang)
