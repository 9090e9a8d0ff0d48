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


# kind -> what its route says in the API docs (the route, its name and its id follow the kind)
ROUTES = {
    "orders": "Upsert a batch of orders (idempotent on (source, order_id)); rejects are reported.",
    "interactions": "Upsert a batch of interactions (visits, calls, emails, meetings, chats).",
    "tickets": "Upsert a batch of service tickets.",
    "surveys": "Upsert a batch of survey answers (NPS, CSAT, comments).",
}


def _add_route(kind: str, doc: str) -> None:
    def endpoint(
        request: Request,
        state: State,
        who: ApiUser,
        batch: Batch,
        source: SourceQ = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        return push.push_records(
            state,
            who.scope,
            kind,
            batch.records,
            source=batch.source or source,
            dry_run=dry_run,
            ip=client_ip(request),
        )

    endpoint.__name__ = endpoint.__qualname__ = f"push_{kind}"
    endpoint.__doc__ = doc
    router.post(f"/{kind}", operation_id=f"push_{kind}", response_model=ImportSummary)(endpoint)


for _kind, _doc in ROUTES.items():
    _add_route(_kind, _doc)
