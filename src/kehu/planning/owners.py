"""Who is R and A on a task (RACI), and spreading new tasks over the reps of a region.

R = the customer's owner; without one, the region's manager; else `plan.default_owner`.
A = `plan.managers[owner]`, else `plan.region_leads[region]`, else the active user with role
`manager` for that region (the web users table: display_name, else user_name; the first by
name when several), else `plan.accountable` (unless a bare role code such as sales_manager),
else left empty (the plan warns once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from kehu.analytics.stored import table_columns

if TYPE_CHECKING:
    from kehu.config import PlanSettings
    from kehu.workspace import Workspace


# role codes that name nobody: the old default `accountable = "sales_manager"`, still written
# in the kehu.toml of earlier workspaces, counts as unset (the plan warns instead)
ROLE_PLACEHOLDERS = frozenset({"sales_manager"})


@dataclass(frozen=True)
class Team:
    """The sales organisation a plan assigns to."""

    managers: dict[str, str]  # owner -> manager
    region_leads: dict[str, str]  # region -> manager
    reps: dict[str, list[str]]  # region -> reps who may take its customers' tasks


def load_team(ws: Workspace, plan: PlanSettings) -> Team:
    """`[plan]` managers / region_leads, completed by the active users (manager per region)."""
    leads = dict(plan.region_leads)
    reps: dict[str, set[str]] = {}
    cur = ws.engine  # customers, wherever they live
    if table_columns(ws, "users"):
        rows = cur.execute(
            "SELECT role, region, coalesce(nullif(display_name, ''), user_name) FROM users"
            " WHERE coalesce(active, true) AND region IS NOT NULL ORDER BY 3"
        ).fetchall()
        for role, region, name in rows:
            if role == "manager":
                leads.setdefault(region, name)
            elif role == "rep":
                reps.setdefault(region, set()).add(name)
    for region, owner in cur.execute(
        "SELECT DISTINCT region, owner FROM customers"
        " WHERE region IS NOT NULL AND coalesce(owner, '') <> ''"
    ).fetchall():
        reps.setdefault(region, set()).add(owner)
    return Team(dict(plan.managers), leads, {r: sorted(v) for r, v in reps.items()})


def assign(frame: pd.DataFrame, team: Team, plan: PlanSettings) -> pd.DataFrame:
    """Set `owner` (R) and `accountable` (A) on a copy of task rows with owner and region."""
    out = frame.copy()
    lead = out["region"].map(team.region_leads).astype(object)
    owner = out["owner"].where(out["owner"].notna() & (out["owner"] != ""), lead)
    out["owner"] = owner.where(owner.notna(), plan.default_owner)
    acc = out["owner"].map(team.managers).astype(object)
    acc = acc.where(acc.notna(), lead)
    if plan.accountable and plan.accountable not in ROLE_PLACEHOLDERS:
        acc = acc.where(acc.notna(), plan.accountable)
    out["accountable"] = acc.where(acc.notna(), None)
    return out


def balance(
    new: pd.DataFrame, open_counts: dict[str, int], team: Team, plan: PlanSettings
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Keep each owner at most `plan.max_open_per_owner` open tasks (0 = no cap).

    Highest priority first, a task stays with its owner while there is room, else goes to the
    least-loaded rep of the customer's region with room; what fits nowhere is deferred.
    Returns the tasks to create (owner and A updated) and the deferred count per owner.
    """
    cap = plan.max_open_per_owner
    if cap <= 0 or new.empty:
        return new, {}
    load = dict(open_counts)
    order = new.sort_values(["priority", "customer_id"], ascending=[False, True]).index
    owners = new["owner"].to_dict()
    keep: list[int] = []
    deferred: dict[str, int] = {}
    for i in order:
        owner = owners[i]
        if load.get(owner, 0) < cap:
            target = owner
        else:
            room = [r for r in team.reps.get(new.at[i, "region"], []) if load.get(r, 0) < cap]
            target = min(room, key=lambda r: (load.get(r, 0), r)) if room else None
        if target is None:
            deferred[owner] = deferred.get(owner, 0) + 1
            continue
        load[target] = load.get(target, 0) + 1
        owners[i] = target
        keep.append(i)
    out = new.loc[sorted(keep)].copy()
    out["owner"] = pd.Series(owners).loc[out.index]
    return assign(out, team, plan), deferred
