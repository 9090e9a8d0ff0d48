"""The data of the report's plan-economics and scorecard sections: what `kehu budget`, the
milestones and `kehu scorecard` show, read within the report's scope (a scoped view carries
its scope). The sections themselves are built in sections.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.calendar import Period
from kehu.charts import Chart
from kehu.errors import KehuError
from kehu.i18n import catalog
from kehu.planning import budget, capacity, scorecard
from kehu.planning.goals import goal_title, progress
from kehu.planning.milestones import milestones, timeline
from kehu.planning.playbook import load_playbooks

if TYPE_CHECKING:
    from kehu.workspace import Workspace

R = catalog("economics", "report")


def economics_data(ws: Workspace, period: Period, lang: str) -> dict[str, Any]:
    """Budget groups, the last plan's left-out counts, capacity and the goals' milestones."""
    scope = getattr(ws, "scope", None)
    spend = budget.budget_status(ws, set(load_playbooks(ws.settings, ws.root)))
    left = budget.left_out(ws)
    goals = [
        {"title": goal_title(g, lang), "milestones": milestones(g, period.end)}
        for g in progress(ws, as_of=period.end, save=False)
    ]
    return {
        "budget": budget.visible_budget(spend, scope),
        "left_budget": sum(1 for r in left if r["reason"] == "budget"),
        "left_capacity": sum(1 for r in left if r["reason"] == "capacity"),
        "capacity": capacity.capacity_report(ws),
        "goals": goals,
    }


def scorecard_data(ws: Workspace, period: Period) -> dict[str, Any] | None:
    """The scorecards of the report's period (grain as the report's), as its scope sees them."""
    try:
        cards = scorecard.scorecards(ws, period.label)
    except KehuError:
        return None
    seen = scorecard.visible(cards, getattr(ws, "scope", None), ws.settings.scorecard.teams)
    return seen.to_json()


def timeline_chart(data: dict[str, Any], lang: str) -> Chart | None:
    """The goals' milestone timeline, when there are goals."""
    goals = data["economics"]["goals"]
    return timeline(goals, R("timeline", lang)) if goals else None
