"""Plan economics and scorecards for the web, through `kehu.app.Kehu`, within the caller's
scope (the domain filters: a rep its own scorecard, a manager its region's)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.web.services.common import plain_tree
from kehu.web.services.exports import MEDIA

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def scorecards(
    state: WebState, scope: Scope, period: str | None = None, grain: str | None = None
) -> dict[str, Any]:
    """The scorecards the scope may see (plain values), cached until the next write."""

    def compute() -> dict[str, Any]:
        return plain_tree(state.kehu.scorecards(period, grain=grain, scope=scope).to_json())

    key = ("scorecards", period, grain, scope.key, state.generation("customers"))
    return state.cached("activity", key, compute)


def export_scorecards(
    state: WebState, scope: Scope, period: str | None, lang: str, *, ip: str | None = None
) -> tuple[bytes, str, str]:
    """(file bytes, media type, file name) of the review meeting's workbook, audited."""
    scope.require("export")
    with tempfile.TemporaryDirectory(prefix="kehu-score-") as tmp:
        path = state.kehu.export_scorecards(
            Path(tmp) / "scorecards.xlsx", period, scope=scope, lang=lang
        )
        data = path.read_bytes()
    audit.record(state.ws, "export", user=scope.user, target="scorecards",
                 detail={"period": period, "format": "xlsx"}, ip=ip)  # fmt: skip
    return data, MEDIA["xlsx"], f"scorecards-{period or 'latest'}.xlsx"


def economics(state: WebState, scope: Scope, lang: str) -> dict[str, Any]:
    """Budget groups, what the last plan left out, and the milestones of the goals the scope
    sees, with their timeline chart."""
    from kehu.app import goal_timeline
    from kehu.web.charts import drawn
    from kehu.web.services.planning import list_goals

    goals = state.kehu.goal_milestones(list_goals(state, scope, lang))
    out = plain_tree(state.kehu.plan_economics(scope=scope).to_json())
    out["goals"] = plain_tree(goals)
    out["timeline"] = drawn(goal_timeline(goals)) if goals else None
    return out
