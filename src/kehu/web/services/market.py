"""Competitors, market and account plans for the web, limited to the caller's scope.

Each call hands the domain the scope, so a rep's figures are computed from the rep's own
customers only (never filtered after the fact)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kehu.access import audit
from kehu.web.services.common import plain_tree

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def competitors(state: WebState, scope: Scope) -> dict[str, Any]:
    scope.require("read")

    def compute() -> dict[str, Any]:
        view = state.kehu.competitors(scope=scope)
        return plain_tree(view)

    return state.cached("customers", ("competitors", scope.key), compute)


def market_view(state: WebState, scope: Scope, lang: str) -> dict[str, Any]:
    scope.require("read")

    def compute() -> dict[str, Any]:
        return plain_tree(state.kehu.market(scope=scope, lang=lang))

    return state.cached("customers", ("market", scope.key, lang), compute)


def key_accounts(state: WebState, scope: Scope, year: int | None = None) -> dict[str, Any]:
    scope.require("read")
    view = state.kehu.key_accounts(scope=scope, year=year)
    return plain_tree(view)


def account_plan(
    state: WebState, scope: Scope, customer_id: str, year: int | None = None
) -> dict[str, Any]:
    """A plan of a customer in scope (others read as not found)."""
    scope.require("read")
    plan = state.kehu.account_plan(customer_id, year=year, scope=scope)
    return plain_tree(plan)


def save_account_plan(
    state: WebState,
    scope: Scope,
    customer_id: str,
    edits: dict[str, Any],
    year: int | None = None,
    *,
    ip: str | None = None,
) -> dict[str, Any]:
    scope.require("edit_plan")
    k = state.kehu_as(scope.user)
    plan = k.save_account_plan(customer_id, edits, year=year, scope=scope)
    audit.record(
        state.ws,
        "account_plan_save",
        user=scope.user,
        target=plan["customer"]["customer_id"],
        detail={"year": plan["year"], "status": plan["status"]},
        ip=ip,
    )
    return plain_tree(plan)


def export_account_plan(
    state: WebState, scope: Scope, customer_id: str, fmt: str, lang: str,
    year: int | None = None, *, ip: str | None = None,
) -> tuple[bytes, str, str]:  # fmt: skip
    """(file bytes, media type, file name) of a plan as XLSX or PDF."""
    scope.require("export")
    k = state.kehu
    with tempfile.TemporaryDirectory(prefix="kehu-plan-") as tmp:
        path = k.export_account_plan(
            customer_id, Path(tmp) / f"plan.{fmt}", year=year, scope=scope, lang=lang, fmt=fmt
        )
        data = path.read_bytes()
    audit.record(state.ws, "export", user=scope.user, target=customer_id,
                 detail={"what": "account_plan", "format": fmt}, ip=ip)  # fmt: skip
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", customer_id)
    return data, MEDIA[fmt], f"account-plan-{safe}.{fmt}"
