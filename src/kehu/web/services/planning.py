"""Planning for the web: scoped tasks (action plans), the strategy for a customer, goals
and targets. Reads and writes go through `kehu.app.Kehu`, which applies the scope
(`kehu.planning.visibility`); here results are cached per scope and shaped for the page."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def list_tasks(
    state: WebState,
    scope: Scope,
    *,
    status: str | None = "open",
    owner: str | None = None,
    band: str | None = None,
    customer_ids: list[str] | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Tasks on the scope's customers, open and highest priority first (plain values)."""
    rows = state.kehu.tasks(
        status=status or None,
        owner=owner or None,
        band=band or None,
        customer_ids=customer_ids,
        scope=scope,
        limit=limit,
    )
    return plain_tree(rows)


def task_counts(state: WebState, scope: Scope) -> dict[str, int]:
    """Open / overdue / done counts on the scope's customers."""
    return state.kehu.task_counts(scope=scope)


def set_task_status(
    state: WebState,
    scope: Scope,
    task_id: int,
    status: str,
    note: str | None = None,
    *,
    ip: str | None = None,
) -> dict[str, Any]:
    """Close or re-open a task on a customer the scope may see; audited."""
    task = state.kehu.set_task_status(task_id, status, note, scope=scope)
    audit.record(
        state.ws,
        "task_update",
        user=scope.user,
        target=str(task_id),
        detail={"status": status, "note": note, "customer_id": task["customer_id"]},
        ip=ip,
    )
    state.changed("activity")
    return json.loads(json.dumps(task, default=str))


# ---- goals ---------------------------------------------------------------------------------
def list_goals(state: WebState, scope: Scope, lang: str) -> list[dict[str, Any]]:
    """Goals the scope may see with their current progress per period."""
    from kehu.app import format_value, get_kpi, goal_title, scope_text

    def compute() -> list[dict[str, Any]]:
        rows = state.kehu.goal_progress(save=False, scope=scope)
        return json.loads(json.dumps(rows, default=str))

    key = ("goals", scope.key, state.generation("customers"))
    out = []
    for g in state.cached("activity", key, compute):
        kpi = get_kpi(g["metric"])
        target = g.get("target")
        actual = g.get("actual")
        share = None
        if target not in (None, 0) and actual is not None:
            share = actual / target if kpi.higher_is_better else (target / actual if actual else 1)
        out.append(
            {
                **g,
                "title": goal_title(g, lang),
                "kpi_label": kpi.label(lang),
                "scope_text": scope_text(g["scope_key"], g["scope_value"], lang)
                if g.get("scope_key")
                else None,
                "target_text": format_value(target, kpi.unit, lang),
                "actual_text": format_value(actual, kpi.unit, lang),
                "projected_text": format_value(g.get("projected"), kpi.unit, lang),
                "attainment": share,
                "series": [
                    {
                        "period": p.get("period"),
                        "value": p.get("cumulative") if kpi.additive else p.get("actual"),
                        "expected": p.get("expected"),
                    }
                    for p in g.get("periods", [])
                ],
            }
        )
    return out


def add_goal(
    state: WebState,
    scope: Scope,
    *,
    metric: str,
    target: str,
    deadline: Any,
    owner: str | None = None,
    goal_scope: str | None = None,
    name: str | None = None,
    ip: str | None = None,
) -> dict[str, Any]:
    """Record a SMART goal; a manager may only set goals for their own region."""
    from kehu.app import parse_scope
    from kehu.errors import AccessDenied

    scope.require("add_goal")
    key, value = parse_scope(goal_scope)
    if scope.role == "manager" and not (key == "region" and value in scope.regions):
        raise AccessDenied(
            "经理只能为本区域设定目标(范围写 region=区域名)",
            "a manager can only set goals for their own region (scope region=NAME)",
        )
    goal = state.kehu.add_goal(
        metric,
        target,
        deadline,
        owner or scope.user,
        scope=goal_scope,
        name=name,
    )
    audit.record(
        state.ws,
        "goal_add",
        user=scope.user,
        target=str(goal["goal_id"]),
        detail={"metric": metric, "target": target, "scope": goal_scope},
        ip=ip,
    )
    state.changed("activity")
    return json.loads(json.dumps(goal, default=str))


# ---- sales targets -------------------------------------------------------------------------
def target_periods(state: WebState) -> list[str]:
    return state.kehu.target_periods()


def target_gaps(state: WebState, scope: Scope, period: str | None, lang: str) -> list[str]:
    """Where the period's imported targets do not add up across levels (quality check), as
    sentences, of the gaps the scope sees."""
    from kehu.app import gap_text

    if period is None:
        return []
    gaps = state.cached(
        "activity", ("target-gaps", scope.key), lambda: state.kehu.target_gaps(scope=scope)
    )
    return [gap_text(g, lang) for g in gaps if g["period"] == period]


def target_progress(
    state: WebState, scope: Scope, period: str | None = None
) -> list[dict[str, Any]]:
    """Attainment per target row the scope may see (its regions, owners or customers)."""
    from kehu.errors import KehuError

    if not target_periods(state):
        return []

    def compute() -> list[dict[str, Any]]:
        try:
            rows = state.kehu.target_progress(period, scope=scope)
        except KehuError:
            return []
        return json.loads(json.dumps(rows, default=str))

    key = ("targets", period, scope.key, state.generation("customers"))
    return state.cached("activity", key, compute)


def make_plan(state: WebState, scope: Scope, *, ip: str | None = None) -> dict[str, Any]:
    """Turn the latest snapshot into tasks (admin)."""
    scope.require("plan")
    result = state.kehu.plan()
    data = json.loads(json.dumps(result.to_json(), default=str))
    audit.record(
        state.ws,
        "plan",
        user=scope.user,
        detail={k: v for k, v in data.items() if not isinstance(v, list | dict)},
        ip=ip,
    )
    state.changed("activity")
    return data
