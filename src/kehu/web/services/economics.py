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
    names = {k: b.name(lang) for k, b in state.kehu.playbooks().items()}
    for b in out["budget"]:
        b["name"] = _group_key(b["group"], b["key"], names, lang)
    for r in out["left_out"]:
        r["playbook_name"] = names.get(r["playbook"], r["playbook"])
        if r["reason"] == "budget" and r.get("detail"):
            r["detail"] = ", ".join(
                _group_name(part, names, lang) for part in r["detail"].split(", ")
            )
    out["goals"] = plain_tree(goals)
    out["timeline"] = drawn(goal_timeline(goals)) if goals else None
    return out


def _group_key(group: str, key: str, names: dict[str, str], lang: str) -> str:
    """A budget group's key for people: the playbook's or tier's name, the region as is."""
    from kehu.app import label

    if group == "playbook":
        return names.get(key, key)
    return label("value_tier", key, lang) if group == "tier" else key


def _group_name(part: str, names: dict[str, str], lang: str) -> str:
    """`region.华东` -> `区域 华东` (the kind of group and its key, named)."""
    from kehu.i18n import catalog

    group, key = part.split(".", 1)
    kind = catalog("economics", "page")(f"group_{group}", lang)
    return f"{kind} {_group_key(group, key, names, lang)}"
