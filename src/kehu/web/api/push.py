"""Push API for integrations (ERP, call centre, e-commerce): JSON batches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kehu.web.api.deps import ApiUser, State, client_ip
from kehu.web.api.models import ImportSummary
from kehu.web.services import push

router = APIRouter(prefix="/api/v1", tags=["push"])


class Batch(BaseModel):
    """Records with the columns of the target table (English names or the importer's
    zh/en header aliases); `source` names the sending system (natural keys are per source)."""

    records: list[dict[str, Any]] = Field(min_length=1)
    source: str | None = Field(None, max_length=64)


SourceQ = Annotated[str | None, Query(max_length=64)]


def _push(
    request: Request, state: Any, who: Any, kind: str, batch: Batch, source: str | None, dry: bool
) -> dict[str, Any]:
    return push.push_records(
        state,
        who.scope,
        kind,
        batch.records,
        source=batch.source or source,
        dry_run=dry,
        ip=client_ip(request),
    )


@router.post("/orders", operation_id="push_orders", response_model=ImportSummary)
def push_orders(
    request: Request,
    state: State,
    who: ApiUser,
    batch: Batch,
    source: SourceQ = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Upsert a batch of orders (idempotent on (source, order_id)); rejects are reported."""
    return _push(request, state, who, "orders", batch, source, dry_run)


@router.post("/interactions", operation_id="push_interactions", response_model=ImportSummary)
def push_interactions(
    request: Request,
    state: State,
    who: ApiUser,
    batch: Batch,
    source: SourceQ = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Upsert a batch of interactions (visits, calls, emails, meetings, chats)."""
    return _push(request, state, who, "interactions", batch, source, dry_run)


@router.post("/tickets", operation_id="push_tickets", response_model=ImportSummary)
def push_tickets(
    request: Request,
    state: State,
    who: ApiUser,
    batch: Batch,
    source: SourceQ = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Upsert a batch of service tickets."""
    return _push(request, state, who, "tickets", batch, source, dry_run)


@router.post("/surveys", operation_id="push_surveys", response_model=ImportSummary)
def push_surveys(
    request: Request,
    state: State,
    who: ApiUser,
    batch: Batch,
    source: SourceQ = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Upsert a batch of survey answers (NPS, CSAT, comments)."""
    return _push(request, state, who, "surveys", batch, source, dry_run)
