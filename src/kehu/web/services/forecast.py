"""The newest forecast run (`kehu forecast`) for the forecast page and API, within the
caller's scope: its deals, and totals recomputed from them (kehu.app)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.web.services.common import table_exists

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def latest(state: WebState, scope: Scope) -> dict[str, Any] | None:
    """The newest run as `scope` may see it (None before the first)."""
    scope.require("read")
    if not table_exists(state.ws, "forecast_runs"):
        return None
    return state.kehu.forecast_latest(scope=scope)
