"""KPIs per period (month / quarter / year) with the change vs the previous period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from kehu.web.api.deps import ApiUser, Lang, State, json_response
from kehu.web.api.models import KpiCard, KpiRow
from kehu.web.services import kpis

router = APIRouter(prefix="/api/v1", tags=["kpis"])


@router.get("/kpis", operation_id="list_kpis", response_model=list[KpiRow])
def list_kpis(
    state: State,
    who: ApiUser,
    period: Annotated[str, Query(pattern="^(month|quarter|year)$")] = "month",
    by: Annotated[
        str | None, Query(pattern="^(region|owner|rfm_type|value_tier|industry|size)$")
    ] = None,
    kpi: Annotated[list[str] | None, Query(description="KPI codes (default: all)")] = None,
) -> Response:
    """Every KPI per period for the caller's customers (formulas in docs/planning.md)."""
    return json_response(kpis.kpis(state, who.scope, period, by, tuple(kpi) if kpi else None))


@router.get("/kpis/cards", operation_id="kpi_cards", response_model=list[KpiCard])
def kpi_cards(state: State, who: ApiUser, lang: Lang) -> Response:
    """The dashboard's headline KPIs: latest month, formatted, with the trend."""
    return json_response(kpis.kpi_cards(state, who.scope, lang))
