"""Which tasks, goals and sales targets an access scope sees (`kehu.access.scope.Scope`).

Written once for the CLI, the web and reports:

- a task: when its customer is inside the scope;
- a goal: a company-wide goal is everyone's context; a manager sees the goals of their
  regions, of the owners of their regions' customers, and their own; a rep the goals set on
  one of their names or owned by them;
- a target row: of a customer, when that customer is inside the scope; of a region and an
  owner, when a customer there would be; of a region alone, that region's manager; of an
  owner alone, a manager of a region the owner sells in, or the rep; the company total,
  managers (not reps); a gap between the levels of a period's targets, the manager of its
  region.

A scope that sees everything (an admin), or none given, sees all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.analytics.query import customer_where
from kehu.errors import NotFoundError

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.workspace import Workspace


def customers_among(ws: Workspace, ids: list[str], scope: Scope | None) -> set[str]:
    """Which of these customer ids exist inside `scope`."""
    if not ids:
        return set()
    cond, params = customer_where(scope)
    marks = ", ".join("?" for _ in ids)
    rows = ws.rows(
        f"SELECT c.customer_id FROM customers c WHERE c.customer_id IN ({marks}) AND {cond}",
        [*ids, *params],
    )
    return {r[0] for r in rows}


def task_counts(ws: Workspace, scope: Scope | None = None) -> dict[str, int]:
    """Open, overdue (open past the due date) and done tasks on the scope's customers."""
    cond, params = scope.customer_ids_sql() if scope is not None else ("TRUE", [])
    row = ws.rows(
        f"""SELECT count(*) FILTER (WHERE status = 'open'),
                   count(*) FILTER (WHERE status = 'open' AND due_date < current_date),
                   count(*) FILTER (WHERE status = 'done')
            FROM tasks WHERE {cond}""",
        params,
    )[0]
    return {"open": int(row[0]), "overdue": int(row[1]), "done": int(row[2])}


def task_customer(ws: Workspace, task_id: int, scope: Scope | None) -> str:
    """The customer of a task the scope sees; a task outside it reads as unknown."""
    cond, params = scope.customer_ids_sql() if scope is not None else ("TRUE", [])
    found = ws.rows(
        f"SELECT customer_id FROM tasks WHERE task_id = ? AND {cond}", [task_id, *params]
    )
    if not found:
        raise NotFoundError(f"没有编号为 {task_id} 的任务", f"no task with id {task_id}")
    return str(found[0][0])


def _region_owners(ws: Workspace, scope: Scope) -> set[str]:
    """The owners of the customers in a manager's regions."""
    if scope.role != "manager":
        return set()
    cond, params = customer_where(scope)
    rows = ws.rows(f"SELECT DISTINCT c.owner FROM customers c WHERE {cond}", params)
    return {r[0] for r in rows if r[0]}


def _goal_visible(goal: dict[str, Any], scope: Scope, region_owners: set[str]) -> bool:
    key, value, owner = goal.get("scope_key"), goal.get("scope_value"), goal.get("owner")
    if key is None:
        return True
    if scope.role == "manager":
        return (
            (key == "region" and value in scope.regions)
            or (key == "owner" and value in region_owners)
            or owner == scope.user
        )
    return (key == "owner" and value in scope.owners) or owner in scope.owners


def visible_goals(
    ws: Workspace, goals: list[dict[str, Any]], scope: Scope | None
) -> list[dict[str, Any]]:
    """The goals (rows with scope_key, scope_value, owner) the scope sees, in order."""
    if scope is None or scope.sees_all:
        return goals
    owners = _region_owners(ws, scope)
    return [g for g in goals if _goal_visible(g, scope, owners)]


def visible_targets(
    ws: Workspace, rows: list[dict[str, Any]], scope: Scope | None
) -> list[dict[str, Any]]:
    """The target-progress rows (by source and target_id) the scope sees, in order."""
    if scope is None or scope.sees_all:
        return rows
    units = {
        (r[0], r[1]): (r[2], r[3], r[4])
        for r in ws.rows("SELECT source, target_id, region, owner, customer_id FROM targets")
    }
    customers = customers_among(ws, sorted({u[2] for u in units.values() if u[2]}), scope)
    owners = _region_owners(ws, scope) if scope.role == "manager" else set(scope.owners)
    out = []
    for r in rows:
        region, owner, customer = units.get((r["source"], r["target_id"]), (None, None, None))
        if customer:
            ok = customer in customers
        elif region and owner:
            ok = scope.allows(region, owner)
        elif region:
            ok = scope.role == "manager" and region in scope.regions
        elif owner:
            ok = owner in owners
        else:
            ok = scope.role == "manager"
        if ok:
            out.append(r)
    return out


def visible_gaps(gaps: list[dict[str, Any]], scope: Scope | None) -> list[dict[str, Any]]:
    """Target gaps (rows with a unit) the scope sees: a manager their regions', a rep none."""
    if scope is None or scope.sees_all:
        return gaps
    if scope.role != "manager":
        return []
    return [g for g in gaps if g["unit"] in scope.regions]
