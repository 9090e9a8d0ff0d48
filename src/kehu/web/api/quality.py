"""Data quality report over the caller's customers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kehu.web.api.deps import ApiUser, State, client_ip
from kehu.web.api.models import DuplicatePair, MergeOut, Quality, RejectOut
from kehu.web.api.params import MAX_ID
from kehu.web.services import quality

router = APIRouter(prefix="/api/v1", tags=["quality"])


@router.get("/quality", operation_id="data_quality", response_model=Quality)
def data_quality(state: State, who: ApiUser) -> dict[str, Any]:
    """Completeness, invalid values, suspected duplicates, orphans, stale records."""
    return quality.quality(state, who.scope)


class PairDecision(BaseModel):
    a: str = Field(min_length=1, max_length=MAX_ID)
    b: str = Field(min_length=1, max_length=MAX_ID)
    keep: str | None = Field(
        None, max_length=MAX_ID, description="the id that survives (default: by the rules)"
    )


@router.get("/duplicates", operation_id="list_duplicate_pairs", response_model=list[DuplicatePair])
def list_duplicate_pairs(
    state: State, who: ApiUser, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    """Suspected duplicate customers awaiting review, side by side (admin)."""
    return quality.review_pairs(state, who.scope, limit)


@router.post("/duplicates/merge", operation_id="merge_customers", response_model=MergeOut)
def merge_customers(
    request: Request, state: State, who: ApiUser, body: PairDecision
) -> dict[str, Any]:
    """Merge two customers; children are re-pointed; undo with `kehu dedupe undo` (admin)."""
    return quality.merge(state, who.scope, body.a, body.b, body.keep, ip=client_ip(request))


@router.post("/duplicates/reject", operation_id="reject_duplicate_pair", response_model=RejectOut)
def reject_duplicate_pair(
    request: Request, state: State, who: ApiUser, body: PairDecision
) -> dict[str, Any]:
    """Mark a pair as two different customers (admin)."""
    return quality.reject(state, who.scope, body.a, body.b, ip=client_ip(request))
