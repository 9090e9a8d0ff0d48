"""Tasks (action plans), goals and sales targets."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kehu.web.api.deps import ApiUser, Lang, State, client_ip
from kehu.web.api.models import Goal, PlanRun, TargetRow, Task
from kehu.web.api.params import MAX_TEXT, RowId, Text
from kehu.web.services import planning

router = APIRouter(prefix="/api/v1", tags=["planning"])


class TaskUpdate(BaseModel):
    status: str = Field(pattern="^(open|done|cancelled)$")
    note: str | None = Field(None, max_length=2000)


@router.get("/tasks", operation_id="list_tasks", response_model=list[Task])
def list_tasks(
    state: State,
    who: ApiUser,
    status: Annotated[str | None, Query(pattern="^(open|done|cancelled)$")] = "open",
    owner: Text = None,
    band: Annotated[str | None, Query(pattern="^(high|medium|low)$")] = None,
    customer_id: Text = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 200,
) -> list[dict[str, Any]]:
    """Tasks on the caller's customers, highest priority first."""
    return planning.list_tasks(
        state,
        who.scope,
        status=status,
        owner=owner,
        band=band,
        customer_ids=[customer_id] if customer_id else None,
        limit=limit,
    )


@router.post("/tasks/{task_id}", operation_id="update_task", response_model=Task)
def update_task(
    request: Request, state: State, who: ApiUser, task_id: RowId, body: TaskUpdate
) -> dict[str, Any]:
    """Mark a task done or cancelled, or re-open it."""
    return planning.set_task_status(
        state, who.scope, task_id, body.status, body.note, ip=client_ip(request)
    )


class NewGoal(BaseModel):
    metric: str = Field(max_length=64, description="a KPI code, e.g. new_customers")
    target: str = Field(max_length=64, description="200 | +10% | +5pp | 85%")
    deadline: date
    owner: str | None = Field(None, max_length=MAX_TEXT)
    scope: str | None = Field(
        None, max_length=MAX_TEXT, description="region=华东 | owner=张伟 | value_tier=core"
    )
    name: str | None = Field(None, max_length=MAX_TEXT)


@router.get("/goals", operation_id="list_goals", response_model=list[Goal])
def list_goals(state: State, who: ApiUser, lang: Lang) -> list[dict[str, Any]]:
    """SMART goals the caller may see, with progress per period and status."""
    return planning.list_goals(state, who.scope, lang)


@router.post("/goals", operation_id="add_goal", response_model=Goal, status_code=201)
def add_goal(request: Request, state: State, who: ApiUser, body: NewGoal) -> dict[str, Any]:
    """Record a goal (admins; managers for their own region)."""
    return planning.add_goal(
        state,
        who.scope,
        metric=body.metric,
        target=body.target,
        deadline=body.deadline,
        owner=body.owner,
        goal_scope=body.scope,
        name=body.name,
        ip=client_ip(request),
    )


@router.get("/targets", operation_id="list_targets", response_model=list[TargetRow])
def list_targets(state: State, who: ApiUser, period: Text = None) -> list[dict[str, Any]]:
    """Sales-target attainment per unit (region / owner / customer) the caller may see."""
    return planning.target_progress(state, who.scope, period)


@router.post("/plan", operation_id="make_plan", response_model=PlanRun)
def make_plan(request: Request, state: State, who: ApiUser) -> dict[str, Any]:
    """Turn the latest snapshot into tasks (admin); re-runs never duplicate open tasks."""
    return planning.make_plan(state, who.scope, ip=client_ip(request))
