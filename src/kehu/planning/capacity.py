"""Rep capacity (seed 000 人力资源优化配置): how much work each rep takes per period.

`[capacity]` gives each rep a capacity per month or quarter (`per_rep`, or the rep's own in
`reps`; 0 = no limit), counted in tasks or in hours (`hours` per playbook, else
`default_hours`). A rep's load in a period is its open tasks due in it plus the new ones. New
tasks are taken highest priority first: a task stays with its owner while the owner has room
in the period of its due date, else goes to the rep of the customer's region with the lowest
load share (load ÷ capacity) who has room, else it is left out. `plan_capacity` records, per
rep and period, the capacity, the open and new load and what did not fit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kehu.calendar import Period
from kehu.planning.owners import assign

if TYPE_CHECKING:
    from kehu.config import CapacitySettings, PlanSettings
    from kehu.planning.owners import Team
    from kehu.workspace import Workspace

_EPS = 1e-9


def limited(cap: CapacitySettings) -> bool:
    """Whether any rep has a capacity at all."""
    return cap.per_rep > 0 or any(v > 0 for v in cap.reps.values())


def capacity_of(cap: CapacitySettings, rep: str) -> float | None:
    """A rep's capacity per period (None: no limit)."""
    value = cap.reps.get(rep, cap.per_rep)
    return value if value > 0 else None


def size(cap: CapacitySettings, playbook: str) -> float:
    """What one task of this playbook weighs: 1 task, or its hours."""
    return 1.0 if cap.unit == "tasks" else float(cap.hours.get(playbook, cap.default_hours))


def period_of(cap: CapacitySettings, due: Any) -> str:
    return Period.containing(pd.Timestamp(due).date(), cap.period).label


def open_load(ws: Workspace, cap: CapacitySettings) -> dict[tuple[str, str], float]:
    """(rep, period) -> load of the open tasks due in the period."""
    out: dict[tuple[str, str], float] = {}
    for owner, due, playbook in ws.rows(
        "SELECT owner, due_date, playbook FROM tasks"
        " WHERE status = 'open' AND owner IS NOT NULL AND due_date IS NOT NULL"
    ):
        key = (owner, period_of(cap, due))
        out[key] = out.get(key, 0.0) + size(cap, playbook)
    return out


def fit(
    new: pd.DataFrame,
    load: dict[tuple[str, str], float],
    team: Team,
    cap: CapacitySettings,
    plan: PlanSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """(kept tasks with owner and A updated, left-out tasks with `detail`, plan_capacity rows)."""
    if new.empty or not limited(cap):
        return new, new.iloc[0:0].assign(detail=pd.Series(dtype=object)), []
    load = dict(load)
    before = dict(load)
    added: dict[tuple[str, str], float] = {}
    lost: dict[tuple[str, str], list[float]] = {}
    owners = new["owner"].to_dict()
    keep: list[Any] = []
    left: dict[Any, str] = {}
    order = new.sort_values(["priority", "customer_id"], ascending=[False, True]).index

    def room(rep: str, period: str, weight: float) -> bool:
        limit = capacity_of(cap, rep)
        return limit is None or load.get((rep, period), 0.0) + weight <= limit + _EPS

    def share(rep: str, period: str) -> float:
        limit = capacity_of(cap, rep)
        return 0.0 if limit is None else load.get((rep, period), 0.0) / limit

    for i in order:
        owner, period = owners[i], period_of(cap, new.at[i, "due_date"])
        weight = size(cap, str(new.at[i, "playbook"]))
        target = owner if room(owner, period, weight) else None
        if target is None:
            fits = [r for r in team.reps.get(new.at[i, "region"], []) if room(r, period, weight)]
            target = min(fits, key=lambda r: (share(r, period), r)) if fits else None
        if target is None:
            got = load.get((owner, period), 0.0)
            left[i] = f"{owner} {period} {got:g}/{capacity_of(cap, owner) or 0:g} {cap.unit}"
            lost.setdefault((owner, period), []).append(weight)
            continue
        load[(target, period)] = load.get((target, period), 0.0) + weight
        added[(target, period)] = added.get((target, period), 0.0) + weight
        owners[i] = target
        keep.append(i)
    kept = new.loc[sorted(keep)].copy()
    kept["owner"] = pd.Series(owners).loc[kept.index]
    gone = new.loc[list(left)].assign(detail=pd.Series(left, dtype=object))
    rows = [
        {
            "owner": rep, "period": period, "unit": cap.unit, "capacity": capacity_of(cap, rep),
            "open_load": before.get((rep, period), 0.0), "new_load": added.get((rep, period), 0.0),
            "left_out": len(lost.get((rep, period), [])),
            "left_out_load": sum(lost.get((rep, period), [])),
        }
        for rep, period in sorted(set(added) | set(lost))
    ]  # fmt: skip
    return assign(kept, team, plan), gone, rows


def write(cur: Any, as_of: Any, rows: list[dict[str, Any]]) -> None:
    """Replace the plan_capacity rows of a plan run on `as_of`."""
    cur.execute("DELETE FROM plan_capacity WHERE as_of = ?", [as_of])
    if not rows:
        return
    frame = pd.DataFrame(rows)
    frame.insert(0, "as_of", as_of)
    cur.register("_plan_capacity", frame)
    cols = ", ".join(frame.columns)
    cur.execute(f"INSERT INTO plan_capacity ({cols}) SELECT {cols} FROM _plan_capacity")
    cur.unregister("_plan_capacity")


def capacity_report(ws: Workspace, as_of: Any = None) -> list[dict[str, Any]]:
    """The plan_capacity rows of the plan run on `as_of` (the latest if None)."""
    when = as_of or ws.scalar("SELECT max(as_of) FROM plan_capacity")
    if when is None:
        return []
    cur = ws.read(
        "SELECT owner, period, unit, capacity, open_load, new_load, left_out, left_out_load"
        " FROM plan_capacity WHERE as_of = ? ORDER BY left_out DESC, period, owner",
        [when],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
