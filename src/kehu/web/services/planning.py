"""Planning for the web: scoped tasks (action plans), the strategy for a customer, goals
and targets. Reads and writes go through `kehu.app.Kehu`; the scope is applied here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.errors import NotFoundError
from kehu.web.services.common import plain_tree, table_exists

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
    if not table_exists(state.ws, "tasks"):
        return {"open": 0, "overdue": 0, "done": 0}
    cond, params = scope.customer_ids_sql()
    row = state.ws.rows(
        f"""SELECT count(*) FILTER (WHERE status = 'open'),
                   count(*) FILTER (WHERE status = 'open' AND due_date < current_date),
                   count(*) FILTER (WHERE status = 'done')
            FROM tasks WHERE {cond}""",
        params,
    )[0]
    return {"open": int(row[0]), "overdue": int(row[1]), "done": int(row[2])}


def set_task_status(
    state: WebState,
    scope: Scope,
    task_id: int,
    status: str,
    note: str | None = None,
    *,
    ip: str | None = None,
) -> dict[str, Any]:
    """Close or re-open a task on a customer the scope may see."""
    scope.require("update_task")
    cond, params = scope.customer_ids_sql()
    found = state.ws.rows(
        f"SELECT customer_id FROM tasks WHERE task_id = ? AND {cond}", [task_id, *params]
    )
    if not found:
        raise NotFoundError(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}")
    task = state.kehu.set_task_status(task_id, status, note)
    audit.record(
        state.ws,
        "task_update",
        user=scope.user,
        target=str(task_id),
        detail={"status": status, "note": note, "customer_id": found[0][0]},
        ip=ip,
    )
    state.changed("activity")
    return json.loads(json.dumps(task, default=str))


# ---- goals ---------------------------------------------------------------------------------
def _goal_visible(goal: dict[str, Any], scope: Scope, region_owners: set[str]) -> bool:
    if scope.sees_all:
        return True
    key, value, owner = goal.get("scope_key"), goal.get("scope_value"), goal.get("owner")
    if key is None:
        return True  # company-wide goals are everyone's context
    if scope.role == "manager":
        return (
            (key == "region" and value in scope.regions)
            or (key == "owner" and value in region_owners)
            or owner == scope.user
        )
    return (key == "owner" and value in scope.owners) or owner in scope.owners


def _region_owners(state: WebState, scope: Scope) -> set[str]:
    if scope.role != "manager":
        return set()
    cond, params = scope.customer_sql("c")
    rows = state.ws.rows(f"SELECT DISTINCT owner FROM customers c WHERE {cond}", params)
    return {r[0] for r in rows if r[0]}


def list_goals(state: WebState, scope: Scope, lang: str) -> list[dict[str, Any]]:
    """Goals the scope may see with their current progress per period."""
    from kehu.app import format_value, get_kpi, goal_title, scope_text

    if not table_exists(state.ws, "goals"):
        return []

    def compute() -> list[dict[str, Any]]:
        return json.loads(json.dumps(state.kehu.goal_progress(save=False), default=str))

    reports = state.cached("activity", ("goals", state.generation("customers")), compute)
    owners = _region_owners(state, scope)
    out = []
    for g in reports:
        if not _goal_visible(g, scope, owners):
            continue
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
    rows = state.ws.rows("SELECT DISTINCT period FROM targets ORDER BY period DESC")
    return [r[0] for r in rows]


def target_gaps(state: WebState, scope: Scope, period: str | None, lang: str) -> list[str]:
    """Where the period's imported targets do not add up across levels (quality check), as
    sentences; a manager sees their regions' gaps, a rep none."""
    from kehu.app import gap_text

    if period is None or scope.role == "rep":
        return []
    gaps = state.cached("activity", ("target-gaps",), state.kehu.target_gaps)
    mine = [g for g in gaps if g["period"] == period]
    if not scope.sees_all:
        mine = [g for g in mine if g["unit"] in scope.regions]
    return [gap_text(g, lang) for g in mine]


def target_progress(
    state: WebState, scope: Scope, period: str | None = None
) -> list[dict[str, Any]]:
    """Attainment per target row the scope may see (its regions, owners or customers)."""
    from kehu.errors import KehuError

    periods = target_periods(state)
    if not periods:
        return []

    def compute() -> list[dict[str, Any]]:
        try:
            rows = state.kehu.target_progress(period)
        except KehuError:
            return []
        return json.loads(json.dumps(rows, default=str))

    rows = state.cached("activity", ("targets", period, state.generation("customers")), compute)
    if scope.sees_all:
        return rows
    units = {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in state.ws.rows("SELECT source, target_id, region, owner, customer_id FROM targets")
    }
    visible_customers = set()
    ids = [u[2] for u in units.values() if u[2]]
    if ids:
        from kehu.web.services.customers import in_scope_ids

        visible_customers = in_scope_ids(state, scope, ids)
    owners = _region_owners(state, scope) if scope.role == "manager" else set(scope.owners)
    out = []
    for r in rows:
        region, owner, customer = units.get((r["source"], r["target_id"]), (None, None, None))
        if customer:
            ok = customer in visible_customers
        elif region and owner:
            ok = scope.allows(region, owner)
        elif region:
            ok = scope.role == "manager" and region in scope.regions
        elif owner:
            ok = owner in owners
        else:
            ok = scope.role == "manager"  # the company total: managers, not reps
        if ok:
            out.append(r)
    return out


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
