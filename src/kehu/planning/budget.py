"""The plan's budget (seed 000 制定预算分配表): yearly cost of the measures per group vs `[budget]`.

A group is a playbook key, a value tier or a region (`budget.playbook` / `budget.tier` /
`budget.region`, yuan a year); a group not named has no limit. A group's spend is the yearly
cost of its open tasks (`budget.count_open`) plus that of the tasks the plan would create. While
a group is over, the plan drops its new tasks lowest priority first (ties: the customer id
last in the plan's order); a task belongs to its playbook, tier and region at once, and is
dropped when any of them is over. A task without cost frees nothing and is never dropped.
What was dropped goes to `plan_left_out` with the groups that were over.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from kehu.errors import ConfigError
from kehu.planning.playbook import DIMENSIONS

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.config import BudgetSettings
    from kehu.workspace import Workspace

GROUPS = {"playbook": "playbook", "tier": "value_tier", "region": "region"}  # setting -> column
_EPS = 1e-6  # yuan: float sums of costs are compared with this slack


@dataclass(frozen=True)
class Overrun:
    """A budget group the plan would exceed, and what the cut did."""

    group: str  # playbook | tier | region
    key: str
    budget: float
    committed: float  # yearly cost of the group's open tasks
    planned: float  # yearly cost of the new tasks before the cut
    dropped: int  # new tasks left out
    dropped_cost: float

    @property
    def over_by(self) -> float:
        """How much the plan was over before the cut."""
        return round(self.committed + self.planned - self.budget, 2)

    @property
    def still_over(self) -> float:
        """Over after the cut: only when the open tasks alone exceed the budget."""
        return round(max(0.0, self.committed + self.planned - self.dropped_cost - self.budget), 2)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "over_by": self.over_by, "still_over": self.still_over}


def limits(budget: BudgetSettings, playbooks: set[str]) -> dict[tuple[str, str], float]:
    """(group, key) -> yearly budget; an unknown playbook or tier names the nearest valid one."""
    known = {"playbook": sorted(playbooks), "tier": list(DIMENSIONS["value_tier"])}
    out: dict[tuple[str, str], float] = {}
    for group in GROUPS:
        for key, value in getattr(budget, group).items():
            valid = known.get(group)
            if valid is not None and key not in valid:
                near = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
                hint_zh = f",是否想写 {near[0]}?" if near else f";可选:{', '.join(valid)}"
                hint_en = f"; did you mean {near[0]}?" if near else f"; valid: {', '.join(valid)}"
                raise ConfigError(
                    f"budget.{group}.{key}: 未知的{_GROUP_ZH[group]}{hint_zh}",
                    f"budget.{group}.{key}: unknown {group}{hint_en}",
                )
            out[(group, key)] = float(value)
    return out


_GROUP_ZH = {"playbook": "策略", "tier": "价值层级", "region": "区域"}


def _keys(row: Any) -> list[tuple[str, str]]:
    return [(g, str(row[c])) for g, c in GROUPS.items() if pd.notna(row[c])]


def fit(
    new: pd.DataFrame, committed: dict[tuple[str, str], float], caps: dict[tuple[str, str], float]
) -> tuple[pd.DataFrame, pd.DataFrame, list[Overrun]]:
    """Split new task rows (playbook, value_tier, region, priority, cost, customer_id) into
    (kept, dropped, overruns); `dropped` has `detail`: the groups over when it was dropped."""
    if not caps or new.empty:
        return new, new.iloc[0:0].assign(detail=pd.Series(dtype=object)), []
    cost = pd.to_numeric(new["cost"], errors="coerce").fillna(0.0)
    spend = dict.fromkeys(caps, 0.0)
    planned = dict.fromkeys(caps, 0.0)
    for key in caps:
        spend[key] = committed.get(key, 0.0)
    members = {i: [k for k in _keys(row) if k in caps] for i, row in new.iterrows()}
    for i, keys in members.items():
        for k in keys:
            spend[k] += float(cost[i])
            planned[k] += float(cost[i])
    lowest_first = new.sort_values(["priority", "customer_id"], ascending=[True, False]).index
    dropped: dict[Any, str] = {}
    cut = {k: [0, 0.0] for k in caps}
    for i in lowest_first:
        if cost[i] <= 0:
            continue
        over = [k for k in members[i] if spend[k] > caps[k] + _EPS]
        if not over:
            continue
        dropped[i] = ", ".join(f"{g}.{key}" for g, key in over)
        for k in members[i]:
            spend[k] -= float(cost[i])
            cut[k][0] += 1
            cut[k][1] += float(cost[i])
    overruns = [
        Overrun(g, key, caps[(g, key)], round(committed.get((g, key), 0.0), 2),
                round(planned[(g, key)], 2), int(cut[(g, key)][0]), round(cut[(g, key)][1], 2))
        for g, key in caps
        if committed.get((g, key), 0.0) + planned[(g, key)] > caps[(g, key)] + _EPS
    ]  # fmt: skip
    out = new.loc[[i for i in new.index if i not in dropped]]
    gone = new.loc[list(dropped)].assign(detail=pd.Series(dropped, dtype=object))
    return out, gone, overruns


def open_costs(ws: Workspace, caps: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Yearly cost of the open tasks per budget group that has a limit."""
    if not caps:
        return {}
    out: dict[tuple[str, str], float] = {}
    for group, col in GROUPS.items():
        rows = ws.rows(
            f"SELECT {col}, sum(coalesce(cost, 0))::DOUBLE FROM tasks"
            f" WHERE status = 'open' AND {col} IS NOT NULL GROUP BY 1"
        )
        for key, total in rows:
            if (group, str(key)) in caps:
                out[(group, str(key))] = float(total)
    return out


def budget_status(ws: Workspace, playbooks: set[str]) -> list[dict[str, Any]]:
    """Each budget group: its budget, the yearly cost of its open tasks, what is left."""
    caps = limits(ws.settings.budget, playbooks)
    spent = open_costs(ws, caps)
    out = []
    for (group, key), cap in caps.items():
        used = round(spent.get((group, key), 0.0), 2)
        out.append(
            {
                "group": group,
                "key": key,
                "budget": cap,
                "committed": used,
                "left": round(cap - used, 2),
                "used_share": used / cap if cap else None,
            }
        )
    return out


@dataclass
class Economics:
    """The plan's money: each budget group's spend, and what the last plan left out."""

    budget: list[dict[str, Any]]
    left_out: list[dict[str, Any]]
    capacity: list[dict[str, Any]]  # plan_capacity of the last plan run, the scope's reps

    def to_json(self) -> dict[str, Any]:
        return {"budget": self.budget, "left_out": self.left_out, "capacity": self.capacity}


def visible_budget(rows: list[dict[str, Any]], scope: Scope | None) -> list[dict[str, Any]]:
    """Budget groups a scope may see whole: all for admins, a manager's own regions, else none
    (a tier's or playbook's spend spans regions)."""
    if scope is None or scope.sees_all:
        return rows
    if scope.role == "manager":
        return [r for r in rows if r["group"] == "region" and r["key"] in scope.regions]
    return []


def left_out(ws: Workspace, as_of: Any = None) -> list[dict[str, Any]]:
    """What the plan run on `as_of` (the latest if None) left out, highest priority first."""
    when = as_of or ws.scalar("SELECT max(as_of) FROM plan_left_out")
    if when is None:
        return []
    cur = ws.read(
        "SELECT as_of, customer_id, customer_name, playbook, value_tier, region, owner,"
        " priority, cost, reason, detail FROM plan_left_out WHERE as_of = ?"
        " ORDER BY reason, priority DESC, customer_id",
        [when],
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
