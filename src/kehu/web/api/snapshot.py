"""Snapshot summaries: totals, segment/tier counts, Pareto, flows, churn watch-list."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from kehu.web.api.deps import ApiUser, Lang, State, json_response
from kehu.web.api.models import Flows, Pareto, Summary, WatchItem
from kehu.web.services import dashboard

router = APIRouter(prefix="/api/v1", tags=["snapshot"])


@router.get("/snapshot/summary", operation_id="snapshot_summary", response_model=Summary)
def snapshot_summary(state: State, who: ApiUser, lang: Lang) -> Response:
    """Totals and the count per rfm_type, value_tier, lifecycle, segment and ABC class."""
    data = dashboard.summary(state, who.scope)
    dims = dashboard.with_labels(data["dimensions"], lang)
    return json_response({"totals": data["totals"], "dimensions": dims})


@router.get("/snapshot/dates", operation_id="snapshot_dates", response_model=list[date])
def list_snapshot_dates(state: State, who: ApiUser) -> list[str]:
    """Dates that have a customer snapshot, newest first."""
    return [d.isoformat() for d in reversed(state.kehu.snapshot_dates())]


@router.get("/snapshot/pareto", operation_id="snapshot_pareto", response_model=Pareto)
def snapshot_pareto(state: State, who: ApiUser) -> dict[str, Any]:
    """Cumulative revenue and profit share by the top x% of customers."""
    return dashboard.pareto(state, who.scope)


@router.get("/snapshot/watchlist", operation_id="churn_watchlist", response_model=list[WatchItem])
def churn_watchlist(
    state: State,
    who: ApiUser,
    lang: Lang,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
) -> list[dict[str, Any]]:
    """Customers most at risk of churning, with reasons."""
    return dashboard.watchlist(state, who.scope, lang, limit)


@router.get("/flows", operation_id="segment_flows", response_model=Flows)
def segment_flows(
    state: State,
    who: ApiUser,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    dimension: str = "lifecycle",
) -> dict[str, Any]:
    """How customers moved between classes from one snapshot date to another."""
    return dashboard.flows(state, who.scope, date_from, date_to, dimension)
