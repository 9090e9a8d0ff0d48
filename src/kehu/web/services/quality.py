"""Data quality for the web: `kehu.quality.quality_report`, over the caller's scope."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def quality(state: WebState, scope: Scope) -> dict[str, Any]:
    """The data-quality report (completeness, invalid values, duplicates, orphans ...)."""

    def compute() -> dict[str, Any]:
        data = state.kehu.quality_report(scope=scope)
        return json.loads(json.dumps(data, default=str))

    return state.cached("customers", ("quality", scope.key, state.generation("activity")), compute)


def review_pairs(state: WebState, scope: Scope, limit: int = 50) -> list[dict[str, Any]]:
    """Suspected duplicate pairs waiting for a decision (admins: merging spans owners)."""
    from kehu.web.services.common import table_exists

    scope.require("merge")
    if not table_exists(state.ws, "dedupe_pairs"):
        return []
    return json.loads(json.dumps(state.kehu.pending_pairs(limit), default=str))


def merge(
    state: WebState, scope: Scope, a: str, b: str, keep: str | None = None, *, ip: str | None = None
) -> dict[str, Any]:
    """Merge two customers (undoable with `kehu dedupe undo`); audited."""
    from dataclasses import asdict, is_dataclass

    from kehu.access import audit

    scope.require("merge")
    record = state.kehu_as(scope.user).merge(a, b, keep=keep)
    data = asdict(record) if is_dataclass(record) else dict(record)
    data = json.loads(json.dumps(data, default=str))
    audit.record(state.ws, "merge", user=scope.user, target=f"{a}+{b}", detail=data, ip=ip)
    state.changed()
    return data


def reject(
    state: WebState, scope: Scope, a: str, b: str, *, ip: str | None = None
) -> dict[str, Any]:
    """Mark two customers as different: never proposed again; audited."""
    from kehu.access import audit

    scope.require("merge")
    out = state.kehu_as(scope.user).reject(a, b)
    audit.record(state.ws, "merge_reject", user=scope.user, target=f"{a}+{b}", ip=ip)
    state.changed("customers")
    return out
