"""The stored backtest runs (`kehu backtest`) for the backtest page and API.

The figures are workspace-wide (every region's revenue), so only roles that see every
customer may read them (`backtest` permission).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kehu.app import Kehu
from kehu.web.services.common import table_exists

if TYPE_CHECKING:
    from kehu.access.scope import Scope
    from kehu.web.services.state import WebState


def latest(state: WebState, scope: Scope) -> dict[str, Any] | None:
    """Every figure of the newest run (None before the first)."""
    scope.require("backtest")
    if not table_exists(state.ws, "backtest_runs"):
        return None
    return state.kehu.backtest_latest()


def history(state: WebState, scope: Scope, limit: int = 50) -> list[dict[str, Any]]:
    """Headline figures of the stored runs, newest first."""
    scope.require("backtest")
    if not table_exists(state.ws, "backtest_runs"):
        return []
    return state.kehu.backtest_history(limit)


def names(lang: str) -> dict[str, str]:
    """Display names of the scores and models in `lang`."""
    return Kehu.backtest_names(lang)
