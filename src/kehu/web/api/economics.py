"""Plan economics (budget, what the plan left out) and rep / team scorecards."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kehu.web.api.deps import ApiUser, Lang, State
from kehu.web.api.models import Economics, Scorecards
from kehu.web.api.params import Text
from kehu.web.services import economics

router = APIRouter(prefix="/api/v1", tags=["planning"])


@router.get("/scorecards", operation_id="scorecards", response_model=Scorecards)
def scorecards(
    state: State,
    who: ApiUser,
    period: Text = None,
    grain: Annotated[str | None, Query(pattern="^(month|quarter|year)$")] = None,
) -> dict[str, Any]:
    """Rep and team scorecards of a period (default: the last complete one): a rep gets its
    own, a manager its region's teams and reps."""
    return economics.scorecards(state, who.scope, period, grain)


@router.get("/plan/economics", operation_id="plan_economics", response_model=Economics)
def plan_economics(state: State, who: ApiUser, lang: Lang) -> dict[str, Any]:
    """Each budget group's yearly budget and open-task cost, what the last plan left out, and
    the milestones (quarters → months) of the goals the caller sees."""
    return economics.economics(state, who.scope, lang)
