"""Competitors, market and account plans for the web, limited to the caller's scope.

Each call hands the domain the scope's predicate over customers, so a rep's figures are
computed from the rep's own customers only (never filtered after the fact)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.app import Kehu
from kehu.web.services.common import plain

if TYPE_CHECKING:
    from kehu.web.access import Scope
    from kehu.web.services.state import WebState


def jsonable(value: Any) -> Any:
    """Nested results with Decimals and dates made JSON-friendly."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return plain(value)


def competitors(state: WebState, scope: Scope) -> dict[str, Any]:
    scope.require("read")

    def compute() -> dict[str, Any]:
        view = Kehu(state.ws).competitors(within=scope.customer_sql("c"))
        return jsonable(view)

    return state.cached("customers", ("competitors", scope.key), compute)


def market_view(state: WebState, scope: Scope, lang: str) -> dict[str, Any]:
    scope.require("read")

    def compute() -> dict[str, Any]:
        return jsonable(Kehu(state.ws).market(within=scope.customer_sql("c"), lang=lang))

    return state.cached("customers", ("market", scope.key, lang), compute)
