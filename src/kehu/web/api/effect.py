"""The playbook effect: treated vs control per playbook of a past plan, within the caller's
scope (a manager sees the customers of own region)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from kehu.web.api.deps import ApiUser, State, lang_of
from kehu.web.api.models import PlaybookEffect
from kehu.web.services import effect

router = APIRouter(prefix="/api/v1", tags=["planning"])


@router.get("/effect", operation_id="playbook_effect", response_model=PlaybookEffect)
def playbook_effect(
    request: Request,
    state: State,
    who: ApiUser,
    plan: Annotated[
        date | None, Query(description="the plan to measure (default: latest ripe)")
    ] = None,
) -> dict[str, Any]:
    """Churn, revenue and NPS of the treated vs the control customers per playbook, with the
    difference, its confidence interval, sample sizes and a verdict; a playbook without a
    control group is compared by matching (labelled weaker evidence)."""
    return effect.report(state, who.scope, lang_of(request), plan)
